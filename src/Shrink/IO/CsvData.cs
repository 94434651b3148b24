using System.Globalization;
using nietras.SeparatedValues;

namespace Shrink.IO;

/// <summary>What to take from a CSV/TSV file with a header row.</summary>
public sealed record CsvReadOptions
{
    /// <summary>The target column's name.</summary>
    public required string Target { get; init; }

    /// <summary>Feature columns, in this order; null means every column but the target and <see cref="Exclude"/>.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Columns to leave out when <see cref="Features"/> is null.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>
    /// Numeric columns read beside the data but never used as features (a fold column, say); their values come
    /// back in <see cref="CsvReadResult.Auxiliary"/>, row-aligned with the dataset.
    /// </summary>
    public IReadOnlyList<string>? Auxiliary { get; init; }

    /// <summary>Skip rows with a missing value (empty, NA, NaN) in a used column instead of failing. Default false.</summary>
    public bool DropMissing { get; init; }
}

/// <summary>A dataset read from a file, with what the reader did to it.</summary>
/// <param name="Data">The features and target.</param>
/// <param name="DroppedRows">Rows skipped for missing values (only with <see cref="CsvReadOptions.DropMissing"/>).</param>
/// <param name="Auxiliary">The values of <see cref="CsvReadOptions.Auxiliary"/> columns by name, row-aligned with the data.</param>
public sealed record CsvReadResult(Dataset Data, int DroppedRows, IReadOnlyDictionary<string, double[]> Auxiliary);

/// <summary>
/// Reads numeric CSV/TSV files (the separator is detected from the header) with Sep. Every error names the file,
/// the line and the column.
/// </summary>
public static partial class CsvData
{
    /// <summary>Reads a training dataset: the target and the chosen feature columns.</summary>
    public static CsvReadResult ReadDataset(string path, CsvReadOptions options)
    {
        CheckFile(path);
        return ReadDataset(path, () => Reader().FromFile(path), options);
    }

    /// <summary>Reads a training dataset from CSV text; <paramref name="source"/> names it in errors.</summary>
    public static CsvReadResult ReadDataset(TextReader text, string source, CsvReadOptions options) =>
        ReadDataset(source, () => Reader().From(text), options);

    private static CsvReadResult ReadDataset(string path, Func<SepReader> open, CsvReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (values, rows, dropped, header) = Read(path, open, names => SelectForDataset(path, names, options), options.DropMissing,
            "drop those rows with drop-missing (--drop-missing)");
        // Features come first in the selection, then the target, then auxiliary columns.
        int auxiliary = options.Auxiliary?.Count ?? 0;
        int p = header.Length - 1 - auxiliary;
        var target = values.AsSpan(p * rows, rows).ToArray();
        if (rows < 2)
            throw Throw.Error($"{path}: a model needs at least 2 rows of data; got {rows}{(dropped > 0 ? $" after dropping {dropped} with missing values" : "")}");
        var features = FeatureMatrix.Wrap(values, rows, p);
        var featureNames = header.Take(p).ToArray();
        var extra = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int a = 0; a < auxiliary; a++) extra[options.Auxiliary![a]] = values.AsSpan((p + 1 + a) * rows, rows).ToArray();
        return new CsvReadResult(new Dataset(features, target, featureNames, options.Target), dropped, extra);
    }

    /// <summary>Reads the named numeric columns (in that order), ignoring all others; for prediction.</summary>
    public static (FeatureMatrix Features, int DroppedRows) ReadColumns(string path, IReadOnlyList<string> columns, bool dropMissing = false)
    {
        ArgumentNullException.ThrowIfNull(columns);
        CheckFile(path);
        var (values, rows, dropped, _) = Read(path, () => Reader().FromFile(path), names => Locate(path, names, columns, "the model needs"), dropMissing,
            "a prediction needs a value in every feature the model uses");
        return (FeatureMatrix.Wrap(values, rows, columns.Count), dropped);
    }

    internal static int[] SelectForDataset(string path, IReadOnlyList<string> header, CsvReadOptions options)
    {
        int target = Locate(path, header, [options.Target], "target")[0];
        var auxiliary = options.Auxiliary ?? [];
        var auxiliaryIndex = Locate(path, header, auxiliary, "fold column");
        if (auxiliary.Contains(options.Target, StringComparer.Ordinal))
            throw Throw.Error($"{path}: column '{options.Target}' is the target and cannot also be the fold column");
        IReadOnlyList<string> featureNames;
        if (options.Features is { } chosen)
        {
            if (chosen.Contains(options.Target, StringComparer.Ordinal))
                throw Throw.Error($"{path}: column '{options.Target}' is the target and cannot also be a feature");
            if (chosen.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw Throw.Error($"{path}: features (--features) name '{twice.Key}' more than once");
            if (chosen.FirstOrDefault(c => auxiliary.Contains(c, StringComparer.Ordinal)) is { } both)
                throw Throw.Error($"{path}: column '{both}' is the fold column and cannot also be a feature");
            featureNames = chosen;
        }
        else
        {
            var exclude = options.Exclude ?? [];
            Locate(path, header, exclude, "excluded");
            featureNames = header.Where(n => n != options.Target && !exclude.Contains(n, StringComparer.Ordinal) && !auxiliary.Contains(n, StringComparer.Ordinal)).ToArray();
        }
        if (featureNames.Count == 0)
            throw Throw.Error($"{path}: there are no features: every column is the target or excluded");
        return [.. Locate(path, header, featureNames, "feature"), target, .. auxiliaryIndex];
    }

    private static int[] Locate(string path, IReadOnlyList<string> header, IReadOnlyList<string> wanted, string role)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < header.Count; j++) index[header[j]] = j;
        var result = new int[wanted.Count];
        for (int k = 0; k < wanted.Count; k++)
        {
            if (!index.TryGetValue(wanted[k], out result[k]))
                throw Throw.Error($"{path}: no column '{wanted[k]}' ({role}); the columns are {string.Join(", ", header.Select(h => $"'{h}'"))}");
        }
        return result;
    }

    internal static void CheckFile(string path)
    {
        if (Directory.Exists(path)) throw Throw.Error($"{path}: is a folder, not a data file");
        if (!File.Exists(path)) throw Throw.Error($"{path}: no such file");
    }

    // Column counts are checked here, not by Sep, so that a ragged row gets a message naming the file and line.
    // The header is read as an ordinary first row, not by Sep, which throws an ArgumentException on a duplicate
    // column name before CheckHeader could name it.
    internal static SepReaderOptions Reader() =>
        Sep.Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = true, Trim = SepTrim.All, CultureInfo = CultureInfo.InvariantCulture });

    private const int BlockRows = 4096;

    /// <returns>The selected columns, column-major in one array (k x rows), and what was dropped.</returns>
    private static (double[] Values, int Rows, int Dropped, string[] Names) Read(string path, Func<SepReader> open, Func<IReadOnlyList<string>, int[]> select, bool dropMissing, string missingAdvice)
    {
        try
        {
            using var reader = open();
            string[] header = [];
            if (reader.MoveNext())
            {
                var first = reader.Current;
                header = new string[first.ColCount];
                for (int j = 0; j < header.Length; j++) header[j] = first[j].ToString();
            }
            if (header.Length == 0 || (header.Length == 1 && header[0].Length == 0))
                throw Throw.Error($"{path}: the file is empty; expected a header row and data rows");
            CheckHeader(path, header);
            int[] selected = select(header);
            // Rows land in fixed-size row-major blocks (no regrowth copies), transposed once at the end into the
            // column-major array the solvers read: peak memory is about twice the data, not four times.
            int width = selected.Length;
            var blocks = new List<double[]>();
            int rowsKept = 0;
            var row = new double[width];
            int dropped = 0, missing = 0, dataRows = 0;
            string? firstMissing = null;

            foreach (var r in reader)
            {
                int line = r.LineNumberFrom;
                // A blank line is skipped, except in a one-column file where it is that column's missing value:
                // skipping it would silently misalign predictions with the rows they belong to.
                if (header.Length > 1 && r.ColCount == 1 && r[0].Span.Length == 0) continue;
                dataRows++;
                if (r.ColCount != header.Length)
                    throw Throw.Error($"{path}: line {line} has {r.ColCount} fields but the header has {header.Length}");
                bool rowMissing = false;
                for (int k = 0; k < selected.Length; k++)
                {
                    var cell = r[selected[k]].Span;
                    if (IsMissing(cell))
                    {
                        rowMissing = true;
                        missing++;
                        firstMissing ??= $"line {line}, column '{header[selected[k]]}'";
                        continue;
                    }
                    // Sep's fast float parser first; the framework's parser decides what it rejects, so the set of
                    // accepted spellings stays the framework's.
                    double? fast = r[selected[k]].TryParse<double>();
                    double value = fast ?? 0;
                    bool number = fast.HasValue || double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
                    if (!number && !IsInfinity(cell))
                        throw Throw.Error($"{path}: line {line}, column '{header[selected[k]]}': '{cell}' is not a number (only numeric columns can be used)");
                    if (!number || !double.IsFinite(value))
                        throw Throw.Error($"{path}: line {line}, column '{header[selected[k]]}': '{cell}' is not a finite number");
                    row[k] = value;
                }
                if (rowMissing)
                {
                    dropped++;
                    continue;
                }
                int slot = rowsKept % BlockRows;
                if (slot == 0) blocks.Add(new double[BlockRows * width]);
                row.CopyTo(blocks[^1], slot * width);
                rowsKept++;
            }

            if (dataRows == 0) throw Throw.Error($"{path}: the file has a header but no data rows");
            if (missing > 0 && !dropMissing)
                throw Throw.Error($"{path}: {firstMissing} is missing (empty, NA or NaN); {missing} missing {(missing == 1 ? "value" : "values")} in {dropped} {(dropped == 1 ? "row" : "rows")} in all; {missingAdvice}");
            var values = new double[(long)width * rowsKept];
            for (int b = 0; b < blocks.Count; b++)
            {
                var block = blocks[b];
                int first = b * BlockRows, count = Math.Min(BlockRows, rowsKept - first);
                for (int k = 0; k < width; k++)
                {
                    int offset = k * rowsKept + first;
                    for (int i = 0; i < count; i++) values[offset + i] = block[i * width + k];
                }
                blocks[b] = null!;
            }
            return (values, rowsKept, dropped, selected.Select(j => header[j]).ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw Throw.Error($"{path}: cannot read: {e.Message}");
        }
    }

    internal static void CheckHeader(string path, IReadOnlyList<string> header)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < header.Count; j++)
        {
            if (header[j].Length == 0) throw Throw.Error($"{path}: line 1, column {j + 1} has an empty name");
            if (first.TryGetValue(header[j], out int earlier))
                throw Throw.Error($"{path}: line 1: column name '{header[j]}' appears twice (columns {earlier + 1} and {j + 1})");
            first[header[j]] = j;
        }
    }

    // R and NumPy write infinity as Inf / inf, which .NET does not parse; it is a non-finite number, not text.
    internal static bool IsInfinity(ReadOnlySpan<char> cell) =>
        (cell.Length > 0 && cell[0] is '+' or '-' ? cell[1..] : cell).Equals("inf", StringComparison.OrdinalIgnoreCase);

    internal static bool IsMissing(ReadOnlySpan<char> cell) =>
        cell.Length == 0 || cell.Equals("NA", StringComparison.OrdinalIgnoreCase) || cell.Equals("NaN", StringComparison.OrdinalIgnoreCase);
}
