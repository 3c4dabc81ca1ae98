using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>
/// Computes which expressions have values known at compile time: literals, never-assigned locals initialised with
/// constants (including <c>const</c> locals), arithmetic with IEEE semantics, comparisons, <c>and</c>/<c>or</c>/<c>not</c>,
/// string concatenation and interpolation (up to 4096 bytes), if-expressions, fields of constant tables and vectors,
/// and at O2 calls to pure builtins. Results go into the expression map; constant locals into the local map.
/// </summary>
/// <remarks>
/// One pass in source order is enough because a local's initialiser always precedes its uses. The O2 inliner and
/// loop unroller run the pass again over a function body with different local values; they pass change logs so the
/// previous state can be restored.
/// </remarks>
internal sealed class ConstantFolder : AstVisitor
{
    private const int StringFoldLimit = 4096;

    private readonly CompilerState _state;
    private readonly List<(AstExpr Expr, Constant Old, bool Absent)>? _exprLog;
    private readonly List<(AstLocal Local, Constant Old)>? _localLog;
    private readonly bool _wasEmpty;

    // Field maps of constant table constructors, referred to by Constant.Table.
    private readonly List<Dictionary<string, Constant>> _tables = [];
    private readonly Dictionary<AstLocal, Constant> _tableLocals = new(ReferenceEqualityComparer.Instance);
    private readonly List<Constant> _builtinArgs = [];

    private ConstantFolder(CompilerState state, List<(AstExpr, Constant, bool)>? exprLog, List<(AstLocal, Constant)>? localLog)
    {
        _state = state;
        _exprLog = exprLog;
        _localLog = localLog;
        _wasEmpty = state.Constants.Count == 0 && !state.AnyLocalConstants;
    }

    public static void Run(CompilerState state, AstNode root,
        List<(AstExpr, Constant, bool)>? exprLog = null, List<(AstLocal, Constant)>? localLog = null) =>
        root.Accept(new ConstantFolder(state, exprLog, localLog));

    /// <summary>Restores the state recorded in change logs, newest change first.</summary>
    public static void Undo(CompilerState state, List<(AstExpr Expr, Constant Old, bool Absent)> exprLog, List<(AstLocal Local, Constant Old)> localLog)
    {
        for (int i = exprLog.Count - 1; i >= 0; i--)
        {
            var (expr, old, absent) = exprLog[i];
            state.Constants[expr] = absent ? Constant.Unknown : old;
        }
        for (int i = localLog.Count - 1; i >= 0; i--)
            state.LocalConstants[localLog[i].Local] = localLog[i].Old;
    }

    public override bool VisitNode(AstNode node)
    {
        StackGuard.Check(node);
        return true;
    }

    public override bool VisitExpr(AstExpr node)
    {
        // Expressions are walked by Analyze, which needs the values of subexpressions.
        Analyze(node);
        return false;
    }

    public override bool Visit(LocalStat node)
    {
        StackGuard.Check(node);
        var vars = node.Vars;
        var values = node.Values;
        for (int i = 0; i < vars.Length && i < values.Length; i++)
        {
            var value = Analyze(values[i]);
            if (value.Type == ConstantType.Table && !_state.ConstantTableLocals.Get(vars[i]))
                RecordLocal(vars[i], Constant.Unknown);
            else
                RecordLocal(vars[i], value);
        }

        if (vars.Length > values.Length)
        {
            // Extra variables are nil unless the last value may produce several values.
            var last = values.Length > 0 ? values[^1] : null;
            if (last is not (CallExpr or VarargsExpr))
            {
                for (int i = values.Length; i < vars.Length; i++)
                    RecordLocal(vars[i], Constant.Nil);
            }
        }
        else
        {
            for (int i = vars.Length; i < values.Length; i++)
                Analyze(values[i]);
        }
        return false;
    }

    private void RecordLocal(AstLocal local, Constant value)
    {
        ref var v = ref _state.Variables[local];
        if (v.Written)
            return;
        if (value.Type == ConstantType.Table)
        {
            v.Constant = false;
            _tableLocals[local] = value;
            return;
        }

        v.Constant = value.IsKnown;
        var old = _state.LocalConstants.Get(local);
        if (value.IsKnown)
        {
            _localLog?.Add((local, old));
            _state.LocalConstants[local] = value;
            _state.AnyLocalConstants = true;
        }
        else if (!_wasEmpty && old.IsKnown)
        {
            _localLog?.Add((local, old));
            _state.LocalConstants[local] = Constant.Unknown;
        }
    }

    private void Record(AstExpr node, Constant value)
    {
        if (value.Type == ConstantType.Table)
            return;
        if (value.IsKnown)
        {
            if (_exprLog is not null)
            {
                bool present = _state.Constants.TryGetValue(node, out var old);
                _exprLog.Add((node, old, !present));
            }
            _state.Constants[node] = value;
        }
        else if (!_wasEmpty && _state.Constants.TryGetValue(node, out var old))
        {
            // The entry stays, marked unknown: the cost model treats any analysed expression as free.
            _exprLog?.Add((node, old, false));
            _state.Constants[node] = Constant.Unknown;
        }
    }

    private Constant Analyze(AstExpr node)
    {
        StackGuard.Check(node);
        var result = Constant.Unknown;
        switch (node)
        {
            case GroupExpr group:
                result = Analyze(group.Expr);
                break;
            case NilExpr:
                result = Constant.Nil;
                break;
            case BooleanExpr boolean:
                result = Constant.FromBoolean(boolean.Value);
                break;
            case NumberExpr number:
                result = Constant.FromNumber(number.Value);
                break;
            case IntegerExpr integer:
                result = Constant.FromInteger(integer.Value);
                break;
            case StringExpr text:
                result = Constant.FromString(text.Value);
                break;
            case LocalExpr local:
                {
                    var c = _state.LocalConstants.Get(local.Local);
                    if (c.IsKnown)
                        result = c;
                    else if (_tableLocals.TryGetValue(local.Local, out var t))
                        result = t;
                    break;
                }
            case GlobalExpr:
            case VarargsExpr:
                break;
            case CallExpr call:
                result = AnalyzeCall(call);
                break;
            case IndexNameExpr index:
                result = AnalyzeIndexName(index);
                break;
            case IndexExpr index:
                {
                    var key = Analyze(index.Index);
                    var table = Analyze(index.Expr);
                    if (table.Type == ConstantType.Table && key.Type == ConstantType.String && key.String!.Length > 0
                        && _tables[table.Table].TryGetValue(CompilerState.NameOf(key.String), out var field))
                        result = field;
                    break;
                }
            case FunctionExpr function:
                // Constants propagate into nested functions too.
                function.Body.Accept(this);
                break;
            case TableExpr table:
                result = AnalyzeTable(table);
                break;
            case UnaryExpr unary:
                {
                    var operand = Analyze(unary.Expr);
                    if (operand.IsKnown)
                        result = FoldUnary(unary.Op, operand);
                    break;
                }
            case BinaryExpr binary:
                {
                    var left = Analyze(binary.Left);
                    var right = Analyze(binary.Right);
                    // The right side need not be known for and/or when the left side decides.
                    if (left.IsKnown)
                        result = FoldBinary(binary.Op, left, right);
                    break;
                }
            case TypeAssertionExpr assertion:
                result = Analyze(assertion.Expr);
                break;
            case IfElseExpr ifElse:
                {
                    var condition = Analyze(ifElse.Condition);
                    var whenTrue = Analyze(ifElse.TrueExpr);
                    var whenFalse = Analyze(ifElse.FalseExpr);
                    if (condition.IsKnown)
                        result = condition.IsTruthy ? whenTrue : whenFalse;
                    break;
                }
            case InterpStringExpr interp:
                result = AnalyzeInterpString(interp);
                break;
            case InstantiateExpr instantiate:
                result = Analyze(instantiate.Expr);
                break;
            case ErrorExpr error:
                foreach (var e in error.Expressions)
                    Analyze(e);
                break;
        }

        Record(node, result);
        return result;
    }

    private Constant AnalyzeCall(CallExpr call)
    {
        Analyze(call.Function);
        var builtins = _state.FoldableBuiltins;
        if (builtins is not null && builtins.TryGetValue(call, out var builtin) && builtin != BuiltinFunction.None)
        {
            // The argument buffer is shared by nested calls: keep what outer calls put there.
            int start = _builtinArgs.Count;
            bool foldable = true;
            foreach (var arg in call.Arguments)
            {
                var c = Analyze(arg);
                if (!c.IsKnown || c.Type == ConstantType.Table)
                    foldable = false;
                else
                    _builtinArgs.Add(c);
            }

            var result = Constant.Unknown;
            if (foldable)
                result = BuiltinFolding.Fold(builtin, _builtinArgs, start, call.Arguments.Length);
            _builtinArgs.RemoveRange(start, _builtinArgs.Count - start);
            return result;
        }

        foreach (var arg in call.Arguments)
            Analyze(arg);
        return Constant.Unknown;
    }

    private Constant AnalyzeIndexName(IndexNameExpr index)
    {
        var value = Analyze(index.Expr);
        switch (value.Type)
        {
            case ConstantType.Table:
                return _tables[value.Table].TryGetValue(index.Index, out var field) ? field : Constant.Unknown;
            case ConstantType.Vector:
                // w is left alone: whether vectors have four components depends on the VM build.
                return index.Index switch
                {
                    "x" or "X" => Constant.FromNumber(value.X),
                    "y" or "Y" => Constant.FromNumber(value.Y),
                    "z" or "Z" => Constant.FromNumber(value.Z),
                    _ => Constant.Unknown,
                };
            default:
                if (_state.FoldLibraryConstants && index.Expr is GlobalExpr { Name: "math" })
                    return BuiltinFolding.MathConstant(index.Index);
                return Constant.Unknown;
        }
    }

    private Constant AnalyzeTable(TableExpr table)
    {
        var fields = new Dictionary<string, Constant>(StringComparer.Ordinal);
        foreach (var item in table.Items)
        {
            var value = Analyze(item.Value);
            if (item.Key is not null)
            {
                var key = Analyze(item.Key);
                if (key.Type == ConstantType.String && value.IsKnown && value.Type != ConstantType.Table && key.String!.Length > 0)
                    fields[CompilerState.NameOf(key.String)] = value;
            }
        }

        // Only a constructor made entirely of distinct constant string fields is a constant table.
        if (fields.Count != table.Items.Length)
            return Constant.Unknown;
        _tables.Add(fields);
        return Constant.FromTable(_tables.Count - 1);
    }

    private Constant AnalyzeInterpString(InterpStringExpr interp)
    {
        bool allStrings = true;
        foreach (var e in interp.Expressions)
        {
            if (Analyze(e).Type != ConstantType.String)
                allStrings = false;
        }
        if (!allStrings)
            return Constant.Unknown;

        int length = 0;
        for (int i = 0; i < interp.Strings.Length; i++)
        {
            length += interp.Strings[i].Length;
            if (i < interp.Expressions.Length)
                length += _state.Constants[interp.Expressions[i]].String!.Length;
        }
        if (length > StringFoldLimit)
            return Constant.Unknown;

        var bytes = new byte[length];
        int at = 0;
        for (int i = 0; i < interp.Strings.Length; i++)
        {
            interp.Strings[i].CopyTo(bytes, at);
            at += interp.Strings[i].Length;
            if (i < interp.Expressions.Length)
            {
                var s = _state.Constants[interp.Expressions[i]].String!;
                s.CopyTo(bytes, at);
                at += s.Length;
            }
        }
        return Constant.FromString(bytes);
    }

    private static Constant FoldUnary(UnaryOp op, Constant operand)
    {
        switch (op)
        {
            case UnaryOp.Not:
                return Constant.FromBoolean(!operand.IsTruthy);
            case UnaryOp.Minus:
                if (operand.Type == ConstantType.Number)
                    return Constant.FromNumber(-operand.Number);
                if (operand.Type == ConstantType.Vector)
                    return Constant.FromVector(-operand.X, -operand.Y, -operand.Z, -operand.W);
                return Constant.Unknown;
            case UnaryOp.Len:
                return operand.Type == ConstantType.String ? Constant.FromNumber(operand.String!.Length) : Constant.Unknown;
            default:
                return Constant.Unknown;
        }
    }

    private static Constant FoldBinary(BinaryOp op, Constant left, Constant right)
    {
        switch (op)
        {
            case BinaryOp.Add:
            case BinaryOp.Sub:
            case BinaryOp.Mul:
            case BinaryOp.Div:
            case BinaryOp.FloorDiv:
            case BinaryOp.Mod:
            case BinaryOp.Pow:
                if (left.Type == ConstantType.Number && right.Type == ConstantType.Number)
                    return Constant.FromNumber(Arith(op, left.Number, right.Number));
                return FoldVectorArith(op, left, right);

            case BinaryOp.Concat:
                if (left.Type == ConstantType.String && right.Type == ConstantType.String
                    && left.String!.Length + right.String!.Length <= StringFoldLimit)
                {
                    if (left.String.Length == 0)
                        return right;
                    if (right.String.Length == 0)
                        return left;
                    return Constant.FromString([.. left.String, .. right.String]);
                }
                return Constant.Unknown;

            case BinaryOp.CompareEq:
            case BinaryOp.CompareNe:
                if (!right.IsKnown)
                    return Constant.Unknown;
                return Constant.FromBoolean(Constant.RawEquals(left, right) == (op == BinaryOp.CompareEq));

            case BinaryOp.CompareLt:
            case BinaryOp.CompareLe:
            case BinaryOp.CompareGt:
            case BinaryOp.CompareGe:
                if (left.Type != ConstantType.Number || right.Type != ConstantType.Number)
                    return Constant.Unknown;
                return Constant.FromBoolean(op switch
                {
                    BinaryOp.CompareLt => left.Number < right.Number,
                    BinaryOp.CompareLe => left.Number <= right.Number,
                    BinaryOp.CompareGt => left.Number > right.Number,
                    _ => left.Number >= right.Number,
                });

            case BinaryOp.And:
                return left.IsTruthy ? right : left;

            case BinaryOp.Or:
                return left.IsTruthy ? left : right;

            default:
                return Constant.Unknown;
        }
    }

    /// <summary>Number arithmetic as the VM performs it (floor division and modulo round towards minus infinity).</summary>
    public static double Arith(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.FloorDiv => Math.Floor(a / b),
        BinaryOp.Mod => a - Math.Floor(a / b) * b,
        BinaryOp.Pow => NumberMath.Pow(a, b),
        _ => double.NaN,
    };

    /// <summary>
    /// Component-wise vector arithmetic in single precision. Multiplication and division only fold when the fourth
    /// component stays zero or was already in use, so three-component VMs see the same values.
    /// </summary>
    private static Constant FoldVectorArith(BinaryOp op, Constant left, Constant right)
    {
        bool lv = left.Type == ConstantType.Vector, rv = right.Type == ConstantType.Vector;
        bool ln = left.Type == ConstantType.Number, rn = right.Type == ConstantType.Number;

        switch (op)
        {
            case BinaryOp.Add when lv && rv:
                return Constant.FromVector(left.X + right.X, left.Y + right.Y, left.Z + right.Z, left.W + right.W);
            case BinaryOp.Sub when lv && rv:
                return Constant.FromVector(left.X - right.X, left.Y - right.Y, left.Z - right.Z, left.W - right.W);
            case BinaryOp.Mul:
            case BinaryOp.Div:
            case BinaryOp.FloorDiv:
                {
                    if (!((lv && rv) || (ln && rv) || (lv && rn)))
                        return Constant.Unknown;
                    var (ax, ay, az, aw) = lv ? (left.X, left.Y, left.Z, left.W) : Splat((float)left.Number);
                    var (bx, by, bz, bw) = rv ? (right.X, right.Y, right.Z, right.W) : Splat((float)right.Number);
                    bool hadW = (lv && left.W != 0) || (rv && right.W != 0);
                    float w = VectorOp(op, aw, bw);
                    if (w != 0 && !hadW)
                        return Constant.Unknown;
                    // The reference floors a vector // number's w a second time; the value is the same.
                    return Constant.FromVector(VectorOp(op, ax, bx), VectorOp(op, ay, by), VectorOp(op, az, bz), w);
                }
            default:
                return Constant.Unknown;
        }

        static (float, float, float, float) Splat(float s) => (s, s, s, s);
    }

    private static float VectorOp(BinaryOp op, float a, float b) => op switch
    {
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        _ => MathF.Floor(a / b),
    };
}

/// <summary>Numeric helpers with C semantics where .NET differs.</summary>
internal static class NumberMath
{
    /// <summary>
    /// C's <c>pow</c> (so <c>pow(1, nan)</c> and <c>pow(-1, ±inf)</c> are 1), computed by the deterministic managed
    /// implementation so that folded constants do not depend on the compiling machine's C library.
    /// </summary>
    public static double Pow(double x, double y) => Library.DeterministicMath.Pow(x, y);
}
