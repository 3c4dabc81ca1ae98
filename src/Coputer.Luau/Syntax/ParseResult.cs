namespace Coputer.Luau.Syntax;

/// <summary>A syntax error at a location. <see cref="Message"/> uses the reference's wording.</summary>
public sealed record ParseError(Location Location, string Message)
{
    public override string ToString() => $"{Location.Begin}: {Message}";
}

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
    public BlockStat Root { get; } = root;

    /// <summary>The number of lines in the source.</summary>
    public int Lines { get; } = lines;
    public IReadOnlyList<HotComment> HotComments { get; } = hotComments;
    public IReadOnlyList<ParseError> Errors { get; } = errors;
    public IReadOnlyList<Comment> Comments { get; } = comments;

    /// <summary>Every token but comments, in source order, ending with the end of file; empty unless <see cref="ParseOptions.CaptureTokens"/> was set.</summary>
    public IReadOnlyList<SyntaxToken> Tokens { get; internal init; } = [];

    public bool HasErrors => Errors.Count > 0;
}
