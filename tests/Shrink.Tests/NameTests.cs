using Xunit;

namespace Shrink.Tests;

public class NameTests
{
    [Fact]
    public void Default_names_read_and_resolve_as_stored_ones_would()
    {
        var x = FeatureMatrix.FromColumnMajor(new double[3 * 120], 3, 120);
        var data = new Dataset(x, [1, 2, 3]);
        var stored = new FeatureNameList(Enumerable.Range(1, 120).Select(j => $"x{j}").ToArray());
        Assert.Equal(stored, data.FeatureNames);
        Assert.Equal("x1", data.FeatureNames[0]);
        Assert.Equal("x120", data.FeatureNames[119]);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.FeatureNames[120]);
        var names = FeatureNameList.Of(data.FeatureNames);
        foreach (var name in new[] { "x1", "x9", "x10", "x99", "x120", "x0", "x01", "x121", "x-1", "x+1", "x", "y1", "X1", "x1 ", "x99999999999" })
        {
            bool found = names.TryGetIndex(name, out int at);
            bool expected = stored.TryGetIndex(name, out int storedAt);
            Assert.Equal(expected, found);
            if (expected) Assert.Equal(storedAt, at);
        }
    }

    [Fact]
    public void Given_names_are_still_checked_for_duplicates()
    {
        var x = FeatureMatrix.FromColumnMajor(new double[4], 2, 2);
        var error = Assert.Throws<ShrinkException>(() => new Dataset(x, [1, 2], ["a", "a"]));
        Assert.Contains("'a' appears more than once", error.Message);
    }

    [Fact]
    public void A_fit_with_default_names_accepts_options_that_name_features()
    {
        var (rows, y) = RandomData.Make(3, 40, 6);
        var data = RandomData.Dataset(rows, y);
        var model = Regression.Fit(data, new FitOptions { Lambda = 0.01, Exclude = ["x2"], PenaltyFactors = new Dictionary<string, double> { ["x6"] = 0 } });
        Assert.Equal(0, model.Coefficients[1]);
        Assert.NotEqual(0, model.Coefficients[5]);
        Assert.Throws<ShrinkException>(() => Regression.Fit(data, new FitOptions { Lambda = 0.01, Exclude = ["x7"] }));
    }
}
