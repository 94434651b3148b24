namespace Shrink;

/// <summary>
/// How to fit a regularization path: the model options (their <see cref="FitOptions.Lambda"/> is ignored) and the
/// λ grid, either automatic (λmax down to <see cref="LambdaMinRatio"/>·λmax, log-spaced) or explicit.
/// </summary>
public sealed record PathOptions
{
    private readonly int _lambdaCount = 100;
    private readonly double? _lambdaMinRatio;
    private readonly IReadOnlyList<double>? _lambdas;

    /// <summary>Penalty, L1 ratio, convention, intercept, standardization, tolerance. Default: lasso.</summary>
    public FitOptions Fit { get; init; } = new();

    /// <summary>Number of λ values on the automatic grid, in [1, 10000]. Default 100.</summary>
    public int LambdaCount
    {
        get => _lambdaCount;
        init
        {
            Throw.IfOutOfRange(value < 1 || value > 10_000, "n-lambda", "in [1, 10000]", value);
            _lambdaCount = value;
        }
    }

    /// <summary>
    /// Smallest λ of the automatic grid as a fraction of λmax, in (0, 1). Default 1e-4 when there are more rows
    /// than features, 1e-2 otherwise (as glmnet).
    /// </summary>
    public double? LambdaMinRatio
    {
        get => _lambdaMinRatio;
        init
        {
            if (value is { } v) Throw.IfOutOfRange(!(v > 0 && v < 1), "lambda-min-ratio", "in (0, 1)", v);
            _lambdaMinRatio = value;
        }
    }

    private readonly int? _maxFeatures;

    /// <summary>
    /// Stop the path at the first λ where more than this many features are non-zero, that λ included (glmnet's dfmax;
    /// unlike glmnet, it also applies to an explicit grid and may stop before the 5th λ). ≥ 0; null for no limit.
    /// The path's <see cref="RegularizationPath.StopReason"/> says where it stopped.
    /// </summary>
    public int? MaxFeatures
    {
        get => _maxFeatures;
        init
        {
            if (value is { } v) Throw.IfOutOfRange(v < 0, "max-features", "≥ 0", v);
            _maxFeatures = value;
        }
    }

    /// <summary>An explicit grid in the convention's units: non-empty, finite, ≥ 0, strictly decreasing.</summary>
    public IReadOnlyList<double>? Lambdas
    {
        get => _lambdas;
        init
        {
            if (value is not null)
            {
                if (value.Count == 0) throw Throw.Error("'lambdas' must list at least one λ; got an empty list");
                for (int k = 0; k < value.Count; k++)
                {
                    Throw.IfOutOfRange(!(value[k] >= 0) || double.IsInfinity(value[k]), "lambdas", "finite numbers ≥ 0", value[k]);
                    if (k > 0 && !(value[k] < value[k - 1]))
                        throw Throw.Error($"'lambdas' must be strictly decreasing (largest first, as a path is fitted); got {Throw.Format(value[k - 1])} then {Throw.Format(value[k])}");
                }
            }
            _lambdas = value?.ToArray();
        }
    }
}
