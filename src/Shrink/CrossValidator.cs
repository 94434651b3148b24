using Shrink.Solvers;

namespace Shrink;

/// <summary>K-fold (or ridge leave-one-out) cross-validation over a shared λ grid, folds in parallel.</summary>
internal static class CrossValidator
{
    /// <summary>Caps the folds run at once (tests use it to show the result does not depend on it).</summary>
    internal static int? MaxParallelism { get; set; }

    public static CrossValidationResult Run(Dataset data, CrossValidationOptions options, Action? stepDone)
    {
        var baseFit = Regression.CheckPathOptions(options.Path);
        Regression.CheckShape(data);
        // Adaptive factors come from one initial fit on all the data, shared by every fold.
        if (baseFit.Adaptive is not null)
        {
            baseFit = AdaptiveLasso.Resolve(data, baseFit);
            options = options with { Path = options.Path with { Fit = baseFit } };
        }
        int n = data.Rows;
        var fits = Fits(options, baseFit);

        if (options.LeaveOneOut)
        {
            if (fits.Any(f => f.EffectiveL1Ratio != 0))
                throw Throw.Error("'folds loo' (exact leave-one-out) is available for ridge only; use k folds for lasso and elastic net");
            var looCurves = fits.Select(f => LeaveOneOut(data, options, f, stepDone)).ToArray();
            return new CrossValidationResult(looCurves, BestCurve(looCurves), options.Choose, options.Measure, null, "leave-one-out");
        }

        int[] folds = AssignFolds(n, options);
        return KFoldAll(new RowFolds(data, folds, folds.Max() + 1), data.FeatureNames, options, baseFit, fits, stepDone, folds);
    }

    /// <summary>
    /// K-fold cross-validation from sufficient statistics gathered per fold: each fold's training problem from the
    /// other folds' statistics merged, its held-out mean squared error exactly from its own (a quadratic form).
    /// </summary>
    public static CrossValidationResult Run(SufficientStatistics stats, CrossValidationOptions options, Action? stepDone)
    {
        var baseFit = Regression.CheckPathOptions(options.Path);
        Regression.CheckShape(stats);
        if (options.LeaveOneOut)
            throw Throw.Error("leave-one-out needs the rows, which statistics do not keep; use k folds (gathered with the statistics)");
        if (options.FoldIds is not null)
            throw Throw.Error("the folds of statistics are fixed when they are gathered (--folds and --seed, or --fold-column, of 'shrink stats'); fold ids cannot be given afterwards");
        if (options.Measure != ErrorMeasure.Mse)
            throw Throw.Error("the mean absolute error cannot be computed from statistics (only squared errors are sums of moments); use measure mse, or cross-validate in memory");
        if (stats.Folds is null)
            throw Throw.Error($"{string.Join(", ", stats.Sources)}: the statistics were gathered without folds; gather them with --folds K (or --fold-column) to cross-validate");
        int k = stats.FoldMoments!.Count;
        if (k < 2) throw Throw.Error($"{string.Join(", ", stats.Sources)}: cross-validation needs at least 2 folds; the statistics hold {k} ({stats.Folds})");
        return KFoldAll(new StatisticFolds(stats), stats.FeatureNames, options, baseFit, Fits(options, baseFit), stepDone, null);
    }

    /// <summary>One fit per L1 ratio searched (just the options' own without a list).</summary>
    private static FitOptions[] Fits(CrossValidationOptions options, FitOptions baseFit)
    {
        var ratios = options.L1Ratios ?? [baseFit.EffectiveL1Ratio];
        return ratios.Select(r => options.L1Ratios is null ? baseFit : baseFit with
        {
            Penalty = r == 1 ? Penalty.Lasso : r == 0 ? Penalty.Ridge : Penalty.ElasticNet,
            L1Ratio = r is > 0 and < 1 ? r : null,
        }).ToArray();
    }

    private static CrossValidationResult KFoldAll(FoldSource source, IReadOnlyList<string> names, CrossValidationOptions options, FitOptions baseFit, FitOptions[] fits,
        Action? stepDone, int[]? folds)
    {
        var gammas = Gammas(options, baseFit);
        if (gammas is not null)
        {
            if (options.L1Ratios is { Count: > 1 }) throw Throw.Error("relaxed cross-validation searches γ with one L1 ratio; give one 'l1-ratio', not several");
            if (baseFit.EffectiveL1Ratio == 0) throw Throw.Error("the relaxed lasso needs an L1 penalty to select features; use lasso or elasticnet, not ridge");
            var relaxed = KFold(source, names, options, baseFit, stepDone, gammas);
            var (curve, index) = ChooseRelaxed(relaxed, options.Choose);
            return new CrossValidationResult(relaxed, curve, options.Choose, options.Measure, folds, "k-fold", index);
        }
        var curves = fits.Select(f => KFold(source, names, options with { Path = options.Path with { Fit = f } }, f, stepDone, null)[0]).ToArray();
        return new CrossValidationResult(curves, BestCurve(curves), options.Choose, options.Measure, folds, "k-fold");
    }

    /// <summary>Where the folds' training problems and held-out errors come from: the rows, or per-fold statistics.</summary>
    private abstract class FoldSource
    {
        public abstract int Count { get; }
        public abstract Problem Full(FitOptions fit);
        /// <summary>Called once the grid is known, before the folds run.</summary>
        public virtual void Prepare(Problem full, FitOptions fit, int gridLength) { }
        public abstract Problem Train(int fold, FitOptions fit);
        /// <summary>The held-out mean error of a model (0 when the fold's weights are all 0), and the fold's size (total weight).</summary>
        public abstract (Func<LinearModel, double> Error, double Size) HeldOut(int fold, ErrorMeasure measure);
    }

    private sealed class RowFolds(Dataset data, int[] folds, int k) : FoldSource
    {
        private FoldGrams? _grams;

        public override int Count => k;

        public override Problem Full(FitOptions fit) => Problem.Build(data, fit);

        // In covariance form every fold's Gram comes from one pass over the data, not one pass per fold.
        // (Weighted folds are left to their own Gram: each has its own weighted centring.)
        public override void Prepare(Problem full, FitOptions fit, int gridLength) =>
            _grams = FoldGrams.Pays(full, k) && gridLength > 1 && data.WeightsArray is null ? new FoldGrams(data, fit.FitIntercept, folds, k) : null;

        public override Problem Train(int f, FitOptions fit)
        {
            var trainRows = Enumerable.Range(0, data.Rows).Where(i => folds[i] != f).ToArray();
            if (trainRows.Length < 2)
                throw Throw.Error($"fold {f + 1} leaves {trainRows.Length} row{(trainRows.Length == 1 ? "" : "s")} to train on; use fewer folds");
            if (_grams is not null)
            {
                // The covariance form needs no rows: the fold's centring and scales from its rows read in place, its Gram
                // from the full data's less its own. No copy of the training rows (90% of X for each fold at once).
                var onRows = Problem.BuildOnRows(data, fit, trainRows);
                if (GramState.Pays(onRows.Design)) return onRows.WithMoments(_grams.For(f, onRows));
            }
            return Problem.Build(Subset(data, trainRows), fit);
        }

        public override (Func<LinearModel, double> Error, double Size) HeldOut(int f, ErrorMeasure measure)
        {
            // The held-out rows need no checks of their own (their weights may well all be 0).
            var testRows = Enumerable.Range(0, data.Rows).Where(i => folds[i] == f).ToArray();
            var testY = Pick(data.TargetSpan.ToArray(), testRows)!;
            var testOffset = Pick(data.OffsetArray, testRows);
            var testWeights = Pick(data.WeightsArray, testRows);
            double size = testWeights?.Sum() ?? testRows.Length;
            if (data.Features.IsSparse)
            {
                var testX = SubsetMatrix(data.Features, testRows);
                return (model => MeanError(model.Predict(testX), testY, testOffset, testWeights, measure), size);
            }
            // Dense: predictions read the held-out rows in place, each column's gathered into one small buffer, with the
            // very operations Predict does on a copy of the rows (so the errors are the same to the last bit).
            var column = new double[testRows.Length];
            return (model => MeanError(PredictRows(model, data.Features, testRows, column), testY, testOffset, testWeights, measure), size);
        }
    }

    private sealed class StatisticFolds(SufficientStatistics stats) : FoldSource
    {
        private readonly long[] _labels = stats.FoldMoments!.Keys.ToArray();

        public override int Count => _labels.Length;

        public override Problem Full(FitOptions fit) => Problem.Build(stats.Total, stats.FeatureNames, stats.WeightsColumn is not null, stats.OffsetColumn is not null, fit);

        public override Problem Train(int f, FitOptions fit)
        {
            var moments = stats.AllBut(_labels[f]);
            if (moments.Count < 2)
                throw Throw.Error($"fold {f + 1} leaves {moments.Count} row{(moments.Count == 1 ? "" : "s")} to train on; use fewer folds");
            return Problem.Build(moments, stats.FeatureNames, stats.WeightsColumn is not null, stats.OffsetColumn is not null, fit);
        }

        public override (Func<LinearModel, double> Error, double Size) HeldOut(int f, ErrorMeasure measure)
        {
            var held = stats.FoldMoments![_labels[f]];
            return (model => held.WeightSum > 0 ? Problem.SquaredError(held, model) / held.WeightSum : 0, held.WeightSum);
        }
    }

    /// <summary>The γ values searched, sorted, with 1 (the penalized fit) added as glmnet does; null without relaxation.</summary>
    private static double[]? Gammas(CrossValidationOptions options, FitOptions fit)
    {
        var given = options.Gammas ?? (fit.RelaxGamma is { } g ? [g] : null);
        return given?.Append(1.0).Distinct().Order().ToArray();
    }

    /// <summary>
    /// The (γ, λ) pair: the smallest mean error over all pairs (ties to the larger λ, then the larger γ), or for the
    /// one-standard-error rule the largest λ, then the largest γ, whose error is within one standard error of it.
    /// </summary>
    private static (int Curve, int Index) ChooseRelaxed(CrossValidationCurve[] curves, LambdaChoice choice)
    {
        int count = curves[0].Mean.Count;
        (int c, int l) best = (curves.Length - 1, 0);
        // Fully relaxed fits on the same supports differ only by rounding: such near-ties go to the larger λ.
        for (int l = 0; l < count; l++)
            for (int c = curves.Length - 1; c >= 0; c--)
                if (curves[c].Mean[l] < curves[best.c].Mean[best.l] * (1 - 1e-12)) best = (c, l);
        if (choice == LambdaChoice.Min) return best;
        double bound = curves[best.c].Mean[best.l] + curves[best.c].StandardError[best.l];
        for (int l = 0; l < count; l++)
            for (int c = curves.Length - 1; c >= 0; c--)
                if (curves[c].Mean[l] <= bound) return (c, l);
        return best;
    }

    private static int BestCurve(CrossValidationCurve[] curves)
    {
        int best = 0;
        for (int c = 1; c < curves.Length; c++)
            if (curves[c].Mean[curves[c].IndexMin] < curves[best].Mean[curves[best].IndexMin]) best = c;
        return best;
    }

    /// <summary>
    /// Fold of each row as 0..K−1: the user's ids (ordered), or the seeded balanced hash of the row's index that
    /// streaming uses (<see cref="FoldScheme.Hashed"/>), so that in memory and streamed the rows fall in the same folds.
    /// </summary>
    internal static int[] AssignFolds(int n, CrossValidationOptions options)
    {
        if (options.FoldIds is { } ids)
        {
            if (ids.Count != n) throw Throw.Error($"the fold column has {ids.Count} values but the data has {n} rows");
            var distinct = ids.Distinct().Order().ToArray();
            if (distinct.Length < 2) throw Throw.Error($"the fold column must hold at least 2 different folds; got {distinct.Length} ({string.Join(", ", distinct)})");
            var index = distinct.Select((id, position) => (id, position)).ToDictionary(t => t.id, t => t.position);
            return ids.Select(id => index[id]).ToArray();
        }
        if (options.Folds > n) throw Throw.Error($"'folds' must be at most the number of rows ({n}); got {options.Folds}");
        var folds = new int[n];
        var cursor = new FoldScheme.FoldCursor(FoldScheme.Hashed(options.Folds, options.Seed));
        for (int i = 0; i < n; i++) folds[i] = cursor.FoldOf(i);
        return folds;
    }

    /// <param name="gammas">Relaxed lasso: one curve per γ from the same penalized fits and refits; null for one plain curve.</param>
    private static CrossValidationCurve[] KFold(FoldSource source, IReadOnlyList<string> names, CrossValidationOptions options, FitOptions fit, Action? stepDone, double[]? gammas)
    {
        fit = fit with { RelaxGamma = null };
        int k = source.Count;
        var full = source.Full(fit);
        var grid = PathFitter.Grid(full, options.Path);
        var path = PathFitter.Run(full, names, fit, grid, stepDone, maxFeatures: options.Path.MaxFeatures);
        // A path stopped by max-features sets the grid the folds use (as cv.glmnet).
        if (path.Count < grid.Length) grid = grid[..path.Count];
        var fullRefits = gammas is null ? null : PathFitter.Refits(full, names, fit, path);
        // The full path's Gram matrix is not needed by the folds (each has its own): let it go before they start.
        full.ForgetGram();
        int curveCount = gammas?.Length ?? 1;
        source.Prepare(full, fit, grid.Length);
        var foldError = new double[k][][];
        var foldSize = new double[k];
        try
        {
            Parallel.For(0, k, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelism ?? Environment.ProcessorCount }, f =>
            {
                var problem = source.Train(f, fit);
                var foldPath = PathFitter.Run(problem, names, fit, grid, stepDone);
                var refits = gammas is null ? null : PathFitter.Refits(problem, names, fit, foldPath);
                var (error, size) = source.HeldOut(f, options.Measure);
                var errors = new double[curveCount][];
                for (int c = 0; c < curveCount; c++)
                {
                    errors[c] = new double[grid.Length];
                    for (int l = 0; l < grid.Length; l++)
                    {
                        var model = gammas is null ? foldPath.Model(l) : Relaxation.Blend(foldPath.Model(l), refits![l], gammas[c]);
                        errors[c][l] = error(model);
                    }
                }
                foldError[f] = errors;
                foldSize[f] = size;
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<ShrinkException>().FirstOrDefault() is { } first)
        {
            // A user error in one fold (say, least squares that is not identifiable there) reads as itself.
            throw Throw.Error(first.Message);
        }

        // Folds weighted by their size (their total weight, with weights); the standard error divides by K − 1 (as cv.glmnet).
        double total = foldSize.Sum();
        var curves = new CrossValidationCurve[curveCount];
        for (int c = 0; c < curveCount; c++)
        {
            var mean = new double[grid.Length];
            var se = new double[grid.Length];
            for (int l = 0; l < grid.Length; l++)
            {
                double m = 0;
                for (int f = 0; f < k; f++)
                    if (foldSize[f] > 0) m += foldSize[f] * foldError[f][c][l];
                m /= total;
                double v = 0;
                for (int f = 0; f < k; f++)
                    if (foldSize[f] > 0) v += foldSize[f] * (foldError[f][c][l] - m) * (foldError[f][c][l] - m);
                mean[l] = m;
                se[l] = Math.Sqrt(v / total / (k - 1));
            }
            curves[c] = gammas is null
                ? new CrossValidationCurve(fit.EffectiveL1Ratio, path, mean, se)
                : new CrossValidationCurve(fit.EffectiveL1Ratio, PathFitter.Relaxed(full, path, fullRefits!, gammas[c]), mean, se) { Gamma = gammas[c] };
        }
        return curves;
    }

    private static CrossValidationCurve LeaveOneOut(Dataset data, CrossValidationOptions options, FitOptions fit, Action? stepDone)
    {
        var problem = Problem.Build(data, fit);
        if (problem.Design.Shaped)
            throw Throw.Error("exact leave-one-out needs the plain ridge penalty; with penalty factors, exclusions or bounds use k folds");
        var grid = PathFitter.Grid(problem, options.Path);
        var spectrum = new RidgeSpectrum(problem.Design, problem.CenteredTarget, needLeftVectors: true);
        var path = PathFitter.Run(problem, data.FeatureNames, fit, grid, stepDone, spectrum);
        int n = problem.N;
        var root = problem.Design.Root;
        var l2 = grid.Select(lambda => Engine.Canonical(problem, fit, lambda).L2).ToArray();
        var residuals = new double[n * grid.Length];
        var gcv = spectrum.LeaveOneOutResiduals(l2, problem.FitIntercept, residuals);
        var mean = new double[grid.Length];
        var se = new double[grid.Length];
        for (int l = 0; l < grid.Length; l++)
        {
            var loo = residuals.AsSpan(l * n, n);
            // With weights the residuals are those of the √w-scaled problem; each row's error is weighted by w_i/n.
            double m = 0, v = 0;
            for (int i = 0; i < n; i++)
            {
                double w = root is null ? 1 : root[i] * root[i];
                if (w > 0) m += w * Error(loo[i] / (root is null ? 1 : root[i]), options.Measure);
            }
            m /= n;
            for (int i = 0; i < n; i++)
            {
                double w = root is null ? 1 : root[i] * root[i];
                if (w > 0) { double d = Error(loo[i] / (root is null ? 1 : root[i]), options.Measure) - m; v += w * d * d; }
            }
            mean[l] = m;
            se[l] = Math.Sqrt(v / n / (n - 1));
        }
        return new CrossValidationCurve(0, path, mean, se, gcv);
    }

    private static double Error(double residual, ErrorMeasure measure) =>
        measure == ErrorMeasure.Mse ? residual * residual : Math.Abs(residual);

    /// <summary>The (weighted) mean error of predictions plus the offset; 0 for a fold whose weights are all 0.</summary>
    private static double MeanError(double[] predicted, double[] actual, double[]? offset, double[]? weights, ErrorMeasure measure)
    {
        double sum = 0, total = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            double w = weights?[i] ?? 1;
            if (w == 0) continue;
            sum += w * Error(actual[i] - predicted[i] - (offset?[i] ?? 0), measure);
            total += w;
        }
        return total > 0 ? sum / total : 0;
    }

    /// <summary>b0 + x_iᵀb for the given rows of a dense matrix, as <see cref="LinearModel.Predict(FeatureMatrix)"/> on a copy of them.</summary>
    private static double[] PredictRows(LinearModel model, FeatureMatrix x, int[] rows, double[] buffer)
    {
        var result = new double[rows.Length];
        Array.Fill(result, model.Intercept);
        var coefficients = (CoefficientVector)model.Coefficients;
        var positions = coefficients.NonZeroPositions;
        var values = coefficients.NonZeroValues;
        for (int k = 0; k < positions.Length; k++)
        {
            var source = x.Column(positions[k]);
            for (int i = 0; i < rows.Length; i++) buffer[i] = source[rows[i]];
            Kernels.Axpy(values[k], buffer, result);
        }
        return result;
    }

    private static FeatureMatrix SubsetMatrix(FeatureMatrix x, int[] rows) => x.SelectRows(rows);

    internal static Dataset Subset(Dataset data, int[] rows)
    {
        int p = data.Features.Columns, m = rows.Length;
        var features = SubsetMatrix(data.Features, rows);
        var source = data.TargetSpan;
        var target = new double[m];
        for (int i = 0; i < m; i++) target[i] = source[rows[i]];
        return new Dataset(features, target, data.FeatureNames, data.TargetName,
            Pick(data.WeightsArray, rows), Pick(data.OffsetArray, rows));
    }

    private static double[]? Pick(double[]? values, int[] rows)
    {
        if (values is null) return null;
        var picked = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++) picked[i] = values[rows[i]];
        return picked;
    }
}
