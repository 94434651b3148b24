namespace Shrink;

/// <summary>
/// How a fit ended: the objective and duality gap in the units of the model's convention, the sweeps it took,
/// and whether the gap met the tolerance. A fit that did not converge is returned, not thrown.
/// </summary>
/// <param name="Objective">The objective at the returned coefficients, as the convention writes it.</param>
/// <param name="DualityGap">An upper bound on Objective − optimum, in the same units (0 up to rounding for direct solves).</param>
/// <param name="Tolerance">The relative tolerance asked for.</param>
/// <param name="GapTolerance">The gap it had to reach: Tolerance × the objective at b = 0, in the convention's units.</param>
/// <param name="Iterations">Coordinate-descent sweeps; 1 for a direct solve.</param>
/// <param name="Converged">Whether the duality gap met the tolerance.</param>
/// <param name="Solver">"coordinate-descent", "cholesky" or "dual-cholesky".</param>
public sealed record FitDiagnostics(double Objective, double DualityGap, double Tolerance, double GapTolerance, int Iterations, bool Converged, string Solver);

/// <summary>A fitted linear model y ≈ b0 + Σ b_j·x_j. Immutable; coefficients are on the original scale of the data.</summary>
public sealed class LinearModel
{
    private readonly CoefficientVector _coefficients;
    private readonly FeatureNameList _names;

    internal LinearModel(IReadOnlyList<string> featureNames, double intercept, double[] coefficients, Penalty penalty,
        double lambda, double l1Ratio, Convention convention, bool fitIntercept, bool standardize, int trainingRows,
        double canonicalLambda, double canonicalL1Ratio, FitDiagnostics diagnostics)
        : this(featureNames, intercept, CoefficientVector.From(coefficients), penalty, lambda, l1Ratio, convention, fitIntercept, standardize,
            trainingRows, canonicalLambda, canonicalL1Ratio, diagnostics)
    {
    }

    internal LinearModel(IReadOnlyList<string> featureNames, double intercept, CoefficientVector coefficients, Penalty penalty,
        double lambda, double l1Ratio, Convention convention, bool fitIntercept, bool standardize, int trainingRows,
        double canonicalLambda, double canonicalL1Ratio, FitDiagnostics diagnostics)
    {
        _names = FeatureNameList.Of(featureNames);
        _coefficients = coefficients;
        Intercept = intercept;
        Penalty = penalty;
        Lambda = lambda;
        L1Ratio = l1Ratio;
        Convention = convention;
        FitIntercept = fitIntercept;
        Standardize = standardize;
        TrainingRows = trainingRows;
        CanonicalLambda = canonicalLambda;
        CanonicalL1Ratio = canonicalL1Ratio;
        Diagnostics = diagnostics;
    }

    /// <summary>Feature names, in the order of <see cref="Coefficients"/>.</summary>
    public IReadOnlyList<string> FeatureNames => _names;

    /// <summary>The unpenalized intercept b0 (0 when fitted without one).</summary>
    public double Intercept { get; }

    /// <summary>Coefficients b_j on the original scale of each feature.</summary>
    public IReadOnlyList<double> Coefficients => _coefficients;

    /// <summary>The penalty fitted.</summary>
    public Penalty Penalty { get; }

    /// <summary>λ as given, in <see cref="Convention"/>.</summary>
    public double Lambda { get; }

    /// <summary>The L1 ratio as given, in <see cref="Convention"/> (1 lasso, 0 ridge and OLS).</summary>
    public double L1Ratio { get; }

    /// <summary>What <see cref="Lambda"/> and <see cref="L1Ratio"/> mean.</summary>
    public Convention Convention { get; }

    /// <summary>Whether an intercept was fitted.</summary>
    public bool FitIntercept { get; }

    /// <summary>Whether the penalty was applied to standardized coefficients.</summary>
    public bool Standardize { get; }

    /// <summary>Rows the model was fitted on.</summary>
    public int TrainingRows { get; }

    /// <summary>λ of the same problem in Shrink's own convention.</summary>
    public double CanonicalLambda { get; }

    /// <summary>The L1 ratio of the same problem in Shrink's own convention.</summary>
    public double CanonicalL1Ratio { get; }

    /// <summary>Objective, duality gap, iterations, convergence.</summary>
    public FitDiagnostics Diagnostics { get; }

    /// <summary>What the model was fitted with besides λ: weights, offset, penalty factors, bounds, relaxation.</summary>
    public ModelControls Controls { get; internal init; } = ModelControls.None;

    /// <summary>Number of coefficients that are not exactly zero.</summary>
    public int NonZeroCount => _coefficients.NonZeroCount;

    /// <summary>The features whose coefficient is not exactly zero, in the model's order: the ones prediction needs.</summary>
    public IReadOnlyList<string> SelectedFeatures
    {
        get
        {
            var positions = _coefficients.NonZeroPositions;
            var names = new string[positions.Length];
            for (int k = 0; k < names.Length; k++) names[k] = _names[positions[k]];
            return names;
        }
    }

    /// <summary>The coefficient of the named feature.</summary>
    public double Coefficient(string featureName) =>
        _names.TryGetIndex(featureName, out int j) ? _coefficients[j] : throw Throw.Error($"the model has no feature '{featureName}'");

    /// <summary>The prediction for one row of feature values, in the model's feature order.</summary>
    public double Predict(ReadOnlySpan<double> row)
    {
        if (row.Length != _coefficients.Count)
            throw Throw.Error($"the row has {row.Length} values but the model has {_coefficients.Count} features");
        double sum = Intercept;
        var positions = _coefficients.NonZeroPositions;
        var values = _coefficients.NonZeroValues;
        for (int k = 0; k < positions.Length; k++) sum += row[positions[k]] * values[k];
        return sum;
    }

    /// <summary>Predictions for every row of <paramref name="x"/>, whose columns are in the model's feature order.</summary>
    public double[] Predict(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Columns != _coefficients.Count)
            throw Throw.Error($"X has {x.Columns} columns but the model has {_coefficients.Count} features");
        var result = new double[x.Rows];
        Array.Fill(result, Intercept);
        var positions = _coefficients.NonZeroPositions;
        var values = _coefficients.NonZeroValues;
        for (int k = 0; k < positions.Length; k++) AddColumn(x, positions[k], values[k], result);
        return result;
    }

    /// <summary>Predictions plus a known offset (for a model fitted with one): offset_i + b0 + x_iᵀb.</summary>
    public double[] Predict(FeatureMatrix x, ReadOnlySpan<double> offset)
    {
        var result = Predict(x);
        if (offset.Length != result.Length) throw Throw.Error($"the offset has {offset.Length} values but X has {result.Length} rows");
        for (int i = 0; i < result.Length; i++) result[i] += offset[i];
        return result;
    }

    /// <summary>
    /// Predictions for a table whose columns are matched to the model's features by name: extra columns are ignored,
    /// and so may be missing the columns of features whose coefficient is zero (a lasso that kept 5 of 1,000 features
    /// needs those 5).
    /// </summary>
    public double[] Predict(FeatureMatrix x, IReadOnlyList<string> columnNames)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(columnNames);
        if (columnNames.Count != x.Columns)
            throw Throw.Error($"{columnNames.Count} column names were given but X has {x.Columns} columns");
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < columnNames.Count; j++) position[columnNames[j]] = j;
        var missing = SelectedFeatures.Where(name => !position.ContainsKey(name)).ToList();
        if (missing.Count > 0)
            throw Throw.Error($"the data has no column {string.Join(", ", missing.Select(m => $"'{m}'"))} that the model needs");
        var result = new double[x.Rows];
        Array.Fill(result, Intercept);
        var nonZero = _coefficients.NonZeroPositions;
        var values = _coefficients.NonZeroValues;
        for (int k = 0; k < nonZero.Length; k++) AddColumn(x, position[FeatureNames[nonZero[k]]], values[k], result);
        return result;
    }

    /// <summary>result += b·x_j, over the stored entries only when x is sparse.</summary>
    private static void AddColumn(FeatureMatrix x, int j, double b, double[] result)
    {
        if (!x.IsSparse)
        {
            Solvers.Kernels.Axpy(b, x.Column(j), result);
            return;
        }
        var starts = x.ColumnStarts!;
        var rows = x.RowIndices!;
        var values = x.ValuesArray;
        for (int k = starts[j]; k < starts[j + 1]; k++) result[rows[k]] += b * values[k];
    }
}

/// <summary>
/// The controls a model was fitted with, for the record and for prediction (a model fitted with an offset needs one
/// to predict). Factors are the effective ones, after rescaling to sum to the number of features; bounds are on the
/// original scale, infinite ones left out.
/// </summary>
public sealed record ModelControls
{
    /// <summary>A plain fit: no weights, offset, factors, bounds or relaxation.</summary>
    public static ModelControls None { get; } = new();

    /// <summary>Whether observation weights were used.</summary>
    public bool Weighted { get; init; }

    /// <summary>Whether an offset was part of the fit (predictions then need one).</summary>
    public bool HasOffset { get; init; }

    /// <summary>Effective penalty factors by feature, when any were set (including adaptive ones).</summary>
    public IReadOnlyDictionary<string, double>? PenaltyFactors { get; init; }

    /// <summary>Features kept out of the model.</summary>
    public IReadOnlyList<string>? Excluded { get; init; }

    /// <summary>Finite lower bounds by feature.</summary>
    public IReadOnlyDictionary<string, double>? LowerBounds { get; init; }

    /// <summary>Finite upper bounds by feature.</summary>
    public IReadOnlyDictionary<string, double>? UpperBounds { get; init; }

    /// <summary>γ of a relaxed fit (null when not relaxed).</summary>
    public double? RelaxGamma { get; init; }

    /// <summary>True for a plain fit.</summary>
    public bool IsEmpty => this == None || (!Weighted && !HasOffset && PenaltyFactors is null && Excluded is null && LowerBounds is null && UpperBounds is null && RelaxGamma is null);
}
