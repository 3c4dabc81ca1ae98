using System.Diagnostics;
using Coputer.Luau.Tests.VM;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// Library functions given hostile arguments: huge sizes, counts and ranges, out-of-range positions, and patterns
/// built to explode. Each case must give the reference's result or error quickly, without allocating anything
/// near the size asked for. Numbers beyond the 32-bit range convert to integers as the reference's x86 build does
/// (to -2^31), which turns several huge ranges into empty ones.
/// </summary>
public class HostileArgumentTests
{
    /// <summary>
    /// Runs a snippet, checking its result and how much the runner thread allocated. The clock check is only a guard
    /// against a hang or an exponential blow-up (seconds, not milliseconds, so load on the machine cannot fail it);
    /// the speed of these cases is not a unit-test matter.
    /// </summary>
    private static void ExpectQuickly(string source, string expected)
    {
        // Warm up the engine and compiler so the measurement covers the snippet only.
        ScriptRunner.Run("return 1");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        string actual = ScriptRunner.Run(source);
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(expected, actual);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.True(allocated < 64 << 20, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("return pcall(string.rep, 'ab', 2 ^ 30)", "false\tresulting string too large")]
    [InlineData("return pcall(string.rep, 'abc', 1e9)", "false\tresulting string too large")]
    [InlineData("return pcall(string.rep, 'x', 2 ^ 31 - 1, 'yy')", "false\tresulting string too large")]
    [InlineData("return pcall(string.rep, string.rep('x', 1000), 2 ^ 21 + 1)", "false\tresulting string too large")]
    [InlineData("return #string.rep('x', 2 ^ 31), #string.rep('x', math.huge), #string.rep('x', 0 / 0), #string.rep('x', 2 ^ 53)", "0\t0\t0\t0")]
    [InlineData("return #string.rep('', 1e10), #string.rep('x', -5), #string.rep('', 2 ^ 30, '')", "0\t0\t0")]
    public void StringRep(string source, string expected) => ExpectQuickly(source, expected);

    [Theory]
    [InlineData("return pcall(string.find, string.rep('a', 300), string.rep('a?', 300))", "false\tpattern too complex")]
    [InlineData("return pcall(string.match, string.rep('a', 300), string.rep('a?', 300))", "false\tpattern too complex")]
    [InlineData("return pcall(string.gsub, string.rep('a', 300), string.rep('a?', 300), '')", "false\tpattern too complex")]
    [InlineData("return pcall(function() for m in string.gmatch(string.rep('a', 300), string.rep('a?', 300)) do end end)", "false\tchunk:1: pattern too complex")]
    [InlineData("return pcall(string.find, 'a', string.rep('(', 40) .. 'a' .. string.rep(')', 40))", "false\ttoo many captures")]
    [InlineData("return pcall(string.find, 'a', string.rep('(', 300))", "false\ttoo many captures")]
    [InlineData("return pcall(string.find, 'a', '[a')", "false\tmalformed pattern (missing ']')")]
    [InlineData("return pcall(string.find, 'a', '%')", "false\tmalformed pattern (ends with '%')")]
    [InlineData("return pcall(string.find, 'a', '%b')", "false\tmalformed pattern (missing arguments to '%b')")]
    [InlineData("return pcall(string.find, 'a', '%f')", "false\tmissing '[' after '%f' in pattern")]
    [InlineData("return pcall(string.find, 'a', '%1')", "false\tinvalid capture index %1")]
    [InlineData("return pcall(string.gsub, 'abc', '(a)', '%2')", "false\tinvalid capture index")]
    [InlineData("return pcall(string.gsub, 'abc', 'a', '%')", "false\tinvalid use of '%' in replacement string")]
    // Quadratic but bounded work finishes.
    [InlineData("return string.find(string.rep('a', 3000), '.-b')", "nil")]
    [InlineData("local s, n = string.gsub(string.rep('a', 1e5), '', '-') return #s, n", "200001\t100001")]
    [InlineData("return #string.match(string.rep('ab', 1e5), '^(.*)$')", "200000")]
    public void Patterns(string source, string expected) => ExpectQuickly(source, expected);

    [Theory]
    [InlineData("return pcall(table.create, 1e9)", "false\ttable overflow")]
    [InlineData("return pcall(table.create, 2 ^ 26 + 1)", "false\ttable overflow")]
    [InlineData("return pcall(table.create, 2 ^ 31)", "false\tinvalid argument #1 to 'create' (size out of range)")]
    [InlineData("return pcall(table.create, -1)", "false\tinvalid argument #1 to 'create' (size out of range)")]
    [InlineData("return pcall(table.create, 1e9, 0)", "false\ttable overflow")]
    public void TableCreate(string source, string expected) => ExpectQuickly(source, expected);

    [Fact]
    public void TableCreateUnderAMemoryLimit()
    {
        // The largest size the reference accepts: with a memory limit it must fail cleanly, not allocate.
        var engine = new LuauEngine(new LuauEngineOptions { MemoryLimit = 64 << 20 });
        long before = GC.GetAllocatedBytesForCurrentThread();
        var r = engine.DoString("return pcall(table.create, 2 ^ 26, true)");
        Assert.False(r[0].Boolean);
        Assert.Equal("not enough memory", r[1].ToString());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20);
    }

    [Theory]
    [InlineData("return pcall(buffer.readu8, buffer.create(4), 4)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.readu8, buffer.create(4), -1)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.readi32, buffer.create(4), 1)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.readf64, buffer.create(8), 2 ^ 31)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.writeu32, buffer.create(4), 2 ^ 32, 0)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.readu8, buffer.create(4), math.huge)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.readu8, buffer.create(4), 0 / 0)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.create, -1)", "false\tinvalid argument #1 to 'create' (size)")]
    [InlineData("return pcall(buffer.create, 2 ^ 31)", "false\tinvalid argument #1 to 'create' (size)")]
    [InlineData("return pcall(buffer.readstring, buffer.create(4), 0, 2 ^ 31)", "false\tinvalid argument #3 to 'readstring' (size)")]
    [InlineData("return pcall(buffer.readstring, buffer.create(4), 0, -1)", "false\tinvalid argument #3 to 'readstring' (size)")]
    [InlineData("return pcall(buffer.readstring, buffer.create(4), 2, 3)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.copy, buffer.create(4), 0, buffer.create(4), 0, 2 ^ 31)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.copy, buffer.create(4), 2, buffer.create(4), 0)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.copy, buffer.create(4), 0, buffer.create(4), 3, 2)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.fill, buffer.create(4), 0, 1, 2 ^ 31)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.fill, buffer.create(4), 5, 1)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.writestring, buffer.create(4), 2, 'abc')", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.writestring, buffer.create(4), 0, 'abc', 5)", "false\tstring length overflow")]
    [InlineData("return pcall(buffer.readbits, buffer.create(4), 0, 33)", "false\tbit count is out of range of [0; 32]")]
    [InlineData("return pcall(buffer.readbits, buffer.create(4), 30, 8)", "false\tbuffer access out of bounds")]
    [InlineData("return pcall(buffer.writebits, buffer.create(4), 2 ^ 40, 1, 1)", "false\tbuffer access out of bounds")]
    [InlineData("local b = buffer.create(4) buffer.writeu32(b, 0, 0xFFFFFFFF) return buffer.readbits(b, 0, 32), buffer.readu32(b, 0), buffer.len(b)", "4294967295\t4294967295\t4")]
    public void BufferBounds(string source, string expected) => ExpectQuickly(source, expected);

    [Theory]
    [InlineData("return pcall(string.format, '%99999d', 1)", "false\tinvalid format (width or precision too long)")]
    [InlineData("return pcall(string.format, '%100d', 1)", "false\tinvalid format (width or precision too long)")]
    [InlineData("return pcall(string.format, '%.100f', 1)", "false\tinvalid format (width or precision too long)")]
    [InlineData("return pcall(string.format, '%999s', 'x')", "false\tinvalid format (width or precision too long)")]
    [InlineData("return pcall(string.format, '%-+ #0-+ #0d', 1)", "false\tinvalid format (repeated flags)")]
    [InlineData("return pcall(string.format, '%y', 1)", "false\tinvalid option '%y' to 'format'")]
    [InlineData("return pcall(string.format, '%d')", "false\tmissing argument #2")]
    [InlineData("return #string.format('%99d', 1), #string.format('%.99f', 1), #string.format('%99.99f', -1)", "99\t101\t102")]
    [InlineData("return string.format('%d', 2 ^ 63), string.format('%x', -1), string.format('%d', 1.5)", "-9223372036854775808\tffffffffffffffff\t1")]
    [InlineData("return #string.format(string.rep('%s', 1000), table.unpack(table.create(1000, 'ab')))", "2000")]
    public void StringFormat(string source, string expected) => ExpectQuickly(source, expected);

    [Theory]
    [InlineData("return pcall(string.pack, 'i17', 1)", "false\tintegral size (17) out of limits [1,16]")]
    [InlineData("return pcall(string.pack, '!17')", "false\tintegral size (17) out of limits [1,16]")]
    [InlineData("return pcall(string.pack, 'c2147483648', '')", "false\tsize specifier is too large")]
    [InlineData("return pcall(string.pack, 'c99999999999', '')", "false\tsize specifier is too large")]
    [InlineData("return pcall(string.packsize, 'c2147483647c2')", "false\tsize specifier is too large")]
    [InlineData("return pcall(string.packsize, 's')", "false\tinvalid argument #1 to 'packsize' (variable-length format)")]
    [InlineData("return pcall(string.pack, string.rep('i16', 2 ^ 20))", "false\tinvalid argument #2 to 'pack' (number expected, got nil)")]
    // Missing values read as nil, as the reference's stack layout makes them.
    [InlineData("return pcall(string.pack, 'i4i4i4', 1)", "false\tinvalid argument #3 to 'pack' (number expected, got nil)")]
    [InlineData("return pcall(string.pack, 'zz', 'a')", "false\tinvalid argument #3 to 'pack' (string expected, got nil)")]
    [InlineData("return pcall(string.pack, 'i4', 'x')", "false\tinvalid argument #2 to 'pack' (number expected, got string)")]
    [InlineData("return pcall(string.pack, '!4 i3 Xi8', 1)", "false\tinvalid argument #1 to 'pack' (format asks for alignment not power of 2)")]
    [InlineData("return pcall(string.pack, 'y')", "false\tinvalid format option 'y'")]
    [InlineData("return pcall(string.pack, 'i1', 200)", "false\tinvalid argument #2 to 'pack' (integer overflow)")]
    [InlineData("return pcall(string.unpack, 'i4', 'ab')", "false\tinvalid argument #2 to 'unpack' (data string too short)")]
    [InlineData("return pcall(string.unpack, 'b', 'a', 10)", "false\tinvalid argument #3 to 'unpack' (initial position out of string)")]
    [InlineData("return pcall(string.unpack, 'c2147483647', 'abc')", "false\tsize specifier is too large")]
    [InlineData("return string.unpack('b', 'a', -10)", "97\t2")]
    [InlineData("return #string.pack('s16', 'x'), #string.pack('c1000', '')", "17\t1000")]
    public void StringPack(string source, string expected) => ExpectQuickly(source, expected);

    [Theory]
    [InlineData("return pcall(utf8.char, 0x110000)", "false\tinvalid argument #1 to 'char' (value out of range)")]
    [InlineData("return pcall(utf8.char, -1)", "false\tinvalid argument #1 to 'char' (value out of range)")]
    [InlineData("return pcall(utf8.char, 2 ^ 31)", "false\tinvalid argument #1 to 'char' (value out of range)")]
    [InlineData("return pcall(utf8.char, 65, 0x7FFFFFFF)", "false\tinvalid argument #2 to 'char' (value out of range)")]
    [InlineData("return #utf8.char(0x10FFFF), #utf8.char(0xD800), utf8.char(72, 105)", "4\t3\tHi")]
    [InlineData("return pcall(utf8.codepoint, '\\xff')", "false\tinvalid UTF-8 code")]
    [InlineData("return utf8.len('\\xff'), select('#', utf8.codepoint('abc', 1, 2 ^ 31))", "nil\t0")]
    [InlineData("return pcall(utf8.offset, 'abc', 1, 10)", "false\tinvalid argument #3 to 'offset' (position out of range)")]
    [InlineData("return #utf8.char(table.unpack(table.create(5000, 0x10FFFF)))", "20000")]
    public void Utf8(string source, string expected) => ExpectQuickly(source, expected);

    [Theory]
    [InlineData("return pcall(table.concat, {'a'}, '', 1, 1e9)", "false\tinvalid value (nil) at index 2 in table for 'concat'")]
    [InlineData("return pcall(table.concat, {}, '', 2 ^ 31, 1)", "false\tinvalid value (nil) at index -2147483648 in table for 'concat'")]
    [InlineData("return pcall(table.concat, {}, '', -2 ^ 31, 2 ^ 31 - 1)", "false\tinvalid value (nil) at index -2147483648 in table for 'concat'")]
    [InlineData("return table.concat({}, '', 1, 2 ^ 31), table.concat({}, 'x', 5, 1)", "\t")]
    [InlineData("return pcall(table.unpack, {}, 1, 1e7)", "false\ttoo many results to unpack")]
    [InlineData("return pcall(table.unpack, {}, -2 ^ 31, 2 ^ 31 - 1)", "false\ttoo many results to unpack")]
    [InlineData("return pcall(table.unpack, {}, 1, 8001)", "false\ttoo many results to unpack")]
    // unpack's own three arguments count against the 8000 host slots.
    [InlineData("return pcall(table.unpack, {}, 1, 7999)", "false\ttoo many results to unpack")]
    [InlineData("return select('#', table.unpack({}, 1, 7997)), select('#', table.unpack(table.create(7999, 1)))", "7997\t7999")]
    [InlineData("return select('#', table.unpack({}, 1, 2 ^ 31)), select('#', table.unpack({}, 1, math.huge)), select('#', table.unpack({}, 1, 7000))", "0\t0\t7000")]
    [InlineData("return pcall(table.move, {}, -2 ^ 31, 2 ^ 31 - 1, 1)", "false\tinvalid argument #3 to 'move' (too many elements to move)")]
    [InlineData("local t = table.move({1}, 1, 1, 2 ^ 31 - 1) return t[2 ^ 31 - 1], #table.move({}, 1, 2 ^ 31, 2)", "1\t0")]
    [InlineData("return pcall(select, 2 ^ 31, 1, 2)", "false\tinvalid argument #1 to 'select' (index out of range)")]
    [InlineData("return pcall(select, -2 ^ 31, 1)", "false\tinvalid argument #1 to 'select' (index out of range)")]
    [InlineData("return pcall(select, math.huge, 1)", "false\tinvalid argument #1 to 'select' (index out of range)")]
    [InlineData("return pcall(select, 0 / 0, 1)", "false\tinvalid argument #1 to 'select' (index out of range)")]
    [InlineData("return select('#', select(2 ^ 31 - 1, 1, 2)), select('#', select(1e9, 1))", "0\t0")]
    [InlineData("return select('#', string.byte('abc', 1, 2 ^ 31)), select('#', string.byte('abc', -2 ^ 31, 2 ^ 31 - 1)), string.sub('abc', -2 ^ 31, 2 ^ 31)", "0\t3\t")]
    [InlineData("return pcall(string.byte, string.rep('x', 1e6), 1, -1)", "false\tstack overflow (string slice too long)")]
    [InlineData("return pcall(string.byte, string.rep('x', 8000), 1, -1)", "false\tstack overflow (string slice too long)")]
    [InlineData("return pcall(string.char, 256)", "false\tinvalid argument #1 to 'char' (invalid value)")]
    [InlineData("return pcall(string.char, -1)", "false\tinvalid argument #1 to 'char' (invalid value)")]
    [InlineData("return #string.char(table.unpack(table.create(7000, 65)))", "7000")]
    [InlineData("return pcall(math.random, 2 ^ 31)", "false\tinvalid argument #1 to 'random' (interval is empty)")]
    [InlineData("return #string.split(string.rep('a,', 1e5), ',')", "100001")]
    public void RangesAndCounts(string source, string expected) => ExpectQuickly(source, expected);
}
