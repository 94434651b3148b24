namespace Shrink;

/// <summary>Which initial fit gives the adaptive lasso its penalty factors.</summary>
public enum AdaptiveInitial
{
    /// <summary>Least squares when it is identifiable (more rows than features, no exact collinearity), else ridge.</summary>
    Auto,
    /// <summary>Ridge, with λ chosen by exact leave-one-out cross-validation unless given.</summary>
    Ridge,
    /// <summary>Ordinary least squares; an error when it is not identifiable.</summary>
    Ols,
}

/// <summary>
/// The adaptive lasso (Zou, 2006): penalty factors f_j = 1/|b̃_j|^ν, b̃ the initial fit's coefficients on the
/// standardized scale when standardizing (so the factors do not depend on the units of x). A feature whose initial
/// coefficient is exactly 0 is excluded. The factors multiply any user factors.
/// </summary>
public sealed record AdaptiveOptions
{
    private readonly double _nu = 1;
    private readonly double? _initialLambda;

    /// <summary>The exponent ν &gt; 0. Default 1.</summary>
    public double Nu
    {
        get => _nu;
        init
        {
            Throw.IfOutOfRange(!(value > 0) || double.IsInfinity(value), "nu", "a finite number > 0", value);
            _nu = value;
        }
    }

    /// <summary>The initial fit. Default <see cref="AdaptiveInitial.Auto"/>.</summary>
    public AdaptiveInitial Initial { get; init; } = AdaptiveInitial.Auto;

    /// <summary>λ of an initial ridge fit, in the fit's convention; null chooses it by leave-one-out. Must be &gt; 0.</summary>
    public double? InitialLambda
    {
        get => _initialLambda;
        init
        {
            if (value is { } v) Throw.IfOutOfRange(!(v > 0) || double.IsInfinity(v), "initial-lambda", "a finite number > 0", v);
            _initialLambda = value;
        }
    }
}
