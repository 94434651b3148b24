using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>Several targets: independent fits equal separate single-target fits; the multi-task lasso's own behaviour.</summary>
[Collection(nameof(WorkingDirectory))] // flips process-wide switches (Gram form, CV parallelism)
public class MultiTargetTests
{
    /// <summary>Three targets on one design: one on another scale, one constant-free noise, one sharing features.</summary>
    internal static (double[][] X, double[][] Y, MultiTargetDataset Data) Make(int seed = 31, int n = 90, int p = 12)
    {
        var (x, y1) = RandomData.Make(seed, n, p);
        var rng = new Random(seed + 1);
        var y2 = y1.Select((v, i) => 50 - 8 * v + 3 * x[i][1] + RandomData.Gaussian(rng)).ToArray();
        var y3 = x.Select(row => 0.5 * row[0] - row[5] + 0.3 * RandomData.Gaussian(rng)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => new[] { y1[i], y2[i], y3[i] }).ToArray();
        return (x, y, new MultiTargetDataset(FeatureMatrix.FromRows(x), [y1, y2, y3], null, ["a", "b", "c"]));
    }

    private static void AssertSame(LinearModel expected, LinearModel actual)
    {
        Assert.Equal(expected.Intercept, actual.Intercept);
        Assert.Equal(expected.Coefficients, actual.Coefficients);
        Assert.Equal(expected.Diagnostics, actual.Diagnostics);
        Assert.Equal(expected.CanonicalLambda, actual.CanonicalLambda);
    }

    [Theory]
    [InlineData(Penalty.Lasso, 0.05, Convention.Shrink, true, true)]
    [InlineData(Penalty.ElasticNet, 0.1, Convention.Glmnet, true, false)]
    [InlineData(Penalty.Ridge, 0.2, Convention.Sklearn, false, true)]
    [InlineData(Penalty.Ols, null, Convention.Shrink, true, true)]
    public void Independent_fits_are_exactly_the_single_target_fits(Penalty penalty, double? lambda, Convention convention, bool intercept, bool standardize)
    {
        var (_, _, data) = Make();
        var options = new FitOptions { Penalty = penalty, Lambda = lambda, Convention = convention, FitIntercept = intercept, Standardize = standardize };
        var each = Regression.FitEach(data, options);
        Assert.Equal(3, each.Count);
        for (int t = 0; t < 3; t++) AssertSame(Regression.Fit(data.ForTarget(t), options), each[t]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Independent_paths_are_exactly_the_single_target_paths_in_both_forms(bool gram)
    {
        var (_, _, data) = Make();
        var options = new PathOptions { Fit = new FitOptions { Penalty = Penalty.ElasticNet, L1Ratio = 0.7 }, LambdaCount = 25 };
        try
        {
            GramState.Override = gram;
            var each = Regression.PathEach(data, options);
            for (int t = 0; t < 3; t++)
            {
                var single = Regression.Path(data.ForTarget(t), options);
                Assert.Equal(single.Lambdas, each[t].Lambdas);
                for (int s = 0; s < single.Count; s++) AssertSame(single.Model(s), each[t].Model(s));
                Assert.Equal(gram ? "coordinate-descent (gram)" : "coordinate-descent", each[t].Model(10).Diagnostics.Solver);
            }
        }
        finally
        {
            GramState.Override = null;
        }
    }

    [Fact]
    public void Independent_cross_validation_is_the_single_target_one_on_the_same_folds()
    {
        var (_, _, data) = Make();
        var options = new CrossValidationOptions { Path = new PathOptions { LambdaCount = 15 }, Folds = 5, Seed = 3 };
        var each = Regression.CrossValidateEach(data, options);
        for (int t = 0; t < 3; t++)
        {
            var single = Regression.CrossValidate(data.ForTarget(t), options);
            Assert.Equal(single.Best.Mean, each[t].Best.Mean);
            Assert.Equal(single.Lambda, each[t].Lambda);
            Assert.Equal(single.FoldIds, each[t].FoldIds);
        }
    }

    [Fact]
    public void One_feature_multi_task_lasso_is_group_soft_thresholding_by_hand()
    {
        // x centred with ‖x‖²/n = 1: the solution is B = (1 − λ/‖z‖)₊·z with z = xᵀY/n, and b0 = ȳ.
        double[] x = [-2, -1, 0, 1, 2];
        double scale = Math.Sqrt(x.Sum(v => v * v) / x.Length);
        x = x.Select(v => v / scale).ToArray();
        double[] y1 = [1, 2, 2, 4, 6], y2 = [3, 1, 0, -2, -1];
        var data = new MultiTargetDataset(FeatureMatrix.FromColumns([x]), [y1, y2]);
        var z = new[] { y1, y2 }.Select(y => x.Zip(y, (a, b) => a * b).Sum() / x.Length).ToArray();
        double norm = Math.Sqrt(z.Sum(v => v * v));
        double lambda = 0.4 * norm;
        var model = Regression.FitMultiTask(data, new FitOptions { Lambda = lambda, Standardize = false, Tolerance = 1e-14 });
        for (int t = 0; t < 2; t++)
        {
            Assert.Equal((1 - lambda / norm) * z[t], model.Coefficients[0][t], 12);
            Assert.Equal(new[] { y1, y2 }[t].Average(), model.Intercepts[t], 12);
        }
        var zero = Regression.FitMultiTask(data, new FitOptions { Lambda = norm * 1.0001, Standardize = false });
        Assert.Equal(0, zero.NonZeroCount);
        Assert.Equal(norm, Regression.LambdaMaxMultiTask(data, new FitOptions { Standardize = false }), 12);
    }

    [Fact]
    public void Multi_task_lasso_selects_the_same_features_for_every_target()
    {
        var (x, y, data) = Make();
        var path = Regression.PathMultiTask(data, new PathOptions { LambdaCount = 30, Fit = new FitOptions { Tolerance = 1e-10 } });
        Assert.Equal(0, path.NonZero[0]);
        Assert.True(path.NonZero[^1] > path.NonZero[5]);
        Assert.True(path.R2[^1] > path.R2[0]);
        foreach (var m in path.Models)
        {
            Assert.True(m.Diagnostics.Converged);
            foreach (var row in m.Coefficients) Assert.True(row.All(b => b == 0) || row.All(b => b != 0), "a row is kept or dropped as a whole");
            double gap = MultiTaskCertificates.DualityGap(x, y, m.Intercepts, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, true, true);
            Assert.True(gap <= 1e-8 * m.Diagnostics.GapTolerance / m.Diagnostics.Tolerance + m.Diagnostics.GapTolerance, $"gap {gap:E2}");
        }
        // A single-λ fit is the path's point at that λ.
        var single = Regression.FitMultiTask(data, new FitOptions { Lambda = path.Lambdas[12], Tolerance = 1e-12 });
        double scale = single.Coefficients.Max(row => row.Max(Math.Abs));
        for (int j = 0; j < single.Coefficients.Count; j++)
            for (int t = 0; t < 3; t++)
                Assert.True(Math.Abs(single.Coefficients[j][t] - path.Model(12).Coefficients[j][t]) <= 1e-5 * scale);
    }

    [Theory]
    [InlineData(1.0, true, true)]
    [InlineData(0.6, true, false)]
    [InlineData(1.0, false, true)]
    [InlineData(0.3, false, false)]
    public void Multi_task_paths_in_gram_and_plain_form_agree(double r, bool intercept, bool standardize)
    {
        var (x, y, _) = Make(seed: 52, n: 120, p: 10);
        foreach (var row in x) row[4] = 2.5; // a constant column: excluded, or with neither intercept nor scaling a real feature
        var data = new MultiTargetDataset(FeatureMatrix.FromRows(x), Enumerable.Range(0, 3).Select(t => y.Select(row => row[t]).ToArray()).ToArray());
        var fit = new FitOptions { Penalty = r == 1 ? Penalty.Lasso : Penalty.ElasticNet, L1Ratio = r < 1 ? r : null, FitIntercept = intercept, Standardize = standardize, Tolerance = 1e-12 };
        MultiTaskPath gram, plain;
        try
        {
            GramState.Override = true;
            gram = Regression.PathMultiTask(data, new PathOptions { Fit = fit, LambdaCount = 25 });
            GramState.Override = false;
            plain = Regression.PathMultiTask(data, new PathOptions { Fit = fit, LambdaCount = 25 });
        }
        finally
        {
            GramState.Override = null;
        }
        Assert.All(gram.Models, m => Assert.Equal("block-coordinate-descent (gram)", m.Diagnostics.Solver));
        Assert.All(plain.Models, m => Assert.Equal("block-coordinate-descent", m.Diagnostics.Solver));
        Assert.Equal(plain.Lambdas, gram.Lambdas);
        for (int s = 0; s < gram.Count; s++)
        {
            var (g, q) = (gram.Model(s), plain.Model(s));
            Assert.True(g.Diagnostics.Converged && q.Diagnostics.Converged);
            double og = MultiTaskCertificates.Objective(x, y, g.Intercepts, g.Coefficients, g.CanonicalLambda, g.CanonicalL1Ratio, standardize);
            double oq = MultiTaskCertificates.Objective(x, y, q.Intercepts, q.Coefficients, q.CanonicalLambda, q.CanonicalL1Ratio, standardize);
            Assert.True(Math.Abs(og - oq) <= 1e-10 * oq, $"λ {s}: gram {og:R}, plain {oq:R}");
            Assert.Equal(og, g.Diagnostics.Objective, 1e-9 * og);
            double gap = MultiTaskCertificates.DualityGap(x, y, g.Intercepts, g.Coefficients, g.CanonicalLambda, g.CanonicalL1Ratio, standardize, intercept);
            Assert.True(gap <= 1e-9 * g.Diagnostics.GapTolerance / g.Diagnostics.Tolerance, $"λ {s}: independent gap {gap:E2}");
        }
    }

    [Theory]
    [InlineData(Penalty.Lasso, null, Convention.Shrink)]
    [InlineData(Penalty.ElasticNet, 0.4, Convention.Sklearn)]
    [InlineData(Penalty.ElasticNet, 0.7, Convention.Article)]
    public void With_one_target_the_multi_task_lasso_is_the_lasso(Penalty penalty, double? r, Convention convention)
    {
        var (_, _, data) = Make();
        var one = new MultiTargetDataset(data.Features, [data.Target(1).ToArray()], data.FeatureNames, ["b"]);
        var options = new FitOptions { Penalty = penalty, L1Ratio = r, Convention = convention, Lambda = 0.3, Tolerance = 1e-13 };
        var joint = Regression.FitMultiTask(one, options);
        var single = Regression.Fit(data.ForTarget(1), options);
        double scale = single.Coefficients.Max(Math.Abs);
        for (int j = 0; j < single.Coefficients.Count; j++)
            Assert.True(Math.Abs(single.Coefficients[j] - joint.Coefficients[j][0]) <= 1e-6 * scale, $"feature {j}: single {single.Coefficients[j]:R} ({single.Diagnostics}), joint {joint.Coefficients[j][0]:R} ({joint.Diagnostics})");
        Assert.Equal(single.Intercept, joint.Intercepts[0], 1e-8 * Math.Abs(single.Intercept));
        Assert.Equal(single.Diagnostics.Objective, joint.Diagnostics.Objective, 1e-10 * single.Diagnostics.Objective);
        Assert.Equal(single.CanonicalLambda, joint.CanonicalLambda);
    }

    [Fact]
    public void Permuting_the_targets_permutes_the_solution()
    {
        var (_, _, data) = Make();
        var order = new[] { 2, 0, 1 };
        var permuted = new MultiTargetDataset(data.Features, order.Select(t => data.Target(t).ToArray()).ToArray(), data.FeatureNames,
            order.Select(t => data.TargetNames[t]).ToArray());
        var options = new FitOptions { Penalty = Penalty.ElasticNet, L1Ratio = 0.8, Lambda = 0.2, Tolerance = 1e-13 };
        var a = Regression.FitMultiTask(data, options);
        var b = Regression.FitMultiTask(permuted, options);
        double scale = a.Coefficients.Max(row => row.Max(Math.Abs));
        for (int j = 0; j < a.Coefficients.Count; j++)
            for (int s = 0; s < 3; s++)
                Assert.True(Math.Abs(a.Coefficients[j][order[s]] - b.Coefficients[j][s]) <= 1e-9 * scale);
        Assert.Equal(a.Diagnostics.Objective, b.Diagnostics.Objective, 1e-12 * a.Diagnostics.Objective);
    }

    [Fact]
    public void Wide_data_and_a_constant_column_are_handled()
    {
        var (x, y1) = RandomData.Make(8, 20, 35);
        foreach (var row in x) row[3] = 7;
        var y2 = y1.Select((v, i) => v + x[i][0]).ToArray();
        var data = new MultiTargetDataset(FeatureMatrix.FromRows(x), [y1, y2]);
        var y = y1.Select((v, i) => new[] { v, y2[i] }).ToArray();
        var path = Regression.PathMultiTask(data, new PathOptions { LambdaCount = 20, Fit = new FitOptions { Tolerance = 1e-10 } });
        Assert.Equal(path.Lambdas[0] * 1e-2, path.Lambdas[^1], 12);
        foreach (var m in path.Models)
        {
            Assert.All(m.Coefficients[3], b => Assert.Equal(0, b));
            Assert.True(MultiTaskCertificates.KktViolation(x, y, m.Intercepts, m.Coefficients, m.CanonicalLambda, 1, true, true) < 1e-5);
        }
    }

    [Fact]
    public void Cross_validation_is_identical_whatever_the_thread_count()
    {
        var (_, _, data) = Make();
        var options = new CrossValidationOptions { Path = new PathOptions { LambdaCount = 20 }, Folds = 6, Seed = 5 };
        var parallel = Regression.CrossValidateMultiTask(data, options);
        CrossValidator.MaxParallelism = 1;
        try
        {
            var serial = Regression.CrossValidateMultiTask(data, options);
            Assert.Equal(parallel.Mean, serial.Mean);
            Assert.Equal(parallel.StandardError, serial.StandardError);
        }
        finally
        {
            CrossValidator.MaxParallelism = null;
        }
        Assert.True(parallel.Index1Se <= parallel.IndexMin);
        Assert.Equal(parallel.Lambdas[parallel.Index1Se], parallel.Lambda);
        Assert.Equal(parallel.Model.Lambda, parallel.Lambda);
    }

    [Fact]
    public void Bad_options_and_data_are_clear_errors()
    {
        var (_, _, data) = Make();
        void Fails(Action action, string expected) => Assert.Contains(expected, Assert.Throws<ShrinkException>(action).Message);
        Fails(() => Regression.FitMultiTask(data, new FitOptions { Penalty = Penalty.Ridge, Lambda = 1 }), "needs penalty lasso or elasticnet");
        Fails(() => Regression.FitMultiTask(data, new FitOptions { Penalty = Penalty.Ols }), "needs penalty lasso or elasticnet");
        Fails(() => Regression.FitMultiTask(data, new FitOptions { Penalty = Penalty.ElasticNet, L1Ratio = 0, Lambda = 1 }), "l1-ratio 0");
        Fails(() => Regression.FitMultiTask(data, new FitOptions()), "'lambda' is required for the multi-task lasso");
        Fails(() => Regression.FitMultiTask(data, new FitOptions { Lambda = 0 }), "'lambda' must be > 0");
        Fails(() => Regression.PathMultiTask(data, new PathOptions { Lambdas = [1, 0] }), "'lambdas' must be > 0");
        Fails(() => Regression.CrossValidateMultiTask(data, new CrossValidationOptions { LeaveOneOut = true }), "leave-one-out");
        Fails(() => Regression.CrossValidateMultiTask(data, new CrossValidationOptions { L1Ratios = [1, 0.5] }), "'l1-ratios'");
        var x = FeatureMatrix.FromColumns([[1.0, 2, 3], [0.5, 0, 1]]);
        Fails(() => new MultiTargetDataset(x, []), "at least one target");
        Fails(() => new MultiTargetDataset(x, [[1.0, 2, 3], [1.0, 2]]), "target 'y2' has 2 values but X has 3 rows");
        Fails(() => new MultiTargetDataset(x, [[1.0, 2, 3], [1.0, 2, 4]], null, ["y", "y"]), "target name 'y' appears more than once");
        Fails(() => new MultiTargetDataset(x, [[1.0, 2, 3], [1.0, double.NaN, 4]]), "y2 has a non-finite value (NaN) at row 2");
        Fails(() => new MultiTargetDataset(x, [[1.0, 2, 3]], ["a", "b"], ["b"]), "column 'b' is both a feature and a target");
    }
}

/// <summary>The group solver's per-feature penalty factors, ready for the penalty-factor option to plug in.</summary>
public class GroupDescentFactorTests
{
    [Fact]
    public void Uniform_factors_scale_lambda_and_a_large_factor_drops_a_feature()
    {
        var (_, _, data) = MultiTargetTests.Make();
        var problem = MultiTaskProblem.Build(data, new FitOptions());
        int p = problem.P, k = problem.K;
        double tolerance = 1e-13 * problem.NullObjective;
        var twice = new double[p * k];
        GroupDescent.Solve(problem.Design, problem.Y, k, 0.05, 0.02, Enumerable.Repeat(2.0, p).ToArray(), tolerance, 1_000_000, twice);
        var doubled = new double[p * k];
        GroupDescent.Solve(problem.Design, problem.Y, k, 0.1, 0.04, null, tolerance, 1_000_000, doubled);
        for (int i = 0; i < p * k; i++) Assert.Equal(doubled[i], twice[i], 9);

        var factors = Enumerable.Repeat(1.0, p).ToArray();
        var free = new double[p * k];
        GroupDescent.Solve(problem.Design, problem.Y, k, 0.05, 0, factors, tolerance, 1_000_000, free);
        int strongest = Enumerable.Range(0, p).MaxBy(j => GroupDescent.RowNorm(free, j, k));
        factors[strongest] = 1e6;
        var held = new double[p * k];
        var outcome = GroupDescent.Solve(problem.Design, problem.Y, k, 0.05, 0, factors, tolerance, 1_000_000, held);
        Assert.True(outcome.Converged);
        Assert.Equal(0, GroupDescent.RowNorm(held, strongest, k));
    }
}
