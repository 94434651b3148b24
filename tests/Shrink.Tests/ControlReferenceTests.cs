using System.Text.Json;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// Weights, offsets, penalty factors, exclusion, bounds, max-features and the relaxed lasso against glmnet 4.1-6 and
/// scikit-learn 1.2.1 (tests/Shrink.Tests/ControlFixtures, made by tools/reference/make_control_fixtures.py).
/// </summary>
public class ControlReferenceTests
{
    /// <summary>Coefficients within this fraction of the largest |b| of the reference (as the core fixtures).</summary>
    private const double CoefficientTolerance = 1e-6;
    private const double SolverTolerance = 1e-13;
    private const double KktTolerance = 1e-6;
    /// <summary>cv.glmnet's error curves, for γ &gt; 0: the folds and grid are the same, so only the fits' accuracy differs.</summary>
    private const double CurveTolerance = 1e-6;
    /// <summary>
    /// glmnet blends with max(γ, 1e-5), so its γ = 0 is not the exact refit that Shrink's is
    /// (tools/reference/README.md): its curve for γ = 0 is compared this loosely.
    /// </summary>
    private const double GammaZeroCurveTolerance = 1e-3;

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "ControlFixtures");

    private static readonly Dictionary<string, JsonDocument> Documents = new();

    private static JsonElement Root(string file)
    {
        lock (Documents)
        {
            if (!Documents.TryGetValue(file, out var doc)) Documents[file] = doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, file + ".json")));
            return doc.RootElement;
        }
    }

    public static TheoryData<string, string> Cases(string kind)
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order())
            foreach (var c in Root(file!).GetProperty("cases").EnumerateArray())
                if (c.GetProperty("kind").GetString() == kind) data.Add(file!, c.GetProperty("id").GetString()!);
        return data;
    }

    public static TheoryData<string, string> FitCases() => Cases("fit");
    public static TheoryData<string, string> PathCases() => Cases("path");
    public static TheoryData<string, string> RelaxCases() => Cases("relax");
    public static TheoryData<string, string> CvRelaxCases() => Cases("cv-relax");

    private static JsonElement Case(string file, string id) =>
        Root(file).GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
    private static double[]? Optional(JsonElement c, string name) => c.GetProperty(name).ValueKind == JsonValueKind.Null ? null : Doubles(c.GetProperty(name));

    /// <summary>A list with null entries (unbounded, or an infinite factor), read with the given stand-in.</summary>
    private static double[]? WithNulls(JsonElement c, string name, double stand)
    {
        var e = c.GetProperty(name);
        if (e.ValueKind == JsonValueKind.Null) return null;
        return e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? stand : v.GetDouble()).ToArray();
    }

    private sealed record Setup(Dataset Data, FitOptions Options, ControlProblem Problem, double[][] X);

    private static Setup Prepare(string file, JsonElement c)
    {
        var root = Root(file);
        var x = root.GetProperty("x").EnumerateArray().Select(Doubles).ToArray();
        var y = Doubles(root.GetProperty("y"));
        var names = root.GetProperty("feature_names").EnumerateArray().Select(v => v.GetString()!).ToArray();
        int p = names.Length;
        var weights = Optional(c, "weights");
        var offset = Optional(c, "offset");
        var data = new Dataset(FeatureMatrix.FromRows(x), y, names, weights: weights, offset: offset);
        var factors = WithNulls(c, "penalty_factor", double.PositiveInfinity);
        var lower = WithNulls(c, "lower", double.NegativeInfinity);
        var upper = WithNulls(c, "upper", double.PositiveInfinity);
        var exclude = c.GetProperty("exclude").ValueKind == JsonValueKind.Null ? null : c.GetProperty("exclude").EnumerateArray().Select(v => names[v.GetInt32()]).ToArray();
        var penalty = Names.ParsePenalty(c.GetProperty("penalty").GetString()!);
        double r = c.GetProperty("l1_ratio").GetDouble();
        var options = new FitOptions
        {
            Penalty = penalty,
            L1Ratio = penalty == Penalty.ElasticNet ? r : null,
            Convention = Names.ParseConvention(c.GetProperty("convention").GetString()!),
            FitIntercept = c.GetProperty("fit_intercept").GetBoolean(),
            Standardize = c.GetProperty("standardize").GetBoolean(),
            Tolerance = SolverTolerance,
            PenaltyFactors = factors?.Select((f, j) => (f, j)).ToDictionary(t => names[t.j], t => t.f),
            Exclude = exclude,
            LowerBounds = lower?.Select((v, j) => (v, j)).Where(t => t.v > double.NegativeInfinity).ToDictionary(t => names[t.j], t => t.v),
            UpperBounds = upper?.Select((v, j) => (v, j)).Where(t => t.v < double.PositiveInfinity).ToDictionary(t => names[t.j], t => t.v),
        };
        var problem = new ControlProblem(x, y, weights, offset, null, lower, upper, options.FitIntercept, options.Standardize);
        return new Setup(data, options, problem, x);
    }

    private static void AssertClose(string what, double expectedIntercept, IReadOnlyList<double> expected, LinearModel model, double tolerance = CoefficientTolerance)
    {
        // A reference at λmax is 0 up to its solver's rounding (1e-16): compare on the scale of the intercept there.
        double scale = Math.Max(expected.Max(Math.Abs), 1e-9 * Math.Max(1, Math.Abs(expectedIntercept)));
        for (int j = 0; j < expected.Count; j++)
            Assert.True(Math.Abs(model.Coefficients[j] - expected[j]) <= tolerance * scale,
                $"{what}: b[{j}] shrink {model.Coefficients[j]:R}, reference {expected[j]:R} (scale {scale:G3})");
        double interceptScale = Math.Max(scale, Math.Abs(expectedIntercept));
        Assert.True(Math.Abs(model.Intercept - expectedIntercept) <= tolerance * interceptScale,
            $"{what}: intercept shrink {model.Intercept:R}, reference {expectedIntercept:R}");
    }

    /// <summary>The certificate with the model's own effective factors and the excluded features held at 0.</summary>
    private static void AssertOptimal(Setup setup, LinearModel model)
    {
        var names = setup.Data.FeatureNames;
        var factors = names.Select(n => model.Controls.PenaltyFactors is { } f && f.TryGetValue(n, out var v) ? v : 1).ToArray();
        var excluded = new HashSet<int>(Enumerable.Range(0, names.Count).Where(j => model.Controls.Excluded?.Contains(names[j]) == true));
        var problem = setup.Problem with { Factors = factors };
        var canonical = new CanonicalPenalty(model.CanonicalLambda, model.CanonicalL1Ratio);
        double kkt = problem.KktViolation(model.Intercept, model.Coefficients, canonical.L1, canonical.L2, excluded);
        Assert.True(kkt <= KktTolerance, $"KKT violation {kkt:E2}");
        Assert.True(model.Diagnostics.Converged, $"not converged: gap {model.Diagnostics.DualityGap:G3}");
    }

    [Theory]
    [MemberData(nameof(FitCases))]
    public void Single_fits_match_the_reference_and_are_optimal(string file, string id)
    {
        var c = Case(file, id);
        var setup = Prepare(file, c);
        var model = Regression.Fit(setup.Data, setup.Options with { Lambda = c.GetProperty("lambda").GetDouble() });
        AssertClose(id, c.GetProperty("intercept").GetDouble(), Doubles(c.GetProperty("coefficients")), model);
        AssertOptimal(setup, model);
    }

    [Theory]
    [MemberData(nameof(PathCases))]
    public void Paths_match_glmnet_and_max_features_stops_where_it_says(string file, string id)
    {
        var c = Case(file, id);
        var setup = Prepare(file, c);
        var lambdas = Doubles(c.GetProperty("lambdas"));
        var df = c.GetProperty("df").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int? maxFeatures = c.GetProperty("max_features").ValueKind == JsonValueKind.Null ? null : c.GetProperty("max_features").GetInt32();
        var options = new PathOptions { Fit = setup.Options, MaxFeatures = maxFeatures };
        options = c.GetProperty("lambda_given").GetBoolean()
            ? options with { Lambdas = lambdas }
            : options with { LambdaCount = c.GetProperty("nlambda").GetInt32(), LambdaMinRatio = c.GetProperty("lambda_min_ratio").GetDouble() };
        var path = Regression.Path(setup.Data, options);

        if (maxFeatures is { } limit)
        {
            // Shrink stops at the first λ with more than the limit (glmnet waits for its 5th λ, and ignores the limit on a
            // given grid): where that is inside glmnet's path, the two paths agree up to it.
            int first = Array.FindIndex(df, d => d > limit);
            Assert.True(first >= 0, "the reference path never exceeds the limit");
            Assert.Equal(first + 1, path.Count);
            Assert.NotNull(path.StopReason);
        }
        int common = Math.Min(path.Count, lambdas.Length);
        var intercepts = Doubles(c.GetProperty("intercepts"));
        var coefficients = c.GetProperty("coefficients").EnumerateArray().Select(Doubles).ToArray();
        for (int k = 0; k < common; k++)
        {
            Assert.True(Math.Abs(path.Lambdas[k] - lambdas[k]) <= 1e-10 * lambdas[k], $"λ[{k}] shrink {path.Lambdas[k]:R}, glmnet {lambdas[k]:R}");
            AssertClose($"{id} λ[{k}]", intercepts[k], coefficients[k], path.Model(k));
            AssertOptimal(setup, path.Model(k));
        }
    }

    [Theory]
    [MemberData(nameof(RelaxCases))]
    public void Relaxed_fits_blend_the_lasso_with_glmnets_least_squares_refit(string file, string id)
    {
        var c = Case(file, id);
        var setup = Prepare(file, c);
        var lambdas = Doubles(c.GetProperty("lambdas"));
        var gammas = Doubles(c.GetProperty("gammas"));
        var refitted = c.GetProperty("relaxed_refit").EnumerateArray().Select(v => v.GetBoolean()).ToArray();
        var refitIntercepts = Doubles(c.GetProperty("relaxed_intercepts"));
        var refitCoefficients = c.GetProperty("relaxed_coefficients").EnumerateArray().Select(Doubles).ToArray();
        var penalizedIntercepts = Doubles(c.GetProperty("intercepts")[gammas.Length - 1]);
        var penalizedCoefficients = c.GetProperty("coefficients")[gammas.Length - 1].EnumerateArray().Select(Doubles).ToArray();
        Assert.Equal(1.0, gammas[^1]);
        foreach (double gamma in gammas)
        {
            var path = Regression.Path(setup.Data, new PathOptions { Fit = setup.Options with { RelaxGamma = gamma }, Lambdas = lambdas });
            Assert.Equal(lambdas.Length, path.Count);
            for (int k = 0; k < lambdas.Length; k++)
            {
                // glmnet reuses an older refit where it skips one (more than n − 3 features); Shrink refits or says it cannot.
                if (!refitted[k]) continue;
                double intercept = gamma * penalizedIntercepts[k] + (1 - gamma) * refitIntercepts[k];
                var expected = penalizedCoefficients[k].Select((b, j) => gamma * b + (1 - gamma) * refitCoefficients[k][j]).ToArray();
                AssertClose($"{id} γ {gamma} λ[{k}]", intercept, expected, path.Model(k));
                Assert.Equal(gamma, path.Model(k).Controls.RelaxGamma);
            }
        }
        // A single relaxed fit is the path's model at that λ.
        var single = Regression.Fit(setup.Data, setup.Options with { Lambda = lambdas[1], RelaxGamma = 0.25 });
        var onPath = Regression.Path(setup.Data, new PathOptions { Fit = setup.Options with { RelaxGamma = 0.25 }, Lambdas = lambdas }).Model(1);
        AssertClose("single vs path", onPath.Intercept, onPath.Coefficients, single, 1e-9);
    }

    [Theory]
    [MemberData(nameof(CvRelaxCases))]
    public void Relaxed_cross_validation_matches_cv_glmnet(string file, string id)
    {
        var c = Case(file, id);
        var setup = Prepare(file, c);
        var lambdas = Doubles(c.GetProperty("lambdas"));
        var gammas = Doubles(c.GetProperty("gammas"));
        var foldIds = c.GetProperty("fold_ids").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var options = new CrossValidationOptions
        {
            Path = new PathOptions { Fit = setup.Options, Lambdas = lambdas },
            FoldIds = foldIds,
            Gammas = gammas,
            Choose = LambdaChoice.Min,
        };
        var result = Regression.CrossValidate(setup.Data, options);
        Assert.Equal(gammas, result.Curves.Select(curve => curve.Gamma!.Value));
        var cvm = c.GetProperty("cvm").EnumerateArray().Select(Doubles).ToArray();
        var cvsd = c.GetProperty("cvsd").EnumerateArray().Select(Doubles).ToArray();
        for (int g = 0; g < gammas.Length; g++)
        {
            double tolerance = gammas[g] == 0 ? GammaZeroCurveTolerance : CurveTolerance;
            for (int l = 0; l < lambdas.Length; l++)
            {
                Assert.True(Math.Abs(result.Curves[g].Mean[l] - cvm[g][l]) <= tolerance * cvm[g][l], $"cvm γ {gammas[g]} λ[{l}]: {result.Curves[g].Mean[l]:R} vs {cvm[g][l]:R}");
                Assert.True(Math.Abs(result.Curves[g].StandardError[l] - cvsd[g][l]) <= tolerance * cvsd[g][l] + 1e-12, $"cvsd γ {gammas[g]} λ[{l}]");
            }
        }
        double lambdaMin = c.GetProperty("lambda_min").GetDouble(), gammaMin = c.GetProperty("gamma_min").GetDouble();
        if (gammaMin == 0 && result.Gamma == 0 && result.Lambda != lambdaMin)
        {
            // Fully relaxed fits with the same supports in every fold tie; glmnet's γ = 1e-5 stand-in breaks the tie one
            // way, Shrink's rule (the larger λ) the other. The choice must then be as good as glmnet's, to that stand-in.
            int theirs = Array.IndexOf(lambdas, lambdaMin);
            Assert.True(Math.Abs(result.Best.Mean[result.ChosenIndex] - result.Best.Mean[theirs]) <= GammaZeroCurveTolerance * result.Best.Mean[theirs],
                $"λmin shrink {result.Lambda:R}, glmnet {lambdaMin:R}: not a tie");
        }
        else
        {
            Assert.Equal(lambdaMin, result.Lambda);
            Assert.Equal(gammaMin, result.Gamma);
        }
        var oneSe = Regression.CrossValidate(setup.Data, options with { Choose = LambdaChoice.OneStandardError });
        Assert.Equal(c.GetProperty("lambda_1se").GetDouble(), oneSe.Lambda);
        Assert.Equal(c.GetProperty("gamma_1se").GetDouble(), oneSe.Gamma);
    }
}
