#!/usr/bin/python3
"""Generate the reference fixtures used by the Shrink C# tests.

Run from anywhere:

    /usr/bin/python3 tools/reference/make_fixtures.py

Needs Debian's python3-sklearn (scikit-learn, numpy, scipy) and r-cran-glmnet
(Rscript on PATH).  Writes tests/Shrink.Tests/Fixtures/<name>.json, one file per
data set, then prints a self-check report (optimality of every recorded case).

Canonical ("shrink") objective, which every case can be mapped to:

    1/(2n) ||y - b0 - X b||^2 + lam * ( r ||D b||_1 + (1 - r)/2 ||D b||^2 )

D = diag(population sd of each column, mean subtracted, 1/n) when
standardize = true (also without an intercept), identity otherwise.  b0 is
unpenalized and absent when fit_intercept = false.

Mappings to the shrink convention (checked below):
  sklearn Lasso/ElasticNet(alpha, l1_ratio): lam = alpha, r = l1_ratio,
      standardize = false.
  sklearn Ridge(alpha): objective ||y - Xb||^2 + alpha ||b||^2, so lam = alpha/n,
      r = 0, standardize = false.
  glmnet(alpha = a, lambda = L): glmnet scales y by sigma internally, so
      lam * r = L * a and lam * (1 - r) = L * (1 - a) / sigma
      (which sigma is used is tested in the self-check and printed).

No code in this file is taken from scikit-learn or glmnet.
"""

import csv
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "tests", "Shrink.Tests", "Fixtures")
R_SCRIPT = os.path.join(HERE, "glmnet_fixtures.R")
SCRIPT_REL = "tools/reference/make_fixtures.py"

# Base seed.  Data set k (in the order of DATASETS below) uses
# numpy.random.default_rng(SEED + k); that int is written as generator.seed.
SEED = 20240611

# Coordinate descent: (tol, max_iter) pairs tried in turn; the first one that
# converges (no ConvergenceWarning and n_iter_ < max_iter) is used and recorded
# in the case's "call".  Very tight tolerances sometimes never pass sklearn's
# duality-gap test (round-off), and near-duplicate columns make coordinate
# descent crawl, hence the ladder.
CD_LADDER = ((1e-16, 10**6), (1e-14, 10**6), (1e-12, 10**6),
             (1e-14, 10**8), (1e-12, 10**8))

LASSO_FACTORS = (0.5, 0.1, 0.01)        # times lambda_max
ENET_RATIOS = (0.5, 0.2)
SKL_RIDGE_FACTORS = (1.0, 0.01)         # times median_j ||x_j (centred)||^2
SHRINK_RIDGE_LAMBDAS = (1.0, 0.1, 0.01)  # on standardized columns


# --------------------------------------------------------------------------
# Data sets
# --------------------------------------------------------------------------

def names(p):
    return [f"x{j + 1}" for j in range(p)]


def ds_diabetes(rng):
    d = load_diabetes(scaled=False)
    return dict(
        description=("scikit-learn load_diabetes(scaled=False): the raw 442 x 10 "
                     "diabetes data (age, sex, bmi, bp, six serum measurements), "
                     "y = disease progression after one year."),
        X=np.asarray(d.data, dtype=float), y=np.asarray(d.target, dtype=float),
        feature_names=list(d.feature_names), ols_int=True, ols_noint=True)


def ds_wide(rng):
    n, p = 30, 60
    X = np.round(rng.standard_normal((n, p)), 4)
    beta = np.zeros(p)
    beta[[0, 7, 19, 33, 52]] = [3.0, -2.0, 1.5, -1.0, 2.5]
    y = np.round(X @ beta + 0.5 * rng.standard_normal(n), 4)
    return dict(
        description=("p > n: 30 x 60 iid N(0,1) features (rounded to 4 decimals); "
                     "y = 3 x1 - 2 x8 + 1.5 x20 - x34 + 2.5 x53 + N(0, 0.5^2) noise "
                     "(rounded to 4 decimals). No OLS cases (not identifiable)."),
        X=X, y=y, feature_names=names(p), ols_int=False, ols_noint=False)


def ds_collinear(rng):
    n = 100
    # Values on a 1/1024 grid so that x3 = 2 x1 + x2 holds exactly in binary.
    z = np.round(rng.standard_normal((n, 6)) * 1024.0) / 1024.0
    x1, x2, x4, x6, x7, x8 = (z[:, k] for k in range(6))
    x3 = 2.0 * x1 + x2
    x5 = x4 + np.round(1e-3 * rng.standard_normal(n) * 2.0**20) / 2.0**20
    X = np.column_stack([x1, x2, x3, x4, x5, x6, x7, x8])
    y = np.round(1.0 + 2.0 * x1 + x2 - x4 + 0.5 * x6 + 0.5 * rng.standard_normal(n), 4)
    return dict(
        description=("100 x 8 with exact and near collinearity: x1,x2,x4,x6,x7,x8 iid "
                     "N(0,1) on a 1/1024 grid; x3 = 2 x1 + x2 exactly (exact in binary); "
                     "x5 = x4 + 1e-3 N(0,1) (on a 2^-20 grid). "
                     "y = 1 + 2 x1 + x2 - x4 + 0.5 x6 + N(0, 0.5^2) (4 decimals). "
                     "No OLS cases (not identifiable)."),
        X=X, y=y, feature_names=names(8), ols_int=False, ols_noint=False)


def ds_constant(rng):
    n = 60
    X = np.round(rng.standard_normal((n, 6)) * [1.0, 2.0, 0.5, 1.0, 3.0, 1.0]
                 + [0.0, 1.0, -1.0, 0.0, 2.0, 5.0], 4)
    X[:, 3] = 3.0
    y = np.round(10.0 + 1.5 * X[:, 0] - 0.8 * X[:, 1] + 2.0 * X[:, 2] + 0.3 * X[:, 4]
                 + 0.7 * rng.standard_normal(n), 4)
    return dict(
        description=("60 x 6 with a constant column: x4 = 3.0 in every row; the others "
                     "N(mean, sd) with means (0,1,-1,.,2,5), sds (1,2,0.5,.,3,1), 4 decimals. "
                     "y = 10 + 1.5 x1 - 0.8 x2 + 2 x3 + 0.3 x5 + N(0, 0.7^2). "
                     "The constant column is dropped (coefficient 0) whenever an intercept "
                     "is fitted or standardize=true. OLS only with intercept (x4 coef 0). "
                     "Omitted on purpose: shrink/standardize=true cases without intercept "
                     "(D_44 = 0 leaves x4 unpenalized there, which contradicts 'drop "
                     "constant columns'), and glmnet cases without intercept (glmnet always "
                     "excludes constant columns, so its answer is not the optimum of the "
                     "objective when x4 acts as a real feature)."),
        X=X, y=y, feature_names=names(6), ols_int=True, ols_noint=False,
        skip_shrink_noint=True, skip_glmnet_noint=True)


def ds_scales(rng):
    n = 200
    scales = np.array([1e-3, 1e-1, 1.0, 1e1, 1e3, 1e4])
    means = np.array([0.02, -3.0, 5.0, 40.0, -2500.0, 3e4])
    decimals = [9, 7, 6, 5, 3, 2]
    mix = np.eye(6) + 0.3 * np.eye(6, k=1)        # mild correlation between neighbours
    Z = rng.standard_normal((n, 6)) @ mix
    X = np.column_stack([np.round(means[j] + scales[j] * Z[:, j], decimals[j]) for j in range(6)])
    w = np.array([20.0, -15.0, 25.0, 0.0, 18.0, -10.0])
    y = np.round(100.0 + Z @ w + 15.0 * rng.standard_normal(n), 4)
    return dict(
        description=("200 x 6 with column scales 1e-3, 1e-1, 1, 1e1, 1e3, 1e4 and non-zero "
                     "means (0.02, -3, 5, 40, -2500, 3e4); neighbouring columns mildly "
                     "correlated (z @ (I + 0.3 superdiag)). y has mean ~100 and sd ~50 "
                     "(sd(y) != 1 matters for glmnet); x4 has no true effect."),
        X=X, y=y, feature_names=names(6), ols_int=True, ols_noint=True)


def ds_small(rng):
    x1 = np.arange(1.0, 13.0)
    x2 = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8], dtype=float)
    x3 = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5], dtype=float)
    noise = np.round(rng.standard_normal(12), 1)
    y = 1.0 + 0.5 * x1 - 0.3 * x2 + 0.2 * x3 + 0.1 * noise
    y = np.round(y, 2)
    X = np.column_stack([x1, x2, x3])
    return dict(
        description=("12 x 3 toy: x1 = 1..12, x2 = digits of pi, x3 = digits of e; "
                     "y = 1 + 0.5 x1 - 0.3 x2 + 0.2 x3 + small noise, 2 decimals."),
        X=X, y=y, feature_names=names(3), ols_int=True, ols_noint=True)


DATASETS = [
    ("diabetes", ds_diabetes),
    ("wide", ds_wide),
    ("collinear", ds_collinear),
    ("constant", ds_constant),
    ("scales", ds_scales),
    ("small", ds_small),
]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def pop_sd(X):
    """Population sd (1/n) of each column, mean subtracted."""
    Xc = X - X.mean(axis=0)
    return np.sqrt((Xc * Xc).mean(axis=0))


def constant_cols(X):
    return np.all(X == X[0:1, :], axis=0)


def lam_max(X, y, fit_intercept, r):
    """Smallest lam giving b = 0 for 1/(2n)||y - b0 - Xb||^2 + lam r ||b||_1."""
    if fit_intercept:
        Xw = X - X.mean(axis=0)
        yw = y - y.mean()
    else:
        Xw, yw = X, y
    return float(np.max(np.abs(Xw.T @ yw)) / (len(y) * r))


def fit_cd(cls, X, y, alpha, fit_intercept, **kw):
    """Coordinate descent with the tightest tolerance that converges.

    Returns (model, tol, max_iter)."""
    for tol, max_iter in CD_LADDER:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                m = cls(alpha=alpha, fit_intercept=fit_intercept, tol=tol,
                        max_iter=max_iter, **kw).fit(X, y)
            except ConvergenceWarning:
                continue
        if m.n_iter_ < max_iter:
            return m, tol, max_iter
    raise RuntimeError(f"{cls.__name__}(alpha={alpha}) did not converge")


def fit_plain(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit(X, y)


def tf(b):
    return "True" if b else "False"


def case(id_, source, call, convention, penalty, lam, r, fi, std, b0, coef):
    return {
        "id": id_, "source": source, "call": call, "convention": convention,
        "penalty": penalty, "lambda": float(lam), "l1_ratio": float(r),
        "fit_intercept": bool(fi), "standardize": bool(std),
        "intercept": float(b0) + 0.0 if fi else 0.0,
        "coefficients": [float(v) + 0.0 for v in coef],   # + 0.0 turns -0.0 into 0.0
    }


def penalty_name(r):
    return "lasso" if r == 1 else ("ridge" if r == 0 else "elasticnet")


# --------------------------------------------------------------------------
# sklearn cases
# --------------------------------------------------------------------------

def sklearn_cases(ds):
    X, y = ds["X"], ds["y"]
    n, p = X.shape
    out = []
    for fi in (True, False):
        it = "int" if fi else "noint"

        # (a) sklearn convention, raw columns.
        for r in (1.0,) + ENET_RATIOS:
            lmax = lam_max(X, y, fi, r)
            for f in LASSO_FACTORS:
                alpha = f * lmax
                if r == 1.0:
                    m, tol, mi = fit_cd(Lasso, X, y, alpha, fi)
                    call = (f"Lasso(alpha={alpha!r}, fit_intercept={tf(fi)}, tol={tol!r}, "
                            f"max_iter={mi})")
                    cid = f"sklearn-lasso-{it}-raw-{f}"
                else:
                    m, tol, mi = fit_cd(ElasticNet, X, y, alpha, fi, l1_ratio=r)
                    call = (f"ElasticNet(alpha={alpha!r}, l1_ratio={r!r}, fit_intercept={tf(fi)}, "
                            f"tol={tol!r}, max_iter={mi})")
                    cid = f"sklearn-enet{r}-{it}-raw-{f}"
                out.append(case(cid, "sklearn", call + f"  # alpha = {f} * lambda_max", "sklearn",
                                penalty_name(r), alpha, r, fi, False, m.intercept_, m.coef_))
        Xw = X - X.mean(axis=0) if fi else X
        scale = float(np.median((Xw * Xw).sum(axis=0)))
        for f in SKL_RIDGE_FACTORS:
            alpha = f * scale
            m = fit_plain(Ridge(alpha=alpha, fit_intercept=fi, solver="cholesky"), X, y)
            call = (f"Ridge(alpha={alpha!r}, fit_intercept={tf(fi)}, solver='cholesky')"
                    f"  # alpha = {f} * median_j ||x_j{' - mean' if fi else ''}||^2; "
                    f"objective ||y-Xb||^2 + alpha||b||^2, i.e. shrink lambda = alpha/n")
            out.append(case(f"sklearn-ridge-{it}-raw-{f}", "sklearn", call, "sklearn", "ridge",
                            alpha, 0.0, fi, False, m.intercept_, m.coef_))
        if (fi and ds.get("ols_int")) or (not fi and ds.get("ols_noint")):
            m = fit_plain(LinearRegression(fit_intercept=fi), X, y)
            coef = m.coef_.copy()
            call = f"LinearRegression(fit_intercept={tf(fi)})"
            const = constant_cols(X)
            if fi and const.any():
                # A constant column is aliased with the intercept; lstsq's minimum-norm
                # answer is 0 up to round-off.  Record the exact 0 of the convention.
                assert np.all(np.abs(coef[const]) < 1e-12 * np.abs(coef).max())
                call += (f"  # coef of constant column(s) "
                         f"{[ds['feature_names'][j] for j in np.flatnonzero(const)]} "
                         f"was {[float(v) for v in coef[const]]} (round-off), recorded as 0")
                coef[const] = 0.0
            out.append(case(f"sklearn-ols-{it}", "sklearn", call, "sklearn", "ols",
                            0.0, 0.0, fi, False, m.intercept_, coef))

        # (b) shrink convention, standardize = true, emulated by column scaling.
        if not fi and ds.get("skip_shrink_noint"):
            continue
        sd = pop_sd(X)
        keep = ~constant_cols(X)
        Xs = X[:, keep] / sd[keep]
        note = ("on X[:, j] / sd_j (population sd, mean subtracted; constant columns "
                "dropped, coef 0); coef_j = coef_[j] / sd_j")

        def back(beta):
            c = np.zeros(p)
            c[keep] = beta / sd[keep]
            return c

        for r in (1.0,) + ENET_RATIOS:
            lmax = lam_max(Xs, y, fi, r)
            for f in LASSO_FACTORS:
                lam = f * lmax
                if r == 1.0:
                    m, tol, mi = fit_cd(Lasso, Xs, y, lam, fi)
                    call = (f"Lasso(alpha={lam!r}, fit_intercept={tf(fi)}, tol={tol!r}, "
                            f"max_iter={mi}) {note}")
                    cid = f"shrink-lasso-{it}-std-{f}"
                else:
                    m, tol, mi = fit_cd(ElasticNet, Xs, y, lam, fi, l1_ratio=r)
                    call = (f"ElasticNet(alpha={lam!r}, l1_ratio={r!r}, fit_intercept={tf(fi)}, "
                            f"tol={tol!r}, max_iter={mi}) {note}")
                    cid = f"shrink-enet{r}-{it}-std-{f}"
                out.append(case(cid, "sklearn", call + f"  # lambda = {f} * lambda_max", "shrink",
                                penalty_name(r), lam, r, fi, True, m.intercept_, back(m.coef_)))
        for lam in SHRINK_RIDGE_LAMBDAS:
            alpha = n * lam
            m = fit_plain(Ridge(alpha=alpha, fit_intercept=fi, solver="cholesky"), Xs, y)
            call = f"Ridge(alpha={alpha!r} (= n * lambda), fit_intercept={tf(fi)}, solver='cholesky') {note}"
            out.append(case(f"shrink-ridge-{it}-std-{lam}", "sklearn", call, "shrink", "ridge",
                            lam, 0.0, fi, True, m.intercept_, back(m.coef_)))
    return out


# --------------------------------------------------------------------------
# glmnet cases
# --------------------------------------------------------------------------

def run_glmnet(ds, tmpdir, name):
    X, y = ds["X"], ds["y"]
    csv_path = os.path.join(tmpdir, f"{name}.csv")
    out_path = os.path.join(tmpdir, f"{name}.glmnet.json")
    with open(csv_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names(X.shape[1]) + ["y"])
        for i in range(X.shape[0]):
            w.writerow([repr(float(v)) for v in X[i]] + [repr(float(y[i]))])
    subprocess.run(["Rscript", R_SCRIPT, csv_path, out_path], check=True)
    with open(out_path) as fh:
        res = json.load(fh)
    # R must have parsed exactly the same doubles.
    if not (np.array_equal(np.array(res["x"]), X) and np.array_equal(np.array(res["y"]), y)):
        raise RuntimeError(f"{name}: R did not read the CSV exactly")
    cases = []
    for g in res["cases"]:
        a, std, fi = g["alpha"], g["standardize"], g["intercept"]
        if not fi and ds.get("skip_glmnet_noint"):
            continue
        it = "int" if fi else "noint"
        sr = "std" if std else "raw"
        cases.append(case(f"glmnet-a{a:g}-{it}-{sr}-{g['factor']:g}", "glmnet",
                          g["call"] + f"; this case is lambda[{g['index']}] (R, 1-based)",
                          "glmnet", penalty_name(a), g["lambda"], a, fi, std, g["a0"], g["beta"]))
    return cases, res["R"], res["glmnet"]


# --------------------------------------------------------------------------
# Self-checks
# --------------------------------------------------------------------------

def d_vector(X, standardize, mode="centred"):
    if not standardize:
        return np.ones(X.shape[1])
    if mode == "centred":
        return pop_sd(X)
    return np.sqrt((X * X).mean(axis=0))        # uncentred root mean square


def y_sigma(y, fit_intercept, mode):
    n = len(y)
    if mode == "pop":
        return float(np.sqrt(((y - y.mean()) ** 2).mean()))
    if mode == "sample":
        return float(np.sqrt(((y - y.mean()) ** 2).sum() / (n - 1)))
    if mode == "rms":
        return float(np.sqrt((y * y).mean()))
    raise ValueError(mode)


def to_shrink(c, X, y, sigma_mode="pop"):
    """(lam_s, r_s) of a case in the shrink convention."""
    n = len(y)
    conv, lam, r = c["convention"], c["lambda"], c["l1_ratio"]
    if conv == "shrink":
        return lam, r
    if conv == "sklearn":
        if c["penalty"] == "ridge":
            return lam / n, 0.0
        return lam, r
    if conv == "glmnet":
        sig = y_sigma(y, c["fit_intercept"], sigma_mode)
        l1 = lam * r
        l2 = lam * (1.0 - r) / sig
        tot = l1 + l2
        return tot, (l1 / tot if tot > 0 else 0.0)
    raise ValueError(conv)


def kkt(c, X, y, lam, r, d_mode="centred"):
    """KKT violations of the shrink problem at the case's solution.

    Returns (max_j v_j / lam, max_j v_j / (rms(x_j) rms(y)), |mean residual| / rms(y))
    where v_j is the violation of coordinate j's stationarity/subgradient condition.
    For OLS (lam = 0) the first number is replaced by the scale-free one.
    """
    n = len(y)
    b = np.array(c["coefficients"])
    b0 = c["intercept"]
    d = d_vector(X, c["standardize"], d_mode)
    res = y - b0 - X @ b
    g = X.T @ res / n                       # minus the gradient of the loss
    l1 = lam * r * d
    l2 = lam * (1.0 - r) * d * d
    v = np.where(b != 0.0,
                 np.abs(g - l2 * b - l1 * np.sign(b)),
                 np.maximum(0.0, np.abs(g) - l1))
    sx = np.sqrt((X * X).mean(axis=0))
    sx[sx == 0] = 1.0
    sy = float(np.sqrt((y * y).mean()))
    free = float(np.max(v / sx) / sy)
    rel = float(np.max(v) / lam) if lam > 0 else free
    icpt = abs(float(res.mean())) / sy if c["fit_intercept"] else 0.0
    return rel, free, icpt


def exact_solution(c, X, y, lam, r, d_mode="centred"):
    """Solve the shrink problem exactly on the case's own active set and signs.

    With A = {j : b_j != 0} and s = sign(b_A) the optimality conditions are linear:
        (X_A' X_A / n + lam (1 - r) D_A^2) b_A = X_A' y / n - lam r D_A s
    (X, y centred when there is an intercept).  Returns (b0, b, consistent, rank_ok)
    where consistent says the exact b_A has the assumed signs and rank_ok that X_A
    has full column rank (otherwise a lasso solution need not be unique).
    """
    n, p = X.shape
    b = np.array(c["coefficients"])
    A = np.flatnonzero(b != 0.0)
    d = d_vector(X, c["standardize"], d_mode)
    if c["fit_intercept"]:
        xm, ym = X.mean(axis=0), y.mean()
    else:
        xm, ym = np.zeros(p), 0.0
    XA = X[:, A] - xm[A]
    yc = y - ym
    s = np.sign(b[A])
    sc = np.sqrt((XA * XA).mean(axis=0))          # column equilibration
    sc[sc == 0] = 1.0
    Z = XA / sc
    M = Z.T @ Z / n + np.diag(lam * (1 - r) * (d[A] / sc) ** 2)
    rhs = Z.T @ yc / n - lam * r * d[A] * s / sc
    u = np.linalg.solve(M, rhs) if len(A) else np.zeros(0)
    bx = np.zeros(p)
    bx[A] = u / sc
    b0 = ym - xm @ bx if c["fit_intercept"] else 0.0
    consistent = bool(np.all(np.sign(bx[A]) == s)) if r > 0 else True
    rank_ok = bool(np.linalg.matrix_rank(Z) == len(A)) if len(A) else True
    return b0, bx, consistent, rank_ok


def accuracy(c, X, y, lam, r, d_mode="centred"):
    """Distance of the recorded solution from the exact active-set solution.

    Returns (scale-free error max_j |db_j| sd(x_j) / sd(y) incl. |db0| / sd(y),
             max_j |db_j| / |b_j| over non-zero b_j, consistent, rank_ok)."""
    b0x, bx, consistent, rank_ok = exact_solution(c, X, y, lam, r, d_mode)
    b = np.array(c["coefficients"])
    sy = float(np.std(y))
    sx = pop_sd(X)
    free = float(np.max(np.abs(b - bx) * sx) / sy)
    free = max(free, abs(c["intercept"] - b0x) / sy)
    nz = b != 0
    rel = float(np.max(np.abs(b[nz] - bx[nz]) / np.abs(bx[nz]))) if nz.any() else 0.0
    return free, rel, consistent, rank_ok


def lasso_nonunique(c, X, y, lam, r):
    """True when a lasso (r = 1) solution is not unique.

    E = equicorrelation set {j : |x_j'res/n| >= lam d_j (1 - 1e-6)} (columns that are
    identically zero after centring excluded).  If X_E (centred when there is an
    intercept) is rank deficient, the solution set is a segment or more: moving along
    a null vector of X_E changes neither the fit nor the l1 norm.
    """
    if r < 1:
        return False
    b = np.array(c["coefficients"])
    d = d_vector(X, c["standardize"])
    Xw = X - X.mean(axis=0) if c["fit_intercept"] else X
    res = y - c["intercept"] - X @ b
    g = Xw.T @ res / len(y)
    live = np.any(Xw != 0.0, axis=0)
    E = np.flatnonzero(live & ((b != 0) | (np.abs(g) >= lam * d * (1 - 1e-6))))
    if len(E) == 0:
        return False
    Z = Xw[:, E] / np.sqrt((Xw[:, E] ** 2).mean(axis=0))
    return bool(np.linalg.matrix_rank(Z) < len(E))


def objective(X, y, b0, b, lam, r, d):
    res = y - b0 - X @ b
    db = d * b
    return float(res @ res / (2 * len(y)) + lam * (r * np.abs(db).sum() + (1 - r) / 2 * db @ db))


def perturbation_check(c, X, y, scaled):
    """Perturb each non-zero coefficient (and the intercept) by +-delta.

    scaled=False: delta = 1e-6 for every coordinate (as literally specified).
    scaled=True:  delta_j = 1e-6 sd(y) / sd(x_j) (intercept: 1e-6 sd(y)), i.e. a
                  move that changes the fit by 1e-6 of sd(y); with badly scaled
                  columns a fixed 1e-6 gives changes below float64 round-off.
    Returns (perturbations, lowered in a direct float64 evaluation of the
    objective, lowered by the exact expansion
    dF = -delta x_j'res/n + delta^2 ||x_j||^2/(2n) + penalty change,
    min dF / curvature term, max lowering / F in the direct evaluation).
    """
    lam, r = c["lambda"], c["l1_ratio"]
    n = len(y)
    b = np.array(c["coefficients"])
    b0 = c["intercept"]
    d = d_vector(X, True)
    sy = float(np.std(y))
    sx = pop_sd(X)
    f0 = objective(X, y, b0, b, lam, r, d)
    res = y - b0 - X @ b
    count = direct_low = exact_low = 0
    worst = math.inf
    worst_drop = 0.0
    coords = [j for j in range(len(b)) if b[j] != 0.0]
    if c["fit_intercept"]:
        coords.append(-1)
    for j in coords:
        xj = np.ones(n) if j < 0 else X[:, j]
        base = 1e-6 * ((sy if j < 0 else sy / sx[j]) if scaled else 1.0)
        for s in (1.0, -1.0):
            dl = s * base
            count += 1
            if j < 0:
                f1 = objective(X, y, b0 + dl, b, lam, r, d)
                pen = 0.0
            else:
                b1 = b.copy()
                b1[j] += dl
                f1 = objective(X, y, b0, b1, lam, r, d)
                pen = lam * (r * d[j] * (abs(b[j] + dl) - abs(b[j]))
                             + (1 - r) / 2 * d[j] ** 2 * ((b[j] + dl) ** 2 - b[j] ** 2))
            if f1 < f0:
                direct_low += 1
                worst_drop = max(worst_drop, (f0 - f1) / f0)
            curv = dl * dl * (xj @ xj) / (2 * n)
            dF = -dl * (xj @ res) / n + curv + pen
            if dF < 0:
                exact_low += 1
            worst = min(worst, dF / curv)
    return count, direct_low, exact_low, worst, worst_drop


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def dump_fixture(path, fx):
    def j(v):
        return json.dumps(v, allow_nan=False)

    lines = ["{"]
    keys = list(fx.keys())
    for k, key in enumerate(keys):
        sep = "," if k < len(keys) - 1 else ""
        v = fx[key]
        if key == "x":
            rows = ",\n    ".join(j(row) for row in v)
            lines.append(f'  "x": [\n    {rows}\n  ]{sep}')
        elif key == "cases":
            items = ",\n    ".join(j(cs) for cs in v)
            lines.append(f'  "cases": [\n    {items}\n  ]{sep}')
        else:
            lines.append(f"  {j(key)}: {j(v)}{sep}")
    lines.append("}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    json.load(open(path))   # sanity: it parses


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    report = []
    sizes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, make) in enumerate(DATASETS):
            seed = SEED + k
            ds = make(np.random.default_rng(seed))
            X, y = ds["X"], ds["y"]
            n, p = X.shape
            assert n <= 500 and p <= 80
            cases = sklearn_cases(ds)
            gcases, r_version, glmnet_version = run_glmnet(ds, tmp, name)
            cases += gcases
            dropped = []
            for c in cases:
                sig = glmnet_sigma_mode(c) if c["source"] == "glmnet" else "pop"
                lam, r = to_shrink(c, X, y, sig)
                if lasso_nonunique(c, X, y, lam, r):
                    dropped.append(c["id"])
            cases = [c for c in cases if c["id"] not in dropped]
            description = ds["description"]
            if dropped:
                description += (" Lasso cases dropped because their solution is not unique "
                                "(rank-deficient equicorrelation set): " + ", ".join(dropped) + ".")
                print(f"{name}: dropped non-unique lasso cases {dropped}")
            ids = [c["id"] for c in cases]
            assert len(ids) == len(set(ids)), "duplicate case id"
            fx = {
                "name": name,
                "description": description,
                "generator": {"script": SCRIPT_REL, "seed": seed,
                              "sklearn": sklearn.__version__, "glmnet": glmnet_version,
                              "numpy": np.__version__, "R": r_version},
                "n": n, "p": p,
                "feature_names": ds["feature_names"],
                "x": [[float(v) for v in row] for row in X],
                "y": [float(v) for v in y],
                "cases": cases,
            }
            path = os.path.join(OUT_DIR, f"{name}.json")
            dump_fixture(path, fx)
            sizes[name] = (len(cases), os.path.getsize(path))
            report.append((name, ds, cases))
            print(f"wrote {os.path.relpath(path, REPO)}: {len(cases)} cases, "
                  f"{os.path.getsize(path)} bytes", flush=True)

    self_check(report)
    total = sum(s for _, s in sizes.values())
    print(f"\nTotal: {sum(c for c, _ in sizes.values())} cases, {total} bytes in {len(sizes)} files")


def self_check(report):
    print("\n=== Self-check ===")
    print("Every case is mapped to the shrink problem (lambda_s, r_s, D) and checked:")
    print("  kkt  = max_j v_j / lambda_s, v_j = violation of coordinate j's optimality condition")
    print("         (for OLS, lambda = 0: max_j |x_j'res/n| / (rms(x_j) rms(y)) instead)")
    print("  kktf = max_j v_j / (rms(x_j) rms(y))   (scale-free)")
    print("  icpt = |mean residual| / rms(y)")
    print("  err  = distance to the exact solution on the case's active set/signs:")
    print("         max_j |db_j| sd(x_j) / sd(y) (and |db0| / sd(y));  errr = max_j |db_j / b_j|")
    print("  flags: S = exact active-set solution has other signs, R = X_A rank deficient")
    print("glmnet cases use sigma = " + GLMNET_SIGMA_DOC + " (see the sigma table below).")
    print(f"  {'data':9s} {'case':34s} {'kkt':>9s} {'kktf':>9s} {'icpt':>9s} {'err':>9s} {'errr':>9s}")
    pert = {False: [0, 0, 0, math.inf, 0.0], True: [0, 0, 0, math.inf, 0.0]}
    worst = {}
    glm_rows = []
    for name, ds, cases in report:
        X, y = ds["X"], ds["y"]
        for c in cases:
            sig = glmnet_sigma_mode(c) if c["source"] == "glmnet" else "pop"
            lam, r = to_shrink(c, X, y, sig)
            k_rel, k_free, icpt = kkt(c, X, y, lam, r)
            e_free, e_rel, consistent, rank_ok = accuracy(c, X, y, lam, r)
            flags = ("" if consistent else "S") + ("" if rank_ok or r < 1 else "R")
            print(f"  {name:9s} {c['id']:34s} {k_rel:9.2e} {k_free:9.2e} {icpt:9.2e} "
                  f"{e_free:9.2e} {e_rel:9.2e} {flags}")
            key = (c["source"], c["convention"])
            w = worst.setdefault(key, [0.0, "", 0.0, "", 0.0, "", 0.0, "", 0, 0])
            for slot, val in ((0, k_rel), (2, k_free), (4, e_free), (6, e_rel)):
                if val > w[slot]:
                    w[slot], w[slot + 1] = val, f"{name}/{c['id']}"
            w[8] += 1
            w[9] += 1 if flags else 0
            if c["source"] == "sklearn" and c["convention"] == "shrink":
                for scaled in (False, True):
                    res = perturbation_check(c, X, y, scaled)
                    pt = pert[scaled]
                    for i in range(3):
                        pt[i] += res[i]
                    pt[3] = min(pt[3], res[3])
                    pt[4] = max(pt[4], res[4])
            if c["source"] == "glmnet":
                row = {"name": name, "id": c["id"], "alpha": c["l1_ratio"],
                       "fi": c["fit_intercept"], "std": c["standardize"]}
                for sm in ("pop", "rms", "sample"):
                    lam2, r2 = to_shrink(c, X, y, sm)
                    row[sm] = kkt(c, X, y, lam2, r2)[0]
                if c["standardize"] and not c["fit_intercept"]:
                    lam2, r2 = to_shrink(c, X, y, glmnet_sigma_mode(c))
                    row["Drms"] = kkt(c, X, y, lam2, r2, d_mode="rms")[0]
                glm_rows.append(row)

    print("\nWorst per group:")
    for (src, conv), w in sorted(worst.items()):
        print(f"  {src}/{conv} ({w[8]} cases, {w[9]} flagged):")
        print(f"     kkt  {w[0]:.2e} at {w[1]}\n     kktf {w[2]:.2e} at {w[3]}")
        print(f"     err  {w[4]:.2e} at {w[5]}\n     errr {w[6]:.2e} at {w[7]}")
    print("\nPerturbation test (shrink-convention sklearn cases): each non-zero coefficient and "
          "the intercept moved by +-delta; 'lowered' = objective below the recorded one.")
    for scaled, label in ((False, "delta = 1e-6"), (True, "delta_j = 1e-6 sd(y)/sd(x_j)")):
        pt = pert[scaled]
        print(f"  {label}: {pt[0]} perturbations; lowered: {pt[1]} in a direct float64 "
              f"evaluation (largest drop {pt[4]:.1e} of the objective), {pt[2]} by the exact "
              f"expansion; min change/curvature term = {pt[3]:.6g} (1 = exactly optimal)")
    print("\nCross-check: sklearn and glmnet cases that map to the same shrink problem "
          "(same standardize/intercept, r_s and lambda_s equal to 1e-9 relative):")
    for name, ds, cases in report:
        X, y = ds["X"], ds["y"]
        mapped = []
        for c in cases:
            sig = glmnet_sigma_mode(c) if c["source"] == "glmnet" else "pop"
            mapped.append((c, *to_shrink(c, X, y, sig)))
        sx, sy = pop_sd(X), float(np.std(y))
        for c1, l1, r1 in mapped:
            if c1["source"] != "sklearn":
                continue
            for c2, l2, r2 in mapped:
                if (c2["source"] == "glmnet" and c1["standardize"] == c2["standardize"]
                        and c1["fit_intercept"] == c2["fit_intercept"] and abs(r1 - r2) < 1e-9
                        and abs(l1 - l2) <= 1e-9 * l1):
                    diff = max(float(np.max(np.abs(np.array(c1["coefficients"])
                                                    - np.array(c2["coefficients"])) * sx)) / sy,
                               abs(c1["intercept"] - c2["intercept"]) / sy)
                    print(f"  {name:9s} {c1['id']:30s} vs {c2['id']:26s} max |db_j| sd(x_j)/sd(y) = {diff:.2e}")

    print("\nglmnet sigma table: rel KKT (max_j v_j / lambda_s) of the mapped problem "
          "lambda_s r_s = L a, lambda_s (1 - r_s) = L (1 - a) / sigma, for")
    print("  pop = sqrt(mean((y - ybar)^2)), rms = sqrt(mean(y^2)), sample = sd with n - 1.")
    print(f"  {'data':9s} {'case':28s} {'pop':>9s} {'rms':>9s} {'sample':>9s}")
    for row in glm_rows:
        extra = f"   [D = uncentred rms of x: {row['Drms']:.2e}]" if "Drms" in row else ""
        print(f"  {row['name']:9s} {row['id']:28s} {row['pop']:9.2e} {row['rms']:9.2e} "
              f"{row['sample']:9.2e}{extra}")
    print("\n  Summary, max rel KKT over glmnet cases with alpha < 1 (where sigma matters):")
    for fi in (True, False):
        for std in (True, False):
            sel = [r for r in glm_rows if r["fi"] == fi and r["std"] == std and r["alpha"] < 1]
            if sel:
                s = "  ".join(f"{sm}={max(r[sm] for r in sel):.2e}" for sm in ("pop", "rms", "sample"))
                print(f"    intercept={tf(fi):5s} standardize={tf(std):5s}: {s}")
    sel = [r for r in glm_rows if r["std"] and not r["fi"]]
    if sel:
        print(f"    standardize=True intercept=False with D = uncentred rms instead of centred sd: "
              f"max rel KKT {max(r['Drms'] for r in sel):.2e}")


# sigma that glmnet divides y by (found with the table printed by self_check).
GLMNET_SIGMA_DOC = "pop when intercept=true, rms when intercept=false"


def glmnet_sigma_mode(c):
    return "pop" if c["fit_intercept"] else "rms"


if __name__ == "__main__":
    sys.exit(main())
