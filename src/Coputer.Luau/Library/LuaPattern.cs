using System.Buffers;

namespace Coputer.Luau.Library;

/// <summary>
/// Static helpers around Luau patterns that need no matcher state: the plain-search fast path of
/// <c>string.find</c>, the start-position rules, and the ASCII character classes (<c>%a</c>, <c>%d</c>, ...).
/// The matching engine itself is <see cref="PatternMatcher"/>.
/// </summary>
internal static class LuaPattern
{
    /// <summary>The escape byte of patterns and replacement strings.</summary>
    public const byte Escape = (byte)'%';

    // Bytes that make a pattern more than a plain substring. ')' and ']' are absent on purpose: alone they only
    // match themselves, and the reference's fast-path test leaves them out too.
    private static readonly SearchValues<byte> s_specials = SearchValues.Create("^$*+?.([%-"u8);

    // Character class bits for the 256 byte values, in the C locale: bytes 128..255 belong to no class.
    private const ushort Alpha = 1 << 0;
    private const ushort Control = 1 << 1;
    private const ushort Digit = 1 << 2;
    private const ushort Graphic = 1 << 3;
    private const ushort Lower = 1 << 4;
    private const ushort Punctuation = 1 << 5;
    private const ushort Space = 1 << 6;
    private const ushort Upper = 1 << 7;
    private const ushort HexDigit = 1 << 8;

    private static readonly ushort[] s_classes = BuildClassTable();

    /// <summary>
    /// True when <paramref name="pattern"/> holds any byte with a pattern meaning; when false, <c>string.find</c>
    /// may search for it as a plain substring.
    /// </summary>
    public static bool HasSpecials(ReadOnlySpan<byte> pattern) => pattern.IndexOfAny(s_specials) >= 0;

    /// <summary>
    /// Applies the <c>init</c> rules of <c>string.find</c>, <c>string.match</c>: a negative value counts back from
    /// the end, values below 1 become 1, and a value past <c>#s + 1</c> means "no match". On success
    /// <paramref name="start"/> is the 0-based offset to search from (at most <paramref name="length"/>).
    /// </summary>
    public static bool TryResolveInit(int init, int length, out int start)
    {
        long position = init;
        if (position < 0)
            position = Math.Max(0, position + length + 1);
        if (position < 1)
            position = 1;
        else if (position > (long)length + 1)
        {
            start = 0;
            return false;
        }
        start = (int)position - 1;
        return true;
    }

    /// <summary>
    /// Finds <paramref name="needle"/> as a plain byte string in <paramref name="source"/> at or after the 0-based
    /// offset <paramref name="start"/>; returns the 0-based offset of the first occurrence or -1. An empty needle
    /// is found at <paramref name="start"/>.
    /// </summary>
    public static int FindPlain(ReadOnlySpan<byte> source, ReadOnlySpan<byte> needle, int start)
    {
        if ((uint)start > (uint)source.Length)
            throw new ArgumentOutOfRangeException(nameof(start));
        int index = source[start..].IndexOf(needle);
        return index < 0 ? -1 : start + index;
    }

    /// <summary>
    /// Whether byte <paramref name="c"/> belongs to the class named by the letter after <c>%</c>
    /// (<paramref name="classLetter"/>). Lower-case letters <c>a c d g l p s u w x z</c> name a class, the
    /// upper-case letter its complement; any other byte is a literal that matches only itself.
    /// </summary>
    public static bool MatchesClass(int c, int classLetter)
    {
        int letter = (uint)(classLetter - 'A') <= 'Z' - 'A' ? classLetter + ('a' - 'A') : classLetter;
        bool inClass;
        switch (letter)
        {
            case 'a': inClass = (s_classes[c] & Alpha) != 0; break;
            case 'c': inClass = (s_classes[c] & Control) != 0; break;
            case 'd': inClass = (s_classes[c] & Digit) != 0; break;
            case 'g': inClass = (s_classes[c] & Graphic) != 0; break;
            case 'l': inClass = (s_classes[c] & Lower) != 0; break;
            case 'p': inClass = (s_classes[c] & Punctuation) != 0; break;
            case 's': inClass = (s_classes[c] & Space) != 0; break;
            case 'u': inClass = (s_classes[c] & Upper) != 0; break;
            case 'w': inClass = (s_classes[c] & (Alpha | Digit)) != 0; break;
            case 'x': inClass = (s_classes[c] & HexDigit) != 0; break;
            case 'z': inClass = c == 0; break; // deprecated in Lua 5.2 but still accepted
            default: return classLetter == c;
        }
        // The letter's case chooses between the class and its complement.
        return letter == classLetter ? inClass : !inClass;
    }

    private static ushort[] BuildClassTable()
    {
        var table = new ushort[256];
        for (int c = 0; c < 128; c++)
        {
            ushort bits = 0;
            bool upper = c is >= 'A' and <= 'Z';
            bool lower = c is >= 'a' and <= 'z';
            bool digit = c is >= '0' and <= '9';
            if (upper)
                bits |= Upper | Alpha;
            if (lower)
                bits |= Lower | Alpha;
            if (digit)
                bits |= Digit;
            if (digit || c is >= 'a' and <= 'f' || c is >= 'A' and <= 'F')
                bits |= HexDigit;
            if (c < 32 || c == 127)
                bits |= Control;
            if (c is >= 33 and <= 126)
            {
                bits |= Graphic;
                if (!upper && !lower && !digit)
                    bits |= Punctuation;
            }
            if (c == ' ' || c is >= '\t' and <= '\r')
                bits |= Space;
            table[c] = bits;
        }
        return table;
    }
}
