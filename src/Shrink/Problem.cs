using Shrink.Solvers;

namespace Shrink;

/// <summary>
/// A dataset put into the solvers' convention: the implicit centring and scaling of each column, the centred
/// target, and which columns are not variables at all.
/// </summary>
internal sealed partial class Problem
{
    public required Design Design { get; init; }
    public required double[] CenteredTarget { get; init; }
    public required double TargetMean { get; init; }
    /// <summary>
    /// glmnet's internal scale of y: its standard deviation (1/n formula) with an intercept, its root mean square
    /// without one (found by checking glmnet 4.1-6's optimality conditions; tools/reference/README.md).
    /// </summary>
    public required double TargetScale { get; init; }
    public required bool FitIntercept { get; init; }

    private GramState? _gram;

    /// <summary>The covariance form of this problem, built on first use and kept for the rest of a path.</summary>
    public GramState Gram => _gram ??= new GramState(Design, CenteredTarget);

    /// <summary>Supplies the covariance form instead of computing it (cross-validation folds derive theirs).</summary>
    public void UseGramState(GramState gram) => _gram = gram;

    /// <summary>Set for paths: many λ share one Gram matrix, which a single fit would not recoup.</summary>
    public bool PreferGram { get; set; }

    /// <summary>Whether coordinate descent should run in covariance form here.</summary>
    public bool UseGram => PreferGram && GramState.Pays(Design);

    /// <summary>What the previous coordinate-descent fit of a path left for the next (null for single fits).</summary>
    public PathMemory? Memory { get; set; }

    public int N => Design.N;
    public int P => Design.P;

    public static Problem Build(Dataset data, bool fitIntercept, bool standardize)
    {
        var x = data.Features;
        int n = x.Rows, p = x.Columns;
        var values = data.Features.ValuesArray;
        var center = new double[p];
        var scale = new double[p];
        var sum = new double[p];
        var normSq = new double[p];
        var excluded = new bool[p];
        for (int j = 0; j < p; j++)
        {
            var column = x.Column(j);
            sum[j] = Kernels.Sum(column);
            double mean = sum[j] / n;
            double sd = Math.Sqrt(Kernels.SumSquaredDeviations(column, mean) / n);
            bool constant = Kernels.IsConstant(column);
            center[j] = fitIntercept ? mean : 0;
            scale[j] = standardize && !constant ? sd : 1;
            // With an intercept or standardization a constant column carries nothing (and has no scale): not a variable.
            double norm = Kernels.SumSquaredDeviations(column, center[j]) / (n * scale[j] * scale[j]);
            excluded[j] = ((fitIntercept || standardize) && constant) || norm == 0;
            normSq[j] = excluded[j] ? 0 : norm;
        }

        var y = data.TargetSpan;
        double yMean = Kernels.Sum(y) / n;
        double yScale = Math.Sqrt(Kernels.SumSquaredDeviations(y, fitIntercept ? yMean : 0) / n);
        var yc = y.ToArray();
        if (fitIntercept)
            for (int i = 0; i < n; i++) yc[i] -= yMean;

        return new Problem
        {
            Design = new Design { X = values, N = n, P = p, Center = center, Scale = scale, NormSquaredOverN = normSq, Excluded = excluded },
            CenteredTarget = yc,
            TargetMean = yMean,
            TargetScale = yScale,
            FitIntercept = fitIntercept,
        };
    }

    /// <summary>Objective at b = 0 (with the intercept, if any, at its optimum): ‖ỹ‖²/(2n).</summary>
    public double NullObjective => Kernels.Dot(CenteredTarget, CenteredTarget) / (2.0 * N);

    /// <summary>max_j |x̃_jᵀỹ|/n: the smallest L1 weight at which every coefficient is 0.</summary>
    public double MaxCorrelation()
    {
        var residual = new Residual(Design, CenteredTarget, new double[P]);
        double max = 0;
        for (int j = 0; j < P; j++)
            if (!Design.Excluded[j]) max = Math.Max(max, Math.Abs(residual.Dot(j)));
        return max / N;
    }
}
