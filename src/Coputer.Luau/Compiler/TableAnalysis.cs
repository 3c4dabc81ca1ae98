using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>Predicted sizes for a table created empty: how many array slots and hash fields it will get.</summary>
internal struct PredictedShape
{
    public int ArraySize;
    public int HashSize;
}

/// <summary>
/// Predicts the size of tables created by an empty constructor: for <c>local t = {}</c> (or
/// <c>local t = setmetatable({}, mt)</c>), each distinct <c>t.name = v</c> adds a hash slot, <c>t[1] = v</c>,
/// <c>t[2] = v</c>... in order add array slots, and <c>t[i] = v</c> inside <c>for i = 1, N</c> (N constant, at most
/// 16) reserves N array slots.
/// </summary>
internal sealed class TableShapePredictor : AstVisitor
{
    private const int MaxLoopBound = 16;

    private readonly Dictionary<TableExpr, PredictedShape> _shapes;
    private readonly Dictionary<AstLocal, TableExpr> _tables = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<(TableExpr, string)> _fields = [];
    private readonly Dictionary<AstLocal, int> _loopBounds = new(ReferenceEqualityComparer.Instance);

    private TableShapePredictor(Dictionary<TableExpr, PredictedShape> shapes) => _shapes = shapes;

    public static void Run(Dictionary<TableExpr, PredictedShape> shapes, AstNode root) => root.Accept(new TableShapePredictor(shapes));

    public override bool VisitNode(AstNode node)
    {
        StackGuard.Check(node);
        return true;
    }

    private static TableExpr? TableHint(AstExpr expr)
    {
        if (expr is TableExpr table)
            return table;
        if (expr is CallExpr { IsMethodCall: false, Function: GlobalExpr { Name: "setmetatable" } } call
            && call.Arguments.Length == 2 && call.Arguments[0] is TableExpr first)
            return first;
        return null;
    }

    private void AssignField(AstExpr target, string name)
    {
        if (target is LocalExpr local && _tables.TryGetValue(local.Local, out var table) && _fields.Add((table, name)))
        {
            var shape = _shapes.GetValueOrDefault(table);
            shape.HashSize++;
            _shapes[table] = shape;
        }
    }

    private void AssignIndex(AstExpr target, AstExpr index)
    {
        if (target is not LocalExpr local || !_tables.TryGetValue(local.Local, out var table))
            return;
        var shape = _shapes.GetValueOrDefault(table);
        if (index is NumberExpr number)
        {
            if (number.Value == shape.ArraySize + 1)
                shape.ArraySize++;
        }
        else if (index is LocalExpr iterator && _loopBounds.TryGetValue(iterator.Local, out int bound))
        {
            if (shape.ArraySize == 0)
                shape.ArraySize = bound;
        }
        else
        {
            return;
        }
        _shapes[table] = shape;
    }

    private void Assign(AstExpr target)
    {
        if (target is IndexNameExpr indexName)
            AssignField(indexName.Expr, indexName.Index);
        else if (target is IndexExpr index)
            AssignIndex(index.Expr, index.Index);
    }

    public override bool Visit(LocalStat node)
    {
        if (node.Vars.Length == 1 && node.Values.Length == 1 && TableHint(node.Values[0]) is { Items.Length: 0 } table)
            _tables[node.Vars[0]] = table;
        return VisitNode(node);
    }

    public override bool Visit(AssignStat node)
    {
        StackGuard.Check(node);
        foreach (var target in node.Vars)
            Assign(target);
        foreach (var value in node.Values)
            value.Accept(this);
        return false;
    }

    public override bool Visit(FunctionStat node)
    {
        StackGuard.Check(node);
        Assign(node.Name);
        node.Function.Accept(this);
        return false;
    }

    public override bool Visit(ForStat node)
    {
        if (node.From is NumberExpr { Value: 1.0 } && node.To is NumberExpr to && to.Value >= 1.0 && to.Value <= MaxLoopBound
            && node.Step is null)
            _loopBounds[node.Var] = (int)to.Value;
        return VisitNode(node);
    }
}

/// <summary>
/// Finds locals that hold a table constructor which is never modified and never escapes (is not passed, stored,
/// returned, aliased, iterated or used as a method receiver), so that reads of its constant fields can be folded.
/// </summary>
internal sealed class TableMutationTracker : AstVisitor
{
    private readonly HashSet<AstLocal> _escaped = new(ReferenceEqualityComparer.Instance);

    public static void BuildConstantTableMap(CompilerState state, AstNode root, IEnumerable<AstLocal> declared)
    {
        var tracker = new TableMutationTracker();
        root.Accept(tracker);
        foreach (var local in declared)
        {
            var v = state.Variables.Get(local);
            if (v.Written || v.Init is null || Unwrap(v.Init) is not TableExpr)
                continue;
            if (!tracker._escaped.Contains(local))
                state.ConstantTableLocals[local] = true;
        }
    }

    private static AstExpr Unwrap(AstExpr e)
    {
        while (true)
        {
            switch (e)
            {
                case GroupExpr g:
                    e = g.Expr;
                    break;
                case TypeAssertionExpr t:
                    e = t.Expr;
                    break;
                default:
                    return e;
            }
        }
    }

    public override bool VisitNode(AstNode node)
    {
        StackGuard.Check(node);
        return true;
    }

    private void MarkEscaped(AstExpr expr)
    {
        while (true)
        {
            switch (expr)
            {
                case LocalExpr local:
                    _escaped.Add(local.Local);
                    return;
                case GroupExpr group:
                    expr = group.Expr;
                    break;
                case TypeAssertionExpr assertion:
                    expr = assertion.Expr;
                    break;
                case InstantiateExpr instantiate:
                    expr = instantiate.Expr;
                    break;
                case IfElseExpr ifElse:
                    MarkEscaped(ifElse.TrueExpr);
                    expr = ifElse.FalseExpr;
                    break;
                case BinaryExpr { Op: BinaryOp.And or BinaryOp.Or } binary:
                    MarkEscaped(binary.Left);
                    expr = binary.Right;
                    break;
                default:
                    return;
            }
        }
    }

    private void MarkIndexedTable(AstExpr expr, bool isAssignment)
    {
        if (expr is IndexNameExpr indexName)
        {
            MarkEscaped(indexName.Expr);
        }
        else if (expr is IndexExpr index)
        {
            MarkEscaped(index.Expr);
            if (isAssignment)
                MarkEscaped(index.Index);
        }
    }

    public override bool Visit(CallExpr node)
    {
        foreach (var arg in node.Arguments)
            MarkEscaped(arg);
        if (node.IsMethodCall)
            MarkIndexedTable(node.Function, false);
        return VisitNode(node);
    }

    public override bool Visit(TableExpr node)
    {
        foreach (var item in node.Items)
        {
            if (item.Key is not null)
                MarkEscaped(item.Key);
            MarkEscaped(item.Value);
        }
        return VisitNode(node);
    }

    public override bool Visit(LocalStat node)
    {
        for (int i = 0; i < node.Values.Length && i < node.Vars.Length; i++)
            MarkEscaped(node.Values[i]);
        return VisitNode(node);
    }

    public override bool Visit(AssignStat node)
    {
        foreach (var value in node.Values)
            MarkEscaped(value);
        foreach (var target in node.Vars)
            MarkIndexedTable(target, true);
        return VisitNode(node);
    }

    public override bool Visit(CompoundAssignStat node)
    {
        MarkIndexedTable(node.Var, true);
        return VisitNode(node);
    }

    public override bool Visit(FunctionStat node)
    {
        MarkIndexedTable(node.Name, true);
        return VisitNode(node);
    }

    public override bool Visit(ForInStat node)
    {
        foreach (var value in node.Values)
            MarkEscaped(value);
        return VisitNode(node);
    }

    public override bool Visit(ReturnStat node)
    {
        foreach (var value in node.List)
            MarkEscaped(value);
        return VisitNode(node);
    }
}
