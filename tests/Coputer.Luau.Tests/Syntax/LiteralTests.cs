using System.Text;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

/// <summary>Values of number and string literals as the parser decodes them.</summary>
public class LiteralTests
{
    private static AstExpr Value(string expression)
    {
        ParseResult result = Parser.Parse("return " + expression);
        Assert.Empty(result.Errors);
        return Assert.IsType<ReturnStat>(Assert.Single(result.Root.Body)).List[0];
    }

    private static double Number(string literal) => Assert.IsType<NumberExpr>(Value(literal)).Value;

    private static byte[] Bytes(string literal) => Assert.IsType<StringExpr>(Value(literal)).Value;

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("42", 42.0)]
    [InlineData("3.25", 3.25)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("1e3", 1000.0)]
    [InlineData("1E-2", 0.01)]
    [InlineData("2.5e+2", 250.0)]
    [InlineData("1_000_000", 1000000.0)]
    [InlineData("0x10", 16.0)]
    [InlineData("0XfF", 255.0)]
    [InlineData("0xFF_FF", 65535.0)]
    [InlineData("0b101", 5.0)]
    [InlineData("0B1111_0000", 240.0)]
    [InlineData("007", 7.0)]
    [InlineData("0.1", 0.1)]
    [InlineData("9007199254740993", 9007199254740992.0)] // rounds to the nearest double
    public void Numbers(string literal, double expected) => Assert.Equal(expected, Number(literal));

    [Fact]
    public void HexadecimalAndBinarySaturateInsteadOfFailing()
    {
        // Unsigned 64-bit, saturating at 2^64-1, which as a double is 2^64.
        Assert.Equal(18446744073709551615.0, Number("0xFFFFFFFFFFFFFFFF"));
        Assert.Equal(18446744073709551615.0, Number("0xFFFFFFFFFFFFFFFFFFFFFFFF"));
        Assert.Equal(18446744073709551615.0, Number("0b" + new string('1', 70)));
        Assert.Equal(9223372036854775808.0, Number("0x8000000000000000"));
    }

    [Fact]
    public void DecimalOverflowIsInfinityAndUnderflowIsZero()
    {
        Assert.Equal(double.PositiveInfinity, Number("1e400"));
        Assert.Equal(0.0, Number("1e-400"));
    }

    [Theory]
    [InlineData("12i", 12L)]
    [InlineData("1_000i", 1000L)]
    [InlineData("0xFFi", 255L)]
    [InlineData("0b1010i", 10L)]
    [InlineData("9223372036854775807i", long.MaxValue)]
    [InlineData("0xFFFFFFFFFFFFFFFFi", -1L)] // the bit pattern
    [InlineData("0x8000000000000000i", long.MinValue)]
    public void IntegerLiterals(string literal, long expected) => Assert.Equal(expected, Assert.IsType<IntegerExpr>(Value(literal)).Value);

    [Fact]
    public void IntegerLiteralsCanBeTurnedOff()
    {
        ParseResult result = Parser.Parse("return 12i", new ParseOptions { IntegerLiterals = false });
        Assert.Equal("Malformed number", Assert.Single(result.Errors).Message);
    }

    [Theory]
    [InlineData("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\"", new byte[] { 7, 8, 12, 10, 13, 9, 11, 92, 34, 39 })]
    [InlineData("'\\x41\\x7a\\xFF'", new byte[] { 0x41, 0x7A, 0xFF })]
    [InlineData("'\\65\\0651\\0\\255'", new byte[] { 65, 65, 49, 0, 255 })]
    [InlineData("'\\u{48}\\u{7FF}\\u{FFFF}'", new byte[] { 0x48, 0xDF, 0xBF, 0xEF, 0xBF, 0xBF })]
    [InlineData("'\\u{10FFFF}'", new byte[] { 0xF4, 0x8F, 0xBF, 0xBF })]
    [InlineData("'\\u{D800}'", new byte[] { 0xED, 0xA0, 0x80 })] // surrogates are encoded as they are
    [InlineData("'\\u{0000000041}'", new byte[] { 0x41 })]
    [InlineData("'a\\z  \n\t  b'", new byte[] { 97, 98 })]
    [InlineData("'a\\\nb'", new byte[] { 97, 10, 98 })]
    [InlineData("'a\\\r\nb'", new byte[] { 97, 10, 98 })]
    [InlineData("'\\q\\{'", new byte[] { 113, 123 })] // an unknown escape is the character itself
    public void StringEscapes(string literal, byte[] expected) => Assert.Equal(expected, Bytes(literal));

    [Fact]
    public void StringBytesAreKeptRaw()
    {
        // Not valid UTF-8, and kept exactly.
        byte[] source = [.. "return '"u8, 0xC3, 0x28, 0xFF, .. "'"u8];
        ParseResult result = Parser.Parse(source);
        Assert.Empty(result.Errors);
        var value = Assert.IsType<StringExpr>(Assert.IsType<ReturnStat>(result.Root.Body[0]).List[0]);
        Assert.Equal(new byte[] { 0xC3, 0x28, 0xFF }, value.Value);
    }

    [Theory]
    [InlineData("[[abc]]", "abc")]
    [InlineData("[[\nabc]]", "abc")] // the first newline is dropped
    [InlineData("[[\r\nabc\r\ndef]]", "abc\ndef")] // CR LF becomes LF
    [InlineData("[[\n\nabc]]", "\nabc")]
    [InlineData("[==[a]]b]=]c]==]", "a]]b]=]c")]
    [InlineData("[[a\\nb]]", "a\\nb")] // no escapes
    [InlineData("[[a\rb]]", "a\rb")]
    public void LongStrings(string literal, string expected)
    {
        var value = Assert.IsType<StringExpr>(Value(literal));
        Assert.Equal(StringQuoteStyle.Raw, value.QuoteStyle);
        Assert.Equal(expected, Encoding.UTF8.GetString(value.Value));
    }

    [Fact]
    public void QuoteStyles()
    {
        Assert.Equal(StringQuoteStyle.Quoted, Assert.IsType<StringExpr>(Value("'a'")).QuoteStyle);
        Assert.Equal(StringQuoteStyle.Quoted, Assert.IsType<StringExpr>(Value("\"a\"")).QuoteStyle);
        Assert.Equal(StringQuoteStyle.Interpolated, Assert.IsType<StringExpr>(Value("`a`")).QuoteStyle);
    }

    [Fact]
    public void InterpolatedStringParts()
    {
        var interp = Assert.IsType<InterpStringExpr>(Value("`x = {x}, \\{y\\} = {`{y}`}!`"));
        Assert.Equal(["x = ", ", {y} = ", "!"], interp.Strings.Select(Encoding.UTF8.GetString));
        Assert.IsType<GlobalExpr>(interp.Expressions[0]);
        var nested = Assert.IsType<InterpStringExpr>(interp.Expressions[1]);
        Assert.Equal(["", ""], nested.Strings.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public void InterpolatedHoleCanHoldATable()
    {
        var interp = Assert.IsType<InterpStringExpr>(Value("`{ {1, 2} }`"));
        Assert.IsType<TableExpr>(Assert.Single(interp.Expressions));
    }
}
