using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

public class TokenCaptureTests
{
    private static readonly ParseOptions s_capture = new() { CaptureTokens = true };

    [Fact]
    public void TokensAreOffByDefault()
    {
        Assert.Empty(Parser.Parse("local x = 1").Tokens);
    }

    [Fact]
    public void EveryTokenButCommentsIsRecordedInOrderWithItsKind()
    {
        ParseResult result = Parser.Parse("local x = 1 -- c\nprint(`a{x}b`, \"s\") @native function f() end", s_capture);

        var expected = new (SyntaxTokenKind, string)[]
        {
            (SyntaxTokenKind.Keyword, "1:1-1:6"), (SyntaxTokenKind.Name, "1:7-1:8"), (SyntaxTokenKind.Symbol, "1:9-1:10"),
            (SyntaxTokenKind.Number, "1:11-1:12"), (SyntaxTokenKind.Name, "2:1-2:6"), (SyntaxTokenKind.Symbol, "2:6-2:7"),
            (SyntaxTokenKind.InterpolatedString, "2:7-2:10"), (SyntaxTokenKind.Name, "2:10-2:11"),
            (SyntaxTokenKind.InterpolatedString, "2:11-2:14"), (SyntaxTokenKind.Symbol, "2:14-2:15"),
            (SyntaxTokenKind.String, "2:16-2:19"), (SyntaxTokenKind.Symbol, "2:19-2:20"), (SyntaxTokenKind.Attribute, "2:21-2:28"),
            (SyntaxTokenKind.Keyword, "2:29-2:37"), (SyntaxTokenKind.Name, "2:38-2:39"), (SyntaxTokenKind.Symbol, "2:39-2:40"),
            (SyntaxTokenKind.Symbol, "2:40-2:41"), (SyntaxTokenKind.Keyword, "2:42-2:45"), (SyntaxTokenKind.EndOfFile, "2:45-2:45"),
        };
        Assert.Equal(expected, result.Tokens.Select(t => (t.Kind, t.Location.ToString())).ToArray());
    }

    [Fact]
    public void TokensAreRecordedWithErrorsToo()
    {
        ParseResult result = Parser.Parse("local = \"open", s_capture);
        Assert.True(result.HasErrors);
        Assert.Contains(result.Tokens, t => t.Kind == SyntaxTokenKind.Broken);
        Assert.Equal(SyntaxTokenKind.EndOfFile, result.Tokens[^1].Kind);
    }
}
