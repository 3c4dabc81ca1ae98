using System.Diagnostics;
using System.Text;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// The pattern primitives, driven the way the string library drives them. Strings are written as C# strings whose
/// characters are bytes (Latin-1), so "\u00e1" is the single byte 0xE1, as in Luau's non-UTF-8 test strings.
/// Expected values were worked out from the pattern rules and agree with the reference implementation.
/// </summary>
public class PatternMatcherTests
{
    // ---- helpers that behave like string.find / match / gmatch / gsub ---------------------------------------------

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static string S(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static object CaptureValue(ref PatternMatcher matcher, byte[] source, int index, int matchStart, int matchEnd)
    {
        var capture = matcher.GetCapture(index, matchStart, matchEnd);
        return capture.IsPosition ? capture.Position : S(source.AsSpan(capture.Start, capture.Length));
    }

    /// <summary><c>string.find(s, p, init, plain)</c>: null for nil, else start, end and the captures.</summary>
    private static object[]? Find(string s, string p, int init = 1, bool plain = false)
    {
        var source = B(s);
        var pattern = B(p);
        if (!LuaPattern.TryResolveInit(init, source.Length, out int start))
            return null;
        if (plain || !LuaPattern.HasSpecials(pattern))
        {
            int at = LuaPattern.FindPlain(source, pattern, start);
            return at < 0 ? null : [at + 1, at + pattern.Length];
        }
        var matcher = new PatternMatcher(source, pattern, caretAnchors: true);
        if (!matcher.Search(start, out int matchStart, out int matchEnd))
            return null;
        var result = new object[2 + matcher.CaptureCount];
        result[0] = matchStart + 1;
        result[1] = matchEnd;
        for (int i = 0; i < matcher.CaptureCount; i++)
            result[2 + i] = CaptureValue(ref matcher, source, i, matchStart, matchEnd);
        return result;
    }

    /// <summary>The text <c>string.sub(s, string.find(s, p))</c>, or null.</summary>
    private static string? FindText(string s, string p)
    {
        var r = Find(s, p);
        return r is null ? null : s.Substring((int)r[0] - 1, (int)r[1] - (int)r[0] + 1);
    }

    /// <summary><c>string.match(s, p, init)</c>: null for nil, else the captures (or the whole match).</summary>
    private static object[]? Match(string s, string p, int init = 1)
    {
        var source = B(s);
        if (!LuaPattern.TryResolveInit(init, source.Length, out int start))
            return null;
        var matcher = new PatternMatcher(source, B(p), caretAnchors: true);
        if (!matcher.Search(start, out int matchStart, out int matchEnd))
            return null;
        var result = new object[matcher.ResultCount];
        for (int i = 0; i < result.Length; i++)
            result[i] = CaptureValue(ref matcher, source, i, matchStart, matchEnd);
        return result;
    }

    /// <summary>Every result tuple of <c>for ... in string.gmatch(s, p)</c>.</summary>
    private static List<object[]> Gmatch(string s, string p)
    {
        var source = B(s);
        var pattern = B(p);
        var all = new List<object[]>();
        int position = 0;
        while (true)
        {
            // The iterator keeps only the position between calls, so each step builds a fresh matcher.
            var matcher = new PatternMatcher(source, pattern, caretAnchors: false);
            if (!matcher.NextMatch(ref position, out int matchStart, out int matchEnd))
                break;
            var values = new object[matcher.ResultCount];
            for (int i = 0; i < values.Length; i++)
                values[i] = CaptureValue(ref matcher, source, i, matchStart, matchEnd);
            all.Add(values);
        }
        return all;
    }

    /// <summary><c>string.gsub(s, p, repl, n)</c> with a string replacement.</summary>
    private static (string Result, int Count) Gsub(string s, string p, string replacement, int? maxCount = null)
    {
        var source = B(s);
        using var output = new ByteBuilder();
        var matcher = new PatternMatcher(source, B(p), caretAnchors: true);
        int count = matcher.ReplaceAll(B(replacement), maxCount ?? source.Length + 1, output);
        return (S(output.AsSpan()), count);
    }

    /// <summary>
    /// <c>string.gsub(s, p, f, n)</c> with a function (or table) replacement: <paramref name="replace"/> receives the
    /// values a Luau function would and returns the replacement text, or null to keep the match.
    /// </summary>
    private static (string Result, int Count) GsubWith(string s, string p, Func<object[], string?> replace, int? maxCount = null)
    {
        var source = B(s);
        using var output = new ByteBuilder();
        var matcher = new PatternMatcher(source, B(p), caretAnchors: true);
        while (matcher.NextReplacement(output, maxCount ?? source.Length + 1, out int matchStart, out int matchEnd))
        {
            var values = new object[matcher.ResultCount];
            for (int i = 0; i < values.Length; i++)
                values[i] = CaptureValue(ref matcher, source, i, matchStart, matchEnd);
            string? text = replace(values);
            output.Append(text is null ? source.AsSpan(matchStart, matchEnd - matchStart) : B(text));
        }
        matcher.FinishReplacement(output);
        return (S(output.AsSpan()), matcher.ReplacementCount);
    }

    private static string Error(Action action) => Assert.ThrowsAny<LuauError>(action).Message;

    // ---- string.find ----------------------------------------------------------------------------------------------

    [Fact]
    public void Find_EmptyPatternsAndEmbeddedZeros()
    {
        Assert.Equal([1, 0], Find("", ""));
        Assert.Equal([1, 0], Find("alo", ""));
        Assert.Equal([1, 1], Find("a\0o a\0o a\0o", "a", 1));
        Assert.Equal([5, 7], Find("a\0o a\0o a\0o", "a\0o", 2));
        Assert.Equal([9, 11], Find("a\0o a\0o a\0o", "a\0o", 9));
        Assert.Equal([9, 11], Find("a\0a\0a\0a\0\0ab", "\0ab", 2));
        Assert.Equal([11, 11], Find("a\0a\0a\0a\0\0ab", "b"));
        Assert.Null(Find("a\0a\0a\0a\0\0ab", "b\0"));
        Assert.Null(Find("", "\0"));
        Assert.Equal([4, 5], Find("alo123alo", "12"));
        Assert.Null(Find("alo123alo", "^12"));
    }

    [Fact]
    public void Find_InitRules()
    {
        Assert.Equal([3, 5], Find("123456789", "345"));
        Assert.Equal([3, 5], Find("1234567890123456789", "345", 3));
        Assert.Equal([13, 15], Find("1234567890123456789", "345", 4));
        Assert.Null(Find("1234567890123456789", "346", 4));
        Assert.Equal([13, 15], Find("1234567890123456789", ".45", -9));
        Assert.Null(Find("abcdefg", "\0", 5, plain: true));
        Assert.Null(Find("", "aaa", 1));
        Assert.Equal([4, 6], Find("alo(.)alo", "(.)", 1, plain: true));
        Assert.Null(Find("", "1", 2));
        Assert.Equal([2, 2], Find("123", "2", 0));
        Assert.Equal([4, 3], Find("abc", "", 4));
        Assert.Null(Find("abc", "", 5));
        Assert.Null(Find("abc", "b", 10));
        Assert.Null(Find("abc", "b", -1));
        Assert.Equal([3, 3], Find("abc", "c", -1));
        Assert.Equal([1, 1], Find("abc", "a", -10));
        Assert.Equal([2, 2], Find("abc", "^b", 2)); // the anchor holds at init, not at 1
        Assert.Equal([2, 2], Find("aaa", "a", 2, plain: true));
        Assert.Equal([2, 2], Find("a+b", "+", 1, plain: true));
        Assert.Equal([1, 1], Find("a.b", "."));
        Assert.Null(Find("x", "x)")); // no specials: a plain search for "x)"
    }

    [Fact]
    public void ResolveInit_MatchesPosrelat()
    {
        Assert.True(LuaPattern.TryResolveInit(1, 3, out int start));
        Assert.Equal(0, start);
        Assert.True(LuaPattern.TryResolveInit(4, 3, out start));
        Assert.Equal(3, start);
        Assert.False(LuaPattern.TryResolveInit(5, 3, out _));
        Assert.True(LuaPattern.TryResolveInit(-1, 3, out start));
        Assert.Equal(2, start);
        Assert.True(LuaPattern.TryResolveInit(int.MinValue, 3, out start));
        Assert.Equal(0, start);
        Assert.False(LuaPattern.TryResolveInit(int.MaxValue, 3, out _));
    }

    [Fact]
    public void HasSpecials_IsTheFastPathTest()
    {
        Assert.False(LuaPattern.HasSpecials("abc)]"u8));
        Assert.False(LuaPattern.HasSpecials(""u8));
        foreach (char c in "^$*+?.([%-")
            Assert.True(LuaPattern.HasSpecials(B("ab" + c)));
    }

    // ---- single items, classes and repetitions (pm.luau's f) ------------------------------------------------------

    [Theory]
    [InlineData("aloALO", "%l*", "alo")]
    [InlineData("aLo_ALO", "%a*", "aLo")]
    [InlineData("  \n\r*&\n\r   xuxu  \n\n", "%g%g%g+", "xuxu")]
    [InlineData("aaab", "a*", "aaa")]
    [InlineData("aaa", "^.*$", "aaa")]
    [InlineData("aaa", "b*", "")]
    [InlineData("aaa", "ab*a", "aa")]
    [InlineData("aba", "ab*a", "aba")]
    [InlineData("aaab", "a+", "aaa")]
    [InlineData("aaa", "^.+$", "aaa")]
    [InlineData("aaa", "b+", null)]
    [InlineData("aaa", "ab+a", null)]
    [InlineData("aba", "ab+a", "aba")]
    [InlineData("a$a", ".$", "a")]
    [InlineData("a$a", ".%$", "a$")]
    [InlineData("a$a", ".$.", "a$a")]
    [InlineData("a$a", "$$", null)]
    [InlineData("a$b", "a$", null)]
    [InlineData("a$a", "$", "")]
    [InlineData("", "b*", "")]
    [InlineData("aaa", "bb*", null)]
    [InlineData("aaab", "a-", "")]
    [InlineData("aaa", "^.-$", "aaa")]
    [InlineData("aabaaabaaabaaaba", "b.*b", "baaabaaabaaab")]
    [InlineData("aabaaabaaabaaaba", "b.-b", "baaab")]
    [InlineData("alo xo", ".o$", "xo")]
    [InlineData(" \n isto \u00e9 assim", "%S%S*", "isto")]
    [InlineData(" \n isto \u00e9 assim", "%S*$", "assim")]
    [InlineData(" \n isto \u00e9 assim", "[a-z]*$", "assim")]
    [InlineData("um caracter ? extra", "[^%sa-z]", "?")]
    [InlineData("", "a?", "")]
    [InlineData("\u00e1", "\u00e1?", "\u00e1")]
    [InlineData("\u00e1bl", "\u00e1?b?l?", "\u00e1bl")]
    [InlineData("  \u00e1bl", "\u00e1?b?l?", "")]
    [InlineData("aa", "^aa?a?a", "aa")]
    [InlineData("]]]\u00e1b", "[^]]", "\u00e1")]
    [InlineData("0alo alo", "%x*", "0a")]
    [InlineData("alo alo", "%C+", "alo alo")]
    [InlineData("alo alx 123 b\0o b\0o", "(..*) %1", "b\0o b\0o")]
    [InlineData("axz123= 4= 4 34", "(.+)=(.*)=%2 %1", "3= 4= 4 3")]
    [InlineData("=======", "^(=*)=%1$", "=======")]
    [InlineData("abc", "[b-]", "b")]
    [InlineData("a-c", "[b-]", "-")]
    [InlineData("a]c", "[]]", "]")]
    [InlineData("a^c", "[x^]", "^")]
    [InlineData("a^c", "[^^]", "a")]
    [InlineData("a.b", "%.", ".")]
    [InlineData("a%b", "%%", "%")]
    [InlineData("a\0", "%z", "\0")]
    [InlineData("\0\u0001\u0002x", "%c+", "\0\u0001\u0002")]
    [InlineData("\u007f\u0080", "%c+", "\u007f")]
    [InlineData("abc", "%f[%w]%w+", "abc")]
    public void Find_MatchesExpectedText(string s, string p, string? expected) =>
        Assert.Equal(expected, FindText(s, p));

    [Fact]
    public void Classes_FollowTheCLocale()
    {
        // Each class as the set of all 256 bytes it matches (pm.luau's strset uses gsub over all bytes).
        static string Set(string p)
        {
            var all = new StringBuilder();
            for (int c = 0; c < 256; c++)
                all.Append((char)c);
            var set = new StringBuilder();
            GsubWith(all.ToString(), p, v =>
            {
                set.Append((string)v[0]);
                return null;
            });
            return set.ToString();
        }
        static string Range(int from, int to)
        {
            var sb = new StringBuilder();
            for (int c = from; c <= to; c++)
                sb.Append((char)c);
            return sb.ToString();
        }

        Assert.Equal(11, Set("[\u00c8-\u00d2]").Length);
        Assert.Equal("abcdefghijklmnopqrstuvwxyz", Set("[a-z]"));
        Assert.Equal(Set("[a-z%d]"), Set("[%da-uu-z]"));
        Assert.Equal("-a", Set("[a-]"));
        Assert.Equal(Set("[%w]"), Set("[^%W]"));
        Assert.Equal("%]", Set("[]%%]"));
        Assert.Equal("-az", Set("[a%-z]"));
        Assert.Equal("-[]^ab", Set("[%^%[%-a%]%-b]"));
        Assert.Equal(Set("[\u0001-\u00ff]"), Set("%Z"));
        Assert.Equal(Set("[\u0001-\u00ff%z]"), Set("."));

        Assert.Equal(Range('A', 'Z') + Range('a', 'z'), Set("%a"));
        Assert.Equal(Range(0, 31) + "\u007f", Set("%c"));
        Assert.Equal("0123456789", Set("%d"));
        Assert.Equal(Range(33, 126), Set("%g"));
        Assert.Equal(Range('a', 'z'), Set("%l"));
        Assert.Equal("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", Set("%p"));
        Assert.Equal("\t\n\u000b\u000c\r ", Set("%s"));
        Assert.Equal(Range('A', 'Z'), Set("%u"));
        Assert.Equal(Range('0', '9') + Range('A', 'Z') + Range('a', 'z'), Set("%w"));
        Assert.Equal("0123456789ABCDEFabcdef", Set("%x"));
        Assert.Equal("\0", Set("%z"));
        Assert.Equal(256 - 62, Set("%W").Length);
        Assert.Equal(Range(128, 255), Set("[\u0080-\u00ff]"));
        Assert.Equal(".", Set("%."));
        Assert.Equal("\0\u0001\u0002", Set("[\0-\u0002]"));
    }

    // ---- string.match -----------------------------------------------------------------------------------------

    [Fact]
    public void Match_CapturesAndPositions()
    {
        Assert.Null(Match("==========", "^([=]*)=%1$"));
        Assert.Equal(["xyz"], Match("alo xyzK", "(%w+)K"));
        Assert.Equal([""], Match("254 K", "(%d*)K"));
        Assert.Equal([""], Match("alo ", "(%w*)$"));
        Assert.Null(Match("alo ", "(%w+)$"));
        Assert.Equal([1, 2], Find("(\u00e1lo)", "%(\u00e1"));
        Assert.Equal(["\u00e1lo alo", "\u00e1l", "\u00e1", "alo"], Match("\u00e1lo alo", "^(((.).).* (%w*))$"));
        Assert.Equal(["0123456789", "", 11], Match("0123456789", "(.+(.?)())"));
        Assert.Equal(["key", "value"], Match("key = value", "(%w+)%s*=%s*(%w+)"));
        Assert.Equal([""], Match("[[x]]", "%[(=*)%["));
        Assert.Equal(["2024", "01", "02"], Match("2024-01-02", "(%d+)-(%d+)-(%d+)"));
        Assert.Equal([5, 11, "quick"], Find("THE (quick) fox", "%((%a+)%)"));
        Assert.Equal([3, 4], Match("x = 1", "()=()"));
        Assert.Equal(["ll", "o"], Match("hello", ".-(l+)(.*)"));
        Assert.Equal(["1F"], Match("0x1F", "^0[xX](%x+)$"));
        Assert.Equal([3], Match("  x", "^%s*()"));
        Assert.Equal([4], Match("abc", "()", 4));
        Assert.Equal(["\0\u0001\u0002"], Match("ab\0\u0001\u0002c", "[\0-\u0002]+"));
        Assert.Equal(["\0"], Match("ab\0\u0001\u0002c", "[\0-\0]+"));
        Assert.Equal([2, 2], Find("b$a", "$\0?"));
        Assert.Equal([4, 4], Find("abc\0efg", "%\0"));
        Assert.Equal(["\0efg\0\u0001e\u0001"], Match("abc\0efg\0\u0001e\u0001g", "%b\0\u0001"));
        Assert.Equal(["\0\0\0"], Match("abc\0\0\0", "%\0+"));
        Assert.Equal(["\0\0"], Match("abc\0\0\0", "%\0%\0?"));
        Assert.Equal([4, 5], Find("abc\0\0", "\0."));
        Assert.Equal([4, 12], Find("abcx\0\0abc\0abc", "x\0\0abc\0a."));
    }

    [Fact]
    public void Match_PositionCapturesCount()
    {
        var captures = Find("x", string.Concat(Enumerable.Repeat("()", 32)));
        Assert.NotNull(captures);
        Assert.Equal(34, captures.Length);
        Assert.Equal(1, captures[0]);
        Assert.Equal(0, captures[1]);
        Assert.All(captures.Skip(2), v => Assert.Equal(1, v));
    }

    [Fact]
    public void Match_BackReferenceToPositionCaptureNeverMatches()
    {
        Assert.Null(Match("aa", "()%1"));
        Assert.Null(Match("", "()%1"));
    }

    // ---- frontier -----------------------------------------------------------------------------------------------

    [Fact]
    public void Frontier()
    {
        Assert.Equal(("xaa xa x xaa x", 5), Gsub("aaa aa a aaa a", "%f[%w]a", "x"));
        Assert.Equal(("x[]] x]x] x[[[", 4), Gsub("[[]] [][] [[[[", "%f[[].", "x"));
        Assert.Equal((".01abc.45de.3", 3), Gsub("01abc45de3", "%f[%d]", "."));
        Assert.Equal(("01.bc45 de3.", 2), Gsub("01abc45 de3x", "%f[%D]%w", "."));
        Assert.Equal((".unction", 1), Gsub("function", "%f[\u0001-\u00ff]%w", "."));
        Assert.Equal(("function.", 1), Gsub("function", "%f[^\u0001-\u00ff]", "."));
        Assert.Equal([1, 0], Find("a", "%f[a]"));
        Assert.Equal([1, 0], Find("a", "%f[^%z]"));
        Assert.Equal([2, 1], Find("a", "%f[^%l]"));
        Assert.Equal([3, 2], Find("aba", "%f[a%z]"));
        Assert.Equal([4, 3], Find("aba", "%f[%z]"));
        Assert.Null(Find("aba", "%f[%l%z]"));
        Assert.Null(Find("aba", "%f[^%l%z]"));
        Assert.Equal([2, 5], Find(" alo aalo allo", "%f[%S].-%f[%s].-%f[%S]"));
        Assert.Equal(["alo "], Match(" alo aalo allo", "%f[%S](.-%f[%s].-%f[%S])"));
        Assert.Equal(
            [1, 5, 9, 14, 17],
            Gmatch("alo alo th02 is 1hat", "()%f[%w%d]").Select(v => (int)v[0]));
    }

    // ---- balance ----------------------------------------------------------------------------------------------

    [Fact]
    public void Balance()
    {
        static bool IsBalanced(string s) => Find(Gsub(s, "%b()", "").Result, "[()]") is null;
        Assert.True(IsBalanced("(9 ((8))(\0) 7) \0\0 a b ()(c)() a"));
        Assert.False(IsBalanced("(9 ((8) 7) a b (\0 c) a"));
        Assert.Equal(("alo \" alo", 1), Gsub("alo 'oi' alo", "%b''", "\""));
        Assert.Null(Match("((a)", "^%b()"));
    }

    // ---- string.gsub ------------------------------------------------------------------------------------------

    [Fact]
    public void Gsub_StringReplacements()
    {
        Assert.Equal(("xlo xlo", 2), Gsub("\u00e1lo \u00e1lo", "\u00e1", "x"));
        Assert.Equal(("alo \u00e1lo", 1), Gsub("alo \u00e1lo  ", " +$", ""));
        Assert.Equal(("alo alo", 1), Gsub("  alo alo  ", "^%s*(.-)%s*$", "%1"));
        Assert.Equal(("alo alo 123 ", 3), Gsub("alo  alo  \n 123\n ", "%s+", " "));
        var t = "ab\u00e7 d";
        var (a, b) = Gsub(t, "(.)", "%1@");
        Assert.Equal(5, b);
        Assert.Equal("@" + a, Gsub(t, "", "@").Result);
        Assert.Equal(6, Gsub(t, "", "@").Count);
        Assert.Equal(("a@b@\u00e7d", 2), Gsub("ab\u00e7d", "(.)", "%0@", 2));
        Assert.Equal(("12o 56o", 4), Gsub("alo alo", "()[al]", "%1"));
        Assert.Equal(("xyz=abc-abc=xyz", 1), Gsub("abc=xyz", "(%w*)(%p)(%w+)", "%3%2%1-%0"));
        Assert.Equal(("aabbcc", 3), Gsub("abc", "%w", "%1%0"));
        Assert.Equal(("abcabc", 1), Gsub("abc", "%w+", "%0%1"));
        Assert.Equal(("\u00e1\u00e9\u00ed\0\u00f3\u00fa", 1), Gsub("\u00e1\u00e9\u00ed", "$", "\0\u00f3\u00fa"));
        Assert.Equal(("r", 1), Gsub("", "^", "r"));
        Assert.Equal(("r", 1), Gsub("", "$", "r"));
        Assert.Equal(("%h%e%l%l%o%", 6), Gsub("hello", "", "%%"));
        Assert.Equal(("aabbc", 2), Gsub("abc", ".", "%0%0", 2));
        Assert.Equal(("-a-b-c-", 4), Gsub("abc", "", "-"));
        Assert.Equal(("-abc", 1), Gsub("abc", "", "-", 1));
        Assert.Equal(("-a-bc", 2), Gsub("abc", "", "-", 2));
        Assert.Equal(("-a--c-", 4), Gsub("abc", "b*", "-"));
        Assert.Equal(("hello world", 0), Gsub("hello world", "o", "0", -1));
        Assert.Equal(("hello world", 0), Gsub("hello world", "o", "0", 0));
        Assert.Equal(("hell0 world", 1), Gsub("hello world", "o", "0", 1));
        Assert.Equal(("abbc", 1), Gsub("abc", "(b)", "%1%1"));
        Assert.Equal(("a2c", 1), Gsub("abc", "()b", "%1"));
        Assert.Equal(("1a2b3c4", 4), Gsub("abc", "()", "%1"));
        Assert.Equal(("%%%", 3), Gsub("abc", "%w", "%%"));
        Assert.Equal(("a%b%c", 2), Gsub("a b c", "%s", "%%"));
        Assert.Equal(("<one> <two>  <three>", 3), Gsub("one two  three", "(%w+)", "<%1>"));
        Assert.Equal(("axc", 1), Gsub("abc", "(b", "x")); // the unfinished capture is never read
        Assert.Equal(("xbc", 1), Gsub("abc", "^a", "x"));
        Assert.Equal(("abc", 0), Gsub("abc", "^b", "x"));
        Assert.Equal(("x", 1), Gsub("aaa", "^a*", "x"));
        Assert.Equal(("xaaa", 1), Gsub("aaa", "^", "x"));
    }

    [Fact]
    public void Gsub_FunctionAndTableReplacements()
    {
        Assert.Equal(
            ("um (DOIS) tres (QUATRO)", 2),
            GsubWith("um (dois) tres (quatro)", "(%(%w+%))", v => ((string)v[0]).ToUpperInvariant()));

        var pairs = new List<(string, string)>();
        GsubWith("a=roberto,roberto=a", "(%w+)=(%w%w*)", v =>
        {
            pairs.Add(((string)v[0], (string)v[1]));
            return null;
        });
        Assert.Equal([("a", "roberto"), ("roberto", "a")], pairs);

        Assert.Equal(
            ("trocar tudo em bbbbb \u00e9 alalalalalal", 2),
            GsubWith("trocar tudo em |teste|b| \u00e9 |beleza|al|", "|([^|]*)|([^|]*)|",
                v => Gsub((string)v[0], ".", (string)v[1]).Result));

        var lengths = new Dictionary<int, int>();
        var s = "a alo jose  joao";
        var (r, n) = GsubWith(s, "()(%w+)()", v =>
        {
            Assert.Equal(((string)v[1]).Length, (int)v[2] - (int)v[0]);
            lengths[(int)v[0]] = (int)v[2] - (int)v[0];
            return null;
        });
        Assert.Equal(s, r);
        Assert.Equal(4, n);
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [3] = 3, [7] = 4, [13] = 4 }, lengths);

        string[] fruit = ["apple", "orange", "lime"];
        int next = 0;
        Assert.Equal(("apple and orange and lime", 3), GsubWith("x and x and x", "x", _ => fruit[next++]));

        var words = new List<string>();
        Assert.Equal(("first second word", 2), GsubWith("first second word", "%w+", v =>
        {
            words.Add((string)v[0]);
            return null;
        }, 2));
        Assert.Equal(["first", "second"], words);

        // Tables are indexed by the first value: a capture, a position, or the whole match.
        var table = new Dictionary<string, string?> { ["a"] = "AA", ["l"] = "" };
        Assert.Equal(("AAo AAo", 7), GsubWith("alo alo", "(.)", v => table.GetValueOrDefault((string)v[0])));
        var table2 = new Dictionary<string, string?> { ["a"] = "AA", ["l"] = "K" };
        Assert.Equal(("AAo AAo", 3), GsubWith("alo alo", "(.).", v => table2.GetValueOrDefault((string)v[0])));
        Assert.Equal(("256 alo", 7), GsubWith("alo alo", "().", v => (int)v[0] switch
        {
            1 => "2",
            2 => "5",
            3 => "6",
            _ => null,
        }));

        // A recursive reversal through nested gsubs (pm.luau's rev).
        static string Reverse(string text) =>
            GsubWith(text, "(.)(.+)", v => Reverse((string)v[1]) + (string)v[0]).Result;
        var digits = string.Concat(Enumerable.Repeat("012345", 10));
        Assert.Equal(digits, Reverse(Reverse(digits)));
        Assert.Equal("543210", Reverse("012345"));
    }

    // ---- string.gmatch ----------------------------------------------------------------------------------------

    [Fact]
    public void Gmatch_Iterates()
    {
        Assert.Equal([1, 2, 3, 4, 5, 6], Gmatch("abcde", "()").Select(v => (int)v[0]));
        Assert.Equal(["first", "second", "word"], Gmatch("first second word", "%w+").Select(v => (string)v[0]));
        Assert.Equal([3, 6, 9], Gmatch("xuxx uu ppar r", "()(.)%2").Select(v => (int)v[0]));
        Assert.Equal(
            ["10=11", "15=16", "22=23"],
            Gmatch("13 14 10 = 11, 15= 16, 22=23", "(%d+)%s*=%s*(%d+)").Select(v => v[0] + "=" + v[1]));
        // An empty match advances one byte; a non-empty one continues right after it.
        Assert.Equal(["abc", ""], Gmatch("abc", "%w*").Select(v => (string)v[0]));
        Assert.Equal(
            ["1,1", "2,3", "3,3", "4,4"],
            Gmatch("abc", "()b*()").Select(v => v[0] + "," + v[1]));
        // In gmatch a leading '^' is an ordinary character.
        Assert.Equal(["^a", "^b"], Gmatch("^a^b", "^.").Select(v => (string)v[0]));
        Assert.Empty(Gmatch("abc", "^a"));
        Assert.Empty(Gmatch("", "a"));
        Assert.Single(Gmatch("", ""));
    }

    [Fact]
    public void Gmatch_PositionPastTheEndFindsNothing()
    {
        var matcher = new PatternMatcher("abc"u8, ""u8, caretAnchors: false);
        int position = 4;
        Assert.False(matcher.NextMatch(ref position, out _, out _));
        Assert.Equal(4, position);
        position = 3;
        Assert.True(matcher.NextMatch(ref position, out int start, out int end));
        Assert.Equal((3, 3, 4), (start, end, position));
    }

    [Fact]
    public void TryMatch_AnchorsAtTheGivenOffset()
    {
        var matcher = new PatternMatcher("hello world"u8, "(o)(%s?)"u8, caretAnchors: true);
        Assert.False(matcher.TryMatch(0, out _));
        Assert.True(matcher.TryMatch(4, out int end));
        Assert.Equal(6, end);
        Assert.Equal(2, matcher.CaptureCount);
        var second = matcher.GetCapture(1, 4, end);
        Assert.Equal((5, 1, false), (second.Start, second.Length, second.IsPosition));
        Assert.Equal(" "u8, matcher.CaptureBytes(second));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var m = new PatternMatcher("a"u8, "a"u8, caretAnchors: true);
            m.TryMatch(2, out _);
        });
    }

    // ---- errors -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("(.", "unfinished capture")]
    [InlineData(".)", "invalid pattern capture")]
    [InlineData("[a", "malformed pattern (missing ']')")]
    [InlineData("[]", "malformed pattern (missing ']')")]
    [InlineData("[^]", "malformed pattern (missing ']')")]
    [InlineData("[a%]", "malformed pattern (missing ']')")]
    [InlineData("[a%", "malformed pattern (missing ']')")]
    [InlineData("%b", "malformed pattern (missing arguments to '%b')")]
    [InlineData("%ba", "malformed pattern (missing arguments to '%b')")]
    [InlineData("%", "malformed pattern (ends with '%')")]
    [InlineData("%f", "missing '[' after '%f' in pattern")]
    [InlineData("%fx", "missing '[' after '%f' in pattern")]
    [InlineData("(()", "unfinished capture")]
    [InlineData("%1", "invalid capture index %1")]
    [InlineData("(a)%2", "invalid capture index %2")]
    [InlineData("(%1)", "invalid capture index %1")]
    [InlineData("(%0)", "invalid capture index %0")]
    [InlineData("(a%1)", "invalid capture index %1")]
    public void Find_ReportsMalformedPatterns(string pattern, string message) =>
        Assert.Equal(message, Error(() => Find("a", pattern)));

    [Fact]
    public void Errors_InLaterItemsAppearOnlyWhenMatchingReachesThem()
    {
        Assert.Null(Find("a", "x%"));
        Assert.Equal("malformed pattern (ends with '%')", Error(() => Find("x", "x%")));
        Assert.Null(Find("a", "(x))"));
        Assert.Equal("invalid pattern capture", Error(() => Find("x", "(x))")));
        Assert.Null(Find("abc", "x[a"));
        Assert.Equal("malformed pattern (missing ']')", Error(() => Find("abcx", "x[a")));
        // A malformed first item is reported even when no position could match.
        Assert.Equal("malformed pattern (missing ']')", Error(() => Find("", "[a")));
    }

    [Fact]
    public void CaptureLimits()
    {
        Assert.Equal("too many captures", Error(() => Find("x", string.Concat(Enumerable.Repeat("()", 33)))));
        Assert.Equal("unfinished capture", Error(() => Find("x", new string('(', 32))));
        Assert.Equal("too many captures", Error(() => Find("x", new string('(', 33))));
        Assert.Equal("unfinished capture", Error(() => Match("alo", "(.")));
    }

    [Fact]
    public void Replacement_Errors()
    {
        Assert.Equal("invalid capture index", Error(() => Gsub("alo", "(.)", "%2")));
        Assert.Equal("invalid use of '%' in replacement string", Error(() => Gsub("alo", ".", "%")));
        Assert.Equal("invalid use of '%' in replacement string", Error(() => Gsub("alo", ".", "%x")));
        Assert.Equal("invalid capture index", Error(() => Gsub("abc", "(b)", "%9")));
        Assert.Equal("unfinished capture", Error(() => GsubWith("alo", "(.", _ => null)));
        Assert.Equal("invalid pattern capture", Error(() => GsubWith("alo", ".)", _ => null)));
        Assert.Equal("invalid capture index %1", Error(() => Gsub("alo", "(%1)", "a")));
        Assert.Equal("invalid capture index %0", Error(() => Gsub("alo", "(%0)", "a")));
        // Without captures %1 is the whole match.
        Assert.Equal(("alo", 3), Gsub("alo", ".", "%1"));
        // No match, no replacement string expansion, no error.
        Assert.Equal(("alo", 0), Gsub("alo", "x", "%"));
    }

    // ---- limits and hostile patterns --------------------------------------------------------------------------

    [Fact]
    public void Depth_IsLimitedTo200NestedSubMatches()
    {
        string As(int n) => new('a', n);
        string Optional(int n) => string.Concat(Enumerable.Repeat("a?", n));
        Assert.Equal([1, 199], Find(As(199), Optional(199)));
        Assert.Equal("pattern too complex", Error(() => Find(As(200), Optional(200))));
        Assert.Equal("pattern too complex", Error(() => Find(As(300), Optional(300))));
        // Optional items that do not match use no depth.
        Assert.Equal([1, 1], Find("a", Optional(300)));
        // A failed deep attempt leaves the matcher usable for the next one.
        var matcher = new PatternMatcher(B(As(300)), B(Optional(250)), caretAnchors: true);
        bool threw = false;
        try
        {
            matcher.TryMatch(0, out _);
        }
        catch (LuauError e) when (e.Message == "pattern too complex")
        {
            threw = true;
        }
        Assert.True(threw);
        Assert.True(matcher.TryMatch(101, out int end));
        Assert.Equal(300, end);
    }

    [Fact]
    public void DeepRecursionOfEveryKind_GivesPatternTooComplex()
    {
        var source = B(new string('a', 1000));
        foreach (string item in new[] { "a*", "a-", "a?", "()", "(a)" })
        {
            string pattern = string.Concat(Enumerable.Repeat(item, 250)) + "b";
            if (item.StartsWith('('))
            {
                // Captures run out first.
                Assert.Equal("too many captures", Error(() =>
                {
                    var m = new PatternMatcher(source, B(pattern), caretAnchors: true);
                    m.Search(0, out _, out _);
                }));
                continue;
            }
            Assert.Equal("pattern too complex", Error(() =>
            {
                var m = new PatternMatcher(source, B(pattern), caretAnchors: true);
                m.Search(0, out _, out _);
            }));
        }
    }

    [Fact]
    public void DeepestLegalMatch_FitsInASmallStack()
    {
        // 200 nested sub-matches of every recursive kind run on a thread with a 256 KiB stack: the recursion
        // depth is bounded by the pattern depth limit, not by the source length.
        string? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var source = B(new string('a', 5000));
                foreach (string item in new[] { "a*", "a-", "a?" })
                {
                    var pattern = B(string.Concat(Enumerable.Repeat(item, 199)));
                    var matcher = new PatternMatcher(source, pattern, caretAnchors: true);
                    if (!matcher.TryMatch(0, out _))
                        failure = "no match for " + item;
                }
                var captures = B(string.Concat(Enumerable.Repeat("(a*)", 32)) + string.Concat(Enumerable.Repeat("a?", 160)));
                var withCaptures = new PatternMatcher(source, captures, caretAnchors: true);
                if (!withCaptures.TryMatch(0, out _))
                    failure = "no match with captures";
            }
            catch (Exception e)
            {
                failure = e.ToString();
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }

    [Fact]
    public void BigStrings_AreLinear()
    {
        var a = new string('a', 300000);
        var watch = Stopwatch.StartNew();
        Assert.NotNull(Find(a, "^a*.?$"));
        Assert.Null(Find(a, "^a*.?b$"));
        Assert.NotNull(Find(a, "^a-.?$"));
        Assert.Equal((new string('b', 300000), 300000), Gsub(a, "a", "b"));
        Assert.Single(Gmatch(a + "x" + a, "x"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    private sealed class Budget(int steps)
    {
        public int Calls { get; private set; }

        public void Tick()
        {
            Calls++;
            if (Calls >= steps)
                throw new LuauError("timeout");
        }
    }

    [Theory]
    [InlineData("a-a-a-a-a-a-a-a-a-a-b")]
    [InlineData("(a*)*b")]
    [InlineData("a*a*a*a*a*a*a*a*b")]
    [InlineData(".-.-.-.-.-.-$a")]
    public void HostilePatterns_AreInterruptible(string pattern)
    {
        var source = B(new string('a', 100000));
        var budget = new Budget(2000);
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<LuauError>(() =>
        {
            var matcher = new PatternMatcher(source, B(pattern), caretAnchors: true, budget.Tick);
            matcher.Search(0, out _, out _);
        });
        Assert.Equal("timeout", error.Message);
        Assert.Equal(2000, budget.Calls);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Interrupt_RunsDuringGmatchAndGsubToo()
    {
        var haystack = B(new string('x', 100));
        var pattern = B(string.Concat(Enumerable.Repeat("x?", 100)) + new string('x', 100));

        var budget = new Budget(1000);
        Assert.Throws<LuauError>(() =>
        {
            var m = new PatternMatcher(haystack, pattern, caretAnchors: false, budget.Tick);
            int position = 0;
            m.NextMatch(ref position, out _, out _);
        });
        Assert.Equal(1000, budget.Calls);

        budget = new Budget(1000);
        Assert.Throws<LuauError>(() =>
        {
            var m = new PatternMatcher(haystack, pattern, caretAnchors: true, budget.Tick);
            using var output = new ByteBuilder();
            m.ReplaceAll("%0"u8, 101, output);
        });
        Assert.Equal(1000, budget.Calls);
    }

    [Fact]
    public void Interrupt_IsCalledEveryIntervalSteps()
    {
        // "a-" over 10 000 bytes then failing: a few sub-matches per byte, so tens of interrupt calls.
        int calls = 0;
        var matcher = new PatternMatcher(B(new string('a', 10000)), "^a-b"u8, caretAnchors: true, () => calls++);
        Assert.False(matcher.Search(0, out _, out _));
        Assert.InRange(calls, 10000 / PatternMatcher.InterruptInterval, 3 * 10000 / PatternMatcher.InterruptInterval);
    }

    [Fact]
    public void Fuzz_RandomPatternsOnlyRaiseLuauErrors()
    {
        // Random patterns built from pattern fragments (many malformed) over random sources: every call must end
        // with a result or a LuauError, never another exception. Fixed seed, bounded input count and sizes.
        string[] fragments =
        [
            "a", "b", ".", "%a", "%d", "%s", "%z", "[ab]", "[^a]", "[a-c]", "[]]", "[^]a]", "[\0-a]", "*", "+", "-", "?",
            "(", ")", "()", "%1", "%2", "%b()", "%b\0a", "%f[a]", "%f[%z]", "^", "$", "%", "[", "]", "\0", "%%", "x",
        ];
        var random = new Random(20240611);
        int errors = 0;
        for (int n = 0; n < 4000; n++)
        {
            var pattern = new StringBuilder();
            for (int k = random.Next(0, 9); k > 0; k--)
                pattern.Append(fragments[random.Next(fragments.Length)]);
            var source = new StringBuilder();
            for (int k = random.Next(0, 12); k > 0; k--)
                source.Append("ab()1 x\0\u0080-"[random.Next(10)]);
            string s = source.ToString(), p = pattern.ToString();
            try
            {
                Find(s, p, random.Next(-3, 14));
                Match(s, p);
                Gsub(s, p, "<%0>");
                Gsub(s, p, "%1", 2);
                Gmatch(s, p);
            }
            catch (LuauError)
            {
                errors++;
            }
        }
        Assert.InRange(errors, 100, 3900); // both outcomes occur
    }

    [Fact]
    public void Matching_DoesNotAllocate()
    {
        var source = B("the quick brown fox jumps over the lazy dog " + new string('x', 1000));
        var pattern = B("(%a+) (%a+)%s*()");
        // Warm up (JIT, static tables), then measure.
        CountMatches(source, pattern);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int count = CountMatches(source, pattern);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(5, count);
        Assert.Equal(0, allocated);

        static int CountMatches(byte[] source, byte[] pattern)
        {
            int count = 0;
            int position = 0;
            while (true)
            {
                var m = new PatternMatcher(source, pattern, caretAnchors: false);
                if (!m.NextMatch(ref position, out int start, out int end))
                    return count;
                _ = m.GetCapture(2, start, end);
                count++;
            }
        }
    }
}
