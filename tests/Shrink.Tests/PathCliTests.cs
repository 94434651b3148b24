using System.Text.Json;
using Xunit;

namespace Shrink.Tests;

/// <summary><c>shrink path</c> and <c>shrink cv</c>: output shapes, agreement with the library, and bad input.</summary>
public class PathCliTests
{
    private static string WriteData(TempFolder folder, int seed = 4, int n = 60, int p = 6, bool foldColumn = false)
    {
        var (x, y) = RandomData.Make(seed, n, p);
        var columns = Enumerable.Range(0, p).Select(j => x.Select(r => r[j]).ToArray()).Append(y).ToList();
        var header = Enumerable.Range(1, p).Select(j => $"x{j}").Append("y").ToList();
        if (foldColumn)
        {
            columns.Add(Enumerable.Range(0, n).Select(i => (double)(i % 4 + 1)).ToArray());
            header.Add("fold");
        }
        return folder.WriteTable("data.csv", header, columns);
    }

    private static JsonElement Json(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.Clone();
    }

    private static void AssertError(CliResult result, params string[] fragments)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        string line = Assert.Single(result.StderrLines);
        Assert.StartsWith("shrink: error: ", line);
        foreach (var f in fragments) Assert.True(line.Contains(f, StringComparison.Ordinal), $"'{f}' is not in: {line}");
    }

    [Fact]
    public void Path_json_has_every_documented_field_per_lambda_and_matches_the_library()
    {
        using var folder = new TempFolder();
        string data = WriteData(folder);
        var json = Json(Shell.Run("path", data, "--target", "y", "--n-lambda", "25", "--json"));
        foreach (var field in new[] { "lambdas", "intercepts", "nnz", "r2", "objectives", "duality_gaps", "iterations", "df", "aic", "bic" })
            Assert.Equal(25, json.GetProperty(field).GetArrayLength());
        Assert.Equal(6, json.GetProperty("coefficients").EnumerateObject().Count());
        Assert.All(json.GetProperty("coefficients").EnumerateObject(), c => Assert.Equal(25, c.Value.GetArrayLength()));
        Assert.True(json.GetProperty("timing").GetProperty("fit_seconds").GetDouble() >= 0);

        var dataset = Shrink.IO.CsvData.ReadDataset(data, new Shrink.IO.CsvReadOptions { Target = "y" }).Data;
        var path = Regression.Path(dataset, new PathOptions { LambdaCount = 25 });
        var lambdas = json.GetProperty("lambdas").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(path.Lambdas, lambdas);
        Assert.Equal(path.Coefficients[10][2], json.GetProperty("coefficients").GetProperty("x3")[10].GetDouble());
    }

    [Fact]
    public void Path_with_an_explicit_grid_and_a_table()
    {
        using var folder = new TempFolder();
        string data = WriteData(folder);
        var json = Json(Shell.Run("path", data, "--target", "y", "--penalty", "ridge", "--lambdas", "10,1,0.1", "--json"));
        Assert.Equal([10.0, 1, 0.1], json.GetProperty("lambdas").EnumerateArray().Select(v => v.GetDouble()));
        var table = Shell.Run("path", data, "--target", "y", "--n-lambda", "20");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("AIC is lowest", table.Stdout);
    }

    [Fact]
    public void Cv_json_has_the_documented_fields_and_a_model_in_the_fit_shape()
    {
        using var folder = new TempFolder();
        string data = WriteData(folder);
        string model = folder.File("cv.model.json");
        var json = Json(Shell.Run("cv", data, "--target", "y", "--n-lambda", "30", "--folds", "5", "--seed", "3", "--json", "--save", model));
        foreach (var field in new[] { "lambdas", "cv_mean", "cv_se", "nnz" }) Assert.Equal(30, json.GetProperty(field).GetArrayLength());
        double lambdaMin = json.GetProperty("lambda_min").GetDouble(), lambda1se = json.GetProperty("lambda_1se").GetDouble();
        Assert.True(lambda1se >= lambdaMin);
        Assert.Equal("1se", json.GetProperty("chosen").GetString());
        Assert.Equal(1.0, json.GetProperty("l1_ratio").GetDouble());
        var m = json.GetProperty("model");
        foreach (var field in new[] { "penalty", "lambda", "l1_ratio", "convention", "intercept", "coefficients", "objective", "duality_gap", "iterations", "converged", "n", "p", "timing" })
            Assert.True(m.TryGetProperty(field, out _), $"model has no '{field}'");
        Assert.Equal(lambda1se, m.GetProperty("lambda").GetDouble());
        Assert.Equal(lambda1se, Shrink.IO.ModelFile.Load(model).Lambda);
    }

    [Fact]
    public void Cv_with_a_fold_column_min_rule_mae_and_several_l1_ratios()
    {
        using var folder = new TempFolder();
        string data = WriteData(folder, foldColumn: true);
        var json = Json(Shell.Run("cv", data, "--target", "y", "--fold-column", "fold", "--n-lambda", "15", "--choose", "min", "--measure", "mae", "--l1-ratios", "1,0.5", "--json"));
        Assert.Equal("min", json.GetProperty("chosen").GetString());
        Assert.Equal("mae", json.GetProperty("measure").GetString());
        Assert.Equal(4, json.GetProperty("folds").GetInt32());
        Assert.Equal(2, json.GetProperty("l1_ratios").GetArrayLength());
        Assert.Equal(json.GetProperty("lambda_min").GetDouble(), json.GetProperty("model").GetProperty("lambda").GetDouble());
        // The fold column is not a feature.
        Assert.False(json.GetProperty("model").GetProperty("coefficients").TryGetProperty("fold", out _));
    }

    [Fact]
    public void Cv_ridge_leave_one_out_and_the_table()
    {
        using var folder = new TempFolder();
        string data = WriteData(folder);
        var run = Shell.Run("cv", data, "--target", "y", "--penalty", "ridge", "--folds", "loo", "--n-lambda", "20");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("exact leave-one-out", run.Stdout);
        Assert.Contains("λ1se", run.Stdout);
        Assert.Contains("Chosen:", run.Stdout);
    }

    [Theory]
    [InlineData("path", "paths.png")]
    [InlineData("cv", "cv.svg")]
    [InlineData("fit", "fit.png")]
    public void Plot_option_writes_a_valid_image_and_nothing_else(string command, string name)
    {
        using var folder = new TempFolder();
        string data = WriteData(folder);
        string file = folder.File(name);
        string[] extra = command == "fit" ? ["--lambda", "0.05"] : ["--n-lambda", "20"];
        var run = Shell.Run([command, data, "--target", "y", "--plot", file, .. extra]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(new[] { "data.csv", name }.Order(StringComparer.Ordinal), folder.Entries());
        var bytes = File.ReadAllBytes(file);
        if (name.EndsWith(".png")) Assert.Equal((byte)'P', bytes[1]);
        else Assert.Contains("<svg", System.Text.Encoding.UTF8.GetString(bytes));
        AssertError(Shell.Run([command, data, "--target", "y", "--plot", folder.File("x.jpg"), .. extra]), "'plot'", ".png or .svg", "x.jpg");
    }

    [Fact]
    public void Bad_cv_and_path_input_is_one_clear_line()
    {
        using var folder = new TempFolder();
        string data = WriteData(folder, n: 12);
        AssertError(Shell.Run("cv", data, "--target", "y", "--folds", "50"), "'folds'", "at most the number of rows (12)", "50");
        AssertError(Shell.Run("cv", data, "--target", "y", "--folds", "1"), "'folds'", "≥ 2", "got 1");
        AssertError(Shell.Run("cv", data, "--target", "y", "--folds", "loo"), "leave-one-out", "ridge");
        AssertError(Shell.Run("path", data, "--target", "y", "--lambdas", ""), "'lambdas'", "at least one");
        AssertError(Shell.Run("path", data, "--target", "y", "--lambdas", "0.1,1"), "'lambdas'", "strictly decreasing");
        AssertError(Shell.Run("path", data, "--target", "y", "--lambdas", "1,-0.1"), "'lambdas'", "≥ 0");
        AssertError(Shell.Run("path", data, "--target", "y", "--lambdas", "1,abc"), "'--lambdas'", "'abc'");
        AssertError(Shell.Run("path", data, "--target", "y", "--lambda", "1"), "'--lambda'", "--lambdas");
        AssertError(Shell.Run("path", data, "--target", "y", "--penalty", "ols"), "least squares");
        AssertError(Shell.Run("cv", data, "--target", "y", "--measure", "rmse"), "'measure'", "mse or mae", "'rmse'");
        AssertError(Shell.Run("cv", data, "--target", "y", "--choose", "best"), "'choose'", "min or 1se");
        AssertError(Shell.Run("path", data, "--target", "y", "--n-lambda", "0"), "'n-lambda'", "[1, 10000]");
        AssertError(Shell.Run("path", data, "--target", "y", "--lambda-min-ratio", "2"), "'lambda-min-ratio'", "(0, 1)");

        string oneFold = folder.Write("onefold.csv", "x1,y,fold\n1,2,3\n2,3,3\n3,5,3\n4,4,3\n");
        AssertError(Shell.Run("cv", oneFold, "--target", "y", "--fold-column", "fold"), "at least 2 different folds");
        string badFold = folder.Write("badfold.csv", "x1,y,fold\n1,2,1\n2,3,1.5\n3,5,2\n4,4,2\n");
        AssertError(Shell.Run("cv", badFold, "--target", "y", "--fold-column", "fold"), "'fold'", "whole numbers", "row 2");
        AssertError(Shell.Run("cv", oneFold, "--target", "y", "--fold-column", "nope"), "'nope'", "fold column");
    }
}

public class WideTableTests
{
    [Fact]
    public void With_many_features_the_dropped_ones_are_summarised_in_one_row()
    {
        using var folder = new TempFolder();
        var (x, y) = RandomData.Make(2, 80, 40);
        var columns = Enumerable.Range(0, 40).Select(j => x.Select(r => r[j]).ToArray()).Append(y).ToList();
        string data = folder.WriteTable("wide.csv", Enumerable.Range(1, 40).Select(j => $"f{j}").Append("y").ToList(), columns);
        var run = Shell.Run("fit", data, "--target", "y", "--lambda", "0.3");
        Assert.True(run.ExitCode == 0, run.ToString());
        var model = Regression.Fit(Shrink.IO.CsvData.ReadDataset(data, new Shrink.IO.CsvReadOptions { Target = "y" }).Data, new FitOptions { Lambda = 0.3 });
        int dropped = model.Coefficients.Count(b => b == 0);
        Assert.InRange(dropped, 1, 39);
        Assert.Contains($"{dropped} dropped", run.Stdout);
        Assert.DoesNotContain("dropped (exactly 0)", run.Stdout);
    }
}
