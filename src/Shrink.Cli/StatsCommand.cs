using System.Diagnostics;
using Shrink.IO;
using Spectre.Console;

namespace Shrink.Cli;

/// <summary>
/// <c>shrink stats DATA --target COL --out FILE [...]</c>: one streaming pass over the data gathers its sufficient
/// statistics (per fold when asked), saved to a file that fit, path and cv read with --stats, alone or merged with others.
/// </summary>
internal static class StatsCommand
{
    private static readonly string[] ValueOptions = ["target", "features", "exclude", "weights", "offset", "folds", "seed", "fold-column", "row-offset", "out"];
    private static readonly string[] SwitchOptions = ["json", "drop-missing", "merge"];

    public static int Run(IReadOnlyList<string> args, IAnsiConsole console, TextWriter stdout)
    {
        var a = Arguments.Parse(args, "stats", ValueOptions, SwitchOptions);
        if (a.Has("merge")) return Merge(a, console, stdout);
        string file = a.Single("a data file (CSV or TSV with a header)", "stats");
        if (LibSvmData.HasLibSvmExtension(file))
            throw new ShrinkException($"{file}: 'shrink stats' streams CSV/TSV or Parquet files; a LIBSVM file is fitted directly, in memory as a sparse matrix ('shrink fit {file}')");
        var read = DataOptions.From(a, "stats");
        string output = a.Text("out") ?? throw new ShrinkException("'--out' is required: the statistics file to write (see 'shrink stats --help')");
        ControlOptions.Columns(a); // --weights and --offset must differ
        var options = new StatisticsReadOptions
        {
            Target = read.Target, Features = read.Features, Exclude = read.Exclude, DropMissing = read.DropMissing,
            Weights = a.Text("weights"), Offset = a.Text("offset"), Folds = Folds(a),
            RowOffset = a.Integer("row-offset", "≥ 0") is { } offset ? (offset >= 0 ? offset : throw new ShrinkException($"'--row-offset' must be a whole number ≥ 0; got {offset}")) : 0,
        };
        var clock = Stopwatch.StartNew();
        var stats = Input.ReadStreaming(console, !a.Has("json"), file, options);
        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = new FileInfo(file).Length;
        StatisticsFile.Save(stats, output);

        if (a.Has("json"))
        {
            Report.WriteJson(stdout, w =>
            {
                w.WriteString("statistics", output);
                w.WriteNumber("rows", stats.Rows);
                w.WriteNumber("p", stats.FeatureNames.Count);
                w.WriteNumber("weight_sum", stats.WeightSum);
                w.WriteNumber("dropped_rows", stats.DroppedRows);
                if (stats.Folds is { } folds) w.WriteString("folds", folds.ToString());
                w.WriteNumber("bytes_read", bytes);
                w.WriteNumber("read_seconds", seconds);
            });
            return Cli.Ok;
        }
        console.WriteLine($"{Path.GetFileName(file)}: {stats.Rows:N0} rows, {stats.FeatureNames.Count} features, target '{stats.TargetName}'" +
            $"{(stats.WeightsColumn is { } w ? $", weighted by '{w}'" : "")}{(stats.OffsetColumn is { } o ? $", offset '{o}'" : "")}" +
            $"{(stats.Folds is { } f ? $", {f} ({stats.FoldLabels.Count} present)" : "")}");
        if (stats.DroppedRows > 0) console.WriteLine($"dropped {stats.DroppedRows} rows with missing values");
        console.WriteLine($"one pass in {seconds:0.00} s ({Input.Throughput(bytes, seconds)}); statistics written to {output}");
        return Cli.Ok;
    }

    /// <summary>
    /// <c>shrink stats --merge A.stats B.stats ... --out ALL.stats</c>: the reduce step of a distributed gathering, also
    /// as a tree (merged files merge again).
    /// </summary>
    private static int Merge(Arguments a, IAnsiConsole console, TextWriter stdout)
    {
        foreach (var option in ValueOptions.Where(o => o != "out"))
            if (a.Text(option) is not null) throw new ShrinkException($"'--{option}' cannot be used with --merge: the statistics files already fix it");
        if (a.Has("drop-missing")) throw new ShrinkException("'--drop-missing' cannot be used with --merge: the statistics files are read, not the data");
        string output = a.Text("out") ?? throw new ShrinkException("'--out' is required: the merged statistics file to write");
        if (a.Positional.Count < 2) throw new ShrinkException($"'shrink stats --merge' needs two or more statistics files; got {a.Positional.Count}");
        var merged = StatisticsFile.LoadAll(a.Positional);
        StatisticsFile.Save(merged, output);
        if (a.Has("json"))
            Report.WriteJson(stdout, w =>
            {
                w.WriteString("statistics", output);
                w.WriteNumber("rows", merged.Rows);
                w.WriteNumber("p", merged.FeatureNames.Count);
                w.WriteNumber("weight_sum", merged.WeightSum);
                w.WriteNumber("parts", a.Positional.Count);
            });
        else
            console.WriteLine($"merged {a.Positional.Count} statistics files: {merged.Rows:N0} rows, {merged.FeatureNames.Count} features; written to {output}");
        return Cli.Ok;
    }

    /// <summary>--folds K [--seed S] (hashed) or --fold-column C; none when neither is given.</summary>
    internal static FoldScheme? Folds(Arguments a)
    {
        string? column = a.Text("fold-column");
        if (column is not null)
        {
            if (a.Text("folds") is not null || a.Text("seed") is not null)
                throw new ShrinkException("'--folds'/'--seed' and '--fold-column' cannot be used together: the fold column decides the folds");
            return FoldScheme.FromColumn(column);
        }
        if (a.Text("folds") is null)
        {
            if (a.Text("seed") is not null) throw new ShrinkException("'--seed' seeds the fold hash; it needs '--folds K'");
            return null;
        }
        int k = a.Integer("folds", "≥ 2")!.Value;
        if (k < 2) throw new ShrinkException($"'--folds' must be a whole number ≥ 2; got {k}");
        return FoldScheme.Hashed(k, a.Integer("seed", "(any whole number)") ?? 1);
    }
}
