namespace Shrink;

/// <summary>
/// One feature matrix with several targets: what independent fits per target (<see cref="Regression.FitEach"/>) and
/// the multi-task lasso (<see cref="Regression.FitMultiTask"/>) are fitted on. The features are shared, never copied.
/// </summary>
public sealed class MultiTargetDataset
{
    private readonly double[][] _targets;

    /// <summary>
    /// Checks and bundles the parts. Feature names default to x1..xp, target names to y1..yk. Throws
    /// <see cref="ShrinkException"/> on no targets, a length mismatch, duplicate names, or a non-finite value (naming its
    /// row and column; rows count from 1).
    /// </summary>
    public MultiTargetDataset(FeatureMatrix features, IReadOnlyList<double[]> targets, IReadOnlyList<string>? featureNames = null,
        IReadOnlyList<string>? targetNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0) throw Throw.Error("a multi-target dataset needs at least one target; got none");
        var names = targetNames?.ToArray() ?? Enumerable.Range(1, targets.Count).Select(t => $"y{t}").ToArray();
        if (names.Length != targets.Count)
            throw Throw.Error($"{names.Length} target names were given but there are {targets.Count} targets");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
            if (!seen.Add(name)) throw Throw.Error($"target name '{name}' appears more than once");
        for (int t = 0; t < targets.Count; t++)
        {
            ArgumentNullException.ThrowIfNull(targets[t]);
            if (targets[t].Length != features.Rows)
                throw Throw.Error($"target '{names[t]}' has {targets[t].Length} values but X has {features.Rows} rows");
        }
        // The first target checks the features (names, finiteness) once; the others only themselves.
        First = new Dataset(features, targets[0], featureNames, names[0]);
        if (First.FeatureNames.FirstOrDefault(seen.Contains) is { } both)
            throw Throw.Error($"column '{both}' is both a feature and a target");
        _targets = new double[targets.Count][];
        for (int t = 0; t < targets.Count; t++)
        {
            var y = targets[t];
            for (int i = 0; i < y.Length; i++)
                if (!double.IsFinite(y[i])) throw Throw.Error($"{names[t]} has a non-finite value ({Throw.Format(y[i])}) at row {i + 1}");
            _targets[t] = (double[])y.Clone();
        }
        TargetNames = names;
    }

    /// <summary>The dataset of the first target; it carries the checked features and their names.</summary>
    internal Dataset First { get; }

    /// <summary>The feature matrix, n x p.</summary>
    public FeatureMatrix Features => First.Features;

    /// <summary>Feature names, p of them, unique.</summary>
    public IReadOnlyList<string> FeatureNames => First.FeatureNames;

    /// <summary>Target names, k of them, unique.</summary>
    public IReadOnlyList<string> TargetNames { get; }

    /// <summary>Number of targets k.</summary>
    public int TargetCount => _targets.Length;

    /// <summary>Number of rows.</summary>
    public int Rows => Features.Rows;

    /// <summary>Target <paramref name="t"/>'s values.</summary>
    public IReadOnlyList<double> Target(int t) => _targets[t];

    internal ReadOnlySpan<double> TargetSpan(int t) => _targets[t];

    /// <summary>The single-target dataset of target <paramref name="t"/> (the same feature matrix, not a copy).</summary>
    public Dataset ForTarget(int t) => t == 0 ? First : new Dataset(Features, _targets[t], FeatureNames, TargetNames[t]);

    /// <summary>Rows <paramref name="rows"/> of every part (cross-validation folds).</summary>
    internal MultiTargetDataset Subset(int[] rows)
    {
        var first = CrossValidator.Subset(First, rows);
        var targets = _targets.Select(y => rows.Select(i => y[i]).ToArray()).ToArray();
        return new MultiTargetDataset(first.Features, targets, FeatureNames, TargetNames);
    }
}
