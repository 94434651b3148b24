using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Shrink.IO;

/// <summary>
/// Parses a plain decimal number from UTF-8 bytes (<c>[+-]digits[.digits][(e|E)[+-]digits]</c>, at least one digit
/// before the exponent) into the nearest double, ties to even: the same value as <see cref="double.Parse(string)"/>,
/// bit for bit (the tests check it on hard cases). It exists for the CSV reader's plain-file path, where parsing the
/// numbers was the largest part of reading: it works on the file's bytes, with no UTF-16 copy, and stops at the first
/// byte that is not part of the number, so the caller finds the separator there.
/// </summary>
/// <remarks>
/// Up to 19 significant digits give an integer w and a power of ten q. When w ≤ 2^53 and |q| ≤ 22 both are exact
/// doubles and one multiplication or division rounds once (Clinger's fast path); otherwise w·10^q is rounded from a
/// 128-bit product of w with a truncated power of five (the Eisel–Lemire algorithm, as in Lemire, "Number parsing at
/// a gigabyte per second", 2021; Mushtak and Lemire, "Fast number parsing without fallback", 2023, show the 128-bit
/// product always decides for up to 19 digits). Longer significands go to the framework's parser.
/// </remarks>
internal static class DecimalParser
{
    private const int SmallestPowerOfFive = -342;
    private const int LargestPowerOfFive = 308;

    /// <summary>
    /// Parses the number that starts at <paramref name="start"/>; returns the index just past it, or -1 when the text
    /// there is not a plain decimal number (no digit, a dangling exponent): the caller decides what that means.
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> s, int start, out double value)
    {
        int i = start;
        bool negative = false;
        if ((uint)i < (uint)s.Length && s[i] is (byte)'-' or (byte)'+')
        {
            negative = s[i] == '-';
            i++;
        }
        ulong w = 0;
        int digits = 0, exponent = 0;
        bool any = false, tooLong = false;
        // Integer part: leading zeros carry nothing; past 19 significant digits the framework's parser takes over.
        for (; (uint)i < (uint)s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) break;
            any = true;
            if (digits == 0 && d == 0) continue;
            if (digits < 19) { w = w * 10 + d; digits++; }
            else tooLong = true;
        }
        if ((uint)i < (uint)s.Length && s[i] == '.')
        {
            i++;
            // Leading zeros of the fraction only move the point.
            if (digits == 0)
                for (; (uint)i < (uint)s.Length && s[i] == '0'; i++) { exponent--; any = true; }
            // Eight digits at a time while they fit the 19 (most numbers written by R or NumPy have 15 to 17).
            while (digits <= 11 && i + 8 <= s.Length)
            {
                ulong eight = BinaryPrimitives.ReadUInt64LittleEndian(s[i..]);
                if (!AllDigits(eight)) break;
                w = w * 100_000_000 + EightDigits(eight);
                digits += 8;
                exponent -= 8;
                i += 8;
                any = true;
            }
            for (; (uint)i < (uint)s.Length; i++)
            {
                uint d = (uint)(s[i] - '0');
                if (d > 9) break;
                any = true;
                if (digits == 0 && d == 0) { exponent--; continue; }
                if (digits < 19) { w = w * 10 + d; digits++; exponent--; }
                else tooLong = true;
            }
        }
        if (!any)
        {
            value = 0;
            return -1;
        }
        if ((uint)i < (uint)s.Length && s[i] is (byte)'e' or (byte)'E')
        {
            i++;
            bool negativeExponent = false;
            if ((uint)i < (uint)s.Length && s[i] is (byte)'-' or (byte)'+')
            {
                negativeExponent = s[i] == '-';
                i++;
            }
            int first = i, e = 0;
            for (; (uint)i < (uint)s.Length; i++)
            {
                uint d = (uint)(s[i] - '0');
                if (d > 9) break;
                if (e < 100_000) e = e * 10 + (int)d;
            }
            if (i == first)
            {
                value = 0;
                return -1;
            }
            exponent += negativeExponent ? -e : e;
        }
        if (tooLong)
        {
            // More digits than an exact 64-bit significand holds: the framework's parser rounds them correctly.
            value = double.Parse(s[start..i], NumberStyles.Float, CultureInfo.InvariantCulture);
            return i;
        }
        value = Compose(w, exponent, negative);
        return i;
    }

    /// <summary>Whether the eight bytes (little-endian) are all ASCII digits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllDigits(ulong eight) =>
        ((eight & 0xF0F0F0F0F0F0F0F0) | (((eight + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) == 0x3333333333333333;

    /// <summary>The value of eight ASCII digits (little-endian, the first digit lowest), by pairs, fours, then eight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigits(ulong eight)
    {
        eight -= 0x3030303030303030;
        eight = eight * 10 + (eight >> 8);
        return (((eight & 0x000000FF000000FF) * 0x000F424000000064) + (((eight >> 16) & 0x000000FF000000FF) * 0x0000271000000001)) >> 32;
    }

    /// <summary>The double nearest to ±w·10^q (ties to even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Compose(ulong w, int q, bool negative)
    {
        double magnitude;
        if (w == 0 || q < SmallestPowerOfFive) magnitude = 0;
        else if (q > LargestPowerOfFive) magnitude = double.PositiveInfinity;
        else if (w <= 1UL << 53 && q >= -22 && q <= 22)
            magnitude = q < 0 ? w / ExactPowersOfTen[-q] : w * ExactPowersOfTen[q];
        else magnitude = EiselLemire(w, q);
        return negative ? -magnitude : magnitude;
    }

    private static readonly double[] ExactPowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>w·10^q rounded to the nearest double, for w ≠ 0 and q in [-342, 308].</summary>
    private static double EiselLemire(ulong w, int q)
    {
        var powers = Table.PowersOfFive;
        int index = 2 * (q - SmallestPowerOfFive);
        int lz = BitOperations.LeadingZeroCount(w);
        w <<= lz;
        // The top bits of w·5^q; a second product with the next 64 bits of 5^q only when the low bits the rounding
        // looks at are all ones (a carry from below could change them).
        ulong high = Math.BigMul(w, powers[index], out ulong low);
        if ((high & 0x1FF) == 0x1FF)
        {
            ulong secondHigh = Math.BigMul(w, powers[index + 1], out _);
            low += secondHigh;
            if (secondHigh > low) high++;
            if ((high & 0x1FF) == 0x1FF && low == ulong.MaxValue)
                return double.Parse(string.Create(CultureInfo.InvariantCulture, $"{w >> lz}e{q}"), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        int upper = (int)(high >> 63);
        int shift = upper + 64 - 52 - 3;
        ulong mantissa = high >> shift;
        // floor(q·log2(10)) + 63, as an integer formula exact over the table's range.
        int power2 = (int)((((152170L + 65536) * q) >> 16) + 63) + upper - lz + 1023;
        if (power2 <= 0)
        {
            // Subnormal: shift into place, round half up at the last bit (ties cannot occur this far down).
            if (-power2 + 1 >= 64) return 0;
            mantissa >>= -power2 + 1;
            mantissa += mantissa & 1;
            mantissa >>= 1;
            power2 = mantissa < 1UL << 52 ? 0 : 1;
            return BitConverter.Int64BitsToDouble((long)(((ulong)power2 << 52) | (mantissa & ((1UL << 52) - 1))));
        }
        // An exact halfway case (possible only for small |q|): round to even instead of up.
        if (low <= 1 && q >= -4 && q <= 23 && (mantissa & 3) == 1 && mantissa << shift == high)
            mantissa &= ~1UL;
        mantissa += mantissa & 1;
        mantissa >>= 1;
        if (mantissa >= 2UL << 52)
        {
            mantissa = 1UL << 52;
            power2++;
        }
        mantissa &= ~(1UL << 52);
        if (power2 >= 0x7FF) return double.PositiveInfinity;
        return BitConverter.Int64BitsToDouble((long)(((ulong)power2 << 52) | mantissa));
    }

    /// <summary>
    /// 5^q for q in [-342, 308] as 128 bits (two ulongs, high first) with the leading bit set: truncated for q ≥ 0,
    /// for q &lt; 0 the reciprocal 2^b / 5^-q rounded up. Computed once, on first use, with exact integers (about a
    /// millisecond), rather than shipped as a 10 KB literal table.
    /// </summary>
    private static class Table
    {
        public static readonly ulong[] PowersOfFive = Build();
    }

    private static ulong[] Build()
    {
        var table = new ulong[2 * (LargestPowerOfFive - SmallestPowerOfFive + 1)];
        var one128 = BigInteger.One << 128;
        for (int q = SmallestPowerOfFive; q <= LargestPowerOfFive; q++)
        {
            BigInteger c;
            if (q >= 0)
            {
                c = BigInteger.Pow(5, q);
                long bits = (long)c.GetBitLength();
                c = bits <= 128 ? c << (int)(128 - bits) : c >> (int)(bits - 128);
            }
            else
            {
                var power5 = BigInteger.Pow(5, -q);
                int z = (int)(power5 - 1).GetBitLength(); // the least z with 2^z ≥ 5^-q
                int b = q >= -27 ? z + 127 : 2 * z + 128;
                c = (BigInteger.One << b) / power5 + 1;
                while (c >= one128) c >>= 1;
            }
            int at = 2 * (q - SmallestPowerOfFive);
            table[at] = (ulong)(c >> 64);
            table[at + 1] = (ulong)(c & ulong.MaxValue);
        }
        return table;
    }
}
