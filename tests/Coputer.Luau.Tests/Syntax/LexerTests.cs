using System.Text;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

public class LexerTests
{
    // The name table of the last Lex call, for looking up token names.
    [ThreadStatic]
    private static NameTable? s_names;

    private static string NameOf(Token t) => s_names![t.NameId];

    private static List<Token> Lex(string source) => Lex(Encoding.UTF8.GetBytes(source));

    private static List<Token> Lex(byte[] source)
    {
        var buffer = new byte[source.Length + Lexer.Padding];
        source.CopyTo(buffer, 0);
        var lexer = new Lexer(buffer, s_names = new NameTable());
        var tokens = new List<Token>();
        do
        {
            lexer.Next(skipComments: false, updatePrevious: true);
            tokens.Add(lexer.Current);
        }
        while (lexer.Current.Kind != TokenKind.Eof);
        return tokens;
    }

    private static TokenKind[] Kinds(string source) => Lex(source).Select(t => t.Kind).ToArray();

    private static TokenKind C(char c) => (TokenKind)c;

    [Fact]
    public void Operators()
    {
        Assert.Equal(
            [
                C('+'), C('-'), C('*'), C('/'), TokenKind.FloorDiv, C('%'), C('^'), TokenKind.Dot2, TokenKind.Dot3,
                TokenKind.Equal, TokenKind.NotEqual, TokenKind.LessEqual, TokenKind.GreaterEqual, C('<'), C('>'), C('='),
                C('('), C(')'), C('{'), C('}'), C('['), C(']'), C(';'), C(':'), TokenKind.DoubleColon, C(','), C('.'),
                C('#'), TokenKind.SkinnyArrow, C('?'), C('&'), C('|'), C('~'), C('!'), TokenKind.Eof,
            ],
            Kinds("+ - * / // % ^ .. ... == ~= <= >= < > = ( ) { } [ ] ; : :: , . # -> ? & | ~ !"));
    }

    [Fact]
    public void CompoundAssignmentOperators()
    {
        Assert.Equal(
            [
                TokenKind.AddAssign, TokenKind.SubAssign, TokenKind.MulAssign, TokenKind.DivAssign, TokenKind.FloorDivAssign,
                TokenKind.ModAssign, TokenKind.PowAssign, TokenKind.ConcatAssign, TokenKind.Eof,
            ],
            Kinds("+= -= *= /= //= %= ^= ..="));
    }

    [Fact]
    public void LongestMatchWithoutSpaces()
    {
        // "a...b" is a, ..., b; "1..2" is one (malformed) number; "x.y" is x, ., y.
        Assert.Equal([TokenKind.Name, TokenKind.Dot3, TokenKind.Name, TokenKind.Eof], Kinds("a...b"));
        Assert.Equal([TokenKind.Number, TokenKind.Eof], Kinds("1..2"));
        Assert.Equal([TokenKind.Name, C('.'), TokenKind.Name, TokenKind.Eof], Kinds("x.y"));
        Assert.Equal([TokenKind.Name, TokenKind.DoubleColon, TokenKind.Name, TokenKind.Eof], Kinds("a::b"));
        Assert.Equal([C('<'), C('<'), TokenKind.Name, C('>'), C('>'), TokenKind.Eof], Kinds("<<T>>"));
    }

    [Fact]
    public void ReservedWordsAndContextualKeywords()
    {
        string reserved = "and break do else elseif end false for function if in local nil not or repeat return then true until while";
        List<Token> tokens = Lex(reserved);
        Assert.Equal(22, tokens.Count);
        Assert.All(tokens.Take(21), t => Assert.True(t.IsReserved));
        Assert.Equal(TokenKind.ReservedAnd, tokens[0].Kind);
        Assert.Equal(TokenKind.ReservedWhile, tokens[20].Kind);

        // Contextual keywords are ordinary names to the lexer.
        Assert.All(Lex("continue type export typeof const read write self").SkipLast(1), t => Assert.Equal(TokenKind.Name, t.Kind));
    }

    [Fact]
    public void NamesAreInterned()
    {
        List<Token> tokens = Lex("alpha beta alpha _x1 beta");
        Assert.Equal(tokens[0].NameId, tokens[2].NameId);
        Assert.Equal(tokens[1].NameId, tokens[4].NameId);
        Assert.NotEqual(tokens[0].NameId, tokens[1].NameId);
        Assert.Same(NameOf(tokens[0]), NameOf(tokens[2]));
        Assert.Equal("alpha", NameOf(tokens[0]));
        Assert.Equal("_x1", NameOf(tokens[3]));
    }

    [Fact]
    public void NumberExtentFollowsLuaPattern()
    {
        // Digits, dots and underscores, an optional signed exponent, then any letters and digits (so "0x1F.5" is
        // "0x1F" and ".5": the dot ends the letters).
        const string source = "1e+5x 0x1F.5 1_000 .5 3. 12i 1e- 1.2.3";
        List<Token> tokens = Lex(source);
        Assert.Equal(["1e+5x", "0x1F", ".5", "1_000", ".5", "3.", "12i", "1e-", "1.2.3"], tokens.SkipLast(1).Select(t => Text(source, t)));
    }

    private static string Text(string source, Token t) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(source), t.Start, t.Length);

    [Fact]
    public void QuotedStringPayloadExcludesQuotes()
    {
        const string source = "'a\\'b' \"c\\\"d\"";
        List<Token> tokens = Lex(source);
        Assert.Equal(TokenKind.QuotedString, tokens[0].Kind);
        Assert.Equal("a\\'b", Text(source, tokens[0]));
        Assert.Equal("c\\\"d", Text(source, tokens[1]));
    }

    [Fact]
    public void LongBracketsAndComments()
    {
        const string source = "[[a]] [==[b]]c]==] --[[x]] --[=[y]=] -- z\n[=";
        List<Token> tokens = Lex(source);
        Assert.Equal(
            [TokenKind.RawString, TokenKind.RawString, TokenKind.BlockComment, TokenKind.BlockComment, TokenKind.Comment, TokenKind.BrokenString, TokenKind.Eof],
            tokens.Select(t => t.Kind));
        Assert.Equal("a", Text(source, tokens[0]));
        Assert.Equal("b]]c", Text(source, tokens[1]));
        Assert.Equal(" z", Text(source, tokens[4]));
    }

    [Fact]
    public void UnfinishedLongStringAndComment()
    {
        Assert.Equal([TokenKind.BrokenString, TokenKind.Eof], Kinds("[==[ abc ]=]"));
        Assert.Equal([TokenKind.BrokenComment, TokenKind.Eof], Kinds("--[[ abc"));

        // "--[" that is not a long bracket is a line comment.
        Assert.Equal([TokenKind.Comment, TokenKind.Name, TokenKind.Eof], Kinds("--[= x\ny"));
    }

    [Fact]
    public void InterpolatedStringSections()
    {
        const string source = "`a{x}b{y}c` `plain` `{ {1} }`";
        List<Token> tokens = Lex(source);
        Assert.Equal(
            [
                TokenKind.InterpStringBegin, TokenKind.Name, TokenKind.InterpStringMid, TokenKind.Name, TokenKind.InterpStringEnd,
                TokenKind.InterpStringSimple,
                TokenKind.InterpStringBegin, C('{'), TokenKind.Number, C('}'), TokenKind.InterpStringEnd, TokenKind.Eof,
            ],
            tokens.Select(t => t.Kind));
        Assert.Equal(["a", "b", "c", "plain"], new[] { tokens[0], tokens[2], tokens[4], tokens[5] }.Select(t => Text(source, t)));
    }

    [Fact]
    public void NestedInterpolatedStrings()
    {
        Assert.Equal(
            [
                TokenKind.InterpStringBegin, TokenKind.Name, TokenKind.InterpStringMid,
                TokenKind.InterpStringBegin, TokenKind.Name, TokenKind.InterpStringEnd,
                TokenKind.InterpStringEnd, TokenKind.Eof,
            ],
            Kinds("`a {b} {`c {d}`}`"));
    }

    [Fact]
    public void InterpolatedStringEscapesAndErrors()
    {
        // "\u{" does not open a hole; "\{" is an escaped brace.
        Assert.Equal([TokenKind.InterpStringSimple, TokenKind.Eof], Kinds("`\\u{41} \\{ \\``"));
        Assert.Equal(TokenKind.BrokenInterpDoubleBrace, Kinds("`a {{b}}`")[0]);
        Assert.Equal(TokenKind.BrokenString, Kinds("`abc\ndef`")[0]);
    }

    [Fact]
    public void Attributes()
    {
        List<Token> tokens = Lex("@native @[checked] @ x");
        Assert.Equal(TokenKind.Attribute, tokens[0].Kind);
        Assert.Equal("native", NameOf(tokens[0]));
        Assert.Equal(TokenKind.AttributeOpen, tokens[1].Kind);
        Assert.Equal(TokenKind.Attribute, tokens[4].Kind);
        Assert.Equal(-1, tokens[4].NameId);
        Assert.Equal("", NameOf(tokens[4]));
    }

    [Fact]
    public void LocationsCountBytes()
    {
        // Columns count bytes: "é" is two bytes of UTF-8.
        List<Token> tokens = Lex("x = 'é'\n\tyy");
        Assert.Equal(new Location(new Position(0, 4), new Position(0, 8)), tokens[2].Location);
        Assert.Equal(new Location(new Position(1, 1), new Position(1, 3)), tokens[3].Location);
    }

    [Fact]
    public void MultiLineTokensAdvanceLines()
    {
        List<Token> tokens = Lex("[[a\nb\nc]] x");
        Assert.Equal(new Location(new Position(0, 0), new Position(2, 3)), tokens[0].Location);
        Assert.Equal(new Position(2, 4), tokens[1].Location.Begin);
    }

    [Fact]
    public void NonAsciiOutsideStringsIsAnError()
    {
        List<Token> tokens = Lex("\u201C \u00E9");
        Assert.Equal(TokenKind.BrokenUnicode, tokens[0].Kind);
        Assert.Equal(0x201Cu, tokens[0].Codepoint);
        Assert.Equal(0xE9u, tokens[1].Codepoint);

        List<Token> invalid = Lex([0xFF, (byte)' ', 0xC3]);
        Assert.Equal(TokenKind.BrokenUnicode, invalid[0].Kind);
        Assert.Equal(0u, invalid[0].Codepoint);
        Assert.Equal(0u, invalid[1].Codepoint);
    }

    [Fact]
    public void ZeroByteEndsInput()
    {
        Assert.Equal([TokenKind.Name, TokenKind.Eof], Kinds("a\0 b c"));
        Assert.Equal([TokenKind.BrokenString, TokenKind.Eof], Kinds("'a\0'"));
    }

    [Fact]
    public void LookaheadDoesNotMove()
    {
        var source = Encoding.UTF8.GetBytes("a -- comment\n`x{y}` b");
        var buffer = new byte[source.Length + Lexer.Padding];
        source.CopyTo(buffer, 0);
        var lexer = new Lexer(buffer, new NameTable());
        lexer.Next(skipComments: true, updatePrevious: true);

        Token ahead = lexer.Lookahead();
        Assert.Equal(TokenKind.InterpStringBegin, ahead.Kind);
        Assert.Equal(TokenKind.Name, lexer.Current.Kind);

        // The brace stack is restored too: the hole still ends in a section.
        lexer.Next(skipComments: true, updatePrevious: true);
        Assert.Equal(TokenKind.Name, lexer.Lookahead().Kind);
        lexer.Next(skipComments: true, updatePrevious: true);
        lexer.Next(skipComments: true, updatePrevious: true);
        Assert.Equal(TokenKind.InterpStringEnd, lexer.Current.Kind);
    }
}
