namespace Shrink.Solvers;

/// <summary>What one multi-task fit of a path leaves for the next: ‖x̃_jᵀR‖₂ per feature at its solution and its L1 weight.</summary>
internal sealed class GroupMemory
{
    public double[]? GradientNorms { get; set; }
    public double L1 { get; set; }
}

/// <summary>
/// Block coordinate descent with group soft-thresholding for the standardized multi-task elastic net
/// ‖Ỹ − X̃B‖_F²/(2n) + λ1·Σ_j w_j‖B_j‖₂ + λ2/2·Σ_j w_j‖B_j‖₂², B p x k, B_j its row j (feature j over the k targets),
/// w_j the per-feature penalty factors (all 1 when none are given). Same shape as <see cref="CoordinateDescent"/>: a
/// full sweep finds the features that move, sweeps over the non-zero ones follow until they settle, then an exact
/// duality gap decides whether to stop.
/// </summary>
/// <remarks>B is stored row by row (B[j·k + t]); targets are stored target by target (Y[t·n + i]), centred when
/// there is an intercept.</remarks>
internal static class GroupDescent
{
    /// <param name="factors">Per-feature multipliers of both penalty terms (null: all 1). Must be &gt; 0 where given.</param>
    /// <param name="beta">Start in, solution out (standardized space, row-major p x k).</param>
    /// <param name="previous">Gradient norms and L1 weight of the previous λ of a path: the sequential strong rule then
    /// limits the sweeps, and the features it leaves out are checked against the optimality conditions afterwards.</param>
    public static CoordinateDescent.Outcome Solve(Design design, double[] y, int k, double l1, double l2, double[]? factors,
        double gapTolerance, int maxSweeps, double[] beta, GroupMemory? previous = null)
    {
        int n = design.N, p = design.P;
        var residual = new GroupResidual(design, y, k, beta);
        var v = new double[p * k];
        var norms = new double[p];
        var included = Enumerable.Range(0, p).Where(j => !design.Excluded[j]).ToArray();
        var working = included;
        if (previous is { GradientNorms: { } g0 } && previous.L1 > 0)
        {
            // The sequential strong rule for groups: ‖x̃_jᵀR‖/n < w_j(2λ1 − λ1_previous) predicts a zero row.
            var strong = new List<int>();
            foreach (int j in included)
                if (RowNorm(beta, j, k) != 0 || g0[j] >= n * Factor(factors, j) * (2 * l1 - previous.L1)) strong.Add(j);
            working = strong.ToArray();
        }
        var inWorking = new bool[p];
        foreach (int j in working) inWorking[j] = true;
        var active = new List<int>();
        var scratch = new double[2 * k];
        int sweeps = 0;
        double innerTolerance = gapTolerance;
        double gap = double.PositiveInfinity;

        while (sweeps < maxSweeps)
        {
            Sweep(design, residual, working, k, l1, l2, factors, beta, scratch);
            sweeps++;
            active.Clear();
            foreach (int j in working)
                if (RowNorm(beta, j, k) != 0) active.Add(j);
            var anderson = new GroupAnderson(active.ToArray(), k);
            while (sweeps < maxSweeps)
            {
                double largest = Sweep(design, residual, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(active), k, l1, l2, factors, beta, scratch);
                sweeps++;
                if (largest <= innerTolerance) break;
                anderson.Record(beta);
                if (anderson.Ready) anderson.TryExtrapolate(design, y, residual, l1, l2, factors, beta);
            }

            residual.Refresh(beta);
            residual.Gradient(v);
            for (int j = 0; j < p; j++) norms[j] = RowNorm(v, j, k);
            var violators = included.Where(j => !inWorking[j] && norms[j] > n * l1 * Factor(factors, j)).ToArray();
            if (violators.Length > 0)
            {
                foreach (int j in violators) inWorking[j] = true;
                working = [.. working, .. violators];
                continue;
            }
            gap = Gap(v, norms, beta, residual.SquaredNorm(), n, k, l1, l2, factors);
            if (gap <= gapTolerance) break;
            innerTolerance = Math.Min(innerTolerance, gap) * 0.1;
        }
        if (previous is not null)
        {
            previous.GradientNorms = norms;
            previous.L1 = l1;
        }
        return new CoordinateDescent.Outcome(sweeps, gap <= gapTolerance, gap);
    }

    /// <returns>The largest decrease of the objective bound (q_j + w_jλ2)·‖δ‖²/2 over the sweep.</returns>
    /// <summary>
    /// Group soft-thresholding of one row: it shrinks towards 0 as a whole, and is exactly 0 when ‖z‖ ≤ w·λ1. Writes the
    /// new row and its change; returns ‖change‖².
    /// </summary>
    internal static double Update(ReadOnlySpan<double> z, double norm, double q, double w, double l1, double l2, Span<double> row, Span<double> delta)
    {
        double shrink = norm > w * l1 ? (1 - w * l1 / norm) / (q + w * l2) : 0;
        double moved = 0;
        for (int t = 0; t < row.Length; t++)
        {
            double updated = shrink * z[t];
            delta[t] = updated - row[t];
            row[t] = updated;
            moved += delta[t] * delta[t];
        }
        return moved;
    }

    private static double Sweep(Design design, GroupResidual residual, ReadOnlySpan<int> coordinates, int k, double l1, double l2,
        double[]? factors, double[] beta, double[] scratch)
    {
        int n = design.N;
        var z = scratch.AsSpan(0, k);
        var delta = scratch.AsSpan(k, k);
        double largest = 0;
        foreach (int j in coordinates)
        {
            double q = design.NormSquaredOverN[j], w = Factor(factors, j);
            var row = beta.AsSpan(j * k, k);
            residual.Dot(j, z);
            double norm = 0;
            for (int t = 0; t < k; t++)
            {
                z[t] = z[t] / n + q * row[t];
                norm += z[t] * z[t];
            }
            double moved = Update(z, Math.Sqrt(norm), q, w, l1, l2, row, delta);
            if (moved == 0) continue;
            residual.Subtract(j, delta);
            double decrease = 0.5 * (q + w * l2) * moved;
            if (decrease > largest) largest = decrease;
        }
        return largest;
    }

    /// <summary>
    /// The duality gap of the standardized multi-task problem (1/n scale), from V = X̃ᵀR (p x k, zero rows for excluded
    /// features), its row norms, B and ‖R‖_F². The group-lasso dual: θ = R when λ2 &gt; 0 (the conjugate of the penalty
    /// is Σ(‖V_j‖ − nλ1w_j)₊²/(2nλ2w_j)); otherwise R scaled into the feasible set ‖X̃_jᵀθ‖ ≤ nλ1w_j.
    /// </summary>
    public static double Gap(ReadOnlySpan<double> v, ReadOnlySpan<double> norms, ReadOnlySpan<double> beta, double residualSquared,
        int n, int k, double l1, double l2, double[]? factors)
    {
        double nl1 = n * l1, nl2 = n * l2;
        double vDotBeta = Kernels.Dot(v, beta);
        double groupNorm = 0, squares = 0, conjugate = 0, scale = 1;
        int p = norms.Length;
        for (int j = 0; j < p; j++)
        {
            double w = Factor(factors, j);
            double b = RowNorm(beta, j, k);
            groupNorm += w * b;
            squares += w * b * b;
            if (w == 0) continue;
            double excess = norms[j] - nl1 * w;
            if (excess > 0)
            {
                if (nl2 > 0) conjugate += excess * excess / w;
                else scale = Math.Min(scale, nl1 * w / norms[j]);
            }
        }
        double gapTimesN;
        if (nl2 > 0) gapTimesN = -vDotBeta + nl1 * groupNorm + 0.5 * nl2 * squares + conjugate / (2 * nl2);
        else gapTimesN = 0.5 * (1 - scale) * (1 - scale) * residualSquared + nl1 * groupNorm - scale * vDotBeta;
        return gapTimesN / n;
    }

    /// <summary>‖R‖_F²/(2n) + λ1Σw_j‖B_j‖ + λ2/2·Σw_j‖B_j‖².</summary>
    public static double Objective(double residualSquared, ReadOnlySpan<double> beta, int n, int k, double l1, double l2, double[]? factors)
    {
        double groupNorm = 0, squares = 0;
        for (int j = 0; j < beta.Length / k; j++)
        {
            double w = Factor(factors, j), b = RowNorm(beta, j, k);
            groupNorm += w * b;
            squares += w * b * b;
        }
        return residualSquared / (2.0 * n) + l1 * groupNorm + 0.5 * l2 * squares;
    }

    public static double RowNorm(ReadOnlySpan<double> matrix, int j, int k)
    {
        var row = matrix.Slice(j * k, k);
        return Math.Sqrt(Kernels.Dot(row, row));
    }

    private static double Factor(double[]? factors, int j) => factors is null ? 1 : factors[j];
}

/// <summary>
/// Anderson extrapolation of the block-coordinate-descent iterates on a fixed active set (the idea of
/// <see cref="GramDescent"/>'s, for rows of B): after K sweeps, the affine combination of the last iterates that best
/// cancels their successive differences is tried, and kept only if it lowers the objective (computed from a fresh
/// residual). The duality gap computed afterwards certifies whatever is kept.
/// </summary>
internal sealed class GroupAnderson(int[] active, int k)
{
    private readonly IterateHistory _history = new(active, k);

    public bool Ready => _history.Ready;

    public void Record(ReadOnlySpan<double> beta) => _history.Record(beta);

    public void TryExtrapolate(Design design, double[] y, GroupResidual residual, double l1, double l2, double[]? factors, double[] beta)
    {
        int m = active.Length * k;
        var extrapolated = _history.Extrapolate();
        if (extrapolated.IsEmpty) return;
        var candidate = (double[])beta.Clone();
        for (int a = 0; a < active.Length; a++) extrapolated.Slice(a * k, k).CopyTo(candidate.AsSpan(active[a] * k, k));

        int n = design.N;
        double current = GroupDescent.Objective(residual.SquaredNorm(), beta, n, k, l1, l2, factors);
        var trial = new GroupResidual(design, y, k, candidate);
        if (!(GroupDescent.Objective(trial.SquaredNorm(), candidate, n, k, l1, l2, factors) < current)) return;
        candidate.CopyTo(beta, 0);
        residual.Refresh(beta);
    }
}

/// <summary>
/// The residual R = Ỹ − X̃B of the implicitly centred and scaled design, one column per target. Centring happens
/// inside the fused kernels, as in <see cref="Residual"/>.
/// </summary>
internal sealed class GroupResidual
{
    private readonly Design _design;
    private readonly double[] _y;
    private readonly double[] _r;
    private readonly int _k;

    public GroupResidual(Design design, double[] y, int k, ReadOnlySpan<double> beta)
    {
        _design = design;
        _y = y;
        _k = k;
        _r = new double[y.Length];
        Refresh(beta);
    }

    private Span<double> Target(int t) => _r.AsSpan(t * _design.N, _design.N);

    /// <summary>Recomputes R from B, discarding rounding drift.</summary>
    public void Refresh(ReadOnlySpan<double> beta)
    {
        _y.CopyTo(_r, 0);
        for (int j = 0; j < _design.P; j++)
            for (int t = 0; t < _k; t++)
                if (beta[j * _k + t] != 0) _design.AddTo(j, -beta[j * _k + t], Target(t));
    }

    /// <summary>x̃_jᵀR, one value per target.</summary>
    public void Dot(int j, Span<double> result)
    {
        for (int t = 0; t < _k; t++) result[t] = _design.Dot(j, Target(t));
    }

    /// <summary>R ← R − x̃_j·δᵀ.</summary>
    public void Subtract(int j, ReadOnlySpan<double> delta)
    {
        for (int t = 0; t < _k; t++)
            if (delta[t] != 0) _design.AddTo(j, -delta[t], Target(t));
    }

    /// <summary>V = X̃ᵀR (row-major p x k), zero rows for excluded features. Deterministic whatever the thread count.</summary>
    public void Gradient(Span<double> v)
    {
        int p = _design.P, k = _k;
        var result = new double[p * k];
        void Row(int j)
        {
            if (!_design.Excluded[j]) Dot(j, result.AsSpan(j * k, k));
        }
        if ((long)p * _design.N * k < 1_000_000)
        {
            for (int j = 0; j < p; j++) Row(j);
        }
        else
        {
            Parallel.For(0, (p + 255) / 256, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
            {
                int end = Math.Min(p, (b + 1) * 256);
                for (int j = b * 256; j < end; j++) Row(j);
            });
        }
        result.CopyTo(v);
    }

    public double SquaredNorm() => Kernels.Dot(_r, _r);
}
