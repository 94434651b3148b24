using Shrink.Solvers;

namespace Shrink;

/// <summary>X̃ᵀX̃ over every column (p x p row-major, zero in excluded rows and columns), X̃ᵀỹ and ‖ỹ‖².</summary>
internal sealed record MomentForm(double[] Gram, double[] Xty, double YSquared)
{
    /// <summary>X̃_SᵀX̃_S over the columns S (m x m, row-major).</summary>
    public double[] Block(int[] columns)
    {
        int m = columns.Length, p = Xty.Length;
        var block = new double[m * m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) block[a * m + b] = Gram[columns[a] * p + columns[b]];
        return block;
    }
}

internal sealed partial class Problem
{
    /// <summary>
    /// The problem Build would make from the rows, made from their statistics instead: the same centring, scales,
    /// exclusions, penalty factors and bounds, and the covariance form supplied whole. With weights rescaled to sum to
    /// n (factor a = n/W) and d = x̄ − centre (0 with an intercept, x̄ without): X̃ᵀX̃ = a·(M + W·d·dᵀ)/(s·sᵀ).
    /// </summary>
    public static Problem Build(Moments moments, IReadOnlyList<string> names, bool weighted, bool hasOffset, FitOptions options)
    {
        bool fitIntercept = options.FitIntercept, standardize = options.Standardize;
        int p = names.Count, m = p + 1, t = p;
        if (moments.Count > int.MaxValue) throw Throw.Error($"the statistics hold {moments.Count} rows; at most {int.MaxValue} are supported");
        int n = (int)moments.Count;
        double w = moments.WeightSum;
        if (!(w > 0)) throw Throw.Error(weighted ? "the weights are all 0: at least one row must have a positive weight" : "the statistics hold no rows");
        double a = n / w;
        var mean = moments.Mean;
        var cm = moments.Comoment;
        var center = new double[p];
        var scale = new double[p];
        var normSq = new double[p];
        var excluded = new bool[p];
        var d = new double[m];
        for (int j = 0; j < m; j++) d[j] = fitIntercept ? 0 : mean[j];
        for (int j = 0; j < p; j++)
        {
            double sd = Math.Sqrt(Math.Max(cm[j * m + j], 0) / w);
            bool constant = moments.Min[j] == moments.Max[j];
            center[j] = fitIntercept ? mean[j] : 0;
            scale[j] = standardize && !constant ? sd : 1;
            double norm = a * (Math.Max(cm[j * m + j], 0) + w * d[j] * d[j]) / (n * scale[j] * scale[j]);
            excluded[j] = ((fitIntercept || standardize) && constant) || norm == 0;
            normSq[j] = excluded[j] ? 0 : norm;
        }
        double ySquared = a * (Math.Max(cm[t * m + t], 0) + w * d[t] * d[t]);
        var gram = new double[p * p];
        var xty = new double[p];
        for (int j = 0; j < p; j++)
        {
            if (excluded[j]) continue;
            for (int k = 0; k < p; k++)
                if (!excluded[k]) gram[j * p + k] = a * (cm[j * m + k] + w * d[j] * d[k]) / (scale[j] * scale[k]);
            xty[j] = a * (cm[j * m + t] + w * d[j] * d[t]) / scale[j];
        }

        var dataExcluded = (bool[])excluded.Clone();
        var (factor, reported, lower, upper) = FeatureControls(names, options, scale, excluded);
        // User exclusions come after the Gram was filled: clear them so that no solver reads them.
        for (int j = 0; j < p; j++)
            if (excluded[j] && !dataExcluded[j])
            {
                xty[j] = 0;
                for (int k = 0; k < p; k++) gram[j * p + k] = gram[k * p + j] = 0;
            }
        var originalLower = lower is null ? null : OriginalBounds(names, options, false);
        var originalUpper = upper is null ? null : OriginalBounds(names, options, true);
        var controls = new ModelControls
        {
            Weighted = weighted,
            HasOffset = hasOffset,
            PenaltyFactors = reported is null ? null : Enumerable.Range(0, p).Where(j => !excluded[j]).ToDictionary(j => names[j], j => reported[j], StringComparer.Ordinal),
            Excluded = Enumerable.Range(0, p).Where(j => excluded[j] && !dataExcluded[j]).Select(j => names[j]).ToArray() is { Length: > 0 } e ? e : null,
            LowerBounds = Finite(originalLower, names),
            UpperBounds = Finite(originalUpper, names),
        };
        return new Problem
        {
            Design = new Design
            {
                X = [], N = n, P = p, Center = center, Scale = scale, NormSquaredOverN = normSq, Excluded = excluded,
                Factor = factor, Lower = lower, Upper = upper,
            },
            CenteredTarget = [],
            TargetMean = mean[t],
            TargetScale = Math.Sqrt(ySquared / n),
            FitIntercept = fitIntercept,
            Controls = controls.IsEmpty ? ModelControls.None : controls,
            OriginalLower = originalLower,
            OriginalUpper = originalUpper,
            Moments = new MomentForm(gram, xty, ySquared),
        };
    }

    /// <summary>
    /// Σw·(y − offset − b0 − xᵀb)² over the rows of <paramref name="moments"/>, exactly from their statistics:
    /// Σw(y − ȳ)² − 2bᵀΣw(x − x̄)(y − ȳ) + bᵀΣw(x − x̄)(x − x̄)ᵀb + W·(ȳ − b0 − x̄ᵀb)².
    /// </summary>
    public static double SquaredError(Moments moments, LinearModel model)
    {
        int p = model.Coefficients.Count, m = p + 1, t = p;
        var cm = moments.Comoment;
        var b = model.Coefficients;
        double cross = 0, quadratic = 0, bias = moments.Mean[t] - model.Intercept;
        for (int j = 0; j < p; j++)
        {
            if (b[j] == 0) continue;
            cross += b[j] * cm[j * m + t];
            bias -= b[j] * moments.Mean[j];
            double row = 0;
            for (int k = 0; k < p; k++)
                if (b[k] != 0) row += cm[j * m + k] * b[k];
            quadratic += b[j] * row;
        }
        return Math.Max(cm[t * m + t] - 2 * cross + quadratic + moments.WeightSum * bias * bias, 0);
    }
}
