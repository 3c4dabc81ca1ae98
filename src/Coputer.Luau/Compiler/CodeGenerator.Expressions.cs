using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

internal sealed partial class CodeGenerator
{
    /// <summary>
    /// Compiles <paramref name="node"/> into register <paramref name="target"/>. When <paramref name="targetTemp"/> is
    /// set the target is a scratch register that may be clobbered while the value is computed.
    /// </summary>
    private void CompileExpr(AstExpr node, int target, bool targetTemp = false)
    {
        StackGuard.Check(node);
        SetDebugLine(node);

        if (_coverageLevel >= 2)
            _bc.EmitAbc(OpCode.Coverage, 0, 0, 0);

        if (_state.Constants.TryGetValue(node, out var constant) && constant.IsKnown)
        {
            CompileConstant(node, constant, target);
            return;
        }

        switch (node)
        {
            case GroupExpr group:
                CompileExpr(group.Expr, target, targetTemp);
                break;
            case NilExpr:
                _bc.EmitAbc(OpCode.LoadNil, target, 0, 0);
                break;
            case BooleanExpr boolean:
                _bc.EmitAbc(OpCode.LoadB, target, boolean.Value ? 1 : 0, 0);
                break;
            case NumberExpr number:
                CompileNumberLiteral(node, number.Value, target);
                break;
            case StringExpr text:
                EmitLoadK(target, AddString(text.Value, node));
                break;
            case IntegerExpr integer:
                {
                    int k = _bc.AddConstantInteger(integer.Value);
                    CheckConstant(k, node);
                    EmitLoadK(target, k);
                    break;
                }
            case LocalExpr local:
                {
                    // Upvalues of the current function may have become registers through inlining, so ask the allocator.
                    int reg = GetLocalReg(local.Local);
                    if (reg >= 0)
                    {
                        if (_optimizationLevel == 0 || target != reg)
                            _bc.EmitAbc(OpCode.Move, target, reg, 0);
                    }
                    else
                    {
                        _bc.EmitAbc(OpCode.GetUpval, target, GetUpvalue(local.Local), 0);
                    }
                    break;
                }
            case GlobalExpr global:
                CompileGlobal(global, target);
                break;
            case VarargsExpr varargs:
                CompileVarargs(varargs, target, 1);
                break;
            case CallExpr call:
                // A call into the top scratch register can leave its result in place.
                if (targetTemp && target == _regTop - 1)
                    CompileCall(call, target, 1, targetTop: true);
                else
                    CompileCall(call, target, 1);
                break;
            case IndexNameExpr indexName:
                CompileIndexName(indexName, target, targetTemp);
                break;
            case IndexExpr index:
                CompileIndex(index, target);
                break;
            case FunctionExpr function:
                CompileFunctionExpr(function, target);
                break;
            case TableExpr table:
                CompileTable(table, target, targetTemp);
                break;
            case UnaryExpr { Op: UnaryOp.Minus, Expr: IntegerExpr literal }:
                {
                    // -123i is a constant even though integer negation is not folded.
                    int k = _bc.AddConstantInteger(unchecked(-literal.Value));
                    CheckConstant(k, node);
                    EmitLoadK(target, k);
                    break;
                }
            case UnaryExpr unary:
                {
                    int top = _regTop;
                    int operand = CompileExprAuto(unary.Expr);
                    var op = unary.Op switch
                    {
                        UnaryOp.Not => OpCode.Not,
                        UnaryOp.Minus => OpCode.Minus,
                        _ => OpCode.Length,
                    };
                    _bc.EmitAbc(op, target, operand, 0);
                    _regTop = top;
                    break;
                }
            case BinaryExpr binary:
                CompileBinary(binary, target, targetTemp);
                break;
            case TypeAssertionExpr assertion:
                CompileExpr(assertion.Expr, target, targetTemp);
                break;
            case IfElseExpr ifElse:
                CompileIfElse(ifElse, target, targetTemp);
                break;
            case InterpStringExpr interp:
                CompileInterpString(interp, target);
                break;
            case InstantiateExpr instantiate:
                CompileExpr(instantiate.Expr, target, targetTemp);
                break;
            default:
                throw new CompileException(node.Location, "Unexpected expression");
        }
    }

    private void CompileExprTemp(AstExpr node, int target) => CompileExpr(node, target, targetTemp: true);

    /// <summary>
    /// The register holding <paramref name="node"/>'s value: a local's own register, or a new temporary the caller
    /// releases by restoring the register top.
    /// </summary>
    private int CompileExprAuto(AstExpr node)
    {
        int reg = GetExprLocalReg(node);
        if (reg >= 0)
            return reg;
        reg = AllocReg(node, 1);
        CompileExprTemp(node, reg);
        return reg;
    }

    /// <summary>Compiles an expression only for its side effects.</summary>
    private void CompileExprSide(AstExpr node)
    {
        if (node is LocalExpr or GlobalExpr or VarargsExpr or FunctionExpr || IsConstant(node))
            return;
        int top = _regTop;
        CompileExprAuto(node);
        _regTop = top;
    }

    /// <summary>
    /// Compiles into <paramref name="target"/> with every register above it treated as scratch, so nested calls can
    /// place their results without moves.
    /// </summary>
    private void CompileExprTempTop(AstExpr node, int target)
    {
        int top = _regTop;
        _regTop = target + 1;
        CompileExprTemp(node, target);
        _regTop = top;
    }

    /// <summary>
    /// Compiles a call or <c>...</c> so that all its values land from <paramref name="target"/> up (returns true), or
    /// any other expression into the single register (returns false). Registers above the target are clobbered.
    /// </summary>
    private bool CompileExprTempMultRet(AstExpr node, int target)
    {
        if (node is CallExpr call)
        {
            if (_optimizationLevel >= 2 && !IsExprMultRet(node))
            {
                CompileExprTemp(node, target);
                return false;
            }

            int top = _regTop;
            _regTop = target;
            CompileCall(call, target, 0, targetTop: true, multRet: true);
            _regTop = top;
            return true;
        }

        if (node is VarargsExpr varargs)
        {
            int top = _regTop;
            _regTop = target;
            CompileVarargs(varargs, target, 0, multRet: true);
            _regTop = top;
            return true;
        }

        CompileExprTemp(node, target);
        return false;
    }

    /// <summary>
    /// Fills <paramref name="count"/> registers from <paramref name="target"/> with the values of one expression: a
    /// call or <c>...</c> provides them all, anything else provides the first and nil the rest.
    /// </summary>
    private void CompileExprTempN(AstExpr node, int target, int count, bool targetTop)
    {
        // CALL and GETVARARGS use 255 (count + 1 = 0 after wrapping) to mean "all values".
        if (count == 255)
            throw new CompileException(node.Location, "Exceeded result count limit; simplify the code to compile");

        if (node is CallExpr call)
        {
            CompileCall(call, target, count, targetTop);
        }
        else if (node is VarargsExpr varargs)
        {
            CompileVarargs(varargs, target, count);
        }
        else
        {
            CompileExprTemp(node, target);
            for (int i = 1; i < count; i++)
                _bc.EmitAbc(OpCode.LoadNil, target + i, 0, 0);
        }
    }

    /// <summary>Fills <paramref name="count"/> registers from an expression list, adjusting it as an assignment does.</summary>
    private void CompileExprListTemp(AstExpr[] list, int target, int count, bool targetTop)
    {
        if (list.Length == count)
        {
            for (int i = 0; i < list.Length; i++)
                CompileExprTemp(list[i], target + i);
        }
        else if (list.Length > count)
        {
            for (int i = 0; i < count; i++)
                CompileExprTemp(list[i], target + i);
            for (int i = count; i < list.Length; i++)
                CompileExprSide(list[i]);
        }
        else if (list.Length > 0)
        {
            for (int i = 0; i < list.Length - 1; i++)
                CompileExprTemp(list[i], target + i);
            CompileExprTempN(list[^1], target + list.Length - 1, count - (list.Length - 1), targetTop);
        }
        else
        {
            for (int i = 0; i < count; i++)
                _bc.EmitAbc(OpCode.LoadNil, target + i, 0, 0);
        }
    }

    private void CompileConstant(AstNode node, Constant c, int target)
    {
        switch (c.Type)
        {
            case ConstantType.Nil:
                _bc.EmitAbc(OpCode.LoadNil, target, 0, 0);
                break;
            case ConstantType.Boolean:
                _bc.EmitAbc(OpCode.LoadB, target, c.Boolean ? 1 : 0, 0);
                break;
            case ConstantType.Number:
                CompileNumberConstant(node, c.Number, target);
                break;
            case ConstantType.Integer:
                {
                    int k = _bc.AddConstantInteger(c.Integer);
                    CheckConstant(k, node);
                    EmitLoadK(target, k);
                    break;
                }
            case ConstantType.Vector:
                {
                    int k = _bc.AddConstantVector(c.X, c.Y, c.Z, c.W);
                    CheckConstant(k, node);
                    EmitLoadK(target, k);
                    break;
                }
            case ConstantType.String:
                EmitLoadK(target, AddString(c.String!, node));
                break;
        }
    }

    /// <summary>A number known at compile time: LOADN for small integers (but not -0), else a constant.</summary>
    private void CompileNumberConstant(AstNode node, double d, int target)
    {
        if (d >= short.MinValue && d <= short.MaxValue && (short)d == d && !(d == 0 && double.IsNegative(d)))
            _bc.EmitAd(OpCode.LoadN, target, (short)d);
        else
            CompileNumberLiteral(node, d, target);
    }

    /// <summary>A number literal compiled without folding (O0): always a constant.</summary>
    private void CompileNumberLiteral(AstNode node, double d, int target)
    {
        int k = _bc.AddConstantNumber(d);
        CheckConstant(k, node);
        EmitLoadK(target, k);
    }

    private void CompileVarargs(VarargsExpr node, int target, int count, bool multRet = false)
    {
        SetDebugLine(node);
        _bc.EmitAbc(OpCode.GetVarargs, target, multRet ? 0 : count + 1, 0);
    }

    private bool CanImport(GlobalExpr node) => _optimizationLevel >= 1 && _state.GetGlobalState(node.Name) != GlobalState.Written;

    private bool CanImportChain(GlobalExpr node) => _optimizationLevel >= 1 && _state.GetGlobalState(node.Name) == GlobalState.Default;

    private void CompileGlobal(GlobalExpr node, int target)
    {
        var name = NameBytes(node.Name);

        // Globals nobody assigns are resolved once at load time and read with GETIMPORT.
        if (CanImport(node))
        {
            int id0 = AddString(name, node);
            if (id0 < 1024)
            {
                uint import = Instruction.EncodeImport(1, id0);
                int k = _bc.AddImport(import);
                if (k >= 0 && k < 32768)
                {
                    _bc.EmitAd(OpCode.GetImport, target, k);
                    _bc.EmitAux(import);
                    return;
                }
            }
        }

        int key = AddString(name, node);
        _bc.EmitAbc(OpCode.GetGlobal, target, 0, StringHash(name));
        _bc.EmitAux((uint)key);
    }

    private void CompileIndexName(IndexNameExpr node, int target, bool targetTemp)
    {
        SetDebugLine(node);

        // a.b and a.b.c starting from an untouched global are resolved at load time (GETIMPORT).
        GlobalExpr? root;
        IndexNameExpr first;
        IndexNameExpr? second = null;
        if (node.Expr is IndexNameExpr inner)
        {
            root = inner.Expr as GlobalExpr;
            first = inner;
            second = node;
        }
        else
        {
            root = node.Expr as GlobalExpr;
            first = node;
        }

        if (root is not null && CanImportChain(root))
        {
            int id0 = AddString(NameBytes(root.Name), node);
            int id1 = AddString(NameBytes(first.Index), node);
            int id2 = second is not null ? AddString(NameBytes(second.Index), node) : -1;
            if (id0 < 1024 && id1 < 1024 && id2 < 1024)
            {
                uint import = second is not null ? Instruction.EncodeImport(3, id0, id1, id2) : Instruction.EncodeImport(2, id0, id1);
                int k = _bc.AddImport(import);
                if (k >= 0 && k < 32768)
                {
                    _bc.EmitAd(OpCode.GetImport, target, k);
                    _bc.EmitAux(import);
                    return;
                }
            }
        }

        int top = _regTop;
        int reg = target;
        int localReg = GetExprLocalReg(node.Expr);
        if (localReg >= 0)
            reg = localReg;
        else if (targetTemp)
            CompileExprTemp(node.Expr, target);
        else
            reg = CompileExprAuto(node.Expr);

        SetDebugLine(node.IndexLocation);
        var name = NameBytes(node.Index);
        int key = AddString(name, node);
        _bc.EmitAbc(OpCode.GetTableKs, target, reg, StringHash(name));
        _bc.EmitAux((uint)key);
        _regTop = top;
    }

    /// <summary>Whether a constant is a table index that GETTABLEN/SETTABLEN can encode (an integer from 1 to 256).</summary>
    private static bool IsSmallIndex(Constant c) =>
        c.Type == ConstantType.Number && c.Number >= 1 && c.Number <= 256 && (int)c.Number == c.Number;

    private void CompileIndex(IndexExpr node, int target)
    {
        int top = _regTop;
        var key = GetConstant(node.Index);
        if (IsSmallIndex(key))
        {
            int table = CompileExprAuto(node.Expr);
            SetDebugLine(node.Index);
            _bc.EmitAbc(OpCode.GetTableN, target, table, (int)key.Number - 1);
        }
        else if (key.Type == ConstantType.String)
        {
            int k = AddString(key.String!, node);
            int table = CompileExprAuto(node.Expr);
            SetDebugLine(node.Index);
            _bc.EmitAbc(OpCode.GetTableKs, target, table, StringHash(key.String!));
            _bc.EmitAux((uint)k);
        }
        else
        {
            int table = CompileExprAuto(node.Expr);
            int index = CompileExprAuto(node.Index);
            _bc.EmitAbc(OpCode.GetTable, target, table, index);
        }
        _regTop = top;
    }

    private static OpCode ArithOp(BinaryOp op, bool constant) => op switch
    {
        BinaryOp.Add => constant ? OpCode.AddK : OpCode.Add,
        BinaryOp.Sub => constant ? OpCode.SubK : OpCode.Sub,
        BinaryOp.Mul => constant ? OpCode.MulK : OpCode.Mul,
        BinaryOp.Div => constant ? OpCode.DivK : OpCode.Div,
        BinaryOp.FloorDiv => constant ? OpCode.IDivK : OpCode.IDiv,
        BinaryOp.Mod => constant ? OpCode.ModK : OpCode.Mod,
        _ => constant ? OpCode.PowK : OpCode.Pow,
    };

    private static bool IsArith(BinaryOp op) => op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div
        or BinaryOp.FloorDiv or BinaryOp.Mod or BinaryOp.Pow;

    private static bool IsCompare(BinaryOp op) => op is BinaryOp.CompareEq or BinaryOp.CompareNe or BinaryOp.CompareLt
        or BinaryOp.CompareLe or BinaryOp.CompareGt or BinaryOp.CompareGe;

    private void CompileBinary(BinaryExpr node, int target, bool targetTemp)
    {
        int top = _regTop;
        if (IsArith(node.Op))
        {
            int rc = GetConstantNumber(node.Right);
            if (rc >= 0 && rc <= 255)
            {
                int left = CompileExprAuto(node.Left);
                _bc.EmitAbc(ArithOp(node.Op, constant: true), target, left, rc);
            }
            else
            {
                if (node.Op is BinaryOp.Sub or BinaryOp.Div)
                {
                    int lc = GetConstantNumber(node.Left);
                    if (lc >= 0 && lc <= 255)
                    {
                        int right = CompileExprAuto(node.Right);
                        _bc.EmitAbc(node.Op == BinaryOp.Sub ? OpCode.SubRk : OpCode.DivRk, target, lc, right);
                        _regTop = top;
                        return;
                    }
                }
                else if (_optimizationLevel >= 2 && node.Op is BinaryOp.Add or BinaryOp.Mul && _state.ExprKinds is { } kinds
                    && kinds.TryGetValue(node, out var kind) && (kind == ValueKind.Number || (kind == ValueKind.Vector && node.Op == BinaryOp.Mul)))
                {
                    // k + x is x + k when x is a number (no metamethod can notice the swap); number * vector commutes too.
                    int lc = GetConstantNumber(node.Left);
                    if (lc >= 0 && lc <= 255)
                    {
                        int right = CompileExprAuto(node.Right);
                        _bc.EmitAbc(ArithOp(node.Op, constant: true), target, right, lc);
                        _regTop = top;
                        return;
                    }
                }

                int rl = CompileExprAuto(node.Left);
                int rr = CompileExprAuto(node.Right);
                _bc.EmitAbc(ArithOp(node.Op, constant: false), target, rl, rr);
            }
        }
        else if (node.Op == BinaryOp.Concat)
        {
            // a .. b .. c is right-nested; gather the operands into consecutive registers for one CONCAT.
            var operands = new List<AstExpr> { node.Left, node.Right };
            UnrollConcats(operands);
            int regs = AllocReg(node, operands.Count);
            for (int i = 0; i < operands.Count; i++)
                CompileExprTemp(operands[i], regs + i);
            _bc.EmitAbc(OpCode.Concat, target, regs, regs + operands.Count - 1);
        }
        else if (IsCompare(node.Op))
        {
            int jump = CompileCompareJump(node);
            // LOADB false skips the LOADB true that the comparison jumps to.
            _bc.EmitAbc(OpCode.LoadB, target, 0, 1);
            int thenLabel = _bc.EmitLabel();
            _bc.EmitAbc(OpCode.LoadB, target, 1, 0);
            PatchJump(node, jump, thenLabel);
        }
        else
        {
            CompileAndOr(node, target, targetTemp);
        }
        _regTop = top;
    }

    private static void UnrollConcats(List<AstExpr> operands)
    {
        while (operands[^1] is BinaryExpr { Op: BinaryOp.Concat } concat)
        {
            operands[^1] = concat.Left;
            operands.Add(concat.Right);
        }
    }

    private static OpCode CompareJumpOp(BinaryOp op, bool negate) => op switch
    {
        BinaryOp.CompareNe => negate ? OpCode.JumpIfEq : OpCode.JumpIfNotEq,
        BinaryOp.CompareEq => negate ? OpCode.JumpIfNotEq : OpCode.JumpIfEq,
        BinaryOp.CompareLt or BinaryOp.CompareGt => negate ? OpCode.JumpIfNotLt : OpCode.JumpIfLt,
        _ => negate ? OpCode.JumpIfNotLe : OpCode.JumpIfLe,
    };

    /// <summary>
    /// Emits a conditional jump taken when the comparison holds (or fails, with <paramref name="negate"/>); returns
    /// its label for patching. <c>&gt;</c> and <c>&gt;=</c> swap operands; <c>==</c>/<c>~=</c> against a constant use
    /// the JUMPXEQK forms.
    /// </summary>
    private int CompileCompareJump(BinaryExpr node, bool negate = false)
    {
        int top = _regTop;
        bool isEq = node.Op is BinaryOp.CompareEq or BinaryOp.CompareNe;
        var left = node.Left;
        var right = node.Right;

        bool constantOperand = IsConstant(right);
        if (isEq && !constantOperand && IsConstant(left))
        {
            constantOperand = true;
            (left, right) = (right, left);
        }

        // Vector and integer constants have no JUMPXEQK form.
        if (constantOperand && GetConstant(right).Type is ConstantType.Vector or ConstantType.Integer)
            constantOperand = false;

        int rl = CompileExprAuto(left);
        int label;
        if (isEq && constantOperand)
        {
            var c = GetConstant(right);
            uint flip = (node.Op == BinaryOp.CompareEq) == negate ? 0x80000000u : 0;
            OpCode op;
            int k;
            switch (c.Type)
            {
                case ConstantType.Nil:
                    op = OpCode.JumpXEqKNil;
                    k = 0;
                    break;
                case ConstantType.Boolean:
                    op = OpCode.JumpXEqKB;
                    k = c.Boolean ? 1 : 0;
                    break;
                case ConstantType.Number:
                    op = OpCode.JumpXEqKN;
                    k = GetConstantIndex(right);
                    break;
                default:
                    op = OpCode.JumpXEqKS;
                    k = GetConstantIndex(right);
                    break;
            }
            CheckConstant(k, node);
            label = _bc.EmitLabel();
            _bc.EmitAd(op, rl, 0);
            _bc.EmitAux((uint)k | flip);
        }
        else
        {
            var op = CompareJumpOp(node.Op, negate);
            int rr = CompileExprAuto(right);
            label = _bc.EmitLabel();
            if (node.Op is BinaryOp.CompareGt or BinaryOp.CompareGe)
            {
                _bc.EmitAd(op, rr, 0);
                _bc.EmitAux((uint)rl);
            }
            else
            {
                _bc.EmitAd(op, rl, 0);
                _bc.EmitAux((uint)rr);
            }
        }
        _regTop = top;
        return label;
    }

    /// <summary>
    /// Compiles a condition as control flow. Jumps (added to <paramref name="skipJumps"/>) are taken when the value is
    /// truthy (or falsy, when <paramref name="onlyTruth"/> is false); otherwise execution falls through. With a
    /// target, the value is also left there whenever the jump is taken.
    /// </summary>
    private void CompileConditionValue(AstExpr node, int? target, List<int> skipJumps, bool onlyTruth)
    {
        StackGuard.Check(node);

        var c = GetConstant(node);
        if (c.IsKnown)
        {
            // A constant decides at compile time: jump always, or never.
            if (c.IsTruthy == onlyTruth)
            {
                if (target is int t)
                    CompileExprTemp(node, t);
                skipJumps.Add(_bc.EmitLabel());
                _bc.EmitAd(OpCode.Jump, 0, 0);
            }
            return;
        }

        switch (node)
        {
            case BinaryExpr { Op: BinaryOp.And or BinaryOp.Or } logic:
                if (onlyTruth == (logic.Op == BinaryOp.And))
                {
                    // "a and b" jumping on truth (or "a or b" on falsehood): the result is b's when a lets it through.
                    var elseJumps = new List<int>();
                    CompileConditionValue(logic.Left, null, elseJumps, !onlyTruth);
                    CompileConditionValue(logic.Right, target, skipJumps, onlyTruth);
                    PatchJumps(logic, elseJumps, _bc.EmitLabel());
                }
                else
                {
                    // Either side can decide.
                    CompileConditionValue(logic.Left, target, skipJumps, onlyTruth);
                    CompileConditionValue(logic.Right, target, skipJumps, onlyTruth);
                }
                return;

            case BinaryExpr compare when IsCompare(compare.Op):
                if (target is int t2)
                    _bc.EmitAbc(OpCode.LoadB, t2, onlyTruth ? 1 : 0, 0);
                skipJumps.Add(CompileCompareJump(compare, !onlyTruth));
                return;

            case UnaryExpr { Op: UnaryOp.Not } not when target is null:
                CompileConditionValue(not.Expr, null, skipJumps, !onlyTruth);
                return;

            case GroupExpr group:
                CompileConditionValue(group.Expr, target, skipJumps, onlyTruth);
                return;
        }

        int top = _regTop;
        int reg;
        if (target is int t3)
        {
            reg = t3;
            CompileExprTemp(node, reg);
        }
        else
        {
            reg = CompileExprAuto(node);
        }
        skipJumps.Add(_bc.EmitLabel());
        _bc.EmitAd(onlyTruth ? OpCode.JumpIf : OpCode.JumpIfNot, reg, 0);
        _regTop = top;
    }

    /// <summary>Whether compiling <paramref name="node"/> as a condition beats computing its value.</summary>
    private bool IsConditionFast(AstExpr node)
    {
        while (true)
        {
            if (IsConstant(node))
                return true;
            switch (node)
            {
                case BinaryExpr binary:
                    return binary.Op is BinaryOp.And or BinaryOp.Or || IsCompare(binary.Op);
                case GroupExpr group:
                    node = group.Expr;
                    continue;
                default:
                    return false;
            }
        }
    }

    private void CompileAndOr(BinaryExpr node, int target, bool targetTemp)
    {
        bool isAnd = node.Op == BinaryOp.And;
        int top = _regTop;

        var left = GetConstant(node.Left);
        if (left.IsKnown)
        {
            // A constant left side decides which side is the value.
            CompileExpr(isAnd == left.IsTruthy ? node.Right : node.Left, target, targetTemp);
            return;
        }

        if (!IsConditionFast(node.Left))
        {
            // A local or constant right side fits AND/OR (ANDK/ORK) directly.
            int rr = GetExprLocalReg(node.Right);
            if (rr >= 0)
            {
                int lr = CompileExprAuto(node.Left);
                _bc.EmitAbc(isAnd ? OpCode.And : OpCode.Or, target, lr, rr);
                _regTop = top;
                return;
            }

            int k = GetConstantIndex(node.Right);
            if (k >= 0 && k <= 255)
            {
                int lr = CompileExprAuto(node.Left);
                _bc.EmitAbc(isAnd ? OpCode.AndK : OpCode.OrK, target, lr, k);
                _regTop = top;
                return;
            }
        }

        // The value is built in a scratch register: writing a named target early could change what the rest reads.
        int reg = targetTemp ? target : AllocReg(node, 1);
        var skipJumps = new List<int>();
        CompileConditionValue(node.Left, reg, skipJumps, !isAnd);
        CompileExprTemp(node.Right, reg);
        PatchJumps(node, skipJumps, _bc.EmitLabel());
        if (target != reg)
            _bc.EmitAbc(OpCode.Move, target, reg, 0);
        _regTop = top;
    }

    private void CompileIfElse(IfElseExpr node, int target, bool targetTemp)
    {
        if (IsConstant(node.Condition))
        {
            CompileExpr(IsConstantTrue(node.Condition) ? node.TrueExpr : node.FalseExpr, target, targetTemp);
            return;
        }

        // "if v then v else e" is "v or e", and "if v then e else v" is "v and e", when e is cheap and pure.
        int creg = GetExprLocalReg(node.Condition);
        if (creg >= 0)
        {
            if (creg == GetExprLocalReg(node.TrueExpr) && (GetExprLocalReg(node.FalseExpr) >= 0 || IsConstant(node.FalseExpr)))
            {
                CompileIfElseAndOr(isAnd: false, creg, node.FalseExpr, target);
                return;
            }
            if (creg == GetExprLocalReg(node.FalseExpr) && (GetExprLocalReg(node.TrueExpr) >= 0 || IsConstant(node.TrueExpr)))
            {
                CompileIfElseAndOr(isAnd: true, creg, node.TrueExpr, target);
                return;
            }
        }

        var elseJumps = new List<int>();
        CompileConditionValue(node.Condition, null, elseJumps, onlyTruth: false);
        CompileExpr(node.TrueExpr, target, targetTemp);
        int thenLabel = _bc.EmitLabel();
        _bc.EmitAd(OpCode.Jump, 0, 0);
        int elseLabel = _bc.EmitLabel();
        CompileExpr(node.FalseExpr, target, targetTemp);
        int endLabel = _bc.EmitLabel();
        PatchJumps(node, elseJumps, elseLabel);
        PatchJump(node, thenLabel, endLabel);
    }

    private void CompileIfElseAndOr(bool isAnd, int creg, AstExpr other, int target)
    {
        int k = GetConstantIndex(other);
        if (k >= 0 && k <= 255)
        {
            _bc.EmitAbc(isAnd ? OpCode.AndK : OpCode.OrK, target, creg, k);
            return;
        }
        int top = _regTop;
        int oreg = CompileExprAuto(other);
        _bc.EmitAbc(isAnd ? OpCode.And : OpCode.Or, target, creg, oreg);
        _regTop = top;
    }

    /// <summary>
    /// <c>`a{x}b`</c> becomes <c>("a%*b"):format(x)</c>: holes become <c>%*</c>, literal <c>%</c> is doubled, and
    /// constant string holes are written into the format.
    /// </summary>
    private void CompileInterpString(InterpStringExpr node, int target)
    {
        var format = new List<byte>();
        int skipped = 0;
        for (int i = 0; i < node.Strings.Length; i++)
        {
            AppendEscaped(format, node.Strings[i]);
            if (i < node.Expressions.Length)
            {
                var c = GetConstant(node.Expressions[i]);
                if (c.Type == ConstantType.String)
                {
                    AppendEscaped(format, c.String!);
                    skipped++;
                }
                else
                {
                    format.Add((byte)'%');
                    format.Add((byte)'*');
                }
            }
        }

        int formatIndex = AddString([.. format], node);

        int top = _regTop;
        int baseReg = AllocReg(node, 2 + node.Expressions.Length - skipped);
        EmitLoadK(baseReg, formatIndex);

        int slot = 0;
        foreach (var e in node.Expressions)
        {
            if (GetConstant(e).Type != ConstantType.String)
            {
                CompileExprTempTop(e, baseReg + 2 + slot);
                slot++;
            }
        }

        var method = NameBytes("format");
        int methodIndex = AddString(method, node);
        _bc.EmitAbc(OpCode.NameCall, baseReg, baseReg, StringHash(method));
        _bc.EmitAux((uint)methodIndex);
        _bc.EmitAbc(OpCode.Call, baseReg, node.Expressions.Length + 2 - skipped, 2);
        if (target != baseReg)
            _bc.EmitAbc(OpCode.Move, target, baseReg, 0);
        _regTop = top;

        static void AppendEscaped(List<byte> output, byte[] text)
        {
            foreach (byte b in text)
            {
                output.Add(b);
                if (b == (byte)'%')
                    output.Add(b);
            }
        }
    }

    /// <summary>The B operand of NEWTABLE: 0 for no hash part, otherwise log2 of the hash size rounded up, plus one.</summary>
    private static int EncodeHashSize(int hashSize)
    {
        if (hashSize == 0)
            return 0;
        int log = 0;
        while ((1 << log) < hashSize)
            log++;
        return log + 1;
    }

    private void CompileTable(TableExpr node, int target, bool targetTemp)
    {
        var items = node.Items;
        if (items.Length == 0)
        {
            var shape = _state.TableShapes.GetValueOrDefault(node);
            _bc.EmitAbc(OpCode.NewTable, target, EncodeHashSize(shape.HashSize), 0);
            _bc.EmitAux((uint)shape.ArraySize);
            return;
        }

        int arraySize = 0, hashSize = 0, recordSize = 0, indexSize = 0;
        foreach (var item in items)
        {
            if (item.Kind == TableItemKind.List)
                arraySize += item.Value is NumberListExpr run ? run.Values.Length : 1;
            else
                hashSize++;
            if (item.Kind == TableItemKind.Record)
                recordSize++;
        }

        // [1] = a, [2] = b, ... with no other [] keys go to the array part.
        if (arraySize == 0 && hashSize > 0)
        {
            foreach (var item in items)
            {
                var key = GetConstant(item.Key!);
                if (key.Type == ConstantType.Number && key.Number == indexSize + 1)
                    indexSize++;
            }
            if (hashSize == recordSize + indexSize)
                hashSize = recordSize;
            else
                indexSize = 0;
        }

        int encodedHashSize = EncodeHashSize(hashSize);
        int top = _regTop;
        int reg = targetTemp ? target : AllocReg(node, 1);

        // For a table of record fields only, a template holds the keys, and the constant values too. When a key
        // repeats, the last value wins; a key whose value is computed stays computed.
        List<int>? templateKeys = null;
        Dictionary<int, int>? templateValues = null;
        if (arraySize == 0 && indexSize == 0 && hashSize == recordSize && recordSize >= 1 && recordSize <= BytecodeBuilder.MaxTableShapeKeys)
        {
            templateKeys = [];
            templateValues = [];
            foreach (var item in items)
            {
                var keyExpr = (StringExpr)item.Key!;
                int keyIndex = AddString(keyExpr.Value, keyExpr);
                int valueIndex = GetConstantIndex(item.Value);
                if (templateValues.TryGetValue(keyIndex, out int existing))
                {
                    if (existing != -1)
                        templateValues[keyIndex] = valueIndex;
                }
                else
                {
                    templateKeys.Add(keyIndex);
                    templateValues[keyIndex] = valueIndex;
                }
            }

            var shape = new TableShape();
            foreach (int key in templateKeys)
                shape.Add(key, templateValues[key]);
            int tableIndex = _bc.AddConstantTable(shape);
            CheckConstant(tableIndex, node);

            if (tableIndex < 32768)
            {
                _bc.EmitAd(OpCode.DupTable, reg, tableIndex);
            }
            else
            {
                templateValues.Clear();
                _bc.EmitAbc(OpCode.NewTable, reg, encodedHashSize, 0);
                _bc.EmitAux(0);
            }
        }
        else
        {
            // A trailing ... sizes the array itself through SETLIST.
            bool trailingVarargs = items[^1] is { Kind: TableItemKind.List, Value: VarargsExpr };
            int arrayAllocation = arraySize - (trailingVarargs ? 1 : 0) + indexSize;
            _bc.EmitAbc(OpCode.NewTable, reg, encodedHashSize, 0);
            _bc.EmitAux((uint)arrayAllocation);
        }

        // Array items are stored in batches of up to 16 registers with SETLIST.
        int chunkSize = Math.Min(16, arraySize);
        int chunkReg = AllocReg(node, chunkSize);
        int chunkCount = 0;
        int arrayIndex = 1;
        bool multRet = false;

        for (int i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (templateValues is { Count: > 0 } && item.Key is StringExpr keyString)
            {
                int keyIndex = AddString(keyString.Value, keyString);
                if (templateValues.TryGetValue(keyIndex, out int valueIndex) && valueIndex >= 0)
                    continue;
            }

            if (item.Value is NumberListExpr numbers)
            {
                CompileNumberRun(numbers, reg, chunkReg, chunkSize, ref chunkCount, ref arrayIndex);
                continue;
            }

            SetDebugLine(item.Value);
            if (_coverageLevel >= 2)
                _bc.EmitAbc(OpCode.Coverage, 0, 0, 0);

            // Flush the batch when it is full, and before a keyed item so assignments happen in source order.
            if (chunkCount > 0 && (item.Key is not null || chunkCount == chunkSize))
            {
                _bc.EmitAbc(OpCode.SetList, reg, chunkReg, chunkCount + 1);
                _bc.EmitAux((uint)arrayIndex);
                arrayIndex += chunkCount;
                chunkCount = 0;
            }

            if (item.Key is not null)
            {
                int itemTop = _regTop;
                var lv = CompileLValueIndex(reg, item.Key);
                int value = CompileExprAuto(item.Value);
                CompileAssign(lv, value);
                _regTop = itemTop;
            }
            else
            {
                int temp = chunkReg + chunkCount;
                if (i + 1 == items.Length)
                    multRet = CompileExprTempMultRet(item.Value, temp);
                else
                    CompileExprTempTop(item.Value, temp);
                chunkCount++;
            }
        }

        if (chunkCount > 0)
        {
            _bc.EmitAbc(OpCode.SetList, reg, chunkReg, multRet ? 0 : chunkCount + 1);
            _bc.EmitAux((uint)arrayIndex);
        }

        if (target != reg)
            _bc.EmitAbc(OpCode.Move, target, reg, 0);
        _regTop = top;
    }

    /// <summary>
    /// The list items of a packed run of number literals, emitted exactly as the loop in <see cref="CompileTable"/>
    /// and <see cref="CompileExpr"/> would emit each literal on its own (line, coverage, batch flush, then the value).
    /// </summary>
    private void CompileNumberRun(NumberListExpr run, int reg, int chunkReg, int chunkSize, ref int chunkCount, ref int arrayIndex)
    {
        var values = run.Values;
        var lines = run.Lines;
        bool folded = _state.Constants.LiteralsKnown;
        int nextLineChange = 0;
        for (int j = 0; j < values.Length; j++)
        {
            if (nextLineChange < lines.Length && lines[nextLineChange] == j)
            {
                if (_debugLevel >= 1)
                    _bc.SetDebugLine(lines[nextLineChange + 1] + 1);
                nextLineChange += 2;
            }
            if (_coverageLevel >= 2)
                _bc.EmitAbc(OpCode.Coverage, 0, 0, 0);

            if (chunkCount == chunkSize)
            {
                _bc.EmitAbc(OpCode.SetList, reg, chunkReg, chunkCount + 1);
                _bc.EmitAux((uint)arrayIndex);
                arrayIndex += chunkCount;
                chunkCount = 0;
            }

            // CompileExpr's part: its poll and stack check, its coverage, then the literal.
            StackGuard.Check(run);
            if (_coverageLevel >= 2)
                _bc.EmitAbc(OpCode.Coverage, 0, 0, 0);
            int temp = chunkReg + chunkCount;
            if (folded)
                CompileNumberConstant(run, values[j], temp);
            else
                CompileNumberLiteral(run, values[j], temp);
            chunkCount++;
        }
    }
}
