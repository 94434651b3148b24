using System.Diagnostics;
using System.Text.Json;

namespace Shrink.Bench;

/// <summary>
/// Shrink's side of the anchors' benchmark (../shared/anchors/sk_bench.py and glmnet_bench.R): the same data,
/// the same λ grid, only the fit timed, in-process, and one JSON line with the same fields (tool "shrink").
/// The anchors' data are centred with y scaled, so every tool fits without intercept or standardization.
/// </summary>
internal static class SideBySide
{
    /// <summary>Relative duality-gap tolerance for the benchmark fits (the library's default is 1e-7).</summary>
    public const double DefaultTolerance = 1e-9;

    public const string Usage = """
        usage: Shrink.Side DATADIR NAME TASK [EPS] [--warmup] [--trace] [--tolerance T] [--lambdas K]
          TASK: lasso | enet | lassocv | ridgecv
          --warmup       fit once untimed first (the anchors time a cold first call; so does the default)
          --trace        on stderr: a line per λ fitted as it finishes ("progress K/TOTAL T s", so a run stopped
                         by a timeout shows how far it got), then per λ of the path: seconds, sweeps, non-zeros, gap
          --tolerance T  relative duality-gap tolerance (default 1e-9)
          --lambdas K    only the first K λ of the grid (for profiling; the JSON is then not comparable)
        """;

    private static double Tolerance = DefaultTolerance;

    public static int Run(string[] args)
    {
        var rest = new List<string>();
        bool warmup = false, trace = false;
        int lambdaCount = 100;
        for (int a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--warmup": warmup = true; break;
                case "--trace": trace = true; break;
                case "--tolerance" when a + 1 < args.Length && double.TryParse(args[a + 1], System.Globalization.CultureInfo.InvariantCulture, out double t) && t > 0 && t < 1:
                    Tolerance = t; a++; break;
                case "--lambdas" when a + 1 < args.Length && int.TryParse(args[a + 1], out int k) && k >= 1 && k <= 100:
                    lambdaCount = k; a++; break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    return Fail($"bad option '{option}'{(a + 1 < args.Length ? $" '{args[a + 1]}'" : "")}\n{Usage}");
                default: rest.Add(args[a]); break;
            }
        }
        args = rest.ToArray();
        if (args.Length is < 3 or > 4) return Fail(Usage);
        string dir = args[0], name = args[1], task = args[2];
        if (task is not ("lasso" or "enet" or "lassocv" or "ridgecv")) return Fail($"unknown TASK '{task}'\n{Usage}");
        // As the anchor scripts: EPS is 1e-3 unless given (their README asks for 1e-2 when p > n; bench/run.sh passes it).
        double eps = 1e-3;
        if (args.Length == 4 && !(double.TryParse(args[3], System.Globalization.CultureInfo.InvariantCulture, out eps) && eps > 0 && eps < 1))
            return Fail($"EPS must be a number in (0, 1); got '{args[3]}'");

        string folder = Path.Combine(dir, name);
        var y = Npy.ReadVector(Path.Combine(folder, "y.npy"));
        // The anchors' sparse set is a scipy CSC matrix (X.npz): read as one, never densified.
        var x = File.Exists(Path.Combine(folder, "X.npz")) ? Npy.ReadSparse(Path.Combine(folder, "X.npz")) : Npy.ReadMatrix(Path.Combine(folder, "X.npy"));
        var data = new Dataset(x, y);
        int n = x.Rows, p = x.Columns;

        double l1 = task == "enet" ? 0.5 : 1.0;
        var fit = new FitOptions
        {
            Penalty = task switch { "enet" => Penalty.ElasticNet, "ridgecv" => Penalty.Ridge, _ => Penalty.Lasso },
            L1Ratio = task == "enet" ? 0.5 : null,
            Convention = Convention.Shrink,
            FitIntercept = false,
            Standardize = false,
            Tolerance = Tolerance,
        };

        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("tool", "shrink");
            json.WriteString("task", task);
            json.WriteString("data", name);
            json.WriteNumber("n", n);
            json.WriteNumber("p", p);
            if (x.IsSparse) json.WriteNumber("x_nnz", x.StoredCount);
            // The bytes of X as Shrink holds it (CSC: values, row indices, column starts), for the memory comparison.
            json.WriteNumber("data_mb", (x.IsSparse ? x.StoredCount * 12.0 + 4.0 * (p + 1) : 8.0 * n * p) / (1 << 20));

            if (task is "lasso" or "enet" or "lassocv")
            {
                double lambdaMax = MaxAbsCorrelation(x, y) / (n * l1);
                var grid = GeomSpace(lambdaMax, eps * lambdaMax, 100)[..lambdaCount];
                var pathOptions = new PathOptions { Fit = fit, Lambdas = grid };
                if (task == "lassocv")
                {
                    // LassoCV(cv=10) splits with KFold(10) without shuffling: ten contiguous blocks of rows.
                    var cvOptions = new CrossValidationOptions { Path = pathOptions, FoldIds = ContiguousFolds(n, 10), Choose = LambdaChoice.Min };
                    if (warmup) Regression.CrossValidate(data, cvOptions);
                    var progress = new Progress(trace, 11 * grid.Length);
                    var result = Regression.CrossValidate(data, cvOptions, progress.Step);
                    double seconds = progress.Stop();
                    json.WriteNumber("seconds", seconds);
                json.WriteNumber("cpu_seconds", progress.CpuSeconds);
                    json.WriteNumber("lambda_min", result.Best.LambdaMin);
                    WriteDiagnostics(json, result.Best.Path, eps, warmup);
                    if (trace) Trace(result.Best.Path, null);
                }
                else
                {
                    if (warmup) Regression.Path(data, pathOptions);
                    var progress = new Progress(trace, grid.Length);
                    var path = Regression.Path(data, pathOptions, progress.Step);
                    double seconds = progress.Stop();
                    if (trace) Trace(path, progress.Laps);
                    json.WriteNumber("seconds", seconds);
                json.WriteNumber("cpu_seconds", progress.CpuSeconds);
                    json.WriteStartArray("lambdas");
                    foreach (double lambda in path.Lambdas) json.WriteNumberValue(lambda);
                    json.WriteEndArray();
                    json.WriteStartArray("objectives");
                    var residual = new double[n];
                    for (int k = 0; k < path.Count; k++) json.WriteNumberValue(Objective(x, y, path.Coefficients[k], path.Lambdas[k], l1, residual));
                    json.WriteEndArray();
                    json.WriteStartArray("nnz");
                    for (int k = 0; k < path.Count; k++) json.WriteNumberValue(path.Coefficients[k].Count(b => b != 0));
                    json.WriteEndArray();
                    WriteDiagnostics(json, path, eps, warmup);
                }
            }
            else
            {
                // sklearn's RidgeCV gets alphas = geomspace(1e-3, 1e3, 100)·n (its Ridge alpha is n·λ); a path runs largest λ first.
                var grid = GeomSpace(1e-3, 1e3, 100).Reverse().ToArray();
                var cvOptions = new CrossValidationOptions
                {
                    Path = new PathOptions { Fit = fit, Lambdas = grid },
                    LeaveOneOut = true,
                    Choose = LambdaChoice.Min,
                };
                if (warmup) Regression.CrossValidate(data, cvOptions);
                var progress = new Progress(trace, grid.Length);
                var result = Regression.CrossValidate(data, cvOptions, progress.Step);
                double seconds = progress.Stop();
                json.WriteNumber("seconds", seconds);
                json.WriteNumber("cpu_seconds", progress.CpuSeconds);
                json.WriteNumber("lambda_min", result.Best.LambdaMin);
                WriteDiagnostics(json, result.Best.Path, eps: null, warmup);
            }
            json.WriteEndObject();
        }
        Console.WriteLine(System.Text.Encoding.UTF8.GetString(output.ToArray()));
        return 0;
    }

    /// <summary>What the anchors do not print but a reader of Shrink's numbers needs: tolerance, sweeps, convergence.</summary>
    private static void WriteDiagnostics(Utf8JsonWriter json, RegularizationPath path, double? eps, bool warmup)
    {
        json.WriteNumber("tolerance", Tolerance);
        if (eps is { } e) json.WriteNumber("eps", e);
        json.WriteBoolean("warmup", warmup);
        json.WriteNumber("threads", Environment.ProcessorCount);
        json.WriteBoolean("all_converged", path.Models.All(m => m.Diagnostics.Converged));
        json.WriteStartArray("iterations");
        foreach (var model in path.Models) json.WriteNumberValue(model.Diagnostics.Iterations);
        json.WriteEndArray();
        json.WriteString("solver", string.Join(",", path.Models.Select(m => m.Diagnostics.Solver).Distinct()));
    }

    /// <summary>
    /// The fit's clock, started when the fit is, and the library's per-λ callback: counts the λ fitted (from every fold's
    /// thread under cross-validation) and, when live, prints each on stderr as it finishes. The timed call is the same
    /// either way (one callback per λ, negligible beside a fit).
    /// </summary>
    private sealed class Progress(bool live, int total)
    {
        private readonly TimeSpan _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<double> _laps = [];

        /// <summary>
        /// CPU seconds of the whole process (all threads) during the fit: on a shared machine, where wall time swings with
        /// other work, this moves much less, so it is what A/B comparisons of one change should look at.
        /// </summary>
        public double CpuSeconds { get; private set; }

        /// <summary>Stops the clock; the fit's seconds.</summary>
        public double Stop()
        {
            _clock.Stop();
            CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - _cpuStart).TotalSeconds;
            return _clock.Elapsed.TotalSeconds;
        }

        public IReadOnlyList<double> Laps => _laps;

        public void Step()
        {
            double t = _clock.Elapsed.TotalSeconds;
            int count;
            lock (_laps)
            {
                _laps.Add(t);
                count = _laps.Count;
            }
            if (live) Console.Error.WriteLine(FormattableString.Invariant($"progress {count}/{total} {t:F3} s"));
        }
    }

    /// <param name="laps">Cumulative seconds after each λ, or null when the path was one of several fitted at once.</param>
    private static void Trace(RegularizationPath path, IReadOnlyList<double>? laps)
    {
        Console.Error.WriteLine("    k  lambda        seconds  sweeps  nnz  gap/tolerance  converged");
        for (int k = 0; k < path.Count; k++)
        {
            var d = path.Model(k).Diagnostics;
            string lap = laps is null ? "" : (laps[k] - (k == 0 ? 0 : laps[k - 1])).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
            Console.Error.WriteLine(FormattableString.Invariant($"{k,5}  {path.Lambdas[k],-12:G6}  {lap,7}  {d.Iterations,6}  {path.NonZero[k],3}  {d.DualityGap / d.GapTolerance,13:G3}  {d.Converged}"));
        }
    }

    /// <summary>max_j |x_jᵀy|, as the anchors' λmax numerator.</summary>
    internal static double MaxAbsCorrelation(FeatureMatrix x, double[] y)
    {
        double max = 0;
        for (int j = 0; j < x.Columns; j++)
        {
            double dot = 0;
            if (x.IsSparse)
            {
                var (rows, values) = x.ColumnNonZeros(j);
                for (int k = 0; k < rows.Length; k++) dot += values.Span[k] * y[rows.Span[k]];
            }
            else
            {
                var column = x.Column(j);
                for (int i = 0; i < column.Length; i++) dot += column[i] * y[i];
            }
            max = Math.Max(max, Math.Abs(dot));
        }
        return max;
    }

    /// <summary>numpy.geomspace: 10^linspace(log10 start, log10 stop, count), with both ends exact.</summary>
    internal static double[] GeomSpace(double start, double stop, int count)
    {
        double a = Math.Log10(start), b = Math.Log10(stop);
        double step = (b - a) / (count - 1);
        var values = new double[count];
        for (int k = 0; k < count; k++) values[k] = Math.Pow(10, a + k * step);
        values[0] = start;
        values[^1] = stop;
        return values;
    }

    /// <summary>The anchors' obj(): 1/(2n)·‖y − Xb‖² + λ·(r·‖b‖₁ + (1 − r)/2·‖b‖²), from the returned coefficients.</summary>
    /// <param name="residual">n values of scratch (one buffer for a whole path: a copy of y per λ would be 100 large objects).</param>
    internal static double Objective(FeatureMatrix x, double[] y, IReadOnlyList<double> b, double lambda, double l1, double[]? residual = null)
    {
        int n = x.Rows;
        residual ??= new double[n];
        y.CopyTo(residual, 0);
        double l1Norm = 0, l2Sq = 0;
        for (int j = 0; j < x.Columns; j++)
        {
            double bj = b[j];
            if (bj == 0) continue;
            l1Norm += Math.Abs(bj);
            l2Sq += bj * bj;
            if (x.IsSparse)
            {
                var (rows, values) = x.ColumnNonZeros(j);
                for (int k = 0; k < rows.Length; k++) residual[rows.Span[k]] -= values.Span[k] * bj;
                continue;
            }
            var column = x.Column(j);
            for (int i = 0; i < n; i++) residual[i] -= column[i] * bj;
        }
        double rss = 0;
        foreach (double r in residual) rss += r * r;
        return rss / (2.0 * n) + lambda * (l1 * l1Norm + (1 - l1) / 2 * l2Sq);
    }

    /// <summary>scikit-learn's KFold(k) without shuffling: k contiguous blocks, the first n mod k one row longer.</summary>
    internal static int[] ContiguousFolds(int n, int k)
    {
        var folds = new int[n];
        int start = 0;
        for (int f = 0; f < k; f++)
        {
            int size = n / k + (f < n % k ? 1 : 0);
            for (int i = start; i < start + size; i++) folds[i] = f;
            start += size;
        }
        return folds;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Shrink.Bench: {message}");
        return 2;
    }
}
