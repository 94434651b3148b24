using ScottPlot;

namespace Shrink.Plotting;

/// <summary>Builds one coefficient-path plot: a line per feature against log λ, the strongest named at their ends.</summary>
internal static class PathPanel
{
    /// <summary>How many paths get a name at their end when there are more than <see cref="Style.ColorCount"/> features.</summary>
    public const int MaxLabels = 8;

    private const int MaxLabelChars = 24;
    private const float LabelGapPx = 3, LeaderPx = 16, LeaderToTextPx = 3;

    /// <summary>The smallest and largest value the plot must show (all coefficients and zero).</summary>
    public static (double Low, double High) Range(PathPlot path)
    {
        double low = 0, high = 0;
        foreach (IReadOnlyList<double> b in path.Coefficients)
            foreach (double v in b) { low = Math.Min(low, v); high = Math.Max(high, v); }
        return (low, high);
    }

    /// <summary>
    /// The features from strongest to weakest: by |coefficient| at the smallest λ (the right-hand end),
    /// summed over the paths given (which must have the same features), ties broken by the largest
    /// |coefficient| anywhere on the paths and then by position.
    /// </summary>
    public static int[] Ranking(IReadOnlyList<PathPlot> paths)
    {
        double AtEnd(PathPlot path, int j)
        {
            IReadOnlyList<double> b = path.Coefficients[j];
            int smallest = 0;
            for (int k = 1; k < path.Lambdas.Count; k++) if (path.Lambdas[k] < path.Lambdas[smallest]) smallest = k;
            return Math.Abs(b[smallest]);
        }
        return Enumerable.Range(0, paths[0].Coefficients.Count)
            .OrderByDescending(j => paths.Sum(path => AtEnd(path, j)))
            .ThenByDescending(j => paths.Max(path => path.Coefficients[j].Max(Math.Abs)))
            .ThenBy(j => j)
            .ToArray();
    }

    /// <summary>
    /// The plot of <paramref name="path"/>, laid out for a <paramref name="width"/> x <paramref name="height"/>
    /// image, with the y range <paramref name="yRange"/> and, when given, the features' <paramref name="ranking"/>
    /// (so that two panels can share a scale and colours).
    /// </summary>
    public static Plot Build(PathPlot path, int width, int height, (double Low, double High) yRange, int[]? ranking = null)
    {
        int[] order = Style.LargestLambdaFirst(path.Lambdas);
        int m = order.Length, p = path.Coefficients.Count;
        double[] x = order.Select(k => Math.Log(path.Lambdas[k])).ToArray();
        double[][] y = path.Coefficients.Select(b => order.Select(k => b[k]).ToArray()).ToArray();
        Sizes sizes = Sizes.For(width, height);

        int[] ranked = ranking ?? Ranking([path]);
        var rank = new int[p];
        for (int r = 0; r < p; r++) rank[ranked[r]] = r;

        // Every path is named and coloured when there are few; otherwise the strongest MaxLabels are, and the rest are grey.
        int named = p <= Style.ColorCount ? p : MaxLabels;
        Color ColorOf(int j) => Style.PathColor(rank[j], distinct: rank[j] < named);

        Plot plot = Style.NewPlot(path.Title, Style.LogLambdaLabels, "coefficient", sizes, width);
        plot.Add.HorizontalLine(0, 1, Style.Ink.WithAlpha(0.55), LinePattern.Solid);

        // Weakest first, so the strongest paths are drawn on top.
        foreach (int j in ranked.Reverse())
        {
            var line = plot.Add.ScatterLine(x, y[j], ColorOf(j));
            line.LineWidth = rank[j] < named ? 2 : 1.5f;
            line.MarkerSize = 0;
        }

        Style.NonZeroAxis(plot, x, order.Select(k => path.NonZero[k]).ToArray(), width, sizes);

        double start = x[0], end = x[^1];
        if (start == end) { start += 0.5; end -= 0.5; }
        double left = start + 0.015 * (start - end);
        var (bottom, top) = Style.Pad(yRange.Low, yRange.High, 0.05);

        // Room on the right for the names: measure the layout once, widen the x range so the names fit
        // between the paths' ends and the frame, then measure again for the final pixel positions.
        var labelled = ranked.Take(named).Where(j => y[j][m - 1] != 0).ToList();
        var texts = labelled.ToDictionary(j => j, j => Shorten(path.FeatureNames[j], j));
        float textWidth = texts.Count == 0 ? 0 : texts.Values.Max(t => Style.TextWidth(t, sizes.Note));

        Style.SetX(plot, left, end);
        plot.Axes.SetLimitsY(bottom, top);
        Frame frame = Frame.Measure(plot, width, height, left, end, bottom, top);
        double marginPx = texts.Count == 0 ? 0.015 * frame.Data.Width : LabelGapPx + LeaderPx + LeaderToTextPx + textWidth + 8;
        double fraction = Math.Min(marginPx / frame.Data.Width, 0.45);
        double right = left + (end - left) / (1 - fraction);
        Style.SetX(plot, left, right);
        frame = Frame.Measure(plot, width, height, left, right, bottom, top);

        AddLabels(plot, frame, sizes, labelled, texts, end, y, ColorOf, m);
        Style.ApplyFont(plot);
        return plot;
    }

    private static void AddLabels(Plot plot, Frame frame, Sizes sizes, List<int> labelled, Dictionary<int, string> texts,
        double end, double[][] y, Func<int, Color> colorOf, int m)
    {
        double step = Style.LineHeight(sizes.Note) + 1;
        int fit = (int)Math.Floor(frame.Data.Height / step);
        var shown = labelled.Take(Math.Max(fit, 0)).OrderBy(j => frame.PixelY(y[j][m - 1])).ToList();
        if (shown.Count == 0) return;

        double[] wanted = shown.Select(j => frame.PixelY(y[j][m - 1])).ToArray();
        double[] placed = Spread(wanted, step, frame.Data.Top + step / 2, frame.Data.Bottom - step / 2);
        double endPx = frame.PixelX(end);
        for (int i = 0; i < shown.Count; i++)
        {
            int j = shown[i];
            Color color = colorOf(j);
            double yLabel = frame.DataY(placed[i]);
            var leader = plot.Add.Line(frame.DataX(endPx + LabelGapPx), y[j][m - 1], frame.DataX(endPx + LabelGapPx + LeaderPx), yLabel);
            leader.Color = color;
            leader.LineWidth = 1.5f;
            leader.MarkerSize = 0;
            var text = plot.Add.Text(texts[j], frame.DataX(endPx + LabelGapPx + LeaderPx + LeaderToTextPx), yLabel);
            text.LabelStyle.FontSize = sizes.Note;
            text.LabelStyle.ForeColor = color;
            text.LabelStyle.Bold = false;
            text.LabelStyle.Alignment = Alignment.MiddleLeft;
            text.LabelStyle.OffsetY = sizes.Note / 8; // centres the lower-case letters, not the whole line box, on the leader
            text.LabelStyle.BackgroundColor = Colors.White.WithAlpha(0.85);
            text.LabelStyle.Padding = 1;
        }
    }

    /// <summary>
    /// Moves labels (wanted centres in pixels, sorted top to bottom) apart until they are at least
    /// <paramref name="step"/> apart: overlapping labels form a block centred on their wanted positions,
    /// and the blocks are then kept inside [<paramref name="min"/>, <paramref name="max"/>].
    /// </summary>
    internal static double[] Spread(double[] wanted, double step, double min, double max)
    {
        int n = wanted.Length;
        var blocks = new List<(int Start, int Count, double Sum)>();
        for (int i = 0; i < n; i++)
        {
            blocks.Add((i, 1, wanted[i]));
            while (blocks.Count > 1)
            {
                var (s1, c1, t1) = blocks[^2];
                var (_, c2, t2) = blocks[^1];
                double top1 = t1 / c1 - (c1 - 1) * step / 2, top2 = t2 / c2 - (c2 - 1) * step / 2;
                if (top1 + c1 * step <= top2) break;
                blocks.RemoveRange(blocks.Count - 2, 2);
                blocks.Add((s1, c1 + c2, t1 + t2));
            }
        }
        var placed = new double[n];
        foreach (var (start, count, sum) in blocks)
            for (int i = 0; i < count; i++) placed[start + i] = sum / count - (count - 1) * step / 2 + i * step;
        for (int i = 0; i < n; i++) placed[i] = Math.Max(placed[i], i == 0 ? min : placed[i - 1] + step);
        for (int i = n - 1; i >= 0; i--) placed[i] = Math.Min(placed[i], i == n - 1 ? max : placed[i + 1] - step);
        return placed;
    }

    private static string Shorten(string name, int j)
    {
        string text = string.IsNullOrWhiteSpace(name) ? $"feature {j + 1}" : name.Trim();
        return text.Length <= MaxLabelChars ? text : text[..(MaxLabelChars - 1)] + "…";
    }
}
