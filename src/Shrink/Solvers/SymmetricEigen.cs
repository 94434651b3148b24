namespace Shrink.Solvers;

/// <summary>
/// Eigendecomposition of a dense symmetric matrix: Householder reduction to tridiagonal form, then the implicit
/// QL method with Wilkinson-style shifts. O(m³) once; what lets a ridge path or leave-one-out error be had for
/// every λ from a single decomposition.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>
    /// Decomposes <paramref name="a"/> (m x m, row-major, symmetric; overwritten) into V·diag(values)·Vᵀ.
    /// On return a holds V with eigenvectors as columns, and <paramref name="values"/> the eigenvalues, ascending.
    /// </summary>
    public static void Decompose(Span<double> a, int m, Span<double> values)
    {
        var offDiagonal = new double[m];
        Tridiagonalize(a, m, values, offDiagonal);
        // The QL rotations act on pairs of eigenvector columns; transposed, those are contiguous rows, so each
        // rotation is two vectorised row operations instead of a strided loop.
        Transpose(a, m);
        QlImplicit(values, offDiagonal, a, m);
        Transpose(a, m);
        SortAscending(values, a, m);
    }

    private static void Tridiagonalize(Span<double> a, int m, Span<double> d, double[] e)
    {
        for (int i = m - 1; i > 0; i--)
        {
            int l = i - 1;
            double h = 0;
            if (l > 0)
            {
                double scale = 0;
                for (int k = 0; k <= l; k++) scale += Math.Abs(a[i * m + k]);
                if (scale == 0)
                {
                    e[i] = a[i * m + l];
                }
                else
                {
                    for (int k = 0; k <= l; k++)
                    {
                        a[i * m + k] /= scale;
                        h += a[i * m + k] * a[i * m + k];
                    }
                    double f = a[i * m + l];
                    double g = f >= 0 ? -Math.Sqrt(h) : Math.Sqrt(h);
                    e[i] = scale * g;
                    h -= f * g;
                    a[i * m + l] = f - g;
                    f = 0;
                    for (int j = 0; j <= l; j++)
                    {
                        a[j * m + i] = a[i * m + j] / h;
                        g = 0;
                        for (int k = 0; k <= j; k++) g += a[j * m + k] * a[i * m + k];
                        for (int k = j + 1; k <= l; k++) g += a[k * m + j] * a[i * m + k];
                        e[j] = g / h;
                        f += e[j] * a[i * m + j];
                    }
                    double hh = f / (h + h);
                    for (int j = 0; j <= l; j++)
                    {
                        f = a[i * m + j];
                        e[j] = g = e[j] - hh * f;
                        for (int k = 0; k <= j; k++) a[j * m + k] -= f * e[k] + g * a[i * m + k];
                    }
                }
            }
            else
            {
                e[i] = a[i * m + l];
            }
            d[i] = h;
        }
        d[0] = 0;
        e[0] = 0;
        // Accumulate the Householder reflections into the orthogonal matrix.
        for (int i = 0; i < m; i++)
        {
            int l = i - 1;
            if (d[i] != 0)
            {
                for (int j = 0; j <= l; j++)
                {
                    double g = 0;
                    for (int k = 0; k <= l; k++) g += a[i * m + k] * a[k * m + j];
                    for (int k = 0; k <= l; k++) a[k * m + j] -= g * a[k * m + i];
                }
            }
            d[i] = a[i * m + i];
            a[i * m + i] = 1;
            for (int j = 0; j <= l; j++) a[j * m + i] = a[i * m + j] = 0;
        }
    }

    private static void QlImplicit(Span<double> d, double[] e, Span<double> z, int m)
    {
        for (int i = 1; i < m; i++) e[i - 1] = e[i];
        if (m > 0) e[m - 1] = 0;
        for (int l = 0; l < m; l++)
        {
            int iterations = 0;
            int split;
            do
            {
                for (split = l; split < m - 1; split++)
                {
                    double dd = Math.Abs(d[split]) + Math.Abs(d[split + 1]);
                    if (Math.Abs(e[split]) <= double.Epsilon + 1e-16 * dd) break;
                }
                if (split == l) break;
                if (++iterations > 200) throw new InvalidOperationException("symmetric eigendecomposition did not converge");
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Hypot(g, 1);
                g = d[split] - d[l] + e[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r)));
                double s = 1, c = 1, p = 0;
                int i;
                bool underflow = false;
                for (i = split - 1; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    e[i + 1] = r = Hypot(f, g);
                    if (r == 0)
                    {
                        d[i + 1] -= p;
                        e[split] = 0;
                        underflow = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    Rotate(z.Slice(i * m, m), z.Slice((i + 1) * m, m), c, s);
                }
                if (underflow) continue;
                d[l] -= p;
                e[l] = g;
                e[split] = 0;
            } while (true);
        }
    }

    /// <summary>(lo, hi) ← (c·lo − s·hi, s·lo + c·hi), element-wise.</summary>
    private static void Rotate(Span<double> lo, Span<double> hi, double c, double s)
    {
        int k = 0, w = System.Numerics.Vector<double>.Count;
        var vc = new System.Numerics.Vector<double>(c);
        var vs = new System.Numerics.Vector<double>(s);
        for (; k <= lo.Length - w; k += w)
        {
            var l = new System.Numerics.Vector<double>(lo.Slice(k, w));
            var h = new System.Numerics.Vector<double>(hi.Slice(k, w));
            (vc * l - vs * h).CopyTo(lo.Slice(k, w));
            (vs * l + vc * h).CopyTo(hi.Slice(k, w));
        }
        for (; k < lo.Length; k++)
        {
            double l = lo[k], h = hi[k];
            lo[k] = c * l - s * h;
            hi[k] = s * l + c * h;
        }
    }

    private static void Transpose(Span<double> a, int m)
    {
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
                (a[i * m + j], a[j * m + i]) = (a[j * m + i], a[i * m + j]);
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }

    private static void SortAscending(Span<double> values, Span<double> vectors, int m)
    {
        for (int i = 0; i < m - 1; i++)
        {
            int best = i;
            for (int j = i + 1; j < m; j++)
                if (values[j] < values[best]) best = j;
            if (best == i) continue;
            (values[i], values[best]) = (values[best], values[i]);
            for (int k = 0; k < m; k++)
                (vectors[k * m + i], vectors[k * m + best]) = (vectors[k * m + best], vectors[k * m + i]);
        }
    }
}
