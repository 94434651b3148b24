using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Shrink.Solvers;

/// <summary>
/// Cyclic coordinate descent with soft-thresholding for the standardized elastic net
/// ‖ỹ − X̃β‖²/(2n) + λ1‖β‖₁ + λ2/2·‖β‖². A full sweep finds the features that want to move; sweeps over the
/// non-zero ones follow until they settle; then an exact duality gap decides whether to stop.
/// </summary>
/// <summary>What one fit of a path leaves for the next: the gradient at its solution and its L1 weight.</summary>
internal sealed class PathMemory
{
    public double[]? Gradient { get; set; }
    public double L1 { get; set; }

    /// <summary>
    /// Buffers reused from one λ to the next (on wide data each is large, and a path would otherwise leave several per λ
    /// for the collector): the gradient being computed (swapped with <see cref="Gradient"/>), and the residual.
    /// </summary>
    internal double[]? SpareGradient;
    internal Residual? Residual;
    /// <summary>The β the kept residual was last recomputed from (at the end of the previous fit).</summary>
    internal CoefficientSnapshot? ResidualOf;
    internal int[]? Included;
    /// <summary>Lists of features rebuilt at every λ (the active set, the strong rule's survivors), kept for their capacity.</summary>
    internal List<int>? Active, Strong;
    internal bool[]? InWorking;
    internal Design? Owner;

    /// <summary>Stale gradients that bound every gradient since (see CheckingGradient).</summary>
    internal CoordinateDescent.GradientReferences? References;
    internal CoordinateDescent.DualExtrapolation? Dual;
    internal CoordinateDescent.Extrapolation? Anderson;
    internal CoordinateDescent.GramCache? Gram;
    internal SweepBlock? Block;
    /// <summary>The solution and λ1 of the fit before the last (for the extrapolated warm start of sparse paths), and a spare snapshot.</summary>
    internal CoefficientSnapshot? Before, SpareSnapshot;
    internal double L1Before;
}

/// <summary>
/// A copy of a coefficient vector that holds its non-zeros only: late on a sparse path a tenth of the features are
/// non-zero, and a dense copy was one more p-vector held for the whole path.
/// </summary>
internal sealed class CoefficientSnapshot
{
    private int[] _positions = [];
    private double[] _values = [];
    private int _count, _length = -1;

    public void Take(ReadOnlySpan<double> beta)
    {
        int count = Kernels.CountNonZeros(beta);
        if (_positions.Length < count)
        {
            _positions = new int[Math.Max(count, _positions.Length * 3 / 2)];
            _values = new double[_positions.Length];
        }
        int k = 0;
        foreach (int j in Kernels.NonZeros(beta))
        {
            _positions[k] = j;
            _values[k++] = beta[j];
        }
        _count = count;
        _length = beta.Length;
    }

    /// <summary>The positions of the non-zero values taken, in order, and the values.</summary>
    public ReadOnlySpan<int> Positions => _positions.AsSpan(0, _count);

    /// <inheritdoc cref="Positions"/>
    public ReadOnlySpan<double> Values => _values.AsSpan(0, _count);

    /// <summary>Whether <paramref name="beta"/> is the vector taken, bit for bit (−0 and 0 alike, as a residual sees them).</summary>
    public bool Matches(ReadOnlySpan<double> beta)
    {
        if (beta.Length != _length) return false;
        int k = 0;
        foreach (int j in Kernels.NonZeros(beta))
        {
            if (k == _count || _positions[k] != j || !beta[j].Equals(_values[k])) return false;
            k++;
        }
        return k == _count;
    }
}

internal static class CoordinateDescent
{
    /// <summary>
    /// Cores for the passes over the data (null: all). Each value of a pass is one dot product whoever computes it, so
    /// results are the same whatever this is; tests set it to 1 to show that.
    /// </summary>
    internal static int? MaxParallelism { get; set; }

    internal static ParallelOptions Threads => new() { MaxDegreeOfParallelism = MaxParallelism ?? Environment.ProcessorCount };

    /// <param name="ResidualSquared">‖R‖² from the residual recomputed for the last gap, when that gap is the final word on β (else NaN).</param>
    internal readonly record struct Outcome(int Sweeps, bool Converged, double Gap, double ResidualSquared = double.NaN);

    /// <param name="design">The implicit standardized design.</param>
    /// <param name="yc">Target, centred when there is an intercept.</param>
    /// <param name="l1">λ1 &gt; 0.</param>
    /// <param name="l2">λ2 ≥ 0.</param>
    /// <param name="gapTolerance">Stop once the duality gap (1/n scale) is at most this.</param>
    /// <param name="maxSweeps">Cap on sweeps, full and active-set together.</param>
    /// <param name="beta">Start point in, solution out (standardized space).</param>
    /// <param name="previous">
    /// The gradient X̃ᵀR and L1 weight at the previous λ of a path, if any: the sequential strong rule then limits the
    /// sweeps to the features likely to be non-zero, and every other feature is checked against the optimality
    /// conditions afterwards (and brought in if it violates them). Updated on return.
    /// </param>
    public static Outcome Solve(Design design, ReadOnlySpan<double> yc, double l1, double l2, double gapTolerance, int maxSweeps, Span<double> beta,
        PathMemory? previous = null)
    {
        int n = design.N, p = design.P;
        if (previous is not null && previous.Owner != design)
        {
            // Buffers belong to one design (the gradient of the previous λ is the caller's to keep or not).
            previous.Owner = design;
            previous.Residual = null;
            previous.ResidualOf = null;
            previous.Included = null;
            previous.References = null;
            previous.Dual = null;
            previous.Gram = null;
            previous.Block = null;
        }
        // Sparse paths: the warm start is moved along the path's last step. With the active set fixed the lasso's path is
        // linear in λ, so the features non-zero at both previous λ are extrapolated linearly (none across zero); the
        // features entering in between bend it, but the start is still nearer than the last solution (on the sparse
        // anchor path: 803 → 733 sweeps). The residual is recomputed below, as for any start it was not left at.
        bool extrapolated = false;
        if (previous is not null && design.IsSparse && design.Root is null && !design.Shaped && previous.ResidualOf is { } last && last.Matches(beta))
        {
            extrapolated = previous.Before is not null && previous.L1Before > previous.L1 && l1 < previous.L1;
            if (extrapolated) ExtrapolatePath(beta, previous.Before!, (previous.L1 - l1) / (previous.L1Before - previous.L1));
            // The last solution's snapshot becomes the one before the last (no copy); the older one is kept for its buffers
            // and taken again at the end of this fit. Until then the residual's β is not known to the memory: it is
            // recomputed below (from the block after an extrapolated start).
            previous.SpareSnapshot = previous.Before;
            previous.Before = last;
            previous.ResidualOf = null;
            previous.L1Before = previous.L1;
        }
        Residual residual;
        if (previous?.Residual is { } kept && kept.Target.SequenceEqual(yc))
        {
            residual = kept;
            // Every fit ends on a residual recomputed from its β: the next λ starting there needs no recomputation
            // (late on a sparse path that is as much work as a sweep, per λ).
            // (An extrapolated start moved only the features of the last solution, all in the block or its overflow.)
            if (extrapolated && previous.Block is { } from && from.Design == design) residual.Refresh(beta, from);
            else if (previous.ResidualOf is not { } of || !of.Matches(beta)) residual.Refresh(beta);
        }
        else
        {
            residual = new Residual(design, yc, beta);
            if (previous is not null)
            {
                previous.Residual = residual;
                // Its X̃ᵀỹ entries are of the target the residual was of.
                previous.Gram = null;
            }
        }
        var v = previous?.SpareGradient ?? new double[p];
        var active = previous?.Active ?? new List<int>(Math.Min(p, 1024));
        if (previous is not null) previous.Active = active;
        if (previous?.Included is not { } included)
        {
            included = IncludedFeatures(design);
            if (previous is not null) previous.Included = included;
        }
        var working = included;
        if (previous is { Gradient: null } && l1 > 0 && !design.Shaped && !beta.ContainsAnyExcept(0.0))
        {
            // A path's first λ, from zero: the gradient there is one pass (the optimality check's, which also makes it the
            // first reference its bounds build on), and it sets λmax, the λ "before" this one, for the strong rule. The
            // first sweep would otherwise visit every feature, and the check at the end read them all again; now that
            // check finds the residual where the pass left it (or close) and computes next to nothing.
            var start = new double[p];
            CheckingGradient(design, residual, beta, n * l1, start, previous, null);
            double largest = 0;
            foreach (int j in included) largest = Math.Max(largest, Math.Abs(start[j]));
            previous.Gradient = start;
            previous.L1 = largest / n;
        }
        if (previous is { Gradient: { } g0 } && previous.L1 > 0)
        {
            // Tibshirani et al.'s sequential strong rule: |x̃ᵀR|/n < 2λ1 − λ1_previous predicts a zero coefficient.
            double threshold = n * (2 * l1 - previous.L1);
            var strong = previous.Strong ??= new List<int>();
            strong.Clear();
            if (design.Factor is null && included.Length == p) StrongSet(beta, g0, threshold, strong);
            else
                foreach (int j in included)
                    if (beta[j] != 0 || Math.Abs(g0[j]) >= threshold * design.FactorOf(j)) strong.Add(j);
            working = strong.ToArray();
        }
        var inWorking = previous?.InWorking ?? new bool[p];
        Array.Clear(inWorking);
        if (previous is not null) previous.InWorking = inWorking;
        foreach (int j in working) inWorking[j] = true;
        // The restricted gradient's buffer: the previous λ's gradient, which the strong rule above was its last reader
        // of (a p-vector less held over a sparse path). It becomes the spare gradient afterwards, scratch either way.
        var restricted = working.Length == included.Length ? [] : previous?.Gradient ?? new double[p];
        int sweeps = 0;
        // Sparse designs with features left out by the strong rule: the first round's sweeps stop a hundredfold above the
        // gap tolerance. Its restricted pass then finds the working features that want in while the active ones are
        // still settling, where sweeping them to the final tolerance first was partly undone by the entrants (on the
        // sparse anchor path: 861 → 776 sweeps, 283M → 241M stored entries visited by them). On the dense wide path the
        // extra rounds cost more than the sweeps saved (CPU 0.335 → 0.37 s), so it keeps the plain start.
        double innerTolerance = gapTolerance * (design.IsSparse && working.Length < included.Length ? 100 : 1), lastDecrease = double.PositiveInfinity;
        double gap = double.PositiveInfinity, rss = double.NaN;

        // After a failed restricted gap, only the working features that violate their optimality condition need a
        // visit (the restricted gradient has just been computed for all of them), not the whole working set.
        int[]? entrants = null;
        // Sparse lasso paths (the plain penalty): extrapolated residuals give dual points that certify many sweeps sooner
        // where thousands of features are active. Dense designs keep the residual's dual point, whose later certificate
        // over-solves the coefficients (some of the tests rely on that margin at the default tolerance).
        DualExtrapolation? dual = null;
        if (design.IsSparse && l2 == 0 && l1 > 0 && !design.Shaped)
        {
            dual = previous?.Dual ?? new DualExtrapolation(n);
            dual.Reset();
            if (previous is not null) previous.Dual = dual;
        }
        // Dense designs with few rows (wide data): the polish's kept factor makes it cheap next to the sweeps it saves.
        bool earlyPolish = previous is not null && !design.IsSparse && n < design.P;
        var signs = earlyPolish ? new sbyte[Math.Min(p, n + 1)] : [];
        var extrapolation = previous?.Anderson;
        // Sparse designs whose sweeps take the fused kernel (no weights, the plain penalty): the active columns are swept
        // from a compact copy (kept for the whole path; see SweepBlock).
        SweepBlock? block = null;
        if (design.IsSparse && design.Root is null && !design.Shaped)
        {
            block = previous?.Block is { } keptBlock && keptBlock.Design == design ? keptBlock : new SweepBlock(design);
            if (previous is not null) previous.Block = block;
        }
        // Whether β has changed since the residual was last recomputed from it (rather than updated along).
        bool drifted = false;
        while (sweeps < maxSweeps)
        {
            Sweep(design, residual, entrants ?? working, l1, l2, beta);
            entrants = null;
            sweeps++;
            drifted = true;
            // max |x̃_jᵀρ| over the working set for the dual candidate of this round, once computed.
            double workingLargest = double.NaN;

            // Every non-zero coefficient is in the working set (the strong rule keeps them, violators join it).
            active.Clear();
            foreach (int j in working)
                if (beta[j] != 0) active.Add(j);

            // Sparse columns swept from a compact copy: the block's features (every active one and a few that were, in the
            // block's order) are the round's active set.
            ReadOnlySpan<int> activeSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(active);
            if (block is not null)
            {
                block.Update(working, inWorking, beta, l2);
                activeSpan = block.Swept;
            }
            // One set of Anderson buffers for every round and λ of a path (each round's active set is copied in).
            var anderson = activeSpan.Length >= AndersonFrom ? (extrapolation ??= new Extrapolation()).Restart(activeSpan) : null;
            int settled = 0;
            while (sweeps < maxSweeps)
            {
                if (earlyPolish) RecordSigns(activeSpan, beta, signs);
                double decrease = block is not null
                    ? residual.BlockSweep(block, l1, l2, beta)
                    : Sweep(design, residual, activeSpan, l1, l2, beta);
                sweeps++;
                dual?.Record(residual);
                lastDecrease = decrease;
                if (decrease <= innerTolerance) break;
                // Once a sweep leaves every active sign as it was, the polish's linear system is probably the right
                // one: solving it now replaces the slow tail of sweeps (see EarlyPolishAfter).
                if (earlyPolish && SameSigns(activeSpan, beta, signs) && ++settled >= EarlyPolishAfter) break;
                if (anderson is null) continue;
                anderson.Record(beta);
                if (anderson.Ready) anderson.TryStep(design, residual, l1, l2, beta, block);
            }

            // The direct solve goes first and is judged by the objective (one pass over the active columns), so that a
            // single full pass then serves both the optimality check and the duality gap.
            // (A block's active set beyond the cache's capacity is solved uncached, if at all: the cache is let go, it
            // holds p-long index arrays and the rows of the last polished set.)
            if (previous is not null && block is not null && activeSpan.Length > GramCache.Capacity) previous.Gram = null;
            var gramCache = previous is null || (block is not null && activeSpan.Length > GramCache.Capacity) ? null : previous.Gram ??= new GramCache(p);
            bool polished = Polish(design, yc, l1, l2, residual, beta, gramCache, working);
            // A polish that was not kept (a singular block, or beyond its budget) would be tried again after every few
            // sweeps to no avail: from then on the sweeps run to their tolerance.
            if (!polished) earlyPolish = false;
            // (A kept polish has just recomputed the residual.) With a block the residual is recomputed only for the exact
            // certificate below: the restricted gap only decides whether to go on sweeping, and the rounding drift of a
            // few dozen sweeps of incremental updates (relative 1e-15 or so) cannot move it across a tolerance of 1e-9
            // in any way that matters; that saved a pass over the active columns per round (5–6 rounds per λ late on
            // the sparse anchor path).
            if (polished) drifted = false;
            else if (block is null) drifted = Refresh(residual, beta, working, block);
            if (working.Length < included.Length)
            {
                // The gap of the problem restricted to the working set costs a pass over the working columns only; while
                // it is not met, neither is the full one (which can only be larger), so the full pass waits for it.
                if (design.Shaped) Array.Clear(restricted);
                // The dual candidate's products ride on the same pass (each column is read once for both).
                var rho = dual?.Candidate();
                double candidateLargest = WorkingPass(design, residual, working, restricted, rho, block);
                double restrictedGap = RestrictedGap(design, working, restricted, beta, residual.SquaredNorm(), l1, l2);
                if (restrictedGap > gapTolerance && rho is not null)
                {
                    workingLargest = candidateLargest;
                    restrictedGap = Math.Min(restrictedGap, dual!.Gap(residual, yc, beta, l1, rho, workingLargest, working));
                }
                if (restrictedGap > gapTolerance)
                {
                    var wanting = new List<int>();
                    foreach (int j in working)
                        if (beta[j] == 0 && Violates(design, j, restricted[j], n * l1)) wanting.Add(j);
                    entrants = wanting.ToArray();
                    innerTolerance = NextInnerTolerance(innerTolerance, restrictedGap, gapTolerance, lastDecrease, entrants.Length > 0 || polished);
                    continue;
                }
            }
            // (With a block, the residual's rounding drift is removed here, once per λ, for the exact certificate. The
            // working values handed in were computed just before, at the drifted residual: they differ from products at
            // the refreshed one in the last digits only, far below anything the gap tolerance can see.)
            if (drifted) drifted = Refresh(residual, beta, working, block);
            var (bounds, computed) = CheckingGradient(design, residual, beta, n * l1, v, previous,
                working.Length < included.Length ? (working, inWorking, restricted) : null);
            // The optimality check over the features the strong rule left out; any that fail join the working set. Only
            // those whose products the check computed can (the others' bounds are below their thresholds).
            var violators = new List<int>();
            if (design.Shaped)
            {
                foreach (int j in computed ?? included)
                    if (!inWorking[j] && Violates(design, j, v[j], n * l1)) violators.Add(j);
            }
            else
            {
                // (The plain penalty's condition, without the per-feature lookups.)
                foreach (int j in computed ?? included)
                    if (!inWorking[j] && Math.Abs(v[j]) > n * l1) violators.Add(j);
            }
            if (violators.Count > 0)
            {
                foreach (int j in violators) inWorking[j] = true;
                working = [.. working, .. violators];
                continue;
            }
            rss = residual.SquaredNorm();
            gap = DualityGap.Compute(v, beta, rss, n, l1, l2, design);
            if (gap > gapTolerance && dual?.Candidate() is { } point)
            {
                // The working set's maximum is the one just computed for the restricted gap (same β, same candidate);
                // the features outside it are bounded from their gradient at R, and few need an exact product.
                double largest = double.IsNaN(workingLargest) ? dual.Largest(design, point, working) : workingLargest;
                if (working.Length < included.Length) largest = dual.LargestBeyond(design, residual, point, largest, n * l1, included, inWorking, bounds);
                gap = Math.Min(gap, dual.Gap(residual, yc, beta, l1, point, largest, working));
            }
            if (gap <= gapTolerance) break;
            rss = double.NaN;
            innerTolerance = NextInnerTolerance(innerTolerance, gap, gapTolerance, lastDecrease, polished);
        }
        if (drifted) Refresh(residual, beta, working, block);
        if (previous is not null)
        {
            // Each fit ends with the residual recomputed from β, and β does not change after it.
            (previous.ResidualOf ??= previous.SpareSnapshot ?? new CoefficientSnapshot()).Take(beta);
            previous.SpareSnapshot = null;
            previous.Anderson = extrapolation;
            previous.SpareGradient = previous.Gradient;
            previous.Gradient = v;
            previous.L1 = l1;
        }
        return new Outcome(sweeps, gap <= gapTolerance, gap, rss);
    }

    /// <summary>β ← β + t·(β − before) for the coefficients non-zero with the same sign in both (before given by its non-zero entries); one that would cross zero stops there.</summary>
    private static void ExtrapolatePath(Span<double> beta, CoefficientSnapshot before, double t)
    {
        var features = before.Positions;
        var values = before.Values;
        for (int a = 0; a < features.Length; a++)
        {
            int j = features[a];
            double b = beta[j], o = values[a];
            if (b == 0 || o == 0 || (b > 0) != (o > 0)) continue;
            double next = b + t * (b - o);
            beta[j] = (next > 0) == (b > 0) ? next : 0;
        }
    }

    /// <summary>Recomputes the residual from β, whose non-zero coefficients are all in the block if there is one, else in the working set; returns false (no drift left).</summary>
    private static bool Refresh(Residual residual, ReadOnlySpan<double> beta, int[] working, SweepBlock? block)
    {
        if (block is not null) residual.Refresh(beta, block);
        else residual.Refresh(beta, working);
        return false;
    }

    /// <summary>The features that are variables, in order (counted first: exactly p values or fewer, no growing buffers).</summary>
    private static int[] IncludedFeatures(Design design)
    {
        int count = 0;
        foreach (bool excluded in design.Excluded)
            if (!excluded) count++;
        var included = new int[count];
        for (int j = 0, k = 0; j < design.P; j++)
            if (!design.Excluded[j]) included[k++] = j;
        return included;
    }

    /// <summary>
    /// x̃_jᵀR into <paramref name="gradient"/> for the working features and, with a dual candidate ρ, max |x̃_jᵀρ| over
    /// them (0 without one). With a sweep block, its features (all working ones) are read from the block and the other
    /// working features from the matrix. A large pass is split over the cores by ranges of features (sparse designs
    /// only: the dense wide path keeps its serial pass); each value is one dot product whoever computes it, and the
    /// maximum of the same values is the same, so results do not depend on the thread count.
    /// </summary>
    internal static double WorkingPass(Design design, Residual residual, int[] working, double[] gradient, double[]? rho, SweepBlock? block = null)
    {
        const int InBlock = 1024, Outside = 4096;
        double rootDot = rho is null ? 0 : design.RootDot(rho);
        int blockRanges = block is null ? 0 : (block.Count + InBlock - 1) / InBlock, outsideRanges = (working.Length + Outside - 1) / Outside;
        double Range(int b)
        {
            double largest = 0;
            if (b < blockRanges)
            {
                var columns = block!.Columns;
                int end = Math.Min(block.Count, (b + 1) * InBlock);
                for (int c = b * InBlock; c < end; c++)
                {
                    gradient[columns[c]] = residual.Dot(block, c, rho, rootDot, out double rhoDot);
                    largest = Math.Max(largest, Math.Abs(rhoDot));
                }
                return largest;
            }
            b -= blockRanges;
            int last = Math.Min(working.Length, (b + 1) * Outside);
            for (int a = b * Outside; a < last; a++)
            {
                int j = working[a];
                if (block is not null && block.PositionOf(j) >= 0) continue;
                if (a + 1 < last) design.Prefetch(working[a + 1]);
                gradient[j] = residual.Dot(j);
                if (rho is not null) largest = Math.Max(largest, Math.Abs(design.Dot(j, rho, rootDot)));
            }
            return largest;
        }
        int ranges = blockRanges + outsideRanges;
        double entries = design.PassCost * (double)working.Length / design.P;
        bool parallel = design.IsSparse && ranges > 1 && entries >= (block is null ? 1_000_000 : ParallelWorkingEntries);
        if (!parallel)
        {
            double largest = 0;
            for (int b = 0; b < ranges; b++) largest = Math.Max(largest, Range(b));
            return largest;
        }
        var maxima = new double[ranges];
        System.Threading.Tasks.Parallel.For(0, ranges, CoordinateDescent.Threads, b => maxima[b] = Range(b));
        return maxima.Max();
    }

    /// <summary>Stored entries (estimated) from which a working pass with a block runs on all cores.</summary>
    private const double ParallelWorkingEntries = 200_000;

    /// <summary>
    /// The duality gap of the problem restricted to the working features, from their gradients v (entries of other
    /// features are not read unless the penalty is shaped). Gathered into the working set's order, so that a round
    /// costs the working set and not a scan of all p features.
    /// </summary>
    private static double RestrictedGap(Design design, int[] working, double[] v, ReadOnlySpan<double> beta, double residualSquared, double l1, double l2)
    {
        if (design.Shaped) return DualityGap.Compute(v, beta, residualSquared, design.N, l1, l2, design);
        // Rented: late on the sparse path the working set holds 10,000+ features and this runs every round, so fresh
        // arrays came to megabytes the collector seldom got round to, all of it resident until the peak.
        int m = working.Length;
        var pool = System.Buffers.ArrayPool<double>.Shared;
        double[] vw = pool.Rent(m), bw = pool.Rent(m);
        try
        {
            for (int a = 0; a < m; a++)
            {
                vw[a] = v[working[a]];
                bw[a] = beta[working[a]];
            }
            return DualityGap.Compute(vw.AsSpan(0, m), bw.AsSpan(0, m), residualSquared, design.N, l1, l2);
        }
        finally
        {
            pool.Return(vw);
            pool.Return(bw);
        }
    }

    /// <summary>
    /// How small a sweep's decrease must get before the gap is computed again, after a gap that missed the tolerance.
    /// Coordinate descent converges linearly on a settled active set: the gap and the decrease of the last sweep shrink
    /// together, so their ratio says how far the decrease must fall for the gap to meet the tolerance. Aiming there
    /// (with a factor 2 to spare) replaces a ladder of gap checks, each a pass over the working columns (and a polish),
    /// by one or two. When features just entered, the gap measures them rather than the sweeps, and the tolerance only
    /// falls tenfold below the gap, as before.
    /// </summary>
    private static double NextInnerTolerance(double current, double gap, double gapTolerance, double lastDecrease, bool entrants)
    {
        double next = Math.Min(current, gap) * 0.1;
        if (!entrants && lastDecrease > 0 && double.IsFinite(lastDecrease) && gap > 0)
            next = Math.Min(next, 0.5 * gapTolerance * lastDecrease / gap);
        return next;
    }

    /// <summary>
    /// X̃ᵀR for the optimality check and the duality gap, skipping the features it provably does not need. Two bounds on
    /// |x̃_jᵀR| by Cauchy–Schwarz, from values computed earlier: |Σc_k·G_k,j| + ‖x̃_j‖·‖R − Σc_k·R_k‖, from the last few
    /// full passes (residuals R_k, whole gradients G_k) and R's least-squares fit on their residuals; and b_j + ‖x̃_j‖·‖R − R'‖,
    /// with b_j the bound the previous check left at its residual R' (|x̃_jᵀR'| itself where it computed that). The first
    /// is the strong one: between changes of the active set the lasso residual moves on a line as λ falls, so it stays
    /// close to that span for many λ; the second keeps the features a check had to compute from being computed again at
    /// the next, unless the residual moved far. A feature at 0 whose bound stays below its threshold nλ1·f_j meets its
    /// optimality condition, and its term in the duality gap is zero whatever its exact gradient (it does not set the
    /// dual scaling, nor add to vᵀβ or to a conjugate), so the certificate stays exact with an estimate below the
    /// threshold standing in. On the wide path this computes 222,000 columns in all where one pass per λ is 2,000,000.
    /// </summary>
    /// <param name="known">The working set and its exact gradients at this very residual (the restricted gap's pass has
    /// just computed them), or null: those are taken, not computed again.</param>
    /// <returns>
    /// Bounds on |x̃_jᵀR| for every feature (|v_j| where v_j was computed, the bound that let it be skipped elsewhere), and
    /// the features whose products were computed, in increasing order (null: every one was).
    /// </returns>
    private static (double[] Bounds, ArraySegment<int>? Computed) CheckingGradient(Design design, Residual residual, ReadOnlySpan<double> beta, double nl1,
        double[] v, PathMemory? memory, (int[] Working, bool[] InWorking, double[] Gradient)? known)
    {
        int p = design.P;
        if (memory is null || nl1 <= 0)
        {
            residual.Gradient(v);
            var magnitudes = new double[p];
            for (int j = 0; j < p; j++) magnitudes[j] = Math.Abs(v[j]);
            return (magnitudes, null);
        }
        var references = memory.References ??= new GradientReferences(design.N, p);
        references.Check(design, residual, beta, nl1, v, known);
        return (references.Bounds, references.Computed);
    }

    /// <summary>
    /// The full passes' residuals and gradients whose span bounds every gradient since, and the last check's bounds (see
    /// <see cref="CheckingGradient"/>). Its memory is the span's (3 gradients of p values), the bounds and the list of
    /// features computed: the bounds come from the design's norms and the previous check, not from per-feature records.
    /// </summary>
    internal sealed class GradientReferences(int n, int p)
    {
        /// <summary>Full passes kept (residual and whole gradient), whose span bounds every feature at once.</summary>
        private const int Spanned = 3;
        /// <summary>A check whose features to compute reach 1/this of them computes all: a full pass, kept in the span.</summary>
        private const int FullPassShare = 12;
        /// <summary>How many columns ahead of its product a dense column is asked for (see <see cref="PrefetchColumn"/>).</summary>
        private const int PrefetchAhead = 2;

        /// <summary>After <see cref="Check"/>: a bound on |x̃_jᵀR| at its residual for every feature (|v_j| where computed).</summary>
        public double[] Bounds => _current;

        private readonly double[] _current = new double[p];
        private readonly double[][] _spanResiduals = new double[Spanned][];
        private readonly double[][] _spanGradients = new double[Spanned][];
        private int _spanCount, _spanNext;
        private double[]? _residual, _previous, _remainder;
        /// <summary>The features whose products this check computes (grown as needed; a few thousand on the wide path).</summary>
        private int[] _computed = new int[256];
        private int _computedCount;

        /// <summary>After <see cref="Check"/>: the features whose products it computed, in increasing order.</summary>
        public ArraySegment<int> Computed => new(_computed, 0, _computedCount);
        private int[]? _excluded;
        private Design? _excludedOf;

        /// <summary>Columns computed by the checks so far (what the bounds save is measured by it).</summary>
        internal long Columns { get; private set; }

        public void Check(Design design, Residual residual, ReadOnlySpan<double> beta, double nl1, double[] v,
            (int[] Working, bool[] InWorking, double[] Gradient)? known = null)
        {
            // The bounds of the last check hold at its residual: widened by ‖x̃_j‖ times the distance from it, at this one too.
            (_residual, _previous) = (_previous ?? new double[n], _residual);
            var current = _residual;
            residual.CopyTo(current);
            double moved = _previous is { } last ? System.Numerics.Tensors.TensorPrimitives.Distance<double>(current, last) : double.PositiveInfinity;
            // The residual's nearest point in the span of the full passes' residuals, R ≈ Σc_k·R_k: between changes of
            // the active set the lasso's residual moves on a line as λ falls, so the remainder e = R − Σc_k·R_k is far
            // smaller than R's distance to any one of them, and |x̃_jᵀR| ≤ |Σc_k·g_k,j| + ‖x̃_j‖·‖e‖.
            Span<double> c = stackalloc double[Spanned];
            double remainder = Project(current, c);
            int computed = 0;
            bool full = _spanCount == 0 || !double.IsFinite(remainder);
            if (!full) computed = Screen(design, beta, nl1, v, c, remainder, moved, known?.InWorking);
            // The exact values the restricted gap's pass left (after the screen, which wrote stand-ins over every feature).
            if (known is { } given)
            {
                foreach (int j in given.Working)
                {
                    v[j] = given.Gradient[j];
                    _current[j] = Math.Abs(v[j]);
                }
            }
            foreach (int j in Excluded(design))
            {
                v[j] = 0;
                _current[j] = 0;
            }
            // When a twelfth of the features must be computed anyway, all are: the pass becomes a new full reference,
            // which keeps the span close to where the path goes (measured on the wide path, columns computed over it:
            // 2 gives 622,000, 4 gives 272,000, 8 gives 225,000, 12 gives 222,000, 16 gives 229,000; glmnet computes
            // 2,000,000, every column at every λ). A partial check's columns are scattered over memory and cost two to
            // four times a full pass's each, so 12 is also the fastest there (CPU 0.086 → 0.082 s against 8); on the
            // sparse path 4, 8 and 12 take the same time.
            if (full || computed * FullPassShare >= p)
            {
                full = true;
                computed = 0;
                var inWorking = known?.InWorking;
                for (int j = 0; j < p; j++)
                {
                    if (design.Excluded[j] || (inWorking is not null && inWorking[j])) continue;
                    Add(ref computed, j);
                }
            }
            _computedCount = computed;
            Compute(design, residual, v, computed);
            if (full)
            {
                int slot = _spanNext;
                _spanNext = (_spanNext + 1) % Spanned;
                _spanCount = Math.Min(_spanCount + 1, Spanned);
                current.CopyTo(_spanResiduals[slot] ??= new double[n], 0);
                v.CopyTo(_spanGradients[slot] ??= new double[p], 0);
            }
        }

        private void Add(ref int count, int j)
        {
            // (Straight to p once the small start is outgrown: the first full pass needs p, and a chain of doublings past
            // it left 0.5 MB of garbage on a 100,000-feature path, where the collector seldom runs.)
            if (count == _computed.Length) Array.Resize(ref _computed, count < 4096 ? Math.Min(2 * count, p) : p);
            _computed[count++] = j;
        }

        /// <summary>The excluded features (none, usually), listed once per design.</summary>
        private int[] Excluded(Design design)
        {
            if (_excluded is { } kept && _excludedOf == design) return kept;
            _excludedOf = design;
            return _excluded = Enumerable.Range(0, p).Where(j => design.Excluded[j]).ToArray();
        }

        /// <summary>
        /// The span bound for every feature at once, vectorized: writes the estimate Σc_k·G_k,j into v and its bound into
        /// the bounds, and lists the features it cannot clear (non-zero, unpenalized, or at or above their threshold),
        /// known ones aside. Returns how many were listed.
        /// </summary>
        private int Screen(Design design, ReadOnlySpan<double> beta, double nl1, double[] v, ReadOnlySpan<double> c, double remainder, double moved, bool[]? known)
        {
            // An absent span vector is any finite one with a zero coefficient.
            double[] g0 = _spanGradients[0]!, g1 = _spanGradients[Math.Min(1, _spanCount - 1)]!, g2 = _spanGradients[Math.Min(2, _spanCount - 1)]!;
            double c0 = c[0], c1 = _spanCount > 1 ? c[1] : 0, c2 = _spanCount > 2 ? c[2] : 0;
            double[] squares = design.NormSquaredOverN, current = _current;
            double[]? factor = design.Factor;
            // The margin below the threshold covers the rounding of the products the bound compares.
            double threshold = nl1 * (1 - 1e-9);
            int count = 0, j = 0;
            if (Vector.IsHardwareAccelerated && p >= Vector<double>.Count)
            {
                int w = Vector<double>.Count;
                uint lanes = (1u << w) - 1;
                Vector<double> vc0 = new(c0), vc1 = new(c1), vc2 = new(c2), vn = new(n), ve = new(remainder), vd = new(moved), vt = new(threshold), tiny = new(1e-13);
                for (; j <= p - w; j += w)
                {
                    // Kept in the order of the general sum (k = 0, 1, 2) so the estimate is the same whatever the count.
                    var t0 = vc0 * new Vector<double>(g0, j);
                    var t1 = vc1 * new Vector<double>(g1, j);
                    var t2 = vc2 * new Vector<double>(g2, j);
                    var combined = t0 + t1 + t2;
                    // The combination's own rounding, so that cancelling terms cannot hide a violation.
                    var magnitude = Vector.Abs(t0) + Vector.Abs(t1) + Vector.Abs(t2);
                    var norm = Vector.SquareRoot(vn * new Vector<double>(squares, j));
                    // (Every value here is finite: the plain minimum and maximum instructions serve.)
                    var bound = Vector.MinNative(Vector.Abs(combined) + tiny * magnitude + norm * ve, new Vector<double>(current, j) + norm * vd);
                    var limit = factor is null ? vt : vt * new Vector<double>(factor, j);
                    // Any stand-in within the bound serves the gap; the estimate is the best guess for the next strong rule.
                    Vector.MinNative(Vector.MaxNative(combined, -bound), bound).CopyTo(v, j);
                    bound.CopyTo(current, j);
                    var cleared = Vector.LessThan(bound, limit) & Vector.Equals(new Vector<double>(beta.Slice(j, w)), Vector<double>.Zero);
                    uint open = ~Lanes(cleared) & lanes;
                    for (; open != 0; open &= open - 1)
                    {
                        int k = j + BitOperations.TrailingZeroCount(open);
                        if (!design.Excluded[k] && (known is null || !known[k])) Add(ref count, k);
                    }
                }
            }
            for (; j < p; j++)
            {
                double t0 = c0 * g0[j], t1 = c1 * g1[j], t2 = c2 * g2[j];
                double combined = t0 + t1 + t2, magnitude = Math.Abs(t0) + Math.Abs(t1) + Math.Abs(t2);
                double norm = Math.Sqrt(n * squares[j]);
                double bound = Math.Min(Math.Abs(combined) + 1e-13 * magnitude + norm * remainder, current[j] + norm * moved);
                v[j] = Math.Min(Math.Max(combined, -bound), bound);
                current[j] = bound;
                bool cleared = bound < threshold * (factor is null ? 1 : factor[j]) && beta[j] == 0;
                if (!cleared && !design.Excluded[j] && (known is null || !known[j])) Add(ref count, j);
            }
            return count;
        }

        /// <summary>Bit k set where lane k of the mask is (all ones).</summary>
        private static uint Lanes(Vector<long> mask)
        {
            if (Vector<long>.Count == 4) return System.Runtime.Intrinsics.Vector256.ExtractMostSignificantBits(System.Runtime.Intrinsics.Vector256.AsVector256(mask));
            if (Vector<long>.Count == 8) return (uint)System.Runtime.Intrinsics.Vector512.ExtractMostSignificantBits(System.Runtime.Intrinsics.Vector512.AsVector512(mask)) & 0xFF;
            uint bits = 0;
            for (int k = 0; k < Vector<long>.Count; k++)
                if (mask[k] != 0) bits |= 1u << k;
            return bits;
        }

        /// <summary>
        /// The listed features' products, split over the cores by runs of the list when there is enough work: each value
        /// is one dot product whoever computes it, so the result does not depend on the thread count.
        /// </summary>
        private void Compute(Design design, Residual residual, double[] v, int count)
        {
            Columns += count;
            var list = _computed;
            void Range(int start, int end)
            {
                if (!design.IsSparse)
                    for (int a = start; a < Math.Min(end, start + PrefetchAhead); a++) PrefetchColumn(design, list[a]);
                for (int a = start; a < end; a++)
                {
                    int j = list[a];
                    if (design.IsSparse)
                    {
                        if (a + 1 < end) design.Prefetch(list[a + 1]);
                    }
                    else if (a + PrefetchAhead < end)
                    {
                        PrefetchColumn(design, list[a + PrefetchAhead]);
                    }
                    double g = residual.Dot(j);
                    v[j] = g;
                    _current[j] = Math.Abs(g);
                }
            }
            double work = design.IsSparse ? design.PassCost * (double)count / p : (double)count * n;
            int threads = CoordinateDescent.MaxParallelism ?? Environment.ProcessorCount;
            if (work < 1_000_000 || threads == 1 || count < 2)
            {
                Range(0, count);
                return;
            }
            // Runs of a few per core, so that one slow run does not leave the others waiting.
            int runs = Math.Min(count, 4 * threads), size = (count + runs - 1) / runs;
            System.Threading.Tasks.Parallel.For(0, (count + size - 1) / size, CoordinateDescent.Threads, b => Range(b * size, Math.Min(count, (b + 1) * size)));
        }

        /// <summary>
        /// Asks the cache for a dense column ahead of its product. The features a partial check computes are scattered over
        /// a matrix far larger than the cache, and each column start would wait on memory.
        /// </summary>
        private static unsafe void PrefetchColumn(Design design, int j)
        {
            if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
            int n = design.N, lines = Math.Min(n, 512);
            fixed (double* x = design.X)
            {
                double* column = x + (long)j * n;
                for (int i = 0; i < lines; i += 8) System.Runtime.Intrinsics.X86.Sse.Prefetch0(column + i);
            }
        }

        /// <summary>Least-squares coefficients of r on the kept full passes' residuals; returns ‖r − Σc_k·R_k‖ (infinite when none).</summary>
        private double Project(double[] r, Span<double> c)
        {
            c.Clear();
            int k = _spanCount;
            if (k == 0) return double.PositiveInfinity;
            Span<double> gram = stackalloc double[Spanned * Spanned];
            double trace = 0;
            for (int a = 0; a < k; a++)
            {
                for (int b = 0; b <= a; b++) gram[a * k + b] = gram[b * k + a] = Kernels.Dot(_spanResiduals[a], _spanResiduals[b]);
                c[a] = Kernels.Dot(_spanResiduals[a], r);
                trace += gram[a * k + a];
            }
            // Nearly parallel residuals make the system ill-conditioned; any c gives a valid bound (the remainder is
            // computed from it exactly), so a light ridge only keeps c tame.
            for (int a = 0; a < k; a++) gram[a * k + a] += 1e-12 * trace;
            var matrix = gram[..(k * k)].ToArray();
            if (Cholesky.Factor(matrix, k, 0) >= 0)
            {
                c.Clear();
                return double.PositiveInfinity;
            }
            var solution = c[..k].ToArray();
            Cholesky.Solve(matrix, k, solution);
            solution.CopyTo(c);
            var e = _remainder ??= new double[n];
            r.CopyTo(e, 0);
            for (int a = 0; a < k; a++) Kernels.Axpy(-c[a], _spanResiduals[a], e);
            return Math.Sqrt(Kernels.Dot(e, e));
        }
    }

    /// <summary>
    /// Dual extrapolation for the lasso (as celer does): the residuals after the last K + 1 sweeps are combined as
    /// Anderson extrapolation combines iterates, and the combination ρ, scaled into the dual feasible set
    /// (θ = s·ρ, s = min(1, nλ/max_j |x̃_jᵀρ|) over the features the gap is for), is often a far better dual point than
    /// the residual itself: the gap P(β) − D(θ) = (‖R‖² + s²‖ρ‖² − 2s·ỹᵀρ)/(2n) + λ‖β‖₁ then certifies many sweeps
    /// sooner. Any feasible θ gives a valid bound, so the certificate stays exact; the smaller gap is kept.
    /// </summary>
    internal sealed class DualExtrapolation(int n)
    {
        private const int K = 5;
        // The last residual recorded and the K differences between the last K + 1, oldest first from slot _next (a
        // ring): the extrapolation needs only the differences and one residual, so the K + 1 residuals are not kept
        // beside them (n values each; allocated once per path, so checking a candidate at every gap costs no memory).
        private readonly double[][] _differences = new double[K][];
        private double[]? _last, _buffer, _result;
        private int _count, _next;
        private bool _fresh;

        /// <summary>Forgets the recorded residuals (a new λ), keeping the buffers.</summary>
        public void Reset()
        {
            _count = 0;
            _next = 0;
            _fresh = false;
        }

        public void Record(Residual residual)
        {
            var last = _last ??= new double[n];
            if (_count == 0)
            {
                residual.CopyTo(last);
            }
            else
            {
                residual.CopyTo(last, _differences[_next] ??= new double[n]);
                _next = (_next + 1) % K;
            }
            _count = Math.Min(_count + 1, K + 1);
            _fresh = false;
        }

        /// <summary>The extrapolated residual of the last K + 1 recorded, or null until there are that many.</summary>
        public double[]? Candidate()
        {
            if (_count <= K) return null;
            if (_fresh) return _result;
            _fresh = true;
            _result = null;
            double[] Difference(int k) => _differences[(_next + k) % K];
            Span<double> gram = stackalloc double[K * K];
            double trace = 0;
            for (int r = 0; r < K; r++)
                for (int c = 0; c < K; c++)
                {
                    gram[r * K + c] = Kernels.Dot(Difference(r), Difference(c));
                    if (r == c) trace += gram[r * K + c];
                }
            if (!(trace > 0)) return null;
            for (int r = 0; r < K; r++) gram[r * K + r] += 1e-10 * trace;
            var matrix = gram.ToArray();
            var z = new double[K];
            Array.Fill(z, 1.0);
            if (Cholesky.Factor(matrix, K, 0) >= 0) return null;
            Cholesky.Solve(matrix, K, z);
            double sum = z.Sum();
            if (!(Math.Abs(sum) > 1e-300)) return null;
            // Σ_k w_k·R_{k+1} over the K latest residuals (w = z/Σz) is R_K − Σ_m c_m·D_m with c_m = Σ_{k<m} w_k, D_m
            // the difference R_{m+1} − R_m: the residuals themselves are not needed.
            var result = _buffer ??= new double[n];
            _last!.CopyTo(result, 0);
            double weights = 0;
            for (int m = 1; m < K; m++)
            {
                weights += z[m - 1] / sum;
                Kernels.Axpy(-weights, Difference(m), result);
            }
            return _result = result;
        }

        /// <summary>max |x̃_jᵀρ| over the given features (exact; a large set split over the cores, the maximum the same whoever computes which).</summary>
        public double Largest(Design design, double[] rho, int[] features)
        {
            double rootDot = design.RootDot(rho);
            if (features.Length > 4096 && design.PassCost >= 1_000_000)
            {
                var maxima = new double[(features.Length + 4095) / 4096];
                System.Threading.Tasks.Parallel.For(0, maxima.Length, CoordinateDescent.Threads, b =>
                {
                    double m = 0;
                    int end = Math.Min(features.Length, (b + 1) * 4096);
                    for (int a = b * 4096; a < end; a++)
                    {
                        if (a + 1 < end) design.Prefetch(features[a + 1]);
                        m = Math.Max(m, Math.Abs(design.Dot(features[a], rho, rootDot)));
                    }
                    maxima[b] = m;
                });
                return maxima.Max();
            }
            double largest = 0;
            for (int a = 0; a < features.Length; a++)
            {
                if (a + 1 < features.Length) design.Prefetch(features[a + 1]);
                largest = Math.Max(largest, Math.Abs(design.Dot(features[a], rho, rootDot)));
            }
            return largest;
        }

        /// <summary>
        /// max |x̃_jᵀρ| over the included features, given that maximum over the working ones. Outside the working set,
        /// |x̃_jᵀρ| ≤ b_j + ‖x̃_j‖·‖ρ − R‖ by Cauchy–Schwarz, with b_j ≥ |x̃_jᵀR| the optimality check's bound: a feature
        /// whose bound stays below max(that maximum, nλ1) cannot change the dual scale s = min(1, nλ1/max), so only
        /// the others get an exact product. Near convergence ρ is close to R and that is almost none, where computing
        /// every one was a full pass over the data per λ.
        /// </summary>
        public double LargestBeyond(Design design, Residual residual, double[] rho, double workingLargest, double nl1, int[] included, bool[] inWorking,
            double[] bounds)
        {
            double distance = residual.Distance(rho);
            // The same relative margin as the optimality check's, for the rounding of the products the bounds come from.
            double threshold = Math.Max(workingLargest, nl1) * (1 - 1e-9);
            var uncertain = new List<int>();
            foreach (int j in included)
            {
                if (inWorking[j]) continue;
                if (!(bounds[j] + Math.Sqrt(n * design.NormSquaredOverN[j]) * distance < threshold)) uncertain.Add(j);
            }
            return uncertain.Count == 0 ? workingLargest : Math.Max(workingLargest, Largest(design, rho, uncertain.ToArray()));
        }

        /// <summary>The duality gap at β with the dual point built from ρ, given max |x̃_jᵀρ| over the features the gap is for.</summary>
        /// <param name="support">Features among which every non-zero coefficient is (the working set: late on a sparse path a tenth of them).</param>
        public double Gap(Residual residual, ReadOnlySpan<double> yc, ReadOnlySpan<double> beta, double l1, double[] rho, double largest, int[] support)
        {
            double nl1 = n * l1;
            double s = largest > nl1 ? nl1 / largest : 1;
            double l1Norm = 0;
            foreach (int j in support) l1Norm += Math.Abs(beta[j]);
            double gap = (residual.SquaredNorm() + s * s * Kernels.Dot(rho, rho) - 2 * s * Kernels.Dot(yc, rho)) / (2.0 * n) + l1 * l1Norm;
            return double.IsFinite(gap) ? Math.Max(gap, 0) : double.PositiveInfinity;
        }
    }

    /// <summary>
    /// Sweeps on an active set whose signs did not change, after which the polish is tried before the sweeps' own
    /// tolerance is met (wide dense data). Coordinate descent finds the signs in a few sweeps and then converges
    /// linearly, slowly where the active columns are nearly dependent (as many as the rows, late on a wide path); the
    /// polish solves the restricted problem exactly once the signs are right. If they are not, its step drops the
    /// coefficients that reach zero (see DropAndSolve), still a descent, and the sweeps go on. Measured on the wide path
    /// (sweeps over the path): 0 gives 1,175 (polishes on signs a single sweep got wrong), 1 gives 805, 2 gives 972,
    /// waiting for the sweeps' own tolerance 4,031.
    /// </summary>
    private const int EarlyPolishAfter = 1;

    private static void RecordSigns(ReadOnlySpan<int> active, ReadOnlySpan<double> beta, Span<sbyte> signs)
    {
        int count = Math.Min(active.Length, signs.Length);
        for (int a = 0; a < count; a++) signs[a] = (sbyte)Math.Sign(beta[active[a]]);
    }

    private static bool SameSigns(ReadOnlySpan<int> active, ReadOnlySpan<double> beta, ReadOnlySpan<sbyte> signs)
    {
        if (active.Length > signs.Length) return false;
        for (int a = 0; a < active.Length; a++)
            if (Math.Sign(beta[active[a]]) != signs[a]) return false;
        return true;
    }

    /// <summary>Active sets at least this large get Anderson extrapolation of their sweeps (below it the sweeps are cheap and few).</summary>
    private const int AndersonFrom = 32;

    /// <summary>
    /// Anderson extrapolation of the sweeps on a fixed active set in the plain form: every K sweeps the affine
    /// combination of the last iterates that best cancels their successive differences is tried, and kept only if
    /// the objective falls. The residual moves with it on the active columns' stored entries (O(their entries),
    /// like one sweep), so a rejected step costs two sweeps' worth at most. Wide data near the end of a path, where
    /// thousands of features are active, is where plain coordinate descent crawls.
    /// </summary>
    internal sealed class Extrapolation
    {
        private readonly IterateHistory _history = new([]);
        /// <summary>The coefficients before a step, to restore if it is rejected (reused, as the history's buffers).</summary>
        private double[] _current = [];

        /// <summary>Starts on the active set <paramref name="active"/> (copied), forgetting the iterates of the last.</summary>
        public Extrapolation Restart(ReadOnlySpan<int> active)
        {
            _history.Restart(active);
            return this;
        }

        public bool Ready => _history.Ready;

        public void Record(ReadOnlySpan<double> beta) => _history.Record(beta);

        /// <param name="block">The block the sweeps read, when the active set is its features in its order (the residual moves through it).</param>
        public void TryStep(Design design, Residual residual, double l1, double l2, Span<double> beta, SweepBlock? block = null)
        {
            var extrapolated = _history.Extrapolate();
            if (extrapolated.IsEmpty) return;
            var active = _history.Active;
            int m = active.Length, n = design.N;
            for (int a = 0; a < m; a++)
            {
                int j = active[a];
                if (extrapolated[a] < design.LowerOf(j) || extrapolated[a] > design.UpperOf(j)) return;
            }
            double before = residual.SquaredNorm() / (2.0 * n) + ActivePenalty(design, active, beta, l1, l2);
            if (_current.Length < m) _current = new double[Math.Max(m, _current.Length * 3 / 2)];
            var current = _current.AsSpan(0, m);
            for (int a = 0; a < m; a++)
            {
                int j = active[a];
                current[a] = beta[j];
                double delta = extrapolated[a] - current[a];
                if (delta == 0) continue;
                if (block is not null && a < block.Count) residual.Subtract(block, a, delta);
                else residual.Subtract(j, delta);
                beta[j] = extrapolated[a];
            }
            double after = residual.SquaredNorm() / (2.0 * n) + ActivePenalty(design, active, beta, l1, l2);
            if (after < before) return;
            for (int a = 0; a < m; a++)
            {
                int j = active[a];
                double delta = current[a] - beta[j];
                if (delta == 0) continue;
                if (block is not null && a < block.Count) residual.Subtract(block, a, delta);
                else residual.Subtract(j, delta);
                beta[j] = current[a];
            }
        }

        private static double ActivePenalty(Design design, ReadOnlySpan<int> active, ReadOnlySpan<double> beta, double l1, double l2)
        {
            double total = 0;
            foreach (int j in active) total += design.FactorOf(j) * (l1 * Math.Abs(beta[j]) + 0.5 * l2 * beta[j] * beta[j]);
            return total;
        }
    }

    /// <returns>
    /// The total decrease of the objective bound (q_j + λ2)·δ²/2 over the sweep: with thousands of active features
    /// the largest single one says little about how far the sweep still is from the optimum.
    /// </returns>
    private static double Sweep(Design design, Residual residual, ReadOnlySpan<int> coordinates, double l1, double l2, Span<double> beta)
    {
        if (design.IsSparse && design.Root is null && !design.Shaped) return residual.SparseSweep(coordinates, l1, l2, beta);
        int n = design.N;
        double total = 0;
        bool prefetch = design.IsSparse;
        for (int c = 0; c < coordinates.Length; c++)
        {
            int j = coordinates[c];
            if (prefetch && c + 1 < coordinates.Length) design.Prefetch(coordinates[c + 1]);
            double q = design.NormSquaredOverN[j];
            double old = beta[j];
            double z = residual.Dot(j) / n + q * old;
            double updated = Update(design, j, z, q, l1, l2);
            double delta = updated - old;
            if (delta == 0) continue;
            beta[j] = updated;
            residual.Subtract(j, delta);
            total += 0.5 * (q + l2 * design.FactorOf(j)) * delta * delta;
        }
        return total;
    }

    /// <summary>Polishing an active set of m features costs about n·m² + m³/3; allow it up to this many sweeps' worth.</summary>
    private const double PolishBudgetInSweeps = 50;

    /// <summary>
    /// Once coordinate descent has found the non-zero features and their signs, the optimum solves one linear
    /// system: (X̃_AᵀX̃_A + nλ2·F)·β_A = X̃_Aᵀ(ỹ − X̃_Bβ_B) − nλ1·F·sign(β_A), A the free non-zero features and B those
    /// held at a bound. Solving it directly removes the slow tail that correlated features give coordinate descent.
    /// The step is kept only if it lowers the objective, and the duality gap computed afterwards from scratch
    /// certifies whatever is kept, so the certificate never depends on the shortcut being right.
    /// </summary>
    /// <returns>Whether the solved point was kept.</returns>
    /// <param name="candidates">Features that may be non-zero (all others are zero).</param>
    private static bool Polish(Design design, ReadOnlySpan<double> yc, double l1, double l2, Residual residual, Span<double> beta, GramCache? cache,
        int[] candidates)
    {
        int n = design.N;
        // The factorization alone (m³/3) rules out large active sets before any list is built: late on a sparse path
        // that is every round, and the lists of 10,000 features cost as much as a sweep.
        int nonZero = 0;
        double activeEntries = 0;
        foreach (int j in candidates)
        {
            if (beta[j] == 0) continue;
            nonZero++;
            if (design.IsSparse) activeEntries += design.StoredCount(j);
        }
        // Sparse: the sweeps a polish replaces run over the stored entries of the active columns, far fewer than a full
        // pass; measured against a pass, polishes of a few hundred columns each cost as much as a hundred such sweeps
        // (on the sparse anchor path, AOT, medians of 5 interleaved runs under load: CPU 2.26 → 1.99 s, 776 → 801 sweeps).
        double budget = Math.Max(PolishBudgetInSweeps * (design.IsSparse ? activeEntries : (double)n * design.P), 1e7);
        // (With bounds, features held at one are not in the system, so the count is only an upper bound on its size.)
        if (!design.Bounded && (double)nonZero * nonZero * nonZero / 3 > budget) return false;
        var active = new List<int>(nonZero);
        var pinned = new List<int>();
        foreach (int j in candidates)
        {
            if (beta[j] == 0) continue;
            if (beta[j] == design.LowerOf(j) || beta[j] == design.UpperOf(j)) pinned.Add(j);
            else active.Add(j);
        }
        int m = active.Count;
        // Without an L2 term the system is singular once there are as many features as rows.
        if (m == 0 || (l2 == 0 && m >= n)) return false;
        // Its Gram block costs n·m² dense, m·(stored entries of the active columns) sparse; with a cache, only the
        // rows of the columns not in it yet.
        bool cached = cache is not null && pinned.Count == 0 && m <= GramCache.Capacity;
        double fresh = cached ? active.Count(j => !cache!.Holds(j)) : m;
        double gramCost = fresh * (design.IsSparse ? active.Sum(j => (double)design.StoredCount(j)) : (double)n * m);
        if (gramCost + (double)m * m * m / 3 > budget) return false;

        var columns = active.ToArray();
        var target = yc;
        if (pinned.Count > 0)
        {
            var adjusted = yc.ToArray();
            foreach (int j in pinned) design.AddTo(j, -beta[j], adjusted);
            target = adjusted;
        }
        var shift = new double[m];
        for (int a = 0; a < m; a++) shift[a] = n * l1 * design.FactorOf(columns[a]) * Math.Sign(beta[columns[a]]);
        var solution = new double[m];
        if (cached)
        {
            if (!cache!.Solve(design, yc, columns, shift, l2, solution)) return false;
        }
        else if (DirectSolver.SolveSubset(design, target, columns, shift, l2, 1e-12, solution) >= 0)
        {
            return false;
        }
        residual.Refresh(beta, candidates);
        // The penalty over the non-zero features only (a pass over all p would cost as much as the solve on wide data).
        double Penalty(Span<double> b)
        {
            double total = 0;
            foreach (int j in active) total += design.FactorOf(j) * (l1 * Math.Abs(b[j]) + 0.5 * l2 * b[j] * b[j]);
            foreach (int j in pinned) total += design.FactorOf(j) * (l1 * Math.Abs(b[j]) + 0.5 * l2 * b[j] * b[j]);
            return total;
        }
        double before = residual.SquaredNorm() / (2.0 * n) + Penalty(beta);
        // Only the free columns move.
        var previous = new double[m];
        for (int a = 0; a < m; a++) previous[a] = beta[columns[a]];
        int blocked = StepTowards(design, beta, columns, solution);
        if (cached && !design.Bounded) blocked = DropAndSolve(design, yc, l2, beta, cache!, columns, shift, blocked);
        residual.Refresh(beta, candidates);
        // Near the optimum both objectives agree to rounding, and the solved point is the more accurate one: keep it
        // unless it is clearly worse. The duality gap computed next, from scratch, certifies whatever is kept.
        if (residual.SquaredNorm() / (2.0 * n) + Penalty(beta) <= before + 1e-13 * Math.Abs(before)) return true;
        for (int a = 0; a < m; a++) beta[columns[a]] = previous[a];
        residual.Refresh(beta, candidates);
        return false;
    }

    /// <summary>Coefficients a polish may drop, one after another, before it stops where the last one reached zero.</summary>
    private const int MaxDrops = 32;

    /// <summary>
    /// Goes on with a polish whose step stopped where a coefficient reached zero: without it, the rest solve their
    /// system again (the kept factor loses its column by rotations, O(m²), and solves in O(m²)), and step towards that
    /// solution, until a step is taken in full (as an active-set method for the sign-restricted problem does). Every
    /// step lowers the objective restricted to the signs, so the point is no worse than the first stop; without it,
    /// coordinate descent went back to sweeping after each such stop, and on the wide path three polishes in four stopped
    /// so. Returns the blocking position of the last step (in the shrunken list), or −1 after a full step.
    /// </summary>
    private static int DropAndSolve(Design design, ReadOnlySpan<double> yc, double l2, Span<double> beta, GramCache cache, int[] columns,
        double[] shift, int blocked)
    {
        if (blocked < 0) return blocked;
        var free = new List<int>(columns);
        var shifts = new List<double>(shift);
        var solution = new double[columns.Length];
        for (int drops = 0; blocked >= 0 && drops < MaxDrops; drops++)
        {
            free.RemoveAt(blocked);
            shifts.RemoveAt(blocked);
            if (free.Count == 0) return -1;
            var set = free.ToArray();
            var right = shifts.ToArray();
            if (!cache.Solve(design, yc, set, right, l2, solution)) return blocked;
            blocked = StepTowards(design, beta, set, solution.AsSpan(0, set.Length));
        }
        return blocked;
    }

    /// <summary>
    /// Entries x̃_aᵀx̃_b and x̃_aᵀỹ among the columns polished so far on a path. Consecutive polishes (the next round
    /// at one λ, the next λ) share most of their active columns: with the entries kept, a polish computes only the
    /// rows of the columns new to it (n·m each) instead of the whole block (n·m²), which on wide data was two thirds
    /// of the polish and a third of the path. Each entry is one dot product of two transformed columns, made when the
    /// later of the two enters the cache (so another order of entry may round it differently in its last bit; the
    /// duality gap certifies whatever the polish gives).
    /// </summary>
    /// <remarks>
    /// The block is symmetric: only its lower triangle is kept, one array per column (a new column adds its row and
    /// nothing is copied as the cache grows), and the system is assembled and factored in a triangle of the same shape
    /// whose rows every polish reuses. On the sparse path (m up to 688) that is 3.8 MB in all, where a square cache grown
    /// by doubling and a square system per polish came to 8 MB held and 17 MB of garbage.
    /// </remarks>
    /// <param name="slotMap">Index slots by the map whatever p (tests).</param>
    internal sealed class GramCache(int p, bool slotMap = false)
    {
        /// <summary>At most this many columns are held (4 MB of entries); a larger active set is solved uncached.</summary>
        public const int Capacity = 1024;

        /// <summary>
        /// Slot of each cached feature: a p-long array up to 65,536 features, a map beyond (at most Capacity entries,
        /// where an array would be 0.4 MB per 100,000 features held for the whole path).
        /// </summary>
        private readonly int[]? _slotArray = !slotMap && p <= 1 << 16 ? Enumerable.Repeat(-1, p).ToArray() : null;
        private readonly Dictionary<int, int> _slotMap = [];

        private int SlotOf(int j) => _slotArray is { } slots ? slots[j] : _slotMap.TryGetValue(j, out int s) ? s : -1;

        private void SetSlot(int j, int slot)
        {
            if (_slotArray is { } slots) slots[j] = slot;
            else if (slot < 0) _slotMap.Remove(j);
            else _slotMap[j] = slot;
        }
        private readonly List<int> _columns = [];
        /// <summary>Row s: the entries of the column in slot s with the columns in slots 0..s.</summary>
        private List<double[]> _rows = [];
        private List<double> _xty = [];
        private double[]? _buffer;

        public bool Holds(int j) => SlotOf(j) >= 0;

        /// <summary>
        /// The Cholesky factor of the last block solved, kept and updated as columns join and leave (for one λ2: the
        /// elastic net's shift nλ2 changes with λ, and then the factor is rebuilt). Rounding differs from a fresh
        /// factor's in the last digits only, and depends on the path taken, not on the thread count.
        /// </summary>
        private UpdatableCholesky? _factor;
        private double _factorL2 = double.NaN;
        private double[]? _entries2, _right;
        private double Entry(int s, int t) => s >= t ? _rows[s][t] : _rows[t][s];

        /// <summary>Solves (X̃_SᵀX̃_S + nλ2·F)·x = X̃_Sᵀỹ − shift by Cholesky; false when the block is (numerically) singular.</summary>
        public bool Solve(Design design, ReadOnlySpan<double> yc, int[] columns, ReadOnlySpan<double> shift, double l2, Span<double> solution)
        {
            Add(design, yc, columns);
            int m = columns.Length, n = design.N;
            // The factor knows its columns by cache slot (below Capacity), not by feature: no p-sized maps beside it on
            // a 100,000-feature path. Slots are stable until Keep moves them, which clears it.
            var factor = _factor ??= new UpdatableCholesky(Capacity);
            if (!l2.Equals(_factorL2))
            {
                factor.Clear();
                _factorL2 = l2;
            }
            // Columns that left go first (from the back, where removing is cheapest), then those that joined.
            var wanted = _wanted ??= new bool[Capacity];
            foreach (int j in columns) wanted[SlotOf(j)] = true;
            for (int k = factor.Count - 1; k >= 0; k--)
                if (!wanted[factor.Order[k]]) factor.Remove(k);
            foreach (int j in columns) wanted[SlotOf(j)] = false;
            if (_entries2 is null || _entries2.Length < m) _entries2 = new double[Math.Max(m, 2 * (_entries2?.Length ?? 0))];
            foreach (int j in columns)
            {
                int slot = SlotOf(j);
                if (factor.PositionOf(slot) >= 0) continue;
                var order = factor.Order;
                for (int k = 0; k < order.Length; k++) _entries2[k] = Entry(slot, order[k]);
                double diagonal = Entry(slot, slot) + n * l2 * design.FactorOf(j);
                if (!factor.Append(slot, _entries2, diagonal, 1e-12))
                {
                    // A dependent column: the block is singular. Start afresh next time, as a fresh factor would.
                    factor.Clear();
                    return false;
                }
            }
            var right = _right is { } r && r.Length >= m ? r : _right = new double[Math.Max(m, 2 * (_right?.Length ?? 0))];
            for (int a = 0; a < m; a++)
            {
                int slot = SlotOf(columns[a]);
                right[factor.PositionOf(slot)] = _xty[slot] - shift[a];
            }
            factor.Solve(right.AsSpan(0, m));
            for (int a = 0; a < m; a++) solution[a] = right[factor.PositionOf(SlotOf(columns[a]))];
            return true;
        }

        private bool[]? _wanted;

        private void Add(Design design, ReadOnlySpan<double> yc, int[] columns)
        {
            int fresh = columns.Count(j => SlotOf(j) < 0);
            if (fresh == 0) return;
            if (_columns.Count + fresh > Capacity) Keep(columns);
            int n = design.N;
            var t = _buffer ??= new double[n];
            foreach (int j in columns)
            {
                if (SlotOf(j) >= 0) continue;
                int s = _columns.Count;
                SetSlot(j, s);
                _columns.Add(j);
                design.Transformed(j, t);
                double rootDot = design.IsSparse ? design.RootDot(t) : 0;
                var row = new double[s + 1];
                for (int k = 0; k <= s; k++) row[k] = design.IsSparse ? design.Dot(_columns[k], t, rootDot) : design.Dot(_columns[k], t);
                _rows.Add(row);
                _xty.Add(Kernels.Dot(t, yc));
            }
        }

        /// <summary>Forgets every column but those asked for now (whose entries move to the first slots).</summary>
        private void Keep(int[] columns)
        {
            var kept = columns.Where(j => SlotOf(j) >= 0).ToArray();
            var old = kept.Select(SlotOf).ToArray();
            var rows = new List<double[]>(kept.Length);
            var xty = new List<double>(kept.Length);
            for (int a = 0; a < kept.Length; a++)
            {
                var row = new double[a + 1];
                for (int b = 0; b <= a; b++) row[b] = Entry(old[a], old[b]);
                rows.Add(row);
                xty.Add(_xty[old[a]]);
            }
            foreach (int j in _columns) SetSlot(j, -1);
            _columns.Clear();
            // The factor's columns are slots, which move now.
            _factor?.Clear();
            for (int a = 0; a < kept.Length; a++)
            {
                SetSlot(kept[a], a);
                _columns.Add(kept[a]);
            }
            _rows = rows;
            _xty = xty;
        }
    }

    /// <summary>Σ f_j·(λ1|β_j| + λ2/2·β_j²).</summary>
    /// <summary>
    /// The strong rule's set without penalty factors or exclusions: j with β_j ≠ 0 or |g_j| ≥ threshold, in order, four
    /// features at a time (on a wide path this runs over all p features at every λ).
    /// </summary>
    internal static void StrongSet(ReadOnlySpan<double> beta, ReadOnlySpan<double> g, double threshold, List<int> into)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var t = Vector256.Create(threshold);
            for (; j + 4 <= beta.Length; j += 4)
            {
                var nonZero = ~Vector256.Equals(Vector256.Create(beta.Slice(j, 4)), Vector256<double>.Zero);
                var large = Vector256.GreaterThanOrEqual(Vector256.Abs(Vector256.Create(g.Slice(j, 4))), t);
                uint mask = (nonZero | large).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    into.Add(j + System.Numerics.BitOperations.TrailingZeroCount(mask));
                    mask &= mask - 1;
                }
            }
        }
        for (; j < beta.Length; j++)
            if (beta[j] != 0 || Math.Abs(g[j]) >= threshold) into.Add(j);
    }

    internal static double PenaltyValue(Design design, ReadOnlySpan<double> beta, double l1, double l2)
    {
        // The plain penalty in two vectorized sums (on wide data this runs over p coefficients at every λ, most of them 0).
        if (design.Factor is null)
            return l1 * System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes(beta) + 0.5 * l2 * System.Numerics.Tensors.TensorPrimitives.SumOfSquares(beta);
        double total = 0;
        foreach (int j in Kernels.NonZeros(beta)) total += design.FactorOf(j) * (l1 * Math.Abs(beta[j]) + 0.5 * l2 * beta[j] * beta[j]);
        return total;
    }

    /// <summary>
    /// Moves the free coefficients towards the solution of their sign-restricted system. The objective restricted
    /// to the current signs is a quadratic minimised there, so it falls all the way; if a coefficient would change
    /// sign or cross its bound, the move stops where the first one gets there (a homotopy step) and puts it exactly
    /// at zero or at the bound.
    /// </summary>
    /// <returns>The position in <paramref name="columns"/> of the coefficient that stopped the step, or −1 when it was taken in full.</returns>
    internal static int StepTowards(Design design, Span<double> beta, IReadOnlyList<int> columns, ReadOnlySpan<double> solution)
    {
        double step = 1;
        int blocking = -1;
        double blockedAt = 0;
        for (int a = 0; a < columns.Count; a++)
        {
            int j = columns[a];
            double b = beta[j], target = solution[a];
            if (Math.Sign(target) != Math.Sign(b))
            {
                double t = b / (b - target);
                if (t < step) { step = t; blocking = a; blockedAt = 0; }
            }
            double limit = target > design.UpperOf(j) ? design.UpperOf(j) : target < design.LowerOf(j) ? design.LowerOf(j) : double.NaN;
            if (!double.IsNaN(limit) && target != b)
            {
                double t = (limit - b) / (target - b);
                if (t < step) { step = Math.Max(t, 0); blocking = a; blockedAt = limit; }
            }
        }
        for (int a = 0; a < columns.Count; a++) beta[columns[a]] += step * (solution[a] - beta[columns[a]]);
        if (blocking >= 0) beta[columns[blocking]] = blockedAt;
        return blocking;
    }

    /// <summary>The exact minimiser over β_j of the objective with the other coefficients fixed, z = x̃_jᵀR/n + q_j·β_j.</summary>
    internal static double Update(Design design, int j, double z, double q, double l1, double l2)
    {
        if (!design.Shaped) return SoftThreshold(z, l1) / (q + l2);
        double f = design.FactorOf(j);
        return Math.Clamp(SoftThreshold(z, l1 * f) / (q + l2 * f), design.LowerOf(j), design.UpperOf(j));
    }

    /// <summary>Whether a coefficient at 0 with gradient v = x̃_jᵀR would move: the optimality conditions fail there.</summary>
    internal static bool Violates(Design design, int j, double v, double nl1)
    {
        double a = nl1 * design.FactorOf(j);
        return (v > a && design.UpperOf(j) > 0) || (v < -a && design.LowerOf(j) < 0);
    }

    internal static double SoftThreshold(double z, double threshold) =>
        z > threshold ? z - threshold : z < -threshold ? z + threshold : 0.0;
}

/// <summary>
/// The residual R = ỹ − X̃β of the implicitly centred and scaled design. Dense: centring happens inside the fused
/// kernels, element by element, so a column whose mean dwarfs its spread loses no precision. Sparse: R is kept as
/// r + σ·√w, where r = ỹ − Σ β_j/s_j·√w∘x_j changes only on a column's stored entries and the scalar
/// σ = Σ β_j·c_j/s_j carries every column's centring; with Σ√w∘r kept beside it, x̃_jᵀR and an update cost
/// O(stored entries of column j), never O(n).
/// </summary>
internal sealed class Residual
{
    private readonly Design _design;
    private readonly double[] _yc;
    private readonly double[] _r;
    /// <summary>Sparse only: σ, and Σ√w_i·r_i.</summary>
    private double _shift, _rootSum;

    public Design Design => _design;

    /// <summary>The target ỹ the residual is of.</summary>
    public ReadOnlySpan<double> Target => _yc;

    public Residual(Design design, ReadOnlySpan<double> yc, ReadOnlySpan<double> beta)
    {
        _design = design;
        _yc = yc.ToArray();
        _r = new double[design.N];
        Refresh(beta);
    }

    /// <summary>Recomputes R from β, discarding rounding drift accumulated by many updates.</summary>
    public void Refresh(ReadOnlySpan<double> beta) => Refresh(beta, (int[]?)null);

    /// <summary>
    /// <see cref="Refresh(ReadOnlySpan{double})"/> when every non-zero coefficient is among <paramref name="candidates"/>
    /// (null: any may be): on wide data a scan of all p coefficients costs as much as the columns' own work.
    /// </summary>
    public void Refresh(ReadOnlySpan<double> beta, int[]? candidates)
    {
        _yc.CopyTo(_r, 0);
        int count = candidates?.Length ?? _design.P;
        if (_design.IsSparse)
        {
            double shift = 0;
            for (int c = 0; c < count; c++)
            {
                int j = candidates is null ? c : candidates[c];
                if (beta[j] == 0) continue;
                _design.StoredAdd(j, -beta[j] / _design.Scale[j], _r);
                shift += beta[j] * _design.Center[j] / _design.Scale[j];
            }
            _shift = shift;
            _rootSum = _design.RootDot(_r);
            return;
        }
        for (int c = 0; c < count; c++)
        {
            int j = candidates is null ? c : candidates[c];
            if (beta[j] != 0) _design.AddTo(j, -beta[j], _r);
        }
    }

    /// <summary><see cref="Refresh(ReadOnlySpan{double})"/> when every non-zero coefficient's feature is in the block or its overflow (read from there, in the sweeps' order).</summary>
    public void Refresh(ReadOnlySpan<double> beta, SweepBlock block)
    {
        _yc.CopyTo(_r, 0);
        var columns = block.Columns;
        double shift = 0;
        for (int c = 0; c < columns.Length; c++)
        {
            int j = columns[c];
            if (beta[j] == 0) continue;
            double a = -beta[j] / _design.Scale[j];
            if (block.Narrow) AddRows(block.Entries(c, out ReadOnlySpan<ushort> narrow), narrow, a, _r);
            else AddRows(block.Entries(c, out ReadOnlySpan<int> wide), wide, a, _r);
            shift += beta[j] * _design.Center[j] / _design.Scale[j];
        }
        foreach (int j in block.Overflow)
        {
            if (beta[j] == 0) continue;
            _design.StoredAdd(j, -beta[j] / _design.Scale[j], _r);
            shift += beta[j] * _design.Center[j] / _design.Scale[j];
        }
        _shift = shift;
        _rootSum = _design.RootDot(_r);
    }

    /// <summary>
    /// x̃_jᵀR for the feature at position <paramref name="c"/> of the block, and x̃_jᵀρ when a second vector is given
    /// (its Σ√w·ρ in <paramref name="rootDotRho"/>): the same operations in the same order as <see cref="Dot(int)"/> and
    /// <see cref="Design.Dot(int, ReadOnlySpan{double}, double)"/>, so the same values.
    /// </summary>
    public double Dot(SweepBlock block, int c, double[]? rho, double rootDotRho, out double rhoDot)
    {
        int j = block.Columns[c];
        double value, rhoValue = 0;
        if (block.Narrow)
        {
            var values = block.Entries(c, out ReadOnlySpan<ushort> rows);
            value = Design.StoredDot(values, rows, _r);
            if (rho is not null) rhoValue = Design.StoredDot(values, rows, rho);
        }
        else
        {
            var values = block.Entries(c, out ReadOnlySpan<int> rows);
            value = Design.StoredDot(values, rows, _r);
            if (rho is not null) rhoValue = Design.StoredDot(values, rows, rho);
        }
        double cj = _design.Center[j];
        if (_shift != 0) value += _shift * _design.WeightedSum![j];
        if (cj != 0) value -= cj * (_rootSum + _shift * _design.N);
        rhoDot = rho is null ? 0 : (rhoValue - cj * rootDotRho) / _design.Scale[j];
        return value / _design.Scale[j];
    }

    /// <summary><see cref="Subtract(int, double)"/> for the feature at position <paramref name="c"/> of the block, read from there.</summary>
    public void Subtract(SweepBlock block, int c, double delta)
    {
        int j = block.Columns[c];
        double a = delta / _design.Scale[j];
        if (block.Narrow) AddRows(block.Entries(c, out ReadOnlySpan<ushort> narrow), narrow, -a, _r);
        else AddRows(block.Entries(c, out ReadOnlySpan<int> wide), wide, -a, _r);
        if (_design.WeightedSum is not { } sums) return;
        _shift += a * _design.Center[j];
        _rootSum -= a * sums[j];
    }

    /// <summary>x̃_jᵀR.</summary>
    public double Dot(int j)
    {
        if (!_design.IsSparse) return _design.Dot(j, _r);
        // x̃_jᵀ(r + σ√w) = (Σ√w x_j r + σ·Σw x_j − c_j·(Σ√w r + σ·Σw))/s_j, Σw = n.
        double c = _design.Center[j];
        double value = _design.StoredDot(j, _r);
        if (_shift != 0) value += _shift * _design.WeightedSum![j];
        if (c != 0) value -= c * (_rootSum + _shift * _design.N);
        return value / _design.Scale[j];
    }

    /// <summary>
    /// <see cref="CoordinateDescent"/>'s sweep for an unweighted sparse design with the plain penalty, the product
    /// and the update of each column fused: the same operations in the same order as <see cref="Dot(int)"/>, the update
    /// and <see cref="Subtract(int, double)"/> (so the same results), without their per-column dispatch. Late on a sparse path a
    /// sweep visits thousands of scattered columns of a few dozen entries each: their entries are asked for two
    /// columns ahead, where one ahead left each column start waiting on memory.
    /// </summary>
    public double SparseSweep(ReadOnlySpan<int> coordinates, double l1, double l2, Span<double> beta)
    {
        var d = _design;
        int n = d.N;
        var starts = d.ColumnStarts!;
        ref int rows = ref MemoryMarshal.GetArrayDataReference(d.RowIndices!);
        ref double values = ref MemoryMarshal.GetArrayDataReference(d.X);
        ref double r = ref MemoryMarshal.GetArrayDataReference(_r);
        var center = d.Center;
        var scale = d.Scale;
        double[] norms = d.NormSquaredOverN;
        // (Without centres σ stays 0 and Σ√w·r is never read: there are no column sums to keep it with.)
        double[]? sums = d.WeightedSum;
        double total = 0;
        if (coordinates.Length > 0) d.Prefetch(coordinates[0]);
        if (coordinates.Length > 1) d.Prefetch(coordinates[1]);
        for (int c = 0; c < coordinates.Length; c++)
        {
            int j = coordinates[c];
            if (c + 2 < coordinates.Length) d.Prefetch(coordinates[c + 2]);
            int start = starts[j], end = starts[j + 1];
            double first = 0, second = 0;
            int k = start;
            for (; k + 1 < end; k += 2)
            {
                first += Unsafe.Add(ref values, k) * Unsafe.Add(ref r, Unsafe.Add(ref rows, k));
                second += Unsafe.Add(ref values, k + 1) * Unsafe.Add(ref r, Unsafe.Add(ref rows, k + 1));
            }
            if (k < end) first += Unsafe.Add(ref values, k) * Unsafe.Add(ref r, Unsafe.Add(ref rows, k));
            double value = first + second;
            double cj = center[j];
            if (_shift != 0) value += _shift * sums![j];
            if (cj != 0) value -= cj * (_rootSum + _shift * n);
            double q = norms[j];
            double old = beta[j];
            double z = value / scale[j] / n + q * old;
            double updated = CoordinateDescent.SoftThreshold(z, l1) / (q + l2);
            double delta = updated - old;
            if (delta == 0) continue;
            beta[j] = updated;
            double a = delta / scale[j], minus = -a;
            for (k = start; k < end; k++) Unsafe.Add(ref r, int.CreateTruncating(Unsafe.Add(ref rows, k))) += minus * Unsafe.Add(ref values, k);
            if (sums is not null)
            {
                _shift += a * cj;
                _rootSum -= a * sums[j];
            }
            total += 0.5 * (q + l2) * delta * delta;
        }
        return total;
    }

    /// <summary>
    /// <see cref="SparseSweep"/> over the features of a <see cref="SweepBlock"/>, in its order, reading their entries
    /// from the block, then over its overflow from the matrix. The divisions by s_j·n, q_j + λ2 and s_j are multiplications by the block's reciprocals (each
    /// division sat on the chain from one column's product to its update, which the next column waits for).
    /// </summary>
    public double BlockSweep(SweepBlock block, double l1, double l2, Span<double> beta) =>
        block.Narrow ? BlockSweep(block, block.NarrowRows, l1, l2, beta) : BlockSweep(block, block.Rows, l1, l2, beta);

    /// <summary>r[rows[k]] += a·values[k] (a block's column, whatever the width of its row indices).</summary>
    private static void AddRows<T>(ReadOnlySpan<double> values, ReadOnlySpan<T> rows, double a, double[] r) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        for (int k = 0; k < values.Length; k++) r[int.CreateTruncating(rows[k])] += a * values[k];
    }

    private double BlockSweep<T>(SweepBlock block, List<T[]> rowChunks, double l1, double l2, Span<double> beta) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var d = _design;
        int n = d.N, shift = block.Shift, mask = (1 << shift) - 1;
        ref double r = ref MemoryMarshal.GetArrayDataReference(_r);
        var center = d.Center;
        double[] norms = d.NormSquaredOverN;
        // (Without centres σ stays 0 and Σ√w·r is never read, as in SparseSweep.)
        double[]? sums = d.WeightedSum;
        var columns = block.Columns;
        int[] starts = block.Start, lengths = block.Length;
        double[] zScale = block.ZScale, inverseScale = block.InverseScale, inverseCurvature = block.InverseCurvature;
        var valueChunks = block.Values;
        double total = 0;
        for (int c = 0; c < columns.Length; c++)
        {
            int j = columns[c];
            int at = starts[c], chunk = at >> shift, start = at & mask, end = start + lengths[c];
            ref double values = ref MemoryMarshal.GetArrayDataReference(valueChunks[chunk]);
            ref T rows = ref MemoryMarshal.GetArrayDataReference(rowChunks[chunk]);
            double first = 0, second = 0;
            int k = start;
            for (; k + 1 < end; k += 2)
            {
                first += Unsafe.Add(ref values, k) * Unsafe.Add(ref r, int.CreateTruncating(Unsafe.Add(ref rows, k)));
                second += Unsafe.Add(ref values, k + 1) * Unsafe.Add(ref r, int.CreateTruncating(Unsafe.Add(ref rows, k + 1)));
            }
            if (k < end) first += Unsafe.Add(ref values, k) * Unsafe.Add(ref r, int.CreateTruncating(Unsafe.Add(ref rows, k)));
            double value = first + second;
            double cj = center[j];
            if (_shift != 0) value += _shift * sums![j];
            if (cj != 0) value -= cj * (_rootSum + _shift * n);
            double q = norms[j];
            double old = beta[j];
            double z = value * zScale[c] + q * old;
            double updated = (z > l1 ? z - l1 : z < -l1 ? z + l1 : 0.0) * inverseCurvature[c];
            double delta = updated - old;
            if (delta == 0) continue;
            beta[j] = updated;
            double a = delta * inverseScale[c], minus = -a;
            for (k = start; k < end; k++) Unsafe.Add(ref r, int.CreateTruncating(Unsafe.Add(ref rows, k))) += minus * Unsafe.Add(ref values, k);
            if (sums is not null)
            {
                _shift += a * cj;
                _rootSum -= a * sums[j];
            }
            total += 0.5 * (q + l2) * delta * delta;
        }
        return block.Overflow.IsEmpty ? total : total + SparseSweep(block.Overflow, l1, l2, beta);
    }

    /// <summary>R ← R − δ·x̃_j.</summary>
    public void Subtract(int j, double delta)
    {
        if (!_design.IsSparse)
        {
            _design.AddTo(j, -delta, _r);
            return;
        }
        double a = delta / _design.Scale[j];
        _design.StoredAdd(j, -a, _r);
        if (_design.WeightedSum is not { } sums) return;
        _shift += a * _design.Center[j];
        _rootSum -= a * sums[j];
    }

    /// <summary>v = X̃ᵀR over the included columns, 0 for excluded ones.</summary>
    public void Gradient(Span<double> v)
    {
        int p = _design.P;
        if (!Parallel(p))
        {
            for (int j = 0; j < p; j++) v[j] = _design.Excluded[j] ? 0 : Dot(j);
            return;
        }
        var result = new double[p];
        Gradient(result);
        result.CopyTo(v);
    }

    /// <summary>v = X̃ᵀR into an array (a large pass runs in parallel straight into it).</summary>
    public void Gradient(double[] v)
    {
        int p = _design.P;
        if (!Parallel(p))
        {
            Gradient(v.AsSpan());
            return;
        }
        // A full pass over the data: split over the cores by blocks of columns. Each entry is one dot product
        // whoever computes it, so the result does not depend on the thread count.
        int block = _design.IsSparse ? 4096 : 256;
        System.Threading.Tasks.Parallel.For(0, (p + block - 1) / block, CoordinateDescent.Threads, b =>
        {
            int end = Math.Min(p, (b + 1) * block);
            for (int j = b * block; j < end; j++) v[j] = _design.Excluded[j] ? 0 : Dot(j);
        });
    }

    private bool Parallel(int p) => _design.IsSparse ? _design.PassCost >= 1_000_000 : (long)p * _design.N >= 1_000_000;

    /// <summary>Writes R itself (n values).</summary>
    public void CopyTo(Span<double> target)
    {
        _r.CopyTo(target);
        if (!_design.IsSparse || _shift == 0) return;
        if (_design.Root is { } root) Kernels.Axpy(_shift, root, target);
        else System.Numerics.Tensors.TensorPrimitives.Add(target, _shift, target);
    }

    /// <summary>
    /// Writes R into <paramref name="target"/> and its change since the values there into <paramref name="change"/>
    /// (R − target before), in one pass.
    /// </summary>
    public void CopyTo(Span<double> target, Span<double> change)
    {
        double shift = _design.IsSparse ? _shift : 0;
        if (shift == 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Subtract(_r, target, change);
            _r.CopyTo(target);
            return;
        }
        var root = _design.Root;
        for (int i = 0; i < _r.Length; i++)
        {
            double value = _r[i] + shift * (root?[i] ?? 1);
            change[i] = value - target[i];
            target[i] = value;
        }
    }

    /// <summary>‖R − <paramref name="point"/>‖.</summary>
    public double Distance(ReadOnlySpan<double> point)
    {
        double shift = _design.IsSparse ? _shift : 0, total = 0;
        if (shift == 0) return System.Numerics.Tensors.TensorPrimitives.Distance(_r, point);
        var root = _design.Root;
        for (int i = 0; i < _r.Length; i++)
        {
            double value = _r[i] + shift * (root?[i] ?? 1) - point[i];
            total += value * value;
        }
        return Math.Sqrt(total);
    }

    public double SquaredNorm()
    {
        if (!_design.IsSparse || _shift == 0) return Kernels.Dot(_r, _r);
        double total = 0;
        var root = _design.Root;
        for (int i = 0; i < _r.Length; i++)
        {
            double value = _r[i] + _shift * (root?[i] ?? 1);
            total += value * value;
        }
        return total;
    }
}


