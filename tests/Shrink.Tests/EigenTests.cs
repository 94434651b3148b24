using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

public class EigenTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 3)]
    [InlineData(40, 4)]
    [InlineData(120, 5)]
    public void Decomposition_reconstructs_the_matrix_with_orthonormal_vectors(int m, int seed)
    {
        var rng = new Random(seed);
        var b = Enumerable.Range(0, m * m).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var a = new double[m * m];
        // A = BᵀB/m plus a rank deficiency when m > 2 (a repeated row), so zero and repeated eigenvalues occur.
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                for (int k = 0; k < m; k++)
                {
                    int row = m > 2 && k == m - 1 ? 0 : k;
                    a[i * m + j] += b[row * m + i] * b[row * m + j] / m;
                }
        var original = (double[])a.Clone();
        var values = new double[m];
        SymmetricEigen.Decompose(a, m, values);

        double scale = original.Max(Math.Abs);
        for (int i = 1; i < m; i++) Assert.True(values[i - 1] <= values[i]);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double reconstructed = 0, dot = 0;
                for (int k = 0; k < m; k++)
                {
                    reconstructed += a[i * m + k] * values[k] * a[j * m + k];
                    dot += a[k * m + i] * a[k * m + j];
                }
                Assert.True(Math.Abs(reconstructed - original[i * m + j]) <= 1e-12 * scale * m, $"A[{i},{j}]");
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) <= 1e-12 * m, $"VᵀV[{i},{j}]");
            }
    }

    private const double Tolerance = 1e-12;

    /// <summary>Random symmetric matrices of the sizes the blocked passes split differently (1, 2, 3, 5, 64, 257).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(257)]
    public void Random_symmetric_matrices_are_reconstructed_by_orthonormal_vectors(int m)
    {
        var rng = new Random(m);
        var a = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++) a[i * m + j] = a[j * m + i] = RandomData.Gaussian(rng);
        AssertDecomposition(a, m);
    }

    /// <summary>Repeated eigenvalues: Q·diag(1, 1, 1, 2, 2, 5, 0, 0, ...)·Qᵀ with Q a random orthogonal matrix.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(257)]
    public void Degenerate_eigenvalues_are_found_with_orthonormal_vectors(int m)
    {
        var rng = new Random(m + 1);
        var q = RandomOrthogonal(m, rng);
        var spectrum = new double[m];
        for (int c = 0; c < m; c++) spectrum[c] = c < 3 ? 1 : c < 5 ? 2 : c == 5 ? 5 : 0;
        var a = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int c = 0; c < m; c++) s += q[i * m + c] * spectrum[c] * q[j * m + c];
                a[i * m + j] = s;
            }
        var values = AssertDecomposition(a, m);
        var expected = spectrum.Order().ToArray();
        for (int c = 0; c < m; c++) Assert.Equal(expected[c], values[c], 1e-12 * m);
    }

    /// <summary>A diagonal matrix (nothing to reduce) and the identity (one eigenvalue, every vector an eigenvector).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(70)]
    public void Diagonal_and_identity_matrices(int m)
    {
        var diagonal = new double[m * m];
        for (int i = 0; i < m; i++) diagonal[i * m + i] = (i * 7919) % 13 - 6;
        AssertDecomposition(diagonal, m);
        var identity = new double[m * m];
        for (int i = 0; i < m; i++) identity[i * m + i] = 1;
        var values = AssertDecomposition(identity, m);
        Assert.All(values, v => Assert.Equal(1, v, 1e-15));
    }

    /// <summary>Tridiagonal input (the reduction's reflectors are all trivial) and a matrix already reduced in its first rows.</summary>
    [Fact]
    public void Tridiagonal_input()
    {
        const int m = 33;
        var a = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            a[i * m + i] = 2;
            if (i > 0) a[i * m + i - 1] = a[(i - 1) * m + i] = -1;
        }
        var values = AssertDecomposition(a, m);
        // The eigenvalues of the second-difference matrix are 2 − 2cos(kπ/(m + 1)).
        for (int k = 1; k <= m; k++) Assert.Equal(2 - 2 * Math.Cos(k * Math.PI / (m + 1)), values[k - 1], 1e-13);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(300)]
    public void The_result_does_not_depend_on_the_thread_count(int m)
    {
        var rng = new Random(7);
        var a = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++) a[i * m + j] = a[j * m + i] = RandomData.Gaussian(rng);
        var one = (double[])a.Clone();
        var many = (double[])a.Clone();
        var valuesOne = new double[m];
        var valuesMany = new double[m];
        SymmetricEigen.Decompose(one, m, valuesOne, threads: 1);
        SymmetricEigen.Decompose(many, m, valuesMany, threads: 4);
        Assert.Equal(valuesOne, valuesMany);
        Assert.Equal(one, many);
    }

    /// <summary>Decomposes a copy of a and checks ascending order, ‖VᵀV − I‖ and ‖V·diag(μ)·Vᵀ − A‖ entry by entry.</summary>
    private static double[] AssertDecomposition(double[] a, int m)
    {
        var v = (double[])a.Clone();
        var values = new double[m];
        SymmetricEigen.Decompose(v, m, values);
        double scale = Math.Max(a.Max(Math.Abs), 1);
        for (int i = 1; i < m; i++) Assert.True(values[i - 1] <= values[i], $"values[{i - 1}] > values[{i}]");
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double reconstructed = 0, dot = 0;
                for (int k = 0; k < m; k++)
                {
                    reconstructed += v[i * m + k] * values[k] * v[j * m + k];
                    dot += v[k * m + i] * v[k * m + j];
                }
                Assert.True(Math.Abs(reconstructed - a[i * m + j]) <= Tolerance * scale * m, $"A[{i},{j}]: {reconstructed} vs {a[i * m + j]}");
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) <= Tolerance * m, $"VᵀV[{i},{j}] = {dot}");
            }
        return values;
    }

    /// <summary>The Q of a Gram–Schmidt QR of a Gaussian matrix (twice, for orthogonality to rounding).</summary>
    private static double[] RandomOrthogonal(int m, Random rng)
    {
        var q = new double[m * m];
        for (int c = 0; c < m; c++)
        {
            var column = Enumerable.Range(0, m).Select(_ => RandomData.Gaussian(rng)).ToArray();
            for (int pass = 0; pass < 2; pass++)
                for (int b = 0; b < c; b++)
                {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += q[i * m + b] * column[i];
                    for (int i = 0; i < m; i++) column[i] -= dot * q[i * m + b];
                }
            double norm = Math.Sqrt(column.Sum(x => x * x));
            for (int i = 0; i < m; i++) q[i * m + c] = column[i] / norm;
        }
        return q;
    }
}
