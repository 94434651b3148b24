using Shrink.Solvers;
using Xunit;

namespace Shrink.Tests;

/// <summary>The blocked product against the textbook triple loop, across the block and tile edges.</summary>
public class GemmTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 5)]
    [InlineData(8, 6, 6)]
    [InlineData(9, 257, 13)]
    [InlineData(130, 1, 7)]
    [InlineData(257, 300, 1)]
    [InlineData(300, 600, 19)]
    public void Product_equals_the_naive_triple_loop(int rows, int depth, int cols)
    {
        var rng = new Random(rows * 31 + depth * 7 + cols);
        var a = Enumerable.Range(0, rows * depth).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var b = Enumerable.Range(0, depth * cols).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var c = Enumerable.Repeat(double.NaN, rows * cols).ToArray(); // overwritten, not accumulated into
        GemmKernel.Multiply(rows, depth, cols, Source(a, rows), b, c);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double s = 0, magnitude = 0;
                for (int k = 0; k < depth; k++)
                {
                    s += a[k * rows + i] * b[k * cols + j];
                    magnitude += Math.Abs(a[k * rows + i] * b[k * cols + j]);
                }
                Assert.True(Math.Abs(c[j * rows + i] - s) <= 1e-14 * magnitude, $"C[{i},{j}] = {c[j * rows + i]}, expected {s}");
            }
    }

    /// <summary>The column source is how A is read: here it squares a matrix on the fly, as leave-one-out does.</summary>
    [Fact]
    public void Column_source_transforms_are_applied()
    {
        const int rows = 21, depth = 10, cols = 3;
        var rng = new Random(5);
        var a = Enumerable.Range(0, rows * depth).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var b = Enumerable.Range(0, depth * cols).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var squared = a.Select(x => x * x).ToArray();
        var expected = new double[rows * cols];
        var actual = new double[rows * cols];
        GemmKernel.Multiply(rows, depth, cols, Source(squared, rows), b, expected);
        GemmKernel.Multiply(rows, depth, cols, (k, start, target) =>
        {
            for (int i = 0; i < target.Length; i++) target[i] = a[k * rows + start + i] * a[k * rows + start + i];
        }, b, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Empty_dimensions_give_zeros()
    {
        var c = new double[6];
        Array.Fill(c, 1.0);
        GemmKernel.Multiply(2, 0, 3, (_, _, _) => throw new InvalidOperationException(), [], c);
        Assert.All(c, x => Assert.Equal(0, x));
    }

    [Theory]
    [InlineData(1000, 70, 30)]
    [InlineData(513, 300, 100)]
    public void The_result_does_not_depend_on_the_thread_count(int rows, int depth, int cols)
    {
        var rng = new Random(11);
        var a = Enumerable.Range(0, rows * depth).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var b = Enumerable.Range(0, depth * cols).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var one = new double[rows * cols];
        var many = new double[rows * cols];
        GemmKernel.Multiply(rows, depth, cols, Source(a, rows), b, one, threads: 1);
        GemmKernel.Multiply(rows, depth, cols, Source(a, rows), b, many, threads: 5);
        Assert.Equal(one, many);
    }

    private static GemmKernel.ColumnSource Source(double[] a, int rows) =>
        (k, start, target) => a.AsSpan(k * rows + start, target.Length).CopyTo(target);
}
