using System.Text.Json;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// The multi-task lasso and elastic net against scikit-learn's MultiTaskLasso / MultiTaskElasticNet and glmnet's
/// family "mgaussian" on the same data (tools/reference/make_multitask_fixtures.py), with certificates recomputed here.
/// </summary>
public class MultiTaskReferenceTests
{
    /// <summary>Coefficients and intercepts agree to this fraction of the largest |b| of the reference.</summary>
    private const double CoefficientTolerance = 1e-6;
    /// <summary>Objectives agree to this relative difference.</summary>
    private const double ObjectiveTolerance = 1e-9;
    /// <summary>The duality-gap tolerance the fits are run at.</summary>
    private const double SolverTolerance = 1e-13;
    /// <summary>Group KKT violations (scale-free), and the independent duality gap relative to the null objective.</summary>
    private const double CertificateTolerance = 1e-6;
    /// <summary>cvm and cvsd agreement with cv.glmnet, relative.</summary>
    private const double CvTolerance = 1e-6;

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "MultiTaskFixtures");

    internal static JsonElement Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, file)));
        return doc.RootElement.Clone();
    }

    private static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
    private static double[][] Matrix(JsonElement e) => e.EnumerateArray().Select(Numbers).ToArray();

    internal static (double[][] X, double[][] Y, MultiTargetDataset Data) Data(JsonElement root)
    {
        var x = Matrix(root.GetProperty("x"));
        var y = Matrix(root.GetProperty("y"));
        var names = root.GetProperty("feature_names").EnumerateArray().Select(v => v.GetString()!).ToArray();
        var targets = root.GetProperty("target_names").EnumerateArray().Select(v => v.GetString()!).ToArray();
        var columns = Enumerable.Range(0, y[0].Length).Select(t => y.Select(row => row[t]).ToArray()).ToArray();
        return (x, y, new MultiTargetDataset(FeatureMatrix.FromRows(x), columns, names, targets));
    }

    private static FitOptions Options(JsonElement c, double tolerance)
    {
        double r = c.GetProperty("l1_ratio").GetDouble();
        return new FitOptions
        {
            Penalty = r == 1 ? Penalty.Lasso : Penalty.ElasticNet,
            L1Ratio = r < 1 ? r : null,
            Convention = Names.ParseConvention(c.GetProperty("convention").GetString()!),
            FitIntercept = c.GetProperty("fit_intercept").GetBoolean(),
            Standardize = c.GetProperty("standardize").GetBoolean(),
            Tolerance = tolerance,
            MaxIterations = 10_000_000,
        };
    }

    private static IEnumerable<string> Files => Directory.GetFiles(Folder, "*.json").Select(Path.GetFileName).Order()!;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Files)
            foreach (var c in Load(file).GetProperty("cases").EnumerateArray()) data.Add(file, c.GetProperty("id").GetString()!);
        return data;
    }

    [Fact]
    public void Fixtures_cover_both_references_with_and_without_intercept_and_standardization()
    {
        var cases = Files.SelectMany(f => Load(f).GetProperty("cases").EnumerateArray()).ToList();
        foreach (var source in new[] { "sklearn", "glmnet" })
            foreach (double r in new[] { 1.0, 0.5 })
                foreach (bool intercept in new[] { true, false })
                    Assert.Contains(cases, c => c.GetProperty("source").GetString() == source && c.GetProperty("l1_ratio").GetDouble() == r
                        && c.GetProperty("fit_intercept").GetBoolean() == intercept);
        Assert.Contains(cases, c => c.GetProperty("standardize").GetBoolean());
        Assert.Contains(Files, f => Load(f).GetProperty("p").GetInt32() > Load(f).GetProperty("n").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_reference_and_is_certified_independently(string file, string id)
    {
        var root = Load(file);
        var c = root.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        var (x, y, data) = Data(root);
        var options = Options(c, SolverTolerance) with { Lambda = c.GetProperty("lambda").GetDouble() };
        var model = Regression.FitMultiTask(data, options);

        Assert.True(model.Diagnostics.Converged, $"gap {model.Diagnostics.DualityGap:E2}");
        Assert.Equal(c.GetProperty("shrink_lambda").GetDouble(), model.CanonicalLambda, 1e-12 * model.CanonicalLambda);
        Assert.Equal(c.GetProperty("shrink_l1_ratio").GetDouble(), model.CanonicalL1Ratio, 1e-12);

        var reference = Matrix(c.GetProperty("coefficients"));
        var intercepts = Numbers(c.GetProperty("intercepts"));
        double scale = Math.Max(reference.Max(row => row.Max(Math.Abs)), 1e-12);
        for (int j = 0; j < reference.Length; j++)
            for (int t = 0; t < reference[j].Length; t++)
                Assert.True(Math.Abs(model.Coefficients[j][t] - reference[j][t]) <= CoefficientTolerance * scale,
                    $"b[{j}][{t}]: shrink {model.Coefficients[j][t]:R}, {c.GetProperty("source")} {reference[j][t]:R}");
        double yScale = y.Max(row => row.Max(Math.Abs));
        for (int t = 0; t < intercepts.Length; t++)
            Assert.True(Math.Abs(model.Intercepts[t] - intercepts[t]) <= CoefficientTolerance * Math.Max(yScale, scale), $"b0[{t}]");
        // Zero rows are exactly zero where the reference's are (the penalty drops whole features).
        for (int j = 0; j < reference.Length; j++)
            if (reference[j].All(v => v == 0) && !model.Coefficients[j].All(v => v == 0))
                Assert.True(model.Coefficients[j].Max(Math.Abs) <= CoefficientTolerance * scale, $"row {j} should be 0");

        var referenceRows = reference.Select(row => (IReadOnlyList<double>)row).ToArray();
        double ours = MultiTaskCertificates.Objective(x, y, model.Intercepts, model.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, options.Standardize);
        double theirs = MultiTaskCertificates.Objective(x, y, intercepts, referenceRows, model.CanonicalLambda, model.CanonicalL1Ratio, options.Standardize);
        Assert.True(Math.Abs(ours - theirs) <= ObjectiveTolerance * theirs, $"objective: shrink {ours:R}, reference {theirs:R}");
        Assert.Equal(ours, model.Diagnostics.Objective, 1e-10 * ours);

        double kkt = MultiTaskCertificates.KktViolation(x, y, model.Intercepts, model.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, options.Standardize, options.FitIntercept);
        Assert.True(kkt <= CertificateTolerance, $"KKT violation {kkt:E2}");
        double gap = MultiTaskCertificates.DualityGap(x, y, model.Intercepts, model.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, options.Standardize, options.FitIntercept);
        double nullObjective = MultiTaskCertificates.Objective(x, y, options.FitIntercept ? Enumerable.Range(0, y[0].Length).Select(t => y.Average(row => row[t])).ToArray() : new double[y[0].Length],
            reference.Select(row => (IReadOnlyList<double>)new double[row.Length]).ToArray(), 1, 1, false);
        Assert.True(gap >= -1e-12 * nullObjective && gap <= CertificateTolerance * nullObjective, $"independent gap {gap:E2}, null objective {nullObjective:E2}");
        Assert.True(Math.Abs(gap - model.Diagnostics.DualityGap) <= 1e-9 * nullObjective, $"gap: solver {model.Diagnostics.DualityGap:E3}, test {gap:E3}");
    }

    public static TheoryData<string, string> Paths()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Files)
            foreach (var p in Load(file).GetProperty("paths").EnumerateArray()) data.Add(file, p.GetProperty("id").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Path_matches_glmnet_mgaussian_at_every_lambda_and_its_default_grid(string file, string id)
    {
        var root = Load(file);
        var run = root.GetProperty("paths").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        var (x, y, data) = Data(root);
        var fit = Options(run, 1e-12);
        var lambdas = Numbers(run.GetProperty("lambdas"));
        var path = Regression.PathMultiTask(data, new PathOptions { Fit = fit, Lambdas = lambdas });
        var objectives = Numbers(run.GetProperty("objectives"));
        for (int s = 0; s < lambdas.Length; s++)
        {
            var m = path.Model(s);
            Assert.True(m.Diagnostics.Converged, $"λ {s} did not converge");
            double ours = MultiTaskCertificates.Objective(x, y, m.Intercepts, m.Coefficients, m.CanonicalLambda, m.CanonicalL1Ratio, true);
            Assert.True(Math.Abs(ours - objectives[s]) <= 1e-8 * objectives[s], $"λ {s}: shrink {ours:R}, glmnet {objectives[s]:R}");
        }
        // glmnet's default grid is the one Shrink computes: λmax = max_j ‖x̃_jᵀỸ‖/(n·α), log-spaced to 1e-4 or 1e-2 of it.
        var automatic = Regression.PathMultiTask(data, new PathOptions { Fit = fit with { Tolerance = 1e-7 }, LambdaCount = lambdas.Length });
        for (int s = 0; s < lambdas.Length; s++)
            Assert.Equal(lambdas[s], automatic.Lambdas[s], 1e-12 * lambdas[s]);
        Assert.Equal(0, automatic.NonZero[0]);
        Assert.True(automatic.NonZero[1] > 0);
    }

    [Fact]
    public void Cross_validation_matches_cv_glmnet_mgaussian_with_the_same_folds()
    {
        var root = Load("mt_correlated.json");
        var cvRef = root.GetProperty("cv");
        var (_, _, data) = Data(root);
        var options = new CrossValidationOptions
        {
            Path = new PathOptions { Fit = new FitOptions { Convention = Convention.Glmnet, Tolerance = 1e-12, MaxIterations = 10_000_000 }, Lambdas = Numbers(cvRef.GetProperty("lambdas")) },
            FoldIds = cvRef.GetProperty("foldid").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
        };
        var cv = Regression.CrossValidateMultiTask(data, options);
        var cvm = Numbers(cvRef.GetProperty("cvm"));
        var cvsd = Numbers(cvRef.GetProperty("cvsd"));
        for (int s = 0; s < cvm.Length; s++)
        {
            Assert.True(Math.Abs(cv.Mean[s] - cvm[s]) <= CvTolerance * cvm[s], $"cvm at λ {s}: shrink {cv.Mean[s]:R}, glmnet {cvm[s]:R}");
            Assert.True(Math.Abs(cv.StandardError[s] - cvsd[s]) <= CvTolerance * cvsd[s], $"cvsd at λ {s}: shrink {cv.StandardError[s]:R}, glmnet {cvsd[s]:R}");
        }
        Assert.Equal(cvRef.GetProperty("lambda_min").GetDouble(), cv.LambdaMin);
        Assert.Equal(cvRef.GetProperty("lambda_1se").GetDouble(), cv.Lambda1Se);
        // cv.glmnet's nzero for "mgaussian" counts the intercept row as well (predict(type = "nonzero") on the stacked
        // coefficients): it is glmnet's df + 1.
        Assert.Equal(cvRef.GetProperty("nzero").EnumerateArray().Select(v => (int)v.GetDouble()).ToArray(), cv.Path.NonZero.Select(v => v + 1));
    }
}
