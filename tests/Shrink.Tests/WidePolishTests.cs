using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// The wide dense path's direct solves: a Cholesky factor kept across joins and removals must solve as a fresh one
/// does, and paths whose active sets churn (correlated columns, signs that flip, as many active features as rows)
/// must still meet the optimality conditions on every feature at every λ.
/// </summary>
public class WidePolishTests
{
    private static double[] RandomGram(int seed, int n, int p, out double[][] columns)
    {
        var rng = new Random(seed);
        columns = new double[p][];
        for (int j = 0; j < p; j++)
        {
            columns[j] = new double[n];
            for (int i = 0; i < n; i++) columns[j][i] = RandomData.Gaussian(rng);
            // Some near-duplicates, so the blocks are far from the identity.
            if (j % 5 == 4)
                for (int i = 0; i < n; i++) columns[j][i] = columns[j - 1][i] + 0.1 * RandomData.Gaussian(rng);
        }
        var gram = new double[p * p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
                gram[a * p + b] = columns[a].Zip(columns[b], (u, v) => u * v).Sum();
        return gram;
    }

    private static double[] FreshSolve(double[] gram, int p, IReadOnlyList<int> set, double[] rhs)
    {
        int m = set.Count;
        var block = new double[m * m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) block[a * m + b] = gram[set[a] * p + set[b]];
        Assert.Equal(-1, Cholesky.Factor(block, m, 1e-12));
        var x = (double[])rhs.Clone();
        Cholesky.Solve(block, m, x);
        return x;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Kept_factor_solves_as_a_fresh_one_after_joins_and_removals(int seed)
    {
        int n = 60, p = 40;
        var gram = RandomGram(seed, n, p, out _);
        var rng = new Random(seed + 100);
        var factor = new UpdatableCholesky(p);
        int removals = 0, joins = 0;
        for (int step = 0; step < 300; step++)
        {
            // Mostly joins while small, mostly removals (at any position, the first and last included) while large.
            bool remove = factor.Count > 0 && rng.NextDouble() < (factor.Count < 10 ? 0.2 : 0.55);
            if (remove)
            {
                int k = step % 7 == 0 ? 0 : step % 7 == 1 ? factor.Count - 1 : rng.Next(factor.Count);
                int j = factor.Order[k];
                factor.Remove(k);
                Assert.Equal(-1, factor.PositionOf(j));
                removals++;
            }
            else
            {
                var outside = Enumerable.Range(0, p).Where(j => factor.PositionOf(j) < 0).ToArray();
                if (outside.Length == 0) continue;
                int j = outside[rng.Next(outside.Length)];
                var entries = factor.Order.ToArray().Select(k => gram[k * p + j]).ToArray();
                Assert.True(factor.Append(j, entries, gram[j * p + j], 1e-12));
                Assert.Equal(factor.Count - 1, factor.PositionOf(j));
                joins++;
            }
            if (factor.Count == 0) continue;
            var order = factor.Order.ToArray();
            var rhs = order.Select(_ => RandomData.Gaussian(rng)).ToArray();
            var expected = FreshSolve(gram, p, order, rhs);
            var kept = (double[])rhs.Clone();
            factor.Solve(kept);
            double scale = expected.Max(Math.Abs);
            for (int a = 0; a < order.Length; a++)
                Assert.True(Math.Abs(kept[a] - expected[a]) <= 1e-9 * scale, $"step {step}: {kept[a]} vs {expected[a]}");
        }
        Assert.True(removals > 50 && joins > 50, $"{removals} removals, {joins} joins");
    }

    /// <summary>Appends column j with its entries against the held columns, as a path would.</summary>
    private static bool AppendOne(UpdatableCholesky factor, double[] gram, int p, int j) =>
        factor.Append(j, factor.Order.ToArray().Select(k => gram[k * p + j]).ToArray(), gram[j * p + j], 1e-12);

    /// <summary>A Gram matrix whose column <paramref name="dependent"/> is 2·x_0 − x_1, and a factor holding columns 0, 1, 2.</summary>
    private static (double[] Gram, UpdatableCholesky Factor) WithDependentColumn(int seed, int n, int p, int dependent)
    {
        var gram = RandomGram(seed, n, p, out var columns);
        for (int i = 0; i < n; i++) columns[dependent][i] = 2 * columns[0][i] - columns[1][i];
        for (int a = 0; a < p; a++)
        {
            double value = columns[a].Zip(columns[dependent], (u, v) => u * v).Sum();
            gram[a * p + dependent] = gram[dependent * p + a] = value;
        }
        var factor = new UpdatableCholesky(p);
        foreach (int j in new[] { 0, 1, 2 }) Assert.True(AppendOne(factor, gram, p, j));
        return (gram, factor);
    }

    /// <summary>Entries AppendAll takes for <paramref name="ids"/>: with the held columns, then with those joining before.</summary>
    private static (double[][] Entries, double[] Diagonals) Joining(UpdatableCholesky factor, double[] gram, int p, int[] ids)
    {
        var held = factor.Order.ToArray();
        var entries = new double[ids.Length][];
        for (int t = 0; t < ids.Length; t++)
            entries[t] = held.Concat(ids.Take(t)).Select(k => gram[k * p + ids[t]]).ToArray();
        return (entries, ids.Select(j => gram[j * p + j]).ToArray());
    }

    /// <summary>
    /// Columns appended together (a block solve per <see cref="UpdatableCholesky.Block"/> columns, single ones alone)
    /// make the factor one append at a time makes, and both solve as a fresh factorization does: from nothing and onto
    /// held columns, fewer than a vector of columns, whole blocks and blocks with a remainder.
    /// </summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(5, 3)]
    [InlineData(3, 16)]
    [InlineData(7, 17)]
    [InlineData(10, 41)]
    [InlineData(0, 110)]
    public void Columns_appended_together_factor_as_one_at_a_time(int held, int joining)
    {
        int n = 150, p = 120;
        var gram = RandomGram(held + 10 * joining, n, p, out _);
        var order = Enumerable.Range(0, p).OrderBy(j => (j * 37) % p).ToArray(); // not in index order
        var together = new UpdatableCholesky(p);
        var single = new UpdatableCholesky(p);
        foreach (var factor in new[] { together, single })
            foreach (int j in order.Take(held)) Assert.True(AppendOne(factor, gram, p, j));
        var ids = order.Skip(held).Take(joining).ToArray();
        var (entries, diagonals) = Joining(together, gram, p, ids);
        Assert.True(together.AppendAll(ids, entries, diagonals, 1e-12));
        foreach (int j in ids) Assert.True(AppendOne(single, gram, p, j));
        Assert.Equal(single.Order.ToArray(), together.Order.ToArray());
        foreach (int j in ids) Assert.Equal(single.PositionOf(j), together.PositionOf(j));

        var rng = new Random(held);
        var rhs = together.Order.ToArray().Select(_ => RandomData.Gaussian(rng)).ToArray();
        var expected = FreshSolve(gram, p, together.Order.ToArray(), rhs);
        var a = (double[])rhs.Clone();
        var b = (double[])rhs.Clone();
        together.Solve(a);
        single.Solve(b);
        double scale = expected.Max(Math.Abs);
        for (int u = 0; u < rhs.Length; u++)
        {
            Assert.True(Math.Abs(a[u] - expected[u]) <= 1e-9 * scale, $"together, position {u}: {a[u]} vs {expected[u]}");
            Assert.True(Math.Abs(a[u] - b[u]) <= 1e-10 * scale, $"position {u}: {a[u]} vs {b[u]}");
        }
    }

    /// <summary>A dependent column among those appended together: refused, and none of them is taken.</summary>
    [Theory]
    [InlineData(3)]   // inside a block
    [InlineData(17)]  // in a later block (the second, where blocks hold 16 columns)
    public void A_dependent_column_among_those_appended_together_refuses_them_all(int at)
    {
        int p = 40;
        var (gram, factor) = WithDependentColumn(9, 60, p, 39);
        var rhs = new[] { 1.0, -2.0, 0.5 };
        var before = (double[])rhs.Clone();
        factor.Solve(before);
        var ids = Enumerable.Range(3, at).Append(39).Concat(Enumerable.Range(3 + at, 4)).ToArray();
        var (entries, diagonals) = Joining(factor, gram, p, ids);
        Assert.False(factor.AppendAll(ids, entries, diagonals, 1e-12));
        Assert.Equal(new[] { 0, 1, 2 }, factor.Order.ToArray());
        Assert.All(ids, j => Assert.Equal(-1, factor.PositionOf(j)));
        var after = (double[])rhs.Clone();
        factor.Solve(after);
        Assert.Equal(before, after);
        // And the factor goes on taking columns as before.
        var (more, moreDiagonals) = Joining(factor, gram, p, [20, 21, 22]);
        Assert.True(factor.AppendAll([20, 21, 22], more, moreDiagonals, 1e-12));
        Assert.Equal(6, factor.Count);
    }

    [Fact]
    public void Dependent_column_is_refused_and_the_factor_is_unchanged()
    {
        int p = 12;
        var (gram, factor) = WithDependentColumn(7, 30, p, 11);
        var rhs = new[] { 1.0, -2.0, 0.5 };
        var before = (double[])rhs.Clone();
        factor.Solve(before);
        Assert.False(AppendOne(factor, gram, p, 11));
        Assert.Equal(3, factor.Count);
        Assert.Equal(-1, factor.PositionOf(11));
        var after = (double[])rhs.Clone();
        factor.Solve(after);
        Assert.Equal(before, after);
    }

    /// <summary>
    /// Groups of strongly correlated columns make coordinate descent flip signs and the direct solves drop
    /// coefficients; the path goes down far enough for the active set to approach the number of rows.
    /// </summary>
    [Theory]
    [InlineData(1.0, false)]
    [InlineData(1.0, true)]
    [InlineData(0.5, false)]
    public void Churning_wide_paths_meet_the_optimality_conditions(double ratio, bool standardize)
    {
        int n = 40, p = 900;
        var rng = new Random(17);
        var rows = new double[n][];
        for (int i = 0; i < n; i++) rows[i] = new double[p];
        for (int j = 0; j < p; j += 3)
        {
            for (int i = 0; i < n; i++)
            {
                double common = RandomData.Gaussian(rng);
                for (int k = j; k < Math.Min(p, j + 3); k++) rows[i][k] = common + 0.15 * RandomData.Gaussian(rng);
            }
        }
        var y = new double[n];
        for (int i = 0; i < n; i++)
            y[i] = rows[i][0] - rows[i][1] + 0.7 * rows[i][30] - 0.6 * rows[i][31] + 0.4 * rows[i][p - 2] + 0.5 * RandomData.Gaussian(rng);
        var options = new PathOptions
        {
            Fit = new FitOptions { Tolerance = 1e-10, Standardize = standardize, FitIntercept = standardize, L1Ratio = ratio, Penalty = ratio == 1 ? Penalty.Lasso : Penalty.ElasticNet },
            LambdaCount = 80,
            LambdaMinRatio = 1e-4,
        };
        var path = Regression.Path(new Dataset(FeatureMatrix.FromRows(rows), y), options);
        Assert.Equal("coordinate-descent", path.Model(0).Diagnostics.Solver);
        for (int k = 0; k < path.Count; k++)
        {
            var m = path.Model(k);
            double kkt = Certificates.KktViolation(rows, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, standardize, standardize);
            Assert.True(kkt < 1e-6, $"KKT violation {kkt:E2} at λ {k}");
            Assert.True(m.Diagnostics.DualityGap <= m.Diagnostics.GapTolerance, $"gap {m.Diagnostics.DualityGap:E2} at λ {k}");
        }
        // Far enough down for the active set to reach (lasso) or pass (elastic net) half the rows.
        Assert.True(path.Model(path.Count - 1).NonZeroCount > n / 2, $"{path.Model(path.Count - 1).NonZeroCount} non-zero");
    }
}
