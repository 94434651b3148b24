using System.Globalization;
using System.Text;
using Shrink.IO;

namespace Shrink.Cli;

/// <summary><c>shrink predict MODEL.json DATA [--output FILE]</c>: one prediction per row, as CSV.</summary>
internal static class PredictCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args, "predict", ["output", "offset"], []);
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
        var (table, _) = CsvData.ReadColumns(a.Positional[1], columns);
        var features = offsetColumn is null ? table : FeatureMatrix.FromColumns(Enumerable.Range(0, model.FeatureNames.Count).Select(j => table.Column(j).ToArray()).ToArray());
        var predictions = offsetColumn is null ? model.Predict(features) : model.Predict(features, table.Column(model.FeatureNames.Count));

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
}
