using System.Reflection;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Xunit;
using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

public class ModelFileTests
{
    /// <summary>
    /// Compares every public property of two models, found by reflection so that a field added to
    /// <see cref="LinearModel"/> but not to the file format fails here. Doubles must be the same bits.
    /// </summary>
    internal static void AssertSameModel(LinearModel expected, LinearModel actual)
    {
        foreach (var property in typeof(LinearModel).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            AssertSameValue(property.Name, property.GetValue(expected), property.GetValue(actual));
    }

    private static void AssertSameValue(string name, object? expected, object? actual)
    {
        switch (expected)
        {
            case double e:
                var a = Assert.IsType<double>(actual);
                Assert.True(BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a), $"{name}: expected {e:R}, got {a:R}");
                break;
            case IReadOnlyList<double> e:
                var list = Assert.IsAssignableFrom<IReadOnlyList<double>>(actual);
                Assert.Equal(e.Count, list.Count);
                for (int j = 0; j < e.Count; j++) AssertSameValue($"{name}[{j}]", e[j], list[j]);
                break;
            case IReadOnlyList<string> e:
                Assert.Equal(e, Assert.IsAssignableFrom<IReadOnlyList<string>>(actual));
                break;
            case FitDiagnostics e:
                var d = Assert.IsType<FitDiagnostics>(actual);
                foreach (var property in typeof(FitDiagnostics).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
                    AssertSameValue($"{name}.{property.Name}", property.GetValue(e), property.GetValue(d));
                break;
            case ModelControls e:
                var c = Assert.IsType<ModelControls>(actual);
                foreach (var property in typeof(ModelControls).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
                    AssertSameValue($"{name}.{property.Name}", property.GetValue(e), property.GetValue(c));
                break;
            case IReadOnlyDictionary<string, double> e:
                var map = Assert.IsAssignableFrom<IReadOnlyDictionary<string, double>>(actual);
                Assert.Equal(e.Keys.Order(), map.Keys.Order());
                foreach (var (key, value) in e) AssertSameValue($"{name}[{key}]", value, map[key]);
                break;
            case null:
                Assert.Null(actual);
                break;
            case int or bool or string or Penalty or Convention:
                Assert.True(Equals(expected, actual), $"{name}: expected {expected}, got {actual}");
                break;
            default:
                Assert.Fail($"{name}: no comparison for {expected?.GetType().Name ?? "null"}; add one so the round trip stays complete");
                break;
        }
    }

    /// <summary>A model whose every field differs from its default and whose doubles are awkward to print.</summary>
    private static LinearModel Awkward() => new(
        ["x1", "with space", "quote\"and\\backslash", "comma,name", "naïve λ", "emoji 📈", "tab\there"],
        intercept: 0.1 + 0.2,
        coefficients: [1.0 / 3, -2.0 / 3, 1e-310, -double.Epsilon, double.MaxValue, -123456789.123456789, 0],
        Penalty.ElasticNet, lambda: Math.PI / 1e5, l1Ratio: 0.3, Convention.Glmnet, fitIntercept: false, standardize: false,
        trainingRows: 12345, canonicalLambda: Math.E * 1e-7, canonicalL1Ratio: 0.7000000000000001,
        new FitDiagnostics(Objective: 12.345678901234567, DualityGap: 4.9406564584124654e-324, Tolerance: 1e-12, GapTolerance: 3.25e-11, Iterations: 99999, Converged: false, Solver: "coordinate-descent"));

    private static LinearModel Fitted()
    {
        var table = TestData.Signal();
        return Regression.Fit(TestData.AsDataset(table, "y", "x1", "x2", "noise"), new FitOptions { Lambda = 0.05, Convention = Convention.Sklearn });
    }

    public static TheoryData<string> Models => new() { "awkward", "controlled", "fitted" };

    private static LinearModel Model(string which) => which switch
    {
        "awkward" => Awkward(),
        "controlled" => Controlled(),
        _ => Fitted(),
    };

    /// <summary>Every control set, with names that need escaping and values that need every digit.</summary>
    private static LinearModel Controlled()
    {
        var model = Awkward();
        return new LinearModel(model.FeatureNames, model.Intercept, model.Coefficients.ToArray(), model.Penalty, model.Lambda, model.L1Ratio,
            model.Convention, model.FitIntercept, model.Standardize, model.TrainingRows, model.CanonicalLambda, model.CanonicalL1Ratio, model.Diagnostics)
        {
            Controls = new ModelControls
            {
                Weighted = true,
                HasOffset = true,
                PenaltyFactors = new Dictionary<string, double> { ["x1"] = 0, ["with space"] = 1.0 / 3, ["naïve λ"] = 2.5 },
                Excluded = ["comma,name"],
                LowerBounds = new Dictionary<string, double> { ["x1"] = -0.1 - 0.2, ["quote\"and\\backslash"] = 0 },
                UpperBounds = new Dictionary<string, double> { ["emoji 📈"] = 1e-300 },
                RelaxGamma = 0.25,
            },
        };
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Save_and_load_round_trip_every_field_exactly(string which)
    {
        using var folder = new TempFolder();
        var model = Model(which);
        string path = folder.File("model.json");

        ModelFile.Save(model, path);
        var loaded = ModelFile.Load(path);

        AssertSameModel(model, loaded);
        Assert.Equal(["model.json"], folder.Entries());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ToJson_and_parse_round_trip_every_field_exactly(string which)
    {
        var model = Model(which);
        var parsed = ModelFile.Parse(Encoding.UTF8.GetBytes(ModelFile.ToJson(model)));
        AssertSameModel(model, parsed);
    }

    [Fact]
    public void The_file_and_the_string_are_the_same_json()
    {
        using var folder = new TempFolder();
        var model = Awkward();
        ModelFile.Save(model, folder.File("model.json"));
        Assert.Equal(ModelFile.ToJson(model), File.ReadAllText(folder.File("model.json")));
    }

    [Fact]
    public void The_file_says_what_it_is_and_has_readable_fields()
    {
        var model = Fitted();
        using var doc = JsonDocument.Parse(ModelFile.ToJson(model));
        var root = doc.RootElement;
        Assert.Equal("shrink-model", root.GetProperty("format").GetString());
        Assert.Equal(ModelFile.FormatVersion, root.GetProperty("format_version").GetInt32());
        Assert.Equal("lasso", root.GetProperty("penalty").GetString());
        Assert.Equal("sklearn", root.GetProperty("convention").GetString());
        Assert.Equal(["x1", "x2", "noise"], root.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(model.Coefficient("x2"), root.GetProperty("coefficients").GetProperty("x2").GetDouble());
        Assert.Equal(30, root.GetProperty("training_rows").GetInt32());
    }

    [Fact]
    public void A_loaded_model_predicts_what_the_original_does()
    {
        var model = Fitted();
        var loaded = ModelFile.Parse(Encoding.UTF8.GetBytes(ModelFile.ToJson(model)));
        var x = TestData.AsDataset(TestData.Signal(), "y", "x1", "x2", "noise").Features;
        Assert.Equal(model.Predict(x), loaded.Predict(x));
    }

    [Property(MaxTest = 200)]
    public bool Any_finite_doubles_survive_the_round_trip(NormalFloat intercept, NormalFloat[] coefficients, NormalFloat gap, PositiveInt rows)
    {
        var b = coefficients.Select(c => c.Get).ToArray();
        var model = new LinearModel(Enumerable.Range(1, b.Length).Select(j => $"f{j}").ToArray(), intercept.Get, b, Penalty.Ridge,
            1.5, 0, Convention.Shrink, true, true, rows.Get, 1.5, 0, new FitDiagnostics(1, gap.Get, 1e-7, 2.5e-7, 1, true, "cholesky"));
        var parsed = ModelFile.Parse(Encoding.UTF8.GetBytes(ModelFile.ToJson(model)));
        return BitConverter.DoubleToInt64Bits(parsed.Intercept) == BitConverter.DoubleToInt64Bits(intercept.Get)
            && parsed.Coefficients.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(b.Select(BitConverter.DoubleToInt64Bits))
            && BitConverter.DoubleToInt64Bits(parsed.Diagnostics.DualityGap) == BitConverter.DoubleToInt64Bits(gap.Get)
            && parsed.TrainingRows == rows.Get;
    }

    [Theory]
    [InlineData("\"penalty\": \"lasso\"", "\"penalty\": \"lassoo\"", "'penalty'")]
    [InlineData("\"convention\": \"sklearn\"", "\"convention\": \"R\"", "'convention'")]
    [InlineData("\"training_rows\": 30", "\"training_rows\": 30.5", "'training_rows'")]
    [InlineData("\"fit_intercept\": true", "\"fit_intercept\": 1", "'fit_intercept'")]
    [InlineData("\"format_version\": 1", "\"format_version\": \"1\"", "'format_version'")]
    public void A_damaged_field_is_named(string field, string damaged, string fragment)
    {
        string json = ModelFile.ToJson(Fitted());
        Assert.Contains(field, json);
        var e = Assert.Throws<ShrinkException>(() => ModelFile.Parse(Encoding.UTF8.GetBytes(json.Replace(field, damaged)), "m.json"));
        Assert.StartsWith("m.json: ", e.Message);
        Assert.Contains(fragment, e.Message);
    }
}

public class AtomicFileTests
{
    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary_file()
    {
        using var folder = new TempFolder();
        string path = folder.Write("target.txt", "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half of the new con"u8);
            s.Flush();
            throw new InvalidOperationException("the writer broke");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["target.txt"], folder.Entries());
    }

    [Fact]
    public void A_failed_first_write_leaves_nothing()
    {
        using var folder = new TempFolder();
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(folder.File("new.txt"), s =>
        {
            s.Write("partial"u8);
            throw new InvalidOperationException("the writer broke");
        }));
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public void A_successful_write_replaces_the_file_whole()
    {
        using var folder = new TempFolder();
        string path = folder.Write("target.txt", "old content, longer than the new one");
        AtomicFile.Write(path, s => s.Write("new"u8));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["target.txt"], folder.Entries());
    }
}
