namespace Shrink.Solvers;

/// <summary>
/// A column-major design with its implicit transform x̃_j = (x_j − center_j)/scale_j, applied inside the solvers
/// rather than by copying the data. Excluded columns (constant, or all zero) are not variables of the problem.
/// Built once by the API layer; solvers read it and never validate.
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

    public ReadOnlySpan<double> Column(int j) => X.AsSpan(j * N, N);

    public int IncludedCount => Excluded.Count(e => !e);
}
