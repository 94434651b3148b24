using System.Globalization;
using System.Text.Json;
using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

/// <summary>The command line with several targets: independent fits, the multi-task lasso, the model file, predict, bad input.</summary>
public class MultiTargetCliTests
{
    private static readonly (double[][] X, double[][] Y, MultiTargetDataset Data) Made = MultiTargetTests.Make(seed: 44, n: 60, p: 6);

    /// <summary>Writes the data as x1..x6, a, b, c plus a fold column, and returns its path.</summary>
    private static string Write(TempFolder folder)
    {
        var (x, y, _) = Made;
        var columns = Enumerable.Range(0, x[0].Length).Select(j => x.Select(row => row[j]).ToArray())
            .Concat(Enumerable.Range(0, 3).Select(t => y.Select(row => row[t]).ToArray()))
            .Append(Enumerable.Range(0, x.Length).Select(i => (double)(i % 4)).ToArray()).ToList();
        return folder.WriteTable("data.csv", ["x1", "x2", "x3", "x4", "x5", "x6", "a", "b", "c", "fold"], columns);
    }

    private static MultiTargetDataset Subset(params int[] targets)
    {
        var data = Made.Data;
        return new MultiTargetDataset(data.Features, targets.Select(t => data.Target(t).ToArray()).ToArray(), data.FeatureNames,
            targets.Select(t => data.TargetNames[t]).ToArray());
    }

    private static JsonElement Json(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-14 * Math.Max(Math.Abs(expected), 1e-300), $"{what}: expected {expected:R}, got {actual:R}");

    [Fact]
    public void Help_explains_several_targets_and_the_multi_task_lasso()
    {
        foreach (var command in new[] { "fit", "path", "cv" })
        {
            var result = Shell.Run(command, "--help");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("--multi-task", result.Stdout);
        }
        Assert.Contains("y1,y2", Shell.Run("fit", "--help").Stdout);
        Assert.Contains("prediction_<target>", Shell.Run("predict", "--help").Stdout);
        Assert.Contains("--multi-task", Shell.Run("--help").Stdout);
    }

    [Fact]
    public void Fit_with_several_targets_is_one_independent_fit_per_target()
    {
        using var folder = new TempFolder();
        string data = Write(folder);
        var json = Json(Shell.Run("fit", data, "--target", "a,c", "--exclude", "b,fold", "--lambda", "0.05", "--json"));
        Assert.Equal(["a", "c"], json.GetProperty("targets").EnumerateArray().Select(e => e.GetString()));
        var expected = Regression.FitEach(Subset(0, 2), new FitOptions { Lambda = 0.05 });
        var models = json.GetProperty("models").EnumerateArray().ToArray();
        for (int t = 0; t < 2; t++)
        {
            Assert.Equal(t == 0 ? "a" : "c", models[t].GetProperty("target").GetString());
            Close(expected[t].Intercept, models[t].GetProperty("intercept").GetDouble(), "intercept");
            foreach (var (name, b) in expected[t].FeatureNames.Zip(expected[t].Coefficients))
                Close(b, models[t].GetProperty("coefficients").GetProperty(name).GetDouble(), name);
        }
        var table = Shell.Run("fit", data, "--target", "a,c", "--exclude", "b,fold", "--lambda", "0.05");
        Assert.Contains("predicting 'a' (1 of 2)", table.Stdout);
        Assert.Contains("predicting 'c' (2 of 2)", table.Stdout);
    }

    [Fact]
    public void Multi_task_fit_json_save_and_predict_agree_with_the_library()
    {
        using var folder = new TempFolder();
        string data = Write(folder);
        string model = folder.File("mt.json");
        var json = Json(Shell.Run("fit", data, "--target", "a,b,c", "--exclude", "fold", "--multi-task", "--penalty", "elasticnet", "--l1-ratio", "0.8",
            "--lambda", "0.3", "--json", "--save", model));
        var expected = Regression.FitMultiTask(Made.Data, new FitOptions { Penalty = Penalty.ElasticNet, L1Ratio = 0.8, Lambda = 0.3 });
        Assert.True(json.GetProperty("multi_task").GetBoolean());
        Assert.Equal(expected.NonZeroCount, json.GetProperty("features_kept").GetInt32());
        for (int t = 0; t < 3; t++)
        {
            string target = expected.TargetNames[t];
            Close(expected.Intercepts[t], json.GetProperty("intercepts").GetProperty(target).GetDouble(), $"intercept {target}");
            for (int j = 0; j < expected.FeatureNames.Count; j++)
                Close(expected.Coefficients[j][t], json.GetProperty("coefficients").GetProperty(expected.FeatureNames[j]).GetProperty(target).GetDouble(), $"{expected.FeatureNames[j]}/{target}");
        }

        var loaded = ModelFile.LoadMultiTask(model);
        Assert.Equal(expected.Coefficients.Select(r => r.ToArray()), loaded.Coefficients.Select(r => r.ToArray()));
        var predict = Shell.Run("predict", model, data);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        var lines = predict.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("prediction_a,prediction_b,prediction_c", lines[0]);
        Assert.Equal(61, lines.Length);
        var predicted = expected.Predict(Made.Data.Features);
        for (int i = 0; i < 60; i++)
        {
            var cells = lines[i + 1].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            for (int t = 0; t < 3; t++) Assert.Equal(predicted[t][i], cells[t]);
        }
    }

    [Fact]
    public void Independent_models_saved_by_cv_predict_one_column_per_target()
    {
        using var folder = new TempFolder();
        string data = Write(folder);
        string model = folder.File("each.json");
        var json = Json(Shell.Run("cv", data, "--target", "a,b", "--exclude", "c", "--fold-column", "fold", "--n-lambda", "15", "--json", "--save", model));
        var results = json.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(2, results.Length);
        var loaded = ModelFile.LoadTargets(model);
        Assert.Equal(["a", "b"], loaded.Select(m => m.Target));
        var expected = Regression.CrossValidateEach(Subset(0, 1), new CrossValidationOptions
        {
            Path = new PathOptions { LambdaCount = 15 },
            FoldIds = Enumerable.Range(0, 60).Select(i => i % 4).ToArray(),
        });
        for (int t = 0; t < 2; t++)
        {
            ModelFileTests.AssertSameModel(expected[t].Model, loaded[t].Model);
            Assert.Equal(expected[t].Lambda, results[t].GetProperty("lambda").GetDouble());
        }
        var predict = Shell.Run("predict", model, data, "--output", folder.File("p.csv"));
        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.StartsWith("prediction_a,prediction_b\n", File.ReadAllText(folder.File("p.csv")));
    }

    [Fact]
    public void Paths_and_cross_validation_with_several_targets_print_tables_and_json()
    {
        using var folder = new TempFolder();
        string data = Write(folder);
        var each = Json(Shell.Run("path", data, "--target", "a,b,c", "--exclude", "fold", "--n-lambda", "12", "--json"));
        var paths = each.GetProperty("paths").EnumerateArray().ToArray();
        var expected = Regression.PathEach(Made.Data, new PathOptions { LambdaCount = 12 });
        for (int t = 0; t < 3; t++)
            Assert.Equal(expected[t].Lambdas, paths[t].GetProperty("lambdas").EnumerateArray().Select(e => e.GetDouble()));

        var joint = Json(Shell.Run("path", data, "--target", "a,b,c", "--exclude", "fold", "--multi-task", "--n-lambda", "12", "--json"));
        var path = Regression.PathMultiTask(Made.Data, new PathOptions { LambdaCount = 12 });
        Assert.Equal(path.Lambdas, joint.GetProperty("lambdas").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(path.NonZero.Select(v => (double)v), joint.GetProperty("nnz").EnumerateArray().Select(e => e.GetDouble()));

        var cv = Json(Shell.Run("cv", data, "--target", "a,b,c", "--exclude", "fold", "--multi-task", "--folds", "4", "--n-lambda", "12", "--choose", "min", "--json"));
        var reference = Regression.CrossValidateMultiTask(Made.Data, new CrossValidationOptions { Path = new PathOptions { LambdaCount = 12 }, Folds = 4, Choose = LambdaChoice.Min });
        Assert.Equal(reference.Mean, cv.GetProperty("cv_mean").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(reference.Lambda, cv.GetProperty("lambda").GetDouble());
        Assert.True(cv.GetProperty("model").GetProperty("multi_task").GetBoolean());

        foreach (var args in new[] { new[] { "path", data, "--target", "a,b", "--n-lambda", "8" }, ["path", data, "--target", "a,b", "--multi-task", "--n-lambda", "8"],
                     ["cv", data, "--target", "a,b", "--n-lambda", "8", "--folds", "3"], ["cv", data, "--target", "a,b", "--multi-task", "--n-lambda", "8", "--folds", "3"] })
        {
            var result = Shell.Run(args);
            Assert.True(result.ExitCode == 0 && result.Stdout.Contains("'a'") && result.Stdout.Contains("'b'"), result.ToString());
        }
    }

    public static TheoryData<string[], string> BadInputs() => new()
    {
        { ["fit", "--target", "a,nope", "--lambda", "1"], "no column 'nope' (target)" },
        { ["fit", "--target", "a,b,a", "--lambda", "1"], "'--target' names 'a' more than once" },
        { ["fit", "--target", "a", "--multi-task", "--lambda", "1"], "'--multi-task' needs at least two targets" },
        { ["fit", "--target", "a,b", "--multi-task", "--penalty", "ridge", "--lambda", "1"], "needs penalty lasso or elasticnet" },
        { ["fit", "--target", "a,b", "--multi-task", "--penalty", "ols"], "needs penalty lasso or elasticnet" },
        { ["fit", "--target", "a,b", "--multi-task", "--l1-ratio", "0", "--lambda", "1"], "l1-ratio 0" },
        { ["fit", "--target", "a,b", "--multi-task"], "'lambda' is required for the multi-task lasso" },
        { ["fit", "--target", "a,b", "--multi-task", "--lambda", "0"], "'lambda' must be > 0" },
        { ["fit", "--target", "a,b", "--features", "x1,b", "--lambda", "1"], "column 'b' is a target and cannot also be a feature" },
        { ["fit", "--target", "a,", "--lambda", "1"], "'--target' must be a comma-separated list of names" },
        { ["fit", "--target", "a,b", "--lambda", "1", "--plot", "p.png"], "'--plot'" },
        { ["cv", "--target", "a,b", "--multi-task", "--folds", "loo"], "leave-one-out" },
        { ["cv", "--target", "a,b", "--multi-task", "--l1-ratios", "1,0.5"], "'--l1-ratios'" },
        { ["cv", "--target", "a,fold", "--fold-column", "fold"], "column 'fold' is a target and cannot also be the fold column" },
        { ["path", "--target", "a,b", "--multi-task", "--lambdas", "1,0"], "'lambdas' must be > 0" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_is_one_error_line_and_writes_nothing(string[] args, string fragment)
    {
        using var folder = new TempFolder();
        string data = Write(folder);
        var before = folder.Entries();
        var result = Shell.Run([args[0], data, .. args[1..], .. args[0] == "path" ? Array.Empty<string>() : ["--save", folder.File("model.json")]]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("shrink: error: ", line);
        Assert.Contains(fragment, line);
        Assert.Equal(before, folder.Entries());
    }

    [Fact]
    public void A_missing_value_in_any_target_is_an_error_naming_it_or_drops_the_row()
    {
        using var folder = new TempFolder();
        string data = folder.Write("d.csv", "x1,x2,a,b\n1,2,3,4\n2,1,5,NA\n3,3,4,6\n4,1,8,2\n5,2,9,1\n6,0,7,3\n");
        var result = Shell.Run("fit", data, "--target", "a,b", "--lambda", "0.1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("line 3, column 'b' is missing", Assert.Single(result.StderrLines));
        var json = Json(Shell.Run("fit", data, "--target", "a,b", "--multi-task", "--lambda", "0.1", "--drop-missing", "--json"));
        Assert.Equal(1, json.GetProperty("dropped_rows").GetInt32());
        Assert.Equal(5, json.GetProperty("n").GetInt32());
    }

    [Fact]
    public void Model_files_of_several_targets_round_trip_and_are_told_apart()
    {
        using var folder = new TempFolder();
        var joint = Regression.FitMultiTask(Made.Data, new FitOptions { Lambda = 0.2, Convention = Convention.Glmnet, FitIntercept = false });
        string jointPath = folder.File("joint.json");
        ModelFile.Save(joint, jointPath);
        var loaded = ModelFile.LoadMultiTask(jointPath);
        foreach (var property in typeof(MultiTaskModel).GetProperties())
        {
            var (e, a) = (property.GetValue(joint), property.GetValue(loaded));
            if (e is IReadOnlyList<IReadOnlyList<double>> rows) Assert.Equal(rows.Select(r => r.ToArray()), ((IReadOnlyList<IReadOnlyList<double>>)a!).Select(r => r.ToArray()));
            else if (e is IEnumerable<double> or IEnumerable<string>) Assert.Equal((System.Collections.IEnumerable)e, (System.Collections.IEnumerable)a!);
            else Assert.Equal(e, a);
        }
        var slices = ModelFile.LoadTargets(jointPath);
        for (int t = 0; t < 3; t++) ModelFileTests.AssertSameModel(joint.ForTarget(t), slices[t].Model);

        var each = Regression.FitEach(Made.Data, new FitOptions { Penalty = Penalty.Ridge, Lambda = 0.1 });
        string eachPath = folder.File("each.json");
        ModelFile.Save(each, Made.Data.TargetNames, eachPath);
        var back = ModelFile.LoadTargets(eachPath);
        for (int t = 0; t < 3; t++) ModelFileTests.AssertSameModel(each[t], back[t].Model);

        // A single-target file is still version 1, read by every loader; the others say what they hold.
        string singlePath = folder.File("single.json");
        ModelFile.Save(each[0], singlePath);
        Assert.Contains("\"format_version\": 1", File.ReadAllText(singlePath));
        Assert.Null(Assert.Single(ModelFile.LoadTargets(singlePath)).Target);
        Assert.Contains("\"format_version\": 2", File.ReadAllText(eachPath));
        Assert.Contains("ModelFile.LoadTargets", Assert.Throws<ShrinkException>(() => ModelFile.Load(eachPath)).Message);
        Assert.Contains("is not a multi-task model", Assert.Throws<ShrinkException>(() => ModelFile.LoadMultiTask(eachPath)).Message);
        Assert.Contains("is not a multi-task model", Assert.Throws<ShrinkException>(() => ModelFile.LoadMultiTask(singlePath)).Message);
        File.WriteAllText(folder.File("bad.json"), File.ReadAllText(jointPath).Replace("\"kind\": \"multi-task\"", "\"kind\": \"other\""));
        Assert.Contains("'kind' must be", Assert.Throws<ShrinkException>(() => ModelFile.LoadTargets(folder.File("bad.json"))).Message);
        File.WriteAllText(folder.File("v3.json"), File.ReadAllText(jointPath).Replace("\"format_version\": 2", "\"format_version\": 3"));
        Assert.Contains("reads versions 1 and 2", Assert.Throws<ShrinkException>(() => ModelFile.LoadTargets(folder.File("v3.json"))).Message);
    }
}
