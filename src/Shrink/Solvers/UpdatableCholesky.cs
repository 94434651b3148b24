using System.Numerics;
using System.Runtime.CompilerServices;

namespace Shrink.Solvers;

/// <summary>
/// The Cholesky factor L of a symmetric positive definite block A_SS (columns S of some matrix A, in the order they
/// joined), kept up to date as columns join and leave instead of being refactored: appending one costs a triangular
/// solve, O(|S|²); removing the one at position k costs Givens rotations over the rows after it, O((|S| − k)²).
/// Along a lasso path the active set changes by a few columns per λ, so each polish then costs O(|S|²) where a fresh
/// factor costs |S|³/3 (and a fresh m x m buffer).
/// </summary>
internal sealed class UpdatableCholesky(int p)
{
    private readonly int[] _position = Enumerable.Repeat(-1, p).ToArray();
    private readonly List<int> _order = [];
    /// <summary>
    /// Row k of L, one array a row (the lower triangle only: half of a square buffer's memory, which matters beside the
    /// sparse path's other buffers). Row k holds at least k + 2 values: a removal leaves one entry past the diagonal
    /// there until it is rotated away.
    /// </summary>
    private readonly List<double[]> _rows = [];

    public int Count => _order.Count;

    /// <summary>The columns held, position by position.</summary>
    public ReadOnlySpan<int> Order => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_order);

    /// <summary>Position of column j in <see cref="Order"/>, or −1.</summary>
    public int PositionOf(int j) => _position[j];

    public void Clear()
    {
        foreach (int j in _order) _position[j] = -1;
        _order.Clear();
        _rows.Clear();
    }

    /// <summary>
    /// Adds column j as the last position, given its entries A[order[k], j] for every held k and its diagonal A[j, j];
    /// false (and nothing changes) when the pivot is at or below <paramref name="relativePivot"/> times that diagonal,
    /// i.e. when the column is (numerically) a combination of those held.
    /// </summary>
    public bool Append(int j, ReadOnlySpan<double> entries, double diagonal, double relativePivot)
    {
        int m = _order.Count;
        var row = new double[m + 2];
        for (int k = 0; k < m; k++)
        {
            var lk = _rows[k];
            row[k] = (entries[k] - Kernels.Dot(lk.AsSpan(0, k), row.AsSpan(0, k))) / lk[k];
        }
        double d = diagonal - Kernels.Dot(row.AsSpan(0, m), row.AsSpan(0, m));
        if (!(d > relativePivot * diagonal) || !(d > 0)) return false;
        row[m] = Math.Sqrt(d);
        _position[j] = m;
        _order.Add(j);
        _rows.Add(row);
        return true;
    }

    /// <summary>
    /// Adds columns <paramref name="ids"/> after those held, in order, as one <see cref="Append"/> each would (the same
    /// factor up to rounding); false, and nothing changes, if any of them is (numerically) dependent on those before it.
    /// <paramref name="entries"/>[t] holds A[x, ids[t]] for x the held columns in <see cref="Order"/> then ids[0..t), and
    /// <paramref name="diagonals"/>[t] is A[ids[t], ids[t]]. One append reads all of L for a single triangular solve,
    /// from memory once L outgrows the cache; here the new columns are solved <see cref="Block"/> at a time, each row of
    /// L read once for the whole block (an elastic-net path appends hundreds of columns at once when its factor is
    /// rebuilt for a new shift, and tens per λ late on the path).
    /// </summary>
    public bool AppendAll(ReadOnlySpan<int> ids, IReadOnlyList<double[]> entries, ReadOnlySpan<double> diagonals, double relativePivot)
    {
        int held = _order.Count, r = ids.Length;
        double[]? z = null;
        try
        {
            for (int t0 = 0; t0 < r;)
            {
                int width = Math.Min(Block, r - t0);
                if (width == 1)
                {
                    if (!Append(ids[t0], entries[t0].AsSpan(0, _order.Count), diagonals[t0], relativePivot)) return Undo(held);
                    t0++;
                    continue;
                }
                int m = _order.Count, w = Vector<double>.Count, stride = (width + w - 1) / w * w;
                z ??= System.Buffers.ArrayPool<double>.Shared.Rent(Math.Max((held + r) * Block, 1));
                switch (stride / w)
                {
                    case 1: Forward<One>(m, entries, t0, width, z); break;
                    case 2: Forward<Two>(m, entries, t0, width, z); break;
                    case 3: Forward<Three>(m, entries, t0, width, z); break;
                    default: Forward<Four>(m, entries, t0, width, z); break;
                }
                for (int t = t0; t < t0 + width; t++)
                {
                    // The block's own columns: the rows of L below the held ones, one after another as Append makes them.
                    var row = new double[m + (t - t0) + 2];
                    for (int k = 0; k < m; k++) row[k] = z[k * stride + (t - t0)];
                    var e = entries[t];
                    for (int u = t0; u < t; u++)
                    {
                        int k = m + (u - t0);
                        var lu = _rows[k];
                        row[k] = (e[k] - Kernels.Dot(lu.AsSpan(0, k), row.AsSpan(0, k))) / lu[k];
                    }
                    int size = m + (t - t0);
                    double d = diagonals[t] - Kernels.Dot(row.AsSpan(0, size), row.AsSpan(0, size));
                    if (!(d > relativePivot * diagonals[t]) || !(d > 0)) return Undo(held);
                    row[size] = Math.Sqrt(d);
                    _position[ids[t]] = size;
                    _order.Add(ids[t]);
                    _rows.Add(row);
                }
                t0 += width;
            }
            return true;
        }
        finally
        {
            if (z is not null) System.Buffers.ArrayPool<double>.Shared.Return(z);
        }
    }

    /// <summary>The most new columns <see cref="AppendAll"/> solves together: four vectors of lanes.</summary>
    internal static int Block => 4 * Vector<double>.Count;

    /// <summary>Drops every column past the first <paramref name="held"/> (an unfinished <see cref="AppendAll"/>); false.</summary>
    private bool Undo(int held)
    {
        for (int k = held; k < _order.Count; k++) _position[_order[k]] = -1;
        _order.RemoveRange(held, _order.Count - held);
        _rows.RemoveRange(held, _rows.Count - held);
        return false;
    }

    /// <summary>The number of vectors of new columns a <see cref="Forward"/> computes (a constant in each compiled copy).</summary>
    private interface ILanes { static abstract int Vectors { get; } }
    private struct One : ILanes { public static int Vectors => 1; }
    private struct Two : ILanes { public static int Vectors => 2; }
    private struct Three : ILanes { public static int Vectors => 3; }
    private struct Four : ILanes { public static int Vectors => 4; }

    /// <summary>
    /// z[k·s + c] = (L⁻¹·e)_k for the m held rows and the new columns t0 + c, c &lt; width, s = V·(vector width) the
    /// block's lanes (those past width are solved for zeros). Rows of L are taken two at a time: their products with the
    /// z rows above them are one small matrix product (2V independent accumulators; each row of L read once against a
    /// block of z that stays in cache), then the two are finished by substitution.
    /// </summary>
    private void Forward<V>(int m, IReadOnlyList<double[]> entries, int t0, int width, double[] z) where V : struct, ILanes
    {
        int w = Vector<double>.Count, s = V.Vectors * w;
        for (int k = 0; k < m; k++)
            for (int c = 0; c < s; c++) z[k * s + c] = c < width ? entries[t0 + c][k] : 0;
        ref double zz = ref z[0];
        for (int k0 = 0; k0 < m; k0 += 2)
        {
            bool pair = k0 + 1 < m;
            var first = _rows[k0];
            var second = pair ? _rows[k0 + 1] : first;
            var a0 = Vector<double>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
            ref double zi = ref zz;
            ref double l0 = ref first[0];
            ref double l1 = ref second[0];
            for (int i = 0; i < k0; i++)
            {
                var f = new Vector<double>(Unsafe.Add(ref l0, i));
                var g = new Vector<double>(Unsafe.Add(ref l1, i));
                var z0 = Vector.LoadUnsafe(ref zi);
                a0 = Vector.FusedMultiplyAdd(f, z0, a0); b0 = Vector.FusedMultiplyAdd(g, z0, b0);
                if (V.Vectors > 1)
                {
                    var z1 = Vector.LoadUnsafe(ref zi, (nuint)w);
                    a1 = Vector.FusedMultiplyAdd(f, z1, a1); b1 = Vector.FusedMultiplyAdd(g, z1, b1);
                }
                if (V.Vectors > 2)
                {
                    var z2 = Vector.LoadUnsafe(ref zi, (nuint)(2 * w));
                    a2 = Vector.FusedMultiplyAdd(f, z2, a2); b2 = Vector.FusedMultiplyAdd(g, z2, b2);
                }
                if (V.Vectors > 3)
                {
                    var z3 = Vector.LoadUnsafe(ref zi, (nuint)(3 * w));
                    a3 = Vector.FusedMultiplyAdd(f, z3, a3); b3 = Vector.FusedMultiplyAdd(g, z3, b3);
                }
                zi = ref Unsafe.Add(ref zi, s);
            }
            // Row k0, then row k0 + 1, which also needs row k0's new values.
            ref double zk = ref Unsafe.Add(ref zz, k0 * s);
            ref double zn = ref Unsafe.Add(ref zk, s);
            var d = new Vector<double>(first[k0]);
            var e = new Vector<double>(pair ? second[k0] : 0);
            var dn = new Vector<double>(pair ? second[k0 + 1] : 1);
            Finish(ref zk, ref zn, 0, a0, b0, d, e, dn, pair);
            if (V.Vectors > 1) Finish(ref zk, ref zn, w, a1, b1, d, e, dn, pair);
            if (V.Vectors > 2) Finish(ref zk, ref zn, 2 * w, a2, b2, d, e, dn, pair);
            if (V.Vectors > 3) Finish(ref zk, ref zn, 3 * w, a3, b3, d, e, dn, pair);
        }
    }

    /// <summary>One vector of lanes of rows k and k + 1: z_k = (e_k − a)/L_kk, z_k+1 = (e_k+1 − b − L_k+1,k·z_k)/L_k+1,k+1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(ref double zk, ref double zn, int offset, Vector<double> a, Vector<double> b, Vector<double> d,
        Vector<double> below, Vector<double> dn, bool pair)
    {
        var row = (Vector.LoadUnsafe(ref zk, (nuint)offset) - a) / d;
        row.StoreUnsafe(ref zk, (nuint)offset);
        if (pair) ((Vector.LoadUnsafe(ref zn, (nuint)offset) - b - below * row) / dn).StoreUnsafe(ref zn, (nuint)offset);
    }

    /// <summary>
    /// Removes the column at position k. Deleting row k of L leaves the rows below it one entry past the diagonal;
    /// rotating each such pair of columns (an orthogonal Q on the right keeps LQQᵀLᵀ = LLᵀ) makes it triangular again.
    /// </summary>
    public void Remove(int k)
    {
        _position[_order[k]] = -1;
        _order.RemoveAt(k);
        _rows.RemoveAt(k);
        int m = _order.Count;
        for (int i = k; i < m; i++) _position[_order[i]] = i;
        // Row i (i ≥ k) is the old row i + 1: entries up to column i + 1, which the rotation of columns (i, i + 1) clears.
        for (int r = k; r < m; r++)
        {
            var lr = _rows[r];
            double a = lr[r], b = lr[r + 1];
            double h = Math.Sqrt(a * a + b * b);
            double c = a / h, sine = b / h;
            lr[r] = h;
            lr[r + 1] = 0;
            for (int i = r + 1; i < m; i++)
            {
                var li = _rows[i];
                double x = li[r], y = li[r + 1];
                li[r] = c * x + sine * y;
                li[r + 1] = c * y - sine * x;
            }
        }
    }

    /// <summary>Solves A_SS·x = b in place, b and x in <see cref="Order"/>.</summary>
    public void Solve(Span<double> b)
    {
        int m = _order.Count;
        for (int k = 0; k < m; k++)
        {
            var lk = _rows[k];
            b[k] = (b[k] - Kernels.Dot(lk.AsSpan(0, k), b[..k])) / lk[k];
        }
        // Backward: column-oriented, so each step is one axpy over the rows above (Lᵀ's column k is L's row k).
        for (int k = m - 1; k >= 0; k--)
        {
            var lk = _rows[k];
            b[k] /= lk[k];
            Kernels.Axpy(-b[k], lk.AsSpan(0, k), b[..k]);
        }
    }
}
