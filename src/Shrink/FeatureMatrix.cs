namespace Shrink;

/// <summary>
/// A feature matrix stored column by column (coordinate descent walks columns): dense, or sparse in compressed
/// sparse column (CSC) form. Immutable once built; centering and standardization are never applied to the stored
/// values — for a sparse matrix that is what keeps it sparse.
/// </summary>
public sealed class FeatureMatrix
{
    private readonly double[] _values;
    private readonly int[]? _columnStarts;
    private readonly int[]? _rowIndices;

    private FeatureMatrix(double[] columnMajor, int rows, int columns)
    {
        _values = columnMajor;
        Rows = rows;
        Columns = columns;
    }

    private FeatureMatrix(int[] columnStarts, int[] rowIndices, double[] values, int rows, int columns)
    {
        _columnStarts = columnStarts;
        _rowIndices = rowIndices;
        _values = values;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>True for a compressed-sparse-column matrix (only its non-zeros are stored).</summary>
    public bool IsSparse => _columnStarts is not null;

    /// <summary>Stored values: Rows·Columns for a dense matrix, the stored entries of a sparse one.</summary>
    public long StoredCount => IsSparse ? _columnStarts![Columns] : (long)Rows * Columns;

    /// <summary>CSC column starts (Columns + 1 of them; null when dense).</summary>
    internal int[]? ColumnStarts => _columnStarts;

    /// <summary>CSC row indices, increasing within each column (null when dense).</summary>
    internal int[]? RowIndices => _rowIndices;

    /// <summary>Number of rows (observations).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int Columns { get; }

    /// <summary>Column <paramref name="j"/> as a contiguous span of <see cref="Rows"/> values (dense matrices only).</summary>
    public ReadOnlySpan<double> Column(int j) => IsSparse
        ? throw Throw.Error("a sparse matrix has no contiguous columns; use ColumnNonZeros or ToDense")
        : _values.AsSpan(checked(j * Rows), Rows);

    /// <summary>The stored entries of column <paramref name="j"/>: their rows (increasing) and values. Dense matrices: every row.</summary>
    public (ReadOnlyMemory<int> Rows, ReadOnlyMemory<double> Values) ColumnNonZeros(int j)
    {
        if ((uint)j >= (uint)Columns) throw new ArgumentOutOfRangeException(nameof(j));
        if (IsSparse)
        {
            int start = _columnStarts![j], count = _columnStarts[j + 1] - start;
            return (_rowIndices.AsMemory(start, count), _values.AsMemory(start, count));
        }
        return (_allRows ??= Enumerable.Range(0, Rows).ToArray(), _values.AsMemory(j * Rows, Rows));
    }

    /// <summary>0, 1, ..., Rows − 1: every row of a dense column, made once.</summary>
    private int[]? _allRows;

    /// <summary>The value at row <paramref name="i"/>, column <paramref name="j"/>.</summary>
    public double this[int i, int j]
    {
        get
        {
            if (!IsSparse) return _values[j * Rows + i];
            int start = _columnStarts![j], end = _columnStarts[j + 1];
            int at = Array.BinarySearch(_rowIndices!, start, end - start, i);
            return at >= 0 ? _values[at] : 0;
        }
    }

    /// <summary>A dense copy, column-major (for small matrices and tests; a sparse matrix is never densified by the library).</summary>
    public FeatureMatrix ToDense()
    {
        if (!IsSparse) return this;
        var values = new double[(long)Rows * Columns];
        for (int j = 0; j < Columns; j++)
            for (int k = _columnStarts![j]; k < _columnStarts[j + 1]; k++) values[(long)j * Rows + _rowIndices![k]] = _values[k];
        return new FeatureMatrix(values, Rows, Columns);
    }

    /// <summary>A sparse (CSC) copy of a dense matrix, keeping its non-zero entries; a sparse matrix is returned as is.</summary>
    public FeatureMatrix ToSparse()
    {
        if (IsSparse) return this;
        var starts = new int[Columns + 1];
        var rows = new List<int>();
        var values = new List<double>();
        for (int j = 0; j < Columns; j++)
        {
            for (int i = 0; i < Rows; i++)
            {
                double v = _values[(long)j * Rows + i];
                if (v == 0) continue;
                rows.Add(i);
                values.Add(v);
            }
            starts[j + 1] = rows.Count;
        }
        return new FeatureMatrix(starts, rows.ToArray(), values.ToArray(), Rows, Columns);
    }

    /// <summary>All values, column after column (dense), or the stored entries (sparse).</summary>
    internal double[] ValuesArray => _values;

    /// <summary>
    /// Wraps a compressed-sparse-column matrix without copying; the caller gives up ownership of the arrays.
    /// Column j's entries are <paramref name="values"/>[columnStarts[j] .. columnStarts[j + 1]) at rows
    /// <paramref name="rowIndices"/>[...], which must increase strictly within a column (0-based). Explicit zeros
    /// are allowed. The structure is checked once here (O(non-zeros)).
    /// </summary>
    public static FeatureMatrix FromCsc(int[] columnStarts, int[] rowIndices, double[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(columnStarts);
        ArgumentNullException.ThrowIfNull(rowIndices);
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0 || columns < 0) throw Throw.Error($"a matrix cannot have {rows} rows and {columns} columns");
        if (columnStarts.Length != columns + 1)
            throw Throw.Error($"a CSC matrix with {columns} columns needs {columns + 1} column starts; got {columnStarts.Length}");
        if (rowIndices.Length != values.Length)
            throw Throw.Error($"the CSC row indices have {rowIndices.Length} entries but the values have {values.Length}");
        if (columnStarts[0] != 0 || columnStarts[columns] != values.Length)
            throw Throw.Error($"the CSC column starts must run from 0 to the number of values ({values.Length}); got {columnStarts[0]} to {columnStarts[columns]}");
        for (int j = 0; j < columns; j++)
        {
            int start = columnStarts[j], end = columnStarts[j + 1];
            if (end < start) throw Throw.Error($"the CSC column starts decrease at column {j} ({start} then {end})");
            for (int k = start; k < end; k++)
            {
                int i = rowIndices[k];
                if ((uint)i >= (uint)rows) throw Throw.Error($"column {j} has an entry at row {i}, outside 0..{rows - 1}");
                if (k > start && i <= rowIndices[k - 1])
                    throw Throw.Error($"column {j}'s row indices must increase strictly; got {rowIndices[k - 1]} then {i}");
            }
        }
        return new FeatureMatrix(columnStarts, rowIndices, values, rows, columns);
    }

    /// <summary>Rows <paramref name="rows"/> (in that order) of this matrix, dense or sparse like it.</summary>
    internal FeatureMatrix SelectRows(int[] rows)
    {
        int m = rows.Length, p = Columns;
        if (!IsSparse)
        {
            var dense = new double[(long)m * p];
            for (int j = 0; j < p; j++)
            {
                var column = Column(j);
                for (int i = 0; i < m; i++) dense[(long)j * m + i] = column[rows[i]];
            }
            return new FeatureMatrix(dense, m, p);
        }
        // Where each old row goes; rows taken more than once (bootstrap-like selections) fall back to a sort per column.
        var position = new int[Rows];
        Array.Fill(position, -1);
        bool increasing = true, unique = true;
        for (int i = 0; i < m; i++)
        {
            if (position[rows[i]] >= 0) unique = false;
            position[rows[i]] = i;
            if (i > 0 && rows[i] <= rows[i - 1]) increasing = false;
        }
        if (!unique) return FromRowsOf(rows);
        var starts = new int[p + 1];
        for (int j = 0; j < p; j++)
        {
            int count = 0;
            for (int k = _columnStarts![j]; k < _columnStarts[j + 1]; k++)
                if (position[_rowIndices![k]] >= 0) count++;
            starts[j + 1] = starts[j] + count;
        }
        var rowIndices = new int[starts[p]];
        var values = new double[starts[p]];
        for (int j = 0; j < p; j++)
        {
            int at = starts[j];
            for (int k = _columnStarts![j]; k < _columnStarts[j + 1]; k++)
            {
                int target = position[_rowIndices![k]];
                if (target < 0) continue;
                rowIndices[at] = target;
                values[at++] = _values[k];
            }
            if (!increasing) Array.Sort(rowIndices, values, starts[j], starts[j + 1] - starts[j]);
        }
        return new FeatureMatrix(starts, rowIndices, values, m, p);
    }

    private FeatureMatrix FromRowsOf(int[] rows)
    {
        var starts = new int[Columns + 1];
        var rowIndices = new List<int>();
        var values = new List<double>();
        for (int j = 0; j < Columns; j++)
        {
            for (int i = 0; i < rows.Length; i++)
            {
                double v = this[rows[i], j];
                if (v == 0) continue;
                rowIndices.Add(i);
                values.Add(v);
            }
            starts[j + 1] = rowIndices.Count;
        }
        return new FeatureMatrix(starts, rowIndices.ToArray(), values.ToArray(), rows.Length, Columns);
    }

    /// <summary>Wraps column-major values without copying; the caller gives up ownership of the array.</summary>
    public static FeatureMatrix FromColumnMajor(double[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0 || columns < 0 || (long)rows * columns != values.Length)
            throw Throw.Error($"a {rows} x {columns} matrix needs {(long)rows * columns} values; got {values.Length}");
        return new FeatureMatrix(values, rows, columns);
    }

    /// <summary>Wraps the first rows x columns values of a column-major array that may hold more after them.</summary>
    internal static FeatureMatrix Wrap(double[] values, int rows, int columns) =>
        (long)rows * columns <= values.Length ? new FeatureMatrix(values, rows, columns) : throw new ArgumentException("array too short", nameof(values));

    /// <summary>Copies a row-major rectangular array.</summary>
    public static FeatureMatrix FromRows(double[,] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.GetLength(0), p = rows.GetLength(1);
        var values = new double[(long)n * p];
        for (int j = 0; j < p; j++)
            for (int i = 0; i < n; i++)
                values[j * n + i] = rows[i, j];
        return new FeatureMatrix(values, n, p);
    }

    /// <summary>Copies rows given as arrays; every row must have the same length.</summary>
    public static FeatureMatrix FromRows(IReadOnlyList<double[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.Count, p = n == 0 ? 0 : rows[0].Length;
        var values = new double[(long)n * p];
        for (int i = 0; i < n; i++)
        {
            if (rows[i].Length != p) throw Throw.Error($"row {i} has {rows[i].Length} values but row 0 has {p}");
            for (int j = 0; j < p; j++) values[j * n + i] = rows[i][j];
        }
        return new FeatureMatrix(values, n, p);
    }

    /// <summary>Copies columns given as arrays; every column must have the same length.</summary>
    public static FeatureMatrix FromColumns(IReadOnlyList<double[]> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        int p = columns.Count, n = p == 0 ? 0 : columns[0].Length;
        var values = new double[(long)n * p];
        for (int j = 0; j < p; j++)
        {
            if (columns[j].Length != n) throw Throw.Error($"column {j} has {columns[j].Length} values but column 0 has {n}");
            columns[j].CopyTo(values, j * n);
        }
        return new FeatureMatrix(values, n, p);
    }
}
