namespace Shrink;

/// <summary>The adaptive lasso's initial fit and the penalty factors it gives.</summary>
/// <param name="Initial">The initial fit (least squares or ridge), on the same data, weights, offset, intercept and standardization.</param>
/// <param name="Factors">f_j = 1/|b̃_j|^ν by feature name (b̃ on the standardized scale when standardizing), before any rescaling; ∞ for an initial coefficient of 0, which excludes the feature.</param>
public sealed record AdaptiveWeights(LinearModel Initial, IReadOnlyDictionary<string, double> Factors);

internal static class AdaptiveLasso
{
    public static AdaptiveWeights Compute(Dataset data, FitOptions options, AdaptiveOptions adaptive)
    {
        var plain = new FitOptions
        {
            Convention = options.Convention,
            FitIntercept = options.FitIntercept,
            Standardize = options.Standardize,
            Tolerance = options.Tolerance,
            MaxIterations = options.MaxIterations,
        };
        LinearModel initial = adaptive.Initial switch
        {
            AdaptiveInitial.Ols => Regression.Fit(data, plain with { Penalty = Penalty.Ols }),
            AdaptiveInitial.Ridge => Ridge(data, plain, adaptive.InitialLambda),
            _ => TryOls(data, plain) ?? Ridge(data, plain, adaptive.InitialLambda),
        };
        var problem = Problem.Build(data, plain);
        var factors = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int j = 0; j < data.FeatureNames.Count; j++)
        {
            double b = Math.Abs(initial.Coefficients[j] * problem.Design.Scale[j]);
            factors[data.FeatureNames[j]] = b == 0 ? double.PositiveInfinity : Math.Pow(b, -adaptive.Nu);
        }
        return new AdaptiveWeights(initial, factors);
    }

    /// <summary>The options with the adaptive factors folded into the user's own (multiplied), and the adaptive step done.</summary>
    public static FitOptions Resolve(Dataset data, FitOptions options)
    {
        if (options.Adaptive is not { } adaptive) return options;
        var weights = Compute(data, options, adaptive);
        var combined = new Dictionary<string, double>(weights.Factors, StringComparer.Ordinal);
        if (options.PenaltyFactors is { } given)
            foreach (var (name, f) in given)
            {
                if (!combined.ContainsKey(name))
                    throw Throw.Error($"'penalty-factor' names feature '{name}', which is not in the data (features: {Names.List(data.FeatureNames)})");
                combined[name] = f == 0 ? 0 : combined[name] * f;
            }
        return options with { PenaltyFactors = combined, Adaptive = null };
    }

    private static LinearModel? TryOls(Dataset data, FitOptions plain)
    {
        try { return Regression.Fit(data, plain with { Penalty = Penalty.Ols }); }
        catch (ShrinkException) { return null; }
    }

    private static LinearModel Ridge(Dataset data, FitOptions plain, double? lambda)
    {
        var ridge = plain with { Penalty = Penalty.Ridge };
        if (lambda is { } given) return Regression.Fit(data, ridge with { Lambda = given });
        // λ by exact leave-one-out over the default grid: cheap (one decomposition) and free of fold randomness.
        var cv = Regression.CrossValidate(data, new CrossValidationOptions
        {
            Path = new PathOptions { Fit = ridge },
            LeaveOneOut = true,
            Choose = LambdaChoice.Min,
        });
        return cv.Model;
    }
}
