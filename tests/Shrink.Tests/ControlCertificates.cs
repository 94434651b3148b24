namespace Shrink.Tests;

/// <summary>
/// The optimality conditions of the general problem, from the raw data and the reported original-scale model only
/// (no solver code): 1/(2n)·Σ w_i(y_i − o_i − b0 − x_iᵀb)² + Σ f_j·(λ1|s_j b_j| + λ2/2·(s_j b_j)²), lower ≤ b ≤ upper,
/// with w rescaled to sum to n, s_j the weighted population sd (1 without standardization) and f the effective factors.
/// </summary>
internal sealed record ControlProblem(double[][] X, double[] Y, double[]? Weights = null, double[]? Offset = null,
    double[]? Factors = null, double[]? Lower = null, double[]? Upper = null, bool Intercept = true, bool Standardize = true)
{
    public int N => Y.Length;
    public int P => X[0].Length;

    public double[] W
    {
        get
        {
            if (Weights is null) return Enumerable.Repeat(1.0, N).ToArray();
            double total = Weights.Sum();
            return Weights.Select(v => v * N / total).ToArray();
        }
    }

    public double[] Scales()
    {
        var w = W;
        var s = new double[P];
        for (int j = 0; j < P; j++)
        {
            if (!Standardize) { s[j] = 1; continue; }
            double mean = 0;
            for (int i = 0; i < N; i++) mean += w[i] * X[i][j];
            mean /= N;
            double v = 0;
            for (int i = 0; i < N; i++) v += w[i] * (X[i][j] - mean) * (X[i][j] - mean);
            s[j] = Math.Sqrt(v / N);
        }
        return s;
    }

    public double[] Residual(double b0, IReadOnlyList<double> b)
    {
        var r = new double[N];
        for (int i = 0; i < N; i++)
        {
            double f = b0 + (Offset?[i] ?? 0);
            for (int j = 0; j < P; j++) f += X[i][j] * b[j];
            r[i] = Y[i] - f;
        }
        return r;
    }

    public double Objective(double b0, IReadOnlyList<double> b, double l1, double l2)
    {
        var w = W;
        var r = Residual(b0, b);
        var s = Scales();
        double loss = 0, penalty = 0;
        for (int i = 0; i < N; i++) loss += w[i] * r[i] * r[i];
        for (int j = 0; j < P; j++)
        {
            double f = Factors?[j] ?? 1, beta = s[j] * b[j];
            if (b[j] != 0) penalty += f * (l1 * Math.Abs(beta) + 0.5 * l2 * beta * beta);
        }
        return loss / (2.0 * N) + penalty;
    }

    /// <summary>
    /// The largest violation of the KKT conditions, in units of the gradient per column spread: for b_j strictly inside
    /// its bounds the subgradient condition, at a bound the sign condition of its multiplier, and Σw·res = 0 with an
    /// intercept. Columns that are constant where weighted (with an intercept or standardization) are skipped.
    /// </summary>
    public double KktViolation(double b0, IReadOnlyList<double> b, double l1, double l2, ISet<int>? excluded = null)
    {
        var w = W;
        var r = Residual(b0, b);
        var s = Scales();
        double yScale = Math.Sqrt(Enumerable.Range(0, N).Sum(i => w[i] * Y[i] * Y[i]) / N) + 1e-300;
        double worst = Intercept ? Math.Abs(Enumerable.Range(0, N).Sum(i => w[i] * r[i])) / N / yScale : 0;
        for (int j = 0; j < P; j++)
        {
            if (excluded?.Contains(j) == true) { worst = Math.Max(worst, Math.Abs(b[j])); continue; }
            double center = Intercept ? Enumerable.Range(0, N).Sum(i => w[i] * X[i][j]) / N : 0;
            double spread = Math.Sqrt(Enumerable.Range(0, N).Sum(i => w[i] * (X[i][j] - center) * (X[i][j] - center)) / N);
            if (spread == 0 || s[j] == 0) continue;
            double g = 0;
            for (int i = 0; i < N; i++) g += w[i] * X[i][j] * r[i];
            g /= N;
            double f = Factors?[j] ?? 1, a = f * l1 * s[j], c = f * l2 * s[j] * s[j];
            double lo = Lower?[j] ?? double.NegativeInfinity, hi = Upper?[j] ?? double.PositiveInfinity;
            double v;
            if (b[j] < lo || b[j] > hi) v = double.PositiveInfinity;
            else if (b[j] == hi && hi != 0) v = Math.Max(0, a + c * b[j] - g);       // pushed up against the bound
            else if (b[j] == lo && lo != 0) v = Math.Max(0, g - (-a + c * b[j]));    // pushed down against it
            else if (b[j] != 0) v = Math.Abs(g - (a * Math.Sign(b[j]) + c * b[j]));
            else
            {
                double up = hi > 0 ? Math.Max(0, g - a) : 0, down = lo < 0 ? Math.Max(0, -g - a) : 0;
                v = Math.Max(up, down);
            }
            worst = Math.Max(worst, v / (spread * yScale));
        }
        return worst;
    }
}
