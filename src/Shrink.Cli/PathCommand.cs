using System.Diagnostics;
using System.Globalization;
using Shrink.IO;
using Spectre.Console;

namespace Shrink.Cli;

/// <summary><c>shrink path DATA --target COL [...]</c>: fit a whole regularization path.</summary>
internal static class PathCommand
{
    internal static readonly string[] ValueOptions = [.. ModelOptions.Values, .. GridOptions.Values, .. ControlOptions.Values, "lambda", "target", "features", "exclude", "plot", .. Input.Values];
    internal static readonly string[] SwitchOptions = [.. ModelOptions.Switches, .. ControlOptions.Switches, .. Input.Switches, "json", "drop-missing"];

    public static int Run(IReadOnlyList<string> args, IAnsiConsole console, TextWriter stdout)
    {
        if (MultiTarget.Applies(args)) Input.RefuseForSeveralTargets(args);
        if (MultiTarget.Applies(args)) return MultiTarget.Path(args, console, stdout);
        var a = Arguments.Parse(args, "path", ValueOptions, SwitchOptions);
        var options = GridOptions.From(a, ControlOptions.Apply(a, ModelOptions.From(a)));
        string? plot = a.Text("plot");
        if (plot is not null) Pictures.CheckExtension(plot);

        var input = Input.Load(a, "path", console, !a.Has("json"));
        double readSeconds = input.ReadSeconds;
        var clock = Stopwatch.StartNew();
        int steps = options.Lambdas?.Count ?? options.LambdaCount;
        var path = ProgressBar.Run(console, !a.Has("json"), "fitting the path", steps,
            step => input.Data is { } data ? Regression.Path(data, options, step) : Regression.Path(input.Statistics!, options, step));
        double fitSeconds = clock.Elapsed.TotalSeconds;

        if (plot is not null) Pictures.Paths(path, $"{Names.Of(options.Fit.Penalty)} path: {input.Name}", plot);

        if (a.Has("json"))
        {
            var adaptiveWeights = options.Fit.Adaptive is null || input.Data is null ? null : Regression.AdaptiveWeights(input.Data, options.Fit);
            Report.WriteJson(stdout, w =>
            {
                WritePath(w, path, readSeconds, fitSeconds);
                if (adaptiveWeights is not null) ControlOptions.WriteAdaptive(w, adaptiveWeights);
                input.WriteJson(w);
            });
            return Cli.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(input.Name)}: {Names.Of(path.Model(0).Penalty)} path for '{Markup.Escape(input.TargetName)}', {path.Count} λ values");
        foreach (var column in new[] { "", "λ", "non-zero", "R²", "objective", "duality gap", "AIC", "BIC" })
            table.AddColumn(new TableColumn(column).RightAligned());
        int aic = ArgMin(path.Aic), bic = ArgMin(path.Bic);
        foreach (int k in Rows(path.Count, aic, bic))
        {
            var m = path.Model(k);
            string mark = (k == aic ? "AIC " : "") + (k == bic ? "BIC" : "");
            table.AddRow(mark.Trim(), Report.Short(path.Lambdas[k]), path.NonZero[k].ToString(CultureInfo.InvariantCulture),
                path.R2[k].ToString("0.0000", CultureInfo.InvariantCulture), Report.Short(m.Diagnostics.Objective),
                m.Diagnostics.DualityGap.ToString("0.#e+0", CultureInfo.InvariantCulture),
                path.Aic[k].ToString("0.0", CultureInfo.InvariantCulture), path.Bic[k].ToString("0.0", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        int notConverged = path.Models.Count(m => !m.Diagnostics.Converged);
        console.WriteLine(input.Describe());
        console.WriteLine($"n = {input.Rows}, p = {input.Columns}; AIC is lowest at λ = {Report.Short(path.Lambdas[aic])} ({path.NonZero[aic]} non-zero), BIC at λ = {Report.Short(path.Lambdas[bic])} ({path.NonZero[bic]} non-zero)");
        if (notConverged > 0) console.WriteLine($"warning: {notConverged} of {path.Count} fits did not reach the tolerance");
        if (path.StopReason is { } stop) console.WriteLine(stop);
        if (ControlOptions.Describe(path.Model(0)) is { } controls) console.WriteLine(controls);
        if (options.Fit.Adaptive is { } adaptive && input.Data is not null) console.WriteLine(ControlOptions.DescribeAdaptive(Regression.AdaptiveWeights(input.Data, options.Fit), adaptive.Nu));
        console.WriteLine($"read {readSeconds:0.000} s, fit {fitSeconds:0.000} s{(plot is not null ? $"; plot written to {plot}" : "")}; --json prints every λ");
        return Cli.Ok;
    }

    internal static int ArgMin(IReadOnlyList<double> values)
    {
        int best = 0;
        for (int k = 1; k < values.Count; k++) if (values[k] < values[best]) best = k;
        return best;
    }

    /// <summary>About a dozen rows spread over the path, always including its ends and the marked rows.</summary>
    private static IEnumerable<int> Rows(int count, params int[] marked)
    {
        int stride = Math.Max(1, count / 12);
        return Enumerable.Range(0, count).Where(k => k % stride == 0 || k == count - 1 || marked.Contains(k));
    }

    internal static void WritePath(System.Text.Json.Utf8JsonWriter w, RegularizationPath path, double readSeconds, double fitSeconds)
    {
        var first = path.Model(0);
        w.WriteString("penalty", Names.Of(first.Penalty));
        w.WriteNumber("l1_ratio", first.L1Ratio);
        w.WriteString("convention", Names.Of(first.Convention));
        Report.WriteArray(w, "lambdas", path.Lambdas);
        Report.WriteArray(w, "intercepts", path.Intercepts);
        w.WriteStartObject("coefficients");
        for (int j = 0; j < path.FeatureNames.Count; j++) Report.WriteArray(w, path.FeatureNames[j], path.Coefficients.Select(c => c[j]).ToArray());
        w.WriteEndObject();
        Report.WriteArray(w, "nnz", path.NonZero.Select(v => (double)v).ToArray());
        Report.WriteArray(w, "r2", path.R2);
        Report.WriteArray(w, "objectives", path.Models.Select(m => m.Diagnostics.Objective).ToArray());
        Report.WriteArray(w, "duality_gaps", path.Models.Select(m => m.Diagnostics.DualityGap).ToArray());
        Report.WriteArray(w, "iterations", path.Models.Select(m => (double)m.Diagnostics.Iterations).ToArray());
        Report.WriteArray(w, "df", path.DegreesOfFreedom);
        Report.WriteArray(w, "aic", path.Aic);
        Report.WriteArray(w, "bic", path.Bic);
        if (path.StopReason is { } stop) w.WriteString("stopped", stop);
        ControlOptions.WriteControls(w, first);
        w.WriteStartObject("timing");
        w.WriteNumber("read_seconds", readSeconds);
        w.WriteNumber("fit_seconds", fitSeconds);
        w.WriteEndObject();
    }
}
