namespace Shrink.Solvers;

/// <summary>
/// Closed-form ridge and least squares on the implicit standardized design: the normal equations
/// (X̃ᵀX̃ + nλ2·I)β = X̃ᵀỹ when there are at least as many rows as variables, the dual
/// β = X̃ᵀ(X̃X̃ᵀ + nλ2·I)⁻¹ỹ when there are more variables than rows.
/// </summary>
internal static class DirectSolver
{
    /// <returns>-1 on success, else the design column index found to be linearly dependent on earlier ones.</returns>
    public static int SolvePrimal(Design design, ReadOnlySpan<double> yc, double l2, double relativePivot, Span<double> beta)
    {
        int[] included = IncludedColumns(design);
        beta.Clear();
        if (included.Length == 0) return -1;
        var solution = new double[included.Length];
        int dependent = SolveSubset(design, yc, included, [], l2, relativePivot, solution);
        if (dependent >= 0) return dependent;
        for (int a = 0; a < included.Length; a++) beta[included[a]] = solution[a];
        return -1;
    }

    /// <summary>The same normal equations from a Gram matrix given whole (p x p over every column) and X̃ᵀỹ.</summary>
    /// <returns>-1 on success, else the design column index found to be linearly dependent on earlier ones.</returns>
    public static int SolvePrimal(Design design, double[] fullGram, double[] xty, double l2, double relativePivot, Span<double> beta)
    {
        int[] included = IncludedColumns(design);
        beta.Clear();
        int m = included.Length, p = design.P;
        if (m == 0) return -1;
        var gram = new double[m * m];
        var rhs = new double[m];
        for (int a = 0; a < m; a++)
        {
            for (int b = 0; b < m; b++) gram[a * m + b] = fullGram[included[a] * p + included[b]];
            gram[a * m + a] += design.N * l2 * design.FactorOf(included[a]);
            rhs[a] = xty[included[a]];
        }
        int dependent = Cholesky.Factor(gram, m, relativePivot);
        if (dependent >= 0) return included[dependent];
        Cholesky.Solve(gram, m, rhs);
        for (int a = 0; a < m; a++) beta[included[a]] = rhs[a];
        return -1;
    }

    /// <summary>
    /// Solves (X̃_SᵀX̃_S + nλ2·F)·β_S = X̃_Sᵀỹ − shift over the columns S (shift may be empty for zero), F the
    /// columns' penalty factors.
    /// </summary>
    /// <returns>-1 on success, else the design column index found to be linearly dependent on earlier ones.</returns>
    public static int SolveSubset(Design design, ReadOnlySpan<double> yc, int[] columns, ReadOnlySpan<double> shift, double l2, double relativePivot, Span<double> solution)
    {
        int n = design.N;
        int m = columns.Length;
        var gram = Gram(design, yc, columns, solution[..m]);
        var rhs = solution[..m];
        for (int a = 0; a < m; a++)
        {
            if (!shift.IsEmpty) rhs[a] -= shift[a];
            gram[a * m + a] += n * l2 * design.FactorOf(columns[a]);
        }
        int dependent = Cholesky.Factor(gram, m, relativePivot);
        if (dependent >= 0) return columns[dependent];
        Cholesky.Solve(gram, m, rhs);
        return -1;
    }

    /// <summary>
    /// X̃_SᵀX̃_S (m x m, row-major, both triangles) over the columns S, and X̃_Sᵀỹ into <paramref name="rhs"/> when it is
    /// not empty. Accumulated from centred and scaled copies of blocks of rows: small exact pieces instead of raw
    /// cross-products minus n·mean², which cancel badly when means dwarf spreads.
    /// </summary>
    public static double[] Gram(Design design, ReadOnlySpan<double> yc, int[] columns, Span<double> rhs) =>
        GramKernel.Compute(design, yc, columns, rhs);

    /// <summary>X̃X̃ᵀ over the included columns (n x n, row-major, both triangles).</summary>
    public static double[] Kernel(Design design)
    {
        int n = design.N;
        var kernel = new double[n * n];
        var t = new double[n];
        foreach (int j in IncludedColumns(design))
        {
            Transformed(design, j, t);
            for (int i = 0; i < n; i++)
                Kernels.Axpy(t[i], t.AsSpan(0, i + 1), kernel.AsSpan(i * n, i + 1));
        }
        for (int i = 0; i < n; i++)
            for (int k = 0; k < i; k++) kernel[k * n + i] = kernel[i * n + k];
        return kernel;
    }

    /// <summary>Ridge through the n x n kernel matrix; requires λ2 &gt; 0.</summary>
    public static void SolveDual(Design design, ReadOnlySpan<double> yc, double l2, Span<double> beta)
    {
        int n = design.N;
        var kernel = Kernel(design);
        for (int i = 0; i < n; i++) kernel[i * n + i] += n * l2;
        Cholesky.Factor(kernel, n, 0);
        var a = yc.ToArray();
        Cholesky.Solve(kernel, n, a);
        beta.Clear();
        var t = new double[n];
        foreach (int j in IncludedColumns(design))
        {
            Transformed(design, j, t);
            beta[j] = Kernels.Dot(t, a);
        }
    }

    internal static void Transformed(Design design, int j, Span<double> target) => design.Transformed(j, 0, target[..design.N]);

    /// <summary>Rows [start, start + target.Length) of x̃_j = √w∘(x_j − center_j)/scale_j (the blocked products read the design by rows).</summary>
    internal static void Transformed(Design design, int j, int start, Span<double> target) => design.Transformed(j, start, target);

    internal static int[] IncludedColumns(Design design) =>
        Enumerable.Range(0, design.P).Where(j => !design.Excluded[j]).ToArray();
}
