using System.Globalization;
using System.Text;
using System.Text.Json;
using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

/// <summary>The LIBSVM / svmlight reader, and the tool on LIBSVM files.</summary>
public class LibSvmTests
{
    private static Dataset Parse(string text) => LibSvmData.Read(new StringReader(text), "t.svm");

    private static string Error(string text) => Assert.Throws<ShrinkException>(() => Parse(text)).Message;

    [Fact]
    public void Reads_labels_indices_qid_and_comments()
    {
        var data = Parse("# header comment\n1.5 qid:3 1:2 4:-0.5 # trailing\n\n-2 2:1e-3\t3:7\n+0.25\n3 4:0 1:1e0\n".Replace("4:0 1:1e0", "1:1e0 4:0"));
        Assert.Equal(4, data.Rows);
        Assert.Equal(4, data.Features.Columns);
        Assert.True(data.Features.IsSparse);
        Assert.Equal(["1", "2", "3", "4"], data.FeatureNames);
        Assert.Equal([1.5, -2, 0.25, 3], data.Target);
        double[,] expected = { { 2, 0, 0, -0.5 }, { 0, 1e-3, 7, 0 }, { 0, 0, 0, 0 }, { 1, 0, 0, 0 } };
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(expected[i, j], data.Features[i, j]);
        // A written-out zero is not stored.
        Assert.Equal(5, data.Features.StoredCount);
    }

    [Fact]
    public void More_non_zeros_than_one_storage_block_read_back_exactly()
    {
        // The reader stores non-zeros in blocks of 65,536: 150,000 here cross two block boundaries, mid-line.
        var rng = new Random(3);
        int n = 1500, p = 400;
        var text = new StringBuilder();
        var expected = new Dictionary<(int, int), double>();
        for (int i = 0; i < n; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i}");
            foreach (int j in Enumerable.Range(0, p).Where(_ => rng.NextDouble() < 0.25))
            {
                double v = Math.Round(RandomData.Gaussian(rng), 6) + 10;
                expected[(i, j)] = v;
                text.Append(CultureInfo.InvariantCulture, $" {j + 1}:{v:R}");
            }
            text.Append('\n');
        }
        var data = Parse(text.ToString());
        Assert.InRange(expected.Count, 2 * 65_536 + 1, 3 * 65_536);
        Assert.Equal(expected.Count, data.Features.StoredCount);
        Assert.Equal(Enumerable.Range(0, n).Select(i => (double)i), data.Target);
        for (int j = 0; j < p; j++)
        {
            var (rows, values) = data.Features.ColumnNonZeros(j);
            for (int k = 0; k < rows.Length; k++) Assert.Equal(expected[(rows.Span[k], j)], values.Span[k]);
        }
    }

    [Fact]
    public void Minimum_features_widens_the_matrix()
    {
        var data = LibSvmData.Read(new StringReader("1 2:3\n2 1:1\n"), "t.svm", new LibSvmReadOptions { MinimumFeatures = 5 });
        Assert.Equal(5, data.Features.Columns);
        Assert.Equal("5", data.FeatureNames[4]);
    }

    [Theory]
    [InlineData("1 0:3\n", "t.svm:1: feature index 0: LIBSVM indices count from 1")]
    [InlineData("1 1:1\n2 3:1 2:1\n", "t.svm:2: feature indices must increase along a line; 2 comes after 3")]
    [InlineData("1 1:1 1:2\n", "t.svm:1: feature index 1 appears twice")]
    [InlineData("1 1:abc\n", "t.svm:1: the value 'abc' of feature 1 is not a number")]
    [InlineData("1 1:\n", "t.svm:1: the value '' of feature 1 is not a number")]
    [InlineData("1 x:2\n", "t.svm:1: the feature index 'x' is not a whole number ≥ 1")]
    [InlineData("1 -3:2\n", "t.svm:1: the feature index '-3' is not a whole number ≥ 1")]
    [InlineData("1 2:1\n3:1 4:2\n", "t.svm:2: the line starts with '3:1' but must start with the label")]
    [InlineData("abc 1:2\n", "t.svm:1: the label 'abc' is not a number")]
    [InlineData("nan 1:2\n", "t.svm:1: the label is not finite (nan)")]
    [InlineData("1 1:Infinity\n", "t.svm:1: feature 1 has a non-finite value (Infinity)")]
    [InlineData("1 1:2 junk\n", "t.svm:1: 'junk' is not an index:value pair")]
    [InlineData("1 1:2 qid:4\n", "t.svm:1: 'qid:' must come right after the label")]
    [InlineData("# nothing\n\n", "t.svm: no data rows")]
    public void Every_malformed_line_is_an_error_naming_file_and_line(string text, string expected) =>
        Assert.StartsWith(expected, Error(text));

    [Fact]
    public void A_libsvm_file_fits_as_its_dense_csv_twin()
    {
        using var folder = new TempFolder();
        var (x, y) = SparseData.Make(11, 40, 9);
        string svm = folder.Write("d.svm", ToLibSvm(x, y));
        var names = Enumerable.Range(1, 9).Select(j => j.ToString(CultureInfo.InvariantCulture)).ToArray();
        string csv = folder.WriteTable("d.csv", [.. names, "y"], [.. Enumerable.Range(0, 9).Select(j => x.Select(r => r[j]).ToArray()), y]);
        foreach (var command in new[] { "fit", "path", "cv" })
        {
            string[] extra = command == "fit" ? ["--lambda", "0.05"] : command == "cv" ? ["--folds", "4"] : [];
            var fromSvm = Shell.Run([command, svm, "--json", "--tolerance", "1e-12", .. extra]);
            var fromCsv = Shell.Run([command, csv, "--target", "y", "--json", "--tolerance", "1e-12", .. extra]);
            Assert.True(fromSvm.ExitCode == 0, fromSvm.ToString());
            Assert.True(fromCsv.ExitCode == 0, fromCsv.ToString());
            var a = JsonDocument.Parse(fromSvm.Stdout).RootElement;
            var b = JsonDocument.Parse(fromCsv.Stdout).RootElement;
            if (command == "fit")
                foreach (var name in names)
                    Assert.Equal(b.GetProperty("coefficients").GetProperty(name).GetDouble(), a.GetProperty("coefficients").GetProperty(name).GetDouble(), 1e-7);
            else if (command == "path")
                Assert.Equal(b.GetProperty("nnz").EnumerateArray().Select(e => e.GetInt32()), a.GetProperty("nnz").EnumerateArray().Select(e => e.GetInt32()));
            else
                Assert.Equal(b.GetProperty("lambda_min").GetDouble(), a.GetProperty("lambda_min").GetDouble(), 1e-12);
        }
        // --format chooses the reader whatever the extension says.
        string renamed = folder.Write("d.txt", ToLibSvm(x, y));
        Assert.Equal(0, Shell.Run("fit", renamed, "--format", "libsvm", "--lambda", "0.05").ExitCode);
        Assert.Equal(2, Shell.Run("fit", renamed, "--format", "parquet", "--lambda", "0.05").ExitCode);
    }

    [Fact]
    public void Predict_reads_libsvm_with_fewer_or_more_indices_than_the_model()
    {
        using var folder = new TempFolder();
        var (x, y) = SparseData.Make(12, 30, 6);
        string train = folder.Write("train.svm", ToLibSvm(x, y));
        string model = folder.File("m.json");
        Assert.Equal(0, Shell.Run("fit", train, "--lambda", "0.01", "--save", model).ExitCode);
        var loaded = ModelFile.Load(model);
        // New rows: one lists only feature 2, one lists an index the model never saw.
        string test = folder.Write("test.svm", "0 2:1.5\n0 1:1 7:9\n");
        var result = Shell.Run("predict", model, test);
        Assert.True(result.ExitCode == 0, result.ToString());
        var predictions = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(loaded.Intercept + 1.5 * loaded.Coefficient("2"), predictions[0], 1e-12);
        Assert.Equal(loaded.Intercept + loaded.Coefficient("1"), predictions[1], 1e-12);
    }

    [Fact]
    public void Bad_libsvm_input_exits_2_naming_file_and_line_and_writes_nothing()
    {
        using var folder = new TempFolder();
        string bad = folder.Write("bad.svm", "1 1:2\n2 2:1 2:3\n");
        string model = folder.File("m.json");
        var result = Shell.Run("fit", bad, "--lambda", "0.1", "--save", model);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bad.svm:2: feature index 2 appears twice", result.Stderr);
        Assert.False(File.Exists(model));
        Assert.Equal(["bad.svm"], folder.Entries());
        foreach (var command in new[] { "path", "cv" })
        {
            var r = Shell.Run(command, bad);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("bad.svm:2:", r.Stderr);
        }
        // Options that name columns do not apply to a LIBSVM file.
        string good = folder.Write("good.svm", "1 1:2\n2 2:1\n3 1:1\n");
        foreach (var option in new[] { new[] { "--target", "y" }, ["--weights", "w"], ["--exclude", "1"], ["--drop-missing"] })
        {
            var r = Shell.Run(["fit", good, "--lambda", "0.1", .. option]);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("LIBSVM", r.Stderr);
        }
        Assert.Contains("at least 2 rows", Shell.Run("fit", folder.Write("one.svm", "1 1:2\n"), "--lambda", "0.1").Stderr);
        foreach (var command in new[] { new[] { "fit", good, "--lambda", "0.1", "--streaming" }, ["stats", good, "--target", "y"] })
        {
            var r = Shell.Run(command);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("in memory as a sparse matrix", r.Stderr);
        }
        var several = Shell.Run("fit", good, "--lambda", "0.1", "--multi-task", "--target", "a,b");
        Assert.Equal(2, several.ExitCode);
        Assert.Contains("a LIBSVM file has one label", several.Stderr);
        // A model fitted on named CSV columns cannot read a LIBSVM file.
        var (names, columns) = TestData.Signal();
        string csv = TestData.Write(folder, "d.csv", (names, columns));
        Assert.Equal(0, Shell.Run("fit", csv, "--target", "y", "--lambda", "0.1", "--save", model).ExitCode);
        var p = Shell.Run("predict", model, good);
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("not a LIBSVM index", p.Stderr);
    }

    internal static string ToLibSvm(double[][] x, double[] y)
    {
        var text = new StringBuilder();
        for (int i = 0; i < y.Length; i++)
        {
            text.Append(y[i].ToString("R", CultureInfo.InvariantCulture));
            for (int j = 0; j < x[i].Length; j++)
                if (x[i][j] != 0) text.Append(' ').Append(j + 1).Append(':').Append(x[i][j].ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        return text.ToString();
    }
}

/// <summary>The Matrix Market reader (X) with a separate target file.</summary>
public class MatrixMarketTests
{
    private static FeatureMatrix Matrix(string text) => MatrixMarketData.ReadMatrix(new StringReader(text), "X.mtx");

    [Fact]
    public void Reads_coordinate_entries_in_any_order_as_its_dense_twin()
    {
        var x = Matrix("%%MatrixMarket matrix coordinate real general\n% written by hand\n3 4 5\n3 4 7.5\n1 1 2\n2 1 -1\n1 3 4e-1\n3 1 1\n");
        Assert.True(x.IsSparse);
        double[,] expected = { { 2, 0, 0.4, 0 }, { -1, 0, 0, 0 }, { 1, 0, 0, 7.5 } };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(expected[i, j], x[i, j]);
    }

    [Theory]
    [InlineData("3 4 1\n1 1 2\n", "X.mtx:1: not a Matrix Market file")]
    [InlineData("%%MatrixMarket matrix array real general\n3 4\n", "X.mtx:1: only 'matrix coordinate real general'")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n3 4\n", "X.mtx:2: the size line must be")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n3 4 1\n4 1 2\n", "X.mtx:3: row '4' is not in 1..3")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n3 4 1\n1 0 2\n", "X.mtx:3: column '0' is not in 1..4")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n3 4 1\n1 1 x\n", "X.mtx:3: the value 'x' is not a finite number")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n3 4 2\n1 1 2\n", "X.mtx: the size line promises 2 entries but the file has 1")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n3 4 2\n1 1 2\n1 1 3\n", "X.mtx: the entry at row 1, column 1 appears more than once")]
    public void Malformed_files_are_errors_naming_file_and_line(string text, string expected) =>
        Assert.StartsWith(expected, Assert.Throws<ShrinkException>(() => Matrix(text)).Message);

    [Fact]
    public void A_matrix_and_target_file_fit_as_the_libsvm_file_of_the_same_data()
    {
        using var folder = new TempFolder();
        var (x, y) = SparseData.Make(31, 30, 7);
        var mtx = new StringBuilder("%%MatrixMarket matrix coordinate real general\n");
        var entries = new List<string>();
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < 7; j++)
                if (x[i][j] != 0) entries.Add($"{i + 1} {j + 1} {x[i][j].ToString("R", CultureInfo.InvariantCulture)}");
        mtx.Append($"30 7 {entries.Count}\n").Append(string.Join('\n', entries)).Append('\n');
        var fromMtx = MatrixMarketData.Read(folder.Write("X.mtx", mtx.ToString()), folder.Write("y.txt", string.Join('\n', y.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        var fromSvm = LibSvmData.Read(folder.Write("d.svm", LibSvmTests.ToLibSvm(x, y)));
        var options = new FitOptions { Lambda = 0.05, Tolerance = 1e-12 };
        var a = Regression.Fit(fromMtx, options);
        var b = Regression.Fit(fromSvm, options);
        Assert.Equal(b.FeatureNames, a.FeatureNames);
        for (int j = 0; j < 7; j++) Assert.Equal(b.Coefficients[j], a.Coefficients[j], 1e-12);
        var short_ = Assert.Throws<ShrinkException>(() => MatrixMarketData.Read(folder.File("X.mtx"), folder.Write("y2.txt", "1\n2\n")));
        Assert.Contains("2 target values but", short_.Message);
        Assert.Contains("y3.txt:2: 'abc' is not a finite number", Assert.Throws<ShrinkException>(() => MatrixMarketData.Read(folder.File("X.mtx"), folder.Write("y3.txt", "1\nabc\n"))).Message);
    }
}
