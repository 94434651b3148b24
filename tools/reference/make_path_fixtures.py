#!/usr/bin/python3
"""Generate the path, cross-validation and ridge-LOO fixtures for the Shrink C# tests.

Run from anywhere:

    /usr/bin/python3 tools/reference/make_path_fixtures.py

Needs Debian's python3-sklearn (scikit-learn, numpy, scipy) and r-cran-glmnet
(Rscript on PATH).  Writes into tests/Shrink.Tests/PathFixtures/:

    paths_<data>.json    regularization paths (sklearn enet_path/lasso_path and
                         glmnet's own default path), data sets diabetes, wide,
                         correlated
    cv_<data>.json       cv.glmnet with a fixed foldid, data sets diabetes, correlated
    ridgecv_<data>.json  sklearn RidgeCV leave-one-out, data sets diabetes, wide

then prints a self-check report (KKT along every path, glmnet's default grid
against the closed form, cvm/cvsd recomputed from cv.glmnet's fit.preval,
brute-force LOO ridge against RidgeCV).

Canonical ("shrink") objective, to which every path is mapped:

    1/(2n) ||y - b0 - X b||^2 + lam * ( r ||D b||_1 + (1 - r)/2 ||D b||^2 )

D = diag(population sd of each column) when standardize, identity otherwise.
glmnet(alpha = a, lambda = L), intercept = TRUE:  lam r = L a and
lam (1 - r) = L (1 - a) / sigma, sigma = population sd of y (see README.md).

Data sets and helpers are imported from make_fixtures.py (same seeds).
No code in this file is taken from scikit-learn or glmnet.
"""

import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV, enet_path, lasso_path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixtures as mf  # noqa: E402  (data sets, seeds, pop_sd, kkt)

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "tests", "Shrink.Tests", "PathFixtures")
OLD_FIXTURES = os.path.join(REPO, "tests", "Shrink.Tests", "Fixtures")
R_SCRIPT = os.path.join(HERE, "glmnet_path_fixtures.R")
SCRIPT_REL = "tools/reference/make_path_fixtures.py"
R_SCRIPT_REL = "tools/reference/glmnet_path_fixtures.R"

# sklearn path grid: 100 log-spaced values from lambda_max down to
# EPS * lambda_max (the anchors' choice: 1e-3 when n > p, 1e-2 when p >= n).
N_SKL_LAMBDAS = 100
SKL_L1_RATIOS = (1.0, 0.5)
# (tol, max_iter) tried in turn for enet_path / lasso_path; the first that
# converges at every lambda (no ConvergenceWarning, n_iter < max_iter) is used.
CD_LADDER = mf.CD_LADDER

NFOLDS = 10
# Fold ids for data set k: numpy.random.default_rng(FOLD_SEED + k).permutation(
#     numpy.resize(numpy.arange(1, NFOLDS + 1), n))
FOLD_SEED = mf.SEED + 100

# RidgeCV alpha grid: RIDGE_GRID * scale, scale = min_j ||x_j - mean_j||^2 of
# the matrix handed to RidgeCV (= n when the columns are scaled to population sd 1).
# (With the median, raw diabetes chose the smallest alpha of the grid.)
RIDGE_GRID = np.geomspace(1e-5, 1e2, 36)


# --------------------------------------------------------------------------
# Data sets
# --------------------------------------------------------------------------

def ds_correlated(rng):
    """100 x 15, AR(1) correlation 0.8 between neighbouring columns."""
    n, p, rho = 100, 15, 0.8
    E = rng.standard_normal((n, p))
    Z = np.empty((n, p))
    Z[:, 0] = E[:, 0]
    for j in range(1, p):
        Z[:, j] = rho * Z[:, j - 1] + math.sqrt(1 - rho * rho) * E[:, j]
    sds = np.round(np.geomspace(0.5, 4.0, p), 3)
    means = np.round(rng.uniform(-5.0, 5.0, p), 2)
    X = np.round(means + sds * Z, 4)
    w = np.zeros(p)
    w[[0, 2, 5, 6, 10, 13]] = [1.5, -1.0, 0.8, 0.6, -0.7, 0.5]
    y = np.round(2.0 + Z @ w + 1.0 * rng.standard_normal(n), 4)
    return dict(
        description=("100 x 15 with AR(1) correlation: z_1 ~ N(0,1), z_j = 0.8 z_{j-1} + "
                     "0.6 e_j, so corr(z_i, z_j) = 0.8^|i-j|; x_j = m_j + s_j z_j rounded to 4 "
                     "decimals, s_j = geomspace(0.5, 4, 15) rounded to 3 decimals, m_j ~ "
                     "U(-5, 5) rounded to 2 decimals. y = 2 + 1.5 z1 - z3 + 0.8 z6 + 0.6 z7 "
                     "- 0.7 z11 + 0.5 z14 + N(0, 1), 4 decimals."),
        X=X, y=y, feature_names=mf.names(p))


def ds_wide(rng):
    ds = mf.ds_wide(rng)
    ds["description"] = ds["description"].replace(" No OLS cases (not identifiable).", "")
    return ds


# (name, maker, k): seed = mf.SEED + k.  k = 0, 1 are make_fixtures.py's data
# sets 0 (diabetes) and 1 (wide), so the data are identical to Fixtures/.
DATASETS = {
    "diabetes": (mf.ds_diabetes, 0),
    "wide": (ds_wide, 1),
    "correlated": (ds_correlated, 6),
}
PATH_SETS = ("diabetes", "wide", "correlated")
CV_SETS = ("diabetes", "correlated")
RIDGE_SETS = ("diabetes", "wide")


def load(name):
    make, k = DATASETS[name]
    seed = mf.SEED + k
    ds = make(np.random.default_rng(seed))
    ds["seed"] = seed
    ds["k"] = k
    old = os.path.join(OLD_FIXTURES, f"{name}.json")
    if os.path.exists(old):      # same data as the single-fit fixtures
        fx = json.load(open(old))
        assert np.array_equal(np.array(fx["x"]), ds["X"]) and np.array_equal(np.array(fx["y"]), ds["y"]), name
    return ds


# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------

def fl(v):
    return float(v) + 0.0          # + 0.0 turns -0.0 into 0.0


def fls(v):
    return [fl(t) for t in v]


def y_sigma(y):
    return float(np.sqrt(((y - y.mean()) ** 2).mean()))


def shrink_map(convention, lam, a, y):
    """(lam_s, r_s) of a path point (intercept = true)."""
    if convention == "sklearn":
        return lam, a
    if convention == "glmnet":
        l1 = lam * a
        l2 = lam * (1.0 - a) / y_sigma(y)
        return l1 + l2, l1 / (l1 + l2)
    raise ValueError(convention)


def d_vec(X, standardize):
    return mf.pop_sd(X) if standardize else np.ones(X.shape[1])


def objective(X, y, b0, b, lam, r, d):
    res = y - b0 - X @ b
    db = d * b
    return float(res @ res / (2 * len(y)) + lam * (r * np.abs(db).sum() + (1 - r) / 2 * db @ db))


def r2(X, y, b0, b):
    res = y - b0 - X @ b
    yc = y - y.mean()
    return float(1.0 - (res @ res) / (yc @ yc))


def generator(ds, glmnet_version, r_version):
    return {"script": SCRIPT_REL, "r_script": R_SCRIPT_REL, "seed": ds["seed"],
            "sklearn": sklearn.__version__, "glmnet": glmnet_version,
            "numpy": np.__version__, "R": r_version}


def header(name, ds, description, gen):
    X, y = ds["X"], ds["y"]
    return {
        "name": name, "description": description, "generator": gen,
        "n": int(X.shape[0]), "p": int(X.shape[1]),
        "feature_names": ds["feature_names"],
        "x": [fls(row) for row in X], "y": fls(y),
    }


def dump(path, fx):
    """JSON with one matrix row per line and one key per line inside list items."""
    def j(v):
        return json.dumps(v, allow_nan=False)

    def value(v, ind):
        if isinstance(v, list) and v and isinstance(v[0], list):
            inner = (",\n" + ind + "  ").join(j(row) for row in v)
            return "[\n" + ind + "  " + inner + "\n" + ind + "]"
        return j(v)

    def obj(d, ind):
        items = [f"{ind}  {j(k)}: {value(v, ind + '  ')}" for k, v in d.items()]
        return "{\n" + ",\n".join(items) + "\n" + ind + "}"

    lines = []
    for key, v in fx.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            inner = ",\n    ".join(obj(d, "    ") for d in v)
            lines.append(f"  {j(key)}: [\n    {inner}\n  ]")
        else:
            lines.append(f"  {j(key)}: {value(v, '  ')}")
    with open(path, "w") as fh:
        fh.write("{\n" + ",\n".join(lines) + "\n}\n")
    json.load(open(path))   # sanity: it parses


# --------------------------------------------------------------------------
# glmnet (R)
# --------------------------------------------------------------------------

def run_r(name, ds, tmp, foldid):
    X, y = ds["X"], ds["y"]
    csv_path = os.path.join(tmp, f"{name}.csv")
    fold_path = os.path.join(tmp, f"{name}.foldid")
    out_path = os.path.join(tmp, f"{name}.glmnet.json")
    with open(csv_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(mf.names(X.shape[1]) + ["y"])
        for i in range(X.shape[0]):
            w.writerow([repr(float(v)) for v in X[i]] + [repr(float(y[i]))])
    if foldid is not None:
        with open(fold_path, "w") as fh:
            fh.write("\n".join(str(int(f)) for f in foldid) + "\n")
    subprocess.run(["Rscript", R_SCRIPT, csv_path, fold_path if foldid is not None else "none",
                    out_path], check=True)
    with open(out_path) as fh:
        res = json.load(fh)
    if not (np.array_equal(np.array(res["x"]), X) and np.array_equal(np.array(res["y"]), y)):
        raise RuntimeError(f"{name}: R did not read the CSV exactly")
    assert res["control"]["fdev"] == 0 and res["control"]["devmax"] == 1
    return res


def make_foldid(n, k):
    seed = FOLD_SEED + k
    rng = np.random.default_rng(seed)
    return rng.permutation(np.resize(np.arange(1, NFOLDS + 1), n)), seed


# --------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------

def sklearn_path(X, y, r):
    """enet_path / lasso_path on X and y centred by hand; returns a path dict."""
    n, p = X.shape
    xm, ym = X.mean(axis=0), float(y.mean())
    Xc = np.asfortranarray(X - xm)
    yc = y - ym
    lmax = float(np.max(np.abs(Xc.T @ yc)) / (n * r))
    eps = 1e-3 if n > p else 1e-2
    grid = np.geomspace(lmax, eps * lmax, N_SKL_LAMBDAS)
    fn = lasso_path if r == 1.0 else enet_path
    for tol, max_iter in CD_LADDER:
        kw = dict(alphas=grid, tol=tol, max_iter=max_iter, return_n_iter=True)
        if r != 1.0:
            kw["l1_ratio"] = r
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            try:
                alphas, coefs, gaps, n_iters = fn(Xc, yc, **kw)
            except ConvergenceWarning:
                continue
        if np.all(np.asarray(n_iters) < max_iter):
            break
    else:
        raise RuntimeError("sklearn path did not converge")
    assert np.array_equal(alphas, grid)
    B = coefs.T                                   # [lambda][feature]
    b0 = ym - B @ xm
    args = (f"alphas=<grid>, tol={tol!r}, max_iter={max_iter}")
    if r == 1.0:
        call = f"sklearn.linear_model.lasso_path(X - X.mean(0), y - y.mean(), {args})"
    else:
        call = f"sklearn.linear_model.enet_path(X - X.mean(0), y - y.mean(), l1_ratio={r!r}, {args})"
    call += (f"; grid = numpy.geomspace(lambda_max, {eps:g} * lambda_max, {N_SKL_LAMBDAS}), "
             f"lambda_max = max_j |x_j_centred' y_centred| / (n * l1_ratio) = {lmax!r}; "
             f"intercept = mean(y) - mean(X) @ coef")
    rid = "sklearn-lasso" if r == 1.0 else f"sklearn-enet{r:g}"
    return {
        "id": rid, "source": "sklearn", "call": call, "convention": "sklearn",
        "l1_ratio": r, "fit_intercept": True, "standardize": False,
        "lambda_min_ratio": None, "lambdas": grid, "intercepts": b0, "coefficients": B,
        "r2": None, "r2_kind": "1 - RSS/TSS, computed from the recorded coefficients",
    }


def glmnet_paths(res):
    out = []
    for g in res["paths"]:
        a, std = g["alpha"], g["standardize"]
        out.append({
            "id": f"glmnet-a{a:g}-{'std' if std else 'raw'}", "source": "glmnet", "call": g["call"],
            "convention": "glmnet", "l1_ratio": float(a), "fit_intercept": True, "standardize": std,
            "lambda_min_ratio": g["lambda_min_ratio"], "lambdas": np.array(g["lambda"]),
            "intercepts": np.array(g["a0"]), "coefficients": np.array(g["beta"]),
            "r2": np.array(g["dev_ratio"]), "r2_kind": "glmnet dev.ratio (= 1 - RSS/TSS for gaussian)",
            "thresh": g["thresh"],
        })
    return out


def finish_path(pth, X, y):
    """Add shrink mapping, objectives and R^2; convert to JSON-able lists."""
    d = d_vec(X, pth["standardize"])
    lam_s, objs, own_r2 = [], [], []
    r_s = None
    for k, lam in enumerate(pth["lambdas"]):
        ls, rs = shrink_map(pth["convention"], float(lam), pth["l1_ratio"], y)
        lam_s.append(ls)
        r_s = rs
        b0, b = pth["intercepts"][k], pth["coefficients"][k]
        objs.append(objective(X, y, b0, b, ls, rs, d))
        own_r2.append(r2(X, y, b0, b))
    out = {k: pth[k] for k in ("id", "source", "call", "convention", "l1_ratio", "fit_intercept",
                                "standardize", "lambda_min_ratio")}
    out["nlambda"] = len(pth["lambdas"])
    out["lambdas"] = fls(pth["lambdas"])
    out["intercepts"] = fls(pth["intercepts"])
    out["coefficients"] = [fls(row) for row in pth["coefficients"]]
    out["objectives"] = objs
    out["r2"] = fls(pth["r2"]) if pth["r2"] is not None else own_r2
    out["r2_kind"] = pth["r2_kind"]
    out["shrink_l1_ratio"] = fl(r_s)
    out["shrink_lambdas"] = fls(lam_s)
    return out, np.array(own_r2)


# --------------------------------------------------------------------------
# Cross-validation
# --------------------------------------------------------------------------

def cv_formula(pred, y, foldid, kind):
    """cvm, cvsd, fold means from predictions, by the rule described in README.md."""
    raw = (y[:, None] - pred) ** 2 if kind == "mse" else np.abs(y[:, None] - pred)
    K = int(foldid.max())
    m = np.array([raw[foldid == k].mean(axis=0) for k in range(1, K + 1)])     # K x L
    w = np.array([np.sum(foldid == k) for k in range(1, K + 1)], dtype=float)
    cvm = (w @ m) / w.sum()
    cvsd = np.sqrt((w @ (m - cvm) ** 2) / w.sum() / (K - 1))
    return cvm, cvsd, m


def choose(lams, cvm, cvsd):
    """lambda.min and lambda.1se (0-based indices) by cv.glmnet's rule."""
    i_min = int(np.flatnonzero(lams == np.max(lams[cvm <= cvm.min()]))[0])
    bound = cvm[i_min] + cvsd[i_min]
    i_1se = int(np.flatnonzero(lams == np.max(lams[cvm <= bound]))[0])
    return i_min, i_1se


# --------------------------------------------------------------------------
# Ridge LOO
# --------------------------------------------------------------------------

def ridge_svd(Xc, yc, alpha):
    """Centred ridge via SVD: coef, fitted (centred), trace of the centred smoother."""
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    f = s * s / (s * s + alpha)
    uty = U.T @ yc
    coef = Vt.T @ (s / (s * s + alpha) * uty)
    fit = U @ (f * uty)
    return coef, fit, float(f.sum())


def ridgecv_fit(X, y, standardize):
    n, p = X.shape
    sd = mf.pop_sd(X)
    Xs = X / sd if standardize else X
    Xsc = Xs - Xs.mean(axis=0)
    scale = float(np.min((Xsc * Xsc).sum(axis=0)))
    alphas = RIDGE_GRID * scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = RidgeCV(alphas=alphas, fit_intercept=True, store_cv_values=True).fit(Xs, y)
    loo = m.cv_values_.mean(axis=0)
    gcv, trace = [], []
    yc = y - y.mean()
    for a in alphas:
        _, fit, tr = ridge_svd(Xsc, yc, a)
        res = yc - fit
        trh = 1.0 + tr
        gcv.append(float((res @ res / n) / (1.0 - trh / n) ** 2))
        trace.append(trh)
    best = int(np.flatnonzero(alphas == m.alpha_)[0])
    coef = m.coef_ / sd if standardize else m.coef_.copy()
    # Self-check material: own SVD solution at alpha_.
    c_own, _, _ = ridge_svd(Xsc, yc, m.alpha_)
    c_own = c_own / sd if standardize else c_own
    mode = "svd" if n > p else "eigen"
    how = ("X[:, j] / sd_j (population sd), coef_ back-transformed as coef_j / sd_j"
           if standardize else "X as given")
    call = (f"sklearn.linear_model.RidgeCV(alphas=<alphas>, fit_intercept=True, "
            f"store_cv_values=True).fit(Z, y) with Z = {how}; gcv_mode 'auto' -> '{mode}'; "
            f"alphas = numpy.geomspace(1e-5, 1e2, {len(RIDGE_GRID)}) * {scale!r} "
            f"(min_j ||z_j - mean(z_j)||^2)")
    fitd = {
        "id": "ridgecv-std" if standardize else "ridgecv-raw",
        "source": "sklearn", "call": call, "convention": "shrink", "l1_ratio": 0.0,
        "fit_intercept": True, "standardize": standardize,
        "alphas": fls(alphas), "lambdas": fls(alphas / n),
        "loo_mse": fls(loo), "gcv": gcv, "hat_trace": trace,
        "alpha_": fl(m.alpha_), "lambda_": fl(m.alpha_ / n), "best_index": best,
        "intercept": fl(m.intercept_), "coefficients": fls(coef),
    }
    return fitd, m, Xs, float(np.max(np.abs(coef - c_own)) / np.max(np.abs(coef)))


def shortcut_loo(X, y, alpha, with_intercept_leverage):
    """LOO squared errors of ridge as a linear smoother: ((y_i - yhat_i) / (1 - H_ii))^2.

    X and y are centred with the full-data means and yhat is the full-data fit.
    H_ii = 1/n + h_ii (the intercept's leverage included) or h_ii alone, where h
    is the hat matrix of the centred ridge, Xc (Xc'Xc + alpha I)^-1 Xc'."""
    n = len(y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    U, s, _ = np.linalg.svd(Xc, full_matrices=False)
    f = s * s / (s * s + alpha)
    h = (U * U) @ f
    res = yc - U @ (f * (U.T @ yc))
    return (res / (1.0 - (1.0 / n if with_intercept_leverage else 0.0) - h)) ** 2


def brute_loo(X, y, alpha, per_fold_centring):
    """Exact leave-one-out squared errors of ridge, by n refits.

    per_fold_centring: each refit centres X and y with the means of its own n - 1
    rows (an unpenalized intercept refitted per fold).  Otherwise X and y are
    centred once with the full-data means and each refit has no intercept."""
    n, p = X.shape
    out = np.empty(n)
    if not per_fold_centring:
        X = X - X.mean(axis=0)
        y = y - y.mean()
    for i in range(n):
        keep = np.arange(n) != i
        Xi, yi = X[keep], y[keep]
        if per_fold_centring:
            xm, ym = Xi.mean(axis=0), yi.mean()
        else:
            xm, ym = np.zeros(p), 0.0
        A = (Xi - xm).T @ (Xi - xm) + alpha * np.eye(p)
        b = np.linalg.solve(A, (Xi - xm).T @ (yi - ym))
        out[i] = (y[i] - ym - (X[i] - xm) @ b) ** 2
    return out


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    written = []
    checks = {"paths": [], "grid": [], "cv": [], "ridge": [], "loo": []}
    data = {name: load(name) for name in DATASETS}
    with tempfile.TemporaryDirectory() as tmp:
        rres = {}
        for name in PATH_SETS:
            ds = data[name]
            foldid = make_foldid(len(ds["y"]), ds["k"])[0] if name in CV_SETS else None
            rres[name] = run_r(name, ds, tmp, foldid)
    r_version = rres["diabetes"]["R"]
    glmnet_version = rres["diabetes"]["glmnet"]

    # ---- paths -----------------------------------------------------------
    for name in PATH_SETS:
        ds = data[name]
        X, y = ds["X"], ds["y"]
        n, p = X.shape
        raw_paths = [sklearn_path(X, y, r) for r in SKL_L1_RATIOS] + glmnet_paths(rres[name])
        paths = []
        for pth in raw_paths:
            out, own_r2 = finish_path(pth, X, y)
            paths.append(out)
            checks["paths"].append((name, pth, out, own_r2))
            if pth["source"] == "glmnet":
                checks["grid"].append((name, pth))
        desc = (ds["description"] + " Regularization paths with an intercept: scikit-learn "
                "lasso_path/enet_path on X and y centred by hand (no standardization, explicit "
                "grid) and glmnet's own default path (standardize TRUE and FALSE). Coefficients "
                "are on the original scale, [lambda][feature]; objectives are in the shrink "
                "convention (shrink_lambdas, shrink_l1_ratio), computed in float64 from the "
                "recorded coefficients.")
        fx = header(name, ds, desc, generator(ds, glmnet_version, r_version))
        fx["y_sigma"] = y_sigma(y)
        fx["paths"] = paths
        path = os.path.join(OUT_DIR, f"paths_{name}.json")
        dump(path, fx)
        written.append(path)

    # ---- cross-validation -----------------------------------------------
    for name in CV_SETS:
        ds = data[name]
        X, y = ds["X"], ds["y"]
        n, p = X.shape
        foldid, fseed = make_foldid(n, ds["k"])
        res = rres[name]
        grid = {g["alpha"]: g for g in res["paths"] if g["standardize"]}
        runs = []
        for c in res["cv"]:
            assert np.array_equal(np.array(c["foldid"]), foldid)
            lams = np.array(c["lambda"])
            assert np.array_equal(lams, np.array(grid[c["alpha"]]["lambda"]))
            pred = np.array(c["fit_preval"])
            cvm, cvsd, fold_m = cv_formula(pred, y, foldid, c["type_measure"])
            checks["cv"].append((name, c, cvm, cvsd, pred, np.array(c["pred_exact"]), grid[c["alpha"]]))
            a = c["alpha"]
            runs.append({
                "id": f"cv-glmnet-a{a:g}-{c['type_measure']}", "source": "glmnet", "call": c["call"],
                "convention": "glmnet", "l1_ratio": float(a), "fit_intercept": True, "standardize": True,
                "type_measure": c["type_measure"], "measure_name": c["measure_name"],
                "lambda_min_ratio": grid[a]["lambda_min_ratio"],
                "lambdas": fls(lams), "cvm": fls(c["cvm"]), "cvsd": fls(c["cvsd"]),
                "cvup": fls(c["cvup"]), "cvlo": fls(c["cvlo"]), "nzero": [int(v) for v in c["nzero"]],
                "lambda_min": fl(c["lambda_min"]), "lambda_1se": fl(c["lambda_1se"]),
                "index_min": int(c["index_min"]) - 1, "index_1se": int(c["index_1se"]) - 1,
                "fold_measure": [fls(row) for row in fold_m],
            })
        desc = (ds["description"] + f" cv.glmnet with a fixed foldid ({NFOLDS} folds), "
                "standardize = TRUE, intercept = TRUE, lambda = glmnet's full-data default path for "
                "the same alpha (also in paths_" + name + ".json). index_min/index_1se are 0-based. "
                "fold_measure[k][l] = mean over the rows of fold k+1 of the measure ((y - pred)^2 or "
                "|y - pred|), computed by make_path_fixtures.py from cv.glmnet's fit.preval; "
                "cvm and cvsd are cv.glmnet's own output. See tools/reference/README.md for the "
                "formulas.")
        fx = header(name, ds, desc, generator(ds, glmnet_version, r_version))
        fx["nfolds"] = NFOLDS
        fx["foldid_seed"] = fseed
        fx["foldid_recipe"] = (f"numpy.random.default_rng({fseed}).permutation("
                               f"numpy.resize(numpy.arange(1, {NFOLDS + 1}), {n}))")
        fx["foldid"] = [int(v) for v in foldid]
        fx["fold_sizes"] = [int(np.sum(foldid == k)) for k in range(1, NFOLDS + 1)]
        fx["runs"] = runs
        path = os.path.join(OUT_DIR, f"cv_{name}.json")
        dump(path, fx)
        written.append(path)

    # ---- ridge LOO --------------------------------------------------------
    for name in RIDGE_SETS:
        ds = data[name]
        X, y = ds["X"], ds["y"]
        fits = []
        for std in (False, True):
            fitd, m, Xs, coef_err = ridgecv_fit(X, y, std)
            fits.append(fitd)
            checks["ridge"].append((name, fitd, coef_err))
            # Brute-force LOO at three alphas of the grid.
            for idx in sorted({0, fitd["best_index"], len(RIDGE_GRID) - 1}):
                a = fitd["alphas"][idx]
                sk = m.cv_values_[:, idx]
                per_fold = brute_loo(Xs, y, a, True)
                full = brute_loo(Xs, y, a, False)
                checks["loo"].append((name, fitd["id"], idx, a, sk, per_fold, full,
                                      shortcut_loo(Xs, y, a, True), shortcut_loo(Xs, y, a, False)))
        desc = (ds["description"] + " scikit-learn RidgeCV leave-one-out (store_cv_values=True), "
                "with an intercept, on X as given (standardize false) and on X scaled by its "
                "population column sds (standardize true; coefficients back-transformed). "
                "lambdas = alphas / n is the shrink-convention lambda (l1_ratio 0; D = sd when "
                "standardize). loo_mse = mean over samples of cv_values_ (sklearn); gcv = "
                "mean((y - yhat)^2) / (1 - hat_trace / n)^2 and hat_trace = 1 + sum_k s_k^2 / "
                "(s_k^2 + alpha) (s = singular values of the centred, possibly scaled X) are computed "
                "by make_path_fixtures.py; the hat matrix includes the intercept. best_index is "
                "0-based; alpha_, intercept and coefficients are sklearn's.")
        fx = header(name, ds, desc, generator(ds, glmnet_version, r_version))
        fx["fits"] = fits
        path = os.path.join(OUT_DIR, f"ridgecv_{name}.json")
        dump(path, fx)
        written.append(path)

    # Brute-force LOO on the 12 x 3 toy set too (cheap, exact).
    small = mf.ds_small(np.random.default_rng(mf.SEED + 5))
    for std in (False, True):
        fitd, m, Xs, _ = ridgecv_fit(small["X"], small["y"], std)
        for idx in sorted({0, fitd["best_index"], len(RIDGE_GRID) - 1}):
            a = fitd["alphas"][idx]
            checks["loo"].append(("small", fitd["id"], idx, a, m.cv_values_[:, idx],
                                  brute_loo(Xs, small["y"], a, True), brute_loo(Xs, small["y"], a, False),
                                  shortcut_loo(Xs, small["y"], a, True),
                                  shortcut_loo(Xs, small["y"], a, False)))

    self_check(data, checks)
    print("\nFiles written:")
    total = 0
    for path in written:
        size = os.path.getsize(path)
        total += size
        print(f"  {os.path.relpath(path, REPO)}: {size} bytes")
    print(f"  total {total} bytes")


def self_check(data, checks):
    print("=== Self-check ===")
    print("\n1. KKT along every path, in the mapped shrink problem "
          "(rel = max_j v_j / lambda_s; free = max_j v_j / (rms(x_j) rms(y)); icpt = |mean residual| / rms(y)).")
    print(f"  {'data':10s} {'path':18s} {'max rel':>9s} {'max free':>9s} {'icpt':>9s} {'|r2-own|':>9s} {'obj mono':>8s}")
    worst = {}
    for name, pth, out, own_r2 in checks["paths"]:
        X, y = data[name]["X"], data[name]["y"]
        rel = free = icpt = 0.0
        for k, lam_s in enumerate(out["shrink_lambdas"]):
            c = {"coefficients": out["coefficients"][k], "intercept": out["intercepts"][k],
                 "standardize": out["standardize"], "fit_intercept": True}
            kr, kf, ki = mf.kkt(c, X, y, lam_s, out["shrink_l1_ratio"])
            rel, free, icpt = max(rel, kr), max(free, kf), max(icpt, ki)
        dr2 = float(np.max(np.abs(np.array(out["r2"]) - own_r2)))
        mono = bool(np.all(np.diff(out["objectives"]) <= 0))
        print(f"  {name:10s} {out['id']:18s} {rel:9.2e} {free:9.2e} {icpt:9.2e} {dr2:9.2e} {str(mono):>8s}")
        w = worst.setdefault(pth["source"], [0.0, 0.0])
        w[0], w[1] = max(w[0], rel), max(w[1], free)
    for src, w in worst.items():
        print(f"  worst {src}: rel KKT {w[0]:.2e}, scale-free {w[1]:.2e}")

    print("\n2. glmnet default grid vs lambda_k = lambda_max * ratio^(k/(K-1)), "
          "lambda_max = max_j |xt_j'(y - ybar)| / (n alpha), xt_j = x_j - mean (divided by population sd "
          "when standardize).")
    gmax = 0.0
    for name, pth in checks["grid"]:
        X, y = data[name]["X"], data[name]["y"]
        n = len(y)
        Xc = X - X.mean(axis=0)
        if pth["standardize"]:
            Xc = Xc / mf.pop_sd(X)
        lmax = float(np.max(np.abs(Xc.T @ (y - y.mean()))) / (n * pth["l1_ratio"]))
        lams = pth["lambdas"]
        K = len(lams)
        ratio = pth["lambda_min_ratio"]
        formula = lmax * ratio ** (np.arange(K) / (K - 1))
        d0 = abs(lams[0] - lmax) / lmax
        dall = float(np.max(np.abs(lams - formula) / formula))
        gmax = max(gmax, dall)
        print(f"  {name:10s} {pth['id']:18s} K={K} ratio={ratio:g}  |lam_1 - lmax|/lmax = {d0:.2e}  "
              f"max_k rel diff = {dall:.2e}  (lam_K/lam_1 = {lams[-1] / lams[0]:.15g})")
    print(f"  max relative difference over all glmnet grids: {gmax:.2e}")

    print("\n3. cv.glmnet: cvm/cvsd recomputed from fit.preval with the README formulas, "
          "lambda.min/lambda.1se by the README rule.")
    for name, c, cvm, cvsd, pred, exact, g in checks["cv"]:
        rcvm, rcvsd = np.array(c["cvm"]), np.array(c["cvsd"])
        lams = np.array(c["lambda"])
        dm = float(np.max(np.abs(cvm - rcvm) / np.abs(rcvm)))
        ds_ = float(np.max(np.abs(cvsd - rcvsd) / np.abs(rcvsd)))
        i_min, i_1se = choose(lams, rcvm, rcvsd)
        j_min, j_1se = choose(lams, cvm, cvsd)
        ok = (i_min == c["index_min"] - 1 and i_1se == c["index_1se"] - 1 and
              lams[i_min] == c["lambda_min"] and lams[i_1se] == c["lambda_1se"] and
              (j_min, j_1se) == (i_min, i_1se))
        nz = np.array([int(np.count_nonzero(row)) for row in np.array(g["beta"])])
        nz_ok = bool(np.array_equal(nz, np.array(c["nzero"])))
        dpred = float(np.max(np.abs(pred - exact)))
        # cvm from the exact (non-interpolated) fold predictions
        cvm_x, cvsd_x, _ = cv_formula(exact, data[name]["y"], np.array(c["foldid"]), c["type_measure"])
        dmx = float(np.max(np.abs(cvm_x - rcvm) / rcvm))
        print(f"  {name:10s} a={c['alpha']:<3g} {c['type_measure']}: max rel |cvm| diff {dm:.1e}, "
              f"|cvsd| {ds_:.1e}; lambda.min idx {c['index_min'] - 1}, 1se idx {c['index_1se'] - 1} "
              f"reproduced: {ok}; nzero = nonzeros of the default path: {nz_ok}; "
              f"max |fit.preval - exact fold prediction| {dpred:.1e} (cvm from exact: {dmx:.1e}); "
              f"thresh {c['thresh']:g}")
        assert dm <= 1e-12 and ds_ <= 1e-12 and ok, "cv formulas do not reproduce cv.glmnet"

    print("\n4. RidgeCV: coef_ at alpha_ vs own SVD ridge (max |diff| / max |coef|); chosen alpha interior?")
    for name, fitd, err in checks["ridge"]:
        bi = fitd["best_index"]
        interior = 0 < bi < len(fitd["alphas"]) - 1
        print(f"  {name:10s} {fitd['id']:12s} alpha_ = {fitd['alpha_']:.6g} (lambda_ = {fitd['lambda_']:.6g}, "
              f"index {bi}, interior {interior}); coef err {err:.1e}; "
              f"argmin gcv index {int(np.argmin(fitd['gcv']))}")

    print("\n5. RidgeCV LOO (cv_values_) vs brute-force refits and closed forms, each as "
          "max_i |sk_i - v_i| / max_i v_i:")
    print("   (A) brute force, per-fold centring (intercept refitted on the n - 1 rows)")
    print("   (B) brute force, X and y centred once with full-data means, no intercept refit")
    print("   (C) ((y_i - yhat_i) / (1 - 1/n - h_ii))^2, full-data centring, intercept leverage 1/n included")
    print("   (D) ((y_i - yhat_i) / (1 - h_ii))^2, same without the 1/n")
    worst = [0.0, math.inf, 0.0, math.inf, 0.0, 0.0]
    for name, fid, idx, a, sk, pf, full, sc_c, sc_d in checks["loo"]:
        dv = [float(np.max(np.abs(sk - v)) / np.max(v)) for v in (pf, full, sc_c, sc_d)]
        dbd = float(np.max(np.abs(full - sc_d)) / np.max(full))
        worst = [max(worst[0], dv[0]), min(worst[1], dv[1]), max(worst[2], dv[2]), min(worst[3], dv[3]),
                 max(worst[4], dbd), max(worst[5], float(np.max(np.abs(pf - sc_c)) / np.max(pf)))]
        print(f"  {name:10s} {fid:12s} alpha[{idx:2d}] = {a:11.5g}: (A) {dv[0]:.1e}  (B) {dv[1]:.1e}  "
              f"(C) {dv[2]:.1e}  (D) {dv[3]:.1e};  LOO MSE (B)/sklearn - 1 = {full.mean() / sk.mean() - 1:+.2e}")
    print(f"  sklearn vs (A): worst {worst[0]:.1e}; vs (B): best {worst[1]:.1e}; vs (C): worst {worst[2]:.1e}; "
          f"vs (D): best {worst[3]:.1e}")
    print(f"  (A) vs (C): worst {worst[5]:.1e};  (B) vs (D): worst {worst[4]:.1e}")


if __name__ == "__main__":
    sys.exit(main())
