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
    /// <param name="maxFeatures">Stop after the first λ with more than this many non-zero coefficients (that λ included).</param>
    public static RegularizationPath Run(Problem problem, IReadOnlyList<string> names, FitOptions fit, double[] grid, Action? stepDone = null, RidgeSpectrum? spectrum = null,
        int? maxFeatures = null) =>
        Run(problem, names, fit, grid, stepDone, spectrum, maxFeatures, out _);

    /// <param name="refits">With <see cref="FitOptions.RelaxGamma"/> set, the least-squares refit per λ (null where there was none).</param>
    public static RegularizationPath Run(Problem problem, IReadOnlyList<string> names, FitOptions fit, double[] grid, Action? stepDone, RidgeSpectrum? spectrum,
        int? maxFeatures, out LinearModel?[]? refits)
    {
        var path = Penalized(problem, names, fit with { RelaxGamma = null }, grid, stepDone, spectrum, maxFeatures);
        refits = null;
        if (fit.RelaxGamma is not { } gamma || fit.Penalty == Penalty.Ols) return path;
        refits = Refits(problem, names, fit, path);
        return Relaxed(problem, path, refits, gamma);
    }

    /// <summary>The least-squares refit on each λ's support.</summary>
    public static LinearModel?[] Refits(Problem problem, IReadOnlyList<string> names, FitOptions fit, RegularizationPath path)
    {
        var refits = new LinearModel?[path.Count];
        var beta = new double[problem.P];
        for (int k = 0; k < path.Count; k++)
        {
            for (int j = 0; j < problem.P; j++) beta[j] = path.Coefficients[k][j] * problem.Design.Scale[j];
            refits[k] = Relaxation.Refit(problem, names, fit, beta);
        }
        return refits;
    }

    /// <summary>The path of blends γ·penalized + (1 − γ)·refit.</summary>
    public static RegularizationPath Relaxed(Problem problem, RegularizationPath penalized, LinearModel?[] refits, double gamma)
    {
        var models = penalized.Models.Select((m, k) => Relaxation.Blend(m, refits[k], gamma)).ToArray();
        var rss = models.Select(m => Relaxation.ResidualSquared(problem, m)).ToArray();
        double tss = problem.TotalSquares;
        var r2 = rss.Select(value => tss > 0 ? 1 - value / tss : 0).ToArray();
        // The relaxed models use as many parameters as they have non-zero coefficients.
        double intercept = problem.FitIntercept ? 1 : 0;
        return new RegularizationPath(models, r2, rss, () => models.Select(m => intercept + m.NonZeroCount).ToArray(), penalized.StopReason);
    }

    private static RegularizationPath Penalized(Problem problem, IReadOnlyList<string> names, FitOptions fit, double[] grid, Action? stepDone, RidgeSpectrum? spectrum,
        int? maxFeatures)
    {
        int p = problem.P, count = grid.Length;
        var models = new LinearModel[count];
        string? stopReason = null;
        var rss = new double[count];
        // The standardized β of each λ, kept only where the degrees of freedom will need it (see DegreesOfFreedom): a lasso's
        // are its non-zero count, and a 100,000-feature path would otherwise hold a second copy of every model's coefficients.
        var betas = new IReadOnlyList<double>?[count];
        var beta = new double[p];
        // One eigendecomposition serves every λ only for the plain ridge penalty; factors or bounds need a solver.
        bool ridge = fit.EffectiveL1Ratio == 0 && fit.Penalty != Penalty.Ols && !problem.Design.Shaped;
        // Many λ share one Gram matrix: the covariance form pays here where a single fit would not.
        problem.PreferGram = count > 1;
        problem.Memory = count > 1 ? new PathMemory() : null;
        if (ridge && spectrum is null && grid.Any(l => l > 0)) spectrum = problem.Moments is { } m
            ? new RidgeSpectrum(problem.Design, m.Block(DirectSolver.IncludedColumns(problem.Design)), DirectSolver.IncludedColumns(problem.Design).Select(j => m.Xty[j]).ToArray(), m.YSquared)
            : new RidgeSpectrum(problem.Design, problem.CenteredTarget, needLeftVectors: false);
        if (!ridge) spectrum = null;
        // Where every included feature is penalized, no coefficient leaves 0 until λ falls below λmax.
        double zeroFrom = !ridge && fit.Penalty != Penalty.Ols && fit.EffectiveL1Ratio > 0 && !problem.HasUnpenalized()
            ? Regression.LambdaMax(problem, fit) : double.PositiveInfinity;

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
                models[k] = Engine.FitAt(problem, names, fit, grid[k], beta, out rss[k], zeroFrom);
            }
            if (spectrum is null && new CanonicalPenalty(models[k].CanonicalLambda, models[k].CanonicalL1Ratio).L2 != 0) betas[k] = CoefficientVector.Copy(beta);
            stepDone?.Invoke();
            if (maxFeatures is { } limit && models[k].NonZeroCount > limit && k < count - 1)
            {
                stopReason = $"stopped at λ {k + 1} of {count}: {models[k].NonZeroCount} features have entered, more than max-features {limit}";
                for (int rest = k + 1; rest < count; rest++) stepDone?.Invoke();
                Array.Resize(ref models, k + 1);
                Array.Resize(ref rss, k + 1);
                Array.Resize(ref betas, k + 1);
                break;
            }
        }

        double tss = problem.TotalSquares;
        var r2 = rss.Select(value => tss > 0 ? 1 - value / tss : 0).ToArray();
        var kept = models;
        var keptBetas = betas;
        return new RegularizationPath(models, r2, rss, () => DegreesOfFreedom(problem, fit, kept, keptBetas, spectrum), stopReason);
    }

    private static double[] DegreesOfFreedom(Problem problem, FitOptions fit, LinearModel[] models, IReadOnlyList<double>?[] betas, RidgeSpectrum? spectrum)
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
                var active = Enumerable.Range(0, problem.P).Where(j => betas[k]![j] != 0).ToArray();
                double sum = 0;
                if (active.Length > 0)
                {
                    var gram = problem.Moments is { } m ? m.Block(active) : DirectSolver.Gram(problem.Design, problem.CenteredTarget, active, []);
                    if (problem.Design.Factor is null)
                    {
                        var mu = new double[active.Length];
                        SymmetricEigen.Decompose(gram, active.Length, mu);
                        foreach (double value in mu) sum += Math.Max(value, 0) / (Math.Max(value, 0) + problem.N * penalty.L2);
                    }
                    else
                    {
                        sum = ShapedTrace(gram, active, problem.Design, problem.N * penalty.L2);
                    }
                }
                df[k] = intercept + sum;
            }
        }
        return df;
    }

    /// <summary>tr((G + D)⁻¹G) = m − tr((G + D)⁻¹D), D = nλ2·diag(f_A): the effective df with per-feature L2 weights.</summary>
    private static double ShapedTrace(double[] gram, int[] active, Design design, double nl2)
    {
        int m = active.Length;
        var d = new double[m];
        for (int a = 0; a < m; a++)
        {
            d[a] = nl2 * design.FactorOf(active[a]);
            gram[a * m + a] += d[a];
        }
        if (Cholesky.Factor(gram, m, 1e-14) >= 0) return m;
        double trace = m;
        var e = new double[m];
        for (int a = 0; a < m; a++)
        {
            if (d[a] == 0) continue;
            Array.Clear(e);
            e[a] = d[a];
            Cholesky.Solve(gram, m, e);
            trace -= e[a];
        }
        return trace;
    }
}
