using System.Globalization;
using System.Text;
using Shrink.IO;

namespace Shrink.Cli;

/// <summary><c>shrink predict MODEL.json DATA [--output FILE]</c>: one prediction per row, as CSV.</summary>
internal static class PredictCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args, "predict", ["output", "offset", InputData.Option], []);
        if (a.Positional.Count != 2)
            throw new ShrinkException($"'shrink predict' takes a model file and a data file; got {a.Positional.Count} {(a.Positional.Count == 1 ? "argument" : "arguments")} (see 'shrink predict --help')");
        // One column per target: 'prediction' for a single-target model, 'prediction_<target>' for each target otherwise.
        var (header, columns) = InputData.IsLibSvm(a, a.Positional[1])
            ? PredictLibSvm(a.Positional[0], a.Positional[1], a.Text("offset"))
            : MultiTarget.Predict(a.Positional[0], a.Positional[1], a.Text("offset"));
        var predictions = columns[0];

        var text = new StringBuilder(predictions.Length * 20 * columns.Length);
        text.Append(string.Join(',', header)).Append('\n');
        for (int i = 0; i < predictions.Length; i++)
            text.Append(string.Join(',', columns.Select(c => c[i].ToString("R", CultureInfo.InvariantCulture)))).Append('\n');

        if (a.Text("output") is { } output)
        {
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            AtomicFile.Write(output, s => s.Write(bytes));
            stderr.WriteLine($"shrink: wrote {predictions.Length} predictions to {output}");
        }
        else
        {
            stdout.Write(text.ToString());
        }
        return Cli.Ok;
    }

    /// <summary>
    /// Models whose features are LIBSVM indices ("1", "2", ...) predict on a LIBSVM file: features the file never
    /// lists are 0, and indices beyond the model's are ignored, as extra columns of a CSV file are.
    /// </summary>
    private static (string[] Header, double[][] Columns) PredictLibSvm(string modelFile, string dataFile, string? offsetColumn)
    {
        if (offsetColumn is not null) throw new ShrinkException($"'--offset' names a column, which a LIBSVM file does not have ({dataFile})");
        var models = ModelFile.LoadTargets(modelFile);
        if (models.Any(m => m.Model.Controls.HasOffset))
            throw new ShrinkException($"{modelFile}: the model was fitted with an offset, which a LIBSVM file cannot give; predict from a CSV file with '--offset COL'");
        int largest = 0;
        foreach (var name in models.SelectMany(m => m.Model.FeatureNames))
        {
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index < 1)
                throw new ShrinkException($"{modelFile}: feature '{name}' is not a LIBSVM index, so the model cannot read {dataFile} (a model fitted on a LIBSVM file names its features 1, 2, ...)");
            largest = Math.Max(largest, index);
        }
        var data = LibSvmData.Read(dataFile, new LibSvmReadOptions { MinimumFeatures = largest });
        var columns = models.Select(m => m.Model.Predict(data.Features, data.FeatureNames)).ToArray();
        var header = models.Select(m => m.Target is null ? "prediction" : $"prediction_{m.Target}").ToArray();
        return (header, columns);
    }
}
