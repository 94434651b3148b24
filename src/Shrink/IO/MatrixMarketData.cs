using System.Globalization;

namespace Shrink.IO;

/// <summary>
/// Reads a sparse feature matrix from a Matrix Market file (<c>%%MatrixMarket matrix coordinate real general</c>, as
/// scipy.io.mmwrite and R's Matrix::writeMM write it; 1-based <c>row column value</c> entries in any order) and the
/// target from a separate text file with one number per line. Features are named by column index ("1", "2", ...),
/// as the LIBSVM reader names them. Every error names the file and line.
/// </summary>
public static class MatrixMarketData
{
    /// <summary>Reads X from <paramref name="matrixPath"/> and y from <paramref name="targetPath"/>.</summary>
    public static Dataset Read(string matrixPath, string targetPath)
    {
        if (!File.Exists(matrixPath)) throw new ShrinkException($"{matrixPath}: no such file");
        if (!File.Exists(targetPath)) throw new ShrinkException($"{targetPath}: no such file");
        FeatureMatrix x;
        using (var reader = new StreamReader(matrixPath, System.Text.Encoding.UTF8, true, 1 << 16)) x = ReadMatrix(reader, matrixPath);
        double[] y;
        using (var reader = new StreamReader(targetPath, System.Text.Encoding.UTF8, true, 1 << 16)) y = ReadTarget(reader, targetPath);
        if (y.Length != x.Rows) throw new ShrinkException($"{targetPath}: {y.Length} target values but {matrixPath} has {x.Rows} rows");
        var names = new string[x.Columns];
        for (int j = 0; j < names.Length; j++) names[j] = (j + 1).ToString(CultureInfo.InvariantCulture);
        return new Dataset(x, y, names);
    }

    /// <summary>A coordinate-format real matrix as CSC (entries summed where a position repeats is not allowed: an error).</summary>
    public static FeatureMatrix ReadMatrix(TextReader text, string source)
    {
        int lineNumber = 1;
        string? line = text.ReadLine();
        if (line is null || !line.StartsWith("%%MatrixMarket", StringComparison.OrdinalIgnoreCase))
            throw new ShrinkException($"{source}:1: not a Matrix Market file (it must start with '%%MatrixMarket')");
        var banner = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).ToArray();
        if (banner.Length < 5 || banner[1] != "matrix" || banner[2] != "coordinate" || banner[3] is not ("real" or "integer") || banner[4] != "general")
            throw new ShrinkException($"{source}:1: only 'matrix coordinate real general' (or integer) is supported; got '{line.Trim()}'");
        int rows = -1, columns = -1;
        long expected = -1;
        var rowList = new List<int>();
        var columnList = new List<int>();
        var valueList = new List<double>();
        Span<Range> parts = stackalloc Range[4];
        while ((line = text.ReadLine()) is not null)
        {
            lineNumber++;
            var span = line.AsSpan().Trim();
            if (span.IsEmpty || span[0] == '%') continue;
            string Where() => $"{source}:{lineNumber}";
            int count = span.SplitAny(parts, " \t", StringSplitOptions.RemoveEmptyEntries);
            if (expected < 0)
            {
                if (count != 3 || !int.TryParse(span[parts[0]], NumberStyles.None, CultureInfo.InvariantCulture, out rows)
                    || !int.TryParse(span[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out columns)
                    || !long.TryParse(span[parts[2]], NumberStyles.None, CultureInfo.InvariantCulture, out expected))
                    throw new ShrinkException($"{Where()}: the size line must be 'rows columns entries'; got '{line.Trim()}'");
                continue;
            }
            if (count != 3) throw new ShrinkException($"{Where()}: an entry must be 'row column value'; got '{line.Trim()}'");
            if (!int.TryParse(span[parts[0]], NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i < 1 || i > rows)
                throw new ShrinkException($"{Where()}: row '{span[parts[0]].ToString()}' is not in 1..{rows}");
            if (!int.TryParse(span[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out int j) || j < 1 || j > columns)
                throw new ShrinkException($"{Where()}: column '{span[parts[1]].ToString()}' is not in 1..{columns}");
            if (!double.TryParse(span[parts[2]], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw new ShrinkException($"{Where()}: the value '{span[parts[2]].ToString()}' is not a finite number");
            rowList.Add(i - 1);
            columnList.Add(j - 1);
            valueList.Add(v);
        }
        if (expected < 0) throw new ShrinkException($"{source}: no size line ('rows columns entries')");
        if (rowList.Count != expected) throw new ShrinkException($"{source}: the size line promises {expected} entries but the file has {rowList.Count}");

        // Counting sort by column, then the rows sorted within each column.
        int nnz = rowList.Count;
        var starts = new int[columns + 1];
        foreach (int j in columnList) starts[j + 1]++;
        for (int j = 0; j < columns; j++) starts[j + 1] += starts[j];
        var next = (int[])starts.Clone();
        var rowIndices = new int[nnz];
        var values = new double[nnz];
        for (int e = 0; e < nnz; e++)
        {
            int at = next[columnList[e]]++;
            rowIndices[at] = rowList[e];
            values[at] = valueList[e];
        }
        for (int j = 0; j < columns; j++)
        {
            Array.Sort(rowIndices, values, starts[j], starts[j + 1] - starts[j]);
            for (int k = starts[j] + 1; k < starts[j + 1]; k++)
                if (rowIndices[k] == rowIndices[k - 1])
                    throw new ShrinkException($"{source}: the entry at row {rowIndices[k] + 1}, column {j + 1} appears more than once");
        }
        return FeatureMatrix.FromCsc(starts, rowIndices, values, rows, columns);
    }

    /// <summary>One number per line (blank lines and lines starting with '#' or '%' skipped).</summary>
    public static double[] ReadTarget(TextReader text, string source)
    {
        var values = new List<double>();
        int lineNumber = 0;
        string? line;
        while ((line = text.ReadLine()) is not null)
        {
            lineNumber++;
            var span = line.AsSpan().Trim();
            if (span.IsEmpty || span[0] is '#' or '%') continue;
            if (!double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw new ShrinkException($"{source}:{lineNumber}: '{span.ToString()}' is not a finite number");
            values.Add(v);
        }
        return values.ToArray();
    }
}
