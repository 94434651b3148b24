using System.Buffers;
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
/// Reads numeric CSV/TSV files (the separator is detected from the header). A plain numeric file goes through
/// <see cref="CsvPlain"/> (its bytes parsed in parallel straight into the matrix); any other, or one the plain path
/// gives up on, through Sep, whose path owns every check and message. Every error names the file, the line and the
/// column.
/// </summary>
public static partial class CsvData
{
    /// <summary>Reads a training dataset: the target and the chosen feature columns.</summary>
    public static CsvReadResult ReadDataset(string path, CsvReadOptions options)
    {
        CheckFile(path);
        return ReadDataset(path, Source.File(path), options);
    }

    /// <summary>Reads a training dataset from CSV text; <paramref name="source"/> names it in errors.</summary>
    public static CsvReadResult ReadDataset(TextReader text, string source, CsvReadOptions options) =>
        ReadDataset(source, Source.Text(text.ReadToEnd()), options);

    private static CsvReadResult ReadDataset(string path, Source source, CsvReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (values, rows, dropped, header) = Read(path, source, names => SelectForDataset(path, names, options), options.DropMissing,
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
        var (values, rows, dropped, _) = Read(path, Source.File(path), names => Locate(path, names, columns, "the model needs"), dropMissing,
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

    /// <summary>A file whose first line is blank: said as such, not as an empty file (the rows may well be there).</summary>
    internal static string BlankFirstLine(string source) =>
        $"{source}: line 1 is blank; the header row must be the first line of the file (remove the blank lines above it)";

    /// <summary>Caps the threads that parse rows (tests use it to show the result does not depend on it).</summary>
    internal static int? MaxWorkers { get; set; }

    /// <summary>Whether a plain file takes <see cref="CsvPlain"/>'s path (tests turn it off to compare the two).</summary>
    internal static bool PlainPath { get; set; } = true;

    /// <summary>How to read a source twice (its header, then its rows) and about how many rows it has.</summary>
    /// <remarks>
    /// The header is read by a first reader (as an ordinary row, see <see cref="Reader"/>) and checked; the rows by a
    /// second, with Sep's header on: Sep's parallel enumeration starts at a reader's first row or right after its header.
    /// </remarks>
    private sealed record Source(Func<bool, SepReader> Open, Func<long> EstimateRows, string? Path = null)
    {
        public static Source File(string path) => new(headerOnly => Options(headerOnly).FromFile(path), () => EstimateFileRows(path), path);

        public static Source Text(string text) =>
            new(headerOnly => Options(headerOnly).FromText(text), () => text.AsSpan().Count('\n') + 1);

        private static SepReaderOptions Options(bool headerOnly) => headerOnly ? Reader() : Reader() with { HasHeader = true };
    }

    /// <summary>
    /// Rows in a file, about: its size over the mean length of the lines in its first megabyte (exact when that is the
    /// whole file). The reader grows past a low guess and closes up after a high one, so this only saves copies.
    /// </summary>
    private static long EstimateFileRows(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        var sample = new byte[(int)Math.Min(file.Length, 1 << 20)];
        file.ReadExactly(sample);
        long lines = sample.AsSpan().Count((byte)'\n');
        if (sample.Length == file.Length) return lines + 1;
        return lines == 0 ? 1024 : (long)(file.Length / (sample.Length / (double)lines) * 1.01) + 16;
    }

    /// <summary>What parsing one row found: its values (a pooled array), or why it has none.</summary>
    private readonly record struct ParsedRow(int Line, double[]? Values, bool Blank = false, int Missing = 0, int FirstMissing = -1, string? Error = null);

    /// <returns>The selected columns, column-major in one array (k x rows), and what was dropped.</returns>
    private static (double[] Values, int Rows, int Dropped, string[] Names) Read(string path, Source source, Func<IReadOnlyList<string>, int[]> select, bool dropMissing, string missingAdvice)
    {
        try
        {
            string[] header = [];
            bool more = false;
            char separator;
            using (var first = source.Open(true))
            {
                separator = first.Spec.Sep.Separator;
                if (first.MoveNext())
                {
                    var row = first.Current;
                    header = new string[row.ColCount];
                    for (int j = 0; j < header.Length; j++) header[j] = row[j].ToString();
                    // Past a blank first line, is there anything at all (else the file is just empty)?
                    while (!more && first.MoveNext()) more = first.Current.ColCount > 1 || first.Current[0].Span.Trim().Length > 0;
                }
            }
            if (header.Length == 0 || (header.Length == 1 && header[0].Length == 0))
                throw Throw.Error(more ? BlankFirstLine(path) : $"{path}: the file is empty; expected a header row and data rows");
            CheckHeader(path, header);
            int[] selected = select(header);
            int width = selected.Length;
            int workers = MaxWorkers ?? Environment.ProcessorCount;

            if (PlainPath && source.Path is { } file && CsvPlain.TryRead(file, header.Length, separator, selected, source.EstimateRows(), workers) is var (plain, plainRows, plainCapacity))
            {
                for (int k = 1; k < width && plainRows < plainCapacity; k++) Array.Copy(plain, (long)k * plainCapacity, plain, (long)k * plainRows, plainRows);
                return (plain, plainRows, 0, selected.Select(j => header[j]).ToArray());
            }

            // Sep splits the text into rows a batch at a time, and the workers parse the numbers of a batch each; the
            // rows come back in file order, so the first bad row in the file is the one reported and the values do
            // not depend on the thread count. Each kept row goes straight into the column-major array the solvers
            // read (column k at k * capacity), with no row-major copy to transpose; its rows are closed up at the end.
            int capacity = (int)Math.Min(Math.Max(source.EstimateRows(), 16), Array.MaxLength / Math.Max(width, 1));
            var values = GC.AllocateUninitializedArray<double>(width * capacity);
            int rowsKept = 0, dropped = 0, missing = 0, dataRows = 0;
            string? firstMissing = null;

            using var reader = source.Open(false);
            ParsedRow Parse(SepReader.Row r)
            {
                int line = r.LineNumberFrom;
                // A blank line is skipped, except in a one-column file where it is that column's missing value:
                // skipping it would silently misalign predictions with the rows they belong to.
                if (header.Length > 1 && r.ColCount == 1 && r[0].Span.Length == 0) return new(line, null, Blank: true);
                if (r.ColCount != header.Length)
                    return new(line, null, Error: $"{path}: line {line} has {r.ColCount} fields but the header has {header.Length}");
                var row = ArrayPool<double>.Shared.Rent(width);
                int rowMissing = 0, firstMissingColumn = -1;
                for (int k = 0; k < width; k++)
                {
                    var col = r[selected[k]];
                    // Sep's fast float parser first: a plain number costs nothing more. What it does not take as a
                    // finite number goes to the checks for missing values and the framework's parser, which decides
                    // what it rejects.
                    if (col.TryParse<double>() is { } fast && double.IsFinite(fast))
                    {
                        row[k] = fast;
                        continue;
                    }
                    var cell = col.Span;
                    if (IsMissing(cell))
                    {
                        if (rowMissing++ == 0) firstMissingColumn = k;
                        continue;
                    }
                    bool number = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value);
                    string? error = !number && !IsInfinity(cell) ? $"{path}: line {line}, column '{header[selected[k]]}': '{cell}' is not a number (only numeric columns can be used)"
                        : !number || !double.IsFinite(value) ? $"{path}: line {line}, column '{header[selected[k]]}': '{cell}' is not a finite number"
                        : null;
                    if (error is not null)
                    {
                        ArrayPool<double>.Shared.Return(row);
                        return new(line, null, Error: error);
                    }
                    row[k] = value;
                }
                return new(line, row, Missing: rowMissing, FirstMissing: firstMissingColumn);
            }

            foreach (var parsed in reader.ParallelEnumerate(Parse, workers))
            {
                if (parsed.Blank) continue;
                dataRows++;
                if (parsed.Error is { } error) throw Throw.Error(error);
                var row = parsed.Values!;
                if (parsed.Missing > 0)
                {
                    missing += parsed.Missing;
                    firstMissing ??= $"line {parsed.Line}, column '{header[selected[parsed.FirstMissing]]}'";
                    dropped++;
                    ArrayPool<double>.Shared.Return(row);
                    continue;
                }
                if (rowsKept == capacity) values = Grow(values, width, ref capacity, rowsKept);
                for (int k = 0, at = rowsKept; k < width; k++, at += capacity) values[at] = row[k];
                ArrayPool<double>.Shared.Return(row);
                rowsKept++;
            }

            if (dataRows == 0) throw Throw.Error($"{path}: the file has a header but no data rows");
            if (missing > 0 && !dropMissing)
                throw Throw.Error($"{path}: {firstMissing} is missing (empty, NA or NaN); {missing} missing {(missing == 1 ? "value" : "values")} in {dropped} {(dropped == 1 ? "row" : "rows")} in all; {missingAdvice}");
            // Close up the columns: column k moves from k * capacity to k * rowsKept, never past a column not yet moved.
            for (int k = 1; k < width && rowsKept < capacity; k++) Array.Copy(values, (long)k * capacity, values, (long)k * rowsKept, rowsKept);
            return (values, rowsKept, dropped, selected.Select(j => header[j]).ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw Throw.Error($"{path}: cannot read: {e.Message}");
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions is [var inner, ..] && inner is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Sep reads and splits the file inside the parallel query, which wraps what it throws.
            throw Throw.Error($"{path}: cannot read: {e.Flatten().InnerExceptions[0].Message}");
        }
    }

    /// <summary>Room for half as many rows again (the estimate was low), each column moved to its new place.</summary>
    private static double[] Grow(double[] values, int width, ref int capacity, int rows)
    {
        long wanted = Math.Min(Math.Max((long)capacity * 3 / 2, capacity + 1024L), Array.MaxLength / Math.Max(width, 1));
        if (wanted <= capacity) throw Throw.Error($"too many rows: {width} columns of more than {capacity} rows do not fit one array");
        var grown = GC.AllocateUninitializedArray<double>(width * (int)wanted);
        for (int k = 0; k < width; k++) Array.Copy(values, (long)k * capacity, grown, k * wanted, rows);
        capacity = (int)wanted;
        return grown;
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
