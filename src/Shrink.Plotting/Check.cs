using System.Globalization;

namespace Shrink.Plotting;

/// <summary>
/// Validation of the plots' inputs, once, before anything is drawn. Every failure is a
/// <see cref="ShrinkException"/> whose message names the argument (as the C# API spells it), the index and
/// both sides of a mismatch, in the same forms as the core library's messages.
/// </summary>
internal static class Check
{
    public const int MinSize = 100, MaxSize = 10000;

    public static ShrinkException Error(string message) => new(message);

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The image format the file name asks for: ".png" or ".svg", in any letter case.</summary>
    public static ImageKind Kind(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string extension = System.IO.Path.GetExtension(file);
        if (extension.Equals(".png", StringComparison.OrdinalIgnoreCase)) return ImageKind.Png;
        if (extension.Equals(".svg", StringComparison.OrdinalIgnoreCase)) return ImageKind.Svg;
        throw Error($"'plot' must end in .png or .svg; got '{file}'");
    }

    public static void Size(int width, int height)
    {
        if (width is < MinSize or > MaxSize) throw Error($"'width' must be in [{MinSize}, {MaxSize}]; got {width}");
        if (height is < MinSize or > MaxSize) throw Error($"'height' must be in [{MinSize}, {MaxSize}]; got {height}");
    }

    public static void Path(PathPlot path, string name)
    {
        ArgumentNullException.ThrowIfNull(path, name);
        ArgumentNullException.ThrowIfNull(path.Title, $"{name}.Title");
        Lambdas(path.Lambdas, name);
        ArgumentNullException.ThrowIfNull(path.FeatureNames, $"{name}.FeatureNames");
        ArgumentNullException.ThrowIfNull(path.Coefficients, $"{name}.Coefficients");
        if (path.Coefficients.Count == 0) throw Error($"{name}.Coefficients is empty: there are no features to plot");
        if (path.FeatureNames.Count != path.Coefficients.Count)
            throw Error($"{name}.FeatureNames has {path.FeatureNames.Count} names but {name}.Coefficients has {path.Coefficients.Count} paths (one per feature)");
        int m = path.Lambdas.Count;
        for (int j = 0; j < path.Coefficients.Count; j++)
        {
            ArgumentNullException.ThrowIfNull(path.FeatureNames[j], $"{name}.FeatureNames[{j}]");
            IReadOnlyList<double> b = path.Coefficients[j] ?? throw new ArgumentNullException($"{name}.Coefficients[{j}]");
            if (b.Count != m)
                throw Error($"{name}.Coefficients[{j}] ('{path.FeatureNames[j]}') has {b.Count} values but {name}.Lambdas has {m}");
            for (int k = 0; k < m; k++)
                if (!double.IsFinite(b[k]))
                    throw Error($"{name}.Coefficients[{j}][{k}] ('{path.FeatureNames[j]}') is {Format(b[k])}; coefficients must be finite");
        }
        NonZero(path.NonZero, m, name);
    }

    public static void Cv(CvPlot cv, string name)
    {
        ArgumentNullException.ThrowIfNull(cv, name);
        ArgumentNullException.ThrowIfNull(cv.Title, $"{name}.Title");
        Lambdas(cv.Lambdas, name);
        int m = cv.Lambdas.Count;
        Values(cv.Mean, $"{name}.Mean", m, $"{name}.Lambdas");
        Values(cv.StandardError, $"{name}.StandardError", m, $"{name}.Lambdas");
        for (int k = 0; k < m; k++)
            if (cv.StandardError[k] < 0)
                throw Error($"{name}.StandardError[{k}] is {Format(cv.StandardError[k])}; a standard error must be ≥ 0");
        NonZero(cv.NonZero, m, name);
        double low = cv.Lambdas.Min(), high = cv.Lambdas.Max();
        InGrid(cv.LambdaMin, $"{name}.LambdaMin", low, high, name);
        InGrid(cv.Lambda1Se, $"{name}.Lambda1Se", low, high, name);
        if (string.IsNullOrWhiteSpace(cv.Measure)) throw Error($"{name}.Measure is empty; give the error measure's name, e.g. \"MSE\" or \"MAE\"");
    }

    public static void Predictions(string title, IReadOnlyList<double> actual, IReadOnlyList<double> predicted)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Count == 0) throw Error("actual is empty: there is nothing to plot");
        Values(actual, "actual", actual.Count, "actual");
        Values(predicted, "predicted", actual.Count, "actual");
    }

    private static void Lambdas(IReadOnlyList<double> lambdas, string name)
    {
        ArgumentNullException.ThrowIfNull(lambdas, $"{name}.Lambdas");
        if (lambdas.Count == 0) throw Error($"{name}.Lambdas is empty: there is nothing to plot");
        for (int k = 0; k < lambdas.Count; k++)
            if (!(lambdas[k] > 0) || !double.IsFinite(lambdas[k]))
                throw Error($"{name}.Lambdas[{k}] is {Format(lambdas[k])}; λ must be positive and finite for a log scale");
    }

    private static void Values(IReadOnlyList<double> values, string what, int count, string countOf)
    {
        ArgumentNullException.ThrowIfNull(values, what);
        if (values.Count != count) throw Error($"{what} has {values.Count} values but {countOf} has {count}");
        for (int k = 0; k < count; k++)
            if (!double.IsFinite(values[k])) throw Error($"{what}[{k}] is {Format(values[k])}; values must be finite");
    }

    private static void NonZero(IReadOnlyList<int> nonZero, int count, string name)
    {
        ArgumentNullException.ThrowIfNull(nonZero, $"{name}.NonZero");
        if (nonZero.Count != count) throw Error($"{name}.NonZero has {nonZero.Count} values but {name}.Lambdas has {count}");
        for (int k = 0; k < count; k++)
            if (nonZero[k] < 0) throw Error($"{name}.NonZero[{k}] is {nonZero[k]}; a count must be ≥ 0");
    }

    private static void InGrid(double lambda, string what, double low, double high, string name)
    {
        if (!(lambda >= low && lambda <= high))
            throw Error($"{what} is {Format(lambda)} but {name}.Lambdas spans [{Format(low)}, {Format(high)}]");
    }
}

/// <summary>The two image formats a plot can be written in.</summary>
internal enum ImageKind { Png, Svg }
