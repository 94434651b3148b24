#!/usr/bin/python3
"""Generate the multi-task reference fixtures used by the Shrink C# tests.

Run from anywhere:

    /usr/bin/python3 tools/reference/make_multitask_fixtures.py

Needs Debian's python3-sklearn and r-cran-glmnet (Rscript on PATH).  Writes
tests/Shrink.Tests/MultiTaskFixtures/<name>.json, one file per data set, then
prints a self-check report.

Canonical ("shrink") multi-task objective, Y n x k, B p x k, B_j = row j of B:

    1/(2n) ||Y - 1 b0' - X B||_F^2 + lam * ( r sum_j d_j ||B_j||_2 + (1 - r)/2 sum_j d_j^2 ||B_j||_2^2 )

d_j = population sd of column j when standardize, 1 otherwise.

  sklearn MultiTaskLasso(alpha) / MultiTaskElasticNet(alpha, l1_ratio):
      lam = alpha, r = l1_ratio, standardize = false.
  glmnet(family = "mgaussian", alpha = a, lambda = L, standardize.response = FALSE):
      lam * r = L * a,  lam * (1 - r) = L * (1 - a): unlike family = "gaussian",
      the responses are NOT scaled internally (sigma = 1).  The self-check tries
      three candidate sigmas by KKT and the script stops unless sigma = 1 wins.

No code in this file is taken from scikit-learn or glmnet.
"""

import csv
import json
import os
import subprocess
import tempfile
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import MultiTaskElasticNet, MultiTaskLasso

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "tests", "Shrink.Tests", "MultiTaskFixtures")
R_SCRIPT = os.path.join(HERE, "glmnet_multitask_fixtures.R")
SCRIPT_REL = "tools/reference/make_multitask_fixtures.py"

SEED = 20241126
FACTORS = (0.5, 0.1, 0.01)      # times lambda_max, scikit-learn cases
CD_LADDER = ((1e-16, 10**6), (1e-14, 10**6), (1e-12, 10**6), (1e-12, 10**7))


def ds_correlated(rng):
    n, p, k = 80, 10, 3
    z = np.empty((n, p))
    z[:, 0] = rng.standard_normal(n)
    for j in range(1, p):
        z[:, j] = 0.7 * z[:, j - 1] + np.sqrt(1 - 0.49) * rng.standard_normal(n)
    means = rng.uniform(-5, 5, p)
    sds = np.exp(rng.uniform(-1.5, 1.5, p))
    X = np.round(means + sds * z, 4)
    B = np.zeros((p, k))
    B[0] = [1.5, -1.0, 0.5]
    B[3] = [-1.0, -0.8, 1.2]
    B[6] = [0.6, 0.9, 0.4]
    B[8] = [0.0, 0.3, -0.2]
    Y = 2.0 + z @ B + 0.7 * rng.standard_normal((n, k))
    Y[:, 1] = 10 * Y[:, 1] + 50          # a target on another scale, far from 0
    Y[:, 2] = Y[:, 2] - 3
    Y = np.round(Y, 4)
    return dict(X=X, Y=Y, description=(
        "80 x 10 features, 3 targets. numpy default_rng(seed): z_1 ~ N(0,1), z_j = 0.7 z_{j-1} + sqrt(0.51) e_j; "
        "x_j = m_j + s_j z_j (m ~ U(-5,5), s = exp(U(-1.5,1.5)), 4 decimals). Y = 2 + z B + 0.7 N(0,1) with rows 1, 4, 7, 9 "
        "of B non-zero; then y2 = 10 y2 + 50 and y3 = y3 - 3 (4 decimals)."))


def ds_wide(rng):
    n, p, k = 30, 40, 2
    X = np.round(rng.standard_normal((n, p)) * rng.uniform(0.5, 2, p) + rng.uniform(-1, 1, p), 4)
    B = np.zeros((p, k))
    B[[1, 5, 11, 20]] = rng.uniform(-2, 2, (4, k))
    Y = np.round(X @ B + 0.5 * rng.standard_normal((n, k)) + [1.0, -2.0], 4)
    return dict(X=X, Y=Y, description=(
        "30 x 40 features (p > n), 2 targets. numpy default_rng(seed): x_j = N(0,1) * U(0.5, 2) + U(-1, 1) (4 decimals); "
        "Y = X B + 0.5 N(0,1) + (1, -2) with rows 2, 6, 12, 21 of B ~ U(-2, 2) (4 decimals)."))


DATASETS = [("mt_correlated", ds_correlated), ("mt_wide", ds_wide)]


def pop_sd(X):
    return np.sqrt(((X - X.mean(axis=0)) ** 2).mean(axis=0))


def lam_max(X, Y, fit_intercept, r, d=None):
    Xc = X - X.mean(axis=0) if fit_intercept else X
    Yc = Y - Y.mean(axis=0) if fit_intercept else Y
    d = np.ones(X.shape[1]) if d is None else d
    return float(np.max(np.linalg.norm(Xc.T @ Yc, axis=1) / d) / (len(Y) * r))


def sklearn_cases(X, Y):
    cases = []
    for cls, r, label in ((MultiTaskLasso, 1.0, "mtlasso"), (MultiTaskElasticNet, 0.5, "mtenet0.5")):
        for fi in (True, False):
            lmax = lam_max(X, Y, fi, r)
            for f in FACTORS:
                alpha = f * lmax
                for tol, max_iter in CD_LADDER:
                    kw = dict(alpha=alpha, fit_intercept=fi, tol=tol, max_iter=max_iter)
                    if cls is MultiTaskElasticNet:
                        kw["l1_ratio"] = r
                    with warnings.catch_warnings():
                        warnings.simplefilter("error", ConvergenceWarning)
                        try:
                            m = cls(**kw).fit(X, Y)
                        except ConvergenceWarning:
                            continue
                    if m.n_iter_ < max_iter:
                        break
                else:
                    raise RuntimeError(f"{label} did not converge")
                args = ", ".join(f"{a}={v!r}" for a, v in kw.items())
                it = "int" if fi else "noint"
                cases.append(dict(
                    id=f"sklearn-{label}-{it}-{f:g}", source="sklearn",
                    call=f"{cls.__name__}({args})  # alpha = {f:g} * lambda_max",
                    convention="sklearn", penalty="lasso" if r == 1 else "elasticnet",
                    **{"lambda": alpha}, l1_ratio=r, fit_intercept=fi, standardize=False,
                    intercepts=[float(v) for v in np.atleast_1d(m.intercept_)] if fi else [0.0] * Y.shape[1],
                    coefficients=[[float(v) for v in row] for row in m.coef_.T]))
    return cases


def run_glmnet(name, X, Y, foldid, tmp):
    k = Y.shape[1]
    csv_path = os.path.join(tmp, f"{name}.csv")
    with open(csv_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f"x{j + 1}" for j in range(X.shape[1])] + [f"y{t + 1}" for t in range(k)])
        for i in range(X.shape[0]):
            w.writerow([repr(float(v)) for v in X[i]] + [repr(float(v)) for v in Y[i]])
    fold_path = "none"
    if foldid is not None:
        fold_path = os.path.join(tmp, f"{name}.folds")
        with open(fold_path, "w") as fh:
            fh.write("\n".join(str(int(v)) for v in foldid) + "\n")
    out = os.path.join(tmp, f"{name}.glmnet.json")
    subprocess.run(["Rscript", R_SCRIPT, csv_path, str(k), fold_path, out], check=True)
    res = json.load(open(out))
    if not (np.array_equal(np.array(res["x"]), X) and np.array_equal(np.array(res["y"]), Y)):
        raise RuntimeError(f"{name}: R did not read the CSV exactly")
    return res


# ---- the glmnet -> shrink map ----

def sigma(Y, fit_intercept, mode):
    Yc = Y - Y.mean(axis=0) if fit_intercept else Y
    ms = (Yc ** 2).mean(axis=0)            # per-target mean square about the centre
    if mode == "frobenius":                # sqrt of the summed variances
        return float(np.sqrt(ms.sum()))
    if mode == "mean":                     # rms of the per-target sds
        return float(np.sqrt(ms.mean()))
    if mode == "none":
        return 1.0
    raise ValueError(mode)


SIGMA_MODES = ("frobenius", "mean", "none")
GLMNET_SIGMA = "none"   # what the KKT check finds for glmnet 4.1-6, standardize.response = FALSE


def to_shrink(c, Y, mode):
    lam, r = c["lambda"], c["l1_ratio"]
    if c["convention"] == "sklearn":
        return lam, r
    l1 = lam * r
    l2 = lam * (1 - r) / sigma(Y, c["fit_intercept"], mode)
    return l1 + l2, l1 / (l1 + l2)


def kkt(c, X, Y, lam, r):
    """Largest violation of the group optimality conditions, relative to lam * d_j."""
    n = len(Y)
    B = np.array(c["coefficients"])
    b0 = np.array(c["intercepts"])
    R = Y - b0 - X @ B
    d = pop_sd(X) if c["standardize"] else np.ones(X.shape[1])
    Xc = X - X.mean(axis=0) if c["fit_intercept"] else X
    worst = np.abs(R.mean(axis=0)).max() / np.abs(Y).max() if c["fit_intercept"] else 0.0
    for j in range(X.shape[1]):
        g = Xc[:, j] @ R / n
        nb = np.linalg.norm(B[j])
        if nb > 0:
            v = np.linalg.norm(g - lam * (r * d[j] * B[j] / nb + (1 - r) * d[j] ** 2 * B[j]))
        else:
            v = max(0.0, np.linalg.norm(g) - lam * r * d[j])
        worst = max(worst, v / (lam * d[j]))
    return worst


def objective(c, X, Y, lam, r):
    n = len(Y)
    B = np.array(c["coefficients"])
    R = Y - np.array(c["intercepts"]) - X @ B
    d = pop_sd(X) if c["standardize"] else np.ones(X.shape[1])
    rows = np.linalg.norm(B, axis=1) * d
    return float((R ** 2).sum() / (2 * n) + lam * (r * rows.sum() + (1 - r) / 2 * (rows ** 2).sum()))


def dump(path, fx):
    lines = ["{"]
    keys = list(fx)
    for i, key in enumerate(keys):
        sep = "," if i < len(keys) - 1 else ""
        v = fx[key]
        if key in ("x", "y", "cases", "paths"):
            items = ",\n    ".join(json.dumps(e, allow_nan=False) for e in v)
            lines.append(f'  "{key}": [\n    {items}\n  ]{sep}')
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(v, allow_nan=False)}{sep}")
    lines.append("}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    json.load(open(path))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    report = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, make) in enumerate(DATASETS):
            seed = SEED + i
            rng = np.random.default_rng(seed)
            ds = make(rng)
            X, Y = ds["X"], ds["Y"]
            n, p = X.shape
            k = Y.shape[1]
            foldid = None
            if n > p:
                foldid = np.random.default_rng(seed + 1000).permutation(np.resize(np.arange(1, 11), n))
            res = run_glmnet(name, X, Y, foldid, tmp)
            cases = sklearn_cases(X, Y)
            gcases = []
            for g in res["cases"]:
                it = "int" if g["intercept"] else "noint"
                sr = "std" if g["standardize"] else "raw"
                gcases.append(dict(
                    id=f"glmnet-a{g['alpha']:g}-{it}-{sr}-{g['factor']:g}", source="glmnet",
                    call=g["call"] + f"; this case is lambda[{g['index']}] (R, 1-based)",
                    convention="glmnet", penalty="lasso" if g["alpha"] == 1 else "elasticnet",
                    **{"lambda": g["lambda"]}, l1_ratio=g["alpha"], fit_intercept=g["intercept"],
                    standardize=g["standardize"], intercepts=g["a0"], coefficients=g["beta"]))
            # Which sigma makes glmnet's elastic-net answers optimal?  Judge on alpha = 0.5.
            viol = {m: max(kkt(c, X, Y, *to_shrink(c, Y, m)) for c in gcases if c["l1_ratio"] < 1) for m in SIGMA_MODES}
            best = min(viol, key=viol.get)
            if best != GLMNET_SIGMA or viol[best] > 1e-9:
                raise RuntimeError(f"{name}: glmnet's sigma is not {GLMNET_SIGMA}: {viol}")
            cases += gcases
            for c in cases:
                lam, r = to_shrink(c, Y, GLMNET_SIGMA)
                c["shrink_lambda"], c["shrink_l1_ratio"] = lam, r
            paths = []
            for pth in res["paths"]:
                a = pth["alpha"]
                shrink = [to_shrink(dict(convention="glmnet", l1_ratio=a, fit_intercept=True, **{"lambda": L}), Y, GLMNET_SIGMA)
                          for L in pth["lambdas"]]
                objs = [objective(dict(intercepts=b0, coefficients=B, standardize=True), X, Y, *s)
                        for b0, B, s in zip(pth["intercepts"], pth["coefficients"], shrink)]
                paths.append(dict(
                    id=f"glmnet-a{a:g}-path", source="glmnet", call=pth["call"], convention="glmnet",
                    l1_ratio=a, fit_intercept=True, standardize=True, lambdas=pth["lambdas"],
                    intercepts=pth["intercepts"], coefficients=pth["coefficients"], dev_ratio=pth["dev_ratio"],
                    shrink_lambdas=[s[0] for s in shrink], shrink_l1_ratio=shrink[0][1], objectives=objs))
            fx = dict(
                name=name, description=ds["description"],
                generator=dict(script=SCRIPT_REL, r_script="tools/reference/glmnet_multitask_fixtures.R", seed=seed,
                               sklearn=sklearn.__version__, glmnet=res["glmnet"], numpy=np.__version__, R=res["R"]),
                n=n, p=p, k=k,
                feature_names=[f"x{j + 1}" for j in range(p)], target_names=[f"y{t + 1}" for t in range(k)],
                x=[[float(v) for v in row] for row in X], y=[[float(v) for v in row] for row in Y],
                cases=cases, paths=paths)
            if res["cv"] is not None:
                cv = res["cv"]
                fx["cv"] = dict(call=cv["call"], nfolds=10, foldid_recipe=(
                    f"numpy.random.default_rng({seed + 1000}).permutation(numpy.resize(numpy.arange(1, 11), n))"),
                    foldid=[int(v) for v in cv["foldid"]], lambdas=cv["lambdas"], cvm=cv["cvm"], cvsd=cv["cvsd"],
                    nzero=cv["nzero"], lambda_min=cv["lambda_min"], lambda_1se=cv["lambda_1se"])
            path = os.path.join(OUT_DIR, f"{name}.json")
            dump(path, fx)
            print(f"wrote {os.path.relpath(path, REPO)}: {len(cases)} cases, {len(paths)} paths", flush=True)
            report.append((name, X, Y, cases, paths, viol, best, fx))
    self_check(report)


def self_check(report):
    print("\n=== Self-check ===")
    for name, X, Y, cases, paths, viol, best, fx in report:
        print(f"\n{name}:")
        print("  glmnet alpha = 0.5 KKT violation (relative to lam_s d_j) by candidate sigma:")
        for m, v in viol.items():
            print(f"    {m:10s} {v:.2e}{'   <- best' if m == best else ''}")
        worst = {}
        for c in cases:
            v = kkt(c, X, Y, c["shrink_lambda"], c["shrink_l1_ratio"])
            worst[c["source"]] = max(worst.get(c["source"], 0), v)
        for s, v in worst.items():
            print(f"  worst KKT, {s} cases (sigma = 1 for glmnet): {v:.2e}")
        for pth in paths:
            vs = [kkt(dict(intercepts=b0, coefficients=B, standardize=True, fit_intercept=True), X, Y, lam, pth["shrink_l1_ratio"])
                  for b0, B, lam in zip(pth["intercepts"], pth["coefficients"], pth["shrink_lambdas"])]
            a = pth["l1_ratio"]
            lmax = lam_max(X, Y, True, a, pop_sd(X))
            print(f"  path {pth['id']}: worst KKT {max(vs[1:]):.2e}; lambda_1 / (max_j ||x~_j' Y~|| / (n alpha)) = {pth['lambdas'][0] / lmax:.15f}")
        if "cv" in fx:
            cv = fx["cv"]
            print(f"  cv: lambda_min {cv['lambda_min']:.6g}, lambda_1se {cv['lambda_1se']:.6g}, min cvm {min(cv['cvm']):.6g}")


if __name__ == "__main__":
    main()
