namespace Shrink.Solvers;

/// <summary>Dense Cholesky factorization A = LLᵀ of a symmetric positive definite matrix, row-major, in place.</summary>
internal static class Cholesky
{
    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> (m x m, row-major) with L.
    /// A pivot at or below <paramref name="relativePivot"/> times the original diagonal means column k is (numerically)
    /// a linear combination of the columns before it.
    /// </summary>
    /// <returns>-1 on success, else the index of the first dependent column.</returns>
    public static int Factor(Span<double> a, int m, double relativePivot)
    {
        for (int j = 0; j < m; j++)
        {
            var rowJ = a.Slice(j * m, j);
            double original = a[j * m + j];
            double d = original - Kernels.Dot(rowJ, rowJ);
            if (!(d > relativePivot * original) || !(d > 0)) return j;
            double ljj = Math.Sqrt(d);
            a[j * m + j] = ljj;
            for (int i = j + 1; i < m; i++)
            {
                var rowI = a.Slice(i * m, j);
                a[i * m + j] = (a[i * m + j] - Kernels.Dot(rowI, rowJ)) / ljj;
            }
        }
        return -1;
    }

    /// <summary>Solves LLᵀx = b in place, with L from <see cref="Factor(Span{double}, int, double)"/>.</summary>
    public static void Solve(ReadOnlySpan<double> l, int m, Span<double> b)
    {
        for (int i = 0; i < m; i++)
            b[i] = (b[i] - Kernels.Dot(l.Slice(i * m, i), b[..i])) / l[i * m + i];
        for (int i = m - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < m; k++) s -= l[k * m + i] * b[k];
            b[i] = s / l[i * m + i];
        }
    }

    /// <summary>
    /// <see cref="Factor(Span{double}, int, double)"/> on a lower triangle held one row per array (row i has at least i + 1 values; the first i + 1
    /// are its part of the triangle): the same arithmetic in the same order, so the factor is the same to the last bit,
    /// in half the memory, and rows kept from a smaller system serve a larger one unchanged.
    /// </summary>
    public static int Factor(ReadOnlySpan<double[]> rows, int m, double relativePivot)
    {
        for (int j = 0; j < m; j++)
        {
            var rowJ = rows[j].AsSpan(0, j);
            double original = rows[j][j];
            double d = original - Kernels.Dot(rowJ, rowJ);
            if (!(d > relativePivot * original) || !(d > 0)) return j;
            double ljj = Math.Sqrt(d);
            rows[j][j] = ljj;
            for (int i = j + 1; i < m; i++)
            {
                var rowI = rows[i];
                rowI[j] = (rowI[j] - Kernels.Dot(rowI.AsSpan(0, j), rowJ)) / ljj;
            }
        }
        return -1;
    }

    /// <summary><see cref="Solve(ReadOnlySpan{double}, int, Span{double})"/> with L from <see cref="Factor(ReadOnlySpan{double[]}, int, double)"/>.</summary>
    public static void Solve(ReadOnlySpan<double[]> rows, int m, Span<double> b)
    {
        for (int i = 0; i < m; i++)
            b[i] = (b[i] - Kernels.Dot(rows[i].AsSpan(0, i), b[..i])) / rows[i][i];
        for (int i = m - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < m; k++) s -= rows[k][i] * b[k];
            b[i] = s / rows[i][i];
        }
    }
}
