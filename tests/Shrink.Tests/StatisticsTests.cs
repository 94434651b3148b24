using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

/// <summary>Fits from sufficient statistics against the same fits from the rows.</summary>
public class StatisticsTests
{
    /// <summary>Coefficients from statistics agree with the rows' to this relative distance (the issue asks 1e-9).</summary>
    private const double Agreement = 1e-9;

    private static Dataset Data(int seed, int n = 300, int p = 6, bool weights = false, bool offset = false)
    {
        var (x, y) = RandomData.Make(seed, n, p);
        var rng = new Random(seed + 1);
        double[]? w = weights ? Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0 : rng.NextDouble() * 3).ToArray() : null;
        double[]? o = offset ? Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray() : null;
        return new Dataset(FeatureMatrix.FromRows(x), y, null, "y", w, o);
    }

    internal static void AssertClose(LinearModel expected, LinearModel actual, double tolerance = Agreement)
    {
        double scale = Math.Max(1, expected.Coefficients.Select(Math.Abs).Append(Math.Abs(expected.Intercept)).Max());
        Assert.True(Math.Abs(expected.Intercept - actual.Intercept) <= tolerance * scale, $"intercept {expected.Intercept} vs {actual.Intercept}");
        for (int j = 0; j < expected.Coefficients.Count; j++)
            Assert.True(Math.Abs(expected.Coefficients[j] - actual.Coefficients[j]) <= tolerance * scale,
                $"{expected.FeatureNames[j]}: {expected.Coefficients[j]} vs {actual.Coefficients[j]}");
    }

    public static TheoryData<string, bool, bool, bool, bool> Settings()
    {
        var data = new TheoryData<string, bool, bool, bool, bool>();
        foreach (var penalty in new[] { "lasso", "ridge", "elasticnet", "ols" })
            foreach (bool intercept in new[] { true, false })
                foreach (bool standardize in new[] { true, false })
                {
                    data.Add(penalty, intercept, standardize, false, false);
                    data.Add(penalty, intercept, standardize, true, true);
                }
        return data;
    }

    private static FitOptions Options(string penalty, bool intercept, bool standardize, double lambda = 0.05) => new()
    {
        Penalty = Names.ParsePenalty(penalty),
        Lambda = penalty == "ols" ? null : lambda,
        L1Ratio = penalty == "elasticnet" ? 0.5 : null,
        FitIntercept = intercept,
        Standardize = standardize,
        Tolerance = 1e-12,
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void SingleFitsMatchTheRows(string penalty, bool intercept, bool standardize, bool weights, bool offset)
    {
        var data = Data(3, weights: weights, offset: offset);
        var options = Options(penalty, intercept, standardize);
        var stats = SufficientStatistics.FromDataset(data);
        var expected = Regression.Fit(data, options);
        var actual = Regression.Fit(stats, options);
        AssertClose(expected, actual);
        Assert.Equal(expected.Controls.Weighted, actual.Controls.Weighted);
        Assert.True(actual.Diagnostics.Converged);
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void PathsMatchTheRows(string penalty, bool intercept, bool standardize, bool weights, bool offset)
    {
        if (penalty == "ols") return;
        var data = Data(4, weights: weights, offset: offset);
        var options = new PathOptions { Fit = Options(penalty, intercept, standardize) with { Lambda = null }, LambdaCount = 30 };
        var expected = Regression.Path(data, options);
        var actual = Regression.Path(SufficientStatistics.FromDataset(data), options);
        Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++)
        {
            Assert.Equal(expected.Lambdas[k], actual.Lambdas[k], 1e-9 * expected.Lambdas[0]);
            AssertClose(expected.Model(k), actual.Model(k), 1e-8);
            Assert.Equal(expected.R2[k], actual.R2[k], 1e-8);
            Assert.Equal(expected.DegreesOfFreedom[k], actual.DegreesOfFreedom[k], 1e-7);
        }
    }

    [Fact]
    public void FactorsBoundsExclusionAndRelaxationMatchTheRows()
    {
        var data = Data(5, weights: true, offset: true);
        var options = new FitOptions
        {
            Penalty = Penalty.ElasticNet, L1Ratio = 0.7, Lambda = 0.02, Tolerance = 1e-12,
            PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0, ["x2"] = 2 },
            Exclude = ["x4"],
            LowerBounds = new Dictionary<string, double> { ["x3"] = -0.1 },
            UpperBounds = new Dictionary<string, double> { ["x5"] = 0.2 },
            RelaxGamma = 0.3,
        };
        var stats = SufficientStatistics.FromDataset(data);
        AssertClose(Regression.Fit(data, options), Regression.Fit(stats, options), 1e-8);
        var path = new PathOptions { Fit = options with { Lambda = null }, LambdaCount = 20 };
        var expected = Regression.Path(data, path);
        var actual = Regression.Path(stats, path);
        for (int k = 0; k < expected.Count; k++) AssertClose(expected.Model(k), actual.Model(k), 1e-8);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void CrossValidationMatchesTheRowsWithTheSameFolds(bool weights, bool offset)
    {
        var data = Data(6, n: 400, weights: weights, offset: offset);
        var scheme = FoldScheme.Hashed(5, 42);
        var ids = Enumerable.Range(0, data.Rows).Select(i => scheme.FoldOf(i)).ToArray();
        var options = new CrossValidationOptions { Path = new PathOptions { Fit = new FitOptions { Tolerance = 1e-12 }, LambdaCount = 25 } };
        var expected = Regression.CrossValidate(data, options with { FoldIds = ids });
        var actual = Regression.CrossValidate(SufficientStatistics.FromDataset(data, scheme), options);
        Assert.Equal(expected.Lambda, actual.Lambda, 1e-12);
        for (int l = 0; l < expected.Best.Mean.Count; l++)
        {
            Assert.Equal(expected.Best.Mean[l], actual.Best.Mean[l], 1e-8 * expected.Best.Mean[0]);
            Assert.Equal(expected.Best.StandardError[l], actual.Best.StandardError[l], 1e-7 * expected.Best.Mean[0]);
        }
        AssertClose(expected.Model, actual.Model, 1e-8);
    }

    [Fact]
    public void RelaxedCrossValidationMatchesTheRows()
    {
        var data = Data(7, n: 300);
        var scheme = FoldScheme.Hashed(4, 3);
        var ids = Enumerable.Range(0, data.Rows).Select(i => scheme.FoldOf(i)).ToArray();
        var options = new CrossValidationOptions { Path = new PathOptions { Fit = new FitOptions { Tolerance = 1e-12 }, LambdaCount = 15 }, Gammas = [0, 0.5] };
        var expected = Regression.CrossValidate(data, options with { FoldIds = ids });
        var actual = Regression.CrossValidate(SufficientStatistics.FromDataset(data, scheme), options);
        Assert.Equal(expected.Lambda, actual.Lambda, 1e-12);
        Assert.Equal(expected.Gamma, actual.Gamma);
        AssertClose(expected.Model, actual.Model, 1e-8);
    }

    [Fact]
    public void SplitStatisticsMergeToTheWholeInAnyOrder()
    {
        var data = Data(8, n: 500, weights: true, offset: true);
        var scheme = FoldScheme.Hashed(5, 9);
        var whole = SufficientStatistics.FromDataset(data, scheme);
        int[] cuts = [0, 37, 260, 500];
        var parts = new List<SufficientStatistics>();
        for (int c = 0; c + 1 < cuts.Length; c++)
        {
            var rows = Enumerable.Range(cuts[c], cuts[c + 1] - cuts[c]).ToArray();
            // Each part's rows keep their global index, so they land in the same folds as in the whole.
            var part = CrossValidator.Subset(data, rows);
            parts.Add(SufficientStatistics.FromDataset(part, FoldScheme.FromColumn("fold"), rows.Select(i => (long)scheme.FoldOf(i)).ToArray()));
        }
        var merged = SufficientStatistics.Merge(parts);
        var reversed = SufficientStatistics.Merge(parts.AsEnumerable().Reverse().ToArray());
        Assert.Equal(whole.Rows, merged.Rows);
        AssertMomentsClose(whole.Total, merged.Total);
        AssertMomentsClose(merged.Total, reversed.Total);
        foreach (var label in whole.FoldLabels) AssertMomentsClose(whole.FoldMoments![label], merged.FoldMoments![label]);
        var options = new FitOptions { Lambda = 0.01, Tolerance = 1e-12 };
        AssertClose(Regression.Fit(whole, options), Regression.Fit(merged, options));
        AssertClose(Regression.Fit(data, options), Regression.Fit(reversed, options));
    }

    private static void AssertMomentsClose(Moments a, Moments b)
    {
        Assert.Equal(a.Count, b.Count);
        Assert.Equal(a.WeightSum, b.WeightSum, 1e-12 * a.WeightSum);
        double scale = a.Comoment.Select(Math.Abs).Max();
        for (int i = 0; i < a.Mean.Length; i++) Assert.Equal(a.Mean[i], b.Mean[i], 1e-12 * Math.Max(1, Math.Abs(a.Mean[i])));
        for (int i = 0; i < a.Comoment.Length; i++) Assert.Equal(a.Comoment[i], b.Comoment[i], 1e-12 * scale);
        Assert.Equal(a.Min, b.Min);
        Assert.Equal(a.Max, b.Max);
    }

    [Fact]
    public void AColumnWithAHugeMeanAndATinySpreadFitsAsInMemory()
    {
        var (x, y) = RandomData.Make(10, 2000, 4);
        var rng = new Random(11);
        foreach (var row in x) row[1] = 1e6 + 1e-2 * RandomData.Gaussian(rng);
        for (int i = 0; i < y.Length; i++) y[i] += 50 * (x[i][1] - 1e6);
        var data = RandomData.Dataset(x, y);
        var stats = SufficientStatistics.FromDataset(data);
        Assert.Equal(1e-2, Math.Sqrt(stats.Total.Comoment[1 * 5 + 1] / stats.WeightSum), 1e-3);
        foreach (var options in new[]
        {
            new FitOptions { Penalty = Penalty.Ols },
            new FitOptions { Lambda = 0.01, Tolerance = 1e-13 },
            new FitOptions { Penalty = Penalty.Ridge, Lambda = 0.1, Standardize = false },
        })
            AssertClose(Regression.Fit(data, options), Regression.Fit(stats, options));
    }

    [Fact]
    public void ConstantAndZeroWeightRowsAreHandledAsInMemory()
    {
        var (x, y) = RandomData.Make(12, 100, 3);
        foreach (var row in x) row[2] = 0.1;
        var w = Enumerable.Range(0, 100).Select(i => i < 10 ? 0.0 : 1.0).ToArray();
        var data = new Dataset(FeatureMatrix.FromRows(x), y, null, "y", w);
        var stats = SufficientStatistics.FromDataset(data);
        var options = new FitOptions { Lambda = 0.01, Tolerance = 1e-13 };
        var expected = Regression.Fit(data, options);
        AssertClose(expected, Regression.Fit(stats, options));
        Assert.Equal(0, Regression.Fit(stats, options).Coefficients[2]);
    }

    [Theory]
    [InlineData(Convention.Glmnet)]
    [InlineData(Convention.Sklearn)]
    [InlineData(Convention.Article)]
    public void OtherConventionsAndLambdaMaxUseTheStatisticsScales(Convention convention)
    {
        var data = Data(14, weights: true, offset: true);
        var stats = SufficientStatistics.FromDataset(data);
        var options = new FitOptions { Penalty = Penalty.ElasticNet, L1Ratio = 0.4, Lambda = 0.03, Convention = convention, Tolerance = 1e-13 };
        AssertClose(Regression.Fit(data, options), Regression.Fit(stats, options));
        Assert.Equal(Regression.LambdaMax(data, options), Regression.LambdaMax(stats, options), 1e-12 * Regression.LambdaMax(data, options));
    }

    [Fact]
    public void MoreFeaturesThanRowsFitAsInMemory()
    {
        var data = Data(15, n: 40, p: 60);
        var stats = SufficientStatistics.FromDataset(data);
        foreach (var options in new[]
        {
            new FitOptions { Lambda = 0.05, Tolerance = 1e-13 },
            new FitOptions { Penalty = Penalty.Ridge, Lambda = 0.5 },
        })
            AssertClose(Regression.Fit(data, options), Regression.Fit(stats, options), 1e-8);
        var path = new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge }, LambdaCount = 10 };
        var expected = Regression.Path(data, path);
        var actual = Regression.Path(stats, path);
        for (int k = 0; k < expected.Count; k++) AssertClose(expected.Model(k), actual.Model(k), 1e-8);
        Assert.Contains("not identifiable", Assert.Throws<ShrinkException>(() => Regression.Fit(stats, new FitOptions { Penalty = Penalty.Ols })).Message);
    }

    [Fact]
    public void WhatStatisticsCannotDoIsAClearError()
    {
        var stats = SufficientStatistics.FromDataset(Data(13));
        var folded = SufficientStatistics.FromDataset(Data(13), FoldScheme.Hashed(3, 1));
        Assert.Contains("use k folds", Assert.Throws<ShrinkException>(() => Regression.CrossValidate(folded, new CrossValidationOptions { LeaveOneOut = true, Path = new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge } } })).Message);
        Assert.Contains("mean absolute error", Assert.Throws<ShrinkException>(() => Regression.CrossValidate(folded, new CrossValidationOptions { Measure = ErrorMeasure.Mae })).Message);
        Assert.Contains("without folds", Assert.Throws<ShrinkException>(() => Regression.CrossValidate(stats)).Message);
        Assert.Contains("adaptive", Assert.Throws<ShrinkException>(() => Regression.Fit(stats, new FitOptions { Lambda = 0.1, Adaptive = new AdaptiveOptions() })).Message);
    }
}
