namespace Shrink.Solvers;

/// <summary>
/// The last K + 1 iterates of a fixed active set (each active feature's <c>width</c> consecutive coefficients), from
/// which an Anderson step takes the affine combination that best cancels their successive differences. Only the last
/// iterate and the differences are kept: the combination is the last iterate minus a combination of the differences. Shared by the
/// plain, covariance and multi-task solvers; each decides for itself whether the step is kept.
/// </summary>
/// <remarks>
/// The iterates, their differences and the result live in buffers made on first use and reused by every later round,
/// and, through <see cref="Restart"/>, by the next active set: late on a wide path thousands of features are active and
/// a round comes every K + 1 sweeps, so arrays made per sweep and per round were most of what the path allocated (40 MB
/// on the 100,000-feature sparse path), garbage that the collector's young generation held as resident memory.
/// </remarks>
internal sealed class IterateHistory
{
    private const int K = 5;
    private readonly double[][] _differences = new double[K][];
    private double[] _last = [], _result = [];
    private int[] _active;
    /// <summary>Whether <see cref="_active"/> is the history's own (made by <see cref="Restart"/>) rather than the caller's.</summary>
    private bool _owned;
    private int _features;
    private readonly int _width;
    private int _count;

    /// <param name="active">The active features (the history reads it, and does not copy it).</param>
    public IterateHistory(int[] active, int width = 1)
    {
        _active = active;
        _features = active.Length;
        _width = width;
    }

    /// <summary>The active features of the current set.</summary>
    public ReadOnlySpan<int> Active => _active.AsSpan(0, _features);

    public bool Ready => _count == K + 1;

    /// <summary>Forgets the iterates and starts on another active set (copied), keeping every buffer that is large enough.</summary>
    public void Restart(ReadOnlySpan<int> active)
    {
        if (!_owned || _active.Length < active.Length)
        {
            _active = new int[Capacity(_owned ? _active.Length : 0, active.Length)];
            _owned = true;
        }
        active.CopyTo(_active);
        _features = active.Length;
        _count = 0;
    }

    public void Record(ReadOnlySpan<double> beta)
    {
        if (_count > K) throw new InvalidOperationException("the history is full: extrapolate before recording again");
        int m = Length;
        if (_last.Length < m) _last = new double[Capacity(_last.Length, m)];
        var last = _last.AsSpan(0, m);
        if (_count == 0)
        {
            for (int a = 0; a < _features; a++) beta.Slice(_active[a] * _width, _width).CopyTo(last.Slice(a * _width, _width));
        }
        else
        {
            var difference = Buffer(_differences, _count - 1);
            for (int a = 0; a < _features; a++)
                for (int c = 0, at = a * _width; c < _width; c++, at++)
                {
                    double value = beta[_active[a] * _width + c];
                    difference[at] = value - last[at];
                    last[at] = value;
                }
        }
        _count++;
    }

    /// <summary>
    /// The extrapolated active coefficients (empty when undefined); the history starts afresh either way. The values
    /// are the history's own buffer, overwritten by its next round: read them before then.
    /// </summary>
    public ReadOnlySpan<double> Extrapolate()
    {
        int recorded = _count;
        _count = 0;
        return recorded < 2 ? default : AffineCombination(recorded - 1);
    }

    private int Length => _features * _width;

    /// <summary>A set's buffer <paramref name="i"/>, at least <see cref="Length"/> long; that many values of it.</summary>
    private Span<double> Buffer(double[][] set, int i)
    {
        int m = Length;
        var buffer = set[i];
        // Grown by half again at least: an active set that grows a little at a time reallocates a few times, not per round.
        if (buffer is null || buffer.Length < m) set[i] = buffer = new double[Capacity(buffer?.Length ?? 0, m)];
        return buffer.AsSpan(0, m);
    }

    private static int Capacity(int current, int needed) => current == 0 ? needed : Math.Max(needed, (int)Math.Min(Array.MaxLength, current * 3L / 2));

    /// <summary>
    /// The affine combination Σc_k·x_(k+1), Σc = 1, of the k + 1 recorded iterates that minimises ‖Σc_k·(x_(k+1) − x_k)‖
    /// (the normal equations of that least-squares problem, lightly regularised); empty when it is not defined.
    /// </summary>
    private ReadOnlySpan<double> AffineCombination(int k)
    {
        int m = Length;
        if (m == 0) return default;
        Span<double> gram = stackalloc double[K * K];
        gram = gram[..(k * k)];
        double trace = 0;
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
            {
                gram[r * k + c] = Kernels.Dot(_differences[r].AsSpan(0, m), _differences[c].AsSpan(0, m));
                if (r == c) trace += gram[r * k + c];
            }
        if (!(trace > 0)) return default;
        for (int r = 0; r < k; r++) gram[r * k + r] += 1e-10 * trace;
        Span<double> z = stackalloc double[K];
        z = z[..k];
        z.Fill(1.0);
        if (Cholesky.Factor(gram, k, 0) >= 0) return default;
        Cholesky.Solve(gram, k, z);
        double sum = 0;
        foreach (double value in z) sum += value;
        if (!(Math.Abs(sum) > 1e-300)) return default;
        if (_result.Length < m) _result = new double[Capacity(_result.Length, m)];
        // Σ_r w_r·x_{r+1} (w = z/Σz) is x_k − Σ_{j≥1} c_j·D_j with c_j = Σ_{r<j} w_r and D_j = x_{j+1} − x_j.
        var result = _result.AsSpan(0, m);
        _last.AsSpan(0, m).CopyTo(result);
        double weights = 0;
        for (int j = 1; j < k; j++)
        {
            weights += z[j - 1] / sum;
            Kernels.Axpy(-weights, _differences[j].AsSpan(0, m), result);
        }
        return result;
    }
}
