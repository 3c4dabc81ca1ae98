using System.Globalization;
using System.Numerics;
using System.Text;
using Coputer.Luau.Library;

namespace Coputer.Luau.Tests.Library;

public class ExactDecimalTests
{
    private static (string Digits, int IntegerDigits) Fixed(double value, int fractionDigits)
    {
        byte[] buffer = new byte[ExactDecimal.BufferSize];
        int count = ExactDecimal.Fixed(value, fractionDigits, buffer, out int integerDigits);
        return (Encoding.ASCII.GetString(buffer, 0, count), integerDigits);
    }

    private static (string Digits, int Exponent, bool Carried) Significant(double value, int count)
    {
        byte[] buffer = new byte[ExactDecimal.BufferSize];
        bool carried = ExactDecimal.Significant(value, count, buffer, out int exponent);
        return (Encoding.ASCII.GetString(buffer, 0, count), exponent, carried);
    }

    [Fact]
    public void FixedDigits()
    {
        Assert.Equal(("", 0), Fixed(0.5, 0)); // no integer digits for a zero integer part; rounds to even
        Assert.Equal(("12", 0), Fixed(0.125, 2));
        Assert.Equal(("38", 0), Fixed(0.375, 2));
        Assert.Equal(("2", 1), Fixed(2.5, 0));
        Assert.Equal(("1", 1), Fixed(0.7, 0));
        Assert.Equal(("10000", 3), Fixed(99.999, 2));
        Assert.Equal(("000", 0), Fixed(0.0, 3));
        Assert.Equal(("1000000000000000000000", 22), Fixed(1e21, 0));
        Assert.Equal(("0005", 0), Fixed(0.0005, 4));
        Assert.Equal(("001", 0), Fixed(0.0005, 3)); // 0.0005 is slightly above the tie
    }

    [Fact]
    public void SignificantDigits()
    {
        Assert.Equal(("123457", 8, false), Significant(123456789, 6));
        Assert.Equal(("100", 3, true), Significant(999.96, 3));
        Assert.Equal(("494065645841246544", -324, false), Significant(5e-324, 18));
        Assert.Equal(("1", 308, false), Significant(1e308, 1));
        Assert.Equal(("1000000000000000055511151231257827021181583404541015625", -1, false), Significant(0.1, 55));
    }

    [Fact]
    public void AgreesWithExactArithmetic()
    {
        // Random doubles against BigInteger expansions: all digits at 40 significant places, rounded half-even.
        var random = new Random(5);
        for (int i = 0; i < 300; i++)
        {
            double value = Math.Abs(BitConverter.Int64BitsToDouble(random.NextInt64()));
            if (!double.IsFinite(value) || value == 0)
                continue;
            var (digits, exponent, _) = Significant(value, 40);
            Assert.Equal(ReferenceDigits(value, 40, out int referenceExponent), digits);
            Assert.Equal(referenceExponent, exponent);
        }
    }

    /// <summary>Significant digits of a double by exact rational arithmetic (slow, obvious).</summary>
    private static string ReferenceDigits(double value, int count, out int exponent)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)(bits >> 52) & 0x7FF;
        BigInteger mantissa = bits & ((1L << 52) - 1);
        int binaryExponent = -1074;
        if (biased != 0)
        {
            mantissa += BigInteger.One << 52;
            binaryExponent = biased - 1075;
        }
        BigInteger numerator = binaryExponent >= 0 ? mantissa << binaryExponent : mantissa;
        BigInteger denominator = binaryExponent >= 0 ? BigInteger.One : BigInteger.One << -binaryExponent;
        exponent = (int)Math.Floor(Math.Log10(value));
        // Adjust the estimate so that 10^exponent <= value < 10^(exponent+1).
        while (numerator * (exponent < 0 ? BigInteger.Pow(10, -exponent) : 1) < denominator * (exponent >= 0 ? BigInteger.Pow(10, exponent) : 1))
            exponent--;
        while (numerator * (exponent + 1 < 0 ? BigInteger.Pow(10, -(exponent + 1)) : 1) >= denominator * (exponent + 1 >= 0 ? BigInteger.Pow(10, exponent + 1) : 1))
            exponent++;
        int shift = count - 1 - exponent;
        BigInteger scaledNumerator = shift >= 0 ? numerator * BigInteger.Pow(10, shift) : numerator;
        BigInteger scaledDenominator = shift >= 0 ? denominator : denominator * BigInteger.Pow(10, -shift);
        BigInteger quotient = BigInteger.DivRem(scaledNumerator, scaledDenominator, out BigInteger remainder);
        int comparison = (remainder * 2).CompareTo(scaledDenominator);
        if (comparison > 0 || (comparison == 0 && !quotient.IsEven))
            quotient++;
        string text = quotient.ToString(CultureInfo.InvariantCulture);
        if (text.Length > count)
        {
            exponent++;
            text = text[..count];
        }
        return text;
    }
}
