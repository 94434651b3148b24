namespace Shrink;

/// <summary>
/// How to fit one model. Immutable; invalid values are rejected when set, with a message naming the option,
/// its allowed range and the value given.
/// </summary>
public sealed record FitOptions
{
    /// <summary>The default stopping tolerance on the relative duality gap.</summary>
    public const double DefaultTolerance = 1e-7;

    /// <summary>The default cap on coordinate-descent sweeps.</summary>
    public const int DefaultMaxIterations = 100_000;

    private readonly double? _lambda;
    private readonly double? _l1Ratio;
    private readonly double _tolerance = DefaultTolerance;
    private readonly int _maxIterations = DefaultMaxIterations;

    /// <summary>The penalty. Default <see cref="Shrink.Penalty.Lasso"/>, as glmnet.</summary>
    public Penalty Penalty { get; init; } = Penalty.Lasso;

    /// <summary>
    /// Overall penalty strength λ ≥ 0, in the units of <see cref="Convention"/>. Required unless the penalty is
    /// <see cref="Shrink.Penalty.Ols"/>; λ = 0 fits ordinary least squares whatever the penalty.
    /// </summary>
    public double? Lambda
    {
        get => _lambda;
        init
        {
            if (value is { } v) Throw.IfOutOfRange(!(v >= 0) || double.IsInfinity(v), "lambda", "a finite number ≥ 0", v);
            _lambda = value;
        }
    }

    /// <summary>
    /// The L1 ratio r in [0, 1] for <see cref="Shrink.Penalty.ElasticNet"/> (default 0.5). Lasso is r = 1 and
    /// Ridge r = 0; setting a different value for those penalties is an error.
    /// </summary>
    public double? L1Ratio
    {
        get => _l1Ratio;
        init
        {
            if (value is { } v) Throw.IfOutOfRange(!(v >= 0 && v <= 1), "l1-ratio", "in [0, 1]", v);
            _l1Ratio = value;
        }
    }

    /// <summary>What λ and r mean. Default <see cref="Shrink.Convention.Shrink"/>.</summary>
    public Convention Convention { get; init; } = Convention.Shrink;

    /// <summary>Fit an unpenalized intercept b0. Default true.</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>
    /// Penalize coefficients on the scale of each column's standard deviation (1/n formula), as glmnet.
    /// Coefficients are reported on the original scale either way. Default true.
    /// </summary>
    public bool Standardize { get; init; } = true;

    /// <summary>
    /// Coordinate descent stops when the duality gap is at most Tolerance × (objective at b = 0), i.e. the gap is
    /// relative to ‖y − ȳ‖²/(2n) in Shrink's scale. In (0, 1). Default 1e-7.
    /// </summary>
    public double Tolerance
    {
        get => _tolerance;
        init
        {
            Throw.IfOutOfRange(!(value > 0 && value < 1), "tolerance", "in (0, 1)", value);
            _tolerance = value;
        }
    }

    /// <summary>Maximum coordinate-descent sweeps over the features, ≥ 1. Default 100,000.</summary>
    public int MaxIterations
    {
        get => _maxIterations;
        init
        {
            Throw.IfOutOfRange(value < 1, "max-iterations", "≥ 1", value);
            _maxIterations = value;
        }
    }

    private readonly IReadOnlyDictionary<string, double>? _penaltyFactors;
    private readonly IReadOnlyDictionary<string, double>? _lower;
    private readonly IReadOnlyDictionary<string, double>? _upper;
    private readonly double? _relaxGamma;

    /// <summary>
    /// Per-feature penalty factors f ≥ 0 by feature name (others 1): the feature's L1 and L2 penalty is multiplied
    /// by f. f = 0 leaves a feature unpenalized (always in the model); f = ∞ excludes it. As glmnet, the factors are
    /// rescaled to sum to the number of features, so only their ratios matter. Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, double>? PenaltyFactors
    {
        get => _penaltyFactors;
        init
        {
            if (value is not null)
                foreach (var (name, f) in value)
                    if (!(f >= 0)) throw Throw.Error($"'penalty-factor' for feature '{name}' must be ≥ 0 (0 = unpenalized, ∞ = excluded); got {Throw.Format(f)}");
            _penaltyFactors = value is null ? null : new Dictionary<string, double>(value, StringComparer.Ordinal);
        }
    }

    /// <summary>Features kept out of the model entirely (coefficient 0), by name. Default: none.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>
    /// Lower bounds on coefficients (original scale) by feature name, each ≤ 0 (as glmnet: 0 must be feasible);
    /// −∞ for none. The solver stays exact (projected coordinate updates) and the certificate accounts for them.
    /// </summary>
    public IReadOnlyDictionary<string, double>? LowerBounds
    {
        get => _lower;
        init
        {
            if (value is not null)
                foreach (var (name, v) in value)
                    if (!(v <= 0)) throw Throw.Error($"'lower' for feature '{name}' must be ≤ 0 (0 must be a feasible coefficient, as in glmnet); got {Throw.Format(v)}");
            _lower = value is null ? null : new Dictionary<string, double>(value, StringComparer.Ordinal);
        }
    }

    /// <summary>Upper bounds on coefficients (original scale) by feature name, each ≥ 0; +∞ for none.</summary>
    public IReadOnlyDictionary<string, double>? UpperBounds
    {
        get => _upper;
        init
        {
            if (value is not null)
                foreach (var (name, v) in value)
                    if (!(v >= 0)) throw Throw.Error($"'upper' for feature '{name}' must be ≥ 0 (0 must be a feasible coefficient, as in glmnet); got {Throw.Format(v)}");
            _upper = value is null ? null : new Dictionary<string, double>(value, StringComparer.Ordinal);
        }
    }

    /// <summary>Every coefficient ≥ 0 (a lower bound of 0 for each feature without an explicit one). Default false.</summary>
    public bool Positive { get; init; }

    /// <summary>
    /// Relaxed lasso (glmnet's relax = TRUE): after the penalized fit, the features it selected are refitted without
    /// penalty (same weights, offset and bounds) and the two are blended, γ·penalized + (1 − γ)·refit. γ in [0, 1];
    /// 0 is the fully relaxed refit, 1 the penalized fit. Default null (no relaxation).
    /// </summary>
    public double? RelaxGamma
    {
        get => _relaxGamma;
        init
        {
            if (value is { } g) Throw.IfOutOfRange(!(g >= 0 && g <= 1), "gamma", "in [0, 1]", g);
            _relaxGamma = value;
        }
    }

    /// <summary>Adaptive lasso: penalty factors 1/|b_initial|^ν from an initial fit. Default null (off).</summary>
    public AdaptiveOptions? Adaptive { get; init; }

    /// <summary>Whether any per-feature control (factors, exclusion, bounds) is set.</summary>
    internal bool HasFeatureControls =>
        PenaltyFactors is { Count: > 0 } || Exclude is { Count: > 0 } || LowerBounds is { Count: > 0 } || UpperBounds is { Count: > 0 } || Positive || Adaptive is not null;

    /// <summary>The L1 ratio this penalty implies, in the user's convention.</summary>
    internal double EffectiveL1Ratio => Penalty switch
    {
        Penalty.Ols => 0,
        Penalty.Ridge => 0,
        Penalty.Lasso => 1,
        _ => L1Ratio ?? 0.5,
    };

    internal void CheckConsistent()
    {
        if (L1Ratio is { } r)
        {
            if (Penalty == Penalty.Lasso && r != 1)
                throw Throw.Error($"'l1-ratio' {Throw.Format(r)} conflicts with penalty lasso (which is l1-ratio 1); use penalty elasticnet");
            if (Penalty == Penalty.Ridge && r != 0)
                throw Throw.Error($"'l1-ratio' {Throw.Format(r)} conflicts with penalty ridge (which is l1-ratio 0); use penalty elasticnet");
        }
    }
}
