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

    /// <summary>
    /// The packed symmetric kernel against a plain double loop over x̃ = √w·(x − c)/s, across its edges: m not a whole
    /// number of 8-column panels, fewer rows than a chunk, rows not a whole number of chunks, enough work for the
    /// parallel path; with weights, and a column of mean 1e6 and spread 1e-2 (whose raw cross-products minus n·mean²
    /// would keep no correct digit).
    /// </summary>
    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(3, 2, true)]
    [InlineData(7, 9, false)]
    [InlineData(255, 17, true)]
    [InlineData(256, 8, false)]
    [InlineData(257, 23, true)]
    [InlineData(600, 41, false)]
    [InlineData(1100, 70, true)]
    [InlineData(2049, 131, true)]
    public void Packed_gram_equals_a_naive_double_loop(int n, int m, bool weighted)
    {
        var design = AwkwardDesign(n, m, weighted, seed: n + 7 * m);
        var rng = new Random(m);
        var y = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var columns = Enumerable.Range(0, m).Reverse().ToArray(); // any order of the design's columns
        var xty = new double[m];
        var gram = GramKernel.Compute(design, y, columns, xty);
        var t = columns.Select(j => Enumerable.Range(0, n).Select(i => (design.X[j * n + i] - design.Center[j]) / design.Scale[j] * (design.Root?[i] ?? 1)).ToArray()).ToArray();
        for (int a = 0; a < m; a++)
        {
            var (dot, size) = Naive(t[a], y);
            Assert.True(Math.Abs(xty[a] - dot) <= Relative * size, $"xty[{a}] = {xty[a]}, expected {dot}");
            for (int b = 0; b < m; b++)
            {
                (dot, size) = Naive(t[a], t[b]);
                Assert.True(Math.Abs(gram[a * m + b] - dot) <= Relative * size, $"G[{a},{b}] = {gram[a * m + b]}, expected {dot}");
                Assert.Equal(gram[a * m + b], gram[b * m + a]); // exactly symmetric
            }
        }
    }

    /// <summary>The thread count changes who computes each tile, never the order of any entry's sum.</summary>
    [Theory]
    [InlineData(3000, 97)]
    [InlineData(700, 260)]
    public void Packed_gram_is_identical_whatever_the_thread_count(int n, int m)
    {
        var design = AwkwardDesign(n, m, weighted: true, seed: 3);
        var rng = new Random(5);
        var y = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        double[]? first = null, firstXty = null;
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            var gram = new double[m * m];
            var xty = new double[m];
            GramKernel.Syrk(n, m, (a, start, target) => design.Transformed(a, start, target), gram, new GramKernel.Workspace(m), y, xty, threads);
            if (first is null)
            {
                (first, firstXty) = (gram, xty);
                continue;
            }
            Assert.Equal(first, gram);
            Assert.Equal(firstXty, xty);
        }
    }

    /// <summary>
    /// Two panels tiled at once (512-bit vectors) and one at a time: every entry is the same chain of multiply-adds, so
    /// the matrices are equal to the bit, with m a whole number of panel pairs or not. Where 512-bit vectors are not
    /// accelerated both runs take the single tiles, and this only shows the switch changes nothing.
    /// </summary>
    [Theory]
    [InlineData(700, 16)]
    [InlineData(1100, 70)]
    [InlineData(600, 131)]
    public void Paired_tiles_give_the_single_tiles_matrix_to_the_bit(int n, int m)
    {
        var design = AwkwardDesign(n, m, weighted: true, seed: 11);
        var rng = new Random(2);
        var y = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var columns = Enumerable.Range(0, m).ToArray();
        try
        {
            GramKernel.PairTiles = false;
            var single = GramKernel.Compute(design, y, columns, new double[m]);
            GramKernel.PairTiles = true;
            var paired = GramKernel.Compute(design, y, columns, new double[m]);
            Assert.Equal(single, paired);
        }
        finally
        {
            GramKernel.PairTiles = true;
        }
    }

    /// <summary>
    /// A batch's products with every column, by the same panels and tiles, are the whole matrix's entries to the bit:
    /// m and b whole panels or not, one thread or several, paired tiles or single.
    /// </summary>
    [Theory]
    [InlineData(700, 16, 3)]
    [InlineData(1100, 70, 9)]
    [InlineData(600, 131, 16)]
    [InlineData(2049, 40, 17)]
    public void A_batchs_products_are_the_whole_matrixs_entries_to_the_bit(int n, int m, int b)
    {
        var design = AwkwardDesign(n, m, weighted: true, seed: 13);
        var whole = new double[m * m];
        GramKernel.Syrk(n, m, (a, start, target) => design.Transformed(a, start, target), whole, new GramKernel.Workspace(m));
        var batch = Enumerable.Range(0, b).Select(a => (a * 7 + 3) % m).ToArray();
        try
        {
            foreach (bool pairs in new[] { true, false })
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    GramKernel.PairTiles = pairs;
                    var products = new double[b * m];
                    GramKernel.Cross(n, m, (a, start, target) => design.Transformed(a, start, target),
                        b, (a, start, target) => design.Transformed(batch[a], start, target), products, threads);
                    for (int a = 0; a < b; a++)
                        for (int k = 0; k < m; k++)
                            Assert.True(products[a * m + k].Equals(whole[batch[a] * m + k]), $"column {batch[a]}, row {k}: {products[a * m + k]:R} vs {whole[batch[a] * m + k]:R}");
                }
        }
        finally
        {
            GramKernel.PairTiles = true;
        }
    }

    private const double Relative = 1e-12;

    /// <summary>Σ u·v and Σ |u·v| (the scale a rounding error is measured against).</summary>
    private static (double Dot, double Size) Naive(double[] u, double[] v)
    {
        double dot = 0, size = 0;
        for (int i = 0; i < u.Length; i++)
        {
            dot += u[i] * v[i];
            size += Math.Abs(u[i] * v[i]);
        }
        return (dot, size + double.Epsilon);
    }

    /// <summary>Gaussian columns with varied centres and scales; column 1 has mean 1e6 and spread 1e-2.</summary>
    private static Design AwkwardDesign(int n, int m, bool weighted, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n * m];
        var center = new double[m];
        var scale = new double[m];
        for (int j = 0; j < m; j++)
        {
            double mean = j == 1 ? 1e6 : 3 * RandomData.Gaussian(rng), spread = j == 1 ? 1e-2 : 0.5 + rng.NextDouble();
            for (int i = 0; i < n; i++) x[j * n + i] = mean + spread * RandomData.Gaussian(rng);
            center[j] = x.AsSpan(j * n, n).ToArray().Average();
            scale[j] = j == 1 ? 1 : spread; // column 1 left unscaled: its products stay about 1e-4
        }
        double[]? root = null;
        if (weighted)
        {
            var w = Enumerable.Range(0, n).Select(_ => 2 * rng.NextDouble()).ToArray();
            w[0] = 0; // a row that counts for nothing
            root = w.Select(Math.Sqrt).ToArray();
        }
        return new Design { X = x, N = n, P = m, Center = center, Scale = scale, NormSquaredOverN = new double[m], Excluded = new bool[m], Root = root };
    }

    /// <summary>The same path in covariance form and in plain form.</summary>
    private static (RegularizationPath Gram, RegularizationPath Naive) BothForms(double[][] x, double[] y, PathOptions options) =>
        (InForm(true, () => Regression.Path(RandomData.Dataset(x, y), options)), InForm(false, () => Regression.Path(RandomData.Dataset(x, y), options)));

    /// <summary><paramref name="run"/> with the covariance form forced on or off.</summary>
    private static T InForm<T>(bool gram, Func<T> run)
    {
        try
        {
            GramState.Override = gram;
            return run();
        }
        finally
        {
            GramState.Override = null;
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
        var (gram, naive) = BothForms(x, y, options);
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

    /// <summary>
    /// At and above λmax a path's coefficients are exactly 0, with no sweep and a closed gap, in both solver forms (a
    /// solver's gradient summed in another order than λmax's could otherwise let a feature in by 1e-17); with an
    /// unpenalized feature there is no such λ, and that feature's coefficient is fitted at every λ.
    /// </summary>
    [Theory]
    [InlineData(Penalty.Lasso, null, true)]
    [InlineData(Penalty.ElasticNet, 0.3, true)]
    [InlineData(Penalty.ElasticNet, 0.3, false)]
    public void At_and_above_lambda_max_the_path_is_exactly_zero(Penalty penalty, double? r, bool gram)
    {
        var (x, y) = RandomData.Make(21, 80, 12);
        var set = RandomData.Dataset(x, y);
        var fit = new FitOptions { Penalty = penalty, L1Ratio = r, Tolerance = 1e-12 };
        double max = Regression.LambdaMax(set, fit);
        var lambdas = new[] { 4 * max, max, 0.5 * max, 0.1 * max };
        var path = InForm(gram, () => Regression.Path(set, new PathOptions { Fit = fit, Lambdas = lambdas }));
        for (int k = 0; k < 2; k++)
        {
            Assert.All(path.Coefficients[k], b => Assert.Equal(0.0, b));
            Assert.Equal(0, path.Model(k).Diagnostics.Iterations);
            Assert.True(path.Model(k).Diagnostics.Converged);
        }
        Assert.True(path.NonZero[2] > 0 && path.Model(2).Diagnostics.Iterations > 0);

        var unpenalized = Regression.Path(set, new PathOptions { Fit = fit with { PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0 } }, Lambdas = lambdas });
        Assert.All(Enumerable.Range(0, 4), k => Assert.NotEqual(0.0, unpenalized.Coefficients[k][0]));
    }

    /// <summary>
    /// Pairs of columns correlated at 0.998 and a long path: coordinate descent leaves many coefficients with the wrong
    /// sign, and the direct solves drop them one after another (the active-set steps of <c>Polish</c>). Every λ must
    /// still meet an independent duality gap and agree with the plain form.
    /// </summary>
    [Theory]
    [InlineData(Penalty.Lasso, null)]
    [InlineData(Penalty.ElasticNet, 0.5)]
    public void Paths_with_sign_flipping_pairs_meet_the_optimality_conditions(Penalty penalty, double? r)
    {
        var (x, y) = RandomData.Make(91, 400, 60);
        var rng = new Random(8);
        foreach (var row in x)
            for (int j = 1; j < 60; j += 2) row[j] = row[j - 1] + 0.06 * RandomData.Gaussian(rng);
        var options = new PathOptions { Fit = new FitOptions { Penalty = penalty, L1Ratio = r, Tolerance = 1e-12 }, LambdaCount = 60, LambdaMinRatio = 1e-4 };
        var (gram, naive) = BothForms(x, y, options);
        double tolerance = 1e-9 * y.Sum(v => v * v) / y.Length;
        for (int k = 0; k < gram.Count; k++)
        {
            var m = gram.Model(k);
            Assert.Equal("coordinate-descent (gram)", m.Diagnostics.Solver);
            Assert.True(m.Diagnostics.Converged);
            double gap = Certificates.DualityGap(x, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, true, true);
            Assert.True(gap <= tolerance, $"independent gap {gap:E2} at λ {k}");
            double scale = Math.Max(naive.Coefficients[k].Max(Math.Abs), 1e-9);
            for (int j = 0; j < 60; j++) Assert.True(Math.Abs(gram.Coefficients[k][j] - naive.Coefficients[k][j]) <= 1e-6 * scale, $"λ {k}, feature {j}");
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

public class GramStoreTests
{
    [Fact]
    public void Columns_computed_in_batches_then_all_at_once_are_the_Gram_matrix_and_solve_alike()
    {
        // p past the batch threshold in miniature: columns come in batches until a quarter of them were asked for,
        // then the whole matrix replaces them; every column, before and after, is x̃_jᵀx̃_k, and a path solved on the
        // batched store ends where one on the whole matrix does.
        var (x, y) = RandomData.Make(17, 160, 24);
        var problem = Problem.Build(RandomData.Dataset(x, y), true, true);
        var design = problem.Design;
        var batched = new GramState(design, problem.CenteredTarget) { WholeAtOnce = false, WholeAfterColumns = 6 };
        var whole = new GramState(design, problem.CenteredTarget);
        Assert.True(whole.WholeAtOnce);
        batched.Prefetch([3, 7]);
        batched.Prefetch([7, 11, 2]);
        foreach (int j in new[] { 2, 3, 7, 11 })
            for (int k = 0; k < 24; k++) Assert.Equal(whole.Column(j)[k], batched.Column(j)[k], 1e-9 * 160);
        batched.Prefetch([0, 1]); // 6 asked for: the whole matrix from now on
        for (int j = 0; j < 24; j++)
            Assert.Equal(whole.Column(j).ToArray(), batched.Column(j).ToArray());

        // Dense batches are the whole matrix's columns to the bit (the same tiles), so they need not be replaced.
        var exact = new GramState(design, problem.CenteredTarget) { WholeAtOnce = false, WholeAfterColumns = 24 };
        exact.Prefetch([5, 9]);
        foreach (int j in new[] { 5, 9 }) Assert.Equal(whole.Column(j).ToArray(), exact.Column(j).ToArray());

        var lazy = new GramState(design, problem.CenteredTarget) { WholeAtOnce = false, WholeAfterColumns = 10 };
        var a = new double[24];
        var b = new double[24];
        double previous = 0, lambdaMax = whole.Xty.Max(Math.Abs) / 160;
        foreach (double fraction in new[] { 0.5, 0.2, 0.05, 0.01 })
        {
            double l1 = fraction * lambdaMax;
            var oa = GramDescent.Solve(lazy, l1, 0, previous, 1e-12, 100_000, a);
            var ob = GramDescent.Solve(whole, l1, 0, previous, 1e-12, 100_000, b);
            Assert.True(oa.Converged && ob.Converged);
            for (int j = 0; j < 24; j++) Assert.Equal(b[j], a[j], 1e-8);
            previous = l1;
        }
    }
}

public class KeptGradientTests
{
    /// <summary>
    /// What a solve keeps for the next λ and for the certificate must be the gradient from scratch for the β it returns,
    /// to the bit, whether the solve converged (after sweeps, direct solves, or direct solves that were undone) or ran
    /// out of sweeps with coordinate updates in its gradient.
    /// </summary>
    [Theory]
    [InlineData(300, 40, 0.0, 100_000)]
    [InlineData(300, 40, 0.4, 100_000)]
    [InlineData(300, 40, 0.4, 3)]
    [InlineData(300, 40, 2.0, 7)]
    [InlineData(24, 40, 0.0, 100_000)] // the active set reaches n: direct solves are refused after violators stepped in
    public void The_kept_gradient_is_the_one_from_scratch(int n, int p, double l2, int maxSweeps)
    {
        // Pairs of strongly correlated columns: coordinate descent flips signs and the direct solves get undone.
        var (x, y) = RandomData.Make(31, n, p);
        var rng = new Random(4);
        foreach (var row in x)
            for (int j = 1; j < p; j += 2) row[j] = row[j - 1] + 0.05 * RandomData.Gaussian(rng);
        var problem = Problem.Build(RandomData.Dataset(x, y), true, true);
        var state = new GramState(problem.Design, problem.CenteredTarget);
        var beta = new double[p];
        var kept = new double[p];
        var fresh = new double[p];
        double lambdaMax = state.Xty.Max(Math.Abs) / n, previous = 0;
        for (int k = 1; k <= 30; k++)
        {
            double l1 = lambdaMax * Math.Pow(0.75, k);
            GramDescent.Solve(state, l1, l2 * l1, previous, 1e-13, maxSweeps, beta);
            state.GradientAt(beta, kept);
            GramDescent.Gradient(state, beta, fresh);
            Assert.Equal(fresh, kept);
            previous = l1;
        }
    }
}

public class GramBatchTests
{
    /// <summary>
    /// A dense batch smaller than <see cref="GramState.MinBatch"/> is topped up with the uncomputed features of largest
    /// |g_j| (its pass over X costs the same); without a ranking, only what was asked for is computed. Either way every
    /// column is the whole matrix's.
    /// </summary>
    [Fact]
    public void A_small_batch_is_topped_up_with_the_features_nearest_to_entering()
    {
        var (x, y) = RandomData.Make(5, 300, 40);
        var problem = Problem.Build(RandomData.Dataset(x, y), true, true);
        var design = problem.Design;
        var whole = new GramState(design, problem.CenteredTarget);
        var plain = new GramState(design, problem.CenteredTarget) { WholeAtOnce = false, WholeAfterColumns = 40 };
        plain.Prefetch([3]);
        Assert.Equal([3], Enumerable.Range(0, 40).Where(plain.Holds));

        var ranked = new GramState(design, problem.CenteredTarget) { WholeAtOnce = false, WholeAfterColumns = 40 };
        // Scores: feature j has |g_j| = (j * 17) % 40, so the largest 15 besides feature 3 are known.
        ranked.Ranking = Enumerable.Range(0, 40).Select(j => (j % 2 == 0 ? 1.0 : -1.0) * ((j * 17) % 40)).ToArray();
        ranked.Prefetch([3]);
        var expected = Enumerable.Range(0, 40).Where(j => j != 3).OrderByDescending(j => (j * 17) % 40).Take(GramState.MinBatch - 1).Append(3).Order();
        Assert.Equal(expected, Enumerable.Range(0, 40).Where(ranked.Holds));
        foreach (int j in expected) Assert.Equal(whole.Column(j).ToArray(), ranked.Column(j).ToArray());
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
        var factor = new IncrementalCholesky(problem.Design.P);
        int[][] sets = [[0, 3, 5], [0, 3, 5, 7, 9], [0, 5, 7, 9], [11, 0, 5, 2, 9, 7], [4]];
        // The same shift, then shifts that drift (the factor is kept and preconditions conjugate gradients) and one
        // far enough to be refactored.
        double[] shifts = [2.5, 2.5, 1.7, 0.9, 40];
        for (int k = 0; k < sets.Length; k++)
        {
            var set = sets[k];
            double shift = shifts[k];
            Assert.True(factor.Ensure(state, set, shift));
            Assert.Equal(set.Order(), factor.Order.ToArray().Order());
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

    /// <summary>Residual of (G_SS + shift·I)·x = b relative to ‖b‖, straight from the Gram columns.</summary>
    private static double Residual(GramState state, IReadOnlyList<int> order, double[] x, double[] b, double shift)
    {
        double residual = 0, size = 0;
        for (int u = 0; u < order.Count; u++)
        {
            double s = shift * x[u];
            for (int v = 0; v < order.Count; v++) s += state.Column(order[v])[order[u]] * x[v];
            residual += (b[u] - s) * (b[u] - s);
            size += b[u] * b[u];
        }
        return Math.Sqrt(residual / size);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Removing_columns_anywhere_many_times_over_keeps_the_factor_exact(int seed)
    {
        // Columns leave from the front, the middle and the end, hundreds of times (a long path's worth of rank-one
        // updates), and join again; after each change the factor must solve as a fresh one would.
        var (x, y) = RandomData.Make(seed, 300, 40);
        var problem = Problem.Build(RandomData.Dataset(x, y), true, true);
        var state = new GramState(problem.Design, problem.CenteredTarget);
        var factor = new IncrementalCholesky(problem.Design.P);
        var random = new Random(seed);
        var set = Enumerable.Range(0, 25).ToList();
        const double shift = 3.0;
        for (int step = 0; step < 300; step++)
        {
            if (set.Count > 5 && random.Next(3) > 0) set.RemoveAt(random.Next(set.Count));
            var outside = Enumerable.Range(0, 40).Except(set).ToArray();
            if (outside.Length > 0 && random.Next(2) == 0) set.Add(outside[random.Next(outside.Length)]);
            Assert.True(factor.Ensure(state, set, shift));
            Assert.Equal(set.Order(), factor.Order.ToArray().Order());
            var order = factor.Order.ToArray();
            var b = order.Select(j => Math.Cos(j + step)).ToArray();
            var solution = (double[])b.Clone();
            Assert.True(factor.Solve(state, solution, shift, new double[order.Length]));
            Assert.Equal("direct", factor.LastMethod);
            Assert.True(Residual(state, order, solution, b, shift) < 1e-12, $"step {step}");
        }
    }

    [Fact]
    public void A_kept_factor_solves_a_shifted_system_by_stationary_steps_or_else_by_conjugate_gradients()
    {
        // Well-separated columns: the Gram block's eigenvalues dwarf the shifts, so the stationary steps contract fast.
        // Nearly collinear columns: an eigenvalue near zero, where a shift change of 3x makes the steps contract slowly
        // (or not at all), and conjugate gradients must finish the job.
        var (x, y) = RandomData.Make(5, 400, 8);
        var near = x.Select(row => row.Append(row[0] + 1e-3 * row[1]).ToArray()).ToArray();
        foreach (var (rows, expected) in new[] { (x, "stationary"), (near, "conjugate gradients") })
        {
            var problem = Problem.Build(RandomData.Dataset(rows, y), true, true);
            var state = new GramState(problem.Design, problem.CenteredTarget);
            var factor = new IncrementalCholesky(problem.Design.P);
            int p = rows[0].Length;
            var set = Enumerable.Range(0, p).ToArray();
            Assert.True(factor.Ensure(state, set, 1.0));
            Assert.True(factor.Ensure(state, set, 3.0)); // kept: within the ratio of 4
            var order = factor.Order.ToArray();
            var b = order.Select(j => 1.0 + j).ToArray();
            var solution = (double[])b.Clone();
            Assert.True(factor.Solve(state, solution, 3.0, new double[p]));
            Assert.Equal(expected, factor.LastMethod);
            Assert.True(Residual(state, order, solution, b, 3.0) < 1e-9);
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
