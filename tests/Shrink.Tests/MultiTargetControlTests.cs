using Xunit;

namespace Shrink.Tests;

/// <summary>Penalty factors, bounds, relaxation, max-features and the adaptive lasso with several targets.</summary>
public class MultiTargetControlTests
{
    private static void AssertSame(LinearModel expected, LinearModel actual)
    {
        Assert.Equal(expected.Intercept, actual.Intercept, 12);
        for (int j = 0; j < expected.Coefficients.Count; j++) Assert.Equal(expected.Coefficients[j], actual.Coefficients[j], 12);
        Assert.Equal(expected.Controls.RelaxGamma, actual.Controls.RelaxGamma);
    }

    private static readonly FitOptions Controlled = new()
    {
        Lambda = 0.05,
        Tolerance = 1e-12,
        PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0, ["x3"] = 3 },
        UpperBounds = new Dictionary<string, double> { ["x2"] = 0.2 },
        Exclude = ["x4"],
    };

    [Fact]
    public void Independent_fits_with_controls_are_the_single_target_fits()
    {
        var (_, _, data) = MultiTargetTests.Make();
        foreach (var options in new[] { Controlled, Controlled with { RelaxGamma = 0.3 }, Controlled with { Adaptive = new AdaptiveOptions(), PenaltyFactors = null } })
        {
            var each = Regression.FitEach(data, options);
            for (int t = 0; t < data.TargetCount; t++) AssertSame(Regression.Fit(data.ForTarget(t), options), each[t]);
        }
    }

    [Fact]
    public void Independent_paths_with_controls_and_max_features_are_the_single_target_paths()
    {
        var (_, _, data) = MultiTargetTests.Make();
        var options = new PathOptions { Fit = Controlled, LambdaCount = 20, MaxFeatures = 4 };
        var each = Regression.PathEach(data, options);
        for (int t = 0; t < data.TargetCount; t++)
        {
            var alone = Regression.Path(data.ForTarget(t), options);
            Assert.Equal(alone.Count, each[t].Count);
            Assert.Equal(alone.StopReason, each[t].StopReason);
            for (int k = 0; k < alone.Count; k++) AssertSame(alone.Model(k), each[t].Model(k));
        }
    }

    [Fact]
    public void Multi_task_factors_follow_the_single_target_rules()
    {
        var (_, _, data) = MultiTargetTests.Make();
        var plain = Regression.FitMultiTask(data, new FitOptions { Lambda = 0.1, Tolerance = 1e-12 });
        // Equal factors are no factors; an infinite one excludes the feature.
        var equal = Regression.FitMultiTask(data, new FitOptions { Lambda = 0.1, Tolerance = 1e-12, PenaltyFactors = data.FeatureNames.ToDictionary(n => n, _ => 4.0) });
        for (int j = 0; j < data.FeatureNames.Count; j++)
            for (int t = 0; t < data.TargetCount; t++) Assert.Equal(plain.Coefficients[j][t], equal.Coefficients[j][t], 9);
        var excluded = Regression.FitMultiTask(data, new FitOptions { Lambda = 0.1, Tolerance = 1e-12, PenaltyFactors = new Dictionary<string, double> { ["x1"] = double.PositiveInfinity } });
        Assert.All(excluded.Coefficients[0], b => Assert.Equal(0, b));
        // A heavier factor pushes a feature out first.
        int strongest = Enumerable.Range(0, data.FeatureNames.Count).MaxBy(j => plain.Coefficients[j].Sum(Math.Abs));
        var heavy = Regression.FitMultiTask(data, new FitOptions { Lambda = 0.1, Tolerance = 1e-12, PenaltyFactors = new Dictionary<string, double> { [data.FeatureNames[strongest]] = 50 } });
        Assert.True(heavy.Coefficients[strongest].Sum(Math.Abs) < plain.Coefficients[strongest].Sum(Math.Abs));
        Assert.True(heavy.Diagnostics.Converged);
        double lambdaMax = Regression.LambdaMaxMultiTask(data, new FitOptions { PenaltyFactors = new Dictionary<string, double> { ["x2"] = 2 } });
        var atMax = Regression.FitMultiTask(data, new FitOptions { Lambda = lambdaMax * 1.0000001, PenaltyFactors = new Dictionary<string, double> { ["x2"] = 2 } });
        Assert.Equal(0, atMax.NonZeroCount);
        var below = Regression.FitMultiTask(data, new FitOptions { Lambda = lambdaMax * 0.95, PenaltyFactors = new Dictionary<string, double> { ["x2"] = 2 } });
        Assert.True(below.NonZeroCount > 0);
    }

    [Fact]
    public void Multi_task_refuses_the_controls_it_does_not_have()
    {
        var (_, _, data) = MultiTargetTests.Make();
        Assert.Contains("bounds are not available for the multi-task lasso", Assert.Throws<ShrinkException>(() =>
            Regression.FitMultiTask(data, new FitOptions { Lambda = 0.1, Positive = true })).Message);
        Assert.Contains("relaxed lasso is not available", Assert.Throws<ShrinkException>(() =>
            Regression.FitMultiTask(data, new FitOptions { Lambda = 0.1, RelaxGamma = 0 })).Message);
        Assert.Contains("adaptive lasso is not available", Assert.Throws<ShrinkException>(() =>
            Regression.FitMultiTask(data, new FitOptions { Lambda = 0.1, Adaptive = new AdaptiveOptions() })).Message);
        Assert.Contains("penalty factor of 0", Assert.Throws<ShrinkException>(() =>
            Regression.FitMultiTask(data, new FitOptions { Lambda = 0.1, PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0 } })).Message);
        Assert.Contains("'max-features' is not available for the multi-task lasso", Assert.Throws<ShrinkException>(() =>
            Regression.PathMultiTask(data, new PathOptions { MaxFeatures = 2 })).Message);
    }
}
