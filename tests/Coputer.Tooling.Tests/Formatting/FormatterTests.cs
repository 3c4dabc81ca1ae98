using System.Text;
using Coputer.Tooling.Formatting;

namespace Coputer.Tooling.Tests.Formatting;

/// <summary>One test per case that tripped the original formatter, and the layout rules.</summary>
public class FormatterTests
{
    /// <summary>Formats, and checks that the result compiles to the same program and formats to itself.</summary>
    private static string Fmt(string source, FormatOptions? options = null) => Encoding.Latin1.GetString(FmtBytes(Encoding.UTF8.GetBytes(source), options));

    private static byte[] FmtBytes(byte[] source, FormatOptions? options = null)
    {
        FormatResult result = LuauFormatter.Format(source, options);
        Assert.True(result.Success, result.Failure ?? string.Join("\n", result.Errors));
        byte[] output = result.Output!;
        Assert.Equal(CorpusFormattingTests.BytecodeWithoutLines(source), CorpusFormattingTests.BytecodeWithoutLines(output));
        FormatResult again = LuauFormatter.Format(output, options);
        Assert.True(again.Success, again.Failure);
        CorpusFormattingTests.BytesEqual(output, again.Output!);
        return output;
    }

    private static string Utf8(string s) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void QuotesPreferDoubleUnlessThatNeedsMoreEscapes()
    {
        Assert.Equal("local a, b, c = \"it's\", 'say \"hi\"', \"both ' and \\\"\"\n", Fmt("local a, b, c = 'it\\'s', \"say \\\"hi\\\"\", 'both \\' and \"'"));
        Assert.Equal("local a = 'x'\n", Fmt("local a = \"x\"", new FormatOptions { QuoteStyle = QuoteStyle.ForceSingle }));
        Assert.Equal("local a = \"a\\\"b\"\n", Fmt("local a = 'a\"b'", new FormatOptions { QuoteStyle = QuoteStyle.ForceDouble }));
        Assert.Equal("local a = 'x'\n", Fmt("local a = \"x\"", new FormatOptions { QuoteStyle = QuoteStyle.AutoPreferSingle }));
    }

    [Fact]
    public void EscapesAndControlBytesStayAsWritten()
    {
        const string source = "local s = \"\\0\\1\\a\\b\\f\\n\\r\\t\\v\\x7f\\u{10FFFF}\\u{48}\\065\\\\\\z\n      end\"\n";
        Assert.Equal(source, Fmt(source));

        // Raw control bytes (a tab, a bell) inside a string are kept as they are, not re-escaped.
        Assert.Equal("local s = \"a\tb\u0007c\"\n", Fmt("local s = 'a\tb\u0007c'"));
    }

    [Fact]
    public void NonAsciiAndInvalidUtf8AreCopiedByteForByte()
    {
        Assert.Equal(Utf8("local s = \"héllo ✓ 😀\"\n"), Fmt("local s = 'héllo ✓ 😀'"));

        byte[] invalid = [.. "local s = \""u8, 0xFF, 0xFE, 0xC3, (byte)'"', .. "\nlocal t = [["u8, 0x80, 0xBF, .. "]]"u8];
        byte[] output = FmtBytes(invalid);
        Assert.Equal([.. "local s = \""u8, 0xFF, 0xFE, 0xC3, (byte)'"', .. "\nlocal t = [["u8, 0x80, 0xBF, .. "]]\n"u8], output);
    }

    [Theory]
    [InlineData("local s = [[a]]")]
    [InlineData("local s = [=[a ]] b]=]")]
    [InlineData("local s = [==[\nx ]] ]=] y\n]==]")]
    [InlineData("local s = [[\n\n  indented\n\tkept ]]")]
    [InlineData("--[[ a ]] local x = 1")]
    [InlineData("--[==[ a ]] ]=]\n  b ]==]\nlocal x = 1")]
    public void LongStringsAndCommentsOfEveryLevelAreKept(string source)
    {
        string output = Fmt(source);
        int open = source.IndexOf('[', StringComparison.Ordinal);
        int close = source.LastIndexOf(']') + 1;
        Assert.Contains(source[open..close], output, StringComparison.Ordinal);
    }

    [Fact]
    public void NumbersAreWrittenAsTheyWere()
    {
        const string source = "local n = { -0, 1e308, 1E+308, 0xFF, 0Xff, 0b1010, 0B11, 1_000_000, 0x_FF_FF, .5, 3., 1e-310, math.huge }\n";
        Assert.Equal(source, Fmt(source));
    }

    [Fact]
    public void EveryTypeSyntaxIsFormatted()
    {
        const string source = """
            type Fn<U, T... = ...string> = <A>(a: A, ...U) -> (T...)
            type Pk = typeof(setmetatable({}, {}))
            type Tab = { read x: number, write ["y z"]: string, [number]: boolean }
            export type Union = "a" | 'b' | number? | (A & B)
            type Single = | string
            type Arr = {string}
            type Fun = (number, string?) -> ...number
            type Gen = Map<string, { number }>
            type Packs = F<(A, B), ...C>
            type M = mod.T<number>
            local function g<T..., U...>(...: T...): (U...) end
            local function h(x: number, ...: string): (number, string) return x, ... end
            local y = (x :: any) :: number
            type function tf(t) return t end
            """;
        const string expected = """
            type Fn<U, T... = ...string> = <A>(a: A, ...U) -> (T...)
            type Pk = typeof(setmetatable({}, {}))
            type Tab = { read x: number, write ["y z"]: string, [number]: boolean }
            export type Union = "a" | "b" | number? | (A & B)
            type Single = | string
            type Arr = { string }
            type Fun = (number, string?) -> ...number
            type Gen = Map<string, { number }>
            type Packs = F<(A, B), ...C>
            type M = mod.T<number>
            local function g<T..., U...>(...: T...): (U...) end
            local function h(x: number, ...: string): (number, string)
            	return x, ...
            end
            local y = (x :: any) :: number
            type function tf(t)
            	return t
            end

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Fmt(source));
    }

    [Fact]
    public void LongTypesBreak()
    {
        string output = Fmt("type T = { alpha: number, beta: string, gamma: boolean, delta: { number } }", new FormatOptions { ColumnWidth = 30 });
        Assert.Equal("type T = {\n\talpha: number,\n\tbeta: string,\n\tgamma: boolean,\n\tdelta: { number },\n}\n", output);
    }

    [Fact]
    public void InterpolatedStringsKeepTheirTextAndFormatTheirHoles()
    {
        Assert.Equal("local x = `a{1 + 2}b{ { 1 } }c{`nested{x}`}\\{lit}`\n", Fmt("local x = `a{1+2}b{ {1} }c{`nested{x}`}\\{lit}`"));
        Assert.Equal("local x = `plain`\n", Fmt("local x = `plain`"));
    }

    [Fact]
    public void AttributesAreKept()
    {
        Assert.Equal("@native local function f() end\n@[deprecated {use = \"g\"}] function h() end\nlocal k = @checked function() end\n",
            Fmt("@native local function f() end\n@[deprecated {use = \"g\"}] function h() end\nlocal k = @checked function() end"));
    }

    [Fact]
    public void CompoundAssignmentAndIfExpressions()
    {
        Assert.Equal("v += 1\nv ..= \"x\"\nv //= 2\nv ^= 2\nlocal w = if a then 1 elseif b then 2 else 3\n",
            Fmt("v+=1; v..='x' v//=2 v ^= 2 local w = if a then 1 elseif b then 2 else 3"));
        Assert.Equal("local w = if aaaa\n\tthen bbbb\n\telseif cccc then dddd\n\telse eeee\n",
            Fmt("local w = if aaaa then bbbb elseif cccc then dddd else eeee", new FormatOptions { ColumnWidth = 30 }));
    }

    [Fact]
    public void CommentsAreKeptWhereTheyBelong()
    {
        const string source = """
            -- header
            local t = { -- opening
            	a = 1, -- first
            	-- own line
            	b = 2, --[[ block ]]
            } -- after

            --[[ before function ]]
            local function f(x) -- params
            	-- body
            	return x -- trailing
            	-- last
            end
            call(a, -- arg
            	b)
            -- end of file
            """;
        const string expected = """
            -- header
            local t = { -- opening
            	a = 1, -- first
            	-- own line
            	b = 2, --[[ block ]]
            } -- after

            --[[ before function ]]
            local function f(x) -- params
            	-- body
            	return x -- trailing
            	-- last
            end
            call(
            	a, -- arg
            	b
            )
            -- end of file

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Fmt(source));
    }

    [Fact]
    public void BlankLinesBetweenStatementsCollapseToOne()
    {
        Assert.Equal("local a = 1\n\nlocal b = 2\nlocal c = 3\n", Fmt("\n\nlocal a = 1\n\n\n\nlocal b = 2\nlocal c = 3\n\n\n"));
        Assert.Equal("do\n\tlocal a = 1\nend\n", Fmt("do\n\n\tlocal a = 1\n\nend"));
        Assert.Equal("do\n\n\tlocal a = 1\n\nend\n", Fmt("do\n\n\n\tlocal a = 1\n\n\nend", new FormatOptions { BlockNewlineGaps = BlockNewlineGaps.Preserve }));
    }

    [Fact]
    public void LongLinesWrap()
    {
        var narrow = new FormatOptions { ColumnWidth = 40 };
        Assert.Equal("local result = someFunction(\n\tfirstArgument,\n\tsecondArgument,\n\tthird\n)\n",
            Fmt("local result = someFunction(firstArgument, secondArgument, third)", narrow));
        Assert.Equal("local t = {\n\talpha = 1,\n\tbeta = 2,\n\tgamma = 3,\n\tdelta = 4,\n}\n",
            Fmt("local t = {alpha = 1, beta = 2, gamma = 3, delta = 4}", narrow));
        Assert.Equal("local x = aaaaaaaaaa\n\t+ bbbbbbbbbb\n\t+ cccccccccc\n\t+ dddddddddd\n",
            Fmt("local x = aaaaaaaaaa + bbbbbbbbbb + cccccccccc + dddddddddd", narrow));
        // A last function argument stays on the call's line.
        Assert.Equal("pcall(function()\n\treturn 1\nend)\n", Fmt("pcall(function() return 1 end)", narrow));
        Assert.Equal("setmetatable(t, {\n\t__index = function(t, k)\n\t\treturn k\n\tend,\n})\n",
            Fmt("setmetatable(t, {__index = function(t, k) return k end})", narrow));
    }

    [Fact]
    public void IndentationFollowsTheOptions()
    {
        var spaces = new FormatOptions { IndentType = IndentType.Spaces, IndentWidth = 2 };
        Assert.Equal("if a then\n  if b then\n    c()\n  end\nend\n", Fmt("if a then if b then c() end end", spaces));
        Assert.Equal("if a then\r\n\tc()\r\nend\r\n", Fmt("if a then c() end", new FormatOptions { LineEndings = LineEndings.Windows }));
    }

    [Fact]
    public void CallParenthesesFollowTheOption()
    {
        const string source = "print \"x\" print { 1 } print(\"y\") f(\"a\", \"b\") s:m \"z\" g(`t`)";
        Assert.Equal("print(\"x\")\nprint({ 1 })\nprint(\"y\")\nf(\"a\", \"b\")\ns:m(\"z\")\ng(`t`)\n", Fmt(source));
        Assert.Equal("print \"x\"\nprint { 1 }\nprint \"y\"\nf(\"a\", \"b\")\ns:m \"z\"\ng(`t`)\n", Fmt(source, new FormatOptions { CallParentheses = CallParentheses.None }));
        Assert.Equal("print \"x\"\nprint({ 1 })\nprint \"y\"\nf(\"a\", \"b\")\ns:m \"z\"\ng(`t`)\n", Fmt(source, new FormatOptions { CallParentheses = CallParentheses.NoSingleString }));
        Assert.Equal("print(\"x\")\nprint { 1 }\nprint(\"y\")\nf(\"a\", \"b\")\ns:m(\"z\")\ng(`t`)\n", Fmt(source, new FormatOptions { CallParentheses = CallParentheses.NoSingleTable }));
        Assert.Equal("print \"x\"\nprint { 1 }\nprint(\"y\")\nf(\"a\", \"b\")\ns:m \"z\"\ng(`t`)\n", Fmt(source, new FormatOptions { CallParentheses = CallParentheses.Input }));
    }

    [Fact]
    public void SimpleStatementsCollapseWhenAsked()
    {
        var always = new FormatOptions { CollapseSimpleStatement = CollapseSimpleStatement.Always };
        Assert.Equal("if x then return end\nlocal f = function() return 1 end\n", Fmt("if x then\nreturn\nend\nlocal f = function()\nreturn 1\nend", always));
        Assert.Equal("if x then\n\treturn\nend\nlocal f = function() return 1 end\n",
            Fmt("if x then return end local f = function() return 1 end", new FormatOptions { CollapseSimpleStatement = CollapseSimpleStatement.FunctionOnly }));
    }

    [Fact]
    public void SemicolonsStayOnlyWhereNeeded()
    {
        Assert.Equal("local a = f;\n(g)()\nlocal b = 1\n", Fmt("local a = f; (g)() local b = 1;"));
    }

    [Fact]
    public void ShebangLineIsKept()
    {
        Assert.Equal("#!/usr/bin/env luau\nprint(1)\n", Fmt("#!/usr/bin/env luau\nprint( 1 )"));
    }

    [Fact]
    public void NegationOfNegationDoesNotBecomeAComment()
    {
        Assert.Equal("local x = - -y\nlocal z = - --[[c]] y\n", Fmt("local x = - -y local z = - --[[c]] y"));
    }

    [Fact]
    public void LongStringKeysGetSpaces()
    {
        Assert.Equal("local t = { [ [[k]] ] = 1 }\nlocal v = t[ [[k]] ]\n", Fmt("local t = {[ [[k]] ]=1} local v = t[ [[k]] ]"));
    }

    [Fact]
    public void FilesWithSyntaxErrorsAreNotFormatted()
    {
        FormatResult result = LuauFormatter.Format("local = 1"u8);
        Assert.False(result.Success);
        Assert.Equal("1:7: Expected identifier when parsing variable name, got '='", result.Errors[0].ToString());
    }

    [Fact]
    public void AZeroByteOutsideAStringIsRefused()
    {
        FormatResult result = LuauFormatter.Format("print(1)\0print(2)"u8);
        Assert.False(result.Success);
        Assert.Contains("zero byte", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyAndCommentOnlyFiles()
    {
        Assert.Equal("", Fmt(""));
        Assert.Equal("", Fmt("\n\n  \n"));
        Assert.Equal("-- only\n", Fmt("-- only"));
        Assert.Equal("--!strict\n-- a\n\n-- b\n", Fmt("--!strict\n-- a\n\n\n-- b\n"));
    }
}
