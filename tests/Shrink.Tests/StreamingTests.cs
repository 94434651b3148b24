using System.Globalization;
using System.Text;
using System.Text.Json;
using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

/// <summary>The streaming CSV pass, the statistics file and the CLI's stats, --stats, --streaming and --memory-budget.</summary>
public class StreamingTests
{
    /// <summary>n rows of a, b, big (mean 1e6, sd 1e-2), w, off, fold, y.</summary>
    private static string WriteData(TempFolder folder, string name, int n, int seed = 1, int firstRow = 0)
    {
        var rng = new Random(seed);
        var text = new StringBuilder("a,b,big,w,off,fold,y\n");
        for (int i = 0; i < n; i++)
        {
            double a = RandomData.Gaussian(rng), b = 5 + 2 * RandomData.Gaussian(rng), big = 1e6 + 1e-2 * RandomData.Gaussian(rng);
            double w = rng.NextDouble() * 2, off = rng.NextDouble() - 0.5;
            double y = 3 * a - b + 100 * (big - 1e6) + off + 0.5 * RandomData.Gaussian(rng);
            text.Append(CultureInfo.InvariantCulture, $"{a:R},{b:R},{big:R},{w:R},{off:R},{(firstRow + i) % 4},{y:R}\n");
        }
        return folder.Write(name, text.ToString());
    }

    private static StatisticsReadOptions Options(FoldScheme? folds = null) =>
        new() { Target = "y", Exclude = ["fold"], Weights = "w", Offset = "off", Folds = folds };

    [Fact]
    public void TheStreamingPassGathersWhatTheInMemoryReadHolds()
    {
        using var folder = new TempFolder();
        string path = WriteData(folder, "d.csv", 3000);
        var streamed = CsvStatistics.Read(path, Options(FoldScheme.FromColumn("fold")) with { Exclude = null });
        var read = CsvData.ReadDataset(path, new CsvReadOptions { Target = "y", Auxiliary = ["w", "off", "fold"] });
        var data = new Dataset(read.Data.Features, read.Data.Target.ToArray(), read.Data.FeatureNames, "y", read.Auxiliary["w"], read.Auxiliary["off"]);
        Assert.Equal(["a", "b", "big"], streamed.FeatureNames);
        Assert.Equal(3000, streamed.Rows);
        Assert.Equal([0L, 1, 2, 3], streamed.FoldLabels);
        foreach (var options in new[]
        {
            new FitOptions { Lambda = 0.01, Tolerance = 1e-13 },
            new FitOptions { Penalty = Penalty.Ols },
            new FitOptions { Penalty = Penalty.Ridge, Lambda = 0.1, FitIntercept = false },
        })
            StatisticsTests.AssertClose(Regression.Fit(data, options), Regression.Fit(streamed, options));

        var ids = read.Auxiliary["fold"].Select(v => (int)v).ToArray();
        var cv = new CrossValidationOptions { Path = new PathOptions { Fit = new FitOptions { Tolerance = 1e-12 }, LambdaCount = 20 } };
        var expected = Regression.CrossValidate(data, cv with { FoldIds = ids });
        var actual = Regression.CrossValidate(streamed, cv);
        Assert.Equal(expected.Lambda, actual.Lambda, 1e-12);
        for (int l = 0; l < expected.Best.Mean.Count; l++) Assert.Equal(expected.Best.Mean[l], actual.Best.Mean[l], 1e-8 * expected.Best.Mean[0]);
        StatisticsTests.AssertClose(expected.Model, actual.Model, 1e-8);
    }

    [Fact]
    public void FilesOfSeveralChunksGiveTheSameStatisticsAsOneAndErrorsNameTheRightLine()
    {
        using var folder = new TempFolder();
        // About 9 MB: three 4 MB chunks, so rows straddle chunk boundaries.
        string path = WriteData(folder, "big.csv", 80_000);
        var streamed = CsvStatistics.Read(path, Options(FoldScheme.Hashed(5, 3)));
        var read = CsvData.ReadDataset(path, new CsvReadOptions { Target = "y", Auxiliary = ["w", "off", "fold"] });
        var data = new Dataset(read.Data.Features, read.Data.Target.ToArray(), read.Data.FeatureNames, "y", read.Auxiliary["w"], read.Auxiliary["off"]);
        var whole = SufficientStatistics.FromDataset(data, FoldScheme.Hashed(5, 3));
        Assert.Equal(whole.Rows, streamed.Rows);
        foreach (var label in whole.FoldLabels) Assert.Equal(whole.FoldMoments![label].Count, streamed.FoldMoments![label].Count);
        var options = new FitOptions { Lambda = 0.001, Tolerance = 1e-13 };
        StatisticsTests.AssertClose(Regression.Fit(data, options), Regression.Fit(streamed, options));

        var lines = File.ReadAllLines(path);
        lines[70_001] = lines[70_001].Replace(",", ",x", StringComparison.Ordinal)[..^1] + "oops";
        File.WriteAllLines(path, lines);
        var error = Assert.Throws<ShrinkException>(() => CsvStatistics.Read(path, Options()));
        Assert.Contains("line 70002", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void QuotedFieldsWithLineBreaksStreamAsInMemoryAcrossChunkBoundaries()
    {
        using var folder = new TempFolder();
        // About 10 MB: a quoted note (with separators, escaped quotes and line breaks, some notes longer than others)
        // beside the numbers, so that chunk boundaries fall inside and between multi-line rows.
        var rng = new Random(7);
        var text = new StringBuilder("a,note,b,y\n");
        for (int i = 0; i < 60_000; i++)
        {
            double a = RandomData.Gaussian(rng), b = RandomData.Gaussian(rng), y = 2 * a - b + 0.1 * RandomData.Gaussian(rng);
            string note = string.Concat(Enumerable.Repeat("a \"\"quoted\"\", note,\nover lines\r\n", rng.Next(4)));
            text.Append(CultureInfo.InvariantCulture, $"{a:R},\"{note}\",{b:R},{y:R}\n");
        }
        string path = folder.Write("notes.csv", text.ToString());
        var streamed = CsvStatistics.Read(path, new StatisticsReadOptions { Target = "y", Exclude = ["note"] });
        var read = CsvData.ReadDataset(path, new CsvReadOptions { Target = "y", Exclude = ["note"] });
        Assert.Equal(60_000, streamed.Rows);
        Assert.Equal(["a", "b"], streamed.FeatureNames);
        var options = new FitOptions { Lambda = 0.001, Tolerance = 1e-13 };
        StatisticsTests.AssertClose(Regression.Fit(read.Data, options), Regression.Fit(streamed, options));

        // An error after multi-line rows names the line the bad row starts on, the same line as the in-memory reader.
        string bad = folder.Write("bad.csv", text.ToString() + "1,\"x\ny\",oops,2\n");
        int lineOfBadRow = File.ReadAllText(bad).Count(c => c == '\n');
        var streamError = Assert.Throws<ShrinkException>(() => CsvStatistics.Read(bad, new StatisticsReadOptions { Target = "y", Exclude = ["note"] }));
        var memoryError = Assert.Throws<ShrinkException>(() => CsvData.ReadDataset(bad, new CsvReadOptions { Target = "y", Exclude = ["note"] }));
        Assert.Contains($"{bad}: line {lineOfBadRow - 1}, column 'b': 'oops' is not a number", streamError.Message);
        Assert.Contains($"line {lineOfBadRow - 1}, column 'b'", memoryError.Message);
    }

    [Fact]
    public void HashedFoldsAreBalancedBlocksAndInMemoryCrossValidationUsesTheSameFoldsAsStreaming()
    {
        var scheme = FoldScheme.Hashed(7, 11);
        var folds = Enumerable.Range(0, 7 * 300 + 3).Select(i => scheme.FoldOf(i)).ToArray();
        // Every block of K consecutive rows holds every fold once; the blocks are not all in the same order.
        for (int b = 0; b < 300; b++) Assert.Equal(Enumerable.Range(0, 7), folds.Skip(7 * b).Take(7).Order());
        Assert.True(Enumerable.Range(0, 300).Select(b => string.Join(",", folds.Skip(7 * b).Take(7))).Distinct().Count() > 250);
        Assert.Equal(3, folds.Skip(2100).Distinct().Count());
        Assert.Equal(folds, Enumerable.Range(0, folds.Length).Select(i => FoldScheme.Hashed(7, 11).FoldOf(i)));
        Assert.NotEqual(folds, Enumerable.Range(0, folds.Length).Select(i => FoldScheme.Hashed(7, 12).FoldOf(i)));
        Assert.Equal(folds, CrossValidator.AssignFolds(folds.Length, new CrossValidationOptions { Folds = 7, Seed = 11 }));

        using var folder = new TempFolder();
        string path = WriteData(folder, "d.csv", 2000);
        var read = CsvData.ReadDataset(path, new CsvReadOptions { Target = "y", Exclude = ["fold", "w", "off"] });
        var streamed = CsvStatistics.Read(path, new StatisticsReadOptions { Target = "y", Exclude = ["fold", "w", "off"], Folds = FoldScheme.Hashed(5, 3) });
        var cv = new CrossValidationOptions { Folds = 5, Seed = 3, Path = new PathOptions { Fit = new FitOptions { Tolerance = 1e-12 }, LambdaCount = 20 } };
        var memory = Regression.CrossValidate(read.Data, cv);
        var fromStatistics = Regression.CrossValidate(streamed, cv);
        Assert.Equal(memory.Lambda, fromStatistics.Lambda, 1e-12);
        for (int l = 0; l < memory.Best.Mean.Count; l++)
        {
            Assert.Equal(memory.Best.Mean[l], fromStatistics.Best.Mean[l], 1e-8 * memory.Best.Mean[0]);
            Assert.Equal(memory.Best.StandardError[l], fromStatistics.Best.StandardError[l], 1e-7 * memory.Best.Mean[0]);
        }
        StatisticsTests.AssertClose(memory.Model, fromStatistics.Model, 1e-8);

        // The tool: cv in memory and cv --streaming on the same file choose the same λ.
        var inMemory = Shell.Run("cv", path, "--target", "y", "--exclude", "fold,w,off", "--folds", "5", "--seed", "3", "--json");
        var streaming = Shell.Run("cv", path, "--target", "y", "--exclude", "fold,w,off", "--folds", "5", "--seed", "3", "--streaming", "--json");
        Assert.Equal(0, inMemory.ExitCode);
        Assert.Equal(0, streaming.ExitCode);
        double Chosen(string json) => JsonDocument.Parse(json).RootElement.GetProperty("lambda").GetDouble();
        Assert.Equal(Chosen(inMemory.Stdout), Chosen(streaming.Stdout), 1e-12);
    }

    public static TheoryData<string, string, string> BadRows() => new()
    {
        { "1,2,3,1,0,0", "line 4 has 6 fields but the header has 7", "ragged" },
        { "1,2,abc,1,0,0,5", "line 4, column 'big': 'abc' is not a number", "non-numeric" },
        { "1,2,,1,0,0,5", "line 4, column 'big' is missing", "missing" },
        { "1,2,3,-1,0,0,5", "line 4: weight column 'w' has a negative value (-1)", "negative weight" },
        { "1,2,3,1,0,0,inf", "line 4, column 'y': 'inf' is not a finite number", "infinite" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void BadRowsMidStreamAreOneErrorLineNamingFileAndLineAndNothingIsWritten(string row, string message, string what)
    {
        using var folder = new TempFolder();
        string path = folder.Write($"{what}.csv", "a,b,big,w,off,fold,y\n1,2,3,1,0,0,5\n2,3,4,1,0,1,6\n" + row + "\n4,5,6,1,0,1,8\n");
        string output = folder.File("out.stats");
        var result = Shell.Run("stats", path, "--target", "y", "--weights", "w", "--offset", "off", "--fold-column", "fold", "--out", output);
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains(path, line);
        Assert.Contains(message, line);
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(folder.Path));
        foreach (var command in new[] { "fit", "path", "cv" })
        {
            var streamed = Shell.Run(command, path, "--target", "y", "--weights", "w", "--offset", "off", "--exclude", "fold", "--streaming", "--lambda", "0.1");
            if (command != "fit") streamed = Shell.Run(command, path, "--target", "y", "--weights", "w", "--offset", "off", "--exclude", "fold", "--streaming");
            Assert.Equal(2, streamed.ExitCode);
            Assert.Contains(message, Assert.Single(streamed.StderrLines));
        }
    }

    [Fact]
    public void StatsFromOtherColumnsAnotherVersionOrNoStatsFileAreClearErrors()
    {
        using var folder = new TempFolder();
        string d1 = WriteData(folder, "d1.csv", 50);
        string a = folder.File("a.stats"), b = folder.File("b.stats");
        Assert.Equal(0, Shell.Run("stats", d1, "--target", "y", "--exclude", "fold,w,off", "--out", a).ExitCode);
        Assert.Equal(0, Shell.Run("stats", d1, "--target", "y", "--exclude", "fold,w,off,big", "--out", b).ExitCode);
        var mismatch = Shell.Run("fit", "--stats", a, b, "--lambda", "0.1");
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Contains($"{a} has columns a,b,big but {b} has a,b", Assert.Single(mismatch.StderrLines));

        string other = folder.Write("v3.stats", File.ReadAllText(a).Replace("\"version\": 2", "\"version\": 3", StringComparison.Ordinal));
        var version = Shell.Run("fit", "--stats", other, "--lambda", "0.1");
        Assert.Equal(2, version.ExitCode);
        Assert.Contains($"{other}: statistics file format version 3; this shrink reads version 2", Assert.Single(version.StderrLines));

        string notStats = folder.Write("x.stats", "{\"format\": \"shrink-model\"}");
        Assert.Contains("not a shrink statistics file", Assert.Single(Shell.Run("fit", "--stats", notStats, "--lambda", "0.1").StderrLines));
        string garbage = folder.Write("g.stats", "a,b\n1,2\n");
        Assert.Contains($"{garbage}: not a statistics file", Assert.Single(Shell.Run("fit", "--stats", garbage, "--lambda", "0.1").StderrLines));
        string truncated = folder.Write("t.stats", File.ReadAllText(a)[..200]);
        Assert.Equal(2, Shell.Run("fit", "--stats", truncated, "--lambda", "0.1").ExitCode);

        var weighted = folder.File("w.stats");
        Assert.Equal(0, Shell.Run("stats", d1, "--target", "y", "--exclude", "fold,off", "--weights", "w", "--out", weighted).ExitCode);
        Assert.Contains("is unweighted but", Assert.Single(Shell.Run("fit", "--stats", a, weighted, "--lambda", "0.1").StderrLines));
        var folded = folder.File("f.stats");
        Assert.Equal(0, Shell.Run("stats", d1, "--target", "y", "--exclude", "fold,w,off", "--folds", "3", "--out", folded).ExitCode);
        Assert.Contains("no folds but", Assert.Single(Shell.Run("fit", "--stats", a, folded, "--lambda", "0.1").StderrLines));
        Assert.Contains("without folds", Assert.Single(Shell.Run("cv", "--stats", a).StderrLines));
        Assert.Contains("cannot be used with --stats", Assert.Single(Shell.Run("cv", "--stats", folded, "--folds", "5").StderrLines));
        Assert.Contains("cannot be used with --stats", Assert.Single(Shell.Run("fit", "--stats", folded, "--target", "y", "--lambda", "0.1").StderrLines));
    }

    [Fact]
    public void StatisticsOfPartsMergeToTheWholeFileOnTheCommandLine()
    {
        using var folder = new TempFolder();
        string whole = WriteData(folder, "whole.csv", 900, seed: 4);
        var lines = File.ReadAllLines(whole);
        string p1 = folder.Write("p1.csv", string.Join("\n", lines.Take(401)) + "\n");
        string p2 = folder.Write("p2.csv", lines[0] + "\n" + string.Join("\n", lines.Skip(401)) + "\n");
        string[] gather = ["--target", "y", "--weights", "w", "--offset", "off", "--exclude", "fold", "--folds", "5", "--seed", "7"];
        Assert.Equal(0, Shell.Run(["stats", p1, .. gather, "--out", folder.File("p1.stats")]).ExitCode);
        Assert.Equal(0, Shell.Run(["stats", p2, .. gather, "--row-offset", "400", "--out", folder.File("p2.stats")]).ExitCode);
        Assert.Equal(0, Shell.Run(["stats", whole, .. gather, "--out", folder.File("whole.stats")]).ExitCode);

        JsonElement Cv(params string[] args)
        {
            var result = Shell.Run(["cv", .. args, "--json", "--n-lambda", "30", "--tolerance", "1e-12"]);
            Assert.True(result.ExitCode == 0, result.ToString());
            return JsonDocument.Parse(result.Stdout).RootElement.Clone();
        }
        var merge = Shell.Run("stats", "--merge", folder.File("p2.stats"), folder.File("p1.stats"), "--out", folder.File("merged.stats"));
        Assert.True(merge.ExitCode == 0, merge.ToString());
        var viaFile = Cv("--stats", folder.File("merged.stats"));
        var merged = Cv("--stats", folder.File("p2.stats"), folder.File("p1.stats"));
        Assert.Equal(merged.GetProperty("cv_mean").ToString(), viaFile.GetProperty("cv_mean").ToString());
        Assert.Contains("needs two or more", Assert.Single(Shell.Run("stats", "--merge", folder.File("p1.stats"), "--out", folder.File("x.stats")).StderrLines));
        var single = Cv("--stats", folder.File("whole.stats"));
        var streamed = Cv(whole, "--target", "y", "--weights", "w", "--offset", "off", "--exclude", "fold", "--folds", "5", "--seed", "7", "--streaming");
        Assert.Equal("statistics", merged.GetProperty("mode").GetString());
        Assert.Equal("streaming", streamed.GetProperty("mode").GetString());
        foreach (var other in new[] { single, streamed })
        {
            Assert.Equal(merged.GetProperty("lambda").GetDouble(), other.GetProperty("lambda").GetDouble(), 1e-12);
            var m1 = merged.GetProperty("cv_mean").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var m2 = other.GetProperty("cv_mean").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int l = 0; l < m1.Length; l++) Assert.Equal(m1[l], m2[l], 1e-9 * m1[0]);
            var c1 = merged.GetProperty("model").GetProperty("coefficients");
            foreach (var c in other.GetProperty("model").GetProperty("coefficients").EnumerateObject())
                Assert.Equal(c1.GetProperty(c.Name).GetDouble(), c.Value.GetDouble(), 1e-9 * Math.Max(1, Math.Abs(c.Value.GetDouble())));
        }
    }

    [Fact]
    public void TheMemoryBudgetChoosesStreamingAndTheOutputSaysSo()
    {
        using var folder = new TempFolder();
        string path = WriteData(folder, "d.csv", 500);
        string[] common = ["--target", "y", "--exclude", "fold,w,off", "--lambda", "0.01", "--tolerance", "1e-13"];
        var memory = Shell.Run(["fit", path, .. common, "--json"]);
        var budget = Shell.Run(["fit", path, .. common, "--json", "--memory-budget", "10KB"]);
        var forced = Shell.Run(["fit", path, .. common]);
        Assert.True(budget.ExitCode == 0, budget.ToString());
        var m = JsonDocument.Parse(memory.Stdout).RootElement;
        var s = JsonDocument.Parse(budget.Stdout).RootElement;
        Assert.Equal("in-memory", m.GetProperty("mode").GetString());
        Assert.Equal("streaming", s.GetProperty("mode").GetString());
        foreach (var c in m.GetProperty("coefficients").EnumerateObject())
            Assert.Equal(c.Value.GetDouble(), s.GetProperty("coefficients").GetProperty(c.Name).GetDouble(), 1e-9 * Math.Max(1, Math.Abs(c.Value.GetDouble())));
        Assert.Contains("in memory: 500 rows", forced.Stdout);
        var text = Shell.Run(["path", path, .. common[..^4], "--memory-budget", "1k"]);
        Assert.Contains("streaming: one pass over d.csv, 500 rows", text.Stdout);
        Assert.Contains("more than the memory budget", text.Stdout);
        var bad = Shell.Run(["fit", path, .. common, "--memory-budget", "lots"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'--memory-budget' must be a positive size", Assert.Single(bad.StderrLines));
        var plot = Shell.Run(["fit", path, .. common, "--streaming", "--plot", folder.File("p.png")]);
        Assert.Equal(2, plot.ExitCode);
        Assert.False(File.Exists(folder.File("p.png")));
        var loo = Shell.Run("cv", path, "--target", "y", "--penalty", "ridge", "--folds", "loo", "--streaming");
        Assert.Contains("use k folds", Assert.Single(loo.StderrLines));
        var mae = Shell.Run("cv", path, "--target", "y", "--measure", "mae", "--streaming");
        Assert.Contains("mean absolute error cannot be computed from statistics", Assert.Single(mae.StderrLines));
    }

    [Fact]
    public void TheResultDoesNotDependOnTheThreadCountLineEndingsOrSeparator()
    {
        using var folder = new TempFolder();
        string path = WriteData(folder, "d.csv", 60_000);
        var options = Options(FoldScheme.Hashed(3, 5));
        SufficientStatistics Read(string file, int workers)
        {
            CsvStatistics.MaxWorkers = workers;
            try { return CsvStatistics.Read(file, options); }
            finally { CsvStatistics.MaxWorkers = null; }
        }
        var one = Read(path, 1);
        var four = Read(path, 4);
        Assert.Equal(one.Total.Comoment, four.Total.Comoment);
        Assert.Equal(one.Total.Mean, four.Total.Mean);
        foreach (var label in one.FoldLabels) Assert.Equal(one.FoldMoments![label].Comoment, four.FoldMoments![label].Comoment);

        string text = File.ReadAllText(path);
        string crlf = folder.Write("crlf.csv", "\uFEFF" + text.Replace("\n", "\r\n", StringComparison.Ordinal));
        string tsv = folder.Write("d.tsv", text.Replace(',', '\t'));
        foreach (var other in new[] { Read(crlf, 2), Read(tsv, 2) })
        {
            Assert.Equal(one.FeatureNames, other.FeatureNames);
            Assert.Equal(one.Rows, other.Rows);
            // Other bytes cut other chunks: the sums differ by rounding, at most 1e-9 of √(M_aa·M_bb) (the column with
            // mean 1e6 and spread 1e-2 carries only about 8 significant digits in its deviations).
            int m = one.Total.M;
            for (int a = 0; a < m; a++)
                for (int b = 0; b < m; b++)
                    Assert.True(Math.Abs(one.Total.Comoment[a * m + b] - other.Total.Comoment[a * m + b])
                        <= 1e-9 * Math.Sqrt(one.Total.Comoment[a * m + a] * one.Total.Comoment[b * m + b]), $"M[{a},{b}]");
        }
    }

    [Fact]
    public void HelpDescribesStatsAndTheLargerThanMemoryOptions()
    {
        var stats = Shell.Run("stats", "--help");
        Assert.Equal(0, stats.ExitCode);
        foreach (var option in new[] { "--target", "--weights", "--offset", "--folds", "--seed", "--fold-column", "--row-offset", "--out", "--drop-missing" })
            Assert.Contains(option, stats.Stdout);
        foreach (var command in new[] { "fit", "path", "cv" })
            Assert.Contains("--memory-budget", Shell.Run(command, "--help").Stdout);
        Assert.Contains("shrink stats", Shell.Run("--help").Stdout);
        var missing = Shell.Run("stats", "nope.csv", "--target", "y");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("'--out' is required", Assert.Single(missing.StderrLines));
    }

    [Fact]
    public void TheStatisticsFileRoundTripsExactly()
    {
        using var folder = new TempFolder();
        string path = WriteData(folder, "d.csv", 700);
        var stats = CsvStatistics.Read(path, Options(FoldScheme.Hashed(4, 2)));
        string file = folder.File("s.stats");
        StatisticsFile.Save(stats, file);
        var loaded = StatisticsFile.Load(file);
        Assert.Equal(stats.FeatureNames, loaded.FeatureNames);
        Assert.Equal(stats.Folds, loaded.Folds);
        Assert.Equal(stats.WeightsColumn, loaded.WeightsColumn);
        Assert.Equal(stats.OffsetColumn, loaded.OffsetColumn);
        foreach (var (label, moments) in stats.FoldMoments!)
        {
            var other = loaded.FoldMoments![label];
            Assert.Equal(moments.Count, other.Count);
            Assert.Equal(moments.WeightSum, other.WeightSum);
            Assert.Equal(moments.Mean, other.Mean);
            Assert.Equal(moments.Comoment, other.Comoment);
        }
        Assert.Equal(stats.Total.Comoment, loaded.Total.Comoment);
        Assert.Equal(Regression.Fit(stats, new FitOptions { Lambda = 0.01 }).Coefficients, Regression.Fit(loaded, new FitOptions { Lambda = 0.01 }).Coefficients);
    }
}
