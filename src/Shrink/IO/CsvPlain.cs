using System.Buffers;

namespace Shrink.IO;

/// <summary>
/// The CSV reader's path for plain numeric files, the common case: every row has the header's number of fields, each
/// used field is a plain decimal number (see <see cref="DecimalParser"/>), no quotes, no blanks, no missing values,
/// LF or CRLF line ends. It reads the file's bytes in blocks, splits each block into parts at line ends, counts the
/// lines of each part to know its first row, and parses the parts in parallel straight into the column-major array:
/// no UTF-16 copy of the text, no per-row buffers, no ordered hand-over of rows to one thread. Each value lands at
/// its row's place whatever thread parsed it, so the result does not depend on the thread count.
/// Anything else (a quote, a space, an empty or non-numeric used field, a ragged row, a value that is not finite)
/// makes it give up and return null; the general reader then reads the file from the start, with its checks and
/// messages, so a file gets the same values or the same error either way.
/// </summary>
internal static class CsvPlain
{
    /// <summary>Bytes read at a time (a block ends at its last line end; a longer line grows the buffer).</summary>
    internal static int BlockBytes { get; set; } = 8 << 20;

    /// <summary>Complete lines in a block below this many bytes are parsed by one thread.</summary>
    private const int SmallBlock = 256 << 10;

    /// <returns>The selected columns column-major (column k at k·capacity) and the rows, or null to use the general reader.</returns>
    public static (double[] Values, int Rows, int Capacity)? TryRead(string path, int fields, char separator, int[] selected, long estimatedRows, int workers)
    {
        if (separator is not (',' or ';' or '\t' or '|')) return null;
        var column = new int[fields];
        Array.Fill(column, -1);
        for (int k = 0; k < selected.Length; k++)
        {
            if (column[selected[k]] >= 0) return null; // a column used twice: the general reader handles it
            column[selected[k]] = k;
        }
        int width = selected.Length;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[Math.Max(BlockBytes, 1 << 10)];
        int filled = Fill(file, buffer, 0);
        // Past the header line (read and checked by the general reader's first pass); a quote in it could hide a line end.
        int headerEnd = buffer.AsSpan(0, filled).IndexOf((byte)'\n');
        if (headerEnd < 0 || buffer.AsSpan(0, headerEnd).Contains((byte)'"')) return null;
        int start = headerEnd + 1;

        int capacity = (int)Math.Min(Math.Max(estimatedRows, 16), Array.MaxLength / Math.Max(width, 1));
        var values = GC.AllocateUninitializedArray<double>(width * capacity);
        int rows = 0;
        bool end = filled < buffer.Length;
        byte sep = (byte)separator;
        int partCount = Math.Max(1, workers) * 2;
        // One row batch per part, kept from block to block (not garbage for the collector every block).
        var batches = new double[partCount][];
        while (true)
        {
            var text = buffer.AsSpan(start, filled - start);
            // The block's complete lines: up to its last line end, or all of it at the end of the file.
            int last = end ? text.Length : text.LastIndexOf((byte)'\n') + 1;
            if (last == 0 && !end)
            {
                // One line longer than the buffer: a bigger buffer.
                if (buffer.Length >= Array.MaxLength / 2) return null;
                var bigger = new byte[buffer.Length * 2];
                buffer.AsSpan(start, filled - start).CopyTo(bigger);
                filled -= start;
                start = 0;
                buffer = bigger;
                filled = Fill(file, buffer, filled);
                end = filled < buffer.Length;
                continue;
            }
            if (last > 0)
            {
                // A small block is parsed on this thread: waking pool threads would cost more than it saves.
                var parts = Split(buffer, start, last, last < SmallBlock ? 1 : partCount);
                long lines = 0;
                foreach (var part in parts) lines += part.Lines;
                if (rows + lines > capacity)
                {
                    long wanted = Math.Max(rows + lines, (long)capacity * 3 / 2);
                    if (wanted * width > Array.MaxLength) return null;
                    values = Grow(values, width, ref capacity, rows, (int)wanted);
                }
                bool ok = true;
                var into = values;
                int cap = capacity, first = rows;
                var offsets = new int[parts.Length];
                for (int k = 1; k < parts.Length; k++) offsets[k] = offsets[k - 1] + parts[k - 1].Lines;
                var block = buffer;
                if (parts.Length == 1)
                    ok = ParseLines(block.AsSpan(parts[0].Start, parts[0].Length), fields, sep, column, width, batches[0] ??= new double[BatchRows * width], into, cap, first, parts[0].Lines);
                else
                    Parallel.For(0, parts.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, (k, state) =>
                    {
                        if (!ParseLines(block.AsSpan(parts[k].Start, parts[k].Length), fields, sep, column, width, batches[k] ??= new double[BatchRows * width], into, cap, first + offsets[k], parts[k].Lines))
                        {
                            ok = false;
                            state.Stop();
                        }
                    });
                if (!ok) return null;
                rows += (int)lines;
            }
            if (end) break;
            // Keep the unfinished line, read on after it.
            int rest = filled - (start + last);
            buffer.AsSpan(start + last, rest).CopyTo(buffer);
            filled = Fill(file, buffer, rest);
            start = 0;
            end = filled < buffer.Length;
        }
        return rows == 0 ? null : (values, rows, capacity);
    }

    /// <summary>Reads until the buffer is full or the file ends; returns the bytes now in it.</summary>
    private static int Fill(FileStream file, byte[] buffer, int filled)
    {
        while (filled < buffer.Length)
        {
            int read = file.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    private readonly record struct Part(int Start, int Length, int Lines);

    /// <summary>About equal parts of [start, start + length), each ending at a line end (or the text's end), with their line counts.</summary>
    private static Part[] Split(byte[] buffer, int start, int length, int count)
    {
        var parts = new List<Part>(count);
        int from = start, stop = start + length;
        for (int k = 0; k < count && from < stop; k++)
        {
            int to = k == count - 1 ? stop : Math.Min(stop, start + (int)((long)length * (k + 1) / count));
            if (to < stop)
            {
                int next = buffer.AsSpan(to, stop - to).IndexOf((byte)'\n');
                to = next < 0 ? stop : to + next + 1;
            }
            if (to <= from) continue;
            var span = buffer.AsSpan(from, to - from);
            int lines = span.Count((byte)'\n') + (span[^1] == '\n' ? 0 : 1);
            parts.Add(new Part(from, to - from, lines));
            from = to;
        }
        return [.. parts];
    }

    /// <summary>Rows parsed into a row-major batch before they go to the columns: a batch's rows land side by side in each column.</summary>
    private const int BatchRows = 32;

    /// <summary>Parses whole lines into rows first, first + 1, ...; false at anything not plain.</summary>
    private static bool ParseLines(ReadOnlySpan<byte> text, int fields, byte sep, int[] column, int width, double[] batch, double[] values, int capacity, int first, int lines)
    {
        var stops = Stops[sep];
        // Each row would otherwise write one value into each of the columns, far apart: a cache line and a page per
        // value. Batching rows writes each column's values for the batch together.
        int i = 0, inBatch = 0, row = first;
        for (int line = 0; line < lines; line++)
        {
            int at = inBatch * width;
            for (int j = 0; j < fields; j++)
            {
                int k = column[j];
                if (k >= 0)
                {
                    int next = DecimalParser.Parse(text, i, out double value);
                    if (next < 0 || !double.IsFinite(value)) return false;
                    batch[at + k] = value;
                    i = next;
                }
                else
                {
                    // An unused field: skipped, whatever it holds, unless quoted (a quote could hide a separator).
                    int length = text[i..].IndexOfAny(stops);
                    if (length < 0) length = text.Length - i;
                    i += length;
                    if (i < text.Length && text[i] == '"') return false;
                }
                if (j < fields - 1)
                {
                    if (i >= text.Length || text[i] != sep) return false;
                    i++;
                }
            }
            if (i < text.Length && text[i] == '\r') i++;
            if (i < text.Length)
            {
                if (text[i] != '\n') return false;
                i++;
            }
            else if (line < lines - 1) return false;
            if (++inBatch == BatchRows || line == lines - 1)
            {
                for (int k = 0; k < width; k++)
                {
                    var into = values.AsSpan((int)((long)k * capacity + row), inBatch);
                    for (int r = 0; r < inBatch; r++) into[r] = batch[r * width + k];
                }
                row += inBatch;
                inBatch = 0;
            }
        }
        return i == text.Length;
    }

    /// <summary>Where an unused field ends (or a quote makes the line not plain), for each separator.</summary>
    private static readonly Dictionary<byte, SearchValues<byte>> Stops = new[] { ',', ';', '\t', '|' }
        .ToDictionary(c => (byte)c, c => SearchValues.Create([(byte)c, (byte)'\n', (byte)'\r', (byte)'"']));

    private static double[] Grow(double[] values, int width, ref int capacity, int rows, int wanted)
    {
        var grown = GC.AllocateUninitializedArray<double>(width * wanted);
        for (int k = 0; k < width; k++) Array.Copy(values, (long)k * capacity, grown, (long)k * wanted, rows);
        capacity = wanted;
        return grown;
    }
}
