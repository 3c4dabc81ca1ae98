namespace Coputer.Luau.Syntax;

/// <summary>A syntax error at a location. <see cref="Message"/> uses the reference's wording.</summary>
public sealed record ParseError(Location Location, string Message)
{
    /// <summary>The error as <c>line,column: message</c>.</summary>
    public override string ToString() => $"{Location.Begin}: {Message}";
}

/// <summary>The two forms of a comment.</summary>
public enum CommentKind
{
    /// <summary><c>-- text</c> up to the end of the line.</summary>
    Line,

    /// <summary><c>--[[ text ]]</c> or <c>--[==[ text ]==]</c>.</summary>
    Block,

    /// <summary>A block comment with no closing bracket before the end of the file.</summary>
    BrokenBlock,
}

/// <summary>A comment, kept beside the tree so tools can put it back.</summary>
public readonly record struct Comment(CommentKind Kind, Location Location);

/// <summary>A hot comment such as <c>--!strict</c> or <c>--!optimize 2</c>: <see cref="Content"/> is the text after <c>--!</c>.</summary>
public readonly record struct HotComment(bool Header, Location Location, string Content);

/// <summary>What the parser produced: the tree (always present, with error nodes where parsing failed) and the errors.</summary>
public sealed class ParseResult(BlockStat root, int lines, IReadOnlyList<HotComment> hotComments, IReadOnlyList<ParseError> errors, IReadOnlyList<Comment> comments)
{
    /// <summary>The chunk's block (always present, with error nodes where parsing failed).</summary>
    public BlockStat Root { get; } = root;

    /// <summary>The number of lines in the source.</summary>
    public int Lines { get; } = lines;
    /// <summary>The hot comments (<c>--!strict</c>, ...) in source order.</summary>
    public IReadOnlyList<HotComment> HotComments { get; } = hotComments;
    /// <summary>The syntax errors, in source order.</summary>
    public IReadOnlyList<ParseError> Errors { get; } = errors;
    /// <summary>Every comment, in source order, for tools that print the source back.</summary>
    public IReadOnlyList<Comment> Comments { get; } = comments;

    /// <summary>Every token but comments, in source order, ending with the end of file; empty unless <see cref="ParseOptions.CaptureTokens"/> was set.</summary>
    public IReadOnlyList<SyntaxToken> Tokens { get; internal init; } = [];

    /// <summary>Whether the tree holds a <see cref="NumberListExpr"/> (only with <see cref="ParseOptions.PackNumberLists"/>).</summary>
    internal bool HasNumberLists { get; init; }

    /// <summary>Whether there was any syntax error.</summary>
    public bool HasErrors => Errors.Count > 0;
}
