using System.Globalization;
using System.Text;
using Shrink.IO;

namespace Shrink.Cli;

/// <summary><c>shrink predict MODEL.json DATA [--output FILE]</c>: one prediction per row, as CSV.</summary>
internal static class PredictCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args, "predict", ["output"], []);
        if (a.Positional.Count != 2)
            throw new ShrinkException($"'shrink predict' takes a model file and a data file; got {a.Positional.Count} {(a.Positional.Count == 1 ? "argument" : "arguments")} (see 'shrink predict --help')");
        var model = ModelFile.Load(a.Positional[0]);
        var (features, _) = CsvData.ReadColumns(a.Positional[1], model.FeatureNames);
        var predictions = model.Predict(features);

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
