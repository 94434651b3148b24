using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// The compact block of sparse columns the sweeps read (<see cref="SweepBlock"/>): it holds exactly the entries of its
/// features, keeps every non-zero coefficient's feature and only working ones as features enter and leave, and what
/// is computed from it (sweeps, products, the residual) agrees with the same computed from the matrix.
/// </summary>
public class SweepBlockTests
{
    /// <summary>A random CSC design (centred and scaled when <paramref name="standardize"/>), columns of 1 to 2·mean entries.</summary>
    private static Design Design(int seed, int n, int p, int meanEntries, bool standardize)
    {
        var rng = new Random(seed);
        var starts = new int[p + 1];
        var rows = new List<int>();
        var values = new List<double>();
        for (int j = 0; j < p; j++)
        {
            int count = 1 + rng.Next(2 * meanEntries);
            foreach (int i in Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(count).Order())
            {
                rows.Add(i);
                values.Add(Math.Exp(rng.NextDouble() * 2 - 1) * RandomData.Gaussian(rng) + (j % 4 == 0 ? 1 : 0));
            }
            starts[j + 1] = rows.Count;
        }
        var x = FeatureMatrix.FromCsc(starts, rows.ToArray(), values.ToArray(), n, p);
        return Problem.Build(new Dataset(x, new double[n]), standardize, standardize).Design;
    }

    private static void AssertHolds(Design design, SweepBlock block, bool[] inWorking, double[] beta)
    {
        var columns = block.Columns.ToArray();
        Assert.Equal(columns.Length, columns.Distinct().Count());
        for (int c = 0; c < columns.Length; c++)
        {
            int j = columns[c];
            Assert.Equal(c, block.PositionOf(j));
            Assert.True(inWorking[j], $"feature {j} is in the block but not in the working set");
            var values = block.Narrow ? block.Entries(c, out ReadOnlySpan<ushort> _) : block.Entries(c, out ReadOnlySpan<int> _);
            int start = design.ColumnStarts![j], end = design.ColumnStarts[j + 1];
            Assert.Equal(design.X.AsSpan(start, end - start).ToArray(), values.ToArray());
            Assert.Equal(design.RowIndices!.AsSpan(start, end - start).ToArray(), block.RowsOf(c));
        }
        for (int j = 0; j < design.P; j++)
        {
            if (beta[j] != 0) Assert.True(block.PositionOf(j) >= 0 || block.Overflow.Contains(j), $"non-zero coefficient {j} is neither in the block nor its overflow");
            if (!columns.Contains(j)) Assert.Equal(-1, block.PositionOf(j));
        }
    }

    /// <summary>
    /// Features enter a few at a time, leave, and the working set shrinks under the block: it holds the right entries
    /// throughout, across chunks (over 65,536 entries at times, more than one chunk), compacting in place.
    /// </summary>
    [Fact]
    public void The_block_follows_the_active_set_as_features_enter_and_leave()
    {
        int n = 3000, p = 4000;
        var design = Design(1, n, p, 40, standardize: true);
        // (Room for four chunks: the default share of this small matrix would be one.)
        var block = new SweepBlock(design, maxChunks: 4);
        var rng = new Random(2);
        var beta = new double[p];
        var inWorking = new bool[p];
        int compactions = 0;
        long most = 0;
        for (int round = 0; round < 60; round++)
        {
            // The working set: most features, a different few left out every round.
            for (int j = 0; j < p; j++) inWorking[j] = rng.NextDouble() < 0.9 || beta[j] != 0;
            // Some coefficients enter, some leave (a tenth of the block's features at times, so that it compacts).
            for (int e = 0; e < 100; e++)
            {
                int j = rng.Next(p);
                if (inWorking[j]) beta[j] = RandomData.Gaussian(rng);
            }
            int leaving = round % 7 == 6 ? block.Count / 5 : 3;
            foreach (int j in block.Columns.ToArray().OrderBy(_ => rng.Next()).Take(leaving)) beta[j] = 0;
            var working = Enumerable.Range(0, p).Where(j => inWorking[j]).ToArray();
            int before = block.Count;
            block.Update(working, inWorking, beta, l2: round % 3 * 0.1);
            if (block.Count < before) compactions++;
            AssertHolds(design, block, inWorking, beta);
            most = Math.Max(most, block.Columns.ToArray().Sum(j => (long)design.StoredCount(j)));
        }
        Assert.True(compactions >= 5, $"the block compacted {compactions} times");
        Assert.True(most > 65_536, $"the block held {most} entries at most, all in one chunk");
    }

    /// <summary>
    /// A sweep read from the block is the sweep read from the matrix: the same coefficients (its reciprocals round
    /// differently in the last bits), and the residual it updates along is the one recomputed from them, also when the
    /// block recomputes it.
    /// </summary>
    [Theory]
    [InlineData(false, 0.0, false)]
    [InlineData(true, 0.0, false)]
    [InlineData(true, 0.05, false)]
    [InlineData(false, 0.0, true)]
    [InlineData(true, 0.05, true)]
    public void Block_sweeps_match_the_matrix_sweeps(bool standardize, double l2, bool wideRows)
    {
        int n = 800, p = 3000;
        var design = Design(3, n, p, 25, standardize);
        var rng = new Random(4);
        var y = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var start = new double[p];
        var features = Enumerable.Range(0, p).Where(j => j % 3 == 0).ToArray();
        foreach (int j in features) start[j] = 0.05 * RandomData.Gaussian(rng);
        var inWorking = new bool[p];
        foreach (int j in features) inWorking[j] = true;
        double l1 = 0.02;

        var fromMatrix = (double[])start.Clone();
        var matrixResidual = new Residual(design, y, fromMatrix);
        var fromBlock = (double[])start.Clone();
        var blockResidual = new Residual(design, y, fromBlock);
        // (16-bit row indices, as every design of at most 65,536 rows gets, or 32-bit, as larger ones do.)
        var block = new SweepBlock(design, null, wideRows);
        Assert.Equal(!wideRows, block.Narrow);
        block.Update(features, inWorking, fromBlock, l2);
        Assert.Equal(features, block.Columns.ToArray());
        for (int sweep = 0; sweep < 5; sweep++)
        {
            double a = matrixResidual.SparseSweep(features, l1, l2, fromMatrix);
            double b = blockResidual.BlockSweep(block, l1, l2, fromBlock);
            Assert.Equal(a, b, 1e-9 * Math.Max(a, 1e-300));
        }
        Assert.Contains(fromBlock, b => b == 0);
        for (int j = 0; j < p; j++) Assert.Equal(fromMatrix[j], fromBlock[j], 1e-10 * Math.Max(1, Math.Abs(fromMatrix[j])));

        // The residual the block's sweeps left, against the one recomputed from their coefficients (from the matrix and
        // from the block, which must agree).
        var along = new double[n];
        blockResidual.CopyTo(along);
        var recomputed = new Residual(design, y, fromBlock);
        var fresh = new double[n];
        recomputed.CopyTo(fresh);
        blockResidual.Refresh(fromBlock, block);
        var fromBlockRefresh = new double[n];
        blockResidual.CopyTo(fromBlockRefresh);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(fresh[i], along[i], 1e-12 * Math.Max(1, Math.Abs(fresh[i])));
            Assert.Equal(fresh[i], fromBlockRefresh[i], 1e-12 * Math.Max(1, Math.Abs(fresh[i])));
        }
        // Products read from the block are the very products read from the matrix.
        var rho = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        double rootDot = design.RootDot(rho);
        for (int c = 0; c < block.Count; c++)
        {
            int j = block.Columns[c];
            Assert.Equal(blockResidual.Dot(j), blockResidual.Dot(block, c, rho, rootDot, out double rhoDot));
            Assert.Equal(design.Dot(j, rho, rootDot), rhoDot);
        }
        // An update read from the block is the update read from the matrix, to the bit.
        var viaMatrix = new Residual(design, y, fromBlock);
        var viaBlock = new Residual(design, y, fromBlock);
        for (int c = 0; c < block.Count; c += 7)
        {
            viaMatrix.Subtract(block.Columns[c], 0.01 * (c % 5 - 2));
            viaBlock.Subtract(block, c, 0.01 * (c % 5 - 2));
        }
        var afterMatrix = new double[n];
        var afterBlock = new double[n];
        viaMatrix.CopyTo(afterMatrix);
        viaBlock.CopyTo(afterBlock);
        Assert.Equal(afterMatrix, afterBlock);
    }

    /// <summary>
    /// A sparse path whose active columns outgrow a block bounded to one chunk (65,536 entries; the rest swept from the
    /// matrix): the same path, to its certificates, as with the block unbounded, and every feature meets its optimality
    /// condition.
    /// </summary>
    [Fact]
    public void A_path_beyond_the_blocks_bound_is_the_same_path()
    {
        int n = 2500, p = 2000;
        var rng = new Random(12);
        var rows = new double[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new double[p];
            for (int j = 0; j < p; j++)
                if (rng.NextDouble() < 0.04) rows[i][j] = RandomData.Gaussian(rng);
        }
        var y = rows.Select(row => row.Take(400).Sum() * 0.3 + RandomData.Gaussian(rng)).ToArray();
        var data = new Dataset(FeatureMatrix.FromRows(rows).ToSparse(), y);
        var options = new PathOptions { Fit = new FitOptions { Standardize = false, FitIntercept = false, Tolerance = 1e-10 }, LambdaCount = 20, LambdaMinRatio = 0.02 };
        var unbounded = Regression.Path(data, options);
        RegularizationPath bounded;
        int share = SweepBlock.DataShare;
        SweepBlock.DataShare = int.MaxValue;
        try
        {
            bounded = Regression.Path(data, options);
        }
        finally
        {
            SweepBlock.DataShare = share;
        }
        // 100 entries a column: beyond 655 active features the bounded block overflows.
        Assert.True(bounded.Model(bounded.Count - 1).NonZeroCount > 900, $"{bounded.Model(bounded.Count - 1).NonZeroCount} active at the end");
        for (int k = 0; k < bounded.Count; k++)
        {
            LinearModel a = unbounded.Model(k), b = bounded.Model(k);
            Assert.True(b.Diagnostics.DualityGap <= b.Diagnostics.GapTolerance);
            Assert.Equal(a.Diagnostics.Objective, b.Diagnostics.Objective, 1e-9 * Math.Abs(a.Diagnostics.Objective));
            double kkt = Certificates.KktViolation(rows, y, b.Intercept, b.Coefficients, b.CanonicalLambda, b.CanonicalL1Ratio, false, false);
            Assert.True(kkt < 1e-6, $"KKT violation {kkt:E2} at λ {k}");
        }
    }

    /// <summary>
    /// A block bounded to one chunk: the non-zero features it has no room for are its overflow, swept from the matrix
    /// after it; every non-zero coefficient is in one or the other, and sweeps and the recomputed residual through both
    /// agree with the matrix's (a feature moves into the block once a compaction makes room).
    /// </summary>
    [Fact]
    public void A_bounded_block_sweeps_the_rest_from_the_matrix()
    {
        int n = 2000, p = 5000;
        var design = Design(9, n, p, 40, standardize: true);
        var rng = new Random(10);
        var y = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var beta = new double[p];
        // About 2,500 non-zero features of 40 entries on average: 100,000 entries, beyond one chunk of 65,536.
        var features = Enumerable.Range(0, p).Where(j => j % 2 == 0).ToArray();
        foreach (int j in features) beta[j] = 0.02 * RandomData.Gaussian(rng);
        var inWorking = new bool[p];
        foreach (int j in features) inWorking[j] = true;
        var block = new SweepBlock(design, maxChunks: 1);
        block.Update(features, inWorking, beta, 0);
        Assert.True(block.Overflow.Length > 500, $"{block.Overflow.Length} features overflowed");
        Assert.Equal(features.Order(), block.Swept.ToArray().Order());
        Assert.Equal(block.Columns.ToArray(), block.Swept[..block.Count].ToArray());
        foreach (int j in block.Overflow) Assert.Equal(-1, block.PositionOf(j));
        AssertHolds(design, block, inWorking, beta);

        var swept = block.Swept.ToArray();
        var fromMatrix = (double[])beta.Clone();
        var matrixResidual = new Residual(design, y, fromMatrix);
        var fromBlock = (double[])beta.Clone();
        var blockResidual = new Residual(design, y, fromBlock);
        for (int sweep = 0; sweep < 4; sweep++)
        {
            matrixResidual.SparseSweep(swept, 0.01, 0, fromMatrix);
            blockResidual.BlockSweep(block, 0.01, 0, fromBlock);
        }
        for (int j = 0; j < p; j++) Assert.Equal(fromMatrix[j], fromBlock[j], 1e-10 * Math.Max(1, Math.Abs(fromMatrix[j])));
        var along = new double[n];
        blockResidual.CopyTo(along);
        blockResidual.Refresh(fromBlock, block);
        var again = new double[n];
        blockResidual.CopyTo(again);
        var fresh = new double[n];
        new Residual(design, y, fromBlock).CopyTo(fresh);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(fresh[i], along[i], 1e-12 * Math.Max(1, Math.Abs(fresh[i])));
            Assert.Equal(fresh[i], again[i], 1e-12 * Math.Max(1, Math.Abs(fresh[i])));
        }

        // Most of the block's features leave: the compaction makes room, and the overflow moves in.
        int overflowed = block.Overflow.Length;
        foreach (int j in block.Columns.ToArray().Take(block.Count / 2)) fromBlock[j] = 0;
        block.Update(features, inWorking, fromBlock, 0);
        Assert.True(block.Overflow.Length < overflowed, $"overflow {overflowed} -> {block.Overflow.Length}");
        AssertHolds(design, block, inWorking, fromBlock);
        foreach (int j in features)
            if (fromBlock[j] != 0) Assert.True(block.PositionOf(j) >= 0 || block.Overflow.Contains(j), $"non-zero feature {j} is neither in the block nor its overflow");
    }

    /// <summary>
    /// The working pass with a block (its features from the block, the others from the matrix) gives the very values of
    /// the pass without one, on one core as on all.
    /// </summary>
    [Fact]
    public void The_working_pass_with_a_block_is_the_pass_without_one_on_any_number_of_cores()
    {
        // 6,000 working features of 1 to 120 entries: over the parallel threshold (200,000 entries).
        int n = 2000, p = 8000;
        var design = Design(5, n, p, 60, standardize: true);
        var rng = new Random(6);
        var beta = new double[p];
        for (int j = 0; j < p; j += 3) beta[j] = 0.01 * RandomData.Gaussian(rng);
        var working = Enumerable.Range(0, p).Where(j => j % 4 != 1).ToArray();
        var inWorking = new bool[p];
        foreach (int j in working) inWorking[j] = true;
        foreach (int j in Enumerable.Range(0, p).Where(j => !inWorking[j])) beta[j] = 0;
        var residual = new Residual(design, Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray(), beta);
        var rho = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var block = new SweepBlock(design);
        block.Update(working, inWorking, beta, 0);
        Assert.InRange(block.Count, 1000, working.Length - 1000);

        var plain = new double[p];
        double plainLargest = CoordinateDescent.WorkingPass(design, residual, working, plain, rho);
        var all = new double[p];
        double allLargest = CoordinateDescent.WorkingPass(design, residual, working, all, rho, block);
        var one = new double[p];
        double oneLargest;
        CoordinateDescent.MaxParallelism = 1;
        try
        {
            oneLargest = CoordinateDescent.WorkingPass(design, residual, working, one, rho, block);
        }
        finally
        {
            CoordinateDescent.MaxParallelism = null;
        }
        Assert.Equal(plain, all);
        Assert.Equal(plain, one);
        Assert.Equal(plainLargest, allLargest);
        Assert.Equal(plainLargest, oneLargest);
    }

    /// <summary>
    /// Sparse lasso and elastic-net paths where the active set grows by hundreds per λ and features also leave (the
    /// block appends and compacts, the warm start is extrapolated): every feature meets its optimality condition at
    /// every λ, the certificates hold, and the path is the dense design's path.
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.7)]
    public void Sparse_paths_through_the_block_meet_the_optimality_conditions_and_match_dense(double l1Ratio)
    {
        int n = 300, p = 1200;
        var rng = new Random(8);
        var rows = new double[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new double[p];
            for (int j = 0; j < p; j++)
                if (rng.NextDouble() < 0.05) rows[i][j] = RandomData.Gaussian(rng) + (j % 5 == 0 ? 1 : 0);
        }
        var truth = Enumerable.Range(0, p).Select(j => j % 3 == 0 ? RandomData.Gaussian(rng) : 0).ToArray();
        var y = rows.Select(row => row.Select((v, j) => v * truth[j]).Sum() + 0.5 * RandomData.Gaussian(rng)).ToArray();
        var options = new PathOptions
        {
            Fit = new FitOptions { Penalty = l1Ratio == 1 ? Penalty.Lasso : Penalty.ElasticNet, L1Ratio = l1Ratio == 1 ? null : l1Ratio, Tolerance = 1e-10 },
            LambdaCount = 50,
            LambdaMinRatio = 1e-3,
        };
        var sparse = Regression.Path(new Dataset(FeatureMatrix.FromRows(rows).ToSparse(), y), options);
        var dense = Regression.Path(new Dataset(FeatureMatrix.FromRows(rows), y), options);
        int left = 0;
        for (int k = 0; k < sparse.Count; k++)
        {
            var m = sparse.Model(k);
            double kkt = Certificates.KktViolation(rows, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, true, true);
            Assert.True(kkt < 1e-6, $"KKT violation {kkt:E2} at λ {k}");
            Assert.True(m.Diagnostics.DualityGap <= m.Diagnostics.GapTolerance, $"gap {m.Diagnostics.DualityGap:E2} at λ {k}");
            // The reported gap is a valid bound: the dense path's objective, solved independently, is not lower by more.
            Assert.True(m.Diagnostics.Objective - dense.Model(k).Diagnostics.Objective <= m.Diagnostics.DualityGap + 1e-14,
                $"objective {m.Diagnostics.Objective:R} vs dense {dense.Model(k).Diagnostics.Objective:R}, gap {m.Diagnostics.DualityGap:E3} at λ {k}");
            Assert.Equal(dense.Model(k).Diagnostics.Objective, m.Diagnostics.Objective, 1e-8 * Math.Abs(dense.Model(k).Diagnostics.Objective));
            if (k > 0) left += Enumerable.Range(0, p).Count(j => sparse.Coefficients[k - 1][j] != 0 && sparse.Coefficients[k][j] == 0);
        }
        Assert.True(sparse.Model(sparse.Count - 1).NonZeroCount > 200, $"{sparse.Model(sparse.Count - 1).NonZeroCount} features active at the end");
        Assert.True(left > 0, "no feature left the active set along the path");
    }
}
