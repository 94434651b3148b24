namespace Shrink;

/// <summary>
/// Models fitted along a decreasing grid of λ, each warm-started from the one before, with per-λ diagnostics and
/// information criteria. Immutable.
/// </summary>
public sealed class RegularizationPath
{
    private readonly LinearModel[] _models;
    private readonly double[] _rss;
    private readonly Lazy<double[]> _degreesOfFreedom;

    /// <param name="degreesOfFreedom">Computed on first use: for the elastic net it costs a decomposition per λ.</param>
    internal RegularizationPath(LinearModel[] models, double[] r2, double[] rss, Func<double[]> degreesOfFreedom, string? stopReason = null)
    {
        StopReason = stopReason;
        _models = models;
        _rss = rss;
        _degreesOfFreedom = new Lazy<double[]>(degreesOfFreedom);
        var first = models[0];
        FeatureNames = first.FeatureNames;
        Lambdas = models.Select(m => m.Lambda).ToArray();
        Intercepts = models.Select(m => m.Intercept).ToArray();
        Coefficients = models.Select(m => m.Coefficients).ToArray();
        NonZero = models.Select(m => m.NonZeroCount).ToArray();
        R2 = r2;
    }

    /// <summary>Why the path ends before its grid does (<see cref="PathOptions.MaxFeatures"/>), or null when it covers the grid.</summary>
    public string? StopReason { get; }

    /// <summary>Feature names, in coefficient order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The grid, largest first, in the convention's units.</summary>
    public IReadOnlyList<double> Lambdas { get; }

    /// <summary>Intercept per λ.</summary>
    public IReadOnlyList<double> Intercepts { get; }

    /// <summary>Coefficients per λ: Coefficients[k][j] is feature j at λ k, on the original scale.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Coefficients { get; }

    /// <summary>Number of non-zero coefficients per λ.</summary>
    public IReadOnlyList<int> NonZero { get; }

    /// <summary>Fraction of variance explained per λ: 1 − RSS/TSS (TSS about the mean with an intercept, about 0 without).</summary>
    public IReadOnlyList<double> R2 { get; }

    /// <summary>
    /// Degrees of freedom per λ, counting the intercept: the non-zeros for the lasso, Σ s²/(s² + nλ2) over the
    /// singular values of the (active) standardized design for ridge and elastic net.
    /// </summary>
    public IReadOnlyList<double> DegreesOfFreedom => _degreesOfFreedom.Value;

    /// <summary>Akaike's criterion per λ: n·ln(RSS/n) + 2·df (Gaussian log-likelihood up to a constant).</summary>
    public IReadOnlyList<double> Aic => Criterion(2);

    /// <summary>The Bayesian criterion per λ: n·ln(RSS/n) + ln(n)·df.</summary>
    public IReadOnlyList<double> Bic => Criterion(Math.Log(_models[0].TrainingRows));

    /// <summary>Residual sum of squares per λ.</summary>
    public IReadOnlyList<double> ResidualSumOfSquares => _rss;

    private double[] Criterion(double penaltyPerDegree)
    {
        int n = _models[0].TrainingRows;
        var df = DegreesOfFreedom;
        return _rss.Select((value, k) => n * Math.Log(value / n) + penaltyPerDegree * df[k]).ToArray();
    }

    /// <summary>Number of λ values.</summary>
    public int Count => _models.Length;

    /// <summary>The full model at grid point <paramref name="index"/>, with its diagnostics.</summary>
    public LinearModel Model(int index) => _models[index];

    /// <summary>All the models, largest λ first.</summary>
    public IReadOnlyList<LinearModel> Models => _models;

    /// <summary>
    /// Intercept and coefficients at a λ inside the grid, interpolated linearly in λ between the two neighbouring
    /// grid points (glmnet's <c>s=</c>); exact at grid points. For the exact solution at any λ, fit it with
    /// <see cref="Regression.Fit(Dataset, FitOptions?)"/>.
    /// </summary>
    public (double Intercept, double[] Coefficients) At(double lambda)
    {
        double max = Lambdas[0], min = Lambdas[^1];
        if (!(lambda >= min && lambda <= max))
            throw Throw.Error($"'lambda' {Throw.Format(lambda)} is outside the path [{Throw.Format(min)}, {Throw.Format(max)}]; fit it directly instead");
        int right = 0;
        while (right < Count - 1 && Lambdas[right] > lambda) right++;
        if (Lambdas[right] == lambda || right == 0) return (Intercepts[right], Coefficients[right].ToArray());
        int left = right - 1;
        double t = (lambda - Lambdas[right]) / (Lambdas[left] - Lambdas[right]);
        var coefficients = new double[FeatureNames.Count];
        for (int j = 0; j < coefficients.Length; j++)
            coefficients[j] = t * Coefficients[left][j] + (1 - t) * Coefficients[right][j];
        return (t * Intercepts[left] + (1 - t) * Intercepts[right], coefficients);
    }
}
