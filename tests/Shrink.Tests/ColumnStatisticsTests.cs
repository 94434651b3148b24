using Xunit;

namespace Shrink.Tests;

/// <summary>
/// The design's column statistics (centre, scale, ‖x̃_j‖²/n, exclusion) are computed over the columns in parallel when
/// the data is large, and only with the passes the options need; they must be the serial ones, bit for bit (the
/// serial loop is what a build on a subset of rows runs, here on every row).
/// </summary>
public class ColumnStatisticsTests
{
    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    [InlineData(false, false, true)]
    public void Parallel_statistics_of_a_large_design_are_the_serial_ones(bool intercept, bool standardize, bool weighted)
    {
        int n = 1500, p = 700;
        var (x, y) = RandomData.Make(12, n, p);
        foreach (var row in x)
        {
            row[3] = 4.25;      // constant: excluded with an intercept or standardization, a feature otherwise
            row[9] = 0;         // all zero: excluded always
            row[11] = row[11] * 1e-3 + 1e6;  // a large mean over a small spread
        }
        var weights = weighted ? Enumerable.Range(0, n).Select(i => (double)(i % 5)).ToArray() : null;
        var data = new Dataset(FeatureMatrix.FromRows(x), y, weights: weights);
        var options = new FitOptions { FitIntercept = intercept, Standardize = standardize };
        var whole = Problem.Build(data, options).Design;
        var serial = Problem.BuildOnRows(data, options, Enumerable.Range(0, n).ToArray()).Design;
        Assert.Equal(serial.Excluded, whole.Excluded);
        for (int j = 0; j < p; j++)
        {
            Assert.Equal(serial.Center[j], whole.Center[j]);
            Assert.Equal(serial.Scale[j], whole.Scale[j]);
            Assert.Equal(serial.NormSquaredOverN[j], whole.NormSquaredOverN[j]);
        }
        Assert.True(whole.Excluded[9]);
        Assert.Equal(intercept || standardize, whole.Excluded[3]);
        // Against the definitions, on a few columns.
        var w = weights is null ? Enumerable.Repeat(1.0, n).ToArray() : weights.Select(v => v * n / weights.Sum()).ToArray();
        foreach (int j in new[] { 0, 11, 500 })
        {
            double mean = Enumerable.Range(0, n).Sum(i => w[i] * x[i][j]) / n;
            double sd = Math.Sqrt(Enumerable.Range(0, n).Sum(i => w[i] * (x[i][j] - mean) * (x[i][j] - mean)) / n);
            double c = intercept ? mean : 0, s = standardize ? sd : 1;
            double norm = Enumerable.Range(0, n).Sum(i => w[i] * (x[i][j] - c) * (x[i][j] - c)) / (n * s * s);
            Assert.Equal(c, whole.Center[j], 1e-12 * (1 + Math.Abs(c)));
            Assert.Equal(s, whole.Scale[j], 1e-9 * s);
            Assert.Equal(norm, whole.NormSquaredOverN[j], 1e-9 * norm);
        }
    }
}
