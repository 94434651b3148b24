namespace Shrink;

/// <summary>Cross-validation curve of one L1 ratio: mean error and its standard error per λ, and the two classic picks.</summary>
public sealed class CrossValidationCurve
{
    internal CrossValidationCurve(double l1Ratio, RegularizationPath path, double[] mean, double[] standardError, double[]? generalized = null)
    {
        GeneralizedCrossValidation = generalized;
        L1Ratio = l1Ratio;
        Path = path;
        Mean = mean;
        StandardError = standardError;
        double best = mean.Min();
        // Ties go to the larger λ, the simpler model (glmnet's rule).
        IndexMin = Array.FindIndex(mean, v => v <= best);
        double bound = mean[IndexMin] + standardError[IndexMin];
        Index1Se = Array.FindIndex(mean, v => v <= bound);
    }

    /// <summary>The L1 ratio, in the convention's units.</summary>
    public double L1Ratio { get; }

    /// <summary>γ of a relaxed-lasso curve (its path holds the blends); null otherwise.</summary>
    public double? Gamma { get; internal init; }

    /// <summary>The path fitted on all the data (its grid is the one every fold used).</summary>
    public RegularizationPath Path { get; }

    /// <summary>The λ grid, largest first.</summary>
    public IReadOnlyList<double> Lambdas => Path.Lambdas;

    /// <summary>Mean CV error per λ (folds weighted by their size).</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Standard error of the mean CV error per λ.</summary>
    public IReadOnlyList<double> StandardError { get; }

    /// <summary>
    /// Ridge leave-one-out only: the generalized cross-validation score per λ, mean(e²)/(1 − tr(H)/n)², the hat
    /// matrix H including the intercept. Null otherwise.
    /// </summary>
    public IReadOnlyList<double>? GeneralizedCrossValidation { get; }

    /// <summary>Index of λmin, the λ with the smallest mean error (the largest such λ on ties).</summary>
    public int IndexMin { get; }

    /// <summary>Index of λ1se: the largest λ whose mean error is within one standard error of the minimum.</summary>
    public int Index1Se { get; }

    /// <summary>λ with the smallest mean error.</summary>
    public double LambdaMin => Lambdas[IndexMin];

    /// <summary>The largest λ within one standard error of the minimum: the simplest model that is about as good.</summary>
    public double Lambda1Se => Lambdas[Index1Se];
}

/// <summary>The outcome of cross-validation: the curve(s), the choice and the model refitted on all the data.</summary>
public sealed class CrossValidationResult
{
    /// <param name="chosenIndex">The λ index when the choice was made across curves (relaxed lasso); else by the rule on the best curve.</param>
    internal CrossValidationResult(IReadOnlyList<CrossValidationCurve> curves, int best, LambdaChoice choice, ErrorMeasure measure, int[]? foldIds, string method,
        int? chosenIndex = null)
    {
        Curves = curves;
        Best = curves[best];
        Choice = choice;
        Measure = measure;
        FoldIds = foldIds;
        Method = method;
        ChosenIndex = chosenIndex ?? (choice == LambdaChoice.Min ? Best.IndexMin : Best.Index1Se);
    }

    /// <summary>One curve per L1 ratio searched, in the order given.</summary>
    public IReadOnlyList<CrossValidationCurve> Curves { get; }

    /// <summary>The curve of the L1 ratio with the smallest minimum error; for a relaxed lasso, the chosen γ's curve.</summary>
    public CrossValidationCurve Best { get; }

    /// <summary>The rule used to choose λ.</summary>
    public LambdaChoice Choice { get; }

    /// <summary>The error measure.</summary>
    public ErrorMeasure Measure { get; }

    /// <summary>The fold of each row (null for leave-one-out).</summary>
    public IReadOnlyList<int>? FoldIds { get; }

    /// <summary>"k-fold" or "leave-one-out".</summary>
    public string Method { get; }

    /// <summary>Index of the chosen λ on <see cref="Best"/>'s grid.</summary>
    public int ChosenIndex { get; }

    /// <summary>The chosen λ.</summary>
    public double Lambda => Best.Lambdas[ChosenIndex];

    /// <summary>The chosen L1 ratio.</summary>
    public double L1Ratio => Best.L1Ratio;

    /// <summary>The chosen γ of a relaxed lasso (null without relaxation).</summary>
    public double? Gamma => Best.Gamma;

    /// <summary>The model at the chosen λ and L1 ratio, fitted on all the data.</summary>
    public LinearModel Model => Best.Path.Model(ChosenIndex);
}
