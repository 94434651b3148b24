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

    /// <summary>Solves LLᵀx = b in place, with L from <see cref="Factor"/>.</summary>
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
}
