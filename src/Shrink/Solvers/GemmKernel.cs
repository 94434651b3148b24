using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Shrink.Solvers;

/// <summary>
/// Dense product C = A·B with A (rows x depth) column-major and read through a caller's column source (so the implicit
/// standardized design, or the squares of a matrix, need no copy), B (depth x cols) row-major and C column-major.
/// Blocked for the caches: B is packed once into panels of <see cref="Nr"/> columns; each block of
/// <see cref="Mc"/> rows of A is packed, per chunk of <see cref="Kc"/> of the depth, into panels of <see cref="Mr"/> rows;
/// an 8 x 6 register tile of C then takes 12 fused multiply-adds per 2 vector loads and 6 broadcasts.
/// Row blocks run in parallel; every entry of C is summed over the depth in the same order whatever the thread count,
/// so the result is deterministic.
/// </summary>
internal static class GemmKernel
{
    internal const int Mr = 8, Nr = 6, Mc = 128, Kc = 256;

    /// <summary>Writes rows [start, start + target.Length) of column <paramref name="column"/> of A into target.</summary>
    public delegate void ColumnSource(int column, int start, Span<double> target);

    /// <summary>B (depth x cols, row-major) packed into panels of Nr columns, ready for any number of row blocks of A.</summary>
    internal sealed class PackedB
    {
        public PackedB(double[] b, int depth, int cols)
        {
            Depth = depth;
            Cols = cols;
            Panels = (cols + Nr - 1) / Nr;
            // Panel q holds, for k = 0..depth−1, the Nr values B[k, q·Nr ..] (zero past the last column).
            Data = new double[Panels * depth * Nr];
            for (int q = 0; q < Panels; q++)
                for (int k = 0; k < depth; k++)
                    for (int v = 0; v < Nr && q * Nr + v < cols; v++)
                        Data[(q * depth + k) * Nr + v] = b[k * cols + q * Nr + v];
        }

        public int Depth { get; }
        public int Cols { get; }
        public int Panels { get; }
        public double[] Data { get; }
    }

    /// <summary>One thread's packing space for <see cref="MultiplyBlock"/>.</summary>
    internal sealed class Workspace
    {
        public double[] Packed { get; } = new double[Mc * Kc];
        public double[] Column { get; } = new double[Mc];
    }

    /// <param name="b">depth x cols, row-major.</param>
    /// <param name="c">rows x cols, column-major (overwritten).</param>
    /// <param name="threads">Degree of parallelism (tests vary it; the result does not depend on it).</param>
    public static void Multiply(int rows, int depth, int cols, ColumnSource a, double[] b, double[] c, int threads = 0)
    {
        Array.Clear(c, 0, rows * cols);
        if (rows == 0 || cols == 0 || depth == 0) return;
        var packed = new PackedB(b, depth, cols);
        int blocks = (rows + Mc - 1) / Mc;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, blocks, options, () => new Workspace(), (block, _, workspace) =>
        {
            int r0 = block * Mc;
            MultiplyBlock(a, r0, Math.Min(Mc, rows - r0), packed, c, rows, r0, workspace);
            return workspace;
        }, _ => { });
    }

    /// <summary>
    /// Rows a0..a0+height−1 of A·B added into C from row c0 (column-major, leading dimension ldc), on the calling thread;
    /// height at most <see cref="Mc"/>. C's block must start at zero for C = A·B.
    /// </summary>
    public static void MultiplyBlock(ColumnSource a, int a0, int height, PackedB b, double[] c, int ldc, int c0, Workspace workspace)
    {
        int depth = b.Depth, cols = b.Cols;
        int rowPanels = (height + Mr - 1) / Mr;
        for (int k0 = 0; k0 < depth; k0 += Kc)
        {
            int chunk = Math.Min(Kc, depth - k0);
            PackA(a, a0, height, k0, chunk, workspace.Packed, workspace.Column);
            for (int q = 0; q < b.Panels; q++)
            {
                int width = Math.Min(Nr, cols - q * Nr);
                for (int p = 0; p < rowPanels; p++)
                {
                    int tall = Math.Min(Mr, height - p * Mr);
                    Tile(chunk, workspace.Packed, p * chunk * Mr, b.Data, (q * depth + k0) * Nr, c, ldc, c0 + p * Mr, q * Nr, tall, width);
                }
            }
        }
    }

    /// <summary>Rows r0..r0+height−1, depth k0..k0+chunk−1 of A into panels of Mr rows: panel p holds, per k, Mr values.</summary>
    private static void PackA(ColumnSource a, int r0, int height, int k0, int chunk, double[] packed, double[] column)
    {
        int rowPanels = (height + Mr - 1) / Mr;
        if (height % Mr != 0) Array.Clear(packed, 0, rowPanels * chunk * Mr);
        var values = column.AsSpan(0, height);
        for (int k = 0; k < chunk; k++)
        {
            a(k0 + k, r0, values);
            for (int p = 0; p < rowPanels; p++)
            {
                int tall = Math.Min(Mr, height - p * Mr);
                values.Slice(p * Mr, tall).CopyTo(packed.AsSpan((p * chunk + k) * Mr, tall));
            }
        }
    }

    /// <summary>C[i0.., j0..] (tall x width of the 8 x 6 tile) += packed A panel · packed B panel over chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(int chunk, double[] packedA, int aOffset, double[] packedB, int bOffset, double[] c, int ldc, int i0, int j0, int tall, int width)
    {
        ref double pa = ref packedA[aOffset];
        ref double pb = ref packedB[bOffset];
        if (Vector256.IsHardwareAccelerated)
        {
            var c00 = Vector256<double>.Zero; var c10 = c00;
            var c01 = c00; var c11 = c00;
            var c02 = c00; var c12 = c00;
            var c03 = c00; var c13 = c00;
            var c04 = c00; var c14 = c00;
            var c05 = c00; var c15 = c00;
            // The panels are walked by moving references (not by k·Mr, k·Nr indices): the loop is 12 multiply-adds,
            // 8 loads and two pointer bumps, which keeps the front end ahead of the two FMA pipes.
            ref double ak = ref pa;
            ref double bk = ref pb;
            for (int k = 0; k < chunk; k++)
            {
                var a0 = Vector256.LoadUnsafe(ref ak);
                var a1 = Vector256.LoadUnsafe(ref ak, 4);
                var b = Vector256.Create(bk);
                c00 = Vector256.FusedMultiplyAdd(a0, b, c00); c10 = Vector256.FusedMultiplyAdd(a1, b, c10);
                b = Vector256.Create(Unsafe.Add(ref bk, 1));
                c01 = Vector256.FusedMultiplyAdd(a0, b, c01); c11 = Vector256.FusedMultiplyAdd(a1, b, c11);
                b = Vector256.Create(Unsafe.Add(ref bk, 2));
                c02 = Vector256.FusedMultiplyAdd(a0, b, c02); c12 = Vector256.FusedMultiplyAdd(a1, b, c12);
                b = Vector256.Create(Unsafe.Add(ref bk, 3));
                c03 = Vector256.FusedMultiplyAdd(a0, b, c03); c13 = Vector256.FusedMultiplyAdd(a1, b, c13);
                b = Vector256.Create(Unsafe.Add(ref bk, 4));
                c04 = Vector256.FusedMultiplyAdd(a0, b, c04); c14 = Vector256.FusedMultiplyAdd(a1, b, c14);
                b = Vector256.Create(Unsafe.Add(ref bk, 5));
                c05 = Vector256.FusedMultiplyAdd(a0, b, c05); c15 = Vector256.FusedMultiplyAdd(a1, b, c15);
                ak = ref Unsafe.Add(ref ak, Mr);
                bk = ref Unsafe.Add(ref bk, Nr);
            }
            if (tall == Mr && width == Nr)
            {
                Accumulate(c, (j0 + 0) * ldc + i0, c00, c10);
                Accumulate(c, (j0 + 1) * ldc + i0, c01, c11);
                Accumulate(c, (j0 + 2) * ldc + i0, c02, c12);
                Accumulate(c, (j0 + 3) * ldc + i0, c03, c13);
                Accumulate(c, (j0 + 4) * ldc + i0, c04, c14);
                Accumulate(c, (j0 + 5) * ldc + i0, c05, c15);
                return;
            }
            Span<double> tile = stackalloc double[Mr * Nr];
            c00.CopyTo(tile[0..]); c10.CopyTo(tile[4..]);
            c01.CopyTo(tile[8..]); c11.CopyTo(tile[12..]);
            c02.CopyTo(tile[16..]); c12.CopyTo(tile[20..]);
            c03.CopyTo(tile[24..]); c13.CopyTo(tile[28..]);
            c04.CopyTo(tile[32..]); c14.CopyTo(tile[36..]);
            c05.CopyTo(tile[40..]); c15.CopyTo(tile[44..]);
            for (int v = 0; v < width; v++)
                for (int u = 0; u < tall; u++) c[(j0 + v) * ldc + i0 + u] += tile[v * Mr + u];
            return;
        }
        // Scalar fallback: same order of summation per entry (over k, then added to C).
        for (int v = 0; v < width; v++)
            for (int u = 0; u < tall; u++)
            {
                double s = 0;
                for (int k = 0; k < chunk; k++) s = Math.FusedMultiplyAdd(Unsafe.Add(ref pa, k * Mr + u), Unsafe.Add(ref pb, k * Nr + v), s);
                c[(j0 + v) * ldc + i0 + u] += s;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(double[] c, int offset, Vector256<double> low, Vector256<double> high)
    {
        ref double target = ref c[offset];
        (Vector256.LoadUnsafe(ref target) + low).StoreUnsafe(ref target);
        (Vector256.LoadUnsafe(ref target, 4) + high).StoreUnsafe(ref target, 4);
    }
}
