using Xunit;
using Shrink.Solvers;

namespace Shrink.Tests;

/// <summary>
/// Weights, offsets, penalty factors, exclusion and bounds: invariants with a known answer (integer weights are
/// repeated rows, an offset is a shifted target, equal factors are no factors) and the general KKT certificate.
/// </summary>
[Collection(nameof(WorkingDirectory))]
public class ControlTests
{
    private const double Tight = 1e-12;
    private const double SameFit = 1e-7;
    private const double Kkt = 1e-6;

    public static TheoryData<string, bool, bool> Settings()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var penalty in new[] { "lasso", "elasticnet", "ridge" })
            foreach (bool intercept in new[] { true, false })
                foreach (bool standardize in new[] { true, false })
                    data.Add(penalty, intercept, standardize);
        return data;
    }

    private static FitOptions Options(string penalty, bool intercept, bool standardize, double lambda) => new()
    {
        Penalty = Names.ParsePenalty(penalty),
        L1Ratio = penalty == "elasticnet" ? 0.6 : null,
        Lambda = lambda,
        FitIntercept = intercept,
        Standardize = standardize,
        Tolerance = Tight,
    };

    private static void AssertSameModel(LinearModel expected, LinearModel actual, double tolerance)
    {
        double scale = Math.Max(1, expected.Coefficients.Max(Math.Abs));
        Assert.True(Math.Abs(expected.Intercept - actual.Intercept) <= tolerance * Math.Max(1, Math.Abs(expected.Intercept)),
            $"intercept {expected.Intercept:R} vs {actual.Intercept:R}");
        for (int j = 0; j < expected.Coefficients.Count; j++)
            Assert.True(Math.Abs(expected.Coefficients[j] - actual.Coefficients[j]) <= tolerance * scale,
                $"b[{j}] {expected.Coefficients[j]:R} vs {actual.Coefficients[j]:R}");
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Integer_weights_fit_what_repeated_rows_fit(string penalty, bool intercept, bool standardize)
    {
        var (x, y) = RandomData.Make(11, 40, 6);
        var rng = new Random(3);
        var weights = Enumerable.Range(0, 40).Select(_ => (double)rng.Next(0, 4)).ToArray();
        var rows = new List<double[]>();
        var target = new List<double>();
        for (int i = 0; i < 40; i++)
            for (int k = 0; k < weights[i]; k++) { rows.Add(x[i]); target.Add(y[i]); }

        var options = Options(penalty, intercept, standardize, 0.05);
        var weighted = Regression.Fit(new Dataset(FeatureMatrix.FromRows(x), y, weights: weights), options);
        var repeated = Regression.Fit(new Dataset(FeatureMatrix.FromRows(rows), target.ToArray()), options);
        AssertSameModel(repeated, weighted, SameFit);
        Assert.True(weighted.Controls.Weighted);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Weighted_paths_agree_in_both_solver_forms_and_with_repeated_rows(bool gram)
    {
        var (x, y) = RandomData.Make(12, 60, 5);
        var weights = Enumerable.Range(0, 60).Select(i => (double)(i % 3)).ToArray();
        var rows = new List<double[]>();
        var target = new List<double>();
        for (int i = 0; i < 60; i++)
            for (int k = 0; k < weights[i]; k++) { rows.Add(x[i]); target.Add(y[i]); }
        var options = new PathOptions { Fit = new FitOptions { Penalty = Penalty.ElasticNet, L1Ratio = 0.7, Tolerance = Tight }, LambdaCount = 20 };
        GramState.Override = gram;
        try
        {
            var weighted = Regression.Path(new Dataset(FeatureMatrix.FromRows(x), y, weights: weights), options);
            var repeated = Regression.Path(new Dataset(FeatureMatrix.FromRows(rows), target.ToArray()), options);
            Assert.Equal(repeated.Lambdas, weighted.Lambdas, (a, b) => Math.Abs(a - b) <= 1e-12 * a);
            for (int k = 0; k < repeated.Count; k++) AssertSameModel(repeated.Model(k), weighted.Model(k), SameFit);
        }
        finally { GramState.Override = null; }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void An_offset_is_a_shifted_target(string penalty, bool intercept, bool standardize)
    {
        var (x, y) = RandomData.Make(13, 50, 5);
        var offset = Enumerable.Range(0, 50).Select(i => Math.Sin(i) * 3).ToArray();
        var shifted = y.Select((v, i) => v - offset[i]).ToArray();
        var options = Options(penalty, intercept, standardize, 0.03);
        var withOffset = Regression.Fit(new Dataset(FeatureMatrix.FromRows(x), y, offset: offset), options);
        var plain = Regression.Fit(new Dataset(FeatureMatrix.FromRows(x), shifted), options);
        AssertSameModel(plain, withOffset, SameFit);
        Assert.True(withOffset.Controls.HasOffset);
        var predicted = withOffset.Predict(FeatureMatrix.FromRows(x), offset);
        var expected = plain.Predict(FeatureMatrix.FromRows(x));
        for (int i = 0; i < 50; i++) Assert.Equal(expected[i] + offset[i], predicted[i], 9);
    }

    [Fact]
    public void Equal_penalty_factors_are_no_factors_and_factors_are_rescaled_to_sum_to_p()
    {
        var (x, y) = RandomData.Make(14, 50, 5);
        var data = RandomData.Dataset(x, y);
        var plain = Regression.Fit(data, new FitOptions { Lambda = 0.05, Tolerance = Tight });
        var names = data.FeatureNames;
        var equal = Regression.Fit(data, new FitOptions { Lambda = 0.05, Tolerance = Tight, PenaltyFactors = names.ToDictionary(n => n, _ => 7.0) });
        AssertSameModel(plain, equal, SameFit);
        Assert.All(equal.Controls.PenaltyFactors!.Values, f => Assert.Equal(1.0, f, 12));

        var shaped = Regression.Fit(data, new FitOptions { Lambda = 0.05, Tolerance = Tight, PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0, ["x2"] = 3 } });
        Assert.Equal(5.0, shaped.Controls.PenaltyFactors!.Values.Sum(), 12);
        Assert.Equal(0.0, shaped.Controls.PenaltyFactors["x1"]);
        Assert.Equal(3 * 5.0 / 6, shaped.Controls.PenaltyFactors["x2"], 12);
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Factors_weights_offsets_and_bounds_together_meet_the_optimality_conditions(string penalty, bool intercept, bool standardize)
    {
        var (x, y) = RandomData.Make(15, 45, 7);
        var rng = new Random(5);
        var weights = Enumerable.Range(0, 45).Select(i => i % 9 == 0 ? 0 : 0.2 + rng.NextDouble()).ToArray();
        var offset = Enumerable.Range(0, 45).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var data = new Dataset(FeatureMatrix.FromRows(x), y, weights: weights, offset: offset);
        var options = Options(penalty, intercept, standardize, 0.02) with
        {
            PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0, ["x3"] = 2.5, ["x6"] = 0.3 },
            LowerBounds = new Dictionary<string, double> { ["x1"] = -0.2, ["x5"] = 0 },
            UpperBounds = new Dictionary<string, double> { ["x3"] = 0.1, ["x7"] = 0 },
        };
        foreach (bool? gram in new bool?[] { null, true, false })
        {
            GramState.Override = gram;
            try
            {
                var model = gram is null ? Regression.Fit(data, options) : Regression.Path(data, new PathOptions { Fit = options, LambdaCount = 12 }).Model(11);
                var factors = data.FeatureNames.Select(n => model.Controls.PenaltyFactors![n]).ToArray();
                var lower = data.FeatureNames.Select(n => model.Controls.LowerBounds!.TryGetValue(n, out var v) ? v : double.NegativeInfinity).ToArray();
                var upper = data.FeatureNames.Select(n => model.Controls.UpperBounds!.TryGetValue(n, out var v) ? v : double.PositiveInfinity).ToArray();
                var problem = new ControlProblem(x, y, weights, offset, factors, lower, upper, intercept, standardize);
                var canonical = new CanonicalPenalty(model.CanonicalLambda, model.CanonicalL1Ratio);
                double kkt = problem.KktViolation(model.Intercept, model.Coefficients, canonical.L1, canonical.L2);
                Assert.True(kkt <= Kkt, $"gram {gram}: KKT violation {kkt:G3}, gap {model.Diagnostics.DualityGap:G3}, iterations {model.Diagnostics.Iterations}, converged {model.Diagnostics.Converged}, {model.Diagnostics.Solver}, b {string.Join(" ", model.Coefficients.Select(v => v.ToString("G4")))}");
                Assert.True(model.Diagnostics.Converged);
                for (int j = 0; j < 7; j++) Assert.InRange(model.Coefficients[j], lower[j], upper[j]);
            }
            finally { GramState.Override = null; }
        }
    }

    [Fact]
    public void A_bound_that_binds_holds_the_coefficient_exactly_there_and_the_gap_is_honest()
    {
        var (x, y) = RandomData.Make(16, 80, 4, noise: 0.1);
        var data = RandomData.Dataset(x, y);
        var free = Regression.Fit(data, new FitOptions { Lambda = 0.01, Tolerance = Tight });
        int strongest = Enumerable.Range(0, 4).MaxBy(j => Math.Abs(free.Coefficients[j]));
        string name = data.FeatureNames[strongest];
        double bound = free.Coefficients[strongest] / 2;
        var options = new FitOptions
        {
            Lambda = 0.01, Tolerance = Tight,
            LowerBounds = bound < 0 ? new Dictionary<string, double> { [name] = bound } : null,
            UpperBounds = bound > 0 ? new Dictionary<string, double> { [name] = bound } : null,
        };
        var bounded = Regression.Fit(data, options);
        Assert.Equal(bound, bounded.Coefficients[strongest]);
        var problem = new ControlProblem(x, y, Lower: bound < 0 ? Fill(4, strongest, bound, double.NegativeInfinity) : null,
            Upper: bound > 0 ? Fill(4, strongest, bound, double.PositiveInfinity) : null);
        Assert.True(problem.KktViolation(bounded.Intercept, bounded.Coefficients, 0.01, 0) <= Kkt);
        // The reported gap bounds the distance to the optimum: a much tighter solve is not better by more than it.
        Assert.True(bounded.Diagnostics.DualityGap >= 0);
        Assert.True(bounded.Diagnostics.Objective - problem.Objective(bounded.Intercept, bounded.Coefficients, 0.01, 0) is > -1e-12 and < 1e-12);
    }

    private static double[] Fill(int p, int j, double value, double others)
    {
        var a = Enumerable.Repeat(others, p).ToArray();
        a[j] = value;
        return a;
    }

    [Fact]
    public void Positive_least_squares_is_exact_and_keeps_every_coefficient_non_negative()
    {
        var (x, y) = RandomData.Make(17, 60, 6);
        var model = Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Penalty = Penalty.Ols, Positive = true, Tolerance = Tight });
        Assert.All(model.Coefficients, b => Assert.True(b >= 0));
        Assert.Contains(model.Coefficients, b => b == 0);
        var problem = new ControlProblem(x, y, Lower: new double[6]);
        Assert.True(problem.KktViolation(model.Intercept, model.Coefficients, 0, 0) <= Kkt);
    }

    [Fact]
    public void An_unpenalized_feature_is_in_every_model_of_the_path_and_lambda_max_zeroes_the_rest()
    {
        var (x, y) = RandomData.Make(18, 70, 6);
        var data = RandomData.Dataset(x, y);
        var fit = new FitOptions { PenaltyFactors = new Dictionary<string, double> { ["x2"] = 0 }, Tolerance = Tight };
        var path = Regression.Path(data, new PathOptions { Fit = fit, LambdaCount = 15 });
        for (int k = 0; k < path.Count; k++) Assert.NotEqual(0, path.Model(k).Coefficient("x2"));
        var top = path.Model(0);
        Assert.Equal(1, top.NonZeroCount);
        double lambdaMax = Regression.LambdaMax(data, fit);
        Assert.Equal(lambdaMax, path.Lambdas[0], 12);
        var below = Regression.Fit(data, fit with { Lambda = lambdaMax * 0.98 });
        Assert.Equal(2, below.NonZeroCount);
    }

    [Fact]
    public void Excluding_a_feature_is_fitting_without_it()
    {
        var (x, y) = RandomData.Make(19, 50, 5);
        var data = RandomData.Dataset(x, y);
        var excluded = Regression.Fit(data, new FitOptions { Lambda = 0.03, Tolerance = Tight, Exclude = ["x3"] });
        var without = Regression.Fit(new Dataset(FeatureMatrix.FromRows(x.Select(r => new[] { r[0], r[1], r[3], r[4] }).ToArray()), y, ["x1", "x2", "x4", "x5"]),
            new FitOptions { Lambda = 0.03, Tolerance = Tight });
        Assert.Equal(0, excluded.Coefficient("x3"));
        Assert.Equal(["x3"], excluded.Controls.Excluded);
        foreach (var name in without.FeatureNames) Assert.Equal(without.Coefficient(name), excluded.Coefficient(name), 9);
    }

    [Fact]
    public void Weighted_cross_validation_ignores_rows_of_weight_zero()
    {
        var (x, y) = RandomData.Make(20, 60, 4);
        var weights = Enumerable.Range(0, 60).Select(i => i < 50 ? 1.0 : 0).ToArray();
        var spoiled = y.Select((v, i) => i < 50 ? v : v + 1e3).ToArray();
        var options = new CrossValidationOptions { Path = new PathOptions { Fit = new FitOptions { Tolerance = Tight }, LambdaCount = 10 }, Folds = 5, Seed = 3 };
        var a = Regression.CrossValidate(new Dataset(FeatureMatrix.FromRows(x), y, weights: weights), options);
        var b = Regression.CrossValidate(new Dataset(FeatureMatrix.FromRows(x), spoiled, weights: weights), options);
        Assert.Equal(a.Best.Mean, b.Best.Mean, (u, v) => Math.Abs(u - v) <= 1e-9 * Math.Abs(u));
        Assert.Equal(a.Best.LambdaMin, b.Best.LambdaMin);
    }

    [Fact]
    public void Weighted_leave_one_out_is_exact()
    {
        var (x, y) = RandomData.Make(21, 25, 3);
        var rng = new Random(8);
        var weights = Enumerable.Range(0, 25).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        var data = new Dataset(FeatureMatrix.FromRows(x), y, weights: weights);
        var options = new CrossValidationOptions
        {
            Path = new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge, Standardize = false }, Lambdas = [0.5, 0.05] },
            LeaveOneOut = true,
        };
        var result = Regression.CrossValidate(data, options);
        // Brute force: drop row i, refit weighted ridge on the others with the full data's weighted centring held fixed,
        // which is what the hat-matrix shortcut computes (as scikit-learn's RidgeCV).
        double total = weights.Sum();
        var w = weights.Select(v => v * 25 / total).ToArray();
        var means = Enumerable.Range(0, 3).Select(j => Enumerable.Range(0, 25).Sum(i => w[i] * x[i][j]) / 25).ToArray();
        double yMean = Enumerable.Range(0, 25).Sum(i => w[i] * y[i]) / 25;
        for (int l = 0; l < 2; l++)
        {
            double lambda = options.Path.Lambdas![l], error = 0;
            for (int i = 0; i < 25; i++)
            {
                // Minimise Σ_{k≠i} w_k (ỹ_k − a − x̃_kᵀb)² / (2·25) + λ/2‖b‖² with an intercept a in the centred frame.
                var keep = Enumerable.Range(0, 25).Where(k => k != i).ToArray();
                var (a, b) = WeightedRidge(keep.Select(k => x[k].Select((v, j) => v - means[j]).ToArray()).ToArray(),
                    keep.Select(k => y[k] - yMean).ToArray(), keep.Select(k => w[k]).ToArray(), 25 * lambda);
                double predicted = a + Enumerable.Range(0, 3).Sum(j => (x[i][j] - means[j]) * b[j]);
                error += w[i] * Math.Pow(y[i] - yMean - predicted, 2);
            }
            Assert.Equal(error / 25, result.Best.Mean[l], 9);
        }
    }

    /// <summary>Weighted least squares with an unpenalized intercept and a ridge term, by normal equations.</summary>
    private static (double A, double[] B) WeightedRidge(double[][] x, double[] y, double[] w, double ridge)
    {
        int p = x[0].Length, m = p + 1;
        var g = new double[m, m];
        var r = new double[m];
        for (int i = 0; i < x.Length; i++)
        {
            var z = new[] { 1.0 }.Concat(x[i]).ToArray();
            for (int u = 0; u < m; u++)
            {
                r[u] += w[i] * z[u] * y[i];
                for (int v = 0; v < m; v++) g[u, v] += w[i] * z[u] * z[v];
            }
        }
        for (int u = 1; u < m; u++) g[u, u] += ridge;
        // Gaussian elimination (m is tiny).
        for (int c = 0; c < m; c++)
            for (int k = c + 1; k < m; k++)
            {
                double f = g[k, c] / g[c, c];
                for (int v = c; v < m; v++) g[k, v] -= f * g[c, v];
                r[k] -= f * r[c];
            }
        var s = new double[m];
        for (int c = m - 1; c >= 0; c--)
        {
            double t = r[c];
            for (int v = c + 1; v < m; v++) t -= g[c, v] * s[v];
            s[c] = t / g[c, c];
        }
        return (s[0], s[1..]);
    }

    [Fact]
    public void Bad_controls_are_clear_errors()
    {
        var (x, y) = RandomData.Make(22, 20, 3);
        var data = RandomData.Dataset(x, y);
        Assert.Contains("weights must be finite and ≥ 0; got -1 at row 2", Assert.Throws<ShrinkException>(() =>
            new Dataset(FeatureMatrix.FromRows(x), y, weights: [1, -1, .. Enumerable.Repeat(1.0, 18)])).Message);
        Assert.Contains("the weights are all 0", Assert.Throws<ShrinkException>(() => new Dataset(FeatureMatrix.FromRows(x), y, weights: new double[20])).Message);
        Assert.Contains("the weights have 3 values but X has 20 rows", Assert.Throws<ShrinkException>(() => new Dataset(FeatureMatrix.FromRows(x), y, weights: [1, 2, 3])).Message);
        Assert.Contains("'penalty-factor' for feature 'x1' must be ≥ 0", Assert.Throws<ShrinkException>(() => new FitOptions { PenaltyFactors = new Dictionary<string, double> { ["x1"] = -1 } }).Message);
        Assert.Contains("'penalty-factor' names feature 'nope', which is not in the data (features: x1, x2, x3)", Assert.Throws<ShrinkException>(() =>
            Regression.Fit(data, new FitOptions { Lambda = 1, PenaltyFactors = new Dictionary<string, double> { ["nope"] = 2 } })).Message);
        Assert.Contains("'lower' for feature 'x2' must be ≤ 0", Assert.Throws<ShrinkException>(() => new FitOptions { LowerBounds = new Dictionary<string, double> { ["x2"] = 1 } }).Message);
        Assert.Contains("'upper' for feature 'x2' must be ≥ 0", Assert.Throws<ShrinkException>(() => new FitOptions { UpperBounds = new Dictionary<string, double> { ["x2"] = -1 } }).Message);
        Assert.Contains("'upper' names feature 'x9'", Assert.Throws<ShrinkException>(() =>
            Regression.Fit(data, new FitOptions { Lambda = 1, UpperBounds = new Dictionary<string, double> { ["x9"] = 2 } })).Message);
        Assert.Contains("conflicts with 'positive'", Assert.Throws<ShrinkException>(() =>
            Regression.Fit(data, new FitOptions { Lambda = 1, Positive = true, LowerBounds = new Dictionary<string, double> { ["x1"] = -1 } })).Message);
        Assert.Contains("'exclude' names feature 'zz'", Assert.Throws<ShrinkException>(() => Regression.Fit(data, new FitOptions { Lambda = 1, Exclude = ["zz"] })).Message);
        Assert.Contains("'gamma' must be in [0, 1]; got 1.5", Assert.Throws<ShrinkException>(() => new FitOptions { RelaxGamma = 1.5 }).Message);
        Assert.Contains("every penalty factor is 0", Assert.Throws<ShrinkException>(() =>
            Regression.Fit(data, new FitOptions { Lambda = 1, PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0, ["x2"] = 0, ["x3"] = 0 } })).Message);
    }

    [Theory]
    [InlineData(true, 1.0)]
    [InlineData(false, 2.0)]
    public void The_adaptive_lasso_is_the_lasso_with_factors_from_its_initial_fit(bool standardize, double nu)
    {
        var (x, y) = RandomData.Make(23, 60, 5);
        var data = RandomData.Dataset(x, y);
        var options = new FitOptions { Lambda = 0.02, Standardize = standardize, Tolerance = Tight, Adaptive = new AdaptiveOptions { Nu = nu } };
        var weights = Regression.AdaptiveWeights(data, options);
        // n > p: the initial fit is least squares, computed here independently.
        var ols = Regression.Fit(data, new FitOptions { Penalty = Penalty.Ols, Standardize = standardize });
        Assert.Equal(Penalty.Ols, weights.Initial.Penalty);
        var scales = new ControlProblem(x, y, Standardize: standardize).Scales();
        for (int j = 0; j < 5; j++)
            Assert.Equal(Math.Pow(Math.Abs(ols.Coefficients[j] * scales[j]), -nu), weights.Factors[data.FeatureNames[j]], 9);
        var adaptive = Regression.Fit(data, options);
        var explicitFactors = Regression.Fit(data, options with { Adaptive = null, PenaltyFactors = weights.Factors });
        AssertSameModel(explicitFactors, adaptive, 1e-12);
        // Path and cross-validation use the same factors.
        var path = Regression.Path(data, new PathOptions { Fit = options, Lambdas = [0.1, 0.02] });
        AssertSameModel(adaptive, path.Model(1), SameFit);
    }

    [Fact]
    public void The_adaptive_lasso_starts_from_ridge_when_least_squares_has_no_answer()
    {
        var (x, y) = RandomData.Make(24, 20, 30);
        var data = RandomData.Dataset(x, y);
        var weights = Regression.AdaptiveWeights(data, new FitOptions { Adaptive = new AdaptiveOptions() });
        Assert.Equal(Penalty.Ridge, weights.Initial.Penalty);
        var loo = Regression.CrossValidate(data, new CrossValidationOptions
        {
            Path = new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge } }, LeaveOneOut = true, Choose = LambdaChoice.Min,
        });
        Assert.Equal(loo.Lambda, weights.Initial.Lambda);
        Assert.Throws<ShrinkException>(() => Regression.AdaptiveWeights(data, new FitOptions { Adaptive = new AdaptiveOptions { Initial = AdaptiveInitial.Ols } }));
    }
}
