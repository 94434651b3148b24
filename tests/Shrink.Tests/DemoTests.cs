using Shrink.Cli;
using Xunit;

namespace Shrink.Tests;

/// <summary>The demo's promises, checked on the embedded data with the fixed λ values.</summary>
public class DemoTests
{
    private static readonly IReadOnlyList<DemoCommand.DemoModel> Models = DemoCommand.Fit();

    [Fact]
    public void Embedded_data_has_the_documented_shape()
    {
        var (train, test) = DemoCommand.LoadData();
        Assert.Equal(40, train.Rows);
        Assert.Equal(5000, test.Rows);
        Assert.Equal(["hw", "sleep", "score", "gpa", "food"], train.FeatureNames);
        Assert.Equal("test_score", train.TargetName);
    }

    [Fact]
    public void Lasso_drops_gpa_and_food_and_keeps_the_rest()
    {
        var lasso = Models[2].Model;
        Assert.Equal(Penalty.Lasso, lasso.Penalty);
        Assert.Equal(0, lasso.Coefficient("gpa"));
        Assert.Equal(0, lasso.Coefficient("food"));
        foreach (var name in new[] { "hw", "sleep", "score" }) Assert.NotEqual(0, lasso.Coefficient(name));
        Assert.True(lasso.Diagnostics.Converged);
    }

    [Fact]
    public void Ridge_keeps_every_coefficient_non_zero()
    {
        var ridge = Models[1].Model;
        Assert.Equal(Penalty.Ridge, ridge.Penalty);
        Assert.All(ridge.Coefficients, b => Assert.NotEqual(0, b));
    }

    [Fact]
    public void Both_regularized_models_beat_ols_on_held_out_students_and_ols_fits_training_best()
    {
        var (ols, ridge, lasso) = (Models[0], Models[1], Models[2]);
        Assert.True(ridge.TestMse < ols.TestMse, $"ridge {ridge.TestMse} vs OLS {ols.TestMse}");
        Assert.True(lasso.TestMse < ols.TestMse, $"lasso {lasso.TestMse} vs OLS {ols.TestMse}");
        // OLS minimises training error by definition: anything else means a broken fit.
        Assert.True(ols.TrainMse <= ridge.TrainMse && ols.TrainMse <= lasso.TrainMse);
    }

    [Fact]
    public void The_story_states_only_what_the_numbers_show()
    {
        var story = string.Join("\n", DemoCommand.Story(Models));
        Assert.Contains("here gpa and food", story);
        Assert.Contains("no weight reaches exactly 0", story);
        Assert.Contains($"{Models[1].TestMse:0.00} vs {Models[0].TestMse:0.00}", story);
        Assert.DoesNotContain("does not beat", story);
    }
}
