namespace Shrink;

/// <summary>Features, target and names: what a model is fitted on.</summary>
public sealed class Dataset
{
    /// <summary>
    /// Checks and bundles the parts. Names default to x1..xp. Throws <see cref="ShrinkException"/> on a length
    /// mismatch, duplicate names, or a non-finite value (naming its row and column; rows count from 1).
    /// </summary>
    public Dataset(FeatureMatrix features, double[] target, IReadOnlyList<string>? featureNames = null, string targetName = "y")
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length != features.Rows)
            throw Throw.Error($"y has {target.Length} values but X has {features.Rows} rows");
        var names = featureNames?.ToArray() ?? Enumerable.Range(1, features.Columns).Select(j => $"x{j}").ToArray();
        if (names.Length != features.Columns)
            throw Throw.Error($"{names.Length} feature names were given but X has {features.Columns} columns");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
            if (!seen.Add(name)) throw Throw.Error($"feature name '{name}' appears more than once");
        for (int i = 0; i < target.Length; i++)
            if (!double.IsFinite(target[i])) throw Throw.Error($"{targetName} has a non-finite value ({Throw.Format(target[i])}) at row {i + 1}");
        for (int j = 0; j < features.Columns; j++)
        {
            var column = features.Column(j);
            int bad = FirstNonFinite(column);
            if (bad >= 0)
                throw Throw.Error($"feature '{names[j]}' has a non-finite value ({Throw.Format(column[bad])}) at row {bad + 1}");
        }
        Features = features;
        _target = (double[])target.Clone();
        FeatureNames = names;
        TargetName = targetName;
    }

    /// <summary>The feature matrix, n x p.</summary>
    public FeatureMatrix Features { get; }

    /// <summary>The target, n values.</summary>
    public IReadOnlyList<double> Target => _target;

    private readonly double[] _target;

    /// <summary>Feature names, p of them, unique.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The target's name.</summary>
    public string TargetName { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Features.Rows;

    internal ReadOnlySpan<double> TargetSpan => _target;

    private static int FirstNonFinite(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) return i;
        return -1;
    }
}
