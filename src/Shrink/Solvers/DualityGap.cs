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
    public static double Compute(ReadOnlySpan<double> v, ReadOnlySpan<double> beta, double residualSquared, int n, double l1, double l2)
    {
        double nl1 = n * l1, nl2 = n * l2;
        double vDotBeta = Kernels.Dot(v, beta);
        double l1Norm = 0, l2Sq = 0, vMax = 0, conjugate = 0;
        for (int j = 0; j < beta.Length; j++)
        {
            l1Norm += Math.Abs(beta[j]);
            l2Sq += beta[j] * beta[j];
            double a = Math.Abs(v[j]);
            if (a > vMax) vMax = a;
            double excess = a - nl1;
            if (excess > 0) conjugate += excess * excess;
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
}
