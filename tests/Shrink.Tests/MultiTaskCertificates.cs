namespace Shrink.Tests;

/// <summary>
/// Optimality checks of a multi-task fit computed from the raw data and the reported original-scale intercepts and
/// coefficients only, sharing no code with the solver: the objective, the group KKT conditions and the group-lasso
/// duality gap on an explicitly centred and standardized copy.
/// </summary>
internal static class MultiTaskCertificates
{
    /// <summary>R = Y − 1·b0ᵀ − XB, n x k.</summary>
    public static double[][] Residual(double[][] x, double[][] y, IReadOnlyList<double> b0, IReadOnlyList<IReadOnlyList<double>> b)
    {
        int n = y.Length, k = y[0].Length, p = x[0].Length;
        var r = new double[n][];
        for (int i = 0; i < n; i++)
        {
            r[i] = new double[k];
            for (int t = 0; t < k; t++)
            {
                double f = b0[t];
                for (int j = 0; j < p; j++) f += x[i][j] * b[j][t];
                r[i][t] = y[i][t] - f;
            }
        }
        return r;
    }

    private static double Norm(IEnumerable<double> v) => Math.Sqrt(v.Sum(a => a * a));

    /// <summary>1/(2n)‖R‖_F² + λ(r Σ d_j‖B_j‖ + (1 − r)/2 Σ d_j²‖B_j‖²).</summary>
    public static double Objective(double[][] x, double[][] y, IReadOnlyList<double> b0, IReadOnlyList<IReadOnlyList<double>> b, double lambda, double r, bool standardize)
    {
        var res = Residual(x, y, b0, b);
        var d = Certificates.Scales(x, standardize);
        double rss = res.Sum(row => row.Sum(v => v * v)), group = 0, squares = 0;
        for (int j = 0; j < d.Length; j++)
        {
            double nb = d[j] * Norm(b[j]);
            group += nb;
            squares += nb * nb;
        }
        return rss / (2.0 * y.Length) + lambda * (r * group + (1 - r) / 2 * squares);
    }

    /// <summary>
    /// The largest violation of the group optimality conditions, per unit of the column's spread and the rms of Y: with g_j = x_jᵀR/n (x_j centred
    /// with an intercept), g_j = λ(r·d_j·B_j/‖B_j‖ + (1 − r)·d_j²·B_j) for a kept row, ‖g_j‖ ≤ λ·r·d_j for a dropped one;
    /// with intercepts, every column of R sums to 0 (relative to max |y|).
    /// </summary>
    public static double KktViolation(double[][] x, double[][] y, IReadOnlyList<double> b0, IReadOnlyList<IReadOnlyList<double>> b, double lambda, double r, bool standardize, bool intercept)
    {
        int n = y.Length, k = y[0].Length, p = x[0].Length;
        var res = Residual(x, y, b0, b);
        var d = Certificates.Scales(x, standardize);
        double yMax = y.Max(row => row.Max(Math.Abs));
        double yRms = Math.Sqrt(y.Sum(row => row.Sum(v => v * v)) / (n * k));
        double worst = 0;
        if (intercept)
            for (int t = 0; t < k; t++) worst = Math.Max(worst, Math.Abs(res.Sum(row => row[t])) / n / yMax);
        for (int j = 0; j < p; j++)
        {
            double center = intercept ? x.Average(row => row[j]) : 0;
            if (x.All(row => row[j] == x[0][j]) && (intercept || standardize)) continue;
            var g = new double[k];
            for (int t = 0; t < k; t++)
            {
                for (int i = 0; i < n; i++) g[t] += (x[i][j] - center) * res[i][t];
                g[t] /= n;
            }
            double nb = Norm(b[j]);
            double v = nb > 0
                ? Norm(Enumerable.Range(0, k).Select(t => g[t] - lambda * (r * d[j] * b[j][t] / nb + (1 - r) * d[j] * d[j] * b[j][t])))
                : Math.Max(0, Norm(g) - lambda * r * d[j]);
            // Per unit of the column's own spread and of the targets' (scale-free, as Certificates.KktViolation).
            double spread = Math.Sqrt(x.Sum(row => (row[j] - center) * (row[j] - center)) / n);
            worst = Math.Max(worst, v / (spread * yRms));
        }
        return worst;
    }

    /// <summary>
    /// Primal minus dual (1/n scale) on an explicit standardized copy X̃ = (X − x̄)/d, Ỹ = Y − ȳ, β = D·B: the dual point
    /// is R itself when r &lt; 1 (Fenchel conjugate of the group elastic-net penalty), and R scaled into
    /// {θ : ‖X̃_jᵀθ‖ ≤ nλ} for the lasso.
    /// </summary>
    public static double DualityGap(double[][] x, double[][] y, IReadOnlyList<double> b0, IReadOnlyList<IReadOnlyList<double>> b, double lambda, double r, bool standardize, bool intercept)
    {
        int n = y.Length, k = y[0].Length, p = x[0].Length;
        var d = Certificates.Scales(x, standardize);
        var xm = Enumerable.Range(0, p).Select(j => intercept ? x.Average(row => row[j]) : 0).ToArray();
        var ym = Enumerable.Range(0, k).Select(t => intercept ? y.Average(row => row[t]) : 0).ToArray();
        var xt = x.Select(row => row.Select((v, j) => d[j] == 0 ? 0 : (v - xm[j]) / d[j]).ToArray()).ToArray();
        var yt = y.Select(row => row.Select((v, t) => v - ym[t]).ToArray()).ToArray();
        var beta = Enumerable.Range(0, p).Select(j => Enumerable.Range(0, k).Select(t => b[j][t] * d[j]).ToArray()).ToArray();
        var res = new double[n][];
        for (int i = 0; i < n; i++)
        {
            res[i] = new double[k];
            for (int t = 0; t < k; t++)
            {
                double f = 0;
                for (int j = 0; j < p; j++) f += xt[i][j] * beta[j][t];
                res[i][t] = yt[i][t] - f;
            }
        }
        double l1 = n * lambda * r, l2 = n * lambda * (1 - r);
        var gNorm = new double[p];
        for (int j = 0; j < p; j++)
            gNorm[j] = Norm(Enumerable.Range(0, k).Select(t => Enumerable.Range(0, n).Sum(i => xt[i][j] * res[i][t])));
        double rss = res.Sum(row => row.Sum(v => v * v));
        double ry = Enumerable.Range(0, n).Sum(i => Enumerable.Range(0, k).Sum(t => res[i][t] * yt[i][t]));
        double primal = 0.5 * rss + l1 * beta.Sum(row => Norm(row)) + 0.5 * l2 * beta.Sum(row => row.Sum(v => v * v));
        double dual;
        if (l2 > 0)
        {
            double conjugate = gNorm.Sum(g => Math.Pow(Math.Max(g - l1, 0), 2)) / (2 * l2);
            dual = ry - 0.5 * rss - conjugate;
        }
        else
        {
            double gMax = gNorm.Max();
            double s = gMax > l1 ? l1 / gMax : 1;
            dual = s * ry - 0.5 * s * s * rss;
        }
        return (primal - dual) / n;
    }
}
