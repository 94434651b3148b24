using Shrink.Solvers;

namespace Shrink;

internal sealed partial class Problem
{
    /// <summary>
    /// The same design with another target: the column centres, scales, exclusions, weights, factors and bounds are
    /// target-independent, so they are reused (and, once computed, the Gram matrix X̃ᵀX̃); only the target's own
    /// (weighted) centring is new. Gives exactly the problem <see cref="Build(Dataset, FitOptions)"/> would build for
    /// that target.
    /// </summary>
    public Problem ForTarget(ReadOnlySpan<double> y)
    {
        int n = N;
        var root = Design.Root;
        double mean = 0, squares = 0;
        if (root is null)
        {
            mean = Kernels.Sum(y) / n;
            squares = Kernels.SumSquaredDeviations(y, FitIntercept ? mean : 0);
        }
        else
        {
            for (int i = 0; i < n; i++) mean += root[i] * root[i] * y[i];
            mean /= n;
            double shift = FitIntercept ? mean : 0;
            for (int i = 0; i < n; i++) squares += root[i] * root[i] * (y[i] - shift) * (y[i] - shift);
        }
        var yc = y.ToArray();
        for (int i = 0; i < n; i++)
        {
            if (FitIntercept) yc[i] -= mean;
            if (root is not null) yc[i] *= root[i];
        }
        var problem = new Problem
        {
            Design = Design, CenteredTarget = yc, TargetMean = mean, TargetScale = Math.Sqrt(squares / n), FitIntercept = FitIntercept,
            Controls = Controls, OriginalLower = OriginalLower, OriginalUpper = OriginalUpper,
        };
        if (_gram is not null) problem.UseGramState(new GramState(_gram, yc));
        return problem;
    }
}
