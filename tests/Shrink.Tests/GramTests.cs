using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>The covariance form and its blocked kernel give the same answers as the plain ones.</summary>
[Collection(nameof(WorkingDirectory))] // flips a process-wide switch
public class GramTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(7, 5)]
    [InlineData(600, 9)]
    [InlineData(1100, 13)]
    public void Blocked_gram_equals_plain_dot_products(int n, int p)
    {
        var (x, y) = RandomData.Make(n + p, n, p);
        var problem = Problem.Build(RandomData.Dataset(x, y), fitIntercept: true, standardize: true);
        var design = problem.Design;
        var columns = Enumerable.Range(0, p).Where(j => !design.Excluded[j]).ToArray();
        var xty = new double[columns.Length];
        var gram = GramKernel.Compute(design, problem.CenteredTarget, columns, xty);
        var t = columns.Select(j => { var v = new double[n]; DirectSolver.Transformed(design, j, v); return v; }).ToArray();
        for (int a = 0; a < columns.Length; a++)
        {
            Assert.Equal(t[a].Zip(problem.CenteredTarget, (u, v) => u * v).Sum(), xty[a], 1e-9 * n);
            for (int b = 0; b < columns.Length; b++)
                Assert.Equal(t[a].Zip(t[b], (u, v) => u * v).Sum(), gram[a * columns.Length + b], 1e-9 * n);
        }
    }

    [Theory]
    [InlineData(Penalty.Lasso, null, true, true)]
    [InlineData(Penalty.ElasticNet, 0.3, true, true)]
    [InlineData(Penalty.Lasso, null, false, true)]
    [InlineData(Penalty.Lasso, null, true, false)]
    [InlineData(Penalty.ElasticNet, 0.6, false, false)]
    public void Paths_in_gram_and_naive_form_agree(Penalty penalty, double? r, bool intercept, bool standardize)
    {
        var (x, y) = RandomData.Make(77, 120, 15);
        foreach (var row in x) row[4] = 2.5; // a constant column: excluded, or with neither intercept nor scaling a real feature
        var options = new PathOptions { Fit = new FitOptions { Penalty = penalty, L1Ratio = r, FitIntercept = intercept, Standardize = standardize, Tolerance = 1e-12 }, LambdaCount = 30 };
        RegularizationPath gram, naive;
        try
        {
            GramState.Override = true;
            gram = Regression.Path(RandomData.Dataset(x, y), options);
            GramState.Override = false;
            naive = Regression.Path(RandomData.Dataset(x, y), options);
        }
        finally
        {
            GramState.Override = null;
        }
        Assert.All(gram.Models, m => Assert.Equal("coordinate-descent (gram)", m.Diagnostics.Solver));
        Assert.All(naive.Models, m => Assert.Equal("coordinate-descent", m.Diagnostics.Solver));
        for (int k = 0; k < gram.Count; k++)
        {
            var m = gram.Model(k);
            double scale = Math.Max(naive.Coefficients[k].Max(Math.Abs), 1e-9);
            for (int j = 0; j < 15; j++) Assert.True(Math.Abs(gram.Coefficients[k][j] - naive.Coefficients[k][j]) <= 1e-7 * scale, $"λ {k}, feature {j}");
            Assert.Equal(naive.R2[k], gram.R2[k], 1e-9);
            // The Gram-form certificate agrees with an independent one from the raw data.
            double gap = Certificates.DualityGap(x, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, standardize, intercept);
            Assert.True(gap <= 1e-9 * y.Sum(v => v * v) / y.Length, $"independent gap {gap:E2} at λ {k}");
            Assert.True(m.Diagnostics.Converged);
        }
    }
}

public class StrongRuleTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void Screening_never_drops_a_feature_that_belongs_in_the_solution(double r)
    {
        // Wide data: the naive form with the sequential strong rule and its optimality re-check.
        var (x, y) = RandomData.Make(5, 40, 300);
        var data = RandomData.Dataset(x, y);
        var fit = new FitOptions { Penalty = r == 1 ? Penalty.Lasso : Penalty.ElasticNet, L1Ratio = r == 1 ? null : r, Tolerance = 1e-11 };
        var path = Regression.Path(data, new PathOptions { Fit = fit, LambdaCount = 40 });
        for (int k = 0; k < path.Count; k++)
        {
            var m = path.Model(k);
            Assert.Equal("coordinate-descent", m.Diagnostics.Solver);
            double kkt = Certificates.KktViolation(x, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, true, true);
            Assert.True(kkt < 1e-5, $"KKT violation {kkt:E2} at λ {k}");
        }
        // And the same non-zero pattern as fits made without any screening.
        foreach (int k in new[] { 5, 20, 39 })
        {
            var single = Regression.Fit(data, fit with { Lambda = path.Lambdas[k] });
            Assert.Equal(single.Coefficients.Select(b => b != 0), path.Coefficients[k].Select(b => b != 0));
        }
    }
}

public class IncrementalCholeskyTests
{
    [Fact]
    public void Growing_shrinking_and_regrowing_the_set_solves_like_a_fresh_factorization()
    {
        var (x, y) = RandomData.Make(12, 200, 12);
        var problem = Problem.Build(RandomData.Dataset(x, y), true, true);
        var state = new GramState(problem.Design, problem.CenteredTarget);
        var factor = new IncrementalCholesky();
        int[][] sets = [[0, 3, 5], [0, 3, 5, 7, 9], [0, 5, 7, 9], [11, 0, 5, 2, 9, 7], [4]];
        // The same shift, then shifts that drift (the factor is kept and preconditions conjugate gradients) and one
        // far enough to be refactored.
        double[] shifts = [2.5, 2.5, 1.7, 0.9, 40];
        for (int k = 0; k < sets.Length; k++)
        {
            var set = sets[k];
            double shift = shifts[k];
            Assert.True(factor.Ensure(state, set, shift));
            Assert.Equal(set.Order(), factor.Order.Order());
            var order = factor.Order.ToArray();
            int m = order.Length;
            var b = Enumerable.Range(0, m).Select(i => 1.0 + i).ToArray();
            // Conjugate gradients from nothing and from a guess (what coordinate descent leaves) end at the same solution.
            double[][] starts = [new double[m], Enumerable.Range(0, m).Select(i => 0.3 * i - 1).ToArray()];
            foreach (var start in starts)
            {
                var x0 = (double[])b.Clone();
                Assert.True(factor.Solve(state, x0, shift, start));
                // Residual of (G_SS + shift·I)·x = b, computed directly from the Gram columns.
                for (int u = 0; u < m; u++)
                {
                    double s = shift * x0[u];
                    for (int v = 0; v < m; v++) s += state.Column(order[v])[order[u]] * x0[v];
                    Assert.Equal(b[u], s, 1e-9);
                }
            }
        }
    }
}

[Collection(nameof(WorkingDirectory))] // changes the process-wide CV parallelism
public class FoldGramTests
{
    /// <summary>Tall data (n ≥ 2p), so that cross-validation takes the folds' covariance form, with an offset.</summary>
    private static Dataset Tall(bool offset)
    {
        var (x, y) = RandomData.Make(23, 240, 9, noise: 1.0);
        var shift = offset ? Enumerable.Range(0, y.Length).Select(i => Math.Sin(i) * 2).ToArray() : null;
        return new Dataset(FeatureMatrix.FromRows(x), y, offset: shift);
    }

    [Theory]
    [InlineData(true, true, false)]
    [InlineData(false, true, true)]
    [InlineData(true, false, true)]
    [InlineData(false, false, false)]
    public void A_problem_on_rows_read_in_place_is_the_problem_on_a_copy_of_them(bool intercept, bool standardize, bool weighted)
    {
        var (x, y) = RandomData.Make(29, 60, 5);
        // Column 4 is constant on the chosen rows (and only there): excluded in the subset's problem with an intercept or standardization.
        for (int i = 0; i < 60; i++) x[i][4] = i % 3 == 0 || i % 5 == 1 ? 2.5 : i;
        var weights = weighted ? Enumerable.Range(0, 60).Select(i => 0.5 + i % 4).ToArray() : null;
        var data = new Dataset(FeatureMatrix.FromRows(x), y, weights: weights, offset: Enumerable.Range(0, 60).Select(i => 0.1 * i).ToArray());
        var rows = Enumerable.Range(0, 60).Where(i => i % 3 == 0 || i % 5 == 1).ToArray();
        var fit = new FitOptions { FitIntercept = intercept, Standardize = standardize };
        var copy = Problem.Build(CrossValidator.Subset(data, rows), fit);
        var inPlace = Problem.BuildOnRows(data, fit, rows);
        Assert.Equal(copy.N, inPlace.N);
        Assert.Equal(copy.Design.Center, inPlace.Design.Center);
        Assert.Equal(copy.Design.Scale, inPlace.Design.Scale);
        Assert.Equal(copy.Design.NormSquaredOverN, inPlace.Design.NormSquaredOverN);
        Assert.Equal(copy.Design.Excluded, inPlace.Design.Excluded);
        Assert.Equal(copy.Design.Root, inPlace.Design.Root);
        Assert.Equal(copy.CenteredTarget, inPlace.CenteredTarget);
        Assert.Equal(copy.TargetMean, inPlace.TargetMean);
        Assert.Equal(copy.TargetScale, inPlace.TargetScale);
        Assert.Empty(inPlace.Design.X); // no rows of its own
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Cross_validation_from_fold_grams_equals_fits_on_each_folds_own_rows(bool standardize, bool offset)
    {
        var data = Tall(offset);
        var fit = new FitOptions { Standardize = standardize, Tolerance = 1e-12, Penalty = Penalty.ElasticNet, L1Ratio = 0.7 };
        var options = new CrossValidationOptions { Path = new PathOptions { Fit = fit, LambdaCount = 20 }, Folds = 5, Seed = 4 };
        var cv = Regression.CrossValidate(data, options);
        var folds = cv.FoldIds!.ToArray();
        var grid = cv.Best.Lambdas.ToArray();
        int n = data.Rows;
        var total = new double[grid.Length];
        for (int f = 0; f < 5; f++)
        {
            var train = CrossValidator.Subset(data, Enumerable.Range(0, n).Where(i => folds[i] != f).ToArray());
            var test = CrossValidator.Subset(data, Enumerable.Range(0, n).Where(i => folds[i] == f).ToArray());
            var path = Regression.Path(train, new PathOptions { Fit = fit, Lambdas = grid });
            for (int l = 0; l < grid.Length; l++)
            {
                var predicted = test.Offset is { } o ? path.Model(l).Predict(test.Features, o.ToArray()) : path.Model(l).Predict(test.Features);
                for (int i = 0; i < test.Rows; i++) total[l] += Math.Pow(test.Target[i] - predicted[i], 2);
            }
        }
        for (int l = 0; l < grid.Length; l++)
            Assert.Equal(total[l] / n, cv.Best.Mean[l], 1e-8 * total[l] / n);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cross_validation_from_fold_grams_does_not_depend_on_the_thread_count(bool offset)
    {
        var data = Tall(offset);
        var options = new CrossValidationOptions { Path = new PathOptions { LambdaCount = 30 }, Folds = 6, Seed = 8 };
        var parallel = Regression.CrossValidate(data, options);
        CrossValidator.MaxParallelism = 1;
        try
        {
            var serial = Regression.CrossValidate(data, options);
            Assert.Equal(parallel.Best.Mean, serial.Best.Mean);
            Assert.Equal(parallel.Best.StandardError, serial.Best.StandardError);
            Assert.Equal(parallel.Best.LambdaMin, serial.Best.LambdaMin);
        }
        finally
        {
            CrossValidator.MaxParallelism = null;
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void A_folds_gram_from_the_full_data_equals_the_one_computed_on_its_rows(bool intercept, bool standardize)
    {
        var (x, y) = RandomData.Make(19, 150, 7);
        var data = RandomData.Dataset(x, y);
        var folds = CrossValidator.AssignFolds(150, new CrossValidationOptions { Folds = 4, Seed = 2 });
        var grams = new FoldGrams(data, intercept, folds, 4);
        for (int f = 0; f < 4; f++)
        {
            var train = CrossValidator.Subset(data, Enumerable.Range(0, 150).Where(i => folds[i] != f).ToArray());
            var problem = Problem.Build(train, intercept, standardize);
            var moments = grams.For(f, problem);
            var derived = new GramState(problem.Design, moments.Gram, moments.Xty, moments.YSquared);
            var direct = new GramState(problem.Design, problem.CenteredTarget);
            Assert.Equal(direct.YSquared, derived.YSquared, 1e-9 * direct.YSquared);
            for (int a = 0; a < 7; a++)
            {
                Assert.Equal(direct.Xty[a], derived.Xty[a], 1e-9 * (1 + Math.Abs(direct.Xty[a])));
                for (int b = 0; b < 7; b++)
                    Assert.Equal(direct.Column(a)[b], derived.Column(a)[b], 1e-9 * (1 + Math.Abs(direct.Column(a)[b])));
            }
        }
    }
}
