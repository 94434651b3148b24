using Shrink.Solvers;

namespace Shrink;

/// <summary>Fits a prepared problem along a λ grid: warm-started coordinate descent, or ridge from one decomposition.</summary>
internal static class PathFitter
{
    /// <summary>glmnet's stand-in L1 ratio for the top of a ridge grid, where no λ makes every coefficient 0.</summary>
    internal const double RidgeGridL1Ratio = 1e-3;

    /// <summary>The λ grid in the options' convention: the explicit one, or λmax·ratio^(k/(K−1)), k = 0..K−1.</summary>
    public static double[] Grid(Problem problem, PathOptions options)
    {
        if (options.Lambdas is { } explicitGrid) return explicitGrid.ToArray();
        var fit = options.Fit;
        double lambdaMax;
        if (fit.EffectiveL1Ratio < RidgeGridL1Ratio)
        {
            var stand = fit with { Penalty = Penalty.ElasticNet, L1Ratio = RidgeGridL1Ratio, Convention = fit.Convention };
            lambdaMax = Regression.LambdaMax(problem, stand);
            // scikit-learn's Ridge alpha is n·λ where its ElasticNet alpha is λ.
            if (fit.Convention == Convention.Sklearn && fit.Penalty == Penalty.Ridge) lambdaMax *= problem.N;
        }
        else
        {
            lambdaMax = Regression.LambdaMax(problem, fit);
        }
        if (!(lambdaMax > 0)) lambdaMax = 1; // y constant about its mean: every λ gives the same all-zero model
        double ratio = options.LambdaMinRatio ?? (problem.N > problem.P ? 1e-4 : 1e-2);
        int count = options.LambdaCount;
        var grid = new double[count];
        for (int k = 0; k < count; k++)
            grid[k] = count == 1 ? lambdaMax : lambdaMax * Math.Pow(ratio, k / (double)(count - 1));
        return grid;
    }

    /// <param name="spectrum">A ridge decomposition already made for this problem, to reuse.</param>
    public static RegularizationPath Run(Problem problem, IReadOnlyList<string> names, FitOptions fit, double[] grid, Action? stepDone = null, RidgeSpectrum? spectrum = null)
    {
        int p = problem.P, count = grid.Length;
        var models = new LinearModel[count];
        var rss = new double[count];
        var betas = new double[count][];
        var beta = new double[p];
        bool ridge = fit.EffectiveL1Ratio == 0 && fit.Penalty != Penalty.Ols;
        // Many λ share one Gram matrix: the covariance form pays here where a single fit would not.
        problem.PreferGram = count > 1;
        problem.Memory = count > 1 ? new PathMemory() : null;
        if (ridge && spectrum is null && grid.Any(l => l > 0)) spectrum = new RidgeSpectrum(problem.Design, problem.CenteredTarget, needLeftVectors: false);
        if (!ridge) spectrum = null;

        // From a spectrum, every λ's β (and its certificate) comes out of two matrix products at once.
        var solved = spectrum?.Solve(grid.Select(lambda => Engine.Canonical(problem, fit, lambda).L2).ToArray());
        for (int k = 0; k < count; k++)
        {
            if (solved is { } fromSpectrum && grid[k] > 0)
            {
                var (all, gradients, squares) = fromSpectrum;
                var penalty = Engine.Canonical(problem, fit, grid[k]);
                all.AsSpan(k * p, p).CopyTo(beta);
                models[k] = Engine.Build(problem, names, fit, grid[k], penalty, beta, 1, true, "eigen", ols: false, out rss[k],
                    Engine.SpectrumCertificate(problem, penalty, beta, gradients is null ? [] : gradients.AsSpan(k * p, p), squares?[k]));
            }
            else
            {
                models[k] = Engine.FitAt(problem, names, fit, grid[k], beta, out rss[k]);
            }
            betas[k] = (double[])beta.Clone();
            stepDone?.Invoke();
        }

        double tss = Kernels.Dot(problem.CenteredTarget, problem.CenteredTarget);
        var r2 = rss.Select(value => tss > 0 ? 1 - value / tss : 0).ToArray();
        return new RegularizationPath(models, r2, rss, () => DegreesOfFreedom(problem, fit, models, betas, spectrum));
    }

    private static double[] DegreesOfFreedom(Problem problem, FitOptions fit, LinearModel[] models, double[][] betas, RidgeSpectrum? spectrum)
    {
        double intercept = problem.FitIntercept ? 1 : 0;
        var df = new double[models.Length];
        for (int k = 0; k < models.Length; k++)
        {
            var penalty = new CanonicalPenalty(models[k].CanonicalLambda, models[k].CanonicalL1Ratio);
            if (penalty.L2 == 0)
            {
                df[k] = intercept + models[k].NonZeroCount;
            }
            else if (spectrum is not null)
            {
                df[k] = intercept + spectrum.EffectiveDegreesOfFreedom(penalty.L2);
            }
            else
            {
                // Elastic net: the ridge formula on the active set (Zou and Hastie's effective df).
                var active = Enumerable.Range(0, problem.P).Where(j => betas[k][j] != 0).ToArray();
                double sum = 0;
                if (active.Length > 0)
                {
                    var gram = DirectSolver.Gram(problem.Design, problem.CenteredTarget, active, []);
                    var mu = new double[active.Length];
                    SymmetricEigen.Decompose(gram, active.Length, mu);
                    foreach (double value in mu) sum += Math.Max(value, 0) / (Math.Max(value, 0) + problem.N * penalty.L2);
                }
                df[k] = intercept + sum;
            }
        }
        return df;
    }
}
