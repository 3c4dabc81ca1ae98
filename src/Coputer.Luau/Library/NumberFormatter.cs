using System.Runtime.CompilerServices;
using System.Text;

namespace Coputer.Luau.Library;

/// <summary>
/// Converts numbers to text the way Luau's <c>tostring</c>, <c>print</c>, concatenation and <c>%*</c> do:
/// the shortest decimal that reads back as the same double, laid out in fixed notation when the decimal point
/// falls between 5 places before the first digit and 21 places after it, and as <c>d.ddde+XX</c> otherwise.
/// Integers below 2^53 print all their digits; <c>-0</c>, <c>inf</c>, <c>-inf</c> and <c>nan</c> (for every
/// NaN, whatever its sign) are spelled out.
/// </summary>
/// <remarks>
/// The shortest digits come from the Schubfach algorithm (R. Giulietti, "The Schubfach way to render doubles",
/// 2021), which needs one 128-bit power of ten per call and no allocation. It was measured against
/// <c>double.TryFormat(..., "R")</c> plus re-layout and is faster (see docs/library.md).
/// </remarks>
[SkipLocalsInit] // stack buffers are always written before they are read
internal static partial class NumberFormatter
{
    /// <summary>
    /// The longest text <see cref="Format(double, Span{byte})"/> produces: a sign, <c>0.00000</c> and 17
    /// significant digits (<c>-0.000012345678901234567</c>) is 25 bytes; scientific forms such as
    /// <c>-1.2345678901234567e-308</c> are 24.
    /// </summary>
    public const int MaxLength = 25;

    /// <summary>
    /// Writes the text of <paramref name="value"/> to <paramref name="destination"/>, which must hold at least
    /// <see cref="MaxLength"/> bytes, and returns the number of bytes written. Does not allocate.
    /// </summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (destination.Length < MaxLength)
            throw new ArgumentException($"The destination must hold at least {MaxLength} bytes.", nameof(destination));

        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        int biasedExponent = (int)(bits >> 52) & 0x7FF;
        ulong fraction = bits & FractionMask;
        bool negative = (long)bits < 0;

        if (biasedExponent == 0x7FF)
        {
            if (fraction != 0)
                return Write(destination, "nan"u8);
            return negative ? Write(destination, "-inf"u8) : Write(destination, "inf"u8);
        }

        int position = 0;
        if (negative)
            destination[position++] = (byte)'-';

        if (biasedExponent == 0 && fraction == 0)
        {
            destination[position] = (byte)'0';
            return position + 1;
        }

        ulong digits = ShortestDigits(biasedExponent, fraction, out int exponent10);
        return position + Layout(digits, exponent10, destination[position..]);
    }

    /// <summary>The text of <paramref name="value"/> as a new byte array.</summary>
    public static byte[] FormatToArray(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        return buffer[..Format(value, buffer)].ToArray();
    }

    /// <summary>The text of <paramref name="value"/> as a .NET string (for messages and the host API).</summary>
    public static string FormatToString(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(buffer[..Format(value, buffer)]);
    }

    /// <summary>Appends the text of <paramref name="value"/> to <paramref name="builder"/>.</summary>
    public static void Append(ByteBuilder builder, double value)
    {
        int written = Format(value, builder.GetAppendSpan(MaxLength));
        builder.Advance(written);
    }

    private const ulong FractionMask = (1UL << 52) - 1;

    private static int Write(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    /// <summary>
    /// The shortest decimal significand (and its power of ten) that rounds back to the positive finite
    /// double with the given biased exponent and fraction; among the shortest, the one closest to the value,
    /// ties going to an even last digit.
    /// </summary>
    internal static ulong ShortestDigits(int biasedExponent, ulong fraction, out int exponent10)
    {
        // The value is c * 2^q.
        ulong c;
        int q;
        if (biasedExponent != 0)
        {
            c = fraction | (1UL << 52);
            q = biasedExponent - 1075;
        }
        else
        {
            c = fraction;
            q = -1074;
        }

        // Integers below 2^53 are printed with all their digits, which are also their shortest form.
        if (q <= 0 && q >= -52 && (c & ((1UL << -q) - 1)) == 0)
        {
            exponent10 = 0;
            return c >> -q;
        }

        // The doubles that round to this one lie between the midpoints to its neighbours. In units of 2^(q-2)
        // those are 4c-2 and 4c+2, except that at a power of two above the smallest normal the lower neighbour
        // is twice as close (4c-1). With round-to-nearest-even the midpoints belong to the interval only when
        // c is even.
        bool irregular = fraction == 0 && biasedExponent > 1;
        ulong excludeBounds = c & 1;
        ulong lower4 = 4 * c - 2 + (irregular ? 1UL : 0);
        ulong value4 = 4 * c;
        ulong upper4 = 4 * c + 2;

        // k = floor(log10(2^q)) (of 3/4 * 2^q when irregular) and h = q + floor(log2(10^-k)) + 1, both with
        // 20-bit fixed-point logarithms that are exact over the whole double range.
        const int Log10Of2 = 315652;       // floor(2^20 * log10(2))
        const int Log10Of3Quarters = -131008; // floor(2^20 * log10(3/4))
        const int Log2Of10 = 3483294;      // floor(2^20 * log2(10))
        int k = (q * Log10Of2 + (irregular ? Log10Of3Quarters : 0)) >> 20;
        int h = q + ((-k * Log2Of10) >> 20) + 1;

        // Scale the three points by 10^-k; the products are rounded to odd, which keeps them exact enough to
        // compare against multiples of 4 (Schubfach, sections 9.3 and 9.9).
        int index = 2 * (-k - Pow10TableMin);
        ulong gHigh = Pow10Table[index];
        ulong gLow = Pow10Table[index + 1];
        ulong lower = MultiplyRoundToOdd(gHigh, gLow, lower4 << h);
        ulong scaled = MultiplyRoundToOdd(gHigh, gLow, value4 << h);
        ulong upper = MultiplyRoundToOdd(gHigh, gLow, upper4 << h);

        ulong s = scaled >> 2;
        if (s >= 10)
        {
            // Try one digit fewer: the multiples of 10 just below and above.
            ulong shorter = s / 10;
            bool belowInside = lower + excludeBounds <= 40 * shorter;
            bool aboveInside = upper >= 40 * shorter + 40 + excludeBounds;
            if (belowInside != aboveInside)
            {
                exponent10 = k + 1;
                return aboveInside ? shorter + 1 : shorter;
            }
        }

        exponent10 = k;
        bool sInside = lower + excludeBounds <= 4 * s;
        bool nextInside = 4 * s + 4 + excludeBounds <= upper;
        if (sInside != nextInside)
            return nextInside ? s + 1 : s;

        // Both candidates are inside: take the closer one, and the even one on a tie.
        ulong middle = 4 * s + 2;
        bool roundUp = scaled > middle || (scaled == middle && (s & 1) != 0);
        return roundUp ? s + 1 : s;
    }

    /// <summary>
    /// floor(g * cp / 2^128), with the lowest bit set when the quotient has a fractional part. Because g
    /// overestimates the power of ten by less than one unit, an exact product shows up with a fraction below
    /// cp / 2^128 &lt; 2^-69, while a true fraction is never that small (Schubfach, section 9.3); so only the
    /// bits from 2^-63 down are inspected and anything smaller counts as zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MultiplyRoundToOdd(ulong gHigh, ulong gLow, ulong cp)
    {
        ulong lowHigh = Math.BigMul(gLow, cp, out _);
        ulong highHigh = Math.BigMul(gHigh, cp, out ulong highLow);
        ulong middle = highLow + lowHigh;
        ulong top = highHigh + (middle < lowHigh ? 1UL : 0);
        return top | (middle > 1 ? 1UL : 0);
    }

    /// <summary>Lays out significand * 10^exponent10 (significand &gt; 0, at most 17 digits) in Luau's notation.</summary>
    private static int Layout(ulong significand, int exponent10, Span<byte> destination)
    {
        while (significand % 10 == 0)
        {
            significand /= 10;
            exponent10++;
        }

        Span<byte> digits = stackalloc byte[20];
        int digitCount = WriteDigitsRight(significand, digits);
        digits = digits[(digits.Length - digitCount)..];

        // Position of the decimal point relative to the first digit.
        int point = digitCount + exponent10;
        int position = 0;

        if (point >= -5 && point <= 21)
        {
            if (point <= 0)
            {
                destination[0] = (byte)'0';
                destination[1] = (byte)'.';
                destination.Slice(2, -point).Fill((byte)'0');
                position = 2 - point;
                digits.CopyTo(destination[position..]);
                return position + digitCount;
            }

            if (point < digitCount)
            {
                digits[..point].CopyTo(destination);
                destination[point] = (byte)'.';
                digits[point..].CopyTo(destination[(point + 1)..]);
                return digitCount + 1;
            }

            digits.CopyTo(destination);
            destination[digitCount..point].Fill((byte)'0');
            return point;
        }

        destination[position++] = digits[0];
        if (digitCount > 1)
        {
            destination[position++] = (byte)'.';
            digits[1..].CopyTo(destination[position..]);
            position += digitCount - 1;
        }

        int exponent = point - 1;
        destination[position++] = (byte)'e';
        destination[position++] = exponent < 0 ? (byte)'-' : (byte)'+';
        if (exponent < 0)
            exponent = -exponent;
        if (exponent >= 100)
        {
            destination[position++] = (byte)('0' + exponent / 100);
            exponent %= 100;
        }
        destination[position++] = (byte)('0' + exponent / 10);
        destination[position++] = (byte)('0' + exponent % 10);
        return position;
    }

    /// <summary>Writes the decimal digits of <paramref name="value"/> at the end of <paramref name="buffer"/>; returns their count.</summary>
    internal static int WriteDigitsRight(ulong value, Span<byte> buffer)
    {
        int position = buffer.Length;
        do
        {
            ulong quotient = value / 10;
            buffer[--position] = (byte)('0' + (int)(value - quotient * 10));
            value = quotient;
        }
        while (value != 0);
        return buffer.Length - position;
    }
}
