using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Shrink.Solvers;

/// <summary>
/// X̃ᵀX̃ (and X̃ᵀỹ) over chosen columns. Dense designs: a symmetric rank-k update (SYRK) blocked as
/// <see cref="GemmKernel"/> is. Rows are taken in chunks of <see cref="GemmKernel.Kc"/>; each chunk of every column is
/// centred, scaled and multiplied by √w as it is packed (exact small pieces instead of raw cross-products minus
/// n·mean², which cancel when means dwarf spreads) into panels of 8 columns, interleaved row by row. A register tile
/// then multiplies panel p by panel q for q ≤ p only: both sides of the product are the same packed panels, so a chunk
/// is packed once, and only the tiles on or below the diagonal are computed, about half a general product. The tile
/// is 8 x 8 of 256-bit vectors (two 8 x 4 halves without AVX-512's extra registers); with 512-bit vectors, two panels
/// are taken at once against the same panel q, a 16 x 8 tile (<see cref="TilePair"/>): per row of the chunk 2 loads and
/// 8 broadcasts feed 16 multiply-adds of 8 lanes, where the 8 x 8 tile's 10 feed 16 of 4. On the dense benchmark's
/// Gram (10,000 x 1,000, 2 cores) that took the build from 0.140 to 0.124 s under Native AOT, and from 0.15-0.19 to
/// 0.14 s under the JIT, compiled once without profile data (an earlier 16 x 8 tile, which kept its accumulators in
/// memory there, had been a third slower).
/// Each entry is summed over the rows of a chunk in one register lane, in order, and added to the result chunk after
/// chunk in order, whatever the thread count: the result is deterministic.
/// </summary>
internal static class GramKernel
{
    private const int Mr = 8, Kc = GemmKernel.Kc;

    /// <summary>Below this many multiply-adds a Gram is formed on the calling thread (forking would cost more).</summary>
    private const long ParallelFrom = 1 << 20;

    /// <param name="into">Where to write the result (m·m values at least; cleared first), for a caller that computes many; null for a new array.</param>
    /// <returns>The m x m Gram matrix, row-major, both triangles.</returns>
    public static double[] Compute(Design design, ReadOnlySpan<double> yc, int[] columns, Span<double> xty, double[]? into = null)
    {
        if (design.IsSparse) return Sparse(design, yc, columns, xty);
        int n = design.N, m = columns.Length;
        var gram = into ?? new double[m * m];
        if (into is not null) Array.Clear(into, 0, m * m);
        if (m == 0) return gram;
        double[]? y = null, products = null;
        if (!xty.IsEmpty)
        {
            y = yc[..n].ToArray();
            products = new double[m];
        }
        Syrk(n, m, (a, start, target) => design.Transformed(columns[a], start, target), gram, new Workspace(m), y, products);
        products?.CopyTo(xty);
        return gram;
    }

    /// <summary>Packing space for <see cref="Syrk"/> over m columns (reusable for any number of rows).</summary>
    internal sealed class Workspace(int m)
    {
        public int Panels { get; } = (m + Mr - 1) / Mr;
        /// <summary>Panel p holds, for each row k of the chunk, the 8 values of columns 8p.. (zero past column m).</summary>
        public double[] Packed { get; } = new double[(m + Mr - 1) / Mr * Mr * Kc];
    }

    /// <summary>
    /// gram = XᵀX (m x m, row-major, both triangles; overwritten) for X of <paramref name="rows"/> rows and m columns read
    /// through <paramref name="x"/>; when <paramref name="y"/> is given, also xty = Xᵀy. <paramref name="threads"/>
    /// 0 means all cores; the result does not depend on it.
    /// </summary>
    public static void Syrk(int rows, int m, GemmKernel.ColumnSource x, double[] gram, Workspace workspace,
        double[]? y = null, double[]? xty = null, int threads = 0)
    {
        Array.Clear(gram, 0, m * m);
        xty?.AsSpan(0, m).Clear();
        if (m == 0 || rows == 0) return;
        if (threads <= 0) threads = Environment.ProcessorCount;
        if ((long)rows * m * m / 2 < ParallelFrom) threads = 1;
        var packed = workspace.Packed;
        int panels = workspace.Panels;
        // Work items are bands of rows of the result (whole panels), heaviest first: the band ending at panel p holds
        // about p tiles per panel, so taking them in that order balances the threads.
        int bandPanels = Math.Max(2, Math.Clamp(panels / (4 * threads), 1, GemmKernel.Mc / Mr) / 2 * 2); // whole pairs of panels
        int bands = (panels + bandPanels - 1) / bandPanels;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };

        for (int k0 = 0; k0 < rows; k0 += Kc)
        {
            int chunk = Math.Min(Kc, rows - k0);
            if (threads == 1)
                for (int g = 0; g < panels; g++) Pack(g, k0, chunk, m, x, packed, y, xty);
            else
                Parallel.For(0, panels, options, g => Pack(g, k0, chunk, m, x, packed, y, xty));

            if (threads == 1)
            {
                for (int band = bands - 1; band >= 0; band--) Band(band, bandPanels, chunk, m, packed, gram);
            }
            else
            {
                int next = bands;
                Parallel.For(0, threads, options, _ =>
                {
                    int band;
                    while ((band = Interlocked.Decrement(ref next)) >= 0) Band(band, bandPanels, chunk, m, packed, gram);
                });
            }
        }
        // The tiles hold entry (a, b), a ≥ b, at gram[b·m + a]; copy it across the diagonal, in blocks for the caches.
        const int Block = 32;
        for (int b0 = 0; b0 < m; b0 += Block)
            for (int a0 = b0; a0 < m; a0 += Block)
                for (int b = b0; b < Math.Min(b0 + Block, m); b++)
                    for (int a = Math.Max(a0, b + 1); a < Math.Min(a0 + Block, m); a++) gram[a * m + b] = gram[b * m + a];
    }

    /// <summary>Rows k0.. of columns 8g..8g+7 into panel g (zeros past column m), and their products with y.</summary>
    private static void Pack(int g, int k0, int chunk, int m, GemmKernel.ColumnSource x, double[] packed, double[]? y, double[]? xty) =>
        Pack(g, g, k0, chunk, m, x, packed, y, xty);

    /// <summary>Rows k0.. of columns 8g..8g+7 of x into panel <paramref name="into"/> of the buffer (zeros past column m).</summary>
    private static void Pack(int g, int into, int k0, int chunk, int m, GemmKernel.ColumnSource x, double[] packed, double[]? y, double[]? xty)
    {
        Span<double> columns = stackalloc double[Mr * Kc];
        for (int u = 0; u < Mr; u++)
        {
            int a = g * Mr + u;
            var column = columns.Slice(u * chunk, chunk);
            if (a < m)
            {
                x(a, k0, column);
                if (xty is not null && y is not null) xty[a] += Kernels.Dot(column, y.AsSpan(k0, chunk));
            }
            else
            {
                column.Clear();
            }
        }
        Interleave(columns, chunk, packed.AsSpan(into * chunk * Mr, chunk * Mr));
    }

    /// <summary>
    /// x̃_kᵀx̃_j for the m columns k read through <paramref name="x"/> and the b columns j of a batch read through
    /// <paramref name="t"/>: the panels and tiles of <see cref="Syrk"/>, the batch's panels packed after the m columns'.
    /// Every entry is the chain of multiply-adds the whole matrix has for it (products commute exactly), so a column
    /// computed in a batch equals the whole matrix's to the bit; and it is computed at the tiles' rate, where one dot
    /// product per entry ran at the memory's.
    /// </summary>
    /// <param name="result">b x m, row a the products of batch column a with the m columns (overwritten).</param>
    public static void Cross(int rows, int m, GemmKernel.ColumnSource x, int b, GemmKernel.ColumnSource t, double[] result, int threads = 0)
    {
        Array.Clear(result, 0, b * m);
        if (m == 0 || b == 0 || rows == 0) return;
        if (threads <= 0) threads = Environment.ProcessorCount;
        if ((long)rows * m * b < ParallelFrom) threads = 1;
        int panels = (m + Mr - 1) / Mr, batchPanels = (b + Mr - 1) / Mr;
        var packed = new double[(panels + batchPanels) * Mr * Kc];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        // Work items: pairs of the m columns' panels (a 16 x 8 tile against each batch panel where it is fast).
        int items = (panels + 1) / 2;
        for (int k0 = 0; k0 < rows; k0 += Kc)
        {
            int chunk = Math.Min(Kc, rows - k0);
            void PackOne(int g)
            {
                if (g < panels) Pack(g, g, k0, chunk, m, x, packed, null, null);
                else Pack(g - panels, g, k0, chunk, b, t, packed, null, null);
            }
            void Tiles(int item)
            {
                int r = 2 * item;
                for (int q = 0; q < batchPanels; q++)
                {
                    int bOffset = (panels + q) * chunk * Mr, j0 = q * Mr, width = Math.Min(Mr, b - j0);
                    for (int rr = r; rr < Math.Min(r + 2, panels); rr++)
                    {
                        int aOffset = rr * chunk * Mr, i0 = rr * Mr, tall = Math.Min(Mr, m - i0);
                        if (Wide && PairTiles && rr == r && rr + 1 < panels && (rr + 2) * Mr <= m && width == Mr)
                        {
                            TilePair(chunk, packed, aOffset, bOffset, result, m, i0, j0);
                            break;
                        }
                        if (ManyRegisters)
                        {
                            Tile(chunk, packed, aOffset, bOffset, result, m, i0, j0, tall, width);
                        }
                        else
                        {
                            HalfTile(chunk, packed, aOffset, bOffset, result, m, i0, j0, tall, Math.Min(width, Mr / 2));
                            if (width > Mr / 2) HalfTile(chunk, packed, aOffset, bOffset + Mr / 2, result, m, i0, j0 + Mr / 2, tall, width - Mr / 2);
                        }
                    }
                }
            }
            if (threads == 1)
            {
                for (int g = 0; g < panels + batchPanels; g++) PackOne(g);
                for (int item = 0; item < items; item++) Tiles(item);
            }
            else
            {
                Parallel.For(0, panels + batchPanels, options, PackOne);
                Parallel.For(0, items, options, Tiles);
            }
        }
    }

    /// <summary>panel[k·8 + u] = columns[u·chunk + k]: 8 columns of a chunk, interleaved row by row.</summary>
    private static void Interleave(ReadOnlySpan<double> columns, int chunk, Span<double> panel)
    {
        ref double source = ref MemoryMarshal.GetReference(columns);
        ref double target = ref MemoryMarshal.GetReference(panel);
        int k = 0;
        if (Avx.IsSupported)
        {
            // Four rows at a time: two 4 x 4 transposes (columns 0-3, then 4-7) by unpacks and 128-bit lane swaps.
            for (; k + 4 <= chunk; k += 4)
            {
                for (int half = 0; half < 2; half++)
                {
                    ref double c0 = ref Unsafe.Add(ref source, (4 * half) * chunk + k);
                    var r0 = Vector256.LoadUnsafe(ref c0);
                    var r1 = Vector256.LoadUnsafe(ref c0, (nuint)chunk);
                    var r2 = Vector256.LoadUnsafe(ref c0, (nuint)(2 * chunk));
                    var r3 = Vector256.LoadUnsafe(ref c0, (nuint)(3 * chunk));
                    var t0 = Avx.UnpackLow(r0, r1);   // r0[0] r1[0] r0[2] r1[2]
                    var t1 = Avx.UnpackHigh(r0, r1);  // r0[1] r1[1] r0[3] r1[3]
                    var t2 = Avx.UnpackLow(r2, r3);
                    var t3 = Avx.UnpackHigh(r2, r3);
                    ref double row = ref Unsafe.Add(ref target, k * Mr + 4 * half);
                    Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref row);                 // row k
                    Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref row, Mr);             // row k + 1
                    Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref row, 2 * Mr);         // row k + 2
                    Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref row, 3 * Mr);         // row k + 3
                }
            }
        }
        for (; k < chunk; k++)
            for (int u = 0; u < Mr; u++) Unsafe.Add(ref target, k * Mr + u) = Unsafe.Add(ref source, u * chunk + k);
    }

    /// <summary>The tiles on or below the diagonal in panels band·bandPanels.., added into gram for one chunk.</summary>
    private static void Band(int band, int bandPanels, int chunk, int m, double[] packed, double[] gram)
    {
        int panels = (m + Mr - 1) / Mr;
        int p0 = band * bandPanels, p1 = Math.Min(p0 + bandPanels, panels);
        // Panel q outside, the band's panels inside: q's chunk x 8 values stay in L1 while the band streams by.
        for (int q = 0; q < p1; q++)
        {
            int j0 = q * Mr, width = Math.Min(Mr, m - j0);
            for (int r = Math.Max(p0, q); r < p1; r++)
            {
                int aOffset = r * chunk * Mr, bOffset = q * chunk * Mr, i0 = r * Mr, tall = Math.Min(Mr, m - r * Mr);
                if (Wide && PairTiles && r + 1 < p1 && (r + 2) * Mr <= m && width == Mr)
                {
                    TilePair(chunk, packed, aOffset, bOffset, gram, m, i0, j0);
                    r++;
                }
                else if (ManyRegisters)
                {
                    Tile(chunk, packed, aOffset, bOffset, gram, m, i0, j0, tall, width);
                }
                else
                {
                    // 16 vector registers only (no AVX-512): the 8 x 8 tile's 16 accumulators would spill.
                    HalfTile(chunk, packed, aOffset, bOffset, gram, m, i0, j0, tall, Math.Min(width, Mr / 2));
                    if (width > Mr / 2) HalfTile(chunk, packed, aOffset, bOffset + Mr / 2, gram, m, i0, j0 + Mr / 2, tall, width - Mr / 2);
                }
            }
        }
    }

    /// <summary>
    /// AVX-512's 32 vector registers (EVEX encoding) hold the 8 x 8 tile's 16 accumulators without spilling. A property
    /// of JIT-time constants, not a static readonly field: compiled before the class is initialized (tiered compilation
    /// off), a field would be a load and a branch in the loop.
    /// </summary>
    private static bool ManyRegisters => Avx512F.VL.IsSupported || !Vector256.IsHardwareAccelerated;

    /// <summary>
    /// C[i0.., j0..] (tall x width ≤ 4) += panel p · 4 columns of panel q (from bOffset, stride 8) over chunk: the 8 x 4
    /// tile for 16-register machines; per entry the same sum in the same order as <see cref="Tile"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalfTile(int chunk, double[] packed, int aOffset, int bOffset, double[] c, int ldc, int i0, int j0, int tall, int width)
    {
        ref double ak = ref packed[aOffset];
        ref double bk = ref packed[bOffset];
        var c00 = Vector256<double>.Zero; var c10 = c00;
        var c01 = c00; var c11 = c00;
        var c02 = c00; var c12 = c00;
        var c03 = c00; var c13 = c00;
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
            ak = ref Unsafe.Add(ref ak, Mr);
            bk = ref Unsafe.Add(ref bk, Mr);
        }
        Span<double> tile = stackalloc double[Mr * 4];
        c00.CopyTo(tile[0..]); c10.CopyTo(tile[4..]);
        c01.CopyTo(tile[8..]); c11.CopyTo(tile[12..]);
        c02.CopyTo(tile[16..]); c12.CopyTo(tile[20..]);
        c03.CopyTo(tile[24..]); c13.CopyTo(tile[28..]);
        for (int v = 0; v < width; v++)
            for (int u = 0; u < tall; u++) c[(j0 + v) * ldc + i0 + u] += tile[v * Mr + u];
    }

    /// <summary>C[i0.., j0..] (tall x width of the 8 x 8 tile, column-major, leading dimension ldc) += panel·panelᵀ over chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(int chunk, double[] packed, int aOffset, int bOffset, double[] c, int ldc, int i0, int j0, int tall, int width)
    {
        ref double pa = ref packed[aOffset];
        ref double pb = ref packed[bOffset];
        if (Vector256.IsHardwareAccelerated)
        {
            // 16 accumulators, 2 loads and 8 broadcasts per row: with AVX-512's 32 vector registers nothing spills.
            var c00 = Vector256<double>.Zero; var c10 = c00;
            var c01 = c00; var c11 = c00;
            var c02 = c00; var c12 = c00;
            var c03 = c00; var c13 = c00;
            var c04 = c00; var c14 = c00;
            var c05 = c00; var c15 = c00;
            var c06 = c00; var c16 = c00;
            var c07 = c00; var c17 = c00;
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
                b = Vector256.Create(Unsafe.Add(ref bk, 6));
                c06 = Vector256.FusedMultiplyAdd(a0, b, c06); c16 = Vector256.FusedMultiplyAdd(a1, b, c16);
                b = Vector256.Create(Unsafe.Add(ref bk, 7));
                c07 = Vector256.FusedMultiplyAdd(a0, b, c07); c17 = Vector256.FusedMultiplyAdd(a1, b, c17);
                ak = ref Unsafe.Add(ref ak, Mr);
                bk = ref Unsafe.Add(ref bk, Mr);
            }
            if (tall == Mr && width == Mr)
            {
                Accumulate(c, (j0 + 0) * ldc + i0, c00, c10);
                Accumulate(c, (j0 + 1) * ldc + i0, c01, c11);
                Accumulate(c, (j0 + 2) * ldc + i0, c02, c12);
                Accumulate(c, (j0 + 3) * ldc + i0, c03, c13);
                Accumulate(c, (j0 + 4) * ldc + i0, c04, c14);
                Accumulate(c, (j0 + 5) * ldc + i0, c05, c15);
                Accumulate(c, (j0 + 6) * ldc + i0, c06, c16);
                Accumulate(c, (j0 + 7) * ldc + i0, c07, c17);
                return;
            }
            Span<double> tile = stackalloc double[Mr * Mr];
            c00.CopyTo(tile[0..]); c10.CopyTo(tile[4..]);
            c01.CopyTo(tile[8..]); c11.CopyTo(tile[12..]);
            c02.CopyTo(tile[16..]); c12.CopyTo(tile[20..]);
            c03.CopyTo(tile[24..]); c13.CopyTo(tile[28..]);
            c04.CopyTo(tile[32..]); c14.CopyTo(tile[36..]);
            c05.CopyTo(tile[40..]); c15.CopyTo(tile[44..]);
            c06.CopyTo(tile[48..]); c16.CopyTo(tile[52..]);
            c07.CopyTo(tile[56..]); c17.CopyTo(tile[60..]);
            for (int v = 0; v < width; v++)
                for (int u = 0; u < tall; u++) c[(j0 + v) * ldc + i0 + u] += tile[v * Mr + u];
            return;
        }
        // Scalar fallback: same order of summation per entry (over k, then added to C).
        for (int v = 0; v < width; v++)
            for (int u = 0; u < tall; u++)
            {
                double s = 0;
                for (int k = 0; k < chunk; k++) s = Math.FusedMultiplyAdd(Unsafe.Add(ref pa, k * Mr + u), Unsafe.Add(ref pb, k * Mr + v), s);
                c[(j0 + v) * ldc + i0 + u] += s;
            }
    }

    /// <summary>Whether two panels are tiled at once where 512-bit vectors are fast (tests switch it off to compare).</summary>
    internal static bool PairTiles { get; set; } = true;

    private static bool Wide => Vector512.IsHardwareAccelerated;

    /// <summary>
    /// Panels r and r + 1 against panel q (8 whole columns each): the 16 x 8 tile of 512-bit vectors, 16 accumulators,
    /// 2 loads and 8 broadcasts per row for 16 multiply-adds of 8 lanes. Each entry is the same chain of multiply-adds
    /// over the chunk as in <see cref="Tile"/>, so the result is the same to the bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TilePair(int chunk, double[] packed, int aOffset, int bOffset, double[] c, int ldc, int i0, int j0)
    {
        ref double ak = ref packed[aOffset];
        ref double a2 = ref packed[aOffset + chunk * Mr];
        ref double bk = ref packed[bOffset];
        var c0 = Vector512<double>.Zero; var d0 = c0;
        var c1 = c0; var d1 = c0;
        var c2 = c0; var d2 = c0;
        var c3 = c0; var d3 = c0;
        var c4 = c0; var d4 = c0;
        var c5 = c0; var d5 = c0;
        var c6 = c0; var d6 = c0;
        var c7 = c0; var d7 = c0;
        for (int k = 0; k < chunk; k++)
        {
            var x = Vector512.LoadUnsafe(ref ak);
            var y = Vector512.LoadUnsafe(ref a2);
            var b = Vector512.Create(bk);
            c0 = Vector512.FusedMultiplyAdd(x, b, c0); d0 = Vector512.FusedMultiplyAdd(y, b, d0);
            b = Vector512.Create(Unsafe.Add(ref bk, 1));
            c1 = Vector512.FusedMultiplyAdd(x, b, c1); d1 = Vector512.FusedMultiplyAdd(y, b, d1);
            b = Vector512.Create(Unsafe.Add(ref bk, 2));
            c2 = Vector512.FusedMultiplyAdd(x, b, c2); d2 = Vector512.FusedMultiplyAdd(y, b, d2);
            b = Vector512.Create(Unsafe.Add(ref bk, 3));
            c3 = Vector512.FusedMultiplyAdd(x, b, c3); d3 = Vector512.FusedMultiplyAdd(y, b, d3);
            b = Vector512.Create(Unsafe.Add(ref bk, 4));
            c4 = Vector512.FusedMultiplyAdd(x, b, c4); d4 = Vector512.FusedMultiplyAdd(y, b, d4);
            b = Vector512.Create(Unsafe.Add(ref bk, 5));
            c5 = Vector512.FusedMultiplyAdd(x, b, c5); d5 = Vector512.FusedMultiplyAdd(y, b, d5);
            b = Vector512.Create(Unsafe.Add(ref bk, 6));
            c6 = Vector512.FusedMultiplyAdd(x, b, c6); d6 = Vector512.FusedMultiplyAdd(y, b, d6);
            b = Vector512.Create(Unsafe.Add(ref bk, 7));
            c7 = Vector512.FusedMultiplyAdd(x, b, c7); d7 = Vector512.FusedMultiplyAdd(y, b, d7);
            ak = ref Unsafe.Add(ref ak, Mr);
            a2 = ref Unsafe.Add(ref a2, Mr);
            bk = ref Unsafe.Add(ref bk, Mr);
        }
        Accumulate512(c, (j0 + 0) * ldc + i0, c0, d0);
        Accumulate512(c, (j0 + 1) * ldc + i0, c1, d1);
        Accumulate512(c, (j0 + 2) * ldc + i0, c2, d2);
        Accumulate512(c, (j0 + 3) * ldc + i0, c3, d3);
        Accumulate512(c, (j0 + 4) * ldc + i0, c4, d4);
        Accumulate512(c, (j0 + 5) * ldc + i0, c5, d5);
        Accumulate512(c, (j0 + 6) * ldc + i0, c6, d6);
        Accumulate512(c, (j0 + 7) * ldc + i0, c7, d7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate512(double[] c, int offset, Vector512<double> low, Vector512<double> high)
    {
        ref double target = ref c[offset];
        (Vector512.LoadUnsafe(ref target) + low).StoreUnsafe(ref target);
        (Vector512.LoadUnsafe(ref target, 8) + high).StoreUnsafe(ref target, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(double[] c, int offset, Vector256<double> low, Vector256<double> high)
    {
        ref double target = ref c[offset];
        (Vector256.LoadUnsafe(ref target) + low).StoreUnsafe(ref target);
        (Vector256.LoadUnsafe(ref target, 4) + high).StoreUnsafe(ref target, 4);
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
        var sums = design.WeightedSum;
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
                gram[a * m + b] = (sums is null ? raw : raw - ca * sums[jb] - cb * sums[ja] + n * ca * cb) / (sa * design.Scale[jb]);
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

}
