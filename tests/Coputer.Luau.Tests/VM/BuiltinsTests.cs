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
            table.insert(out, tostring({{direct}}) .. "/" .. tostring(f(x)))
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
                table.insert(out, tostring({{direct}}) .. "/" .. tostring(f(x, y)))
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
            table.insert(out, tostring({{direct}}) .. "/" .. tostring({{indirect}}))
        end
        return out
        """);

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

    private static void ExpectSame(string source)
    {
        var engine = ScriptRunner.NewEngine();
        var result = engine.DoString(source);
        var list = result[0].AsTable!;
        int n = (int)list.Length();
        Assert.True(n > 0);
        for (int i = 1; i <= n; i++)
        {
            string pair = list[i].ToString();
            int slash = pair.IndexOf('/', StringComparison.Ordinal);
            Assert.Equal(pair[(slash + 1)..], pair[..slash]);
        }
    }
}
