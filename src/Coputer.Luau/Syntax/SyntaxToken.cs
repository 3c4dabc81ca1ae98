namespace Coputer.Luau.Syntax;

/// <summary>What kind of token a <see cref="SyntaxToken"/> is, coarsely: enough for tools to find and colour tokens.</summary>
public enum SyntaxTokenKind
{
    /// <summary>An identifier.</summary>
    Name,

    /// <summary>A reserved word (<c>local</c>, <c>end</c>, <c>nil</c>, ...).</summary>
    Keyword,
    /// <summary>A number literal.</summary>
    Number,

    /// <summary>A quoted or long-bracket string.</summary>
    String,

    /// <summary>A backtick string, or one of its sections between holes.</summary>
    InterpolatedString,

    /// <summary><c>@name</c> or <c>@[</c>.</summary>
    Attribute,

    /// <summary>Punctuation and operators.</summary>
    Symbol,

    /// <summary>A token the lexer could not complete (an unterminated string, a stray character, ...).</summary>
    Broken,

    /// <summary>The end of the source.</summary>
    EndOfFile,
}

/// <summary>A token other than a comment, as the parser read it; see <see cref="ParseOptions.CaptureTokens"/>.</summary>
public readonly record struct SyntaxToken(SyntaxTokenKind Kind, Location Location);
