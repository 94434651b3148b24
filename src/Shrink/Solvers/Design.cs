namespace Shrink.Solvers;

/// <summary>
/// A column-major design with its implicit transform x̃_ij = √w_i·(x_ij − center_j)/scale_j, applied inside the
/// solvers rather than by copying the data. Observation weights enter as that row scale √w (so the solvers see an
/// unweighted problem); excluded columns (constant, all zero, or excluded by the user) are not variables.
/// The per-variable penalty factors and bounds live here too, because every coordinate update needs them next to
/// the column's norm. Built once by the API layer; solvers read it and never validate.
/// </summary>
internal sealed class Design
{
    public required double[] X { get; init; }
    public required int N { get; init; }
    public required int P { get; init; }
    public required double[] Center { get; init; }
    public required double[] Scale { get; init; }
    /// <summary>‖x̃_j‖²/n.</summary>
    public required double[] NormSquaredOverN { get; init; }
    public required bool[] Excluded { get; init; }

    /// <summary>√w_i for weighted problems (weights normalised to sum to n); null when every weight is 1.</summary>
    public double[]? Root { get; init; }

    /// <summary>Penalty factor f_j ≥ 0 of each variable (the L1 and L2 weights are multiplied by it); null for all 1.</summary>
    public double[]? Factor { get; init; }

    /// <summary>Bounds on the standardized coefficients (lower ≤ 0 ≤ upper, infinite when absent); null when unbounded.</summary>
    public double[]? Lower { get; init; }

    /// <inheritdoc cref="Lower"/>
    public double[]? Upper { get; init; }

    public ReadOnlySpan<double> Column(int j) => X.AsSpan(j * N, N);

    public int IncludedCount => Excluded.Count(e => !e);

    public double FactorOf(int j) => Factor is null ? 1 : Factor[j];

    public double LowerOf(int j) => Lower is null ? double.NegativeInfinity : Lower[j];

    public double UpperOf(int j) => Upper is null ? double.PositiveInfinity : Upper[j];

    /// <summary>True when the penalty is not the same plain one on every variable (factors or bounds are in play).</summary>
    public bool Shaped => Factor is not null || Lower is not null || Upper is not null;

    public bool Bounded => Lower is not null || Upper is not null;

    /// <summary>x̃_jᵀr.</summary>
    public double Dot(int j, ReadOnlySpan<double> r) =>
        (Root is null ? Kernels.DotShifted(Column(j), Center[j], r) : Kernels.DotShiftedScaled(Column(j), Center[j], Root, r)) / Scale[j];

    /// <summary>r += α·x̃_j.</summary>
    public void AddTo(int j, double alpha, Span<double> r)
    {
        if (Root is null) Kernels.AxpyShifted(alpha / Scale[j], Column(j), Center[j], r);
        else Kernels.AxpyShiftedScaled(alpha / Scale[j], Column(j), Center[j], Root, r);
    }

    /// <summary>The same columns and transform with a different set of variables (no data is copied).</summary>
    public Design WithExcluded(bool[] excluded) => new()
    {
        X = X, N = N, P = P, Center = Center, Scale = Scale, NormSquaredOverN = NormSquaredOverN, Excluded = excluded,
        Root = Root, Factor = Factor, Lower = Lower, Upper = Upper,
    };
}
