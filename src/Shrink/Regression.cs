using Shrink.Solvers;

namespace Shrink;

/// <summary>The entry point: fit one regularized linear model.</summary>
public static partial class Regression
{
    /// <summary>
    /// Fits y ≈ b0 + Xb by minimising 1/(2n)·‖y − b0 − Xb‖² + λ·(r·‖Db‖₁ + (1 − r)/2·‖Db‖²), with λ and r read in
    /// <see cref="FitOptions.Convention"/>. Throws <see cref="ShrinkException"/> for problems the user can fix
    /// (fewer than 2 rows, no features, a missing λ, least squares that is not identifiable); a fit that does not
    /// converge is returned with <see cref="FitDiagnostics.Converged"/> false.
    /// </summary>
    public static LinearModel Fit(Dataset data, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FitOptions();
        options.CheckConsistent();
        CheckShape(data);
        options = AdaptiveLasso.Resolve(data, options);

        var problem = Problem.Build(data, options);
        bool ols = options.Penalty == Penalty.Ols || options.Lambda == 0;
        double lambda = ols ? options.Lambda ?? 0 : options.Lambda ?? throw MissingLambda(problem, options);
        var beta = new double[problem.P];
        var model = Engine.FitAt(problem, data.FeatureNames, options, lambda, beta);
        if (options.RelaxGamma is not { } gamma || ols) return model;
        return Relaxation.Blend(model, Relaxation.Refit(problem, data.FeatureNames, options, beta), gamma);
    }

    /// <summary>Fits a model on a feature matrix and target; names default to x1..xp.</summary>
    public static LinearModel Fit(FeatureMatrix features, double[] target, FitOptions? options = null) =>
        Fit(new Dataset(features, target), options);

    /// <summary>
    /// Fits the whole path of models along a decreasing λ grid, warm-starting each from the one before; ridge paths
    /// come from a single eigendecomposition. <paramref name="stepDone"/> is called after each λ (for progress).
    /// </summary>
    public static RegularizationPath Path(Dataset data, PathOptions? options = null, Action? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new PathOptions();
        var fit = CheckPathOptions(options);
        CheckShape(data);
        fit = AdaptiveLasso.Resolve(data, fit);
        var problem = Problem.Build(data, fit);
        return PathFitter.Run(problem, data.FeatureNames, fit, PathFitter.Grid(problem, options), stepDone, maxFeatures: options.MaxFeatures);
    }

    /// <summary>
    /// Cross-validates a path (or, with <see cref="CrossValidationOptions.L1Ratios"/>, several) and returns the curves,
    /// λmin and λ1se, and the model at the chosen λ fitted on all the data. Folds run in parallel; the result does
    /// not depend on the thread count. <paramref name="stepDone"/> is called after each λ of each fit (for progress).
    /// </summary>
    public static CrossValidationResult CrossValidate(Dataset data, CrossValidationOptions? options = null, Action? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return CrossValidator.Run(data, options ?? new CrossValidationOptions(), stepDone);
    }

    /// <summary>
    /// The adaptive lasso's initial fit and penalty factors for these options (<see cref="FitOptions.Adaptive"/>, or the
    /// defaults when it is null), as <see cref="Fit(Dataset, FitOptions?)"/>, Path and CrossValidate compute them.
    /// </summary>
    public static AdaptiveWeights AdaptiveWeights(Dataset data, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FitOptions();
        CheckShape(data);
        return AdaptiveLasso.Compute(data, options, options.Adaptive ?? new AdaptiveOptions());
    }

    /// <summary>
    /// Fits one model from sufficient statistics (<see cref="SufficientStatistics"/>): the same model, up to rounding,
    /// as <see cref="Fit(Dataset, FitOptions?)"/> on the rows they were gathered from. The adaptive lasso's initial fit
    /// needs the rows and is not available here.
    /// </summary>
    public static LinearModel Fit(SufficientStatistics statistics, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        options ??= new FitOptions();
        options.CheckConsistent();
        CheckShape(statistics);
        CheckNotAdaptive(options);
        var problem = BuildProblem(statistics, options);
        bool ols = options.Penalty == Penalty.Ols || options.Lambda == 0;
        double lambda = ols ? options.Lambda ?? 0 : options.Lambda ?? throw MissingLambda(problem, options);
        var beta = new double[problem.P];
        var model = Engine.FitAt(problem, statistics.FeatureNames, options, lambda, beta);
        if (options.RelaxGamma is not { } gamma || ols) return model;
        return Relaxation.Blend(model, Relaxation.Refit(problem, statistics.FeatureNames, options, beta), gamma);
    }

    /// <summary>The path of <see cref="Path(Dataset, PathOptions?, Action?)"/>, from sufficient statistics.</summary>
    public static RegularizationPath Path(SufficientStatistics statistics, PathOptions? options = null, Action? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        options ??= new PathOptions();
        var fit = CheckPathOptions(options);
        CheckShape(statistics);
        CheckNotAdaptive(fit);
        var problem = BuildProblem(statistics, fit);
        return PathFitter.Run(problem, statistics.FeatureNames, fit, PathFitter.Grid(problem, options), stepDone, maxFeatures: options.MaxFeatures);
    }

    /// <summary>
    /// K-fold cross-validation from statistics gathered per fold (<see cref="SufficientStatistics.Folds"/>): the folds
    /// are those fixed when the statistics were gathered; the error measure is the mean squared error (the only one
    /// that statistics determine); leave-one-out is not available.
    /// </summary>
    public static CrossValidationResult CrossValidate(SufficientStatistics statistics, CrossValidationOptions? options = null, Action? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        options ??= new CrossValidationOptions();
        CheckNotAdaptive(options.Path.Fit);
        return CrossValidator.Run(statistics, options, stepDone);
    }

    /// <summary>The smallest λ at which every coefficient is 0, from sufficient statistics.</summary>
    public static double LambdaMax(SufficientStatistics statistics, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        options ??= new FitOptions();
        options.CheckConsistent();
        CheckShape(statistics);
        return LambdaMax(BuildProblem(statistics, options), options);
    }

    private static Problem BuildProblem(SufficientStatistics s, FitOptions options) =>
        Problem.Build(s.Total, s.FeatureNames, s.WeightsColumn is not null, s.OffsetColumn is not null, options);

    private static void CheckNotAdaptive(FitOptions options)
    {
        if (options.Adaptive is not null)
            throw Throw.Error("the adaptive lasso's initial fit is not available from statistics; give its factors as penalty factors (1/|b|^ν of a least-squares fit from the same statistics)");
    }

    internal static void CheckShape(SufficientStatistics statistics)
    {
        if (statistics.Rows < 2) throw Throw.Error($"{string.Join(", ", statistics.Sources)}: a model needs at least 2 rows of data; the statistics hold {statistics.Rows}");
        if (statistics.P == 0) throw Throw.Error("there are no features to fit: every column is the target or excluded");
    }

    internal static FitOptions CheckPathOptions(PathOptions options)
    {
        var fit = options.Fit;
        fit.CheckConsistent();
        if (fit.Penalty == Penalty.Ols)
            throw Throw.Error("a path needs a penalty (lasso, ridge or elasticnet): least squares has no λ to vary");
        return fit;
    }

    /// <summary>
    /// The smallest λ (in the options' convention and L1 ratio) at which every coefficient is exactly 0.
    /// Infinite for ridge, whose coefficients never reach 0.
    /// </summary>
    public static double LambdaMax(Dataset data, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FitOptions();
        options.CheckConsistent();
        CheckShape(data);
        return LambdaMax(Problem.Build(data, options), options);
    }

    internal static double LambdaMax(Problem problem, FitOptions options)
    {
        double r = options.EffectiveL1Ratio;
        var penalty = options.Penalty == Penalty.Ols ? Penalty.Lasso : options.Penalty;
        // Every map is linear in λ, so the L1 weight of λ = 1 converts the threshold back.
        double l1PerLambda = ConventionMap.ToCanonical(options.Convention, penalty, 1, penalty == Penalty.Lasso ? 1 : r, problem.N, problem.P, problem.TargetScale).L1;
        return l1PerLambda == 0 ? double.PositiveInfinity : problem.MaxCorrelation() / l1PerLambda;
    }

    internal static void CheckShape(Dataset data)
    {
        if (data.Rows < 2) throw Throw.Error($"a model needs at least 2 rows of data; got {data.Rows}");
        if (data.Features.Columns == 0) throw Throw.Error("there are no features to fit: every column is the target or excluded");
    }

    private static ShrinkException MissingLambda(Problem problem, FitOptions options)
    {
        string penalty = Names.Of(options.Penalty);
        double max = LambdaMax(problem, options);
        return double.IsPositiveInfinity(max)
            ? Throw.Error($"'lambda' is required for penalty {penalty}")
            : Throw.Error($"'lambda' is required for penalty {penalty}; for this data every coefficient is 0 at λ ≥ {max:G6} (λmax, {Names.Of(options.Convention)} convention)");
    }
}
