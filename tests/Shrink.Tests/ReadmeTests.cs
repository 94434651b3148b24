using System.Text.RegularExpressions;
using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

[CollectionDefinition(nameof(WorkingDirectory), DisableParallelization = true)]
public class WorkingDirectory;

/// <summary>The README's examples run here, so the documentation cannot drift from the code.</summary>
[Collection(nameof(WorkingDirectory))]
public class ReadmeTests
{
    private static readonly string Root = FindRoot();
    private static string Readme => File.ReadAllText(Path.Combine(Root, "README.md"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Shrink.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Shrink.slnx) not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<string> Blocks(string language) =>
        Regex.Matches(Readme, $"```{language}\\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value);

    private static string Normalize(string code) =>
        string.Join("\n", code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [Fact]
    public void Quick_start_in_the_readme_is_the_code_this_test_runs()
    {
        var source = File.ReadAllText(Path.Combine(Root, "tests", "Shrink.Tests", "ReadmeTests.cs"));
        var marked = Regex.Match(source, "// quick start begin\\n(.*?)// quick start end", RegexOptions.Singleline).Groups[1].Value;
        // The quick start is the README's first C# block (the sparse section's snippet follows later).
        var readme = Blocks("csharp").First();
        var readmeBody = string.Join("\n", readme.Split('\n').Where(l => !l.StartsWith("using ", StringComparison.Ordinal)));
        Assert.Equal(Normalize(readmeBody), Normalize(marked));
    }

    [Fact]
    public void Quick_start_runs()
    {
        string folder = Directory.CreateTempSubdirectory("shrink-readme-").FullName;
        string previous = Environment.CurrentDirectory;
        var output = new StringWriter();
        var stdout = Console.Out;
        try
        {
            File.Copy(Path.Combine(Root, "src", "Shrink.Cli", "Demo", "students_train.csv"), Path.Combine(folder, "students.csv"));
            Environment.CurrentDirectory = folder;
            Console.SetOut(output);
            // quick start begin
            var data = CsvData.ReadDataset("students.csv", new CsvReadOptions { Target = "test_score" }).Data;
            var model = Regression.Fit(data, new FitOptions { Penalty = Penalty.Lasso, Lambda = 0.93 });

            foreach (var (name, b) in model.FeatureNames.Zip(model.Coefficients))
                Console.WriteLine($"{name,-6} {b,8:F3}{(b == 0 ? "  dropped" : "")}");
            Console.WriteLine($"duality gap {model.Diagnostics.DualityGap:E1}, converged: {model.Diagnostics.Converged}");

            ModelFile.Save(model, "lasso.model.json");
            double[] predicted = ModelFile.Load("lasso.model.json").Predict(data.Features);
            // quick start end
            Assert.Equal(40, predicted.Length);
            Assert.Contains("gpa       0.000  dropped", output.ToString());
            Assert.Contains("converged: True", output.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Environment.CurrentDirectory = previous;
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Every_shrink_command_in_the_readme_succeeds()
    {
        var commands = Blocks("sh").SelectMany(b => b.Split('\n')).Select(l => l.Trim())
            .Where(l => l.StartsWith("shrink ", StringComparison.Ordinal)).ToList();
        Assert.True(commands.Count >= 5, $"only {commands.Count} shrink commands found in the README");

        // Run from a scratch folder that has the repository's data files at the same relative paths,
        // so outputs the examples write land there and not in the repository.
        string folder = Directory.CreateTempSubdirectory("shrink-readme-cli-").FullName;
        string previous = Environment.CurrentDirectory;
        try
        {
            var demo = Path.Combine(folder, "src", "Shrink.Cli", "Demo");
            Directory.CreateDirectory(demo);
            foreach (var file in Directory.GetFiles(Path.Combine(Root, "src", "Shrink.Cli", "Demo")).Where(f => f.EndsWith(".csv", StringComparison.Ordinal) || f.EndsWith(".svm", StringComparison.Ordinal)))
                File.Copy(file, Path.Combine(demo, Path.GetFileName(file)));
            Environment.CurrentDirectory = folder;
            foreach (var command in commands)
            {
                var run = Shell.Run(command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]);
                Assert.True(run.ExitCode == 0, $"'{command}' exited {run.ExitCode}: {run.Stderr}");
                Assert.True(run.Stdout.Length > 0 || run.Stderr.Contains("wrote"), $"'{command}' printed nothing");
            }
            Assert.True(File.Exists(Path.Combine(folder, "lasso.model.json")));
            Assert.Equal(5001, File.ReadAllLines(Path.Combine(folder, "predictions.csv")).Length);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Demo_table_in_the_readme_is_what_the_demo_prints()
    {
        using var folder = new TempFolder();
        var run = Shell.Run("demo", "--out", folder.Path);
        Assert.Equal(0, run.ExitCode);
        var printed = run.Stdout.Split('\n').Select(l => l.TrimEnd()).ToHashSet();
        var table = Blocks("text").First(b => b.Contains("held-out MSE"));
        foreach (var line in table.Split('\n').Select(l => l.TrimEnd()).Where(l => l.StartsWith('│')))
            Assert.Contains(line, printed);
    }
}
