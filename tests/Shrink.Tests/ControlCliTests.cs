using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Shrink.Tests;

/// <summary>The controls through the tool: the same numbers as the library, and clean errors for bad controls.</summary>
public class ControlCliTests
{
    /// <summary>A table with features a, b, c, a weight column w (some zeros) and an offset column o.</summary>
    private static (string Path, double[][] X, double[] Y, double[] W, double[] O) Table(TempFolder folder, double negativeWeight = double.NaN)
    {
        var (x, y) = RandomData.Make(31, 40, 3);
        var w = Enumerable.Range(0, 40).Select(i => i % 7 == 0 ? 0 : 1 + i % 3).Select(v => (double)v).ToArray();
        if (!double.IsNaN(negativeWeight)) w[4] = negativeWeight;
        var o = Enumerable.Range(0, 40).Select(i => Math.Round(Math.Cos(i), 3)).ToArray();
        var columns = new List<double[]>();
        for (int j = 0; j < 3; j++) columns.Add(x.Select(r => r[j]).ToArray());
        columns.Add(y);
        columns.Add(w);
        columns.Add(o);
        string path = folder.WriteTable("data.csv", ["a", "b", "c", "y", "w", "o"], columns);
        // What was written is what a reader gets back (the table is written with round-trip formatting).
        return (path, x, y, w, o);
    }

    private static JsonElement Json(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    [Fact]
    public void Fit_with_weights_offset_factors_and_bounds_is_the_library_fit()
    {
        using var folder = new TempFolder();
        var (path, x, y, w, o) = Table(folder);
        var json = Json(Shell.Run("fit", path, "--target", "y", "--lambda", "0.05", "--weights", "w", "--offset", "o",
            "--penalty-factor", "a=0,b=2", "--upper", "c=0.1", "--lower", "b=-0.2", "--json"));
        var expected = Regression.Fit(new Dataset(FeatureMatrix.FromRows(x), y, ["a", "b", "c"], "y", w, o), new FitOptions
        {
            Lambda = 0.05,
            PenaltyFactors = new Dictionary<string, double> { ["a"] = 0, ["b"] = 2 },
            UpperBounds = new Dictionary<string, double> { ["c"] = 0.1 },
            LowerBounds = new Dictionary<string, double> { ["b"] = -0.2 },
        });
        Assert.Equal(expected.Intercept, json.GetProperty("intercept").GetDouble());
        foreach (var name in new[] { "a", "b", "c" })
            Assert.Equal(expected.Coefficient(name), json.GetProperty("coefficients").GetProperty(name).GetDouble());
        var controls = json.GetProperty("controls");
        Assert.True(controls.GetProperty("weighted").GetBoolean());
        Assert.True(controls.GetProperty("offset").GetBoolean());
        Assert.Equal(0, controls.GetProperty("penalty_factors").GetProperty("a").GetDouble());
        Assert.Equal(0.1, controls.GetProperty("upper").GetProperty("c").GetDouble());
        // The weight and offset columns are not features.
        Assert.False(json.GetProperty("coefficients").TryGetProperty("w", out _));
        Assert.False(json.GetProperty("coefficients").TryGetProperty("o", out _));
    }

    [Fact]
    public void Predict_adds_the_offset_and_insists_on_it()
    {
        using var folder = new TempFolder();
        var (path, x, _, _, o) = Table(folder);
        string model = folder.File("model.json");
        Assert.Equal(0, Shell.Run("fit", path, "--target", "y", "--exclude", "w", "--lambda", "0.05", "--offset", "o", "--save", model).ExitCode);
        var loaded = Shrink.IO.ModelFile.Load(model);
        Assert.True(loaded.Controls.HasOffset);
        var result = Shell.Run("predict", model, path, "--offset", "o");
        Assert.Equal(0, result.ExitCode);
        var predictions = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(loaded.Predict(FeatureMatrix.FromRows(x), o), predictions);

        var missing = Shell.Run("predict", model, path);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("fitted with an offset; give the new rows' offsets with '--offset COL'", missing.Stderr);
    }

    [Fact]
    public void Path_stops_at_max_features_and_says_so()
    {
        using var folder = new TempFolder();
        var (path, _, _, _, _) = Table(folder);
        var json = Json(Shell.Run("path", path, "--target", "y", "--exclude", "w,o", "--max-features", "1", "--json"));
        var nnz = json.GetProperty("nnz").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.True(nnz[^1] > 1);
        Assert.All(nnz[..^1], v => Assert.True(v <= 1));
        Assert.Contains("more than max-features 1", json.GetProperty("stopped").GetString());
    }

    [Fact]
    public void Relaxed_cv_searches_gamma_and_reports_the_pair()
    {
        using var folder = new TempFolder();
        var (path, _, _, _, _) = Table(folder);
        var json = Json(Shell.Run("cv", path, "--target", "y", "--exclude", "w,o", "--relax", "--gamma", "0,0.5", "--folds", "5", "--json"));
        Assert.Equal([0.0, 0.5, 1.0], json.GetProperty("gammas").EnumerateArray().Select(g => g.GetProperty("gamma").GetDouble()));
        double gamma = json.GetProperty("gamma").GetDouble();
        Assert.Contains(gamma, new[] { 0.0, 0.5, 1.0 });
        Assert.Equal(gamma, json.GetProperty("model").GetProperty("controls").GetProperty("relax_gamma").GetDouble());
    }

    [Fact]
    public void Adaptive_fit_reports_its_initial_fit_and_factors()
    {
        using var folder = new TempFolder();
        var (path, _, _, _, _) = Table(folder);
        var json = Json(Shell.Run("fit", path, "--target", "y", "--exclude", "w,o", "--lambda", "0.05", "--adaptive", "--nu", "2", "--json"));
        var adaptive = json.GetProperty("adaptive");
        Assert.Equal("ols", adaptive.GetProperty("initial").GetString());
        double b = adaptive.GetProperty("initial_coefficients").GetProperty("a").GetDouble();
        Assert.True(adaptive.GetProperty("factors").GetProperty("a").GetDouble() > 0);
        Assert.True(b != 0);
    }

    [Fact]
    public void Adaptive_paths_and_cv_report_the_initial_fit_too()
    {
        using var folder = new TempFolder();
        var (path, _, _, _, _) = Table(folder);
        var json = Json(Shell.Run("path", path, "--target", "y", "--exclude", "w,o", "--adaptive", "--adaptive-initial", "ridge", "--n-lambda", "5", "--json"));
        Assert.Equal("ridge", json.GetProperty("adaptive").GetProperty("initial").GetString());
        Assert.Equal(3, json.GetProperty("controls").GetProperty("penalty_factors").EnumerateObject().Count());
        var text = Shell.Run("cv", path, "--target", "y", "--exclude", "w,o", "--adaptive", "--folds", "4", "--n-lambda", "5");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("adaptive lasso: initial fit least squares; factors 1/|b|^1", text.Stdout);
    }

    [Fact]
    public void A_penalty_factor_file_is_read_with_or_without_a_header()
    {
        using var folder = new TempFolder();
        var (path, _, _, _, _) = Table(folder);
        string file = folder.Write("factors.csv", "feature,factor\na,0\nb,inf\n");
        var json = Json(Shell.Run("fit", path, "--target", "y", "--exclude", "w,o", "--lambda", "0.05", "--penalty-factor", file, "--json"));
        Assert.Equal(0, json.GetProperty("coefficients").GetProperty("b").GetDouble());
        Assert.Equal(["b"], json.GetProperty("controls").GetProperty("excluded").EnumerateArray().Select(e => e.GetString()));
    }

    public static TheoryData<string[], string> BadControls => new()
    {
        { ["--weights", "w", "--lambda", "0.1"], "weight column 'w' has a negative value (-1) in data row 5" },
        { ["--penalty-factor", "zz=2", "--lambda", "0.1"], "'penalty-factor' names feature 'zz', which is not in the data" },
        { ["--penalty-factor", "a=-1", "--lambda", "0.1"], "'penalty-factor' for feature 'a' must be ≥ 0" },
        { ["--penalty-factor", "a=x", "--lambda", "0.1"], "'--penalty-factor' must be a comma-separated list of name=number; got 'a=x'" },
        { ["--penalty-factor", "nofile.csv", "--lambda", "0.1"], "is neither (no such file)" },
        { ["--lower", "a=1", "--lambda", "0.1"], "'lower' for feature 'a' must be ≤ 0" },
        { ["--upper", "a=-1", "--lambda", "0.1"], "'upper' for feature 'a' must be ≥ 0" },
        { ["--upper", "q=1", "--lambda", "0.1"], "'upper' names feature 'q', which is not in the data" },
        { ["--positive", "--lower", "a=-1", "--lambda", "0.1"], "conflicts with 'positive'" },
        { ["--gamma", "0.5", "--lambda", "0.1"], "'--gamma' blends a relaxed fit; it needs '--relax'" },
        { ["--relax", "--gamma", "1.5", "--lambda", "0.1"], "'gamma' must be in [0, 1]; got 1.5" },
        { ["--relax", "--penalty", "ridge", "--lambda", "0.1"], "penalty ridge selects none" },
        { ["--nu", "2", "--lambda", "0.1"], "need '--adaptive'" },
        { ["--adaptive", "--nu", "0", "--lambda", "0.1"], "'nu' must be a finite number > 0; got 0" },
        { ["--weights", "o", "--offset", "o", "--lambda", "0.1"], "name the same column 'o'" },
        { ["--lower", "a=0.5", "--upper", "a=0.2", "--lambda", "0.1"], "'lower' for feature 'a' must be ≤ 0" },
        { ["--max-features", "-1", "--lambda", "0.1"], "unknown option '--max-features' for 'shrink fit'" },
    };

    [Theory]
    [MemberData(nameof(BadControls))]
    public void Bad_controls_are_one_clear_error_and_nothing_is_written(string[] options, string fragment)
    {
        using var folder = new TempFolder();
        var (path, _, _, _, _) = Table(folder, negativeWeight: -1);
        var before = folder.Entries();
        string[] data = options.Contains("--weights") || options.Contains("--offset") ? [] : ["--exclude", "w,o"];
        var result = Shell.Run(["fit", path, "--target", "y", .. data, .. options, "--save", folder.File("model.json")]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("shrink: error: ", result.Stderr);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(fragment, result.Stderr);
        Assert.Equal(before, folder.Entries());
    }

    [Fact]
    public void A_weight_column_of_zeros_and_a_bad_factor_file_line_name_their_file()
    {
        using var folder = new TempFolder();
        string data = folder.Write("zeros.csv", "a,y,w\n1,2,0\n2,3,0\n3,5,0\n");
        var zeros = Shell.Run("fit", data, "--target", "y", "--weights", "w", "--lambda", "0.1");
        Assert.Equal(2, zeros.ExitCode);
        Assert.Contains("zeros.csv: weight column 'w' is 0 in every row", zeros.Stderr);
        string factors = folder.Write("f.csv", "a,1\nb,two\n");
        var bad = Shell.Run("fit", data, "--target", "y", "--lambda", "0.1", "--exclude", "w", "--penalty-factor", factors);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("f.csv:2: factor 'two' for 'b' is not a number", bad.Stderr);
    }
}
