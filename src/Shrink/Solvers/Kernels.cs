using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Shrink.Solvers;

/// <summary>Vector kernels on spans. No validation: callers pass matching lengths.</summary>
internal static class Kernels
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => TensorPrimitives.Dot(a, b);

    public static double Sum(ReadOnlySpan<double> a) => TensorPrimitives.Sum(a);

    /// <summary>
    /// The indices of the non-zero entries of <paramref name="v"/>, in order (as <c>v[j] != 0</c> has it: −0 is zero, NaN
    /// is not). Eight entries are tested at once, so the long runs of zeros in a wide path's β (200 non-zeros among 20,000
    /// at its end) are crossed a vector at a time.
    /// </summary>
    public static NonZeroIndices NonZeros(ReadOnlySpan<double> v) => new(v);

    /// <summary>How many entries of <paramref name="v"/> are non-zero (see <see cref="NonZeros"/>).</summary>
    public static int CountNonZeros(ReadOnlySpan<double> v)
    {
        int count = 0, j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double start = ref MemoryMarshal.GetReference(v);
            for (; j + 4 <= v.Length; j += 4)
                count += BitOperations.PopCount(~Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)j), Vector256<double>.Zero).ExtractMostSignificantBits() & 0xF);
        }
        for (; j < v.Length; j++)
            if (v[j] != 0) count++;
        return count;
    }

    /// <summary>See <see cref="NonZeros"/>.</summary>
    public ref struct NonZeroIndices(ReadOnlySpan<double> v)
    {
        private readonly ReadOnlySpan<double> _v = v;
        private int _next, _base, _current = -1;
        private uint _mask;

        public readonly NonZeroIndices GetEnumerator() => this;

        public readonly int Current => _current;

        public bool MoveNext()
        {
            while (_mask == 0)
            {
                if (_next >= _v.Length) return false;
                _base = _next;
                if (Vector256.IsHardwareAccelerated && _next + 8 <= _v.Length)
                {
                    // Eight at a time: two vectors' lanes in one mask.
                    ref double at = ref Unsafe.Add(ref MemoryMarshal.GetReference(_v), _next);
                    uint low = Vector256.Equals(Vector256.LoadUnsafe(ref at), Vector256<double>.Zero).ExtractMostSignificantBits();
                    uint high = Vector256.Equals(Vector256.LoadUnsafe(ref at, 4), Vector256<double>.Zero).ExtractMostSignificantBits();
                    _mask = ~(low | high << 4) & 0xFF;
                    _next += 8;
                }
                else
                {
                    _mask = _v[_next] != 0 ? 1u : 0u;
                    _next++;
                }
            }
            int bit = BitOperations.TrailingZeroCount(_mask);
            _mask &= _mask - 1;
            _current = _base + bit;
            return true;
        }
    }

    /// <summary>y += alpha·x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y) => TensorPrimitives.MultiplyAdd(x, alpha, y, y);

    /// <summary>Σ (a_i − shift)²; the shift is subtracted before squaring so a large mean does not cancel away the spread.</summary>
    public static double SumSquaredDeviations(ReadOnlySpan<double> a, double shift)
    {
        var acc = Vector<double>.Zero;
        var s = new Vector<double>(shift);
        int i = 0, w = Vector<double>.Count;
        for (; i <= a.Length - w; i += w)
        {
            var d = new Vector<double>(a.Slice(i, w)) - s;
            acc += d * d;
        }
        double total = Vector.Sum(acc);
        for (; i < a.Length; i++)
        {
            double d = a[i] - shift;
            total += d * d;
        }
        return total;
    }

    /// <summary>Σ (x_i − shift)·r_i, subtracting before multiplying so that a column's large mean does not cancel its spread away.</summary>
    public static double DotShifted(ReadOnlySpan<double> x, double shift, ReadOnlySpan<double> r)
    {
        var acc = Vector<double>.Zero;
        var s = new Vector<double>(shift);
        int i = 0, w = Vector<double>.Count;
        for (; i <= x.Length - w; i += w)
            acc += (new Vector<double>(x.Slice(i, w)) - s) * new Vector<double>(r.Slice(i, w));
        double total = Vector.Sum(acc);
        for (; i < x.Length; i++) total += (x[i] - shift) * r[i];
        return total;
    }

    /// <summary>r += alpha·(x − shift).</summary>
    public static void AxpyShifted(double alpha, ReadOnlySpan<double> x, double shift, Span<double> r)
    {
        var a = new Vector<double>(alpha);
        var s = new Vector<double>(shift);
        int i = 0, w = Vector<double>.Count;
        for (; i <= x.Length - w; i += w)
        {
            var updated = new Vector<double>(r.Slice(i, w)) + a * (new Vector<double>(x.Slice(i, w)) - s);
            updated.CopyTo(r.Slice(i, w));
        }
        for (; i < x.Length; i++) r[i] += alpha * (x[i] - shift);
    }

    /// <summary>Σ (x_i − shift)·s_i·r_i: <see cref="DotShifted"/> with a row scale (√weights).</summary>
    public static double DotShiftedScaled(ReadOnlySpan<double> x, double shift, ReadOnlySpan<double> s, ReadOnlySpan<double> r)
    {
        var acc = Vector<double>.Zero;
        var c = new Vector<double>(shift);
        int i = 0, w = Vector<double>.Count;
        for (; i <= x.Length - w; i += w)
            acc += (new Vector<double>(x.Slice(i, w)) - c) * new Vector<double>(s.Slice(i, w)) * new Vector<double>(r.Slice(i, w));
        double total = Vector.Sum(acc);
        for (; i < x.Length; i++) total += (x[i] - shift) * s[i] * r[i];
        return total;
    }

    /// <summary>r += alpha·s∘(x − shift).</summary>
    public static void AxpyShiftedScaled(double alpha, ReadOnlySpan<double> x, double shift, ReadOnlySpan<double> s, Span<double> r)
    {
        var a = new Vector<double>(alpha);
        var c = new Vector<double>(shift);
        int i = 0, w = Vector<double>.Count;
        for (; i <= x.Length - w; i += w)
        {
            var updated = new Vector<double>(r.Slice(i, w)) + a * new Vector<double>(s.Slice(i, w)) * (new Vector<double>(x.Slice(i, w)) - c);
            updated.CopyTo(r.Slice(i, w));
        }
        for (; i < x.Length; i++) r[i] += alpha * s[i] * (x[i] - shift);
    }

    /// <summary>True when every value equals the first (a constant column carries no information beyond an intercept).</summary>
    public static bool IsConstant(ReadOnlySpan<double> a)
    {
        if (a.Length == 0) return true;
        double first = a[0];
        for (int i = 1; i < a.Length; i++)
            if (a[i] != first) return false;
        return true;
    }
}
