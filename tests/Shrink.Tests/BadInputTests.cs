using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// Every bad input gives exit code 2, exactly one line on stderr that starts "shrink: error:" and names the file
/// and line/column or the option and its range, nothing on stdout, no stack trace (unless --verbose), and no
/// output file, finished or partial.
/// </summary>
public class BadInputTests
{
    private const string Good = "x1,x2,y\n1,2,3\n2,1,5\n3,3,4\n4,1,8\n5,2,9\n";

    private static void AssertOneErrorLine(CliResult result, params string[] fragments)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.EndsWith("\n", result.Stderr);
        string line = result.Stderr[..^1];
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.StartsWith("shrink: error: ", line);
        Assert.DoesNotContain("Exception", line);
        Assert.DoesNotContain("   at ", line);
        foreach (var fragment in fragments) Assert.True(line.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' is not in: {line}");
    }

    /// <summary>Runs <c>shrink fit</c> with <c>--save</c> into the folder and checks it fails cleanly, writing nothing.</summary>
    private static void FitFails(TempFolder folder, string[] args, params string[] fragments)
    {
        var before = folder.Entries();
        var result = Shell.Run(["fit", .. args, "--save", folder.File("model.json")]);
        AssertOneErrorLine(result, fragments);
        Assert.Equal(before, folder.Entries());
    }

    /// <summary>Runs <c>shrink predict</c> with <c>--output</c> into the folder and checks it fails cleanly, writing nothing.</summary>
    private static void PredictFails(TempFolder folder, string model, string data, params string[] fragments)
    {
        var before = folder.Entries();
        var result = Shell.Run("predict", model, data, "--output", folder.File("predictions.csv"));
        AssertOneErrorLine(result, fragments);
        Assert.Equal(before, folder.Entries());
    }

    private static string SaveModel(TempFolder folder, string data, string name = "model.json")
    {
        string path = folder.File(name);
        var result = Shell.Run("fit", data, "--target", "y", "--penalty", "ridge", "--lambda", "0.1", "--save", path);
        Assert.True(result.ExitCode == 0, result.ToString());
        return path;
    }

    // ---- the data file ----

    [Fact]
    public void Missing_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("nope.csv");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "no such file");
    }

    [Fact]
    public void Folder_instead_of_a_file()
    {
        using var folder = new TempFolder();
        FitFails(folder, [folder.Path, "--target", "y", "--lambda", "0.1"], folder.Path, "folder");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\n\n")]
    public void Empty_file(string content)
    {
        using var folder = new TempFolder();
        string path = folder.Write("empty.csv", content);
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "empty");
    }

    [Fact]
    public void Blank_lines_above_the_header_are_named_as_such_in_memory_and_streaming()
    {
        using var folder = new TempFolder();
        string path = folder.Write("blank-first.csv", "\n\nx1,y\n1,2\n2,3\n3,5\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 1 is blank", "header row must be the first line");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1", "--streaming"], path, "line 1 is blank", "header row must be the first line");
    }

    [Fact]
    public void Header_only()
    {
        using var folder = new TempFolder();
        string path = folder.Write("header.csv", "x1,x2,y\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "no data rows");
    }

    [Fact]
    public void Ragged_row_names_its_line()
    {
        using var folder = new TempFolder();
        string path = folder.Write("ragged.csv", "x1,x2,y\n1,2,3\n2,1,5\n3,3\n4,1,8\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 4", "2 fields", "header has 3");
    }

    [Fact]
    public void Row_with_too_many_fields_names_its_line()
    {
        using var folder = new TempFolder();
        string path = folder.Write("ragged.csv", "x1,x2,y\n1,2,3\n2,1,5,7\n3,3,4\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 3", "4 fields", "header has 3");
    }

    [Fact]
    public void Non_numeric_cell_names_line_and_column()
    {
        using var folder = new TempFolder();
        string path = folder.Write("text.csv", "x1,x2,y\n1,2,3\n2,1,5\n3,three,4\n4,1,8\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 4", "column 'x2'", "'three'");
    }

    [Fact]
    public void Non_numeric_target_names_line_and_column()
    {
        using var folder = new TempFolder();
        string path = folder.Write("text.csv", "x1,x2,y\n1,2,3\n2,1,high\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 3", "column 'y'", "'high'");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("")]
    [InlineData("NA")]
    public void Missing_values_name_the_first_one_and_count_them(string missing)
    {
        using var folder = new TempFolder();
        string path = folder.Write("missing.csv", $"x1,x2,y\n1,2,3\n2,{missing},5\n3,3,4\n4,1,{missing}\n{missing},2,9\n6,1,1\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 3", "column 'x2'", "3 missing values", "--drop-missing");
    }

    [Fact]
    public void Missing_values_in_an_unused_column_do_not_count()
    {
        using var folder = new TempFolder();
        string path = folder.Write("missing.csv", "x1,x2,y\n1,NA,3\n2,1,5\n3,NA,4\n4,1,8\n");
        var result = Shell.Run("fit", path, "--target", "y", "--features", "x1", "--lambda", "0.1");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void Drop_missing_that_leaves_too_few_rows_says_so()
    {
        using var folder = new TempFolder();
        string path = folder.Write("missing.csv", "x1,x2,y\n1,NA,3\n2,1,5\n3,NA,4\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1", "--drop-missing"], path, "got 1", "dropping 2");
    }

    [Theory]
    [InlineData("Inf")]
    [InlineData("-inf")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e999")]
    public void Infinite_cell_names_line_and_column(string infinite)
    {
        using var folder = new TempFolder();
        string path = folder.Write("inf.csv", $"x1,x2,y\n1,2,3\n2,1,5\n3,{infinite},4\n4,1,8\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 4", "column 'x2'", $"'{infinite}'", "finite");
    }

    [Fact]
    public void Duplicate_column_names()
    {
        using var folder = new TempFolder();
        string path = folder.Write("dup.csv", "x1,x2,x1,y\n1,2,3,4\n2,1,5,6\n3,3,4,1\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 1", "'x1'", "columns 1 and 3");
    }

    [Fact]
    public void Empty_column_name()
    {
        using var folder = new TempFolder();
        string path = folder.Write("blank.csv", "x1,,y\n1,2,3\n2,1,5\n3,3,4\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "line 1", "column 2", "empty name");
    }

    [Fact]
    public void Unknown_target()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "z", "--lambda", "0.1"], path, "'z'", "target", "'x1', 'x2', 'y'");
    }

    [Fact]
    public void Unknown_feature()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", "--features", "x1,x3", "--lambda", "0.1"], path, "'x3'", "feature");
    }

    [Fact]
    public void Feature_named_twice()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", "--features", "x1,x1", "--lambda", "0.1"], path, "--features", "'x1'", "more than once");
    }

    [Fact]
    public void A_blank_row_in_a_one_column_file_is_a_missing_value_not_skipped()
    {
        using var folder = new TempFolder();
        string model = SaveModel(folder, folder.Write("train.csv", "x1,y\n1,2\n2,4\n3,5\n4,9\n"));
        string data = folder.Write("new.csv", "x1\n1\n\n3\n");
        PredictFails(folder, model, data, data, "line 3", "'x1'", "missing");
    }

    [Fact]
    public void Target_among_the_features()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", "--features", "x1,y", "--lambda", "0.1"], path, "'y'", "target");
    }

    [Fact]
    public void Unknown_excluded_column()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", "--exclude", "x9", "--lambda", "0.1"], path, "'x9'", "excluded");
    }

    [Fact]
    public void Features_and_exclude_together()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", "--features", "x1", "--exclude", "x2", "--lambda", "0.1"], "'--features'", "'--exclude'");
    }

    [Fact]
    public void Single_data_row()
    {
        using var folder = new TempFolder();
        string path = folder.Write("one.csv", "x1,x2,y\n1,2,3\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "at least 2 rows", "got 1");
    }

    [Fact]
    public void Only_the_target_column()
    {
        using var folder = new TempFolder();
        string path = folder.Write("target.csv", "y\n1\n2\n3\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1"], path, "no features");
    }

    [Fact]
    public void Everything_excluded()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", "--exclude", "x1,x2", "--lambda", "0.1"], path, "no features");
    }

    [Fact]
    public void Empty_name_in_a_list()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", "--features", "x1,,x2", "--lambda", "0.1"], "'--features'", "'x1,,x2'");
    }

    // ---- options ----

    [Theory]
    [InlineData(new[] { "--lambda", "-1" }, new[] { "'lambda'", "≥ 0", "got -1" })]
    [InlineData(new[] { "--lambda=-1" }, new[] { "'lambda'", "≥ 0", "got -1" })]
    [InlineData(new[] { "--lambda", "abc" }, new[] { "'--lambda'", "number ≥ 0", "'abc'" })]
    [InlineData(new[] { "--lambda", "Infinity" }, new[] { "'--lambda'", "finite", "'Infinity'" })]
    [InlineData(new[] { "--lambda", "0.1", "--l1-ratio", "1.5" }, new[] { "'l1-ratio'", "[0, 1]", "got 1.5" })]
    [InlineData(new[] { "--lambda", "0.1", "--l1-ratio", "-0.1" }, new[] { "'l1-ratio'", "[0, 1]", "got -0.1" })]
    [InlineData(new[] { "--lambda", "0.1", "--penalty", "foo" }, new[] { "'penalty'", "ols, ridge, lasso, elasticnet", "'foo'" })]
    [InlineData(new[] { "--lambda", "0.1", "--convention", "foo" }, new[] { "'convention'", "shrink, sklearn, glmnet, article", "'foo'" })]
    [InlineData(new[] { "--lambda", "0.1", "--tolerance", "0" }, new[] { "'tolerance'", "(0, 1)", "got 0" })]
    [InlineData(new[] { "--lambda", "0.1", "--tolerance", "1" }, new[] { "'tolerance'", "(0, 1)", "got 1" })]
    [InlineData(new[] { "--lambda", "0.1", "--max-iterations", "0" }, new[] { "'max-iterations'", "≥ 1", "got 0" })]
    [InlineData(new[] { "--lambda", "0.1", "--max-iterations", "2.5" }, new[] { "'--max-iterations'", "whole number", "'2.5'" })]
    [InlineData(new[] { "--lambda", "0.1", "--lamda", "0.2" }, new[] { "unknown option '--lamda'", "shrink fit --help" })]
    [InlineData(new[] { "--lambda", "0.1", "-x" }, new[] { "unknown option '-x'" })]
    [InlineData(new[] { "--lambda", "0.1", "--lambda", "0.2" }, new[] { "'--lambda'", "more than once" })]
    [InlineData(new[] { "--lambda" }, new[] { "'--lambda'", "needs a value" })]
    [InlineData(new[] { "--lambda", "0.1", "--json=yes" }, new[] { "'--json'", "no value" })]
    [InlineData(new[] { "--lambda", "0.1", "--penalty", "lasso", "--l1-ratio", "0.5" }, new[] { "'l1-ratio'", "lasso", "elasticnet" })]
    [InlineData(new[] { "--lambda", "0.1", "--penalty", "ridge", "--l1-ratio", "0.5" }, new[] { "'l1-ratio'", "ridge", "elasticnet" })]
    [InlineData(new[] { "--lambda", "1", "--penalty", "ols" }, new[] { "ols", "'--lambda 1'" })]
    [InlineData(new string[0], new[] { "'lambda' is required", "lasso", "λmax" })]
    [InlineData(new[] { "--penalty", "ridge" }, new[] { "'lambda' is required", "ridge" })]
    public void Bad_option(string[] options, string[] fragments)
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", .. options], fragments);
    }

    [Fact]
    public void Missing_target_option()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--lambda", "0.1"], "'--target'", "required");
    }

    [Fact]
    public void An_option_is_not_taken_as_the_value_of_the_one_before()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "--lambda", "0.1"], "'--target'", "needs a value");
    }

    [Fact]
    public void A_feature_named_twice()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, "--target", "y", "--features", "x1,x1", "--lambda", "0.1"], "'x1'", "more than once");
    }

    [Fact]
    public void Drop_missing_that_drops_every_row()
    {
        using var folder = new TempFolder();
        string path = folder.Write("missing.csv", "x1,x2,y\n1,NA,3\n2,,5\nNaN,1,4\n");
        FitFails(folder, [path, "--target", "y", "--lambda", "0.1", "--drop-missing"], path, "got 0", "dropping 3");
    }

    [Fact]
    public void Missing_data_file_argument()
    {
        using var folder = new TempFolder();
        FitFails(folder, ["--target", "y", "--lambda", "0.1"], "needs a data file");
    }

    [Fact]
    public void Two_data_files()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        FitFails(folder, [path, path, "--target", "y", "--lambda", "0.1"], "takes one argument", "data file", "got 2");
    }

    // ---- where the model goes ----

    [Fact]
    public void Save_into_a_folder_that_does_not_exist()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        string save = Path.Combine(folder.Path, "no-such-folder", "model.json");
        var before = folder.Entries();

        var result = Shell.Run("fit", path, "--target", "y", "--lambda", "0.1", "--save", save);

        AssertOneErrorLine(result, save, "does not exist");
        Assert.Equal(before, folder.Entries());
    }

    [Fact]
    public void Save_onto_an_existing_folder()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        string save = folder.File("taken");
        Directory.CreateDirectory(save);
        var before = folder.Entries();

        var result = Shell.Run("fit", path, "--target", "y", "--lambda", "0.1", "--save", save);

        AssertOneErrorLine(result, save, "folder");
        Assert.Equal(before, folder.Entries());
    }

    [Fact]
    public void Fit_that_fails_leaves_an_existing_model_file_alone()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", Good);
        string bad = folder.Write("bad.csv", "x1,x2,y\n1,2,3\n2,x,5\n");
        string model = SaveModel(folder, path);
        string before = File.ReadAllText(model);

        var result = Shell.Run("fit", bad, "--target", "y", "--lambda", "0.1", "--save", model);

        AssertOneErrorLine(result, bad, "line 3");
        Assert.Equal(before, File.ReadAllText(model));
        Assert.Equal(["bad.csv", "data.csv", "model.json"], folder.Entries());
    }

    // ---- least squares without a unique answer ----

    [Theory]
    [InlineData("x1,x2,x3,y\n1,2,3,4\n2,1,5,3\n3,3,1,2\n")] // p = n
    [InlineData("x1,x2,x3,x4,y\n1,2,3,1,4\n2,1,5,0,3\n3,3,1,2,2\n")] // p > n
    [InlineData("x1,x2,y\n1,2,3\n2,1,5\n")] // p = n, intercept makes it p + 1 > n
    public void Ols_with_too_few_rows_is_not_identifiable(string content)
    {
        using var folder = new TempFolder();
        string path = folder.Write("wide.csv", content);
        FitFails(folder, [path, "--target", "y", "--penalty", "ols"], "not identifiable", "rows", "ridge");
        FitFails(folder, [path, "--target", "y", "--lambda", "0"], "not identifiable", "rows", "ridge");
    }

    [Fact]
    public void Ols_with_collinear_columns_is_not_identifiable()
    {
        using var folder = new TempFolder();
        // x3 = x1 + x2 exactly.
        string path = folder.Write("collinear.csv", "x1,x2,x3,y\n1,2,3,4\n2,1,3,3\n3,3,6,2\n4,1,5,7\n5,4,9,1\n6,2,8,5\n");
        FitFails(folder, [path, "--target", "y", "--penalty", "ols"], "not identifiable", "linear combination", "ridge");
        FitFails(folder, [path, "--target", "y", "--penalty", "ols", "--no-standardize"], "not identifiable", "ridge");
        // Ridge, as the message suggests, has an answer.
        Assert.Equal(0, Shell.Run("fit", path, "--target", "y", "--penalty", "ridge", "--lambda", "0.1").ExitCode);
    }

    [Fact]
    public void Ols_with_a_duplicated_column_is_not_identifiable()
    {
        using var folder = new TempFolder();
        string path = folder.Write("twice.csv", "x1,x2,y\n1,1,4\n2,2,3\n3,3,2\n4,4,7\n5,5,1\n");
        FitFails(folder, [path, "--target", "y", "--penalty", "ols"], "not identifiable", "ridge");
    }

    // ---- --verbose ----

    [Fact]
    public void Verbose_adds_the_exception_and_its_stack_trace()
    {
        using var folder = new TempFolder();
        string path = folder.Write("text.csv", "x1,x2,y\n1,2,3\n2,abc,5\n");

        var quiet = Shell.Run("fit", path, "--target", "y", "--lambda", "0.1");
        var verbose = Shell.Run("fit", path, "--target", "y", "--lambda", "0.1", "--verbose");

        AssertOneErrorLine(quiet, path, "line 3");
        Assert.Equal(2, verbose.ExitCode);
        Assert.Equal(quiet.StderrLines[0], verbose.StderrLines[0]);
        Assert.True(verbose.StderrLines.Count > 2, verbose.ToString());
        Assert.Contains("Shrink.ShrinkException", verbose.Stderr);
        Assert.Contains("   at ", verbose.Stderr);
        Assert.Contains("CsvData", verbose.Stderr);
    }

    [Fact]
    public void Verbose_works_for_option_errors_too()
    {
        var verbose = Shell.Run("fit", "--verbose", "data.csv", "--target", "y", "--lambda", "abc");
        Assert.Equal(2, verbose.ExitCode);
        Assert.StartsWith("shrink: error: '--lambda'", verbose.Stderr);
        Assert.Contains("ShrinkException", verbose.Stderr);
        Assert.Contains("   at ", verbose.Stderr);
    }

    // ---- predict ----

    [Fact]
    public void Predict_with_malformed_json()
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        string model = folder.Write("model.json", "{ \"format\": \"shrink-model\", ");
        PredictFails(folder, model, data, model, "invalid JSON");
    }

    [Theory]
    [InlineData("{\"intercept\": 1, \"coefficients\": {\"x1\": 2}}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"shrink-model\"")]
    [InlineData("{\"format\": \"other\", \"format_version\": 1}")]
    public void Predict_with_json_that_is_not_a_model(string json)
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        string model = folder.Write("model.json", json);
        PredictFails(folder, model, data, model, "not a Shrink model file");
    }

    [Fact]
    public void Predict_with_a_future_format_version()
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        string model = SaveModel(folder, data);
        string text = File.ReadAllText(model);
        Assert.Contains("\"format_version\": 1,", text);
        File.WriteAllText(model, text.Replace("\"format_version\": 1,", "\"format_version\": 99,"));
        PredictFails(folder, model, data, model, "version 99", "not supported", "reads versions 1 and 2");
    }

    [Fact]
    public void Predict_with_a_model_missing_a_coefficient()
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        string model = SaveModel(folder, data);
        string text = File.ReadAllText(model);
        File.WriteAllText(model, text.Replace("\"features\": [", "\"features\": [\n    \"x7\","));
        PredictFails(folder, model, data, model, "'x7'");
    }

    [Fact]
    public void Predict_with_a_model_file_that_does_not_exist()
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        string model = folder.File("model.json");
        PredictFails(folder, model, data, model, "no such model file");
    }

    [Fact]
    public void Predict_with_data_missing_a_column_the_model_needs()
    {
        using var folder = new TempFolder();
        string model = SaveModel(folder, folder.Write("data.csv", Good));
        string data = folder.Write("new.csv", "x1,y\n1,3\n2,5\n");
        PredictFails(folder, model, data, data, "'x2'", "the model needs");
    }

    [Fact]
    public void Predict_with_a_missing_value_names_it_and_offers_no_option_predict_lacks()
    {
        using var folder = new TempFolder();
        string model = SaveModel(folder, folder.Write("data.csv", Good));
        string data = folder.Write("new.csv", "x1,x2\n1,3\n2,NA\n");
        PredictFails(folder, model, data, data, "line 3", "column 'x2'", "needs a value");
        var result = Shell.Run("predict", model, data);
        Assert.DoesNotContain("--drop-missing", result.Stderr);
    }

    [Fact]
    public void Predict_with_a_non_numeric_cell()
    {
        using var folder = new TempFolder();
        string model = SaveModel(folder, folder.Write("data.csv", Good));
        string data = folder.Write("new.csv", "x1,x2\n1,3\n2,two\n");
        PredictFails(folder, model, data, data, "line 3", "column 'x2'", "'two'");
    }

    [Fact]
    public void Predict_output_into_a_folder_that_does_not_exist()
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        string model = SaveModel(folder, data);
        string output = Path.Combine(folder.Path, "missing", "predictions.csv");
        var before = folder.Entries();

        var result = Shell.Run("predict", model, data, "--output", output);

        AssertOneErrorLine(result, output, "does not exist");
        Assert.Equal(before, folder.Entries());
    }

    [Fact]
    public void Predict_output_onto_an_existing_folder()
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        string model = SaveModel(folder, data);
        string output = folder.File("out");
        Directory.CreateDirectory(output);
        var before = folder.Entries();

        var result = Shell.Run("predict", model, data, "--output", output);

        AssertOneErrorLine(result, output, "folder");
        Assert.Equal(before, folder.Entries());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Predict_needs_exactly_a_model_and_a_data_file(int count)
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        var result = Shell.Run(["predict", .. Enumerable.Repeat(data, count)]);
        AssertOneErrorLine(result, "model file and a data file", $"got {count}");
    }

    [Fact]
    public void Predict_with_an_unknown_option()
    {
        using var folder = new TempFolder();
        string data = folder.Write("data.csv", Good);
        string model = SaveModel(folder, data);
        var result = Shell.Run("predict", model, data, "--target", "y");
        AssertOneErrorLine(result, "unknown option '--target'", "shrink predict");
    }

    [Fact]
    public void Demo_with_a_data_file()
    {
        var result = Shell.Run("demo", "data.csv");
        AssertOneErrorLine(result, "'data.csv'", "shrink fit");
    }
}
