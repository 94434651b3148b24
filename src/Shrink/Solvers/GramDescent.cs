using System.Runtime.InteropServices;

namespace Shrink.Solvers;

/// <summary>
/// The covariance ("Gram") form of the standardized problem, for designs with many more rows than variables:
/// X̃ᵀỹ once, and the columns of X̃ᵀX̃ computed only for the features that ever become non-zero, kept across
/// the λ of a path. A coordinate update then costs O(p) instead of O(n), and the full gradient X̃ᵀR — hence the
/// duality gap and the optimality check of every feature — is always at hand.
/// </summary>
internal sealed class GramState
{
    private readonly Design _design;
    private readonly Columns _store;

    /// <summary>
    /// The columns computed so far, shared by the states of several targets on one design: one by one (wide designs),
    /// or all at once as one p x p array whose row j is column j (no p separate arrays to copy into and collect).
    /// </summary>
    private sealed class Columns(int p)
    {
        public readonly double[]?[] Single = new double[p][];
        public int SingleCount;
        public double[]? Matrix;
    }

    public GramState(Design design, ReadOnlySpan<double> yc)
    {
        _design = design;
        _store = new Columns(design.P);
        ActiveFactor = new IncrementalCholesky(design.P);
        WholeAtOnce = design.IncludedCount <= WholeUpTo;
        WholeAfterColumns = design.IncludedCount <= WholeLaterUpTo ? Math.Max(1, design.IncludedCount / 8) : int.MaxValue;
        Xty = new double[design.P];
        double rootDotY = design.IsSparse ? design.RootDot(yc) : 0;
        for (int j = 0; j < design.P; j++)
            Xty[j] = design.Excluded[j] ? 0 : design.Dot(j, yc, rootDotY);
        YSquared = Kernels.Dot(yc, yc);
    }

    /// <summary>A Gram form whose matrix, X̃ᵀỹ and ‖ỹ‖² were derived elsewhere (a cross-validation fold's, from the full data's).</summary>
    /// <param name="gram">p x p over all columns, column j at [j·p, j·p + p) (the same as row j for a symmetric matrix); entries of excluded columns are ignored.</param>
    public GramState(Design design, double[] gram, double[] xty, double ySquared)
    {
        _design = design;
        int p = design.P;
        _store = new Columns(p);
        ActiveFactor = new IncrementalCholesky(p);
        // Used in place when no excluded column has an entry there to hide (a cross-validation fold's or the statistics'
        // own problem); else copied with those entries cleared (a refit on a support, which excludes the rest).
        bool clean = true;
        for (int k = 0; k < p && clean; k++)
            if (design.Excluded[k])
                for (int j = 0; j < p && clean; j++)
                    if (!design.Excluded[j] && gram[j * p + k] != 0) clean = false;
        if (clean)
        {
            _store.Matrix = gram;
        }
        else
        {
            var matrix = new double[p * p];
            for (int j = 0; j < p; j++)
                if (!design.Excluded[j])
                    for (int k = 0; k < p; k++) matrix[j * p + k] = design.Excluded[k] ? 0 : gram[j * p + k];
            _store.Matrix = matrix;
        }
        Xty = xty;
        YSquared = ySquared;
    }

    /// <summary>
    /// The covariance form of another target on the same design: X̃ᵀX̃ does not depend on the target, so its columns
    /// (computed so far and from now on) are shared; only X̃ᵀỹ and ‖ỹ‖² are the new target's.
    /// </summary>
    public GramState(GramState shared, ReadOnlySpan<double> yc) : this(shared._design, yc)
    {
        _store = shared._store;
    }

    public Design Design => _design;

    /// <summary>The Cholesky factor of the last active set's Gram block, reused and extended across calls.</summary>
    public IncrementalCholesky ActiveFactor { get; }

    /// <summary>
    /// The coefficients the last solve returned and the gradient computed from scratch for them: along a path the next
    /// λ starts from exactly that β, and recomputing its gradient costs a pass over every active Gram column. One
    /// immutable pair, replaced whole, so a state used from several threads never mixes two solves' halves.
    /// </summary>
    private (double[] Beta, double[] Gradient)? _last;

    /// <summary>g for β: the kept gradient when β is the last solution, else computed from scratch.</summary>
    internal void GradientAt(ReadOnlySpan<double> beta, Span<double> g)
    {
        if (_last is { } last && beta.SequenceEqual(last.Beta)) last.Gradient.CopyTo(g);
        else GramDescent.Gradient(this, beta, g);
    }

    internal void Remember(ReadOnlySpan<double> beta, ReadOnlySpan<double> g) => _last = (beta.ToArray(), g.ToArray());

    /// <summary>X̃ᵀỹ.</summary>
    public double[] Xty { get; }

    /// <summary>‖ỹ‖².</summary>
    public double YSquared { get; }

    /// <summary>Whether the Gram form pays for a path: many more rows than variables, and its columns fit comfortably in memory.</summary>
    public static bool Pays(Design design) => Override ?? (design.N >= 2 * design.IncludedCount && design.IncludedCount <= 20_000);

    /// <summary>Forces the choice either way (tests run both forms on the same problems).</summary>
    internal static bool? Override { get; set; }

    /// <summary>Up to this many variables the whole Gram matrix is computed at once by the blocked kernel.</summary>
    internal const int WholeUpTo = 2000;

    /// <summary>
    /// Past <see cref="WholeUpTo"/> columns come in batches, one pass over X each, as features become likely to enter;
    /// once an eighth of them have been asked for, the whole matrix is computed instead, up to this many variables
    /// (p² doubles, 512 MB at most, and at most half of X, since the covariance form needs n ≥ 2p). A path that goes
    /// that deep brings most features in, and every batch costs a pass over X besides its columns (n = 10,000, p = 4,000,
    /// lasso path to 1e-3·λmax: 3,560 features entered; 30 batches of 1 to 84 columns took about 2 s before the whole
    /// matrix's 1.8 s when each was a pass of dot products).
    /// </summary>
    internal const int WholeLaterUpTo = 8000;

    /// <summary>
    /// A dense batch reads all of X once whatever its size (about 50 ms at n = 10,000, p = 4,000), and computes its
    /// columns at the tiles' rate (16 columns about 16 ms more there), so a batch smaller than this is topped up with
    /// the features nearest to entering, by <see cref="Ranking"/>: along that path, where one or two features entered
    /// per λ for its first 60 λ, batch after batch of one column had cost a pass each.
    /// </summary>
    internal const int MinBatch = 16;

    /// <summary>The gradient the solve is working with (X̃ᵀR for the current β), whose largest |g_j| rank the features not
    /// yet computed for topping up a batch; null for none.</summary>
    internal double[]? Ranking { get; set; }

    /// <summary>Whether the whole matrix is computed on first use (up to <see cref="WholeUpTo"/> variables; tests turn it off).</summary>
    internal bool WholeAtOnce { get; set; }

    /// <summary>How many columns asked for bring the whole matrix in (an eighth of p up to <see cref="WholeLaterUpTo"/>, else never).</summary>
    internal int WholeAfterColumns { get; set; }

    /// <summary>Whether column j is at hand without computing (tests).</summary>
    internal bool Holds(int j) => _store.Matrix is not null || _store.Single[j] is not null;

    /// <summary>Column j of X̃ᵀX̃, computed on first use.</summary>
    public ReadOnlySpan<double> Column(int j)
    {
        int p = _design.P;
        if (_store.Matrix is { } matrix) return matrix.AsSpan(j * p, p);
        if (_store.Single[j] is { } cached) return cached;
        Prefetch([j]);
        return _store.Matrix is { } whole ? whole.AsSpan(j * p, p) : _store.Single[j]!;
    }

    /// <summary>
    /// All of X̃ᵀX̃ in one blocked pass: along a path most features enter sooner or later, and one compute-bound pass
    /// beats many memory-bound ones. The kernel's matrix is exactly symmetric, so its row j serves as column j.
    /// </summary>
    private void ComputeWhole()
    {
        var included = DirectSolver.IncludedColumns(_design);
        int m = included.Length, p = _design.P;
        var gram = GramKernel.Compute(_design, [], included, []);
        if (m == p)
        {
            _store.Matrix = gram;
            return;
        }
        var matrix = new double[p * p];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) matrix[included[a] * p + included[b]] = gram[a * m + b];
        _store.Matrix = matrix;
    }

    /// <summary>
    /// Computes the missing columns among <paramref name="wanted"/> together, reading each raw column of X once
    /// for all of them (the pass over X is what costs; the columns themselves are cheap).
    /// </summary>
    public void Prefetch(IReadOnlyCollection<int> wanted)
    {
        if (_store.Matrix is not null) return;
        var missing = wanted.Where(j => _store.Single[j] is null && !_design.Excluded[j]).Distinct().ToArray();
        if (missing.Length == 0) return;
        if (WholeAtOnce || _store.SingleCount + missing.Length >= WholeAfterColumns)
        {
            ComputeWhole();
            // Every column now comes from the whole matrix, so that all of them round alike.
            Array.Clear(_store.Single);
            _store.SingleCount = 0;
            return;
        }
        if (!_design.IsSparse && missing.Length < MinBatch && Ranking is { } ranking) missing = TopUp(missing, ranking);
        int n = _design.N, p = _design.P, b = missing.Length;
        var result = new double[b][];
        for (int a = 0; a < b; a++) result[a] = new double[p];
        if (!_design.IsSparse)
        {
            // Dense: the Gram kernel's tiles against the batch, each entry the whole matrix's to the bit.
            var included = DirectSolver.IncludedColumns(_design);
            int m = included.Length;
            var products = new double[b * m];
            GramKernel.Cross(n, m, (a, start, target) => _design.Transformed(included[a], start, target),
                b, (a, start, target) => _design.Transformed(missing[a], start, target), products);
            for (int a = 0; a < b; a++)
                for (int k = 0; k < m; k++) result[a][included[k]] = products[a * m + k];
        }
        else
        {
            // The new features' transformed columns, side by side: t_a = w∘(x_j − c_j)/s_j (one √w from x̃_j, one for
            // x̃_k), so that x̃_kᵀx̃_j = (x_kᵀt_a − c_k·Σt_a)/s_k needs no transformed copy of x_k.
            var t = new double[b * n];
            var tSum = new double[b];
            for (int a = 0; a < b; a++)
            {
                var ta = t.AsSpan(a * n, n);
                DirectSolver.Transformed(_design, missing[a], ta);
                if (_design.Root is { } root) System.Numerics.Tensors.TensorPrimitives.Multiply(ta, root, ta);
                tSum[a] = Kernels.Sum(ta);
            }
            Parallel.For(0, p, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
            {
                if (_design.Excluded[k]) return;
                double c = _design.Center[k], s = _design.Scale[k];
                for (int a = 0; a < b; a++)
                    result[a][k] = (_design.RawDot(k, t.AsSpan(a * n, n)) - c * tSum[a]) / s;
            });
        }
        for (int a = 0; a < b; a++) _store.Single[missing[a]] = result[a];
        _store.SingleCount += b;
    }

    /// <summary><paramref name="missing"/> and, up to <see cref="MinBatch"/> columns, the uncomputed features with the largest
    /// |g_j| relative to their penalty factor (unpenalized ones first).</summary>
    private int[] TopUp(int[] missing, double[] g)
    {
        int room = MinBatch - missing.Length;
        var chosen = new List<(double Score, int J)>(room + 1);
        var asked = new HashSet<int>(missing);
        for (int j = 0; j < _design.P; j++)
        {
            if (_design.Excluded[j] || _store.Single[j] is not null || asked.Contains(j)) continue;
            double f = _design.FactorOf(j);
            double score = f > 0 ? Math.Abs(g[j]) / f : double.PositiveInfinity;
            if (chosen.Count == room && !(score > chosen[^1].Score)) continue;
            int at = chosen.Count;
            while (at > 0 && score > chosen[at - 1].Score) at--;
            chosen.Insert(at, (score, j));
            if (chosen.Count > room) chosen.RemoveAt(room);
        }
        return [.. missing, .. chosen.Select(c => c.J)];
    }
}

/// <summary>Coordinate descent on <see cref="GramState"/>; same stopping rule and certificate as <see cref="CoordinateDescent"/>.</summary>
internal static class GramDescent
{
    /// <param name="previousL1">The L1 weight of the previous λ on a path (0 if none), for the strong rule's prefetch.</param>
    public static CoordinateDescent.Outcome Solve(GramState state, double l1, double l2, double previousL1, double gapTolerance, int maxSweeps, Span<double> beta)
    {
        var design = state.Design;
        int n = design.N, p = design.P;
        var q = design.NormSquaredOverN;
        var g = new double[p];
        state.GradientAt(beta, g);

        // Strong rule (Tibshirani et al.): features with |g_j|/n below 2λ1 − λ1_previous are very likely to stay
        // at zero; the others are likely to enter, so their Gram columns are computed together now. It only
        // decides what to prefetch: every feature is still checked in every full sweep.
        double threshold = previousL1 > 0 ? 2 * l1 - previousL1 : l1;
        var likely = new List<int>();
        for (int j = 0; j < p; j++)
            if (!design.Excluded[j] && (beta[j] != 0 || Math.Abs(g[j]) / n > threshold * design.FactorOf(j))) likely.Add(j);
        state.Ranking = g;
        state.Prefetch(likely);

        var included = Enumerable.Range(0, p).Where(j => !design.Excluded[j]).ToArray();
        var active = new List<int>();
        int sweeps = 0;
        double innerTolerance = gapTolerance;
        double gap = double.PositiveInfinity;
        long failedSignature = 0;
        while (sweeps < maxSweeps)
        {
            Sweep(state, included, g, q, l1, l2, n, beta);
            sweeps++;
            active.Clear();
            for (int j = 0; j < p; j++)
                if (beta[j] != 0) active.Add(j);
            var anderson = new Anderson(active.ToArray());
            for (int inner = 0; sweeps < maxSweeps; inner++)
            {
                double largest = Sweep(state, CollectionsMarshal.AsSpan(active), g, q, l1, l2, n, beta);
                sweeps++;
                if (largest <= innerTolerance) break;
                // Past a couple of sweeps the direct solve usually finishes the job (dropping the coefficients whose
                // signs were wrong); if it does not, the sweeps resume with a tighter target.
                if (inner + 1 >= SweepsBeforePolish && active.Count <= MaxPolishSize) break;
                anderson.Record(beta);
                if (anderson.Ready) anderson.TryExtrapolate(state, g, l1, l2, beta);
            }

            Gradient(state, beta, g);
            gap = Gap(state, g, beta, n, l1, l2);
            // A direct solve that failed for one support and sign pattern fails again for the same one: wait until
            // the sweeps have changed it.
            long signature = Signature(beta);
            if (signature != failedSignature)
            {
                double before = gap;
                gap = Polish(state, g, l1, l2, beta, gap, out bool blocked);
                if (!(gap < before)) failedSignature = signature;
                // An improving direct solve that did not finish is usually one support change away: a coefficient it
                // stopped at zero (solve again without it), or features outside the support that now violate their
                // optimality condition (one coordinate step each brings them in, then solve again). A few such
                // rounds cost a triangular solve and a gradient each, where every return to the loop above costs
                // at least six sweeps over the active Gram columns.
                for (int round = 0; round < PolishRounds && gap < before && gap > gapTolerance && sweeps < maxSweeps; round++)
                {
                    if (!blocked)
                    {
                        var violators = new List<int>();
                        foreach (int j in included)
                            if (beta[j] == 0 && CoordinateDescent.Violates(design, j, g[j], n * l1)) violators.Add(j);
                        if (violators.Count == 0) break;
                        Sweep(state, CollectionsMarshal.AsSpan(violators), g, q, l1, l2, n, beta);
                        sweeps++;
                    }
                    before = gap;
                    gap = Polish(state, g, l1, l2, beta, gap, out blocked);
                }
            }
            // When converged, g is from scratch: every gap comes with a gradient computed from scratch for the same β, and a
            // direct solve that changes nothing (after the violators' steps) returns the gap it was given, above the
            // tolerance. What is kept serves the next λ and the certificate.
            if (gap <= gapTolerance)
            {
                state.Remember(beta, g);
                state.Ranking = null;
                return new CoordinateDescent.Outcome(sweeps, true, gap);
            }
            innerTolerance = Math.Min(innerTolerance, gap) * 0.1;
        }
        Gradient(state, beta, g); // the sweeps may have ended on coordinate updates
        state.Remember(beta, g);
        state.Ranking = null;
        return new CoordinateDescent.Outcome(sweeps, false, gap);
    }

    /// <summary>
    /// Anderson extrapolation of the coordinate-descent iterates on a fixed active set (as celer and skglm do):
    /// after K sweeps, the affine combination of the last iterates that best cancels their successive differences
    /// is tried, and kept only if it lowers the objective. Correlated features make plain coordinate descent crawl;
    /// this recovers most of the lost sweeps.
    /// </summary>
    private sealed class Anderson(int[] active)
    {
        private readonly IterateHistory _history = new(active);

        public bool Ready => _history.Ready;

        public void Record(ReadOnlySpan<double> beta) => _history.Record(beta);

        public void TryExtrapolate(GramState state, Span<double> g, double l1, double l2, Span<double> beta)
        {
            int m = active.Length;
            var extrapolated = _history.Extrapolate();
            if (extrapolated.IsEmpty) return;

            var current = new double[m];
            for (int a = 0; a < m; a++) current[a] = beta[active[a]];
            for (int a = 0; a < m; a++)
            {
                int j = active[a];
                if (extrapolated[a] < state.Design.LowerOf(j) || extrapolated[a] > state.Design.UpperOf(j)) return;
            }
            if (Objective(state, active, extrapolated, l1, l2) >= Objective(state, active, current, l1, l2)) return;
            for (int a = 0; a < m; a++)
            {
                double delta = extrapolated[a] - current[a];
                if (delta == 0) continue;
                beta[active[a]] = extrapolated[a];
                Kernels.Axpy(-delta, state.Column(active[a]), g);
            }
        }

        /// <summary>The objective for β supported on the active set, from the Gram block: O(m²).</summary>
        private static double Objective(GramState state, int[] active, ReadOnlySpan<double> b, double l1, double l2)
        {
            int n = state.Design.N;
            double quadratic = 0, linear = 0, l1Norm = 0, l2Sq = 0;
            var design = state.Design;
            for (int a = 0; a < active.Length; a++)
            {
                if (b[a] == 0) continue;
                var column = state.Column(active[a]);
                double s = 0;
                for (int c = 0; c < active.Length; c++) s += column[active[c]] * b[c];
                quadratic += b[a] * s;
                linear += b[a] * state.Xty[active[a]];
                l1Norm += design.FactorOf(active[a]) * Math.Abs(b[a]);
                l2Sq += design.FactorOf(active[a]) * b[a] * b[a];
            }
            return (state.YSquared - 2 * linear + quadratic) / (2.0 * n) + l1 * l1Norm + 0.5 * l2 * l2Sq;
        }
    }

    private static double Sweep(GramState state, ReadOnlySpan<int> coordinates, Span<double> g, double[] q, double l1, double l2, int n, Span<double> beta)
    {
        double largest = 0;
        var design = state.Design;
        foreach (int j in coordinates)
        {
            double old = beta[j];
            // A zero coefficient that its gradient would not move stays zero: no Gram column needed.
            if (old == 0 && !CoordinateDescent.Violates(design, j, g[j], n * l1)) continue;
            double z = g[j] / n + q[j] * old;
            double updated = CoordinateDescent.Update(design, j, z, q[j], l1, l2);
            double delta = updated - old;
            if (delta == 0) continue;
            beta[j] = updated;
            Kernels.Axpy(-delta, state.Column(j), g);
            double decrease = 0.5 * (q[j] + l2 * design.FactorOf(j)) * delta * delta;
            if (decrease > largest) largest = decrease;
        }
        return largest;
    }

    /// <summary>A hash of which coefficients are non-zero and their signs.</summary>
    private static long Signature(ReadOnlySpan<double> beta)
    {
        long h = 1469598103934665603;
        for (int j = 0; j < beta.Length; j++)
            if (beta[j] != 0) h = (h ^ (beta[j] > 0 ? 2L * j + 1 : 2L * j + 2)) * 1099511628211;
        return h;
    }

    /// <summary>g = X̃ᵀỹ − X̃ᵀX̃·β from scratch, discarding drift from the updates.</summary>
    internal static void Gradient(GramState state, ReadOnlySpan<double> beta, Span<double> g)
    {
        state.Xty.CopyTo(g);
        for (int j = 0; j < beta.Length; j++)
            if (beta[j] != 0) Kernels.Axpy(-beta[j], state.Column(j), g);
    }

    /// <summary>‖R‖² from g alone: ‖ỹ‖² − βᵀX̃ᵀỹ − βᵀg.</summary>
    internal static double ResidualSquared(GramState state, ReadOnlySpan<double> g, ReadOnlySpan<double> beta) =>
        Math.Max(state.YSquared - Kernels.Dot(beta, state.Xty) - Kernels.Dot(beta, g), 0);

    /// <summary>The duality gap from g alone.</summary>
    internal static double Gap(GramState state, ReadOnlySpan<double> g, ReadOnlySpan<double> beta, int n, double l1, double l2) =>
        DualityGap.Compute(g, beta, ResidualSquared(state, g, beta), n, l1, l2, state.Design);

    /// <summary>
    /// Largest active set solved directly (no pass over the data; the factor grows by O(m²) a feature and holds m²
    /// doubles with its Gram block, 200 MB at this size). On correlated designs coordinate descent alone can take
    /// hundreds of thousands of sweeps to reach a tight gap; the direct solve ends it (at 3,000, a lasso path with 3,560
    /// active features at its end, n = 10,000, p = 4,000, spent minutes in its last λ without it).
    /// </summary>
    private const int MaxPolishSize = 5000;

    /// <summary>
    /// Active-set sweeps before a direct solve is tried. The solve does not need settled signs: it stops at the first
    /// coefficient its step would carry across zero, drops it and solves again (<see cref="Polish"/>). Waiting instead
    /// for a sweep that changes no sign, after at least five, took 2,009 sweeps and 17.6 s on the lasso path with 3,560
    /// active features at its end (n = 10,000, p = 4,000), where this takes 454 and 9.5 s; on the dense benchmark paths
    /// 831 → 366 sweeps (elastic net) and 914 → 369 (lasso).
    /// </summary>
    private const int SweepsBeforePolish = 2;

    /// <summary>Direct solves after the first at one λ, each on the support the previous one left (see <see cref="Solve"/>).</summary>
    private const int PolishRounds = 4;

    /// <summary>The active-set solve of <see cref="CoordinateDescent"/>, with the Gram block from the cache: O(m³), no pass over the data.</summary>
    /// <returns>The gap after the solve, with g computed from scratch; or, if it was not better, the gap it was given, with β
    /// and g as they came.</returns>
    private static double Polish(GramState state, Span<double> g, double l1, double l2, Span<double> beta, double gap, out bool blocked)
    {
        blocked = false;
        var design = state.Design;
        int n = design.N;
        double[]? previous = null, previousGradient = null;
        // An active-set method on the support coordinate descent found: solve for its optimum with the signs held, step
        // towards it, and when a coefficient reaches zero (or a bound) first, stop there, drop it and solve again on the
        // rest. Every step lowers the objective; the gradient and gap are computed once, after the last.
        for (int steps = 0; ; steps++)
        {
            var active = new List<int>();
            var pinned = new List<int>();
            for (int j = 0; j < beta.Length; j++)
            {
                if (beta[j] == 0) continue;
                if (beta[j] == design.LowerOf(j) || beta[j] == design.UpperOf(j)) pinned.Add(j);
                else active.Add(j);
            }
            int m = active.Count;
            if (m == 0 || (l2 == 0 && m >= n) || m > MaxPolishSize) break;
            // The factor of X̃_AᵀX̃_A + nλ2·I is kept between calls and grown row by row as features enter, so along a
            // path most solves cost O(m²) instead of m³/3.
            var factor = state.ActiveFactor;
            if (!factor.Ensure(state, active, n * l2)) break;
            active = [.. factor.Order.ToArray()];
            var rhs = new double[m];
            for (int u = 0; u < m; u++)
            {
                int j = active[u];
                rhs[u] = state.Xty[j] - n * l1 * design.FactorOf(j) * Math.Sign(beta[j]);
                foreach (int k in pinned) rhs[u] -= state.Column(k)[j] * beta[k];
            }
            var start = new double[m];
            for (int u = 0; u < m; u++) start[u] = beta[active[u]];
            if (!factor.Solve(state, rhs, n * l2, start)) break;
            previous ??= beta.ToArray();
            previousGradient ??= g.ToArray();
            blocked = CoordinateDescent.StepTowards(design, beta, active, rhs) >= 0;
            if (!blocked || steps + 1 >= MaxBlockedSteps) break;
        }
        if (previous is null || previousGradient is null) return gap; // nothing was solved
        Gradient(state, beta, g);
        double polished = Gap(state, g, beta, n, l1, l2);
        if (polished < gap) return polished;
        // No better: back to the coefficients and gradient it started from.
        blocked = false;
        previous.CopyTo(beta);
        previousGradient.CopyTo(g);
        return gap;
    }

    /// <summary>Steps of one direct solve that stop at a coefficient reaching zero, each dropping it (see <see cref="Polish"/>).</summary>
    private const int MaxBlockedSteps = 50;
}


/// <summary>
/// The Cholesky factor of G_SS + shift·I for a set S of Gram columns (an <see cref="UpdatableCholesky"/>: a column
/// joining or leaving costs O(|S|²)), with the shifted solves of an elastic-net path on top of it.
/// </summary>
internal sealed class IncrementalCholesky(int p)
{
    private readonly UpdatableCholesky _factor = new(p);
    /// <summary>Marks the columns an <see cref="Ensure"/> wants (all false between calls).</summary>
    private readonly bool[] _wanted = new bool[p];
    /// <summary>The lower triangle of G_SS itself, row k over the first k + 1 columns of <see cref="Order"/>: kept beside the
    /// factor (the appends read these entries anyway) so conjugate gradients multiply by it without gathering m² entries
    /// from the Gram columns at every solve.</summary>
    private readonly List<double[]> _block = new();
    private double _shift = double.NaN;

    public ReadOnlySpan<int> Order => _factor.Order;

    /// <summary>How the last <see cref="Solve(GramState, Span{double}, double, ReadOnlySpan{double})"/> solved (for tests).</summary>
    internal string? LastMethod { get; private set; }

    /// <summary>
    /// A factor made for a shift this close to the one asked for is kept and used as the preconditioner of conjugate
    /// gradients: along an elastic-net path the shift nλ2 changes at every λ, and refactoring costs m³/3 each time,
    /// where a few O(m²) iterations do. The condition number of the preconditioned system is at most this ratio.
    /// </summary>
    private const double ShiftRatioKept = 4;

    /// <summary>
    /// The ratio bound is for the worst case, a Gram block with eigenvalues near zero. When the block's smallest
    /// eigenvalue dwarfs both shifts the stale factor stays a near-exact preconditioner however far the shift moves
    /// (on the dense benchmark the shift nλ2 ends between 4 and 25, where the equicorrelated design's Gram eigenvalues are
    /// expected in the thousands; keeping the factor took the elastic-net path from about 1.05 to 0.96 CPU seconds, the
    /// refactoring appends having been ~7% of its profile). So the factor is also kept, up to this ratio, while the last solve needed at
    /// most <see cref="FewIterations"/>: the iteration count measures the actual conditioning.
    /// </summary>
    private const double ShiftRatioStretched = 1e4;

    private const int FewIterations = 8;

    private int _lastIterations = int.MaxValue;

    /// <summary>
    /// Makes the factor hold exactly the columns of <paramref name="set"/>, for <paramref name="shift"/> or a shift close
    /// enough to precondition it (see <see cref="ShiftRatioKept"/>); false if they are (numerically) dependent.
    /// </summary>
    public bool Ensure(GramState state, IReadOnlyList<int> set, double shift)
    {
        double ratio = shift > 0 && _shift > 0 ? Math.Max(shift / _shift, _shift / shift) : double.PositiveInfinity;
        bool close = shift == _shift || ratio <= ShiftRatioKept || (ratio <= ShiftRatioStretched && _lastIterations <= FewIterations);
        if (!close)
        {
            _lastIterations = int.MaxValue;
            _factor.Clear();
            _block.Clear();
            _shift = shift;
        }
        foreach (int j in set) _wanted[j] = true;
        // Last first, so that the indices of the columns still to remove do not move.
        for (int u = _factor.Count - 1; u >= 0; u--)
            if (!_wanted[_factor.Order[u]]) Remove(u);
        foreach (int j in set) _wanted[j] = false;
        var joining = set.Where(j => _factor.PositionOf(j) < 0).ToArray();
        if (joining.Length == 0) return true;
        // Each joining column's entries with the held columns, then with those joining before it, then its own diagonal:
        // the row of the kept block it becomes.
        int m = _factor.Count;
        var rows = new double[joining.Length][];
        var diagonals = new double[joining.Length];
        for (int t = 0; t < joining.Length; t++)
        {
            int j = joining[t];
            var column = state.Column(j);
            var entries = rows[t] = new double[m + t + 1];
            for (int k = 0; k < m; k++) entries[k] = column[_factor.Order[k]];
            for (int u = 0; u < t; u++) entries[m + u] = column[joining[u]];
            entries[m + t] = column[j];
            diagonals[t] = column[j] + _shift * state.Design.FactorOf(j);
        }
        if (!_factor.AppendAll(joining, rows, diagonals, 1e-12))
        {
            _factor.Clear();
            _block.Clear();
            _shift = double.NaN;
            return false;
        }
        _block.AddRange(rows);
        return true;
    }

    /// <summary>Removes the column at <paramref name="index"/> of <see cref="Order"/>, and its row and column of the kept block.</summary>
    private void Remove(int index)
    {
        _factor.Remove(index);
        _block.RemoveAt(index);
        // Later rows close the gap in place; their last entry goes stale, and every reader takes only the first u + 1.
        for (int row = index; row < _block.Count; row++)
        {
            var entries = _block[row];
            entries.AsSpan(index + 1).CopyTo(entries.AsSpan(index));
        }
    }

    /// <summary>
    /// Solves (G_SS + shift·F)·x = b in place, b and x in <see cref="Order"/>: directly when the factor is for this shift,
    /// else iteratively with the factor, from <paramref name="start"/> (the coefficients coordinate descent left, already
    /// close: each digit they have is about one iteration saved). False if the iterations do not converge.
    /// </summary>
    public bool Solve(GramState state, Span<double> b, double shift, ReadOnlySpan<double> start)
    {
        if (shift == _shift)
        {
            LastMethod = "direct";
            Solve(b);
            return true;
        }
        var x = start.ToArray();
        LastMethod = "stationary";
        if (!Stationary(state.Design, b, shift, x))
        {
            LastMethod = "conjugate gradients";
            start.CopyTo(x);
            if (!Conjugate(state.Design, b, shift, x)) return false;
        }
        x.CopyTo(b);
        return true;
    }

    /// <summary>
    /// The fixed point of x = M⁻¹(b − δ·F·x), M = G_SS + shift₀·F the factored matrix and δ = shift − shift₀, which is the
    /// solution of (M + δF)·x = b. Each step costs one pair of triangular solves, where a step of conjugate gradients
    /// also multiplies by G_SS; the error shrinks by |δ|·‖M⁻¹F‖ per step, tiny when G_SS's eigenvalues dwarf the shifts
    /// (a path's elastic net, where nλ₂ is small beside the Gram block). Stops as soon as the steps stop shrinking fast;
    /// conjugate gradients then go on from where it got.
    /// </summary>
    private bool Stationary(Design design, ReadOnlySpan<double> b, double shift, double[] x)
    {
        int m = _factor.Count;
        double delta = shift - _shift;
        var next = new double[m];
        double previousStep = double.PositiveInfinity;
        for (int iteration = 0; iteration < MaxStationarySteps; iteration++)
        {
            for (int u = 0; u < m; u++) next[u] = b[u] - delta * design.FactorOf(_factor.Order[u]) * x[u];
            Solve(next);
            double step = 0, size = 0;
            for (int u = 0; u < m; u++)
            {
                double d = next[u] - x[u];
                step += d * d;
                size += next[u] * next[u];
            }
            next.CopyTo(x, 0);
            if (step <= StepTolerance * size)
            {
                // The steps say converged; the residual, from the Gram block itself, decides.
                if (!Converged(design, b, shift, x, 1e-20)) return false;
                _lastIterations = iteration + 1;
                return true;
            }
            if (!(step <= SlowContraction * previousStep)) return false;
            previousStep = step;
        }
        return false;
    }

    /// <summary>Stationary steps before conjugate gradients take over.</summary>
    private const int MaxStationarySteps = 12;

    /// <summary>
    /// The squared step, relative to the squared solution, at which the stationary steps stop (a step of 1e-8 relative;
    /// the residual check then asks for 1e-10). The solution's error only enters the duality gap squared: on the dense
    /// elastic-net benchmark the polished gaps stayed at 1e-18 while the steps fell from 1,255 (at 1e-30) to 797.
    /// </summary>
    private const double StepTolerance = 1e-16;

    /// <summary>A squared step this much of the previous one (contraction 0.3 a step) is too slow to go on with.</summary>
    private const double SlowContraction = 0.09;

    private bool Converged(Design design, ReadOnlySpan<double> b, double shift, ReadOnlySpan<double> x, double relative)
    {
        int m = _factor.Count;
        var ax = new double[m];
        Multiply(design, shift, x, ax);
        double residual = 0, size = 0;
        for (int u = 0; u < m; u++)
        {
            double d = b[u] - ax[u];
            residual += d * d;
            size += b[u] * b[u];
        }
        return residual <= relative * size;
    }

    /// <summary>Conjugate gradients preconditioned with the factor, from <paramref name="x"/>, which gets the solution.</summary>
    private bool Conjugate(Design design, ReadOnlySpan<double> b, double shift, double[] x)
    {
        int m = _factor.Count;
        var rhs = b.ToArray();
        var r = (double[])rhs.Clone();
        var ax = new double[m];
        Multiply(design, shift, x, ax);
        Kernels.Axpy(-1, ax, r);
        var z = (double[])r.Clone();
        Solve(z);
        var d = (double[])z.Clone();
        var ad = new double[m];
        double rz = Kernels.Dot(r, z), target = 1e-28 * Kernels.Dot(rhs, rhs);
        _lastIterations = int.MaxValue;
        int iteration = 0;
        for (; iteration < 100; iteration++)
        {
            if (Kernels.Dot(r, r) <= target) break;
            Multiply(design, shift, d, ad);
            double alpha = rz / Kernels.Dot(d, ad);
            if (!double.IsFinite(alpha)) return false;
            Kernels.Axpy(alpha, d, x);
            Kernels.Axpy(-alpha, ad, r);
            r.CopyTo(z, 0);
            Solve(z);
            double next = Kernels.Dot(r, z);
            for (int u = 0; u < m; u++) d[u] = z[u] + next / rz * d[u];
            rz = next;
        }
        if (!(Kernels.Dot(r, r) <= 1e-20 * Kernels.Dot(rhs, rhs))) return false;
        _lastIterations = iteration;
        return true;
    }

    /// <summary>
    /// y = (G_SS + shift·F)·x from the kept lower triangle: row u gives y_u its dot with x and adds x_u times itself to
    /// the y above it, while the row is in cache (the triangle itself is too large to be read twice from cache).
    /// </summary>
    private void Multiply(Design design, double shift, ReadOnlySpan<double> x, Span<double> y)
    {
        int m = _factor.Count;
        for (int u = 0; u < m; u++)
        {
            var row = _block[u].AsSpan(0, u + 1);
            y[u] = Kernels.Dot(row, x[..(u + 1)]) + shift * design.FactorOf(_factor.Order[u]) * x[u];
            Kernels.Axpy(x[u], row[..u], y[..u]);
        }
    }

    /// <summary>Solves (G_SS + shift·F)·x = b in place with the factor's own shift, b and x in <see cref="Order"/>.</summary>
    private void Solve(Span<double> b) => _factor.Solve(b);
}
