#!/usr/bin/python3
"""Deterministic generator for the "student score" demo data of Shrink.

Story
-----
Predict a student's test score (``test_score``) from

* ``hw``    -- hours of homework in the week before the test,
* ``sleep`` -- hours of sleep the night before the test,
* ``score`` -- the student's last test score (0-100),
* ``gpa``   -- grade point average (0-4),
* ``food``  -- whether the student ate before the test (0/1).

Only ``hw``, ``sleep`` and ``score`` carry signal.  ``gpa`` is a noisy copy of
``score`` (strongly collinear with it, correlation about 0.9) and has no effect
of its own; ``food`` is a fair coin, independent of everything.

Process (one student; all draws independent unless stated)
-----------------------------------------------------------
Latent standard normals::

    m, e_hw, e_sleep, e_score, e_gpa, eps ~ N(0, 1)
    z_j = W*m + sqrt(1 - W^2)*e_j          for j in {hw, sleep, score}

``m`` is a shared "motivation" factor, so ``hw``, ``sleep`` and ``score`` are
mutually correlated with correlation W^2 = 0.5 (motivated students do more
homework, sleep more and did better last time).  Then, in this order::

    hw         = round(HW_MEAN    + HW_SD    * z_hw,    1)
    sleep      = round(SLEEP_MEAN + SLEEP_SD * z_sleep, 1)
    score      = round(SCORE_MEAN + SCORE_SD * z_score, 0)
    gpa        = round(GPA_A + GPA_B * score + GPA_NOISE_SD * e_gpa, 2)
    food       = Bernoulli(0.5)                        (0 or 1)
    test_score = round(C0 + C_HW*hw + C_SLEEP*sleep + C_SCORE*score
                       + NOISE_SD*eps, 1)

``gpa`` and ``test_score`` are computed from the *rounded* hw/sleep/score,
i.e. from the values written to the CSV, so that apart from the final
0.1-rounding of ``test_score`` (an extra uniform error of variance 0.01/12,
negligible next to NOISE_SD^2 = 9) the linear model in the CSV columns is
exact.  No value is ever clipped: the parameters put every range boundary
at least 5.3 standard deviations from the mean, and the script checks that
every generated value lies in its range (hw >= 0, 0 <= score <= 100,
0 <= gpa <= 4, 0 <= test_score <= 100, sleep in [0, 24]); it fails rather
than clip.

Constants (see below)::

    W = sqrt(0.5)
    HW_MEAN, HW_SD         = 7.0, 1.3
    SLEEP_MEAN, SLEEP_SD   = 7.0, 1.0
    SCORE_MEAN, SCORE_SD   = 62.0, 6.5
    GPA_A, GPA_B, GPA_NOISE_SD = 0.3, 0.035, 0.11
    C0, C_HW, C_SLEEP, C_SCORE = 0.0, 1.5, 2.5, 0.5
    NOISE_SD               = 3.0

Population facts implied by them (before rounding): hw ~ N(7, 1.3^2),
sleep ~ N(7, 1), score ~ N(62, 6.5^2), pairwise correlation 0.5 among the
three; gpa ~ N(2.47, 0.253^2) with corr(gpa, score) = 0.2275/0.2527 = 0.900;
E[test_score] = 59.0, sd(test_score) = 7.00, noise sd 3, population
R^2 = 0.816.  Nearest range boundaries: hw = 0 at -5.4 sd, score = 100 at
+5.8 sd, gpa = 4 at +6.1 sd, test_score = 100 at +5.9 sd.  (All 200 seeds
1..200 were checked: none produces an out-of-range value.)

Random stream
-------------
One ``numpy.random.default_rng(seed)`` (PCG64) generator per data set pair.
The training set (N_TRAIN = 40 rows) is drawn first, then the held-out set
(N_TEST = 5000 rows) continues the *same* stream.  Each set is drawn
column-wise, one vectorised call per variable, in this order::

    m, e_hw, e_sleep, e_score  : rng.standard_normal(n) each
    e_gpa                      : rng.standard_normal(n)
    food                       : rng.integers(0, 2, n)
    eps                        : rng.standard_normal(n)

The demo uses SEED = 28.  It was *selected*: it is the first seed in
1, 2, 3, ... for which the lasso/ridge/OLS comparison of
tools/demo/choose_lambdas.py shows every property the demo wants to show;
that happens for only about 1 seed in 10 (19 of seeds 1..200, 0 of seeds
1..10).  See tools/demo/README.md.

Rounding
--------
numpy.round (round-half-to-even on the binary double), then every value is
round-tripped through its CSV text (hw, sleep, test_score: 1 decimal; score:
0 decimals, written without a decimal point; gpa: 2 decimals; food: 0/1), so
the in-memory data and the files are identical.  The rounding is part of the
process: the CSV files are the data.

Usage::

    /usr/bin/python3 tools/demo/make_student_data.py [--seed 28] [--out DIR]

Default output directory: src/Shrink.Cli/Demo/ (students_train.csv,
students_test.csv).  Requires numpy (tested with 1.24.2).
"""

import argparse
import os
import sys

import numpy as np

SEED = 28
N_TRAIN = 40
N_TEST = 5000

W = np.sqrt(0.5)          # loading on the shared motivation factor
HW_MEAN, HW_SD = 7.0, 1.3
SLEEP_MEAN, SLEEP_SD = 7.0, 1.0
SCORE_MEAN, SCORE_SD = 62.0, 6.5
GPA_A, GPA_B, GPA_NOISE_SD = 0.3, 0.035, 0.11
C0, C_HW, C_SLEEP, C_SCORE = 0.0, 1.5, 2.5, 0.5
NOISE_SD = 3.0

COLUMNS = ("hw", "sleep", "score", "gpa", "food", "test_score")
DECIMALS = (1, 1, 0, 2, 0, 1)


def draw(rng, n, noise_sd=NOISE_SD, w=W, gpa_noise_sd=GPA_NOISE_SD):
    """Draw n students from rng; returns an (n, 6) float array in COLUMNS order.

    The keyword arguments exist only for the design study in choose_lambdas.py;
    the demo data use the module defaults.
    """
    m = rng.standard_normal(n)
    e_hw = rng.standard_normal(n)
    e_sleep = rng.standard_normal(n)
    e_score = rng.standard_normal(n)
    e_gpa = rng.standard_normal(n)
    food = rng.integers(0, 2, n).astype(float)
    eps = rng.standard_normal(n)

    u = np.sqrt(1.0 - w * w)
    hw = np.round(HW_MEAN + HW_SD * (w * m + u * e_hw), 1)
    sleep = np.round(SLEEP_MEAN + SLEEP_SD * (w * m + u * e_sleep), 1)
    score = np.round(SCORE_MEAN + SCORE_SD * (w * m + u * e_score), 0)
    gpa = np.round(GPA_A + GPA_B * score + gpa_noise_sd * e_gpa, 2)
    test_score = np.round(C0 + C_HW * hw + C_SLEEP * sleep + C_SCORE * score
                          + noise_sd * eps, 1)
    data = np.column_stack([hw, sleep, score, gpa, food, test_score])
    # Round-trip every value through its CSV text so that the in-memory array
    # is bit-for-bit what a CSV reader gets back (and -0.0 becomes 0.0).
    return np.array([[float(f"{v:.{d}f}") + 0.0 for v, d in zip(row, DECIMALS)]
                     for row in data])


def generate(seed=SEED, **kw):
    """Return (train, test) arrays drawn from one default_rng(seed) stream."""
    rng = np.random.default_rng(seed)
    train = draw(rng, N_TRAIN, **kw)
    test = draw(rng, N_TEST, **kw)
    return train, test


def in_range(data):
    """True if every value lies in its natural range (no clipping needed)."""
    hw, sleep, score, gpa, food, y = data.T
    return bool((hw >= 0).all() and ((sleep >= 0) & (sleep <= 24)).all()
                and ((score >= 0) & (score <= 100)).all()
                and ((gpa >= 0) & (gpa <= 4)).all()
                and np.isin(food, (0.0, 1.0)).all()
                and ((y >= 0) & (y <= 100)).all())


def write_csv(path, data):
    with open(path, "w", newline="\n", encoding="ascii") as f:
        f.write(",".join(COLUMNS) + "\n")
        for row in data:
            f.write(",".join(f"{v:.{d}f}" for v, d in zip(row, DECIMALS)) + "\n")


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "..", "src", "Shrink.Cli", "Demo"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", default=default_out)
    args = ap.parse_args(argv)

    train, test = generate(args.seed)
    for name, data in (("train", train), ("test", test)):
        if not in_range(data):
            sys.exit(f"seed {args.seed}: {name} set has a value out of range; "
                     "refusing to clip -- pick other parameters")
    os.makedirs(args.out, exist_ok=True)
    write_csv(os.path.join(args.out, "students_train.csv"), train)
    write_csv(os.path.join(args.out, "students_test.csv"), test)
    print(f"seed {args.seed}: wrote {len(train)} + {len(test)} rows to {args.out}")


if __name__ == "__main__":
    main()
