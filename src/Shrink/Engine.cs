using Shrink.Solvers;

namespace Shrink;

/// <summary>
/// Fits one λ of a prepared problem: picks the solver, runs it from a warm start, certifies the result and
/// builds the model. Shared by single fits, paths and cross-validation so they cannot drift apart.
/// </summary>
internal static class Engine
{
    /// <param name="lambda">λ in the options' convention; 0 (or penalty OLS) is least squares.</param>
    /// <param name="beta">Warm start in, solution out (standardized space).</param>
    public static LinearModel FitAt(Problem problem, IReadOnlyList<string> names, FitOptions options, double lambda, double[] beta) =>
        FitAt(problem, names, options, lambda, beta, out _);

    /// <param name="residualSquared">‖ỹ − X̃β‖² at the solution, from the certificate (paths report R² and AIC from it).</param>
    /// <param name="zeroFrom">The problem's λmax when the caller has it and every included feature is penalized: at or above
    /// it every coefficient is 0 by definition, without a solve.</param>
    public static LinearModel FitAt(Problem problem, IReadOnlyList<string> names, FitOptions options, double lambda, double[] beta, out double residualSquared,
        double zeroFrom = double.PositiveInfinity)
    {
        bool ols = options.Penalty == Penalty.Ols || lambda == 0;
        double r = options.EffectiveL1Ratio;
        var penalty = Canonical(problem, options, lambda);
        double gapTolerance = options.Tolerance * problem.NullObjective;
        string solver;
        int iterations = 1;
        bool converged = true;
        var design = problem.Design;
        if (ols && !design.Bounded)
        {
            CheckIdentifiable(problem);
            int dependent = SolvePrimal(problem, 0, 1e-10, beta);
            if (dependent >= 0)
                throw Throw.Error($"ordinary least squares is not identifiable: feature '{names[dependent]}' is a linear combination of other features (collinear columns); use ridge (λ > 0), which has a unique answer for any data");
            solver = "cholesky";
        }
        // The closed forms know one plain penalty; factors and bounds go to coordinate descent (whose active-set solve
        // is the same closed form on the free features).
        else if (penalty.L1 == 0 && !ols && !design.Shaped)
        {
            if (problem.Design.IncludedCount > problem.N && !problem.Rowless)
            {
                DirectSolver.SolveDual(problem.Design, problem.CenteredTarget, penalty.L2, beta);
                solver = "dual-cholesky";
            }
            else
            {
                SolvePrimal(problem, penalty.L2, 0, beta);
                solver = "cholesky";
            }
        }
        else if (lambda >= zeroFrom)
        {
            // The solvers' gradients are summed in other orders than λmax's (which depend on the vector width the machine
            // has), so at λmax itself a feature could otherwise enter by a rounding error: 1e-17 where the answer is 0.
            Array.Clear(beta);
            var certificate = problem.UseGram ? GramCertificate(problem.Gram, penalty, beta) : ResidualCertificate(problem, penalty, beta);
            return Build(problem, names, options, lambda, penalty, beta, 0, certificate.Gap <= gapTolerance,
                problem.UseGram ? "coordinate-descent (gram)" : "coordinate-descent", ols, out residualSquared, certificate);
        }
        else if (problem.UseGram)
        {
            var outcome = GramDescent.Solve(problem.Gram, penalty.L1, penalty.L2, problem.Memory?.L1 ?? 0, gapTolerance, options.MaxIterations, beta);
            if (problem.Memory is { } memory) memory.L1 = penalty.L1;
            // The certificate comes from the Gram form, recomputed from scratch: g = X̃ᵀỹ − X̃ᵀX̃·β over the
            // exact cached columns, so no pass over the data is needed per λ.
            var certificate = GramCertificate(problem.Gram, penalty, beta);
            return Build(problem, names, options, lambda, penalty, beta, outcome.Sweeps, certificate.Gap <= gapTolerance, "coordinate-descent (gram)", ols,
                out residualSquared, certificate);
        }
        else
        {
            var outcome = CoordinateDescent.Solve(design, problem.CenteredTarget, penalty.L1, penalty.L2, gapTolerance, options.MaxIterations, beta, problem.Memory);
            iterations = outcome.Sweeps;
            converged = outcome.Converged;
            solver = "coordinate-descent";
            // The solver's last gap was computed from a residual recomputed from scratch at this very β: it is the
            // certificate, and a second full pass over the data (which on wide sparse data costs as much as the fit) is not needed.
            if (!double.IsNaN(outcome.ResidualSquared))
            {
                double objective = outcome.ResidualSquared / (2.0 * problem.N) + CoordinateDescent.PenaltyValue(design, beta, penalty.L1, penalty.L2);
                return Build(problem, names, options, lambda, penalty, beta, iterations, converged, solver, ols, out residualSquared,
                    new Certificate(objective, outcome.Gap, outcome.ResidualSquared));
            }
        }
        return Build(problem, names, options, lambda, penalty, beta, iterations, converged, solver, ols, out residualSquared);
    }

    public static CanonicalPenalty Canonical(Problem problem, FitOptions options, double lambda) =>
        options.Penalty == Penalty.Ols || lambda == 0
            ? new CanonicalPenalty(0, 0)
            : ConventionMap.ToCanonical(options.Convention, options.Penalty, lambda, options.EffectiveL1Ratio, problem.N, problem.P, problem.TargetScale);

    /// <summary>Objective, duality gap and ‖R‖² of β, in Shrink's scale.</summary>
    internal readonly record struct Certificate(double Objective, double Gap, double ResidualSquared);

    /// <summary>Certifies β (from a residual recomputed from scratch, unless given) and builds the model.</summary>
    public static LinearModel Build(Problem problem, IReadOnlyList<string> names, FitOptions options, double lambda, CanonicalPenalty penalty,
        ReadOnlySpan<double> beta, int iterations, bool converged, string solver, bool ols, out double residualSquared, Certificate? certificate = null)
    {
        int n = problem.N, p = problem.P;
        double gapTolerance = options.Tolerance * problem.NullObjective;
        var (objective, gap, rss) = certificate ?? ResidualCertificate(problem, penalty, beta);
        residualSquared = rss;
        if (!solver.StartsWith("coordinate-descent", StringComparison.Ordinal)) converged = gap <= Math.Max(gapTolerance, 1e-12 * problem.NullObjective);
        double scale = ConventionMap.ObjectiveScale(options.Convention, ols ? Penalty.Ols : options.Penalty, n);

        // Only the non-zeros are built: on wide data a path's models would otherwise hold p values each.
        int nonZero = Kernels.CountNonZeros(beta);
        var positions = new int[nonZero];
        var values = new double[nonZero];
        double intercept = problem.FitIntercept ? problem.TargetMean : 0;
        int k = 0;
        foreach (int j in Kernels.NonZeros(beta))
        {
            double b = beta[j] / problem.Design.Scale[j];
            // At a bound, report the bound as given rather than (bound·scale)/scale.
            if (problem.OriginalLower is { } lower && beta[j] == problem.Design.Lower![j]) b = lower[j];
            if (problem.OriginalUpper is { } upper && beta[j] == problem.Design.Upper![j]) b = upper[j];
            if (problem.FitIntercept) intercept -= b * problem.Design.Center[j];
            positions[k] = j;
            values[k++] = b;
        }
        var coefficients = CoefficientVector.FromNonZeros(p, positions, values);

        var diagnostics = new FitDiagnostics(objective * scale, gap * scale, options.Tolerance, gapTolerance * scale, iterations, converged, solver);
        return new LinearModel(names, intercept, coefficients, ols ? Penalty.Ols : options.Penalty, lambda,
            ols ? 0 : options.EffectiveL1Ratio, options.Convention, options.FitIntercept, options.Standardize, n, penalty.Lambda, penalty.L1Ratio, diagnostics)
        {
            Controls = problem.Controls,
        };
    }

    private static Certificate GramCertificate(GramState gram, CanonicalPenalty penalty, ReadOnlySpan<double> beta)
    {
        // From scratch: the solve keeps the gradient it computed from scratch for the β it returns (the same sum in the
        // same order), and any other β gets one computed now.
        var g = new double[beta.Length];
        gram.GradientAt(beta, g);
        return Certify(gram.Design, g, beta, GramDescent.ResidualSquared(gram, g, beta), penalty);
    }

    /// <summary>The normal equations from the rows, or from the statistics' Gram matrix when there are no rows.</summary>
    private static int SolvePrimal(Problem problem, double l2, double relativePivot, Span<double> beta) =>
        problem.Moments is { } m
            ? DirectSolver.SolvePrimal(problem.Design, m.Gram, m.Xty, l2, relativePivot, beta)
            : DirectSolver.SolvePrimal(problem.Design, problem.CenteredTarget, l2, relativePivot, beta);

    /// <summary>From a residual recomputed from the data (from the Gram form when there are no rows).</summary>
    private static Certificate ResidualCertificate(Problem problem, CanonicalPenalty penalty, ReadOnlySpan<double> beta)
    {
        if (problem.Rowless) return GramCertificate(problem.Gram, penalty, beta);
        var residual = new Residual(problem.Design, problem.CenteredTarget, beta);
        var v = new double[problem.P];
        residual.Gradient(v);
        return Certify(problem.Design, v, beta, residual.SquaredNorm(), penalty);
    }

    /// <summary>
    /// For a β read off a ridge spectrum: from the gradient and ‖R‖² the spectrum derived from the Gram matrix kept before
    /// its decomposition (no pass over the data, as the Gram form of coordinate descent), or, when it has none (the dual
    /// form), from a residual recomputed from the data.
    /// </summary>
    internal static Certificate SpectrumCertificate(Problem problem, CanonicalPenalty penalty, ReadOnlySpan<double> beta, ReadOnlySpan<double> gradient, double? residualSquared) =>
        residualSquared is { } rss ? Certify(problem.Design, gradient, beta, rss, penalty) : ResidualCertificate(problem, penalty, beta);

    private static Certificate Certify(Design design, ReadOnlySpan<double> gradient, ReadOnlySpan<double> beta, double rss, CanonicalPenalty penalty)
    {
        int n = design.N;
        double objective = rss / (2.0 * n) + CoordinateDescent.PenaltyValue(design, beta, penalty.L1, penalty.L2);
        return new Certificate(objective, DualityGap.Compute(gradient, beta, rss, n, penalty.L1, penalty.L2, design), rss);
    }

    private static void CheckIdentifiable(Problem problem)
    {
        int variables = problem.Design.IncludedCount;
        int limit = problem.FitIntercept ? problem.N - 1 : problem.N;
        if (variables > limit)
            throw Throw.Error($"ordinary least squares is not identifiable: {variables} features but only {problem.N} rows (at most {limit} features{(problem.FitIntercept ? " with an intercept" : "")}); use ridge (λ > 0) or lasso");
    }
}
