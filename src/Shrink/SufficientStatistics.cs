namespace Shrink;

/// <summary>How rows were split into cross-validation folds while the statistics were gathered.</summary>
public sealed record FoldScheme
{
    /// <summary>
    /// K folds from a seeded hash of each row's index, balanced: the rows are taken K at a time (indices 0..K−1,
    /// K..2K−1, ...) and each such block gets the folds 0..K−1 in a random order, the permutation drawn from a seeded
    /// hash (SplitMix64) of the seed and the block's number. So every fold has ⌊n/K⌋ or ⌈n/K⌉ rows, and a row's fold
    /// depends only on the seed, K and its index: 0-based in a dataset; in a file, the data line's index (0 for the
    /// line after the header, blank lines counted) plus the read's row offset, so that the parts of a file gathered
    /// with their offsets land in the same folds as the whole file. In-memory cross-validation assigns folds the
    /// same way, so it and a streaming pass over a file without blank or dropped rows use the same folds.
    /// </summary>
    public static FoldScheme Hashed(int folds, int seed)
    {
        Throw.IfOutOfRange(folds < 2, "folds", "at least 2", folds);
        return new FoldScheme { Count = folds, Seed = seed };
    }

    /// <summary>Folds named by the whole numbers in a column of the data.</summary>
    public static FoldScheme FromColumn(string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        return new FoldScheme { Column = column };
    }

    /// <summary>The number of hashed folds (0 for a fold column).</summary>
    public int Count { get; private init; }

    /// <summary>The hash's seed (hashed folds only).</summary>
    public int Seed { get; private init; }

    /// <summary>The fold column's name, or null for hashed folds.</summary>
    public string? Column { get; private init; }

    /// <summary>The fold of the row with this 0-based index under hashed folds (see <see cref="Hashed"/>).</summary>
    public int FoldOf(long rowIndex)
    {
        if (Column is not null) throw new InvalidOperationException("a fold column assigns folds from the data, not from row indices");
        ArgumentOutOfRangeException.ThrowIfNegative(rowIndex);
        return new FoldCursor(this).FoldOf(rowIndex);
    }

    /// <summary>Hashed folds row after row: keeps the last block's permutation, so a run of rows costs O(1) each.</summary>
    internal sealed class FoldCursor(FoldScheme scheme)
    {
        private readonly int[] _permutation = new int[scheme.Count];
        private long _block = -1;

        public int FoldOf(long rowIndex)
        {
            long block = rowIndex / _permutation.Length;
            if (block != _block)
            {
                Permute(scheme.Seed, block, _permutation);
                _block = block;
            }
            return _permutation[rowIndex - block * _permutation.Length];
        }

        /// <summary>A uniform random permutation (Fisher–Yates) from the SplitMix64 stream of (seed, block).</summary>
        private static void Permute(int seed, long block, int[] permutation)
        {
            ulong state = unchecked(Mix((ulong)block + 0x9E3779B97F4A7C15UL * (ulong)(uint)seed + 0x632BE59BD9B4E5FDUL));
            for (int i = 0; i < permutation.Length; i++) permutation[i] = i;
            for (int i = permutation.Length - 1; i > 0; i--)
            {
                state = unchecked(state + 0x9E3779B97F4A7C15UL);
                // Lemire's multiply-shift maps 64 random bits to [0, i] without a division.
                int j = (int)(((UInt128)Mix(state) * (ulong)(i + 1)) >> 64);
                (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
            }
        }

        private static ulong Mix(ulong z)
        {
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return z ^ (z >> 31);
        }
    }

    /// <summary>For messages: "10 hashed folds (seed 1)" or "folds from column 'f'".</summary>
    public override string ToString() => Column is null ? $"{Count} hashed folds (seed {Seed})" : $"folds from column '{Column}'";
}

/// <summary>
/// Everything a linear regression of y on X needs from the rows, and nothing more: the (weighted) count, means and
/// centred co-moments of the features and the target (less its offset), per cross-validation fold when folds are
/// asked for. Memory is O(p²) however many rows were read. Statistics of different parts of the data merge exactly
/// (up to rounding), in any order: this is how data larger than one machine is fitted.
/// </summary>
public sealed class SufficientStatistics
{
    internal SufficientStatistics(IReadOnlyList<string> featureNames, string targetName, string? weightsColumn, string? offsetColumn,
        FoldScheme? folds, Moments total, SortedDictionary<long, Moments>? foldMoments, IReadOnlyList<string> sources)
    {
        FeatureNames = featureNames.ToArray();
        TargetName = targetName;
        WeightsColumn = weightsColumn;
        OffsetColumn = offsetColumn;
        Folds = folds;
        Total = total;
        FoldMoments = foldMoments;
        Sources = sources.ToArray();
    }

    /// <summary>Feature names, in column order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The target's name.</summary>
    public string TargetName { get; }

    /// <summary>The weight column the rows were weighted by (null: unweighted).</summary>
    public string? WeightsColumn { get; }

    /// <summary>The offset column subtracted from the target (null: none).</summary>
    public string? OffsetColumn { get; }

    /// <summary>How rows were assigned to folds (null: no folds were gathered).</summary>
    public FoldScheme? Folds { get; }

    /// <summary>Where the rows came from (file names), for messages.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>Number of rows.</summary>
    public long Rows => Total.Count;

    /// <summary>Rows skipped for missing values while reading (not kept in the statistics file).</summary>
    public long DroppedRows { get; internal set; }

    /// <summary>Sum of the weights (the row count when unweighted).</summary>
    public double WeightSum => Total.WeightSum;

    /// <summary>Weighted means of the features.</summary>
    public IReadOnlyList<double> FeatureMeans => Total.Mean.Take(FeatureNames.Count).ToArray();

    /// <summary>The fold labels present (0..K−1 for hashed folds; the column's values for a fold column).</summary>
    public IReadOnlyList<long> FoldLabels => FoldMoments?.Keys.ToArray() ?? [];

    internal Moments Total { get; }

    internal SortedDictionary<long, Moments>? FoldMoments { get; }

    internal int P => FeatureNames.Count;

    /// <summary>
    /// Gathers the statistics of an in-memory dataset (its weights and offset included), with folds if given. A fold
    /// column's values come in <paramref name="foldIds"/>, row-aligned.
    /// </summary>
    public static SufficientStatistics FromDataset(Dataset data, FoldScheme? folds = null, IReadOnlyList<long>? foldIds = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (folds?.Column is not null && foldIds is null) throw Throw.Error($"{folds} needs the fold ids of every row");
        if (foldIds is not null && foldIds.Count != data.Rows) throw Throw.Error($"the fold ids have {foldIds.Count} values but the data has {data.Rows} rows");
        int p = data.Features.Columns, n = data.Rows;
        var gatherer = new StatisticsGatherer(p, folds);
        var row = new double[p + 1];
        var w = data.WeightsArray;
        var offset = data.OffsetArray;
        var y = data.TargetSpan;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++) row[j] = data.Features.Column(j)[i];
            row[p] = y[i] - (offset?[i] ?? 0);
            gatherer.Add(row, w?[i] ?? 1, foldIds?[i] ?? 0);
        }
        return gatherer.Finish(data.FeatureNames, data.TargetName, w is null ? null : "weights", offset is null ? null : "offset", ["dataset"]);
    }

    /// <summary>
    /// The statistics of all the parts' rows together. The parts must have the same features (in the same order),
    /// target, weight and offset columns and fold scheme; <see cref="Sources"/> name them in errors.
    /// </summary>
    public static SufficientStatistics Merge(IReadOnlyList<SufficientStatistics> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw Throw.Error("there are no statistics to merge");
        var first = parts[0];
        foreach (var part in parts.Skip(1)) CheckCompatible(first, part);
        var total = Moments.Sum(parts.Select(s => s.Total), first.Total.M);
        SortedDictionary<long, Moments>? folds = null;
        if (first.Folds is not null)
        {
            folds = new SortedDictionary<long, Moments>();
            foreach (var part in parts)
                foreach (var (label, moments) in part.FoldMoments!)
                {
                    if (!folds.TryGetValue(label, out var sum)) folds[label] = sum = new Moments(first.Total.M);
                    sum.Merge(moments);
                }
        }
        return new SufficientStatistics(first.FeatureNames, first.TargetName, first.WeightsColumn, first.OffsetColumn, first.Folds, total, folds,
            parts.SelectMany(s => s.Sources).ToArray()) { DroppedRows = parts.Sum(s => s.DroppedRows) };
    }

    private static void CheckCompatible(SufficientStatistics a, SufficientStatistics b)
    {
        string A = Name(a), B = Name(b);
        if (!a.FeatureNames.SequenceEqual(b.FeatureNames, StringComparer.Ordinal))
            throw Throw.Error($"{A} has columns {string.Join(",", a.FeatureNames)} but {B} has {string.Join(",", b.FeatureNames)}; statistics merge only over the same features in the same order");
        if (a.TargetName != b.TargetName)
            throw Throw.Error($"{A} has target '{a.TargetName}' but {B} has '{b.TargetName}'");
        if (a.WeightsColumn != b.WeightsColumn)
            throw Throw.Error($"{A} is {Weighting(a)} but {B} is {Weighting(b)}");
        if (a.OffsetColumn != b.OffsetColumn)
            throw Throw.Error($"{A} has {(a.OffsetColumn is null ? "no offset" : $"offset '{a.OffsetColumn}'")} but {B} has {(b.OffsetColumn is null ? "no offset" : $"offset '{b.OffsetColumn}'")}");
        if (!Equals(a.Folds, b.Folds))
            throw Throw.Error($"{A} has {a.Folds?.ToString() ?? "no folds"} but {B} has {b.Folds?.ToString() ?? "no folds"}; gather every part with the same --folds and --seed (or --fold-column)");
    }

    private static string Name(SufficientStatistics s) => string.Join("+", s.Sources);

    private static string Weighting(SufficientStatistics s) => s.WeightsColumn is null ? "unweighted" : $"weighted by '{s.WeightsColumn}'";

    /// <summary>The statistics of every fold but <paramref name="label"/>: that fold's training rows.</summary>
    internal Moments AllBut(long label) => Moments.Sum(FoldMoments!.Where(kv => kv.Key != label).Select(kv => kv.Value), Total.M);
}

/// <summary>Accumulates rows into the whole data's statistics, or one set per fold (merged into the whole at the end).</summary>
internal sealed class StatisticsGatherer
{
    private readonly int _p;
    private readonly FoldScheme? _folds;
    private readonly Dictionary<long, MomentBlock> _blocks = new();
    private readonly FoldScheme.FoldCursor? _cursor;
    private long _rows;

    public StatisticsGatherer(int p, FoldScheme? folds, long rowOffset = 0)
    {
        _p = p;
        _folds = folds;
        _rows = rowOffset;
        _cursor = folds is { Column: null } ? new FoldScheme.FoldCursor(folds) : null;
        if (folds is { Column: null } hashed)
            for (int f = 0; f < hashed.Count; f++) _blocks[f] = new MomentBlock(p + 1);
    }

    /// <param name="row">The p features, then the target less the offset.</param>
    /// <param name="foldLabel">The fold column's value (ignored for hashed folds or none).</param>
    public void Add(ReadOnlySpan<double> row, double weight, long foldLabel)
    {
        long label = _folds is null ? 0 : _cursor is not null ? _cursor.FoldOf(_rows) : foldLabel;
        _rows++;
        if (!_blocks.TryGetValue(label, out var block)) _blocks[label] = block = new MomentBlock(_p + 1);
        block.Add(row, weight);
    }

    public SufficientStatistics Finish(IReadOnlyList<string> names, string target, string? weights, string? offset, IReadOnlyList<string> sources)
    {
        var sorted = new SortedDictionary<long, Moments>();
        foreach (var (label, block) in _blocks)
        {
            block.Flush();
            sorted[label] = block.Moments;
        }
        var total = Moments.Sum(sorted.Values, _p + 1);
        return new SufficientStatistics(names, target, weights, offset, _folds, total, _folds is null ? null : sorted, sources);
    }
}
