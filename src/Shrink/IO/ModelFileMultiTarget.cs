using System.Text.Json;

namespace Shrink.IO;

/// <summary>One target's model read from a model file; <see cref="Target"/> is null for a single-target (version 1) file.</summary>
public sealed record TargetModel(string? Target, LinearModel Model);

public static partial class ModelFile
{
    /// <summary>
    /// The format version of models of several targets: <c>"kind": "independent"</c> holds one single-target model per
    /// target under <c>models</c>; <c>"kind": "multi-task"</c> one joint model with <c>intercepts {target: value}</c> and
    /// <c>coefficients {feature: {target: value}}</c>. Single-target models are still written as version 1.
    /// </summary>
    public const int MultiTargetFormatVersion = 2;

    private const string Independent = "independent";
    private const string MultiTask = "multi-task";

    /// <summary>Writes independent per-target models (as <see cref="Regression.FitEach"/> returns them) atomically.</summary>
    public static void Save(IReadOnlyList<LinearModel> models, IReadOnlyList<string> targetNames, string path)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(targetNames);
        if (models.Count == 0 || models.Count != targetNames.Count)
            throw Throw.Error($"{models.Count} models were given for {targetNames.Count} target names; give one model per target");
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            WriteHeader(w, Independent, targetNames);
            w.WriteStartArray("models");
            for (int t = 0; t < models.Count; t++)
            {
                w.WriteStartObject();
                w.WriteString("target", targetNames[t]);
                WriteFields(models[t], w);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Writes a multi-task model atomically.</summary>
    public static void Save(MultiTaskModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            WriteHeader(w, MultiTask, model.TargetNames);
            w.WriteString("penalty", Names.Of(model.Penalty));
            w.WriteNumber("lambda", model.Lambda);
            w.WriteNumber("l1_ratio", model.L1Ratio);
            w.WriteString("convention", Names.Of(model.Convention));
            w.WriteNumber("canonical_lambda", model.CanonicalLambda);
            w.WriteNumber("canonical_l1_ratio", model.CanonicalL1Ratio);
            w.WriteBoolean("fit_intercept", model.FitIntercept);
            w.WriteBoolean("standardize", model.Standardize);
            w.WriteNumber("training_rows", model.TrainingRows);
            w.WriteStartObject("intercepts");
            for (int t = 0; t < model.TargetNames.Count; t++) w.WriteNumber(model.TargetNames[t], model.Intercepts[t]);
            w.WriteEndObject();
            w.WriteStartArray("features");
            foreach (var name in model.FeatureNames) w.WriteStringValue(name);
            w.WriteEndArray();
            w.WriteStartObject("coefficients");
            for (int j = 0; j < model.FeatureNames.Count; j++)
            {
                w.WriteStartObject(model.FeatureNames[j]);
                for (int t = 0; t < model.TargetNames.Count; t++) w.WriteNumber(model.TargetNames[t], model.Coefficients[j][t]);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            WriteDiagnostics(model.Diagnostics, w);
            w.WriteEndObject();
        });
    }

    private static void WriteHeader(Utf8JsonWriter w, string kind, IReadOnlyList<string> targets)
    {
        w.WriteStartObject();
        w.WriteString("format", FormatName);
        w.WriteNumber("format_version", MultiTargetFormatVersion);
        w.WriteString("created_by", CreatedBy);
        w.WriteString("kind", kind);
        w.WriteStartArray("targets");
        foreach (var name in targets) w.WriteStringValue(name);
        w.WriteEndArray();
    }

    private static void WriteDiagnostics(FitDiagnostics d, Utf8JsonWriter w)
    {
        w.WriteStartObject("diagnostics");
        w.WriteNumber("objective", d.Objective);
        w.WriteNumber("duality_gap", d.DualityGap);
        w.WriteNumber("tolerance", d.Tolerance);
        w.WriteNumber("gap_tolerance", d.GapTolerance);
        w.WriteNumber("iterations", d.Iterations);
        w.WriteBoolean("converged", d.Converged);
        w.WriteString("solver", d.Solver);
        w.WriteEndObject();
    }

    /// <summary>
    /// Every target's model in a model file of any version: one (target null) for a single-target file, one per target
    /// for a multi-target file (a multi-task model's per-target parts, with the joint diagnostics).
    /// </summary>
    public static IReadOnlyList<TargetModel> LoadTargets(string path) => Read(path, (root, source, version) =>
    {
        if (version == FormatVersion) return [new TargetModel(null, ParseFields(root, source))];
        var targets = Targets(root, source);
        if (Kind(root, source) == MultiTask)
        {
            var model = ParseMultiTask(root, source, targets);
            return targets.Select((name, t) => new TargetModel(name, model.ForTarget(t))).ToArray();
        }
        var models = Element(root, "models", source, JsonValueKind.Array).EnumerateArray().ToArray();
        if (models.Length != targets.Length)
            throw Throw.Error($"{source}: 'models' has {models.Length} entries but 'targets' names {targets.Length}");
        return models.Select((m, t) =>
        {
            string name = Text(m, "target", source);
            if (name != targets[t]) throw Throw.Error($"{source}: model {t + 1} is for target '{name}' but 'targets' says '{targets[t]}'");
            return new TargetModel(name, ParseFields(m, source));
        }).ToArray();
    });

    /// <summary>Reads a multi-task model file; any other kind of model file is a <see cref="ShrinkException"/> naming it.</summary>
    public static MultiTaskModel LoadMultiTask(string path) => Read(path, (root, source, version) =>
    {
        if (version == FormatVersion || Kind(root, source) != MultiTask)
            throw Throw.Error($"{source}: is not a multi-task model (it holds {(version == FormatVersion ? "one target" : "independent models per target")}); read it with ModelFile.LoadTargets");
        return ParseMultiTask(root, source, Targets(root, source));
    });

    private static T Read<T>(string path, Func<JsonElement, string, int, T> parse)
    {
        if (!File.Exists(path)) throw Throw.Error($"{path}: no such model file");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Throw.Error($"{path}: cannot read: {e.Message}"); }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw Throw.Error($"{path}: not a Shrink model file (invalid JSON: {e.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
                throw Throw.Error($"{path}: not a Shrink model file (no \"format\": \"{FormatName}\")");
            int version = Int(root, "format_version", path);
            if (version != FormatVersion && version != MultiTargetFormatVersion)
                throw Throw.Error($"{path}: model format version {version} is not supported (this shrink reads versions {FormatVersion} and {MultiTargetFormatVersion})");
            return parse(root, path, version);
        }
    }

    private static string Kind(JsonElement root, string source) => Text(root, "kind", source) switch
    {
        Independent => Independent,
        MultiTask => MultiTask,
        var other => throw Throw.Error($"{source}: 'kind' must be {Independent} or {MultiTask}; got '{other}'"),
    };

    private static string[] Targets(JsonElement root, string source)
    {
        var targets = Element(root, "targets", source, JsonValueKind.Array).EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Throw.Error($"{source}: 'targets' must be a list of names")).ToArray();
        if (targets.Length == 0) throw Throw.Error($"{source}: 'targets' is empty");
        if (targets.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw Throw.Error($"{source}: 'targets' names '{twice.Key}' more than once");
        return targets;
    }

    private static string TargetList(JsonElement root, string source) => string.Join(", ", Targets(root, source));

    private static MultiTaskModel ParseMultiTask(JsonElement root, string source, string[] targets)
    {
        var features = Element(root, "features", source, JsonValueKind.Array).EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Throw.Error($"{source}: 'features' must be a list of names")).ToArray();
        var interceptsObject = Element(root, "intercepts", source, JsonValueKind.Object);
        var intercepts = targets.Select(t => interceptsObject.TryGetProperty(t, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
            : throw Throw.Error($"{source}: 'intercepts' has no number for target '{t}'")).ToArray();
        var coefficientsObject = Element(root, "coefficients", source, JsonValueKind.Object);
        var coefficients = features.Select(f =>
        {
            if (!coefficientsObject.TryGetProperty(f, out var row) || row.ValueKind != JsonValueKind.Object)
                throw Throw.Error($"{source}: 'coefficients' has no object for feature '{f}'");
            return targets.Select(t => row.TryGetProperty(t, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
                : throw Throw.Error($"{source}: 'coefficients' of feature '{f}' has no number for target '{t}'")).ToArray();
        }).ToArray();
        var d = Element(root, "diagnostics", source, JsonValueKind.Object);
        var diagnostics = new FitDiagnostics(Number(d, "objective", source), Number(d, "duality_gap", source), Number(d, "tolerance", source), Number(d, "gap_tolerance", source),
            Int(d, "iterations", source), Bool(d, "converged", source), Text(d, "solver", source));
        try
        {
            return new MultiTaskModel(features, targets, intercepts, coefficients, Names.ParsePenalty(Text(root, "penalty", source)), Number(root, "lambda", source),
                Number(root, "l1_ratio", source), Names.ParseConvention(Text(root, "convention", source)), Bool(root, "fit_intercept", source),
                Bool(root, "standardize", source), Int(root, "training_rows", source), Number(root, "canonical_lambda", source),
                Number(root, "canonical_l1_ratio", source), diagnostics);
        }
        catch (ShrinkException e) { throw Throw.Error($"{source}: {e.Message}"); }
    }
}
