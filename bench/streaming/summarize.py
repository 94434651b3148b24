"""Summarizes bench/streaming/run.sh's results: time, throughput, peak RSS, and streaming vs in-memory coefficients."""
import json, os, re, sys

out = sys.argv[1]


def timing(name):
    text = open(os.path.join(out, name + ".time")).read()
    def grab(pattern):
        m = re.search(pattern, text)
        return m.group(1) if m else None
    wall = grab(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    cpu = float(grab(r"User time \(seconds\): (\S+)")) + float(grab(r"System time \(seconds\): (\S+)"))
    rss = int(grab(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024
    return seconds, cpu, rss


def load(name):
    return json.load(open(os.path.join(out, name + ".json")))


print("| file | command | wall s | CPU s | peak RSS MB | MB/s (wall) | MB/CPU-s |")
print("|---|---|---|---|---|---|---|")
for tag, size in (("data", "1 GB"), ("data3", "3 GB")):
    stats = load(tag + "-stats")
    mb = stats["bytes_read"] / 1e6
    for command in ("stats", "path-streaming", "cv-streaming"):
        name = f"{tag}-{command}"
        if not os.path.exists(os.path.join(out, name + ".time")):
            continue
        wall, cpu, rss = timing(name)
        print(f"| {tag}.csv ({mb:.0f} MB, {stats['rows']:,} rows) | {command.replace('-', ' ')} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | {mb / wall:.0f} | {mb / cpu:.0f} |")
for name in ("data-path-memory", "data-fit-memory", "data-fit-streaming"):
    wall, cpu, rss = timing(name)
    print(f"| data.csv | {name.replace('-', ' ')} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | | |")

memory, streaming = load("data-path-memory"), load("data-path-streaming")
worst = 0.0
for feature, values in memory["coefficients"].items():
    other = streaming["coefficients"][feature]
    for k, (a, b) in enumerate(zip(values, other)):
        scale = max(abs(v) for v in values) or 1.0
        worst = max(worst, abs(a - b) / scale)
lam = max(abs(a - b) / a for a, b in zip(memory["lambdas"], streaming["lambdas"]))
fm, fs = load("data-fit-memory"), load("data-fit-streaming")
fit = max(abs(fm["coefficients"][f] - fs["coefficients"][f]) / max(abs(v) for v in fm["coefficients"].values()) for f in fm["coefficients"])
print()
print(f"Streaming path against the in-memory path on data.csv ({len(memory['lambdas'])} λ): worst coefficient difference "
      f"{worst:.1e} relative to the largest coefficient at that λ's feature path, λ grid {lam:.1e} relative; "
      f"single lasso fit (λ = 0.001): {fit:.1e}. Modes reported: {memory.get('mode')} / {streaming.get('mode')}.")
cv = load("data-cv-streaming")
print(f"Streaming 10-fold CV on data.csv: λmin {cv['lambda_min']:.6g}, λ1se {cv['lambda_1se']:.6g}, chosen {cv['lambda']:.6g}, {cv['folds']} folds.")
