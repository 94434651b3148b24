using Shrink.Solvers;

namespace Shrink;

/// <summary>
/// A dataset put into the solvers' convention: the implicit centring and scaling of each column, the centred
/// target, and which columns are not variables at all.
/// </summary>
internal sealed partial class Problem
{
    public required Design Design { get; init; }
    public required double[] CenteredTarget { get; init; }
    public required double TargetMean { get; init; }
    /// <summary>
    /// glmnet's internal scale of y: its standard deviation (1/n formula) with an intercept, its root mean square
    /// without one (found by checking glmnet 4.1-6's optimality conditions; tools/reference/README.md).
    /// </summary>
    public required double TargetScale { get; init; }
    public required bool FitIntercept { get; init; }

    /// <summary>The bounds as given, on the original scale (null when none): a coefficient at a bound reports it exactly.</summary>
    public double[]? OriginalLower { get; init; }

    /// <inheritdoc cref="OriginalLower"/>
    public double[]? OriginalUpper { get; init; }

    /// <summary>What every model fitted on this problem records of its controls.</summary>
    public ModelControls Controls { get; init; } = ModelControls.None;

    private GramState? _gram;

    /// <summary>The covariance form of this problem, built on first use and kept for the rest of a path.</summary>
    public GramState Gram => _gram ??= Moments is { } m ? new GramState(Design, m.Gram, m.Xty, m.YSquared) : new GramState(Design, CenteredTarget);

    /// <summary>The covariance form given whole, for problems built from sufficient statistics (null when built from rows).</summary>
    public MomentForm? Moments { get; init; }

    /// <summary>Built from statistics: there are no rows, only the covariance form (<see cref="CenteredTarget"/> is empty).</summary>
    public bool Rowless => Moments is not null;

    /// <summary>Supplies the covariance form instead of computing it (cross-validation folds derive theirs).</summary>
    public void UseGramState(GramState gram) => _gram = gram;

    /// <summary>Set for paths: many λ share one Gram matrix, which a single fit would not recoup.</summary>
    public bool PreferGram { get; set; }

    /// <summary>Whether coordinate descent should run in covariance form here.</summary>
    public bool UseGram => Rowless || (PreferGram && GramState.Pays(Design));

    /// <summary>What the previous coordinate-descent fit of a path left for the next (null for single fits).</summary>
    public PathMemory? Memory { get; set; }

    public int N => Design.N;
    public int P => Design.P;

    public static Problem Build(Dataset data, bool fitIntercept, bool standardize) =>
        Build(data, new FitOptions { FitIntercept = fitIntercept, Standardize = standardize });

    public static Problem Build(Dataset data, FitOptions options) => Build(data, options, null);

    /// <summary>
    /// The problem of rows <paramref name="rows"/> of a dense dataset (increasing), without copying them: its centring,
    /// scales, exclusions and target are exactly those <see cref="Build(Dataset, FitOptions)"/> gives on a copy of those
    /// rows (each column is gathered into one buffer of the rows' length and put through the same kernels), but it
    /// has no rows of its own until <see cref="WithMoments"/> gives it the covariance form (cross-validation folds).
    /// </summary>
    public static Problem BuildOnRows(Dataset data, FitOptions options, int[] rows)
    {
        if (data.Features.IsSparse) throw new ArgumentException("row subsets without copies are for dense data", nameof(data));
        return Build(data, options, rows);
    }

    /// <summary>A problem from <see cref="BuildOnRows"/> completed with its covariance form: from then on it runs row-less.</summary>
    public Problem WithMoments(MomentForm moments) => new()
    {
        Design = Design,
        CenteredTarget = [],
        TargetMean = TargetMean,
        TargetScale = TargetScale,
        FitIntercept = FitIntercept,
        OriginalLower = OriginalLower,
        OriginalUpper = OriginalUpper,
        Controls = Controls,
        Moments = moments,
    };

    /// <summary>Forgets the covariance form (it is rebuilt if needed): a finished path need not keep p² values alive.</summary>
    public void ForgetGram()
    {
        if (!Rowless) _gram = null;
    }

    private static Problem Build(Dataset data, FitOptions options, int[]? rows)
    {
        bool fitIntercept = options.FitIntercept, standardize = options.Standardize;
        var x = data.Features;
        int n = rows?.Length ?? x.Rows, p = x.Columns;
        // On a subset of rows the design has no values of its own (see BuildOnRows).
        var values = rows is null ? data.Features.ValuesArray : [];
        var gathered = rows is null ? null : new double[n];
        ReadOnlySpan<double> Column(int j) => rows is null ? x.Column(j) : Gather(x.Column(j), rows, gathered!);
        // Weights rescaled to sum to n, as glmnet: the weighted problem is then the unweighted one when all are equal.
        double[]? w = null, root = null;
        if (Pick(data.WeightsArray, rows) is { } given)
        {
            double total = given.Sum();
            w = given.Select(v => v * n / total).ToArray();
            root = w.Select(Math.Sqrt).ToArray();
        }
        // Without an intercept every centre is 0, without standardization every scale 1: nothing to store then.
        var center = fitIntercept ? new double[p] : null;
        var scale = standardize ? new double[p] : null;
        var normSq = new double[p];
        var excluded = new bool[p];
        // Column sums serve the centring terms only (see Design.WeightedSum).
        double[]? weightedSum = x.IsSparse && fitIntercept ? new double[p] : null;
        int positiveRows = w is null ? n : w.Count(v => v > 0);
        void Statistics(int j, double[] deviations)
        {
            if (x.IsSparse)
            {
                var stats = SparseColumn(x, j, w, positiveRows, n, fitIntercept, standardize);
                if (weightedSum is not null) weightedSum[j] = stats.WeightedSum;
                if (center is not null) center[j] = stats.Center;
                if (scale is not null) scale[j] = stats.Scale;
                excluded[j] = stats.Excluded;
                normSq[j] = stats.Excluded ? 0 : stats.NormSquaredOverN;
                return;
            }
            var column = Column(j);
            // Only the passes the options need: without an intercept or standardization, one (Σx²); with an intercept,
            // the deviations from the mean serve both the scale and the norm. The sums are the same either way.
            bool centred = fitIntercept || standardize;
            double mean = !centred ? 0 : w is null ? Kernels.Sum(column) / n : Kernels.Dot(column, w) / n;
            double fromMean = centred ? WeightedSquaredDeviations(column, mean, w, deviations) : double.NaN;
            double sd = Math.Sqrt(fromMean / n);
            bool constant = centred && (w is null ? Kernels.IsConstant(column) : IsConstantWhereWeighted(column, w));
            double c = fitIntercept ? mean : 0, s = standardize && !constant ? sd : 1;
            if (center is not null) center[j] = c;
            if (scale is not null) scale[j] = s;
            // With an intercept or standardization a constant column carries nothing (and has no scale): not a variable.
            double squares = fitIntercept ? fromMean : WeightedSquaredDeviations(column, c, w, deviations);
            double norm = squares / (n * s * s);
            excluded[j] = (centred && constant) || norm == 0;
            normSq[j] = excluded[j] ? 0 : norm;
        }
        // Each column's statistics are its own computation whoever makes them, so the cores share the columns (a pass
        // over the data before the first λ; on the dense anchor 80 MB). Rows gathered into one buffer stay serial.
        if (rows is null && (x.IsSparse ? x.StoredCount : (long)n * p) >= 1_000_000)
        {
            System.Threading.Tasks.Parallel.For(0, (p + 63) / 64, Solvers.CoordinateDescent.Threads, () => w is null ? [] : new double[n], (b, _, scratch) =>
            {
                for (int j = b * 64, end = Math.Min(p, j + 64); j < end; j++) Statistics(j, scratch);
                return scratch;
            }, _ => { });
        }
        else
        {
            var deviations = w is null ? [] : new double[n];
            for (int j = 0; j < p; j++) Statistics(j, deviations);
        }

        // Column sums only serve the centring terms: without a centre they would be a p-vector held for nothing.
        if (weightedSum is not null && (center is null || Array.TrueForAll(center, c => c == 0))) weightedSum = null;

        var y = new double[n];
        if (rows is null) data.TargetSpan.CopyTo(y);
        else Gather(data.TargetSpan, rows, y);
        if (Pick(data.OffsetArray, rows) is { } offset)
            for (int i = 0; i < n; i++) y[i] -= offset[i];
        double yMean = w is null ? Kernels.Sum(y) / n : Kernels.Dot(y, w) / n;
        double yScale = Math.Sqrt(WeightedSquaredDeviations(y, fitIntercept ? yMean : 0, w, w is null ? [] : new double[n]) / n);
        var yc = y;
        for (int i = 0; i < n; i++)
        {
            if (fitIntercept) yc[i] -= yMean;
            if (root is not null) yc[i] *= root[i];
        }

        var dataExcluded = (bool[])excluded.Clone();
        var (factor, reported, lower, upper) = FeatureControls(data.FeatureNames, options, scale ?? ColumnValues.Constant(1, p), excluded);
        var originalLower = lower is null ? null : OriginalBounds(data.FeatureNames, options, false);
        var originalUpper = upper is null ? null : OriginalBounds(data.FeatureNames, options, true);
        var names = data.FeatureNames;
        var controls = new ModelControls
        {
            Weighted = w is not null,
            HasOffset = data.OffsetArray is not null,
            PenaltyFactors = reported is null ? null : Enumerable.Range(0, p).Where(j => !excluded[j]).ToDictionary(j => names[j], j => reported[j], StringComparer.Ordinal),
            Excluded = Enumerable.Range(0, p).Where(j => excluded[j] && !dataExcluded[j]).Select(j => names[j]).ToArray() is { Length: > 0 } e ? e : null,
            LowerBounds = Finite(originalLower, names),
            UpperBounds = Finite(originalUpper, names),
        };
        return new Problem
        {
            Design = new Design
            {
                X = values, ColumnStarts = x.ColumnStarts, RowIndices = x.RowIndices, WeightedSum = weightedSum,
                N = n, P = p, Center = center ?? ColumnValues.Constant(0, p), Scale = scale ?? ColumnValues.Constant(1, p), NormSquaredOverN = normSq, Excluded = excluded,
                Root = root, Factor = factor, Lower = lower, Upper = upper,
            },
            CenteredTarget = yc,
            TargetMean = yMean,
            TargetScale = yScale,
            FitIntercept = fitIntercept,
            Controls = controls.IsEmpty ? ModelControls.None : controls,
            OriginalLower = originalLower,
            OriginalUpper = originalUpper,
        };
    }

    private static ReadOnlySpan<double> Gather(ReadOnlySpan<double> column, int[] rows, double[] buffer)
    {
        for (int i = 0; i < rows.Length; i++) buffer[i] = column[rows[i]];
        return buffer;
    }

    private static double[]? Pick(double[]? values, int[]? rows)
    {
        if (values is null || rows is null) return values;
        var picked = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++) picked[i] = values[rows[i]];
        return picked;
    }

    private static double[] OriginalBounds(IReadOnlyList<string> names, FitOptions options, bool upper)
    {
        var bounds = new double[names.Count];
        Array.Fill(bounds, upper ? double.PositiveInfinity : options.Positive ? 0 : double.NegativeInfinity);
        var given = upper ? options.UpperBounds : options.LowerBounds;
        if (given is not null)
            for (int j = 0; j < names.Count; j++)
                if (given.TryGetValue(names[j], out double v)) bounds[j] = v;
        return bounds;
    }

    private static IReadOnlyDictionary<string, double>? Finite(double[]? bounds, IReadOnlyList<string> names)
    {
        if (bounds is null) return null;
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int j = 0; j < bounds.Length; j++)
            if (double.IsFinite(bounds[j])) result[names[j]] = bounds[j];
        return result;
    }

    private readonly record struct ColumnStatistics(double WeightedSum, double Center, double Scale, double NormSquaredOverN, bool Excluded);

    /// <summary>
    /// A sparse column's weighted mean, standard deviation and norm from its stored entries alone: the rows it does not
    /// store are zeros, whose squared deviation from a centre c adds c²·(their total weight).
    /// </summary>
    private static ColumnStatistics SparseColumn(FeatureMatrix x, int j, double[]? w, int positiveRows, int n, bool fitIntercept, bool standardize)
    {
        var (rowMemory, valueMemory) = x.ColumnNonZeros(j);
        var rows = rowMemory.Span;
        var values = valueMemory.Span;
        double sum = 0, storedWeight = 0;
        int positiveStored = 0;
        double? first = null;
        bool constant = true;
        for (int k = 0; k < rows.Length; k++)
        {
            double wi = w?[rows[k]] ?? 1;
            sum += wi * values[k];
            storedWeight += wi;
            if (wi == 0) continue;
            positiveStored++;
            if (first is null) first = values[k];
            else if (values[k] != first) constant = false;
        }
        // Rows not stored are 0: the column is constant if they all have weight 0, or if every stored value is 0 too.
        if (constant && positiveStored < positiveRows && first is { } v0 && v0 != 0) constant = false;
        double mean = sum / n;
        double sd = Math.Sqrt(SquaredDeviations(rows, values, w, mean, n - storedWeight) / n);
        double center = fitIntercept ? mean : 0;
        double scale = standardize && !constant ? sd : 1;
        double norm = SquaredDeviations(rows, values, w, center, n - storedWeight) / (n * scale * scale);
        bool excluded = ((fitIntercept || standardize) && constant) || norm == 0;
        return new ColumnStatistics(sum, center, scale, norm, excluded);
    }

    /// <summary>Σ w_i·(x_i − c)² over a sparse column: its stored entries, plus c² for each unit of weight it does not store.</summary>
    private static double SquaredDeviations(ReadOnlySpan<int> rows, ReadOnlySpan<double> values, double[]? w, double c, double unstoredWeight)
    {
        double total = 0;
        for (int k = 0; k < rows.Length; k++)
        {
            double d = values[k] - c;
            total += (w?[rows[k]] ?? 1) * d * d;
        }
        return total + c * c * Math.Max(unstoredWeight, 0);
    }

    private static double WeightedSquaredDeviations(ReadOnlySpan<double> column, double shift, double[]? w, double[] scratch)
    {
        if (w is null) return Kernels.SumSquaredDeviations(column, shift);
        var d = scratch.AsSpan(0, column.Length);
        System.Numerics.Tensors.TensorPrimitives.Subtract(column, shift, d);
        System.Numerics.Tensors.TensorPrimitives.Multiply(d, d, d);
        return Kernels.Dot(d, w);
    }

    private static bool IsConstantWhereWeighted(ReadOnlySpan<double> column, double[] w)
    {
        double? first = null;
        for (int i = 0; i < column.Length; i++)
        {
            if (w[i] == 0) continue;
            if (first is null) first = column[i];
            else if (column[i] != first) return false;
        }
        return true;
    }

    /// <summary>
    /// Penalty factors and bounds per column, from the options' names. Factors are rescaled to sum to p over all
    /// columns, excluded ones counted as 1 (glmnet's rule, so that excluding a feature does not move the others'
    /// penalty); bounds are moved to the standardized scale, b̃ = b·scale.
    /// </summary>
    private static (double[]? Factor, double[]? Reported, double[]? Lower, double[]? Upper) FeatureControls(IReadOnlyList<string> names, FitOptions options, ColumnValues scale,
        bool[] excluded)
    {
        int p = names.Count;
        // The dataset's own name index, built only when an option names a feature (wide data seldom needs it).
        var index = FeatureNameList.Of(names);
        int Find(string option, string name) => index.TryGetIndex(name, out int j) ? j
            : throw Throw.Error($"'{option}' names feature '{name}', which is not in the data (features: {Names.List(names)})");

        double[]? factor = null, reported = null;
        if (options.PenaltyFactors is { Count: > 0 } || options.Exclude is { Count: > 0 })
        {
            factor = new double[p];
            Array.Fill(factor, 1.0);
            if (options.PenaltyFactors is { } given)
                foreach (var (name, f) in given) factor[Find("penalty-factor", name)] = f;
            if (options.Exclude is { } exclude)
                foreach (var name in exclude) factor[Find("exclude", name)] = double.PositiveInfinity;
            for (int j = 0; j < p; j++)
                if (double.IsPositiveInfinity(factor[j]) || double.IsNaN(factor[j])) { excluded[j] = true; factor[j] = 1; }
            double sum = factor.Sum();
            if (!(sum > 0)) throw Throw.Error("every penalty factor is 0: nothing is penalized, so there is no λ to choose; leave at least one feature penalized, or fit least squares");
            for (int j = 0; j < p; j++) factor[j] *= p / sum;
            if (options.PenaltyFactors is { Count: > 0 }) reported = factor;
            // Exclusion alone (or equal factors) leaves the plain penalty, whose closed forms still apply.
            if (Enumerable.Range(0, p).All(j => excluded[j] || Math.Abs(factor[j] - 1) <= 1e-15)) factor = null;
        }

        double[]? lower = null, upper = null;
        if (options.Positive || options.LowerBounds is { Count: > 0 })
        {
            lower = new double[p];
            Array.Fill(lower, options.Positive ? 0 : double.NegativeInfinity);
            if (options.LowerBounds is { } given)
                foreach (var (name, v) in given)
                {
                    if (options.Positive && v < 0)
                        throw Throw.Error($"'lower' {Throw.Format(v)} for feature '{name}' conflicts with 'positive' (every coefficient ≥ 0)");
                    lower[Find("lower", name)] = v;
                }
        }
        if (options.UpperBounds is { Count: > 0 })
        {
            upper = new double[p];
            Array.Fill(upper, double.PositiveInfinity);
            foreach (var (name, v) in options.UpperBounds) upper[Find("upper", name)] = v;
        }
        for (int j = 0; j < p; j++)
        {
            double lo = lower?[j] ?? double.NegativeInfinity, hi = upper?[j] ?? double.PositiveInfinity;
            if (lo > hi) throw Throw.Error($"'lower' {Throw.Format(lo)} for feature '{names[j]}' is above its 'upper' {Throw.Format(hi)}");
            if (lower is not null) lower[j] *= scale[j];
            if (upper is not null) upper[j] *= scale[j];
        }
        return (factor, reported, lower, upper);
    }

    /// <summary>Objective at b = 0 (with the intercept, if any, at its optimum): ‖ỹ‖²/(2n).</summary>
    public double NullObjective => TotalSquares / (2.0 * N);

    /// <summary>‖ỹ‖².</summary>
    public double TotalSquares => Moments?.YSquared ?? Kernels.Dot(CenteredTarget, CenteredTarget);

    /// <summary>
    /// The smallest L1 weight at which every penalized coefficient is 0: max_j |x̃_jᵀR|/(n·f_j), R the residual once
    /// the unpenalized features (f_j = 0) are fitted, and a bound of 0 on a side ruling that side out.
    /// </summary>
    public double MaxCorrelation()
    {
        // Computed once (a pass over the data): a path's grid and its fits at the top of it both ask. A double is written
        // whole, so threads sharing the problem at worst compute it twice.
        double cached = _maxCorrelation;
        if (double.IsNaN(cached)) _maxCorrelation = cached = ComputeMaxCorrelation();
        return cached;
    }

    private double _maxCorrelation = double.NaN;

    /// <summary>Whether some included feature has penalty factor 0 (then no λ makes every coefficient 0).</summary>
    public bool HasUnpenalized()
    {
        for (int j = 0; j < P; j++)
            if (!Design.Excluded[j] && Design.FactorOf(j) == 0) return true;
        return false;
    }

    private double ComputeMaxCorrelation()
    {
        var design = Design;
        var beta = new double[P];
        var unpenalized = Enumerable.Range(0, P).Where(j => !design.Excluded[j] && design.FactorOf(j) == 0).ToArray();
        if (unpenalized.Length > 0)
        {
            // Least squares on the unpenalized features alone (bounds respected), by coordinate descent.
            var only = new bool[P];
            Array.Fill(only, true);
            foreach (int j in unpenalized) only[j] = false;
            double tolerance = 1e-14 * Math.Max(NullObjective, double.Epsilon);
            if (Moments is { } m) GramDescent.Solve(new GramState(design.WithExcluded(only), m.Gram, m.Xty, m.YSquared), 0, 0, 0, tolerance, 100_000, beta);
            else CoordinateDescent.Solve(design.WithExcluded(only), CenteredTarget, 0, 0, tolerance, 100_000, beta);
        }
        var gradient = new double[P];
        if (Rowless) GramDescent.Gradient(Gram, beta, gradient);
        else new Residual(design, CenteredTarget, beta).Gradient(gradient);
        double max = 0;
        for (int j = 0; j < P; j++)
        {
            double f = design.FactorOf(j);
            if (design.Excluded[j] || f == 0) continue;
            double g = gradient[j];
            if (design.UpperOf(j) > 0) max = Math.Max(max, g / f);
            if (design.LowerOf(j) < 0) max = Math.Max(max, -g / f);
        }
        return max / N;
    }
}
