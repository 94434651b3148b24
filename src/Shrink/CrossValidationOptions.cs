namespace Shrink;

/// <summary>How cross-validation errors are measured.</summary>
public enum ErrorMeasure
{
    /// <summary>Mean squared error.</summary>
    Mse,
    /// <summary>Mean absolute error.</summary>
    Mae,
}

/// <summary>Which λ cross-validation picks.</summary>
public enum LambdaChoice
{
    /// <summary>The λ with the smallest mean CV error.</summary>
    Min,
    /// <summary>The largest λ (the simplest model) whose mean CV error is within one standard error of the minimum.</summary>
    OneStandardError,
}

/// <summary>
/// How to cross-validate a path: the path options (the λ grid is computed once on the full data and shared by all
/// folds), the folds, the error measure and the rule that picks λ.
/// </summary>
public sealed record CrossValidationOptions
{
    private readonly int _folds = 10;
    private readonly IReadOnlyList<int>? _foldIds;
    private readonly IReadOnlyList<double>? _l1Ratios;

    /// <summary>Penalty, grid and fitting options.</summary>
    public PathOptions Path { get; init; } = new();

    /// <summary>Number of folds K ≥ 2 (and at most the number of rows). Default 10.</summary>
    public int Folds
    {
        get => _folds;
        init
        {
            Throw.IfOutOfRange(value < 2, "folds", "≥ 2", value);
            _folds = value;
        }
    }

    /// <summary>
    /// Exact leave-one-out for ridge from one decomposition (the smoother's LOO with the full data's centring
    /// and scaling, as scikit-learn's RidgeCV); only for ridge. Default false.
    /// </summary>
    public bool LeaveOneOut { get; init; }

    /// <summary>
    /// Seed of the random assignment of rows to folds. Default 1. Rows are taken <see cref="Folds"/> at a time in index
    /// order and each block gets every fold once, in a seeded random order (<see cref="FoldScheme.Hashed"/>): folds are
    /// balanced, and a streaming pass over the same rows with the same seed uses the same folds.
    /// </summary>
    public int Seed { get; init; } = 1;

    /// <summary>The user's own fold of each row (any integers; at least two distinct). Overrides Folds and Seed.</summary>
    public IReadOnlyList<int>? FoldIds
    {
        get => _foldIds;
        init => _foldIds = value?.ToArray();
    }

    /// <summary>Error measure. Default mean squared error.</summary>
    public ErrorMeasure Measure { get; init; } = ErrorMeasure.Mse;

    /// <summary>Which λ to choose and refit. Default the one-standard-error rule.</summary>
    public LambdaChoice Choose { get; init; } = LambdaChoice.OneStandardError;

    /// <summary>Several L1 ratios to search together with λ, on the same folds (elastic net). Each in [0, 1].</summary>
    public IReadOnlyList<double>? L1Ratios
    {
        get => _l1Ratios;
        init
        {
            if (value is not null)
            {
                if (value.Count == 0) throw Throw.Error("'l1-ratios' must list at least one value; got an empty list");
                foreach (double r in value) Throw.IfOutOfRange(!(r >= 0 && r <= 1), "l1-ratios", "in [0, 1]", r);
            }
            _l1Ratios = value?.ToArray();
        }
    }

    private readonly IReadOnlyList<double>? _gammas;

    /// <summary>
    /// Relaxed lasso: the γ values to search together with λ (each in [0, 1]; 1 is the penalized fit and is added when
    /// missing, as glmnet). The pair with the smallest error wins (ties to the larger λ, then the larger γ); the
    /// one-standard-error rule takes the largest λ, then the largest γ, within one standard error of that minimum.
    /// Null: no relaxation (or only the fit's own <see cref="FitOptions.RelaxGamma"/>).
    /// </summary>
    public IReadOnlyList<double>? Gammas
    {
        get => _gammas;
        init
        {
            if (value is not null)
            {
                if (value.Count == 0) throw Throw.Error("'gamma' must list at least one value; got an empty list");
                foreach (double g in value) Throw.IfOutOfRange(!(g >= 0 && g <= 1), "gamma", "in [0, 1]", g);
            }
            _gammas = value?.ToArray();
        }
    }
}
