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
    /// <summary>U (n x k), column-major: column c is the c-th left singular vector (dual form).</summary>
    private readonly double[]? _u;
    /// <summary>V·diag(μ^{-1/2}) packed for products (primal form): U = X̃·that, made block by block where it is used.</summary>
    private readonly GemmKernel.PackedB? _toLeft;
    private readonly double[] _yc;
    /// <summary>X̃ᵀX̃ and X̃ᵀỹ over the included columns (primal form only): what certifies a β without a pass over the data.</summary>
    private readonly double[]? _gram;
    private readonly double[]? _xty;
    /// <summary>‖ỹ‖².</summary>
    private readonly double _ySquared;

    public RidgeSpectrum(Design design, ReadOnlySpan<double> yc, bool needLeftVectors)
    {
        _design = design;
        _yc = yc.ToArray();
        _ySquared = Kernels.Dot(yc, yc);
        _columns = DirectSolver.IncludedColumns(design);
        int n = design.N, m = _columns.Length;
        if (m <= n)
        {
            var xty = new double[m];
            var v = DirectSolver.Gram(design, yc, _columns, xty);
            _gram = (double[])v.Clone();
            _xty = xty;
            _k = m;
            Primal(v, xty, out _mu, out _uty, out _w);
            if (needLeftVectors)
            {
                // U = X̃·V·diag(μ^{-1/2}) (n·m² multiply-adds) is never stored whole: leave-one-out makes it by blocks of rows.
                var w = new double[m * m];
                for (int a = 0; a < m; a++)
                    for (int c = 0; c < m; c++)
                    {
                        double root = Math.Sqrt(Math.Max(_mu[c], 0));
                        w[a * m + c] = root > 0 ? v[a * m + c] / root : 0;
                    }
                _toLeft = new GemmKernel.PackedB(w, m, m);
            }
        }
        else
        {
            var kernel = DirectSolver.Kernel(design);
            _mu = new double[n];
            SymmetricEigen.Decompose(kernel, n, _mu);
            DropNumericalZeros(_mu);
            _k = n;
            // The eigenvectors are the columns of the row-major result: transposed, they are contiguous.
            var u = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int c = 0; c < n; c++) u[c * n + i] = kernel[i * n + c];
            _u = u;
            _uty = new double[n];
            for (int c = 0; c < n; c++) _uty[c] = Kernels.Dot(u.AsSpan(c * n, n), yc);
            // β = X̃ᵀ·U·diag(1/(μ + nλ))·Uᵀỹ, so W = X̃ᵀU (m x n).
            _w = new double[m * n];
            var t = new double[n];
            for (int a = 0; a < m; a++)
            {
                DirectSolver.Transformed(design, _columns[a], t);
                for (int c = 0; c < n; c++) _w[a * n + c] = Kernels.Dot(t, u.AsSpan(c * n, n));
            }
        }
    }

    /// <summary>
    /// From X̃ᵀX̃ over the included columns (m x m), X̃ᵀỹ and ‖ỹ‖², when there are no rows (statistics): ridge
    /// coefficients, their certificates and degrees of freedom; leave-one-out residuals need the rows.
    /// </summary>
    public RidgeSpectrum(Design design, double[] gram, double[] xty, double ySquared)
    {
        _design = design;
        _yc = [];
        _ySquared = ySquared;
        _columns = DirectSolver.IncludedColumns(design);
        _k = _columns.Length;
        _gram = (double[])gram.Clone();
        _xty = xty;
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

    /// <summary>
    /// β at every λ2 of <paramref name="l2"/> (standardized space, p x L column-major, excluded columns 0) as one product
    /// W·Ω, Ω[c, l] = (Uᵀỹ)_c/(μ_c + nλ2_l). In the primal form also what certifies them without a pass over the data,
    /// from the Gram matrix kept before the decomposition: ∇ = X̃ᵀỹ − X̃ᵀX̃·β (p x L, another product) and
    /// ‖ỹ − X̃β‖² = ‖ỹ‖² − βᵀX̃ᵀỹ − βᵀ∇; in the dual form those are null (certify from the data instead).
    /// </summary>
    public (double[] Betas, double[]? Gradients, double[]? ResidualSquared) Solve(double[] l2)
    {
        int m = _columns.Length, p = _design.P, count = l2.Length, k = _k;
        var omega = new double[k * count];
        for (int c = 0; c < k; c++)
            for (int l = 0; l < count; l++) omega[c * count + l] = _uty[c] * Shrinkage(c, l2[l]);
        // Primal: W holds V·√μ, so the weight is Uᵀỹ/(μ + nλ); dual: W = X̃ᵀU, same weight.
        var w = _w;
        var solution = new double[m * count];
        GemmKernel.Multiply(m, k, count, (c, start, target) =>
        {
            for (int i = 0; i < target.Length; i++) target[i] = w[(start + i) * k + c];
        }, omega, solution);
        var betas = new double[p * count];
        for (int l = 0; l < count; l++)
            for (int a = 0; a < m; a++) betas[l * p + _columns[a]] = solution[l * m + a];
        if (_gram is not { } gram || _xty is not { } xty) return (betas, null, null);

        var rowMajor = new double[m * count];
        for (int l = 0; l < count; l++)
            for (int a = 0; a < m; a++) rowMajor[a * count + l] = solution[l * m + a];
        var product = new double[m * count];
        GemmKernel.Multiply(m, m, count, (c, start, target) => gram.AsSpan(c * m + start, target.Length).CopyTo(target), rowMajor, product);
        var gradients = new double[p * count];
        var residualSquared = new double[count];
        double ySquared = _ySquared;
        for (int l = 0; l < count; l++)
        {
            double fit = 0, along = 0;
            for (int a = 0; a < m; a++)
            {
                double b = solution[l * m + a], g = xty[a] - product[l * m + a];
                gradients[l * p + _columns[a]] = g;
                fit += b * xty[a];
                along += b * g;
            }
            residualSquared[l] = Math.Max(ySquared - fit - along, 0);
        }
        return (betas, gradients, residualSquared);
    }

    /// <summary>Σ μ/(μ + nλ2): the trace of the ridge hat matrix, without the intercept.</summary>
    public double EffectiveDegreesOfFreedom(double l2)
    {
        double df = 0;
        for (int c = 0; c < _k; c++) df += _mu[c] * Shrinkage(c, l2);
        return df;
    }

    /// <summary>
    /// Leave-one-out residuals e_i/(1 − h_ii) of the linear smoother at every λ2 of <paramref name="l2"/>, the hat
    /// matrix including 1/n for the intercept: exact for ridge with the centring and scaling of the full data held fixed
    /// (as scikit-learn's RidgeCV). For all λ at once, fitted values are U·(diag(Uᵀỹ)·F) and hat diagonals (U∘U)·F,
    /// F[c, l] = μ_c/(μ_c + nλ2_l): two blocked products of n·k·L multiply-adds, by blocks of rows in parallel, each
    /// block of U made just before (primal form) so that U (n x m) is never stored.
    /// With weights they are those of the √w-scaled problem, √w_i·e_i/(1 − h_ii).
    /// </summary>
    /// <param name="result">n x L, column-major: column l holds the residuals at l2[l].</param>
    /// <returns>The generalized cross-validation score mean(e²)/(1 − tr(H)/n)² at each λ2.</returns>
    public double[] LeaveOneOutResiduals(double[] l2, bool intercept, double[] result)
    {
        if (_u is null && _toLeft is null) throw new InvalidOperationException("left singular vectors were not computed");
        int n = _design.N, count = l2.Length, k = _k;
        var filter = new double[k * count];
        var weighted = new double[k * count];
        for (int c = 0; c < k; c++)
            for (int l = 0; l < count; l++)
            {
                filter[c * count + l] = _mu[c] * Shrinkage(c, l2[l]);
                weighted[c * count + l] = filter[c * count + l] * _uty[c];
            }
        var packedFilter = new GemmKernel.PackedB(filter, k, count);
        var packedWeighted = new GemmKernel.PackedB(weighted, k, count);
        var fitted = new double[n * count];
        var hats = new double[n * count];
        var design = _design;
        var columns = _columns;
        var stored = _u;
        var toLeft = _toLeft;
        const int Rows = GemmKernel.Mc;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, (n + Rows - 1) / Rows, options, () => (Workspace: new GemmKernel.Workspace(), Left: new double[Rows * k]), (block, _, local) =>
        {
            int r0 = block * Rows, height = Math.Min(Rows, n - r0);
            GemmKernel.ColumnSource left;
            if (stored is not null)
            {
                left = (c, start, target) => stored.AsSpan(c * n + start, target.Length).CopyTo(target);
            }
            else
            {
                var u = local.Left;
                Array.Clear(u, 0, height * k);
                GemmKernel.MultiplyBlock((a, start, target) => DirectSolver.Transformed(design, columns[a], start, target), r0, height, toLeft!, u, height, 0, local.Workspace);
                left = (c, start, target) => u.AsSpan(c * height + start - r0, target.Length).CopyTo(target);
            }
            GemmKernel.MultiplyBlock(left, r0, height, packedWeighted, fitted, n, r0, local.Workspace);
            GemmKernel.MultiplyBlock((c, start, target) =>
            {
                left(c, start, target);
                for (int i = 0; i < target.Length; i++) target[i] *= target[i];
            }, r0, height, packedFilter, hats, n, r0, local.Workspace);
            return local;
        }, _ => { });
        var gcv = new double[count];
        var root = _design.Root;
        for (int l = 0; l < count; l++)
        {
            double rss = 0;
            for (int i = 0; i < n; i++)
            {
                double e = _yc[i] - fitted[l * n + i];
                // The intercept's column in the weighted problem is √w, so its share of the hat diagonal is w_i/n.
                double hat = hats[l * n + i] + (!intercept ? 0 : root is null ? 1.0 / n : root[i] * root[i] / n);
                result[l * n + i] = e / (1 - hat);
                rss += e * e;
            }
            double trace = (intercept ? 1 : 0) + EffectiveDegreesOfFreedom(l2[l]);
            double shrink = 1 - trace / n;
            gcv[l] = rss / n / (shrink * shrink);
        }
        return gcv;
    }
}
