namespace Shrink.Solvers;

/// <summary>
/// One eigendecomposition of the standardized design that answers ridge questions for every λ: coefficients,
/// effective degrees of freedom and leave-one-out residuals. With at least as many rows as variables it
/// decomposes X̃ᵀX̃ = V·diag(μ)·Vᵀ; otherwise X̃X̃ᵀ = U·diag(μ)·Uᵀ. Either way U holds the left singular vectors.
/// </summary>
internal sealed class RidgeSpectrum
{
    private readonly Design _design;
    private readonly int[] _columns;
    private readonly int _k;
    private readonly double[] _mu;
    /// <summary>Coordinates of ỹ in the left singular basis: Uᵀỹ (length k).</summary>
    private readonly double[] _uty;
    /// <summary>Maps spectral weights to coefficients: β_S = W·(weights ∘ Uᵀỹ); W is m x k, row-major.</summary>
    private readonly double[] _w;
    private readonly double[]? _u;
    private readonly double[] _yc;

    public RidgeSpectrum(Design design, ReadOnlySpan<double> yc, bool needLeftVectors)
    {
        _design = design;
        _yc = yc.ToArray();
        _columns = DirectSolver.IncludedColumns(design);
        int n = design.N, m = _columns.Length;
        if (m <= n)
        {
            var xty = new double[m];
            var v = DirectSolver.Gram(design, yc, _columns, xty);
            _k = m;
            Primal(v, xty, out _mu, out _uty, out _w);
            if (needLeftVectors)
            {
                // U = X̃·W with W = V·diag(μ^{-1/2}): row i of U gathers x̃_ia·W[a, :], one vectorised axpy each.
                var w = new double[m * m];
                for (int a = 0; a < m; a++)
                    for (int c = 0; c < m; c++)
                    {
                        double root = Math.Sqrt(Math.Max(_mu[c], 0));
                        w[a * m + c] = root > 0 ? v[a * m + c] / root : 0;
                    }
                _u = new double[n * m];
                var u = _u;
                var columns = _columns;
                Parallel.For(0, (n + 255) / 256, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, block =>
                {
                    int start = block * 256, end = Math.Min(n, start + 256);
                    var t = new double[n];
                    for (int a = 0; a < m; a++)
                    {
                        DirectSolver.Transformed(design, columns[a], t);
                        var row = w.AsSpan(a * m, m);
                        for (int i = start; i < end; i++) Kernels.Axpy(t[i], row, u.AsSpan(i * m, m));
                    }
                });
            }
        }
        else
        {
            var u = DirectSolver.Kernel(design);
            _mu = new double[n];
            SymmetricEigen.Decompose(u, n, _mu);
            DropNumericalZeros(_mu);
            _k = n;
            _u = u;
            _uty = new double[n];
            for (int c = 0; c < n; c++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += u[i * n + c] * yc[i];
                _uty[c] = s;
            }
            // β = X̃ᵀ·U·diag(1/(μ + nλ))·Uᵀỹ, so W = X̃ᵀU (m x n).
            _w = new double[m * n];
            var t = new double[n];
            for (int a = 0; a < m; a++)
            {
                DirectSolver.Transformed(design, _columns[a], t);
                for (int c = 0; c < n; c++)
                {
                    double s = 0;
                    for (int i = 0; i < n; i++) s += t[i] * u[i * n + c];
                    _w[a * n + c] = s;
                }
            }
        }
    }

    /// <summary>
    /// From X̃ᵀX̃ over the included columns (m x m, overwritten) and X̃ᵀỹ, when there are no rows (statistics): ridge
    /// coefficients and degrees of freedom only; leave-one-out residuals need the rows.
    /// </summary>
    public RidgeSpectrum(Design design, double[] gram, double[] xty)
    {
        _design = design;
        _yc = [];
        _columns = DirectSolver.IncludedColumns(design);
        _k = _columns.Length;
        Primal(gram, xty, out _mu, out _uty, out _w);
    }

    /// <summary>Decomposes V·diag(μ)·Vᵀ = X̃ᵀX̃ (v is overwritten by V) and sets Uᵀỹ and W.</summary>
    private static void Primal(double[] v, double[] xty, out double[] mu, out double[] uty, out double[] w)
    {
        int m = xty.Length;
        mu = new double[m];
        SymmetricEigen.Decompose(v, m, mu);
        DropNumericalZeros(mu);
        // Uᵀỹ = μ^{-1/2}·Vᵀ·X̃ᵀỹ and β = V·diag(1/(μ + nλ))·Vᵀ·X̃ᵀỹ = V·diag(√μ/(μ + nλ))·Uᵀỹ.
        uty = new double[m];
        w = new double[m * m];
        for (int c = 0; c < m; c++)
        {
            double proj = 0;
            for (int a = 0; a < m; a++) proj += v[a * m + c] * xty[a];
            double root = Math.Sqrt(Math.Max(mu[c], 0));
            uty[c] = root > 0 ? proj / root : 0;
            for (int a = 0; a < m; a++) w[a * m + c] = v[a * m + c] * root;
        }
    }

    /// <summary>Eigenvalues at rounding level belong to the null space; keeping them would divide by noise.</summary>
    private static void DropNumericalZeros(double[] mu)
    {
        double max = mu.Length == 0 ? 0 : mu.Max();
        for (int c = 0; c < mu.Length; c++)
            if (mu[c] <= 1e-13 * max) mu[c] = 0;
    }

    private double Shrinkage(int c, double l2) => _mu[c] <= 0 ? 0 : 1.0 / (_mu[c] + _design.N * l2);

    /// <summary>β at λ2 (standardized space; excluded columns 0).</summary>
    public void Coefficients(double l2, Span<double> beta)
    {
        beta.Clear();
        int m = _columns.Length;
        var weights = new double[_k];
        // Primal: W holds V·√μ, so the weight is Uᵀỹ/(μ + nλ); dual: W = X̃ᵀU, same weight.
        for (int c = 0; c < _k; c++) weights[c] = _uty[c] * Shrinkage(c, l2);
        for (int a = 0; a < m; a++) beta[_columns[a]] = Kernels.Dot(_w.AsSpan(a * _k, _k), weights);
    }

    /// <summary>Σ μ/(μ + nλ2): the trace of the ridge hat matrix, without the intercept.</summary>
    public double EffectiveDegreesOfFreedom(double l2)
    {
        double df = 0;
        for (int c = 0; c < _k; c++) df += _mu[c] * Shrinkage(c, l2);
        return df;
    }

    /// <summary>
    /// Leave-one-out residuals e_i/(1 − h_ii) of the linear smoother at λ2, the hat matrix including 1/n for the
    /// intercept: exact for ridge with the centring and scaling of the full data held fixed (as scikit-learn's RidgeCV).
    /// With weights they are those of the √w-scaled problem, √w_i·e_i/(1 − h_ii).
    /// </summary>
    /// <returns>The generalized cross-validation score mean(e²)/(1 − tr(H)/n)² at the same λ2.</returns>
    public double LeaveOneOutResiduals(double l2, bool intercept, Span<double> result)
    {
        var u = _u ?? throw new InvalidOperationException("left singular vectors were not computed");
        int n = _design.N;
        var weights = new double[_k];
        for (int c = 0; c < _k; c++) weights[c] = _mu[c] * Shrinkage(c, l2);
        double rss = 0;
        for (int i = 0; i < n; i++)
        {
            var row = u.AsSpan(i * _k, _k);
            // The intercept's column in the weighted problem is √w, so its share of the hat diagonal is w_i/n.
            double fitted = 0, hat = !intercept ? 0 : _design.Root is { } root ? root[i] * root[i] / n : 1.0 / n;
            for (int c = 0; c < _k; c++)
            {
                fitted += row[c] * weights[c] * _uty[c];
                hat += row[c] * row[c] * weights[c];
            }
            result[i] = (_yc[i] - fitted) / (1 - hat);
            rss += (_yc[i] - fitted) * (_yc[i] - fitted);
        }
        double trace = (intercept ? 1 : 0) + EffectiveDegreesOfFreedom(l2);
        double shrink = 1 - trace / n;
        return rss / n / (shrink * shrink);
    }
}
