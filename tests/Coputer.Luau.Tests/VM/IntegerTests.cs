using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// The 64-bit integer type outside the conformance file: how integers meet the rest of the language (equality with
/// numbers, table keys, operators, library functions that take numbers), the integer library's edge cases, and the
/// host API. Expected values and messages are the reference <c>luau</c> command's output for the same snippets
/// (release 735). Operands come from locals so the compiler cannot fold them.
/// </summary>
public class IntegerTests
{
    [Theory]
    [InlineData("return 1i, -1i, 0x7fffffffffffffffi, integer.minsigned, typeof(1i), type(2i)",
        "1\t-1\t9223372036854775807\t-9223372036854775808\tinteger\tinteger")]
    [InlineData("local one = 1 return 1i == one, 1i ~= one, rawequal(1i, 1i), 1i == integer.create(one)", "false\ttrue\ttrue\ttrue")]
    // Integer and number keys are different keys.
    [InlineData("local t = {} t[1] = 'n' t[1i] = 'i' return t[1], t[1i], #t, ({[1i] = true})[integer.create(1)]", "n\ti\t1\ttrue")]
    [InlineData("return tostring(integer.create(-0.0)), integer.create(2^63), integer.create(-2^63), integer.create('12')", "0\tnil\t-9223372036854775808\t12")]
    [InlineData("return tonumber(5i), integer.tonumber(5i), typeof(integer.tonumber(5i))", "nil\t5\tnumber")]
    public void ValuesAndEquality(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Fact]
    public void IntegerKeysIterateInTheReferenceOrder()
    {
        // The reference hashes integer keys with its own function; this order is what it prints.
        const string source = """
            local keys = {}
            for k in pairs({[1i]=1,[2i]=2,[100i]=3,[-5i]=4,[0x123456789i]=5, [7]=6, x=7}) do table.insert(keys, tostring(k)) end
            return table.concat(keys, " ")
            """;
        ScriptRunner.Expect(source, "1 2 x 4886718345 7 -5 100");
    }

    [Theory]
    [InlineData("local a = 1i return pcall(function() return a + a end)", "false\tchunk:1: attempt to perform arithmetic (add) on integer")]
    [InlineData("local a = 1i return pcall(function() return a + 1 end)", "false\tchunk:1: attempt to perform arithmetic (add) on integer and number")]
    [InlineData("local a = 1i return pcall(function() return 1 + a end)", "false\tchunk:1: attempt to perform arithmetic (add) on number and integer")]
    [InlineData("local a = 2i return pcall(function() return -a end)", "false\tchunk:1: attempt to perform arithmetic (unm) on integer")]
    [InlineData("local a = 2i return pcall(function() return #a end)", "false\tchunk:1: attempt to get length of a integer value")]
    [InlineData("local a = 1i return pcall(function() return a < 2i end)", "false\tchunk:1: attempt to compare integer < integer")]
    [InlineData("local a = 1i return pcall(function() return a <= 2 end)", "false\tchunk:1: attempt to compare integer <= number")]
    [InlineData("local a = 1i return pcall(function() return 'a' .. a end)", "false\tchunk:1: attempt to concatenate string with integer")]
    [InlineData("local a = 3i return pcall(function() return a.y end)", "false\tchunk:1: attempt to index integer with 'y'")]
    [InlineData("local a = 3i return pcall(function() a.y = 1 end)", "false\tchunk:1: attempt to index integer with 'y'")]
    [InlineData("local a = 3i return pcall(function() return a() end)", "false\tchunk:1: attempt to call a integer value")]
    [InlineData("local a = 1i return pcall(function() for i = a, 3 do end end)", "false\tchunk:1: invalid 'for' initial value (number expected, got integer)")]
    [InlineData("local a = 1i return pcall(function() return -(123i) end)", "false\tchunk:1: attempt to perform arithmetic (unm) on integer")]
    public void OperatorsOtherThanEqualityFail(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("return pcall(math.abs, 1i)", "false\tinvalid argument #1 to 'abs' (number expected, got integer)")]
    [InlineData("return pcall(integer.add, 1, 2)", "false\tinvalid argument #1 to 'add' (integer expected, got number)")]
    [InlineData("return pcall(integer.add, 1i)", "false\tmissing argument #2 to 'add' (integer expected)")]
    [InlineData("return pcall(string.rep, 'x', 2i)", "false\tinvalid argument #2 to 'rep' (number expected, got integer)")]
    [InlineData("return pcall(string.format, '%s', 5i)", "false\tinvalid argument #2 to 'format' (string expected, got integer)")]
    [InlineData("return pcall(string.format, '%f', 5i)", "false\tinvalid argument #2 to 'format' (number expected, got integer)")]
    [InlineData("return pcall(table.concat, {1i, 2i})", "false\tinvalid value (integer) at index 1 in table for 'concat'")]
    public void NumberFunctionsRefuseIntegers(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("return string.format('%d %5d %-5d| %x %X %o %u', 5i, 6i, 7i, 255i, 255i, 8i, -1i)", "5     6 7    | ff FF 10 18446744073709551615")]
    [InlineData("return string.format('%*|%5.2d|%+d|% d|%#x|%#o', 5i, 3i, 4i, 5i, 255i, 8i)", "5|   03|+4| 5|0xff|010")]
    [InlineData("local t = setmetatable({}, {__index = function(t, k) return k end}) return t[5i], next({5i})", "5\t1\t5")]
    public void FormattingAndTostring(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    // Base 10 clamps on overflow, as C's strtoll; other bases give all ones, as strtoull.
    [InlineData("return integer.fromstring('99999999999999999999'), integer.fromstring('-99999999999999999999'), integer.fromstring('FFFFFFFFFFFFFFFFF', 16)",
        "9223372036854775807\t-9223372036854775808\t-1")]
    [InlineData("return integer.fromstring('0x'), integer.fromstring('0x', 16), integer.fromstring(''), integer.fromstring(' '), integer.fromstring('1e3')",
        "nil\tnil\tnil\tnil\tnil")]
    [InlineData("return integer.fromstring('z', 36), integer.fromstring('12', 3), integer.fromstring(12), integer.fromstring('7\\0 9')", "35\t5\t12\t7")]
    [InlineData("return pcall(integer.fromstring, '1', 1.5)", "false\tinvalid argument #2 to 'fromstring' (base out of range)")]
    [InlineData("return pcall(integer.fromstring, {})", "false\tinvalid argument #1 to 'fromstring' (string expected, got table)")]
    public void FromString(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("return select('#', integer.band()), integer.band(), integer.countlz(0i), integer.countrz(-1i)", "1\t-1\t64\t0")]
    // A huge width passes the reference's field + width check by wraparound and masks with the shift modulo 64.
    [InlineData("return integer.extract(1i, 1i, integer.maxsigned), integer.extract(-1i, 60i, 4i)", "0\t15")]
    [InlineData("return pcall(integer.extract, 1i, -1i, 1i)", "false\tinvalid argument #2 to 'extract' (field cannot be negative)")]
    [InlineData("return pcall(integer.replace, 1i, 1i, 63i, 2i)", "false\ttrying to access non-existent bits")]
    [InlineData("return pcall(integer.clamp, 1i, 2i, 1i)", "false\tinvalid argument #3 to 'clamp' (max must be greater than or equal to min)")]
    [InlineData("return pcall(integer.min)", "false\tmissing argument #1 to 'min' (integer expected)")]
    [InlineData("return pcall(integer.max, 1i, 2)", "false\tinvalid argument #2 to 'max' (integer expected, got number)")]
    [InlineData("return integer.min(3i), integer.max(3i, 9i, -2i)", "3\t9")]
    [InlineData("local a, z = 5i, 0i return pcall(integer.div, a, z)", "false\tdivision by zero")]
    [InlineData("local m = integer.minsigned return pcall(integer.idiv, m, -1i)", "false\tinteger overflow")]
    public void LibraryEdgeCases(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Fact]
    public void FastPathsAgreeWithTheLibrary()
    {
        // The same operations through FASTCALL (direct calls) and through the library (called via a table, so the
        // compiler cannot see a builtin), at every optimisation level.
        const string source = """
            local lib = {}
            for k, v in integer do lib[k] = v end
            local xs = {0i, 1i, -1i, 7i, -7i, 3i, integer.maxsigned, integer.minsigned, 0x0123456789ABCDEFi}
            local out = {}
            local function check(name, a, b)
                local ok1, r1 = pcall(function() return lib[name](a, b) end)
                local ok2, r2
                if name == "add" then ok2, r2 = pcall(function() return integer.add(a, b) end)
                elseif name == "sub" then ok2, r2 = pcall(function() return integer.sub(a, b) end)
                elseif name == "mul" then ok2, r2 = pcall(function() return integer.mul(a, b) end)
                elseif name == "div" then ok2, r2 = pcall(function() return integer.div(a, b) end)
                elseif name == "idiv" then ok2, r2 = pcall(function() return integer.idiv(a, b) end)
                elseif name == "rem" then ok2, r2 = pcall(function() return integer.rem(a, b) end)
                elseif name == "mod" then ok2, r2 = pcall(function() return integer.mod(a, b) end)
                elseif name == "udiv" then ok2, r2 = pcall(function() return integer.udiv(a, b) end)
                elseif name == "urem" then ok2, r2 = pcall(function() return integer.urem(a, b) end)
                elseif name == "lshift" then ok2, r2 = pcall(function() return integer.lshift(a, b) end)
                elseif name == "rshift" then ok2, r2 = pcall(function() return integer.rshift(a, b) end)
                elseif name == "arshift" then ok2, r2 = pcall(function() return integer.arshift(a, b) end)
                elseif name == "lrotate" then ok2, r2 = pcall(function() return integer.lrotate(a, b) end)
                elseif name == "rrotate" then ok2, r2 = pcall(function() return integer.rrotate(a, b) end)
                elseif name == "ult" then ok2, r2 = pcall(function() return integer.ult(a, b) end)
                end
                if ok1 ~= ok2 or (ok1 and r1 ~= r2) then table.insert(out, `{name}({a}, {b}): {r1} vs {r2}`) end
            end
            for _, name in {"add", "sub", "mul", "div", "idiv", "rem", "mod", "udiv", "urem", "lshift", "rshift", "arshift", "lrotate", "rrotate", "ult"} do
                for _, a in xs do for _, b in xs do check(name, a, b) end end
            end
            return #out == 0 and "same" or table.concat(out, "\n")
            """;
        for (int level = 0; level <= 2; level++)
        {
            var options = new LuauEngineOptions { CompileOptions = new() { OptimizationLevel = level } };
            Assert.Equal("same", ScriptRunner.Run(source, options));
        }
    }

    [Fact]
    public void BufferIntegers()
    {
        ScriptRunner.Expect("local b = buffer.create(10) buffer.writeinteger(b, 2, -2i) return buffer.readinteger(b, 2), buffer.readu8(b, 2)", "-2\t254");
        ScriptRunner.Expect("local b = buffer.create(10) return pcall(buffer.writeinteger, b, 3, 1i)", "false\tbuffer access out of bounds");
        ScriptRunner.Expect("local b = buffer.create(10) return pcall(buffer.writeinteger, b, 2, 1)", "false\tinvalid argument #3 to 'writeinteger' (integer expected, got number)");
        ScriptRunner.Expect("local b = buffer.create(10) return pcall(buffer.readinteger, b, -1)", "false\tbuffer access out of bounds");
    }

    [Fact]
    public void TheLibraryIsAnEngineOption()
    {
        var options = new LuauEngineOptions { Libraries = LuauLibraries.All & ~LuauLibraries.Integer };
        // Literals still work (as in the reference, where the type and the library have separate flags).
        Assert.Equal("nil\tnil\tnil\tinteger", ScriptRunner.Run("return integer, buffer.readinteger, buffer.writeinteger, typeof(1i)", options));
        Assert.Equal("table\tfunction", ScriptRunner.Run("return typeof(integer), typeof(buffer.readinteger)"));
    }

    [Fact]
    public void HostsPassAndReadIntegers()
    {
        var engine = ScriptRunner.NewEngine();
        engine.SetFunction("twice", c => c.Return(LuauValue.FromInteger(c.CheckInteger64(1) * 2)));
        var results = engine.DoString("return twice(21i), 5i, typeof(twice(1i))");
        Assert.Equal(LuauType.Integer, results[0].Type);
        Assert.Equal(42L, results[0].Integer);
        Assert.True(results[1].IsInteger);
        Assert.Equal(LuauValue.FromInteger(5), results[1]);
        Assert.NotEqual(new LuauValue(5.0), results[1]);
        Assert.Equal("integer", results[2].ToString());
        var error = Assert.Throws<LuauRuntimeException>(() => engine.DoString("return twice(1)"));
        Assert.Contains("invalid argument #1 to 'twice' (integer expected, got number)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IntegersInTablesAreChargedLikeOtherValues()
    {
        // A table of integers costs what a table of numbers costs: the payload is inline, never boxed.
        static long Used(string element)
        {
            var engine = ScriptRunner.NewEngine(new LuauEngineOptions { MemoryLimit = 64 << 20 });
            engine.DoString($"t = {{}} for i = 1, 10000 do t[i] = {element} end");
            return engine.State.MemoryInUse;
        }
        Assert.Equal(Used("0.5"), Used("5i")); // both constants come from the constant table
        var limited = ScriptRunner.NewEngine(new LuauEngineOptions { MemoryLimit = 1 << 20 });
        var e = Assert.Throws<LuauRuntimeException>(() => limited.DoString("local t = {} for i = 1, 1000000 do t[i] = integer.create(i) end"));
        Assert.Equal(LuauErrorKind.Memory, e.Kind);
    }
}
