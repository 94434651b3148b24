using System.Text.Json;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// Paths, cross-validation and ridge leave-one-out against scikit-learn and glmnet on the same data, grid and folds
/// (tools/reference/make_path_fixtures.py).
/// </summary>
public class PathReferenceTests
{
    /// <summary>Per-λ objective agreement with the best of the reference and Shrink.</summary>
    private const double ObjectiveTolerance = 1e-8;
    /// <summary>cvm and cvsd agreement with cv.glmnet, relative.</summary>
    private const double CvTolerance = 1e-6;

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "PathFixtures");

    private static JsonElement Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, file)));
        return doc.RootElement.Clone();
    }

    private static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static (double[][] X, double[] Y, Dataset Data) Data(JsonElement root)
    {
        var x = root.GetProperty("x").EnumerateArray().Select(Numbers).ToArray();
        var y = Numbers(root.GetProperty("y"));
        var names = root.GetProperty("feature_names").EnumerateArray().Select(v => v.GetString()!).ToArray();
        return (x, y, new Dataset(FeatureMatrix.FromRows(x), y, names));
    }

    private static FitOptions Options(JsonElement run, double tolerance)
    {
        double r = run.GetProperty("l1_ratio").GetDouble();
        return new FitOptions
        {
            Penalty = r == 1 ? Penalty.Lasso : r == 0 ? Penalty.Ridge : Penalty.ElasticNet,
            L1Ratio = r is > 0 and < 1 ? r : null,
            Convention = Names.ParseConvention(run.GetProperty("convention").GetString()!),
            FitIntercept = run.GetProperty("fit_intercept").GetBoolean(),
            Standardize = run.GetProperty("standardize").GetBoolean(),
            Tolerance = tolerance,
            MaxIterations = 10_000_000,
        };
    }

    public static TheoryData<string, string> Paths()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Folder, "paths_*.json").Order())
            foreach (var run in Load(Path.GetFileName(file)).GetProperty("paths").EnumerateArray())
                data.Add(Path.GetFileName(file), run.GetProperty("id").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Path_matches_the_reference_objective_at_every_lambda(string file, string id)
    {
        var root = Load(file);
        var run = root.GetProperty("paths").EnumerateArray().Single(p => p.GetProperty("id").GetString() == id);
        var (x, y, data) = Data(root);
        var fit = Options(run, 1e-12);
        var lambdas = Numbers(run.GetProperty("lambdas"));
        var path = Regression.Path(data, new PathOptions { Fit = fit, Lambdas = lambdas });
        var references = Numbers(run.GetProperty("objectives"));
        var shrinkLambdas = Numbers(run.GetProperty("shrink_lambdas"));

        for (int k = 0; k < lambdas.Length; k++)
        {
            var m = path.Model(k);
            Assert.Equal(shrinkLambdas[k], m.CanonicalLambda, 1e-12 * shrinkLambdas[k]);
            double ours = Certificates.Objective(x, y, m.Intercept, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, fit.Standardize);
            Assert.True(Math.Abs(ours - references[k]) <= ObjectiveTolerance * references[k], $"λ {k}: shrink {ours:R}, reference {references[k]:R}");
            Assert.True(m.Diagnostics.Converged, $"λ {k} did not converge");
        }

        // glmnet's own default grid must be the one Shrink computes for the same data and options.
        if (run.GetProperty("lambda_min_ratio").ValueKind == JsonValueKind.Number)
        {
            var automatic = Regression.Path(data, new PathOptions { Fit = fit, LambdaCount = lambdas.Length });
            for (int k = 0; k < lambdas.Length; k++)
                Assert.Equal(lambdas[k], automatic.Lambdas[k], 1e-12 * lambdas[k]);
        }
    }

    public static TheoryData<string, string> CvRuns()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Folder, "cv_*.json").Order())
            foreach (var run in Load(Path.GetFileName(file)).GetProperty("runs").EnumerateArray())
                data.Add(Path.GetFileName(file), run.GetProperty("id").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(CvRuns))]
    public void Cross_validation_matches_cv_glmnet_with_the_same_folds(string file, string id)
    {
        var root = Load(file);
        var run = root.GetProperty("runs").EnumerateArray().Single(p => p.GetProperty("id").GetString() == id);
        var (_, _, data) = Data(root);
        var folds = root.GetProperty("foldid").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var options = new CrossValidationOptions
        {
            Path = new PathOptions { Fit = Options(run, 1e-13), Lambdas = Numbers(run.GetProperty("lambdas")) },
            FoldIds = folds,
            Measure = run.GetProperty("type_measure").GetString() == "mae" ? ErrorMeasure.Mae : ErrorMeasure.Mse,
        };
        var cv = Regression.CrossValidate(data, options);
        var cvm = Numbers(run.GetProperty("cvm"));
        var cvsd = Numbers(run.GetProperty("cvsd"));
        for (int k = 0; k < cvm.Length; k++)
        {
            Assert.True(Math.Abs(cv.Best.Mean[k] - cvm[k]) <= CvTolerance * cvm[k], $"cvm at λ {k}: shrink {cv.Best.Mean[k]:R}, glmnet {cvm[k]:R}");
            Assert.True(Math.Abs(cv.Best.StandardError[k] - cvsd[k]) <= CvTolerance * cvsd[k], $"cvsd at λ {k}: shrink {cv.Best.StandardError[k]:R}, glmnet {cvsd[k]:R}");
        }
        Assert.Equal(run.GetProperty("index_min").GetInt32(), cv.Best.IndexMin);
        Assert.Equal(run.GetProperty("index_1se").GetInt32(), cv.Best.Index1Se);
        Assert.Equal(run.GetProperty("lambda_1se").GetDouble(), cv.Lambda);
        var nzero = run.GetProperty("nzero").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(nzero, cv.Best.Path.NonZero);
    }

    public static TheoryData<string, string> RidgeRuns()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Folder, "ridgecv_*.json").Order())
            foreach (var run in Load(Path.GetFileName(file)).GetProperty("fits").EnumerateArray())
                data.Add(Path.GetFileName(file), run.GetProperty("id").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(RidgeRuns))]
    public void Ridge_leave_one_out_matches_scikit_learn_ridgecv(string file, string id)
    {
        var root = Load(file);
        var run = root.GetProperty("fits").EnumerateArray().Single(p => p.GetProperty("id").GetString() == id);
        var (_, _, data) = Data(root);
        // RidgeCV's grid is ascending; a path runs largest first.
        var lambdas = Numbers(run.GetProperty("lambdas")).Reverse().ToArray();
        var loo = Numbers(run.GetProperty("loo_mse")).Reverse().ToArray();
        var cv = Regression.CrossValidate(data, new CrossValidationOptions
        {
            Path = new PathOptions { Fit = Options(run, 1e-12), Lambdas = lambdas },
            LeaveOneOut = true,
            Choose = LambdaChoice.Min,
        });
        for (int k = 0; k < lambdas.Length; k++)
            Assert.True(Math.Abs(cv.Best.Mean[k] - loo[k]) <= 1e-6 * loo[k], $"LOO MSE at λ {lambdas[k]:R}: shrink {cv.Best.Mean[k]:R}, sklearn {loo[k]:R}");
        Assert.Equal(run.GetProperty("lambda_").GetDouble(), cv.Lambda, 1e-12 * cv.Lambda);
        var gcv = Numbers(run.GetProperty("gcv")).Reverse().ToArray();
        for (int k = 0; k < lambdas.Length; k++)
            Assert.True(Math.Abs(cv.Best.GeneralizedCrossValidation![k] - gcv[k]) <= 1e-6 * gcv[k], $"GCV at λ {lambdas[k]:R}");
        var coefficients = Numbers(run.GetProperty("coefficients"));
        double scale = coefficients.Max(Math.Abs);
        for (int j = 0; j < coefficients.Length; j++)
            Assert.True(Math.Abs(cv.Model.Coefficients[j] - coefficients[j]) <= 1e-6 * scale, $"coefficient {j}");
    }
}
