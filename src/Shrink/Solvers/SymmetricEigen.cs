using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Shrink.Solvers;

/// <summary>
/// Eigendecomposition of a dense symmetric matrix: Householder reduction to tridiagonal form, then the implicit
/// QL method with Wilkinson-style shifts. O(m³) once; what lets a ridge path or leave-one-out error be had for
/// every λ from a single decomposition.
/// </summary>
/// <remarks>
/// The reduction works on the upper triangle, row by row, so that every inner loop is over a contiguous row: the
/// rank-2 update of step k and the matrix-vector product of step k + 1 are done in the same pass over each row, one
/// read and one write of the trailing triangle per step. The orthogonal factor is accumulated transposed (Qᵀ, one
/// dot product and one axpy per row and reflector, rows independent), which is the layout the QL rotations want.
/// </remarks>
internal static class SymmetricEigen
{
    /// <summary>
    /// Decomposes <paramref name="a"/> (m x m, row-major, symmetric; overwritten) into V·diag(values)·Vᵀ.
    /// On return a holds V with eigenvectors as columns, and <paramref name="values"/> the eigenvalues, ascending.
    /// </summary>
    /// <param name="threads">Degree of parallelism (tests vary it; the result does not depend on it).</param>
    public static void Decompose(double[] a, int m, Span<double> values, int threads = 0)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        if (m == 0) return;
        var offDiagonal = new double[m];
        var tau = new double[m];
        Tridiagonalize(a, m, values, offDiagonal, tau);
        // Qᵀ: row i is the i-th column of Q. The QL rotations act on pairs of those columns, so on contiguous rows.
        FormTransposedQ(a, m, tau, options);
        QlImplicit(values, offDiagonal, a, m, options);
        Transpose(a, m);
        SortAscending(values, a, m);
    }

    /// <summary>
    /// Qᵀ·A·Q = T with Q = H_0·H_1⋯H_{m−3}, H_k = I − τ_k·v_k·v_kᵀ acting on indices k+1..m−1. Reads and updates the upper
    /// triangle only. On return d holds T's diagonal, e[i] = T[i, i−1] (e[0] = 0), and row k of a holds v_k in columns
    /// k+1..m−1 (v_k[k+1] = 1).
    /// </summary>
    private static void Tridiagonalize(double[] a, int m, Span<double> d, double[] e, double[] tau)
    {
        e[0] = 0;
        if (m == 1)
        {
            d[0] = a[0];
            return;
        }
        var v = new double[m];
        var w = new double[m];
        var p = new double[m];
        var nextV = new double[m];
        var nextP = new double[m];
        double t = 0;
        if (m > 2)
        {
            d[0] = a[0];
            t = Reflector(a, m, 0, v, e);
            tau[0] = t;
            // p = A22·v from the upper triangle: the diagonal and the right of each row by a dot product, the left
            // (the transposed upper part of earlier rows) by an axpy from each row.
            for (int r = 1; r < m; r++)
            {
                var row = a.AsSpan(r * m + r + 1, m - r - 1);
                p[r] += a[r * m + r] * v[r] + Kernels.Dot(row, v.AsSpan(r + 1));
                Kernels.Axpy(v[r], row, p.AsSpan(r + 1));
            }
        }
        for (int k = 0; k < m - 2; k++)
        {
            // w = τp − (τ²/2)(pᵀv)·v, then A22 ← A22 − v·wᵀ − w·vᵀ (that is H·A22·H).
            int s = k + 1;
            double pv = 0;
            for (int r = s; r < m; r++) pv += p[r] * v[r];
            double half = 0.5 * t * t * pv;
            for (int r = s; r < m; r++) w[r] = t * p[r] - half * v[r];
            // Row k+1 first: it gives the next reflector, which the pass over the other rows then multiplies by.
            UpdateRow(a.AsSpan(s * m + s, m - s), v.AsSpan(s), w.AsSpan(s), v[s], w[s]);
            if (k + 1 < m - 2)
            {
                d[s] = a[s * m + s];
                double nextT = Reflector(a, m, s, nextV, e);
                tau[s] = nextT;
                Array.Clear(nextP, s + 1, m - s - 1);
                for (int r = s + 1; r < m; r++)
                {
                    a[r * m + r] -= 2 * v[r] * w[r];
                    double diagonal = a[r * m + r];
                    double dot = FusedRow(a.AsSpan(r * m + r + 1, m - r - 1), v.AsSpan(r + 1), w.AsSpan(r + 1), v[r], w[r],
                        nextV.AsSpan(r + 1), nextV[r], nextP.AsSpan(r + 1));
                    nextP[r] += diagonal * nextV[r] + dot;
                }
                (v, nextV) = (nextV, v);
                (p, nextP) = (nextP, p);
                t = nextT;
            }
            else
            {
                // The last 2 x 2 block: update its last row, read T off it.
                a[(m - 1) * m + m - 1] -= 2 * v[m - 1] * w[m - 1];
            }
        }
        d[m - 2] = a[(m - 2) * m + m - 2];
        d[m - 1] = a[(m - 1) * m + m - 1];
        e[m - 1] = a[(m - 2) * m + m - 1];
        if (m > 2) tau[m - 2] = 0;
    }

    /// <summary>
    /// The reflector H = I − τ·v·vᵀ that maps row k right of the diagonal, x = a[k, k+1..], to (β, 0, ..., 0); v into
    /// <paramref name="v"/> (indices k+1..) and into the row itself, β into e[k+1].
    /// </summary>
    /// <returns>τ (0 when x is already reduced).</returns>
    private static double Reflector(double[] a, int m, int k, double[] v, double[] e)
    {
        var x = a.AsSpan(k * m + k + 1, m - k - 1);
        double alpha = x[0];
        double scale = 0;
        for (int i = 1; i < x.Length; i++) scale = Math.Max(scale, Math.Abs(x[i]));
        if (scale == 0)
        {
            e[k + 1] = alpha;
            v.AsSpan(k + 1, x.Length).Clear();
            v[k + 1] = 1;
            return 0;
        }
        scale = Math.Max(scale, Math.Abs(alpha));
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (x[i] / scale) * (x[i] / scale);
        double norm = scale * Math.Sqrt(sum);
        double beta = alpha >= 0 ? -norm : norm;
        double inverse = 1 / (alpha - beta);
        v[k + 1] = 1;
        for (int i = 1; i < x.Length; i++) v[k + 1 + i] = x[i] * inverse;
        v.AsSpan(k + 1, x.Length).CopyTo(x);
        e[k + 1] = beta;
        return (beta - alpha) / beta;
    }

    /// <summary>row ← row − vr·w − wr·v (a row of the symmetric rank-2 update).</summary>
    private static void UpdateRow(Span<double> row, ReadOnlySpan<double> v, ReadOnlySpan<double> w, double vr, double wr)
    {
        Kernels.Axpy(-vr, w, row);
        Kernels.Axpy(-wr, v, row);
    }

    /// <summary>
    /// The part right of the diagonal of one row: row ← row − vr·w − wr·v, then returns row·u and adds ur·row to q
    /// (the next step's product A22·u, from the updated row, in the same pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double FusedRow(Span<double> row, ReadOnlySpan<double> v, ReadOnlySpan<double> w, double vr, double wr,
        ReadOnlySpan<double> u, double ur, Span<double> q)
    {
        int length = row.Length, j = 0;
        double dot = 0;
        if (Vector256.IsHardwareAccelerated && length >= 4)
        {
            ref double pr = ref row[0];
            ref double pv = ref Unsafe.AsRef(in v[0]);
            ref double pw = ref Unsafe.AsRef(in w[0]);
            ref double pu = ref Unsafe.AsRef(in u[0]);
            ref double pq = ref q[0];
            var mvr = Vector256.Create(-vr);
            var mwr = Vector256.Create(-wr);
            var vur = Vector256.Create(ur);
            var acc = Vector256<double>.Zero;
            for (; j <= length - 4; j += 4)
            {
                var x = Vector256.LoadUnsafe(ref pr, (nuint)j);
                x = Vector256.FusedMultiplyAdd(mvr, Vector256.LoadUnsafe(ref pw, (nuint)j), x);
                x = Vector256.FusedMultiplyAdd(mwr, Vector256.LoadUnsafe(ref pv, (nuint)j), x);
                x.StoreUnsafe(ref pr, (nuint)j);
                acc = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref pu, (nuint)j), acc);
                Vector256.FusedMultiplyAdd(x, vur, Vector256.LoadUnsafe(ref pq, (nuint)j)).StoreUnsafe(ref pq, (nuint)j);
            }
            dot = Vector256.Sum(acc);
        }
        for (; j < length; j++)
        {
            double x = row[j] - vr * w[j] - wr * v[j];
            row[j] = x;
            dot += x * u[j];
            q[j] += x * ur;
        }
        return dot;
    }

    /// <summary>
    /// Overwrites a (holding the reflectors in its rows) with Qᵀ = H_{m−3}⋯H_0, built as I·H_{m−3}⋯H_0: multiplying by
    /// H_j from the right changes rows and columns j+1.. only, each row by one dot product and one axpy with v_j, so
    /// rows are independent and run in parallel (the result does not depend on the thread count).
    /// </summary>
    private static void FormTransposedQ(double[] a, int m, double[] tau, ParallelOptions options)
    {
        a[(m - 1) * m + m - 1] = 1;
        for (int s = m - 2; s >= 0; s--)
        {
            // The block over indices s+1.. is Q's so far; extend it by the identity on index s.
            a.AsSpan(s * m + s, m - s).Clear();
            a[s * m + s] = 1;
            for (int r = s + 1; r < m; r++) a[r * m + s] = 0;
            if (s == 0 || tau[s - 1] == 0) continue;
            int j = s - 1, length = m - s;
            double t = tau[j];
            const int Rows = 32;
            int chunks = (length + Rows - 1) / Rows;
            if (chunks == 1 || (long)length * length < 1 << 15)
            {
                ApplyReflector(a, m, j, s, m, t);
            }
            else
            {
                Parallel.For(0, chunks, options, chunk =>
                    ApplyReflector(a, m, j, s + chunk * Rows, Math.Min(m, s + (chunk + 1) * Rows), t));
            }
        }
    }

    /// <summary>Rows r0..r1−1 of Qᵀ, columns s..: row ← row − τ·(row·v)·vᵀ with v in row j, columns s.. .</summary>
    private static void ApplyReflector(double[] a, int m, int j, int r0, int r1, double t)
    {
        int s = j + 1;
        var v = a.AsSpan(j * m + s, m - s);
        for (int r = r0; r < r1; r++)
        {
            var row = a.AsSpan(r * m + s, m - s);
            Kernels.Axpy(-t * Kernels.Dot(row, v), v, row);
        }
    }

    private static void QlImplicit(Span<double> d, double[] e, double[] z, int m, ParallelOptions options)
    {
        var cosines = new double[m];
        var sines = new double[m];
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
                    cosines[i] = c;
                    sines[i] = s;
                }
                // The rotations just made, split−1 down to i+1, applied to the vectors in one chained pass.
                ApplyRotations(z, m, i + 1, split, cosines, sines, options);
                if (underflow) continue;
                d[l] -= p;
                e[l] = g;
                e[split] = 0;
            } while (true);
        }
    }

    /// <summary>
    /// For i = last−1 down to first: (row i, row i+1) ← (c_i·row i − s_i·row i+1, s_i·row i + c_i·row i+1). Row i's new
    /// value is the next rotation's second operand, so it is carried in registers: one load and one store per element and
    /// rotation. Blocks of columns are independent and run in parallel; each element's arithmetic is the same whoever
    /// computes it.
    /// </summary>
    private static void ApplyRotations(double[] z, int m, int first, int last, double[] cosines, double[] sines, ParallelOptions options)
    {
        if (last <= first) return;
        const int Columns = 64;
        int blocks = (m + Columns - 1) / Columns;
        if (blocks == 1 || (long)(last - first) * m < 1 << 15)
        {
            RotateColumns(z, m, 0, m, first, last, cosines, sines);
            return;
        }
        Parallel.For(0, blocks, options, block =>
            RotateColumns(z, m, block * Columns, Math.Min(m, (block + 1) * Columns), first, last, cosines, sines));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RotateColumns(double[] z, int m, int c0, int c1, int first, int last, double[] cosines, double[] sines)
    {
        int j = c0;
        ref double start = ref z[0];
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= c1 - 8; j += 8)
            {
                var carry0 = Vector256.LoadUnsafe(ref start, (nuint)(last * m + j));
                var carry1 = Vector256.LoadUnsafe(ref start, (nuint)(last * m + j + 4));
                for (int i = last - 1; i >= first; i--)
                {
                    var c = Vector256.Create(cosines[i]);
                    var s = Vector256.Create(sines[i]);
                    nuint at = (nuint)(i * m + j);
                    var lo0 = Vector256.LoadUnsafe(ref start, at);
                    var lo1 = Vector256.LoadUnsafe(ref start, at + 4);
                    (s * lo0 + c * carry0).StoreUnsafe(ref start, at + (nuint)m);
                    (s * lo1 + c * carry1).StoreUnsafe(ref start, at + (nuint)m + 4);
                    carry0 = c * lo0 - s * carry0;
                    carry1 = c * lo1 - s * carry1;
                }
                carry0.StoreUnsafe(ref start, (nuint)(first * m + j));
                carry1.StoreUnsafe(ref start, (nuint)(first * m + j + 4));
            }
        }
        for (; j < c1; j++)
        {
            double carry = z[last * m + j];
            for (int i = last - 1; i >= first; i--)
            {
                double c = cosines[i], s = sines[i], lo = z[i * m + j];
                z[(i + 1) * m + j] = s * lo + c * carry;
                carry = c * lo - s * carry;
            }
            z[first * m + j] = carry;
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
