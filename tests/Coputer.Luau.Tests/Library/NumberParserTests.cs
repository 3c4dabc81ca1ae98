using System.Text;
using Coputer.Luau.Library;

namespace Coputer.Luau.Tests.Library;

public class NumberParserTests
{
    private static double? Parse(string text)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        return NumberParser.TryParse(bytes, out double value) ? value : null;
    }

    private static double? ParseInBase(string text, int radix)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        return NumberParser.TryParseInBase(bytes, radix, out double value) ? value : null;
    }

    // Cases of math.luau and strings that the reference accepts.
    [Theory]
    [InlineData("2", 2.0)]
    [InlineData(" 3e0 ", 3.0)]
    [InlineData(" 10  ", 10.0)]
    [InlineData("+0.01", 0.01)]
    [InlineData("+.01", 0.01)]
    [InlineData(".01", 0.01)]
    [InlineData("-1.", -1.0)]
    [InlineData("+1.", 1.0)]
    [InlineData("-12", -12.0)]
    [InlineData("-1.2e2", -120.0)]
    [InlineData("  +0.001e+3 \n\t", 1.0)]
    [InlineData("+1.23E30", 1.23e30)]
    [InlineData(" 1.3e-2 ", 1.3e-2)]
    [InlineData(" -1.00000000000001 ", -1.00000000000001)]
    [InlineData("1111111111111111", 1111111111111111.0)]
    [InlineData(" \t\n\v\f\r5\t\n\v\f\r", 5.0)]
    [InlineData("1.e1", 10.0)]
    [InlineData("  +.5  ", 0.5)]
    [InlineData("1e400", double.PositiveInfinity)]
    [InlineData("-1e400", double.NegativeInfinity)]
    [InlineData("1e-400", 0.0)]
    [InlineData("1e99999999999999999999", double.PositiveInfinity)]
    [InlineData("0e99999999999999999999", 0.0)]
    [InlineData("9007199254740993", 9007199254740992.0)] // halfway, rounds to even
    [InlineData("9007199254740995", 9007199254740996.0)]
    [InlineData("1.00000000000000011102230246251565404236316680908203125", 1.0)] // exactly halfway to the next double
    [InlineData("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002)]
    [InlineData("2.4703282292062327e-324", 0.0)]
    [InlineData("2.4703282292062328e-324", 5e-324)]
    [InlineData("123456789012345678901234567890", 1.2345678901234568e+29)]
    [InlineData("0.000000000000000000000000000000000000000001", 1e-42)]
    [InlineData("179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", double.MaxValue)]
    public void DecimalForms(string text, double expected) => Assert.Equal(expected, Parse(text));

    [Theory]
    [InlineData("+ 0.01")]
    [InlineData("+.e1")]
    [InlineData("1e")]
    [InlineData("1.0e+")]
    [InlineData(".")]
    [InlineData("1  a")]
    [InlineData("e1")]
    [InlineData("e  1")]
    [InlineData(" 3.4.5 ")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("- 1")]
    [InlineData("--1")]
    [InlineData("1_000")]
    [InlineData("0b101")]
    [InlineData("0B11")]
    [InlineData("1x")]
    [InlineData("1 x")]
    [InlineData("\0")]
    [InlineData("\u00a05")] // no-break space is not C whitespace
    [InlineData("5\u00a0")]
    [InlineData("infinit")]
    [InlineData("in")]
    [InlineData("nan(")]
    [InlineData("nan(x y)")]
    public void RejectedForms(string text) => Assert.Null(Parse(text));

    [Theory]
    [InlineData(" 0x10 ", 16.0)]
    [InlineData("-0x10", -16.0)]
    [InlineData("+0x10", 16.0)]
    [InlineData("0x1p4", 16.0)]
    [InlineData("0x1.8", 1.5)]
    [InlineData("0X1.8p1", 3.0)]
    [InlineData("0x.8", 0.5)]
    [InlineData("0x8.", 8.0)]
    [InlineData("0x1P-1", 0.5)]
    [InlineData("0x1e", 30.0)]
    [InlineData("0x7fffffffffffffff", 9223372036854775807.0)]
    [InlineData("0xffffffffffffffff", 18446744073709551615.0)]
    [InlineData("0xffffffffffffffffff", 4.722366482869645e+21)] // more than 64 bits: not saturated
    [InlineData("0x10000000000000000", 18446744073709551616.0)]
    [InlineData("0x1p-1074", 5e-324)]
    [InlineData("0x1p-1075", 0.0)] // halfway to the smallest subnormal: ties to even (zero)
    [InlineData("0x1.0000000000001p-1075", 5e-324)]
    [InlineData("0x1.0000000000000000000001p0", 1.0)]
    [InlineData("0x1.00000000000008p0", 1.0)] // halfway, even stays
    [InlineData("0x1.00000000000018p0", 1.0000000000000004)] // halfway, odd rounds up
    [InlineData("0x1.000000000000080000001p0", 1.0000000000000002)] // just above halfway
    [InlineData("0x1.fffffffffffff8p1023", double.PositiveInfinity)]
    [InlineData("0x1.fffffffffffffp1023", double.MaxValue)]
    [InlineData("0x1p99999999999", double.PositiveInfinity)]
    [InlineData("0x0.0000000000001p-1022", 5e-324)]
    [InlineData("0x0.fffffffffffff8p-1022", 2.2250738585072014e-308)] // subnormal rounding up into the normals
    public void HexadecimalForms(string text, double expected) => Assert.Equal(expected, Parse(text));

    [Theory]
    [InlineData("0x")]
    [InlineData("0x ")]
    [InlineData("0xg")]
    [InlineData("0x.")]
    [InlineData("0x1p")]
    [InlineData("0x1p+")]
    [InlineData("0x1x")]
    [InlineData("0x_1")]
    [InlineData("- 0x1")]
    public void RejectedHexadecimalForms(string text) => Assert.Null(Parse(text));

    [Fact]
    public void EverythingAfterNulIsIgnored()
    {
        // The reference passes a C string to strtod, so a zero byte ends the text.
        Assert.Equal(1.0, Parse("1\0"));
        Assert.Equal(1.0, Parse("1\0 junk"));
        Assert.Equal(1.0, Parse(" 1 \0"));
        Assert.Equal(1.0, Parse("0x1\0"));
        Assert.Null(Parse("\0 1"));
        Assert.Equal(2.0, ParseInBase("10\0zz", 2));
    }

    [Fact]
    public void InfinityAndNanFollowStrtod()
    {
        Assert.Equal(double.PositiveInfinity, Parse("inf"));
        Assert.Equal(double.PositiveInfinity, Parse(" INFINITY "));
        Assert.Equal(double.NegativeInfinity, Parse("-Inf"));
        Assert.Equal(double.PositiveInfinity, Parse("+inf"));

        double nan = Parse("nan")!.Value;
        Assert.True(double.IsNaN(nan));
        Assert.Equal(0x7FF8_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(nan));
        Assert.Equal(0xFFF8_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(Parse("-NaN")!.Value));
        Assert.Equal(0x7FF8_0000_0000_007BUL, BitConverter.DoubleToUInt64Bits(Parse("nan(123)")!.Value));
        Assert.Equal(0x7FF8_0000_0000_0007UL, BitConverter.DoubleToUInt64Bits(Parse("nan(0x7)")!.Value));
        Assert.Equal(0x7FF8_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(Parse("nan()")!.Value));
        Assert.Equal(0x7FF8_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(Parse("nan(abc)")!.Value)); // not a number: no payload
    }

    [Fact]
    public void SignedZeroSurvives()
    {
        Assert.Equal(0x8000_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(Parse("-0")!.Value));
        Assert.Equal(0x8000_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(Parse("-0x0")!.Value));
        Assert.Equal(0x8000_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(Parse("-1e-999")!.Value));
        Assert.Equal(0UL, BitConverter.DoubleToUInt64Bits(Parse("0.0")!.Value));
    }

    // tonumber(s, base) cases from math.luau and the reference.
    [Theory]
    [InlineData("  1010  ", 2, 10.0)]
    [InlineData("10", 36, 36.0)]
    [InlineData("11111111111111111111111111111111", 2, 4294967295.0)]
    [InlineData("ffffFFFF", 16, 4294967295.0)]
    [InlineData("10", 2, 2.0)]
    [InlineData("+10", 2, 2.0)]
    [InlineData("-10", 2, 18446744073709551614.0)] // negated modulo 2^64
    [InlineData("-1", 16, 18446744073709551615.0)]
    [InlineData("z", 36, 35.0)]
    [InlineData("Z", 36, 35.0)]
    [InlineData("0x10", 16, 16.0)]
    [InlineData("ffffffffffffffffff", 16, 18446744073709551615.0)] // saturates
    [InlineData("-ffffffffffffffffff", 16, 18446744073709551615.0)] // saturation ignores the sign
    [InlineData("777", 8, 511.0)]
    [InlineData("\n  -0  \n", 7, 0.0)]
    [InlineData("-0", 10, -0.0)] // radix 10 is the ordinary conversion
    [InlineData("1e1", 10, 10.0)]
    [InlineData("1e", 16, 30.0)]
    [InlineData("100000000001", 32, 36028797018963968.0)] // 2^55 + 1 rounds down to 2^55
    [InlineData("100000000005", 32, 36028797018963976.0)] // 2^55 + 5 rounds up to 2^55 + 8
    [InlineData("100000000004", 32, 36028797018963968.0)] // 2^55 + 4 is halfway: ties to even
    public void ParsesInBase(string text, int radix, double expected) => Assert.Equal(expected, ParseInBase(text, radix));

    [Theory]
    [InlineData("", 8)]
    [InlineData("  ", 9)]
    [InlineData("99", 8)]
    [InlineData("fFfa", 15)]
    [InlineData("0x", 16)]
    [InlineData("0x10", 17)]
    [InlineData("0xg", 16)]
    [InlineData("1 1", 2)]
    [InlineData("0b1", 2)]
    [InlineData("--1", 2)]
    [InlineData("- 1", 2)]
    [InlineData(" 0x1g", 16)]
    [InlineData("1.5", 16)]
    public void RejectsInBase(string text, int radix) => Assert.Null(ParseInBase(text, radix));

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(0)]
    [InlineData(-16)]
    public void BaseOutOfRangeIsTheReferenceError(int radix)
    {
        var error = Assert.Throws<LibraryArgumentError>(() => ParseInBase("10", radix));
        Assert.Equal("invalid argument #2 to 'tonumber' (base out of range)", error.MessageFor("tonumber"));
    }

    [Fact]
    public void TryParseDoesNotAllocate()
    {
        byte[][] inputs =
        [
            "42"u8.ToArray(), " 3.25 "u8.ToArray(), "1e300"u8.ToArray(), "0x1p-3"u8.ToArray(),
            "123456789012345678901234567890"u8.ToArray(), "nan"u8.ToArray(), "junk"u8.ToArray(),
            "2.4703282292062328e-324"u8.ToArray(),
        ];
        NumberParser.TryParse(inputs[4], out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (int round = 0; round < 100; round++)
        {
            foreach (byte[] input in inputs)
            {
                if (NumberParser.TryParse(input, out double value) && !double.IsNaN(value))
                    sum += value;
            }
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void ScalingByPowersOfTenIsCorrectlyRounded()
    {
        // Against the runtime's parser: random 1-19 digit mantissas and 17-19 digit renderings of doubles
        // (which sit close to rounding boundaries). Undecided cases must be rare and are allowed to fall back.
        var random = new Random(77);
        int decided = 0;
        for (int i = 0; i < 20000; i++)
        {
            ulong mantissa;
            int exponent;
            if (i % 2 == 0)
            {
                double source = BitConverter.Int64BitsToDouble(random.NextInt64(0x0010000000000000, 0x7FE0000000000000));
                string text = source.ToString("E18", System.Globalization.CultureInfo.InvariantCulture);
                mantissa = ulong.Parse(text[..20].Replace(".", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
                exponent = int.Parse(text[21..], System.Globalization.CultureInfo.InvariantCulture) - 18;
            }
            else
            {
                mantissa = (ulong)random.NextInt64(1, long.MaxValue) >> random.Next(0, 60);
                exponent = random.Next(-300, 290);
            }
            if (!NumberParser.TryScaleByPowerOf10(mantissa, exponent, out double value))
                continue;
            decided++;
            double expected = double.Parse($"{mantissa}e{exponent}", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
        }
        Assert.True(decided > 19000, $"only {decided} decided");

        // An exact tie is never decided here.
        Assert.False(NumberParser.TryScaleByPowerOf10(9007199254740993, 0, out _));
    }

    [Fact]
    public void ScaleBinaryRoundsLikeIeee()
    {
        Assert.Equal(1.0, NumberParser.ScaleBinary(1, false, 0));
        Assert.Equal(0.75, NumberParser.ScaleBinary(3, false, -2));
        Assert.Equal(9007199254740992.0, NumberParser.ScaleBinary((1UL << 53) + 1, false, 0)); // tie to even
        Assert.Equal(9007199254740994.0, NumberParser.ScaleBinary((1UL << 53) + 1, true, 0)); // sticky breaks the tie
        Assert.Equal(double.Epsilon, NumberParser.ScaleBinary(1, false, -1074));
        Assert.Equal(0.0, NumberParser.ScaleBinary(1, false, -1076));
        Assert.Equal(double.PositiveInfinity, NumberParser.ScaleBinary(1, false, 1024));
    }
}
