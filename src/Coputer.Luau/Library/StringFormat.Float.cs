namespace Coputer.Luau.Library;

internal static partial class StringFormat
{
    // The longest body: %f of a value near 1e308 has 309 integer digits, a point and 99 fraction digits.
    private const int MaxFloatBody = 420;

    /// <summary>
    /// <c>%e %E %f %g %G</c> with C's semantics: precision 6 by default; <c>%e</c> exponents of at least two
    /// digits; <c>%g</c> choosing between the two styles by the exponent and dropping trailing zeros unless
    /// <c>#</c>; the exact decimal value rounded with ties to even; <c>inf</c>/<c>nan</c> (upper case for
    /// <c>E</c> and <c>G</c>) with the sign of the value, NaN included, and never zero-padded.
    /// </summary>
    public static void AppendFloat(ByteBuilder builder, in FormatSpec spec, double value)
    {
        bool negative = BitConverter.DoubleToInt64Bits(value) < 0;
        byte sign = negative ? (byte)'-'
            : (spec.Flags & FormatFlags.Plus) != 0 ? (byte)'+'
            : (spec.Flags & FormatFlags.Space) != 0 ? (byte)' '
            : (byte)0;
        bool upper = spec.Conversion is (byte)'E' or (byte)'G';

        if (!double.IsFinite(value))
        {
            ReadOnlySpan<byte> word = double.IsNaN(value) ? (upper ? "NAN"u8 : "nan"u8) : (upper ? "INF"u8 : "inf"u8);
            AppendFloatField(builder, spec, sign, word, zeroPadAllowed: false);
            return;
        }

        Span<byte> digits = stackalloc byte[ExactDecimal.BufferSize];
        Span<byte> body = stackalloc byte[MaxFloatBody];
        bool alternate = (spec.Flags & FormatFlags.Alternate) != 0;
        double magnitude = Math.Abs(value);
        int length;
        switch (spec.Conversion)
        {
            case (byte)'f':
                length = FixedBody(magnitude, spec.Precision < 0 ? 6 : spec.Precision, alternate, digits, body);
                break;
            case (byte)'e':
            case (byte)'E':
                {
                    int precision = spec.Precision < 0 ? 6 : spec.Precision;
                    int exponent = SignificantDigits(magnitude, precision + 1, digits);
                    length = ExponentBody(digits[..(precision + 1)], exponent, alternate, trimZeros: false, upper, body);
                    break;
                }
            default:
                length = GeneralBody(magnitude, spec.Precision, alternate, upper, digits, body);
                break;
        }
        AppendFloatField(builder, spec, sign, body[..length], zeroPadAllowed: true);
    }

    /// <summary>The first <paramref name="count"/> digits of a finite non-negative value; returns the decimal exponent.</summary>
    private static int SignificantDigits(double magnitude, int count, Span<byte> digits) =>
        SignificantDigits(magnitude, count, digits, out _);

    private static int SignificantDigits(double magnitude, int count, Span<byte> digits, out bool carried)
    {
        if (magnitude == 0)
        {
            digits[..count].Fill((byte)'0');
            carried = false;
            return 0;
        }
        carried = ExactDecimal.Significant(magnitude, count, digits, out int exponent);
        return exponent;
    }

    private static int FixedBody(double magnitude, int precision, bool alternate, Span<byte> digits, Span<byte> body)
    {
        int count = ExactDecimal.Fixed(magnitude, precision, digits, out int integerDigits);
        int length;
        if (integerDigits == 0)
        {
            body[0] = (byte)'0';
            length = 1;
        }
        else
        {
            digits[..integerDigits].CopyTo(body);
            length = integerDigits;
        }
        if (precision > 0 || alternate)
        {
            body[length++] = (byte)'.';
            digits[integerDigits..count].CopyTo(body[length..]);
            length += count - integerDigits;
        }
        return length;
    }

    /// <summary>d.ddde±XX from the given significant digits (the first one before the point).</summary>
    private static int ExponentBody(ReadOnlySpan<byte> digits, int exponent, bool alternate, bool trimZeros, bool upper, Span<byte> body)
    {
        ReadOnlySpan<byte> fraction = digits[1..];
        if (trimZeros)
            fraction = fraction.TrimEnd((byte)'0');

        body[0] = digits[0];
        int length = 1;
        if (fraction.Length > 0 || alternate)
        {
            body[length++] = (byte)'.';
            fraction.CopyTo(body[length..]);
            length += fraction.Length;
        }

        body[length++] = upper ? (byte)'E' : (byte)'e';
        body[length++] = exponent < 0 ? (byte)'-' : (byte)'+';
        int magnitude = Math.Abs(exponent);
        if (magnitude >= 100)
        {
            body[length++] = (byte)('0' + magnitude / 100);
            magnitude %= 100;
        }
        body[length++] = (byte)('0' + magnitude / 10);
        body[length++] = (byte)('0' + magnitude % 10);
        return length;
    }

    /// <summary>
    /// <c>%g</c>: with P significant digits (precision, 6 by default, at least 1) and X the exponent after
    /// rounding to them, fixed style with P-1-X decimals when -4 &lt;= X &lt; P, exponent style otherwise;
    /// trailing zeros (and a bare point) removed unless <c>#</c>.
    /// </summary>
    /// <remarks>
    /// glibc deviates from the C standard in one case, visible only with <c>#</c>: when the value would take
    /// the fixed style with no decimals (X = P-1) but rounding carries it to X = P, it prints the exponent
    /// style with no decimals either (<c>%#.3g</c> of 999.96 is <c>1.e+03</c>, not <c>1.00e+03</c>). The
    /// reference inherits that, and so does this code.
    /// </remarks>
    private static int GeneralBody(double magnitude, int precision, bool alternate, bool upper, Span<byte> digits, Span<byte> body)
    {
        int significant = precision < 0 ? 6 : precision == 0 ? 1 : precision;
        int exponent = SignificantDigits(magnitude, significant, digits, out bool carried);
        ReadOnlySpan<byte> kept = digits[..significant];

        if (exponent < -4 || exponent >= significant)
        {
            if (alternate && carried && exponent == significant)
                kept = kept[..1];
            return ExponentBody(kept, exponent, alternate, trimZeros: !alternate, upper, body);
        }

        int length;
        ReadOnlySpan<byte> fraction;
        int leadingZeros;
        if (exponent >= 0)
        {
            kept[..(exponent + 1)].CopyTo(body);
            length = exponent + 1;
            fraction = kept[(exponent + 1)..];
            leadingZeros = 0;
        }
        else
        {
            body[0] = (byte)'0';
            length = 1;
            fraction = kept;
            leadingZeros = -exponent - 1;
        }

        if (!alternate)
        {
            fraction = fraction.TrimEnd((byte)'0');
            if (fraction.IsEmpty)
                leadingZeros = 0;
        }
        if (fraction.Length + leadingZeros > 0 || alternate)
        {
            body[length++] = (byte)'.';
            body.Slice(length, leadingZeros).Fill((byte)'0');
            length += leadingZeros;
            fraction.CopyTo(body[length..]);
            length += fraction.Length;
        }
        return length;
    }

    /// <summary>Sign, zero or space padding to the width, and the body of a floating-point conversion.</summary>
    private static void AppendFloatField(ByteBuilder builder, in FormatSpec spec, byte sign, ReadOnlySpan<byte> body, bool zeroPadAllowed)
    {
        int length = body.Length + (sign != 0 ? 1 : 0);
        int padding = Math.Max(0, spec.Width - length);
        bool left = (spec.Flags & FormatFlags.LeftAlign) != 0;
        bool zeroPad = zeroPadAllowed && !left && (spec.Flags & FormatFlags.ZeroPad) != 0;

        if (!left && !zeroPad)
            builder.Append((byte)' ', padding);
        if (sign != 0)
            builder.Append(sign);
        if (zeroPad)
            builder.Append((byte)'0', padding);
        builder.Append(body);
        if (left)
            builder.Append((byte)' ', padding);
    }
}
