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
        int n = data.Rows;
        var ratios = options.L1Ratios ?? [baseFit.EffectiveL1Ratio];
        var fits = ratios.Select(r => options.L1Ratios is null ? baseFit : baseFit with
        {
            Penalty = r == 1 ? Penalty.Lasso : r == 0 ? Penalty.Ridge : Penalty.ElasticNet,
            L1Ratio = r is > 0 and < 1 ? r : null,
        }).ToArray();

        if (options.LeaveOneOut)
        {
            if (fits.Any(f => f.EffectiveL1Ratio != 0))
                throw Throw.Error("'folds loo' (exact leave-one-out) is available for ridge only; use k folds for lasso and elastic net");
            var looCurves = fits.Select(f => LeaveOneOut(data, options, f, stepDone)).ToArray();
            return new CrossValidationResult(looCurves, BestCurve(looCurves), options.Choose, options.Measure, null, "leave-one-out");
        }

        int[] folds = AssignFolds(n, options);
        int k = folds.Max() + 1;
        var curves = fits.Select(f => KFold(data, options with { Path = options.Path with { Fit = f } }, f, folds, k, stepDone)).ToArray();
        return new CrossValidationResult(curves, BestCurve(curves), options.Choose, options.Measure, folds, "k-fold");
    }

    private static int BestCurve(CrossValidationCurve[] curves)
    {
        int best = 0;
        for (int c = 1; c < curves.Length; c++)
            if (curves[c].Mean[curves[c].IndexMin] < curves[best].Mean[curves[best].IndexMin]) best = c;
        return best;
    }

    /// <summary>Fold of each row as 0..K−1: the user's ids (ordered), or a seeded shuffle of 0, 1, ..., K−1, 0, 1, ...</summary>
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
        for (int i = 0; i < n; i++) folds[i] = i % options.Folds;
        var rng = new Random(options.Seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (folds[i], folds[j]) = (folds[j], folds[i]);
        }
        return folds;
    }

    private static CrossValidationCurve KFold(Dataset data, CrossValidationOptions options, FitOptions fit, int[] folds, int k, Action? stepDone)
    {
        var full = Problem.Build(data, fit.FitIntercept, fit.Standardize);
        var grid = PathFitter.Grid(full, options.Path);
        var path = PathFitter.Run(full, data.FeatureNames, fit, grid, stepDone);

        // In covariance form every fold's Gram comes from one pass over the data, not one pass per fold.
        var foldGrams = FoldGrams.Pays(full, k) && grid.Length > 1 ? new FoldGrams(data, fit.FitIntercept, folds, k) : null;
        var foldError = new double[k][];
        var foldSize = new double[k];
        try
        {
            Parallel.For(0, k, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelism ?? Environment.ProcessorCount }, f =>
            {
                var trainRows = Enumerable.Range(0, data.Rows).Where(i => folds[i] != f).ToArray();
                var testRows = Enumerable.Range(0, data.Rows).Where(i => folds[i] == f).ToArray();
                if (trainRows.Length < 2)
                    throw Throw.Error($"fold {f + 1} leaves {trainRows.Length} row{(trainRows.Length == 1 ? "" : "s")} to train on; use fewer folds");
                var train = Subset(data, trainRows);
                var problem = Problem.Build(train, fit.FitIntercept, fit.Standardize);
                if (foldGrams is not null && GramState.Pays(problem.Design)) problem.UseGramState(foldGrams.For(f, problem));
                var foldPath = PathFitter.Run(problem, data.FeatureNames, fit, grid, stepDone);
                var test = Subset(data, testRows);
                var errors = new double[grid.Length];
                for (int l = 0; l < grid.Length; l++)
                    errors[l] = MeanError(foldPath.Model(l).Predict(test.Features), test.TargetSpan, options.Measure);
                foldError[f] = errors;
                foldSize[f] = testRows.Length;
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<ShrinkException>().FirstOrDefault() is { } first)
        {
            // A user error in one fold (say, least squares that is not identifiable there) reads as itself.
            throw Throw.Error(first.Message);
        }

        // Folds weighted by their size; the standard error divides by K − 1 (as cv.glmnet).
        double total = foldSize.Sum();
        var mean = new double[grid.Length];
        var se = new double[grid.Length];
        for (int l = 0; l < grid.Length; l++)
        {
            double m = 0;
            for (int f = 0; f < k; f++) m += foldSize[f] * foldError[f][l];
            m /= total;
            double v = 0;
            for (int f = 0; f < k; f++) v += foldSize[f] * (foldError[f][l] - m) * (foldError[f][l] - m);
            mean[l] = m;
            se[l] = Math.Sqrt(v / total / (k - 1));
        }
        return new CrossValidationCurve(fit.EffectiveL1Ratio, path, mean, se);
    }

    private static CrossValidationCurve LeaveOneOut(Dataset data, CrossValidationOptions options, FitOptions fit, Action? stepDone)
    {
        var problem = Problem.Build(data, fit.FitIntercept, fit.Standardize);
        var grid = PathFitter.Grid(problem, options.Path);
        var spectrum = new RidgeSpectrum(problem.Design, problem.CenteredTarget, needLeftVectors: true);
        var path = PathFitter.Run(problem, data.FeatureNames, fit, grid, stepDone, spectrum);
        int n = problem.N;
        var l2 = grid.Select(lambda => Engine.Canonical(problem, fit, lambda).L2).ToArray();
        var residuals = new double[n * grid.Length];
        var gcv = spectrum.LeaveOneOutResiduals(l2, problem.FitIntercept, residuals);
        var mean = new double[grid.Length];
        var se = new double[grid.Length];
        for (int l = 0; l < grid.Length; l++)
        {
            var loo = residuals.AsSpan(l * n, n);
            double m = 0;
            foreach (double e in loo) m += Error(e, options.Measure);
            m /= n;
            double v = 0;
            foreach (double e in loo) v += (Error(e, options.Measure) - m) * (Error(e, options.Measure) - m);
            mean[l] = m;
            se[l] = Math.Sqrt(v / n / (n - 1));
        }
        return new CrossValidationCurve(0, path, mean, se, gcv);
    }

    private static double Error(double residual, ErrorMeasure measure) =>
        measure == ErrorMeasure.Mse ? residual * residual : Math.Abs(residual);

    private static double MeanError(double[] predicted, ReadOnlySpan<double> actual, ErrorMeasure measure)
    {
        double sum = 0;
        for (int i = 0; i < predicted.Length; i++) sum += Error(actual[i] - predicted[i], measure);
        return sum / predicted.Length;
    }

    internal static Dataset Subset(Dataset data, int[] rows)
    {
        int p = data.Features.Columns, m = rows.Length;
        var values = new double[(long)m * p];
        for (int j = 0; j < p; j++)
        {
            var column = data.Features.Column(j);
            for (int i = 0; i < m; i++) values[j * m + i] = column[rows[i]];
        }
        var source = data.TargetSpan;
        var target = new double[m];
        for (int i = 0; i < m; i++) target[i] = source[rows[i]];
        return new Dataset(FeatureMatrix.FromColumnMajor(values, m, p), target, data.FeatureNames, data.TargetName);
    }
}
