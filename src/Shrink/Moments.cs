using Shrink.Solvers;

namespace Shrink;

/// <summary>
/// Weighted count, means and centred co-moments of m variables (the features, then the target less its offset):
/// W = Σw, x̄ = Σw·x/W, M = Σw·(x − x̄)(x − x̄)ᵀ, plus each variable's range over the rows with w &gt; 0 (so that a
/// constant column is recognised exactly, as the in-memory path does). Built block by block and merged with Chan,
/// Golub and LeVeque's pairwise update, M = M_a + M_b + (W_a·W_b/W)·δδᵀ with δ = x̄_b − x̄_a: every term is a sum of
/// small centred pieces, so a column with mean 1e6 and spread 1e-2 loses nothing to cancellation.
/// </summary>
internal sealed class Moments
{
    public int M { get; }

    /// <summary>Rows seen, weighted or not (a row of weight 0 counts here, as in the in-memory problem's n).</summary>
    public long Count { get; private set; }

    public double WeightSum { get; private set; }

    public double[] Mean { get; }

    /// <summary>Σw·(x − x̄)(x − x̄)ᵀ, m x m row-major, both triangles.</summary>
    public double[] Comoment { get; }

    public double[] Min { get; }

    public double[] Max { get; }

    public Moments(int m)
    {
        M = m;
        Mean = new double[m];
        Comoment = new double[m * m];
        Min = new double[m];
        Max = new double[m];
        Array.Fill(Min, double.PositiveInfinity);
        Array.Fill(Max, double.NegativeInfinity);
    }

    internal Moments(long count, double weightSum, double[] mean, double[] comoment, double[] min, double[] max)
    {
        M = mean.Length;
        Count = count;
        WeightSum = weightSum;
        Mean = mean;
        Comoment = comoment;
        Min = min;
        Max = max;
    }

    public Moments Clone() => new(Count, WeightSum, (double[])Mean.Clone(), (double[])Comoment.Clone(), (double[])Min.Clone(), (double[])Max.Clone());

    /// <summary>this ← this ∪ other (the rows of both).</summary>
    public void Merge(Moments other)
    {
        Count += other.Count;
        if (other.WeightSum == 0) return;
        for (int j = 0; j < M; j++)
        {
            Min[j] = Math.Min(Min[j], other.Min[j]);
            Max[j] = Math.Max(Max[j], other.Max[j]);
        }
        if (WeightSum == 0)
        {
            WeightSum = other.WeightSum;
            other.Mean.CopyTo(Mean, 0);
            other.Comoment.CopyTo(Comoment, 0);
            return;
        }
        double total = WeightSum + other.WeightSum;
        double share = other.WeightSum / total, f = WeightSum * other.WeightSum / total;
        var delta = new double[M];
        for (int j = 0; j < M; j++) delta[j] = other.Mean[j] - Mean[j];
        for (int a = 0; a < M; a++)
        {
            var row = Comoment.AsSpan(a * M, M);
            Kernels.Axpy(1, other.Comoment.AsSpan(a * M, M), row);
            Kernels.Axpy(f * delta[a], delta, row);
        }
        for (int j = 0; j < M; j++) Mean[j] += delta[j] * share;
        WeightSum = total;
    }

    /// <summary>Rows in the same order as the in-memory sums would meet them; for merging parts, the order of the parts.</summary>
    public static Moments Sum(IEnumerable<Moments> parts, int m)
    {
        var total = new Moments(m);
        foreach (var part in parts) total.Merge(part);
        return total;
    }
}

/// <summary>
/// Collects rows into a column-major block and folds each full block into <see cref="Moments"/>: the block's own
/// weighted means (found about its first weighted row, so a constant column's mean is that value exactly), the
/// centred rows scaled by √w, their cross-products by the blocked kernel (a symmetric rank-k update), then the merge.
/// </summary>
internal sealed class MomentBlock
{
    public const int Rows = 256;

    private readonly int _m;
    private readonly double[] _raw;     // Rows x m, column-major
    private readonly double[] _weights; // Rows
    private readonly double[] _roots;   // √w of the rows
    private readonly double[] _gram;
    private readonly GramKernel.Workspace _workspace;
    private int _count;

    public MomentBlock(int m)
    {
        _m = m;
        _raw = new double[Rows * m];
        _weights = new double[Rows];
        _roots = new double[Rows];
        _gram = new double[m * m];
        _workspace = new GramKernel.Workspace(m);
        Moments = new Moments(m);
    }

    public Moments Moments { get; private set; }

    /// <summary>Flushes and hands over the statistics gathered so far, starting afresh (blocks are reused across chunks).</summary>
    public Moments Take()
    {
        Flush();
        var taken = Moments;
        Moments = new Moments(_m);
        return taken;
    }

    /// <summary>Adds one row (m values) of weight w ≥ 0.</summary>
    public void Add(ReadOnlySpan<double> row, double w)
    {
        for (int j = 0; j < _m; j++) _raw[j * Rows + _count] = row[j];
        _weights[_count] = w;
        if (++_count == Rows) Flush();
    }

    public void Flush()
    {
        int rows = _count, m = _m;
        if (rows == 0) return;
        _count = 0;
        var w = _weights.AsSpan(0, rows);
        double total = Kernels.Sum(w);
        var block = new Moments(m);
        if (total == 0)
        {
            Moments.Merge(new Moments(rows, 0, new double[m], new double[m * m], block.Min, block.Max));
            return;
        }
        int first = 0;
        while (w[first] == 0) first++;
        bool unit = true;
        foreach (double v in w) unit &= v == 1;
        var mean = new double[m];
        var min = block.Min;
        var max = block.Max;
        for (int j = 0; j < m; j++)
        {
            var column = _raw.AsSpan(j * Rows, rows);
            double shift = column[first], s = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int i = 0; i < rows; i++)
            {
                if (w[i] == 0) continue;
                s += w[i] * (column[i] - shift);
                lo = Math.Min(lo, column[i]);
                hi = Math.Max(hi, column[i]);
            }
            mean[j] = shift + s / total;
            min[j] = lo;
            max[j] = hi;
        }
        var raw = _raw;
        var roots = _roots;
        for (int i = 0; i < rows; i++) roots[i] = Math.Sqrt(w[i]);
        // Centred (and scaled by √w) as the kernel packs them; one thread: callers run blocks in parallel.
        GramKernel.Syrk(rows, m, (j, start, target) =>
        {
            var column = raw.AsSpan(j * Rows + start, target.Length);
            for (int i = 0; i < target.Length; i++) target[i] = column[i] - mean[j];
            if (!unit)
                for (int i = 0; i < target.Length; i++) target[i] *= roots[start + i];
        }, _gram, _workspace, threads: 1);
        Moments.Merge(new Moments(rows, total, mean, (double[])_gram.Clone(), min, max));
    }
}
