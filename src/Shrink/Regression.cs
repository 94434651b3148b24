using Shrink.Solvers;

namespace Shrink;

/// <summary>The entry point: fit one regularized linear model.</summary>
public static class Regression
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

        var problem = Problem.Build(data, options.FitIntercept, options.Standardize);
        int n = problem.N, p = problem.P;
        double r = options.EffectiveL1Ratio;
        bool ols = options.Penalty == Penalty.Ols || options.Lambda == 0;
        double lambda = ols ? options.Lambda ?? 0 : options.Lambda ?? throw MissingLambda(problem, options);
        var penalty = ols ? new CanonicalPenalty(0, 0) : ConventionMap.ToCanonical(options.Convention, options.Penalty, lambda, r, n, p, problem.TargetScale);

        var beta = new double[p];
        string solver;
        int iterations = 1;
        bool converged = true;
        double gapTolerance = options.Tolerance * problem.NullObjective;
        if (ols)
        {
            CheckIdentifiable(problem, data);
            int dependent = DirectSolver.SolvePrimal(problem.Design, problem.CenteredTarget, 0, 1e-10, beta);
            if (dependent >= 0)
                throw Throw.Error($"ordinary least squares is not identifiable: feature '{data.FeatureNames[dependent]}' is a linear combination of other features (collinear columns); use ridge (λ > 0), which has a unique answer for any data");
            solver = "cholesky";
        }
        else if (penalty.L1 == 0)
        {
            if (problem.Design.IncludedCount > n)
            {
                DirectSolver.SolveDual(problem.Design, problem.CenteredTarget, penalty.L2, beta);
                solver = "dual-cholesky";
            }
            else
            {
                DirectSolver.SolvePrimal(problem.Design, problem.CenteredTarget, penalty.L2, 0, beta);
                solver = "cholesky";
            }
        }
        else
        {
            var outcome = CoordinateDescent.Solve(problem.Design, problem.CenteredTarget, penalty.L1, penalty.L2, gapTolerance, options.MaxIterations, beta);
            iterations = outcome.Sweeps;
            converged = outcome.Converged;
            solver = "coordinate-descent";
        }

        var (objective, gap) = Certificate(problem, penalty, beta);
        if (solver != "coordinate-descent") converged = gap <= Math.Max(gapTolerance, 1e-12 * problem.NullObjective);
        double scale = ConventionMap.ObjectiveScale(options.Convention, ols ? Penalty.Ols : options.Penalty, n);

        var coefficients = new double[p];
        double intercept = problem.FitIntercept ? problem.TargetMean : 0;
        for (int j = 0; j < p; j++)
        {
            if (beta[j] == 0) continue;
            coefficients[j] = beta[j] / problem.Design.Scale[j];
            if (problem.FitIntercept) intercept -= coefficients[j] * problem.Design.Center[j];
        }

        var diagnostics = new FitDiagnostics(objective * scale, gap * scale, options.Tolerance, gapTolerance * scale, iterations, converged, solver);
        return new LinearModel(data.FeatureNames, intercept, coefficients, ols ? Penalty.Ols : options.Penalty, lambda,
            ols ? 0 : r, options.Convention, options.FitIntercept, options.Standardize, n, penalty.Lambda, penalty.L1Ratio, diagnostics);
    }

    /// <summary>Fits a model on a feature matrix and target; names default to x1..xp.</summary>
    public static LinearModel Fit(FeatureMatrix features, double[] target, FitOptions? options = null) =>
        Fit(new Dataset(features, target), options);

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
        return LambdaMax(Problem.Build(data, options.FitIntercept, options.Standardize), options);
    }

    private static double LambdaMax(Problem problem, FitOptions options)
    {
        double r = options.EffectiveL1Ratio;
        var penalty = options.Penalty == Penalty.Ols ? Penalty.Lasso : options.Penalty;
        // Every map is linear in λ, so the L1 weight of λ = 1 converts the threshold back.
        double l1PerLambda = ConventionMap.ToCanonical(options.Convention, penalty, 1, penalty == Penalty.Lasso ? 1 : r, problem.N, problem.P, problem.TargetScale).L1;
        return l1PerLambda == 0 ? double.PositiveInfinity : problem.MaxCorrelation() / l1PerLambda;
    }

    /// <summary>Objective and duality gap in Shrink's scale, from a residual recomputed from scratch.</summary>
    private static (double Objective, double Gap) Certificate(Problem problem, CanonicalPenalty penalty, double[] beta)
    {
        var residual = new Residual(problem.Design, problem.CenteredTarget, beta);
        var v = new double[problem.P];
        residual.Gradient(v);
        double rss = residual.SquaredNorm();
        double l1Norm = 0, l2Sq = 0;
        foreach (double b in beta) { l1Norm += Math.Abs(b); l2Sq += b * b; }
        double objective = rss / (2.0 * problem.N) + penalty.L1 * l1Norm + 0.5 * penalty.L2 * l2Sq;
        return (objective, DualityGap.Compute(v, beta, rss, problem.N, penalty.L1, penalty.L2));
    }

    private static void CheckShape(Dataset data)
    {
        if (data.Rows < 2) throw Throw.Error($"a model needs at least 2 rows of data; got {data.Rows}");
        if (data.Features.Columns == 0) throw Throw.Error("there are no features to fit: every column is the target or excluded");
    }

    private static void CheckIdentifiable(Problem problem, Dataset data)
    {
        int variables = problem.Design.IncludedCount;
        int limit = problem.FitIntercept ? problem.N - 1 : problem.N;
        if (variables > limit)
            throw Throw.Error($"ordinary least squares is not identifiable: {variables} features but only {problem.N} rows (at most {limit} features{(problem.FitIntercept ? " with an intercept" : "")}); use ridge (λ > 0) or lasso");
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
