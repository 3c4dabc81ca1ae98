namespace Coputer.Luau.Syntax;

/// <summary>
/// Suggestions for non-ASCII characters that look like ASCII punctuation (curly quotes, dashes, a no-break space and
/// similar), used in the "Unicode character U+... (did you mean '...'?)" error. A curated subset of Unicode's
/// confusables list covering the characters people paste into code by accident.
/// </summary>
internal static class Confusables
{
    // Sorted by code point for binary search.
    private static readonly (uint Codepoint, string Text)[] s_table =
    [
        (0x00A0, " "),   // no-break space
        (0x00B4, "'"),   // acute accent
        (0x00B8, ","),   // cedilla
        (0x00D7, "x"),   // multiplication sign
        (0x02B9, "'"),   // modifier letter prime
        (0x02BB, "'"),   // modifier letter turned comma
        (0x02BC, "'"),   // modifier letter apostrophe
        (0x02C2, "<"),   // modifier letter left arrowhead
        (0x02C3, ">"),   // modifier letter right arrowhead
        (0x02C4, "^"),   // modifier letter up arrowhead
        (0x02D7, "-"),   // modifier letter minus sign
        (0x037E, ";"),   // Greek question mark
        (0x0589, ":"),   // Armenian full stop
        (0x2010, "-"),   // hyphen
        (0x2011, "-"),   // non-breaking hyphen
        (0x2012, "-"),   // figure dash
        (0x2013, "-"),   // en dash
        (0x2018, "'"),   // left single quotation mark
        (0x2019, "'"),   // right single quotation mark
        (0x201A, ","),   // single low-9 quotation mark
        (0x201B, "'"),   // single high-reversed-9 quotation mark
        (0x201C, "\""),  // left double quotation mark
        (0x201D, "\""),  // right double quotation mark
        (0x201F, "\""),  // double high-reversed-9 quotation mark
        (0x2024, "."),   // one dot leader
        (0x2025, ".."),  // two dot leader
        (0x2026, "..."), // horizontal ellipsis
        (0x2032, "'"),   // prime
        (0x2033, "\""),  // double prime
        (0x2039, "<"),   // single left-pointing angle quotation mark
        (0x203A, ">"),   // single right-pointing angle quotation mark
        (0x2044, "/"),   // fraction slash
        (0x2212, "-"),   // minus sign
        (0x2215, "/"),   // division slash
        (0x2216, "\\"),  // set minus
        (0x2217, "*"),   // asterisk operator
        (0x2236, ":"),   // ratio
        (0xFF01, "!"),   // fullwidth exclamation mark
        (0xFF1A, ":"),   // fullwidth colon
        (0xFF3B, "("),   // fullwidth left square bracket
        (0xFF3D, ")"),   // fullwidth right square bracket
    ];

    /// <summary>The ASCII text <paramref name="codepoint"/> is easily mistaken for, or null.</summary>
    public static string? Find(uint codepoint)
    {
        int lo = 0, hi = s_table.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            uint cp = s_table[mid].Codepoint;
            if (cp == codepoint)
                return s_table[mid].Text;
            if (cp < codepoint)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return null;
    }
}
