namespace Shrink.Solvers;

/// <summary>
/// The Cholesky factor L of a symmetric positive definite block A_SS (columns S of some matrix A, in the order they
/// joined), kept up to date as columns join and leave instead of being refactored: appending one costs a triangular
/// solve, O(|S|²); removing the one at position k costs Givens rotations over the rows after it, O((|S| − k)²).
/// Along a lasso path the active set changes by a few columns per λ, so each polish then costs O(|S|²) where a fresh
/// factor costs |S|³/3 (and a fresh m x m buffer). Row-major, rows of one stride.
/// </summary>
internal sealed class UpdatableCholesky(int p)
{
    private readonly int[] _position = Enumerable.Repeat(-1, p).ToArray();
    private int[] _order = [];
    private double[] _l = [];
    private int _stride, _count;

    public int Count => _count;

    /// <summary>The columns held, position by position.</summary>
    public ReadOnlySpan<int> Order => _order.AsSpan(0, _count);

    /// <summary>Position of column j in <see cref="Order"/>, or −1.</summary>
    public int PositionOf(int j) => _position[j];

    public void Clear()
    {
        for (int k = 0; k < _count; k++) _position[_order[k]] = -1;
        _count = 0;
    }

    /// <summary>
    /// Adds column j as the last position, given its entries A[order[k], j] for every held k and its diagonal A[j, j];
    /// false (and nothing changes) when the pivot is at or below <paramref name="relativePivot"/> times that diagonal,
    /// i.e. when the column is (numerically) a combination of those held.
    /// </summary>
    public bool Append(int j, ReadOnlySpan<double> entries, double diagonal, double relativePivot)
    {
        int m = _count;
        if (m + 1 > _stride) Grow(Math.Max(64, 2 * _stride));
        var row = _l.AsSpan(m * _stride, m + 1);
        for (int k = 0; k < m; k++)
        {
            var lk = _l.AsSpan(k * _stride, k + 1);
            row[k] = (entries[k] - Kernels.Dot(lk[..k], row[..k])) / lk[k];
        }
        double d = diagonal - Kernels.Dot(row[..m], row[..m]);
        if (!(d > relativePivot * diagonal) || !(d > 0)) return false;
        row[m] = Math.Sqrt(d);
        _order[m] = j;
        _position[j] = m;
        _count = m + 1;
        return true;
    }

    /// <summary>
    /// Removes the column at position k. Deleting row k of L leaves the rows below it one entry past the diagonal;
    /// rotating each such pair of columns (an orthogonal Q on the right keeps LQQᵀLᵀ = LLᵀ) makes it triangular again.
    /// </summary>
    public void Remove(int k)
    {
        int m = _count, s = _stride;
        _position[_order[k]] = -1;
        for (int i = k + 1; i < m; i++)
        {
            Array.Copy(_l, i * s, _l, (i - 1) * s, i + 1);
            _order[i - 1] = _order[i];
            _position[_order[i - 1]] = i - 1;
        }
        m--;
        for (int r = k; r < m; r++)
        {
            double a = _l[r * s + r], b = _l[r * s + r + 1];
            double h = Math.Sqrt(a * a + b * b);
            double c = a / h, sine = b / h;
            _l[r * s + r] = h;
            _l[r * s + r + 1] = 0;
            for (int i = r + 1; i < m; i++)
            {
                double x = _l[i * s + r], y = _l[i * s + r + 1];
                _l[i * s + r] = c * x + sine * y;
                _l[i * s + r + 1] = c * y - sine * x;
            }
        }
        _count = m;
    }

    /// <summary>Solves A_SS·x = b in place, b and x in <see cref="Order"/>.</summary>
    public void Solve(Span<double> b)
    {
        int m = _count, s = _stride;
        for (int k = 0; k < m; k++)
        {
            var lk = _l.AsSpan(k * s, k + 1);
            b[k] = (b[k] - Kernels.Dot(lk[..k], b[..k])) / lk[k];
        }
        // Backward: column-oriented, so each step is one axpy over the rows above (Lᵀ's column k is L's row k).
        for (int k = m - 1; k >= 0; k--)
        {
            var lk = _l.AsSpan(k * s, k + 1);
            b[k] /= lk[k];
            Kernels.Axpy(-b[k], lk[..k], b[..k]);
        }
    }

    private void Grow(int stride)
    {
        var l = new double[stride * stride];
        for (int i = 0; i < _count; i++) Array.Copy(_l, i * _stride, l, i * stride, i + 1);
        var order = new int[stride];
        Array.Copy(_order, order, _count);
        _l = l;
        _order = order;
        _stride = stride;
    }
}
