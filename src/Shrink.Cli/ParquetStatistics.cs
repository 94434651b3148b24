using Parquet;
using Parquet.Schema;
using Shrink.IO;

namespace Shrink.Cli;

/// <summary>
/// Streams a Parquet file into sufficient statistics, one row group at a time (memory: one row group's used columns
/// plus O(p²)), with Parquet.Net (fully managed). It lives in the tool, not the core library, which stays free of the
/// dependency; any reader can do the same through <see cref="StatisticsBuilder"/>. Numeric columns (double, float,
/// integers) are read; a null is a missing value (an error, or a dropped row with --drop-missing); errors name the
/// file, the row (1-based over the file) and the column.
/// </summary>
internal static class ParquetStatistics
{
    public static bool Applies(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pq", StringComparison.OrdinalIgnoreCase);

    public static SufficientStatistics Read(string path, StatisticsReadOptions options, ReadProgress progress)
    {
        if (Directory.Exists(path)) throw new ShrinkException($"{path}: is a folder, not a data file");
        if (!File.Exists(path)) throw new ShrinkException($"{path}: no such file");
        try
        {
            return ReadAsync(path, options, progress).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException || e.GetType().Namespace?.StartsWith("Parquet", StringComparison.Ordinal) == true)
        {
            throw new ShrinkException($"{path}: cannot read as Parquet: {e.Message}");
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
        long first = 0, dropped = 0, position = 0;
        var row = new double[used.Length];
        // One row group's columns at a time, in arrays reused from group to group (a fresh set per group would
        // churn the large-object heap and double the peak).
        var columns = new double[used.Length][];
        var missing = Array.Empty<bool>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = checked((int)group.RowCount);
            if (missing.Length < n)
            {
                missing = new bool[n];
                for (int k = 0; k < used.Length; k++) columns[k] = new double[n];
            }
            Array.Clear(missing);
            string? firstMissing = null;
            for (int k = 0; k < used.Length; k++)
            {
                var nulls = await ReadColumn(group, used[k], columns[k].AsMemory(0, n));
                if (nulls is null) continue;
                for (int i = 0; i < n; i++)
                    if (nulls[i])
                    {
                        missing[i] = true;
                        firstMissing ??= $"{path}: row {first + i + 1}, column '{used[k].Name}' is missing (null)";
                    }
            }
            if (firstMissing is not null && !options.DropMissing)
                throw new ShrinkException($"{firstMissing}; drop such rows with drop-missing (--drop-missing)");
            for (int i = 0; i < n; i++)
            {
                if (missing[i]) { dropped++; continue; }
                for (int k = 0; k < used.Length; k++) row[k] = columns[k][i];
                builder.Add(row, $"row {first + i + 1}");
            }
            first += n;
            progress.SetRows(builder.Rows);
            progress.AddBytes(stream.Position - position);
            position = stream.Position;
        }
        return builder.Build(dropped);
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
