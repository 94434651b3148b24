#!/usr/bin/python3
"""Generate the "controls" reference fixtures (issue #6) for the Shrink C# tests.

Run from anywhere:

    /usr/bin/python3 tools/reference/make_control_fixtures.py

Needs Debian's python3-sklearn and r-cran-glmnet (Rscript on PATH). Writes
tests/Shrink.Tests/ControlFixtures/<name>.json, one file per data set, then
prints a self-check report that establishes glmnet's conventions for
observation weights, offsets, penalty factors, exclude, coefficient limits,
dfmax/pmax and the relaxed lasso (see tools/reference/README.md, "Controls").

The glmnet runs are designed here and written as R calls into a spec file;
glmnet_control_fixtures.R evaluates each call string exactly as recorded and
writes the results by hand as JSON. scikit-learn runs in-process.

The objective every glmnet case is checked against (found by the self-check):

    1/2 sum_i v_i (y_i - o_i - b0 - x_i'b)^2
        + lambda sum_j f_j ( a d_j |b_j| + (1 - a)/(2 s) d_j^2 b_j^2 ),
    l_j <= b_j <= u_j,

v_i = w_i / sum(w) (weights normalised to sum to 1), f_j = the penalty factors
rescaled to sum to p, d_j = weighted population sd of column j (1 without
standardize), s = weighted sd of y - o (weighted rms without intercept).

No code in this file is taken from scikit-learn or glmnet.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "tests", "Shrink.Tests", "ControlFixtures")
R_SCRIPT = os.path.join(HERE, "glmnet_control_fixtures.R")
R_PROBES = os.path.join(HERE, "glmnet_control_probes.R")
SCRIPT_REL = "tools/reference/make_control_fixtures.py"
R_SCRIPT_REL = "tools/reference/glmnet_control_fixtures.R"

# Data set k (order of DATASETS) uses numpy.random.default_rng(SEED + k).
SEED = 20241106
GAMMAS = [0.0, 0.25, 0.5, 1.0]
NFOLDS = 5
PATH_NLAMBDA = 20
PATH_LMR = 0.01
MNLAM = 5            # glmnet.control()$mnlam: no dfmax stop before the 5th lambda
CD_LADDER = ((1e-16, 10**6), (1e-14, 10**6), (1e-12, 10**6), (1e-12, 10**8))


# --------------------------------------------------------------------------
# Data sets and controls
# --------------------------------------------------------------------------

def ds_diabetes(rng):
    d = load_diabetes(scaled=False)
    return dict(
        description=("The first 150 rows of scikit-learn load_diabetes(scaled=False) (raw "
                     "diabetes data: age, sex, bmi, bp, six serum measurements; y = disease "
                     "progression)."),
        X=np.asarray(d.data[:150], dtype=float), y=np.asarray(d.target[:150], dtype=float),
        feature_names=list(d.feature_names), fit_factors=(0.1,),
        relax_factors=(0.5, 0.2, 0.1, 0.05, 0.02))


def ds_correlated(rng):
    n, p = 60, 8
    z = np.empty((n, p))
    z[:, 0] = rng.standard_normal(n)
    for j in range(1, p):
        z[:, j] = 0.7 * z[:, j - 1] + math.sqrt(1 - 0.49) * rng.standard_normal(n)
    means = np.round(rng.uniform(-5, 5, p), 1)
    sds = np.array([0.5, 1.0, 2.0, 4.0, 1.5, 0.8, 3.0, 1.2])
    X = np.round(means + sds * z, 4)
    y = np.round(2.0 + 1.5 * z[:, 0] - z[:, 2] + 0.8 * z[:, 3] + 0.5 * z[:, 6]
                 + rng.standard_normal(n), 4)
    return dict(
        description=("60 x 8 synthetic: z_1 ~ N(0,1), z_j = 0.7 z_(j-1) + sqrt(0.51) e_j "
                     "(corr 0.7^|i-j|); x_j = m_j + s_j z_j (4 decimals) with m_j ~ U(-5,5) "
                     "(1 decimal) and s_j = 0.5, 1, 2, 4, 1.5, 0.8, 3, 1.2; "
                     "y = 2 + 1.5 z1 - z3 + 0.8 z4 + 0.5 z7 + N(0,1) (4 decimals)."),
        X=X, y=y, feature_names=[f"x{j + 1}" for j in range(p)], fit_factors=(0.3, 0.05),
        relax_factors=(0.5, 0.2, 0.1, 0.05, 0.02))


def ds_wide(rng):
    n, p = 30, 40
    X = np.round(rng.standard_normal((n, p)) + np.round(rng.uniform(-1, 1, p), 1), 4)
    beta = np.zeros(p)
    beta[[0, 4, 11, 19, 32]] = [3.0, -2.0, 1.5, -1.0, 2.0]
    y = np.round(1.0 + X @ beta + 0.5 * rng.standard_normal(n), 4)
    return dict(
        description=("p > n: 30 x 40, x_j = N(0,1) + m_j (4 decimals), m_j ~ U(-1,1) "
                     "(1 decimal); y = 1 + 3 x1 - 2 x5 + 1.5 x12 - x20 + 2 x33 + N(0, 0.5^2) "
                     "(4 decimals)."),
        X=X, y=y, feature_names=[f"x{j + 1}" for j in range(p)], fit_factors=(0.1,),
        relax_factors=(0.5, 0.2, 0.05, 0.01, 0.003, 0.001))


DATASETS = [("diabetes150", ds_diabetes), ("correlated", ds_correlated), ("wide", ds_wide)]


def controls(ds, rng):
    """Weights, offset, fold ids, penalty factors and limits of a data set."""
    X, y = ds["X"], ds["y"]
    n, p = X.shape
    w = np.round(rng.uniform(0.2, 3.0, n), 2)
    zero = rng.choice(n, max(3, n // 10), replace=False)
    w[zero] = 0.0
    o = np.round(rng.normal(0.0, 0.3 * np.std(y), n), 2)
    foldid = rng.permutation(np.resize(np.arange(1, NFOLDS + 1), n))
    pf = np.ones(p)
    pf[0], pf[1], pf[2], pf[3] = 0.0, 2.0, 10.0, 0.5      # unpenalized, larger, large, smaller
    # Limits that bind: from a ridge-ish reference fit on the standardized columns.
    Xc = X - X.mean(axis=0)
    sd = np.sqrt((Xc ** 2).mean(axis=0))
    Z = Xc / sd
    g = np.linalg.solve(Z.T @ Z / n + 0.05 * np.eye(p), Z.T @ (y - y.mean()) / n) / sd
    order = np.argsort(-np.abs(g * sd))          # most important first
    lower = np.full(p, -np.inf)
    upper = np.full(p, np.inf)
    for rank, j in enumerate(order[:6]):
        v = float(f"{0.5 * g[j]:.2g}")
        if rank in (0, 2, 4):          # cut the coefficient at half its size
            if g[j] > 0:
                upper[j] = v
            else:
                lower[j] = v
        elif rank == 1:                # forbid its sign
            if g[j] > 0:
                upper[j] = 0.0
            else:
                lower[j] = 0.0
        elif rank == 3:                # a bound on the side it does not use
            if g[j] > 0:
                lower[j] = -abs(v)
            else:
                upper[j] = abs(v)
    # Adaptive-lasso weights: 1/|b_j| of that ridge fit on the standardized scale
    # (4 significant digits, so the call stays readable).
    adaptive = np.array([float(f"{1.0 / abs(t):.4g}") for t in g * sd])
    return dict(w=w, o=o, foldid=foldid, pf=pf, lower=lower, upper=upper,
                exclude=[p - 1], pf_inf=4, adaptive=adaptive)


# --------------------------------------------------------------------------
# Case design
# --------------------------------------------------------------------------

def rnum(v):
    v = float(v)
    if v == math.inf:
        return "Inf"
    if v == -math.inf:
        return "-Inf"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def rvec(v):
    return "c(" + ", ".join(rnum(t) for t in v) + ")"


def tf(b):
    return "TRUE" if b else "FALSE"


def penalty_name(a):
    return "lasso" if a == 1 else ("ridge" if a == 0 else "elasticnet")


class Spec:
    """One glmnet run (a "fit" spec yields one case per lambda)."""

    def __init__(self, id_, kind, alpha, std=True, icpt=True, w=False, o=False, pf=None,
                 exclude=None, lower=None, upper=None, dfmax=None, pmax=None,
                 factors=None, expect_warning=False, user_grid=False):
        self.__dict__.update(locals())
        del self.__dict__["self"]

    def args(self, ctl, alpha=None, limits_of_path=True):
        a = self.alpha if alpha is None else alpha
        s = f'x, y, family="gaussian", alpha={rnum(a)}, '
        if self.w:
            s += "weights=w, "
        if self.o:
            s += "offset=o, "
        if self.pf is not None:
            s += f"penalty.factor={rvec(self.pf)}, "
        if self.exclude is not None:
            s += f"exclude={rvec([j + 1 for j in self.exclude])}, "
        if self.lower is not None:
            s += "lower.limits=" + (rvec(self.lower) if len(set(self.lower)) > 1
                                    else rnum(self.lower[0])) + ", "
        if self.upper is not None:
            s += "upper.limits=" + (rvec(self.upper) if len(set(self.upper)) > 1
                                    else rnum(self.upper[0])) + ", "
        if self.dfmax is not None and limits_of_path:
            s += f"dfmax={self.dfmax}, "
        if self.pmax is not None and limits_of_path:
            s += f"pmax={self.pmax}, "
        s += f"standardize={tf(self.std)}, intercept={tf(self.icpt)}"
        return s

    def r_entry(self, ctl):
        path_grid = f"nlambda={PATH_NLAMBDA}, lambda.min.ratio={PATH_LMR}"
        ent = {"id": self.id_, "kind": self.kind}
        if self.kind == "fit":
            # ridge: lambda relative to the lasso lambda_max (glmnet's alpha = 0 default
            # path starts 1000 times higher)
            amax = 1.0 if self.alpha == 0 else self.alpha
            ent["template"] = f"glmnet({self.args(ctl)}, lambda=LAMBDA, thresh=THRESH, maxit=1e7)"
            ent["lmax_call"] = f"glmnet({self.args(ctl, amax)}, {path_grid})"
            ent["lam_mode"], ent["factors"] = "factors", list(self.factors)
        elif self.kind == "path" and not self.user_grid:
            ent["template"] = f"glmnet({self.args(ctl)}, {path_grid}, thresh=THRESH, maxit=1e7)"
        elif self.kind == "path":
            # glmnet's own grid of the same arguments, passed as a user lambda
            ent["template"] = f"glmnet({self.args(ctl)}, lambda=LAMBDA, thresh=THRESH, maxit=1e7)"
            ent["lmax_call"] = f"glmnet({self.args(ctl, limits_of_path=False)}, {path_grid})"
            ent["lam_mode"] = "path"
        elif self.kind == "relax":
            if self.factors is None:
                ent["template"] = (f"glmnet({self.args(ctl)}, {path_grid}, relax=TRUE, "
                                   f"thresh=THRESH, maxit=1e7)")
            else:
                ent["template"] = (f"glmnet({self.args(ctl)}, lambda=LAMBDA, relax=TRUE, "
                                   f"thresh=THRESH, maxit=1e7)")
                ent["lmax_call"] = f"glmnet({self.args(ctl)}, {path_grid})"
                ent["lam_mode"], ent["factors"] = "factors", list(self.factors)
            ent["gammas"] = GAMMAS
        elif self.kind == "cv-relax":
            ent["template"] = (f"cv.glmnet({self.args(ctl)}, lambda=LAMBDA, foldid=foldid, "
                               f"relax=TRUE, gamma={rvec(GAMMAS)}, keep=TRUE, thresh=THRESH, "
                               f"maxit=1e7)")
            ent["lmax_call"] = f"glmnet({self.args(ctl)}, {path_grid})"
            ent["lam_mode"] = "path"
        ent["expect_warning"] = self.expect_warning
        return ent


def sd_of(X):
    """Population sd of each column (1/n, mean subtracted)."""
    return np.sqrt(((X - X.mean(axis=0)) ** 2).mean(axis=0))


def glmnet_specs(ds, ctl):
    p = ds["X"].shape[1]
    F = ds["fit_factors"]
    pf, lo, up = list(ctl["pf"]), list(ctl["lower"]), list(ctl["upper"])
    pf_inf = list(ctl["pf"])
    pf_inf[ctl["pf_inf"]] = math.inf
    excl = ctl["exclude"]
    zero = [0.0] * p
    S = []
    # weights (some zero)
    for a in (1.0, 0.5, 0.0):
        S.append(Spec(f"w-a{a:g}-int-std", "fit", a, w=True, factors=F))
    S.append(Spec("w-a1-int-raw", "fit", 1.0, std=False, w=True, factors=F))
    S.append(Spec("w-a1-noint-std", "fit", 1.0, icpt=False, w=True, factors=F))
    S.append(Spec("w-a0.5-noint-raw", "fit", 0.5, std=False, icpt=False, w=True, factors=F))
    # offset
    for a in (1.0, 0.5):
        S.append(Spec(f"o-a{a:g}-int-std", "fit", a, o=True, factors=F))
    S.append(Spec("o-a1-noint-raw", "fit", 1.0, std=False, icpt=False, o=True, factors=F))
    # weights + offset
    for a in (1.0, 0.5):
        S.append(Spec(f"wo-a{a:g}-int-std", "fit", a, w=True, o=True, factors=F))
    S.append(Spec("wo-a0.5-noint-std", "fit", 0.5, icpt=False, w=True, o=True, factors=F))
    # penalty factors (0 = unpenalized, 10 = large)
    for a in (1.0, 0.5, 0.0):
        S.append(Spec(f"pf-a{a:g}-int-std", "fit", a, pf=pf, factors=F))
    S.append(Spec("pf-a1-int-raw", "fit", 1.0, std=False, pf=pf, factors=F))
    S.append(Spec("pf-w-a0.5-noint-std", "fit", 0.5, icpt=False, w=True, pf=pf, factors=F))
    # adaptive lasso, done the glmnet way: penalty factors 1/|b_ridge| (standardized)
    S.append(Spec("adaptive-a1-int-std", "fit", 1.0, pf=list(ctl["adaptive"]), factors=F))
    S.append(Spec("adaptive-w-a1-int-raw", "fit", 1.0, std=False, w=True,
                  pf=[float(f"{t:.4g}") for t in ctl["adaptive"] * sd_of(ds["X"])], factors=F))
    # exclude, and a factor Inf (glmnet turns it into exclude)
    S.append(Spec("excl-a1-int-std", "fit", 1.0, pf=pf_inf, exclude=excl, factors=F))
    S.append(Spec("excl-a0.5-noint-raw", "fit", 0.5, std=False, icpt=False, exclude=excl,
                  factors=F))
    # limits
    for a in (1.0, 0.5):
        S.append(Spec(f"lim-a{a:g}-int-std", "fit", a, lower=lo, upper=up, factors=F))
    S.append(Spec("lim-a1-int-raw", "fit", 1.0, std=False, lower=lo, upper=up, factors=F))
    S.append(Spec("lim-a1-noint-std", "fit", 1.0, icpt=False, lower=lo, upper=up, factors=F))
    # positive (lower.limits = 0)
    for a in (1.0, 0.5):
        S.append(Spec(f"pos-a{a:g}-int-std", "fit", a, lower=zero, factors=F))
    S.append(Spec("pos-a1-noint-raw", "fit", 1.0, std=False, icpt=False, lower=zero, factors=F))
    # everything together
    for a in (1.0, 0.5):
        S.append(Spec(f"all-a{a:g}-int-std", "fit", a, w=True, o=True, pf=pf_inf, exclude=excl,
                      lower=lo, upper=up, factors=F))
    S.append(Spec("all-a1-noint-raw", "fit", 1.0, std=False, icpt=False, w=True, o=True,
                  pf=pf_inf, exclude=excl, lower=lo, upper=up, factors=F))
    # paths on glmnet's own grid (nlambda 20, lambda.min.ratio 0.01)
    S.append(Spec("path-a1", "path", 1.0))
    S.append(Spec("path-dfmax3-a1", "path", 1.0, dfmax=3))
    S.append(Spec("path-dfmax1-a1", "path", 1.0, dfmax=1))
    S.append(Spec("path-dfmax1-userlambda-a1", "path", 1.0, dfmax=1, user_grid=True))
    S.append(Spec("path-pmax4-a1", "path", 1.0, pmax=4, expect_warning=True))
    S.append(Spec("path-dfmax4-w-pf-a0.5", "path", 0.5, w=True, pf=pf, dfmax=4))
    S.append(Spec("path-wo-pf-a1", "path", 1.0, w=True, o=True, pf=pf))
    S.append(Spec("path-w-pf-a0.5-noint-raw", "path", 0.5, std=False, icpt=False, w=True,
                  pf=pf, exclude=excl))
    # relaxed lasso
    R = ds["relax_factors"]
    S.append(Spec("relax-a1-int-std", "relax", 1.0, factors=R))
    S.append(Spec("relax-wo-lim-a1-int-std", "relax", 1.0, w=True, o=True, lower=lo, upper=up,
                  factors=R))
    S.append(Spec("relax-w-pf-a0.5-noint-raw", "relax", 0.5, std=False, icpt=False, w=True,
                  pf=pf, factors=R))
    S.append(Spec("relax-dfmax3-a1", "relax", 1.0, dfmax=3))    # glmnet's own grid
    # cross-validated relaxed lasso
    S.append(Spec("cv-relax-a1", "cv-relax", 1.0))
    S.append(Spec("cv-relax-wo-a1", "cv-relax", 1.0, w=True, o=True))
    return S


def write_spec(path, X, y, ctl, specs):
    n, p = X.shape

    def rstr(s):
        assert ")---\"" not in s
        return 'r"---(' + s + ')---"'

    lines = [
        "# Generated by make_control_fixtures.py; sourced by glmnet_control_fixtures.R.",
        f"x <- matrix({rvec(X.ravel())}, nrow = {n}, ncol = {p}, byrow = TRUE)",
        f"y <- {rvec(y)}",
        f"w <- {rvec(ctl['w'])}",
        f"o <- {rvec(ctl['o'])}",
        f"foldid <- as.integer({rvec(ctl['foldid'])})",
        "specs <- list(",
    ]
    ents = []
    for s in specs:
        e = s.r_entry(ctl)
        parts = [f"id = {rstr(e['id'])}", f"kind = {rstr(e['kind'])}",
                 f"template = {rstr(e['template'])}", f"expect_warning = {tf(e['expect_warning'])}"]
        if "lmax_call" in e:
            parts += [f"lmax_call = {rstr(e['lmax_call'])}", f"lam_mode = {rstr(e['lam_mode'])}"]
        if "factors" in e:
            parts.append(f"factors = {rvec(e['factors'])}")
        if "gammas" in e:
            parts.append(f"gammas = {rvec(e['gammas'])}")
        ents.append("  list(" + ", ".join(parts) + ")")
    lines.append(",\n".join(ents))
    lines.append(")")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------
# Cases (fixture entries)
# --------------------------------------------------------------------------

def jlist(v):
    return None if v is None else [float(t) + 0.0 for t in v]


def jbound(v, p):
    """Limits as JSON: null when all unbounded, else null entries for +-Inf."""
    if v is None:
        return None
    v = [float(t) for t in v]
    if all(math.isinf(t) for t in v):
        return None
    return [None if math.isinf(t) else t + 0.0 for t in v]


def case_header(s, ctl, source, call, kind, convention, p):
    pf = None
    if s.pf is not None:
        pf = [None if math.isinf(t) else float(t) for t in s.pf]
    excl = None
    if s.exclude is not None:
        excl = [int(j) for j in s.exclude]
    return {
        "id": s.id_, "source": source, "call": call, "kind": kind, "convention": convention,
        "penalty": penalty_name(s.alpha), "l1_ratio": float(s.alpha),
        "fit_intercept": bool(s.icpt), "standardize": bool(s.std),
        "weights": jlist(ctl["w"]) if s.w else None,
        "offset": jlist(ctl["o"]) if s.o else None,
        "penalty_factor": pf, "exclude": excl,
        "lower": jbound(s.lower, p), "upper": jbound(s.upper, p),
        "max_features": s.dfmax, "pmax": s.pmax,
    }


def mat(m):
    return [[float(t) + 0.0 for t in row] for row in m]


def glmnet_cases(specs, res, ctl, n, p):
    by_id = {r["id"]: r for r in res["runs"]}
    out = []
    for s in specs:
        r = by_id[s.id_]
        call = r["call"]
        note = ("  # x, y, w (weights), o (offset), foldid are this file's x, y and the case's "
                "weights, offset, fold_ids")
        if s.kind == "fit":
            for k, lam in enumerate(r["lambda"]):
                c = case_header(s, ctl, "glmnet", call + f"; this case is lambda[{k + 1}] (R, 1-based)"
                                + note, "fit", "glmnet", p)
                c["id"] = f"glmnet-{s.id_}-{s.factors[k]:g}"
                c["lambda_factor"] = s.factors[k]
                c["lambda"] = lam
                c["intercept"] = r["a0"][k] + 0.0
                c["coefficients"] = [t + 0.0 for t in r["beta"][k]]
                c["_glmnet"] = r
                out.append(c)
        elif s.kind == "path":
            c = case_header(s, ctl, "glmnet", call + note, "path", "glmnet", p)
            c["id"] = f"glmnet-{s.id_}"
            c["nlambda"], c["lambda_min_ratio"] = PATH_NLAMBDA, PATH_LMR
            # true: glmnet's own grid (of the same arguments without dfmax/pmax) was passed
            # as lambda = (a user grid)
            c["lambda_given"] = s.user_grid
            c["lambdas"] = r["lambda"]
            c["intercepts"] = [t + 0.0 for t in r["a0"]]
            c["coefficients"] = mat(r["beta"])
            c["df"] = r["df"]
            c["warning"] = r["warnings"][0] if r["warnings"] else None
            c["_glmnet"] = r
            out.append(c)
        elif s.kind == "relax":
            c = case_header(s, ctl, "glmnet", call + "; coef(fit, s = lambdas, gamma = g) for g in "
                            + rvec(GAMMAS) + note, "relax", "glmnet", p)
            c["id"] = f"glmnet-{s.id_}"
            c["lambdas"] = r["lambda"]
            c["gammas"] = GAMMAS
            c["intercepts"] = [[t + 0.0 for t in b["a0"]] for b in r["blends"]]
            c["coefficients"] = [mat(b["beta"]) for b in r["blends"]]
            c["df"] = r["df"]
            # The pure unpenalized refits glmnet stored (fit$relaxed), one per lambda
            # whose active set has at most n - 3 features.
            rl = r["relaxed_lambda"]
            c["relaxed_refit"] = [lam in rl for lam in r["lambda"]]
            c["relaxed_intercepts"] = [t + 0.0 for t in r["relaxed_a0"]]
            c["relaxed_coefficients"] = mat(r["relaxed_beta"])
            c["_glmnet"] = r
            out.append(c)
        elif s.kind == "cv-relax":
            c = case_header(s, ctl, "glmnet", call + "  # lambda = the full-data default path "
                            f"(nlambda={PATH_NLAMBDA}, lambda.min.ratio={PATH_LMR}) of the same "
                            "arguments" + note, "cv-relax", "glmnet", p)
            c["id"] = f"glmnet-{s.id_}"
            c["fold_ids"] = [int(t) for t in ctl["foldid"]]
            c["lambdas"] = r["lambda"]
            c["gammas"] = r["gammas"]
            c["cvm"] = mat(r["cvm"])
            c["cvsd"] = mat(r["cvsd"])
            c["nzero"] = r["nzero"]
            for k in ("lambda_min", "gamma_min", "lambda_1se", "gamma_1se"):
                c[k] = r[k]
            c["index_min"] = [t - 1 for t in r["index_min"]][::-1]   # [gamma, lambda] 0-based
            c["index_1se"] = [t - 1 for t in r["index_1se"]][::-1]
            c["_glmnet"] = r
            out.append(c)
    return out


# --------------------------------------------------------------------------
# scikit-learn cases
# --------------------------------------------------------------------------

def fit_cd(cls, X, y, sw, **kw):
    for tol, max_iter in CD_LADDER:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                m = cls(tol=tol, max_iter=max_iter, **kw).fit(X, y, sample_weight=sw)
            except ConvergenceWarning:
                continue
        if m.n_iter_ < max_iter:
            return m, tol, max_iter
    raise RuntimeError(f"{cls.__name__} did not converge")


def sklearn_cases(ds, ctl):
    X, y = ds["X"], ds["y"]
    n, p = X.shape
    out = []
    grid = [("lasso", 1.0, True, False, True), ("enet0.5", 0.5, True, False, True),
            ("lasso", 1.0, False, False, True),
            ("lasso", 1.0, True, True, False), ("enet0.5", 0.5, True, True, False),
            ("lasso", 1.0, False, True, False), ("enet0.5", 0.5, True, True, True)]
    for name, r, fi, use_w, pos in grid:
        sw = ctl["w"] if use_w else None
        v = np.full(n, 1.0 / n) if sw is None else sw / sw.sum()
        if fi:
            yc = y - v @ y
            Xc = X - v @ X
        else:
            yc, Xc = y, X
        lmax = float(np.max(np.abs(Xc.T @ (v * yc))) / r)
        alpha = float(f"{0.1 * lmax:.3g}")
        kw = dict(alpha=alpha, fit_intercept=fi, positive=pos)
        if r == 1.0:
            m, tol, mi = fit_cd(Lasso, X, y, sw, **kw)
            call = f"Lasso(alpha={alpha!r}, fit_intercept={fi}, positive={pos}, tol={tol!r}, max_iter={mi})"
        else:
            m, tol, mi = fit_cd(ElasticNet, X, y, sw, l1_ratio=r, **kw)
            call = (f"ElasticNet(alpha={alpha!r}, l1_ratio={r!r}, fit_intercept={fi}, positive={pos}, "
                    f"tol={tol!r}, max_iter={mi})")
        call += ".fit(X, y" + (", sample_weight=w)" if use_w else ")")
        call += "  # alpha = 0.1 * lambda_max (3 significant digits)"
        ident = f"sklearn-{name}-{'int' if fi else 'noint'}" + ("-sw" if use_w else "") + \
            ("-pos" if pos else "")
        s = Spec(ident, "fit", r, std=False, icpt=fi, w=use_w, lower=[0.0] * p if pos else None)
        c = case_header(s, ctl, "sklearn", call, "fit", "sklearn", p)
        c["lambda"] = alpha
        c["intercept"] = float(m.intercept_) + 0.0 if fi else 0.0
        c["coefficients"] = [float(t) + 0.0 for t in m.coef_]
        out.append(c)
    return out


# --------------------------------------------------------------------------
# Optimality conditions (written for these fixtures)
# --------------------------------------------------------------------------

def wsd(v, wn, centred=True):
    m = wn @ v if centred else 0.0
    return np.sqrt(wn @ ((v - m) ** 2))


def problem(c, X, y, sigma="w-yo", dmode="w", vpmode="all", wmode="sum1"):
    """The case's problem in the canonical form used by kkt().

    Returns dict(wn, yo, l1, l2, lo, up, excluded) with
      objective 1/2 sum wn_i r_i^2 + sum_j (l1_j |b_j| + l2_j/2 b_j^2).
    Variants (for the facts table): sigma in {"w-yo", "w-y", "u-yo", "w-yo-centred"},
    dmode in {"w", "u", "rms"} (weighted / unweighted sd / uncentred rms without
    intercept), vpmode in {"all", "incl", "raw"}, wmode in {"sum1", "n"}.
    """
    n, p = X.shape
    w = np.ones(n) if c["weights"] is None else np.array(c["weights"])
    wn = w / w.sum() if wmode == "sum1" else w / n      # "n": weights taken as given, 1/(2n)
    o = np.zeros(n) if c["offset"] is None else np.array(c["offset"])
    yo = y - o
    lo = np.array([-math.inf if t is None else t for t in c["lower"]]) if c["lower"] else np.full(p, -math.inf)
    up = np.array([math.inf if t is None else t for t in c["upper"]]) if c["upper"] else np.full(p, math.inf)
    excluded = np.zeros(p, bool)
    if c["exclude"]:
        excluded[c["exclude"]] = True
    lam, a = c["lambda"], c["l1_ratio"]
    if c["convention"] == "sklearn":
        return dict(wn=wn, yo=yo, l1=np.full(p, lam * a), l2=np.full(p, lam * (1 - a)),
                    lo=lo, up=up, excluded=excluded)
    pf = np.ones(p) if c["penalty_factor"] is None else \
        np.array([math.inf if t is None else t for t in c["penalty_factor"]])
    excluded |= np.isinf(pf)
    vp = pf.copy()
    vp[excluded] = 1.0
    if vpmode == "all":
        vp = vp * p / vp.sum()
    elif vpmode == "incl":
        vp = vp * (~excluded).sum() / vp[~excluded].sum()
    wd = wn if dmode == "w" else np.full(n, 1.0 / n)
    dc = not (dmode == "rms" and not c["fit_intercept"])
    d = np.array([wsd(X[:, j], wd, dc) for j in range(p)]) if c["standardize"] else np.ones(p)
    if sigma == "w-yo-centred":
        s = wsd(yo, wn, True)
    elif sigma == "w-yo":
        s = wsd(yo, wn, c["fit_intercept"])
    elif sigma == "w-y":
        s = wsd(y, wn, c["fit_intercept"])
    else:
        s = wsd(yo, np.full(n, 1.0 / n), c["fit_intercept"])
    return dict(wn=wn, yo=yo, l1=lam * a * vp * d, l2=lam * (1 - a) / s * vp * d * d,
                lo=lo, up=up, excluded=excluded)


BOUND_TOL = 1e-12


def kkt(X, pr, b0, b, fit_intercept, active=None):
    """Worst violation of the optimality conditions, scale-free.

    v_j is the violation of coordinate j's condition (stationarity, the
    subgradient at 0, or the sign condition at an active limit); a coefficient
    within BOUND_TOL (relative) of a limit counts as at the limit. Returns
    (max_j v_j / (rms_w(x_j) rms_w(y - o)), |weighted mean residual| / rms_w(y - o),
     largest limit breach, number of coefficients at a limit, how many exactly).
    active: restrict to these coordinates (others must be 0): the relaxed refit.
    """
    wn, yo = pr["wn"], pr["yo"]
    b = np.asarray(b, float)
    res = yo - b0 - X @ b
    g = X.T @ (wn * res)
    p = len(b)
    v = np.zeros(p)
    at, exact, breach = 0, 0, 0.0
    for j in range(p):
        if pr["excluded"][j] or (active is not None and not active[j]):
            v[j] = abs(b[j]) * 1e300 if b[j] != 0 else 0.0
            continue
        lo, up, l1, l2 = pr["lo"][j], pr["up"][j], pr["l1"][j], pr["l2"][j]
        q = g[j] - l2 * b[j]
        breach = max(breach, lo - b[j], b[j] - up)
        at_lo = math.isfinite(lo) and abs(b[j] - lo) <= BOUND_TOL * max(1.0, abs(lo)) and lo != 0
        at_up = math.isfinite(up) and abs(b[j] - up) <= BOUND_TOL * max(1.0, abs(up)) and up != 0
        if b[j] == 0:
            v[j] = max(0.0, q - l1 if up > 0 else 0.0, -q - l1 if lo < 0 else 0.0)
        elif at_lo:
            v[j] = max(0.0, q - l1 * np.sign(b[j]))
        elif at_up:
            v[j] = max(0.0, -(q - l1 * np.sign(b[j])))
        else:
            v[j] = abs(q - l1 * np.sign(b[j]))
        if at_lo or at_up:
            at += 1
            exact += int(b[j] == (lo if at_lo else up))
    sx = np.sqrt(X.T ** 2 @ wn)
    sx[sx == 0] = 1.0
    sy = math.sqrt(wn @ yo ** 2)
    icpt = abs(float(wn @ res)) / sy if fit_intercept else 0.0
    return float(np.max(v / sx) / sy), icpt, breach, at, exact


def lambda_max(c, X, y):
    """glmnet's first lambda as predicted by the rule in the README."""
    n, p = X.shape
    pr = problem(as_fit(c, 1.0, 0.0, [0.0] * p), X, y)
    wn, yo = pr["wn"], pr["yo"]
    pf = np.ones(p) if c["penalty_factor"] is None else \
        np.array([math.inf if t is None else t for t in c["penalty_factor"]])
    excl = pr["excluded"]
    vp = pf.copy()
    vp[excl] = 1.0
    vp = vp * p / vp.sum()
    U = np.flatnonzero((vp == 0) & ~excl)
    cols = ([np.ones(n)] if c["fit_intercept"] else []) + [X[:, j] for j in U]
    if cols:
        A = np.column_stack(cols)
        coef = np.linalg.solve(A.T @ (wn[:, None] * A), A.T @ (wn * yo))
        r0 = yo - A @ coef
    else:
        r0 = yo
    d = np.array([wsd(X[:, j], wn) for j in range(p)]) if c["standardize"] else np.ones(p)
    g = np.abs(X.T @ (wn * r0))
    ok = (vp > 0) & ~excl
    return float(np.max(g[ok] / (d[ok] * vp[ok]))) / max(c["l1_ratio"], 1e-3)


def as_fit(c, lam, b0, b):
    d = dict(c)
    d["lambda"], d["intercept"], d["coefficients"] = lam, b0, b
    return d


# --------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------

def self_check(report):
    print("\n=== Self-check ===")
    print("kktf = max_j v_j / (rms_w(x_j) rms_w(y - o)): scale-free violation of coordinate j's")
    print("       optimality condition in the problem of the module docstring / README;")
    print("icpt = |weighted mean residual| / rms_w(y - o); at = coefficients at a limit (exact = equal")
    print("       to the limit bit for bit); breach = largest step outside a limit.")
    worst = {}
    variants = {}
    lines = []

    def note(group, val, where):
        w = worst.setdefault(group, [0.0, ""])
        if val > w[0]:
            w[:] = [val, where]

    for name, X, y, ctl, cases in report:
        n, p = X.shape
        for c in cases:
            kind = c["kind"]
            if kind == "fit":
                pr = problem(c, X, y)
                k, ic, br, at, ex = kkt(X, pr, c["intercept"], c["coefficients"], c["fit_intercept"])
                lines.append(f"  {name:11s} {c['id']:40s} kktf {k:8.1e} icpt {ic:8.1e} at {at} "
                             f"(exact {ex}) breach {br:.1e}")
                note(f"{c['source']} fit", max(k, ic), f"{name}/{c['id']}")
                if c["source"] == "sklearn" and c["weights"] is not None:
                    kv = kkt(X, problem(c, X, y, wmode="n"), c["intercept"], c["coefficients"],
                             c["fit_intercept"])[0]
                    vv = variants.setdefault("sklearn: sample_weight used as given, 1/(2n) sum w r^2",
                                             [0.0, 0])
                    vv[0] = max(vv[0], kv)
                    vv[1] += 1
                note("limit breach", br, f"{name}/{c['id']}")
                if c["source"] == "glmnet":
                    wo = c["weights"] is not None or c["offset"] is not None
                    for key, kw, cond in (
                            ("sigma = weighted sd of y (offset ignored)", dict(sigma="w-y"),
                             c["offset"] is not None and c["l1_ratio"] < 1),
                            ("sigma = unweighted sd of y - o", dict(sigma="u-yo"),
                             c["weights"] is not None and c["l1_ratio"] < 1),
                            ("no intercept: sigma centred anyway", dict(sigma="w-yo-centred"),
                             not c["fit_intercept"] and c["l1_ratio"] < 1),
                            ("no intercept: d_j = uncentred weighted rms", dict(dmode="rms"),
                             not c["fit_intercept"] and c["standardize"]),
                            ("d_j = unweighted sd", dict(dmode="u"),
                             c["weights"] is not None and c["standardize"]),
                            ("factors rescaled over non-excluded only", dict(vpmode="incl"),
                             c["exclude"] is not None or (c["penalty_factor"] and None in c["penalty_factor"])),
                            ("factors not rescaled", dict(vpmode="raw"), c["penalty_factor"] is not None),
                            ("glmnet: weights used as given, 1/(2n) sum w r^2", dict(wmode="n"),
                             c["weights"] is not None),
                            ("claimed convention (all glmnet fit cases)", {}, True)):
                        if cond:
                            kv = kkt(X, problem(c, X, y, **kw), c["intercept"], c["coefficients"],
                                     c["fit_intercept"])[0]
                            vv = variants.setdefault(key, [0.0, 0])
                            vv[0] = max(vv[0], kv)
                            vv[1] += 1
            elif kind == "path":
                r = c["_glmnet"]
                kmax = 0.0
                for k, lam in enumerate(c["lambdas"]):
                    f = as_fit(c, lam, c["intercepts"][k], c["coefficients"][k])
                    kk, ic = kkt(X, problem(f, X, y), f["intercept"], f["coefficients"],
                                 c["fit_intercept"])[:2]
                    kmax = max(kmax, kk, ic)
                note("glmnet path", kmax, f"{name}/{c['id']}")
                lm = lambda_max(c, X, y)
                rel = abs(c["lambdas"][0] - lm) / lm
                note("lambda_max rule (rel. diff)", rel, f"{name}/{c['id']}")
                nnz = [int(np.count_nonzero(b)) for b in c["coefficients"]]
                everc = [int(np.count_nonzero(np.any(np.array(c["coefficients"][:k + 1]) != 0, axis=0)))
                         for k in range(len(nnz))]
                msg = f"  {name:11s} {c['id']:40s} kktf {kmax:8.1e} lambda_max rule {rel:8.1e} " \
                      f"nlambda {len(nnz)} nnz {nnz}"
                if c["max_features"] is not None:
                    K = c["max_features"]
                    if c["lambda_given"]:
                        ok = len(nnz) == PATH_NLAMBDA
                        msg += (f"\n{'':14s}dfmax {K} with a user lambda: no stop, all {len(nnz)} "
                                f"lambdas returned: {ok}")
                    else:
                        # stop after the first lambda m >= MNLAM (1-based) with nnz > dfmax
                        stop = next((m for m in range(MNLAM, PATH_NLAMBDA + 1) if nnz[m - 1] > K),
                                    PATH_NLAMBDA) if len(nnz) >= MNLAM else None
                        ok = stop == len(nnz)
                        early = [m + 1 for m in range(min(MNLAM - 1, len(nnz))) if nnz[m] > K]
                        msg += (f"\n{'':14s}dfmax {K}: path ends at the first lambda m >= {MNLAM} "
                                f"with nnz > dfmax (m = {stop}), that lambda included: {ok}; "
                                f"lambdas m < {MNLAM} with nnz > dfmax kept: {early}")
                    note("dfmax rule broken (1 = yes)", 0.0 if ok else 1.0, f"{name}/{c['id']}")
                if c["pmax"] is not None:
                    msg += (f"\n{'':14s}pmax {c['pmax']}: ever-active counts {everc}; warning: "
                            f"{c['warning']}")
                    plain = [d for d in cases if d["id"] == "glmnet-path-a1"][0]
                    nxt = len(nnz)
                    pe = int(np.count_nonzero(np.any(np.array(plain["coefficients"][:nxt + 1]) != 0, axis=0)))
                    same = np.allclose(np.array(plain["coefficients"][:nxt]), np.array(c["coefficients"]),
                                       rtol=0, atol=1e-9 * np.abs(plain["coefficients"]).max())
                    msg += (f"\n{'':14s}the plain path has {pe} ever-active features at the first "
                            f"dropped lambda (> pmax), and equals this path before it: {same}")
                if c["max_features"] is not None and not c["weights"]:
                    plain = [d for d in cases if d["id"] == "glmnet-path-a1"][0]
                    L = len(nnz)
                    dd = float(np.max(np.abs(np.array(plain["coefficients"][:L]) - np.array(c["coefficients"]))))
                    msg += f"\n{'':14s}same as the plain path on its lambdas: max |db| {dd:.1e}"
                lines.append(msg)
            elif kind == "relax":
                relax_check(name, X, y, c, lines, note)
            elif kind == "cv-relax":
                cv_check(name, X, y, c, lines, note)
    print("\nPer case:")
    print("\n".join(lines))
    print("\nWorst per group:")
    for g, (v, where) in sorted(worst.items()):
        print(f"  {g:45s} {v:9.2e}  at {where}")
    print("\nConventions table: worst kktf of glmnet fit cases under the claimed convention and")
    print("under alternatives (over the cases where the alternative makes a difference):")
    for key, (v, cnt) in variants.items():
        print(f"  {key:55s} {v:9.2e}  ({cnt} cases)")


def relax_check(name, X, y, c, lines, note):
    n, p = X.shape
    r = c["_glmnet"]
    lam = c["lambdas"]
    rl = r["relaxed_lambda"]
    kept = c["relaxed_refit"]
    rk = 0
    kmax, bmax, lmax_ = 0.0, 0.0, 0.0
    sizes = []
    for k, l in enumerate(lam):
        b = np.array(r["beta"][k])
        A = b != 0
        sizes.append(int(A.sum()))
        # lasso part
        f = as_fit(c, l, r["a0"][k], r["beta"][k])
        lk = kkt(X, problem(f, X, y), f["intercept"], f["coefficients"], c["fit_intercept"])
        lmax_ = max(lmax_, lk[0], lk[1])
        if kept[k]:
            j = rl.index(l)
            rk = j
            # relaxed refit: lambda = 0 on the active set, same weights/offset/limits/intercept
            f0 = as_fit(c, 0.0, c["relaxed_intercepts"][j], c["relaxed_coefficients"][j])
            kr = kkt(X, problem(f0, X, y), f0["intercept"], f0["coefficients"], c["fit_intercept"],
                     active=A)
            kmax = max(kmax, kr[0], kr[1])
            assert (A.sum() <= n - 3)
        else:
            assert A.sum() > n - 3, (name, c["id"], k)
            j = len(rl) - 1          # glmnet's blend then uses the last stored refit
        # blends: coef(gamma) = g' lasso + (1 - g') relaxed, g' = max(gamma, 1e-5)
        for gi, g in enumerate(c["gammas"]):
            gg = max(g, 1e-5)
            eb = gg * b + (1 - gg) * np.array(c["relaxed_coefficients"][j])
            e0 = gg * r["a0"][k] + (1 - gg) * c["relaxed_intercepts"][j]
            got = np.array(c["coefficients"][gi][k])
            sc = max(1.0, float(np.max(np.abs(b))), abs(r["a0"][k]))
            err = max(float(np.max(np.abs(got - eb))), abs(c["intercepts"][gi][k] - e0)) / sc
            bmax = max(bmax, err)
    # gamma = 0 differs from the pure refit
    g0 = max(float(np.max(np.abs(np.array(c["coefficients"][0][k]) -
                                 np.array(c["relaxed_coefficients"][min(k, len(rl) - 1)]))))
             for k in range(len(rl)))
    note("relax: lasso kktf", lmax_, f"{name}/{c['id']}")
    note("relax: refit kktf (lambda=0 on active set)", kmax, f"{name}/{c['id']}")
    note("relax: blend formula (rel.)", bmax, f"{name}/{c['id']}")
    lines.append(f"  {name:11s} {c['id']:40s} lasso kktf {lmax_:8.1e} refit kktf {kmax:8.1e} "
                 f"blend err {bmax:8.1e} active sizes {sizes} refit stored {sum(kept)}/{len(kept)} "
                 f"(n - 3 = {n - 3}); max|coef(gamma=0) - refit| {g0:.1e}")


def cv_check(name, X, y, c, lines, note):
    r = c["_glmnet"]
    n = len(y)
    w = np.ones(n) if c["weights"] is None else np.array(c["weights"])
    fid = np.array(c["fold_ids"])
    K = int(fid.max())
    pg = r["preval_gammas"]
    worst = 0.0
    allcvm, allcvsd = [], []
    for gi, g in enumerate(c["gammas"]):
        P = np.array(r["preval"][pg.index(g)])          # n x L
        e = (y[:, None] - P) ** 2
        m = np.array([(w[fid == k] @ e[fid == k]) / w[fid == k].sum() for k in range(1, K + 1)])
        W = np.array([w[fid == k].sum() for k in range(1, K + 1)])
        cvm = W @ m / W.sum()
        cvsd = np.sqrt(W @ (m - cvm) ** 2 / W.sum() / (K - 1))
        worst = max(worst, float(np.max(np.abs(cvm - c["cvm"][gi]) / cvm)),
                    float(np.max(np.abs(cvsd - c["cvsd"][gi]) / cvsd)))
        allcvm.append(cvm)
        allcvsd.append(cvsd)
    cvm, cvsd = np.array(allcvm), np.array(allcvsd)
    lam = np.array(c["lambdas"])
    gam = np.array(c["gammas"])
    # rule: smallest cvm over (gamma, lambda); ties to the largest lambda, then largest gamma
    cand = [(lam[l], gam[g], g, l) for g in range(len(gam)) for l in range(len(lam))
            if c["cvm"][g][l] <= np.min(c["cvm"])]
    _, _, gmin, lmin = max(cand)
    bound = c["cvm"][gmin][lmin] + c["cvsd"][gmin][lmin]
    cand = [(lam[l], gam[g], g, l) for g in range(len(gam)) for l in range(len(lam))
            if c["cvm"][g][l] <= bound]
    _, _, g1, l1 = max(cand)
    ok = ([gmin, lmin] == c["index_min"] and [g1, l1] == c["index_1se"]
          and lam[lmin] == c["lambda_min"] and gam[gmin] == c["gamma_min"]
          and lam[l1] == c["lambda_1se"] and gam[g1] == c["gamma_1se"])
    ties = int(np.sum(np.array(c["cvm"]) <= np.min(c["cvm"])))
    note("cv-relax: cvm/cvsd recomputed (rel.)", worst, f"{name}/{c['id']}")
    note("cv-relax: min/1se rule broken (1 = yes)", 0.0 if ok else 1.0, f"{name}/{c['id']}")
    lines.append(f"  {name:11s} {c['id']:40s} cvm/cvsd from fit.preval: max rel diff {worst:.1e}; "
                 f"min at gamma {c['gamma_min']:g} lambda[{lmin}], 1se at gamma {c['gamma_1se']:g} "
                 f"lambda[{l1}]; rule reproduced: {ok}; (gamma,lambda) pairs at the minimum: {ties}")


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
    json.load(open(path))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    report = []
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, make) in enumerate(DATASETS):
            seed = SEED + k
            rng = np.random.default_rng(seed)
            ds = make(rng)
            ctl = controls(ds, rng)
            X, y = ds["X"], ds["y"]
            n, p = X.shape
            specs = glmnet_specs(ds, ctl)
            spec_path = os.path.join(tmp, f"{name}.spec.R")
            out_path = os.path.join(tmp, f"{name}.out.json")
            write_spec(spec_path, X, y, ctl, specs)
            print(f"{name}: running {len(specs)} glmnet specs", flush=True)
            subprocess.run(["Rscript", R_SCRIPT, spec_path, out_path], check=True)
            with open(out_path) as fh:
                res = json.load(fh)
            for key, ref in (("x", X), ("y", y), ("w", ctl["w"]), ("o", ctl["o"])):
                if not np.array_equal(np.array(res[key]), ref):
                    raise RuntimeError(f"{name}: R did not parse {key} exactly")
            cases = sklearn_cases(ds, ctl) + glmnet_cases(specs, res, ctl, n, p)
            ids = [c["id"] for c in cases]
            assert len(ids) == len(set(ids)), "duplicate case id"
            fx = {
                "name": name,
                "description": ds["description"] + (
                    f" Controls drawn with the same generator after the data: weights = U(0.2, 3) "
                    f"(2 decimals) with {int(np.sum(ctl['w'] == 0))} rows set to 0; offset = "
                    f"N(0, (0.3 sd(y))^2) (2 decimals); fold ids = a permutation of 1..{NFOLDS} "
                    f"repeated; penalty factors (0, 2, 10, 0.5, 1, ...); limits cut some "
                    f"coefficients of a reference ridge fit."),
                "generator": {"script": SCRIPT_REL, "r_script": R_SCRIPT_REL, "seed": seed,
                              "sklearn": sklearn.__version__, "glmnet": res["glmnet"],
                              "numpy": np.__version__, "R": res["R"]},
                "n": n, "p": p,
                "feature_names": ds["feature_names"],
                "x": [[float(v) for v in row] for row in X],
                "y": [float(v) for v in y],
                "cases": [{k2: v for k2, v in c.items() if not k2.startswith("_")} for c in cases],
            }
            path = os.path.join(OUT_DIR, f"{name}.json")
            dump_fixture(path, fx)
            total += len(cases)
            report.append((name, X, y, ctl, cases))
            print(f"wrote {os.path.relpath(path, REPO)}: {len(cases)} cases, "
                  f"{os.path.getsize(path)} bytes", flush=True)
    print(f"\nTotal: {total} cases")
    self_check(report)
    print("\n=== glmnet probes (glmnet_control_probes.R) ===", flush=True)
    subprocess.run(["Rscript", R_PROBES], check=True)


if __name__ == "__main__":
    sys.exit(main())
