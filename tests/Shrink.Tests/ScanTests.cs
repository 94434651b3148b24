using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>The vectorized scans over a path's coefficients give what the plain loops give, in the same order.</summary>
public class ScanTests
{
    /// <summary>Random vectors with runs of zeros, −0, NaN and infinities, of every length around the vector width.</summary>
    private static IEnumerable<double[]> Vectors()
    {
        var rng = new Random(3);
        for (int length = 0; length <= 19; length++)
            for (int k = 0; k < 6; k++)
            {
                var v = new double[length];
                for (int j = 0; j < length; j++)
                    v[j] = rng.Next(5) switch
                    {
                        0 => RandomData.Gaussian(rng),
                        1 => -0.0,
                        2 => k == 0 ? double.NaN : 0,
                        3 => k == 1 ? double.NegativeInfinity : 0,
                        _ => 0,
                    };
                yield return v;
            }
        var wide = new double[20_003];
        foreach (int j in new[] { 0, 3, 4, 7, 4_096, 19_999, 20_000, 20_002 }) wide[j] = j % 2 == 0 ? 1.5 : -2;
        yield return wide;
    }

    [Fact]
    public void Non_zero_indices_are_those_of_the_plain_test_in_order()
    {
        foreach (var v in Vectors())
        {
            var expected = Enumerable.Range(0, v.Length).Where(j => v[j] != 0).ToList();
            var seen = new List<int>();
            foreach (int j in Kernels.NonZeros(v)) seen.Add(j);
            Assert.Equal(expected, seen);
            Assert.Equal(expected.Count, Kernels.CountNonZeros(v));
        }
    }

    [Fact]
    public void The_strong_set_is_that_of_the_plain_rule_in_order()
    {
        var rng = new Random(9);
        foreach (var beta in Vectors())
        {
            var g = beta.Select(_ => rng.Next(7) == 0 ? double.NaN : 3 * RandomData.Gaussian(rng)).ToArray();
            foreach (double threshold in new[] { -1.0, 0.0, 1.0, 2.5 })
            {
                var expected = Enumerable.Range(0, beta.Length).Where(j => beta[j] != 0 || Math.Abs(g[j]) >= threshold).ToList();
                var strong = new List<int>();
                CoordinateDescent.StrongSet(beta, g, threshold, strong);
                Assert.Equal(expected, strong);
            }
        }
    }
}
