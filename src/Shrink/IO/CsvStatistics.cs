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
    public long TotalBytes { get; set; }

    /// <summary>Records <paramref name="count"/> more bytes read (for readers).</summary>
    public void AddBytes(long count) => Interlocked.Add(ref _bytes, count);

    /// <summary>Records the rows read so far (for readers).</summary>
    public void SetRows(long rows) => Interlocked.Exchange(ref _rows, rows);
}

/// <summary>
/// Gathers <see cref="SufficientStatistics"/> from a CSV/TSV file in one pass, whatever its size. The file is cut into
/// chunks of whole lines (4 MB); worker threads parse each chunk with Sep and fold its rows, in blocks of 256 per fold,
/// into the chunk's own statistics; the chunks' statistics are merged in file order. Memory is O(p²) per fold plus a
/// few chunks in flight; the result does not depend on the thread count (chunk boundaries depend only on the bytes).
/// A row's hashed fold comes from its line: data line i (0 for the line after the header, plus the row offset).
/// Every error names the file and line; the first bad line in file order is the one reported. Quoted fields may hold
/// separators and line breaks, as in memory: chunks are cut only at line breaks outside quotes.
/// </summary>
public static class CsvStatistics
{
    private const int ChunkBytes = 4 << 20;

    /// <summary>The longest row the reader takes (a longer one is most likely a quoted field never closed).</summary>
    private const int MaxRowBytes = 64 << 20;

    /// <summary>Caps the chunks parsed at once (tests use it to show the result does not depend on it).</summary>
    internal static int? MaxWorkers { get; set; }

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
            return Read(file, path, options, progress);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw Throw.Error($"{path}: cannot read: {e.Message}");
        }
    }

    /// <summary>Reads CSV from a stream; <paramref name="source"/> names it in errors.</summary>
    public static SufficientStatistics Read(Stream stream, string source, StatisticsReadOptions options, ReadProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        progress ??= new ReadProgress();
        var chunks = new Chunker(stream, progress);
        var layout = Layout.From(source, chunks.Header(source), options);
        int workers = MaxWorkers ?? Math.Max(1, Environment.ProcessorCount);
        // Each chunk in flight holds its buffer and one m x m matrix per fold: with many features and folds, fewer
        // chunks run at once so that they stay within about 256 MB together (p = 50 never notices).
        long perChunk = 3L * ChunkBytes + (options.Folds?.Count is > 0 and var k ? k : options.Folds is null ? 1 : 16) * 8L * (layout.P + 1) * (layout.P + 1);
        workers = (int)Math.Clamp((256L << 20) / perChunk, 1, workers);
        var pending = new Queue<Task<ChunkResult>>();
        // Chunk buffers and moment blocks are reused: allocating them per chunk would churn the large-object heap.
        var blocks = new System.Collections.Concurrent.ConcurrentBag<MomentBlock>();
        var total = new SortedDictionary<long, Moments>();
        long rows = 0, dropped = 0;

        void MergeOldest()
        {
            var result = pending.Dequeue().GetAwaiter().GetResult();
            chunks.Return(result.Buffer);
            if (result.Error is { } error) throw Throw.Error(error);
            foreach (var (label, moments) in result.Folds)
            {
                if (!total.TryGetValue(label, out var sum)) total[label] = sum = new Moments(layout.P + 1);
                sum.Merge(moments);
            }
            rows += result.Rows;
            dropped += result.Dropped;
            progress.SetRows(rows);
        }

        try
        {
            while (chunks.Next(source) is { } chunk)
            {
                pending.Enqueue(Task.Run(() => Parse(chunk, layout, options, blocks)));
                if (pending.Count > workers) MergeOldest();
            }
            while (pending.Count > 0) MergeOldest();
        }
        finally
        {
            // On an error, let the chunks in flight finish before their buffers go (they only read them).
            foreach (var task in pending) task.ContinueWith(_ => { }).Wait();
        }
        if (rows == 0)
            throw Throw.Error(dropped > 0 ? $"{source}: every data row has a missing value ({dropped} dropped)" : $"{source}: the file has a header but no data rows");
        if (options.Weights is not null && total.Values.Sum(m => m.WeightSum) == 0)
            throw Throw.Error($"{source}: weight column '{options.Weights}' is 0 in every row; at least one row needs a positive weight");
        var whole = Moments.Sum(total.Values, layout.P + 1);
        return new SufficientStatistics(layout.Names, options.Target, options.Weights, options.Offset, options.Folds, whole,
            options.Folds is null ? null : total, [source]) { DroppedRows = dropped };
    }

    /// <summary>Which columns of a line are what.</summary>
    private sealed record Layout(string Source, Sep Separator, int Columns, string[] Header, int[] Selection, int P, int WeightAt, int OffsetAt, int FoldAt, string[] Names)
    {
        public static Layout From(string source, string headerLine, StatisticsReadOptions options)
        {
            string[] header = [];
            Sep separator;
            using (var reader = CsvData.Reader().FromText(headerLine))
            {
                separator = reader.Spec.Sep;
                if (reader.MoveNext())
                {
                    var first = reader.Current;
                    header = new string[first.ColCount];
                    for (int j = 0; j < header.Length; j++) header[j] = first[j].ToString();
                }
            }
            if (header.Length == 0 || (header.Length == 1 && header[0].Length == 0))
                throw Throw.Error(File.Exists(source) && new FileInfo(source).Length > headerLine.Length + 2
                    ? CsvData.BlankFirstLine(source)
                    : $"{source}: the file is empty; expected a header row and data rows");
            CsvData.CheckHeader(source, header);
            var auxiliary = new[] { options.Weights, options.Offset, options.Folds?.Column }.OfType<string>().ToArray();
            if (auxiliary.Distinct(StringComparer.Ordinal).Count() != auxiliary.Length)
                throw Throw.Error($"{source}: the weights, offset and fold columns must be different columns; got {string.Join(", ", auxiliary.Select(a => $"'{a}'"))}");
            var selection = CsvData.SelectForDataset(source, header, new CsvReadOptions
            {
                Target = options.Target, Features = options.Features, Exclude = options.Exclude, Auxiliary = auxiliary,
            });
            int p = selection.Length - 1 - auxiliary.Length;
            int At(string? column) => column is null ? -1 : p + 1 + Array.IndexOf(auxiliary, column);
            return new Layout(source, separator, header.Length, header, selection, p, At(options.Weights), At(options.Offset), At(options.Folds?.Column),
                selection.Take(p).Select(j => header[j]).ToArray());
        }
    }

    private sealed record ChunkResult(byte[] Buffer, Dictionary<long, Moments> Folds, long Rows, long Dropped, string? Error);

    /// <summary>Parses one chunk of whole lines into its own statistics; stops at its first bad line.</summary>
    private static ChunkResult Parse(Chunk chunk, Layout layout, StatisticsReadOptions options, System.Collections.Concurrent.ConcurrentBag<MomentBlock> pool)
    {
        var blocks = new Dictionary<long, MomentBlock>();
        var values = new double[layout.Selection.Length];
        var row = new double[layout.P + 1];
        var cursor = options.Folds is { Column: null } hashed ? new FoldScheme.FoldCursor(hashed) : null;
        long rows = 0, dropped = 0;
        string source = layout.Source;
        ChunkResult Done(string? error)
        {
            var folds = new Dictionary<long, Moments>();
            foreach (var (label, block) in blocks)
            {
                folds[label] = block.Take();
                pool.Add(block);
            }
            return new ChunkResult(chunk.Bytes, folds, rows, dropped, error);
        }

        // Unescaping and trimming cost Sep about a tenth of its time on every field; a chunk without a quote or a space
        // has nothing for them to do, so it is read without them (the fields come out the same).
        var bytes = chunk.Bytes.AsSpan(0, chunk.Length);
        bool plain = bytes.IndexOfAny((byte)'"', (byte)' ') < 0;
        using var reader = Sep.Reader(o => o with
        {
            Sep = layout.Separator, HasHeader = false, DisableColCountCheck = true, Unescape = !plain, Trim = plain ? SepTrim.None : SepTrim.All,
            CultureInfo = CultureInfo.InvariantCulture,
        }).From(new MemoryStream(chunk.Bytes, 0, chunk.Length, writable: false));
        bool first = true;
        foreach (var r in reader)
        {
            // A row's line is where it starts (a quoted field may hold line breaks, so a row can span lines). Sep 0.17
            // numbers the first row of a headerless read as if a header came before it, so that one is not asked.
            long line = first ? chunk.FirstLine : chunk.FirstLine - 1 + r.LineNumberFrom;
            first = false;
            if (layout.Columns > 1 && r.ColCount == 1 && r[0].Span.Length == 0) continue;
            if (r.ColCount != layout.Columns) return Done($"{source}: line {line} has {r.ColCount} fields but the header has {layout.Columns}");
            string? missing = null;
            for (int k = 0; k < values.Length; k++)
            {
                var col = r[layout.Selection[k]];
                // Sep's fast parser first: the common case, a plain number, costs nothing more; the checks for missing
                // values and the framework's parser only run on what it did not take.
                if (col.TryParse<double>() is { } parsed && double.IsFinite(parsed))
                {
                    values[k] = parsed;
                    continue;
                }
                var cell = col.Span;
                if (CsvData.IsMissing(cell))
                {
                    missing ??= $"{source}: line {line}, column '{layout.Header[layout.Selection[k]]}' is missing (empty, NA or NaN)";
                    continue;
                }
                double value = 0;
                bool number = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
                if (!number && !CsvData.IsInfinity(cell))
                    return Done($"{source}: line {line}, column '{layout.Header[layout.Selection[k]]}': '{cell}' is not a number (only numeric columns can be used)");
                if (!number || !double.IsFinite(value))
                    return Done($"{source}: line {line}, column '{layout.Header[layout.Selection[k]]}': '{cell}' is not a finite number");
                values[k] = value;
            }
            if (missing is not null)
            {
                if (!options.DropMissing) return Done($"{missing}; drop such rows with drop-missing (--drop-missing)");
                dropped++;
                continue;
            }
            double weight = 1;
            if (layout.WeightAt >= 0)
            {
                weight = values[layout.WeightAt];
                if (weight < 0) return Done($"{source}: line {line}: weight column '{options.Weights}' has a negative value ({Throw.Format(weight)}); weights must be ≥ 0");
            }
            long label = 0;
            if (layout.FoldAt >= 0)
            {
                double id = values[layout.FoldAt];
                if (id != Math.Floor(id) || Math.Abs(id) > 1e15)
                    return Done($"{source}: line {line}: fold column '{options.Folds!.Column}' must hold whole numbers; got {Throw.Format(id)}");
                label = (long)id;
            }
            else if (cursor is not null)
            {
                label = cursor.FoldOf(line - 2 + options.RowOffset);
            }
            Array.Copy(values, row, layout.P);
            row[layout.P] = values[layout.P] - (layout.OffsetAt >= 0 ? values[layout.OffsetAt] : 0);
            if (!blocks.TryGetValue(label, out var block)) blocks[label] = block = pool.TryTake(out var reused) ? reused : new MomentBlock(layout.P + 1);
            block.Add(row, weight);
            rows++;
        }
        return Done(null);
    }

    private sealed record Chunk(byte[] Bytes, int Length, long FirstLine);

    /// <summary>Cuts a stream into chunks of whole lines, counting lines so each chunk knows its first line number.</summary>
    private sealed class Chunker(Stream stream, ReadProgress progress)
    {
        private byte[] _carry = [];
        private int _carryLength;
        private long _line = 1;
        private bool _end;

        /// <summary>The header line (the BOM and line end removed); the data's first line is then line 2.</summary>
        public string Header(string source)
        {
            var bytes = new List<byte>();
            var buffer = new byte[1 << 16];
            while (true)
            {
                int read = Fill(buffer, 0, buffer.Length);
                int newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
                if (newline >= 0 || read == 0)
                {
                    int take = newline >= 0 ? newline : read;
                    bytes.AddRange(buffer.AsSpan(0, take));
                    if (newline >= 0)
                    {
                        _carry = buffer.AsSpan(newline + 1, read - newline - 1).ToArray();
                        _carryLength = _carry.Length;
                    }
                    else _end = true;
                    break;
                }
                bytes.AddRange(buffer.AsSpan(0, read));
                if (bytes.Count > 1 << 24) throw Throw.Error($"{source}: line 1 (the header) is longer than 16 MB; is this a CSV file?");
            }
            var span = bytes.ToArray().AsSpan();
            if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
            if (span.EndsWith((ReadOnlySpan<byte>)[(byte)'\r'])) span = span[..^1];
            _line = 2;
            return System.Text.Encoding.UTF8.GetString(span);
        }

        private readonly Stack<byte[]> _free = new();

        /// <summary>Gives a chunk's buffer back once it has been parsed.</summary>
        public void Return(byte[] buffer)
        {
            if (buffer.Length == ChunkBytes) _free.Push(buffer);
        }

        public Chunk? Next(string source)
        {
            if (_end && _carryLength == 0) return null;
            int size = Math.Max(ChunkBytes, _carryLength * 2);
            var buffer = size == ChunkBytes && _free.Count > 0 ? _free.Pop() : new byte[size];
            _carry.AsSpan(0, _carryLength).CopyTo(buffer);
            int length = _carryLength;
            if (!_end)
            {
                length += Fill(buffer, length, buffer.Length - length);
                if (length < buffer.Length) _end = true;
            }
            int cut = _end ? length : LastRecordEnd(buffer.AsSpan(0, length)) + 1;
            if (cut == 0)
            {
                // One row longer than the buffer: carry it all into a bigger one (up to a bound, so that an unclosed
                // quote cannot pull the rest of the file into memory).
                if (length >= MaxRowBytes)
                    throw Throw.Error($"{source}: line {_line}: a row longer than {MaxRowBytes >> 20} MB (is a quoted field not closed?)");
                _carry = buffer;
                _carryLength = length;
                return Next(source);
            }
            _carry = buffer.AsSpan(cut, length - cut).ToArray();
            _carryLength = _carry.Length;
            var chunk = new Chunk(buffer, cut, _line);
            _line += System.MemoryExtensions.Count(buffer.AsSpan(0, cut), (byte)'\n');
            return chunk;
        }

        /// <summary>
        /// The last line break outside quotes (−1 if none). A chunk starts at the start of a row, outside quotes, and
        /// every quote toggles the state (an escaped quote, "", toggles twice), as in the CSV grammar Sep reads; so a
        /// line break is outside quotes when an even number of quotes precede it. Counting is vectorised, and the
        /// search goes back from the end, where the answer almost always is.
        /// </summary>
        internal static int LastRecordEnd(ReadOnlySpan<byte> bytes)
        {
            int at = bytes.LastIndexOf((byte)'\n');
            if (at < 0 || bytes.IndexOf((byte)'"') < 0) return at;
            int quotes = System.MemoryExtensions.Count(bytes[..at], (byte)'"');
            while (quotes % 2 != 0)
            {
                int previous = bytes[..at].LastIndexOf((byte)'\n');
                if (previous < 0) return -1;
                quotes -= System.MemoryExtensions.Count(bytes[previous..at], (byte)'"');
                at = previous;
            }
            return at;
        }

        private int Fill(byte[] buffer, int offset, int count)
        {
            int total = 0;
            while (total < count)
            {
                int read = stream.Read(buffer, offset + total, count - total);
                if (read == 0) break;
                total += read;
            }
            progress.AddBytes(total);
            return total;
        }
    }
}

/// <summary>
/// Gathers <see cref="SufficientStatistics"/> from rows that any reader hands over (a columnar file, a database
/// cursor, a partition of a distributed engine): it resolves the columns from the reader's column names as the CSV
/// reader does, checks every value, and accumulates in the same blocks.
/// </summary>
public sealed class StatisticsBuilder
{
    private readonly string _source;
    private readonly StatisticsReadOptions _options;
    private readonly string[] _header;
    private readonly int[] _selection;
    private readonly int _p, _weightAt, _offsetAt, _foldAt;
    private readonly string[] _names;
    private readonly StatisticsGatherer _gatherer;
    private readonly double[] _row;
    private long _rows;

    /// <param name="source">Names the data in errors.</param>
    /// <param name="columns">The names of the reader's columns.</param>
    public StatisticsBuilder(string source, IReadOnlyList<string> columns, StatisticsReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _options = options;
        _header = columns.ToArray();
        CsvData.CheckHeader(source, _header);
        var auxiliary = new[] { options.Weights, options.Offset, options.Folds?.Column }.OfType<string>().ToArray();
        if (auxiliary.Distinct(StringComparer.Ordinal).Count() != auxiliary.Length)
            throw Throw.Error($"{source}: the weights, offset and fold columns must be different columns; got {string.Join(", ", auxiliary.Select(a => $"'{a}'"))}");
        _selection = CsvData.SelectForDataset(source, _header, new CsvReadOptions
        {
            Target = options.Target, Features = options.Features, Exclude = options.Exclude, Auxiliary = auxiliary,
        });
        _p = _selection.Length - 1 - auxiliary.Length;
        int At(string? column) => column is null ? -1 : _p + 1 + Array.IndexOf(auxiliary, column);
        _weightAt = At(options.Weights);
        _offsetAt = At(options.Offset);
        _foldAt = At(options.Folds?.Column);
        _names = _selection.Take(_p).Select(j => _header[j]).ToArray();
        _gatherer = new StatisticsGatherer(_p, options.Folds, options.RowOffset);
        _row = new double[_p + 1];
    }

    /// <summary>The indices (into the reader's columns) of the values <see cref="Add"/> takes, in its order.</summary>
    public IReadOnlyList<int> UsedColumns => _selection;

    /// <summary>Rows added so far.</summary>
    public long Rows => _rows;

    /// <summary>Adds one row: the values of <see cref="UsedColumns"/>, in that order; <paramref name="where"/> names it in errors ("row 12").</summary>
    public void Add(ReadOnlySpan<double> values, string where)
    {
        if (values.Length != _selection.Length) throw new ArgumentException($"expected {_selection.Length} values, got {values.Length}", nameof(values));
        for (int k = 0; k < values.Length; k++)
            if (!double.IsFinite(values[k]))
                throw Throw.Error($"{_source}: {where}, column '{_header[_selection[k]]}': {Throw.Format(values[k])} is not a finite number");
        double weight = 1;
        if (_weightAt >= 0)
        {
            weight = values[_weightAt];
            if (weight < 0) throw Throw.Error($"{_source}: {where}: weight column '{_options.Weights}' has a negative value ({Throw.Format(weight)}); weights must be ≥ 0");
        }
        long label = 0;
        if (_foldAt >= 0)
        {
            double id = values[_foldAt];
            if (id != Math.Floor(id) || Math.Abs(id) > 1e15)
                throw Throw.Error($"{_source}: {where}: fold column '{_options.Folds!.Column}' must hold whole numbers; got {Throw.Format(id)}");
            label = (long)id;
        }
        values[.._p].CopyTo(_row);
        _row[_p] = values[_p] - (_offsetAt >= 0 ? values[_offsetAt] : 0);
        _gatherer.Add(_row, weight, label);
        _rows++;
    }

    /// <summary>The statistics of the rows added; <paramref name="dropped"/> rows were skipped for missing values.</summary>
    public SufficientStatistics Build(long dropped = 0)
    {
        if (_rows == 0)
            throw Throw.Error(dropped > 0 ? $"{_source}: every row has a missing value ({dropped} dropped)" : $"{_source}: there are no data rows");
        var statistics = _gatherer.Finish(_names, _options.Target, _options.Weights, _options.Offset, [_source]);
        if (_options.Weights is not null && statistics.WeightSum == 0)
            throw Throw.Error($"{_source}: weight column '{_options.Weights}' is 0 in every row; at least one row needs a positive weight");
        statistics.DroppedRows = dropped;
        return statistics;
    }
}
