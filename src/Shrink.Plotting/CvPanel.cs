using ScottPlot;

namespace Shrink.Plotting;

/// <summary>Builds the cross-validation plot: mean error ± 1 SE against log λ, with λmin and λ1se marked.</summary>
internal static class CvPanel
{
    public static readonly Color PointColor = Color.FromHex("#d62728");
    public static readonly Color MinColor = Color.FromHex("#1f77b4");
    public static readonly Color OneSeColor = Color.FromHex("#2ca02c");

    public static Plot Build(CvPlot cv, int width, int height)
    {
        int[] order = Style.LargestLambdaFirst(cv.Lambdas);
        double[] x = order.Select(k => Math.Log(cv.Lambdas[k])).ToArray();
        double[] mean = order.Select(k => cv.Mean[k]).ToArray();
        double[] se = order.Select(k => cv.StandardError[k]).ToArray();
        string measure = cv.Measure.Trim();

        Sizes sizes = Sizes.For(width, height);
        Plot plot = Style.NewPlot(cv.Title, Style.LogLambdaLabels, $"cross-validation {measure} (mean ± 1 SE)", sizes, width);

        // Error bars first so the points sit on them; the legend lists the plottables in this order.
        var bars = plot.Add.ErrorBar(x, mean, se);
        bars.Color = Style.Muted;
        bars.LineWidth = 1;
        bars.CapSize = 4;

        var points = plot.Add.ScatterPoints(x, mean, PointColor);
        points.MarkerSize = x.Length > 60 ? 5 : 7;
        points.LegendText = $"mean {measure} over the folds, ± 1 SE";

        double xMin = Math.Log(cv.LambdaMin), x1se = Math.Log(cv.Lambda1Se);
        var lineMin = plot.Add.VerticalLine(xMin, 1.5f, MinColor, LinePattern.Dashed);
        lineMin.LegendText = $"λmin = {Style.Lambda(cv.LambdaMin)}: lowest mean {measure}";
        var line1se = plot.Add.VerticalLine(x1se, 1.5f, OneSeColor, LinePattern.Dashed);
        line1se.LegendText = $"λ1se = {Style.Lambda(cv.Lambda1Se)}: largest λ within 1 SE of it";

        // The one-standard-error rule, drawn: λ1se is the largest λ whose mean lies under this line.
        int atMin = Nearest(x, xMin);
        var threshold = plot.Add.HorizontalLine(mean[atMin] + se[atMin], 1, Style.Muted, LinePattern.Dotted);
        threshold.LegendText = "lowest mean + 1 SE";

        Style.NonZeroAxis(plot, x, order.Select(k => cv.NonZero[k]).ToArray(), width, sizes);

        double span = x[0] - x[^1];
        double pad = span > 0 ? 0.03 * span : 0.5;
        double left = x[0] + pad, right = x[^1] - pad;
        var (bottom, top) = Style.Pad(mean.Zip(se, (a, s) => a - s).Min(), mean.Zip(se, (a, s) => a + s).Max(), 0.06);
        Style.SetX(plot, left, right);
        plot.Axes.SetLimitsY(bottom, top);

        PlaceLegend(plot, width, height, x, mean, se, left, right, bottom, top);
        Style.ApplyFont(plot);
        return plot;
    }

    /// <summary>
    /// Puts the legend in the first corner (upper right, upper left, lower left, lower right) where it covers
    /// no point or error bar; when none is free, raises the top of the y range to make room in the upper right.
    /// </summary>
    private static void PlaceLegend(Plot plot, int width, int height, double[] x, double[] mean, double[] se,
        double left, double right, double bottom, double top)
    {
        plot.ShowLegend(Alignment.UpperRight);
        Frame frame = Frame.Measure(plot, width, height, left, right, bottom, top);
        PixelSize size = plot.Legend.LastRenderSize;
        const float margin = 10, clearance = 6;
        PixelRect data = frame.Data;
        foreach (Alignment corner in new[] { Alignment.UpperRight, Alignment.UpperLeft, Alignment.LowerLeft, Alignment.LowerRight })
        {
            bool isRight = corner is Alignment.UpperRight or Alignment.LowerRight;
            bool isUpper = corner is Alignment.UpperRight or Alignment.UpperLeft;
            double x0 = isRight ? data.Right - margin - size.Width : data.Left + margin;
            double y0 = isUpper ? data.Top + margin : data.Bottom - margin - size.Height;
            bool covers = false;
            for (int k = 0; k < x.Length && !covers; k++)
            {
                double px = frame.PixelX(x[k]);
                double high = frame.PixelY(mean[k] + se[k]), low = frame.PixelY(mean[k] - se[k]);
                covers = px >= x0 - clearance && px <= x0 + size.Width + clearance
                    && low >= y0 - clearance && high <= y0 + size.Height + clearance;
            }
            if (!covers)
            {
                plot.Legend.Alignment = corner;
                return;
            }
        }
        double highest = mean.Zip(se, (a, s) => a + s).Max();
        double room = data.Height - size.Height - margin - 2 * clearance;
        if (room > data.Height * 0.3)
            plot.Axes.SetLimitsY(bottom, bottom + (highest - bottom) * data.Height / room);
        plot.Legend.Alignment = Alignment.UpperRight;
    }

    private static int Nearest(double[] x, double target)
    {
        int best = 0;
        for (int k = 1; k < x.Length; k++)
            if (Math.Abs(x[k] - target) < Math.Abs(x[best] - target)) best = k;
        return best;
    }
}
