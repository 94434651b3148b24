using System.Text.Json;

namespace Shrink.IO;

/// <summary>
/// The statistics file: versioned JSON with the column names, target, weight and offset columns, fold scheme, and
/// the counts, means, ranges and centred co-moments (lower triangle) of the whole data and of each fold. Its size
/// depends on p and the number of folds, never on the number of rows. Numbers are written round-trip exact.
/// </summary>
public static class StatisticsFile
{
    /// <summary>The format version this build writes and reads (2: hashed folds are balanced blocks; version 1 files hashed each row alone).</summary>
    public const int FormatVersion = 2;

    private const string FormatName = "shrink-stats";

    /// <summary>Writes the statistics to <paramref name="path"/> atomically (completely or not at all).</summary>
    public static void Save(SufficientStatistics statistics, string path)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", FormatVersion);
            w.WriteString("target", statistics.TargetName);
            w.WriteStartArray("features");
            foreach (var name in statistics.FeatureNames) w.WriteStringValue(name);
            w.WriteEndArray();
            if (statistics.WeightsColumn is { } weights) w.WriteString("weights", weights);
            if (statistics.OffsetColumn is { } offset) w.WriteString("offset", offset);
            if (statistics.Folds is { } folds)
            {
                w.WriteStartObject("folds");
                if (folds.Column is { } column) w.WriteString("column", column);
                else
                {
                    w.WriteNumber("count", folds.Count);
                    w.WriteNumber("seed", folds.Seed);
                }
                w.WriteEndObject();
            }
            w.WriteStartArray("sources");
            foreach (var source in statistics.Sources) w.WriteStringValue(source);
            w.WriteEndArray();
            w.WritePropertyName("total");
            Write(w, statistics.Total, null);
            if (statistics.FoldMoments is { } parts)
            {
                w.WriteStartArray("fold_statistics");
                foreach (var (label, moments) in parts) Write(w, moments, label);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    }

    private static void Write(Utf8JsonWriter w, Moments moments, long? label)
    {
        w.WriteStartObject();
        if (label is { } l) w.WriteNumber("fold", l);
        w.WriteNumber("rows", moments.Count);
        w.WriteNumber("weight_sum", moments.WeightSum);
        // Means and ranges exist only over rows of positive weight.
        if (moments.WeightSum > 0)
        {
            WriteArray(w, "mean", moments.Mean);
            WriteArray(w, "min", moments.Min);
            WriteArray(w, "max", moments.Max);
            int m = moments.M;
            w.WriteStartArray("comoment_lower");
            for (int a = 0; a < m; a++)
                for (int b = 0; b <= a; b++) w.WriteNumberValue(moments.Comoment[a * m + b]);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (double v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>Reads a statistics file; a missing, malformed, foreign or other-version file is a <see cref="ShrinkException"/> naming it.</summary>
    public static SufficientStatistics Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw Throw.Error($"{path}: is a folder, not a statistics file");
        if (!File.Exists(path)) throw Throw.Error($"{path}: no such statistics file");
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            return Read(path, document.RootElement);
        }
        catch (JsonException e)
        {
            throw Throw.Error($"{path}: not a statistics file (not valid JSON: {e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Throw.Error($"{path}: cannot read: {e.Message}");
        }
    }

    /// <summary>Reads and merges several statistics files (the order does not matter beyond rounding).</summary>
    public static SufficientStatistics LoadAll(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var parts = paths.Select(Load).ToArray();
        return parts.Length == 1 ? parts[0] : SufficientStatistics.Merge(parts);
    }

    private static SufficientStatistics Read(string path, JsonElement root)
    {
        string Bad(string what) => throw Throw.Error($"{path}: not a valid statistics file: {what}");
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
            throw Throw.Error($"{path}: not a shrink statistics file (no \"format\": \"{FormatName}\"; 'shrink stats' writes them)");
        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v))
            Bad("no format version");
        else if (v != FormatVersion)
            throw Throw.Error($"{path}: statistics file format version {v}; this shrink reads version {FormatVersion} (gather the statistics again with this version's 'shrink stats')");
        try
        {
            string target = root.GetProperty("target").GetString() ?? Bad("no target");
            var features = root.GetProperty("features").EnumerateArray().Select(e => e.GetString() ?? Bad("a feature name is not text")).ToArray();
            if (features.Distinct(StringComparer.Ordinal).Count() != features.Length) Bad("a feature name appears twice");
            string? weights = root.TryGetProperty("weights", out var wt) ? wt.GetString() : null;
            string? offset = root.TryGetProperty("offset", out var ot) ? ot.GetString() : null;
            FoldScheme? folds = null;
            if (root.TryGetProperty("folds", out var f))
                folds = f.TryGetProperty("column", out var column)
                    ? FoldScheme.FromColumn(column.GetString() ?? Bad("the fold column is not text"))
                    : FoldScheme.Hashed(f.GetProperty("count").GetInt32(), f.GetProperty("seed").GetInt32());
            int m = features.Length + 1;
            var total = ReadMoments(root.GetProperty("total"), m, Bad);
            SortedDictionary<long, Moments>? parts = null;
            if (folds is not null)
            {
                parts = new SortedDictionary<long, Moments>();
                foreach (var e in root.GetProperty("fold_statistics").EnumerateArray())
                    if (!parts.TryAdd(e.GetProperty("fold").GetInt64(), ReadMoments(e, m, Bad))) Bad("a fold appears twice");
                if (parts.Values.Sum(p => p.Count) != total.Count) Bad("the folds' rows do not add up to the total");
            }
            return new SufficientStatistics(features, target, weights, offset, folds, total, parts, [path]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Throw.Error($"{path}: not a valid statistics file: {e.Message}");
        }
    }

    private static Moments ReadMoments(JsonElement e, int m, Func<string, string> bad)
    {
        long rows = e.GetProperty("rows").GetInt64();
        double weightSum = e.GetProperty("weight_sum").GetDouble();
        if (rows < 0 || !(weightSum >= 0) || double.IsInfinity(weightSum)) bad("a negative count or weight sum");
        var moments = new Moments(m);
        if (weightSum == 0)
        {
            moments.Merge(new Moments(rows, 0, new double[m], new double[m * m], moments.Min, moments.Max));
            return moments;
        }
        double[] Array(string name, int length)
        {
            var values = e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray();
            if (values.Length != length) bad($"'{name}' has {values.Length} numbers where {length} were expected ({m - 1} features and the target)");
            if (values.Any(x => !double.IsFinite(x))) bad($"'{name}' has a non-finite number");
            return values;
        }
        var mean = Array("mean", m);
        var min = Array("min", m);
        var max = Array("max", m);
        var lower = Array("comoment_lower", m * (m + 1) / 2);
        var comoment = new double[m * m];
        int k = 0;
        for (int a = 0; a < m; a++)
            for (int b = 0; b <= a; b++) comoment[a * m + b] = comoment[b * m + a] = lower[k++];
        return new Moments(rows, weightSum, mean, comoment, min, max);
    }
}
