using System.Globalization;
using nietras.SeparatedValues;

namespace Shrink.IO;

/// <summary>What to gather from a CSV/TSV file in one streaming pass.</summary>
public sealed record StatisticsReadOptions
{
    /// <summary>The target column's name.</summary>
    public required string Target { get; init; }

    /// <summary>Feature columns, in this order; null means every column but the target, the weights, offset and fold columns and <see cref="Exclude"/>.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Columns to leave out when <see cref="Features"/> is null.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>A column of observation weights (≥ 0), or null.</summary>
    public string? Weights { get; init; }

    /// <summary>A column of offsets (subtracted from the target), or null.</summary>
    public string? Offset { get; init; }

    /// <summary>Gather statistics per fold too (null: only the whole data's).</summary>
    public FoldScheme? Folds { get; init; }

    /// <summary>The global index of this file's first data row, so that hashed folds of a part match the whole file's. Default 0.</summary>
    public long RowOffset { get; init; }

    /// <summary>Skip rows with a missing value in a used column instead of failing. Default false.</summary>
    public bool DropMissing { get; init; }
}

/// <summary>How far a streaming read has come (updated as it goes; read it from another thread for progress).</summary>
public sealed class ReadProgress
{
    private long _rows, _bytes;

    /// <summary>Data rows read so far.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Bytes of the file read so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The file's size in bytes (0 when unknown).</summary>
    public long TotalBytes { get; internal set; }

    internal void AddBytes(long count) => Interlocked.Add(ref _bytes, count);

    internal void SetRows(long rows) => Interlocked.Exchange(ref _rows, rows);
}

/// <summary>
/// Gathers <see cref="SufficientStatistics"/> from a CSV/TSV file in one pass, whatever its size: rows are parsed in
/// parallel by Sep (in file order), then folded in blocks of 1024 rows into the statistics, so memory is O(p²) plus
/// the parser's buffers. Every error names the file and line; the first bad line in file order is the one reported.
/// </summary>
public static class CsvStatistics
{
    /// <summary>Reads <paramref name="path"/> and returns its statistics.</summary>
    public static SufficientStatistics Read(string path, StatisticsReadOptions options, ReadProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        CsvData.CheckFile(path);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            progress ??= new ReadProgress();
            progress.TotalBytes = file.Length;
            using var counted = new CountingStream(file, progress);
            return Read(path, CsvData.Reader().From(counted), options, progress);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw Throw.Error($"{path}: cannot read: {e.Message}");
        }
    }

    /// <summary>Reads CSV text; <paramref name="source"/> names it in errors.</summary>
    public static SufficientStatistics Read(TextReader text, string source, StatisticsReadOptions options) =>
        Read(source, CsvData.Reader().From(text), options, new ReadProgress());

    /// <summary>One parsed row: values in selection order, or what was wrong with it.</summary>
    private readonly record struct Parsed(double[]? Values, int Line, string? Error, bool Missing, bool Blank);

    private static SufficientStatistics Read(string path, SepReader reader, StatisticsReadOptions options, ReadProgress progress)
    {
        using var _ = reader;
        string[] header = [];
        if (reader.MoveNext())
        {
            var first = reader.Current;
            header = new string[first.ColCount];
            for (int j = 0; j < header.Length; j++) header[j] = first[j].ToString();
        }
        if (header.Length == 0 || (header.Length == 1 && header[0].Length == 0))
            throw Throw.Error($"{path}: the file is empty; expected a header row and data rows");
        CsvData.CheckHeader(path, header);
        var auxiliary = new[] { options.Weights, options.Offset, options.Folds?.Column }.OfType<string>().ToArray();
        if (auxiliary.Distinct(StringComparer.Ordinal).Count() != auxiliary.Length)
            throw Throw.Error($"{path}: the weights, offset and fold columns must be different columns; got {string.Join(", ", auxiliary.Select(a => $"'{a}'"))}");
        var selection = CsvData.SelectForDataset(path, header, new CsvReadOptions
        {
            Target = options.Target, Features = options.Features, Exclude = options.Exclude, Auxiliary = auxiliary,
        });
        int p = selection.Length - 1 - auxiliary.Length;
        int weightAt = options.Weights is null ? -1 : p + 1 + Array.IndexOf(auxiliary, options.Weights);
        int offsetAt = options.Offset is null ? -1 : p + 1 + Array.IndexOf(auxiliary, options.Offset);
        int foldAt = options.Folds?.Column is null ? -1 : p + 1 + Array.IndexOf(auxiliary, options.Folds.Column);
        var names = selection.Take(p).Select(j => header[j]).ToArray();
        int columns = header.Length;

        Parsed Parse(SepReader.Row r)
        {
            int line = r.LineNumberFrom;
            if (columns > 1 && r.ColCount == 1 && r[0].Span.Length == 0) return new Parsed(null, line, null, false, true);
            if (r.ColCount != columns) return new Parsed(null, line, $"{path}: line {line} has {r.ColCount} fields but the header has {columns}", false, false);
            var values = new double[selection.Length];
            bool missing = false;
            string? firstMissing = null;
            for (int k = 0; k < selection.Length; k++)
            {
                var col = r[selection[k]];
                var cell = col.Span;
                if (CsvData.IsMissing(cell))
                {
                    missing = true;
                    firstMissing ??= $"{path}: line {line}, column '{header[selection[k]]}' is missing (empty, NA or NaN)";
                    continue;
                }
                double? fast = col.TryParse<double>();
                double value = fast ?? 0;
                bool number = fast.HasValue || double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
                if (!number && !CsvData.IsInfinity(cell))
                    return new Parsed(null, line, $"{path}: line {line}, column '{header[selection[k]]}': '{cell}' is not a number (only numeric columns can be used)", false, false);
                if (!number || !double.IsFinite(value))
                    return new Parsed(null, line, $"{path}: line {line}, column '{header[selection[k]]}': '{cell}' is not a finite number", false, false);
                values[k] = value;
            }
            return missing ? new Parsed(null, line, firstMissing, true, false) : new Parsed(values, line, null, false, false);
        }

        var gatherer = new StatisticsGatherer(p, options.Folds, options.RowOffset);
        var row = new double[p + 1];
        long rows = 0, dropped = 0;
        foreach (var parsed in reader.ParallelEnumerate(Parse, Math.Max(1, Environment.ProcessorCount)))
        {
            if (parsed.Blank) continue;
            if (parsed.Missing)
            {
                if (!options.DropMissing) throw Throw.Error($"{parsed.Error}; drop such rows with drop-missing (--drop-missing)");
                dropped++;
                continue;
            }
            if (parsed.Error is { } error) throw Throw.Error(error);
            var values = parsed.Values!;
            double weight = 1;
            if (weightAt >= 0)
            {
                weight = values[weightAt];
                if (weight < 0) throw Throw.Error($"{path}: line {parsed.Line}: weight column '{options.Weights}' has a negative value ({Throw.Format(weight)}); weights must be ≥ 0");
            }
            long fold = 0;
            if (foldAt >= 0)
            {
                double id = values[foldAt];
                if (id != Math.Floor(id) || Math.Abs(id) > long.MaxValue / 2)
                    throw Throw.Error($"{path}: line {parsed.Line}: fold column '{options.Folds!.Column}' must hold whole numbers; got {Throw.Format(id)}");
                fold = (long)id;
            }
            Array.Copy(values, row, p);
            row[p] = values[p] - (offsetAt >= 0 ? values[offsetAt] : 0);
            gatherer.Add(row, weight, fold);
            if ((++rows & 4095) == 0) progress.SetRows(rows);
        }
        progress.SetRows(rows);
        if (rows == 0)
            throw Throw.Error(dropped > 0 ? $"{path}: every data row has a missing value ({dropped} dropped)" : $"{path}: the file has a header but no data rows");
        var statistics = gatherer.Finish(names, options.Target, options.Weights, options.Offset, [path]);
        if (options.Weights is not null && statistics.WeightSum == 0)
            throw Throw.Error($"{path}: weight column '{options.Weights}' is 0 in every row; at least one row needs a positive weight");
        statistics.DroppedRows = dropped;
        return statistics;
    }

    /// <summary>Counts the bytes read through it, for progress.</summary>
    private sealed class CountingStream(Stream inner, ReadProgress progress) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = inner.Read(buffer, offset, count);
            progress.AddBytes(read);
            return read;
        }

        public override int Read(Span<byte> buffer)
        {
            int read = inner.Read(buffer);
            progress.AddBytes(read);
            return read;
        }
    }
}
