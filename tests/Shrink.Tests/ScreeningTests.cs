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
