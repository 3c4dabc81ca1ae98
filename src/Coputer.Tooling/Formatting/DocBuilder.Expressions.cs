using System.Runtime.CompilerServices;
using Coputer.Luau.Syntax;

namespace Coputer.Tooling.Formatting;

internal sealed partial class DocBuilder
{
    // Binding powers of BinaryOp, as the parser uses them (left, right).
    private static readonly (byte Left, byte Right)[] s_priority =
    [
        (6, 6), (6, 6), (7, 7), (7, 7), (7, 7), (7, 7), (10, 9), (5, 4),
        (3, 3), (3, 3), (3, 3), (3, 3), (3, 3), (3, 3), (2, 2), (1, 1),
    ];

    private Doc Expr(AstExpr e)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        Doc leading = Inline(e.Location.Begin);
        Doc doc = ExprCore(e);
        return leading == Doc.Empty ? doc : D.Concat(leading, doc);
    }

    private Doc ExprCore(AstExpr e)
    {
        switch (e)
        {
            case GroupExpr g:
                return D.Concat(Text("("), Expr(g.Expr), Inline(BracketBefore(g.Location.End)), Text(")"));
            case NilExpr:
                return Text("nil");
            case BooleanExpr b:
                return Text(b.Value ? "true" : "false");
            case NumberExpr or IntegerExpr or LocalExpr or GlobalExpr or VarargsExpr:
                return Source(e.Location);
            case StringExpr s:
                return StringLiteral(s);
            case CallExpr call:
                return Call(call);
            case IndexNameExpr index:
                return D.Concat(Expr(index.Expr), Inline(index.IndexLocation.Begin), Text(index.Op == ':' ? ":" : "."), Source(index.IndexLocation));
            case IndexExpr index:
                return D.Concat(Expr(index.Expr), Text("["), KeyInBrackets(index.Index), Inline(BracketBefore(index.Location.End)), Text("]"));
            case FunctionExpr f:
                return D.Concat(Attributes(f), Text("function"), FunctionBody(f, definition: false));
            case TableExpr table:
                return Table(table);
            case UnaryExpr unary:
                return Unary(unary);
            case BinaryExpr binary:
                return Binary(binary);
            case TypeAssertionExpr assertion:
                return D.Concat(Expr(assertion.Expr), Text(" :: "), Type(assertion.Annotation));
            case IfElseExpr ifElse:
                return IfElse(ifElse);
            case InterpStringExpr interp:
                return Interpolated(interp);
            case InstantiateExpr instantiate:
                return D.Concat(Expr(instantiate.Expr), TypeArguments(instantiate.TypeArguments, instantiate.Location.End));
            default:
                throw new InvalidOperationException($"cannot format a {e.GetType().Name}");
        }
    }

    private Doc StringLiteral(StringExpr s)
    {
        ReadOnlySpan<byte> literal = _src.Slice(s.Location);
        return s.QuoteStyle == StringQuoteStyle.Quoted ? TextDoc.Of(StringQuotes.Requote(literal, _options.QuoteStyle)) : TextDoc.Of(literal);
    }

    /// <summary>An expression inside <c>[ ]</c>: a long string there needs spaces, or <c>[[</c> would open one.</summary>
    private Doc KeyInBrackets(AstExpr key)
    {
        Doc doc = Expr(key);
        return key is StringExpr { QuoteStyle: StringQuoteStyle.Raw } ? D.Concat(Text(" "), doc, Text(" ")) : doc;
    }

    private Doc Unary(UnaryExpr unary)
    {
        string op = unary.Op switch
        {
            UnaryOp.Not => "not ",
            UnaryOp.Minus => "-",
            _ => "#",
        };
        // "- -x" and "- --[[c]] x" must not turn into comments.
        bool space = unary.Op != UnaryOp.Not && (CommentBefore(unary.Expr.Location.Begin) || unary.Expr is UnaryExpr { Op: UnaryOp.Minus });
        return D.Concat(Text(space ? op + " " : op), Expr(unary.Expr));
    }

    /// <summary>
    /// A chain of operators of one precedence, <c>a + b - c</c>, breaks before each operator, indented, when it does
    /// not fit on the line.
    /// </summary>
    private Doc Binary(BinaryExpr binary)
    {
        var operands = new List<AstExpr>();
        var ops = new List<BinaryOp>();
        Flatten(binary, s_priority[(int)binary.Op].Left, operands, ops);

        var rest = new List<Doc>();
        Doc first = Expr(operands[0]);
        for (int i = 0; i < ops.Count; i++)
        {
            AstExpr operand = operands[i + 1];
            Doc trailing = Trailing(operands[i].Location.End.Line, operand.Location.Begin);
            rest.Add(D.Concat(trailing, LineDoc.Space, Text(s_binaryText[(int)ops[i]] + " "), Expr(operand)));
        }
        return D.Group(D.Concat(first, D.Indent(D.Concat(rest))));
    }

    /// <summary>Collects the operands of a chain of operators with the same binding power, in source order.</summary>
    private static void Flatten(AstExpr e, byte power, List<AstExpr> operands, List<BinaryOp> ops)
    {
        // Iterative over the left spine (left-associative chains nest to the left).
        var rights = new Stack<(BinaryOp Op, AstExpr Right)>();
        while (e is BinaryExpr b && s_priority[(int)b.Op].Left == power && power is not 10 and not 5)
        {
            rights.Push((b.Op, b.Right));
            e = b.Left;
        }
        if (rights.Count == 0 && e is BinaryExpr single)
        {
            // Right-associative operators (.. and ^) nest to the right.
            operands.Add(single.Left);
            ops.Add(single.Op);
            AstExpr right = single.Right;
            while (right is BinaryExpr r && r.Op == single.Op)
            {
                operands.Add(r.Left);
                ops.Add(r.Op);
                right = r.Right;
            }
            operands.Add(right);
            return;
        }
        operands.Add(e);
        while (rights.Count > 0)
        {
            var (op, right) = rights.Pop();
            ops.Add(op);
            operands.Add(right);
        }
    }

    private Doc IfElse(IfElseExpr ifElse)
    {
        var rest = new List<Doc> { LineDoc.Space, Text("then "), Expr(ifElse.TrueExpr) };
        AstExpr other = ifElse.FalseExpr;
        while (other is IfElseExpr elseIf && IsElseIf(elseIf))
        {
            rest.Add(LineDoc.Space);
            rest.Add(Text("elseif "));
            rest.Add(Expr(elseIf.Condition));
            rest.Add(Text(" then "));
            rest.Add(Expr(elseIf.TrueExpr));
            other = elseIf.FalseExpr;
        }
        rest.Add(LineDoc.Space);
        rest.Add(Text("else "));
        rest.Add(Expr(other));
        return D.Group(D.Concat(Text("if "), Expr(ifElse.Condition), D.Indent(D.Concat(rest))));
    }

    /// <summary>True when a nested if-expression was written as <c>elseif</c> (not <c>else if</c>).</summary>
    private bool IsElseIf(IfElseExpr nested) => _src.Slice(nested.Location).StartsWith("elseif"u8);

    private Doc Interpolated(InterpStringExpr interp)
    {
        // The sections between holes are tokens of their own, copied as written; the holes are formatted.
        var parts = new List<Doc>();
        int t = TokenAtOrAfter(interp.Location.Begin);
        parts.Add(Source(_tokens[t].Location));
        foreach (AstExpr hole in interp.Expressions)
        {
            Doc doc = Expr(hole);
            parts.Add(hole is TableExpr ? D.Concat(Text(" "), doc, Text(" ")) : doc);
            t = TokenAtOrAfter(hole.Location.End);
            while (t < _tokens.Count && _tokens[t].Kind != SyntaxTokenKind.InterpolatedString)
                t++;
            parts.Add(Inline(_tokens[t].Location.Begin));
            parts.Add(Source(_tokens[t].Location));
        }
        return D.Concat(parts);
    }

    private Doc Call(CallExpr call)
    {
        var parts = new List<Doc> { Expr(call.Function) };
        if (call.TypeArguments.Length > 0)
            parts.Add(TypeArguments(call.TypeArguments, call.ArgumentLocation.Begin));
        if (_options.SpaceAfterFunctionNames is SpaceAfterFunctionNames.Calls or SpaceAfterFunctionNames.Always)
            parts.Add(Text(" "));

        bool hasParentheses = SourceStartsWith(call.ArgumentLocation.Begin, (byte)'(');
        if (call.Arguments.Length == 1 && call.TypeArguments.Length == 0 && call.Function is not InstantiateExpr)
        {
            AstExpr only = call.Arguments[0];
            bool isString = only is StringExpr { QuoteStyle: not StringQuoteStyle.Interpolated };
            bool isTable = only is TableExpr;
            bool bare = _options.CallParentheses switch
            {
                CallParentheses.Input => !hasParentheses,
                CallParentheses.NoSingleString => isString,
                CallParentheses.NoSingleTable => isTable,
                CallParentheses.None => isString || isTable,
                _ => false,
            };
            if (bare && (isString || isTable) && !(hasParentheses && CommentBefore(BracketBefore(call.ArgumentLocation.End))))
            {
                parts.Add(_options.SpaceAfterFunctionNames is SpaceAfterFunctionNames.Calls or SpaceAfterFunctionNames.Always ? Doc.Empty : Text(" "));
                parts.Add(Expr(only));
                if (hasParentheses)
                    parts.Add(Inline(BracketBefore(call.ArgumentLocation.End)));
                return D.Concat(parts);
            }
        }

        Position closer = hasParentheses ? BracketBefore(call.ArgumentLocation.End) : call.ArgumentLocation.End;
        parts.Add(Arguments(call.Arguments, closer));
        return D.Concat(parts);
    }

    /// <summary>
    /// Call arguments. A last argument that is a function or a table may stay on the call's line and break inside
    /// itself (<c>f(a, function() ... end)</c>) before all arguments move onto lines of their own.
    /// </summary>
    private Doc Arguments(AstExpr[] args, Position closer)
    {
        int lineComments = _lineComments;
        var docs = new List<Doc>(args.Length);
        var parts = new List<Doc>();
        for (int i = 0; i < args.Length; i++)
        {
            Doc doc = Expr(args[i]);
            if (i + 1 < args.Length)
                doc = D.Concat(doc, Text(","), Trailing(args[i].Location.End.Line, args[i + 1].Location.Begin));
            else
                doc = D.Concat(doc, Trailing(args[i].Location.End.Line, closer));
            docs.Add(doc);
        }
        Doc closing = Doc.Empty;
        if (CommentBefore(closer))
        {
            var comments = new List<Doc>();
            foreach (Comment c in OwnLine(closer))
                comments.Add(D.Concat(LineDoc.Hard, CommentText(c)));
            closing = D.Concat(D.Concat(comments), BreakParentDoc.Instance);
        }
        if (args.Length == 0)
            return closing == Doc.Empty ? Text("()") : D.Group(D.Concat(Text("("), D.Indent(closing), LineDoc.Soft, Text(")")), true);

        Doc expanded = D.Group(D.Concat(Text("("), D.Indent(D.Concat(LineDoc.Soft, D.Join(LineDoc.Space, docs), closing)), LineDoc.Soft, Text(")")));
        bool hasLineComment = _lineComments != lineComments;
        AstExpr last = args[^1];
        bool huggable = last is FunctionExpr or TableExpr && !hasLineComment;
        for (int i = 0; i + 1 < args.Length && huggable; i++)
            huggable = args[i] is not FunctionExpr && (last is FunctionExpr || args[i] is not TableExpr);
        if (!huggable)
            return hasLineComment ? D.Group(D.Concat(Text("("), D.Indent(D.Concat(LineDoc.Soft, D.Join(LineDoc.Space, docs), closing)), LineDoc.Soft, Text(")")), true) : expanded;

        var flatParts = new List<Doc> { Text("(") };
        var huggedParts = new List<Doc> { Text("(") };
        for (int i = 0; i < docs.Count; i++)
        {
            if (i > 0)
            {
                flatParts.Add(Text(" "));
                huggedParts.Add(Text(" "));
            }
            flatParts.Add(docs[i]);
            huggedParts.Add(i + 1 < docs.Count ? docs[i] : D.Group(docs[i], shouldBreak: true));
        }
        flatParts.Add(Text(")"));
        huggedParts.Add(Text(")"));
        return D.Conditional(D.Concat(flatParts), D.Concat(huggedParts), D.Group(((GroupDoc)expanded).Contents, shouldBreak: true));
    }

    private Doc Table(TableExpr table)
    {
        Position closer = BracketBefore(table.Location.End);
        return Bracketed("{", table.Items, TableItemDoc, ItemSpan, "}", closer, spaces: true, trailingComma: true);
    }

    private static Location ItemSpan(TableItem item) =>
        item.Key is null ? item.Value.Location : new Location(item.Key.Location.Begin, item.Value.Location.End);

    private Doc TableItemDoc(TableItem item)
    {
        switch (item.Kind)
        {
            case TableItemKind.Record:
                return D.Concat(Inline(item.Key!.Location.Begin), Source(item.Key.Location), Text(" = "), Expr(item.Value));
            case TableItemKind.General:
                Position open = TokenBefore(item.Key!.Location.Begin).Location.Begin;
                Position close = TokenAtOrAfter(item.Key.Location.End) is int k && k < _tokens.Count ? _tokens[k].Location.Begin : item.Key.Location.End;
                return D.Concat(Inline(open), Text("["), KeyInBrackets(item.Key), Inline(close), Text("] = "), Expr(item.Value));
            default:
                return Expr(item.Value);
        }
    }
}
