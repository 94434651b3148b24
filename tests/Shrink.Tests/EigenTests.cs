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
}
