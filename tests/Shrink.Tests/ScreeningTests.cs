using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// The optimality check of coordinate descent skips features whose gradient it can bound below the threshold from
/// values computed at earlier residuals. A skipped feature that belongs in the solution would be silently lost, so
/// the bounds are checked against exact gradients on residual sequences built to break them, and whole paths
/// against the KKT conditions over every feature.
/// </summary>
public class ScreeningTests
{
    private static Design DesignOf(FeatureMatrix x, int n) => Problem.Build(new Dataset(x, new double[n]), false, false).Design;

    private static double[][] Rows(int seed, int n, int p, double density)
    {
        var rng = new Random(seed);
        var rows = new double[n][];
        // Columns of very different norms (the bound scales with ‖x̃_j‖), and near-duplicates of column 0.
        var scale = Enumerable.Range(0, p).Select(_ => Math.Exp(rng.NextDouble() * 6 - 3)).ToArray();
        for (int i = 0; i < n; i++)
        {
            rows[i] = new double[p];
            for (int j = 0; j < p; j++)
                if (rng.NextDouble() < density) rows[i][j] = scale[j] * RandomData.Gaussian(rng);
            for (int j = 1; j < Math.Min(p, 6); j++) rows[i][j] = rows[i][0] + 1e-3 * RandomData.Gaussian(rng);
        }
        return rows;
    }

    /// <summary>
    /// A random walk of residuals with stretches along a line (where the span of earlier full passes bounds well) and
    /// sudden turns towards one feature that was far below its threshold: after each turn that feature is above it,
    /// and the check must compute it exactly.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_skipped_feature_never_violates_its_optimality_condition(bool sparse)
    {
        int n = 60, p = 400;
        var rows = Rows(3, n, p, sparse ? 0.1 : 1);
        var x = FeatureMatrix.FromRows(rows);
        var design = DesignOf(sparse ? x.ToSparse() : x, n);
        var rng = new Random(7);
        var references = new CoordinateDescent.GradientReferences(n, p);
        var beta = new double[p];
        var v = new double[p];
        var exact = new double[p];
        var r = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var line = Enumerable.Range(0, n).Select(_ => 0.02 * RandomData.Gaussian(rng)).ToArray();
        var column = new double[n];
        int skipped = 0, turns = 0;
        for (int step = 0; step < 120; step++)
        {
            if (step % 10 == 9)
            {
                // Turn towards the feature with the smallest gradient, enough to lift it past the others.
                var residualNow = new Residual(design, r, beta);
                int target = Enumerable.Range(0, p).Where(j => !design.Excluded[j]).MinBy(j => Math.Abs(residualNow.Dot(j)));
                design.Transformed(target, column);
                double norm2 = column.Sum(c => c * c);
                double top = Enumerable.Range(0, p).Max(j => Math.Abs(residualNow.Dot(j)));
                for (int i = 0; i < n; i++) r[i] += 2 * top / norm2 * column[i];
                turns++;
            }
            else if (step % 3 == 0)
            {
                for (int i = 0; i < n; i++) r[i] += 0.05 * RandomData.Gaussian(rng);
            }
            else
            {
                for (int i = 0; i < n; i++) r[i] += line[i];
            }
            var residual = new Residual(design, r, beta);
            for (int j = 0; j < p; j++) exact[j] = design.Excluded[j] ? 0 : residual.Dot(j);
            double largest = exact.Max(Math.Abs);
            double nl1 = (0.6 + 0.3 * rng.NextDouble()) * largest;
            references.Check(design, residual, beta, nl1, v);
            for (int j = 0; j < p; j++)
            {
                if (design.Excluded[j]) continue;
                if (v[j] == exact[j]) continue;
                skipped++;
                Assert.True(Math.Abs(exact[j]) < nl1, $"step {step}: feature {j} skipped with |x̃ᵀR| {Math.Abs(exact[j]):R} ≥ nλ {nl1:R}");
                Assert.True(Math.Abs(v[j]) < nl1, $"step {step}: feature {j} stands in with {v[j]:R} ≥ nλ {nl1:R}");
            }
        }
        Assert.True(turns > 5);
        // The check skipped features (else this test would show nothing about its bounds).
        Assert.True(skipped > 1000, $"only {skipped} features skipped");
    }

    /// <summary>
    /// The dual candidate's maximum |x̃_jᵀρ| over all features is taken from the working set's exact maximum and, outside
    /// it, from the optimality check's bounds on |x̃_jᵀR| widened by ‖x̃_j‖·‖ρ − R‖; only features whose bound reaches
    /// max(working maximum, nλ) get an exact product. If a skipped feature were above that level the dual point would
    /// be infeasible and the certificate wrong, so candidates are built to put one outside feature just above it
    /// (ρ = R plus a step along its column), and others near R (where almost every feature is skipped).
    /// </summary>
    [Fact]
    public void The_dual_candidates_maximum_beyond_the_working_set_sets_the_same_dual_scale_as_the_exact_one()
    {
        int n = 60, p = 500;
        var rows = Rows(13, n, p, 0.1);
        var design = DesignOf(FeatureMatrix.FromRows(rows).ToSparse(), n);
        var included = Enumerable.Range(0, p).Where(j => !design.Excluded[j]).ToArray();
        var rng = new Random(17);
        var references = new CoordinateDescent.GradientReferences(n, p);
        var dual = new CoordinateDescent.DualExtrapolation(n);
        var beta = new double[p];
        var v = new double[p];
        var r = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var line = Enumerable.Range(0, n).Select(_ => 0.02 * RandomData.Gaussian(rng)).ToArray();
        var column = new double[n];
        int lifted = 0, found = 0, skippedEverywhere = 0;
        for (int step = 0; step < 80; step++)
        {
            for (int i = 0; i < n; i++) r[i] += step % 4 == 0 ? 0.05 * RandomData.Gaussian(rng) : line[i];
            var residual = new Residual(design, r, beta);
            double top = included.Max(j => Math.Abs(residual.Dot(j)));
            double nl1 = (0.6 + 0.3 * rng.NextDouble()) * top;
            references.Check(design, residual, beta, nl1, v);
            var bounds = references.Bounds;
            foreach (int j in included)
                Assert.True(Math.Abs(residual.Dot(j)) <= bounds[j], $"step {step}: bound {bounds[j]:R} below |x̃ᵀR| {Math.Abs(residual.Dot(j)):R} of feature {j}");
            // Working: the features above the threshold (as after a check with no violators outside) and a random third.
            var inWorking = new bool[p];
            foreach (int j in included)
                inWorking[j] = Math.Abs(residual.Dot(j)) >= nl1 || rng.NextDouble() < 0.3;
            var working = included.Where(j => inWorking[j]).ToArray();
            var outside = included.Where(j => !inWorking[j]).ToArray();
            for (int trial = 0; trial < 4; trial++)
            {
                var rho = r.ToArray();
                if (trial == 0)
                {
                    for (int i = 0; i < n; i++) rho[i] += 1e-9 * RandomData.Gaussian(rng);
                }
                else
                {
                    // Lift one outside feature just past the working maximum and nλ: it must be found and computed.
                    int k = outside[rng.Next(outside.Length)];
                    design.Transformed(k, column);
                    double norm2 = column.Sum(c => c * c);
                    double level = Math.Max(working.Max(j => Math.Abs(design.Dot(j, r))), nl1) * (1 + 0.01 * trial);
                    double now = design.Dot(k, r);
                    double t = (Math.Sign(now == 0 ? 1 : now) * level - now) / norm2;
                    for (int i = 0; i < n; i++) rho[i] += t * column[i];
                    lifted++;
                }
                double workingLargest = dual.Largest(design, rho, working);
                double largest = dual.LargestBeyond(design, residual, rho, workingLargest, nl1, included, inWorking, bounds);
                double exact = included.Max(j => Math.Abs(design.Dot(j, rho)));
                Assert.Equal(Math.Max(exact, nl1), Math.Max(largest, nl1));
                if (exact > Math.Max(workingLargest, nl1)) found++;
                else if (largest == workingLargest) skippedEverywhere++;
            }
        }
        // Both kinds of candidate happened: outside features above the level (found), and all skipped near R.
        Assert.True(found > 100, $"only {found} lifted features were above the level (of {lifted})");
        Assert.True(skippedEverywhere > 40, $"only {skippedEverywhere} candidates skipped every outside feature");
    }

    /// <summary>The fused pass over the working columns gives the same gradient and candidate maximum on one core as on all.</summary>
    [Fact]
    public void The_working_pass_is_identical_with_one_thread_and_with_all()
    {
        // Large enough to split: 8,192 columns of 150 entries (1.2M in all, over the parallel threshold).
        int n = 2000, p = 8192, perColumn = 150;
        var rng = new Random(23);
        var starts = new int[p + 1];
        var rowIndices = new int[p * perColumn];
        var values = new double[p * perColumn];
        for (int j = 0; j < p; j++)
        {
            starts[j + 1] = (j + 1) * perColumn;
            var chosen = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(perColumn).Order().ToArray();
            for (int k = 0; k < perColumn; k++)
            {
                rowIndices[j * perColumn + k] = chosen[k];
                values[j * perColumn + k] = RandomData.Gaussian(rng);
            }
        }
        var design = DesignOf(FeatureMatrix.FromCsc(starts, rowIndices, values, n, p), n);
        var beta = new double[p];
        for (int j = 0; j < p; j += 7) beta[j] = 0.01 * RandomData.Gaussian(rng);
        var residual = new Residual(design, Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray(), beta);
        var rho = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var working = Enumerable.Range(0, p).Where(j => j % 5 != 0).ToArray();
        var all = new double[p];
        double allLargest = CoordinateDescent.WorkingPass(design, residual, working, all, rho);
        var one = new double[p];
        double oneLargest;
        CoordinateDescent.MaxParallelism = 1;
        try
        {
            oneLargest = CoordinateDescent.WorkingPass(design, residual, working, one, rho);
        }
        finally
        {
            CoordinateDescent.MaxParallelism = null;
        }
        Assert.Equal(all, one);
        Assert.Equal(allLargest, oneLargest);
        foreach (int j in working) Assert.Equal(residual.Dot(j), all[j]);
        Assert.Equal(working.Max(j => Math.Abs(design.Dot(j, rho))), allLargest);
    }

    /// <summary>Wide paths, dense and sparse, down to 1e-3·λmax: every feature meets the KKT conditions at every λ.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Wide_paths_meet_the_optimality_conditions_on_every_feature(bool sparse, bool standardize)
    {
        int n = 50, p = 1500;
        var rows = Rows(11, n, p, sparse ? 0.08 : 1);
        var rng = new Random(5);
        // The target hides a late feature: a small multiple of a column that barely correlates with the rest.
        var y = new double[n];
        for (int i = 0; i < n; i++)
            y[i] = rows[i][0] + 0.5 * rows[i][7] - 0.8 * rows[i][p - 1] + 0.05 * rows[i][p / 2] + 0.3 * RandomData.Gaussian(rng);
        var x = FeatureMatrix.FromRows(rows);
        var options = new PathOptions
        {
            Fit = new FitOptions { Tolerance = 1e-10, Standardize = standardize, FitIntercept = standardize },
            LambdaCount = 60,
            LambdaMinRatio = 1e-3,
        };
        var path = Regression.Path(new Dataset(sparse ? x.ToSparse() : x, y), options);
        for (int k = 0; k < path.Count; k++)
        {
            var m = path.Model(k);
            double kkt = Certificates.KktViolation(rows, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, standardize, standardize);
            Assert.True(kkt < 1e-6, $"KKT violation {kkt:E2} at λ {k}");
            Assert.True(m.Diagnostics.DualityGap <= m.Diagnostics.GapTolerance, $"gap {m.Diagnostics.DualityGap:E2} at λ {k}");
        }
        Assert.True(path.Model(path.Count - 1).NonZeroCount > 20);
    }

    /// <summary>Passes over the data large enough to run on all cores give the very same path on one.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Paths_are_identical_with_one_thread_and_with_all(bool sparse)
    {
        int n = sparse ? 1500 : 100, p = sparse ? 12000 : 12000;
        var rows = Rows(21, n, p, sparse ? 0.08 : 1);
        var rng = new Random(9);
        var y = rows.Select(row => row[3] - row[p / 3] + 0.5 * row[p - 2] + RandomData.Gaussian(rng)).ToArray();
        var x = FeatureMatrix.FromRows(rows);
        var data = new Dataset(sparse ? x.ToSparse() : x, y);
        var options = new PathOptions { Fit = new FitOptions { Standardize = false, FitIntercept = false }, LambdaCount = 25, LambdaMinRatio = 0.05 };
        var all = Regression.Path(data, options);
        CoordinateDescent.MaxParallelism = 1;
        RegularizationPath one;
        try
        {
            one = Regression.Path(data, options);
        }
        finally
        {
            CoordinateDescent.MaxParallelism = null;
        }
        Assert.Equal(all.Count, one.Count);
        for (int k = 0; k < all.Count; k++)
        {
            Assert.Equal(all.Coefficients[k], one.Coefficients[k]);
            Assert.Equal(all.Model(k).Diagnostics.DualityGap, one.Model(k).Diagnostics.DualityGap);
        }
    }
}
