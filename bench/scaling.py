#!/usr/bin/python3
"""How Shrink's path time grows with n and with p: runs the side mode on the anchors' correlated design at several
sizes and draws a log-log plot.

Usage: bench/scaling.py OUTDIR [--anchors ../shared/anchors] [--data /tmp/shrink-scaling] [--repeats 3] [--families n,p,wide]
                         [--glmnet]

Families (the anchors' `correlated` generator from gen.py, imported, so the data are built the same way as theirs):
  n     p = 1,000, n from 2,500 to 40,000, lasso path to 1e-3·λmax (covariance form: Gram n·p², then O(p²) per sweep)
  p     n = 10,000, p from 250 to 4,000, the same path
  wide  n = 200, p from 5,000 to 40,000, lasso path to 1e-2·λmax (naive form: O(n·p) per full pass)
Writes OUTDIR/scaling.json (every run's JSON line from the side mode, with the size), OUTDIR/scaling.md (medians,
CPU seconds, fitted log-log slopes) and OUTDIR/scaling.png. Needs numpy and matplotlib (Debian's python3-matplotlib).
With --glmnet, glmnet is timed on the same data and grid too, alternating with Shrink (bench/glmnet_raw.R, from raw
copies of the arrays written beside them once), and the table and plot show it.
"""
import argparse, importlib.util, json, os, statistics, subprocess, sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAMILIES = {
    "n": {"label": "dense, p = 1,000, n varies", "axis": "n", "eps": 1e-3, "sizes": [(n, 1000) for n in (2500, 5000, 10000, 20000, 40000)]},
    "p": {"label": "dense, n = 10,000, p varies", "axis": "p", "eps": 1e-3, "sizes": [(10000, p) for p in (250, 500, 1000, 2000, 4000)]},
    "wide": {"label": "wide, n = 200, p varies", "axis": "p", "eps": 1e-2, "sizes": [(200, p) for p in (5000, 10000, 20000, 40000)]},
}


def generator(anchors):
    spec = importlib.util.spec_from_file_location("anchors_gen", os.path.join(anchors, "gen.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def ensure(gen, data, n, p):
    d = os.path.join(data, f"c{n}x{p}")
    if not os.path.exists(os.path.join(d, "y.npy")):
        os.makedirs(d, exist_ok=True)
        # The anchors' dense settings (ρ 0.5 for tall designs, 0.2 for wide ones, 20 true features), a seed per size.
        X, y = gen.correlated(n, p, 0.5 if n >= p else 0.2, 20, 1000 + n + p)
        np.save(os.path.join(d, "X.npy"), X)
        np.save(os.path.join(d, "y.npy"), y)
    return os.path.basename(d)


def raw(data, name):
    """Column-major raw doubles of X and y beside the .npy files, for bench/glmnet_raw.R (written once)."""
    d = os.path.join(data, name)
    if not os.path.exists(os.path.join(d, "y.bin")):
        X = np.load(os.path.join(d, "X.npy"))
        np.asfortranarray(X, dtype=np.float64).T.tofile(os.path.join(d, "X.bin"))  # C order of Xᵀ = column-major X
        np.load(os.path.join(d, "y.npy")).astype(np.float64).tofile(os.path.join(d, "y.bin"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--anchors", default=os.path.join(os.path.dirname(ROOT), "shared", "anchors"))
    ap.add_argument("--data", default="/tmp/shrink-scaling")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--families", default="n,p,wide")
    ap.add_argument("--glmnet", action="store_true")
    a = ap.parse_args()
    gen = generator(a.anchors)
    os.makedirs(a.out, exist_ok=True)
    # The Native AOT side runner, as bench/run.sh times it.
    shrink = [subprocess.run([os.path.join(ROOT, "bench", "publish-side.sh")], check=True, capture_output=True, text=True).stdout.strip()]
    runs = []
    for family in a.families.split(","):
        f = FAMILIES[family]
        for n, p in f["sizes"]:
            name = ensure(gen, a.data, n, p)
            if a.glmnet:
                raw(a.data, name)
            for rep in range(a.repeats):
                out = subprocess.run(shrink + [a.data, name, "lasso", str(f["eps"])], capture_output=True, text=True, check=True).stdout
                r = json.loads(out)
                row = {"family": family, "n": n, "p": p, "repeat": rep + 1, "seconds": r["seconds"], "cpu_seconds": r.get("cpu_seconds"),
                       "sweeps": sum(r["iterations"]), "nnz_last": r["nnz"][-1], "solver": r["solver"], "all_converged": r["all_converged"]}
                runs.append(row)
                print(json.dumps(row), file=sys.stderr)
                if a.glmnet:
                    out = subprocess.run(["Rscript", os.path.join(ROOT, "bench", "glmnet_raw.R"), os.path.join(a.data, name), str(n), str(p), str(f["eps"])],
                                         capture_output=True, text=True, check=True).stdout
                    g = json.loads(out)
                    row = {"family": family, "n": n, "p": p, "repeat": rep + 1, "tool": "glmnet", "seconds": g["seconds"], "nnz_last": g["nnz_last"]}
                    runs.append(row)
                    print(json.dumps(row), file=sys.stderr)
    with open(os.path.join(a.out, "scaling.json"), "w") as fh:
        for r in runs:
            fh.write(json.dumps(r) + "\n")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    lines = ["| family | n | p | median s | median CPU s | sweeps | non-zeros at the end | solver |" + (" glmnet median s | Shrink / glmnet |" if a.glmnet else ""),
             "|---|---|---|---|---|---|---|---|" + ("---|---|" if a.glmnet else "")]
    slopes = []
    for family in a.families.split(","):
        f = FAMILIES[family]
        xs, ys, cs, gs = [], [], [], []
        for n, p in f["sizes"]:
            rs = [r for r in runs if r["family"] == family and r["n"] == n and r["p"] == p and r.get("tool") is None]
            sec = statistics.median(r["seconds"] for r in rs)
            cpu = statistics.median(r["cpu_seconds"] for r in rs)
            line = f"| {family} | {n} | {p} | {sec:.3f} | {cpu:.3f} | {rs[0]['sweeps']} | {rs[0]['nnz_last']} | {rs[0]['solver']} |"
            if a.glmnet:
                gsec = statistics.median(r["seconds"] for r in runs if r["family"] == family and r["n"] == n and r["p"] == p and r.get("tool") == "glmnet")
                line += f" {gsec:.3f} | {sec / gsec:.2f} |"
                gs.append(gsec)
            lines.append(line)
            xs.append(n if f["axis"] == "n" else p)
            ys.append(sec)
            cs.append(cpu)
        slope = np.polyfit(np.log(xs), np.log(ys), 1)[0]
        cpu_slope = np.polyfit(np.log(xs), np.log(cs), 1)[0]
        slopes.append(f"- {f['label']}: wall time grows as {f['axis']}^{slope:.2f}, CPU time as {f['axis']}^{cpu_slope:.2f}, over {xs[0]:,}–{xs[-1]:,}")
        ax = axes[0] if f["axis"] == "n" else axes[1]
        line, = ax.loglog(xs, ys, "o-", label=f"{f['label']}: wall (slope {slope:.2f})")
        ax.loglog(xs, cs, "s--", color=line.get_color(), alpha=0.6, label=f"{f['label']}: CPU, all threads (slope {cpu_slope:.2f})")
        if gs:
            g_slope = np.polyfit(np.log(xs), np.log(gs), 1)[0]
            ax.loglog(xs, gs, "^:", color=line.get_color(), alpha=0.8, label=f"{f['label']}: glmnet wall (slope {g_slope:.2f})")
            slopes.append(f"- {f['label']}: glmnet's wall time grows as {f['axis']}^{g_slope:.2f}")
    for ax, axis in zip(axes, ["n (rows)", "p (features)"]):
        if not ax.lines:
            ax.set_visible(False)
            continue
        ax.set_xlabel(axis)
        ax.set_ylabel("path seconds (median of repeats, first call)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Shrink lasso path (100 λ), time against size, log-log")
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "scaling.png"), dpi=110)
    text = "\n".join(lines + ["", "Log-log slopes (least squares over the sizes):"] + slopes) + "\n"
    with open(os.path.join(a.out, "scaling.md"), "w") as fh:
        fh.write(text)
    print(text)


if __name__ == "__main__":
    main()
