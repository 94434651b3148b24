using Shrink.Solvers;

namespace Shrink;

/// <summary>
/// The covariance form of every cross-validation fold from one pass over the data. With z = x − r (r the full data's
/// column means with an intercept, 0 without) and each fold's own held-out sums S_f = Σ_{i∈f} z·zᵀ, a fold's
/// training Gram is (S − S_f) corrected for its own centring c_T: Σ_T (z − d)(z − d)ᵀ with d = c_T − r — then scaled
/// by its own column scales. Centring about the full means first keeps the subtraction free of cancellation.
/// The sums are symmetric, so only their lower triangles are kept (k + 1 of them, about (k + 1)·p²/2 values), and the
/// folds' rows are gathered one fold at a time into one buffer: no fold's training rows are ever copied.
/// </summary>
internal sealed class FoldGrams
{
    private readonly int _p;
    private readonly double[] _zz;      // Σ over all rows of z·zᵀ (lower triangle, packed by rows)
    private readonly double[] _zw;      // Σ z·w, w = y − offset − r_y
    private readonly double[] _z;       // Σ z
    private readonly double _w, _ww;    // Σ w, Σ w²
    private readonly double[][] _foldZz, _foldZw, _foldZ;
    private readonly double[] _foldW, _foldWw;
    private readonly double[] _reference;
    private readonly double _referenceY;

    public static bool Pays(Problem full, int folds) =>
        !full.Design.IsSparse && GramState.Pays(full.Design) && full.Design.P <= GramState.WholeUpTo && folds >= 2;

    /// <summary>Position of entry (a, b), a ≥ b, in a packed lower triangle.</summary>
    private static long Packed(int a, int b) => (long)a * (a + 1) / 2 + b;

    public FoldGrams(Dataset data, bool fitIntercept, int[] folds, int k)
    {
        int n = data.Rows, p = data.Features.Columns;
        _p = p;
        _reference = new double[p];
        if (fitIntercept)
            for (int j = 0; j < p; j++) _reference[j] = Kernels.Sum(data.Features.Column(j)) / n;
        // The target as the problem sees it: less the offset, if any (Problem.Build subtracts it before centring).
        var y = data.TargetSpan.ToArray();
        if (data.OffsetArray is { } offset)
            for (int i = 0; i < n; i++) y[i] -= offset[i];
        _referenceY = fitIntercept ? Kernels.Sum(y) / n : 0;

        _foldZz = new double[k][];
        _foldZw = new double[k][];
        _foldZ = new double[k][];
        _foldW = new double[k];
        _foldWw = new double[k];
        var all = Enumerable.Range(0, p).ToArray();
        var sizes = new int[k];
        foreach (int f in folds) sizes[f]++;
        // One buffer for the rows of the largest fold, reused by every fold, and one for its full Gram before packing.
        var held = new double[(long)sizes.Max() * p];
        var gram = new double[p * p];
        for (int f = 0; f < k; f++)
        {
            var rows = Enumerable.Range(0, n).Where(i => folds[i] == f).ToArray();
            int m = rows.Length;
            for (int j = 0; j < p; j++)
            {
                var source = data.Features.Column(j);
                var target = held.AsSpan(j * m, m);
                for (int i = 0; i < m; i++) target[i] = source[rows[i]];
            }
            var design = new Design
            {
                X = held, N = m, P = p, Center = _reference, Scale = ColumnValues.Constant(1, p),
                NormSquaredOverN = new double[p], Excluded = new bool[p],
            };
            var w = new double[m];
            for (int i = 0; i < m; i++) w[i] = y[rows[i]] - _referenceY;
            _foldZw[f] = new double[p];
            GramKernel.Compute(design, w, all, _foldZw[f], gram);
            var packed = _foldZz[f] = new double[Packed(p, 0)];
            for (int a = 0; a < p; a++) gram.AsSpan(a * p, a + 1).CopyTo(packed.AsSpan((int)Packed(a, 0), a + 1));
            _foldZ[f] = new double[p];
            for (int j = 0; j < p; j++) _foldZ[f][j] = Kernels.Sum(held.AsSpan(j * m, m)) - m * _reference[j];
            _foldW[f] = w.Sum();
            _foldWw[f] = Kernels.Dot(w, w);
        }
        _zz = Sum(_foldZz);
        _zw = Sum(_foldZw);
        _z = Sum(_foldZ);
        _w = _foldW.Sum();
        _ww = _foldWw.Sum();
    }

    /// <summary>
    /// The Gram form of fold f's training problem (all rows but fold f, with its own centring and scaling); its matrix
    /// is symmetric up to rounding, stored column after column as <see cref="GramState"/> uses it in place.
    /// </summary>
    public MomentForm For(int f, Problem train)
    {
        var design = train.Design;
        int p = _p, nT = design.N;
        var d = new double[p];
        var sz = new double[p];
        for (int j = 0; j < p; j++)
        {
            d[j] = design.Center[j] - _reference[j];
            sz[j] = _z[j] - _foldZ[f][j];
        }
        double e = (train.FitIntercept ? train.TargetMean : 0) - _referenceY;
        double sw = _w - _foldW[f];
        var foldZz = _foldZz[f];
        var gram = new double[p * p];
        var xty = new double[p];
        for (int a = 0; a < p; a++)
        {
            if (design.Excluded[a]) continue;
            double sa = design.Scale[a];
            for (int b = 0; b < p; b++)
            {
                if (design.Excluded[b]) continue;
                long at = a >= b ? Packed(a, b) : Packed(b, a);
                // Σ_T (z − d)(z − d)ᵀ = Σ_T zzᵀ − d·(Σ_T z)ᵀ − (Σ_T z)·dᵀ + n_T·d·dᵀ
                double v = _zz[at] - foldZz[at] - d[a] * sz[b] - sz[a] * d[b] + nT * d[a] * d[b];
                // Stored as column b of the result, as GramState reads it (column j at [j·p, j·p + p)).
                gram[b * p + a] = v / (sa * design.Scale[b]);
            }
            // Σ_T (z − d)(w − e) = Σ_T z·w − e·Σ_T z − d·Σ_T w + n_T·d·e
            xty[a] = (_zw[a] - _foldZw[f][a] - e * sz[a] - d[a] * sw + nT * d[a] * e) / sa;
        }
        double ySquared = _ww - _foldWw[f] - 2 * e * sw + nT * e * e;
        return new MomentForm(gram, xty, Math.Max(ySquared, 0));
    }

    private static double[] Sum(double[][] parts)
    {
        var total = new double[parts[0].Length];
        foreach (var part in parts) Kernels.Axpy(1, part, total);
        return total;
    }
}
