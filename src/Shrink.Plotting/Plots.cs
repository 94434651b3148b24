using ScottPlot;

namespace Shrink.Plotting;

/// <summary>
/// Renders the plots of a regularization path, a cross-validation curve and a model's predictions to a PNG
/// or SVG file, chosen by the file's extension (<c>.png</c> or <c>.svg</c>, any letter case).
/// </summary>
/// <remarks>
/// <para>Every plot against λ puts log λ (the natural logarithm) on the x axis with λ decreasing to the right,
/// as glmnet's path plots do: the heavily penalized end is on the left and the paths open out to the right.
/// The top axis gives the number of non-zero coefficients at a few λ of the grid.</para>
/// <para>Text is drawn with DejaVu Sans embedded in this assembly, so plots look the same on a machine with no
/// fonts installed; SVG files name the font ("DejaVu Sans") and a viewer without it substitutes its own.</para>
/// <para>Inputs are validated before anything is drawn: a length that does not match, an empty list, a λ that
/// is not positive, a value that is not finite, a size outside [100, 10000] pixels or another extension is a
/// <see cref="ShrinkException"/> naming the argument. The file is written completely or not at all (a
/// temporary file beside it is moved into place), and its folder must exist.</para>
/// <para>Safe to call from several threads at once; each call builds its own plot.</para>
/// </remarks>
public static class Plots
{
    /// <summary>The default image width in pixels (a single plot).</summary>
    public const int DefaultWidth = 900;

    /// <summary>The default image height in pixels.</summary>
    public const int DefaultHeight = 600;

    /// <summary>
    /// Plots every feature's coefficient against log λ, with a line at zero, the non-zero counts on the top
    /// axis and the strongest paths (up to 8, by |coefficient| at the smallest λ) named at their right-hand
    /// ends. The ten strongest paths get distinct colours, any others are grey.
    /// </summary>
    /// <param name="path">The path; <see cref="PathPlot.Title"/> is the plot's title.</param>
    /// <param name="file">The image to write, ending in .png or .svg.</param>
    /// <param name="width">Width in pixels, in [100, 10000].</param>
    /// <param name="height">Height in pixels, in [100, 10000].</param>
    /// <exception cref="ShrinkException">The file name, size or data is invalid, or the file cannot be written.</exception>
    public static void CoefficientPaths(PathPlot path, string file, int width = DefaultWidth, int height = DefaultHeight)
    {
        ImageKind kind = Check.Kind(file);
        Check.Size(width, height);
        Check.Path(path, nameof(path));
        using Plot plot = PathPanel.Build(path, width, height, PathPanel.Range(path));
        Output.Write(file, kind, width, height, [plot]);
    }

    /// <summary>
    /// Plots the mean cross-validation error against log λ as points with ± 1 standard error bars, dashed
    /// vertical lines at λmin and λ1se (named in the legend with their values), a dotted line at the lowest
    /// mean + 1 SE (the one-standard-error rule) and the non-zero counts on the top axis. The y axis is
    /// labelled with <see cref="CvPlot.Measure"/>.
    /// </summary>
    /// <param name="cv">The cross-validation results; <see cref="CvPlot.Title"/> is the plot's title.</param>
    /// <param name="file">The image to write, ending in .png or .svg.</param>
    /// <param name="width">Width in pixels, in [100, 10000].</param>
    /// <param name="height">Height in pixels, in [100, 10000].</param>
    /// <exception cref="ShrinkException">The file name, size or data is invalid, or the file cannot be written.</exception>
    public static void CvCurve(CvPlot cv, string file, int width = DefaultWidth, int height = DefaultHeight)
    {
        ImageKind kind = Check.Kind(file);
        Check.Size(width, height);
        Check.Cv(cv, nameof(cv));
        using Plot plot = CvPanel.Build(cv, width, height);
        Output.Write(file, kind, width, height, [plot]);
    }

    /// <summary>
    /// Two coefficient-path panels side by side in one image, drawn as <see cref="CoefficientPaths"/> draws
    /// one, on a shared y range so the sizes compare; when both paths have the same features, a feature has
    /// the same colour in both panels and the same features are named. Each panel's title is its path's
    /// <see cref="PathPlot.Title"/>; an empty title is replaced by "Lasso (L1): paths hit exactly zero one by
    /// one" on the left and "Ridge (L2): paths shrink smoothly, never reaching zero" on the right.
    /// </summary>
    /// <param name="lasso">The left panel's path.</param>
    /// <param name="ridge">The right panel's path.</param>
    /// <param name="file">The image to write, ending in .png or .svg.</param>
    /// <param name="width">Width in pixels of the whole image (each panel gets half), in [100, 10000].</param>
    /// <param name="height">Height in pixels, in [100, 10000].</param>
    /// <exception cref="ShrinkException">The file name, size or data is invalid, or the file cannot be written.</exception>
    public static void LassoVsRidge(PathPlot lasso, PathPlot ridge, string file, int width = 2 * DefaultWidth, int height = DefaultHeight)
    {
        ImageKind kind = Check.Kind(file);
        Check.Size(width, height);
        Check.Path(lasso, nameof(lasso));
        Check.Path(ridge, nameof(ridge));
        if (string.IsNullOrWhiteSpace(lasso.Title)) lasso = lasso with { Title = "Lasso (L1): paths hit exactly zero one by one" };
        if (string.IsNullOrWhiteSpace(ridge.Title)) ridge = ridge with { Title = "Ridge (L2): paths shrink smoothly, never reaching zero" };

        var (lassoLow, lassoHigh) = PathPanel.Range(lasso);
        var (ridgeLow, ridgeHigh) = PathPanel.Range(ridge);
        var shared = (Math.Min(lassoLow, ridgeLow), Math.Max(lassoHigh, ridgeHigh));
        var (left, middle) = Output.Columns(width, 2, 0);
        // The same feature gets the same colour in both panels when both paths have the same features.
        int[]? ranking = lasso.FeatureNames.SequenceEqual(ridge.FeatureNames) ? PathPanel.Ranking([lasso, ridge]) : null;
        using Plot lassoPlot = PathPanel.Build(lasso, middle - left, height, shared, ranking);
        using Plot ridgePlot = PathPanel.Build(ridge, width - middle, height, shared, ranking);
        Output.Write(file, kind, width, height, [lassoPlot, ridgePlot]);
    }

    /// <summary>
    /// Plots predicted (y) against actual (x) values as points, with the dashed line y = x, on equal axis
    /// ranges in a square data area (so the line is at 45°). The legend gives the number of points and the
    /// root mean squared error.
    /// </summary>
    /// <param name="title">The plot's title (empty for none).</param>
    /// <param name="actual">The observed values.</param>
    /// <param name="predicted">The predictions, one per observed value.</param>
    /// <param name="file">The image to write, ending in .png or .svg.</param>
    /// <param name="width">Width in pixels, in [100, 10000].</param>
    /// <param name="height">Height in pixels, in [100, 10000].</param>
    /// <exception cref="ShrinkException">The file name, size or data is invalid, or the file cannot be written.</exception>
    public static void PredictedVsActual(string title, IReadOnlyList<double> actual, IReadOnlyList<double> predicted,
        string file, int width = DefaultWidth, int height = DefaultHeight)
    {
        ImageKind kind = Check.Kind(file);
        Check.Size(width, height);
        Check.Predictions(title, actual, predicted);
        using Plot plot = PredictionPanel.Build(title, actual, predicted, width, height);
        Output.Write(file, kind, width, height, [plot]);
    }
}
