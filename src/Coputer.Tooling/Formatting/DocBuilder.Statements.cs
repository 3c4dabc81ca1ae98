using System.Runtime.CompilerServices;
using Coputer.Luau.Syntax;

namespace Coputer.Tooling.Formatting;

internal sealed partial class DocBuilder
{
    private static readonly string[] s_binaryText =
        ["+", "-", "*", "/", "//", "%", "^", "..", "~=", "==", "<", "<=", ">", ">=", "and", "or"];

    private Doc Statement(AstStat stat)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        Doc leading = Inline(stat.Location.Begin);
        Doc doc = stat switch
        {
            BlockStat block => D.Concat(Text("do"), BlockBody(block, Closer(block.Location), mayCollapse: false), Text("end")),
            IfStat ifStat => If(ifStat),
            WhileStat w => D.Concat(Text("while "), Expr(w.Condition), Text(" do"), BlockBody(w.Body, Closer(w.Location), false), Text("end")),
            RepeatStat r => Repeat(r),
            BreakStat => Text("break"),
            ContinueStat => Text("continue"),
            ReturnStat ret => ret.List.Length == 0 ? Text("return") : D.Concat(Text("return"), Values(ret.List)),
            ExprStat e => Expr(e.Expr),
            LocalStat local => Local(local),
            ForStat f => For(f),
            ForInStat f => ForIn(f),
            AssignStat a => D.Concat(List(a.Vars), Text(" ="), Values(a.Values)),
            CompoundAssignStat c => D.Concat(Expr(c.Var), Text(" " + s_binaryText[(int)c.Op] + "= "), Expr(c.Value)),
            FunctionStat f => D.Concat(Attributes(f.Function), Text("function "), Expr(f.Name), FunctionBody(f.Function, definition: true)),
            LocalFunctionStat f => D.Concat(
                Attributes(f.Function),
                Text(f.Name.IsConst ? "const function " : "local function "),
                Source(f.Name.Location),
                FunctionBody(f.Function, definition: true)),
            TypeAliasStat alias => D.Concat(
                Text(alias.Exported ? "export type " : "type "),
                Source(alias.NameLocation),
                Generics(alias.Generics, alias.GenericPacks),
                Text(" = "),
                Type(alias.Type)),
            TypeFunctionStat tf => D.Concat(
                Text(tf.Exported ? "export type function " : "type function "),
                Source(tf.NameLocation),
                FunctionBody(tf.Body, definition: true)),
            _ => throw new InvalidOperationException($"cannot format a {stat.GetType().Name}"),
        };
        return leading == Doc.Empty ? doc : D.Concat(leading, doc);
    }

    private Doc If(IfStat first)
    {
        var parts = new List<Doc> { Text("if ") };
        IfStat s = first;
        bool collapse = CollapseConditionals && first.ElseBody is null;
        while (true)
        {
            parts.Add(Expr(s.Condition));
            parts.Add(Text(" then"));
            Position thenCloser = s.ElseLocation?.Begin ?? Closer(s.Location);
            parts.Add(BlockBody(s.ThenBody, thenCloser, collapse));
            if (s.ElseBody is IfStat elseIf)
            {
                parts.Add(Inline(elseIf.Location.Begin));
                parts.Add(Text("elseif "));
                s = elseIf;
                continue;
            }
            if (s.ElseBody is BlockStat elseBlock)
            {
                parts.Add(Inline(s.ElseLocation!.Value.Begin));
                parts.Add(Text("else"));
                parts.Add(BlockBody(elseBlock, Closer(s.Location), false));
            }
            parts.Add(Text("end"));
            return D.Concat(parts);
        }
    }

    private Doc Repeat(RepeatStat r)
    {
        Position until = TokenBefore(r.Condition.Location.Begin).Location.Begin;
        return D.Concat(Text("repeat"), BlockBody(r.Body, until, false), Text("until "), Expr(r.Condition));
    }

    private Doc Local(LocalStat local)
    {
        var names = new List<Doc>();
        foreach (AstLocal v in local.Vars)
            names.Add(Binding(v));
        Doc head = D.Concat(Text(local.Vars.Length > 0 && local.Vars[0].IsConst ? "const " : "local "), D.Join(Text(", "), names));
        return local.Values.Length == 0 ? head : D.Concat(head, Text(" ="), Values(local.Values));
    }

    private Doc For(ForStat f)
    {
        var parts = new List<Doc> { Text("for "), Binding(f.Var), Text(" = "), Expr(f.From), Text(", "), Expr(f.To) };
        if (f.Step is not null)
        {
            parts.Add(Text(", "));
            parts.Add(Expr(f.Step));
        }
        parts.Add(Text(" do"));
        parts.Add(BlockBody(f.Body, Closer(f.Location), false));
        parts.Add(Text("end"));
        return D.Concat(parts);
    }

    private Doc ForIn(ForInStat f)
    {
        var names = new List<Doc>();
        foreach (AstLocal v in f.Vars)
            names.Add(Binding(v));
        return D.Concat(
            Text("for "), D.Join(Text(", "), names), Text(" in "), List(f.Values), Text(" do"),
            BlockBody(f.Body, Closer(f.Location), false), Text("end"));
    }

    private Doc Binding(AstLocal local)
    {
        Doc name = D.Concat(Inline(local.Location.Begin), Source(local.Location));
        return local.Annotation is null ? name : D.Concat(name, Text(": "), Type(local.Annotation));
    }

    /// <summary>Expressions separated by ", " (the left side of an assignment, the values of a for-in).</summary>
    private Doc List(AstExpr[] list)
    {
        var docs = new List<Doc>(list.Length);
        foreach (AstExpr e in list)
            docs.Add(Expr(e));
        return D.Join(Text(", "), docs);
    }

    /// <summary>
    /// The values after <c>=</c> or <c>return</c>, with the space before them. One value breaks inside itself; several
    /// move to the next lines together when they do not fit.
    /// </summary>
    private Doc Values(AstExpr[] values)
    {
        if (values.Length == 1)
            return D.Concat(Text(" "), Expr(values[0]));
        var docs = new List<Doc>(values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            Doc value = Expr(values[i]);
            if (i + 1 < values.Length)
                value = D.Concat(value, Text(","), Trailing(values[i].Location.End.Line, values[i + 1].Location.Begin));
            docs.Add(value);
        }
        return D.Group(D.Indent(D.Concat(LineDoc.Space, D.Join(LineDoc.Space, docs))));
    }

    /// <summary>Attributes before a function, as written (<c>@native </c>, <c>@[deprecated {...}] </c>).</summary>
    private Doc Attributes(FunctionExpr f)
    {
        if (f.Attributes.Length == 0)
            return Doc.Empty;
        return D.Concat(AttributesAsWritten(f.Attributes), Text(" "));
    }

    /// <summary>Attributes copied token by token, including the <c>@[</c> and <c>]</c> of the bracketed form.</summary>
    private Doc AttributesAsWritten(AstAttribute[] attributes)
    {
        Position from = attributes[0].Location.Begin;
        int open = TokenAtOrAfter(from) - 1;
        if (open >= 0 && _tokens[open].Kind == SyntaxTokenKind.Attribute && IsSymbol(_tokens[open], "@["))
            from = _tokens[open].Location.Begin;
        int end = TokenAtOrAfter(attributes[^1].Location.End);
        Position to = end < _tokens.Count && IsSymbol(_tokens[end], "]") ? _tokens[end].Location.End : attributes[^1].Location.End;
        return TokensAsWritten(from, to);
    }

    /// <summary>Generics, parameters, return type, body and <c>end</c> of a function.</summary>
    private Doc FunctionBody(FunctionExpr f, bool definition)
    {
        var parts = new List<Doc> { Generics(f.Generics, f.GenericPacks) };
        if (definition && _options.SpaceAfterFunctionNames is SpaceAfterFunctionNames.Definitions or SpaceAfterFunctionNames.Always)
            parts.Add(Text(" "));

        // Parameters are locals; the vararg is written as a null entry.
        var parameters = new List<AstLocal?>(f.Parameters);
        if (f.IsVararg)
            parameters.Add(null);
        Position closeParen = f.ArgumentLocation is { } args ? BracketBefore(args.End) : f.Body.Location.Begin;
        parts.Add(Bracketed("(", parameters, p => p is null ? Vararg(f) : Binding(p), p => p?.Location ?? f.VarargLocation, ")", closeParen));

        if (f.ReturnAnnotation is not null)
        {
            parts.Add(Text(": "));
            parts.Add(ReturnPack(f.ReturnAnnotation));
        }

        Position end = Closer(f.Location);
        if (f.Body.Body.Length == 0 && !CommentBefore(end))
        {
            parts.Add(Text(" end"));
            return D.Concat(parts);
        }
        parts.Add(BlockBody(f.Body, end, CollapseFunctions));
        parts.Add(Text("end"));
        return D.Concat(parts);
    }

    private Doc Vararg(FunctionExpr f)
    {
        Doc vararg = D.Concat(Inline(f.VarargLocation.Begin), Text("..."));
        if (f.VarargAnnotation is null)
            return vararg;
        Doc annotation = f.VarargAnnotation is VariadicTypePack variadic ? Type(variadic.VariadicType) : Pack(f.VarargAnnotation);
        return D.Concat(vararg, Text(": "), annotation);
    }

    private Doc Generics(AstGenericType[] generics, AstGenericTypePack[] packs)
    {
        if (generics.Length == 0 && packs.Length == 0)
            return Doc.Empty;
        var items = new List<Doc>();
        foreach (AstGenericType g in generics)
            items.Add(g.DefaultValue is null ? Text(g.Name) : D.Concat(Text(g.Name + " = "), Type(g.DefaultValue)));
        foreach (AstGenericTypePack g in packs)
            items.Add(g.DefaultValue is null ? Text(g.Name + "...") : D.Concat(Text(g.Name + "... = "), Pack(g.DefaultValue)));
        return D.Concat(Text("<"), D.Join(Text(", "), items), Text(">"));
    }

    /// <summary>
    /// A bracketed list: on one line when it fits, else one item per line, indented. Comments after an item stay at
    /// the end of its line; comments before <paramref name="closer"/> go inside the brackets.
    /// </summary>
    private Doc Bracketed<T>(string open, IReadOnlyList<T> nodes, Func<T, Doc> build, Func<T, Location> span, string close, Position closer, bool spaces = false, bool trailingComma = false)
    {
        int lineComments = _lineComments;
        Position first = nodes.Count > 0 ? span(nodes[0]).Begin : closer;
        Doc afterOpen = Trailing(TokenBefore(first).Location.End.Line, first);
        Doc inner = ListInner(nodes, build, span, closer, trailingComma);
        if (nodes.Count == 0 && inner == Doc.Empty && afterOpen == Doc.Empty)
            return Text(open + close);
        Doc edge = spaces ? LineDoc.Space : LineDoc.Soft;
        return D.Group(D.Concat(Text(open), afterOpen, D.Indent(D.Concat(edge, inner)), edge, Text(close)), _lineComments != lineComments);
    }

    /// <summary>Items separated by commas and lines, with the comments up to <paramref name="closer"/>.</summary>
    private Doc ListInner<T>(IReadOnlyList<T> nodes, Func<T, Doc> build, Func<T, Location> span, Position closer, bool trailingComma)
    {
        var parts = new List<Doc>();
        for (int i = 0; i < nodes.Count; i++)
        {
            parts.Add(build(nodes[i]));
            int endLine = span(nodes[i]).End.Line;
            if (i + 1 < nodes.Count)
            {
                parts.Add(Text(","));
                parts.Add(Trailing(endLine, span(nodes[i + 1]).Begin));
                parts.Add(LineDoc.Space);
            }
            else
            {
                if (trailingComma)
                    parts.Add(D.IfBreak(Text(","), Doc.Empty));
                parts.Add(Trailing(endLine, closer));
            }
        }
        if (CommentBefore(closer))
        {
            if (parts.Count == 0)
                parts.Add(BreakParentDoc.Instance);
            foreach (Comment c in OwnLine(closer))
            {
                if (parts.Count > 1 || nodes.Count > 0)
                    parts.Add(LineDoc.Hard);
                parts.Add(CommentText(c));
            }
            parts.Add(BreakParentDoc.Instance);
        }
        return parts.Count == 0 ? Doc.Empty : D.Concat(parts);
    }
}
