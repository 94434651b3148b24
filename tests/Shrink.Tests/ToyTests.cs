using Xunit;

namespace Shrink.Tests;

public class ToyTests
{
    [Fact]
    public void One_feature_lasso_is_soft_thresholding_by_hand()
    {
        // x has mean 2.5 and population sd √1.25; y = 2x + 1 exactly.
        double[] x = [1, 2, 3, 4];
        double[] y = [3, 5, 7, 9];
        double sd = Math.Sqrt(1.25), lambda = 0.5;
        // Standardized: x̃ᵀỹ/n = 2·sd² /sd = 2·sd; soft-threshold by λ, divide by ‖x̃‖²/n = 1, then unscale.
        double expectedSlope = (2 * sd - lambda) / sd;
        double expectedIntercept = 6 - expectedSlope * 2.5;

        var model = Regression.Fit(FeatureMatrix.FromColumns([x]), y, new FitOptions { Lambda = lambda, Tolerance = 1e-14 });

        Assert.Equal(expectedSlope, model.Coefficients[0], 12);
        Assert.Equal(expectedIntercept, model.Intercept, 12);
        Assert.True(model.Diagnostics.Converged);
    }

    [Fact]
    public void Lasso_above_lambda_max_is_all_zero_and_just_below_is_not()
    {
        var data = new Dataset(FeatureMatrix.FromColumns([[1, 2, 3, 4, 5], [2, 1, 2, 1, 3]]), [1, 3, 2, 5, 4]);
        double max = Regression.LambdaMax(data);
        var above = Regression.Fit(data, new FitOptions { Lambda = max * 1.000001 });
        var below = Regression.Fit(data, new FitOptions { Lambda = max * 0.99 });
        Assert.Equal(0, above.NonZeroCount);
        Assert.Equal(data.Target.Average(), above.Intercept, 12);
        Assert.Equal(1, below.NonZeroCount);
    }
}
