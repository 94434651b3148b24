using System.Globalization;
using System.Text;
using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// The in-memory CSV reader parses rows on several threads and writes them straight into the column-major matrix:
/// the values, their order, the first error reported and its line must not depend on the thread count, on where
/// Sep cuts its batches, or on how well the reader guessed the number of rows.
/// </summary>
[Collection(nameof(WorkingDirectory))] // sets the reader's thread cap, a process-wide switch
public class CsvReaderTests
{
    private const int Width = 5;

    /// <summary>
    /// Rows of Width numbers (the last is the target) written in varied spellings Sep and the framework both read:
    /// exponents, leading '+', spaces around, quotes, integers. The values are what double.Parse makes of the text.
    /// </summary>
    private static (string Text, double[][] Rows) Table(int rows, int seed, Func<int, string>? extra = null)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        text.Append(string.Join(',', Enumerable.Range(1, Width - 1).Select(j => $"x{j}"))).Append(",y");
        if (extra is not null) text.Append(",note");
        text.Append('\n');
        var values = new double[rows][];
        for (int i = 0; i < rows; i++)
        {
            values[i] = new double[Width];
            for (int j = 0; j < Width; j++)
            {
                double v = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 8));
                string cell = (random.Next(6)) switch
                {
                    0 => v.ToString("E10", CultureInfo.InvariantCulture),
                    1 => $" {v.ToString("R", CultureInfo.InvariantCulture)} ",
                    2 => $"\"{v.ToString("R", CultureInfo.InvariantCulture)}\"",
                    3 => ((long)(v * 1000)).ToString(CultureInfo.InvariantCulture),
                    4 => v >= 0 ? "+" + v.ToString("R", CultureInfo.InvariantCulture) : v.ToString("R", CultureInfo.InvariantCulture),
                    _ => v.ToString("R", CultureInfo.InvariantCulture),
                };
                values[i][j] = double.Parse(cell.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture);
                text.Append(cell).Append(j < Width - 1 ? "," : "");
            }
            if (extra is not null) text.Append(',').Append(extra(i));
            text.Append('\n');
        }
        return (text.ToString(), values);
    }

    private static CsvReadResult Read(string path, int workers, bool dropMissing = false, string[]? exclude = null)
    {
        CsvData.MaxWorkers = workers;
        try { return CsvData.ReadDataset(path, new CsvReadOptions { Target = "y", DropMissing = dropMissing, Exclude = exclude }); }
        finally { CsvData.MaxWorkers = null; }
    }

    private static string ErrorOf(string path, int workers, bool dropMissing = false) =>
        Assert.Throws<ShrinkException>(() => Read(path, workers, dropMissing)).Message;

    /// <summary>Every value is where the row-major text put it, bit for bit.</summary>
    private static void AssertHolds(double[][] expected, Dataset data)
    {
        Assert.Equal(expected.Length, data.Rows);
        Assert.Equal(Width - 1, data.Features.Columns);
        for (int j = 0; j < Width - 1; j++)
        {
            var column = data.Features.Column(j);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i][j], column[i]);
        }
        Assert.Equal(expected.Select(r => r[Width - 1]), data.Target);
    }

    [Fact]
    public void Rows_come_back_in_file_order_whatever_the_thread_count()
    {
        using var folder = new TempFolder();
        // 20,000 rows: Sep hands them to the workers in many batches.
        var (text, rows) = Table(20_000, 1);
        string path = folder.Write("data.csv", text);
        foreach (int workers in new[] { 1, 2, 4 }) AssertHolds(rows, Read(path, workers).Data);
        AssertHolds(rows, CsvData.ReadDataset(new StringReader(text), "text", new CsvReadOptions { Target = "y" }).Data);
    }

    [Fact]
    public void The_first_bad_row_in_the_file_is_the_one_reported_with_its_line()
    {
        using var folder = new TempFolder();
        var lines = Table(20_000, 2).Text.Split('\n');
        // Line numbers count the header as line 1: data row i is on line i + 2, at index i + 1 of lines.
        lines[15_001] = "1,2,three,4,5";
        lines[18_001] = "1,2,3";
        lines[19_001] = "1,2,3,inf,5";
        string path = folder.Write("bad.csv", string.Join('\n', lines));
        foreach (int workers in new[] { 1, 2, 4 })
            Assert.Equal($"{path}: line 15002, column 'x3': 'three' is not a number (only numeric columns can be used)", ErrorOf(path, workers));

        lines[15_001] = "1,2,3,4,5";
        string ragged = folder.Write("ragged.csv", string.Join('\n', lines));
        foreach (int workers in new[] { 1, 2, 4 }) Assert.Equal($"{ragged}: line 18002 has 3 fields but the header has 5", ErrorOf(ragged, workers));

        lines[18_001] = "1,2,3,4,5";
        string infinite = folder.Write("inf.csv", string.Join('\n', lines));
        foreach (int workers in new[] { 1, 2, 4 }) Assert.Equal($"{infinite}: line 19002, column 'x4': 'inf' is not a finite number", ErrorOf(infinite, workers));
    }

    [Fact]
    public void Missing_values_are_counted_in_file_order_and_their_rows_dropped_on_request()
    {
        using var folder = new TempFolder();
        var (text, rows) = Table(12_000, 3);
        var lines = text.Split('\n');
        var missingRows = new[] { 7_000, 7_001, 11_999 };
        foreach (int i in missingRows)
        {
            var cells = lines[i + 1].Split(',');
            cells[1] = i == 7_001 ? "NA" : "";
            if (i == 11_999) cells[3] = "NaN";
            lines[i + 1] = string.Join(',', cells);
        }
        string path = folder.Write("missing.csv", string.Join('\n', lines));
        foreach (int workers in new[] { 1, 2, 4 })
        {
            Assert.Equal($"{path}: line 7002, column 'x2' is missing (empty, NA or NaN); 4 missing values in 3 rows in all; drop those rows with drop-missing (--drop-missing)",
                ErrorOf(path, workers));
            var read = Read(path, workers, dropMissing: true);
            Assert.Equal(3, read.DroppedRows);
            AssertHolds(rows.Where((_, i) => !missingRows.Contains(i)).ToArray(), read.Data);
        }
    }

    [Fact]
    public void A_low_guess_of_the_rows_grows_and_a_high_one_is_closed_up()
    {
        using var folder = new TempFolder();
        // The reader guesses the rows from the first megabyte's line lengths. Long lines first (an excluded text
        // column of 20,000 characters): the guess is far too low and the array grows several times. Long lines last:
        // the guess is too high and the columns are moved together at the end.
        string longNote = new('a', 20_000);
        var (lowText, lowRows) = Table(30_000, 4, i => i < 100 ? longNote : "b");
        var (highText, highRows) = Table(30_000, 5, i => i >= 29_900 ? longNote : "b");
        string low = folder.Write("low.csv", lowText), high = folder.Write("high.csv", highText);
        foreach (int workers in new[] { 1, 2 })
        {
            AssertHolds(lowRows, Read(low, workers, exclude: ["note"]).Data);
            AssertHolds(highRows, Read(high, workers, exclude: ["note"]).Data);
        }
    }

    [Fact]
    public void Blank_lines_are_skipped_and_quoted_line_breaks_keep_the_line_numbers()
    {
        using var folder = new TempFolder();
        string path = folder.Write("notes.csv", "x1,note,y\n1,\"two\nlines\",2\n\n3,plain,4\n5,\"again\r\nand\",6\n7,x,oops\n");
        Assert.Equal($"{path}: line 8, column 'y': 'oops' is not a number (only numeric columns can be used)",
            Assert.Throws<ShrinkException>(() => CsvData.ReadDataset(path, new CsvReadOptions { Target = "y", Exclude = ["note"] })).Message);

        string good = folder.Write("good.csv", "x1,note,y\n1,\"two\nlines\",2\n\n3,plain,4\n5,\"again\r\nand\",6\n");
        var data = CsvData.ReadDataset(good, new CsvReadOptions { Target = "y", Exclude = ["note"] }).Data;
        Assert.Equal([1.0, 3, 5], data.Features.Column(0).ToArray());
        Assert.Equal([2.0, 4, 6], data.Target);
    }

    [Fact]
    public void The_tool_reports_the_bytes_it_read_and_the_rate()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Table(3_000, 6).Text);
        var json = System.Text.Json.JsonDocument.Parse(Shell.Run("path", path, "--target", "y", "--n-lambda", "5", "--json").Stdout).RootElement;
        Assert.Equal("in-memory", json.GetProperty("mode").GetString());
        Assert.Equal(new FileInfo(path).Length, json.GetProperty("bytes_read").GetInt64());
        Assert.True(json.GetProperty("read_cpu_seconds").GetDouble() >= 0);
        var text = Shell.Run("path", path, "--target", "y", "--n-lambda", "5");
        Assert.Matches(@"in memory: 3,000 rows, 4 features read in [0-9.]+ s \([0-9.]+ MB/s, [0-9.]+ MB\)", text.Stdout);
    }
    /// <summary>Reads with the plain-file path on or off (and a block size that cuts lines), restoring both switches.</summary>
    private static CsvReadResult ReadWith(string path, bool plain, int workers, int block, CsvReadOptions options)
    {
        CsvData.MaxWorkers = workers;
        CsvData.PlainPath = plain;
        int saved = CsvPlain.BlockBytes;
        CsvPlain.BlockBytes = block;
        try { return CsvData.ReadDataset(path, options); }
        finally
        {
            CsvData.MaxWorkers = null;
            CsvData.PlainPath = true;
            CsvPlain.BlockBytes = saved;
        }
    }

    private static void AssertSameData(Dataset expected, Dataset actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.FeatureNames, actual.FeatureNames);
        for (int j = 0; j < expected.Features.Columns; j++)
            Assert.True(expected.Features.Column(j).SequenceEqual(actual.Features.Column(j)), $"column {j}");
        Assert.True(expected.Target.SequenceEqual(actual.Target));
    }

    /// <summary>
    /// A plain file (numbers in the spellings of R, NumPy and .NET, an unused text column, LF or CRLF, with or without a
    /// last line end) takes the plain path and gives the general reader's values bit for bit, whatever the block size
    /// (down to a few lines, and smaller than one line) and the thread count; features chosen out of order too.
    /// </summary>
    [Theory]
    [InlineData("\n", true)]
    [InlineData("\r\n", true)]
    [InlineData("\n", false)]
    [InlineData("\r\n", false)]
    public void A_plain_file_reads_the_same_by_either_path(string newline, bool lastLineEnd)
    {
        using var folder = new TempFolder();
        var random = new Random(newline.Length * 2 + (lastLineEnd ? 1 : 0));
        var text = new StringBuilder("x1,x2,note,x3,y").Append(newline);
        for (int i = 0; i < 700; i++)
        {
            var cells = new List<string>();
            for (int j = 0; j < 4; j++)
            {
                double v = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30));
                cells.Add(random.Next(7) switch
                {
                    0 => v.ToString("E16", CultureInfo.InvariantCulture),
                    1 => ((long)(v * 1000) % 100000).ToString(CultureInfo.InvariantCulture),
                    2 => v >= 0 ? "+" + v.ToString("R", CultureInfo.InvariantCulture) : v.ToString("R", CultureInfo.InvariantCulture),
                    3 => v.ToString("F25", CultureInfo.InvariantCulture),
                    4 => "-0",
                    5 => v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal),
                    _ => v.ToString("R", CultureInfo.InvariantCulture),
                });
            }
            cells.Insert(2, random.Next(3) == 0 ? "" : $"naïve {i}");
            text.Append(string.Join(',', cells));
            if (i < 699 || lastLineEnd) text.Append(newline);
        }
        string path = folder.Write("plain.csv", text.ToString());
        var options = new CsvReadOptions { Target = "y", Features = ["x3", "x1"] };
        var general = ReadWith(path, plain: false, workers: 1, block: 1 << 20, options).Data;
        Assert.NotNull(CsvPlain.TryRead(path, 5, ',', [3, 0, 4], 10, 2));
        foreach (int block in new[] { 64, 1000, 4096, 1 << 20 })
            foreach (int workers in new[] { 1, 2, 3 })
                AssertSameData(general, ReadWith(path, plain: true, workers, block, options).Data);
        var all = ReadWith(path, plain: true, 2, 1 << 20, new CsvReadOptions { Target = "y", Exclude = ["note"] }).Data;
        AssertSameData(ReadWith(path, plain: false, 2, 1 << 20, new CsvReadOptions { Target = "y", Exclude = ["note"] }).Data, all);
    }

    /// <summary>
    /// What is not plain makes the plain path give up, wherever it is in the file; the general reader then gives its
    /// values or its error, the same as with the plain path off.
    /// </summary>
    [Theory]
    [InlineData("1,2,3\n\n4,5,6\n", false)]   // a blank line
    [InlineData("1,2,3\n4,NA,6\n", true)]      // a missing value, dropped
    [InlineData("1,2,3\n4,NA,6\n", false)]     // a missing value, an error
    [InlineData("1,2,3\n4,5\n", false)]        // a short row
    [InlineData("1,2,3\n4,5,6,7\n", false)]    // a long row
    [InlineData("1,2,3\n4,abc,6\n", false)]    // text in a used column
    [InlineData("1,2,3\n4,\"5\",6\n", false)] // a quoted number
    [InlineData("1,2,3\n4, 5 ,6\n", false)]    // spaces around a number
    [InlineData("1,2,3\n4,inf,6\n", false)]    // infinity
    [InlineData("1,2,3\n4,1e999,6\n", false)]  // overflow
    [InlineData("1,2,3\r4,5,6\n", false)]      // a lone carriage return
    [InlineData("1,2,3\n4,5.5.5,6\n", false)]  // two points
    [InlineData("1,2,3\n4,0x10,6\n", false)]   // hexadecimal
    [InlineData("1,2,3\n4,5,6\n\n\n", false)] // blank lines at the end
    public void What_is_not_plain_reads_as_the_general_reader_reads_it(string rows, bool dropMissing)
    {
        using var folder = new TempFolder();
        var random = new Random(3);
        var filler = new StringBuilder();
        for (int i = 0; i < 200; i++) filler.Append(string.Create(CultureInfo.InvariantCulture, $"{random.NextDouble()},{random.NextDouble()},{random.NextDouble()}\n"));
        foreach (var text in new[] { "a,b,y\n" + rows, "a,b,y\n" + filler + rows, "a,b,y\n" + rows + filler })
        {
            string path = folder.Write("odd.csv", text);
            var options = new CsvReadOptions { Target = "y", DropMissing = dropMissing };
            foreach (int block in new[] { 16, 1 << 20 })
            {
                string? expectedError = null, actualError = null;
                Dataset? expected = null, actual = null;
                try { expected = ReadWith(path, plain: false, 2, block, options).Data; }
                catch (ShrinkException e) { expectedError = e.Message; }
                try { actual = ReadWith(path, plain: true, 2, block, options).Data; }
                catch (ShrinkException e) { actualError = e.Message; }
                Assert.Equal(expectedError, actualError);
                if (expected is not null) AssertSameData(expected, actual!);
            }
            Assert.Null(CsvPlain.TryRead(path, 3, ',', [0, 1, 2], 10, 2));
        }
    }
}
