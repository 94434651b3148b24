namespace Shrink.Plotting;

/// <summary>
/// A regularization path to draw: the coefficient of every feature at every λ of a grid.
/// Plain data, so the plotting stays apart from the numerics; any order of λ is accepted.
/// </summary>
/// <param name="Title">The plot's title (drawn above it; empty for none).</param>
/// <param name="Lambdas">The λ grid, every value positive and finite (the x axis is logarithmic).</param>
/// <param name="FeatureNames">One name per feature, used to label the strongest paths.</param>
/// <param name="Coefficients">The paths: <c>Coefficients[j][k]</c> is feature j's coefficient at <c>Lambdas[k]</c>.</param>
/// <param name="NonZero">The number of non-zero coefficients at each λ, shown on the top axis.</param>
public sealed record PathPlot(
    string Title,
    IReadOnlyList<double> Lambdas,
    IReadOnlyList<string> FeatureNames,
    IReadOnlyList<IReadOnlyList<double>> Coefficients,
    IReadOnlyList<int> NonZero);

/// <summary>
/// A cross-validation curve to draw: the mean error over the folds and its standard error at every λ of a
/// grid, with the two λ values usually chosen from it.
/// </summary>
/// <param name="Title">The plot's title (drawn above it; empty for none).</param>
/// <param name="Lambdas">The λ grid, every value positive and finite (the x axis is logarithmic).</param>
/// <param name="Mean">The mean cross-validation error at each λ.</param>
/// <param name="StandardError">The standard error of that mean at each λ (finite, ≥ 0); drawn as error bars.</param>
/// <param name="NonZero">The number of non-zero coefficients at each λ (of the fit on all the data), shown on the top axis.</param>
/// <param name="LambdaMin">The λ with the lowest mean error; must lie within the grid's range.</param>
/// <param name="Lambda1Se">The largest λ whose mean error is within one standard error of the lowest; must lie within the grid's range.</param>
/// <param name="Measure">The error measure's short name, e.g. "MSE" or "MAE", used in the y axis label and the legend.</param>
public sealed record CvPlot(
    string Title,
    IReadOnlyList<double> Lambdas,
    IReadOnlyList<double> Mean,
    IReadOnlyList<double> StandardError,
    IReadOnlyList<int> NonZero,
    double LambdaMin,
    double Lambda1Se,
    string Measure);
