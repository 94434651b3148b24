namespace Shrink.Solvers;

/// <summary>
/// Cyclic coordinate descent with soft-thresholding for the standardized elastic net
/// ‖ỹ − X̃β‖²/(2n) + λ1‖β‖₁ + λ2/2·‖β‖². A full sweep finds the features that want to move; sweeps over the
/// non-zero ones follow until they settle; then an exact duality gap decides whether to stop.
/// </summary>
internal static class CoordinateDescent
{
    internal readonly record struct Outcome(int Sweeps, bool Converged, double Gap);

    /// <param name="design">The implicit standardized design.</param>
    /// <param name="yc">Target, centred when there is an intercept.</param>
    /// <param name="l1">λ1 &gt; 0.</param>
    /// <param name="l2">λ2 ≥ 0.</param>
    /// <param name="gapTolerance">Stop once the duality gap (1/n scale) is at most this.</param>
    /// <param name="maxSweeps">Cap on sweeps, full and active-set together.</param>
    /// <param name="beta">Start point in, solution out (standardized space).</param>
    public static Outcome Solve(Design design, ReadOnlySpan<double> yc, double l1, double l2, double gapTolerance, int maxSweeps, Span<double> beta)
    {
        int n = design.N, p = design.P;
        var residual = new Residual(design, yc, beta);
        var v = new double[p];
        var active = new List<int>(Math.Min(p, 1024));
        var included = Enumerable.Range(0, p).Where(j => !design.Excluded[j]).ToArray();
        int sweeps = 0;
        double innerTolerance = gapTolerance;
        double gap = double.PositiveInfinity;

        while (sweeps < maxSweeps)
        {
            Sweep(design, residual, included, l1, l2, beta);
            sweeps++;

            active.Clear();
            for (int j = 0; j < p; j++)
                if (beta[j] != 0) active.Add(j);

            while (sweeps < maxSweeps)
            {
                double largest = Sweep(design, residual, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(active), l1, l2, beta);
                sweeps++;
                if (largest <= innerTolerance) break;
            }

            residual.Refresh(beta);
            residual.Gradient(v);
            gap = DualityGap.Compute(v, beta, residual.SquaredNorm(), n, l1, l2);
            if (gap <= gapTolerance) return new Outcome(sweeps, true, gap);
            innerTolerance = Math.Min(innerTolerance, gap) * 0.1;
        }
        return new Outcome(sweeps, false, gap);
    }

    /// <returns>The largest decrease of the objective bound (q_j + λ2)·δ²/2 over the sweep.</returns>
    private static double Sweep(Design design, Residual residual, ReadOnlySpan<int> coordinates, double l1, double l2, Span<double> beta)
    {
        int n = design.N;
        double largest = 0;
        foreach (int j in coordinates)
        {
            double q = design.NormSquaredOverN[j];
            double old = beta[j];
            double z = residual.Dot(j) / n + q * old;
            double updated = SoftThreshold(z, l1) / (q + l2);
            double delta = updated - old;
            if (delta == 0) continue;
            beta[j] = updated;
            residual.Subtract(j, delta);
            double decrease = 0.5 * (q + l2) * delta * delta;
            if (decrease > largest) largest = decrease;
        }
        return largest;
    }

    internal static double SoftThreshold(double z, double threshold) =>
        z > threshold ? z - threshold : z < -threshold ? z + threshold : 0.0;
}

/// <summary>
/// The residual R = ỹ − X̃β kept as Stored + Shift·1, so that updating one coordinate of an implicitly centred and
/// scaled column costs one axpy on the raw column and O(1) bookkeeping.
/// </summary>
internal sealed class Residual
{
    private readonly Design _design;
    private readonly double[] _yc;
    private readonly double[] _stored;
    private double _shift;
    private double _storedSum;

    public Residual(Design design, ReadOnlySpan<double> yc, ReadOnlySpan<double> beta)
    {
        _design = design;
        _yc = yc.ToArray();
        _stored = new double[design.N];
        Refresh(beta);
    }

    /// <summary>Recomputes R from β, discarding rounding drift accumulated by many updates.</summary>
    public void Refresh(ReadOnlySpan<double> beta)
    {
        _yc.CopyTo(_stored, 0);
        _shift = 0;
        for (int j = 0; j < _design.P; j++)
        {
            if (beta[j] == 0) continue;
            double w = beta[j] / _design.Scale[j];
            Kernels.Axpy(-w, _design.Column(j), _stored);
            _shift += w * _design.Center[j];
        }
        _storedSum = Kernels.Sum(_stored);
    }

    /// <summary>x̃_jᵀR.</summary>
    public double Dot(int j)
    {
        var d = _design;
        double raw = Kernels.Dot(d.Column(j), _stored) + _shift * d.ColumnSum[j];
        double sumR = _storedSum + d.N * _shift;
        return (raw - d.Center[j] * sumR) / d.Scale[j];
    }

    /// <summary>R ← R − δ·x̃_j.</summary>
    public void Subtract(int j, double delta)
    {
        var d = _design;
        double w = delta / d.Scale[j];
        Kernels.Axpy(-w, d.Column(j), _stored);
        _storedSum -= w * d.ColumnSum[j];
        _shift += w * d.Center[j];
    }

    /// <summary>v = X̃ᵀR over the included columns, 0 for excluded ones.</summary>
    public void Gradient(Span<double> v)
    {
        for (int j = 0; j < _design.P; j++)
            v[j] = _design.Excluded[j] ? 0 : Dot(j);
    }

    public double SquaredNorm() => Kernels.SumSquaredDeviations(_stored, -_shift);
}
