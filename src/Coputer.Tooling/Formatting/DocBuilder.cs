using Coputer.Luau.Syntax;

namespace Coputer.Tooling.Formatting;

/// <summary>
/// Turns a parsed chunk into a <see cref="Doc"/>. Literals, names and comments are copied from the source as written;
/// only layout (spaces, line breaks, indentation, separators) is decided here.
/// </summary>
/// <remarks>
/// Comments are kept in order by position: before a node (or a closing token) is written, every comment that comes
/// before it in the source and is not written yet goes out. Comments on the same line as the end of a statement or a
/// list item stay at the end of that line.
/// </remarks>
internal sealed partial class DocBuilder
{
    private readonly SourceText _src;
    private readonly FormatOptions _options;
    private readonly IReadOnlyList<Comment> _comments;
    private readonly IReadOnlyList<SyntaxToken> _tokens;
    private int _nextComment;

    // Counts line comments written so far, so a list can tell whether it holds one (and must break).
    private int _lineComments;

    private DocBuilder(SourceText src, ParseResult parse, FormatOptions options)
    {
        _src = src;
        _options = options;
        _comments = parse.Comments;
        _tokens = parse.Tokens;
    }

    public static Doc Build(SourceText src, ParseResult parse, FormatOptions options)
    {
        var builder = new DocBuilder(src, parse, options);
        return builder.Chunk(parse.Root);
    }

    private Doc Chunk(BlockStat root)
    {
        var end = new Position(int.MaxValue, 0);
        Doc? body = Statements(root.Body, openerLine: -1, end);
        return body is null ? Doc.Empty : D.Concat(body, LineDoc.Hard);
    }

    // ----- Source text and tokens -----

    private Doc Source(Location location) => TextDoc.Of(_src.Slice(location));

    private static Doc Text(string s) => D.Text(s);

    /// <summary>The index of the first token that begins at or after <paramref name="p"/>.</summary>
    private int TokenAtOrAfter(Position p)
    {
        int lo = 0, hi = _tokens.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_tokens[mid].Location.Begin < p)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    /// <summary>The last token that ends at or before <paramref name="p"/>.</summary>
    private SyntaxToken TokenBefore(Position p)
    {
        int i = TokenAtOrAfter(p) - 1;
        while (i > 0 && _tokens[i].Location.End > p)
            i--;
        return _tokens[Math.Max(i, 0)];
    }

    private bool IsSymbol(SyntaxToken t, string text) => _src.Slice(t.Location).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(text));

    /// <summary>Where the last token of <paramref name="span"/> that is not ';' begins: a closing keyword or bracket.</summary>
    private Position Closer(Location span)
    {
        SyntaxToken t = TokenBefore(span.End);
        while (IsSymbol(t, ";"))
            t = TokenBefore(t.Location.Begin);
        return t.Location.Begin;
    }

    /// <summary>A one-character closing bracket that ends at <paramref name="end"/>.</summary>
    private static Position BracketBefore(Position end) => end with { Column = end.Column - 1 };

    private bool SourceStartsWith(Position p, byte b)
    {
        int offset = _src.Offset(p);
        return offset < _src.Bytes.Length && _src.Bytes[offset] == b;
    }

    /// <summary>The tokens from <paramref name="from"/> up to <paramref name="to"/> as written, one space wherever there was space.</summary>
    private Doc TokensAsWritten(Position from, Position to)
    {
        var parts = new List<Doc>();
        Position previousEnd = from;
        for (int i = TokenAtOrAfter(from); i < _tokens.Count && _tokens[i].Location.Begin < to; i++)
        {
            SyntaxToken t = _tokens[i];
            if (t.Kind == SyntaxTokenKind.EndOfFile)
                break;
            Doc comments = Inline(t.Location.Begin);
            if (comments != Doc.Empty)
                parts.Add(D.Concat(Text(" "), comments));
            else if (parts.Count > 0 && t.Location.Begin > previousEnd)
                parts.Add(Text(" "));
            parts.Add(Source(t.Location));
            previousEnd = t.Location.End;
        }
        return D.Concat(parts);
    }

    // ----- Comments -----

    private bool CommentBefore(Position p) => _nextComment < _comments.Count && _comments[_nextComment].Location.Begin < p;

    private Doc CommentText(Comment c)
    {
        ReadOnlySpan<byte> text = _src.Slice(c.Location);
        if (c.Kind == CommentKind.Line)
        {
            int n = text.Length;
            while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r'))
                n--;
            text = text[..n];
            _lineComments++;
        }
        return TextDoc.Of(text);
    }

    /// <summary>Comments before <paramref name="p"/> written in place: a block comment then a space, a line comment then a newline.</summary>
    private Doc Inline(Position p)
    {
        if (!CommentBefore(p))
            return Doc.Empty;
        var parts = new List<Doc>();
        while (CommentBefore(p))
        {
            Comment c = _comments[_nextComment++];
            parts.Add(CommentText(c));
            parts.Add(c.Kind == CommentKind.Line ? LineDoc.Hard : Text(" "));
        }
        return D.Concat(parts);
    }

    /// <summary>
    /// Comments that start on <paramref name="line"/> before <paramref name="p"/>, to end the line they are on. A line
    /// comment makes the enclosing groups break, so that a newline follows it.
    /// </summary>
    private Doc Trailing(int line, Position p)
    {
        if (!CommentBefore(p) || _comments[_nextComment].Location.Begin.Line != line)
            return Doc.Empty;
        var parts = new List<Doc>();
        while (CommentBefore(p) && _comments[_nextComment].Location.Begin.Line == line)
        {
            Comment c = _comments[_nextComment++];
            parts.Add(Text(" "));
            parts.Add(CommentText(c));
            if (c.Kind == CommentKind.Line)
            {
                parts.Add(BreakParentDoc.Instance);
                break;
            }
        }
        return D.Concat(parts);
    }

    /// <summary>Comments before <paramref name="p"/>, each to go on a line of its own.</summary>
    private List<Comment> OwnLine(Position p)
    {
        var list = new List<Comment>();
        while (CommentBefore(p))
            list.Add(_comments[_nextComment++]);
        return list;
    }

    // ----- Blocks -----

    private readonly record struct Item(Doc Doc, int FirstLine, int LastLine);

    /// <summary>
    /// The statements of a block with the comments among them, one per line, keeping single blank lines; null when
    /// there is nothing at all before <paramref name="closer"/>.
    /// </summary>
    private Doc? Statements(AstStat[] body, int openerLine, Position closer)
    {
        var items = new List<Item>();
        for (int i = 0; i < body.Length; i++)
        {
            AstStat stat = body[i];
            AddCommentItems(items, stat.Location.Begin);
            Doc doc = Statement(stat);
            Position next = i + 1 < body.Length ? body[i + 1].Location.Begin : closer;
            int lastLine = stat.Location.End.Line;
            if (i + 1 < body.Length && AstPrinter.NeedsSemicolonBetween(stat, body[i + 1]))
                doc = D.Concat(doc, Text(";"));
            doc = D.Concat(doc, Trailing(lastLine, next));
            items.Add(new Item(doc, stat.Location.Begin.Line, lastLine));
        }
        AddCommentItems(items, closer);
        if (items.Count == 0)
            return null;

        var parts = new List<Doc>();
        bool gaps = _options.BlockNewlineGaps == BlockNewlineGaps.Preserve;
        if (gaps && openerLine >= 0 && items[0].FirstLine > openerLine + 1)
            parts.Add(LineDoc.Hard);
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                parts.Add(LineDoc.Hard);
                if (items[i].FirstLine > items[i - 1].LastLine + 1)
                    parts.Add(LineDoc.Hard);
            }
            parts.Add(items[i].Doc);
        }
        if (gaps && closer.Line != int.MaxValue && closer.Line > items[^1].LastLine + 1)
            parts.Add(LineDoc.Hard);
        return D.Concat(parts);
    }

    private void AddCommentItems(List<Item> items, Position before)
    {
        while (CommentBefore(before))
        {
            Comment c = _comments[_nextComment++];
            Doc doc = CommentText(c);
            // A block comment followed by more comments on its line keeps them beside it.
            doc = D.Concat(doc, Trailing(c.Location.End.Line, before));
            items.Add(new Item(doc, c.Location.Begin.Line, c.Location.End.Line));
        }
    }

    /// <summary>
    /// The inside of a block after its opening line (<c>then</c>, <c>do</c>, the parameters ...) up to its closing
    /// keyword at <paramref name="closer"/>: comments left on the opening line, then the indented statements and a
    /// newline. Empty blocks give a newline only.
    /// </summary>
    private Doc BlockBody(BlockStat block, Position closer, bool mayCollapse)
    {
        Position first = block.Body.Length > 0 ? block.Body[0].Location.Begin : closer;
        int openerLine = TokenBefore(first).Location.End.Line;

        if (mayCollapse && block.Body.Length == 1 && IsSimple(block.Body[0]) && !CommentBefore(closer))
        {
            Doc stat = Statement(block.Body[0]);
            if (!CommentBefore(closer))
                return D.Group(D.Indent(D.Concat(LineDoc.Space, stat)), LineDoc.Space);
            return D.Concat(D.Indent(D.Concat(LineDoc.Hard, stat, Inline(closer))), LineDoc.Hard);
        }

        Doc trailing = Trailing(openerLine, first);
        Doc? statements = Statements(block.Body, openerLine, closer);
        if (statements is null)
            return D.Concat(trailing, LineDoc.Hard);
        return D.Concat(trailing, D.Indent(D.Concat(LineDoc.Hard, statements)), LineDoc.Hard);
    }

    private static bool IsSimple(AstStat stat) =>
        stat is ReturnStat or BreakStat or ContinueStat or ExprStat or AssignStat or CompoundAssignStat or LocalStat;

    private bool CollapseFunctions => _options.CollapseSimpleStatement is CollapseSimpleStatement.FunctionOnly or CollapseSimpleStatement.Always;

    private bool CollapseConditionals => _options.CollapseSimpleStatement is CollapseSimpleStatement.ConditionalOnly or CollapseSimpleStatement.Always;
}
