using Shrink.Plotting;

namespace Shrink.Cli;

/// <summary>Turns fitted results into the plotting project's plain data, so neither side knows the other's types.</summary>
internal static class Pictures
{
    public static void CheckExtension(string file)
    {
        string extension = Path.GetExtension(file).ToLowerInvariant();
        if (extension is not (".png" or ".svg"))
            throw new ShrinkException($"'plot' must end in .png or .svg; got '{file}'");
    }

    public static PathPlot Of(RegularizationPath path, string title)
    {
        // Only positive λ can sit on a log axis; an explicit grid ending in 0 (least squares) is drawn without it.
        int count = path.Lambdas.TakeWhile(l => l > 0).Count();
        return new PathPlot(title, path.Lambdas.Take(count).ToArray(), path.FeatureNames,
            Enumerable.Range(0, path.FeatureNames.Count).Select(j => (IReadOnlyList<double>)path.Coefficients.Take(count).Select(c => c[j]).ToArray()).ToArray(),
            path.NonZero.Take(count).ToArray());
    }

    public static void Paths(RegularizationPath path, string title, string file) => Plots.CoefficientPaths(Of(path, title), file);

    public static void Cv(CrossValidationResult cv, string title, string file)
    {
        var best = cv.Best;
        Plots.CvCurve(new CvPlot(title, best.Lambdas, best.Mean, best.StandardError, best.Path.NonZero, best.LambdaMin, best.Lambda1Se,
            cv.Measure == ErrorMeasure.Mse ? "MSE" : "MAE"), file);
    }
}
