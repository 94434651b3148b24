namespace Shrink.Solvers;

/// <summary>
/// The last K + 1 iterates of a fixed active set (each active feature's <c>width</c> consecutive coefficients), from
/// which an Anderson step takes the affine combination that best cancels their successive differences. Shared by the
/// plain, covariance and multi-task solvers; each decides for itself whether the step is kept.
/// </summary>
internal sealed class IterateHistory(int[] active, int width = 1)
{
    private const int K = 5;
    private readonly List<double[]> _iterates = new();

    public bool Ready => _iterates.Count == K + 1;

    public void Record(ReadOnlySpan<double> beta)
    {
        var x = new double[active.Length * width];
        for (int a = 0; a < active.Length; a++) beta.Slice(active[a] * width, width).CopyTo(x.AsSpan(a * width, width));
        _iterates.Add(x);
    }

    /// <summary>The extrapolated active coefficients (null when undefined); the history starts afresh either way.</summary>
    public double[]? Extrapolate()
    {
        var iterates = _iterates.ToArray();
        _iterates.Clear();
        return CoordinateDescent.AffineExtrapolation(iterates);
    }
}
