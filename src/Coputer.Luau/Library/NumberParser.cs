using System.Globalization;
using System.Runtime.CompilerServices;

namespace Coputer.Luau.Library;

/// <summary>
/// Converts Luau strings to numbers the way <c>tonumber</c> and the arithmetic string coercion of the reference
/// do (<c>luaO_str2d</c> over C's <c>strtod</c>, and <c>strtoull</c> for <c>tonumber(s, base)</c>).
/// </summary>
/// <remarks>
/// The reference hands the string to C as a NUL-terminated string, so everything from the first zero byte on is
/// ignored (<c>"1\0junk"</c> is 1). Leading and trailing C-locale whitespace (space, \t, \n, \v, \f, \r) is
/// allowed. Accepted forms: decimal with optional fraction and exponent (correctly rounded; overflow gives
/// ±inf and underflow ±0), hexadecimal <c>0x</c> numbers with optional fraction and binary exponent <c>p</c>
/// (any number of digits, correctly rounded, not limited to 64 bits), and, as C's <c>strtod</c> accepts them,
/// <c>inf</c>, <c>infinity</c> and <c>nan</c> or <c>nan(chars)</c> in any letter case. There is no <c>0b</c>
/// form and no <c>_</c> separator: those belong to the lexer, not to this conversion.
/// <para>Decimal conversion takes up to 19 significant digits exactly; short numbers are finished with one exact
/// double operation, longer ones by a 128-bit multiplication with the formatter's powers of ten, and the rare
/// inputs these cannot decide (more than 19 digits, exact ties, subnormal or huge results) go to the runtime's
/// correctly rounded parser.</para>
/// </remarks>
internal static class NumberParser
{
    /// <summary>
    /// Parses <paramref name="text"/> as <c>tonumber(text)</c> would; returns false when it is not a number.
    /// Does not allocate.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        text = UpToNul(text);
        int position = SkipSpace(text, 0);
        int numberStart = position;

        bool negative = false;
        if (position < text.Length && (text[position] == '+' || text[position] == '-'))
        {
            negative = text[position] == '-';
            position++;
        }

        double magnitude;
        if (position + 1 < text.Length && text[position] == '0' && (text[position + 1] | 0x20) == 'x')
        {
            if (!TryParseHexFloat(text, ref position, out magnitude))
                return Fail(out value);
        }
        else if (position < text.Length && IsDigitOrPoint(text[position]))
        {
            if (!TryParseDecimal(text, numberStart, ref position, negative, out value))
                return false;
            return SkipSpace(text, position) == text.Length || Fail(out value);
        }
        else if (!TryParseSpecial(text, ref position, out magnitude))
        {
            return Fail(out value);
        }

        if (SkipSpace(text, position) != text.Length)
            return Fail(out value);
        value = negative ? -magnitude : magnitude;
        return true;
    }

    /// <summary>
    /// Parses <paramref name="text"/> as <c>tonumber(text, radix)</c> would: for radix 10 the same as
    /// <see cref="TryParse"/>, otherwise an unsigned 64-bit integer in that radix (C's <c>strtoull</c>:
    /// whitespace around it, an optional sign where <c>-</c> negates modulo 2^64, an optional <c>0x</c> prefix in
    /// radix 16, saturation at 2^64-1 on overflow), converted to the nearest double.
    /// </summary>
    /// <exception cref="LibraryArgumentError">The radix is outside 2..36: argument 2, "base out of range".</exception>
    public static bool TryParseInBase(ReadOnlySpan<byte> text, int radix, out double value)
    {
        if (radix == 10)
            return TryParse(text, out value);
        if (radix < 2 || radix > 36)
            throw new LibraryArgumentError(2, "base out of range");

        text = UpToNul(text);
        int position = SkipSpace(text, 0);
        bool negative = false;
        if (position < text.Length && (text[position] == '+' || text[position] == '-'))
        {
            negative = text[position] == '-';
            position++;
        }
        // A "0x" prefix is skipped in radix 16 only when a hex digit follows; otherwise strtoull stops after the
        // 0 and the "x" makes the whole string invalid, which the digit loop below reproduces.
        if (radix == 16 && position + 2 < text.Length && text[position] == '0' && (text[position + 1] | 0x20) == 'x'
            && DigitValue(text[position + 2]) < 16)
        {
            position += 2;
        }

        int digitsStart = position;
        ulong result = 0;
        bool overflow = false;
        while (position < text.Length)
        {
            int digit = DigitValue(text[position]);
            if (digit >= radix)
                break;
            ulong high = Math.BigMul(result, (ulong)radix, out ulong low);
            ulong sum = low + (ulong)digit;
            if (high != 0 || sum < low)
                overflow = true;
            result = sum;
            position++;
        }
        if (position == digitsStart || SkipSpace(text, position) != text.Length)
            return Fail(out value);

        if (overflow)
            result = ulong.MaxValue;
        else if (negative)
            result = 0 - result;
        value = result;
        return true;
    }

    private static bool Fail(out double value)
    {
        value = 0;
        return false;
    }

    private static ReadOnlySpan<byte> UpToNul(ReadOnlySpan<byte> text)
    {
        int nul = text.IndexOf((byte)0);
        return nul < 0 ? text : text[..nul];
    }

    /// <summary>C <c>isspace</c> in the C locale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsSpace(byte b) => b == ' ' || (uint)(b - '\t') <= '\r' - '\t';

    private static int SkipSpace(ReadOnlySpan<byte> text, int position)
    {
        while (position < text.Length && IsSpace(text[position]))
            position++;
        return position;
    }

    private static bool IsDigitOrPoint(byte b) => (uint)(b - '0') <= 9 || b == '.';

    /// <summary>The value of an ASCII digit or letter (a/A = 10 ... z/Z = 35), or 99 for anything else.</summary>
    private static int DigitValue(byte b)
    {
        if ((uint)(b - '0') <= 9)
            return b - '0';
        int letter = (b | 0x20) - 'a';
        return (uint)letter < 26 ? letter + 10 : 99;
    }

    // Exponents beyond this are clamped: they already overflow or underflow any double.
    private const int ExponentClamp = 100_000;

    /// <summary>
    /// Parses decimal digits with an optional fraction and exponent, starting at <paramref name="position"/>
    /// (after the sign, which starts at <paramref name="numberStart"/>).
    /// </summary>
    private static bool TryParseDecimal(ReadOnlySpan<byte> text, int numberStart, ref int position, bool negative, out double value)
    {
        // Up to 19 significant digits are kept exactly; the exponent counts the dropped ones.
        ulong mantissa = 0;
        int significantDigits = 0;
        int exponent = 0;
        bool inexact = false;
        bool anyDigit = false;

        while (position < text.Length && (uint)(text[position] - '0') <= 9)
        {
            int digit = text[position++] - '0';
            anyDigit = true;
            if (significantDigits < 19)
            {
                if (mantissa != 0 || digit != 0)
                {
                    mantissa = mantissa * 10 + (ulong)digit;
                    significantDigits++;
                }
            }
            else
            {
                exponent++;
                inexact |= digit != 0;
            }
        }

        if (position < text.Length && text[position] == '.')
        {
            position++;
            while (position < text.Length && (uint)(text[position] - '0') <= 9)
            {
                int digit = text[position++] - '0';
                anyDigit = true;
                if (significantDigits < 19)
                {
                    if (mantissa != 0 || digit != 0)
                    {
                        mantissa = mantissa * 10 + (ulong)digit;
                        significantDigits++;
                    }
                    exponent--;
                }
                else
                {
                    inexact |= digit != 0;
                }
            }
        }

        if (!anyDigit)
            return Fail(out value);

        if (position < text.Length && (text[position] | 0x20) == 'e')
        {
            position++;
            bool exponentNegative = false;
            if (position < text.Length && (text[position] == '+' || text[position] == '-'))
            {
                exponentNegative = text[position] == '-';
                position++;
            }
            int exponentStart = position;
            int written = 0;
            while (position < text.Length && (uint)(text[position] - '0') <= 9)
            {
                written = Math.Min(written * 10 + (text[position++] - '0'), ExponentClamp);
            }
            if (position == exponentStart)
                return Fail(out value);
            exponent += exponentNegative ? -written : written;
        }

        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }

        // Exact operands and a single correctly rounded operation give the correctly rounded result.
        if (!inexact && mantissa <= (1UL << 53) && exponent >= -22 && exponent <= 22)
        {
            double m = mantissa;
            double result = exponent >= 0 ? m * PowersOf10[exponent] : m / PowersOf10[-exponent];
            value = negative ? -result : result;
            return true;
        }

        if (!inexact && TryScaleByPowerOf10(mantissa, exponent, out double scaled))
        {
            value = negative ? -scaled : scaled;
            return true;
        }

        // Otherwise let the runtime's correctly rounded parser handle the validated text.
        return double.TryParse(text[numberStart..position], NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// mantissa * 10^exponent (mantissa nonzero) correctly rounded, using the formatter's 128-bit powers of ten; false when the
    /// result is not a normal double or lies too close to a rounding boundary to decide (the caller then uses
    /// an exact method).
    /// </summary>
    /// <remarks>
    /// The table entry g is 10^exponent * 2^s rounded up by less than one unit, so the 192-bit product
    /// P' = m * g (m normalised to 64 bits) exceeds the exact product by less than m &lt; 2^64. The top 53 bits of
    /// P' are the candidate significand; the bits below decide the rounding. When they are clearly below half,
    /// or clearly above half plus 2^64, the exact product rounds the same way; in the thin band between (which
    /// includes exact ties) the answer is left to the slow path.
    /// </remarks>
    internal static bool TryScaleByPowerOf10(ulong mantissa, int exponent, out double value)
    {
        value = 0;
        if (mantissa == 0 || exponent < NumberFormatter.Pow10TableMin || exponent > NumberFormatter.Pow10TableMax)
            return false;

        int leadingZeros = System.Numerics.BitOperations.LeadingZeroCount(mantissa);
        ulong m = mantissa << leadingZeros;
        int index = 2 * (exponent - NumberFormatter.Pow10TableMin);
        ulong gHigh = NumberFormatter.Pow10Table[index];
        ulong gLow = NumberFormatter.Pow10Table[index + 1];

        ulong lowHigh = Math.BigMul(m, gLow, out _);
        ulong top = Math.BigMul(m, gHigh, out ulong middle);
        middle += lowHigh;
        if (middle < lowHigh)
            top++;

        // P' lies in [2^190, 2^192); keep 53 bits from its leading one.
        int shift = (top >> 63) != 0 ? 11 : 10;
        ulong significand = top >> shift;
        ulong remainder = top & ((1UL << shift) - 1);
        ulong half = 1UL << (shift - 1);
        bool roundUp;
        if (remainder < half)
            roundUp = false;
        else if (remainder > half || middle > 1)
            roundUp = true;
        else
            return false;

        if (roundUp)
        {
            significand++;
            if (significand == 1UL << 53)
            {
                significand >>= 1;
                shift++;
            }
        }

        // g = 10^exponent * 2^(127 - floor(log2(10^exponent))), so the value is
        // significand * 2^(shift + 128 - 127 + floor(log2(10^exponent)) - leadingZeros).
        const int Log2Of10 = 3483294; // floor(2^20 * log2(10)), exact enough over the table's range
        int floorLog2 = (exponent * Log2Of10) >> 20;
        int binaryExponent = shift + 1 + floorLog2 - leadingZeros;
        int biased = binaryExponent + 52 + 1023;
        if (biased <= 0 || biased >= 0x7FF)
            return false;
        value = BitConverter.UInt64BitsToDouble(((ulong)biased << 52) | (significand & ((1UL << 52) - 1)));
        return true;
    }

    private static ReadOnlySpan<double> PowersOf10 =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Parses a hexadecimal number at <paramref name="position"/> (which is at "0x"): hex digits with an optional
    /// fraction (at least one digit in all) and an optional binary exponent <c>p[sign]digits</c>.
    /// </summary>
    private static bool TryParseHexFloat(ReadOnlySpan<byte> text, ref int position, out double value)
    {
        position += 2;
        // The first 64 bits of digits are kept; later nonzero digits only make the value inexact (sticky).
        ulong mantissa = 0;
        long binaryExponent = 0;
        bool sticky = false;
        bool anyDigit = false;
        bool seenPoint = false;

        while (position < text.Length)
        {
            byte b = text[position];
            if (b == '.' && !seenPoint)
            {
                seenPoint = true;
                position++;
                continue;
            }
            int digit = DigitValue(b);
            if (digit >= 16)
                break;
            position++;
            anyDigit = true;
            if (mantissa >> 60 == 0)
            {
                mantissa = (mantissa << 4) | (uint)digit;
                if (seenPoint)
                    binaryExponent -= 4;
            }
            else
            {
                sticky |= digit != 0;
                if (!seenPoint)
                    binaryExponent += 4;
            }
        }
        if (!anyDigit)
            return Fail(out value);

        if (position < text.Length && (text[position] | 0x20) == 'p')
        {
            position++;
            bool exponentNegative = false;
            if (position < text.Length && (text[position] == '+' || text[position] == '-'))
            {
                exponentNegative = text[position] == '-';
                position++;
            }
            int exponentStart = position;
            int written = 0;
            while (position < text.Length && (uint)(text[position] - '0') <= 9)
                written = Math.Min(written * 10 + (text[position++] - '0'), ExponentClamp);
            if (position == exponentStart)
                return Fail(out value);
            binaryExponent += exponentNegative ? -written : written;
        }

        value = ScaleBinary(mantissa, sticky, binaryExponent);
        return true;
    }

    /// <summary>
    /// The double nearest to (mantissa + a bit of <paramref name="sticky"/>) * 2^exponent, ties to even,
    /// with gradual underflow and overflow to infinity.
    /// </summary>
    internal static double ScaleBinary(ulong mantissa, bool sticky, long exponent)
    {
        if (mantissa == 0)
            return 0.0;

        // Normalise so that bit 63 is the leading one: the value is 1.f * 2^(exponent + 63).
        int leadingZeros = System.Numerics.BitOperations.LeadingZeroCount(mantissa);
        mantissa <<= leadingZeros;
        long unbiased = exponent + 63 - leadingZeros;
        if (unbiased > 1023)
            return double.PositiveInfinity;

        // Number of low bits to drop to keep 53 significant bits, more for subnormals.
        long drop = 11;
        if (unbiased < -1022)
            drop += -1022 - unbiased;
        if (drop > 64)
            return 0.0; // below half of the smallest subnormal

        ulong kept = drop == 64 ? 0 : mantissa >> (int)drop;
        ulong rest = drop == 64 ? mantissa : mantissa << (int)(64 - drop);
        bool above = rest > 0x8000_0000_0000_0000UL || (rest == 0x8000_0000_0000_0000UL && sticky);
        bool tie = rest == 0x8000_0000_0000_0000UL && !sticky;
        if (above || (tie && (kept & 1) != 0))
            kept++;

        if (unbiased < -1022)
        {
            // Subnormal (or rounded up to the smallest normal, which the bit layout handles by itself).
            return BitConverter.UInt64BitsToDouble(kept);
        }

        if (kept == 1UL << 53)
        {
            kept >>= 1;
            unbiased++;
            if (unbiased > 1023)
                return double.PositiveInfinity;
        }
        ulong bits = ((ulong)(unbiased + 1023) << 52) | (kept & ((1UL << 52) - 1));
        return BitConverter.UInt64BitsToDouble(bits);
    }

    /// <summary>
    /// Parses <c>inf</c>, <c>infinity</c>, <c>nan</c> or <c>nan(chars)</c> (any letter case) as C's <c>strtod</c>
    /// does; a payload that reads fully as a C integer (decimal, 0x hex or 0 octal) goes into the NaN's low bits.
    /// </summary>
    private static bool TryParseSpecial(ReadOnlySpan<byte> text, ref int position, out double value)
    {
        ReadOnlySpan<byte> rest = text[position..];
        if (StartsWithIgnoringCase(rest, "inf"u8))
        {
            position += StartsWithIgnoringCase(rest, "infinity"u8) ? 8 : 3;
            value = double.PositiveInfinity;
            return true;
        }
        if (!StartsWithIgnoringCase(rest, "nan"u8))
            return Fail(out value);

        position += 3;
        ulong bits = 0x7FF8_0000_0000_0000UL;
        if (position < text.Length && text[position] == '(')
        {
            int end = position + 1;
            while (end < text.Length && (DigitValue(text[end]) < 36 || text[end] == '_'))
                end++;
            if (end < text.Length && text[end] == ')')
            {
                if (TryParseCInteger(text[(position + 1)..end], out ulong payload))
                    bits |= payload & ((1UL << 51) - 1);
                position = end + 1;
            }
        }
        value = BitConverter.UInt64BitsToDouble(bits);
        return true;
    }

    /// <summary>A whole span as C's <c>strtoull(s, &amp;end, 0)</c> would read it (saturating); false unless every byte is used.</summary>
    private static bool TryParseCInteger(ReadOnlySpan<byte> digits, out ulong result)
    {
        result = 0;
        int radix = 10;
        int position = 0;
        if (digits.Length >= 3 && digits[0] == '0' && (digits[1] | 0x20) == 'x' && DigitValue(digits[2]) < 16)
        {
            radix = 16;
            position = 2;
        }
        else if (digits.Length >= 1 && digits[0] == '0')
        {
            radix = 8;
        }
        if (position == digits.Length)
            return false;
        for (; position < digits.Length; position++)
        {
            int digit = DigitValue(digits[position]);
            if (digit >= radix)
                return false;
            ulong high = Math.BigMul(result, (ulong)radix, out ulong low);
            ulong sum = low + (ulong)digit;
            result = high != 0 || sum < low ? ulong.MaxValue : sum;
        }
        return true;
    }

    private static bool StartsWithIgnoringCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerCaseWord)
    {
        if (text.Length < lowerCaseWord.Length)
            return false;
        for (int i = 0; i < lowerCaseWord.Length; i++)
        {
            if ((text[i] | 0x20) != lowerCaseWord[i])
                return false;
        }
        return true;
    }
}
