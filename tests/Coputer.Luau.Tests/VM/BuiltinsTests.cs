namespace Coputer.Luau.Tests.VM;

/// <summary>
/// The FASTCALL paths of builtins give what the library functions give: each call below is made both directly
/// (the compiler emits FASTCALL for <c>bit32.band(x, y)</c>) and through a function value the compiler cannot
/// recognise (an ordinary CALL of the library function), and the results must match for every operand.
/// </summary>
public class BuiltinsTests
{
    private const string Operands = "{0, 1, -1, 2.5, -2.5, 31, 32, 33, -33, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 2^40, -2^40, 1e300, -0.0, 0/0, 1/0, -1/0}";

    [Theory]
    [InlineData("math.abs", "math.abs(x)")]
    [InlineData("math.floor", "math.floor(x)")]
    [InlineData("math.ceil", "math.ceil(x)")]
    [InlineData("math.sqrt", "math.sqrt(x)")]
    [InlineData("math.sign", "math.sign(x)")]
    [InlineData("math.round", "math.round(x)")]
    [InlineData("math.deg", "math.deg(x)")]
    [InlineData("math.rad", "math.rad(x)")]
    [InlineData("math.min", "math.min(x)")]
    [InlineData("math.max", "math.max(x)")]
    [InlineData("bit32.band", "bit32.band(x)")]
    [InlineData("bit32.bor", "bit32.bor(x)")]
    [InlineData("bit32.bxor", "bit32.bxor(x)")]
    [InlineData("bit32.bnot", "bit32.bnot(x)")]
    [InlineData("bit32.countlz", "bit32.countlz(x)")]
    [InlineData("bit32.countrz", "bit32.countrz(x)")]
    [InlineData("bit32.byteswap", "bit32.byteswap(x)")]
    public void OneNumberArgument(string name, string direct) => ExpectSame($$"""
        local f = {{LookUp(name)}}
        local out = {}
        for _, x in {{Operands}} do
            table.insert(out, { tostring({{direct}}), tostring(f(x)) })
        end
        return out
        """);

    [Theory]
    [InlineData("math.min", "math.min(x, y)")]
    [InlineData("math.max", "math.max(x, y)")]
    [InlineData("bit32.band", "bit32.band(x, y)")]
    [InlineData("bit32.bor", "bit32.bor(x, y)")]
    [InlineData("bit32.bxor", "bit32.bxor(x, y)")]
    [InlineData("bit32.lshift", "bit32.lshift(x, y)")]
    [InlineData("bit32.rshift", "bit32.rshift(x, y)")]
    [InlineData("bit32.arshift", "bit32.arshift(x, y)")]
    [InlineData("bit32.lrotate", "bit32.lrotate(x, y)")]
    [InlineData("bit32.rrotate", "bit32.rrotate(x, y)")]
    public void TwoNumberArguments(string name, string direct) => ExpectSame($$"""
        local f = {{LookUp(name)}}
        local out = {}
        for _, x in {{Operands}} do
            for _, y in {{Operands}} do
                table.insert(out, { tostring({{direct}}), tostring(f(x, y)) })
            end
        end
        return out
        """);

    [Theory]
    // A constant second argument (FASTCALL2K), including bit32.extract with constant field and width (EXTRACTK).
    [InlineData("bit32.band", "bit32.band(x, 0xFF00)", "f(x, 0xFF00)")]
    [InlineData("bit32.lshift", "bit32.lshift(x, 3)", "f(x, 3)")]
    [InlineData("math.max", "math.max(x, 2)", "f(x, 2)")]
    [InlineData("bit32.extract", "bit32.extract(x, 4, 8)", "f(x, 4, 8)")]
    [InlineData("bit32.extract", "bit32.extract(x, 31)", "f(x, 31)")]
    public void ConstantSecondArgument(string name, string direct, string indirect) => ExpectSame($$"""
        local f = {{LookUp(name)}}
        local out = {}
        for _, x in {{Operands}} do
            table.insert(out, { tostring({{direct}}), tostring({{indirect}}) })
        end
        return out
        """);

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Bit32Replace(int arguments) => ExpectSame($$"""
        local f = {{LookUp("bit32.replace")}}
        local out = {}
        for _, x in {{Operands}} do
            for _, field in {0, 1, 5, 31, 32, -1, 2.5} do
                for _, width in {1, 4, 27, 31, 32, 0} do
                    local ok1, r1 = pcall(function() return {{(arguments == 3 ? "bit32.replace(x, 0x5A5A5A5A, field)" : "bit32.replace(x, 0x5A5A5A5A, field, width)")}} end)
                    local ok2, r2 = pcall(function() return {{(arguments == 3 ? "f(x, 0x5A5A5A5A, field)" : "f(x, 0x5A5A5A5A, field, width)")}} end)
                    -- Error messages carry the calling line, which differs between the two calls.
                    table.insert(out, { tostring(ok1) .. " " .. (tostring(r1):gsub("^chunk:%d+: ", "")), tostring(ok2) .. " " .. (tostring(r2):gsub("^chunk:%d+: ", "")) })
                end
            end
        end
        return out
        """);

    [Theory]
    [InlineData("readi8", "writeu8", 1)]
    [InlineData("readu8", "writei8", 1)]
    [InlineData("readi16", "writeu16", 2)]
    [InlineData("readu16", "writei16", 2)]
    [InlineData("readi32", "writeu32", 4)]
    [InlineData("readu32", "writei32", 4)]
    [InlineData("readf32", "writef32", 4)]
    [InlineData("readf64", "writef64", 8)]
    public void BufferReadsAndWrites(string read, string write, int size) => ExpectSame($$"""
        local rd = {{LookUp("buffer." + read)}}
        local wr = {{LookUp("buffer." + write)}}
        local out = {}
        local b1, b2 = buffer.create(16), buffer.create(16)
        for _, x in {{Operands}} do
            for _, offset in {0, 1, 16 - {{size}}, 17 - {{size}}, -1, 2.5, 2^31} do
                local ok1 = pcall(function() buffer.{{write}}(b1, offset, x) end)
                local ok2 = pcall(function() wr(b2, offset, x) end)
                local okr1, r1 = pcall(function() return buffer.{{read}}(b1, offset) end)
                local okr2, r2 = pcall(function() return rd(b2, offset) end)
                table.insert(out, {
                    tostring(ok1) .. tostring(okr1) .. " " .. (tostring(r1):gsub("^chunk:%d+: ", "")) .. " " .. buffer.tostring(b1),
                    tostring(ok2) .. tostring(okr2) .. " " .. (tostring(r2):gsub("^chunk:%d+: ", "")) .. " " .. buffer.tostring(b2),
                })
            end
        end
        return out
        """);

    [Theory]
    [InlineData("local mt = {} local t = setmetatable({}, mt) return getmetatable(t) == mt, rawequal(t, setmetatable(t, mt))", "true\ttrue")]
    [InlineData("local t = setmetatable({}, {__metatable = 'locked'}) return pcall(setmetatable, t, {})", "false\tcannot change a protected metatable")]
    [InlineData("local t = setmetatable({}, {__metatable = 'locked'}) local ok, e = pcall(function() return setmetatable(t, {}) end) return ok, e",
        "false\tchunk:1: cannot change a protected metatable")]
    [InlineData("local t = table.freeze({}) local ok, e = pcall(function() return setmetatable(t, {}) end) return ok, e",
        "false\tchunk:1: attempt to modify a readonly table")]
    [InlineData("local ok, e = pcall(function() return setmetatable({}, 5) end) return ok, e",
        "false\tchunk:1: invalid argument #2 to 'setmetatable' (nil or table expected, got number)")]
    [InlineData("local a, b = {}, {} local t = setmetatable({}, a) setmetatable(t, b) setmetatable(t, nil) return getmetatable(t)", "nil")]
    [InlineData("local mt = {__index = function(_, k) return k .. '!' end} local t = setmetatable({}, mt) return t.x", "x!")]
    public void SetMetatable(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local function f(...) return (select(2, ...)) end return f(1, 2, 3), f(1), f()", "2\tnil\tnil")]
    [InlineData("local function f(...) local n = select('#', ...) return n end return f(), f(nil), f(1, 2, 3)", "0\t1\t3")]
    [InlineData("local function f(a, ...) local x = select(1, ...) return x end return f(1, 2, 3), f(1)", "2\tnil")]
    [InlineData("local function f(...) local x = select('#xyz', ...) return x end return f(5, 6)", "2")]
    [InlineData("local function f(...) local x = select(-1, ...) return x end return f(5, 6)", "6")]
    [InlineData("local function f(...) local x = select(1.9, ...) return x end return f(5, 6)", "5")]
    [InlineData("local function f(...) local x = select('2', ...) return x end return f(5, 6)", "6")]
    [InlineData("local function f(...) local ok, e = pcall(function(...) local x = select(0, ...) return x end, ...) return ok, e end return f(5)",
        "false\tchunk:1: invalid argument #1 to 'select' (index out of range)")]
    // The loop a variadic sum makes: the count and each argument in turn, as one result each.
    [InlineData("local function sum(...) local s = 0 for i = 1, select('#', ...) do s += select(i, ...) end return s end return sum(1, 2, 3, 4)", "10")]
    public void SelectInVariadicFunction(string source, string expected) => ScriptRunner.Expect(source, expected);

    /// <summary>The library function by a dynamic lookup, so the compiler cannot turn its calls into FASTCALL.</summary>
    private static string LookUp(string name)
    {
        var parts = name.Split('.');
        return $"(function() local lib = {parts[0]} local key = \"{parts[1]}\" return lib[key] end)()";
    }

    /// <summary>Runs a snippet returning a list of pairs {direct call, library function call} and asserts each pair is equal.</summary>
    private static void ExpectSame(string source)
    {
        var engine = ScriptRunner.NewEngine();
        var list = engine.DoString(source)[0].AsTable!;
        int n = list.Length();
        Assert.True(n > 0);
        for (int i = 1; i <= n; i++)
        {
            var pair = list[i].AsTable!;
            Assert.Equal(pair[2].ToString(), pair[1].ToString());
        }
    }
}
