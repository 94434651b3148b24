using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

/// <summary>Parquet files streamed into statistics (the tool's Parquet.Net reader) against the same data as CSV.</summary>
public class ParquetTests
{
    private static async Task WriteParquet(string path, (string Name, double?[] Values)[] doubles, (string Name, int[] Values)? integers = null,
        (string Name, string[] Values)? text = null, int groups = 3)
    {
        var fields = new List<Field>();
        foreach (var (name, values) in doubles) fields.Add(new DataField(name, typeof(double), values.Any(v => v is null), false, null!));
        if (integers is { } ints) fields.Add(new DataField(ints.Name, typeof(int), false, false, null!));
        if (text is { } t) fields.Add(new DataField(t.Name, typeof(string), false, false, null!));
        var schema = new ParquetSchema(fields);
        var data = schema.GetDataFields();
        int n = doubles[0].Values.Length, size = (n + groups - 1) / groups;
        using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        for (int start = 0; start < n; start += size)
        {
            int count = Math.Min(size, n - start);
            using var group = writer.CreateRowGroup();
            for (int k = 0; k < doubles.Length; k++)
            {
                var slice = doubles[k].Values.AsMemory(start, count);
                if (data[k].IsNullable) await group.WriteAsync<double>(data[k], slice);
                else await group.WriteAsync<double>(data[k], slice.ToArray().Select(v => v!.Value).ToArray().AsMemory());
            }
            if (integers is { } i) await group.WriteAsync<int>(data[doubles.Length], i.Values.AsMemory(start, count));
            if (text is { } s) await group.WriteAsync(data[^1], s.Values.Skip(start).Take(count).ToArray());
        }
    }

    private static (string Name, double?[] Values)[] Table(int n)
    {
        var (x, y) = RandomData.Make(21, n, 3);
        var rng = new Random(22);
        var w = Enumerable.Range(0, n).Select(_ => (double?)(rng.NextDouble() * 2)).ToArray();
        return
        [
            ("a", x.Select(r => (double?)r[0]).ToArray()), ("b", x.Select(r => (double?)r[1]).ToArray()), ("c", x.Select(r => (double?)r[2]).ToArray()),
            ("w", w), ("y", y.Select(v => (double?)v).ToArray()),
        ];
    }

    [Fact]
    public async Task AParquetFileFitsAsTheSameDataInCsv()
    {
        using var folder = new TempFolder();
        var table = Table(500);
        string parquet = folder.File("d.parquet");
        await WriteParquet(parquet, table, ("fold", Enumerable.Range(0, 500).Select(i => i % 3).ToArray()));
        string csv = folder.WriteTable("d.csv", [.. table.Select(t => t.Name), "fold"],
            [.. table.Select(t => t.Values.Select(v => v!.Value).ToArray()), Enumerable.Range(0, 500).Select(i => (double)(i % 3)).ToArray()]);
        string[] args = ["--target", "y", "--weights", "w", "--exclude", "fold", "--lambda", "0.01", "--tolerance", "1e-13", "--json"];
        var fromParquet = Shell.Run(["fit", parquet, .. args]);
        var fromCsv = Shell.Run(["fit", csv, .. args]);
        Assert.True(fromParquet.ExitCode == 0, fromParquet.ToString());
        var p = JsonDocument.Parse(fromParquet.Stdout).RootElement;
        var c = JsonDocument.Parse(fromCsv.Stdout).RootElement;
        Assert.Equal("streaming", p.GetProperty("mode").GetString());
        foreach (var coefficient in c.GetProperty("coefficients").EnumerateObject())
            Assert.Equal(coefficient.Value.GetDouble(), p.GetProperty("coefficients").GetProperty(coefficient.Name).GetDouble(), 1e-9);

        string stats = folder.File("d.stats");
        Assert.Equal(0, Shell.Run("stats", parquet, "--target", "y", "--weights", "w", "--fold-column", "fold", "--out", stats).ExitCode);
        var loaded = StatisticsFile.Load(stats);
        Assert.Equal(["a", "b", "c"], loaded.FeatureNames);
        Assert.Equal([0L, 1, 2], loaded.FoldLabels);
        Assert.Equal(500, loaded.Rows);
    }

    [Fact]
    public async Task NullsAndTextColumnsInParquetAreClearErrors()
    {
        using var folder = new TempFolder();
        var table = Table(60);
        table[1].Values[41] = null;
        string nulls = folder.File("nulls.parquet");
        await WriteParquet(nulls, table);
        var result = Shell.Run("stats", nulls, "--target", "y", "--out", folder.File("n.stats"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{nulls}: row 42, column 'b' is missing (null)", Assert.Single(result.StderrLines));
        Assert.False(File.Exists(folder.File("n.stats")));
        Assert.Equal(0, Shell.Run("stats", nulls, "--target", "y", "--drop-missing", "--out", folder.File("n.stats")).ExitCode);
        Assert.Equal(59, StatisticsFile.Load(folder.File("n.stats")).Rows);

        string text = folder.File("text.parquet");
        await WriteParquet(text, Table(30), text: ("name", Enumerable.Range(0, 30).Select(i => $"r{i}").ToArray()));
        var textResult = Shell.Run("fit", text, "--target", "y", "--lambda", "0.1");
        Assert.Equal(2, textResult.ExitCode);
        Assert.True(textResult.StderrLines.Single().Contains("column 'name' holds text; only numeric columns can be used"), textResult.Stderr);
        Assert.Equal(0, Shell.Run("fit", text, "--target", "y", "--exclude", "name", "--lambda", "0.1").ExitCode);

        string broken = folder.Write("broken.parquet", "a,b\n1,2\n");
        var brokenResult = Shell.Run("fit", broken, "--target", "b", "--lambda", "0.1");
        Assert.Equal(2, brokenResult.ExitCode);
        Assert.Contains($"{broken}: cannot read as Parquet", Assert.Single(brokenResult.StderrLines));
    }
    /// <summary>A column of type T, optional (nullable) in the schema as Arrow, pandas and Spark write every column.</summary>
    private sealed record Column(DataField Field, Func<ParquetRowGroupWriter, Task> Write);

    private static Column Optional<T>(string name, T?[] values) where T : struct
    {
        var field = new DataField(name, typeof(T), true, false, null!);
        return new(field, g => g.WriteAsync<T>(field, values.AsMemory()));
    }

    /// <summary>
    /// Every physical type Parquet.Net maps, optional in the schema: numeric features of each integer and floating type
    /// (read through a nullable array of that type) and, beside them, unused optional columns of the other types (with
    /// nulls). Parquet.Net makes each optional column's nullable type by reflection (Type.MakeGenericType), which works in
    /// the Native AOT build only for the types compiled into it: with SHRINK_EXE set this checks the published binary
    /// (see Shrink.Cli.csproj).
    /// </summary>
    [Fact]
    public async Task OptionalColumnsOfEveryTypeAreRead()
    {
        using var folder = new TempFolder();
        const int n = 120;
        var (x, y) = RandomData.Make(24, n, 1);
        double[][] features =
        [
            x.Select(r => r[0]).ToArray(),
            x.Select(r => (double)(float)(r[0] * 0.5 + 1)).ToArray(),
            Enumerable.Range(0, n).Select(i => (double)(i % 7 - 3)).ToArray(),
            Enumerable.Range(0, n).Select(i => (double)(i * 3 % 11)).ToArray(),
            Enumerable.Range(0, n).Select(i => (double)(i % 5 - 2)).ToArray(),
            Enumerable.Range(0, n).Select(i => (double)(i % 13)).ToArray(),
            Enumerable.Range(0, n).Select(i => (double)(i % 9 - 4)).ToArray(),
            Enumerable.Range(0, n).Select(i => (double)(i % 17)).ToArray(),
            Enumerable.Range(0, n).Select(i => (double)(i % 19)).ToArray(),
            Enumerable.Range(0, n).Select(i => (i % 8) / 4.0).ToArray(),
        ];
        var target = y.Zip(features[2], (v, c) => v + 0.3 * c).ToArray();
        string[] names = ["f64", "f32", "i32", "i64", "i16", "u8", "i8", "u16", "u32", "dec"];
        bool Null(int i) => i % 10 == 3;
        var columns = new List<Column>
        {
            Optional(names[0], features[0].Select(v => (double?)v).ToArray()),
            Optional(names[1], features[1].Select(v => (float?)v).ToArray()),
            Optional(names[2], features[2].Select(v => (int?)v).ToArray()),
            Optional(names[3], features[3].Select(v => (long?)v).ToArray()),
            Optional(names[4], features[4].Select(v => (short?)v).ToArray()),
            Optional(names[5], features[5].Select(v => (byte?)v).ToArray()),
            Optional(names[6], features[6].Select(v => (sbyte?)v).ToArray()),
            Optional(names[7], features[7].Select(v => (ushort?)v).ToArray()),
            Optional(names[8], features[8].Select(v => (uint?)v).ToArray()),
            Optional(names[9], features[9].Select(v => (decimal?)v).ToArray()),
            Optional("flag", Enumerable.Range(0, n).Select(i => Null(i) ? null : (bool?)(i % 2 == 0)).ToArray()),
            Optional("when", Enumerable.Range(0, n).Select(i => Null(i) ? null : (DateTime?)new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(i)).ToArray()),
            Optional("day", Enumerable.Range(0, n).Select(i => Null(i) ? null : (DateOnly?)new DateOnly(2021, 1, 1).AddDays(i)).ToArray()),
            Optional("id", Enumerable.Range(0, n).Select(i => Null(i) ? null : (Guid?)new Guid(i, 0, 0, new byte[8])).ToArray()),
            Optional("big", Enumerable.Range(0, n).Select(i => Null(i) ? null : (ulong?)(ulong)i << 40).ToArray()),
            Optional("y", target.Select(v => (double?)v).ToArray()),
        };
        var name = new DataField("name", typeof(string), true, false, null!);
        var schema = new ParquetSchema([.. columns.Select(c => c.Field), name]);
        string parquet = folder.File("optional.parquet");
        using (var stream = File.Create(parquet))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            using var group = writer.CreateRowGroup();
            foreach (var column in columns) await column.Write(group);
            await group.WriteAsync(name, Enumerable.Range(0, n).Select(i => Null(i) ? null : $"r{i}").ToArray());
        }
        string csv = folder.WriteTable("optional.csv", [.. names, "y"], [.. features, target]);
        string[] args = ["--target", "y", "--exclude", "flag,when,day,id,big,name", "--lambda", "0.01", "--tolerance", "1e-13", "--json"];
        var fromParquet = Shell.Run(["fit", parquet, .. args]);
        var fromCsv = Shell.Run(["fit", csv, "--target", "y", "--lambda", "0.01", "--tolerance", "1e-13", "--json"]);
        Assert.True(fromParquet.ExitCode == 0, fromParquet.ToString());
        Assert.True(fromCsv.ExitCode == 0, fromCsv.ToString());
        var p = JsonDocument.Parse(fromParquet.Stdout).RootElement.GetProperty("coefficients");
        var c = JsonDocument.Parse(fromCsv.Stdout).RootElement.GetProperty("coefficients");
        Assert.Equal(names, p.EnumerateObject().Select(e => e.Name).ToArray());
        foreach (var coefficient in c.EnumerateObject())
            Assert.Equal(coefficient.Value.GetDouble(), p.GetProperty(coefficient.Name).GetDouble(), 1e-9);
        // The unused columns' types are named when one is asked for as a feature.
        var flag = Shell.Run("fit", parquet, "--target", "y", "--features", "f64,when", "--lambda", "0.1");
        Assert.Equal(2, flag.ExitCode);
        Assert.Contains("column 'when' holds dates or times", flag.Stderr);
    }
}
