namespace Shrink;

public static partial class Regression
{
    /// <summary>
    /// Fits one model per target, independently, each exactly as <see cref="Fit(Dataset, FitOptions?)"/> would on that
    /// target alone; the prepared design (column centres, scales) is computed once and shared.
    /// </summary>
    public static IReadOnlyList<LinearModel> FitEach(MultiTargetDataset data, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FitOptions();
        options.CheckConsistent();
        CheckShape(data.First);
        // The adaptive lasso's factors come from each target's own initial fit: nothing to share.
        if (options.Adaptive is not null)
            return Enumerable.Range(0, data.TargetCount).Select(t => Fit(data.ForTarget(t), options)).ToArray();
        var first = Problem.Build(data.First, options);
        var models = new LinearModel[data.TargetCount];
        for (int t = 0; t < models.Length; t++)
        {
            var problem = t == 0 ? first : first.ForTarget(data.TargetSpan(t));
            bool ols = options.Penalty == Penalty.Ols || options.Lambda == 0;
            double lambda = ols ? options.Lambda ?? 0 : options.Lambda ?? throw MissingLambda(problem, options);
            var beta = new double[problem.P];
            models[t] = Engine.FitAt(problem, data.FeatureNames, options, lambda, beta);
            if (options.RelaxGamma is { } gamma && !ols)
                models[t] = Relaxation.Blend(models[t], Relaxation.Refit(problem, data.FeatureNames, options, beta), gamma);
        }
        return models;
    }

    /// <summary>
    /// Fits one path per target, independently, each exactly as <see cref="Path(Dataset, PathOptions?, Action?)"/> would
    /// (an automatic grid starts at that target's own λmax). The design is prepared once, and in covariance form the
    /// Gram matrix X̃ᵀX̃, which does not depend on the target, is computed once for all of them.
    /// </summary>
    public static IReadOnlyList<RegularizationPath> PathEach(MultiTargetDataset data, PathOptions? options = null, Action? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new PathOptions();
        var fit = CheckPathOptions(options);
        CheckShape(data.First);
        if (fit.Adaptive is not null)
            return Enumerable.Range(0, data.TargetCount).Select(t => Path(data.ForTarget(t), options, stepDone)).ToArray();
        var first = Problem.Build(data.First, fit);
        var paths = new RegularizationPath[data.TargetCount];
        for (int t = 0; t < paths.Length; t++)
        {
            // Built after the previous target's path, so that it shares the Gram columns that path computed.
            var problem = t == 0 ? first : first.ForTarget(data.TargetSpan(t));
            paths[t] = PathFitter.Run(problem, data.FeatureNames, fit, PathFitter.Grid(problem, options), stepDone, maxFeatures: options.MaxFeatures);
        }
        return paths;
    }

    /// <summary>Cross-validates one path per target, independently, on the same folds; one result per target.</summary>
    public static IReadOnlyList<CrossValidationResult> CrossValidateEach(MultiTargetDataset data, CrossValidationOptions? options = null, Action? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new CrossValidationOptions();
        return Enumerable.Range(0, data.TargetCount).Select(t => CrossValidator.Run(data.ForTarget(t), options, stepDone)).ToArray();
    }

    /// <summary>
    /// Fits the multi-task lasso / elastic net, which keeps or drops each feature for all targets together:
    /// minimises 1/(2n)·‖Y − 1·b0ᵀ − XB‖_F² + λ·(r·Σ_j d_j‖B_j‖₂ + (1 − r)/2·Σ_j d_j²‖B_j‖₂²), B_j the row of feature j,
    /// d_j its standard deviation when standardizing (1 otherwise). The penalty must be lasso or elastic net with r &gt; 0,
    /// and λ &gt; 0. glmnet's family "mgaussian" (standardize.response = FALSE) is the <see cref="Convention.Glmnet"/>
    /// convention, scikit-learn's MultiTaskLasso / MultiTaskElasticNet the <see cref="Convention.Sklearn"/> one.
    /// </summary>
    public static MultiTaskModel FitMultiTask(MultiTargetDataset data, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FitOptions();
        MultiTaskFitter.CheckOptions(options);
        CheckShape(data.First);
        var problem = MultiTaskProblem.Build(data, options);
        double lambda = options.Lambda
            ?? throw Throw.Error($"'lambda' is required for the multi-task lasso; for this data every coefficient is 0 at λ ≥ {MultiTaskFitter.LambdaMax(problem, options):G6} (λmax, {Names.Of(options.Convention)} convention)");
        if (lambda == 0)
            throw Throw.Error("'lambda' must be > 0 for the multi-task lasso; got 0 (λ = 0 is least squares, which fits each target on its own: use FitEach)");
        return MultiTaskFitter.FitAt(problem, data.FeatureNames, data.TargetNames, options, lambda, new double[problem.P * problem.K], out _);
    }

    /// <summary>
    /// The multi-task path along a decreasing λ grid (automatic: λmax = max_j ‖x̃_jᵀỸ‖₂/(n·r) in the canonical
    /// convention, down to <see cref="PathOptions.LambdaMinRatio"/>·λmax), each λ warm-started from the one before.
    /// </summary>
    public static MultiTaskPath PathMultiTask(MultiTargetDataset data, PathOptions? options = null, Action? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new PathOptions();
        MultiTaskFitter.CheckOptions(options.Fit);
        if (options.MaxFeatures is not null) throw Throw.Error("'max-features' is not available for the multi-task lasso yet; stop the path with 'lambda-min-ratio' instead");
        CheckShape(data.First);
        var problem = MultiTaskProblem.Build(data, options.Fit);
        return MultiTaskFitter.Run(problem, data.FeatureNames, data.TargetNames, options.Fit, MultiTaskFitter.Grid(problem, options), stepDone);
    }

    /// <summary>
    /// K-fold cross-validation of the multi-task path: the error of a row is summed over the targets (cv.glmnet's
    /// "mgaussian" definition), averaged over rows with folds weighted by their size. Folds run in parallel; the
    /// result does not depend on the thread count.
    /// </summary>
    public static MultiTaskCrossValidationResult CrossValidateMultiTask(MultiTargetDataset data, CrossValidationOptions? options = null, Action? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckShape(data.First);
        return MultiTaskFitter.CrossValidate(data, options ?? new CrossValidationOptions(), stepDone);
    }

    /// <summary>The smallest λ (in the options' convention) at which the multi-task lasso drops every feature.</summary>
    public static double LambdaMaxMultiTask(MultiTargetDataset data, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FitOptions();
        MultiTaskFitter.CheckOptions(options);
        CheckShape(data.First);
        return MultiTaskFitter.LambdaMax(MultiTaskProblem.Build(data, options), options);
    }
}
