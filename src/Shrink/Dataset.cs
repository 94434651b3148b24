namespace Shrink;

/// <summary>Features, target and names: what a model is fitted on.</summary>
public sealed class Dataset
{
    /// <summary>
    /// Checks and bundles the parts. Names default to x1..xp. Throws <see cref="ShrinkException"/> on a length
    /// mismatch, duplicate names, or a non-finite value (naming its row and column; rows count from 1).
    /// </summary>
    /// <param name="weights">
    /// Observation weights, ≥ 0 and not all 0 (null: all 1). The loss becomes the weighted mean squared error, with the
    /// weights rescaled to sum to n (as glmnet); means, standard deviations and cross-validation errors are weighted too.
    /// </param>
    /// <param name="offset">A known part of each prediction that is not fitted: the model is y ≈ offset + b0 + Xb (null: 0).</param>
    public Dataset(FeatureMatrix features, double[] target, IReadOnlyList<string>? featureNames = null, string targetName = "y",
        double[]? weights = null, double[]? offset = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length != features.Rows)
            throw Throw.Error($"y has {target.Length} values but X has {features.Rows} rows");
        // The default names x1..xp are distinct by construction and never stored (see FeatureNameList.Default).
        var names = featureNames is null ? FeatureNameList.Default(features.Columns) : new FeatureNameList(featureNames.ToArray());
        if (names.Count != features.Columns)
            throw Throw.Error($"{names.Count} feature names were given but X has {features.Columns} columns");
        if (featureNames is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
                if (!seen.Add(name)) throw Throw.Error($"feature name '{name}' appears more than once");
        }
        for (int i = 0; i < target.Length; i++)
            if (!double.IsFinite(target[i])) throw Throw.Error($"{targetName} has a non-finite value ({Throw.Format(target[i])}) at row {i + 1}");
        for (int j = 0; j < features.Columns; j++)
        {
            if (features.IsSparse)
            {
                var (rows, values) = features.ColumnNonZeros(j);
                int at = FirstNonFinite(values.Span);
                if (at >= 0)
                    throw Throw.Error($"feature '{names[j]}' has a non-finite value ({Throw.Format(values.Span[at])}) at row {rows.Span[at] + 1}");
                continue;
            }
            var column = features.Column(j);
            int bad = FirstNonFinite(column);
            if (bad >= 0)
                throw Throw.Error($"feature '{names[j]}' has a non-finite value ({Throw.Format(column[bad])}) at row {bad + 1}");
        }
        if (weights is not null)
        {
            if (weights.Length != features.Rows) throw Throw.Error($"the weights have {weights.Length} values but X has {features.Rows} rows");
            for (int i = 0; i < weights.Length; i++)
                if (!(weights[i] >= 0) || double.IsInfinity(weights[i]))
                    throw Throw.Error($"weights must be finite and ≥ 0; got {Throw.Format(weights[i])} at row {i + 1}");
            if (weights.All(w => w == 0)) throw Throw.Error("the weights are all 0: at least one row must have a positive weight");
            _weights = (double[])weights.Clone();
        }
        if (offset is not null)
        {
            if (offset.Length != features.Rows) throw Throw.Error($"the offset has {offset.Length} values but X has {features.Rows} rows");
            int bad = FirstNonFinite(offset);
            if (bad >= 0) throw Throw.Error($"the offset has a non-finite value ({Throw.Format(offset[bad])}) at row {bad + 1}");
            _offset = (double[])offset.Clone();
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

    private readonly double[]? _weights;
    private readonly double[]? _offset;

    /// <summary>Observation weights as given (null when unweighted).</summary>
    public IReadOnlyList<double>? Weights => _weights;

    /// <summary>The offset (null when there is none).</summary>
    public IReadOnlyList<double>? Offset => _offset;

    internal double[]? WeightsArray => _weights;
    internal double[]? OffsetArray => _offset;

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
