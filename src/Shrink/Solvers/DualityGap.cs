using System.Numerics.Tensors;

namespace Shrink.Solvers;

/// <summary>
/// Duality gaps of the standardized elastic-net problem P(β) = ‖R‖²/(2n) + λ1‖β‖₁ + λ2/2·‖β‖², R = ỹ − X̃β,
/// written in terms of v = X̃ᵀR and vᵀβ so that no large, nearly equal quantities are subtracted.
/// </summary>
internal static class DualityGap
{
    /// <param name="v">X̃ᵀR for the included columns (zeros elsewhere).</param>
    /// <param name="beta">Coefficients in the standardized space.</param>
    /// <param name="residualSquared">‖R‖².</param>
    /// <param name="n">Number of rows.</param>
    /// <param name="l1">λ1 in the 1/n-scaled problem.</param>
    /// <param name="l2">λ2 in the 1/n-scaled problem.</param>
    public static double Compute(ReadOnlySpan<double> v, ReadOnlySpan<double> beta, double residualSquared, int n, double l1, double l2,
        Design? shape = null)
    {
        if (shape is { Shaped: true }) return Shaped(v, beta, residualSquared, n, l1, l2, shape);
        double nl1 = n * l1, nl2 = n * l2;
        // Vectorized sums: on wide data this runs over p values at every check of a path.
        double vDotBeta = Kernels.Dot(v, beta);
        double l1Norm = TensorPrimitives.SumOfMagnitudes(beta), l2Sq = TensorPrimitives.SumOfSquares(beta);
        double vMax = v.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(v)), conjugate = 0;
        // The conjugate's sum is of the features above nλ1 only (none but the active ones near a solution).
        if (nl2 > 0 && vMax > nl1)
        {
            for (int j = 0; j < v.Length; j++)
            {
                double excess = Math.Abs(v[j]) - nl1;
                if (excess > 0) conjugate += excess * excess;
            }
        }

        double gapTimesN;
        if (nl2 > 0)
        {
            // Dual point θ = R is feasible when λ2 > 0; the conjugate of the penalty is Σ(|v_j| − nλ1)₊²/(2nλ2).
            gapTimesN = -vDotBeta + nl1 * l1Norm + 0.5 * nl2 * l2Sq + conjugate / (2 * nl2);
        }
        else if (nl1 > 0)
        {
            // Lasso: scale the residual into the dual feasible set ‖X̃ᵀθ‖∞ ≤ nλ1.
            double s = vMax > nl1 ? nl1 / vMax : 1.0;
            gapTimesN = 0.5 * (1 - s) * (1 - s) * residualSquared + nl1 * l1Norm - s * vDotBeta;
        }
        else
        {
            // Least squares: optimal exactly when X̃ᵀR = 0; |vᵀβ| is what is left of P − D at θ = R.
            gapTimesN = Math.Abs(vDotBeta);
        }
        return gapTimesN / n;
    }

    /// <summary>
    /// The gap with per-variable penalties g_j(b) = f_j·(λ1|b| + λ2/2·b²) + [lower_j ≤ b ≤ upper_j], at the dual point
    /// θ = s·R/n: gap = (1 − s)²‖R‖²/(2n) + Σ g_j(β_j) − s·vᵀβ/n + Σ g_j*(s·v_j/n), with s ≤ 1 the largest scale that
    /// keeps every conjugate finite. An unpenalized, unbounded variable has a finite conjugate only at v_j = 0 exactly;
    /// its term is replaced by the gain of one exact coordinate step, (v_j/n)²/(2‖x̃_j‖²/n), which vanishes at the optimum.
    /// </summary>
    private static double Shaped(ReadOnlySpan<double> v, ReadOnlySpan<double> beta, double residualSquared, int n, double l1, double l2, Design d)
    {
        double s = 1, penalty = 0, unpenalizedGain = 0;
        var free = new bool[beta.Length];
        for (int j = 0; j < beta.Length; j++)
        {
            if (d.Excluded[j]) continue;
            double f = d.FactorOf(j), a = l1 * f, c = l2 * f, w = v[j] / n;
            penalty += a * Math.Abs(beta[j]) + 0.5 * c * beta[j] * beta[j];
            if (c > 0) continue;
            if (a == 0)
            {
                // Its dual constraint is x̃_jᵀθ = 0: θ is taken to meet it (v_j read as 0), and what that ignores is
                // bounded by the coordinate-step gain.
                free[j] = (w > 0 && double.IsPositiveInfinity(d.UpperOf(j))) || (w < 0 && double.IsNegativeInfinity(d.LowerOf(j)));
                if (free[j] && d.NormSquaredOverN[j] > 0) unpenalizedGain += w * w / (2 * d.NormSquaredOverN[j]);
                continue;
            }
            if (w > a && double.IsPositiveInfinity(d.UpperOf(j))) s = Math.Min(s, a / w);
            if (w < -a && double.IsNegativeInfinity(d.LowerOf(j))) s = Math.Min(s, a / -w);
        }
        double conjugate = 0, vDotBeta = 0;
        for (int j = 0; j < beta.Length; j++)
        {
            if (d.Excluded[j] || free[j]) continue;
            double f = d.FactorOf(j), a = l1 * f, c = l2 * f, w = s * v[j] / n;
            conjugate += Conjugate(w, a, c, d.LowerOf(j), d.UpperOf(j));
            vDotBeta += v[j] * beta[j];
        }
        return 0.5 * (1 - s) * (1 - s) * residualSquared / n + penalty - s * vDotBeta / n + conjugate + unpenalizedGain;
    }

    /// <summary>sup over lower ≤ b ≤ upper of w·b − a|b| − c/2·b²; an infinite side with a ≥ |w| and c = 0 gives 0 there.</summary>
    internal static double Conjugate(double w, double a, double c, double lower, double upper)
    {
        double best = 0;
        if (w > a && upper > 0)
        {
            double b = c > 0 ? Math.Min((w - a) / c, upper) : upper;
            if (double.IsFinite(b)) best = Math.Max(best, (w - a) * b - 0.5 * c * b * b);
        }
        if (w < -a && lower < 0)
        {
            double b = c > 0 ? Math.Max((w + a) / c, lower) : lower;
            if (double.IsFinite(b)) best = Math.Max(best, (w + a) * b - 0.5 * c * b * b);
        }
        return best;
    }
}
