namespace Shrink.Solvers;

/// <summary>
/// The covariance form of the multi-task problem: X̃ᵀỸ (p x k, row-major) once, and the columns of X̃ᵀX̃ from a
/// <see cref="GramState"/> — the same matrix a single target uses, since it does not depend on the targets.
/// </summary>
internal sealed class GroupGram
{
    public GroupGram(Design design, double[] y, int k)
    {
        int n = design.N, p = design.P;
        State = new GramState(design, y.AsSpan(0, n));
        XtY = new double[p * k];
        for (int j = 0; j < p; j++)
        {
            if (design.Excluded[j]) continue;
            for (int t = 0; t < k; t++)
                XtY[j * k + t] = design.Dot(j, y.AsSpan(t * n, n));
        }
        YSquared = Kernels.Dot(y, y);
        K = k;
    }

    public GramState State { get; }
    public double[] XtY { get; }
    public double YSquared { get; }
    public int K { get; }
}

/// <summary>
/// <see cref="GroupDescent"/> on <see cref="GroupGram"/>: the gradient H = X̃ᵀR = X̃ᵀỸ − X̃ᵀX̃·B is kept up to date, so a
/// block update costs O(p·k) instead of O(n·k), and the duality gap and every feature's optimality check need no
/// pass over the data. Same stopping rule and certificate.
/// </summary>
internal static class GroupGramDescent
{
    public static CoordinateDescent.Outcome Solve(GroupGram gram, double l1, double l2, double[]? factors, double gapTolerance, int maxSweeps,
        double[] beta, GroupMemory? previous = null)
    {
        var design = gram.State.Design;
        int n = design.N, p = design.P, k = gram.K;
        var h = new double[p * k];
        Gradient(gram, beta, h);
        var included = Enumerable.Range(0, p).Where(j => !design.Excluded[j]).ToArray();
        // The strong rule only decides which Gram columns to compute together now; every feature is still visited in
        // every full sweep.
        double threshold = previous is { L1: > 0 } ? 2 * l1 - previous.L1 : l1;
        gram.State.Prefetch(included.Where(j => GroupDescent.RowNorm(beta, j, k) != 0 || GroupDescent.RowNorm(h, j, k) / n > threshold * Factor(factors, j)).ToArray());

        var active = new List<int>();
        var scratch = new double[2 * k];
        var norms = new double[p];
        int sweeps = 0;
        double innerTolerance = gapTolerance;
        double gap = double.PositiveInfinity;
        while (sweeps < maxSweeps)
        {
            Sweep(gram, included, h, l1, l2, factors, beta, scratch);
            sweeps++;
            active.Clear();
            foreach (int j in included)
                if (GroupDescent.RowNorm(beta, j, k) != 0) active.Add(j);
            while (sweeps < maxSweeps)
            {
                double largest = Sweep(gram, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(active), h, l1, l2, factors, beta, scratch);
                sweeps++;
                if (largest <= innerTolerance) break;
            }
            Gradient(gram, beta, h);
            for (int j = 0; j < p; j++) norms[j] = GroupDescent.RowNorm(h, j, k);
            gap = GroupDescent.Gap(h, norms, beta, ResidualSquared(gram, h, beta), n, k, l1, l2, factors);
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

    private static double Sweep(GroupGram gram, ReadOnlySpan<int> coordinates, double[] h, double l1, double l2, double[]? factors, double[] beta, double[] scratch)
    {
        var design = gram.State.Design;
        int n = design.N, p = design.P, k = gram.K;
        var z = scratch.AsSpan(0, k);
        var delta = scratch.AsSpan(k, k);
        double largest = 0;
        foreach (int j in coordinates)
        {
            double q = design.NormSquaredOverN[j], w = Factor(factors, j);
            var row = beta.AsSpan(j * k, k);
            double norm = 0;
            for (int t = 0; t < k; t++)
            {
                z[t] = h[j * k + t] / n + q * row[t];
                norm += z[t] * z[t];
            }
            double moved = GroupDescent.Update(z, Math.Sqrt(norm), q, w, l1, l2, row, delta);
            if (moved == 0) continue;
            Subtract(gram.State.Column(j), delta, h, p, k);
            double decrease = 0.5 * (q + w * l2) * moved;
            if (decrease > largest) largest = decrease;
        }
        return largest;
    }

    /// <summary>H ← H − G_j·δᵀ (G_j column j of X̃ᵀX̃).</summary>
    private static void Subtract(ReadOnlySpan<double> column, ReadOnlySpan<double> delta, double[] h, int p, int k)
    {
        for (int m = 0; m < p; m++)
        {
            double c = column[m];
            if (c == 0) continue;
            for (int t = 0; t < k; t++) h[m * k + t] -= c * delta[t];
        }
    }

    /// <summary>H = X̃ᵀỸ − X̃ᵀX̃·B from scratch, discarding drift from the updates.</summary>
    public static void Gradient(GroupGram gram, ReadOnlySpan<double> beta, double[] h)
    {
        int p = gram.State.Design.P, k = gram.K;
        gram.XtY.CopyTo(h, 0);
        for (int j = 0; j < p; j++)
            if (GroupDescent.RowNorm(beta, j, k) != 0) Subtract(gram.State.Column(j), beta.Slice(j * k, k), h, p, k);
    }

    /// <summary>‖R‖_F² from H alone: ‖Ỹ‖² − ⟨B, X̃ᵀỸ⟩ − ⟨B, H⟩.</summary>
    public static double ResidualSquared(GroupGram gram, ReadOnlySpan<double> h, ReadOnlySpan<double> beta) =>
        Math.Max(gram.YSquared - Kernels.Dot(beta, gram.XtY) - Kernels.Dot(beta, h), 0);

    private static double Factor(double[]? factors, int j) => factors is null ? 1 : factors[j];
}
