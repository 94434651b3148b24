using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Shrink.Solvers;

/// <summary>
/// X̃ᵀX̃ (and X̃ᵀỹ) over chosen columns, as a blocked symmetric rank-k update: blocks of rows are centred and scaled
/// into a small column-major buffer (exact small pieces instead of raw cross-products minus n·mean², which cancel
/// when means dwarf spreads), then 4 x 4 tiles of the product are accumulated in registers, 16 multiply-adds per
/// 8 loads. Tiles run in parallel; each entry is summed over row blocks in the same order whatever the thread
/// count, so the result is deterministic.
/// </summary>
internal static class GramKernel
{
    private const int BlockRows = 512;
    private const int Tile = 4;

    /// <param name="into">Where to write the result (m·m values at least; cleared first), for a caller that computes many; null for a new array.</param>
    /// <returns>The m x m Gram matrix, row-major, both triangles.</returns>
    public static double[] Compute(Design design, ReadOnlySpan<double> yc, int[] columns, Span<double> xty, double[]? into = null)
    {
        if (design.IsSparse) return Sparse(design, yc, columns, xty);
        int n = design.N, m = columns.Length;
        var gram = into ?? new double[m * m];
        if (into is not null) Array.Clear(into, 0, m * m);
        if (m == 0) return gram;
        xty.Clear();
        int rowsMax = Math.Min(BlockRows, Math.Max(n, 1));
        // Padded to whole tiles with zero columns so the microkernel never branches.
        int padded = (m + Tile - 1) / Tile * Tile;
        var block = new double[rowsMax * padded];
        int tiles = padded / Tile;
        var pairs = new List<(int A, int B)>();
        for (int a = 0; a < tiles; a++)
            for (int b = 0; b <= a; b++) pairs.Add((a, b));
        var pairArray = pairs.ToArray();
        var ycArray = yc.ToArray();

        for (int r0 = 0; r0 < n; r0 += BlockRows)
        {
            int rows = Math.Min(BlockRows, n - r0);
            Array.Clear(block);
            for (int a = 0; a < m; a++)
            {
                int j = columns[a];
                var source = design.Column(j).Slice(r0, rows);
                var target = block.AsSpan(a * rows, rows);
                double c = design.Center[j], s = design.Scale[j];
                if (design.Root is { } root)
                    for (int i = 0; i < rows; i++) target[i] = (source[i] - c) / s * root[r0 + i];
                else
                    for (int i = 0; i < rows; i++) target[i] = (source[i] - c) / s;
                if (!xty.IsEmpty) xty[a] += Kernels.Dot(target, ycArray.AsSpan(r0, rows));
            }
            int blockRows = rows;
            Parallel.For(0, pairArray.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, t =>
            {
                var (ta, tb) = pairArray[t];
                TileProduct(block, blockRows, ta * Tile, tb * Tile, gram, m);
            });
        }
        for (int a = 0; a < m; a++)
            for (int b = 0; b < a; b++) gram[b * m + a] = gram[a * m + b];
        return gram;
    }

    /// <summary>
    /// The sparse form: x̃_aᵀx̃_b = (Σ w·x_a·x_b − c_a·Σw·x_b − c_b·Σw·x_a + n·c_a·c_b)/(s_a·s_b), the first sum over
    /// stored entries only (column a scattered into a dense buffer, column b's entries gathered from it), so the cost
    /// is m times the stored entries of the columns rather than n·m². Rows of the result run in parallel; each entry
    /// is summed by one thread in a fixed order, so the result does not depend on the thread count.
    /// </summary>
    private static double[] Sparse(Design design, ReadOnlySpan<double> yc, int[] columns, Span<double> xty)
    {
        int n = design.N, m = columns.Length;
        var gram = new double[m * m];
        if (m == 0) return gram;
        if (!xty.IsEmpty)
        {
            double rootDotY = design.RootDot(yc);
            for (int a = 0; a < m; a++) xty[a] = design.Dot(columns[a], yc, rootDotY);
        }
        var starts = design.ColumnStarts!;
        var rows = design.RowIndices!;
        var values = design.X;
        var sums = design.WeightedSum!;
        var root = design.Root;
        // Each worker's scatter buffer (n values) is rented and returned clean: a sparse path polishes at many λ, and n
        // values per worker per call would otherwise pile up as large-object garbage.
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, () => RentZeroed(n), (a, _, buffer) =>
        {
            int ja = columns[a];
            for (int k = starts[ja]; k < starts[ja + 1]; k++)
            {
                int i = rows[k];
                buffer[i] = root is null ? values[k] : values[k] * root[i] * root[i];
            }
            double ca = design.Center[ja], sa = design.Scale[ja];
            for (int b = 0; b <= a; b++)
            {
                int jb = columns[b];
                double raw = 0;
                for (int k = starts[jb]; k < starts[jb + 1]; k++) raw += values[k] * buffer[rows[k]];
                double cb = design.Center[jb];
                gram[a * m + b] = (raw - ca * sums[jb] - cb * sums[ja] + n * ca * cb) / (sa * design.Scale[jb]);
            }
            for (int k = starts[ja]; k < starts[ja + 1]; k++) buffer[rows[k]] = 0;
            return buffer;
        }, buffer => System.Buffers.ArrayPool<double>.Shared.Return(buffer));
        for (int a = 0; a < m; a++)
            for (int b = 0; b < a; b++) gram[b * m + a] = gram[a * m + b];
        return gram;
    }

    private static double[] RentZeroed(int n)
    {
        var buffer = System.Buffers.ArrayPool<double>.Shared.Rent(Math.Max(n, 1));
        Array.Clear(buffer, 0, n);
        return buffer;
    }

    /// <summary>Columns padded up to a whole number of tiles: what a block for <see cref="AddProducts"/> must hold.</summary>
    public static int PaddedColumns(int m) => (m + Tile - 1) / Tile * Tile;

    /// <summary>
    /// gram += BᵀB (lower triangle only, m x m row-major) for a column-major block B of <paramref name="rows"/> rows and
    /// <see cref="PaddedColumns"/>(m) columns, the padding columns zero. Sequential: callers parallelise over blocks.
    /// </summary>
    public static void AddProducts(double[] block, int rows, int m, double[] gram)
    {
        int tiles = PaddedColumns(m) / Tile;
        for (int a = 0; a < tiles; a++)
            for (int b = 0; b <= a; b++) TileProduct(block, rows, a * Tile, b * Tile, gram, m);
    }

    /// <summary>Adds the 4 x 4 tile of block columns a0..a0+3 against b0..b0+3 into the lower triangle of the Gram.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileProduct(double[] block, int rows, int a0, int b0, double[] gram, int m)
    {
        Span<double> sums = stackalloc double[Tile * Tile];
        ref double start = ref block[0];
        int vectorRows = Vector256.IsHardwareAccelerated ? rows / 4 * 4 : 0;
        if (vectorRows > 0)
        {
            var c00 = Vector256<double>.Zero; var c01 = c00; var c02 = c00; var c03 = c00;
            var c10 = c00; var c11 = c00; var c12 = c00; var c13 = c00;
            var c20 = c00; var c21 = c00; var c22 = c00; var c23 = c00;
            var c30 = c00; var c31 = c00; var c32 = c00; var c33 = c00;
            ref double pa0 = ref Unsafe.Add(ref start, a0 * rows);
            ref double pa1 = ref Unsafe.Add(ref pa0, rows);
            ref double pa2 = ref Unsafe.Add(ref pa1, rows);
            ref double pa3 = ref Unsafe.Add(ref pa2, rows);
            ref double pb0 = ref Unsafe.Add(ref start, b0 * rows);
            ref double pb1 = ref Unsafe.Add(ref pb0, rows);
            ref double pb2 = ref Unsafe.Add(ref pb1, rows);
            ref double pb3 = ref Unsafe.Add(ref pb2, rows);
            for (int i = 0; i < vectorRows; i += 4)
            {
                var x0 = Vector256.LoadUnsafe(ref pa0, (nuint)i);
                var x1 = Vector256.LoadUnsafe(ref pa1, (nuint)i);
                var x2 = Vector256.LoadUnsafe(ref pa2, (nuint)i);
                var x3 = Vector256.LoadUnsafe(ref pa3, (nuint)i);
                var y0 = Vector256.LoadUnsafe(ref pb0, (nuint)i);
                var y1 = Vector256.LoadUnsafe(ref pb1, (nuint)i);
                var y2 = Vector256.LoadUnsafe(ref pb2, (nuint)i);
                var y3 = Vector256.LoadUnsafe(ref pb3, (nuint)i);
                c00 = Vector256.FusedMultiplyAdd(x0, y0, c00); c01 = Vector256.FusedMultiplyAdd(x0, y1, c01);
                c02 = Vector256.FusedMultiplyAdd(x0, y2, c02); c03 = Vector256.FusedMultiplyAdd(x0, y3, c03);
                c10 = Vector256.FusedMultiplyAdd(x1, y0, c10); c11 = Vector256.FusedMultiplyAdd(x1, y1, c11);
                c12 = Vector256.FusedMultiplyAdd(x1, y2, c12); c13 = Vector256.FusedMultiplyAdd(x1, y3, c13);
                c20 = Vector256.FusedMultiplyAdd(x2, y0, c20); c21 = Vector256.FusedMultiplyAdd(x2, y1, c21);
                c22 = Vector256.FusedMultiplyAdd(x2, y2, c22); c23 = Vector256.FusedMultiplyAdd(x2, y3, c23);
                c30 = Vector256.FusedMultiplyAdd(x3, y0, c30); c31 = Vector256.FusedMultiplyAdd(x3, y1, c31);
                c32 = Vector256.FusedMultiplyAdd(x3, y2, c32); c33 = Vector256.FusedMultiplyAdd(x3, y3, c33);
            }
            sums[0] = Vector256.Sum(c00); sums[1] = Vector256.Sum(c01); sums[2] = Vector256.Sum(c02); sums[3] = Vector256.Sum(c03);
            sums[4] = Vector256.Sum(c10); sums[5] = Vector256.Sum(c11); sums[6] = Vector256.Sum(c12); sums[7] = Vector256.Sum(c13);
            sums[8] = Vector256.Sum(c20); sums[9] = Vector256.Sum(c21); sums[10] = Vector256.Sum(c22); sums[11] = Vector256.Sum(c23);
            sums[12] = Vector256.Sum(c30); sums[13] = Vector256.Sum(c31); sums[14] = Vector256.Sum(c32); sums[15] = Vector256.Sum(c33);
        }
        for (int u = 0; u < Tile; u++)
            for (int v = 0; v < Tile; v++)
            {
                double s = sums[u * Tile + v];
                var colA = block.AsSpan((a0 + u) * rows, rows);
                var colB = block.AsSpan((b0 + v) * rows, rows);
                for (int i = vectorRows; i < rows; i++) s += colA[i] * colB[i];
                int a = a0 + u, b = b0 + v;
                if (a < m && b < m && b <= a) gram[a * m + b] += s;
            }
    }
}
