using System.Text;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

public class PrinterTests
{
    /// <summary>Parses, prints and parses again; both trees must be the same apart from locations.</summary>
    internal static string RoundTrip(byte[] source)
    {
        ParseResult first = Parser.Parse(source);
        Assert.True(first.Errors.Count == 0, "source does not parse: " + string.Join("\n", first.Errors));

        byte[] printed = AstPrinter.PrintUtf8(first.Root);
        ParseResult second = Parser.Parse(printed);
        string text = Encoding.UTF8.GetString(printed);
        Assert.True(second.Errors.Count == 0, "printed source does not parse: " + string.Join("\n", second.Errors) + "\n" + text);
        Assert.Equal(AstDump.Of(first.Root), AstDump.Of(second.Root));
        return text;
    }

    private static string RoundTrip(string source) => RoundTrip(Encoding.UTF8.GetBytes(source));

    [Theory]
    [InlineData("local a, b: number = 1, 2")]
    [InlineData("const c = 1\nconst function f() return c end")]
    [InlineData("a, b.c, d[e] = 1, 2, 3")]
    [InlineData("x += 1; x -= 1; x *= 2; x /= 2; x //= 2; x %= 2; x ^= 2; x ..= 's'")]
    [InlineData("f() obj:m(1) obj.a:b 'x' g { 1 } h [[raw]]")]
    [InlineData("if a then elseif b then x() elseif c then else y() end")]
    [InlineData("if a then else if b then end end")]
    [InlineData("while a do break end repeat local z = 1 until z for i = 1, 2, 3 do continue end")]
    [InlineData("for k, v: number in pairs(t) do end")]
    [InlineData("do end do do return end end")]
    [InlineData("return")]
    [InlineData("return 1, ...")]
    [InlineData("local function f(a, b, ...) return ... end function t.a.b:c(x) end")]
    [InlineData("local f = function() end local g = function(...) return select('#', ...) end")]
    [InlineData("@native function f() end @[checked, deprecated {use = 'x'}] local function g() end local h = @native function() end")]
    [InlineData("@deprecated const function f() end")]
    [InlineData("local x = 1 + 2 * 3 - -4 ^ 2 .. 'a' .. 'b' == 5 and not x or #t ~= 2")]
    [InlineData("local x = (1 + 2) * 3 local y = -(-x) local z = - -x local w = not not x")]
    [InlineData("local x = (f())  local y = (...)  local z = ((a))")]
    [InlineData("local x = 2 ^ -3 ^ 2 local y = -2 ^ 2 local z = (a < b) == (c > d)")]
    [InlineData("local t = { 1, 2; x = 3, ['y z'] = 4, [f()] = 5, [ [[k]] ] = 6, g = function() end, }")]
    [InlineData("local t = {} local u = {{}} local v = { { {} } }")]
    [InlineData("local x = if a then b elseif c then d else e local y = (if a then b else c) + 1")]
    [InlineData("local s = `a{b}c{`d{e}`}f` local t = `{ {1} }` local u = `\\{\\}\\`` local v = `plain`")]
    [InlineData("local v = x :: number local w = (x :: any) :: string local u = (a + b) :: number")]
    [InlineData("local a = f<<number>>(1) local b = obj:m<<string, ...number>>() local c = f<<>>")]
    [InlineData("type A = number export type B<T, U = string> = { x: T, read y: U?, write z: number, [string]: any }")]
    [InlineData("type C<T..., U... = ...number> = (T...) -> U... type D<V... = (string, number)> = V")]
    [InlineData("type E = {T} type F = {read T} type G = { ['a b']: number, ['end']: string }")]
    [InlineData("type H = (number) -> () type I = <T>(x: T, ...string) -> (T, number) type J = (a: number, b: string) -> ...any")]
    [InlineData("type K = ((number) -> string) | nil type L = (A) | B type M = (A)? type N = A?? type O = | A type P = & B")]
    [InlineData("type Q = typeof(x.y) | 'lit' | true | false | mod.Type<A, (B, C), ...D, E...>")]
    [InlineData("type R = X<(A)> type S = X<(A)?> type U = X<()> type V = X<(A) | B> type W = T<>")]
    [InlineData("local function f(): (number) end local function g(): ((number)) end local function h(): (number) -> () end")]
    [InlineData("local function f(): ...number end local function g(): T... end local function h(): () end local function i(): (A, ...B) end")]
    [InlineData("local function f<T, U...>(x: T, ...: U...): U... end local function g(...: number) end")]
    [InlineData("type function f(t) return t end export type function g(...) end")]
    [InlineData("local x = 0xFF + 0b101 + 1_000 + 1e300 + 1e999 + 0.1 + 3. + .5 + 12i + 0xFFFFFFFFFFFFFFFFi")]
    [InlineData("local x = a.b.c[d][e].f:g(h)(i)[j]")]
    [InlineData("a = f;(g)()")]
    [InlineData("local x = 1 (f)()")]
    public void Snippets(string source) => RoundTrip(source);

    [Fact]
    public void Layout()
    {
        string printed = RoundTrip("local x=1 if x then print(x) elseif y then else while true do break end end local t={a=1,2}");
        Assert.Equal(
            "local x = 1\n" +
            "if x then\n" +
            "    print(x)\n" +
            "elseif y then\n" +
            "else\n" +
            "    while true do\n" +
            "        break\n" +
            "    end\n" +
            "end\n" +
            "local t = { a = 1, 2 }\n",
            printed);
    }

    [Fact]
    public void FunctionLayout()
    {
        string printed = RoundTrip("local function f(a: number, ...): string return tostring(a) end local g = function() end");
        Assert.Equal("local function f(a: number, ...): string\n    return tostring(a)\nend\nlocal g = function() end\n", printed);
    }

    [Fact]
    public void EveryByteInAStringRoundTrips()
    {
        var source = new StringBuilder("local s = '");
        for (int b = 0; b < 256; b++)
            source.Append($"\\x{b:X2}");
        source.Append('\'');
        string printed = RoundTrip(source.ToString());

        // The output is printable: control bytes and invalid UTF-8 are escaped.
        Assert.DoesNotContain(printed, c => c < ' ' && c != '\n');
    }

    [Fact]
    public void ValidUtf8IsKeptReadable()
    {
        string printed = RoundTrip("local s = 'héllo ✓'");
        Assert.Contains("héllo ✓", printed);
    }

    [Theory]
    [InlineData("[==[a]]b]==]", "[=[a]]b]=]")] // the fewest '=' that keep the contents intact
    [InlineData("[==[x]]y]=]z]==]", "[==[x]]y]=]z]==]")]
    [InlineData("[=[ends with ]]=]", "[=[ends with ]]=]")]
    [InlineData("[[\n\nleading newline]]", "[[\n\nleading newline]]")] // the first newline is dropped when read
    public void LongStringLevels(string literal, string expected)
    {
        string printed = RoundTrip("local s = " + literal);
        Assert.Equal("local s = " + expected + "\n", printed);
    }

    [Fact]
    public void InvalidUtf8InLongStrings()
    {
        byte[] source = [.. "local s = [["u8, 0xFF, 0x41, .. "]]"u8];
        ParseResult result = Parser.Parse(source);

        // Bytes are kept exactly in PrintUtf8; the string form escapes them in a quoted string instead.
        Assert.Equal([.. "local s = [["u8, 0xFF, 0x41, .. "]]\n"u8], AstPrinter.PrintUtf8(result.Root));
        Assert.Equal("local s = \"\\xFFA\"\n", AstPrinter.Print(result.Root));
    }

    [Fact]
    public void HeaderHotCommentsArePrinted()
    {
        ParseResult result = Parser.Parse("--!strict\n--!optimize 2\n-- ordinary\nlocal x = 1 --!not a header");
        Assert.Equal("--!strict\n--!optimize 2\nlocal x = 1\n", Encoding.UTF8.GetString(AstPrinter.PrintUtf8(result)));
    }

    [Fact]
    public void PrintsExpressionsAndTypesOnTheirOwn()
    {
        var ret = (ReturnStat)Parser.Parse("return a + b").Root.Body[0];
        Assert.Equal("a + b", AstPrinter.Print(ret.List[0]));
        var alias = (TypeAliasStat)Parser.Parse("type T = { x: number }?").Root.Body[0];
        Assert.Equal("{ x: number }?", AstPrinter.Print(alias.Type));
        Assert.Equal("type T = { x: number }?", AstPrinter.Print(alias));
    }

    // ----- Trees built by hand -----

    private static readonly Location L = default;

    private static NumberExpr Num(double v) => new(L, v);

    [Fact]
    public void HandBuiltTreesGetTheParenthesesTheyNeed()
    {
        var sumTimesThree = new BinaryExpr(L, BinaryOp.Mul, new BinaryExpr(L, BinaryOp.Add, Num(1), Num(2)), Num(3));
        Assert.Equal("(1 + 2) * 3", AstPrinter.Print(sumTimesThree));

        var oneMinusDifference = new BinaryExpr(L, BinaryOp.Sub, Num(1), new BinaryExpr(L, BinaryOp.Sub, Num(2), Num(3)));
        Assert.Equal("1 - (2 - 3)", AstPrinter.Print(oneMinusDifference));

        var powerOfPower = new BinaryExpr(L, BinaryOp.Pow, new BinaryExpr(L, BinaryOp.Pow, Num(2), Num(3)), Num(2));
        Assert.Equal("(2 ^ 3) ^ 2", AstPrinter.Print(powerOfPower));

        var negatedSum = new UnaryExpr(L, UnaryOp.Minus, new BinaryExpr(L, BinaryOp.Add, Num(1), Num(2)));
        Assert.Equal("-(1 + 2)", AstPrinter.Print(negatedSum));

        var doubleNegation = new UnaryExpr(L, UnaryOp.Minus, new UnaryExpr(L, UnaryOp.Minus, new GlobalExpr(L, "x")));
        Assert.Equal("- -x", AstPrinter.Print(doubleNegation));

        Assert.Equal("(-1.5)", AstPrinter.Print(Num(-1.5)));
        Assert.Equal("(0 / 0)", AstPrinter.Print(Num(double.NaN)));

        var body = new BlockStat(L, [], true);
        var function = new FunctionExpr(L, [], [], [], null, [], false, L, null, null, body, 1, "", null);
        Assert.Equal("(function() end)()", AstPrinter.Print(new CallExpr(L, function, [], false, L)));
    }

    [Fact]
    public void HandBuiltStatementsStartingWithParenthesesAreSeparated()
    {
        var first = new LocalStat(L, [new AstLocal("a", L, null, 0, 0, null, false, 0)], [new GlobalExpr(L, "f")], L);
        var second = new ExprStat(L, new CallExpr(L, new GroupExpr(L, new GlobalExpr(L, "g")), [], false, L));
        string printed = AstPrinter.Print(new BlockStat(L, [first, second], true));
        Assert.Equal("local a = f;\n(g)()\n", printed);
        Assert.Empty(Parser.Parse(printed).Errors);
    }
}
