using System.Diagnostics;
using System.Globalization;
using Shrink.IO;
using Spectre.Console;

namespace Shrink.Cli;

/// <summary>
/// What fit, path and cv work from: the rows in memory, statistics gathered by one streaming pass over the file
/// (chosen when the data would not fit the memory budget, or forced with --streaming), or statistics files given
/// with --stats. Says which was used.
/// </summary>
internal sealed class Input
{
    public static readonly string[] Values = ["memory-budget", InputData.Option];
    public static readonly string[] Switches = ["streaming", "stats"];

    public Dataset? Data { get; private init; }
    public SufficientStatistics? Statistics { get; private init; }

    /// <summary>in-memory, streaming or statistics.</summary>
    public required string Mode { get; init; }

    /// <summary>The file (or files) read, for titles.</summary>
    public required string Name { get; init; }

    public required long Rows { get; init; }
    public required int Columns { get; init; }
    public required string TargetName { get; init; }
    public long DroppedRows { get; init; }
    public double ReadSeconds { get; init; }

    /// <summary>The process's CPU time (all threads) while reading: on a busy machine, the wall clock alone says little.</summary>
    public double ReadCpuSeconds { get; init; }
    public long Bytes { get; init; }

    /// <summary>Why this mode, for people (null for plain in-memory reads under the budget).</summary>
    public string? Reason { get; init; }

    /// <summary>One line on how the data was read.</summary>
    public string Describe() => Mode switch
    {
        "streaming" => $"streaming: one pass over {Name}, {Rows:N0} rows, {Columns} features in {ReadSeconds:0.0} s ({Throughput(Bytes, ReadSeconds)}){(Reason is null ? "" : $"; {Reason}")}",
        "statistics" => $"from statistics: {Name}, {Rows:N0} rows, {Columns} features",
        _ => $"in memory: {Rows:N0} rows, {Columns} features{(Bytes > 0 ? $" read in {ReadSeconds:0.00} s ({Throughput(Bytes, ReadSeconds)})" : "")}{(Reason is null ? "" : $"; {Reason}")}",
    };

    internal static string Throughput(long bytes, double seconds) =>
        seconds > 0 ? $"{bytes / seconds / 1e6:0.#} MB/s, {bytes / 1e6:0.##} MB" : $"{bytes / 1e6:0.##} MB";

    public void WriteJson(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteString("mode", Mode);
        if (Bytes > 0)
        {
            w.WriteNumber("bytes_read", Bytes);
            w.WriteNumber("read_cpu_seconds", ReadCpuSeconds);
        }
        if (Statistics is { } s)
        {
            w.WriteStartArray("sources");
            foreach (var source in s.Sources) w.WriteStringValue(source);
            w.WriteEndArray();
        }
    }

    /// <summary>
    /// Reads the command's input. <paramref name="auxiliary"/> are extra columns an in-memory read needs beside the
    /// controls' (cv's fold column); <paramref name="folds"/> is what a streaming pass should gather per fold.
    /// </summary>
    public static Input Load(Arguments a, string command, IAnsiConsole console, bool progress, IReadOnlyList<string>? auxiliary = null, FoldScheme? folds = null)
    {
        if (a.Has("stats")) return FromStatistics(a, command);
        string file = a.Single("a data file (CSV/TSV with a header, or LIBSVM)", command);
        if (InputData.IsLibSvm(a, file))
        {
            // A LIBSVM file is read in memory as a sparse matrix, whatever its size: sparse data is what fits.
            foreach (var option in new[] { "streaming" })
                if (a.Has(option)) throw new ShrinkException($"'--{option}' does not apply to a LIBSVM file ({file}): it is read in memory as a sparse matrix");
            if (a.Text("memory-budget") is not null)
                throw new ShrinkException($"'--memory-budget' does not apply to a LIBSVM file ({file}): it is read in memory as a sparse matrix");
            var libsvmClock = Stopwatch.StartNew();
            var sparse = InputData.ReadLibSvm(a, file);
            return new Input
            {
                Data = sparse, Mode = "in-memory", Name = Path.GetFileName(file), Rows = sparse.Rows, Columns = sparse.Features.Columns,
                TargetName = sparse.TargetName, ReadSeconds = libsvmClock.Elapsed.TotalSeconds, Reason = "LIBSVM, as a sparse matrix",
            };
        }
        var read = DataOptions.From(a, command) with { Auxiliary = [.. ControlOptions.Columns(a), .. auxiliary ?? []] };
        long budget = a.Text("memory-budget") is { } text ? ParseSize(text) : DefaultBudget();
        string? reason = null;
        bool streaming = a.Has("streaming");
        if (streaming) reason = "forced with --streaming";
        else if (ParquetStatistics.Applies(file))
        {
            // Parquet is read by streaming only: its rows go straight into statistics.
            streaming = true;
            reason = "Parquet files are always streamed";
        }
        else if (EstimateBytes(file) is { } estimate && estimate > budget)
        {
            streaming = true;
            reason = $"the data would take about {Size(estimate)} in memory, more than the memory budget of {Size(budget)} (--memory-budget)";
        }
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        if (!streaming)
        {
            var input = CsvData.ReadDataset(file, read);
            var data = ControlOptions.Dataset(input, a, file);
            return new Input
            {
                Data = data, Mode = "in-memory", Name = Path.GetFileName(file), Rows = data.Rows, Columns = data.Features.Columns, TargetName = data.TargetName,
                DroppedRows = input.DroppedRows, ReadSeconds = clock.Elapsed.TotalSeconds, Bytes = new FileInfo(file).Length, Auxiliary = input.Auxiliary,
                ReadCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
            };
        }
        var options = new StatisticsReadOptions
        {
            Target = read.Target, Features = read.Features, Exclude = read.Exclude, DropMissing = read.DropMissing,
            Weights = a.Text("weights"), Offset = a.Text("offset"), Folds = folds,
        };
        var stats = ReadStreaming(console, progress, file, options);
        return new Input
        {
            Statistics = stats, Mode = "streaming", Name = Path.GetFileName(file), Rows = stats.Rows, Columns = stats.FeatureNames.Count, TargetName = stats.TargetName,
            DroppedRows = stats.DroppedRows, ReadSeconds = clock.Elapsed.TotalSeconds, Bytes = new FileInfo(file).Length, Reason = reason,
            ReadCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
        };
    }

    /// <summary>Several targets are fitted in memory only: --stats, --streaming and --memory-budget take one target.</summary>
    public static void RefuseForSeveralTargets(IReadOnlyList<string> args)
    {
        if (args.FirstOrDefault(x => x is "--stats" or "--streaming" || x.StartsWith("--memory-budget", StringComparison.Ordinal)) is { } option)
            throw new ShrinkException($"'{option.Split('=')[0]}' works with one target; several targets are fitted in memory");
    }

    /// <summary>The in-memory read's auxiliary columns (cv's fold column).</summary>
    public IReadOnlyDictionary<string, double[]> Auxiliary { get; private init; } = new Dictionary<string, double[]>();

    /// <summary>One streaming pass, with a progress bar of rows/s and MB/s on a terminal.</summary>
    public static SufficientStatistics ReadStreaming(IAnsiConsole console, bool progress, string file, StatisticsReadOptions options)
    {
        var counter = new ReadProgress();
        return ProgressBar.Stream(console, progress, $"reading {Path.GetFileName(file)}", counter,
            () => ParquetStatistics.Applies(file) ? ParquetStatistics.Read(file, options, counter) : CsvStatistics.Read(file, options, counter));
    }

    private static Input FromStatistics(Arguments a, string command)
    {
        foreach (var option in new[] { "target", "features", "exclude", "weights", "offset", "fold-column", "folds", "seed", "memory-budget" })
            if (a.Text(option) is not null)
                throw new ShrinkException($"'--{option}' cannot be used with --stats: the statistics already fix the target, features, weights, offset and folds (choose them in 'shrink stats')");
        foreach (var option in new[] { "drop-missing", "streaming" })
            if (a.Has(option)) throw new ShrinkException($"'--{option}' cannot be used with --stats: the statistics files are read, not the data");
        if (a.Positional.Count == 0) throw new ShrinkException($"'shrink {command} --stats' needs one or more statistics files (from 'shrink stats')");
        var stats = StatisticsFile.LoadAll(a.Positional);
        return new Input
        {
            Statistics = stats, Mode = "statistics", Name = string.Join(" + ", a.Positional.Select(Path.GetFileName)), Rows = stats.Rows,
            Columns = stats.FeatureNames.Count, TargetName = stats.TargetName,
        };
    }

    /// <summary>Half the memory available to this process: the in-memory path needs the data plus working copies.</summary>
    internal static long DefaultBudget() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;

    /// <summary>
    /// What reading the file into memory would take, about: rows (the file size over the first lines' mean length)
    /// times columns times 8 bytes, times 3 for the reader's buffers and the solvers' working copies. Null when the
    /// file cannot be sampled (the read itself then reports the problem).
    /// </summary>
    internal static long? EstimateBytes(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists) return null;
            using var reader = new StreamReader(file);
            string? header = reader.ReadLine();
            if (header is null) return null;
            int columns = Math.Max(header.Split(',').Length, header.Split('\t').Length);
            long sampled = 0, lines = 0;
            string? line;
            // At most 1000 lines or about a megabyte: a wide file's lines are long, and this runs before every read.
            while (lines < 1000 && sampled < 1 << 20 && (line = reader.ReadLine()) is not null)
            {
                sampled += line.Length + 1;
                lines++;
            }
            if (lines == 0) return 0;
            double rows = (info.Length - header.Length - 1) / (sampled / (double)lines);
            return (long)(rows * columns * 8 * 3);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"2GB", "512MB", "1.5G", "800k" or a byte count.</summary>
    internal static long ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        if (t.EndsWith('B')) t = t[..^1];
        double unit = 1;
        if (t.Length > 0 && "KMGT".Contains(t[^1]))
        {
            unit = Math.Pow(1024, "KMGT".IndexOf(t[^1]) + 1);
            t = t[..^1];
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || double.IsInfinity(value))
            throw new ShrinkException($"'--memory-budget' must be a positive size such as 2GB, 512MB or 1.5G; got '{text}'");
        return (long)Math.Min(value * unit, long.MaxValue / 2);
    }

    internal static string Size(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GB" : $"{bytes / (double)(1L << 20):0} MB";
}
