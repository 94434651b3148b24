using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>Sparse random designs: mostly zeros, columns of different scales, a one-hot block, an all-zero column.</summary>
internal static class SparseData
{
    public static (double[][] X, double[] Y) Make(int seed, int n, int p, double density = 0.15)
    {
        var rng = new Random(seed);
        var x = new double[n][];
        for (int i = 0; i < n; i++) x[i] = new double[p];
        var scale = Enumerable.Range(0, p).Select(_ => Math.Exp(rng.NextDouble() * 4 - 2)).ToArray();
        for (int j = 0; j < p; j++)
        {
            if (j == 1) continue; // all zero
            if (j == 2)
            {
                for (int i = 0; i < n; i++) x[i][j] = 3; // constant and fully stored
                continue;
            }
            for (int i = 0; i < n; i++)
                if (rng.NextDouble() < density) x[i][j] = scale[j] * (RandomData.Gaussian(rng) + (j % 3 == 0 ? 2 : 0));
        }
        // A one-hot block over the last three columns.
        if (p >= 8)
            for (int i = 0; i < n; i++) x[i][p - 1 - i % 3] = 1;
        var truth = Enumerable.Range(0, p).Select(j => j % 4 == 0 ? rng.NextDouble() * 4 - 2 : 0).ToArray();
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double f = 1.5;
            for (int j = 0; j < p; j++) f += truth[j] * x[i][j] / scale[j];
            y[i] = f + 0.5 * RandomData.Gaussian(rng);
        }
        return (x, y);
    }

    public static FeatureMatrix Sparse(double[][] x) => FeatureMatrix.FromRows(x).ToSparse();
}

/// <summary>A sparse matrix gives the same answers as the dense one holding the same values, in every part of the library.</summary>
[Collection(nameof(WorkingDirectory))] // flips GramState.Override
public class SparseTests
{
    private const double Tight = 1e-13;
    /// <summary>Coefficients agree to this fraction of the largest |b| (both are solved to a gap of 1e-13 of the null objective).</summary>
    private const double Same = 1e-7;

    private static void AssertSame(LinearModel dense, LinearModel sparse, string what = "", double coefficients = Same)
    {
        double scale = Math.Max(1, dense.Coefficients.Max(Math.Abs)) * coefficients / Same;
        Assert.True(Math.Abs(dense.Intercept - sparse.Intercept) <= Same * Math.Max(scale, Math.Abs(dense.Intercept)), $"{what} intercept {dense.Intercept} vs {sparse.Intercept}");
        for (int j = 0; j < dense.Coefficients.Count; j++)
            Assert.True(Math.Abs(dense.Coefficients[j] - sparse.Coefficients[j]) <= Same * scale, $"{what} b{j}: {dense.Coefficients[j]} vs {sparse.Coefficients[j]}");
        Assert.Equal(dense.Diagnostics.Objective, sparse.Diagnostics.Objective, 1e-9 * Math.Max(1, Math.Abs(dense.Diagnostics.Objective)));
        Assert.Equal(dense.Diagnostics.Converged, sparse.Diagnostics.Converged);
    }

    public static TheoryData<string, bool, bool> Settings()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var penalty in new[] { "lasso", "enet", "ridge", "ols" })
            foreach (bool intercept in new[] { true, false })
                foreach (bool standardize in new[] { true, false })
                    data.Add(penalty, intercept, standardize);
        return data;
    }

    private static FitOptions Options(string penalty, bool intercept, bool standardize, double lambda) => penalty switch
    {
        "lasso" => new FitOptions { Penalty = Penalty.Lasso, Lambda = lambda, FitIntercept = intercept, Standardize = standardize, Tolerance = Tight },
        "enet" => new FitOptions { Penalty = Penalty.ElasticNet, L1Ratio = 0.4, Lambda = lambda, FitIntercept = intercept, Standardize = standardize, Tolerance = Tight },
        "ridge" => new FitOptions { Penalty = Penalty.Ridge, Lambda = lambda, FitIntercept = intercept, Standardize = standardize, Tolerance = Tight },
        _ => new FitOptions { Penalty = Penalty.Ols, FitIntercept = intercept, Standardize = standardize, Tolerance = Tight },
    };

    [Fact]
    public void Csc_round_trips_and_rejects_bad_structure()
    {
        var (x, _) = SparseData.Make(1, 20, 10);
        var dense = FeatureMatrix.FromRows(x);
        var sparse = dense.ToSparse();
        Assert.True(sparse.IsSparse);
        Assert.False(dense.IsSparse);
        Assert.True(sparse.StoredCount < 20 * 10);
        for (int i = 0; i < 20; i++)
            for (int j = 0; j < 10; j++) Assert.Equal(dense[i, j], sparse[i, j]);
        Assert.Equal(dense.ValuesArray, sparse.ToDense().ValuesArray);
        Assert.Throws<ShrinkException>(() => sparse.Column(0));
        Assert.Contains("increase strictly", Assert.Throws<ShrinkException>(() => FeatureMatrix.FromCsc([0, 2], [1, 1], [1.0, 2.0], 3, 1)).Message);
        Assert.Contains("outside", Assert.Throws<ShrinkException>(() => FeatureMatrix.FromCsc([0, 1], [3], [1.0], 3, 1)).Message);
        Assert.Contains("column starts", Assert.Throws<ShrinkException>(() => FeatureMatrix.FromCsc([0, 1, 3], [0, 1], [1.0, 2.0], 3, 2)).Message);
        Assert.Contains("non-finite", Assert.Throws<ShrinkException>(() => new Dataset(FeatureMatrix.FromCsc([0, 1], [2], [double.NaN], 3, 1), [1.0, 2, 3])).Message);
        Assert.Contains("row 3", Assert.Throws<ShrinkException>(() => new Dataset(FeatureMatrix.FromCsc([0, 1], [2], [double.NaN], 3, 1), [1.0, 2, 3])).Message);
    }

    [Fact]
    public void Column_statistics_and_residual_products_match_the_dense_design()
    {
        var (x, y) = SparseData.Make(2, 40, 12);
        var weights = Enumerable.Range(0, 40).Select(i => (double)(i % 4)).ToArray();
        foreach (var w in new[] { null, weights })
            foreach (bool intercept in new[] { true, false })
                foreach (bool standardize in new[] { true, false })
                {
                    var options = new FitOptions { FitIntercept = intercept, Standardize = standardize };
                    var dense = Problem.Build(new Dataset(FeatureMatrix.FromRows(x), y, weights: w), options);
                    var sparse = Problem.Build(new Dataset(SparseData.Sparse(x), y, weights: w), options);
                    Assert.Equal(dense.Design.Excluded, sparse.Design.Excluded);
                    // Column sums serve the centring terms only (and the products below must not need them without).
                    Assert.Equal(intercept, sparse.Design.WeightedSum is not null);
                    // Centres without an intercept (all 0) and scales without standardization (all 1) are not stored.
                    foreach (var design in new[] { dense.Design, sparse.Design })
                    {
                        Assert.Equal(!intercept, design.Center.IsConstant);
                        Assert.Equal(!standardize, design.Scale.IsConstant);
                        Assert.Equal(12, design.Center.Count);
                    }
                    if (!intercept) Assert.All(sparse.Design.Center, c => Assert.Equal(0.0, c));
                    if (!standardize) Assert.All(sparse.Design.Scale, s => Assert.Equal(1.0, s));
                    for (int j = 0; j < 12; j++)
                    {
                        Assert.Equal(dense.Design.Center[j], sparse.Design.Center[j], 1e-12);
                        Assert.Equal(dense.Design.Scale[j], sparse.Design.Scale[j], 1e-12 * dense.Design.Scale[j]);
                        Assert.Equal(dense.Design.NormSquaredOverN[j], sparse.Design.NormSquaredOverN[j], 1e-12);
                    }
                    var beta = Enumerable.Range(0, 12).Select(j => dense.Design.Excluded[j] ? 0 : Math.Sin(j + 1)).ToArray();
                    var rd = new Residual(dense.Design, dense.CenteredTarget, beta);
                    var rs = new Residual(sparse.Design, sparse.CenteredTarget, beta);
                    // Updates on the sparse residual keep its products in step with a dense one.
                    foreach (int j in new[] { 0, 3, 5, 0, 11 })
                    {
                        if (dense.Design.Excluded[j]) continue;
                        rd.Subtract(j, 0.3);
                        rs.Subtract(j, 0.3);
                    }
                    Assert.Equal(rd.SquaredNorm(), rs.SquaredNorm(), 1e-9 * rd.SquaredNorm());
                    for (int j = 0; j < 12; j++)
                        if (!dense.Design.Excluded[j]) Assert.Equal(rd.Dot(j), rs.Dot(j), 1e-9 * (1 + Math.Abs(rd.Dot(j))));
                    var columns = Enumerable.Range(0, 12).Where(j => !dense.Design.Excluded[j]).ToArray();
                    var xtyD = new double[columns.Length];
                    var xtyS = new double[columns.Length];
                    var gd = GramKernel.Compute(dense.Design, dense.CenteredTarget, columns, xtyD);
                    var gs = GramKernel.Compute(sparse.Design, sparse.CenteredTarget, columns, xtyS);
                    for (int a = 0; a < gd.Length; a++) Assert.Equal(gd[a], gs[a], 1e-9 * (1 + Math.Abs(gd[a])));
                    for (int a = 0; a < xtyD.Length; a++) Assert.Equal(xtyD[a], xtyS[a], 1e-9 * (1 + Math.Abs(xtyD[a])));
                }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Single_fits_are_the_same(string penalty, bool intercept, bool standardize)
    {
        var (x, y) = SparseData.Make(3, 60, 12);
        var options = Options(penalty, intercept, standardize, 0.05);
        var dense = Regression.Fit(new Dataset(FeatureMatrix.FromRows(x), y), options);
        var sparse = Regression.Fit(new Dataset(SparseData.Sparse(x), y), options);
        AssertSame(dense, sparse);
        Assert.Equal(dense.Diagnostics.Solver, sparse.Diagnostics.Solver);
        var predictions = sparse.Predict(SparseData.Sparse(x));
        var expected = dense.Predict(FeatureMatrix.FromRows(x));
        for (int i = 0; i < y.Length; i++) Assert.Equal(expected[i], predictions[i], 1e-9 * (1 + Math.Abs(expected[i])));
    }

    [Theory]
    [InlineData("lasso", true)]
    [InlineData("enet", true)]
    [InlineData("ridge", true)]
    [InlineData("lasso", false)]
    public void Wide_fits_are_the_same(string penalty, bool intercept)
    {
        var (x, y) = SparseData.Make(4, 30, 80);
        var options = Options(penalty, intercept, true, 0.02);
        AssertSame(Regression.Fit(new Dataset(FeatureMatrix.FromRows(x), y), options), Regression.Fit(new Dataset(SparseData.Sparse(x), y), options));
    }

    [Theory]
    [InlineData(true, "lasso", true, true)]
    [InlineData(false, "lasso", true, true)]
    [InlineData(true, "enet", false, true)]
    [InlineData(false, "enet", true, false)]
    [InlineData(true, "lasso", false, false)]
    [InlineData(false, "ridge", true, true)]
    public void Paths_are_the_same_in_both_solver_forms(bool gram, string penalty, bool intercept, bool standardize)
    {
        var (x, y) = SparseData.Make(5, 80, 14);
        var options = new PathOptions { Fit = Options(penalty, intercept, standardize, 1) with { Lambda = null }, LambdaCount = 25 };
        GramState.Override = gram;
        try
        {
            var dense = Regression.Path(new Dataset(FeatureMatrix.FromRows(x), y), options);
            var sparse = Regression.Path(new Dataset(SparseData.Sparse(x), y), options);
            Assert.Equal(dense.Lambdas, sparse.Lambdas, (a, b) => Math.Abs(a - b) <= 1e-12 * a);
            for (int k = 0; k < dense.Count; k++) AssertSame(dense.Model(k), sparse.Model(k), $"λ {k}");
            if (penalty != "ridge") Assert.All(sparse.Models, m => Assert.Equal(gram ? "coordinate-descent (gram)" : "coordinate-descent", m.Diagnostics.Solver));
        }
        finally { GramState.Override = null; }
    }

    [Fact]
    public void Wide_paths_with_screening_are_the_same()
    {
        var (x, y) = SparseData.Make(6, 40, 300, 0.05);
        var options = new PathOptions { Fit = new FitOptions { Tolerance = Tight }, LambdaCount = 30 };
        var dense = Regression.Path(new Dataset(FeatureMatrix.FromRows(x), y), options);
        var sparse = Regression.Path(new Dataset(SparseData.Sparse(x), y), options);
        // 300 features on 40 rows at a density of 5%: many columns hold a single entry, and two of them on the same row
        // are collinear, so the lasso's coefficients are not unique (the solvers may split a weight between such columns
        // differently, and did, by 20% of a coefficient, once the sparse sweeps took another order). Its fitted values
        // are: the loss is strictly convex in u = b0 + Xb, so P(b) − P* ≥ ‖u − u*‖²/(2n) and the two fits lie within
        // √(2n·gap) of the optimal one each. Those, the objectives, the certificates and the optimality conditions are
        // what must agree.
        for (int k = 0; k < dense.Count; k++)
        {
            LinearModel d = dense.Model(k), s = sparse.Model(k);
            Assert.Equal(d.Diagnostics.Objective, s.Diagnostics.Objective, 1e-9 * Math.Max(1, Math.Abs(d.Diagnostics.Objective)));
            var fitted = d.Predict(FeatureMatrix.FromRows(x)).Zip(s.Predict(FeatureMatrix.FromRows(x)), (a, b) => (a - b) * (a - b)).Sum();
            double allowed = Math.Sqrt(2 * y.Length * d.Diagnostics.DualityGap) + Math.Sqrt(2 * y.Length * s.Diagnostics.DualityGap) + 1e-9;
            Assert.True(Math.Sqrt(fitted) <= allowed, $"λ {k}: fitted values {Math.Sqrt(fitted):E3} apart, the gaps allow {allowed:E3}");
        }
        for (int k = 0; k < sparse.Count; k++)
        {
            var m = sparse.Model(k);
            double kkt = Certificates.KktViolation(x, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, true, true);
            Assert.True(kkt < 1e-6, $"KKT violation {kkt:E2} at λ {k}");
            // The gap the solver reports (its optimality check skips features it can bound, its dual point may be an
            // extrapolated one) is a valid bound: the dense path's objective, solved independently, is no lower than
            // this one's by more than it.
            Assert.True(m.Diagnostics.Objective - dense.Model(k).Diagnostics.Objective <= m.Diagnostics.DualityGap + 1e-14,
                $"objective {m.Diagnostics.Objective:R} vs dense {dense.Model(k).Diagnostics.Objective:R}, reported gap {m.Diagnostics.DualityGap:E3} at λ {k}");
            Assert.True(m.Diagnostics.DualityGap <= m.Diagnostics.GapTolerance);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Weights_offsets_factors_and_bounds_are_the_same(bool gram)
    {
        var (x, y) = SparseData.Make(7, 70, 12);
        var weights = Enumerable.Range(0, 70).Select(i => (double)(i % 3) * 0.7).ToArray();
        var offset = Enumerable.Range(0, 70).Select(i => Math.Cos(i)).ToArray();
        var fit = new FitOptions
        {
            Penalty = Penalty.ElasticNet, L1Ratio = 0.8, Tolerance = Tight,
            PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0, ["x4"] = 2.5 },
            LowerBounds = new Dictionary<string, double> { ["x5"] = -0.1 },
            UpperBounds = new Dictionary<string, double> { ["x9"] = 0.05 },
            Exclude = ["x7"],
        };
        GramState.Override = gram;
        try
        {
            var dense = Regression.Path(new Dataset(FeatureMatrix.FromRows(x), y, weights: weights, offset: offset), new PathOptions { Fit = fit, LambdaCount = 15 });
            var sparse = Regression.Path(new Dataset(SparseData.Sparse(x), y, weights: weights, offset: offset), new PathOptions { Fit = fit, LambdaCount = 15 });
            for (int k = 0; k < dense.Count; k++) AssertSame(dense.Model(k), sparse.Model(k), $"λ {k}");
            var single = fit with { Lambda = dense.Lambdas[8] };
            AssertSame(Regression.Fit(new Dataset(FeatureMatrix.FromRows(x), y, weights: weights, offset: offset), single),
                Regression.Fit(new Dataset(SparseData.Sparse(x), y, weights: weights, offset: offset), single));
        }
        finally { GramState.Override = null; }
    }

    [Theory]
    [InlineData("lasso")]
    [InlineData("enet")]
    [InlineData("ridge")]
    public void Cross_validation_is_the_same(string penalty)
    {
        var (x, y) = SparseData.Make(8, 90, 10);
        var options = new CrossValidationOptions
        {
            Path = new PathOptions { Fit = Options(penalty, true, true, 1) with { Lambda = null }, LambdaCount = 20 },
            Folds = 5, Seed = 3,
        };
        var dense = Regression.CrossValidate(new Dataset(FeatureMatrix.FromRows(x), y), options);
        var sparse = Regression.CrossValidate(new Dataset(SparseData.Sparse(x), y), options);
        for (int k = 0; k < dense.Best.Lambdas.Count; k++) Assert.Equal(dense.Best.Mean[k], sparse.Best.Mean[k], 1e-8 * dense.Best.Mean[k]);
        Assert.Equal(dense.Best.IndexMin, sparse.Best.IndexMin);
        Assert.Equal(dense.Best.Index1Se, sparse.Best.Index1Se);
        AssertSame(dense.Model, sparse.Model);
    }

    [Fact]
    public void Leave_one_out_ridge_and_relaxed_lasso_are_the_same()
    {
        var (x, y) = SparseData.Make(9, 50, 8);
        var loo = new CrossValidationOptions { Path = new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge, Tolerance = Tight }, LambdaCount = 15 }, LeaveOneOut = true };
        var dense = Regression.CrossValidate(new Dataset(FeatureMatrix.FromRows(x), y), loo);
        var sparse = Regression.CrossValidate(new Dataset(SparseData.Sparse(x), y), loo);
        for (int k = 0; k < dense.Best.Lambdas.Count; k++) Assert.Equal(dense.Best.Mean[k], sparse.Best.Mean[k], 1e-8 * dense.Best.Mean[k]);
        var relaxed = new FitOptions { Lambda = 0.05, RelaxGamma = 0, Tolerance = Tight };
        AssertSame(Regression.Fit(new Dataset(FeatureMatrix.FromRows(x), y), relaxed), Regression.Fit(new Dataset(SparseData.Sparse(x), y), relaxed));
    }

    [Fact]
    public void Row_subsets_of_a_sparse_matrix_keep_it_sparse()
    {
        var (x, _) = SparseData.Make(10, 25, 9);
        var sparse = SparseData.Sparse(x);
        foreach (var rows in new[] { new[] { 0, 3, 4, 20 }, new[] { 24, 2, 7, 1 }, new[] { 5, 5, 0 }, Array.Empty<int>() })
        {
            var subset = sparse.SelectRows(rows);
            Assert.True(subset.IsSparse);
            for (int i = 0; i < rows.Length; i++)
                for (int j = 0; j < 9; j++) Assert.Equal(x[rows[i]][j], subset[i, j]);
        }
    }
}

/// <summary>The multi-task lasso and independent per-target fits on a sparse matrix give the dense answers.</summary>
[Collection(nameof(WorkingDirectory))]
public class SparseMultiTargetTests
{
    [Fact]
    public void Multi_task_and_per_target_fits_are_the_same()
    {
        var (x, y) = SparseData.Make(21, 50, 10);
        var second = y.Select((v, i) => 0.5 * v + Math.Sin(i)).ToArray();
        var options = new FitOptions { Lambda = 0.05, Tolerance = 1e-13 };
        var dense = Regression.FitMultiTask(new MultiTargetDataset(FeatureMatrix.FromRows(x), [y, second]), options);
        var sparse = Regression.FitMultiTask(new MultiTargetDataset(SparseData.Sparse(x), [y, second]), options);
        for (int t = 0; t < 2; t++)
        {
            var d = dense.ForTarget(t);
            var s = sparse.ForTarget(t);
            Assert.Equal(d.Intercept, s.Intercept, 1e-7);
            for (int j = 0; j < 10; j++) Assert.Equal(d.Coefficients[j], s.Coefficients[j], 1e-7);
        }
        var eachDense = Regression.FitEach(new MultiTargetDataset(FeatureMatrix.FromRows(x), [y, second]), options);
        var eachSparse = Regression.FitEach(new MultiTargetDataset(SparseData.Sparse(x), [y, second]), options);
        for (int t = 0; t < 2; t++)
            for (int j = 0; j < 10; j++) Assert.Equal(eachDense[t].Coefficients[j], eachSparse[t].Coefficients[j], 1e-7);
    }
}
