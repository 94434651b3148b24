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
        var model = ModelFile.Load(a.Positional[0]);
        string? offsetColumn = a.Text("offset");
        if (model.Controls.HasOffset && offsetColumn is null)
            throw new ShrinkException($"{a.Positional[0]}: the model was fitted with an offset; give the new rows' offsets with '--offset COL'");
        if (!model.Controls.HasOffset && offsetColumn is not null)
            throw new ShrinkException($"{a.Positional[0]}: the model was fitted without an offset; '--offset' does not apply");
        string[] columns = offsetColumn is null ? [.. model.FeatureNames] : [.. model.FeatureNames, offsetColumn];
        if (offsetColumn is not null && model.FeatureNames.Contains(offsetColumn))
            throw new ShrinkException($"'--offset' column '{offsetColumn}' is one of the model's features");
        double[] predictions;
        if (InputData.IsLibSvm(a, a.Positional[1]))
        {
            if (offsetColumn is not null) throw new ShrinkException($"'--offset' names a column, which a LIBSVM file does not have ({a.Positional[1]})");
            predictions = PredictLibSvm(model, a.Positional[0], a.Positional[1]);
        }
        else
        {
            var (table, _) = CsvData.ReadColumns(a.Positional[1], columns);
            var features = offsetColumn is null ? table : FeatureMatrix.FromColumns(Enumerable.Range(0, model.FeatureNames.Count).Select(j => table.Column(j).ToArray()).ToArray());
            predictions = offsetColumn is null ? model.Predict(features) : model.Predict(features, table.Column(model.FeatureNames.Count));
        }

        var text = new StringBuilder(predictions.Length * 20);
        text.Append("prediction\n");
        foreach (double v in predictions) text.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

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
    /// A model whose features are LIBSVM indices ("1", "2", ...) predicts on a LIBSVM file: features the file never
    /// lists are 0, and indices beyond the model's are ignored, as extra columns of a CSV file are.
    /// </summary>
    private static double[] PredictLibSvm(LinearModel model, string modelFile, string dataFile)
    {
        int largest = 0;
        foreach (var name in model.FeatureNames)
        {
            if (!int.TryParse(name, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index < 1)
                throw new ShrinkException($"{modelFile}: feature '{name}' is not a LIBSVM index, so the model cannot read {dataFile} (a model fitted on a LIBSVM file names its features 1, 2, ...)");
            largest = Math.Max(largest, index);
        }
        var data = LibSvmData.Read(dataFile, new LibSvmReadOptions { MinimumFeatures = largest });
        return model.Predict(data.Features, data.FeatureNames);
    }
}
