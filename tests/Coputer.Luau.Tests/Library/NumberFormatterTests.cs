using System.Numerics;
using System.Text;
using Coputer.Luau.Library;

namespace Coputer.Luau.Tests.Library;

public class NumberFormatterTests
{
    private static string Format(double value)
    {
        Span<byte> buffer = stackalloc byte[NumberFormatter.MaxLength];
        int written = NumberFormatter.Format(value, buffer);
        return Encoding.ASCII.GetString(buffer[..written]);
    }

    // Every case of the conformance file strconv.luau.
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(1.0, "1")]
    [InlineData(42.0, "42")]
    [InlineData(-4294967296.0, "-4294967296")]
    [InlineData(9007199254740991.0, "9007199254740991")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.17, "-0.17")]
    [InlineData(Math.PI, "3.141592653589793")]
    [InlineData(1e+30, "1e+30")]
    [InlineData(-1e+24, "-1e+24")]
    [InlineData(5.4536123983019448e-311, "5.453612398302e-311")]
    [InlineData(5.4834368411298348e-311, "5.48343684113e-311")]
    [InlineData(4.4154895841930002e-305, "4.415489584193e-305")]
    [InlineData(1125968630513728.0, "1125968630513728")]
    [InlineData(3.3951932655938423e-313, "3.3951932656e-313")]
    [InlineData(1.625, "1.625")]
    [InlineData(4.9406564584124654e-324, "5e-324")]
    [InlineData(2.0049288280105384, "2.0049288280105384")]
    [InlineData(3.0517578125e-05, "0.000030517578125")]
    [InlineData(1.383544921875, "1.383544921875")]
    [InlineData(3.0053350932691001, "3.0053350932691")]
    [InlineData(0.0001373291015625, "0.0001373291015625")]
    [InlineData(-1.9490628022799998e+289, "-1.94906280228e+289")]
    [InlineData(-0.00610404721867928, "-0.00610404721867928")]
    [InlineData(0.00014495849609375, "0.00014495849609375")]
    [InlineData(0.453125, "0.453125")]
    [InlineData(-4.2375343999999997e+73, "-4.2375344e+73")]
    [InlineData(1.3202313930270133e-192, "1.3202313930270133e-192")]
    [InlineData(3.6984408976312836e+19, "36984408976312840000")]
    [InlineData(2.0563000527063302, "2.05630005270633")]
    [InlineData(4.8970527433648997e-260, "4.8970527433649e-260")]
    [InlineData(1.62890625, "1.62890625")]
    [InlineData(1.1295093211933533e+65, "1.1295093211933533e+65")]
    public void StrconvConformanceCases(double value, string expected) => Assert.Equal(expected, Format(value));

    // Where fixed notation stops on either side, and values around the precision limits.
    [Theory]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(123456789012345678901.0, "123456789012345680000")]
    [InlineData(1e-5, "0.00001")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(-0.000001234, "-0.000001234")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(9007199254740994.0, "9007199254740994")]
    [InlineData(9223372036854775808.0, "9223372036854776000")]
    [InlineData(18446744073709551616.0, "18446744073709552000")]
    [InlineData(12345678901234567890.0, "12345678901234567000")]
    [InlineData(-1180591620717411303424.0, "-1.1805916207174113e+21")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e17, "100000000000000000")]
    [InlineData(1e100, "1e+100")]
    [InlineData(1e-100, "1e-100")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(2.2250738585072014e-308, "2.2250738585072014e-308")]
    [InlineData(2.225073858507201e-308, "2.225073858507201e-308")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(2.0 / 3, "0.6666666666666666")]
    [InlineData(123.456, "123.456")]
    [InlineData(100.0, "100")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(4031075525252832256.0, "4031075525252832000")] // rounding boundary that is itself a short decimal
    public void NotationAndPrecisionBoundaries(double value, string expected) => Assert.Equal(expected, Format(value));

    [Fact]
    public void EveryNaNPrintsAsNan()
    {
        Assert.Equal("nan", Format(double.NaN));
        Assert.Equal("nan", Format(-double.NaN));
        Assert.Equal("nan", Format(BitConverter.UInt64BitsToDouble(0x7FF0_0000_0000_0001)));
        Assert.Equal("nan", Format(BitConverter.UInt64BitsToDouble(0xFFFF_FFFF_FFFF_FFFF)));
    }

    [Fact]
    public void OutputReadsBackAsTheSameDouble()
    {
        // A fixed-seed sweep over random bit patterns: the text must parse back to the exact value and never
        // exceed MaxLength.
        var random = new Random(20240611);
        Span<byte> buffer = stackalloc byte[64];
        for (int i = 0; i < 20000; i++)
        {
            double value = BitConverter.Int64BitsToDouble(random.NextInt64() ^ ((long)random.Next(2) << 63));
            if (!double.IsFinite(value))
                continue;
            int written = NumberFormatter.Format(value, buffer);
            Assert.InRange(written, 1, NumberFormatter.MaxLength);
            Assert.True(NumberParser.TryParse(buffer[..written], out double back));
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(back));
        }
    }

    [Fact]
    public void ShortestDigitsAreShortest()
    {
        // Dropping the last digit of the result (rounding either way) must no longer round-trip.
        var random = new Random(7);
        for (int i = 0; i < 5000; i++)
        {
            double value = Math.Abs(BitConverter.Int64BitsToDouble(random.NextInt64()));
            if (!double.IsFinite(value) || value == 0)
                continue;
            ulong bits = BitConverter.DoubleToUInt64Bits(value);
            ulong digits = NumberFormatter.ShortestDigits((int)(bits >> 52), bits & ((1UL << 52) - 1), out int exponent10);
            while (digits % 10 == 0)
            {
                digits /= 10;
                exponent10++;
            }
            if (digits < 10)
                continue;
            foreach (ulong shorter in new[] { digits / 10, digits / 10 + 1 })
            {
                double candidate = double.Parse($"{shorter}e{exponent10 + 1}", System.Globalization.CultureInfo.InvariantCulture);
                Assert.NotEqual(value, candidate);
            }
        }
    }

    [Fact]
    public void PowerTableMatchesExactArithmetic()
    {
        ReadOnlySpan<ulong> entries = NumberFormatter.Pow10Table;
        Assert.Equal(2 * (324 + 292 + 1), entries.Length);
        for (int e = -292; e <= 324; e++)
        {
            BigInteger numerator = e >= 0 ? BigInteger.Pow(10, e) : BigInteger.One;
            BigInteger denominator = e >= 0 ? BigInteger.One : BigInteger.Pow(10, -e);
            // Scale by 2^shift so that the quotient lies in [2^127, 2^128).
            int shift = 127 - (int)(numerator.GetBitLength() - denominator.GetBitLength());
            BigInteger quotient = Divide(numerator, denominator, shift, out bool exact);
            if (quotient >= BigInteger.One << 128)
                quotient = Divide(numerator, denominator, --shift, out exact);
            else if (quotient < BigInteger.One << 127)
                quotient = Divide(numerator, denominator, ++shift, out exact);
            BigInteger expected = exact ? quotient : quotient + 1;
            int index = 2 * (e + 292);
            BigInteger actual = ((BigInteger)entries[index] << 64) | entries[index + 1];
            Assert.True(expected == actual, $"10^{e}");
        }
    }

    private static BigInteger Divide(BigInteger numerator, BigInteger denominator, int shift, out bool exact)
    {
        if (shift >= 0)
            numerator <<= shift;
        else
            denominator <<= -shift;
        var quotient = BigInteger.DivRem(numerator, denominator, out BigInteger remainder);
        exact = remainder.IsZero;
        return quotient;
    }

    [Fact]
    public void FormatDoesNotAllocate()
    {
        Span<byte> buffer = stackalloc byte[NumberFormatter.MaxLength];
        double[] values = [0.1, 123456789, 1e300, -5e-324, double.NaN, 3.6984408976312836e+19, 1e-7];
        NumberFormatter.Format(1.5, buffer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int round = 0; round < 100; round++)
        {
            foreach (double value in values)
                total += NumberFormatter.Format(value, buffer);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(total > 0);
    }

    [Fact]
    public void ConveniencesAgreeWithFormat()
    {
        Assert.Equal("1e+30"u8.ToArray(), NumberFormatter.FormatToArray(1e30));
        Assert.Equal("-0.5", NumberFormatter.FormatToString(-0.5));
        using var builder = new ByteBuilder();
        builder.Append((byte)'[');
        NumberFormatter.Append(builder, 2.5);
        builder.Append((byte)']');
        Assert.Equal("[2.5]"u8.ToArray(), builder.ToArray());
    }

    [Fact]
    public void SmallDestinationIsRejected()
    {
        byte[] tooSmall = new byte[NumberFormatter.MaxLength - 1];
        Assert.Throws<ArgumentException>(() => NumberFormatter.Format(1, tooSmall));
    }
}
