using System.Text;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// <c>string.pack</c>, <c>unpack</c> and <c>packsize</c> at the primitive level: the cases of tpack.luau plus exact
/// byte layouts and error messages. Strings are C# strings of byte-valued characters (Latin-1).
/// </summary>
public class StringPackTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static string S(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static string Hex(string s) => Convert.ToHexString(B(s));

    /// <summary>The pack arguments: values are doubles (numbers) or strings, starting at argument #2.</summary>
    private readonly struct Arguments(object[] values) : IPackArguments
    {
        private object Get(int argument) =>
            argument - 2 < values.Length ? values[argument - 2] : throw new LibraryArgumentError(argument, "number expected, got no value");

        public double GetNumber(int argument) => Get(argument) switch
        {
            double d => d,
            int i => i,
            _ => throw new LibraryArgumentError(argument, "number expected, got string"),
        };

        public ReadOnlySpan<byte> GetString(int argument) =>
            Get(argument) is string s ? B(s) : throw new LibraryArgumentError(argument, "string expected, got number");
    }

    private sealed class Results : IUnpackResults
    {
        public List<object> Values { get; } = [];

        public void AddNumber(double value) => Values.Add(value);

        public void AddString(ReadOnlySpan<byte> value) => Values.Add(S(value));
    }

    private static string Pack(string format, params object[] values)
    {
        using var output = new ByteBuilder();
        var arguments = new Arguments(values);
        StringPack.Pack(B(format), ref arguments, output);
        return S(output.AsSpan());
    }

    /// <summary>The values unpacked followed by the next position (as a double, like the Luau result).</summary>
    private static object[] Unpack(string format, string data, int init = 1)
    {
        var results = new Results();
        int next = StringPack.Unpack(B(format), B(data), init, ref results);
        results.Values.Add((double)next);
        return [.. results.Values];
    }

    private static object UnpackOne(string format, string data, int init = 1) => Unpack(format, data, init)[0];

    private static int PackSize(string format) => StringPack.PackSize(B(format));

    private static string Error(Action action) => Assert.ThrowsAny<LuauError>(action).Message;

    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    [Fact]
    public void Sizes_OfTheFixedOptions()
    {
        Assert.Equal(2, PackSize("h"));
        Assert.Equal(4, PackSize("i"));
        Assert.Equal(8, PackSize("l"));
        Assert.Equal(4, PackSize("T"));
        Assert.Equal(4, PackSize("j"));
        Assert.Equal(4, PackSize("f"));
        Assert.Equal(8, PackSize("d"));
        Assert.Equal(8, PackSize("n"));
        Assert.Equal(1, PackSize("b"));
        Assert.Equal(8, PackSize("!xXi16")); // "!" alone sets the default maximum alignment, 8
        Assert.Equal("\u0001\0", Pack("i2", 1.0)); // native order is little-endian
    }

    [Fact]
    public void Integers_RoundTripAtTheirLimits()
    {
        Assert.Equal(255.0, UnpackOne("B", Pack("B", 255.0)));
        Assert.Equal(127.0, UnpackOne("b", Pack("b", 127.0)));
        Assert.Equal(-128.0, UnpackOne("b", Pack("b", -128.0)));
        Assert.Equal(65535.0, UnpackOne("H", Pack("H", 65535.0)));
        Assert.Equal(32767.0, UnpackOne("h", Pack("h", 32767.0)));
        Assert.Equal(-32768.0, UnpackOne("h", Pack("h", -32768.0)));
        Assert.Equal(4294967295.0, UnpackOne("L", Pack("L", 4294967295.0)));
        Assert.Equal(2147483647.0, UnpackOne("l", Pack("l", 2147483647.0)));
        Assert.Equal(-2147483648.0, UnpackOne("l", Pack("l", -2147483648.0)));
        Assert.Equal(4294967295.0, UnpackOne("J", Pack("J", 4294967295.0)));
        Assert.Equal(2147483647.0, UnpackOne("j", Pack("j", 2147483647.0)));
        Assert.Equal(-2147483648.0, UnpackOne("j", Pack("j", -2147483648.0)));
    }

    [Fact]
    public void Integers_OfEverySize()
    {
        for (int i = 1; i <= 16; i++)
        {
            var minusOne = new string('\u00ff', i);
            Assert.Equal(minusOne, Pack("i" + i, -1.0));
            Assert.Equal(i, PackSize("i" + i));
            Assert.Equal(-1.0, UnpackOne("i" + i, minusOne));

            var small = "\u00aa" + new string('\0', i - 1);
            Assert.Equal(small, Pack("<I" + i, 170.0));
            Assert.Equal(170.0, UnpackOne("<I" + i, small));
            var reversed = new string(small.Reverse().ToArray());
            Assert.Equal(reversed, Pack(">I" + i, 170.0));
            Assert.Equal(170.0, UnpackOne(">I" + i, reversed));
        }
    }

    [Fact]
    public void Integers_WiderThanEightBytes()
    {
        const double lnum = 0x060504030201;
        var s = Pack("<l", lnum);
        Assert.Equal("\u0001\u0002\u0003\u0004\u0005\u0006\0\0", s);
        Assert.Equal(lnum, UnpackOne("<l", s));
        Assert.Equal(lnum, UnpackOne("<i9", s + "\0"));
        for (int i = 9; i <= 16; i++)
        {
            var negative = Pack("<l", -lnum);
            Assert.Equal(-lnum, UnpackOne("<l", negative));
            Assert.Equal(-lnum, UnpackOne("<i" + i, negative + new string('\u00ff', i - 8)));
            Assert.Equal(-lnum, UnpackOne(">i" + i, new string('\u00ff', i - 8) + new string(negative.Reverse().ToArray())));
            Assert.Equal(Math.Pow(2, 64) - lnum, UnpackOne("<I" + i, negative + new string('\0', i - 8)));
            Assert.Equal($"{i}-byte integer does not fit into Lua Integer", Error(() => Unpack("<I" + i, new string('\0', i - 1) + "\u0001")));
            Assert.Equal($"{i}-byte integer does not fit into Lua Integer", Error(() => Unpack(">i" + i, "\u0001" + new string('\0', i - 1))));
        }
        Assert.Equal("16-byte integer does not fit into Lua Integer", Error(() => Unpack("i16", new string('\u0003', 16))));
        // The sign of the low eight bytes decides which extension is valid.
        Assert.Equal("9-byte integer does not fit into Lua Integer", Error(() => Unpack("<i9", "\0\0\0\0\0\0\0\u0080\0")));
        Assert.Equal(-9223372036854775808.0, UnpackOne("<i9", "\0\0\0\0\0\0\0\u0080\u00ff"));
        Assert.Equal(9223372036854775808.0, UnpackOne("<I9", "\0\0\0\0\0\0\0\u0080\0"));
        Assert.Equal("FEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", Hex(Pack("<i16", -2.0)));
        Assert.Equal("FEFFFFFFFFFFFFFF0000000000000000", Hex(Pack("<I16", -2.0)));
    }

    [Fact]
    public void Integers_SmallSizesAndSignExtension()
    {
        string bytes = "\u0001\u0002\u0003\u0004";
        for (int i = 1; i <= 4; i++)
        {
            double n = 0x04030201 & (uint)((1L << (i * 8)) - 1);
            var s = bytes[..i];
            Assert.Equal(s, Pack("<i" + i, n));
            Assert.Equal(new string(s.Reverse().ToArray()), Pack(">i" + i, n));
            Assert.Equal(n, UnpackOne(">i" + i, new string(s.Reverse().ToArray())));
        }
        double u = 0xf0;
        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal(-16.0, UnpackOne("<i" + i, "\u00f0" + new string('\u00ff', i - 1)));
            Assert.Equal(u, UnpackOne(">I" + i, "\u00f0" + new string('\u00ff', i - 1)));
            u = u * 256 + 0xff;
        }
        Assert.Equal("FEFFFF", Hex(Pack("<i3", -2.0)));
        Assert.Equal("123456", Hex(Pack(">I3", 0x123456)));
        Assert.Equal(-1.0, UnpackOne("<i2", "\u00ff\u00ff"));
        Assert.Equal(65535.0, UnpackOne("<I2", "\u00ff\u00ff"));
        Assert.Equal(-1.0, UnpackOne("<j", "\u00ff\u00ff\u00ff\u00ff"));
        Assert.Equal(18446744073709551616.0, UnpackOne("<I8", new string('\u00ff', 8)));
        Assert.Equal(9223372036854775808.0, UnpackOne("<i8", new string('\u00ff', 7) + "\u007f"));
    }

    [Fact]
    public void Integers_FromDoublesFollowTheCCast()
    {
        Assert.Equal("00", Hex(Pack("b", -0.9))); // truncation toward zero
        Assert.Equal("00000000", Hex(Pack("<I4", -0.5)));
        Assert.Equal("07", Hex(Pack("b", 7.99)));
        // Out of the 64-bit range and NaN become the x64 "indefinite" integer 0x8000000000000000.
        Assert.Equal("0000000000000080", Hex(Pack("<L", Math.Pow(2, 63))));
        Assert.Equal("0000000000000080", Hex(Pack("<L", Math.Pow(2, 64))));
        Assert.Equal("0000000000000080", Hex(Pack("<l", double.NaN)));
        Assert.Equal("0000000000000080", Hex(Pack("<l", -Math.Pow(2, 63))));
        Assert.Equal("00FCFFFFFFFFFF7F", Hex(Pack("<l", 9223372036854774784.0))); // 2^63 - 1024
        Assert.Equal("invalid argument #2 (integer overflow)", Error(() => Pack("<i4", double.NaN)));
        Assert.Equal("invalid argument #2 (integer overflow)", Error(() => Pack("<i4", Math.Pow(2, 40))));
        Assert.Equal("invalid argument #2 (integer overflow)", Error(() => Pack("i", Math.Pow(2, 31))));
        Assert.Equal("invalid argument #2 (integer overflow)", Error(() => Pack("i", -Math.Pow(2, 31) - 1)));
        Assert.Equal("invalid argument #2 (unsigned overflow)", Error(() => Pack("<I4", Math.Pow(2, 32))));
        Assert.Equal("FEFFFFFF", Hex(Pack("<j", -2.0)));
        Assert.Equal(long.MinValue, StringPack.TruncateToInt64(double.PositiveInfinity));
        Assert.Equal(long.MinValue, StringPack.TruncateToInt64(double.NegativeInfinity));
        Assert.Equal(-3L, StringPack.TruncateToInt64(-3.7));
    }

    [Fact]
    public void Integers_OverflowChecks()
    {
        for (int i = 1; i <= 3; i++)
        {
            double umax = (1L << (i * 8)) - 1;
            double max = Math.Floor(umax / 2);
            double min = -max - 1;
            Assert.Equal("invalid argument #2 (unsigned overflow)", Error(() => Pack("<I" + i, -1.0)));
            Assert.Equal("invalid argument #2 (unsigned overflow)", Error(() => Pack("<I" + i, min)));
            Assert.Equal("invalid argument #2 (unsigned overflow)", Error(() => Pack(">I" + i, umax + 1)));
            Assert.Equal("invalid argument #2 (integer overflow)", Error(() => Pack(">i" + i, umax)));
            Assert.Equal("invalid argument #2 (integer overflow)", Error(() => Pack(">i" + i, max + 1)));
            Assert.Equal("invalid argument #2 (integer overflow)", Error(() => Pack("<i" + i, min - 1)));
            Assert.Equal(max, UnpackOne(">i" + i, Pack(">i" + i, max)));
            Assert.Equal(min, UnpackOne("<i" + i, Pack("<i" + i, min)));
            Assert.Equal(umax, UnpackOne(">I" + i, Pack(">I" + i, umax)));
        }
        // The argument number counts values, not format options.
        var error = Assert.Throws<LibraryArgumentError>(() => Pack("< b x h", 1.0, 70000.0));
        Assert.Equal(3, error.Argument);
        Assert.Equal("integer overflow", error.Detail);
        Assert.Equal("invalid argument #3 to 'pack' (integer overflow)", error.MessageFor("pack"));
    }

    [Fact]
    public void MixedEndianness()
    {
        Assert.Equal("\0\u000a\u0014\0", Pack(">i2 <i2", 10.0, 20.0));
        Assert.Equal([10.0, 20.0, 5.0], Unpack("<i2 >i2", "\u000a\0\0\u0014"));
        Assert.Equal(Pack("i4", 2001.0), Pack("=i4", 2001.0));
        Assert.Equal(Pack("<f", 24.0), Pack("f", 24.0));
    }

    [Fact]
    public void Floats()
    {
        foreach (double n in new[] { 0, -1.1, 1.9, double.PositiveInfinity, double.NegativeInfinity, 1e20, -1e20, 0.1, 2000.7 })
        {
            Assert.Equal(n, UnpackOne("n", Pack("n", n)));
            Assert.Equal(n, UnpackOne("<n", Pack("<n", n)));
            Assert.Equal(n, UnpackOne(">n", Pack(">n", n)));
            Assert.Equal(Pack("<f", n), new string(Pack(">f", n).Reverse().ToArray()));
            Assert.Equal(Pack(">d", n), new string(Pack("<d", n).Reverse().ToArray()));
        }
        foreach (double n in new[] { 0, -1.5, double.PositiveInfinity, double.NegativeInfinity, 1e10, -1e9, 0.5, 2000.25 })
        {
            Assert.Equal(n, UnpackOne("<f", Pack("<f", n)));
            Assert.Equal(n, UnpackOne(">f", Pack(">f", n)));
            Assert.Equal(n, UnpackOne("<d", Pack("<d", n)));
            Assert.Equal(n, UnpackOne(">d", Pack(">d", n)));
        }
        Assert.Equal("000000000000F83F", Hex(Pack("<d", 1.5)));
        Assert.Equal("C0200000", Hex(Pack(">f", -2.5)));
        Assert.Equal("CDCCCC3D", Hex(Pack("<f", 0.1))); // rounded to single precision
        Assert.Equal((double)0.1f, UnpackOne("<f", Pack("<f", 0.1)));
        Assert.True(double.IsNaN((double)UnpackOne("<d", Pack("<d", double.NaN))));
    }

    [Fact]
    public void Strings()
    {
        var s = Repeat("abc", 1000);
        Assert.Equal(s + "\0\u00f7", Pack("zB", s, 247.0));
        Assert.Equal([s, 249.0, 3003.0], Unpack("zB", s + "\0\u00f9"));
        var packed = Pack("s", s);
        Assert.Equal(s, UnpackOne("s", packed));
        Assert.Equal("invalid argument #2 (string length does not fit in given size)", Error(() => Pack("s1", s)));
        Assert.Equal("invalid argument #2 (string contains zeros)", Error(() => Pack("z", "alo\0")));
        Assert.Equal("invalid argument #2 (unfinished string for format 'z')", Error(() => Unpack("zc10000000", "alo")));
        for (int i = 2; i <= 16; i++)
        {
            var withLength = Pack("s" + i, s);
            Assert.Equal(s.Length + i, withLength.Length);
            Assert.Equal(s, UnpackOne("s" + i, withLength));
        }
        Assert.Equal("026869", Hex(Pack("s1", "hi")));
        Assert.Equal("00026869", Hex(Pack(">s2", "hi")));
        Assert.Equal(256, Pack("s1", new string('x', 255)).Length);
        Assert.Equal("invalid argument #2 (string length does not fit in given size)", Error(() => Pack("s1", new string('x', 256))));
        Assert.Equal(["a", 3.0], Unpack("z", "a\0b\0"));
        Assert.Equal(["a", "b", 5.0], Unpack("zz", "a\0b\0"));
    }

    [Fact]
    public void Strings_ShortData()
    {
        var x = Pack("s", "alo");
        Assert.Equal("invalid argument #2 (data string too short)", Error(() => Unpack("s", x[..^1])));
        Assert.Equal("invalid argument #2 (data string too short)", Error(() => Unpack("c5", "abcd")));
        Assert.Equal("invalid argument #2 (data string too short)", Error(() => Unpack("<s2", "\u0005\0abc")));
        Assert.Equal("integral size (100) out of limits [1,16]", Error(() => Pack("s100", "alo")));
    }

    [Fact]
    public void FixedStrings()
    {
        Assert.Equal("", Pack("c0", ""));
        Assert.Equal(0, PackSize("c0"));
        Assert.Equal("", UnpackOne("c0", ""));
        Assert.Equal("abc", Pack("<! c3", "abc"));
        Assert.Equal(3, PackSize("<! c3"));
        Assert.Equal("abcdef", Pack(">!4 c6", "abcdef"));
        Assert.Equal("123", Pack("c3", "123"));
        Assert.Equal("123456\0\0", Pack("c8", "123456"));
        Assert.Equal(new string('\0', 88), Pack("c88", ""));
        Assert.Equal("ab" + new string('\0', 186), Pack("c188", "ab"));
        Assert.Equal(["abcdefghi", "xyz", 14.0], Unpack("!4 z c3", "abcdefghi\0xyz"));
        Assert.Equal("invalid argument #2 (string longer than given size)", Error(() => Pack("c3", "1234")));
    }

    [Fact]
    public void Sequences()
    {
        const string format = "<b h b f d f n i";
        var x = Pack(format, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0);
        Assert.Equal(PackSize(format), x.Length);
        Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, x.Length + 1.0], Unpack(format, x));
        // The format stops at a zero byte, as in C.
        Assert.Equal("\u0001\0\0\0", Pack("i\0i", 1.0, 2.0));
    }

    [Fact]
    public void Alignment()
    {
        Assert.Equal("\u0002\u0003\0", Pack(" < i1 i2 ", 2.0, 3.0)); // no alignment by default
        var x = Pack(">!8 b Xh i4 i8 c1 Xi8", -12.0, 100.0, 200.0, "\u00ec");
        Assert.Equal(PackSize(">!8 b Xh i4 i8 c1 Xi8"), x.Length);
        Assert.Equal("F40000000000006400000000000000C8EC00000000000000", Hex(x));
        Assert.Equal(["\u00f4", 100.0, 200.0, -20.0, x.Length + 1.0], Unpack(">!8 c1 Xh i4 i8 b Xi8 XI XH", x));

        x = Pack(">!4 c3 c4 c2 z i4 c5 c2 Xi4", "abc", "abcd", "xz", "hello", 5.0, "world", "xy");
        Assert.Equal("abcabcdxzhello\0\0\0\0\0\u0005worldxy\0", x);
        var values = Unpack(">!4 c3 c4 c2 z i4 c5 c2 Xh Xi4", x);
        Assert.Equal(["abc", "abcd", "xz", "hello", 5.0, "world", "xy"], values[..7]);
        Assert.Equal(0, ((double)values[7] - 1) % 4);

        x = Pack(" b b Xd b Xb x", 1.0, 2.0, 3.0);
        Assert.Equal(4, PackSize(" b b Xd b Xb x"));
        Assert.Equal("\u0001\u0002\u0003\0", x);
        Assert.Equal([1.0, 2.0, 3.0, 4.0], Unpack("bbXdb", x));

        Assert.Equal(8, PackSize("!8 xXi8"));
        Assert.Equal([9.0], Unpack("!8 xXi8", "0123456701234567"));
        Assert.Equal(2, PackSize("!8 xXi2"));
        Assert.Equal([3.0], Unpack("!8 xXi2", "0123456701234567"));
        Assert.Equal(2, PackSize("!2 xXi2"));
        Assert.Equal([3.0], Unpack("!2 xXi2", "0123456701234567"));
        Assert.Equal(2, PackSize("!2 xXi8"));
        Assert.Equal([3.0], Unpack("!2 xXi8", "0123456701234567"));
        Assert.Equal(16, PackSize("!16 xXi16"));
        Assert.Equal([17.0], Unpack("!16 xXi16", "0123456701234567"));
        Assert.Equal(1, PackSize("bXx"));
        Assert.Equal(2, PackSize("!bXi2"));
        Assert.Equal(4, PackSize("!4 b Xi4"));
        Assert.Equal("", Pack("Xx"));

        Assert.Equal("invalid argument #1 (invalid next option for option 'X')", Error(() => Pack("X")));
        Assert.Equal("invalid argument #1 (invalid next option for option 'X')", Error(() => Unpack("XXi", "")));
        Assert.Equal("invalid argument #1 (invalid next option for option 'X')", Error(() => Unpack("X i", "")));
        Assert.Equal("invalid argument #1 (invalid next option for option 'X')", Error(() => Pack("Xc1")));
        Assert.Equal("invalid argument #1 (invalid next option for option 'X')", Error(() => Pack("Xz")));
        Assert.Equal("invalid argument #1 (format asks for alignment not power of 2)", Error(() => Pack("!4i3", 0.0)));
        Assert.Equal("invalid argument #1 (format asks for alignment not power of 2)", Error(() => Pack("!3i4", 1.0)));
    }

    [Fact]
    public void InitialPosition()
    {
        var x = Pack("i4i4i4i4", 1.0, 2.0, 3.0, 4.0);
        for (int pos = 1; pos <= 16; pos += 4)
            Assert.Equal([Math.Floor(pos / 4.0) + 1, pos + 4.0], Unpack("i4", x, pos));
        for (int pos = 0; pos <= 12; pos++)
        {
            // Positions round up to the alignment.
            double i = Math.Floor((pos + 3) / 4.0) + 1;
            Assert.Equal([i, i * 4 + 1], Unpack("!4 i4", x, pos + 1));
        }
        Assert.Equal([4.0, 17.0], Unpack("!4 i4", x, -4));
        Assert.Equal([4.0, 17.0], Unpack("!4 i4", x, -7));
        Assert.Equal([1.0, 5.0], Unpack("!4 i4", x, -x.Length));
        Assert.Equal([1.0, 5.0], Unpack("!4 i4", x, 0));
        Assert.Equal([1.0, 5.0], Unpack("!4 i4", x, -100));
        for (int i = 1; i <= x.Length + 1; i++)
            Assert.Equal("", UnpackOne("c0", x, i));
        Assert.Equal("invalid argument #3 (initial position out of string)", Error(() => Unpack("c0", x, x.Length + 2)));
        Assert.Equal("invalid argument #3 (initial position out of string)", Error(() => Unpack("c0", x, int.MaxValue)));
        Assert.Equal([513.0, 3.0], Unpack(" <h", "\u0001\u0002", -2));
    }

    [Fact]
    public void InvalidFormats()
    {
        Assert.Equal("integral size (0) out of limits [1,16]", Error(() => Pack("i0", 0.0)));
        Assert.Equal("integral size (17) out of limits [1,16]", Error(() => Pack("i17", 0.0)));
        Assert.Equal("integral size (17) out of limits [1,16]", Error(() => Pack("!17", 0.0)));
        Assert.Equal("integral size (17) out of limits [1,16]", Error(() => Pack("Xi17")));
        Assert.Equal("invalid format option 'r'", Error(() => Pack("i3r", 0.0)));
        Assert.Equal("invalid format option '\u00c8'", Error(() => Pack("\u00c8")));
        Assert.Equal("missing size for format option 'c'", Error(() => Pack("c", "")));
        Assert.Equal("missing size for format option 'c'", Error(() => Unpack("c-2", "")));
        Assert.Equal("invalid argument #1 (variable-length format)", Error(() => PackSize("s")));
        Assert.Equal("invalid argument #1 (variable-length format)", Error(() => PackSize("z")));
        Assert.Equal("integral size (17) out of limits [1,16]", Error(() => Unpack("i17", "")));
        Assert.Equal("integral size (987654321) out of limits [1,16]", Error(() => Unpack("i987654321", "")));
        Assert.Equal("size specifier is too large", Error(() => Unpack("i9876543210", "")));
        Assert.Equal("size specifier is too large", Error(() => Unpack("c9876543210", "")));
        Assert.Equal("size specifier is too large", Error(() => PackSize("c1" + new string('0', 40))));
        Assert.Equal("size specifier is too large", Error(() => Pack("c1073741825", "")));
    }

    [Fact]
    public void HugeSizes_FailWithoutAllocating()
    {
        Assert.Equal("invalid argument #1 (format result too large)", Error(() => PackSize(Repeat("c268435456", 8))));
        Assert.Equal("invalid argument #1 (format result too large)", Error(() => PackSize(Repeat("c268435456", 7) + "c268435453")));
        Assert.Equal(1 << 30, PackSize("c1073741824"));
        Assert.Equal("invalid argument #1 (format result too large)", Error(() => PackSize("c1073741824b")));

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(StringPack.TooLargeMessage, Error(() => Pack("c1073741824c1073741824", "", "")));
        Assert.Equal(StringPack.TooLargeMessage, Error(() => Pack(Repeat("c268435456", 5), "", "", "", "", "")));
        Assert.Equal(StringPack.TooLargeMessage, Error(() => Pack("zc1073741824", "x", "")));
        Assert.Equal(StringPack.TooLargeMessage, Error(() => Pack("s4c1073741820", "xxxxxx", "")));
        Assert.Equal(StringPack.TooLargeMessage, Error(() => Pack("!8 b Xi8 c1073741817", 1.0, "")));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Fuzz_RandomFormatsOnlyRaiseLuauErrors()
    {
        // Random formats (option letters, sizes, settings) with random values: packing, sizing and unpacking
        // (of the packed result and of random data) end with a result or a LuauError. Fixed seed, bounded sizes.
        const string alphabet = "bBhHlLjJTfdnisczxX<>=! 0123456789Iq";
        object[] pool = [0.0, -1.0, 255.0, 65536.0, -0.5, double.NaN, 1e20, "", "abc", "a\0b", new string('x', 300)];
        var random = new Random(7);
        int errors = 0;
        for (int n = 0; n < 4000; n++)
        {
            var format = new StringBuilder();
            for (int k = random.Next(0, 10); k > 0; k--)
                format.Append(alphabet[random.Next(alphabet.Length)]);
            var values = new object[random.Next(0, 5)];
            for (int k = 0; k < values.Length; k++)
                values[k] = pool[random.Next(pool.Length)];
            var data = new StringBuilder();
            for (int k = random.Next(0, 20); k > 0; k--)
                data.Append((char)random.Next(256));
            string f = format.ToString();
            try
            {
                var packed = Pack(f, values);
                Unpack(f, packed);
                Unpack(f, packed, random.Next(-5, 5));
            }
            catch (LuauError)
            {
                errors++;
            }
            try
            {
                PackSize(f);
            }
            catch (LuauError)
            {
                errors++;
            }
            try
            {
                Unpack(f, data.ToString(), random.Next(-3, 25));
            }
            catch (LuauError)
            {
                errors++;
            }
        }
        Assert.InRange(errors, 100, 11900);
    }

    [Fact]
    public void FormatReader_ExposesItems()
    {
        var reader = new PackFormatReader(">!4 b i4 s2 z Xi8 x"u8);
        var items = new List<PackItem>();
        long offset = 0;
        while (reader.TryRead(offset, out var item))
        {
            items.Add(item);
            offset += item.Padding + item.Size;
        }
        Assert.Equal(
            [
                (PackOption.None, 0, 0), (PackOption.None, 0, 0), (PackOption.None, 0, 0),
                (PackOption.Int, 1, 0), (PackOption.None, 0, 0),
                (PackOption.Int, 4, 3), (PackOption.None, 0, 0),
                (PackOption.LengthString, 2, 0), (PackOption.None, 0, 0),
                (PackOption.ZeroString, 0, 0), (PackOption.None, 0, 0),
                (PackOption.AlignPadding, 0, 2), (PackOption.None, 0, 0),
                (PackOption.Padding, 1, 0),
            ],
            items.Select(i => (i.Option, i.Size, i.Padding)));
        Assert.All(items, i => Assert.False(i.LittleEndian));
        Assert.True(items[3].HasValue);
        Assert.False(items[^1].HasValue);
    }
}
