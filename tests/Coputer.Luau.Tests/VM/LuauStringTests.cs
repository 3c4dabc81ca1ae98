using System.Text;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary><see cref="LuauString"/>: content equality, a stable hash, byte ordering and 8-bit cleanliness.</summary>
public class LuauStringTests
{
    [Fact]
    public void HashOfShortStringsIsTheLua51Hash()
    {
        // h = len, then for each byte from the last: h ^= (h << 5) + (h >> 2) + byte.
        // "a": 1 ^ (32 + 0 + 97) = 128.
        Assert.Equal(128u, LuauString.FromUtf8("a").Hash);
        // "ab": 2 ^ (64 + 0 + 98) = 160; then 160 ^ (5120 + 40 + 97) = 5161.
        Assert.Equal(5161u, LuauString.FromUtf8("ab").Hash);
        Assert.Equal(0u, LuauString.Empty.Hash);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("hello world")]
    [InlineData("a string that is longer than thirty-two bytes, hashed in blocks")]
    public void EqualContentMeansEqualStringsAndHashes(string text)
    {
        var a = LuauString.FromUtf8(text);
        var b = LuauString.From(Encoding.UTF8.GetBytes(text));
        var c = LuauString.From(Encoding.UTF8.GetBytes(text + "!").AsSpan(0, Encoding.UTF8.GetByteCount(text)));
        Assert.Equal(a.Hash, b.Hash);
        Assert.Equal(a.Hash, c.Hash);
        Assert.Equal(a.GetHashCode(), c.GetHashCode());
        Assert.True(a == b);
        Assert.True(a.Equals(c));
        Assert.Equal(0, a.CompareTo(c));
        Assert.Equal(text.Length, a.Length);
        Assert.Equal(text, c.ToString());
        // The hash depends on every byte: changing one gives a different string.
        var d = LuauString.FromUtf8(text + "?");
        Assert.False(a == d);
    }

    [Fact]
    public void LongStringsHashEveryBlock()
    {
        var s1 = new string('a', 100);
        var s2 = "b" + new string('a', 99);
        var s3 = new string('a', 99) + "b";
        Assert.NotEqual(LuauString.FromUtf8(s1).Hash, LuauString.FromUtf8(s2).Hash);
        Assert.NotEqual(LuauString.FromUtf8(s1).Hash, LuauString.FromUtf8(s3).Hash);
        Assert.Equal(LuauString.FromUtf8(s1).Hash, LuauString.From(Encoding.ASCII.GetBytes(s1)).Hash);
    }

    [Fact]
    public void OrderIsByUnsignedBytesThenLength()
    {
        static LuauString S(params byte[] bytes) => LuauString.From(bytes);
        Assert.True(S(0xFF).CompareTo(S((byte)'a')) > 0);
        Assert.True(S(0).CompareTo(S(1)) < 0);
        Assert.True(S((byte)'a').CompareTo(S((byte)'a', 0)) < 0);
        Assert.True(LuauString.Empty.CompareTo(S(0)) < 0);
        Assert.True(S((byte)'a', (byte)'b').CompareTo(S((byte)'a', (byte)'c')) < 0);
    }

    [Fact]
    public void AllByteValuesSurviveTheRoundTrip()
    {
        var bytes = new byte[256];
        for (int i = 0; i < 256; i++)
            bytes[i] = (byte)i;
        var s = LuauString.From(bytes);
        Assert.Equal(bytes, s.Span.ToArray());
        // Invalid UTF-8 decodes with replacement characters for display only.
        Assert.Equal("\uFFFD", LuauString.From([0xFF]).ToString());

        var engine = new LuauEngine();
        engine.Globals["raw"] = s;
        var r = engine.DoString("""
            local n, sum = #raw, 0
            for i = 1, n do sum += raw:byte(i) end
            local copy = raw:sub(1, 128) .. raw:sub(129)
            local t = {[raw] = 'found'}
            return n, sum, copy == raw, t[copy], raw:byte(1), raw:byte(256), string.char(0, 255, 128)
            """);
        Assert.Equal(256, r[0].Number);
        Assert.Equal(255 * 256 / 2, r[1].Number);
        Assert.True(r[2].Boolean);
        Assert.Equal("found", r[3].ToString());
        Assert.Equal(0, r[4].Number);
        Assert.Equal(255, r[5].Number);
        Assert.Equal(new byte[] { 0, 255, 128 }, r[6].AsString!.Span.ToArray());
        // Strings made in Luau and on the host with the same bytes are the same table key.
        Assert.Equal("found", engine.DoString("local t = {['\\0\\255'] = 'found'} return t")[0].AsTable![LuauString.From([0, 255])].ToString());
    }

    [Theory]
    [InlineData("return #'\\0\\0', '\\0a\\0' == '\\0a\\0', ('\\0a'):rep(2) == '\\0a\\0a', '\\0' < '\\1', 'a\\0' > 'a', '\\255' > 'a'", "2\ttrue\ttrue\ttrue\ttrue\ttrue")]
    [InlineData("local s = '\\0x\\0' return s:find('x', 1, true), s:upper() == '\\0X\\0', #string.format('%s', s)", "2\ttrue\t3")]
    [InlineData("return ('\\200\\201'):byte(1, 2)", "200\t201")]
    public void StringsAreEightBitCleanInScripts(string source, string expected) => ScriptRunner.Expect(source, expected);
}
