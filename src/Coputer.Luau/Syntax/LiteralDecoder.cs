using System.Globalization;

namespace Coputer.Luau.Syntax;

/// <summary>The outcome of converting a numeric literal.</summary>
internal enum NumberParseStatus
{
    Ok,
    Malformed,

    /// <summary>An integer literal (<c>123i</c>) that does not fit in 64 bits.</summary>
    Overflow,
}

/// <summary>
/// Turns the raw text of literal tokens into values: string escapes, long-string newlines and numbers, with the
/// reference implementation's rules (for example hexadecimal literals are unsigned 64-bit and saturate).
/// </summary>
internal static class LiteralDecoder
{
    /// <summary>Decodes the escapes of a quoted or interpolated string section. False when an escape is malformed.</summary>
    public static bool TryDecodeQuoted(ReadOnlySpan<byte> raw, out byte[] value)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            value = raw.ToArray();
            return true;
        }

        // Escapes only ever shrink the text (a \u{...} escape is at least as long as its UTF-8 encoding).
        byte[] buffer = new byte[raw.Length];
        int write = 0;
        int i = 0;
        while (i < raw.Length)
        {
            byte c = raw[i];
            if (c != '\\')
            {
                buffer[write++] = c;
                i++;
                continue;
            }

            if (i + 1 == raw.Length)
            {
                value = [];
                return false;
            }

            byte escape = raw[i + 1];
            i += 2;
            switch (escape)
            {
                case (byte)'\n':
                    buffer[write++] = (byte)'\n';
                    break;

                case (byte)'\r':
                    buffer[write++] = (byte)'\n';
                    if (i < raw.Length && raw[i] == '\n')
                        i++;
                    break;

                case 0:
                    value = [];
                    return false;

                case (byte)'x':
                    {
                        if (i + 2 > raw.Length || !IsHex(raw[i]) || !IsHex(raw[i + 1]))
                        {
                            value = [];
                            return false;
                        }
                        buffer[write++] = (byte)(HexValue(raw[i]) * 16 + HexValue(raw[i + 1]));
                        i += 2;
                        break;
                    }

                case (byte)'z':
                    while (i < raw.Length && IsSpace(raw[i]))
                        i++;
                    break;

                case (byte)'u':
                    {
                        if (i + 3 > raw.Length || raw[i] != '{' || raw[i + 1] == '}')
                        {
                            value = [];
                            return false;
                        }
                        i++;

                        // At most 16 digits are read; like the reference, the value wraps at 32 bits on the way.
                        uint code = 0;
                        int digits = 0;
                        while (true)
                        {
                            if (i == raw.Length)
                            {
                                value = [];
                                return false;
                            }
                            byte d = raw[i];
                            if (d == '}' || digits == 16)
                                break;
                            if (!IsHex(d))
                            {
                                value = [];
                                return false;
                            }
                            code = unchecked(code * 16 + (uint)HexValue(d));
                            digits++;
                            i++;
                        }
                        if (raw[i] != '}')
                        {
                            value = [];
                            return false;
                        }
                        i++;

                        int size = EncodeUtf8(buffer.AsSpan(write), code);
                        if (size == 0)
                        {
                            value = [];
                            return false;
                        }
                        write += size;
                        break;
                    }

                default:
                    if (IsDigit(escape))
                    {
                        int code = escape - '0';
                        for (int n = 0; n < 2 && i < raw.Length && IsDigit(raw[i]); n++, i++)
                            code = code * 10 + (raw[i] - '0');
                        if (code > 255)
                        {
                            value = [];
                            return false;
                        }
                        buffer[write++] = (byte)code;
                    }
                    else
                    {
                        buffer[write++] = SimpleEscape(escape);
                    }
                    break;
            }
        }

        value = buffer.AsSpan(0, write).ToArray();
        return true;
    }

    /// <summary>The value of a long-bracket string: the first newline is dropped and CR LF becomes LF.</summary>
    public static byte[] DecodeLong(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > 0 && raw[0] == '\n')
            raw = raw[1..];
        else if (raw.Length > 1 && raw[0] == '\r' && raw[1] == '\n')
            raw = raw[2..];

        if (raw.IndexOf((byte)'\r') < 0)
            return raw.ToArray();

        byte[] buffer = new byte[raw.Length];
        int write = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\r' && i + 1 < raw.Length && raw[i + 1] == '\n')
            {
                buffer[write++] = (byte)'\n';
                i++;
            }
            else
            {
                buffer[write++] = raw[i];
            }
        }
        return buffer.AsSpan(0, write).ToArray();
    }

    /// <summary>
    /// Converts a number token (underscores already removed) to a double: decimal with optional fraction and
    /// exponent, <c>0x</c> hexadecimal or <c>0b</c> binary. Hexadecimal and binary digits form an unsigned 64-bit
    /// value that saturates at 2^64-1 instead of failing.
    /// </summary>
    public static NumberParseStatus ParseNumber(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.Length > 2 && text[0] == '0' && (text[1] | 0x20) == 'b')
        {
            ReadOnlySpan<byte> digits = text[2..];
            // A second prefix ("0b0b1") is malformed rather than accepted by a lenient C library.
            if (digits.Length >= 2 && digits[0] == '0' && (digits[1] | 0x20) == 'b')
                return NumberParseStatus.Malformed;
            if (!TryParseUnsigned(digits, 2, out ulong bits, out int used, out _) || used != digits.Length)
                return NumberParseStatus.Malformed;
            value = bits;
            return NumberParseStatus.Ok;
        }

        if (text.Length > 2 && text[0] == '0' && (text[1] | 0x20) == 'x')
        {
            ReadOnlySpan<byte> digits = text[2..];
            if (!TryParseUnsigned(digits, 16, out ulong bits, out int used, out _) || used != digits.Length)
                return NumberParseStatus.Malformed;
            value = bits;
            return NumberParseStatus.Ok;
        }

        return ParseDecimal(text, out value);
    }

    /// <summary>Converts an integer literal such as <c>123i</c>, <c>0xFFi</c> or <c>0b101i</c> (underscores removed, the 'i' included).</summary>
    public static NumberParseStatus ParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text[^1] != 'i')
            return NumberParseStatus.Malformed;
        ReadOnlySpan<byte> body = text[..^1];

        if (body.Length >= 2 && body[0] == '0' && (body[1] | 0x20) == 'x')
        {
            ReadOnlySpan<byte> digits = body[2..];
            if (!TryParseUnsigned(digits, 16, out ulong bits, out int used, out bool overflow) || used != digits.Length)
                return NumberParseStatus.Malformed;
            if (overflow)
                return NumberParseStatus.Overflow;
            value = unchecked((long)bits);
            return NumberParseStatus.Ok;
        }

        if (body.Length >= 2 && body[0] == '0' && (body[1] | 0x20) == 'b')
        {
            ReadOnlySpan<byte> digits = body[2..];
            if (digits.Length >= 2 && digits[0] == '0' && (digits[1] | 0x20) == 'b')
                return NumberParseStatus.Malformed;
            if (!TryParseUnsigned(digits, 2, out ulong bits, out int used, out bool overflow) || used != digits.Length)
                return NumberParseStatus.Malformed;
            if (overflow)
                return NumberParseStatus.Overflow;
            value = unchecked((long)bits);
            return NumberParseStatus.Ok;
        }

        if (!TryParseUnsigned(body, 10, out ulong magnitude, out int count, out bool decimalOverflow) || count != body.Length)
            return NumberParseStatus.Malformed;
        if (decimalOverflow || magnitude > long.MaxValue)
            return NumberParseStatus.Overflow;
        value = (long)magnitude;
        return NumberParseStatus.Ok;
    }

    /// <summary>
    /// Reads the leading digits of <paramref name="text"/> in the given base. False when there are none.
    /// On overflow the result saturates at <see cref="ulong.MaxValue"/> and <paramref name="overflow"/> is set.
    /// </summary>
    private static bool TryParseUnsigned(ReadOnlySpan<byte> text, int radix, out ulong result, out int used, out bool overflow)
    {
        result = 0;
        overflow = false;
        used = 0;
        while (used < text.Length)
        {
            int d = DigitValue(text[used]);
            if (d >= radix)
                break;
            if (!overflow)
            {
                if (result > (ulong.MaxValue - (ulong)d) / (ulong)radix)
                {
                    overflow = true;
                    result = ulong.MaxValue;
                }
                else
                {
                    result = result * (ulong)radix + (ulong)d;
                }
            }
            used++;
        }
        return used > 0;
    }

    private static NumberParseStatus ParseDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;

        // Fast path: up to 15 digits and nothing else is an integer that a double holds exactly.
        if (text.Length <= 15)
        {
            long integer = 0;
            int digits = 0;
            while (digits < text.Length && IsDigit(text[digits]))
                integer = integer * 10 + (text[digits++] - '0');
            if (digits == text.Length && digits > 0)
            {
                value = integer;
                return NumberParseStatus.Ok;
            }
        }

        // digits [ '.' digits ] [ ('e'|'E') [sign] digits ], with at least one mantissa digit.
        int i = 0;
        int mantissaDigits = 0;
        while (i < text.Length && IsDigit(text[i]))
        {
            i++;
            mantissaDigits++;
        }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && IsDigit(text[i]))
            {
                i++;
                mantissaDigits++;
            }
        }
        if (mantissaDigits == 0)
            return NumberParseStatus.Malformed;
        if (i < text.Length && (text[i] | 0x20) == 'e')
        {
            i++;
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
                i++;
            int exponentDigits = 0;
            while (i < text.Length && IsDigit(text[i]))
            {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0)
                return NumberParseStatus.Malformed;
        }
        if (i != text.Length)
            return NumberParseStatus.Malformed;

        // The text is plain ASCII, so it can be handed to the (correctly rounding) .NET parser directly.
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
            return NumberParseStatus.Malformed;
        return NumberParseStatus.Ok;
    }

    /// <summary>Writes the UTF-8 encoding of <paramref name="code"/>; returns 0 above U+10FFFF. Surrogates are encoded as is.</summary>
    private static int EncodeUtf8(Span<byte> output, uint code)
    {
        if (code < 0x80)
        {
            output[0] = (byte)code;
            return 1;
        }
        if (code < 0x800)
        {
            output[0] = (byte)(0xC0 | (code >> 6));
            output[1] = (byte)(0x80 | (code & 0x3F));
            return 2;
        }
        if (code < 0x10000)
        {
            output[0] = (byte)(0xE0 | (code >> 12));
            output[1] = (byte)(0x80 | ((code >> 6) & 0x3F));
            output[2] = (byte)(0x80 | (code & 0x3F));
            return 3;
        }
        if (code < 0x110000)
        {
            output[0] = (byte)(0xF0 | (code >> 18));
            output[1] = (byte)(0x80 | ((code >> 12) & 0x3F));
            output[2] = (byte)(0x80 | ((code >> 6) & 0x3F));
            output[3] = (byte)(0x80 | (code & 0x3F));
            return 4;
        }
        return 0;
    }

    private static byte SimpleEscape(byte c) => c switch
    {
        (byte)'a' => 7,
        (byte)'b' => 8,
        (byte)'f' => 12,
        (byte)'n' => 10,
        (byte)'r' => 13,
        (byte)'t' => 9,
        (byte)'v' => 11,
        _ => c,
    };

    private static bool IsDigit(byte c) => (uint)(c - '0') < 10;

    private static bool IsHex(byte c) => IsDigit(c) || (uint)((c | 0x20) - 'a') < 6;

    private static int HexValue(byte c) => IsDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;

    private static int DigitValue(byte c)
    {
        if (IsDigit(c))
            return c - '0';
        int lower = c | 0x20;
        if (lower >= 'a' && lower <= 'z')
            return lower - 'a' + 10;
        return 99;
    }

    private static bool IsSpace(byte c) => c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
