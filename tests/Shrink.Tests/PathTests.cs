using Xunit;

namespace Shrink.Tests;

public class PathTests
{
    private static readonly (double[][] X, double[] Y) Data = RandomData.Make(21, 80, 12);
    private static Dataset Set => RandomData.Dataset(Data.X, Data.Y);

    [Theory]
    [InlineData(Penalty.Lasso, null)]
    [InlineData(Penalty.ElasticNet, 0.4)]
    [InlineData(Penalty.Ridge, null)]
    public void Every_point_of_the_path_is_the_single_fit_at_that_lambda(Penalty penalty, double? r)
    {
        var fit = new FitOptions { Penalty = penalty, L1Ratio = r, Tolerance = 1e-12 };
        var path = Regression.Path(Set, new PathOptions { Fit = fit, LambdaCount = 20 });
        Assert.Equal(20, path.Count);
        for (int k = 0; k < path.Count; k += 3)
        {
            var single = Regression.Fit(Set, fit with { Lambda = path.Lambdas[k] });
            double scale = Math.Max(single.Coefficients.Max(Math.Abs), 1e-9);
            for (int j = 0; j < single.Coefficients.Count; j++)
                Assert.True(Math.Abs(single.Coefficients[j] - path.Coefficients[k][j]) <= 1e-7 * scale, $"λ {k}, feature {j}");
            Assert.True(path.Model(k).Diagnostics.Converged);
            double kkt = Certificates.KktViolation(Data.X, Data.Y, path.Intercepts[k], path.Coefficients[k], path.Model(k).CanonicalLambda, path.Model(k).CanonicalL1Ratio, true, true);
            Assert.True(kkt < 1e-6, $"KKT {kkt:E2} at λ {k}");
        }
    }

    [Fact]
    public void Automatic_grid_starts_at_lambda_max_and_is_log_spaced_down_to_the_ratio()
    {
        var path = Regression.Path(Set, new PathOptions { LambdaCount = 50 });
        double max = Regression.LambdaMax(Set);
        Assert.Equal(max, path.Lambdas[0], 12);
        Assert.Equal(0, path.NonZero[0]);
        Assert.True(path.NonZero[1] > 0);
        Assert.Equal(max * 1e-4, path.Lambdas[^1], 12); // n = 80 > p = 12
        double step = path.Lambdas[1] / path.Lambdas[0];
        for (int k = 1; k < path.Count; k++) Assert.Equal(step, path.Lambdas[k] / path.Lambdas[k - 1], 10);
        Assert.True(path.R2[^1] > path.R2[0]);
    }

    [Fact]
    public void Wide_data_default_ratio_is_one_hundredth()
    {
        var (x, y) = RandomData.Make(3, 20, 30);
        var path = Regression.Path(RandomData.Dataset(x, y), new PathOptions { LambdaCount = 10 });
        Assert.Equal(path.Lambdas[0] * 1e-2, path.Lambdas[^1], 12);
    }

    [Fact]
    public void Interpolation_is_exact_at_grid_points_and_linear_in_lambda_between()
    {
        var path = Regression.Path(Set, new PathOptions { LambdaCount = 10 });
        var (b0, b) = path.At(path.Lambdas[4]);
        Assert.Equal(path.Intercepts[4], b0);
        Assert.Equal(path.Coefficients[4], b);
        double mid = 0.25 * path.Lambdas[4] + 0.75 * path.Lambdas[5];
        var (_, between) = path.At(mid);
        for (int j = 0; j < between.Length; j++)
            Assert.Equal(0.25 * path.Coefficients[4][j] + 0.75 * path.Coefficients[5][j], between[j], 12);
        Assert.Throws<ShrinkException>(() => path.At(path.Lambdas[0] * 2));
    }

    [Fact]
    public void Ridge_degrees_of_freedom_fall_from_p_to_0_and_criteria_are_finite()
    {
        var path = Regression.Path(Set, new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge }, LambdaCount = 30 });
        Assert.All(path.Models, m => Assert.Equal("eigen", m.Diagnostics.Solver));
        Assert.True(path.DegreesOfFreedom[0] < 1.1);            // intercept plus almost nothing
        Assert.InRange(path.DegreesOfFreedom[^1], 9, 13);      // intercept plus most of the 12, never more
        for (int k = 1; k < path.Count; k++) Assert.True(path.DegreesOfFreedom[k] >= path.DegreesOfFreedom[k - 1]);
        Assert.All(path.Aic, v => Assert.True(double.IsFinite(v)));
        Assert.All(path.Bic, v => Assert.True(double.IsFinite(v)));
    }

    /// <summary>The eigen path certifies from the Gram matrix kept before the decomposition; its RSS must be the data's.</summary>
    [Fact]
    public void Ridge_path_residual_sums_of_squares_match_the_data_and_gaps_are_closed()
    {
        var path = Regression.Path(Set, new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge }, LambdaCount = 30 });
        for (int k = 0; k < path.Count; k++)
        {
            double rss = 0;
            for (int i = 0; i < Data.Y.Length; i++)
            {
                double e = Data.Y[i] - path.Model(k).Predict(Data.X[i]);
                rss += e * e;
            }
            Assert.Equal(rss, path.ResidualSumOfSquares[k], 1e-9 * rss);
            Assert.True(path.Model(k).Diagnostics.Converged);
            Assert.True(Math.Abs(path.Model(k).Diagnostics.DualityGap) <= 1e-10 * rss, $"gap {path.Model(k).Diagnostics.DualityGap} at k = {k}");
        }
    }

    [Fact]
    public void Lasso_degrees_of_freedom_count_non_zeros_and_the_intercept()
    {
        var path = Regression.Path(Set, new PathOptions { LambdaCount = 15 });
        for (int k = 0; k < path.Count; k++) Assert.Equal(path.NonZero[k] + 1, path.DegreesOfFreedom[k]);
    }

    [Theory]
    [InlineData(new double[0], "at least one")]
    [InlineData(new[] { 0.1, 0.5 }, "strictly decreasing")]
    [InlineData(new[] { 0.5, 0.5 }, "strictly decreasing")]
    [InlineData(new[] { 0.5, -0.1 }, "≥ 0")]
    public void Bad_explicit_grids_are_rejected(double[] lambdas, string fragment)
    {
        var e = Assert.Throws<ShrinkException>(() => new PathOptions { Lambdas = lambdas });
        Assert.Contains("'lambdas'", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void Bad_grid_sizes_are_rejected()
    {
        Assert.Contains("'n-lambda'", Assert.Throws<ShrinkException>(() => new PathOptions { LambdaCount = 0 }).Message);
        Assert.Contains("'lambda-min-ratio'", Assert.Throws<ShrinkException>(() => new PathOptions { LambdaMinRatio = 1.5 }).Message);
        Assert.Contains("least squares", Assert.Throws<ShrinkException>(() => Regression.Path(Set, new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ols } })).Message);
    }
}

[Collection(nameof(WorkingDirectory))] // changes a process-wide setting
public class CrossValidationTests
{
    private static readonly (double[][] X, double[] Y) Data = RandomData.Make(31, 90, 10, noise: 1.5);
    private static Dataset Set => RandomData.Dataset(Data.X, Data.Y);

    [Fact]
    public void One_se_lambda_is_the_largest_within_one_standard_error_of_the_minimum()
    {
        var cv = Regression.CrossValidate(Set, new CrossValidationOptions { Path = new PathOptions { LambdaCount = 40 }, Folds = 5 });
        var c = cv.Best;
        int min = c.IndexMin;
        Assert.Equal(c.Mean.Min(), c.Mean[min]);
        double bound = c.Mean[min] + c.StandardError[min];
        Assert.True(c.Mean[c.Index1Se] <= bound);
        for (int k = 0; k < c.Index1Se; k++) Assert.True(c.Mean[k] > bound, $"λ {k} is larger and within one SE");
        Assert.True(c.Lambda1Se >= c.LambdaMin);
        Assert.Equal(c.Lambda1Se, cv.Lambda);
        Assert.Same(cv.Model, c.Path.Model(c.Index1Se));
    }

    [Fact]
    public void One_se_rule_on_a_constructed_curve()
    {
        // Folds built so the errors are known: the constructed curve is checked through CrossValidationCurve directly.
        var path = Regression.Path(Set, new PathOptions { LambdaCount = 6 });
        var curve = new CrossValidationCurve(1, path, [10, 6, 4.5, 4, 4.2, 5], [1, 1, 0.6, 0.6, 0.5, 1]);
        Assert.Equal(3, curve.IndexMin);      // 4 is the smallest mean
        Assert.Equal(2, curve.Index1Se);      // 4.5 ≤ 4 + 0.6, and 6 > 4.6: the largest λ within one SE is index 2
        var tie = new CrossValidationCurve(1, path, [10, 3, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1]);
        Assert.Equal(1, tie.IndexMin);         // ties go to the larger λ
    }

    [Fact]
    public void Result_is_identical_whatever_the_thread_count()
    {
        var options = new CrossValidationOptions { Path = new PathOptions { LambdaCount = 25 }, Folds = 6, Seed = 5 };
        var parallel = Regression.CrossValidate(Set, options);
        CrossValidator.MaxParallelism = 1;
        try
        {
            var serial = Regression.CrossValidate(Set, options);
            Assert.Equal(parallel.Best.Mean, serial.Best.Mean);
            Assert.Equal(parallel.Best.StandardError, serial.Best.StandardError);
        }
        finally
        {
            CrossValidator.MaxParallelism = null;
        }
    }

    [Fact]
    public void Seeded_folds_are_balanced_and_reproducible()
    {
        var a = CrossValidator.AssignFolds(23, new CrossValidationOptions { Folds = 5, Seed = 9 });
        var b = CrossValidator.AssignFolds(23, new CrossValidationOptions { Folds = 5, Seed = 9 });
        var c = CrossValidator.AssignFolds(23, new CrossValidationOptions { Folds = 5, Seed = 10 });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(Enumerable.Range(0, 5), f => Assert.InRange(a.Count(v => v == f), 4, 5));
    }

    [Fact]
    public void User_folds_are_used_as_given()
    {
        var ids = Enumerable.Range(0, Data.Y.Length).Select(i => 100 + i % 3).ToArray();
        var cv = Regression.CrossValidate(Set, new CrossValidationOptions { FoldIds = ids, Path = new PathOptions { LambdaCount = 10 } });
        Assert.Equal(ids.Select(i => i - 100), cv.FoldIds!);
    }

    [Fact]
    public void Several_l1_ratios_share_the_folds_and_the_best_is_chosen()
    {
        var cv = Regression.CrossValidate(Set, new CrossValidationOptions { L1Ratios = [1, 0.5, 0.1], Path = new PathOptions { LambdaCount = 20 }, Folds = 5, Choose = LambdaChoice.Min });
        Assert.Equal(3, cv.Curves.Count);
        double best = cv.Curves.Min(c => c.Mean[c.IndexMin]);
        Assert.Equal(best, cv.Best.Mean[cv.Best.IndexMin]);
        Assert.Equal(cv.Best.LambdaMin, cv.Lambda);
    }

    [Fact]
    public void Ridge_leave_one_out_matches_brute_force_with_fixed_centring()
    {
        // The smoother's LOO: refit without row i but with the full data's column means and scales held fixed.
        var (x, y) = RandomData.Make(8, 25, 4);
        var set = RandomData.Dataset(x, y);
        var cv = Regression.CrossValidate(set, new CrossValidationOptions { LeaveOneOut = true, Path = new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge }, LambdaCount = 5 } });
        int n = y.Length, p = 4;
        var s = Certificates.Scales(x, true);
        var mean = Enumerable.Range(0, p).Select(j => x.Average(r => r[j])).ToArray();
        double ym = y.Average();
        for (int l = 0; l < 5; l++)
        {
            double lambda = cv.Best.Lambdas[l];
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                // Augmented ridge with an unpenalized intercept on the kept rows, in standardized coordinates.
                var rows = Enumerable.Range(0, n).Where(t => t != i).ToArray();
                var a = new double[p + 1, p + 1];
                var rhs = new double[p + 1];
                foreach (int t in rows)
                {
                    var z = new double[p + 1];
                    z[0] = 1;
                    for (int j = 0; j < p; j++) z[j + 1] = (x[t][j] - mean[j]) / s[j];
                    for (int u = 0; u <= p; u++)
                    {
                        rhs[u] += z[u] * (y[t] - ym);
                        for (int v = 0; v <= p; v++) a[u, v] += z[u] * z[v];
                    }
                }
                for (int j = 1; j <= p; j++) a[j, j] += n * lambda;
                var coef = Solve(a, rhs);
                double pred = ym + coef[0];
                for (int j = 0; j < p; j++) pred += coef[j + 1] * (x[i][j] - mean[j]) / s[j];
                sum += (y[i] - pred) * (y[i] - pred);
            }
            Assert.Equal(sum / n, cv.Best.Mean[l], 9);
        }
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int m = b.Length;
        var x = (double[])b.Clone();
        var m2 = (double[,])a.Clone();
        for (int c = 0; c < m; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < m; r++) if (Math.Abs(m2[r, c]) > Math.Abs(m2[pivot, c])) pivot = r;
            for (int k = 0; k < m; k++) (m2[c, k], m2[pivot, k]) = (m2[pivot, k], m2[c, k]);
            (x[c], x[pivot]) = (x[pivot], x[c]);
            for (int r = c + 1; r < m; r++)
            {
                double f = m2[r, c] / m2[c, c];
                for (int k = c; k < m; k++) m2[r, k] -= f * m2[c, k];
                x[r] -= f * x[c];
            }
        }
        for (int r = m - 1; r >= 0; r--)
        {
            for (int k = r + 1; k < m; k++) x[r] -= m2[r, k] * x[k];
            x[r] /= m2[r, r];
        }
        return x;
    }

    [Fact]
    public void Bad_fold_setups_are_clear_errors()
    {
        var one = Enumerable.Repeat(7, Data.Y.Length).ToArray();
        Assert.Contains("at least 2 different folds", Assert.Throws<ShrinkException>(() => Regression.CrossValidate(Set, new CrossValidationOptions { FoldIds = one })).Message);
        Assert.Contains("at most the number of rows", Assert.Throws<ShrinkException>(() => Regression.CrossValidate(Set, new CrossValidationOptions { Folds = 1000 })).Message);
        Assert.Contains("'folds'", Assert.Throws<ShrinkException>(() => new CrossValidationOptions { Folds = 1 }).Message);
        Assert.Contains("ridge only", Assert.Throws<ShrinkException>(() => Regression.CrossValidate(Set, new CrossValidationOptions { LeaveOneOut = true })).Message);
        Assert.Contains("'l1-ratios'", Assert.Throws<ShrinkException>(() => new CrossValidationOptions { L1Ratios = [0.5, 2] }).Message);
    }
}
