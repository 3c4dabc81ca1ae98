using System.Text;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// The utf8 primitives, exercised as utf8.luau exercises the library. Test strings are either real text (encoded
/// to UTF-8 with <see cref="U"/>) or raw bytes written as byte-valued characters (<see cref="B"/>).
/// </summary>
public class Utf8Tests
{
    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    /// <summary><c>utf8.len(s, i, j)</c>: the count, or null and the position of the first invalid byte.</summary>
    private static (int? Count, int? Invalid) Len(byte[] s, int i = 1, int j = -1) =>
        Utf8.TryLength(s, i, j, out int result) ? (result, null) : (null, result);

    private static int[] CodePoint(byte[] s, int i = 1, int? j = null)
    {
        if (!Utf8.TryGetCodePointRange(s.Length, i, j, out int start, out int end))
            return [];
        var values = new List<int>();
        for (int at = start; at < end;)
        {
            at = Utf8.DecodeOrThrow(s, at, out int code);
            values.Add(code);
        }
        return [.. values];
    }

    private static int? Offset(byte[] s, int n, int? i = null)
    {
        int position = Utf8.Offset(s, n, i);
        return position == 0 ? null : position;
    }

    private static List<(int Position, int Code)> Codes(byte[] s)
    {
        var all = new List<(int, int)>();
        long control = 0;
        while (Utf8.NextCode(s, control, out int position, out int code))
        {
            all.Add((position, code));
            control = position;
        }
        return all;
    }

    private static byte[] Char(params int[] codes)
    {
        using var output = new ByteBuilder();
        for (int i = 0; i < codes.Length; i++)
            Utf8.AppendChar(output, codes[i], i + 1);
        return output.ToArray();
    }

    private static string Error(Action action) => Assert.ThrowsAny<LuauError>(action).Message;

    /// <summary>The bytes of one <c>string.gmatch(s, utf8.charpattern)</c> match after another.</summary>
    private static List<byte[]> CharPatternMatches(byte[] s)
    {
        var all = new List<byte[]>();
        int position = 0;
        while (true)
        {
            var matcher = new PatternMatcher(s, Utf8.CharPattern, caretAnchors: false);
            if (!matcher.NextMatch(ref position, out int start, out int end))
                return all;
            all.Add(s[start..end]);
        }
    }

    /// <summary>utf8.luau's <c>check</c>: every function agrees on string <paramref name="s"/> with code points <paramref name="t"/>.</summary>
    private static void Check(byte[] s, int[] t)
    {
        int l = Len(s).Count!.Value;
        Assert.Equal(t.Length, l);
        Assert.Equal(l, s.Count(b => (b & 0xC0) != 0x80)); // bytes that are not continuation bytes
        Assert.Equal(s, Char(t));
        Assert.Equal(1, Offset(s, 0));
        Assert.Equal(t, CodePoint(s, 1, -1));

        var justOne = new byte[Utf8.CharPattern.Length + 2];
        justOne[0] = (byte)'^';
        Utf8.CharPattern.CopyTo(justOne.AsSpan(1));
        justOne[^1] = (byte)'$';

        for (int i = 1; i <= l; i++)
        {
            int pi = Offset(s, i)!.Value;
            int pi1 = Offset(s, 2, pi)!.Value;
            var one = s[(pi - 1)..(pi1 - 1)];
            var matcher = new PatternMatcher(one, justOne, caretAnchors: true);
            Assert.True(matcher.Search(0, out _, out _));
            Assert.Equal(pi, Offset(s, -1, pi1));
            Assert.Equal(pi, Offset(s, i - l - 1));
            Assert.Equal(pi1 - pi, Char(CodePoint(s, pi, pi)).Length);
            for (int j = pi; j < pi1; j++)
                Assert.Equal(pi, Offset(s, 0, j));
            for (int j = pi + 1; j < pi1; j++)
                Assert.Null(Len(s, j).Count);
            Assert.Equal(1, Len(s, pi, pi).Count);
            Assert.Equal(1, Len(s, pi, pi1 - 1).Count);
            Assert.Equal(l - i + 1, Len(s, pi, -1).Count);
            Assert.Equal(l - i, Len(s, pi1, -1).Count);
            Assert.Equal(i, Len(s, 1, pi).Count);
        }

        var codes = Codes(s);
        Assert.Equal(t, codes.Select(c => c.Code));
        for (int i = 0; i < codes.Count; i++)
        {
            Assert.Equal(Offset(s, i + 1), codes[i].Position);
            Assert.Equal([codes[i].Code], CodePoint(s, codes[i].Position, codes[i].Position));
        }

        var matches = CharPatternMatches(s);
        Assert.Equal(t.Length, matches.Count);
        for (int i = 0; i < t.Length; i++)
            Assert.Equal(Char(t[i]), matches[i]);

        for (int i = 1; i <= l; i++)
            Assert.Equal(Offset(s, i), Offset(s, i - l - 1, s.Length + 1));
    }

    [Fact]
    public void Offset_PastTheEnds()
    {
        Assert.Null(Offset(B("alo"), 5));
        Assert.Null(Offset(B("alo"), -4));
        Assert.Equal(4, Offset(B("alo"), 4));
        Assert.Equal(1, Offset(B("alo"), -3));
    }

    [Fact]
    public void Len_ReportsTheFirstInvalidByte()
    {
        Assert.Equal((null, 4), Len(B("abc\u00e3def")));
        Assert.Equal((null, 1), Len(B("\u00f4\u009f\u00bf")));
        Assert.Equal((null, 1), Len(B("\u00f4\u009f\u00bf\u00bf")));
        var han = U("汉字");
        Assert.Equal((null, han.Length + 1), Len([.. han, 0x80]));
        Assert.Equal((null, 1), Len(B("\u0080hello")));
        Assert.Equal((null, 4), Len(B("hel\u0080lo")));
        Assert.Equal((null, han.Length + 1), Len([.. han, 0xBF]));
        Assert.Equal((null, 1), Len(B("\u00bfhello")));
        Assert.Equal((null, 4), Len(B("hel\u00bflo")));
    }

    [Theory]
    [InlineData("ab\u00ff")]
    [InlineData("\u00f4\u0090\u0080\u0080")] // U+110000
    [InlineData("in\u0080valid")]
    [InlineData("\u00bfinvalid")]
    public void Codes_RejectsInvalidText(string raw) =>
        Assert.Equal("invalid UTF-8 code", Error(() => Codes(B(raw))));

    [Fact]
    public void Codes_RejectsInvalidTextAfterValidCharacters()
    {
        Assert.Equal("invalid UTF-8 code", Error(() => Codes([.. U("αλφ"), 0xBF, .. U("α")])));
        // A character followed by a stray continuation byte is itself rejected.
        Assert.Equal("invalid UTF-8 code", Error(() => Utf8.NextCode(B("a\u0080"), 0, out _, out _)));
    }

    [Fact]
    public void Codes_ControlValuesOutsideTheString()
    {
        Assert.False(Utf8.NextCode([], 2, out _, out _));
        Assert.False(Utf8.NextCode([], -1, out _, out _));
        Assert.False(Utf8.NextCode([], int.MinValue, out _, out _));
        Assert.False(Utf8.NextCode(B("abc"), 3, out _, out _));
        Assert.True(Utf8.NextCode(B("abc"), -5, out int position, out int code));
        Assert.Equal((1, 'a'), (position, code));
        // From inside a character the step skips its continuation bytes.
        var s = U("é!");
        Assert.True(Utf8.NextCode(s, 2, out position, out code));
        Assert.Equal((3, '!'), (position, code));
    }

    [Fact]
    public void Offset_Errors()
    {
        Assert.Equal("invalid argument #3 (position out of range)", Error(() => Offset(B("abc"), 1, 5)));
        Assert.Equal("invalid argument #3 (position out of range)", Error(() => Offset(B("abc"), 1, -4)));
        Assert.Equal("invalid argument #3 (position out of range)", Error(() => Offset(B(""), 1, 2)));
        Assert.Equal("invalid argument #3 (position out of range)", Error(() => Offset(B(""), 1, -1)));
        Assert.Equal("initial position is a continuation byte", Error(() => Offset(U("𦧺"), 1, 2)));
        Assert.Equal("initial position is a continuation byte", Error(() => Offset(B("\u0080"), 1)));
    }

    [Fact]
    public void Len_Errors()
    {
        Assert.Equal("invalid argument #2 (initial position out of string)", Error(() => Len(B("abc"), 0, 2)));
        Assert.Equal("invalid argument #3 (final position out of string)", Error(() => Len(B("abc"), 1, 4)));
        Assert.Equal("invalid argument #2 (initial position out of string)", Error(() => Len(B("abc"), 5)));
        Assert.Equal((0, null), Len(B("abc"), 4));
        Assert.Equal((0, null), Len(B("abc"), 3, 2));
        Assert.Equal((3, null), Len(B("abc"), -3));
        Assert.Equal("invalid argument #2 (initial position out of string)", Error(() => Len(B("abc"), -100)));
    }

    [Fact]
    public void Check_Ascii() => Check(B("hello World"), [.. "hello World".Select(c => (int)c)]);

    [Fact]
    public void Check_Han() => Check(U("汉字/漢字"), [27721, 23383, 47, 28450, 23383]);

    [Fact]
    public void Check_Empty() => Check([], []);

    [Fact]
    public void Check_BoundariesOfEachLength() =>
        Check(
            B("\0\u007f\u00c2\u0080\u00df\u00bf\u00e0\u00a0\u0080\u00ef\u00bf\u00bf\u00f0\u0090\u0080\u0080\u00f4\u008f\u00bf\u00bf"),
            [0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF]);

    [Fact]
    public void Check_MixedWithZero() =>
        Check(U("日本語a-4\0éó"), [26085, 26412, 35486, 97, 45, 52, 0, 233, 243]);

    [Fact]
    public void Check_SupplementaryCharacters()
    {
        Check(U("𣲷𠜎𠱓𡁻𠵼ab𠺢"), [0x23CB7, 0x2070E, 0x20C53, 0x2107B, 0x20D7C, 0x61, 0x62, 0x20EA2]);
        Check([.. U("𨳊𩶘𦧺𨳒𥄫𤓓"), 0xF4, 0x8F, 0xBF, 0xBF], [0x28CCA, 0x29D98, 0x269FA, 0x28CD2, 0x2512B, 0x244D3, 0x10FFFF]);
    }

    [Fact]
    public void CodePoint_RangesAndErrors()
    {
        var s = B("\u00c3\u00a1\u00c3\u00a9\u00c3\u00ad\u0080"); // "áéí" then a stray byte
        Assert.Equal([225, 233, 237], CodePoint(s, 1, s.Length - 1));
        Assert.Equal("invalid UTF-8 code", Error(() => CodePoint(s, 1, s.Length)));
        Assert.Equal("invalid argument #3 (out of range)", Error(() => CodePoint(s, s.Length + 1))); // j defaults to i
        Assert.Empty(CodePoint(s, 4, 3));
        Assert.Equal("invalid argument #2 (out of range)", Error(() => CodePoint(s, -(s.Length + 1), 1)));
        Assert.Equal("invalid argument #3 (out of range)", Error(() => CodePoint(s, 1, s.Length + 1)));
        Assert.Equal([0xD7FF], CodePoint(U("\uD7FF")));
        Assert.Equal([0xE000], CodePoint(U("\uE000")));
        Assert.Equal("invalid UTF-8 code", Error(() => CodePoint(B("\u00ed\u00a0\u0080")))); // U+D800
        Assert.Equal("invalid UTF-8 code", Error(() => CodePoint(B("\u00ed\u00bf\u00bf")))); // U+DFFF
        Assert.Equal("invalid UTF-8 code", Error(() => CodePoint(B("\u00fd\u00bf\u00bf\u00bf\u00bf\u00bf"))));
        // A character is decoded whole even when it runs past j.
        Assert.Equal([0x4E2D], CodePoint(U("中"), 1, 1));
        Assert.Equal([(int)'c'], CodePoint(B("abc"), -1));
    }

    [Fact]
    public void Char_EncodesAndChecksRange()
    {
        Assert.Empty(Char());
        Assert.Equal(B("\0abc\u0001"), Char(0, 97, 98, 99, 1));
        Assert.Equal([0x10FFFF], CodePoint(Char(0x10FFFF)));
        Assert.Equal(B("\u00ed\u00a0\u0080"), Char(0xD800)); // surrogates encode, though they never decode
        Assert.Equal("invalid argument #1 (value out of range)", Error(() => Char(0x7FFFFFFF)));
        Assert.Equal("invalid argument #1 (value out of range)", Error(() => Char(int.MinValue)));
        Assert.Equal("invalid argument #1 (value out of range)", Error(() => Char(-1)));
        Assert.Equal("invalid argument #2 (value out of range)", Error(() => Char(65, 0x110000)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Utf8.Encode(0x110000, new byte[4]));
    }

    [Fact]
    public void Encode_AgreesWithTheFramework()
    {
        var buffer = new byte[Utf8.MaxEncodedLength];
        for (int code = 0; code <= Utf8.MaxCodePoint; code += code < 0x1000 ? 1 : 97)
        {
            if (code is >= 0xD800 and <= 0xDFFF)
                continue;
            int written = Utf8.Encode(code, buffer);
            Assert.Equal(U(char.ConvertFromUtf32(code)), buffer[..written]);
            Assert.Equal(written, Utf8.Decode(buffer.AsSpan(0, written), 0, out int decoded));
            Assert.Equal(code, decoded);
        }
    }

    [Theory]
    [InlineData("\u00f4\u009f\u00bf\u00bf")] // above U+10FFFF
    [InlineData("\u00ed\u00a0\u0080")] // U+D800
    [InlineData("\u00ed\u00bf\u00bf")] // U+DFFF
    [InlineData("\u00c0\u0080")] // overlong zero
    [InlineData("\u00c1\u00bf")] // overlong 0x7F
    [InlineData("\u00e0\u009f\u00bf")] // overlong 0x7FF
    [InlineData("\u00f0\u008f\u00bf\u00bf")] // overlong 0xFFFF
    [InlineData("\u0080")]
    [InlineData("\u00bf")]
    [InlineData("\u00fe")]
    [InlineData("\u00ff")]
    [InlineData("\u00e4\u00b8")] // truncated
    [InlineData("\u00f8\u0088\u0080\u0080\u0080")] // a 5-byte form
    public void Invalid(string raw)
    {
        var s = B(raw);
        Assert.Equal("invalid UTF-8 code", Error(() => CodePoint(s)));
        Assert.Null(Len(s).Count);
        Assert.Equal(-1, Utf8.Decode(s, 0, out _));
    }

    [Fact]
    public void Fuzz_ValidityAgreesWithTheFramework()
    {
        // Random byte strings mixing valid sequences with stray, truncated, overlong and surrogate ones. The
        // reference's rules are the standard ones, so utf8.len succeeds exactly when .NET calls the bytes valid,
        // and then counts the same characters. Other helpers only raise LuauErrors. Fixed seed, bounded count.
        byte[][] pieces =
        [
            B("a"), B("\0"), U("é"), U("中"), U("😀"), B("\u0080"), B("\u00bf"), B("\u00c0\u0080"),
            B("\u00ed\u00a0\u0080"), B("\u00f4\u0090\u0080\u0080"), B("\u00e4\u00b8"), B("\u00ff"), B("\u00f0"),
        ];
        var random = new Random(99);
        for (int n = 0; n < 3000; n++)
        {
            var bytes = new List<byte>();
            for (int k = random.Next(0, 7); k > 0; k--)
                bytes.AddRange(pieces[random.Next(pieces.Length)]);
            var s = bytes.ToArray();
            bool valid = System.Text.Unicode.Utf8.IsValid(s);
            var (count, invalid) = Len(s);
            Assert.Equal(valid, count is not null);
            if (valid)
            {
                Assert.Equal(Encoding.UTF8.GetString(s).EnumerateRunes().Count(), count);
                Assert.Equal(count, Codes(s).Count);
            }
            else
                Assert.InRange(invalid!.Value, 1, s.Length);
            int i = random.Next(-8, 9);
            int j = random.Next(-8, 9);
            foreach (Action action in new Action[]
            {
                () => Len(s, i, j),
                () => CodePoint(s, i, j),
                () => Offset(s, random.Next(-4, 5), i),
                () => Codes(s),
            })
            {
                try
                {
                    action();
                }
                catch (LuauError)
                {
                }
            }
        }
    }

    [Fact]
    public void CharPattern_IsTheReferenceValue()
    {
        Assert.Equal(B("[\0-\u007f\u00c2-\u00f4][\u0080-\u00bf]*"), Utf8.CharPattern.ToArray());
        var x = U("日本語a-4\0éó");
        var matches = CharPatternMatches(x);
        Assert.Equal(9, matches.Count);
        Assert.Equal(U("語"), matches[2]);
    }
}
