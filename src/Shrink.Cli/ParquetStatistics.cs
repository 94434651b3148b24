using Parquet;
using Parquet.Schema;
using Shrink.IO;

namespace Shrink.Cli;

/// <summary>
/// Streams a Parquet file into sufficient statistics, one row group at a time, with Parquet.Net (fully managed). Memory:
/// one row group's used columns (Parquet.Net decodes a column chunk whole) plus O(p²), the decoder's garbage compacted
/// away group by group; so it does not grow with the file, only with its row-group size. It lives in the tool, not
/// the core library, which stays free of the dependency; any reader can do the same through
/// <see cref="StatisticsBuilder"/>. Numeric columns (double, float, integers) are read; a null is a missing value (an
/// error, or a dropped row with --drop-missing); errors name the file, the row (1-based over the file) and the column.
/// </summary>
internal static class ParquetStatistics
{
    public static bool Applies(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pq", StringComparison.OrdinalIgnoreCase);

    public static SufficientStatistics Read(string path, StatisticsReadOptions options, ReadProgress progress)
    {
        if (Directory.Exists(path)) throw new ShrinkException($"{path}: is a folder, not a data file");
        if (!File.Exists(path)) throw new ShrinkException($"{path}: no such file");
        // Background (concurrent) collections let the garbage of Parquet.Net's decode buffers pile up while they run;
        // blocking ones, with the compaction below, keep the peak near the live columns (on the 1.2 GB file of the
        // benchmark: 155-168 MB against 327-354 MB with neither).
        var latency = System.Runtime.GCSettings.LatencyMode;
        try
        {
            System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.Batch;
            return ReadAsync(path, options, progress).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException || e.GetType().Namespace?.StartsWith("Parquet", StringComparison.Ordinal) == true)
        {
            throw new ShrinkException($"{path}: cannot read as Parquet: {e.Message}");
        }
        finally
        {
            System.Runtime.GCSettings.LatencyMode = latency;
        }
    }

    private static async Task<SufficientStatistics> ReadAsync(string path, StatisticsReadOptions options, ReadProgress progress)
    {
        using var stream = File.OpenRead(path);
        progress.TotalBytes = stream.Length;
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        var builder = new StatisticsBuilder(path, fields.Select(f => f.Name).ToArray(), options);
        var used = builder.UsedColumns.Select(j => fields[j]).ToArray();
        foreach (var field in used)
            if (field.IsArray || !Numeric(field.ClrType))
                throw new ShrinkException($"{path}: column '{field.Name}' holds {(field.IsArray ? "lists" : Kind(field.ClrType))}; only numeric columns can be used");
        long first = 0, dropped = 0;
        var row = new double[used.Length];
        // The used columns of one row group at a time, in arrays reused from group to group, folded into the statistics
        // in file order. (Decoding the columns with two readers at once was tried: its second set of Parquet.Net's
        // buffers cost more memory, 223-250 MB peak on the 1.2 GB file, than the 200 MB target leaves.)
        var set = new GroupColumns(used.Length);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using (var group = reader.OpenRowGroupReader(g))
            {
                set.Ensure(checked((int)group.RowCount));
                for (int k = 0; k < used.Length; k++) set.Nulls[k] = await ReadColumn(group, used[k], set.Columns[k].AsMemory(0, set.Rows));
            }
            LimitHeap(set.Bytes);
            dropped += Accumulate(path, options, builder, used, set, first, row);
            first += set.Rows;
            progress.SetRows(builder.Rows);
            progress.AddBytes(stream.Position - progress.Bytes);
        }
        return builder.Build(dropped);
    }

    /// <summary>One row group's used columns (and which values are null), in arrays kept for the next group.</summary>
    private sealed class GroupColumns(int count)
    {
        public double[][] Columns { get; } = new double[count][];
        public bool[]?[] Nulls { get; } = new bool[count][];
        public int Rows { get; private set; }
        public long Bytes => Columns.Sum(c => 8L * c.Length);

        public void Ensure(int rows)
        {
            Rows = rows;
            for (int k = 0; k < Columns.Length; k++)
                if (Columns[k] is null || Columns[k].Length < rows) Columns[k] = new double[rows];
        }
    }

    /// <summary>Folds a decoded group's rows into the statistics in order; returns the rows dropped for nulls.</summary>
    private static long Accumulate(string path, StatisticsReadOptions options, StatisticsBuilder builder, DataField[] used, GroupColumns set, long first, double[] row)
    {
        int n = set.Rows;
        bool[]? missing = null;
        for (int k = 0; k < used.Length; k++)
        {
            if (set.Nulls[k] is not { } nulls) continue;
            for (int i = 0; i < n; i++)
                if (nulls[i])
                {
                    if (!options.DropMissing)
                        throw new ShrinkException($"{path}: row {first + i + 1}, column '{used[k].Name}' is missing (null); drop such rows with drop-missing (--drop-missing)");
                    (missing ??= new bool[n])[i] = true;
                }
        }
        long dropped = 0;
        var columns = set.Columns;
        for (int i = 0; i < n; i++)
        {
            if (missing is not null && missing[i]) { dropped++; continue; }
            for (int k = 0; k < row.Length; k++) row[k] = columns[k][i];
            builder.Add(row, $"row {first + i + 1}");
        }
        return dropped;
    }

    /// <summary>
    /// Parquet.Net allocates fresh buffers for every column chunk it decodes, most of them on the large-object heap,
    /// which the collector does not compact by default: left alone, the garbage of a few row groups lingers and the
    /// process peaks well above what is live (327-354 MB measured for 41 MB of columns). Compacting once the heap passes
    /// the live columns plus a margin keeps the peak near the live set, for a collection every group or two.
    /// </summary>
    private static void LimitHeap(long live)
    {
        if (GC.GetTotalMemory(false) < live + (48L << 20)) return;
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static string Kind(Type type) =>
        type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? "text"
        : type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) ? "binary values"
        : type == typeof(bool) ? "booleans"
        : type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeSpan) || type == typeof(TimeOnly) ? "dates or times"
        : type.Name;

    private static bool Numeric(Type type) =>
        type == typeof(double) || type == typeof(float) || type == typeof(int) || type == typeof(long) || type == typeof(short)
        || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(decimal);

    /// <returns>Which rows are null (null when the column has none).</returns>
    private static async Task<bool[]?> ReadColumn(ParquetRowGroupReader group, DataField field, Memory<double> values)
    {
        var t = field.ClrType;
        if (t == typeof(double)) return await Read<double>(group, field, values, v => v);
        if (t == typeof(float)) return await Read<float>(group, field, values, v => v);
        if (t == typeof(int)) return await Read<int>(group, field, values, v => v);
        if (t == typeof(long)) return await Read<long>(group, field, values, v => v);
        if (t == typeof(short)) return await Read<short>(group, field, values, v => v);
        if (t == typeof(byte)) return await Read<byte>(group, field, values, v => v);
        if (t == typeof(sbyte)) return await Read<sbyte>(group, field, values, v => v);
        if (t == typeof(ushort)) return await Read<ushort>(group, field, values, v => v);
        if (t == typeof(uint)) return await Read<uint>(group, field, values, v => v);
        return await Read<decimal>(group, field, values, v => (double)v);
    }

    private static async Task<bool[]?> Read<T>(ParquetRowGroupReader group, DataField field, Memory<double> values, Func<T, double> convert) where T : struct
    {
        int n = values.Length;
        if (field.IsNullable)
        {
            var raw = new T?[n];
            await group.ReadAsync<T>(field, raw.AsMemory());
            var nulls = new bool[n];
            var target = values.Span;
            for (int i = 0; i < n; i++)
                if (raw[i] is { } v) target[i] = convert(v);
                else nulls[i] = true;
            return nulls;
        }
        if (typeof(T) == typeof(double))
        {
            // The common case reads straight into the reused column: no second copy.
            await group.ReadAsync<double>(field, values);
            return null;
        }
        var plain = new T[n];
        await group.ReadAsync<T>(field, plain.AsMemory());
        var span = values.Span;
        for (int i = 0; i < n; i++) span[i] = convert(plain[i]);
        return null;
    }
}
