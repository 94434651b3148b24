using System.Diagnostics;
using System.Numerics.Tensors;
using Shrink.Solvers;

namespace Shrink.Bench;

/// <summary>
/// How close the two costly kernels come to what this machine can do, for the speed issue's report: a full gradient
/// pass X̃ᵀR (what a naive coordinate-descent epoch and every optimality check cost: a read of X) in bytes per second
/// against the memory read bandwidth measured here, and the Gram build X̃ᵀX̃ in flops per second against the GEMM
/// kernel's rate on a square product (and, if given, an external dgemm rate such as OpenBLAS's measured with numpy).
/// Each number is the median of several repeats, after one untimed run.
/// </summary>
internal static class Limits
{
    private const string Usage = """
        usage: Shrink.Bench limits DATADIR [--dgemm GFLOPS] [--repeats K]
          DATADIR holds the anchors' sets: 'wide' and 'sparse' (full passes), 'dense' (the Gram build); missing ones are skipped
          --dgemm  a reference dgemm rate in GFlop/s on this machine (e.g. OpenBLAS through numpy), printed as a fraction
        """;

    public static int Run(string[] args)
    {
        if (args.Length < 1 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        string dir = args[0];
        double? dgemm = null;
        int repeats = 7;
        for (int a = 1; a < args.Length; a++)
        {
            if (args[a] == "--dgemm" && a + 1 < args.Length && double.TryParse(args[a + 1], System.Globalization.CultureInfo.InvariantCulture, out double g) && g > 0) { dgemm = g; a++; }
            else if (args[a] == "--repeats" && a + 1 < args.Length && int.TryParse(args[a + 1], out int k) && k >= 1) { repeats = k; a++; }
            else
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
        int threads = Environment.ProcessorCount;
        Console.WriteLine($"| measure | value | reference | fraction |");
        Console.WriteLine($"|---|---|---|---|");

        // Memory read bandwidth: a sum over 1 GiB (far beyond the caches), on one core and on all of them.
        var big = new double[128L * 1024 * 1024];
        Array.Fill(big, 1.0);
        double one = Median(repeats, () => TensorPrimitives.Sum(big.AsSpan()));
        double all = Median(repeats, () => Parallel.For(0, threads, t =>
        {
            long chunk = big.LongLength / threads;
            TensorPrimitives.Sum(big.AsSpan((int)(t * chunk), (int)chunk));
        }));
        double bytes = big.LongLength * 8.0;
        double bandwidth1 = bytes / one / 1e9, bandwidthAll = bytes / all / 1e9;
        Console.WriteLine($"| memory read bandwidth, 1 thread (sum over 1 GiB) | {bandwidth1:F1} GB/s | | |");
        Console.WriteLine($"| memory read bandwidth, {threads} threads | {bandwidthAll:F1} GB/s | | |");
        big = null!;
        GC.Collect();

        foreach (string name in new[] { "wide", "sparse" })
        {
            var x = Load(dir, name);
            if (x is null) continue;
            var y = Npy.ReadVector(Path.Combine(dir, name, "y.npy"));
            var problem = Problem.Build(new Dataset(x, y), fitIntercept: false, standardize: false);
            var residual = new Residual(problem.Design, problem.CenteredTarget, new double[x.Columns]);
            var gradient = new double[x.Columns];
            double seconds = Median(repeats, () => residual.Gradient(gradient));
            double read = x.IsSparse ? x.ValuesArray.Length * 12.0 + (x.Columns + 1) * 4.0 : (double)x.Rows * x.Columns * 8;
            double rate = read / seconds / 1e9;
            Console.WriteLine($"| full pass X̃ᵀR on {name} ({x.Rows} x {x.Columns}{(x.IsSparse ? $", {x.ValuesArray.Length} non-zeros" : "")}, {read / 1e6:F0} MB) | {seconds * 1e3:F2} ms = {rate:F1} GB/s | {bandwidthAll:F1} GB/s | {rate / bandwidthAll:F2} |");
        }

        // The GEMM kernel on a square product: the rate the Gram build could reach with the same micro-kernel.
        const int size = 2000;
        var a2 = Micro.Values(size * size, 1);
        var b2 = Micro.Values(size * size, 2);
        var c2 = new double[size * size];
        GemmKernel.ColumnSource source = (column, start, target) => a2.AsSpan(column * size + start, target.Length).CopyTo(target);
        double gemm = Median(Math.Min(repeats, 5), () => GemmKernel.Multiply(size, size, size, source, b2, c2));
        double gemmRate = 2.0 * size * size * size / gemm / 1e9;
        Console.WriteLine($"| GEMM kernel, {size}³ | {gemmRate:F1} GFlop/s | {(dgemm is { } d0 ? $"{d0:F1} GFlop/s (dgemm given)" : "")} | {(dgemm is { } d1 ? $"{gemmRate / d1:F2}" : "")} |");

        if (Load(dir, "dense") is { } dense)
        {
            var y = Npy.ReadVector(Path.Combine(dir, "dense", "y.npy"));
            var problem = Problem.Build(new Dataset(dense, y), fitIntercept: false, standardize: false);
            var columns = Enumerable.Range(0, dense.Columns).ToArray();
            double seconds = Median(Math.Min(repeats, 5), () => GramKernel.Compute(problem.Design, [], columns, []));
            // The lower triangle and diagonal: n·p·(p+1) flops (a multiply and an add per product).
            double flops = (double)dense.Rows * dense.Columns * (dense.Columns + 1);
            double rate = flops / seconds / 1e9;
            string reference = dgemm is { } d ? $"{gemmRate:F1} (GEMM kernel), {d:F1} (dgemm given)" : $"{gemmRate:F1} (GEMM kernel)";
            string fraction = dgemm is { } d2 ? $"{rate / gemmRate:F2}, {rate / d2:F2}" : $"{rate / gemmRate:F2}";
            Console.WriteLine($"| Gram X̃ᵀX̃ on dense ({dense.Rows} x {dense.Columns}) | {seconds:F3} s = {rate:F1} GFlop/s | {reference} | {fraction} |");
        }
        Console.WriteLine();
        Console.WriteLine($"threads: {threads}, repeats: {repeats} (medians), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        return 0;
    }

    private static FeatureMatrix? Load(string dir, string name)
    {
        string dense = Path.Combine(dir, name, "X.npy"), sparse = Path.Combine(dir, name, "X.npz");
        return File.Exists(dense) ? Npy.ReadMatrix(dense) : File.Exists(sparse) ? Npy.ReadSparse(sparse) : null;
    }

    /// <summary>Median seconds of <paramref name="repeats"/> timed runs after one untimed run.</summary>
    private static double Median(int repeats, Action action)
    {
        action();
        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[r] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}
