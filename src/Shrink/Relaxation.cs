using Shrink.Solvers;

namespace Shrink;

/// <summary>
/// The relaxed lasso (Meinshausen; glmnet's relax = TRUE): the features a penalized fit selected are refitted by least
/// squares on the same problem (weights, offset and bounds kept, no penalty), and the two fits are blended,
/// γ·penalized + (1 − γ)·refit, intercept included.
/// </summary>
internal static class Relaxation
{
    /// <summary>
    /// The unpenalized refit on the support of <paramref name="penalized"/> (standardized coefficients), or null when there
    /// is nothing to refit (no feature selected) or least squares on that support has no unique answer (more features
    /// than rows, or collinear ones): the relaxed model is then the penalized one.
    /// </summary>
    public static LinearModel? Refit(Problem problem, IReadOnlyList<string> names, FitOptions options, ReadOnlySpan<double> penalized)
    {
        var design = problem.Design;
        var outside = new bool[problem.P];
        int selected = 0;
        // At λmax a coefficient can come out at rounding level (1e-16) instead of exactly 0; refitting it would turn
        // that noise into a full least-squares coefficient. Below 1e-12 of y's spread a coefficient moves no fitted value.
        double negligible = 1e-12 * Math.Sqrt(problem.NullObjective * 2);
        for (int j = 0; j < problem.P; j++)
        {
            outside[j] = Math.Abs(penalized[j]) <= negligible || design.Excluded[j];
            if (!outside[j]) selected++;
        }
        if (selected == 0) return null;
        var support = new Problem
        {
            Design = design.WithExcluded(outside),
            CenteredTarget = problem.CenteredTarget,
            TargetMean = problem.TargetMean,
            TargetScale = problem.TargetScale,
            FitIntercept = problem.FitIntercept,
            Controls = problem.Controls,
            Moments = problem.Moments,
        };
        var beta = new double[problem.P];
        try
        {
            return Engine.FitAt(support, names, options with { Penalty = Penalty.Ols, Lambda = 0, L1Ratio = null, RelaxGamma = null }, 0, beta);
        }
        catch (ShrinkException)
        {
            return null;
        }
    }

    /// <summary>γ·penalized + (1 − γ)·refit, recorded as the penalized model's λ with the relaxation in its controls.</summary>
    public static LinearModel Blend(LinearModel penalized, LinearModel? refit, double gamma)
    {
        double intercept = penalized.Intercept;
        var coefficients = penalized.Coefficients.ToArray();
        string solver = penalized.Diagnostics.Solver + " + relaxed";
        if (refit is not null)
        {
            intercept = gamma * penalized.Intercept + (1 - gamma) * refit.Intercept;
            for (int j = 0; j < coefficients.Length; j++) coefficients[j] = gamma * coefficients[j] + (1 - gamma) * refit.Coefficients[j];
            solver += " " + refit.Diagnostics.Solver;
        }
        else
        {
            solver += " (no refit: least squares on the selected features is not identifiable)";
        }
        return new LinearModel(penalized.FeatureNames, intercept, coefficients, penalized.Penalty, penalized.Lambda, penalized.L1Ratio,
            penalized.Convention, penalized.FitIntercept, penalized.Standardize, penalized.TrainingRows, penalized.CanonicalLambda,
            penalized.CanonicalL1Ratio, penalized.Diagnostics with { Solver = solver })
        {
            Controls = penalized.Controls with { RelaxGamma = gamma },
        };
    }

    /// <summary>‖ỹ − X̃β̃‖² of an original-scale model on its problem, β̃ = b·scale.</summary>
    public static double ResidualSquared(Problem problem, LinearModel model)
    {
        var beta = new double[problem.P];
        for (int j = 0; j < problem.P; j++) beta[j] = model.Coefficients[j] * problem.Design.Scale[j];
        if (problem.Rowless)
        {
            var g = new double[problem.P];
            GramDescent.Gradient(problem.Gram, beta, g);
            return GramDescent.ResidualSquared(problem.Gram, g, beta);
        }
        return new Residual(problem.Design, problem.CenteredTarget, beta).SquaredNorm();
    }
}
