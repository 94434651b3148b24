using Shrink.Solvers;

namespace Shrink;

/// <summary>
/// A multi-target dataset put into the solvers' convention: the shared implicit design and the targets, centred when
/// there is an intercept, stored target after target.
/// </summary>
internal sealed class MultiTaskProblem
{
    public required Design Design { get; init; }
    public required double[] Y { get; init; }
    public required double[] Means { get; init; }
    public required int K { get; init; }
    public required bool FitIntercept { get; init; }
    public GroupMemory? Memory { get; set; }
    public ModelControls Controls { get; init; } = ModelControls.None;

    private GroupGram? _gram;

    /// <summary>The covariance form, built on first use and kept for the rest of a path.</summary>
    public GroupGram Gram => _gram ??= new GroupGram(Design, Y, K);

    /// <summary>Set for paths: many λ share one Gram matrix, which a single fit would not recoup.</summary>
    public bool PreferGram { get; set; }

    /// <summary>Whether block coordinate descent should run in covariance form here (the single-target rule).</summary>
    public bool UseGram => PreferGram && GramState.Pays(Design);

    public int N => Design.N;
    public int P => Design.P;

    /// <summary>The options' penalty factors and exclusions apply (the design carries them); other controls are refused by CheckOptions.</summary>
    public static MultiTaskProblem Build(MultiTargetDataset data, FitOptions options)
    {
        bool fitIntercept = options.FitIntercept;
        var first = Problem.Build(data.First, options);
        int n = first.N, k = data.TargetCount;
        var y = new double[n * k];
        var means = new double[k];
        for (int t = 0; t < k; t++)
        {
            var target = t == 0 ? first : first.ForTarget(data.TargetSpan(t));
            target.CenteredTarget.CopyTo(y, t * n);
            means[t] = target.TargetMean;
        }
        return new MultiTaskProblem { Design = first.Design, Y = y, Means = means, K = k, FitIntercept = fitIntercept, Controls = first.Controls };
    }

    /// <summary>‖Ỹ‖_F²/(2n): the objective with every coefficient 0.</summary>
    public double NullObjective => Kernels.Dot(Y, Y) / (2.0 * N);

    /// <summary>max_j ‖x̃_jᵀỸ‖₂/n: the smallest L1 weight at which every coefficient is 0.</summary>
    public double MaxGroupCorrelation()
    {
        var residual = new GroupResidual(Design, Y, K, new double[P * K]);
        var v = new double[P * K];
        residual.Gradient(v);
        double max = 0;
        for (int j = 0; j < P; j++)
            if (!Design.Excluded[j]) max = Math.Max(max, GroupDescent.RowNorm(v, j, K) / Design.FactorOf(j));
        return max / N;
    }
}

/// <summary>Fits the multi-task lasso / elastic net: one λ, a warm-started path, K-fold cross-validation.</summary>
internal static class MultiTaskFitter
{
    public const string SolverName = "block-coordinate-descent";

    /// <summary>Rejects what the multi-task penalty cannot be: it needs an L1 part to select features.</summary>
    public static void CheckOptions(FitOptions options)
    {
        options.CheckConsistent();
        if (options.LowerBounds is { Count: > 0 } || options.UpperBounds is { Count: > 0 } || options.Positive)
            throw Throw.Error("coefficient bounds are not available for the multi-task lasso (a feature's coefficients over the targets shrink as one group)");
        if (options.RelaxGamma is not null) throw Throw.Error("the relaxed lasso is not available for the multi-task lasso yet");
        if (options.Adaptive is not null) throw Throw.Error("the adaptive lasso is not available for the multi-task lasso yet; give penalty factors instead");
        if (options.PenaltyFactors?.Values.Any(f => f == 0) == true)
            throw Throw.Error("a penalty factor of 0 (unpenalized) is not available for the multi-task lasso yet; use a small positive factor");
        if (options.Penalty is Penalty.Ridge or Penalty.Ols || options.EffectiveL1Ratio == 0)
            throw Throw.Error($"the multi-task lasso needs penalty lasso or elasticnet with l1-ratio > 0 (its L1 part selects features for all targets together); got {Names.Of(options.Penalty)}{(options.Penalty == Penalty.ElasticNet ? " with l1-ratio 0" : "")}: fit each target on its own instead");
    }

    public static CanonicalPenalty Canonical(MultiTaskProblem problem, FitOptions options, double lambda) =>
        // glmnet's mgaussian does not scale the responses (tools/reference/README.md, "Multi-task"): σ = 1.
        ConventionMap.ToCanonical(options.Convention, options.Penalty, lambda, options.EffectiveL1Ratio, problem.N, problem.P, 1);

    /// <summary>The smallest λ (in the options' convention) at which every coefficient is 0.</summary>
    public static double LambdaMax(MultiTaskProblem problem, FitOptions options) =>
        problem.MaxGroupCorrelation() / Canonical(problem, options, 1).L1;

    /// <param name="lambdaMax">The problem's <see cref="LambdaMax"/> when the caller has it (a path), else NaN.</param>
    public static MultiTaskModel FitAt(MultiTaskProblem problem, IReadOnlyList<string> names, IReadOnlyList<string> targets, FitOptions options,
        double lambda, double[] beta, out double residualSquared, double lambdaMax = double.NaN)
    {
        int n = problem.N, p = problem.P, k = problem.K;
        var penalty = Canonical(problem, options, lambda);
        double gapTolerance = options.Tolerance * problem.NullObjective;
        CoordinateDescent.Outcome outcome = new(0, true, 0);
        var v = new double[p * k];
        string solver = SolverName;
        if (double.IsNaN(lambdaMax)) lambdaMax = LambdaMax(problem, options);
        // At or above λmax every coefficient is 0 by definition. The solver's group gradients are summed in another order
        // than λmax's (which depends on the vector width the machine has), so at λmax itself a group could otherwise
        // enter by a rounding error: 1e-17 where the answer is 0.
        bool zero = lambda >= lambdaMax;
        if (zero) Array.Clear(beta);
        if (problem.UseGram)
        {
            if (!zero)
                outcome = GroupGramDescent.Solve(problem.Gram, penalty.L1, penalty.L2, problem.Design.Factor, gapTolerance, options.MaxIterations, beta, problem.Memory);
            // The certificate from the covariance form, recomputed from scratch: H = X̃ᵀỸ − X̃ᵀX̃·B.
            GroupGramDescent.Gradient(problem.Gram, beta, v);
            residualSquared = GroupGramDescent.ResidualSquared(problem.Gram, v, beta);
            solver += " (gram)";
        }
        else
        {
            if (!zero)
                outcome = GroupDescent.Solve(problem.Design, problem.Y, k, penalty.L1, penalty.L2, problem.Design.Factor, gapTolerance, options.MaxIterations, beta, problem.Memory);
            // The certificate, from a residual recomputed from scratch.
            var residual = new GroupResidual(problem.Design, problem.Y, k, beta);
            residual.Gradient(v);
            residualSquared = residual.SquaredNorm();
        }
        var norms = new double[p];
        for (int j = 0; j < p; j++) norms[j] = GroupDescent.RowNorm(v, j, k);
        double gap = GroupDescent.Gap(v, norms, beta, residualSquared, n, k, penalty.L1, penalty.L2, problem.Design.Factor);
        double objective = GroupDescent.Objective(residualSquared, beta, n, k, penalty.L1, penalty.L2, problem.Design.Factor);
        double scale = ConventionMap.ObjectiveScale(options.Convention, options.Penalty, n);

        var intercepts = problem.FitIntercept ? (double[])problem.Means.Clone() : new double[k];
        var coefficients = new double[p][];
        for (int j = 0; j < p; j++)
        {
            coefficients[j] = new double[k];
            for (int t = 0; t < k; t++)
            {
                if (beta[j * k + t] == 0) continue;
                coefficients[j][t] = beta[j * k + t] / problem.Design.Scale[j];
                if (problem.FitIntercept) intercepts[t] -= coefficients[j][t] * problem.Design.Center[j];
            }
        }
        var diagnostics = new FitDiagnostics(objective * scale, gap * scale, options.Tolerance, gapTolerance * scale, outcome.Sweeps,
            gap <= gapTolerance, solver);
        return new MultiTaskModel(names, targets, intercepts, coefficients, options.Penalty, lambda, options.EffectiveL1Ratio, options.Convention,
            options.FitIntercept, options.Standardize, n, penalty.Lambda, penalty.L1Ratio, diagnostics);
    }

    public static double[] Grid(MultiTaskProblem problem, PathOptions options)
    {
        if (options.Lambdas is { } explicitGrid) return explicitGrid.ToArray();
        double lambdaMax = LambdaMax(problem, options.Fit);
        if (!(lambdaMax > 0)) lambdaMax = 1; // every target constant about its mean
        double ratio = options.LambdaMinRatio ?? (problem.N > problem.P ? 1e-4 : 1e-2);
        int count = options.LambdaCount;
        var grid = new double[count];
        for (int s = 0; s < count; s++)
            grid[s] = count == 1 ? lambdaMax : lambdaMax * Math.Pow(ratio, s / (double)(count - 1));
        return grid;
    }

    public static MultiTaskPath Run(MultiTaskProblem problem, IReadOnlyList<string> names, IReadOnlyList<string> targets, FitOptions fit, double[] grid, Action? stepDone)
    {
        var beta = new double[problem.P * problem.K];
        problem.Memory = grid.Length > 1 ? new GroupMemory() : null;
        problem.PreferGram = grid.Length > 1;
        var models = new MultiTaskModel[grid.Length];
        var rss = new double[grid.Length];
        if (grid.FirstOrDefault(l => !(l > 0)) is var bad && grid.Any(l => !(l > 0)))
            throw Throw.Error($"'lambdas' must be > 0 for the multi-task lasso (λ = 0 is least squares, which fits each target on its own); got {Throw.Format(bad)}");
        double lambdaMax = LambdaMax(problem, fit);
        for (int s = 0; s < grid.Length; s++)
        {
            models[s] = FitAt(problem, names, targets, fit, grid[s], beta, out rss[s], lambdaMax);
            stepDone?.Invoke();
        }
        double tss = Kernels.Dot(problem.Y, problem.Y);
        return new MultiTaskPath(models, rss.Select(value => tss > 0 ? 1 - value / tss : 0).ToArray());
    }

    public static MultiTaskCrossValidationResult CrossValidate(MultiTargetDataset data, CrossValidationOptions options, Action? stepDone)
    {
        var fit = options.Path.Fit;
        CheckOptions(fit);
        if (options.LeaveOneOut)
            throw Throw.Error("'folds loo' (exact leave-one-out) is available for ridge only; the multi-task lasso takes k folds");
        if (options.L1Ratios is not null)
            throw Throw.Error("'l1-ratios' (searching the elastic-net mix) is not available for the multi-task lasso; cross-validate one l1-ratio at a time");
        int n = data.Rows, k = data.TargetCount;
        int[] folds = CrossValidator.AssignFolds(n, options);
        int count = folds.Max() + 1;
        var full = MultiTaskProblem.Build(data, fit);
        var grid = Grid(full, options.Path);
        var path = Run(full, data.FeatureNames, data.TargetNames, fit, grid, stepDone);

        var foldError = new double[count][];
        var foldSize = new double[count];
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = CrossValidator.MaxParallelism ?? Environment.ProcessorCount }, f =>
            {
                var trainRows = Enumerable.Range(0, n).Where(i => folds[i] != f).ToArray();
                var testRows = Enumerable.Range(0, n).Where(i => folds[i] == f).ToArray();
                if (trainRows.Length < 2)
                    throw Throw.Error($"fold {f + 1} leaves {trainRows.Length} row{(trainRows.Length == 1 ? "" : "s")} to train on; use fewer folds");
                var train = data.Subset(trainRows);
                var problem = MultiTaskProblem.Build(train, fit);
                var foldPath = Run(problem, data.FeatureNames, data.TargetNames, fit, grid, stepDone);
                var test = data.Subset(testRows);
                var errors = new double[grid.Length];
                for (int l = 0; l < grid.Length; l++)
                {
                    var predicted = foldPath.Model(l).Predict(test.Features);
                    double sum = 0;
                    for (int t = 0; t < k; t++)
                    {
                        var actual = test.TargetSpan(t);
                        for (int i = 0; i < actual.Length; i++)
                        {
                            double e = actual[i] - predicted[t][i];
                            sum += options.Measure == ErrorMeasure.Mse ? e * e : Math.Abs(e);
                        }
                    }
                    // Per row, the error summed over the targets (cv.glmnet, family "mgaussian"); averaged over the fold's rows.
                    errors[l] = sum / testRows.Length;
                }
                foldError[f] = errors;
                foldSize[f] = testRows.Length;
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<ShrinkException>().FirstOrDefault() is { } first)
        {
            throw Throw.Error(first.Message);
        }

        double total = foldSize.Sum();
        var mean = new double[grid.Length];
        var se = new double[grid.Length];
        for (int l = 0; l < grid.Length; l++)
        {
            double m = 0;
            for (int f = 0; f < count; f++) m += foldSize[f] * foldError[f][l];
            m /= total;
            double v = 0;
            for (int f = 0; f < count; f++) v += foldSize[f] * (foldError[f][l] - m) * (foldError[f][l] - m);
            mean[l] = m;
            se[l] = Math.Sqrt(v / total / (count - 1));
        }
        return new MultiTaskCrossValidationResult(path, mean, se, options.Choose, options.Measure, folds);
    }
}
