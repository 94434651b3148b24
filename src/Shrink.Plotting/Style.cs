using ScottPlot;
using SkiaSharp;

namespace Shrink.Plotting;

/// <summary>The look every plot shares: fonts, sizes, colours, the log-λ axis and the non-zero counts on top.</summary>
internal static class Style
{
    /// <summary>
    /// The x axis labels of the plots against λ, longest first; a plot uses the longest that fits its width.
    /// λ decreases to the right, as in glmnet's path plots.
    /// </summary>
    public static readonly string[] LogLambdaLabels =
        ["log λ  (natural log; λ decreases to the right →)", "log λ  (natural log; λ decreasing →)", "ln λ  (decreasing →)", "ln λ"];

    public static readonly Color Ink = Color.FromHex("#222222");
    public static readonly Color Muted = Color.FromHex("#9a9a9a");

    /// <summary>Ten colours that read well as lines and as text on white: Category10 with its grey replaced.</summary>
    private static readonly Color[] Palette = new[] { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#17a2b8", "#a5a51b", "#393b79" }.Select(Color.FromHex).ToArray();

    /// <summary>The number of distinct colours; paths beyond that are grey.</summary>
    public static int ColorCount => Palette.Length;

    /// <summary>A plot with the title and axis labels set, text sized for the image, and nothing in it.</summary>
    public static Plot NewPlot(string title, IReadOnlyList<string> xLabels, string yLabel, Sizes sizes, int width)
    {
        EmbeddedFont.EnsureRegistered();
        var plot = new Plot();
        string xLabel = xLabels.FirstOrDefault(l => TextWidth(l, sizes.Axis, bold: true) <= 0.85 * (width - 80)) ?? xLabels[^1];
        var (fittedTitle, titleSize) = Fit(title, sizes.Title, 0.95 * width - 10);
        plot.Title(fittedTitle, titleSize);
        plot.XLabel(xLabel, sizes.Axis);
        plot.YLabel(yLabel, sizes.Axis);
        plot.Axes.Title.Label.ForeColor = Ink;
        foreach (IAxis axis in plot.Axes.GetAxes())
        {
            axis.TickLabelStyle.FontSize = sizes.Tick;
            axis.TickLabelStyle.ForeColor = Ink;
            axis.Label.ForeColor = Ink;
        }
        plot.Legend.FontSize = sizes.Note;
        plot.Legend.FontColor = Ink;
        plot.Legend.OutlineColor = Muted;
        plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.9);
        return plot;
    }

    /// <summary>
    /// A bold line of text made to fit <paramref name="room"/> pixels: first by shrinking the font (to 70 % at
    /// most), then by cutting the end off with an ellipsis.
    /// </summary>
    public static (string Text, float Size) Fit(string text, float size, double room)
    {
        float width = TextWidth(text, size, bold: true);
        if (width <= room) return (text, size);
        float smaller = (float)Math.Max(size * room / width, size * 0.7);
        string cut = text;
        while (cut.Length > 1 && TextWidth(cut == text ? cut : cut + "…", smaller, bold: true) > room)
            cut = cut[..^1].TrimEnd();
        return (cut == text ? cut : cut + "…", smaller);
    }

    /// <summary>
    /// Gives every text element of the plot the embedded font. Called before each render, so text added
    /// after <see cref="NewPlot"/> (labels, the top axis) is covered too.
    /// </summary>
    public static void ApplyFont(Plot plot)
    {
        plot.Axes.Title.Label.FontName = EmbeddedFont.Name;
        foreach (IAxis axis in plot.Axes.GetAxes())
        {
            axis.Label.FontName = EmbeddedFont.Name;
            axis.TickLabelStyle.FontName = EmbeddedFont.Name;
        }
        plot.Legend.FontName = EmbeddedFont.Name;
        foreach (ScottPlot.Plottables.Text text in plot.GetPlottables<ScottPlot.Plottables.Text>())
            text.LabelStyle.FontName = EmbeddedFont.Name;
    }

    /// <summary>The colour of the path ranked <paramref name="rank"/> (0 = strongest), or grey when it is not <paramref name="distinct"/>.</summary>
    public static Color PathColor(int rank, bool distinct) => distinct && rank < Palette.Length ? Palette[rank] : Muted.WithAlpha(0.6);

    /// <summary>The width in pixels of <paramref name="text"/> as the embedded font draws it.</summary>
    public static float TextWidth(string text, float size, bool bold = false)
    {
        using var font = new SKFont(EmbeddedFont.Typeface(bold), size);
        return font.MeasureText(text);
    }

    /// <summary>The height in pixels of one line of text in the embedded font.</summary>
    public static float LineHeight(float size)
    {
        using var font = new SKFont(EmbeddedFont.Typeface(false), size);
        return font.Spacing;
    }

    /// <summary>Sets the x range of the bottom axis and of the top axis (which carries the non-zero counts) together.</summary>
    public static void SetX(Plot plot, double left, double right)
    {
        plot.Axes.SetLimitsX(left, right, plot.Axes.Bottom);
        plot.Axes.SetLimitsX(left, right, plot.Axes.Top);
    }

    /// <summary>
    /// Labels the top axis with the number of non-zero coefficients at a few λ of the grid, about one every
    /// 90 pixels, each at a λ of the grid itself. <paramref name="x"/> is log λ in display order.
    /// </summary>
    public static void NonZeroAxis(Plot plot, double[] x, int[] nonZero, int widthPx, Sizes sizes)
    {
        int wanted = Math.Clamp(widthPx / 90, 2, 12);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var used = new HashSet<int>();
        for (int t = 0; t < wanted; t++)
        {
            double target = x[0] + (x[^1] - x[0]) * t / (wanted - 1);
            int nearest = 0;
            for (int k = 1; k < x.Length; k++)
                if (Math.Abs(x[k] - target) < Math.Abs(x[nearest] - target)) nearest = k;
            if (used.Add(nearest)) ticks.AddMajor(x[nearest], nonZero[nearest].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var axis = new CountsAxis { TickGenerator = ticks };
        axis.LabelStyle.Text = "non-zero coefficients";
        axis.LabelStyle.FontSize = sizes.Note;
        axis.LabelStyle.Bold = false;
        axis.LabelStyle.ForeColor = Ink;
        axis.TickLabelStyle.FontSize = sizes.Tick;
        axis.TickLabelStyle.ForeColor = Ink;
        plot.Axes.Remove(plot.Axes.Top);
        plot.Axes.AddTopAxis(axis);
    }

    /// <summary>The order that puts λ from largest to smallest (left to right on the plots).</summary>
    public static int[] LargestLambdaFirst(IReadOnlyList<double> lambdas) =>
        Enumerable.Range(0, lambdas.Count).OrderByDescending(k => lambdas[k]).ThenBy(k => k).ToArray();

    /// <summary>A range padded by <paramref name="fraction"/> of its span on each side (or by ±0.5 / ±10 % when it is a point).</summary>
    public static (double Low, double High) Pad(double low, double high, double fraction)
    {
        double span = high - low;
        if (span <= 0) span = low == 0 ? 1 : Math.Abs(low) * 0.2;
        return (low - fraction * span, high + fraction * span);
    }

    /// <summary>λ for a legend: three significant digits.</summary>
    public static string Lambda(double value) => value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Font sizes in pixels for an image: the base sizes at 900 x 600, shrunk in proportion for smaller images
/// (to 70 % at most) and grown more slowly (with the square root, to 200 % at most) for larger ones.
/// </summary>
internal readonly record struct Sizes(float Title, float Axis, float Tick, float Note)
{
    public static Sizes For(int width, int height)
    {
        double ratio = Math.Min(width / 900.0, height / 600.0);
        float scale = (float)(ratio < 1 ? Math.Max(ratio, 0.7) : Math.Min(Math.Sqrt(ratio), 2.0));
        return new Sizes(17 * scale, 14 * scale, 12 * scale, 12 * scale);
    }
}

/// <summary>Where a plot's data area landed in the last render, and the mapping between pixels and data.</summary>
internal readonly record struct Frame(PixelRect Data, double Left, double Right, double Bottom, double Top)
{
    /// <summary>Renders the plot off-screen at the given size (fonts applied) to find its layout.</summary>
    public static Frame Measure(Plot plot, int width, int height, double left, double right, double bottom, double top)
    {
        Style.ApplyFont(plot);
        plot.RenderInMemory(width, height);
        return new Frame(plot.LastRender.DataRect, left, right, bottom, top);
    }

    public double PixelX(double x) => Data.Left + (x - Left) / (Right - Left) * Data.Width;
    public double PixelY(double y) => Data.Bottom - (y - Bottom) / (Top - Bottom) * Data.Height;
    public double DataX(double px) => Left + (px - Data.Left) / Data.Width * (Right - Left);
    public double DataY(double px) => Bottom + (Data.Bottom - px) / Data.Height * (Top - Bottom);
}
