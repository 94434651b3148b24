using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// The solvers' reused buffers (kept to hold a wide path's memory down) give exactly what fresh ones give: the row-array
/// Cholesky against the square one, the Anderson history across rounds and active sets against a direct computation,
/// and the polish Gram cache across growth and eviction against a cache made for each request and the direct solve.
/// </summary>
public class SolverBufferTests
{
    /// <summary>A random symmetric positive definite matrix (row-major), well or badly conditioned.</summary>
    private static double[] Spd(Random rng, int m, double ridge)
    {
        var b = new double[m * m];
        for (int i = 0; i < b.Length; i++) b[i] = RandomData.Gaussian(rng);
        var a = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int k = 0; k < m; k++) s += b[i * m + k] * b[j * m + k];
                a[i * m + j] = s + (i == j ? ridge : 0);
            }
        return a;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(90)]
    public void Row_array_cholesky_is_the_square_one_to_the_bit(int m)
    {
        var rng = new Random(m);
        var square = Spd(rng, m, 1e-3);
        // Rows longer than the triangle needs (left from a larger system) and holding stale values past it.
        var rows = Enumerable.Range(0, m).Select(i => Enumerable.Range(0, i + 5).Select(_ => double.NaN).ToArray()).ToArray();
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++) rows[i][j] = square[i * m + j];
        var rhs = Enumerable.Range(0, m).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var x = (double[])rhs.Clone();

        Assert.Equal(-1, Cholesky.Factor(square, m, 1e-12));
        Assert.Equal(-1, Cholesky.Factor(rows, m, 1e-12));
        Cholesky.Solve(square, m, rhs);
        Cholesky.Solve(rows, m, x);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j <= i; j++) Assert.Equal(BitConverter.DoubleToInt64Bits(square[i * m + j]), BitConverter.DoubleToInt64Bits(rows[i][j]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(rhs[i]), BitConverter.DoubleToInt64Bits(x[i]));
        }
    }

    [Fact]
    public void Row_array_cholesky_finds_the_same_dependent_column()
    {
        var rng = new Random(5);
        int m = 12;
        var square = Spd(rng, m, 0);
        // Column 8 = column 2 + column 5 (and the row likewise): a singular matrix whose first dependent column is 8.
        for (int i = 0; i < m; i++) square[i * m + 8] = square[i * m + 2] + square[i * m + 5];
        for (int j = 0; j < m; j++) square[8 * m + j] = square[2 * m + j] + square[5 * m + j];
        var rows = Enumerable.Range(0, m).Select(i => square.AsSpan(i * m, i + 1).ToArray()).ToArray();
        int expected = Cholesky.Factor((double[])square.Clone(), m, 1e-10);
        Assert.Equal(8, expected);
        Assert.Equal(expected, Cholesky.Factor(rows, m, 1e-10));
    }

    /// <summary>The affine extrapolation of iterates, computed directly from them (what the history must return).</summary>
    private static double[]? Direct(List<double[]> iterates)
    {
        var w = Weights(iterates);
        if (w is null) return null;
        var result = new double[iterates[0].Length];
        for (int r = 0; r < w.Length; r++) Kernels.Axpy(w[r], iterates[r + 1], result);
        return result;
    }

    /// <summary>The weights w (summing to 1) of the extrapolation Σ w_r·x_{r+1}, or null where it is undefined.</summary>
    private static double[]? Weights(List<double[]> iterates)
    {
        int k = iterates.Count - 1, m = iterates[0].Length;
        if (k < 1 || m == 0) return null;
        var u = Enumerable.Range(0, k).Select(r => iterates[r + 1].Zip(iterates[r], (a, b) => a - b).ToArray()).ToArray();
        var gram = new double[k * k];
        double trace = 0;
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
            {
                gram[r * k + c] = Kernels.Dot(u[r], u[c]);
                if (r == c) trace += gram[r * k + c];
            }
        if (!(trace > 0)) return null;
        for (int r = 0; r < k; r++) gram[r * k + r] += 1e-10 * trace;
        var z = Enumerable.Repeat(1.0, k).ToArray();
        if (Cholesky.Factor(gram, k, 0) >= 0) return null;
        Cholesky.Solve(gram, k, z);
        double sum = z.Sum();
        if (!(Math.Abs(sum) > 1e-300)) return null;
        return z.Select(value => value / sum).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Anderson_history_reused_across_rounds_and_active_sets_matches_a_direct_computation(int width)
    {
        var rng = new Random(width);
        int p = 400;
        var history = new IterateHistory([], width);
        // Growing, shrinking and growing again, past the buffers' capacity each time it grows.
        foreach (int size in new[] { 40, 41, 90, 12, 300, 33, 300 })
        {
            var active = Enumerable.Range(0, p).OrderBy(_ => rng.Next()).Take(size).Order().ToArray();
            history.Restart(active);
            Assert.Equal(active, history.Active.ToArray());
            for (int round = 0; round < 3; round++)
            {
                var recorded = new List<double[]>();
                var beta = Enumerable.Range(0, p * width).Select(_ => RandomData.Gaussian(rng)).ToArray();
                while (!history.Ready)
                {
                    // Iterates converging geometrically, as coordinate descent's do, with noise.
                    for (int i = 0; i < beta.Length; i++) beta[i] = 0.7 * beta[i] + 0.01 * RandomData.Gaussian(rng);
                    history.Record(beta);
                    recorded.Add(active.SelectMany(j => beta.AsSpan(j * width, width).ToArray()).ToArray());
                }
                Assert.Throws<InvalidOperationException>(() => history.Record(beta));
                var expected = Direct(recorded);
                var actual = history.Extrapolate();
                Assert.NotNull(expected);
                Assert.Equal(expected!.Length, actual.Length);
                // The history keeps the last iterate and the differences, not every iterate: its sums round otherwise,
                // by the size of the terms (which cancel where the weights are large).
                double terms = Weights(recorded)!.Sum(Math.Abs) * recorded.Max(x => x.Length == 0 ? 0 : x.Max(Math.Abs));
                for (int a = 0; a < expected.Length; a++) Assert.Equal(expected[a], actual[a], 1e-13 * terms);
            }
        }
    }

    [Fact]
    public void Anderson_history_is_undefined_below_two_iterates_and_for_identical_ones()
    {
        var history = new IterateHistory([0, 2]);
        Assert.True(history.Extrapolate().IsEmpty);
        history.Record([1.0, 2, 3]);
        Assert.True(history.Extrapolate().IsEmpty);
        // The same iterate six times: no differences to cancel, no combination.
        for (int k = 0; k < 6; k++) history.Record([1.0, 2, 3]);
        Assert.True(history.Ready);
        Assert.True(history.Extrapolate().IsEmpty);
        Assert.False(history.Ready);
    }

    /// <summary>Dense and sparse designs with an intercept and standardization (the cache's entries are of x̃).</summary>
    public static TheoryData<bool> Sparse => new() { false, true };

    [Theory]
    [MemberData(nameof(Sparse))]
    public void Gram_cache_grown_row_by_row_solves_as_one_made_for_the_whole_request(bool sparse)
    {
        var (design, yc, included) = CacheProblem(sparse);
        int p = design.P;
        var cache = new CoordinateDescent.GramCache(p);
        // Each request extends the last (a path's active set growing): the cache adds rows for the new columns only, and
        // its entries and system are those of a cache that meets the whole request at once, to the last bit.
        foreach (int m in new[] { 1, 5, 64, 65, 300, 700, CoordinateDescent.GramCache.Capacity })
        {
            var columns = included[..m];
            var shift = columns.Select(j => 0.01 * j).ToArray();
            var cached = new double[m];
            var fresh = new double[m];
            Assert.True(cache.Solve(design, yc, columns, shift, 0.3, cached));
            Assert.True(new CoordinateDescent.GramCache(p).Solve(design, yc, columns, shift, 0.3, fresh));
            for (int a = 0; a < m; a++) Assert.Equal(BitConverter.DoubleToInt64Bits(fresh[a]), BitConverter.DoubleToInt64Bits(cached[a]));
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Gram_cache_across_growth_and_eviction_solves_the_system(bool sparse, bool slotMap)
    {
        var (design, yc, included) = CacheProblem(sparse);
        var rng = new Random(sparse ? 11 : 12);
        // (Slots by feature in an array, or in the map that designs of more than 65,536 features use.)
        var cache = new CoordinateDescent.GramCache(design.P, slotMap);
        var last = Array.Empty<int>();
        // Requests that keep half of the last one's columns (as a path's polishes share most of theirs) and add new ones
        // in a random order: the cache grows row by row, passes its capacity (which evicts every column not asked for,
        // moving the others' entries) and shrinks again. A ridge term keeps every block positive definite although m > n.
        foreach (int m in new[] { 5, 40, 300, 700, 30, 1024, 12 })
        {
            var columns = last.OrderBy(_ => rng.Next()).Take(Math.Min(last.Length / 2, m)).ToList();
            foreach (int j in included.OrderBy(_ => rng.Next()))
            {
                if (columns.Count == m) break;
                if (!columns.Contains(j)) columns.Add(j);
            }
            last = columns.ToArray();
            var shift = last.Select(_ => RandomData.Gaussian(rng)).ToArray();
            var cached = new double[m];
            var direct = new double[m];
            Assert.True(cache.Solve(design, yc, last, shift, 0.3, cached));
            Assert.True(DirectSolver.SolveSubset(design, yc, last, shift, 0.3, 1e-12, direct) < 0);
            for (int a = 0; a < m; a++) Assert.Equal(direct[a], cached[a], 1e-9 * (1 + Math.Abs(direct[a])));
        }
    }

    /// <summary>
    /// The dual extrapolation keeps the last residual and the differences of the last K + 1 only; its candidate must be
    /// the affine combination Σ w_k·R_{k+1} of the K latest residuals that best cancels their differences, computed
    /// directly from every residual recorded. Residuals of a centred sparse design carry the shift σ (the branch that
    /// writes R element by element), of an uncentred one not; the ring wraps several times.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Dual_extrapolation_from_differences_is_the_combination_of_the_residuals(bool intercept)
    {
        int n = 50, p = 30, k = 5;
        var (x, y) = SparseData.Make(4, n, p, density: 0.3);
        var problem = Problem.Build(new Dataset(SparseData.Sparse(x), y), fitIntercept: intercept, standardize: true);
        var design = problem.Design;
        Assert.Equal(intercept, design.WeightedSum is not null);
        var beta = new double[p];
        var residual = new Residual(design, problem.CenteredTarget, beta);
        var dual = new CoordinateDescent.DualExtrapolation(n);
        dual.Reset();
        var recorded = new List<double[]>();
        var rng = new Random(5);
        for (int step = 0; step < 17; step++)
        {
            // A converging sequence (each move smaller) with noise, as sweeps give.
            for (int moves = 0; moves < 4; moves++)
            {
                int j = rng.Next(p);
                if (!design.Excluded[j]) residual.Subtract(j, Math.Pow(0.7, step) * RandomData.Gaussian(rng));
            }
            dual.Record(residual);
            var copy = new double[n];
            residual.CopyTo(copy);
            recorded.Add(copy);
            var candidate = dual.Candidate();
            if (recorded.Count <= k)
            {
                Assert.Null(candidate);
                continue;
            }
            var last = recorded.Skip(recorded.Count - (k + 1)).ToArray();
            var d = Enumerable.Range(0, k).Select(a => last[a + 1].Zip(last[a], (u, v) => u - v).ToArray()).ToArray();
            var gram = new double[k * k];
            double trace = 0;
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++)
                {
                    gram[a * k + b] = d[a].Zip(d[b], (u, v) => u * v).Sum();
                    if (a == b) trace += gram[a * k + b];
                }
            for (int a = 0; a < k; a++) gram[a * k + a] += 1e-10 * trace;
            var z = Enumerable.Repeat(1.0, k).ToArray();
            Assert.True(Cholesky.Factor(gram, k, 0) < 0);
            Cholesky.Solve(gram, k, z);
            double sum = z.Sum();
            Assert.NotNull(candidate);
            // Rounding of the two sums differs by the size of the terms, which cancel where the weights are large.
            double terms = z.Sum(Math.Abs) / Math.Abs(sum) * last.Max(r => r.Max(Math.Abs));
            for (int i = 0; i < n; i++)
            {
                double expected = 0;
                for (int a = 0; a < k; a++) expected += z[a] / sum * last[a + 1][i];
                Assert.Equal(expected, candidate![i], 1e-13 * terms);
            }
            // The distance to a point, without a copy of R.
            var point = candidate!.Select(v => v + 0.01 * RandomData.Gaussian(rng)).ToArray();
            double distance = Math.Sqrt(copy.Zip(point, (u, v) => (u - v) * (u - v)).Sum());
            Assert.Equal(distance, residual.Distance(point), 1e-12 * distance);
        }
    }

    /// <summary>The snapshot of the β a residual was made from holds its non-zeros only and matches exactly that β.</summary>
    [Fact]
    public void A_coefficient_snapshot_matches_only_the_coefficients_taken()
    {
        var beta = new double[] { 0, 1.5, 0, -2, 0, 0, 1e-300 };
        var snapshot = new CoefficientSnapshot();
        Assert.False(snapshot.Matches(beta));
        snapshot.Take(beta);
        Assert.True(snapshot.Matches(beta));
        Assert.True(snapshot.Matches(beta.Select(b => b == 0 ? -0.0 : b).ToArray()));
        for (int j = 0; j < beta.Length; j++)
        {
            var changed = beta.ToArray();
            changed[j] = changed[j] == 0 ? 1e-300 : changed[j] == 1e-300 ? 0 : Math.BitIncrement(changed[j]);
            Assert.False(snapshot.Matches(changed), $"a change at {j} went unseen");
        }
        Assert.False(snapshot.Matches(beta.Append(0).ToArray()));
        Assert.False(snapshot.Matches(beta[..^1]));
        // Taken again with more non-zeros (the buffers grow), then fewer.
        var wider = Enumerable.Range(0, 40).Select(j => j % 3 == 0 ? 0 : Math.Sin(j)).ToArray();
        snapshot.Take(wider);
        Assert.True(snapshot.Matches(wider));
        Assert.False(snapshot.Matches(beta));
        snapshot.Take(beta);
        Assert.True(snapshot.Matches(beta));
        Assert.False(snapshot.Matches(wider));
    }

    /// <summary>A problem wider than the cache's capacity, dense or sparse, with an intercept and standardization (the entries are of x̃).</summary>
    private static (Design Design, double[] Yc, int[] Included) CacheProblem(bool sparse)
    {
        int n = 60, p = CoordinateDescent.GramCache.Capacity + 200;
        var (x, y) = sparse ? SparseData.Make(3, n, p, density: 0.3) : RandomData.Make(3, n, p);
        var features = FeatureMatrix.FromRows(x);
        var problem = Problem.Build(new Dataset(sparse ? features.ToSparse() : features, y), fitIntercept: true, standardize: true);
        var included = Enumerable.Range(0, p).Where(j => !problem.Design.Excluded[j]).ToArray();
        return (problem.Design, problem.CenteredTarget, included);
    }
}
