using FsCheck.Xunit;

namespace Shrink.Tests;

/// <summary>
/// Invariants on random problems: each transformation of the data has a predictable effect on the fit, and every
/// fit carries a certificate that an independent computation confirms.
/// </summary>
public class PropertyTests
{
    private const double Tight = 1e-13;

    private static (double[][] X, double[] Y, FitOptions Options) Problem(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(8, 40), p = rng.Next(1, 8);
        var (x, y) = RandomData.Make(seed, n, p);
        var penalty = (Penalty)rng.Next(1, 4); // ridge, lasso or elastic net
        var options = new FitOptions
        {
            Penalty = penalty,
            L1Ratio = penalty == Penalty.ElasticNet ? 0.1 + 0.8 * rng.NextDouble() : null,
            FitIntercept = rng.Next(4) > 0,
            Standardize = rng.Next(4) > 0,
            Tolerance = Tight,
        };
        double max = penalty == Penalty.Ridge ? 1 : Regression.LambdaMax(RandomData.Dataset(x, y), options);
        return (x, y, options with { Lambda = max * Math.Exp(-rng.NextDouble() * 5) });
    }

    private static bool Close(IReadOnlyList<double> a, IReadOnlyList<double> b, double tolerance)
    {
        double scale = Math.Max(a.Concat(b).Select(Math.Abs).DefaultIfEmpty(0).Max(), 1e-8);
        return a.Zip(b).All(t => Math.Abs(t.First - t.Second) <= tolerance * scale);
    }

    [Property(MaxTest = 60)]
    public bool Every_fit_has_a_certificate_that_checks_out_independently(int seed)
    {
        var (x, y, o) = Problem(seed);
        var m = Regression.Fit(RandomData.Dataset(x, y), o);
        double gap = Certificates.DualityGap(x, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, o.Standardize, o.FitIntercept);
        double kkt = Certificates.KktViolation(x, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, o.Standardize, o.FitIntercept);
        double objective = Certificates.Objective(x, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, o.Standardize);
        double nullObjective = y.Sum(v => Math.Pow(v - (o.FitIntercept ? y.Average() : 0), 2)) / (2.0 * y.Length);
        return m.Diagnostics.Converged
            && Math.Abs(m.Diagnostics.Objective - objective) <= 1e-10 * Math.Max(objective, 1e-12)
            && gap <= 1e-10 * nullObjective + 1e-14
            && Math.Abs(m.Diagnostics.DualityGap - gap) <= 1e-10 * nullObjective + 1e-14
            && kkt <= 1e-6;
    }

    [Property(MaxTest = 40)]
    public bool Permuting_rows_changes_nothing(int seed)
    {
        var (x, y, o) = Problem(seed);
        var order = Enumerable.Range(0, y.Length).OrderBy(_ => new Random(seed + 1).Next()).ToArray();
        order = [.. order.Reverse()];
        var a = Regression.Fit(RandomData.Dataset(x, y), o);
        var b = Regression.Fit(RandomData.Dataset(order.Select(i => x[i]).ToArray(), order.Select(i => y[i]).ToArray()), o);
        return Close(a.Coefficients, b.Coefficients, 1e-8) && Math.Abs(a.Intercept - b.Intercept) <= 1e-8 * (1 + Math.Abs(a.Intercept));
    }

    [Property(MaxTest = 40)]
    public bool Permuting_features_permutes_coefficients(int seed)
    {
        var (x, y, o) = Problem(seed);
        int p = x[0].Length;
        var perm = Enumerable.Range(0, p).Reverse().ToArray();
        var a = Regression.Fit(RandomData.Dataset(x, y), o);
        var b = Regression.Fit(RandomData.Dataset(x.Select(r => perm.Select(j => r[j]).ToArray()).ToArray(), y), o);
        return Close(perm.Select(j => a.Coefficients[j]).ToArray(), b.Coefficients, 1e-8);
    }

    [Property(MaxTest = 40)]
    public bool Rescaling_a_column_with_standardization_rescales_its_coefficient(int seed)
    {
        var (x, y, o) = Problem(seed);
        o = o with { Standardize = true };
        const double c = 37.5;
        var a = Regression.Fit(RandomData.Dataset(x, y), o);
        var scaled = x.Select(r => r.Select((v, j) => j == 0 ? v * c : v).ToArray()).ToArray();
        var b = Regression.Fit(RandomData.Dataset(scaled, y), o);
        var expected = a.Coefficients.Select((v, j) => j == 0 ? v / c : v).ToArray();
        return Close(expected, b.Coefficients, 1e-8) && Math.Abs(a.Intercept - b.Intercept) <= 1e-8 * (1 + Math.Abs(a.Intercept));
    }

    [Property(MaxTest = 40)]
    public bool Duplicating_a_column_splits_it_lasso_sums_and_ridge_halves(int seed)
    {
        var (x, y, o) = Problem(seed);
        var doubled = x.Select(r => r.Append(r[0]).ToArray()).ToArray();
        var a = Regression.Fit(RandomData.Dataset(x, y), o);
        var b = Regression.Fit(RandomData.Dataset(doubled, y), o);
        int last = doubled[0].Length - 1;
        double scale = Math.Max(a.Coefficients.Max(Math.Abs), 1e-8);
        return o.Penalty switch
        {
            // |a| + |b| ≥ |a + b|: the lasso only cares about the sum, and the fit is the same.
            Penalty.Lasso => Math.Abs(b.Coefficients[0] + b.Coefficients[last] - a.Coefficients[0]) <= 1e-6 * scale
                             && Close(a.Coefficients.Skip(1).ToArray(), b.Coefficients.Skip(1).Take(last - 1).ToArray(), 1e-6),
            // A strictly convex, symmetric penalty gives two identical columns identical weights.
            _ => Math.Abs(b.Coefficients[0] - b.Coefficients[last]) <= 1e-8 * scale,
        };
    }
}
