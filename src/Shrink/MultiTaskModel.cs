namespace Shrink;

/// <summary>
/// A fitted multi-task model Y ≈ 1·b0ᵀ + XB: one intercept per target, p x k coefficients, and a penalty that keeps or
/// drops each feature for all targets together. Immutable; coefficients are on the original scale of the data.
/// </summary>
public sealed class MultiTaskModel
{
    private readonly double[] _intercepts;
    private readonly double[][] _coefficients; // [feature][target]

    internal MultiTaskModel(IReadOnlyList<string> featureNames, IReadOnlyList<string> targetNames, double[] intercepts, double[][] coefficients,
        Penalty penalty, double lambda, double l1Ratio, Convention convention, bool fitIntercept, bool standardize, int trainingRows,
        double canonicalLambda, double canonicalL1Ratio, FitDiagnostics diagnostics)
    {
        FeatureNames = featureNames.ToArray();
        TargetNames = targetNames.ToArray();
        _intercepts = intercepts;
        _coefficients = coefficients;
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

    /// <summary>Feature names, in coefficient row order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Target names, in intercept and coefficient column order.</summary>
    public IReadOnlyList<string> TargetNames { get; }

    /// <summary>The unpenalized intercept of each target (0 when fitted without one).</summary>
    public IReadOnlyList<double> Intercepts => _intercepts;

    /// <summary>Coefficients[j][t]: feature j's coefficient for target t, on the original scale.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Coefficients => _coefficients;

    /// <summary>Target <paramref name="t"/>'s coefficients, one per feature.</summary>
    public double[] CoefficientsOf(int t) => _coefficients.Select(row => row[t]).ToArray();

    /// <summary><see cref="Shrink.Penalty.Lasso"/> (the multi-task lasso) or <see cref="Shrink.Penalty.ElasticNet"/>.</summary>
    public Penalty Penalty { get; }

    /// <summary>λ as given, in <see cref="Convention"/>.</summary>
    public double Lambda { get; }

    /// <summary>The L1 ratio as given, in <see cref="Convention"/>.</summary>
    public double L1Ratio { get; }

    /// <summary>What <see cref="Lambda"/> and <see cref="L1Ratio"/> mean.</summary>
    public Convention Convention { get; }

    /// <summary>Whether intercepts were fitted.</summary>
    public bool FitIntercept { get; }

    /// <summary>Whether the penalty was applied to standardized coefficients.</summary>
    public bool Standardize { get; }

    /// <summary>Rows the model was fitted on.</summary>
    public int TrainingRows { get; }

    /// <summary>λ of the same problem in Shrink's own convention.</summary>
    public double CanonicalLambda { get; }

    /// <summary>The L1 ratio of the same problem in Shrink's own convention.</summary>
    public double CanonicalL1Ratio { get; }

    /// <summary>Objective, duality gap, iterations, convergence (of the joint problem).</summary>
    public FitDiagnostics Diagnostics { get; }

    /// <summary>Number of features kept (a non-zero coefficient for some target; the penalty keeps or drops a whole row).</summary>
    public int NonZeroCount => _coefficients.Count(row => row.Any(b => b != 0));

    /// <summary>Target <paramref name="t"/>'s part as a single-target model (with the joint fit's diagnostics), for prediction and reports.</summary>
    public LinearModel ForTarget(int t) => new(FeatureNames, _intercepts[t], CoefficientsOf(t), Penalty, Lambda, L1Ratio, Convention,
        FitIntercept, Standardize, TrainingRows, CanonicalLambda, CanonicalL1Ratio, Diagnostics);

    /// <summary>Predictions for every row of <paramref name="x"/> (columns in the model's feature order): one array per target.</summary>
    public double[][] Predict(FeatureMatrix x) => Enumerable.Range(0, TargetNames.Count).Select(t => ForTarget(t).Predict(x)).ToArray();
}

/// <summary>Multi-task models along a decreasing λ grid, each warm-started from the one before. Immutable.</summary>
public sealed class MultiTaskPath
{
    private readonly MultiTaskModel[] _models;

    internal MultiTaskPath(MultiTaskModel[] models, double[] r2)
    {
        _models = models;
        R2 = r2;
        Lambdas = models.Select(m => m.Lambda).ToArray();
        NonZero = models.Select(m => m.NonZeroCount).ToArray();
    }

    /// <summary>Feature names.</summary>
    public IReadOnlyList<string> FeatureNames => _models[0].FeatureNames;

    /// <summary>Target names.</summary>
    public IReadOnlyList<string> TargetNames => _models[0].TargetNames;

    /// <summary>The grid, largest first, in the convention's units.</summary>
    public IReadOnlyList<double> Lambdas { get; }

    /// <summary>Number of features kept per λ.</summary>
    public IReadOnlyList<int> NonZero { get; }

    /// <summary>1 − RSS/TSS per λ, both summed over the targets (TSS about each target's mean with intercepts, about 0 without).</summary>
    public IReadOnlyList<double> R2 { get; }

    /// <summary>Number of λ values.</summary>
    public int Count => _models.Length;

    /// <summary>The model at grid point <paramref name="index"/>.</summary>
    public MultiTaskModel Model(int index) => _models[index];

    /// <summary>All the models, largest λ first.</summary>
    public IReadOnlyList<MultiTaskModel> Models => _models;
}

/// <summary>
/// Cross-validation of a multi-task path: per λ the mean over rows of the squared (or absolute) error summed over the
/// targets — cv.glmnet's definition for family "mgaussian" — its standard error, λmin, λ1se and the chosen model.
/// </summary>
public sealed class MultiTaskCrossValidationResult
{
    internal MultiTaskCrossValidationResult(MultiTaskPath path, double[] mean, double[] standardError, LambdaChoice choice, ErrorMeasure measure, int[] foldIds)
    {
        Path = path;
        Mean = mean;
        StandardError = standardError;
        Choice = choice;
        Measure = measure;
        FoldIds = foldIds;
        double best = mean.Min();
        IndexMin = Array.FindIndex(mean, v => v <= best);
        double bound = mean[IndexMin] + standardError[IndexMin];
        Index1Se = Array.FindIndex(mean, v => v <= bound);
        ChosenIndex = choice == LambdaChoice.Min ? IndexMin : Index1Se;
    }

    /// <summary>The path fitted on all the data (its grid is the one every fold used).</summary>
    public MultiTaskPath Path { get; }

    /// <summary>The λ grid, largest first.</summary>
    public IReadOnlyList<double> Lambdas => Path.Lambdas;

    /// <summary>Mean CV error per λ: per row the error summed over targets, averaged over rows (folds weighted by size).</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Standard error of the mean per λ (the spread of the fold errors over √(K − 1), as cv.glmnet).</summary>
    public IReadOnlyList<double> StandardError { get; }

    /// <summary>The rule used to choose λ.</summary>
    public LambdaChoice Choice { get; }

    /// <summary>The error measure.</summary>
    public ErrorMeasure Measure { get; }

    /// <summary>The fold of each row.</summary>
    public IReadOnlyList<int> FoldIds { get; }

    /// <summary>Index of λmin (the largest λ on ties).</summary>
    public int IndexMin { get; }

    /// <summary>Index of λ1se: the largest λ whose mean error is within one standard error of the minimum.</summary>
    public int Index1Se { get; }

    /// <summary>Index of the chosen λ.</summary>
    public int ChosenIndex { get; }

    /// <summary>λ with the smallest mean error.</summary>
    public double LambdaMin => Lambdas[IndexMin];

    /// <summary>The largest λ within one standard error of the minimum.</summary>
    public double Lambda1Se => Lambdas[Index1Se];

    /// <summary>The chosen λ.</summary>
    public double Lambda => Lambdas[ChosenIndex];

    /// <summary>The model at the chosen λ, fitted on all the data.</summary>
    public MultiTaskModel Model => Path.Model(ChosenIndex);
}
