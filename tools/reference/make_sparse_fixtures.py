#!/usr/bin/python3
"""Sparse reference fixtures: scikit-learn's Lasso and ElasticNet fitted on scipy.sparse (CSC) input.

scikit-learn (1.2) centres sparse X implicitly when fit_intercept=True (it passes the column means to its sparse
coordinate descent instead of centring the matrix), which is the same implicit centring Shrink does; it never
standardizes, so every case is Shrink's standardize=false, convention 'sklearn'. Written to
tests/Shrink.Tests/SparseFixtures/sparse_sklearn.json: the matrix as CSC arrays (0-based), y, and per case
the estimator, alpha, l1_ratio, fit_intercept, optional sample weights, coef_ and intercept_.
Run with Debian's interpreter: /usr/bin/python3 tools/reference/make_sparse_fixtures.py
"""
import json, os
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import Lasso, ElasticNet

SEED = 20261126
rng = np.random.default_rng(SEED)


def make(n, p, density):
    X = sp.random(n, p, density=density, format="csc", random_state=SEED, data_rvs=lambda m: rng.standard_normal(m) * 2 + 1)
    X.sort_indices()
    beta = np.zeros(p)
    beta[: max(3, p // 5)] = rng.standard_normal(max(3, p // 5)) * 2
    y = X @ beta + 3 + 0.3 * rng.standard_normal(n)
    return X, y


def cases(X, y, name):
    out = []
    n = X.shape[0]
    lam_max = np.max(np.abs(X.T @ (y - y.mean()))) / n
    weights = rng.uniform(0.2, 2.0, n)
    for est, l1 in (("lasso", 1.0), ("elasticnet", 0.5)):
        for frac in (0.5, 0.1, 0.01):
            for intercept in (True, False):
                for weighted in (False, True):
                    alpha = frac * lam_max / l1
                    cls = Lasso(alpha=alpha, fit_intercept=intercept, tol=1e-14, max_iter=1_000_000) if est == "lasso" else \
                        ElasticNet(alpha=alpha, l1_ratio=l1, fit_intercept=intercept, tol=1e-14, max_iter=1_000_000)
                    cls.fit(X, y, sample_weight=weights if weighted else None)
                    out.append({
                        "id": f"{name}-{est}-{frac}-{'int' if intercept else 'noint'}{'-w' if weighted else ''}",
                        "estimator": est, "alpha": alpha, "l1_ratio": l1, "fit_intercept": intercept,
                        "sample_weight": list(weights) if weighted else None,
                        "coef": list(cls.coef_), "intercept": float(cls.intercept_),
                    })
    return out


data = []
for name, (n, p, d) in {"tall": (80, 12, 0.3), "wide": (40, 120, 0.1)}.items():
    X, y = make(n, p, d)
    data.append({
        "name": name, "n": n, "p": p, "indptr": X.indptr.tolist(), "indices": X.indices.tolist(), "data": X.data.tolist(),
        "y": y.tolist(), "cases": cases(X, y, name),
    })

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Shrink.Tests", "SparseFixtures", "sparse_sklearn.json")
with open(out, "w") as f:
    json.dump({"generator": "tools/reference/make_sparse_fixtures.py", "sklearn": sklearn.__version__, "seed": SEED,
               "sets": data}, f, indent=1)
print("wrote", out, sum(len(s["cases"]) for s in data), "cases")
