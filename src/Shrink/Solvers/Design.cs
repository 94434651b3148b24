using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Shrink.Solvers;

/// <summary>
/// A column-major design (dense, or compressed sparse columns) with its implicit transform x̃_ij = √w_i·(x_ij − center_j)/scale_j, applied inside the
/// solvers rather than by copying the data. Observation weights enter as that row scale √w (so the solvers see an
/// unweighted problem); excluded columns (constant, all zero, or excluded by the user) are not variables.
/// The per-variable penalty factors and bounds live here too, because every coordinate update needs them next to
/// the column's norm. Built once by the API layer; solvers read it and never validate.
/// </summary>
internal sealed class Design
{
    /// <summary>Dense: all values, column-major. Sparse: the stored entries, column after column (see <see cref="ColumnStarts"/>).</summary>
    public required double[] X { get; init; }

    /// <summary>CSC column starts (P + 1) when the design is sparse; null when dense.</summary>
    public int[]? ColumnStarts { get; init; }

    /// <summary>CSC row indices of the stored entries (sparse only).</summary>
    public int[]? RowIndices { get; init; }

    /// <summary>
    /// Σ_i w_i·x_ij over the raw column (sparse only): with it the centring term of every product is one scalar, so
    /// a sparse column is never centred element by element. Null when no column has a centre (then no term needs it).
    /// </summary>
    public double[]? WeightedSum { get; init; }

    public bool IsSparse => ColumnStarts is not null;

    /// <summary>Stored entries of column j (sparse), or N (dense).</summary>
    public int StoredCount(int j) => ColumnStarts is { } starts ? starts[j + 1] - starts[j] : N;

    /// <summary>All stored entries over the included columns: the cost of one full pass over the data.</summary>
    public long PassCost
    {
        get
        {
            if (_passCost >= 0) return _passCost;
            long total;
            if (ColumnStarts is not { } starts)
            {
                total = (long)N * IncludedCount;
            }
            else
            {
                total = P;
                for (int j = 0; j < P; j++)
                    if (!Excluded[j]) total += starts[j + 1] - starts[j];
            }
            return _passCost = total;
        }
    }

    private long _passCost = -1;

    public required int N { get; init; }
    public required int P { get; init; }
    /// <summary>c_j: the column means with an intercept, all 0 (and no array) without.</summary>
    public required ColumnValues Center { get; init; }
    /// <summary>s_j: the column scales when standardizing, all 1 (and no array) otherwise.</summary>
    public required ColumnValues Scale { get; init; }
    /// <summary>‖x̃_j‖²/n.</summary>
    public required double[] NormSquaredOverN { get; init; }
    public required bool[] Excluded { get; init; }

    /// <summary>√w_i for weighted problems (weights normalised to sum to n); null when every weight is 1.</summary>
    public double[]? Root { get; init; }

    /// <summary>Penalty factor f_j ≥ 0 of each variable (the L1 and L2 weights are multiplied by it); null for all 1.</summary>
    public double[]? Factor { get; init; }

    /// <summary>Bounds on the standardized coefficients (lower ≤ 0 ≤ upper, infinite when absent); null when unbounded.</summary>
    public double[]? Lower { get; init; }

    /// <inheritdoc cref="Lower"/>
    public double[]? Upper { get; init; }

    /// <summary>Column j of a dense design.</summary>
    public ReadOnlySpan<double> Column(int j) => X.AsSpan(j * N, N);

    /// <summary>Features that are variables (counted once: a path asks at every λ, and on wide data a count is a scan of p).</summary>
    public int IncludedCount => _includedCount >= 0 ? _includedCount : _includedCount = Excluded.Count(e => !e);

    private int _includedCount = -1;

    public double FactorOf(int j) => Factor is null ? 1 : Factor[j];

    public double LowerOf(int j) => Lower is null ? double.NegativeInfinity : Lower[j];

    public double UpperOf(int j) => Upper is null ? double.PositiveInfinity : Upper[j];

    /// <summary>True when the penalty is not the same plain one on every variable (factors or bounds are in play).</summary>
    public bool Shaped => Factor is not null || Lower is not null || Upper is not null;

    public bool Bounded => Lower is not null || Upper is not null;

    /// <summary>x̃_jᵀr.</summary>
    public double Dot(int j, ReadOnlySpan<double> r)
    {
        if (IsSparse) return Dot(j, r, Center[j] == 0 ? 0 : RootDot(r));
        return (Root is null ? Kernels.DotShifted(Column(j), Center[j], r) : Kernels.DotShiftedScaled(Column(j), Center[j], Root, r)) / Scale[j];
    }

    /// <summary>x̃_jᵀr given Σ√w_i·r_i (<see cref="RootDot"/>), which a sparse column needs only for its centring term.</summary>
    public double Dot(int j, ReadOnlySpan<double> r, double rootDotR) =>
        IsSparse ? (StoredDot(j, r) - Center[j] * rootDotR) / Scale[j] : Dot(j, r);

    /// <summary>Σ_i √w_i·r_i.</summary>
    public double RootDot(ReadOnlySpan<double> r) => Root is null ? Kernels.Sum(r) : Kernels.Dot(Root, r);

    /// <summary>r += α·x̃_j (for a sparse column with a centre, that term touches every row).</summary>
    public void AddTo(int j, double alpha, Span<double> r)
    {
        if (IsSparse)
        {
            double a = alpha / Scale[j];
            StoredAdd(j, a, r);
            double shift = -a * Center[j];
            if (shift == 0) return;
            if (Root is null) System.Numerics.Tensors.TensorPrimitives.Add(r, shift, r);
            else Kernels.Axpy(shift, Root, r);
            return;
        }
        if (Root is null) Kernels.AxpyShifted(alpha / Scale[j], Column(j), Center[j], r);
        else Kernels.AxpyShiftedScaled(alpha / Scale[j], Column(j), Center[j], Root, r);
    }

    /// <summary>Σ over the stored entries of column j of √w_i·x_ij·r_i (sparse designs).</summary>
    public double StoredDot(int j, ReadOnlySpan<double> r)
    {
        int start = ColumnStarts![j], end = ColumnStarts[j + 1];
        // The row indices were checked once when the matrix was built (0 ≤ i < n, and r has n values): the gather
        // runs without a bounds check per entry, which is most of its cost.
        if (r.Length < N) throw new ArgumentException("r is shorter than the design", nameof(r));
        ref int rows = ref MemoryMarshal.GetArrayDataReference(RowIndices!);
        ref double values = ref MemoryMarshal.GetArrayDataReference(X);
        ref double rr = ref MemoryMarshal.GetReference(r);
        double total = 0, second = 0;
        int k = start;
        if (Root is { } root)
        {
            ref double w = ref MemoryMarshal.GetArrayDataReference(root);
            for (; k < end; k++)
            {
                int i = Unsafe.Add(ref rows, k);
                total += Unsafe.Add(ref values, k) * Unsafe.Add(ref w, i) * Unsafe.Add(ref rr, i);
            }
            return total;
        }
        for (; k + 1 < end; k += 2)
        {
            total += Unsafe.Add(ref values, k) * Unsafe.Add(ref rr, Unsafe.Add(ref rows, k));
            second += Unsafe.Add(ref values, k + 1) * Unsafe.Add(ref rr, Unsafe.Add(ref rows, k + 1));
        }
        if (k < end) total += Unsafe.Add(ref values, k) * Unsafe.Add(ref rr, Unsafe.Add(ref rows, k));
        return total + second;
    }

    /// <summary>
    /// Σ values_k·r[rows_k] for a column's entries held elsewhere (a <see cref="SweepBlock"/>): the same two interleaved
    /// sums as <see cref="StoredDot(int, ReadOnlySpan{double})"/> without weights, so the same value. The block's row
    /// indices are 16-bit or 32-bit.
    /// </summary>
    public static double StoredDot<T>(ReadOnlySpan<double> values, ReadOnlySpan<T> rows, ReadOnlySpan<double> r) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        ref T row = ref MemoryMarshal.GetReference(rows);
        ref double value = ref MemoryMarshal.GetReference(values);
        // The rows come from a checked matrix and r has its n values (the callers' residuals and dual points).
        ref double rr = ref MemoryMarshal.GetReference(r);
        double total = 0, second = 0;
        int k = 0, end = values.Length;
        for (; k + 1 < end; k += 2)
        {
            total += Unsafe.Add(ref value, k) * Unsafe.Add(ref rr, int.CreateTruncating(Unsafe.Add(ref row, k)));
            second += Unsafe.Add(ref value, k + 1) * Unsafe.Add(ref rr, int.CreateTruncating(Unsafe.Add(ref row, k + 1)));
        }
        if (k < end) total += Unsafe.Add(ref value, k) * Unsafe.Add(ref rr, int.CreateTruncating(Unsafe.Add(ref row, k)));
        return total + second;
    }

    /// <summary>
    /// Asks the cache for the stored entries of sparse column j ahead of use. A sweep visits scattered columns whose
    /// entries no longer fit the core's cache; without this hint each column start waits on memory (measured: 7.8 →
    /// 3.5 ns per stored entry for a sweep over 10,000 columns of 40 entries). A no-op for dense designs and without SSE.
    /// </summary>
    public unsafe void Prefetch(int j)
    {
        if (ColumnStarts is not { } starts || !System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        int start = starts[j], end = starts[j + 1];
        fixed (double* values = X)
        fixed (int* rows = RowIndices)
        {
            // One hint per 64-byte line: 8 values, 16 row indices.
            for (int k = start; k < end; k += 8) System.Runtime.Intrinsics.X86.Sse.Prefetch0(values + k);
            for (int k = start; k < end; k += 16) System.Runtime.Intrinsics.X86.Sse.Prefetch0(rows + k);
        }
    }

    /// <summary>r_i += a·√w_i·x_ij over the stored entries of column j (sparse designs).</summary>
    public void StoredAdd(int j, double a, Span<double> r)
    {
        int start = ColumnStarts![j], end = ColumnStarts[j + 1];
        if (r.Length < N) throw new ArgumentException("r is shorter than the design", nameof(r));
        ref int rows = ref MemoryMarshal.GetArrayDataReference(RowIndices!);
        ref double values = ref MemoryMarshal.GetArrayDataReference(X);
        ref double rr = ref MemoryMarshal.GetReference(r);
        if (Root is { } root)
        {
            ref double w = ref MemoryMarshal.GetArrayDataReference(root);
            for (int k = start; k < end; k++)
            {
                int i = Unsafe.Add(ref rows, k);
                Unsafe.Add(ref rr, i) += a * Unsafe.Add(ref values, k) * Unsafe.Add(ref w, i);
            }
            return;
        }
        for (int k = start; k < end; k++) Unsafe.Add(ref rr, Unsafe.Add(ref rows, k)) += a * Unsafe.Add(ref values, k);
    }

    /// <summary>Σ_i x_ij·v_i over the raw column j (no centre, scale or weight).</summary>
    public double RawDot(int j, ReadOnlySpan<double> v)
    {
        if (!IsSparse) return Kernels.Dot(Column(j), v);
        int start = ColumnStarts![j], count = ColumnStarts[j + 1] - start;
        var rows = RowIndices.AsSpan(start, count);
        var values = X.AsSpan(start, count);
        double total = 0;
        for (int k = 0; k < rows.Length; k++) total += values[k] * v[rows[k]];
        return total;
    }

    /// <summary>Writes x̃_j = √w∘(x_j − c_j)/s_j into target (n values).</summary>
    public void Transformed(int j, Span<double> target) => Transformed(j, 0, target[..N]);

    /// <summary>Rows [start, start + target.Length) of x̃_j = √w∘(x_j − c_j)/s_j.</summary>
    public void Transformed(int j, int start, Span<double> target)
    {
        double c = Center[j], s = Scale[j];
        int end = start + target.Length;
        if (IsSparse)
        {
            // The unstored rows are (0 − c)/s·√w; then the stored entries in the range, found by binary search.
            if (Root is { } w)
                System.Numerics.Tensors.TensorPrimitives.Multiply(w.AsSpan(start, target.Length), -c / s, target);
            else
                target.Fill(-c / s);
            int first = ColumnStarts![j], last = ColumnStarts[j + 1];
            int k = Array.BinarySearch(RowIndices!, first, last - first, start);
            if (k < 0) k = ~k;
            for (; k < last && RowIndices![k] < end; k++)
            {
                int i = RowIndices[k];
                target[i - start] = (X[k] - c) / s * (Root?[i] ?? 1);
            }
            return;
        }
        // Vectorized, each operation rounded as the scalar (x − c)/s·√w would be (the Gram kernel packs through this).
        var source = Column(j).Slice(start, target.Length);
        System.Numerics.Tensors.TensorPrimitives.Subtract(source, c, target);
        System.Numerics.Tensors.TensorPrimitives.Divide(target, s, target);
        if (Root is { } root) System.Numerics.Tensors.TensorPrimitives.Multiply(target, root.AsSpan(start, target.Length), target);
    }

    /// <summary>The same columns and transform with a different set of variables (no data is copied).</summary>
    public Design WithExcluded(bool[] excluded) => new()
    {
        X = X, ColumnStarts = ColumnStarts, RowIndices = RowIndices, WeightedSum = WeightedSum, N = N, P = P, Center = Center, Scale = Scale, NormSquaredOverN = NormSquaredOverN, Excluded = excluded,
        Root = Root, Factor = Factor, Lower = Lower, Upper = Upper,
    };
}

/// <summary>
/// One value per column, either stored or the same for every column: a design without an intercept or without
/// standardization has all centres 0 or all scales 1, and a 100,000-feature design would otherwise hold a p-vector of
/// each for nothing (beside the solver's own p-vectors, that is what decides a sparse path's peak memory).
/// </summary>
internal readonly struct ColumnValues : IReadOnlyList<double>
{
    private readonly double[]? _values;
    private readonly double _constant;
    private readonly int _count;

    private ColumnValues(double[]? values, double constant, int count)
    {
        _values = values;
        _constant = constant;
        _count = count;
    }

    /// <summary>The same value for each of <paramref name="count"/> columns.</summary>
    public static ColumnValues Constant(double value, int count) => new(null, value, count);

    public static implicit operator ColumnValues(double[] values) => new(values, 0, values.Length);

    public double this[int j] => _values is null ? _constant : _values[j];

    public int Count => _count;

    /// <summary>True when every column has the same value (none is stored).</summary>
    public bool IsConstant => _values is null;

    public IEnumerator<double> GetEnumerator()
    {
        for (int j = 0; j < _count; j++) yield return this[j];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
