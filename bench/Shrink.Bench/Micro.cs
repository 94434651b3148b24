using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Shrink.Solvers;

namespace Shrink.Bench;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the solver's kernels. ShortRun job, run in-process (no generated project, so
/// the repository's central package versions and warnings-as-errors do not get in the way). Extra arguments go to
/// BenchmarkDotNet, e.g. <c>micro --filter *Vector*</c>.
/// </summary>
internal static class Micro
{
    public static int Run(string[] args)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.JoinSummary);
        var types = new[] { typeof(VectorKernels), typeof(SweepBenchmarks), typeof(DenseAlgebra), typeof(MatrixProduct), typeof(GramProduct) };
        var summaries = args.Length == 0
            ? BenchmarkRunner.Run(types, config)
            : BenchmarkSwitcher.FromTypes(types).Run(args, config).ToArray();
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }

    /// <summary>Deterministic standard-normal-ish values (sum of uniforms), so runs compare.</summary>
    internal static double[] Values(int count, int seed)
    {
        var rng = new Random(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5;
        return values;
    }

    /// <summary>The implicit design of a column-major matrix with the given centres and unit scales.</summary>
    internal static Design Design(double[] x, int n, int p, bool center)
    {
        var mean = new double[p];
        var normSq = new double[p];
        for (int j = 0; j < p; j++)
        {
            var column = x.AsSpan(j * n, n);
            mean[j] = center ? Kernels.Sum(column) / n : 0;
            normSq[j] = Kernels.SumSquaredDeviations(column, mean[j]) / n;
        }
        var scale = new double[p];
        Array.Fill(scale, 1.0);
        return new Design { X = x, N = n, P = p, Center = mean, Scale = scale, NormSquaredOverN = normSq, Excluded = new bool[p] };
    }
}

/// <summary>The per-coordinate work of coordinate descent: one dot product and one update of the residual, n = 10,000.</summary>
[MemoryDiagnoser]
public class VectorKernels
{
    private const int N = 10_000;
    private double[] _x = [];
    private double[] _r = [];
    private double _sign = 1;

    [GlobalSetup]
    public void Setup()
    {
        _x = Micro.Values(N, 1);
        _r = Micro.Values(N, 2);
    }

    [Benchmark]
    public double Dot() => Kernels.Dot(_x, _r);

    [Benchmark]
    public double DotShifted() => Kernels.DotShifted(_x, 0.25, _r);

    /// <summary>r += α(x − c), alternating the sign of α so r does not drift over millions of calls.</summary>
    [Benchmark]
    public void AxpyShifted()
    {
        _sign = -_sign;
        Kernels.AxpyShifted(_sign * 1e-3, _x, 0.25, _r);
    }
}

/// <summary>
/// One coordinate-descent sweep's worth of work on n = 10,000 rows and p = 100 columns, through the same calls the solver's
/// sweep makes (Residual.Dot, then Residual.Subtract for a coordinate that moves): every coordinate moves, as in the first
/// sweeps of a fit. And one exact duality-gap check (residual from scratch, gradient over all columns, gap).
/// </summary>
[MemoryDiagnoser]
public class SweepBenchmarks
{
    private const int N = 10_000, P = 100;
    private Design _design = null!;
    private Residual _residual = null!;
    private double[] _y = [];
    private double[] _beta = [];
    private double[] _v = [];
    private double _sign = 1;

    [GlobalSetup]
    public void Setup()
    {
        _design = Micro.Design(Micro.Values(N * P, 3), N, P, center: true);
        _y = Micro.Values(N, 4);
        _beta = new double[P];
        for (int j = 0; j < P; j += 5) _beta[j] = 0.01 * (j + 1);
        _residual = new Residual(_design, _y, _beta);
        _v = new double[P];
    }

    /// <summary>p × (dot + residual update); returns the sum of the dots so nothing is optimized away.</summary>
    [Benchmark]
    public double SweepEquivalent()
    {
        _sign = -_sign;
        double total = 0;
        for (int j = 0; j < P; j++)
        {
            double z = _residual.Dot(j) / N + _design.NormSquaredOverN[j] * _beta[j];
            total += z;
            _residual.Subtract(j, _sign * 1e-6);
        }
        return total;
    }

    /// <summary>What each convergence check of the solver costs: Refresh (p axpys), Gradient (p dots), DualityGap.</summary>
    [Benchmark]
    public double GapCheck()
    {
        _residual.Refresh(_beta);
        _residual.Gradient(_v);
        return DualityGap.Compute(_v, _beta, _residual.SquaredNorm(), N, 1e-3, 0);
    }
}

/// <summary>The dense algebra behind Gram mode, polishing and ridge: a 2000 x 200 Gram matrix, a 200 x 200 eigendecomposition.</summary>
[MemoryDiagnoser]
public class DenseAlgebra
{
    private const int N = 2000, M = 200;
    private Design _design = null!;
    private int[] _columns = [];
    private double[] _y = [];
    private double[] _rhs = [];
    private double[] _symmetric = [];
    private double[] _work = [];
    private double[] _values = [];

    [GlobalSetup]
    public void Setup()
    {
        _design = Micro.Design(Micro.Values(N * M, 5), N, M, center: true);
        _columns = Enumerable.Range(0, M).ToArray();
        _y = Micro.Values(N, 6);
        _rhs = new double[M];
        _symmetric = DirectSolver.Gram(_design, _y, _columns, []);
        _work = new double[M * M];
        _values = new double[M];
    }

    [Benchmark]
    public double[] Gram() => DirectSolver.Gram(_design, _y, _columns, _rhs);

    /// <summary>Includes copying the 200 x 200 input (Decompose overwrites it), which is negligible beside O(m³).</summary>
    [Benchmark]
    public double Eigen()
    {
        _symmetric.CopyTo(_work, 0);
        SymmetricEigen.Decompose(_work, M, _values);
        return _values[^1];
    }
}

/// <summary>
/// The blocked product on 2000 x 2000 by 2000 x 2000 (1.6e10 flops): its rate is what is compared with OpenBLAS's dgemm
/// (numpy's a @ b on the same machine), and what forming U and leave-one-out run at.
/// </summary>
[MemoryDiagnoser]
public class MatrixProduct
{
    private const int Size = 2000;
    private double[] _a = [];
    private double[] _b = [];
    private double[] _c = [];

    [GlobalSetup]
    public void Setup()
    {
        _a = Micro.Values(Size * Size, 7);
        _b = Micro.Values(Size * Size, 8);
        _c = new double[Size * Size];
    }

    [Benchmark]
    public double Gemm()
    {
        var a = _a;
        GemmKernel.Multiply(Size, Size, Size, (k, start, target) => a.AsSpan(k * Size + start, target.Length).CopyTo(target), _b, _c);
        return _c[0];
    }
}

/// <summary>
/// The Gram matrix of the dense bench set's shape, 10,000 x 1,000 (n·p² = 1e10 flops for the symmetric half, the count
/// its rate is quoted in), centred columns: what the first λ of a dense path and every ridge fit pay. Compared with
/// numpy's X.T @ X (OpenBLAS's dsyrk) and with <see cref="MatrixProduct"/>'s rate.
/// </summary>
[MemoryDiagnoser]
public class GramProduct
{
    private const int N = 10_000, P = 1_000;
    private Design _design = null!;
    private int[] _columns = [];
    private double[] _y = [];
    private double[] _xty = [];

    [GlobalSetup]
    public void Setup()
    {
        _design = Micro.Design(Micro.Values(N * P, 9), N, P, center: true);
        _columns = Enumerable.Range(0, P).ToArray();
        _y = Micro.Values(N, 10);
        _xty = new double[P];
    }

    [Benchmark]
    public double[] Gram() => GramKernel.Compute(_design, _y, _columns, _xty);
}
