namespace Shrink.Tests;

/// <summary>
/// Optimality checks computed from the raw data and the reported original-scale coefficients only, sharing no
/// code with the solvers: the objective, the KKT conditions and a duality gap on an explicitly standardized copy.
/// </summary>
internal static class Certificates
{
    public static double[] Residual(double[][] x, double[] y, double b0, IReadOnlyList<double> b)
    {
        var r = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double f = b0;
            for (int j = 0; j < b.Count; j++) f += x[i][j] * b[j];
            r[i] = y[i] - f;
        }
        return r;
    }

    /// <summary>Population standard deviation of each column (1/n), or 1 without standardization.</summary>
    public static double[] Scales(double[][] x, bool standardize)
    {
        int n = x.Length, p = x[0].Length;
        var s = new double[p];
        for (int j = 0; j < p; j++)
        {
            if (!standardize) { s[j] = 1; continue; }
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[i][j];
            mean /= n;
            double v = 0;
            for (int i = 0; i < n; i++) v += (x[i][j] - mean) * (x[i][j] - mean);
            s[j] = Math.Sqrt(v / n);
        }
        return s;
    }

    /// <summary>The canonical objective 1/(2n)‖y − b0 − Xb‖² + λ(r‖Db‖₁ + (1 − r)/2‖Db‖²).</summary>
    public static double Objective(double[][] x, double[] y, double b0, IReadOnlyList<double> b, double lambda, double r, bool standardize)
    {
        var res = Residual(x, y, b0, b);
        var s = Scales(x, standardize);
        double rss = res.Sum(v => v * v), l1 = 0, l2 = 0;
        for (int j = 0; j < b.Count; j++) { l1 += Math.Abs(s[j] * b[j]); l2 += s[j] * b[j] * s[j] * b[j]; }
        return rss / (2.0 * y.Length) + lambda * (r * l1 + (1 - r) / 2 * l2);
    }

    /// <summary>
    /// The largest violation of the optimality conditions, relative to max(λ, 1e-300)·(max scale) for penalized fits:
    /// for b_j ≠ 0, x_jᵀres/n = λ(r·s_j·sign(b_j) + (1 − r)s_j²b_j); for b_j = 0, |x_jᵀres/n| ≤ λ·r·s_j.
    /// With an intercept, Σres = 0 as well. Constant columns (zero scale) are skipped when standardized.
    /// </summary>
    public static double KktViolation(double[][] x, double[] y, double b0, IReadOnlyList<double> b, double lambda, double r, bool standardize, bool intercept)
    {
        int n = y.Length;
        var res = Residual(x, y, b0, b);
        var s = Scales(x, standardize);
        double worst = 0;
        double yScale = Math.Sqrt(y.Sum(v => v * v) / n) + 1e-300;
        if (intercept) worst = Math.Abs(res.Sum()) / n / yScale;
        for (int j = 0; j < b.Count; j++)
        {
            if (standardize && s[j] == 0) continue;
            double g = 0;
            for (int i = 0; i < n; i++) g += x[i][j] * res[i];
            g /= n;
            double v;
            if (b[j] != 0) v = Math.Abs(g - lambda * (r * s[j] * Math.Sign(b[j]) + (1 - r) * s[j] * s[j] * b[j]));
            else v = Math.Max(0, Math.Abs(g) - lambda * r * s[j]);
            // Express the violation per unit of the column's own spread about what the model centres it on.
            double center = intercept ? x.Average(row => row[j]) : 0;
            double colScale = Math.Sqrt(x.Sum(row => (row[j] - center) * (row[j] - center)) / n);
            if (colScale == 0) continue; // a constant column beside an intercept is not a variable
            worst = Math.Max(worst, v / (colScale * yScale));
        }
        return worst;
    }

    /// <summary>
    /// A duality gap computed on an explicit standardized, centred copy: primal minus the dual at the rescaled residual.
    /// Independent of the solver's implicit-transform formulas.
    /// </summary>
    public static double DualityGap(double[][] x, double[] y, double b0, IReadOnlyList<double> b, double lambda, double r, bool standardize, bool intercept)
    {
        int n = y.Length, p = b.Count;
        var s = Scales(x, standardize);
        var mean = new double[p];
        for (int j = 0; j < p; j++) mean[j] = intercept ? x.Average(row => row[j]) : 0;
        double ym = intercept ? y.Average() : 0;
        var xt = new double[n][];
        for (int i = 0; i < n; i++)
        {
            xt[i] = new double[p];
            for (int j = 0; j < p; j++) xt[i][j] = s[j] == 0 ? 0 : (x[i][j] - mean[j]) / s[j];
        }
        var beta = b.Select((v, j) => v * s[j]).ToArray();
        var yc = y.Select(v => v - ym).ToArray();
        var res = new double[n];
        for (int i = 0; i < n; i++) { double f = 0; for (int j = 0; j < p; j++) f += xt[i][j] * beta[j]; res[i] = yc[i] - f; }
        double l1 = n * lambda * r, l2 = n * lambda * (1 - r);
        var g = new double[p];
        for (int j = 0; j < p; j++) for (int i = 0; i < n; i++) g[j] += xt[i][j] * res[i];
        double primal = 0.5 * res.Sum(v => v * v) + l1 * beta.Sum(Math.Abs) + 0.5 * l2 * beta.Sum(v => v * v);
        double dual;
        if (l2 > 0)
        {
            // θ = res; conjugate of the elastic-net penalty.
            double conj = g.Sum(v => Math.Pow(Math.Max(Math.Abs(v) - l1, 0), 2)) / (2 * l2);
            dual = res.Zip(yc, (a, c) => a * c).Sum() - 0.5 * res.Sum(v => v * v) - conj;
        }
        else
        {
            double gmax = g.Max(Math.Abs);
            double t = gmax > l1 ? l1 / gmax : 1;
            dual = t * res.Zip(yc, (a, c) => a * c).Sum() - 0.5 * t * t * res.Sum(v => v * v);
        }
        return (primal - dual) / n;
    }
}
