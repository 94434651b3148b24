using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Shrink.IO;
using Spectre.Console;

namespace Shrink.Cli;

/// <summary>
/// Several targets (<c>--target y1,y2,...</c>) for fit, path and cv: independent fits per target, or with
/// <c>--multi-task</c> the multi-task lasso that keeps or drops each feature for all targets together. The commands
/// hand over here when <see cref="Applies"/>; the option parsing is theirs, plus the <c>--multi-task</c> switch.
/// </summary>
internal static class MultiTarget
{
    private const string Switch = "multi-task";

    /// <summary>Whether the command line asks for several targets or for the multi-task lasso.</summary>
    public static bool Applies(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--" + Switch || args[i].StartsWith("--" + Switch + "=", StringComparison.Ordinal)) return true;
            if (args[i].StartsWith("--target=", StringComparison.Ordinal) && args[i].Contains(',')) return true;
            if (args[i] == "--target" && i + 1 < args.Count && args[i + 1].Contains(',')) return true;
        }
        return false;
    }

    private sealed record Setup(Arguments Args, string File, IReadOnlyList<string> Targets, bool Joint);

    /// <summary>
    /// The options the several-target commands implement. The commands' own lists may grow (observation weights,
    /// offsets, penalty factors, bounds); an option not listed here is refused rather than silently ignored.
    /// </summary>
    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "penalty", "lambda", "l1-ratio", "convention", "tolerance", "max-iterations", "no-intercept", "no-standardize",
        "n-lambda", "lambda-min-ratio", "lambdas", "target", "features", "exclude", "save", "plot", "json", "drop-missing",
        "folds", "seed", "fold-column", "measure", "choose", "l1-ratios", Switch,
    };

    private static Setup Parse(IReadOnlyList<string> args, string command, string[] values, string[] switches)
    {
        var a = Arguments.Parse(args, command, values, [.. switches, Switch]);
        foreach (var option in values.Concat(switches).Where(o => !Supported.Contains(o)))
            if (a.Text(option) is not null || a.Has(option))
                throw new ShrinkException($"'--{option}' is not available with several targets yet; fit the targets one at a time");
        string file = a.Single("a data file (CSV or TSV with a header)", command);
        if (Shrink.IO.LibSvmData.HasLibSvmExtension(file))
            throw new ShrinkException($"{file}: a LIBSVM file has one label, so several targets and '--multi-task' need a CSV file");
        var targets = a.List("target") ?? throw new ShrinkException($"'--target' is required: the name of the column to predict, or several separated by commas (see 'shrink {command} --help')");
        if (targets.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ShrinkException($"'--target' names '{twice.Key}' more than once; got '{a.Text("target")}'");
        bool joint = a.Has(Switch);
        if (joint && targets.Count < 2)
            throw new ShrinkException($"'--multi-task' needs at least two targets ('--target y1,y2,...'); got one, '{targets[0]}': for one target it is the ordinary lasso");
        if (a.Text("plot") is not null)
            throw new ShrinkException("'--plot' draws one target; it is not available with several targets (fit them one at a time to plot)");
        return new Setup(a, file, targets, joint);
    }

    private static MultiTargetReadOptions ReadOptions(Setup s, string? foldColumn = null)
    {
        var features = s.Args.List("features");
        var exclude = s.Args.List("exclude");
        if (features is not null && exclude is not null)
            throw new ShrinkException("'--features' and '--exclude' cannot be used together: --features names every feature, --exclude removes some from all columns");
        return new MultiTargetReadOptions
        {
            Targets = s.Targets, Features = features, Exclude = exclude, DropMissing = s.Args.Has("drop-missing"),
            Auxiliary = foldColumn is null ? null : [foldColumn],
        };
    }

    private static void CheckJoint(FitOptions options)
    {
        if (options.Penalty is Penalty.Ridge or Penalty.Ols || (options.Penalty == Penalty.ElasticNet && options.L1Ratio == 0))
            throw new ShrinkException($"'--multi-task' needs penalty lasso or elasticnet with l1-ratio > 0 (its L1 part selects features for all targets together); got {Names.Of(options.Penalty)}{(options.Penalty == Penalty.ElasticNet ? " with l1-ratio 0" : "")}: without --multi-task each target gets its own {Names.Of(options.Penalty)} fit");
    }

    // ---- fit ----

    public static int Fit(IReadOnlyList<string> args, IAnsiConsole console, TextWriter stdout, TextWriter stderr)
    {
        var s = Parse(args, "fit", FitCommand.ValueOptions, FitCommand.SwitchOptions);
        var options = ModelOptions.From(s.Args);
        if (s.Joint) CheckJoint(options);
        var clock = Stopwatch.StartNew();
        var input = CsvData.ReadTargets(s.File, ReadOptions(s));
        var data = input.Data;
        double readSeconds = clock.Elapsed.TotalSeconds;
        if (input.DroppedRows > 0 && s.Args.Has("json")) stderr.WriteLine($"shrink: dropped {input.DroppedRows} rows with missing values");
        clock.Restart();
        if (s.Joint)
        {
            var model = Regression.FitMultiTask(data, options);
            double fitSeconds = clock.Elapsed.TotalSeconds;
            if (s.Args.Text("save") is { } save) ModelFile.Save(model, save);
            if (!model.Diagnostics.Converged) stderr.WriteLine(Report.NotConverged(model.ForTarget(0)));
            if (s.Args.Has("json"))
            {
                Report.WriteJson(stdout, w =>
                {
                    WriteJointFields(w, model);
                    WriteSizes(w, data, input.DroppedRows, readSeconds, fitSeconds);
                });
                return Cli.Ok;
            }
            console.Write(JointTable(model, $"{Markup.Escape(System.IO.Path.GetFileName(s.File))}: multi-task {Names.Of(model.Penalty)} for {Quoted(data.TargetNames)}"));
            if (input.DroppedRows > 0) console.WriteLine($"dropped {input.DroppedRows} rows with missing values");
            console.WriteLine(JointSummary(model, data));
            console.WriteLine($"read {readSeconds:0.000} s, fit {fitSeconds:0.000} s{Saved(s)}");
            return Cli.Ok;
        }

        var models = Regression.FitEach(data, options);
        double seconds = clock.Elapsed.TotalSeconds;
        if (s.Args.Text("save") is { } path) ModelFile.Save(models, data.TargetNames, path);
        for (int t = 0; t < models.Count; t++)
            if (!models[t].Diagnostics.Converged) stderr.WriteLine($"{Report.NotConverged(models[t])} (target '{data.TargetNames[t]}')");
        if (s.Args.Has("json"))
        {
            Report.WriteJson(stdout, w =>
            {
                WriteTargets(w, data);
                w.WriteStartArray("models");
                for (int t = 0; t < models.Count; t++)
                {
                    w.WriteStartObject();
                    w.WriteString("target", data.TargetNames[t]);
                    Report.WriteModelFields(w, models[t]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                WriteSizes(w, data, input.DroppedRows, readSeconds, seconds);
            });
            return Cli.Ok;
        }
        for (int t = 0; t < models.Count; t++)
        {
            console.Write(Report.CoefficientTable(models[t], $"{Markup.Escape(System.IO.Path.GetFileName(s.File))}: predicting '{Markup.Escape(data.TargetNames[t])}' ({t + 1} of {models.Count})"));
            console.WriteLine(Report.Summary(models[t], data.Rows, data.Features.Columns));
        }
        if (input.DroppedRows > 0) console.WriteLine($"dropped {input.DroppedRows} rows with missing values");
        console.WriteLine($"{models.Count} independent fits; read {readSeconds:0.000} s, fit {seconds:0.000} s{Saved(s)}");
        return Cli.Ok;
    }

    // ---- path ----

    public static int Path(IReadOnlyList<string> args, IAnsiConsole console, TextWriter stdout)
    {
        var s = Parse(args, "path", PathCommand.ValueOptions, PathCommand.SwitchOptions);
        var options = GridOptions.From(s.Args, ModelOptions.From(s.Args));
        if (s.Joint) CheckJoint(options.Fit);
        var clock = Stopwatch.StartNew();
        var data = CsvData.ReadTargets(s.File, ReadOptions(s)).Data;
        double readSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        int steps = (options.Lambdas?.Count ?? options.LambdaCount) * (s.Joint ? 1 : data.TargetCount);
        bool bar = !s.Args.Has("json");
        string name = System.IO.Path.GetFileName(s.File);
        if (s.Joint)
        {
            var path = ProgressBar.Run(console, bar, "fitting the path", steps, step => Regression.PathMultiTask(data, options, step));
            double fitSeconds = clock.Elapsed.TotalSeconds;
            if (s.Args.Has("json"))
            {
                Report.WriteJson(stdout, w => WriteJointPath(w, path, readSeconds, fitSeconds));
                return Cli.Ok;
            }
            console.Write(PathTable(path.Lambdas, path.NonZero, path.R2, path.Models.Select(m => m.Diagnostics).ToArray(),
                $"{Markup.Escape(name)}: multi-task {Names.Of(options.Fit.Penalty)} path for {Quoted(data.TargetNames)}, {path.Count} λ values", "features kept"));
            console.WriteLine($"n = {data.Rows}, p = {data.Features.Columns}, {data.TargetCount} targets; read {readSeconds:0.000} s, fit {fitSeconds:0.000} s; --json prints every λ");
            return Cli.Ok;
        }

        var paths = ProgressBar.Run(console, bar, "fitting the paths", steps, step => Regression.PathEach(data, options, step));
        double seconds = clock.Elapsed.TotalSeconds;
        if (s.Args.Has("json"))
        {
            Report.WriteJson(stdout, w =>
            {
                WriteTargets(w, data);
                w.WriteStartArray("paths");
                for (int t = 0; t < paths.Count; t++)
                {
                    w.WriteStartObject();
                    w.WriteString("target", data.TargetNames[t]);
                    PathCommand.WritePath(w, paths[t], readSeconds, seconds);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return Cli.Ok;
        }
        for (int t = 0; t < paths.Count; t++)
        {
            var p = paths[t];
            console.Write(PathTable(p.Lambdas, p.NonZero, p.R2, p.Models.Select(m => m.Diagnostics).ToArray(),
                $"{Markup.Escape(name)}: {Names.Of(p.Model(0).Penalty)} path for '{Markup.Escape(data.TargetNames[t])}' ({t + 1} of {paths.Count}), {p.Count} λ values", "non-zero"));
        }
        console.WriteLine($"n = {data.Rows}, p = {data.Features.Columns}; {paths.Count} independent paths; read {readSeconds:0.000} s, fit {seconds:0.000} s; --json prints every λ");
        return Cli.Ok;
    }

    // ---- cv ----

    public static int Cv(IReadOnlyList<string> args, IAnsiConsole console, TextWriter stdout, TextWriter stderr)
    {
        var s = Parse(args, "cv", CvCommand.ValueOptions, CvCommand.SwitchOptions);
        var options = CvCommand.ParseOptions(s.Args, out var l1Ratios, out var foldColumn);
        if (s.Joint)
        {
            CheckJoint(options.Path.Fit);
            if (options.LeaveOneOut) throw new ShrinkException("'--folds loo' (exact leave-one-out) is for ridge only; '--multi-task' takes k folds");
            if (l1Ratios is not null) throw new ShrinkException("'--l1-ratios' is not available with '--multi-task'; cross-validate one '--l1-ratio' at a time");
        }
        var clock = Stopwatch.StartNew();
        var input = CsvData.ReadTargets(s.File, ReadOptions(s, foldColumn));
        var data = input.Data;
        if (foldColumn is not null) options = options with { FoldIds = CvCommand.FoldIds(input.Auxiliary[foldColumn], foldColumn, s.File) };
        double readSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        int folds = options.LeaveOneOut ? 0 : options.FoldIds?.Distinct().Count() ?? options.Folds;
        long steps = (long)(folds + 1) * (options.Path.Lambdas?.Count ?? options.Path.LambdaCount) * (l1Ratios?.Count ?? 1) * (s.Joint ? 1 : data.TargetCount);
        bool bar = !s.Args.Has("json");
        string name = System.IO.Path.GetFileName(s.File);
        string measure = options.Measure == ErrorMeasure.Mse ? "MSE" : "MAE";
        if (s.Joint)
        {
            var cv = ProgressBar.Run(console, bar, "cross-validating", steps, step => Regression.CrossValidateMultiTask(data, options, step));
            double fitSeconds = clock.Elapsed.TotalSeconds;
            var model = cv.Model;
            if (s.Args.Text("save") is { } save) ModelFile.Save(model, save);
            if (!model.Diagnostics.Converged) stderr.WriteLine(Report.NotConverged(model.ForTarget(0)));
            if (s.Args.Has("json"))
            {
                Report.WriteJson(stdout, w =>
                {
                    Report.WriteArray(w, "lambdas", cv.Lambdas);
                    Report.WriteArray(w, "cv_mean", cv.Mean);
                    Report.WriteArray(w, "cv_se", cv.StandardError);
                    Report.WriteArray(w, "nnz", cv.Path.NonZero.Select(v => (double)v).ToArray());
                    w.WriteNumber("lambda_min", cv.LambdaMin);
                    w.WriteNumber("lambda_1se", cv.Lambda1Se);
                    w.WriteString("chosen", cv.Choice == LambdaChoice.Min ? "min" : "1se");
                    w.WriteNumber("lambda", cv.Lambda);
                    w.WriteString("measure", cv.Measure == ErrorMeasure.Mse ? "mse" : "mae");
                    w.WriteString("error", "per row summed over the targets, averaged over rows (cv.glmnet mgaussian)");
                    w.WriteNumber("folds", cv.FoldIds.Distinct().Count());
                    w.WriteStartObject("model");
                    WriteJointFields(w, model);
                    WriteSizes(w, data, input.DroppedRows, readSeconds, fitSeconds);
                    w.WriteEndObject();
                });
                return Cli.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"{Markup.Escape(name)}: multi-task {Names.Of(model.Penalty)} for {Quoted(data.TargetNames)}, {folds}-fold (CV {measure} summed over the targets)");
            foreach (var column in new[] { "", "λ", $"CV {measure}", "± SE", "features kept" }) table.AddColumn(new TableColumn(column).RightAligned());
            foreach (var (label, index) in new[] { ("λmin", cv.IndexMin), ("λ1se", cv.Index1Se) })
                table.AddRow($"{label}{(index == cv.ChosenIndex ? " [green](chosen)[/]" : "")}", Report.Short(cv.Lambdas[index]), Report.Short(cv.Mean[index]),
                    Report.Short(cv.StandardError[index]), cv.Path.NonZero[index].ToString(CultureInfo.InvariantCulture));
            console.Write(table);
            console.Write(JointTable(model, $"refitted on all {data.Rows} rows at λ = {Report.Short(cv.Lambda)}"));
            console.WriteLine(JointSummary(model, data));
            console.WriteLine($"read {readSeconds:0.000} s, cross-validation {fitSeconds:0.000} s{Saved(s)}");
            return Cli.Ok;
        }

        var results = ProgressBar.Run(console, bar, "cross-validating", steps, step => Regression.CrossValidateEach(data, options, step));
        double seconds = clock.Elapsed.TotalSeconds;
        if (s.Args.Text("save") is { } path) ModelFile.Save(results.Select(r => r.Model).ToArray(), data.TargetNames, path);
        for (int t = 0; t < results.Count; t++)
            if (!results[t].Model.Diagnostics.Converged) stderr.WriteLine($"{Report.NotConverged(results[t].Model)} (target '{data.TargetNames[t]}')");
        if (s.Args.Has("json"))
        {
            Report.WriteJson(stdout, w =>
            {
                WriteTargets(w, data);
                w.WriteStartArray("results");
                for (int t = 0; t < results.Count; t++)
                {
                    w.WriteStartObject();
                    w.WriteString("target", data.TargetNames[t]);
                    CvCommand.WriteJson(w, results[t], data.ForTarget(t), readSeconds, seconds);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return Cli.Ok;
        }
        for (int t = 0; t < results.Count; t++)
        {
            var cv = results[t];
            var best = cv.Best;
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"{Markup.Escape(name)}: {Names.Of(cv.Model.Penalty)} for '{Markup.Escape(data.TargetNames[t])}' ({t + 1} of {results.Count}), {cv.Method}");
            foreach (var column in new[] { "", "λ", $"CV {measure}", "± SE", "non-zero" }) table.AddColumn(new TableColumn(column).RightAligned());
            foreach (var (label, index) in new[] { ("λmin", best.IndexMin), ("λ1se", best.Index1Se) })
                table.AddRow($"{label}{(index == cv.ChosenIndex ? " [green](chosen)[/]" : "")}", Report.Short(best.Lambdas[index]), Report.Short(best.Mean[index]),
                    Report.Short(best.StandardError[index]), best.Path.NonZero[index].ToString(CultureInfo.InvariantCulture));
            console.Write(table);
            console.Write(Report.CoefficientTable(cv.Model, $"'{Markup.Escape(data.TargetNames[t])}' refitted on all {data.Rows} rows at λ = {Report.Short(cv.Lambda)}"));
            console.WriteLine(Report.Summary(cv.Model, data.Rows, data.Features.Columns));
        }
        console.WriteLine($"{results.Count} independent cross-validations on the same folds; read {readSeconds:0.000} s, cross-validation {seconds:0.000} s{Saved(s)}");
        return Cli.Ok;
    }

    // ---- predict ----

    /// <summary>The prediction columns of a model file of any kind on a data file: header names and one array per column.</summary>
    /// <param name="offsetColumn">The new rows' offsets: required for a model fitted with an offset, refused otherwise.</param>
    public static (string[] Header, double[][] Columns) Predict(string modelPath, string dataPath, string? offsetColumn)
    {
        var models = ModelFile.LoadTargets(modelPath);
        bool hasOffset = models.Any(m => m.Model.Controls.HasOffset);
        if (hasOffset && offsetColumn is null)
            throw new ShrinkException($"{modelPath}: the model was fitted with an offset; give the new rows' offsets with '--offset COL'");
        if (!hasOffset && offsetColumn is not null)
            throw new ShrinkException($"{modelPath}: the model was fitted without an offset; '--offset' does not apply");
        // Only the features some model uses: a column whose coefficient is zero everywhere need not be in the file.
        var needed = models.SelectMany(m => m.Model.SelectedFeatures).Distinct(StringComparer.Ordinal).ToArray();
        if (offsetColumn is not null && needed.Contains(offsetColumn))
            throw new ShrinkException($"'--offset' column '{offsetColumn}' is one of the model's features");
        string[] read = offsetColumn is null ? needed : [.. needed, offsetColumn];
        var (table, _) = CsvData.ReadColumns(dataPath, read);
        var offset = offsetColumn is null ? null : table.Column(needed.Length).ToArray();
        var columns = models.Select(m => m.Model.Predict(table, read) is var p && offset is not null
            ? p.Select((v, i) => v + offset[i]).ToArray() : p).ToArray();
        var header = models.Select(m => m.Target is null ? "prediction" : Csv($"prediction_{m.Target}")).ToArray();
        return (header, columns);
    }

    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    // ---- output helpers ----

    private static string Quoted(IReadOnlyList<string> names) => string.Join(", ", names.Select(n => $"'{Markup.Escape(n)}'"));

    private static string Saved(Setup s) => s.Args.Text("save") is { } path ? $"; model saved to {path}" : "";

    private static Table JointTable(MultiTaskModel model, string title)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        table.AddColumn("feature");
        foreach (var target in model.TargetNames) table.AddColumn(new TableColumn(Markup.Escape(target)).RightAligned());
        table.AddColumn("");
        if (model.FitIntercept) table.AddRow([ "(intercept)", .. model.Intercepts.Select(Report.Number), "[grey]not penalized[/]" ]);
        var dropped = new List<string>();
        for (int j = 0; j < model.FeatureNames.Count; j++)
        {
            var row = model.Coefficients[j];
            bool zero = row.All(b => b == 0);
            if (zero && model.FeatureNames.Count > Report.ListAllUpTo) { dropped.Add(model.FeatureNames[j]); continue; }
            table.AddRow([Markup.Escape(model.FeatureNames[j]), .. row.Select(Report.Number), zero ? "[yellow]dropped for every target[/]" : ""]);
        }
        if (dropped.Count > 0)
        {
            string names = string.Join(", ", dropped.Take(8)) + (dropped.Count > 8 ? $", ... ({dropped.Count - 8} more)" : "");
            table.AddRow([$"[yellow]{dropped.Count} dropped[/]", .. model.TargetNames.Select(_ => "0"), $"[yellow]{Markup.Escape(names)}[/]"]);
        }
        return table;
    }

    private static string JointSummary(MultiTaskModel model, MultiTargetDataset data)
    {
        var d = model.Diagnostics;
        string penalty = model.Penalty == Penalty.ElasticNet
            ? $"multi-task elasticnet, λ = {Report.Short(model.Lambda)}, l1-ratio {Report.Short(model.L1Ratio)}"
            : $"multi-task lasso, λ = {Report.Short(model.Lambda)}";
        string convention = model.Convention == Convention.Shrink ? "" : $" ({Names.Of(model.Convention)} convention; shrink λ = {Report.Short(model.CanonicalLambda)}, r = {Report.Short(model.CanonicalL1Ratio)})";
        return $"{penalty}{convention}; {(model.Standardize ? "standardized" : "not standardized")}, {(model.FitIntercept ? "with intercepts" : "no intercepts")}\n" +
               $"n = {data.Rows}, p = {data.Features.Columns}, {data.TargetCount} targets, features kept {model.NonZeroCount}\n" +
               $"objective {Report.Short(d.Objective)}, duality gap {d.DualityGap:0.##e+0} ({d.Solver}, {d.Iterations} {(d.Iterations == 1 ? "iteration" : "iterations")}, {(d.Converged ? "converged" : "NOT converged")})";
    }

    private static Table PathTable(IReadOnlyList<double> lambdas, IReadOnlyList<int> nonZero, IReadOnlyList<double> r2, FitDiagnostics[] diagnostics, string title, string kept)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        foreach (var column in new[] { "λ", kept, "R²", "objective", "duality gap" }) table.AddColumn(new TableColumn(column).RightAligned());
        int stride = Math.Max(1, lambdas.Count / 12);
        for (int s = 0; s < lambdas.Count; s++)
        {
            if (s % stride != 0 && s != lambdas.Count - 1) continue;
            table.AddRow(Report.Short(lambdas[s]), nonZero[s].ToString(CultureInfo.InvariantCulture), r2[s].ToString("0.0000", CultureInfo.InvariantCulture),
                Report.Short(diagnostics[s].Objective), diagnostics[s].DualityGap.ToString("0.#e+0", CultureInfo.InvariantCulture));
        }
        return table;
    }

    private static void WriteTargets(Utf8JsonWriter w, MultiTargetDataset data)
    {
        w.WriteStartArray("targets");
        foreach (var name in data.TargetNames) w.WriteStringValue(name);
        w.WriteEndArray();
    }

    private static void WriteSizes(Utf8JsonWriter w, MultiTargetDataset data, int dropped, double readSeconds, double fitSeconds)
    {
        w.WriteNumber("n", data.Rows);
        w.WriteNumber("p", data.Features.Columns);
        w.WriteNumber("k", data.TargetCount);
        w.WriteNumber("dropped_rows", dropped);
        w.WriteStartObject("timing");
        w.WriteNumber("read_seconds", readSeconds);
        w.WriteNumber("fit_seconds", fitSeconds);
        w.WriteEndObject();
    }

    private static void WriteJointFields(Utf8JsonWriter w, MultiTaskModel model)
    {
        var d = model.Diagnostics;
        w.WriteBoolean("multi_task", true);
        w.WriteString("penalty", Names.Of(model.Penalty));
        w.WriteNumber("lambda", model.Lambda);
        w.WriteNumber("l1_ratio", model.L1Ratio);
        w.WriteString("convention", Names.Of(model.Convention));
        w.WriteBoolean("fit_intercept", model.FitIntercept);
        w.WriteBoolean("standardize", model.Standardize);
        w.WriteStartArray("targets");
        foreach (var name in model.TargetNames) w.WriteStringValue(name);
        w.WriteEndArray();
        w.WriteStartObject("intercepts");
        for (int t = 0; t < model.TargetNames.Count; t++) w.WriteNumber(model.TargetNames[t], model.Intercepts[t]);
        w.WriteEndObject();
        w.WriteStartObject("coefficients");
        for (int j = 0; j < model.FeatureNames.Count; j++)
        {
            w.WriteStartObject(model.FeatureNames[j]);
            for (int t = 0; t < model.TargetNames.Count; t++) w.WriteNumber(model.TargetNames[t], model.Coefficients[j][t]);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteNumber("features_kept", model.NonZeroCount);
        w.WriteNumber("objective", d.Objective);
        w.WriteNumber("duality_gap", d.DualityGap);
        w.WriteNumber("iterations", d.Iterations);
        w.WriteBoolean("converged", d.Converged);
    }

    private static void WriteJointPath(Utf8JsonWriter w, MultiTaskPath path, double readSeconds, double fitSeconds)
    {
        var first = path.Model(0);
        w.WriteBoolean("multi_task", true);
        w.WriteString("penalty", Names.Of(first.Penalty));
        w.WriteNumber("l1_ratio", first.L1Ratio);
        w.WriteString("convention", Names.Of(first.Convention));
        w.WriteStartArray("targets");
        foreach (var name in path.TargetNames) w.WriteStringValue(name);
        w.WriteEndArray();
        Report.WriteArray(w, "lambdas", path.Lambdas);
        w.WriteStartObject("intercepts");
        for (int t = 0; t < path.TargetNames.Count; t++) Report.WriteArray(w, path.TargetNames[t], path.Models.Select(m => m.Intercepts[t]).ToArray());
        w.WriteEndObject();
        w.WriteStartObject("coefficients");
        for (int j = 0; j < path.FeatureNames.Count; j++)
        {
            w.WriteStartObject(path.FeatureNames[j]);
            for (int t = 0; t < path.TargetNames.Count; t++) Report.WriteArray(w, path.TargetNames[t], path.Models.Select(m => m.Coefficients[j][t]).ToArray());
            w.WriteEndObject();
        }
        w.WriteEndObject();
        Report.WriteArray(w, "nnz", path.NonZero.Select(v => (double)v).ToArray());
        Report.WriteArray(w, "r2", path.R2);
        Report.WriteArray(w, "objectives", path.Models.Select(m => m.Diagnostics.Objective).ToArray());
        Report.WriteArray(w, "duality_gaps", path.Models.Select(m => m.Diagnostics.DualityGap).ToArray());
        Report.WriteArray(w, "iterations", path.Models.Select(m => (double)m.Diagnostics.Iterations).ToArray());
        w.WriteStartObject("timing");
        w.WriteNumber("read_seconds", readSeconds);
        w.WriteNumber("fit_seconds", fitSeconds);
        w.WriteEndObject();
    }
}
