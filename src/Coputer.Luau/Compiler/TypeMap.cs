using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>The coarse value kinds the O2 code generator can rely on (the reference's bytecode type tags).</summary>
internal enum ValueKind : byte
{
    Nil = 0,
    Boolean = 1,
    Number = 2,
    String = 3,
    Table = 4,
    Function = 5,
    Thread = 6,
    Userdata = 7,
    Vector = 8,
    Buffer = 9,
    Integer = 10,
    Any = 15,

    /// <summary>Added to a kind for "or nil".</summary>
    OptionalBit = 0x80,
}

/// <summary>
/// Infers, from type annotations and simple facts (literals, operators, builtin results, typed locals and table
/// fields), which expressions are certainly numbers or vectors. At O2 the code generator uses it to rewrite
/// <c>k + x</c> and <c>k * x</c> as <c>x + k</c> and <c>x * k</c> (K-operand forms) when <c>x</c> is a number, which
/// cannot change behaviour because numbers have no metamethods.
/// </summary>
internal sealed class TypeMap : AstVisitor
{
    private static readonly ReferenceType s_boolean = Named("boolean");
    private static readonly ReferenceType s_number = Named("number");
    private static readonly ReferenceType s_integer = Named("integer");
    private static readonly ReferenceType s_string = Named("string");
    private static readonly ReferenceType s_vector = Named("vector");

    private readonly CompilerState _state;
    private readonly string? _hostVectorType;

    // Type aliases in scope, with the shadowed definitions to restore when a block ends.
    private readonly Dictionary<string, TypeAliasStat?> _aliases = new(StringComparer.Ordinal);
    private readonly List<(string Name, TypeAliasStat? Previous)> _aliasStack = [];

    private readonly Dictionary<AstLocal, AstType> _resolvedLocals = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<AstExpr, AstType> _resolvedExprs = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<AstLocal, AstType> _functionReturnTypes = new(ReferenceEqualityComparer.Instance);

    private TypeMap(CompilerState state)
    {
        _state = state;
        _hostVectorType = state.Options.VectorType;
    }

    /// <summary>The kind of each expression whose kind could be inferred.</summary>
    public Dictionary<AstExpr, ValueKind> ExprKinds { get; } = new(ReferenceEqualityComparer.Instance);

    public static Dictionary<AstExpr, ValueKind> Build(CompilerState state, AstNode root)
    {
        var map = new TypeMap(state);
        root.Accept(map);
        return map.ExprKinds;
    }

    private static ReferenceType Named(string name) => new(default, null, null, name, default, [], false);

    // ---- types to kinds ----

    private static ValueKind PrimitiveKind(string name) => name switch
    {
        "nil" => ValueKind.Nil,
        "boolean" => ValueKind.Boolean,
        "number" => ValueKind.Number,
        "integer" => ValueKind.Integer,
        "string" => ValueKind.String,
        "thread" => ValueKind.Thread,
        "buffer" => ValueKind.Buffer,
        "vector" => ValueKind.Vector,
        "any" or "unknown" => ValueKind.Any,
        _ => (ValueKind)255,
    };

    private ValueKind KindOf(AstType type, AstGenericType[] generics, HashSet<string> seenAliases)
    {
        StackGuard.Check(type);
        switch (type)
        {
            case ReferenceType reference:
                {
                    if (reference.Prefix is not null)
                        return ValueKind.Any;
                    if (_aliases.TryGetValue(reference.Name, out var alias) && alias is not null)
                    {
                        // A recursive alias gives up.
                        if (seenAliases.Contains(alias.Name))
                        {
                            seenAliases.Clear();
                            return ValueKind.Any;
                        }
                        seenAliases.Add(reference.Name);
                        return KindOf(alias.Type, alias.Generics, seenAliases);
                    }
                    foreach (var g in generics)
                    {
                        if (g.Name == reference.Name)
                            return ValueKind.Any;
                    }
                    if (_hostVectorType is not null && reference.Name == _hostVectorType)
                        return ValueKind.Vector;
                    var primitive = PrimitiveKind(reference.Name);
                    // Anything else is a host-provided type, taken to be userdata.
                    return primitive != (ValueKind)255 ? primitive : ValueKind.Userdata;
                }
            case TableType:
                return ValueKind.Table;
            case FunctionType:
                return ValueKind.Function;
            case UnionType union:
                return UnionKind(union.Types, null, generics, seenAliases);
            case OptionalType optional:
                // T? is the union of T and nil.
                return UnionKind([optional.Type], ValueKind.Nil, generics, seenAliases);
            case GroupType group:
                return KindOf(group.Type, generics, seenAliases);
            case SingletonBoolType:
                return ValueKind.Boolean;
            case SingletonStringType:
                return ValueKind.String;
            default:
                return ValueKind.Any;
        }
    }

    private ValueKind UnionKind(AstType[] types, ValueKind? extra, AstGenericType[] generics, HashSet<string> seenAliases)
    {
        bool optional = false;
        ValueKind? kind = null;
        foreach (var t in types)
        {
            var k = KindOf(t, generics, seenAliases);
            if (k == ValueKind.Nil)
            {
                optional = true;
                continue;
            }
            if (kind is null)
            {
                kind = k;
                continue;
            }
            if (kind != k)
                return ValueKind.Any;
        }
        if (extra == ValueKind.Nil)
            optional = true;
        if (kind is not ValueKind result)
            return ValueKind.Any;
        return optional && result != ValueKind.Any ? result | ValueKind.OptionalBit : result;
    }

    /// <summary>One level of alias resolution, as recorded types keep it.</summary>
    private AstType ResolveAlias(AstType type)
    {
        if (type is ReferenceType { Prefix: null } reference && _aliases.TryGetValue(reference.Name, out var alias) && alias is not null)
            return alias.Type;
        return type;
    }

    private ValueKind Record(AstExpr expr, AstType type)
    {
        type = ResolveAlias(type);
        _resolvedExprs[expr] = type;
        var kind = KindOf(type, [], []);
        ExprKinds[expr] = kind;
        return kind;
    }

    private void Record(AstLocal local, AstType type) => _resolvedLocals[local] = ResolveAlias(type);

    private TableType? TableTypeOf(AstExpr expr) => _resolvedExprs.TryGetValue(expr, out var t) ? t as TableType : null;

    private bool IsUntouchedGlobal(AstExpr node, string name) =>
        node is GlobalExpr global && global.Name == name && _state.GetGlobalState(name) == GlobalState.Default;

    // ---- scopes ----

    private int PushAliases(BlockStat block)
    {
        int top = _aliasStack.Count;
        foreach (var stat in block.Body)
        {
            if (stat is TypeAliasStat alias)
            {
                _aliasStack.Add((alias.Name, _aliases.GetValueOrDefault(alias.Name)));
                _aliases[alias.Name] = alias;
            }
        }
        return top;
    }

    private void PopAliases(int top)
    {
        while (_aliasStack.Count > top)
        {
            var (name, previous) = _aliasStack[^1];
            _aliases[name] = previous;
            _aliasStack.RemoveAt(_aliasStack.Count - 1);
        }
    }

    public override bool VisitNode(AstNode node)
    {
        StackGuard.Check(node);
        return true;
    }

    public override bool Visit(BlockStat node)
    {
        StackGuard.Check(node);
        int top = PushAliases(node);
        foreach (var stat in node.Body)
            stat.Accept(this);
        PopAliases(top);
        return false;
    }

    public override bool Visit(RepeatStat node)
    {
        // The condition sees the body's aliases.
        StackGuard.Check(node);
        int top = PushAliases(node.Body);
        foreach (var stat in node.Body.Body)
            stat.Accept(this);
        node.Condition.Accept(this);
        PopAliases(top);
        return false;
    }

    public override bool Visit(ForStat node)
    {
        Record(node.Var, s_number);
        return VisitNode(node);
    }

    public override bool Visit(ForInStat node)
    {
        StackGuard.Check(node);
        foreach (var value in node.Values)
            value.Accept(this);

        if (node.Vars.Length == 2 && node.Values.Length == 1)
        {
            if (node.Values[0] is CallExpr { Arguments.Length: 1 } call)
            {
                var indexer = TableTypeOf(call.Arguments[0])?.Indexer;
                if (IsUntouchedGlobal(call.Function, "ipairs"))
                {
                    if (indexer is not null)
                    {
                        Record(node.Vars[0], s_number);
                        Record(node.Vars[1], indexer.ResultType);
                    }
                }
                else if (IsUntouchedGlobal(call.Function, "pairs"))
                {
                    if (indexer is not null)
                    {
                        Record(node.Vars[0], indexer.IndexType);
                        Record(node.Vars[1], indexer.ResultType);
                    }
                }
            }
            else if (TableTypeOf(node.Values[0])?.Indexer is { } indexer)
            {
                Record(node.Vars[0], indexer.IndexType);
                Record(node.Vars[1], indexer.ResultType);
            }
        }

        foreach (var v in node.Vars)
        {
            if (v.Annotation is not null)
                Record(v, v.Annotation);
        }

        node.Body.Accept(this);
        return false;
    }

    public override bool Visit(LocalFunctionStat node)
    {
        if (node.Function.ReturnAnnotation is ExplicitTypePack { TypeList.Types.Length: >= 1 } pack)
            _functionReturnTypes[node.Name] = pack.TypeList.Types[0];
        return VisitNode(node);
    }

    public override bool Visit(LocalExpr node)
    {
        var local = node.Local;
        if (local.Annotation is not null)
            Record(node, local.Annotation);
        else if (_resolvedLocals.TryGetValue(local, out var type))
            Record(node, type);
        return false;
    }

    public override bool Visit(LocalStat node)
    {
        StackGuard.Check(node);
        foreach (var value in node.Values)
            value.Accept(this);
        for (int i = 0; i < node.Vars.Length; i++)
        {
            // Unannotated locals take the type of their value (tail packs are not followed).
            var v = node.Vars[i];
            if (v.Annotation is null && i < node.Values.Length && _resolvedExprs.TryGetValue(node.Values[i], out var type))
                _resolvedLocals[v] = type;
        }
        return false;
    }

    public override bool Visit(IndexExpr node)
    {
        StackGuard.Check(node);
        node.Expr.Accept(this);
        node.Index.Accept(this);
        if (TableTypeOf(node.Expr)?.Indexer is { } indexer)
            Record(node, indexer.ResultType);
        return false;
    }

    public override bool Visit(IndexNameExpr node)
    {
        StackGuard.Check(node);
        node.Expr.Accept(this);

        if (TableTypeOf(node.Expr) is { } table)
        {
            foreach (var prop in table.Props)
            {
                if (prop.Name == node.Index)
                {
                    Record(node, prop.Type);
                    return false;
                }
            }
        }

        if (ExprKinds.TryGetValue(node.Expr, out var kind) && kind == ValueKind.Vector
            && node.Index is "X" or "Y" or "Z" or "x" or "y" or "z")
        {
            Record(node, s_number);
            return false;
        }

        if (node.Expr is GlobalExpr { Name: "vector" } && _state.GetGlobalState("vector") == GlobalState.Default
            && node.Index is "zero" or "one")
            Record(node, s_vector);
        return false;
    }

    public override bool Visit(UnaryExpr node)
    {
        StackGuard.Check(node);
        node.Expr.Accept(this);
        switch (node.Op)
        {
            case UnaryOp.Not:
                Record(node, s_boolean);
                break;
            case UnaryOp.Minus:
                if (_resolvedExprs.TryGetValue(node.Expr, out var type) && ExprKinds.TryGetValue(node.Expr, out var kind)
                    && kind is ValueKind.Vector or ValueKind.Number)
                    Record(node, type);
                break;
            case UnaryOp.Len:
                Record(node, s_number);
                break;
        }
        return false;
    }

    public override bool Visit(BinaryExpr node)
    {
        StackGuard.Check(node);
        node.Left.Accept(this);
        node.Right.Accept(this);

        if (node.Op is BinaryOp.CompareNe or BinaryOp.CompareEq or BinaryOp.CompareLt or BinaryOp.CompareLe
            or BinaryOp.CompareGt or BinaryOp.CompareGe)
        {
            Record(node, s_boolean);
            return false;
        }
        if (node.Op is BinaryOp.Concat or BinaryOp.And or BinaryOp.Or)
            return false;

        if (!_resolvedExprs.TryGetValue(node.Left, out var leftType) || !ExprKinds.TryGetValue(node.Left, out var left))
            return false;
        if (!_resolvedExprs.TryGetValue(node.Right, out var rightType) || !ExprKinds.TryGetValue(node.Right, out var right))
            return false;

        if (left == ValueKind.Vector)
            Record(node, leftType);
        else if (right == ValueKind.Vector)
            Record(node, rightType);
        else if (left == ValueKind.Number && right == ValueKind.Number)
            Record(node, leftType);
        return false;
    }

    public override bool Visit(GroupExpr node)
    {
        StackGuard.Check(node);
        node.Expr.Accept(this);
        if (_resolvedExprs.TryGetValue(node.Expr, out var type))
            Record(node, type);
        return false;
    }

    public override bool Visit(TypeAssertionExpr node)
    {
        StackGuard.Check(node);
        node.Expr.Accept(this);
        Record(node, node.Annotation);
        return false;
    }

    public override bool Visit(BooleanExpr node)
    {
        Record(node, s_boolean);
        return false;
    }

    public override bool Visit(NumberExpr node)
    {
        Record(node, s_number);
        return false;
    }

    public override bool Visit(IntegerExpr node)
    {
        Record(node, s_integer);
        return false;
    }

    public override bool Visit(StringExpr node)
    {
        Record(node, s_string);
        return false;
    }

    public override bool Visit(InterpStringExpr node)
    {
        Record(node, s_string);
        return false;
    }

    public override bool Visit(IfElseExpr node)
    {
        StackGuard.Check(node);
        node.Condition.Accept(this);
        node.TrueExpr.Accept(this);
        node.FalseExpr.Accept(this);
        // Both branches of the same kind: take the first's type.
        if (_resolvedExprs.TryGetValue(node.TrueExpr, out var type) && ExprKinds.TryGetValue(node.TrueExpr, out var t)
            && ExprKinds.TryGetValue(node.FalseExpr, out var f) && t == f)
            Record(node, type);
        return false;
    }

    public override bool Visit(CallExpr node)
    {
        StackGuard.Check(node);
        if (_state.Builtins.TryGetValue(node, out var builtin))
        {
            var result = BuiltinResult(builtin);
            if (result is not null)
                Record(node, result);
        }
        else if (node.Function is LocalExpr local && _functionReturnTypes.TryGetValue(local.Local, out var returnType))
        {
            Record(node, returnType);
        }
        return true;
    }

    private static ReferenceType? BuiltinResult(BuiltinFunction builtin) => builtin switch
    {
        BuiltinFunction.None or BuiltinFunction.Assert or BuiltinFunction.RawSet or BuiltinFunction.RawGet or BuiltinFunction.TableInsert
            or BuiltinFunction.TableUnpack or BuiltinFunction.SelectVararg or BuiltinFunction.GetMetatable or BuiltinFunction.SetMetatable
            or BuiltinFunction.BufferWriteu8 or BuiltinFunction.BufferWriteu16 or BuiltinFunction.BufferWriteu32
            or BuiltinFunction.BufferWritef32 or BuiltinFunction.BufferWritef64 or BuiltinFunction.BufferWriteInteger => null,
        BuiltinFunction.Type or BuiltinFunction.StringChar or BuiltinFunction.TypeOf or BuiltinFunction.StringSub
            or BuiltinFunction.ToString => s_string,
        BuiltinFunction.MathIsNan or BuiltinFunction.MathIsInf or BuiltinFunction.MathIsFinite or BuiltinFunction.RawEqual => s_boolean,
        BuiltinFunction.Vector or BuiltinFunction.VectorNormalize or BuiltinFunction.VectorCross or BuiltinFunction.VectorFloor
            or BuiltinFunction.VectorCeil or BuiltinFunction.VectorAbs or BuiltinFunction.VectorSign or BuiltinFunction.VectorClamp
            or BuiltinFunction.VectorMin or BuiltinFunction.VectorMax or BuiltinFunction.VectorLerp => s_vector,
        BuiltinFunction.IntegerToNumber => s_number,
        BuiltinFunction.IntegerLt or BuiltinFunction.IntegerLe or BuiltinFunction.IntegerGt or BuiltinFunction.IntegerGe
            or BuiltinFunction.IntegerUlt or BuiltinFunction.IntegerUle or BuiltinFunction.IntegerUgt or BuiltinFunction.IntegerUge
            or BuiltinFunction.IntegerBtest => s_boolean,
        >= BuiltinFunction.IntegerCreate and <= BuiltinFunction.BufferReadInteger => s_integer,
        _ => s_number,
    };
}
