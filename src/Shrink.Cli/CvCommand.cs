using System.Diagnostics;
using System.Globalization;
using Shrink.IO;
using Spectre.Console;

namespace Shrink.Cli;

/// <summary><c>shrink cv DATA --target COL [...]</c>: choose λ (and r) by cross-validation, refit, report.</summary>
internal static class CvCommand
{
    internal static readonly string[] ValueOptions =
        [.. ModelOptions.Values, .. GridOptions.Values, .. ControlOptions.Values, "lambda", "target", "features", "exclude", "plot", "folds", "seed", "fold-column", "measure", "choose", "l1-ratios", "save", .. Input.Values];
    internal static readonly string[] SwitchOptions = [.. ModelOptions.Switches, .. ControlOptions.Switches, .. Input.Switches, "json", "drop-missing"];

    public static int Run(IReadOnlyList<string> args, IAnsiConsole console, TextWriter stdout, TextWriter stderr)
    {
        if (MultiTarget.Applies(args)) Input.RefuseForSeveralTargets(args);
        if (MultiTarget.Applies(args)) return MultiTarget.Cv(args, console, stdout, stderr);
        var a = Arguments.Parse(args, "cv", ValueOptions, SwitchOptions);
        var options = ParseOptions(a, out var l1Ratios, out var foldColumn);
        string? plot = a.Text("plot");
        if (plot is not null) Pictures.CheckExtension(plot);

        if (foldColumn is not null && ControlOptions.Columns(a).Contains(foldColumn))
            throw new ShrinkException($"'--fold-column' '{foldColumn}' is also the weights or offset column");
        if (options.LeaveOneOut && a.Has("streaming"))
            throw new ShrinkException("'--folds loo' needs the rows in memory, which --streaming does not keep; use k folds");
        // A streaming pass gathers each fold's statistics as it goes: hashed folds (not the in-memory seeded shuffle) or the fold column.
        var streamedFolds = options.LeaveOneOut ? null : foldColumn is not null ? FoldScheme.FromColumn(foldColumn) : FoldScheme.Hashed(options.Folds, options.Seed);
        var input = Input.Load(a, "cv", console, !a.Has("json"), foldColumn is null ? [] : [foldColumn], streamedFolds);
        string file = input.Name;
        if (foldColumn is not null && input.Data is not null) options = options with { FoldIds = FoldIds(input.Auxiliary[foldColumn], foldColumn, file) };
        double readSeconds = input.ReadSeconds;

        var clock = Stopwatch.StartNew();
        int folds = options.LeaveOneOut ? 0 : input.Statistics is { } gathered ? gathered.FoldLabels.Count : options.FoldIds?.Distinct().Count() ?? options.Folds;
        long steps = (long)(folds + 1) * (options.Path.Lambdas?.Count ?? options.Path.LambdaCount) * (options.Gammas is null ? l1Ratios?.Count ?? 1 : 1);
        var cv = ProgressBar.Run(console, !a.Has("json"), "cross-validating", steps,
            step => input.Data is { } data ? Regression.CrossValidate(data, options, step) : Regression.CrossValidate(input.Statistics!, options, step));
        double fitSeconds = clock.Elapsed.TotalSeconds;

        var model = cv.Model;
        if (a.Text("save") is { } save) ModelFile.Save(model, save);
        if (plot is not null) Pictures.Cv(cv, $"{(options.Measure == ErrorMeasure.Mse ? "MSE" : "MAE")} by {cv.Method} cross-validation{(cv.Gamma is { } g ? $" (relaxed, γ = {Report.Short(g)})" : "")}: {Path.GetFileName(file)}", plot);
        if (!model.Diagnostics.Converged) stderr.WriteLine(Report.NotConverged(model));

        if (a.Has("json"))
        {
            Report.WriteJson(stdout, w => WriteJson(w, cv, input.Rows, input.Columns, input, readSeconds, fitSeconds));
            return Cli.Ok;
        }

        var best = cv.Best;
        string measure = options.Measure == ErrorMeasure.Mse ? "MSE" : "MAE";
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(file)}: {Names.Of(model.Penalty)} for '{Markup.Escape(input.TargetName)}', {Describe(cv, options, input.Statistics)}");
        foreach (var column in new[] { "", "λ", $"CV {measure}", "± SE", "non-zero" }) table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var (label, index) in new[] { ("λmin", best.IndexMin), ("λ1se", best.Index1Se) })
        {
            string chosen = index == cv.ChosenIndex ? " [green](chosen)[/]" : "";
            table.AddRow($"{label}{chosen}", Report.Short(best.Lambdas[index]), Report.Short(best.Mean[index]), Report.Short(best.StandardError[index]),
                best.Path.NonZero[index].ToString(CultureInfo.InvariantCulture));
        }
        console.Write(table);
        if (cv.Curves.Count > 1)
        {
            var ratios = new Table().Border(TableBorder.Rounded).Title("L1 ratios searched on the same folds");
            foreach (var column in new[] { "l1-ratio", "λmin", $"min CV {measure}", "λ1se" }) ratios.AddColumn(new TableColumn(column).RightAligned());
            foreach (var c in cv.Curves)
                ratios.AddRow((c == best ? "[green]" : "") + Report.Short(c.L1Ratio) + (c == best ? "[/]" : ""), Report.Short(c.LambdaMin), Report.Short(c.Mean[c.IndexMin]), Report.Short(c.Lambda1Se));
            console.Write(ratios);
        }
        if (cv.Gamma is not null)
        {
            var gammas = new Table().Border(TableBorder.Rounded).Title("relaxed lasso: γ searched on the same folds (γ·penalized + (1 − γ)·least-squares refit)");
            foreach (var column in new[] { "γ", "λmin", $"min CV {measure}", "non-zero" }) gammas.AddColumn(new TableColumn(column).RightAligned());
            foreach (var c in cv.Curves)
                gammas.AddRow((c == best ? "[green]" : "") + Report.Short(c.Gamma!.Value) + (c == best ? "[/]" : ""), Report.Short(c.LambdaMin), Report.Short(c.Mean[c.IndexMin]),
                    c.Path.NonZero[c.IndexMin].ToString(CultureInfo.InvariantCulture));
            console.Write(gammas);
        }
        console.MarkupLine(Markup.Escape(Why(cv)));
        if (ControlOptions.Describe(model) is { } controls) console.WriteLine(controls);
        if (options.Path.Fit.Adaptive is { } adaptive && input.Data is not null) console.WriteLine(ControlOptions.DescribeAdaptive(Regression.AdaptiveWeights(input.Data, options.Path.Fit), adaptive.Nu));
        if (best.Path.StopReason is { } stop) console.WriteLine(stop);
        console.Write(Report.CoefficientTable(model, $"refitted on all {input.Rows} rows at λ = {Report.Short(cv.Lambda)}"));
        console.WriteLine(Report.Summary(model, input.Rows, input.Columns));
        console.WriteLine(input.Describe());
        int aic = PathCommand.ArgMin(best.Path.Aic), bic = PathCommand.ArgMin(best.Path.Bic);
        console.WriteLine($"information criteria on the same path: AIC picks λ = {Report.Short(best.Lambdas[aic])} ({best.Path.NonZero[aic]} non-zero), BIC λ = {Report.Short(best.Lambdas[bic])} ({best.Path.NonZero[bic]} non-zero)");
        console.WriteLine($"read {readSeconds:0.000} s, cross-validation {fitSeconds:0.000} s{(a.Text("save") is { } s ? $"; model saved to {s}" : "")}{(plot is not null ? $"; plot written to {plot}" : "")}");
        return Cli.Ok;
    }

    /// <summary>The cross-validation options of the command line (also for several targets).</summary>
    internal static CrossValidationOptions ParseOptions(Arguments a, out IReadOnlyList<double>? l1Ratios, out string? foldColumn)
    {
        l1Ratios = a.NumberList("l1-ratios", "in [0, 1]");
        var fit = ModelOptions.From(a);
        if (l1Ratios is not null && a.Text("penalty") is null) fit = fit with { Penalty = Penalty.ElasticNet };
        fit = ControlOptions.Apply(a, fit, gammaList: true);
        var options = new CrossValidationOptions { Path = GridOptions.From(a, fit), L1Ratios = l1Ratios, Gammas = ControlOptions.Gammas(a) };
        foldColumn = a.Text("fold-column");
        switch (a.Text("folds"))
        {
            case "loo":
                options = options with { LeaveOneOut = true };
                break;
            case { } text:
                if (foldColumn is not null) throw new ShrinkException("'--folds' and '--fold-column' cannot be used together: the fold column decides the folds");
                options = options with { Folds = a.Integer("folds", "≥ 2 (or 'loo')")!.Value };
                break;
        }
        if (a.Integer("seed", "(any whole number)") is { } seed) options = options with { Seed = seed };
        options = options with
        {
            Measure = a.Text("measure") switch
            {
                null or "mse" => ErrorMeasure.Mse,
                "mae" => ErrorMeasure.Mae,
                var other => throw new ShrinkException($"'measure' must be mse or mae; got '{other}'"),
            },
            Choose = a.Text("choose") switch
            {
                null or "1se" => LambdaChoice.OneStandardError,
                "min" => LambdaChoice.Min,
                var other => throw new ShrinkException($"'choose' must be min or 1se; got '{other}'"),
            },
        };
        return options;
    }

    private static string Describe(CrossValidationResult cv, CrossValidationOptions options, SufficientStatistics? statistics) =>
        cv.Method == "leave-one-out" ? "exact leave-one-out" :
        statistics?.Folds is { } scheme ? (scheme.Column is null ? $"{statistics.FoldLabels.Count} hashed folds (seed {scheme.Seed})" : $"{statistics.FoldLabels.Count} folds from column '{scheme.Column}'") :
        options.FoldIds is not null ? $"{cv.FoldIds!.Distinct().Count()} folds from the fold column" :
        $"{options.Folds}-fold (seed {options.Seed})";

    /// <summary>Why this λ, in words.</summary>
    internal static string Why(CrossValidationResult cv)
    {
        var best = cv.Best;
        if (cv.Gamma is { } gamma)
            return cv.Choice == LambdaChoice.OneStandardError
                ? $"Chosen: λ = {Report.Short(cv.Lambda)}, γ = {Report.Short(gamma)}: the largest λ (then γ) whose CV error ({Report.Short(best.Mean[cv.ChosenIndex])}) is within one standard error of the smallest over every (λ, γ). Use --choose min for the minimum."
                : $"Chosen: λ = {Report.Short(cv.Lambda)}, γ = {Report.Short(gamma)}, the pair with the smallest CV error ({Report.Short(best.Mean[cv.ChosenIndex])}).";
        return cv.Choice == LambdaChoice.OneStandardError
            ? $"Chosen: λ1se = {Report.Short(best.Lambda1Se)}, the largest λ whose CV error ({Report.Short(best.Mean[best.Index1Se])}) is within one standard error of the minimum ({Report.Short(best.Mean[best.IndexMin])} ± {Report.Short(best.StandardError[best.IndexMin])} at λmin = {Report.Short(best.LambdaMin)}): the simplest model that is about as good ({best.Path.NonZero[best.Index1Se]} non-zero vs {best.Path.NonZero[best.IndexMin]}). Use --choose min for λmin."
            : $"Chosen: λmin = {Report.Short(best.LambdaMin)}, the λ with the smallest CV error ({Report.Short(best.Mean[best.IndexMin])}).";
    }

    internal static int[] FoldIds(double[] values, string column, string file)
    {
        var ids = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != Math.Floor(values[i]) || Math.Abs(values[i]) > int.MaxValue)
                throw new ShrinkException($"{file}: fold column '{column}' must hold whole numbers; data row {i + 1} has {values[i].ToString(CultureInfo.InvariantCulture)}");
            ids[i] = (int)values[i];
        }
        return ids;
    }

    internal static void WriteJson(System.Text.Json.Utf8JsonWriter w, CrossValidationResult cv, Dataset data, double readSeconds, double fitSeconds) =>
        WriteJson(w, cv, data.Rows, data.Features.Columns, null, readSeconds, fitSeconds);

    private static void WriteJson(System.Text.Json.Utf8JsonWriter w, CrossValidationResult cv, long rows, int columns, Input? input, double readSeconds, double fitSeconds)
    {
        var best = cv.Best;
        Report.WriteArray(w, "lambdas", best.Lambdas);
        Report.WriteArray(w, "cv_mean", best.Mean);
        Report.WriteArray(w, "cv_se", best.StandardError);
        Report.WriteArray(w, "nnz", best.Path.NonZero.Select(v => (double)v).ToArray());
        w.WriteNumber("lambda_min", best.LambdaMin);
        w.WriteNumber("lambda_1se", best.Lambda1Se);
        w.WriteNumber("l1_ratio", best.L1Ratio);
        w.WriteString("chosen", cv.Choice == LambdaChoice.Min ? "min" : "1se");
        w.WriteNumber("lambda", cv.Lambda);
        w.WriteString("measure", cv.Measure == ErrorMeasure.Mse ? "mse" : "mae");
        w.WriteString("method", cv.Method);
        if (cv.FoldIds is { } folds) w.WriteNumber("folds", folds.Distinct().Count());
        else if (input?.Statistics is { Folds: not null } gathered) w.WriteNumber("folds", gathered.FoldLabels.Count);
        input?.WriteJson(w);
        if (best.GeneralizedCrossValidation is { } gcv) Report.WriteArray(w, "gcv", gcv);
        Report.WriteArray(w, "df", best.Path.DegreesOfFreedom);
        Report.WriteArray(w, "aic", best.Path.Aic);
        Report.WriteArray(w, "bic", best.Path.Bic);
        if (cv.Gamma is { } chosenGamma)
        {
            w.WriteNumber("gamma", chosenGamma);
            w.WriteStartArray("gammas");
            foreach (var c in cv.Curves)
            {
                w.WriteStartObject();
                w.WriteNumber("gamma", c.Gamma!.Value);
                Report.WriteArray(w, "cv_mean", c.Mean);
                Report.WriteArray(w, "cv_se", c.StandardError);
                w.WriteNumber("lambda_min", c.LambdaMin);
                w.WriteNumber("cv_min", c.Mean[c.IndexMin]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        else if (cv.Curves.Count > 1)
        {
            w.WriteStartArray("l1_ratios");
            foreach (var c in cv.Curves)
            {
                w.WriteStartObject();
                w.WriteNumber("l1_ratio", c.L1Ratio);
                w.WriteNumber("lambda_min", c.LambdaMin);
                w.WriteNumber("lambda_1se", c.Lambda1Se);
                w.WriteNumber("cv_min", c.Mean[c.IndexMin]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartObject("model");
        Report.WriteModelFields(w, cv.Model);
        ControlOptions.WriteControls(w, cv.Model);
        w.WriteNumber("n", rows);
        w.WriteNumber("p", columns);
        w.WriteStartObject("timing");
        w.WriteNumber("read_seconds", readSeconds);
        w.WriteNumber("fit_seconds", fitSeconds);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
