namespace Shrink.Solvers;

/// <summary>
/// A compact copy of the sparse columns that coordinate descent sweeps over and over (the active set of a λ and its
/// neighbours on a path): their stored values and row indices one column after another in sweep order, with each
/// column's constants beside them. Late on a wide sparse path thousands of active columns of a few dozen entries lie
/// scattered over the whole matrix, a 4 KB page or more apart, and a sweep over them in place waits on the memory
/// system at every column; read from here the same sweep streams (measured on the sparse anchor set, 9,900 active
/// columns: 2.7 → 1.7 ns per stored entry, dot product and update together).
/// </summary>
/// <remarks>
/// The block holds at most a tenth of the matrix's stored entries (<see cref="DataShare"/>); non-zero features beyond
/// that are swept from the matrix after the block's (<see cref="Overflow"/>). It is a copy, and it counts: the path's
/// allocations are not collected before its peak, so on the sparse anchor path every MB of the block is an MB of peak
/// memory (an eighth with 32-bit row indices, 7 chunks, 5.5 MB: a peak of 82 MB where 74.6 without the block; the
/// target there is 75 MiB). With 16-bit row indices a tenth is 6 chunks of 65,536 entries, 3.9 MB, nearly all of the
/// last λ's 395,000 active entries (a twelfth with 32-bit indices, the same memory, held 83% of them: 0.80 s against
/// 0.77 s, medians of 5 interleaved runs); a sixteenth kept half the time the block saves, a thirty-second none of it.
/// Columns are added at the end as they become active and dropped only when a tenth of the block no longer is (the
/// rest move forward in place), so from one round and λ to the next little is copied. The entries live in chunks of a
/// fixed size that are kept once made: the block grows without ever copying itself into a larger array, which would
/// leave the old one as garbage the collector returns late (the sparse path's peak memory is part of its target).
/// A column never straddles two chunks.
/// </remarks>
internal sealed class SweepBlock
{
    private readonly Design _design;
    /// <summary>Entries per chunk: a power of two at least the longest column (65,536 = 768 KB of values and rows, unless a column is longer).</summary>
    private readonly int _shift;
    private readonly List<double[]> _values = [];
    /// <summary>
    /// Row indices: 16-bit when the design has at most 65,536 rows (<see cref="Narrow"/>), a sixth less memory and traffic
    /// per stored entry than 32-bit, so the same bound holds more of the active set.
    /// </summary>
    private readonly List<int[]> _rows = [];
    private readonly List<ushort[]> _narrowRows = [];
    /// <summary>Position of each feature in the block, −1 when absent.</summary>
    private readonly int[] _position;
    private int _count;
    /// <summary>Where the next column goes (chunk &lt;&lt; shift | offset).</summary>
    private int _end;
    /// <summary>Chunks the block may make (a bound on its memory, from <see cref="DataShare"/>).</summary>
    private readonly int _maxChunks;
    /// <summary>The block's features, then the non-zero working features it had no room for: the features a sweep visits.</summary>
    private int[] _swept = [];
    private int _overflow;
    private double _l2 = double.NaN;

    // Per column of the block, in sweep order.
    private int[] _columns = [];
    private int[] _start = [];
    private int[] _length = [];
    /// <summary>1/(s_j·n), 1/s_j and 1/(q_j + λ2): a sweep multiplies by them where a division would sit on its critical path.</summary>
    private double[] _zScale = [], _inverseScale = [], _inverseCurvature = [];

    public SweepBlock(Design design) : this(design, null) { }

    /// <param name="maxChunks">The bound on its chunks (null: from <see cref="DataShare"/>); tests set a small one.</param>
    /// <param name="wideRows">32-bit row indices whatever the number of rows (tests).</param>
    internal SweepBlock(Design design, int? maxChunks, bool wideRows = false)
    {
        _design = design;
        var starts = design.ColumnStarts!;
        int longest = 0;
        for (int j = 0; j < design.P; j++) longest = Math.Max(longest, starts[j + 1] - starts[j]);
        _shift = 16;
        while ((1 << _shift) < longest) _shift++;
        Narrow = !wideRows && design.N <= 1 << 16;
        _position = new int[design.P];
        Array.Fill(_position, -1);
        _maxChunks = maxChunks ?? Math.Max(1, (int)Math.Min(int.MaxValue, design.PassCost / DataShare >> _shift));
    }

    /// <summary>
    /// The block holds at most this fraction of the design's stored entries, in whole chunks (at least one): it is a
    /// copy, and the sparse path's peak memory is part of its target. On the sparse anchor set a tenth is 3.9 MB (16-bit
    /// row indices), room for nearly all the entries of the 9,900 features active at the end of its path; the others
    /// are swept from the matrix.
    /// </summary>
    internal static int DataShare { get; set; } = 10;

    /// <summary>The features a sweep visits: the block's, in its order, then the non-zero working features it had no room for.</summary>
    public ReadOnlySpan<int> Swept => _swept.AsSpan(0, _count + _overflow);

    /// <summary>The non-zero working features the block had no room for (swept from the matrix).</summary>
    public ReadOnlySpan<int> Overflow => _swept.AsSpan(_count, _overflow);

    public Design Design => _design;

    /// <summary>Features in the block, in sweep order.</summary>
    public ReadOnlySpan<int> Columns => _columns.AsSpan(0, _count);

    public int Count => _count;

    internal int Shift => _shift;
    internal List<double[]> Values => _values;
    /// <summary>Whether the row indices are 16-bit (<see cref="NarrowRows"/>) rather than 32-bit (<see cref="Rows"/>).</summary>
    public bool Narrow { get; }
    internal List<int[]> Rows => _rows;
    internal List<ushort[]> NarrowRows => _narrowRows;
    internal int[] Start => _start;
    internal int[] Length => _length;
    internal double[] ZScale => _zScale;
    internal double[] InverseScale => _inverseScale;
    internal double[] InverseCurvature => _inverseCurvature;

    /// <summary>The stored values and row indices of the feature at position <paramref name="c"/>.</summary>
    public ReadOnlySpan<double> Entries(int c, out ReadOnlySpan<int> rows)
    {
        if (Narrow) throw new InvalidOperationException("the block's row indices are 16-bit");
        int at = _start[c], chunk = at >> _shift, offset = at & Mask;
        rows = _rows[chunk].AsSpan(offset, _length[c]);
        return _values[chunk].AsSpan(offset, _length[c]);
    }

    /// <inheritdoc cref="Entries(int, out ReadOnlySpan{int})"/>
    public ReadOnlySpan<double> Entries(int c, out ReadOnlySpan<ushort> rows)
    {
        if (!Narrow) throw new InvalidOperationException("the block's row indices are 32-bit");
        int at = _start[c], chunk = at >> _shift, offset = at & Mask;
        rows = _narrowRows[chunk].AsSpan(offset, _length[c]);
        return _values[chunk].AsSpan(offset, _length[c]);
    }

    /// <summary>The row indices of the feature at position <paramref name="c"/>, as integers (a copy; for tests).</summary>
    internal int[] RowsOf(int c)
    {
        if (!Narrow)
        {
            Entries(c, out ReadOnlySpan<int> wide);
            return wide.ToArray();
        }
        Entries(c, out ReadOnlySpan<ushort> narrow);
        var rows = new int[narrow.Length];
        for (int k = 0; k < rows.Length; k++) rows[k] = narrow[k];
        return rows;
    }

    /// <summary>Position of feature j in the block, −1 when it is not there.</summary>
    public int PositionOf(int j) => _position[j];

    /// <summary>
    /// Makes the block and its overflow hold every non-zero coefficient's feature, and only working features: drops the
    /// features that left the working set (and, once they are a tenth of the block, those at zero), then adds the
    /// non-zero features it lacks at the end, in the order given, as long as its bound leaves room; the rest are the
    /// overflow.
    /// </summary>
    /// <param name="working">The working features (every non-zero coefficient is among them).</param>
    /// <param name="inWorking">Membership of the working set, by feature.</param>
    public void Update(ReadOnlySpan<int> working, bool[] inWorking, ReadOnlySpan<double> beta, double l2)
    {
        int outside = 0, zero = 0;
        for (int c = 0; c < _count; c++)
        {
            int j = _columns[c];
            if (!inWorking[j]) outside++;
            else if (beta[j] == 0) zero++;
        }
        if (outside > 0 || 10 * zero > _count) Compact(inWorking, beta);
        _overflow = 0;
        foreach (int j in working)
            if (beta[j] != 0 && _position[j] < 0 && !Append(j)) AddOverflow(j);
        if (_swept.Length < _count + _overflow) Array.Resize(ref _swept, Math.Max(_count + _overflow, _swept.Length * 3 / 2));
        // (The overflow is gathered apart while the block grows, then goes after the block's features.)
        if (_overflow > 0) Array.Copy(_overflowBuffer, 0, _swept, _count, _overflow);
        Array.Copy(_columns, _swept, _count);
        if (!l2.Equals(_l2))
        {
            _l2 = l2;
            var norms = _design.NormSquaredOverN;
            for (int c = 0; c < _count; c++) _inverseCurvature[c] = 1 / (norms[_columns[c]] + l2);
        }
    }

    /// <summary>Keeps the working features at non-zero coefficients, moved forward in order (no column moves backwards).</summary>
    private void Compact(bool[] inWorking, ReadOnlySpan<double> beta)
    {
        int kept = 0;
        _end = 0;
        for (int c = 0; c < _count; c++)
        {
            int j = _columns[c];
            if (!inWorking[j] || beta[j] == 0)
            {
                _position[j] = -1;
                continue;
            }
            int length = _length[c], from = _start[c], to = Place(length);
            if (to != from)
            {
                Array.Copy(_values[from >> _shift], from & Mask, _values[to >> _shift], to & Mask, length);
                if (Narrow) Array.Copy(_narrowRows[from >> _shift], from & Mask, _narrowRows[to >> _shift], to & Mask, length);
                else Array.Copy(_rows[from >> _shift], from & Mask, _rows[to >> _shift], to & Mask, length);
            }
            _columns[kept] = j;
            _start[kept] = to;
            _length[kept] = length;
            _zScale[kept] = _zScale[c];
            _inverseScale[kept] = _inverseScale[c];
            _inverseCurvature[kept] = _inverseCurvature[c];
            _position[j] = kept;
            kept++;
            _end = to + length;
        }
        _count = kept;
    }

    private int Mask => (1 << _shift) - 1;

    /// <summary>The start of a column of this length placed after the last one (in the next chunk if it does not fit).</summary>
    private int Place(int length)
    {
        int size = 1 << _shift, offset = _end & Mask;
        return offset + length <= size ? _end : ((_end >> _shift) + 1) << _shift;
    }

    private int[] _overflowBuffer = [];

    private void AddOverflow(int j)
    {
        if (_overflow == _overflowBuffer.Length) Array.Resize(ref _overflowBuffer, Math.Max(256, _overflow * 3 / 2));
        _overflowBuffer[_overflow++] = j;
    }

    /// <summary>Copies feature j's column to the end of the block; false when that would take a chunk beyond the bound.</summary>
    private bool Append(int j)
    {
        var d = _design;
        int from = d.ColumnStarts![j], length = d.ColumnStarts[j + 1] - from, at = Place(length);
        int chunk = at >> _shift;
        if (chunk >= _maxChunks) return false;
        if (chunk == _values.Count)
        {
            _values.Add(new double[1 << _shift]);
            if (Narrow) _narrowRows.Add(new ushort[1 << _shift]);
            else _rows.Add(new int[1 << _shift]);
        }
        Array.Copy(d.X, from, _values[chunk], at & Mask, length);
        if (Narrow)
        {
            var source = d.RowIndices!.AsSpan(from, length);
            var target = _narrowRows[chunk].AsSpan(at & Mask, length);
            for (int k = 0; k < length; k++) target[k] = (ushort)source[k];
        }
        else
        {
            Array.Copy(d.RowIndices!, from, _rows[chunk], at & Mask, length);
        }
        if (_count == _columns.Length)
        {
            int capacity = Math.Max(256, _count * 3 / 2);
            Array.Resize(ref _columns, capacity);
            Array.Resize(ref _start, capacity);
            Array.Resize(ref _length, capacity);
            Array.Resize(ref _zScale, capacity);
            Array.Resize(ref _inverseScale, capacity);
            Array.Resize(ref _inverseCurvature, capacity);
        }
        int c = _count++;
        _columns[c] = j;
        _start[c] = at;
        _length[c] = length;
        _zScale[c] = 1 / (d.Scale[j] * d.N);
        _inverseScale[c] = 1 / d.Scale[j];
        _inverseCurvature[c] = 1 / (d.NormSquaredOverN[j] + _l2);
        _position[j] = c;
        _end = at + length;
        return true;
    }
}
