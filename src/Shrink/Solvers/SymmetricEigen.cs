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
        var z = FormTransposedQ(a, m, tau, options);
        var rotations = QlImplicit(values, offDiagonal, m);
        rotations.Apply(z, m, options);
        // V = Zᵀ with its columns in ascending order of eigenvalue.
        var order = Enumerable.Range(0, m).ToArray();
        var sorted = values.ToArray();
        Array.Sort(sorted, order);
        sorted.CopyTo(values);
        for (int c = 0; c < m; c++)
        {
            var row = z.AsSpan(order[c] * m, m);
            for (int r = 0; r < m; r++) a[r * m + c] = row[r];
        }
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
    /// Qᵀ = H_{m−3}⋯H_0 from the reflectors in the rows of a. Row t of Qᵀ is e_tᵀ·H_{t−1}⋯H_0: every row is
    /// independent of the others, so blocks of rows are built in parallel, each applying the reflectors in turn (one dot
    /// product and one axpy per row and reflector, the block staying in cache while the reflectors stream past). The
    /// result does not depend on the thread count.
    /// </summary>
    private static double[] FormTransposedQ(double[] a, int m, double[] tau, ParallelOptions options)
    {
        var z = new double[m * m];
        const int Rows = 16;
        Parallel.For(0, (m + Rows - 1) / Rows, options, block =>
        {
            int r0 = block * Rows, r1 = Math.Min(m, r0 + Rows);
            for (int r = r0; r < r1; r++) z[r * m + r] = 1;
            for (int j = Math.Min(r1 - 2, m - 3); j >= 0; j--)
            {
                double t = tau[j];
                if (t == 0) continue;
                int s = j + 1;
                var v = a.AsSpan(j * m + s, m - s);
                for (int r = Math.Max(r0, s); r < r1; r++)
                {
                    var row = z.AsSpan(r * m + s, m - s);
                    Kernels.Axpy(-t * Kernels.Dot(row, v), v, row);
                }
            }
        });
        return z;
    }

    /// <summary>Eigenvalues of the tridiagonal (d, e) into d, and the plane rotations that carry Qᵀ to the eigenvectors.</summary>
    private static RotationLog QlImplicit(Span<double> d, double[] e, int m)
    {
        var log = new RotationLog();
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
                    log.Add(c, s);
                }
                log.EndSweep(split, split - 1 - i);
                if (underflow) continue;
                d[l] -= p;
                e[l] = g;
                e[split] = 0;
            } while (true);
        }
        return log;
    }

    /// <summary>
    /// The QL method's rotations, in order, applied to the vectors only once the eigenvalues are found. A sweep with last
    /// index L and count K rotates, for i = L−1 down to L−K, (row i, row i+1) ← (c·row i − s·row i+1, s·row i + c·row i+1).
    /// </summary>
    private sealed class RotationLog
    {
        private double[] _cosines = new double[256];
        private double[] _sines = new double[256];
        private int _count;
        private readonly List<(int Last, int Count, int Offset)> _sweeps = [];

        public void Add(double c, double s)
        {
            if (_count == _cosines.Length)
            {
                Array.Resize(ref _cosines, 2 * _count);
                Array.Resize(ref _sines, 2 * _count);
            }
            _cosines[_count] = c;
            _sines[_count++] = s;
        }

        public void EndSweep(int last, int count)
        {
            if (count > 0) _sweeps.Add((last, count, _count - count));
        }

        /// <summary>
        /// Every sweep on z, by blocks of columns in parallel: a block (m rows of a few cache lines) stays in cache through
        /// all the sweeps, and row i's new value is the next rotation's second operand, carried in registers. Each element's
        /// arithmetic is the same whoever computes it.
        /// </summary>
        public void Apply(double[] z, int m, ParallelOptions options)
        {
            const int Columns = 32;
            Parallel.For(0, (m + Columns - 1) / Columns, options, block =>
            {
                int c0 = block * Columns, c1 = Math.Min(m, c0 + Columns);
                foreach (var (last, count, offset) in _sweeps) RotateColumns(z, m, c0, c1, last, count, _cosines.AsSpan(offset, count), _sines.AsSpan(offset, count));
            });
        }

        /// <summary>hi[at..] ← s·lo + c·carry; returns c·lo − s·carry (the new row i, the next rotation's second operand).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Rotate(ref double lo, ref double hi, nuint at, Vector256<double> c, Vector256<double> s, Vector256<double> carry)
        {
            var x = Vector256.LoadUnsafe(ref lo, at);
            Vector256.FusedMultiplyAdd(s, x, c * carry).StoreUnsafe(ref hi, at);
            return Vector256.FusedMultiplyAdd(c, x, -(s * carry));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void RotateColumns(double[] z, int m, int c0, int c1, int last, int count, ReadOnlySpan<double> cosines, ReadOnlySpan<double> sines)
        {
            int j = c0, first = last - count;
            ref double start = ref z[0];
            if (Vector256.IsHardwareAccelerated)
            {
                // 32 columns at a time: eight independent chains hide the latency of each carried multiply-add.
                for (; j <= c1 - 32; j += 32)
                {
                    ref double top = ref Unsafe.Add(ref start, last * m + j);
                    var k0 = Vector256.LoadUnsafe(ref top, 0); var k1 = Vector256.LoadUnsafe(ref top, 4);
                    var k2 = Vector256.LoadUnsafe(ref top, 8); var k3 = Vector256.LoadUnsafe(ref top, 12);
                    var k4 = Vector256.LoadUnsafe(ref top, 16); var k5 = Vector256.LoadUnsafe(ref top, 20);
                    var k6 = Vector256.LoadUnsafe(ref top, 24); var k7 = Vector256.LoadUnsafe(ref top, 28);
                    for (int r = 0; r < count; r++)
                    {
                        var c = Vector256.Create(cosines[r]);
                        var s = Vector256.Create(sines[r]);
                        ref double lo = ref Unsafe.Add(ref start, (last - 1 - r) * m + j);
                        ref double hi = ref Unsafe.Add(ref lo, m);
                        k0 = Rotate(ref lo, ref hi, 0, c, s, k0); k1 = Rotate(ref lo, ref hi, 4, c, s, k1);
                        k2 = Rotate(ref lo, ref hi, 8, c, s, k2); k3 = Rotate(ref lo, ref hi, 12, c, s, k3);
                        k4 = Rotate(ref lo, ref hi, 16, c, s, k4); k5 = Rotate(ref lo, ref hi, 20, c, s, k5);
                        k6 = Rotate(ref lo, ref hi, 24, c, s, k6); k7 = Rotate(ref lo, ref hi, 28, c, s, k7);
                    }
                    ref double bottom = ref Unsafe.Add(ref start, first * m + j);
                    k0.StoreUnsafe(ref bottom, 0); k1.StoreUnsafe(ref bottom, 4);
                    k2.StoreUnsafe(ref bottom, 8); k3.StoreUnsafe(ref bottom, 12);
                    k4.StoreUnsafe(ref bottom, 16); k5.StoreUnsafe(ref bottom, 20);
                    k6.StoreUnsafe(ref bottom, 24); k7.StoreUnsafe(ref bottom, 28);
                }
                for (; j <= c1 - 4; j += 4)
                {
                    var carry = Vector256.LoadUnsafe(ref start, (nuint)(last * m + j));
                    for (int r = 0; r < count; r++)
                    {
                        ref double lo = ref Unsafe.Add(ref start, (last - 1 - r) * m + j);
                        carry = Rotate(ref lo, ref Unsafe.Add(ref lo, m), 0, Vector256.Create(cosines[r]), Vector256.Create(sines[r]), carry);
                    }
                    carry.StoreUnsafe(ref start, (nuint)(first * m + j));
                }
            }
            for (; j < c1; j++)
            {
                double carry = z[last * m + j];
                for (int r = 0; r < count; r++)
                {
                    int i = last - 1 - r;
                    double c = cosines[r], s = sines[r], lo = z[i * m + j];
                    z[(i + 1) * m + j] = Math.FusedMultiplyAdd(s, lo, c * carry);
                    carry = Math.FusedMultiplyAdd(c, lo, -(s * carry));
                }
                z[first * m + j] = carry;
            }
        }
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }
}
