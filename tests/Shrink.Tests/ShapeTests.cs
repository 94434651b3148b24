using Xunit;

namespace Shrink.Tests;

public class ShapeTests
{
    private static FitOptions Lasso(double lambda) => new() { Lambda = lambda, Tolerance = 1e-12 };

    [Fact]
    public void One_row_is_an_error_naming_the_count()
    {
        var e = Assert.Throws<ShrinkException>(() => Regression.Fit(FeatureMatrix.FromRows(new double[,] { { 1, 2 } }), [3], Lasso(0.1)));
        Assert.Contains("at least 2 rows", e.Message);
        Assert.Contains("got 1", e.Message);
    }

    [Fact]
    public void Empty_input_is_an_error()
    {
        var e = Assert.Throws<ShrinkException>(() => Regression.Fit(FeatureMatrix.FromColumnMajor([], 0, 2), [], Lasso(0.1)));
        Assert.Contains("got 0", e.Message);
    }

    [Fact]
    public void No_features_is_an_error()
    {
        var e = Assert.Throws<ShrinkException>(() => Regression.Fit(FeatureMatrix.FromColumnMajor([], 3, 0), [1, 2, 3], Lasso(0.1)));
        Assert.Contains("no features", e.Message);
    }

    [Fact]
    public void Mismatched_lengths_name_both_sides()
    {
        var e = Assert.Throws<ShrinkException>(() => new Dataset(FeatureMatrix.FromColumns([[1, 2, 3]]), [1, 2]));
        Assert.Equal("y has 2 values but X has 3 rows", e.Message);
    }

    [Fact]
    public void Non_finite_values_name_row_and_column()
    {
        var e = Assert.Throws<ShrinkException>(() => new Dataset(FeatureMatrix.FromColumns([[1, 2, 3], [1, double.NaN, 3]]), [1, 2, 3], ["a", "b"]));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("row 2", e.Message);
    }

    [Theory]
    [InlineData(Penalty.Ols)]
    [InlineData(Penalty.Ridge)]
    [InlineData(Penalty.Lasso)]
    [InlineData(Penalty.ElasticNet)]
    public void A_constant_column_gets_zero_for_every_penalty(Penalty penalty)
    {
        var (x, y) = RandomData.Make(3, 30, 3);
        foreach (var row in x) row[1] = 4.25;
        foreach (bool standardize in new[] { true, false })
        {
            var m = Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Penalty = penalty, Lambda = penalty == Penalty.Ols ? null : 0.05, Standardize = standardize });
            Assert.Equal(0, m.Coefficients[1]);
            Assert.All(m.Coefficients, b => Assert.True(double.IsFinite(b)));
            Assert.True(m.Diagnostics.Converged);
        }
    }

    [Fact]
    public void A_constant_column_without_intercept_or_standardization_is_a_real_feature()
    {
        double[] x = [2, 2, 2, 2];
        var m = Regression.Fit(FeatureMatrix.FromColumns([x]), [5, 5, 5, 5], new FitOptions { Penalty = Penalty.Ols, FitIntercept = false, Standardize = false });
        Assert.Equal(2.5, m.Coefficients[0], 12);
    }

    [Fact]
    public void One_feature_works_for_every_penalty()
    {
        double[] x = [1, 2, 3, 4, 5];
        double[] y = [2.1, 3.9, 6.2, 7.8, 10.1];
        foreach (var penalty in Enum.GetValues<Penalty>())
        {
            var m = Regression.Fit(FeatureMatrix.FromColumns([x]), y, new FitOptions { Penalty = penalty, Lambda = penalty == Penalty.Ols ? null : 0.01, L1Ratio = penalty == Penalty.ElasticNet ? 0.5 : null });
            Assert.InRange(m.Coefficients[0], 1.9, 2.1);
        }
    }

    [Fact]
    public void Wide_lasso_and_ridge_work_and_certify()
    {
        var (x, y) = RandomData.Make(11, 15, 40);
        var data = RandomData.Dataset(x, y);
        var lasso = Regression.Fit(data, Lasso(0.05));
        Assert.True(lasso.Diagnostics.Converged);
        Assert.True(lasso.NonZeroCount <= 15);
        var ridge = Regression.Fit(data, new FitOptions { Penalty = Penalty.Ridge, Lambda = 0.3 });
        Assert.Equal("dual-cholesky", ridge.Diagnostics.Solver);
        double kkt = Certificates.KktViolation(x, y, ridge.Intercept, ridge.Coefficients, 0.3, 0, true, true);
        Assert.True(kkt < 1e-9, $"ridge KKT {kkt:E2}");
    }

    [Fact]
    public void Ridge_dual_and_primal_agree_at_the_boundary()
    {
        // 20 rows, 19 features (primal) and 21 features (dual): the 19 shared features' fits must follow the same formula.
        var (x, y) = RandomData.Make(5, 20, 21);
        var wide = Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Penalty = Penalty.Ridge, Lambda = 0.2 });
        var tall = Regression.Fit(RandomData.Dataset(x.Select(r => r[..19]).ToArray(), y), new FitOptions { Penalty = Penalty.Ridge, Lambda = 0.2 });
        Assert.Equal("dual-cholesky", wide.Diagnostics.Solver);
        Assert.Equal("cholesky", tall.Diagnostics.Solver);
        foreach (var m in new[] { wide, tall })
        {
            int p = m.Coefficients.Count;
            var xs = x.Select(r => r[..p]).ToArray();
            Assert.True(Certificates.KktViolation(xs, y, m.Intercept, m.Coefficients, 0.2, 0, true, true) < 1e-9);
        }
    }

    [Fact]
    public void Ridge_matches_its_closed_form_on_a_design_built_from_its_svd()
    {
        // X = U·diag(s)·Vᵀ with orthonormal U (n x p) and V (p x p); without intercept or standardization
        // the ridge solution is V·diag(s/(s² + nλ))·Uᵀy exactly.
        const int n = 12, p = 4;
        const double lambda = 0.37;
        var rng = new Random(42);
        var u = Orthonormal(rng, p, n);
        var v = Orthonormal(rng, p, p);
        double[] s = [5, 2, 1, 0.25];
        var x = new double[n][];
        for (int i = 0; i < n; i++)
        {
            x[i] = new double[p];
            for (int j = 0; j < p; j++)
                for (int k = 0; k < p; k++) x[i][j] += u[k][i] * s[k] * v[k][j];
        }
        var y = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var expected = new double[p];
        for (int k = 0; k < p; k++)
        {
            double uty = Enumerable.Range(0, n).Sum(i => u[k][i] * y[i]);
            for (int j = 0; j < p; j++) expected[j] += v[k][j] * s[k] / (s[k] * s[k] + n * lambda) * uty;
        }
        var m = Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Penalty = Penalty.Ridge, Lambda = lambda, FitIntercept = false, Standardize = false });
        for (int j = 0; j < p; j++) Assert.Equal(expected[j], m.Coefficients[j], 12);
    }

    /// <summary>Rows are k orthonormal vectors of length m (Gram–Schmidt on Gaussian vectors).</summary>
    private static double[][] Orthonormal(Random rng, int k, int m)
    {
        var q = new double[k][];
        for (int a = 0; a < k; a++)
        {
            var w = Enumerable.Range(0, m).Select(_ => RandomData.Gaussian(rng)).ToArray();
            for (int b = 0; b < a; b++)
            {
                double d = w.Zip(q[b], (x, y) => x * y).Sum();
                for (int i = 0; i < m; i++) w[i] -= d * q[b][i];
            }
            double norm = Math.Sqrt(w.Sum(t => t * t));
            q[a] = w.Select(t => t / norm).ToArray();
        }
        return q;
    }

    [Fact]
    public void Ols_that_is_not_identifiable_says_so_and_suggests_ridge()
    {
        var (x, y) = RandomData.Make(1, 6, 6);
        var e = Assert.Throws<ShrinkException>(() => Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Penalty = Penalty.Ols }));
        Assert.Contains("not identifiable", e.Message);
        Assert.Contains("ridge", e.Message);

        var (x2, y2) = RandomData.Make(2, 30, 3);
        var collinear = x2.Select(r => new[] { r[0], r[1], 2 * r[0] - r[1], r[2] }).ToArray();
        e = Assert.Throws<ShrinkException>(() => Regression.Fit(RandomData.Dataset(collinear, y2), new FitOptions { Penalty = Penalty.Ols }));
        Assert.Contains("not identifiable", e.Message);
        Assert.Contains("x3", e.Message);
    }

    [Fact]
    public void Lambda_zero_is_ols_whatever_the_penalty()
    {
        var (x, y) = RandomData.Make(4, 30, 3);
        var ols = Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Penalty = Penalty.Ols });
        var lasso0 = Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Penalty = Penalty.Lasso, Lambda = 0 });
        Assert.Equal(Penalty.Ols, lasso0.Penalty);
        for (int j = 0; j < 3; j++) Assert.Equal(ols.Coefficients[j], lasso0.Coefficients[j], 12);
    }

    [Fact]
    public void Not_converging_is_reported_not_thrown()
    {
        var (x, y) = RandomData.Make(9, 50, 8);
        var m = Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Lambda = 0.001, MaxIterations = 1, Tolerance = 1e-15 });
        Assert.False(m.Diagnostics.Converged);
        Assert.True(m.Diagnostics.DualityGap > 0);
        Assert.Equal(1, m.Diagnostics.Iterations);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_lambda_is_rejected_when_set(double lambda)
    {
        var e = Assert.Throws<ShrinkException>(() => new FitOptions { Lambda = lambda });
        Assert.StartsWith("'lambda' must be a finite number ≥ 0; got", e.Message);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    public void Bad_l1_ratio_is_rejected_when_set(double r)
    {
        var e = Assert.Throws<ShrinkException>(() => new FitOptions { L1Ratio = r });
        Assert.Equal($"'l1-ratio' must be in [0, 1]; got {r.ToString(System.Globalization.CultureInfo.InvariantCulture)}", e.Message);
    }

    [Fact]
    public void A_conflicting_l1_ratio_is_an_error_not_silently_ignored()
    {
        var (x, y) = RandomData.Make(4, 30, 3);
        var e = Assert.Throws<ShrinkException>(() => Regression.Fit(RandomData.Dataset(x, y), new FitOptions { Penalty = Penalty.Lasso, L1Ratio = 0.3, Lambda = 0.1 }));
        Assert.Contains("elasticnet", e.Message);
    }
}
