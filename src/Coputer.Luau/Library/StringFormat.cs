using System.Runtime.CompilerServices;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>Flags of a <c>string.format</c> item (<c>-+ #0</c>).</summary>
[Flags]
internal enum FormatFlags : byte
{
    None = 0,

    /// <summary><c>-</c>: pad on the right.</summary>
    LeftAlign = 1,

    /// <summary><c>+</c>: a plus sign on non-negative signed conversions.</summary>
    Plus = 2,

    /// <summary><c>' '</c>: a space on non-negative signed conversions (when there is no <c>+</c>).</summary>
    Space = 4,

    /// <summary><c>#</c>: the alternate form (<c>0x</c> prefix, leading octal zero, a point that always shows).</summary>
    Alternate = 8,

    /// <summary><c>0</c>: pad numbers with zeros after the sign (unless <c>-</c>, or a precision for integers).</summary>
    ZeroPad = 16,
}

/// <summary>
/// One parsed <c>string.format</c> item: the conversion letter and the flags, width and precision before it.
/// <see cref="Conversion"/> is <c>%</c> for a literal percent sign and <c>*</c> for <c>%*</c>; neither has a form.
/// </summary>
internal readonly struct FormatSpec
{
    public FormatSpec(byte conversion, FormatFlags flags, int width, int precision, bool hasForm)
    {
        Conversion = conversion;
        Flags = flags;
        Width = width;
        Precision = precision;
        HasForm = hasForm;
    }

    /// <summary>The conversion letter (<c>c d i o u x X e E f g G q s</c>, or <c>%</c> / <c>*</c>).</summary>
    public byte Conversion { get; }

    public FormatFlags Flags { get; }

    /// <summary>Minimum field width, 0 to 99 (0 when none was given).</summary>
    public int Width { get; }

    /// <summary>Precision, 0 to 99, or -1 when none was given.</summary>
    public int Precision { get; }

    /// <summary>Whether anything (flags, width or precision) stands between the <c>%</c> and the letter.</summary>
    public bool HasForm { get; }

    /// <summary>Whether this item formats an argument (everything except <c>%%</c>).</summary>
    public bool TakesArgument => Conversion != (byte)'%';
}

/// <summary>
/// The engine of <c>string.format</c>, matching the reference (lstrlib.cpp's <c>str_format</c> on top of the C
/// library's <c>snprintf</c>, as built on Linux with glibc) byte for byte, with formatting code of its own: no
/// .NET format strings.
/// </summary>
/// <remarks>
/// <para>The virtual machine drives it. For each <c>%</c> in the format (at byte index i):</para>
/// <code>
/// int index = i + 1;
/// var spec = StringFormat.Parse(format, ref index, nextArgument, argumentCount); // throws the reference's errors
/// switch (spec.Conversion)
/// {
///     case '%': builder.Append('%'); break;                    // no argument
///     case '*': append tostring(arg) with __tostring; break;  // %* takes any value
///     case 's': StringFormat.AppendString(builder, spec, checkstring(arg)); break;
///     case 'q': StringFormat.AppendQuoted(builder, checkstring(arg)); break;
///     default:  StringFormat.AppendNumber(builder, spec, checknumber(arg)); break;
/// }
/// </code>
/// <para>where numbers given to <c>%s</c> and <c>%q</c> are first converted with <see cref="NumberFormatter"/>, as
/// <c>luaL_checklstring</c> does. Errors are <see cref="LuauError"/>s with the reference's messages.</para>
/// </remarks>
[SkipLocalsInit] // stack buffers are always written before they are read
internal static partial class StringFormat
{
    /// <summary>
    /// Parses the item whose <c>%</c> is just before <paramref name="index"/> and moves <paramref name="index"/>
    /// past it. <paramref name="argumentNumber"/> is the 1-based number of the argument the item would use
    /// (the format string itself is argument 1) and <paramref name="argumentCount"/> the number of arguments
    /// passed, so that the reference's errors come in its order: "missing argument #n" first, then
    /// "invalid format (repeated flags)" (six or more flag characters), "invalid format (width or precision
    /// too long)" (more than two digits), "'%*' does not take a form" and "invalid option '%c' to 'format'".
    /// </summary>
    public static FormatSpec Parse(ReadOnlySpan<byte> format, ref int index, int argumentNumber, int argumentCount)
    {
        // Past the end reads as the C string's terminating zero, as in the reference.
        byte c = At(format, index);
        if (c == '%')
        {
            index++;
            return new FormatSpec((byte)'%', FormatFlags.None, 0, -1, false);
        }

        if (argumentNumber > argumentCount)
            throw new LuauError($"missing argument #{argumentNumber}");

        if (c == '*')
        {
            index++;
            return new FormatSpec((byte)'*', FormatFlags.None, 0, -1, false);
        }

        int start = index;
        FormatFlags flags = FormatFlags.None;
        while (true)
        {
            FormatFlags flag = At(format, index) switch
            {
                (byte)'-' => FormatFlags.LeftAlign,
                (byte)'+' => FormatFlags.Plus,
                (byte)' ' => FormatFlags.Space,
                (byte)'#' => FormatFlags.Alternate,
                (byte)'0' => FormatFlags.ZeroPad,
                _ => FormatFlags.None,
            };
            if (flag == FormatFlags.None)
                break;
            flags |= flag;
            index++;
        }
        // The reference only counts flag characters: up to five are accepted, repeated or not.
        if (index - start >= 6)
            throw new LuauError("invalid format (repeated flags)");

        int width = 0;
        for (int digits = 0; digits < 2 && IsDigit(At(format, index)); digits++)
            width = width * 10 + (format[index++] - '0');

        int precision = -1;
        if (At(format, index) == '.')
        {
            index++;
            precision = 0;
            for (int digits = 0; digits < 2 && IsDigit(At(format, index)); digits++)
                precision = precision * 10 + (format[index++] - '0');
        }

        if (IsDigit(At(format, index)))
            throw new LuauError("invalid format (width or precision too long)");

        bool hasForm = index > start;
        byte conversion = At(format, index);
        index++;
        switch (conversion)
        {
            case (byte)'c':
            case (byte)'d':
            case (byte)'i':
            case (byte)'o':
            case (byte)'u':
            case (byte)'x':
            case (byte)'X':
            case (byte)'e':
            case (byte)'E':
            case (byte)'f':
            case (byte)'g':
            case (byte)'G':
            case (byte)'q':
            case (byte)'s':
                return new FormatSpec(conversion, flags, width, precision, hasForm);
            case (byte)'*':
                throw new LuauError("'%*' does not take a form");
            case 0:
                // The reference builds this message with C formatting, which stops at the zero byte.
                throw new LuauError("invalid option '%");
            default:
                // Bytes map one-to-one to chars (Latin-1), so a byte above 127 survives a round trip.
                throw new LuauError($"invalid option '%{(char)conversion}' to 'format'");
        }
    }

    private static byte At(ReadOnlySpan<byte> format, int index) => index < format.Length ? format[index] : (byte)0;

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>
    /// Formats a number argument for the numeric conversions (<c>c d i o u x X e E f g G</c>) with the
    /// reference's conversions from double: <c>%c</c> takes C's <c>(int)</c> of it and prints the low byte,
    /// <c>%d</c>/<c>%i</c> its <c>(long long)</c> (truncated; NaN and out-of-range values give -2^63),
    /// <c>%o %u %x %X</c> the two's-complement bits of negative values and C's <c>(unsigned long long)</c> of
    /// the others (see <see cref="NativeCasts"/>).
    /// </summary>
    public static void AppendNumber(ByteBuilder builder, in FormatSpec spec, double value)
    {
        switch (spec.Conversion)
        {
            case (byte)'c':
                AppendChar(builder, spec, (byte)NativeCasts.ToInt32(value));
                break;
            case (byte)'d':
            case (byte)'i':
                AppendInteger(builder, spec, NativeCasts.ToInt64(value));
                break;
            case (byte)'o':
            case (byte)'u':
            case (byte)'x':
            case (byte)'X':
                AppendUnsigned(builder, spec, value < 0 ? (ulong)NativeCasts.ToInt64(value) : NativeCasts.ToUInt64(value));
                break;
            case (byte)'e':
            case (byte)'E':
            case (byte)'f':
            case (byte)'g':
            case (byte)'G':
                AppendFloat(builder, spec, value);
                break;
            default:
                throw new ArgumentException($"'{(char)spec.Conversion}' is not a numeric conversion.", nameof(spec));
        }
    }

    /// <summary><c>%c</c>: one byte (a zero byte included), padded with spaces to the width.</summary>
    public static void AppendChar(ByteBuilder builder, in FormatSpec spec, byte value)
    {
        int padding = spec.Width - 1;
        bool left = (spec.Flags & FormatFlags.LeftAlign) != 0;
        if (!left)
            builder.Append((byte)' ', padding);
        builder.Append(value);
        if (left)
            builder.Append((byte)' ', padding);
    }

    /// <summary><c>%d</c> / <c>%i</c> of a 64-bit integer.</summary>
    public static void AppendInteger(ByteBuilder builder, in FormatSpec spec, long value)
    {
        byte sign = value < 0 ? (byte)'-'
            : (spec.Flags & FormatFlags.Plus) != 0 ? (byte)'+'
            : (spec.Flags & FormatFlags.Space) != 0 ? (byte)' '
            : (byte)0;
        ulong magnitude = value < 0 ? 0 - (ulong)value : (ulong)value;
        Span<byte> digits = stackalloc byte[24];
        int count = magnitude == 0 && spec.Precision == 0 ? 0 : NumberFormatter.WriteDigitsRight(magnitude, digits);
        Span<byte> prefix = stackalloc byte[1];
        prefix[0] = sign;
        AppendIntegerField(builder, spec, sign == 0 ? [] : prefix, digits[(digits.Length - count)..]);
    }

    /// <summary><c>%o %u %x %X</c> of an unsigned 64-bit integer.</summary>
    public static void AppendUnsigned(ByteBuilder builder, in FormatSpec spec, ulong value)
    {
        Span<byte> digits = stackalloc byte[24];
        int position = digits.Length;
        if (value != 0 || spec.Precision != 0)
        {
            switch (spec.Conversion)
            {
                case (byte)'o':
                    do
                    {
                        digits[--position] = (byte)('0' + (int)(value & 7));
                        value >>= 3;
                    }
                    while (value != 0);
                    break;
                case (byte)'x':
                case (byte)'X':
                    ReadOnlySpan<byte> hex = spec.Conversion == 'x' ? "0123456789abcdef"u8 : "0123456789ABCDEF"u8;
                    ulong remaining = value;
                    do
                    {
                        digits[--position] = hex[(int)(remaining & 15)];
                        remaining >>= 4;
                    }
                    while (remaining != 0);
                    break;
                default:
                    position -= NumberFormatter.WriteDigitsRight(value, digits);
                    break;
            }
        }

        ReadOnlySpan<byte> prefix = [];
        if ((spec.Flags & FormatFlags.Alternate) != 0)
        {
            if (spec.Conversion == 'o')
            {
                // The alternate octal form starts with a 0, which the precision padding may already supply.
                int length = digits.Length - position;
                if (length == 0 || (digits[position] != '0' && spec.Precision <= length))
                    digits[--position] = (byte)'0';
            }
            else if (value != 0 && spec.Conversion != 'u')
            {
                prefix = spec.Conversion == 'x' ? "0x"u8 : "0X"u8;
            }
        }
        AppendIntegerField(builder, spec, prefix, digits[position..]);
    }

    /// <summary>Lays out sign or prefix, precision zeros, digits and width padding of an integer conversion.</summary>
    private static void AppendIntegerField(ByteBuilder builder, in FormatSpec spec, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> digits)
    {
        int precisionZeros = Math.Max(0, spec.Precision - digits.Length);
        int length = prefix.Length + precisionZeros + digits.Length;
        int padding = Math.Max(0, spec.Width - length);
        bool left = (spec.Flags & FormatFlags.LeftAlign) != 0;
        // C ignores the 0 flag when a precision is given or the field is left-aligned.
        bool zeroPad = !left && spec.Precision < 0 && (spec.Flags & FormatFlags.ZeroPad) != 0;

        if (!left && !zeroPad)
            builder.Append((byte)' ', padding);
        builder.Append(prefix);
        if (zeroPad)
            builder.Append((byte)'0', padding);
        builder.Append((byte)'0', precisionZeros);
        builder.Append(digits);
        if (left)
            builder.Append((byte)' ', padding);
    }

    /// <summary>
    /// <c>%s</c>. Without any form, or without a precision when the string is 100 bytes or longer, the bytes are
    /// copied verbatim (zeros included). Otherwise the reference formats a C string: it ends at the first zero
    /// byte, is cut to the precision and padded with spaces to the width.
    /// </summary>
    public static void AppendString(ByteBuilder builder, in FormatSpec spec, ReadOnlySpan<byte> value)
    {
        if (!spec.HasForm || (spec.Precision < 0 && value.Length >= 100))
        {
            builder.Append(value);
            return;
        }

        int nul = value.IndexOf((byte)0);
        if (nul >= 0)
            value = value[..nul];
        if (spec.Precision >= 0 && value.Length > spec.Precision)
            value = value[..spec.Precision];

        int padding = spec.Width - value.Length;
        bool left = (spec.Flags & FormatFlags.LeftAlign) != 0;
        if (!left)
            builder.Append((byte)' ', padding);
        builder.Append(value);
        if (left)
            builder.Append((byte)' ', padding);
    }

    /// <summary>
    /// <c>%q</c> (any flags, width or precision are ignored): the string in double quotes, with <c>"</c>,
    /// <c>\</c> and newline escaped by a backslash, carriage return as <c>\r</c>, a zero byte as <c>\000</c>,
    /// and every other byte as it is.
    /// </summary>
    public static void AppendQuoted(ByteBuilder builder, ReadOnlySpan<byte> value)
    {
        builder.Append((byte)'"');
        while (!value.IsEmpty)
        {
            int special = value.IndexOfAny("\"\\\n\r\0"u8);
            if (special < 0)
            {
                builder.Append(value);
                break;
            }
            builder.Append(value[..special]);
            switch (value[special])
            {
                case (byte)'\r':
                    builder.Append("\\r"u8);
                    break;
                case 0:
                    builder.Append("\\000"u8);
                    break;
                default:
                    builder.Append((byte)'\\');
                    builder.Append(value[special]);
                    break;
            }
            value = value[(special + 1)..];
        }
        builder.Append((byte)'"');
    }
}
