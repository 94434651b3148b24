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

    /// <summary>
    /// One check, all of its inputs in play: an odd number of features (the vectorized screen's scalar tail), an excluded
    /// column, penalty factors (0: always computed, 2: a higher threshold), non-zero coefficients, and the working
    /// set's exact values handed in. Every value is exact where computed or known, every stand-in is within its bound and
    /// below its threshold, every bound holds, and the list of computed features is exactly the features whose products
    /// the check took (known ones are not among them, and they are not counted).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_check_computes_what_its_bounds_cannot_clear_and_takes_the_working_sets_values(bool sparse)
    {
        int n = 40, p = 403;
        var rows = Rows(29, n, p, sparse ? 0.15 : 1);
        var names = Enumerable.Range(1, p).Select(j => $"x{j}").ToArray();
        var x = FeatureMatrix.FromRows(rows);
        var options = new FitOptions
        {
            FitIntercept = false,
            Standardize = false,
            PenaltyFactors = new Dictionary<string, double> { [names[10]] = 0, [names[11]] = 2, [names[p - 1]] = 2 },
            Exclude = [names[p - 3]],
        };
        var design = Problem.Build(new Dataset(sparse ? x.ToSparse() : x, new double[n], names), options).Design;
        Assert.True(design.Excluded[p - 3]);
        var rng = new Random(31);
        var references = new CoordinateDescent.GradientReferences(n, p);
        var beta = new double[p];
        beta[20] = 0.3;
        beta[p - 2] = -0.1;
        var v = new double[p];
        var exact = new double[p];
        var r = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var line = Enumerable.Range(0, n).Select(_ => 0.02 * RandomData.Gaussian(rng)).ToArray();
        long skipped = 0, taken = 0;
        for (int step = 0; step < 40; step++)
        {
            for (int i = 0; i < n; i++) r[i] += step % 5 == 4 ? 0.1 * RandomData.Gaussian(rng) : line[i];
            var residual = new Residual(design, r, beta);
            for (int j = 0; j < p; j++) exact[j] = design.Excluded[j] ? 0 : residual.Dot(j);
            double nl1 = (0.5 + 0.4 * rng.NextDouble()) * exact.Max(Math.Abs);
            // The working set: the non-zero coefficients, features near their thresholds, and a few others.
            var inWorking = new bool[p];
            for (int j = 0; j < p; j++)
                inWorking[j] = !design.Excluded[j] && (beta[j] != 0 || Math.Abs(exact[j]) > 0.8 * nl1 * design.FactorOf(j) || rng.NextDouble() < 0.05);
            var working = Enumerable.Range(0, p).Where(j => inWorking[j]).ToArray();
            var restricted = new double[p];
            foreach (int j in working) restricted[j] = exact[j];
            bool hand = step % 3 != 0;
            long before = references.Columns;
            references.Check(design, residual, beta, nl1, v, hand ? (working, inWorking, restricted) : null);
            var computed = references.Computed.ToArray();
            Assert.Equal(references.Columns - before, computed.Length);
            Assert.Equal(computed.Order(), computed);
            var listed = new bool[p];
            foreach (int j in computed) listed[j] = true;
            var bounds = references.Bounds;
            for (int j = 0; j < p; j++)
            {
                if (design.Excluded[j])
                {
                    Assert.False(listed[j]);
                    Assert.Equal(0, v[j]);
                    continue;
                }
                Assert.True(Math.Abs(exact[j]) <= bounds[j], $"step {step}: bound {bounds[j]:R} below |x̃ᵀR| {Math.Abs(exact[j]):R} of feature {j}");
                if (hand && inWorking[j])
                {
                    Assert.False(listed[j], $"step {step}: working feature {j} was computed again");
                    Assert.Equal(exact[j], v[j]);
                    taken++;
                    continue;
                }
                if (listed[j])
                {
                    Assert.Equal(exact[j], v[j]);
                    continue;
                }
                // Not computed: a coefficient at 0 whose bound clears its (positive) threshold, the stand-in within it.
                skipped++;
                double threshold = nl1 * design.FactorOf(j);
                Assert.True(beta[j] == 0 && threshold > 0, $"step {step}: feature {j} (β {beta[j]}, factor {design.FactorOf(j)}) was not computed");
                Assert.True(bounds[j] < threshold, $"step {step}: feature {j} skipped with bound {bounds[j]:R} ≥ {threshold:R}");
                Assert.True(Math.Abs(v[j]) <= bounds[j], $"step {step}: stand-in {v[j]:R} beyond the bound {bounds[j]:R} of feature {j}");
            }
        }
        Assert.True(skipped > 4000, $"only {skipped} features skipped");
        Assert.True(taken > 100, $"only {taken} working values taken");
    }

    /// <summary>
    /// The previous check's bounds, widened by how far the residual moved, clear features the span cannot: after a jump to
    /// a residual far from the only full pass, the span's bound is ‖x̃_j‖ times most of ‖R‖, and the threshold is set so
    /// that it fails for the 5% of features with the largest norms (too few for a full pass). Their exact values are far
    /// below the threshold, so after small steps the last check's bounds clear them where the span still cannot.
    /// </summary>
    [Fact]
    public void The_last_checks_bounds_clear_features_after_a_small_step()
    {
        int n = 50, p = 300;
        var design = DesignOf(FeatureMatrix.FromRows(Rows(37, n, p, 1)), n);
        var rng = new Random(41);
        var references = new CoordinateDescent.GradientReferences(n, p);
        var beta = new double[p];
        var v = new double[p];
        var first = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var firstResidual = new Residual(design, first, beta);
        references.Check(design, firstResidual, beta, 10 * Enumerable.Range(0, p).Max(j => Math.Abs(firstResidual.Dot(j))), v);
        var r = Enumerable.Range(0, n).Select(_ => RandomData.Gaussian(rng)).ToArray();
        // The remainder of r off the span of the first residual, and the threshold the span's bound fails for 5% of features.
        double along = r.Zip(first, (a, b) => a * b).Sum() / first.Sum(a => a * a);
        double remainder = Math.Sqrt(r.Select((a, i) => (a - along * first[i]) * (a - along * first[i])).Sum());
        var spanBounds = Enumerable.Range(0, p).Select(j => Math.Sqrt(n * design.NormSquaredOverN[j]) * remainder).Order().ToArray();
        double nl1 = spanBounds[p * 95 / 100];
        var computedAt = new List<long>();
        for (int step = 0; step < 6; step++)
        {
            if (step > 0)
                for (int i = 0; i < n; i++) r[i] += 1e-6 * RandomData.Gaussian(rng);
            var residual = new Residual(design, r, beta);
            var exact = Enumerable.Range(0, p).Select(j => residual.Dot(j)).ToArray();
            Assert.True(exact.Max(Math.Abs) < 0.5 * nl1);
            long before = references.Columns;
            references.Check(design, residual, beta, nl1, v);
            computedAt.Add(references.Columns - before);
            for (int j = 0; j < p; j++) Assert.True(Math.Abs(exact[j]) <= references.Bounds[j]);
        }
        Assert.InRange(computedAt[0], 5, p / 12 - 1);
        Assert.All(computedAt.Skip(1), count => Assert.Equal(0, count));
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

    /// <summary>
    /// A path's first λ starts from one gradient pass at zero (it sets λmax for the strong rule there) instead of a sweep
    /// over every feature. Grids that begin above λmax, at it, just below it and far below it (where the strong rule
    /// leaves out features that then violate and must join) give what a fit of that λ alone gives, certified.
    /// </summary>
    [Theory]
    [InlineData(false, 1.5)]
    [InlineData(false, 1.0)]
    [InlineData(false, 0.97)]
    [InlineData(false, 0.6)]
    [InlineData(true, 0.97)]
    [InlineData(true, 0.3)]
    public void A_paths_first_lambda_from_zero_is_the_single_fit(bool sparse, double fraction)
    {
        int n = 50, p = 400;
        var rows = Rows(21, n, p, sparse ? 0.1 : 1.0);
        var rng = new Random(3);
        var y = Enumerable.Range(0, n).Select(i => rows[i][0] - 0.5 * rows[i][7] + RandomData.Gaussian(rng)).ToArray();
        var x = FeatureMatrix.FromRows(rows);
        var data = new Dataset(sparse ? x.ToSparse() : x, y);
        var fit = new FitOptions { Penalty = Penalty.Lasso, Tolerance = 1e-12 };
        double top = Regression.LambdaMax(data, fit);
        var grid = new[] { fraction * top, fraction * top * 0.9 };
        var path = Regression.Path(data, new PathOptions { Fit = fit, Lambdas = grid });
        for (int k = 0; k < grid.Length; k++)
        {
            var alone = Regression.Fit(data, fit with { Lambda = grid[k] });
            var model = path.Model(k);
            Assert.True(model.Diagnostics.Converged);
            // (Each within the other's certified gap, and the rounding of objectives of this size.)
            double rounding = 1e-13 * alone.Diagnostics.Objective;
            Assert.True(model.Diagnostics.Objective - alone.Diagnostics.Objective <= alone.Diagnostics.DualityGap + rounding,
                $"λ {k}: objective {model.Diagnostics.Objective:R} against {alone.Diagnostics.Objective:R}");
            Assert.True(alone.Diagnostics.Objective - model.Diagnostics.Objective <= model.Diagnostics.DualityGap + rounding);
            Assert.Equal(grid[k] >= top, model.NonZeroCount == 0);
        }
    }
}
