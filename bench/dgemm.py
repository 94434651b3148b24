#!/usr/bin/python3
"""numpy's dgemm rate (OpenBLAS on Debian) for a square product, to pass to `Shrink.Bench limits --dgemm`.
Usage: bench/dgemm.py [SIZE=2000] [REPEATS=7]  -> GFlop/s, the median after one untimed product."""
import sys, time
import numpy as np

size = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
rng = np.random.default_rng(1)
a, b = rng.standard_normal((size, size)), rng.standard_normal((size, size))
a @ b
times = []
for _ in range(repeats):
    t = time.perf_counter()
    a @ b
    times.append(time.perf_counter() - t)
print(f"{2 * size ** 3 / sorted(times)[repeats // 2] / 1e9:.1f}")
