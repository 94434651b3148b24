using Xunit;

namespace Shrink.Tests;

/// <summary>
/// Each convention is the same problem, exactly mapped: fitting in a convention and fitting Shrink's canonical
/// problem at the hand-mapped λ give the same optimum, and the convention's own optimality conditions hold.
/// </summary>
public class ConventionTests
{
    private const double Tight = 1e-13;
    private static readonly (double[][] X, double[] Y) Data = RandomData.Make(7, 60, 5);
    private static Dataset Set => RandomData.Dataset(Data.X, Data.Y);

    private static LinearModel Fit(Convention c, Penalty penalty, double lambda, double? r = null, bool standardize = true, bool intercept = true) =>
        Regression.Fit(Set, new FitOptions { Convention = c, Penalty = penalty, Lambda = lambda, L1Ratio = r, Standardize = standardize, FitIntercept = intercept, Tolerance = Tight });

    private static void AssertSameModel(LinearModel expected, LinearModel actual, double tolerance = 1e-9)
    {
        double scale = Math.Max(expected.Coefficients.Max(Math.Abs), 1e-12);
        for (int j = 0; j < expected.Coefficients.Count; j++)
            Assert.True(Math.Abs(expected.Coefficients[j] - actual.Coefficients[j]) <= tolerance * scale, $"coefficient {j}: {expected.Coefficients[j]:R} vs {actual.Coefficients[j]:R}");
        Assert.Equal(expected.Intercept, actual.Intercept, 1e-8 * Math.Max(1, Math.Abs(expected.Intercept)));
    }

    [Theory]
    [InlineData(Penalty.Lasso, null)]
    [InlineData(Penalty.ElasticNet, 0.3)]
    public void Sklearn_lasso_and_elastic_net_alpha_is_shrink_lambda(Penalty penalty, double? r)
    {
        var sk = Fit(Convention.Sklearn, penalty, 0.05, r, standardize: false);
        var shrink = Fit(Convention.Shrink, penalty, 0.05, r, standardize: false);
        AssertSameModel(shrink, sk, 0);
        Assert.Equal(shrink.Diagnostics.Objective, sk.Diagnostics.Objective);
    }

    [Fact]
    public void Sklearn_ridge_alpha_is_n_times_shrink_lambda_and_its_objective_is_its_own()
    {
        int n = Data.Y.Length;
        double alpha = 3.0;
        var sk = Fit(Convention.Sklearn, Penalty.Ridge, alpha, standardize: false);
        var shrink = Fit(Convention.Shrink, Penalty.Ridge, alpha / n, standardize: false);
        AssertSameModel(shrink, sk);
        Assert.Equal(alpha / n, sk.CanonicalLambda, 15);

        // scikit-learn's Ridge objective ‖y − b0 − Xb‖² + α‖b‖², and its stationarity condition Xᵀres = α·b.
        var res = Certificates.Residual(Data.X, Data.Y, sk.Intercept, sk.Coefficients);
        double objective = res.Sum(v => v * v) + alpha * sk.Coefficients.Sum(b => b * b);
        Assert.Equal(objective, sk.Diagnostics.Objective, 1e-9 * objective);
        for (int j = 0; j < 5; j++)
        {
            double g = Data.X.Select((row, i) => row[j] * res[i]).Sum();
            Assert.True(Math.Abs(g - alpha * sk.Coefficients[j]) <= 1e-8 * Math.Max(1, Math.Abs(g)), $"stationarity of feature {j}");
        }
    }

    [Theory]
    [InlineData(1.0, true)]
    [InlineData(0.0, true)]
    [InlineData(0.4, true)]
    [InlineData(0.4, false)]
    public void Article_form_is_mse_plus_lambda_times_mean_penalty(double r, bool standardize)
    {
        const double lambda = 0.8;
        int n = Data.Y.Length, p = 5;
        var penalty = r == 1 ? Penalty.Lasso : r == 0 ? Penalty.Ridge : Penalty.ElasticNet;
        var article = Fit(Convention.Article, penalty, lambda, penalty == Penalty.ElasticNet ? r : null, standardize);

        // Hand map: halve MSE + λ(r·mean|Db| + (1 − r)·mean (Db)²) to get the canonical form.
        var hand = Fit(Convention.Shrink, penalty == Penalty.Ridge ? Penalty.Ridge : Penalty.ElasticNet, lambda / p * (1 - r / 2),
            penalty == Penalty.Ridge ? null : r / (2 - r), standardize);
        AssertSameModel(hand, article);

        // The article objective and its optimality conditions, written out independently.
        var s = Certificates.Scales(Data.X, standardize);
        var res = Certificates.Residual(Data.X, Data.Y, article.Intercept, article.Coefficients);
        double mse = res.Sum(v => v * v) / n;
        double meanAbs = article.Coefficients.Select((b, j) => Math.Abs(s[j] * b)).Average();
        double meanSq = article.Coefficients.Select((b, j) => s[j] * b * s[j] * b).Average();
        double objective = mse + lambda * (r * meanAbs + (1 - r) * meanSq);
        Assert.Equal(objective, article.Diagnostics.Objective, 1e-10 * objective);
        for (int j = 0; j < p; j++)
        {
            double b = article.Coefficients[j];
            double g = 2.0 / n * Data.X.Select((row, i) => row[j] * res[i]).Sum();
            double violation = b != 0
                ? Math.Abs(g - lambda / p * (r * s[j] * Math.Sign(b) + 2 * (1 - r) * s[j] * s[j] * b))
                : Math.Max(0, Math.Abs(g) - lambda / p * r * s[j]);
            Assert.True(violation <= 1e-7 * s[j], $"feature {j}: article KKT violation {violation:E2}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Glmnet_maps_l2_weight_through_the_scale_of_y(bool intercept)
    {
        const double lambda = 0.2, alpha = 0.3;
        int n = Data.Y.Length;
        double center = intercept ? Data.Y.Average() : 0;
        double sigma = Math.Sqrt(Data.Y.Sum(v => (v - center) * (v - center)) / n);
        var glmnet = Fit(Convention.Glmnet, Penalty.ElasticNet, lambda, alpha, intercept: intercept);
        double l1 = lambda * alpha, l2 = lambda * (1 - alpha) / sigma;
        var hand = Fit(Convention.Shrink, Penalty.ElasticNet, l1 + l2, l1 / (l1 + l2), intercept: intercept);
        AssertSameModel(hand, glmnet);
    }

    [Fact]
    public void Lambda_max_is_exact_in_every_convention()
    {
        foreach (var c in Enum.GetValues<Convention>())
        {
            var options = new FitOptions { Convention = c, Penalty = Penalty.ElasticNet, L1Ratio = 0.5 };
            double max = Regression.LambdaMax(Set, options);
            Assert.Equal(0, Regression.Fit(Set, options with { Lambda = max * (1 + 1e-9) }).NonZeroCount);
            Assert.True(Regression.Fit(Set, options with { Lambda = max * (1 - 1e-6) }).NonZeroCount > 0, $"{c}: nothing enters just below λmax");
        }
    }
}
