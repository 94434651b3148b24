using System.Globalization;
using System.Numerics;
using System.Text;
using FsCheck.Xunit;
using Shrink.IO;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// The CSV reader's decimal parser against the framework's (correctly rounded) <see cref="double.Parse(string)"/>:
/// bit-identical values, on the same texts accepted, over every power of ten, subnormals, exact ties and overflow.
/// </summary>
public class DecimalParserTests
{
    /// <summary>Parses the whole text or says it is not a plain number (-1); the framework's verdict beside it.</summary>
    private static void AssertSameAsFramework(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        int end = DecimalParser.Parse(bytes, 0, out double ours);
        bool framework = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double expected);
        if (end == bytes.Length)
        {
            Assert.True(framework, $"'{text}' is parsed here but not by double.Parse");
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(ours),
                $"'{text}': {ours:R} (0x{BitConverter.DoubleToInt64Bits(ours):X16}) but double.Parse gives {expected:R} (0x{BitConverter.DoubleToInt64Bits(expected):X16})");
        }
        else
        {
            // Not (all) a plain number: the reader's other path decides. It is never something double.Parse reads
            // differently as a plain number.
            Assert.True(end < 0 || end < bytes.Length, text);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("+0.0")]
    [InlineData("-0.0e-999")]
    [InlineData("1")]
    [InlineData("-1.5")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("-.25e-3")]
    [InlineData("1.e5")]
    [InlineData("007.500")]
    [InlineData("0.000000000000000000000000000001")]
    [InlineData("-0.14506890669409145")]
    [InlineData("0.59582088218216633")]
    [InlineData("9007199254740992")] // 2^53
    [InlineData("9007199254740993")] // 2^53 + 1: a tie, to even (down)
    [InlineData("9007199254740995")] // a tie, to even (up)
    [InlineData("18014398509481990")] // 2^54 + 6: a tie at spacing 4
    [InlineData("1e22")]
    [InlineData("1e23")] // not exact: the classic hard case
    [InlineData("8.98846567431158e307")]
    [InlineData("1.7976931348623157e308")] // the largest double
    [InlineData("1.7976931348623158e308")] // rounds down to it
    [InlineData("1.7976931348623159e308")] // overflows
    [InlineData("1e309")]
    [InlineData("2.2250738585072014e-308")] // the smallest normal
    [InlineData("2.2250738585072011e-308")] // the largest subnormal, about
    [InlineData("4.9406564584124654e-324")] // the smallest subnormal
    [InlineData("2.4703282292062327e-324")] // just under half of it: 0
    [InlineData("2.4703282292062328e-324")] // just over half: the smallest subnormal
    [InlineData("1e-400")]
    [InlineData("123456789012345678901234567890")] // more than 19 digits: the framework's parser
    [InlineData("0.1234567890123456789012345678901e-300")]
    [InlineData("1e100000000000")]
    [InlineData("1e-100000000000")]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("e5")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("--1")]
    [InlineData("1x")]
    public void Hard_and_edge_cases_match_the_framework(string text) => AssertSameAsFramework(text);

    [Fact]
    public void It_stops_at_the_first_byte_after_the_number()
    {
        var bytes = Encoding.ASCII.GetBytes("12.5e-1,x");
        Assert.Equal(7, DecimalParser.Parse(bytes, 0, out double value));
        Assert.Equal(1.25, value);
        Assert.Equal(-1, DecimalParser.Parse(bytes, 8, out _));
    }

    /// <summary>Doubles of every magnitude written as the shortest round-trip text and with 17 and 19 digits.</summary>
    [Property(MaxTest = 3000)]
    public void Any_double_written_out_parses_to_the_same_bits(long bits)
    {
        double x = BitConverter.Int64BitsToDouble(bits);
        if (!double.IsFinite(x)) return;
        foreach (var format in new[] { "R", "E16", "E18", "F20" })
            AssertSameAsFramework(x.ToString(format, CultureInfo.InvariantCulture));
    }

    /// <summary>Random significands of 1 to 19 digits at every power of ten the table covers, and beyond it.</summary>
    [Property(MaxTest = 3000)]
    public void Random_digits_at_any_exponent_parse_as_the_framework_does(ulong significand, int digitCount, int exponent, bool negative)
    {
        int digits = 1 + (int)((uint)digitCount % 19);
        string text = (significand % BigInteger.Pow(10, digits)).ToString(CultureInfo.InvariantCulture);
        int q = exponent % 700;
        AssertSameAsFramework($"{(negative ? "-" : "")}{text}e{q}");
        AssertSameAsFramework($"{(negative ? "-" : "")}0.{text}e{q}");
    }

    [Fact]
    public void Every_power_of_ten_in_the_table_with_long_significands()
    {
        var rng = new Random(5);
        for (int q = -360; q <= 320; q++)
            for (int k = 0; k < 40; k++)
            {
                ulong w = (ulong)rng.NextInt64(1, long.MaxValue) * (ulong)(k % 2 + 1);
                AssertSameAsFramework(string.Create(CultureInfo.InvariantCulture, $"{w}e{q}"));
            }
    }

    /// <summary>
    /// Exact midpoints between neighbouring doubles (round half to even) and the numbers one unit in the last written
    /// digit beside them, in every binade; most are longer than 19 digits, those that are not test the 128-bit path.
    /// </summary>
    [Fact]
    public void Exact_halfway_cases_round_to_even()
    {
        var rng = new Random(6);
        for (int binade = -1074; binade <= 1023; binade += 3)
        {
            // A double d = m·2^e (m odd or even at random) and the midpoint (2m+1)·2^(e-1) to the next one.
            long m = binade < -1022 ? rng.NextInt64(1, 1L << 20) : rng.NextInt64(1L << 52, 1L << 53);
            int e = Math.Max(binade, -1074);
            var twice = new BigInteger(2 * m + 1);
            int e2 = e - 1;
            string mid = e2 >= 0
                ? (twice << e2).ToString(CultureInfo.InvariantCulture)
                : Decimal(twice * BigInteger.Pow(5, -e2), -e2);
            AssertSameAsFramework(mid);
            AssertSameAsFramework(Trimmed(mid, 17));
            AssertSameAsFramework(Trimmed(mid, 19));
        }
        // Midpoints short enough for 19 digits: (2m+1)·2^k for small m and k.
        for (long m = (1L << 52) + 1; m < (1L << 52) + 3000; m += 7)
            for (int k = 0; k < 8; k++)
                AssertSameAsFramework(((new BigInteger(2 * m + 1)) << k).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>digits·10^-places as a decimal text.</summary>
    private static string Decimal(BigInteger digits, int places)
    {
        string s = digits.ToString(CultureInfo.InvariantCulture).PadLeft(places + 1, '0');
        return $"{s[..^places]}.{s[^places..]}";
    }

    /// <summary>The text with its significand cut to this many significant digits (its exponent kept).</summary>
    private static string Trimmed(string text, int significant)
    {
        var value = BigInteger.Parse(text.Replace(".", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        int places = text.Contains('.', StringComparison.Ordinal) ? text.Length - text.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
        string all = value.ToString(CultureInfo.InvariantCulture);
        if (all.Length <= significant) return text;
        int cut = all.Length - significant;
        return string.Create(CultureInfo.InvariantCulture, $"{all[..significant]}e{cut - places}");
    }
}
