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

    /// <summary>The per-block entry point, as leave-one-out uses it: rows of A from an offset, into C at another offset.</summary>
    [Fact]
    public void Blocks_at_offsets_add_up_to_the_whole_product()
    {
        const int rows = 300, depth = 270, cols = 11;
        var rng = new Random(3);
        var a = Enumerable.Range(0, rows * depth).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var b = Enumerable.Range(0, depth * cols).Select(_ => RandomData.Gaussian(rng)).ToArray();
        var whole = new double[rows * cols];
        GemmKernel.Multiply(rows, depth, cols, Source(a, rows), b, whole);
        var packed = new GemmKernel.PackedB(b, depth, cols);
        var workspace = new GemmKernel.Workspace();
        var byBlocks = new double[rows * cols];
        for (int r0 = 0; r0 < rows; r0 += 97)
        {
            int height = Math.Min(97, rows - r0);
            // Through a local block first (C at row 0, leading dimension = height), then copied into place.
            var local = new double[height * cols];
            GemmKernel.MultiplyBlock(Source(a, rows), r0, height, packed, local, height, 0, workspace);
            for (int j = 0; j < cols; j++) local.AsSpan(j * height, height).CopyTo(byBlocks.AsSpan(j * rows + r0, height));
        }
        Assert.Equal(whole, byBlocks);
        var inPlace = new double[rows * cols];
        for (int r0 = 0; r0 < rows; r0 += 128)
            GemmKernel.MultiplyBlock(Source(a, rows), r0, Math.Min(128, rows - r0), packed, inPlace, rows, r0, workspace);
        Assert.Equal(whole, inPlace);
    }

    private static GemmKernel.ColumnSource Source(double[] a, int rows) =>
        (k, start, target) => a.AsSpan(k * rows + start, target.Length).CopyTo(target);
}
