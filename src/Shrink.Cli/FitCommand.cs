using System.Diagnostics;
using System.Text.Json;
using Shrink.IO;
using Spectre.Console;

namespace Shrink.Cli;

/// <summary><c>shrink fit DATA --target COL [...]</c>: fit one model, print it, optionally save it.</summary>
internal static class FitCommand
{
    internal static readonly string[] ValueOptions = [.. ModelOptions.Values, .. ControlOptions.Values, .. Input.Values, "target", "features", "exclude", "save", "plot"];
    internal static readonly string[] SwitchOptions = [.. ModelOptions.Switches, .. ControlOptions.Switches, .. Input.Switches, "json", "drop-missing"];

    public static int Run(IReadOnlyList<string> args, IAnsiConsole console, TextWriter stdout, TextWriter stderr)
    {
        if (MultiTarget.Applies(args)) Input.RefuseForSeveralTargets(args);
        if (MultiTarget.Applies(args)) return MultiTarget.Fit(args, console, stdout, stderr);
        var a = Arguments.Parse(args, "fit", ValueOptions, SwitchOptions);
        var options = ControlOptions.Apply(a, ModelOptions.From(a));
        string? plot = a.Text("plot");
        if (plot is not null) Pictures.CheckExtension(plot);

        var input = Input.Load(a, "fit", console, !a.Has("json"));
        if (plot is not null && input.Data is null)
            throw new ShrinkException($"'--plot' draws predictions against the training rows, which {(input.Mode == "streaming" ? "a streaming fit" : "statistics")} do not keep; fit in memory for the plot");
        double readSeconds = input.ReadSeconds;
        var clock = Stopwatch.StartNew();
        var model = input.Data is { } rows ? Regression.Fit(rows, options) : Regression.Fit(input.Statistics!, options);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        // Reported as the fit computed it (the initial fit is cheap beside the lasso it serves).
        var adaptive = options.Adaptive is null || input.Data is null ? null : Regression.AdaptiveWeights(input.Data, options);

        if (a.Text("save") is { } save) ModelFile.Save(model, save);
        if (plot is not null)
            Shrink.Plotting.Plots.PredictedVsActual($"{Names.Of(model.Penalty)} on its {input.Rows} training rows: {input.Name}",
                input.Data!.Target, Predictions(model, input.Data), plot);
        if (!model.Diagnostics.Converged) stderr.WriteLine(Report.NotConverged(model));
        if (input.DroppedRows > 0 && a.Has("json")) stderr.WriteLine($"shrink: dropped {input.DroppedRows} rows with missing values");

        if (a.Has("json"))
        {
            Report.WriteJson(stdout, w =>
            {
                Report.WriteModelFields(w, model);
                ControlOptions.WriteControls(w, model);
                if (adaptive is not null) ControlOptions.WriteAdaptive(w, adaptive);
                w.WriteNumber("n", input.Rows);
                w.WriteNumber("p", input.Columns);
                w.WriteNumber("dropped_rows", input.DroppedRows);
                input.WriteJson(w);
                w.WriteStartObject("timing");
                w.WriteNumber("read_seconds", readSeconds);
                w.WriteNumber("fit_seconds", fitSeconds);
                w.WriteEndObject();
            });
        }
        else
        {
            console.Write(Report.CoefficientTable(model, $"{Markup.Escape(input.Name)}: predicting '{Markup.Escape(input.TargetName)}'"));
            if (input.DroppedRows > 0) console.WriteLine($"dropped {input.DroppedRows} rows with missing values");
            console.WriteLine(Report.Summary(model, input.Rows, input.Columns));
            console.WriteLine(input.Describe());
            if (ControlOptions.Describe(model) is { } controls) console.WriteLine(controls);
            if (adaptive is not null) console.WriteLine(ControlOptions.DescribeAdaptive(adaptive, options.Adaptive!.Nu));
            console.WriteLine($"read {readSeconds:0.000} s, fit {fitSeconds:0.000} s{(a.Text("save") is { } s ? $"; model saved to {s}" : "")}");
        }
        return Cli.Ok;
    }

    /// <summary>The training rows' predictions, their offset included.</summary>
    internal static double[] Predictions(LinearModel model, Dataset data) =>
        data.Offset is { } offset ? model.Predict(data.Features, offset.ToArray()) : model.Predict(data.Features);
}

/// <summary>The data-selection options: target, features or exclude, drop-missing.</summary>
internal static class DataOptions
{
    public static CsvReadOptions From(Arguments a, string command)
    {
        string target = a.Text("target") ?? throw new ShrinkException($"'--target' is required: the name of the column to predict (see 'shrink {command} --help')");
        var features = a.List("features");
        var exclude = a.List("exclude");
        if (features is not null && exclude is not null)
            throw new ShrinkException("'--features' and '--exclude' cannot be used together: --features names every feature, --exclude removes some from all columns");
        return new CsvReadOptions { Target = target, Features = features, Exclude = exclude, DropMissing = a.Has("drop-missing") };
    }
}
