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
