using nietras.SeparatedValues;

namespace Shrink.IO;

/// <summary>What to take from a CSV/TSV file with several target columns.</summary>
public sealed record MultiTargetReadOptions
{
    /// <summary>The target columns' names, at least one, each once.</summary>
    public required IReadOnlyList<string> Targets { get; init; }

    /// <summary>Feature columns, in this order; null means every column but the targets, <see cref="Exclude"/> and <see cref="Auxiliary"/>.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Columns to leave out when <see cref="Features"/> is null.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>Numeric columns read beside the data but never used as features (a fold column).</summary>
    public IReadOnlyList<string>? Auxiliary { get; init; }

    /// <summary>Skip rows with a missing value in a used column instead of failing. Default false.</summary>
    public bool DropMissing { get; init; }
}

/// <summary>A multi-target dataset read from a file, with what the reader did to it.</summary>
public sealed record MultiTargetReadResult(MultiTargetDataset Data, int DroppedRows, IReadOnlyDictionary<string, double[]> Auxiliary);

public static partial class CsvData
{
    /// <summary>Reads a training dataset with several targets; every error names the file (and line and column).</summary>
    public static MultiTargetReadResult ReadTargets(string path, MultiTargetReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckFile(path);
        var targets = options.Targets;
        if (targets.Count == 0) throw Throw.Error($"{path}: no target column was named");
        if (targets.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw Throw.Error($"{path}: the targets name '{twice.Key}' more than once");
        var (values, rows, dropped, header) = Read(path, Source.File(path), names => SelectTargets(path, names, options), options.DropMissing,
            "drop those rows with drop-missing (--drop-missing)");
        int k = targets.Count, auxiliary = options.Auxiliary?.Count ?? 0;
        int p = header.Length - k - auxiliary;
        if (rows < 2)
            throw Throw.Error($"{path}: a model needs at least 2 rows of data; got {rows}{(dropped > 0 ? $" after dropping {dropped} with missing values" : "")}");
        var y = Enumerable.Range(0, k).Select(t => values.AsSpan((p + t) * rows, rows).ToArray()).ToArray();
        var extra = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int a = 0; a < auxiliary; a++) extra[options.Auxiliary![a]] = values.AsSpan((p + k + a) * rows, rows).ToArray();
        var data = new MultiTargetDataset(FeatureMatrix.Wrap(values, rows, p), y, header.Take(p).ToArray(), targets);
        return new MultiTargetReadResult(data, dropped, extra);
    }

    private static int[] SelectTargets(string path, IReadOnlyList<string> header, MultiTargetReadOptions options)
    {
        var targets = options.Targets;
        var targetIndex = Locate(path, header, targets, "target");
        var auxiliary = options.Auxiliary ?? [];
        var auxiliaryIndex = Locate(path, header, auxiliary, "fold column");
        if (targets.FirstOrDefault(t => auxiliary.Contains(t, StringComparer.Ordinal)) is { } clash)
            throw Throw.Error($"{path}: column '{clash}' is a target and cannot also be the fold column");
        IReadOnlyList<string> featureNames;
        if (options.Features is { } chosen)
        {
            if (chosen.FirstOrDefault(c => targets.Contains(c, StringComparer.Ordinal)) is { } both)
                throw Throw.Error($"{path}: column '{both}' is a target and cannot also be a feature");
            if (chosen.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw Throw.Error($"{path}: features (--features) name '{twice.Key}' more than once");
            if (chosen.FirstOrDefault(c => auxiliary.Contains(c, StringComparer.Ordinal)) is { } fold)
                throw Throw.Error($"{path}: column '{fold}' is the fold column and cannot also be a feature");
            featureNames = chosen;
        }
        else
        {
            var exclude = options.Exclude ?? [];
            Locate(path, header, exclude, "excluded");
            featureNames = header.Where(n => !targets.Contains(n, StringComparer.Ordinal) && !exclude.Contains(n, StringComparer.Ordinal)
                && !auxiliary.Contains(n, StringComparer.Ordinal)).ToArray();
        }
        if (featureNames.Count == 0)
            throw Throw.Error($"{path}: there are no features: every column is a target or excluded");
        return [.. Locate(path, header, featureNames, "feature"), .. targetIndex, .. auxiliaryIndex];
    }
}
