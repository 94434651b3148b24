namespace Shrink;

/// <summary>λ and r in Shrink's canonical objective 1/(2n)·‖y − b0 − Xb‖² + λ·(r·‖Db‖₁ + (1 − r)/2·‖Db‖²).</summary>
internal readonly record struct CanonicalPenalty(double Lambda, double L1Ratio)
{
    /// <summary>Weight of ‖Db‖₁.</summary>
    public double L1 => Lambda * L1Ratio;

    /// <summary>Weight of ‖Db‖²/2.</summary>
    public double L2 => Lambda * (1 - L1Ratio);

    public static CanonicalPenalty FromWeights(double l1, double l2)
    {
        double lambda = l1 + l2;
        return lambda == 0 ? new(0, 0) : new(lambda, l1 / lambda);
    }
}

/// <summary>
/// Exact maps from each convention's (λ, r) to the canonical one, and the factor between the canonical objective
/// and the objective as that convention writes it.
/// </summary>
internal static class ConventionMap
{
    /// <param name="penalty">Ridge matters for scikit-learn, whose Ridge has its own scaling.</param>
    /// <param name="n">Rows.</param>
    /// <param name="p">Features (the article form averages the penalty over them).</param>
    /// <param name="targetScale">glmnet's internal scale of y (its standard deviation, 1/n formula).</param>
    public static CanonicalPenalty ToCanonical(Convention convention, Penalty penalty, double lambda, double r, int n, int p, double targetScale) =>
        convention switch
        {
            Convention.Shrink => new(lambda, r),
            // scikit-learn Ridge: ‖y − Xb‖² + α‖b‖² = 2n·(‖y − Xb‖²/(2n) + (α/n)/2·‖b‖²).
            Convention.Sklearn => penalty == Penalty.Ridge ? new(lambda / n, 0) : new(lambda, r),
            // glmnet fits y/σ with λ/σ; undoing the scaling leaves the L1 weight λα and divides the L2 weight by σ.
            Convention.Glmnet => CanonicalPenalty.FromWeights(lambda * r, lambda * (1 - r) / (targetScale > 0 ? targetScale : 1)),
            // MSE + λ(r·‖Db‖₁/p + (1 − r)·‖Db‖²/p), halved: L1 weight λr/(2p), L2 weight (as ·/2) λ(1 − r)/p.
            Convention.Article => CanonicalPenalty.FromWeights(lambda * r / (2.0 * p), lambda * (1 - r) / p),
            _ => throw new ArgumentOutOfRangeException(nameof(convention)),
        };

    /// <summary>The convention's objective divided by the canonical objective.</summary>
    public static double ObjectiveScale(Convention convention, Penalty penalty, int n) => convention switch
    {
        Convention.Sklearn when penalty == Penalty.Ridge => 2.0 * n,
        Convention.Article => 2.0,
        _ => 1.0,
    };
}
