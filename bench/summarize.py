#!/usr/bin/python3
"""Summarize one side-by-side run (bench/run.sh): medians of the repeats, accuracy and the speed targets.

Usage: summarize.py RESULTS_DIR ANCHORS_DIR
RESULTS_DIR holds DATA-TASK-TOOL-REP.json (one JSON line each, as the anchors' scripts print). For each
(data, task, tool) the run with the median time is copied to RESULTS_DIR/median/, the anchors' compare.py
is run on those (path tasks), and a Markdown table with the targets of the speed issue is printed and
written to RESULTS_DIR/summary.md.
"""
import glob, json, os, re, shutil, statistics, subprocess, sys

TOOLS = ["shrink", "glmnet", "scikit-learn"]
FILE_TOOL = {"shrink": "shrink", "shrink-jit": "shrink-jit", "glmnet": "glmnet", "sklearn": "scikit-learn", "glmnet-samefolds": "glmnet-samefolds"}
# The JIT build of the same side runner: shown beside the Native AOT one (the targets are judged on the latter).
JIT = "shrink-jit"
# cv.glmnet run by bench/cvglmnet_folds.R on Shrink's and LassoCV's folds: the λmin to compare with (the anchors'
# glmnet_bench.R draws random folds, so its λmin differs by chance; its time is the one the target is about).
SAME_FOLDS = "glmnet-samefolds"
ORDER = ["diabetes-lasso", "dense-lasso", "dense-enet", "wide-lasso", "sparse-lasso", "tall-lasso", "dense-lassocv", "dense-ridgecv"]
ACCURACY = 1e-7  # the speed issue's target for Shrink's worst relative suboptimality
# Speed targets of the speed issue: Shrink's time over the named tool's at most this.
TARGETS = {"dense-lasso": ("glmnet", 1 / 3), "dense-enet": ("glmnet", 1 / 3), "wide-lasso": ("glmnet", 1 / 2), "sparse-lasso": ("glmnet", 1 / 2),
           "dense-lassocv": ("glmnet", 1 / 4), "dense-ridgecv": ("scikit-learn", 1 / 4)}


def load(path):
    with open(path) as f:
        text = f.read().strip()
    return json.loads(text) if text else None


def main(results, anchors):
    runs = {}
    for path in sorted(glob.glob(os.path.join(results, "*-*-*-*.json"))):
        m = re.fullmatch(r"(.+)-(lasso|enet|lassocv|ridgecv)-(shrink-jit|shrink|glmnet-samefolds|glmnet|sklearn)-(\d+)\.json", os.path.basename(path))
        if not m:
            continue
        data, task, tool, _ = m.groups()
        run = load(path)
        if run is not None:
            runs.setdefault(f"{data}-{task}", {}).setdefault(FILE_TOOL[tool], []).append((path, run))

    median_dir = os.path.join(results, "median")
    os.makedirs(median_dir, exist_ok=True)
    keys = sorted(runs, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER))
    rows, notes = [], []
    for key in keys:
        data, task = key.rsplit("-", 1)
        row = {"key": key, "seconds": {}, "runs": {}, "timeout": {}, "subopt": {}, "median_subopt": {}, "lambda_min": {}, "shrink": None, "rss": {}}
        medians = {}
        for tool in TOOLS + [SAME_FOLDS, JIT]:
            done = [(p, r) for p, r in runs[key].get(tool, []) if r.get("seconds") is not None]
            timed_out = [r for p, r in runs[key].get(tool, []) if r.get("timeout")]
            if timed_out:
                row["timeout"][tool] = timed_out[0]
            if not done:
                continue
            done.sort(key=lambda pr: pr[1]["seconds"])
            path, run = done[(len(done) - 1) // 2]  # the median (the lower one of an even count)
            row["seconds"][tool] = statistics.median(r["seconds"] for _, r in done)
            row["runs"][tool] = len(done)
            if all("peak_rss_mb" in r for _, r in done):
                row["rss"][tool] = statistics.median(r["peak_rss_mb"] for _, r in done)
            row["lambda_min"][tool] = [r["lambda_min"] for _, r in done if "lambda_min" in r]
            if tool == "shrink":
                row["shrink"] = run
            target = os.path.join(median_dir, f"{key}-{tool}.json")
            shutil.copyfile(path, target)
            medians[tool] = (target, run)

        with_objectives = [t for t in TOOLS if t in medians and "objectives" in medians[t][1]]
        if len(with_objectives) >= 2:
            grids = [medians[t][1]["lambdas"] for t in with_objectives]
            spread = max(abs(a / b - 1) for g in grids[1:] for a, b in zip(g, grids[0]))
            if any(len(g) != len(grids[0]) for g in grids) or spread > 1e-12:
                notes.append(f"{key}: the tools' λ grids differ (largest relative difference {spread:.1e}); the comparison is not like for like")
            out = subprocess.run([sys.executable, os.path.join(anchors, "compare.py")] + [medians[t][0] for t in with_objectives],
                                 capture_output=True, text=True, check=True).stdout
            print(out, end="")
            for line in out.splitlines():
                m = re.search(r"^(\S+)\s.*worst-rel-subopt (\S+)\s+median (\S+)", line)
                if m:
                    row["subopt"][m.group(1)] = float(m.group(2))
                    row["median_subopt"][m.group(1)] = float(m.group(3))
        rows.append(row)

    lines = ["| data, task | Shrink s | glmnet s | scikit-learn s | Shrink/glmnet | Shrink/sklearn | Shrink JIT s (/glmnet) | worst rel. subopt. Shrink / glmnet / sklearn | λmin Shrink / glmnet / sklearn | peak RSS MB Shrink / glmnet / sklearn | target | met? |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for row in rows:
        key, s = row["key"], row["seconds"]

        def sec(tool):
            if tool in s:
                more = f" (n={row['runs'][tool]})" if row["runs"][tool] != 3 else ""
                return f"{s[tool]:.3g}{more}"
            if tool in row["timeout"]:
                t = row["timeout"][tool]
                done = f", {t['progress']} λ fits done" if t.get("progress") else ""
                return f"> {t['timeout']:g} (timeout{done})"
            return "—"

        def ratio(tool):
            def fmt(x):
                return f"{x:.3g}" if x < 100 else f"{x:.0f}"
            if "shrink" in s and tool in s:
                return fmt(s["shrink"] / s[tool])
            if "shrink" in row["timeout"] and tool in s:
                return "> " + fmt(row["timeout"]["shrink"]["timeout"] / s[tool])
            return "—"

        sub = " / ".join(f"{row['subopt'][t]:.1e}" if t in row["subopt"] else "—" for t in TOOLS)
        lmin = " / ".join(",".join(f"{v:.4g}" for v in sorted(set(row["lambda_min"][t]))) if row["lambda_min"].get(t) else "—" for t in TOOLS)
        target, met = "—", "—"
        if key in TARGETS:
            other, limit = TARGETS[key]
            target = f"≤ {limit:.2g} × {other}"
            ok = "shrink" in s and other in s and s["shrink"] / s[other] <= limit
            if key == "dense-lassocv":
                target += ", same λmin as cv.glmnet on the same folds"
                shrink_min = set(row["lambda_min"].get("shrink", []))
                same_min = set(row["lambda_min"].get(SAME_FOLDS, []))
                # The same grid point: R builds the grid as exp(seq(log ...)), the side mode as numpy.geomspace, so the values
                # can differ in the last bits (the path tasks' grids are compared with the same 1e-12).
                same = bool(shrink_min) and bool(same_min) and all(abs(a / b - 1) <= 1e-12 for a in shrink_min for b in same_min)
                if same_min:
                    lmin += f" (cv.glmnet on the same folds: {','.join(f'{v:.4g}' for v in sorted(same_min))}, {'identical' if same else 'DIFFERENT'})"
                else:
                    lmin += " (cv.glmnet on the same folds: not run)"
                ok = ok and same
            met = "yes" if ok else "no"
            verdicts.append(f"- {key}: Shrink/{other} = {ratio(other)} (target {limit:.2g}): {'met' if ok else 'NOT met'}")
        jit = "—"
        if JIT in s:
            other = TARGETS.get(key, ("glmnet",))[0]
            jit = f"{s[JIT]:.3g}" + (f" ({s[JIT] / s[other]:.3g})" if other in s else "")
        rss = " / ".join(f"{row['rss'][t]:.0f}" if t in row["rss"] else "—" for t in TOOLS)
        if row["shrink"] is not None and row["shrink"].get("data_mb"):
            rss += f" (X: {row['shrink']['data_mb']:.0f} MB)"
        lines.append(f"| {key} | {sec('shrink')} | {sec('glmnet')} | {sec('scikit-learn')} | {ratio('glmnet')} | {ratio('scikit-learn')} | {jit} | {sub} | {lmin} | {rss} | {target} | {met} |")

    worst = {row["key"]: row["subopt"]["shrink"] for row in rows if "shrink" in row["subopt"]}
    unfinished = [row["key"] for row in rows if "shrink" in row["timeout"] and row["key"].endswith(("-lasso", "-enet"))]
    if worst:
        verdicts.append(f"- accuracy: Shrink's worst relative suboptimality is {max(worst.values()):.1e} over the path tasks it finished "
                        f"({', '.join(worst)}; target {ACCURACY:g}): {'met' if max(worst.values()) <= ACCURACY else 'NOT met'} there"
                        + (f"; not measured on {', '.join(unfinished)} (timeout)" if unfinished else ""))
    for row in rows:
        run = row["shrink"]
        if run is not None and not run.get("all_converged", True):
            notes.append(f"{row['key']}: some of Shrink's fits did not reach the tolerance {run.get('tolerance')}")
    text = "\n".join(lines + ["", "Shrink: the side runner published as Native AOT; Shrink JIT: the same runner as a JIT build (its ratio is "
                               "to the target's tool, glmnet unless the target names another).", "",
                               "Targets of the speed issue (times are medians of the repeats; Shrink = the Native AOT build):"] + verdicts
                     + ([""] + [f"Note: {n}" for n in notes] if notes else [])) + "\n"
    print()
    print(text, end="")
    with open(os.path.join(results, "summary.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
