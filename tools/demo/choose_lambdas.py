#!/usr/bin/python3
"""Choose the demo's regularization strengths from the TRAINING set only,
report OLS / Ridge / Lasso on the student data, and measure how typical the
demo outcome is across seeds.

Objective emulated (Shrink's "shrink" convention)::

    1/(2n) * ||y - b0 - X b||^2 + lam * ( r*||D b||_1 + (1 - r)/2 * ||D b||^2 )

D = diag of the training columns' population standard deviations (ddof=0),
intercept b0 unpenalized, coefficients reported on the original scale.
Lasso is r = 1, ridge r = 0.  With Z = X / sd (columns scaled, not centred;
sklearn centres internally because fit_intercept=True)::

    Lasso(alpha=lam)        minimises 1/(2n)||y - c0 - Z c||^2 + lam*||c||_1
    Ridge(alpha=n*lam)      minimises   ||y - c0 - Z c||^2 + n*lam*||c||^2
                            (= 2n times the r=0 objective)

and b = c / sd, b0 = c0 (Z c = X b, so the intercept is unchanged).

Selection rule (training set only; the held-out set is never looked at when
choosing lambda):

* lasso: LassoCV on Z with 10-fold KFold *without shuffling* (folds are
  consecutive blocks of 4 rows in file order), sklearn's default path of 100
  lambdas from lam_max down to 1e-3*lam_max, CV error = mean squared error.
  Take the "one standard error" lambda: the largest lambda on the path whose
  mean CV MSE is <= min mean CV MSE + its standard error (sd across the 10
  folds with ddof=1, divided by sqrt(10)).
* ridge: RidgeCV on Z with exact (efficient) leave-one-out CV over the grid
  alpha = n*lam, lam = 10**linspace(-4, 2, 121); CV error = mean squared
  error.
* each chosen value is then rounded to 2 significant digits; the rounded
  value is the one used and reported.

Columns are scaled with the sd of the whole training set (the same D that
Shrink uses) before cross-validation; the folds do not re-standardise.

Usage::

    /usr/bin/python3 tools/demo/choose_lambdas.py                 # the demo CSVs
    /usr/bin/python3 tools/demo/choose_lambdas.py --seeds 1-10    # robustness
    /usr/bin/python3 tools/demo/choose_lambdas.py --seeds 1-200 --quiet
    /usr/bin/python3 tools/demo/choose_lambdas.py --seeds 1-200 --quiet --lasso-rule min

Requires numpy and scikit-learn (tested with 1.24.2 / 1.2.1).
"""

import argparse
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LassoCV, LinearRegression, Ridge, RidgeCV
from sklearn.model_selection import KFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_student_data as msd  # noqa: E402

FEATURES = msd.COLUMNS[:5]
RIDGE_GRID = 10.0 ** np.linspace(-4, 2, 121)


def round_sig(x, digits=2):
    return float(f"{x:.{digits - 1}e}")


def choose(X, y, lasso_rule="1se"):
    """Return dict with the raw and rounded lambdas chosen on (X, y).

    lasso_rule "1se" (the demo's rule) or "min" (plain CV minimum; only for
    comparison in the robustness study).
    """
    n = len(y)
    sd = X.std(axis=0)            # population sd, ddof=0
    Z = X / sd
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lcv = LassoCV(cv=KFold(10), n_alphas=100, eps=1e-3, tol=1e-10,
                      max_iter=1_000_000).fit(Z, y)
    mean = lcv.mse_path_.mean(axis=1)
    se = lcv.mse_path_.std(axis=1, ddof=1) / np.sqrt(lcv.mse_path_.shape[1])
    i = int(np.argmin(mean))
    lam_min = float(lcv.alphas_[i])
    lam_1se = float(lcv.alphas_[mean <= mean[i] + se[i]].max())
    rcv = RidgeCV(alphas=n * RIDGE_GRID, cv=None).fit(Z, y)   # exact LOO
    lam_ridge = float(rcv.alpha_) / n
    return dict(lasso_min=lam_min, lasso_1se=lam_1se, lasso_max=float(lcv.alphas_[0]),
                ridge_loo=lam_ridge, lasso=round_sig(lam_1se if lasso_rule == "1se" else lam_min),
                ridge=round_sig(lam_ridge))


def fit(X, y, lam_ridge, lam_lasso):
    """Fit OLS, ridge, lasso in the shrink convention; return {name: (b0, b)}."""
    n = len(y)
    sd = X.std(axis=0)
    Z = X / sd
    models = {
        "OLS": LinearRegression(),
        "Ridge": Ridge(alpha=n * lam_ridge),
        "Lasso": Lasso(alpha=lam_lasso, tol=1e-14, max_iter=10_000_000),
    }
    out = {}
    for name, m in models.items():
        m.fit(Z, y)
        out[name] = (float(m.intercept_), m.coef_ / sd)
    return out


def check_solutions(X, y, lam_ridge, lam_lasso, res):
    """Independent checks that the sklearn fits solve the shrink objective."""
    n = len(y)
    sd = X.std(axis=0)
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    # ridge: (Xc'Xc/n + lam*D^2) b = Xc'yc/n
    b_r = np.linalg.solve(Xc.T @ Xc / n + lam_ridge * np.diag(sd ** 2), Xc.T @ yc / n)
    ridge_err = np.abs(b_r - res["Ridge"][1]).max()
    # lasso KKT on the original scale: g_j = x_j'(y - b0 - Xb)/n ;
    # active: g_j = lam*sd_j*sign(b_j); inactive: |g_j| <= lam*sd_j
    b0, b = res["Lasso"]
    g = X.T @ (y - b0 - X @ b) / n
    act = b != 0
    kkt = max(np.abs(g[act] - lam_lasso * sd[act] * np.sign(b[act])).max(initial=0.0),
              np.maximum(np.abs(g[~act]) - lam_lasso * sd[~act], 0).max(initial=0.0))
    return ridge_err, kkt


def mse(X, y, b0, b):
    return float(np.mean((y - b0 - X @ b) ** 2))


def evaluate(train, test, lam=None, lasso_rule="1se"):
    X, y = train[:, :5], train[:, 5]
    Xt, yt = test[:, :5], test[:, 5]
    lam = lam or choose(X, y, lasso_rule)
    res = fit(X, y, lam["ridge"], lam["lasso"])
    table = {k: (b0, b, mse(X, y, b0, b), mse(Xt, yt, b0, b)) for k, (b0, b) in res.items()}
    bl, br = res["Lasso"][1], res["Ridge"][1]
    checks = {
        "lasso_zeroes_gpa_food": bool(bl[3] == 0 and bl[4] == 0),
        "lasso_keeps_hw_sleep_score": bool(np.all(bl[:3] != 0)),
        "ridge_all_nonzero": bool(np.all(br != 0)),
        "ridge_beats_ols": table["Ridge"][3] < table["OLS"][3],
        "lasso_beats_ols": table["Lasso"][3] < table["OLS"][3],
    }
    return lam, res, table, checks


def parse_seeds(s):
    out = []
    for part in s.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def report(train, test, label, lasso_rule="1se"):
    X, y = train[:, :5], train[:, 5]
    lam, res, table, checks = evaluate(train, test, lasso_rule=lasso_rule)
    print(f"== {label}")
    print(f"training n = {len(y)}, held-out n = {len(test)}")
    print("population sd (D):", " ".join(f"{c}={v:.10g}" for c, v in zip(FEATURES, X.std(axis=0))))
    print(f"lasso: lam_max={lam['lasso_max']:.6g}  10-fold CV min lam={lam['lasso_min']:.6g}  "
          f"1-SE lam={lam['lasso_1se']:.6g}  -> lambda_lasso = {lam['lasso']:g}")
    print(f"ridge: LOO CV lam={lam['ridge_loo']:.6g}  -> lambda_ridge = {lam['ridge']:g}")
    ridge_err, kkt = check_solutions(X, y, lam["ridge"], lam["lasso"], res)
    print(f"checks: ridge closed-form max|diff|={ridge_err:.2e}, lasso max KKT violation={kkt:.2e}")
    hdr = f"{'model':<22}{'b0':>12}" + "".join(f"{c:>12}" for c in FEATURES) + f"{'train MSE':>12}{'test MSE':>12}"
    print(hdr)
    for name, lab in (("OLS", "OLS"), ("Ridge", f"Ridge(lam={lam['ridge']:g})"),
                      ("Lasso", f"Lasso(lam={lam['lasso']:g})")):
        b0, b, tr, te = table[name]
        print(f"{lab:<22}{b0:>12.6f}" + "".join(f"{v:>12.6f}" for v in b) + f"{tr:>12.6f}{te:>12.6f}")
    print("conditions:", ", ".join(f"{k}={v}" for k, v in checks.items()))
    return checks


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--dir", default=os.path.normpath(os.path.join(here, "..", "..", "src", "Shrink.Cli", "Demo")),
                    help="directory holding students_train.csv / students_test.csv")
    ap.add_argument("--seeds", help="instead of the CSVs, regenerate and evaluate these seeds, e.g. 1-10")
    ap.add_argument("--quiet", action="store_true", help="with --seeds: one line per seed")
    ap.add_argument("--lasso-rule", choices=("1se", "min"), default="1se",
                    help="with --seeds: lasso selection rule (the demo uses 1se)")
    args = ap.parse_args(argv)

    if not args.seeds:
        load = lambda f: np.loadtxt(os.path.join(args.dir, f), delimiter=",", skiprows=1)
        report(load("students_train.csv"), load("students_test.csv"), f"CSV files in {args.dir}")
        return

    keys = None
    counts = None
    seeds = parse_seeds(args.seeds)
    first = None
    for seed in seeds:
        train, test = msd.generate(seed)
        ok_range = msd.in_range(train) and msd.in_range(test)
        if args.quiet:
            lam, _, table, checks = evaluate(train, test, lasso_rule=args.lasso_rule)
            print(f"seed {seed:4d}: lasso={lam['lasso']:<7g} ridge={lam['ridge']:<7g} "
                  f"MSE ols/ridge/lasso={table['OLS'][3]:.3f}/{table['Ridge'][3]:.3f}/{table['Lasso'][3]:.3f} "
                  + " ".join(f"{k}={int(v)}" for k, v in checks.items()) + f" in_range={int(ok_range)}")
        else:
            checks = report(train, test, f"seed {seed}", args.lasso_rule)
            print(f"in_range={ok_range}\n")
        if keys is None:
            keys = list(checks) + ["ALL (all five)"]
            counts = np.zeros(len(keys), int)
        v = [checks[k] for k in keys[:-1]]
        v.append(all(v))
        counts += np.array(v, int)
        if v[-1] and first is None:
            first = seed
    print(f"\nsummary over {len(seeds)} seeds ({args.seeds}), lasso rule {args.lasso_rule}:")
    for k, c in zip(keys, counts):
        print(f"  {k:<28} {c:4d} / {len(seeds)}")
    print(f"  first seed where all five hold: {first}")


if __name__ == "__main__":
    main()
