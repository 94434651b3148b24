using System.Globalization;
using System.Reflection;
using Shrink.IO;
using Shrink.Plotting;
using Spectre.Console;

namespace Shrink.Cli;

/// <summary>
/// <c>shrink demo</c>: the student-score example. Fits OLS, Ridge and Lasso on 40 students and scores them on
/// 5,000 held-out students from the same process (tools/demo/make_student_data.py).
/// </summary>
internal static class DemoCommand
{
    /// <summary>
    /// How λ is chosen, on the 40 training students only (the held-out students play no part): the lasso by
    /// 10-fold cross-validation with a fixed seed and the one-standard-error rule (the simplest model about as
    /// good as the best); ridge by exact leave-one-out at its minimum, over a grid reaching 1e-6·λmax because
    /// ridge's best λ sits far below the lasso-style grid's floor.
    /// </summary>
    internal static readonly CrossValidationOptions LassoCv = new() { Folds = 10, Seed = 1, Choose = LambdaChoice.OneStandardError };
    internal static readonly CrossValidationOptions RidgeCv = new()
    {
        LeaveOneOut = true,
        Choose = LambdaChoice.Min,
        Path = new PathOptions { Fit = new FitOptions { Penalty = Penalty.Ridge }, LambdaMinRatio = 1e-6 },
    };

    internal const string Target = "test_score";

    internal sealed record DemoModel(string Name, LinearModel Model, double TrainMse, double TestMse, CrossValidationResult? Cv);

    public static int Run(IReadOnlyList<string> args, IAnsiConsole console, TextWriter stdout)
    {
        var a = Arguments.Parse(args, "demo", ["out"], ["json"]);
        if (a.Positional.Count > 0) throw new ShrinkException($"'shrink demo' takes no data file; got '{a.Positional[0]}' (use 'shrink fit' for your own data)");
        var models = Fit();

        string folder = a.Text("out") ?? DefaultFolder;
        WriteFolder(folder, models);

        if (a.Has("json"))
        {
            Report.WriteJson(stdout, w =>
            {
                w.WriteStartArray("models");
                foreach (var m in models)
                {
                    w.WriteStartObject();
                    w.WriteString("penalty", Names.Of(m.Model.Penalty));
                    w.WriteNumber("lambda", m.Model.Lambda);
                    w.WriteNumber("intercept", m.Model.Intercept);
                    w.WriteStartObject("coefficients");
                    for (int j = 0; j < m.Model.FeatureNames.Count; j++) w.WriteNumber(m.Model.FeatureNames[j], m.Model.Coefficients[j]);
                    w.WriteEndObject();
                    w.WriteNumber("train_mse", m.TrainMse);
                    w.WriteNumber("test_mse", m.TestMse);
                    w.WriteNumber("duality_gap", m.Model.Diagnostics.DualityGap);
                    w.WriteBoolean("converged", m.Model.Diagnostics.Converged);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return Cli.Ok;
        }

        WriteTable(console, models);
        console.WriteLine();
        console.WriteLine($"Written to {folder}/: {string.Join(", ", PictureFiles)} (the pictures) and ols.json, ridge.json, lasso.json (the models; try 'shrink predict {folder}/lasso.json new-students.csv').");
        return Cli.Ok;
    }

    private static readonly Lazy<(Dataset Train, Dataset Test)> Data = new(() => (Load("students_train.csv"), Load("students_test.csv")));

    internal static (Dataset Train, Dataset Test) LoadData() => Data.Value;

    internal static IReadOnlyList<DemoModel> Fit()
    {
        var (train, test) = LoadData();
        var ols = Regression.Fit(train, new FitOptions { Penalty = Penalty.Ols });
        var ridge = Regression.CrossValidate(train, RidgeCv);
        var lasso = Regression.CrossValidate(train, LassoCv);
        return
        [
            new DemoModel("OLS", ols, Mse(ols, train), Mse(ols, test), null),
            new DemoModel($"Ridge (λ = {Report.Short(ridge.Lambda)})", ridge.Model, Mse(ridge.Model, train), Mse(ridge.Model, test), ridge),
            new DemoModel($"Lasso (λ = {Report.Short(lasso.Lambda)})", lasso.Model, Mse(lasso.Model, train), Mse(lasso.Model, test), lasso),
        ];
    }

    private static double Mse(LinearModel model, Dataset data)
    {
        var predicted = model.Predict(data.Features);
        double sum = 0;
        for (int i = 0; i < predicted.Length; i++) sum += (data.Target[i] - predicted[i]) * (data.Target[i] - predicted[i]);
        return sum / predicted.Length;
    }

    private static Dataset Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Shrink.Cli.Demo.{name}")
            ?? throw new InvalidOperationException($"embedded demo data {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return CsvData.ReadDataset(reader, name, new CsvReadOptions { Target = Target }).Data;
    }

    internal const string DefaultFolder = "shrink-demo";

    /// <summary>The pictures the demo draws, in the order written.</summary>
    internal static readonly string[] PictureFiles = ["lasso-vs-ridge.png", "lasso-cv.png", "predicted-vs-actual.png"];

    private static void WriteFolder(string folder, IReadOnlyList<DemoModel> models)
    {
        try { Directory.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ShrinkException($"cannot create output folder '{folder}': {e.Message}");
        }
        string[] files = ["ols.json", "ridge.json", "lasso.json"];
        for (int k = 0; k < models.Count; k++) ModelFile.Save(models[k].Model, Path.Combine(folder, files[k]));

        var (ridge, lasso) = (models[1], models[2]);
        var test = LoadData().Test;
        Plots.LassoVsRidge(
            Shrink.Cli.Pictures.Of(lasso.Cv!.Best.Path, "Lasso (L1): paths hit exactly zero one by one"),
            Shrink.Cli.Pictures.Of(ridge.Cv!.Best.Path, "Ridge (L2): paths shrink smoothly, never reaching zero"),
            Path.Combine(folder, PictureFiles[0]));
        Shrink.Cli.Pictures.Cv(lasso.Cv, $"Lasso: 10-fold cross-validation on the {lasso.Model.TrainingRows} training students", Path.Combine(folder, PictureFiles[1]));
        Plots.PredictedVsActual($"Lasso (λ = {Report.Short(lasso.Model.Lambda)}) on {test.Rows:N0} held-out students",
            test.Target, lasso.Model.Predict(test.Features), Path.Combine(folder, PictureFiles[2]));
    }

    private static void WriteTable(IAnsiConsole console, IReadOnlyList<DemoModel> models)
    {
        var (train, test) = (models[0].Model.TrainingRows, LoadData().Test.Rows);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Predicting a student's test score: fitted on {train} students, scored on {test:N0} held-out students");
        table.AddColumn("");
        foreach (var m in models) table.AddColumn(new TableColumn(m.Name).RightAligned());
        table.AddRow(["(intercept)", .. models.Select(m => m.Model.Intercept.ToString("0.000", CultureInfo.InvariantCulture))]);
        var names = models[0].Model.FeatureNames;
        for (int j = 0; j < names.Count; j++)
        {
            table.AddRow([Describe(names[j]), .. models.Select(m =>
            {
                double b = m.Model.Coefficients[j];
                return b == 0 ? "[yellow]0 (dropped)[/]" : b.ToString("0.000", CultureInfo.InvariantCulture);
            })]);
        }
        table.AddEmptyRow();
        table.AddRow(["train MSE", .. models.Select(m => $"{m.TrainMse:0.00}")]);
        double best = models.Min(m => m.TestMse);
        table.AddRow(["[bold]held-out MSE[/]", .. models.Select(m => m.TestMse == best ? $"[green]{m.TestMse:0.00}[/]" : $"{m.TestMse:0.00}")]);
        console.Write(table);
        console.WriteLine();
        foreach (var line in Story(models)) console.MarkupLine(line);
    }

    /// <summary>‖Db‖: the coefficients' length in standard-deviation units, the scale the penalty acts on.</summary>
    private static double StandardizedLength(LinearModel model)
    {
        var (train, _) = LoadData();
        double sum = 0;
        for (int j = 0; j < model.Coefficients.Count; j++)
        {
            var column = train.Features.Column(j);
            double mean = 0;
            foreach (double v in column) mean += v;
            mean /= column.Length;
            double variance = 0;
            foreach (double v in column) variance += (v - mean) * (v - mean);
            double scaled = model.Coefficients[j] * Math.Sqrt(variance / column.Length);
            sum += scaled * scaled;
        }
        return Math.Sqrt(sum);
    }

    private static string Describe(string name) => name switch
    {
        "hw" => "hw (hours of homework)",
        "sleep" => "sleep (hours)",
        "score" => "score (last test)",
        "gpa" => "gpa",
        "food" => "food (ate before, 0/1)",
        _ => name,
    };

    /// <summary>What the table shows, in words; every claim is checked against the fitted numbers before it is made.</summary>
    internal static IEnumerable<string> Story(IReadOnlyList<DemoModel> models)
    {
        var ols = models[0];
        var ridge = models[1];
        var lasso = models[2];
        var names = lasso.Model.FeatureNames;
        var dropped = names.Where((_, j) => lasso.Model.Coefficients[j] == 0).ToList();
        yield return "[bold]Why the columns differ[/]";
        yield return "gpa only echoes the last test score and food is a coin flip: neither carries signal of its own, but with 40 students OLS cannot tell and gives both a weight.";
        if (dropped.Count > 0)
            yield return $"[bold]Lasso (L1)[/] pulls every coefficient towards zero with the same constant force λ, however small it already is. A feature whose evidence cannot beat that force lands on exactly 0: here {string.Join(" and ", dropped)}. That is automatic feature selection.";
        else
            yield return "[bold]Lasso (L1)[/] pulls every coefficient towards zero with the same constant force λ; at this λ it kept every feature.";
        bool ridgeAllNonZero = ridge.Model.Coefficients.All(b => b != 0);
        double olsLength = StandardizedLength(ols.Model), ridgeLength = StandardizedLength(ridge.Model);
        yield return $"[bold]Ridge (L2)[/] pulls in proportion to a coefficient's size, so the pull fades as the coefficient nears zero: " +
            $"{(ridgeAllNonZero ? "no weight reaches exactly 0" : "yet some weights reached 0")}. It shrinks the coefficients as a whole " +
            $"(their length on the standardized scale is {ridgeLength:0.00} against {olsLength:0.00} for OLS) and, rather than choose between " +
            "the correlated score and gpa, it shares the weight between them — so one of them can even grow.";
        string Verdict(DemoModel m) => m.TestMse < ols.TestMse
            ? $"{m.Name.Split(' ')[0]} predicts held-out students better than OLS ({m.TestMse:0.00} vs {ols.TestMse:0.00})"
            : $"{m.Name.Split(' ')[0]} does not beat OLS on held-out students here ({m.TestMse:0.00} vs {ols.TestMse:0.00})";
        bool both = ridge.TestMse < ols.TestMse && lasso.TestMse < ols.TestMse;
        yield return $"{Verdict(ridge)}; {Verdict(lasso)}{(both ? ": a little bias buys a lot less variance" : "")}.";
        yield return "[bold]How λ was chosen[/] (on the training students only; the held-out students played no part):";
        if (lasso.Cv is { } lcv)
            yield return $"  Lasso: 10-fold cross-validation (seed 1). The smallest CV error, {lcv.Best.Mean[lcv.Best.IndexMin]:0.00}, is at λ = {Report.Short(lcv.Best.LambdaMin)}; " +
                $"the chosen λ = {Report.Short(lcv.Lambda)} is the largest whose error ({lcv.Best.Mean[lcv.Best.Index1Se]:0.00}) is within one standard error ({lcv.Best.StandardError[lcv.Best.IndexMin]:0.00}) of it: the simplest model that is about as good.";
        if (ridge.Cv is { } rcv)
            yield return $"  Ridge: exact leave-one-out over {rcv.Best.Lambdas.Count} λ values; λ = {Report.Short(rcv.Lambda)} has the smallest error ({rcv.Best.Mean[rcv.ChosenIndex]:0.00}).";
        yield return "[grey]Your own data: 'shrink cv data.csv --target y' chooses λ the same way.[/]";
    }
}
