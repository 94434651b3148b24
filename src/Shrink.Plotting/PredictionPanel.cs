using System.Globalization;
using ScottPlot;

namespace Shrink.Plotting;

/// <summary>Builds the predicted-against-actual scatter with the y = x line, on equal axes in a square.</summary>
internal static class PredictionPanel
{
    public static readonly Color PointColor = Color.FromHex("#1f77b4");

    public static Plot Build(string title, IReadOnlyList<double> actual, IReadOnlyList<double> predicted, int width, int height)
    {
        int n = actual.Count;
        double[] xs = actual.ToArray(), ys = predicted.ToArray();
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (ys[i] - xs[i]) * (ys[i] - xs[i]);
        double rmse = Math.Sqrt(sum / n);

        Plot plot = Style.NewPlot(title, ["actual"], "predicted", Sizes.For(width, height), width);
        var (low, high) = Style.Pad(Math.Min(xs.Min(), ys.Min()), Math.Max(xs.Max(), ys.Max()), 0.04);

        var points = plot.Add.ScatterPoints(xs, ys, PointColor.WithAlpha(n <= 200 ? 0.75 : n <= 2000 ? 0.45 : 0.25));
        points.MarkerSize = n <= 200 ? 7 : n <= 2000 ? 5 : 4;

        var diagonal = plot.Add.Line(low, low, high, high);
        diagonal.Color = Style.Ink.WithAlpha(0.8);
        diagonal.LineWidth = 1.5f;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.MarkerSize = 0;

        // A legend of our own, so the points' symbol is legible however faint the points are drawn.
        plot.Legend.DisplayPlottableLegendItems = false;
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = string.Create(CultureInfo.InvariantCulture, $"{n} predictions, RMSE {rmse:G3}"),
            MarkerShape = MarkerShape.FilledCircle,
            MarkerSize = 7,
            MarkerFillColor = PointColor,
            MarkerLineColor = PointColor,
            LineWidth = 0,
        });
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = "y = x (perfect prediction)",
            LineColor = diagonal.Color,
            LineWidth = 1.5f,
            LinePattern = LinePattern.Dashed,
            MarkerShape = MarkerShape.None,
        });

        plot.Axes.SetLimits(low, high, low, high);
        plot.ShowLegend(Alignment.UpperLeft);

        // Equal ranges on both axes, and a square data area so that y = x is drawn at 45°.
        Frame frame = Frame.Measure(plot, width, height, low, high, low, high);
        PixelRect data = frame.Data;
        float padLeft = data.Left, padRight = width - data.Right, padTop = data.Top, padBottom = height - data.Bottom;
        float extra = Math.Abs(data.Width - data.Height) / 2;
        if (data.Width > data.Height) { padLeft += extra; padRight += extra; }
        else { padTop += extra; padBottom += extra; }
        plot.Layout.Fixed(new PixelPadding(padLeft, padRight, padBottom, padTop));
        Style.ApplyFont(plot);
        return plot;
    }
}
