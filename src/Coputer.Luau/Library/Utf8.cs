using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// UTF-8 primitives of the <c>utf8</c> library and of <c>\u{...}</c> escapes, with the reference's rules: code
/// points up to U+10FFFF, no overlong forms, no surrogates. Positions in the Luau-facing helpers are 1-based like
/// the library's arguments and results; <see cref="Decode"/> works on 0-based offsets.
/// </summary>
internal static class Utf8
{
    /// <summary>The largest code point.</summary>
    public const int MaxCodePoint = 0x10FFFF;

    /// <summary>The most bytes one encoded code point takes.</summary>
    public const int MaxEncodedLength = 4;

    /// <summary>The error of <c>utf8.codepoint</c> and <c>utf8.codes</c> on malformed input.</summary>
    public const string InvalidCodeMessage = "invalid UTF-8 code";

    /// <summary><c>utf8.charpattern</c>: <c>"[\0-\x7F\xC2-\xF4][\x80-\xBF]*"</c>, the pattern of one encoded character.</summary>
    public static ReadOnlySpan<byte> CharPattern =>
        [(byte)'[', 0x00, (byte)'-', 0x7F, 0xC2, (byte)'-', 0xF4, (byte)']', (byte)'[', 0x80, (byte)'-', 0xBF, (byte)']', (byte)'*'];

    /// <summary>
    /// Decodes the sequence at 0-based <paramref name="index"/> (at most the length of <paramref name="text"/>);
    /// returns the offset just past it, or -1 when the bytes there are not valid UTF-8 (a stray continuation byte,
    /// a truncated sequence, an overlong form, a surrogate, or a value above U+10FFFF). A sequence may extend past
    /// any range the caller is interested in; only the end of <paramref name="text"/> stops it.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> text, int index, out int codePoint)
    {
        codePoint = 0;
        int first = ByteAt(text, index);
        if (first < 0x80)
        {
            codePoint = first;
            return index + 1;
        }
        // The count of leading 1 bits after the top one gives the number of continuation bytes.
        int continuations = 0;
        int value = 0;
        int lead = first;
        while ((lead & 0x40) != 0)
        {
            continuations++;
            if (continuations > 3)
                return -1; // 5- and 6-byte forms (and 0xFE, 0xFF) are never valid
            int next = ByteAt(text, index + continuations);
            if ((next & 0xC0) != 0x80)
                return -1;
            value = (value << 6) | (next & 0x3F);
            lead <<= 1;
        }
        value |= (lead & 0x7F) << (continuations * 5);
        // The smallest value each length may encode: shorter forms are overlong. A lone continuation byte
        // (no continuations) always fails here.
        int overlongLimit = continuations switch
        {
            0 => 0xFF,
            1 => 0x7F,
            2 => 0x7FF,
            _ => 0xFFFF,
        };
        if (value > MaxCodePoint || value <= overlongLimit)
            return -1;
        if ((uint)(value - 0xD800) < 0x800)
            return -1; // surrogates are not characters
        codePoint = value;
        return index + continuations + 1;
    }

    /// <summary>
    /// Encodes <paramref name="codePoint"/> (0 to U+10FFFF; surrogates are encoded like any other value, as the
    /// reference does) into <paramref name="destination"/>; returns the number of bytes written, 1 to 4.
    /// </summary>
    public static int Encode(int codePoint, Span<byte> destination)
    {
        if ((uint)codePoint > MaxCodePoint)
            throw new ArgumentOutOfRangeException(nameof(codePoint));
        if (codePoint < 0x80)
        {
            destination[0] = (byte)codePoint;
            return 1;
        }
        if (codePoint < 0x800)
        {
            destination[1] = (byte)(0x80 | (codePoint & 0x3F));
            destination[0] = (byte)(0xC0 | (codePoint >> 6));
            return 2;
        }
        if (codePoint < 0x10000)
        {
            destination[2] = (byte)(0x80 | (codePoint & 0x3F));
            destination[1] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
            destination[0] = (byte)(0xE0 | (codePoint >> 12));
            return 3;
        }
        destination[3] = (byte)(0x80 | (codePoint & 0x3F));
        destination[2] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
        destination[1] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
        destination[0] = (byte)(0xF0 | (codePoint >> 18));
        return 4;
    }

    /// <summary>
    /// One value of <c>utf8.char</c>: appends the encoding of <paramref name="codePoint"/>, or raises
    /// "value out of range" on argument <paramref name="argument"/> when it is not in 0..U+10FFFF.
    /// </summary>
    public static void AppendChar(ByteBuilder output, int codePoint, int argument)
    {
        if ((uint)codePoint > MaxCodePoint)
            throw new LibraryArgumentError(argument, "value out of range");
        int written = Encode(codePoint, output.GetAppendSpan(MaxEncodedLength));
        output.Advance(written);
    }

    /// <summary>
    /// <c>utf8.len(s, i, j)</c> with <paramref name="i"/> and <paramref name="j"/> as given (defaults 1 and -1):
    /// true with the number of characters that start in [i, j], or false with <paramref name="result"/> the
    /// 1-based position of the first invalid byte (the call then returns nil and that position).
    /// </summary>
    public static bool TryLength(ReadOnlySpan<byte> text, int i, int j, out int result)
    {
        long start = RelativePosition(i, text.Length);
        long last = RelativePosition(j, text.Length);
        if (start < 1 || --start > text.Length)
            throw new LibraryArgumentError(2, "initial position out of string");
        if (--last >= text.Length)
            throw new LibraryArgumentError(3, "final position out of string");
        int count = 0;
        int position = (int)start;
        while (position <= last)
        {
            int next = Decode(text, position, out _);
            if (next < 0)
            {
                result = position + 1;
                return false;
            }
            position = next;
            count++;
        }
        result = count;
        return true;
    }

    /// <summary>
    /// The range of <c>utf8.codepoint(s, i, j)</c>: <paramref name="j"/> defaults to <paramref name="i"/> (after
    /// <paramref name="i"/> is made absolute). Raises "out of range" for i below 1 (argument 2) or j past the end
    /// (argument 3). Returns false for an empty range; otherwise decode with <see cref="DecodeOrThrow"/> from
    /// <paramref name="start"/> while the offset is below <paramref name="end"/> (0-based, end exclusive). The
    /// caller makes room for up to <c>end - start</c> results ("string slice too long").
    /// </summary>
    public static bool TryGetCodePointRange(int length, int i, int? j, out int start, out int end)
    {
        long first = RelativePosition(i, length);
        long last = j is { } given ? RelativePosition(given, length) : first;
        if (first < 1)
            throw new LibraryArgumentError(2, "out of range");
        if (last > length)
            throw new LibraryArgumentError(3, "out of range");
        start = (int)first - 1;
        end = (int)last;
        return first <= last;
    }

    /// <summary>Like <see cref="Decode"/>, but raises "invalid UTF-8 code" for an invalid sequence.</summary>
    public static int DecodeOrThrow(ReadOnlySpan<byte> text, int index, out int codePoint)
    {
        int next = Decode(text, index, out codePoint);
        if (next < 0)
            throw new LuauError(InvalidCodeMessage);
        return next;
    }

    /// <summary>
    /// <c>utf8.offset(s, n, i)</c>: the 1-based position where the n-th character counted from position
    /// <paramref name="i"/> starts (n = 0: the start of the character containing i), or 0 when there is no such
    /// character (the call returns nil). Pass <c>null</c> for an absent i: it defaults to 1 for n &gt;= 0, else
    /// to <c>#s + 1</c>.
    /// </summary>
    public static int Offset(ReadOnlySpan<byte> text, int n, int? i)
    {
        int length = text.Length;
        long position = RelativePosition(i ?? (n >= 0 ? 1 : length + 1), length);
        if (position < 1 || --position > length)
            throw new LibraryArgumentError(3, "position out of range");
        int at = (int)position;
        if (n == 0)
        {
            while (at > 0 && IsContinuation(text, at))
                at--;
            return at + 1;
        }
        if (IsContinuation(text, at))
            throw new LuauError("initial position is a continuation byte");
        if (n < 0)
        {
            while (n < 0 && at > 0)
            {
                do
                {
                    at--;
                } while (at > 0 && IsContinuation(text, at));
                n++;
            }
        }
        else
        {
            n--; // the character at i is the first
            while (n > 0 && at < length)
            {
                do
                {
                    at++;
                } while (IsContinuation(text, at));
                n--;
            }
        }
        return n == 0 ? at + 1 : 0;
    }

    /// <summary>
    /// One step of the <c>utf8.codes</c> iterator. <paramref name="control"/> is the iterator's control value
    /// (the previous position, 0 to start; a non-number counts as 0). Returns false at the end; otherwise the
    /// 1-based <paramref name="position"/> and the <paramref name="codePoint"/> of the next character. Raises
    /// "invalid UTF-8 code" for a malformed character or one followed by a stray continuation byte.
    /// </summary>
    public static bool NextCode(ReadOnlySpan<byte> text, long control, out int position, out int codePoint)
    {
        long at = control - 1;
        if (at < 0)
            at = 0;
        else if (at < text.Length)
        {
            at++; // skip the current character's first byte and its continuation bytes
            while (IsContinuation(text, (int)at))
                at++;
        }
        if (at >= text.Length)
        {
            position = codePoint = 0;
            return false;
        }
        int next = Decode(text, (int)at, out codePoint);
        if (next < 0 || IsContinuation(text, next))
            throw new LuauError(InvalidCodeMessage);
        position = (int)at + 1;
        return true;
    }

    /// <summary>A relative string position as the utf8 library reads it: negative counts back from the end, too far back is 0.</summary>
    private static long RelativePosition(int position, int length)
    {
        if (position >= 0)
            return position;
        if (-(long)position > length)
            return 0;
        return (long)length + position + 1;
    }

    // The byte at index, or 0 at and past the end: the reference relies on the string's terminating zero.
    private static int ByteAt(ReadOnlySpan<byte> text, int index) => (uint)index < (uint)text.Length ? text[index] : 0;

    private static bool IsContinuation(ReadOnlySpan<byte> text, int index) => (ByteAt(text, index) & 0xC0) == 0x80;
}
