using System.Text.Json;

namespace Shrink.IO;

/// <summary>
/// The model file: versioned JSON holding everything needed to predict and to know how the model was fitted.
/// </summary>
public static partial class ModelFile
{
    /// <summary>The format version of single-target models, which this build writes and reads (models of several targets: <see cref="MultiTargetFormatVersion"/>).</summary>
    public const int FormatVersion = 1;

    private const string FormatName = "shrink-model";

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    public static void Save(LinearModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            Write(model, w);
        });
    }

    /// <summary>The model as a JSON string, in the file format.</summary>
    public static string ToJson(LinearModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            Write(model, w);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a model file; a missing, malformed or unknown-version file is a <see cref="ShrinkException"/> naming it.</summary>
    public static LinearModel Load(string path)
    {
        if (!File.Exists(path)) throw Throw.Error($"{path}: no such model file");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Throw.Error($"{path}: cannot read: {e.Message}"); }
        return Parse(bytes, path);
    }

    /// <summary>Parses a model from JSON text; <paramref name="source"/> names it in errors.</summary>
    public static LinearModel Parse(ReadOnlySpan<byte> json, string source = "model")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json.ToArray()); }
        catch (JsonException e) { throw Throw.Error($"{source}: not a Shrink model file (invalid JSON: {e.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
                throw Throw.Error($"{source}: not a Shrink model file (no \"format\": \"{FormatName}\")");
            int version = Int(root, "format_version", source);
            if (version == MultiTargetFormatVersion)
                throw Throw.Error($"{source}: is a model of several targets ({TargetList(root, source)}); read it with ModelFile.LoadTargets or LoadMultiTask");
            if (version != FormatVersion)
                throw Throw.Error($"{source}: model format version {version} is not supported (this shrink reads versions {FormatVersion} and {MultiTargetFormatVersion})");
            return ParseFields(root, source);
        }
    }

    /// <summary>The fields of one single-target model (version 1's body; each model of a version 2 file).</summary>
    private static LinearModel ParseFields(JsonElement root, string source)
    {
        var features = Element(root, "features", source, JsonValueKind.Array).EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Throw.Error($"{source}: 'features' must be a list of names")).ToArray();
        var coefficientsObject = Element(root, "coefficients", source, JsonValueKind.Object);
        var coefficients = new double[features.Length];
        for (int j = 0; j < features.Length; j++)
        {
            if (!coefficientsObject.TryGetProperty(features[j], out var c) || c.ValueKind != JsonValueKind.Number)
                throw Throw.Error($"{source}: 'coefficients' has no number for feature '{features[j]}'");
            coefficients[j] = c.GetDouble();
        }
        var d = Element(root, "diagnostics", source, JsonValueKind.Object);
        var diagnostics = new FitDiagnostics(Number(d, "objective", source), Number(d, "duality_gap", source), Number(d, "tolerance", source), Number(d, "gap_tolerance", source),
            Int(d, "iterations", source), Bool(d, "converged", source), Text(d, "solver", source));
        try
        {
            return new LinearModel(features, Number(root, "intercept", source), coefficients,
                Names.ParsePenalty(Text(root, "penalty", source)), Number(root, "lambda", source), Number(root, "l1_ratio", source),
                Names.ParseConvention(Text(root, "convention", source)), Bool(root, "fit_intercept", source), Bool(root, "standardize", source),
                Int(root, "training_rows", source), Number(root, "canonical_lambda", source), Number(root, "canonical_l1_ratio", source), diagnostics)
            {
                Controls = ReadControls(root, source),
            };
        }
        catch (ShrinkException e) { throw Throw.Error($"{source}: {e.Message}"); }
    }

    private static void Write(LinearModel m, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("format", FormatName);
        w.WriteNumber("format_version", FormatVersion);
        w.WriteString("created_by", CreatedBy);
        WriteFields(m, w);
        w.WriteEndObject();
    }

    private static string CreatedBy => $"shrink {typeof(ModelFile).Assembly.GetName().Version?.ToString(3)}";

    /// <summary>The fields of one single-target model, inside an open object.</summary>
    private static void WriteFields(LinearModel m, Utf8JsonWriter w)
    {
        w.WriteString("penalty", Names.Of(m.Penalty));
        w.WriteNumber("lambda", m.Lambda);
        w.WriteNumber("l1_ratio", m.L1Ratio);
        w.WriteString("convention", Names.Of(m.Convention));
        w.WriteNumber("canonical_lambda", m.CanonicalLambda);
        w.WriteNumber("canonical_l1_ratio", m.CanonicalL1Ratio);
        w.WriteBoolean("fit_intercept", m.FitIntercept);
        w.WriteBoolean("standardize", m.Standardize);
        w.WriteNumber("training_rows", m.TrainingRows);
        w.WriteNumber("intercept", m.Intercept);
        w.WriteStartArray("features");
        foreach (var name in m.FeatureNames) w.WriteStringValue(name);
        w.WriteEndArray();
        w.WriteStartObject("coefficients");
        for (int j = 0; j < m.FeatureNames.Count; j++) w.WriteNumber(m.FeatureNames[j], m.Coefficients[j]);
        w.WriteEndObject();
        WriteDiagnostics(m.Diagnostics, w);
        if (!m.Controls.IsEmpty) WriteControls(m.Controls, w);
    }

    /// <summary>Written only when there is something to say, so plain models read exactly as before.</summary>
    private static void WriteControls(ModelControls c, Utf8JsonWriter w)
    {
        w.WriteStartObject("controls");
        w.WriteBoolean("weighted", c.Weighted);
        w.WriteBoolean("offset", c.HasOffset);
        if (c.PenaltyFactors is { } factors) WriteMap("penalty_factors", factors, w);
        if (c.Excluded is { } excluded)
        {
            w.WriteStartArray("excluded");
            foreach (var name in excluded) w.WriteStringValue(name);
            w.WriteEndArray();
        }
        if (c.LowerBounds is { } lower) WriteMap("lower", lower, w);
        if (c.UpperBounds is { } upper) WriteMap("upper", upper, w);
        if (c.RelaxGamma is { } gamma) w.WriteNumber("relax_gamma", gamma);
        w.WriteEndObject();
    }

    private static void WriteMap(string name, IReadOnlyDictionary<string, double> map, Utf8JsonWriter w)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in map) w.WriteNumber(key, value);
        w.WriteEndObject();
    }

    private static ModelControls ReadControls(JsonElement root, string source)
    {
        if (!root.TryGetProperty("controls", out var c)) return ModelControls.None;
        if (c.ValueKind != JsonValueKind.Object) throw Throw.Error($"{source}: 'controls' must be an object");
        IReadOnlyDictionary<string, double>? Map(string name)
        {
            if (!c.TryGetProperty(name, out var e)) return null;
            if (e.ValueKind != JsonValueKind.Object) throw Throw.Error($"{source}: 'controls.{name}' must be an object of numbers");
            var map = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in e.EnumerateObject())
                map[property.Name] = property.Value.ValueKind == JsonValueKind.Number ? property.Value.GetDouble()
                    : throw Throw.Error($"{source}: 'controls.{name}.{property.Name}' must be a number");
            return map;
        }
        return new ModelControls
        {
            Weighted = Bool(c, "weighted", source),
            HasOffset = Bool(c, "offset", source),
            PenaltyFactors = Map("penalty_factors"),
            Excluded = c.TryGetProperty("excluded", out var x)
                ? (x.ValueKind == JsonValueKind.Array ? x.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Throw.Error($"{source}: 'controls.excluded' must be a list of names")).ToArray()
                    : throw Throw.Error($"{source}: 'controls.excluded' must be a list of names"))
                : null,
            LowerBounds = Map("lower"),
            UpperBounds = Map("upper"),
            RelaxGamma = c.TryGetProperty("relax_gamma", out _) ? Number(c, "relax_gamma", source) : null,
        };
    }

    private static JsonElement Element(JsonElement e, string name, string source, JsonValueKind kind) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == kind ? v
            : throw Throw.Error($"{source}: '{name}' is missing or not {(kind == JsonValueKind.Array ? "a list" : kind == JsonValueKind.Object ? "an object" : kind.ToString().ToLowerInvariant())}");

    private static double Number(JsonElement e, string name, string source) => Element(e, name, source, JsonValueKind.Number).GetDouble();

    private static int Int(JsonElement e, string name, string source) =>
        Element(e, name, source, JsonValueKind.Number).TryGetInt32(out int v) ? v : throw Throw.Error($"{source}: '{name}' must be a whole number");

    private static string Text(JsonElement e, string name, string source) => Element(e, name, source, JsonValueKind.String).GetString()!;

    private static bool Bool(JsonElement e, string name, string source) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
            : throw Throw.Error($"{source}: '{name}' is missing or not true/false");
}
