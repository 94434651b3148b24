using Shrink.Solvers;

namespace Shrink;

internal sealed partial class Problem
{
    /// <summary>
    /// The same design with another target: the column centres, scales and exclusions are target-independent, so they
    /// are reused (and, once computed, the Gram matrix X̃ᵀX̃); only the target's own centring is new. Gives exactly the
    /// problem <see cref="Build"/> would build for that target.
    /// </summary>
    public Problem ForTarget(ReadOnlySpan<double> y)
    {
        int n = N;
        double mean = Kernels.Sum(y) / n;
        double scale = Math.Sqrt(Kernels.SumSquaredDeviations(y, FitIntercept ? mean : 0) / n);
        var yc = y.ToArray();
        if (FitIntercept)
            for (int i = 0; i < n; i++) yc[i] -= mean;
        var problem = new Problem { Design = Design, CenteredTarget = yc, TargetMean = mean, TargetScale = scale, FitIntercept = FitIntercept };
        if (_gram is not null) problem.UseGramState(new GramState(_gram, yc));
        return problem;
    }
}
