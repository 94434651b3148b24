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
        // One column per target: 'prediction' for a single-target model, 'prediction_<target>' for each target otherwise.
        var (header, columns) = MultiTarget.Predict(a.Positional[0], a.Positional[1], a.Text("offset"));
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
}
