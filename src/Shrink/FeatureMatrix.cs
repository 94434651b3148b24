namespace Shrink;

/// <summary>
/// A dense feature matrix stored column by column (coordinate descent walks columns). Immutable once built;
/// centering and standardization are never applied to the stored values.
/// </summary>
public sealed class FeatureMatrix
{
    private readonly double[] _values;

    private FeatureMatrix(double[] columnMajor, int rows, int columns)
    {
        _values = columnMajor;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Number of rows (observations).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int Columns { get; }

    /// <summary>Column <paramref name="j"/> as a contiguous span of <see cref="Rows"/> values.</summary>
    public ReadOnlySpan<double> Column(int j) => _values.AsSpan(checked(j * Rows), Rows);

    /// <summary>The value at row <paramref name="i"/>, column <paramref name="j"/>.</summary>
    public double this[int i, int j] => _values[j * Rows + i];

    /// <summary>All values, column after column.</summary>
    internal double[] ValuesArray => _values;

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
