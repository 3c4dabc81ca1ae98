using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

internal sealed partial class CodeGenerator
{
    /// <summary>Whether a call or <c>...</c> may produce other than exactly one value.</summary>
    private bool IsExprMultRet(AstExpr node)
    {
        if (node is not CallExpr call)
            return node is VarargsExpr;

        if (_optimizationLevel <= 1)
            return true;

        if (IsConstant(call))
            return false;

        if (_state.Builtins.TryGetValue(call, out var builtin) && builtin != BuiltinFunction.None)
            return Builtins.GetInfo(builtin).Results != 1;

        var func = GetFunctionExpr(call.Function);
        return !(func is not null && _functions.TryGetValue(func, out var info) && info.ReturnsOne);
    }

    /// <summary>
    /// Compiles a call leaving <paramref name="targetCount"/> results from <paramref name="target"/> (all results when
    /// <paramref name="multRet"/>). With <paramref name="targetTop"/>, the target range is at the top of the register
    /// stack, so the call frame starts right there and no moves are needed.
    /// </summary>
    private void CompileCall(CallExpr node, int target, int targetCount, bool targetTop = false, bool multRet = false)
    {
        StackGuard.Check(node);
        SetDebugLine(node);

        if (_optimizationLevel >= 2 && !node.IsMethodCall && TryCompileInlinedCall(node, target, targetCount, multRet))
            return;

        int top = _regTop;
        CompileCallFrame(node, target, targetCount, targetTop, multRet);
        _regTop = top;
    }

    private void CompileCallFrame(CallExpr node, int target, int targetCount, bool targetTop, bool multRet)
    {
        var args = node.Arguments;
        int self = node.IsMethodCall ? 1 : 0;
        int regCount = Math.Max(1 + self + args.Length, targetCount);
        int regs = targetTop ? AllocReg(node, regCount - targetCount) - targetCount : AllocReg(node, regCount);

        var builtin = BuiltinFunction.None;
        if (_optimizationLevel >= 1 && !node.IsMethodCall && _state.Builtins.TryGetValue(node, out var id))
            builtin = id;

        if (builtin == BuiltinFunction.SelectVararg)
        {
            // select(n, ...) reads the varargs directly, but only for a single result.
            if (!multRet && targetCount == 1)
            {
                CompileSelectVararg(node, target, targetCount, targetTop, multRet, regs);
                return;
            }
            builtin = BuiltinFunction.None;
        }

        // bit32.extract with constant in-range field and width packs both into one constant for a dedicated builtin.
        if (builtin == BuiltinFunction.Bit32Extract && args.Length == 3 && IsConstant(args[1]) && IsConstant(args[2]))
        {
            var fc = GetConstant(args[1]);
            var wc = GetConstant(args[2]);
            int f = fc.Type == ConstantType.Number ? BuiltinFolding.CInt(fc.Number) : -1;
            int w = wc.Type == ConstantType.Number ? BuiltinFolding.CInt(wc.Number) : -1;
            if (f >= 0 && w > 0 && f + w <= 32)
            {
                int packed = f | ((w - 1) << 5);
                int k = _bc.AddConstantNumber(packed);
                CheckConstant(k, node);
                CompileFastCallN(node, target, targetCount, targetTop, multRet, regs, BuiltinFunction.Bit32ExtractK, k);
                return;
            }
        }

        // FASTCALL3 only pays when an argument already sits in a local's register.
        int maxFastCallArgs = 2;
        if (builtin != BuiltinFunction.None && args.Length == 3)
        {
            foreach (var arg in args)
            {
                if (GetExprLocalReg(arg) >= 0)
                {
                    maxFastCallArgs = 3;
                    break;
                }
            }
        }

        if (builtin != BuiltinFunction.None && args.Length >= 1 && args.Length <= maxFastCallArgs)
        {
            if (!IsExprMultRet(args[^1]))
            {
                CompileFastCallN(node, target, targetCount, targetTop, multRet, regs, builtin);
                return;
            }
            if (_optimizationLevel >= 2)
            {
                // Builtins that treat nil and none alike do not care that the last argument may produce no value.
                var info = Builtins.GetInfo(builtin);
                if (args.Length == info.Params && info.NoneSafe)
                {
                    CompileFastCallN(node, target, targetCount, targetTop, multRet, regs, builtin);
                    return;
                }
            }
        }

        int selfReg = 0;
        if (node.IsMethodCall)
        {
            var method = (IndexNameExpr)node.Function;
            selfReg = GetExprLocalReg(method.Expr);
            if (selfReg < 0)
            {
                // Computing the object into the frame's first register keeps chains like a:b():c() in bounded stack.
                selfReg = regs;
                CompileExprTempTop(method.Expr, selfReg);
            }
        }
        else if (builtin == BuiltinFunction.None)
        {
            CompileExprTempTop(node.Function, regs);
        }

        bool multCall = false;
        for (int i = 0; i < args.Length; i++)
        {
            int reg = regs + 1 + self + i;
            if (i + 1 == args.Length)
                multCall = CompileExprTempMultRet(args[i], reg);
            else
                CompileExprTempTop(args[i], reg);
        }

        SetDebugLineEnd(node.Function);

        if (node.IsMethodCall)
        {
            var method = (IndexNameExpr)node.Function;
            SetDebugLine(method.IndexLocation);
            var name = NameBytes(method.Index);
            int k = AddString(name, method);
            _bc.EmitAbc(OpCode.NameCall, regs, selfReg, StringHash(name));
            _bc.EmitAux((uint)k);
        }
        else if (builtin != BuiltinFunction.None)
        {
            // The builtin runs on the arguments in place; the instructions up to CALL load the function only when it fails.
            int fastCall = _bc.EmitLabel();
            _bc.EmitAbc(OpCode.FastCall, (int)builtin, 0, 0);
            CompileExprTemp(node.Function, regs);
            if (!_bc.PatchSkipC(fastCall, _bc.EmitLabel()))
                throw new CompileException(node.Function.Location, "Exceeded jump distance limit; simplify the code to compile");
        }

        _bc.EmitAbc(OpCode.Call, regs, multCall ? 0 : self + args.Length + 1, multRet ? 0 : targetCount + 1);

        if (!targetTop)
        {
            for (int i = 0; i < targetCount; i++)
                _bc.EmitAbc(OpCode.Move, target + i, regs + i, 0);
        }
    }

    private void CompileSelectVararg(CallExpr node, int target, int targetCount, bool targetTop, bool multRet, int regs)
    {
        var arg = node.Arguments[0];
        int argReg = GetExprLocalReg(arg);
        if (argReg < 0)
        {
            argReg = regs + 1;
            CompileExprTempTop(arg, argReg);
        }

        int fastCall = _bc.EmitLabel();
        _bc.EmitAbc(OpCode.FastCall1, (int)BuiltinFunction.SelectVararg, argReg, 0);

        // The fallback must not clobber the argument computed above, hence no TempTop here.
        CompileExprTemp(node.Function, regs);
        if (argReg != regs + 1)
            _bc.EmitAbc(OpCode.Move, regs + 1, argReg, 0);
        _bc.EmitAbc(OpCode.GetVarargs, regs + 2, 0, 0);

        if (!_bc.PatchSkipC(fastCall, _bc.EmitLabel()))
            throw new CompileException(node.Function.Location, "Exceeded jump distance limit; simplify the code to compile");

        _bc.EmitAbc(OpCode.Call, regs, 0, multRet ? 0 : targetCount + 1);

        if (!targetTop)
        {
            for (int i = 0; i < targetCount; i++)
                _bc.EmitAbc(OpCode.Move, target + i, regs + i, 0);
        }
    }

    /// <summary>FASTCALL1/2/2K/3: the builtin reads its one to three arguments straight from registers or a constant.</summary>
    private void CompileFastCallN(CallExpr node, int target, int targetCount, bool targetTop, bool multRet, int regs,
        BuiltinFunction builtin, int packedConstant = -1)
    {
        var args = node.Arguments;
        OpCode op;
        if (args.Length == 1)
            op = OpCode.FastCall1;
        else if (packedConstant >= 0 || (args.Length == 2 && IsConstant(args[1])))
            op = OpCode.FastCall2K;
        else if (args.Length == 2)
            op = OpCode.FastCall2;
        else
            op = OpCode.FastCall3;

        Span<int> operands = stackalloc int[3];
        for (int i = 0; i < args.Length; i++)
        {
            if (i > 0 && op == OpCode.FastCall2K)
            {
                int k = GetConstantIndex(args[i]);
                CheckConstant(k, node);
                operands[i] = k;
            }
            else
            {
                int reg = GetExprLocalReg(args[i]);
                if (reg >= 0)
                {
                    operands[i] = reg;
                }
                else
                {
                    operands[i] = regs + 1 + i;
                    CompileExprTempTop(args[i], operands[i]);
                }
            }
        }

        int fastCall = _bc.EmitLabel();
        _bc.EmitAbc(op, (int)builtin, operands[0], 0);
        if (op == OpCode.FastCall3)
            _bc.EmitAux((uint)(operands[1] | (operands[2] << 8)));
        else if (op != OpCode.FastCall1)
            _bc.EmitAux((uint)(packedConstant >= 0 ? packedConstant : operands[1]));

        // The fallback sets up an ordinary call frame; it only runs when the builtin declines.
        for (int i = 0; i < args.Length; i++)
        {
            if (i > 0 && op == OpCode.FastCall2K)
                EmitLoadK(regs + 1 + i, operands[i]);
            else if (operands[i] != regs + 1 + i)
                _bc.EmitAbc(OpCode.Move, regs + 1 + i, operands[i], 0);
        }
        CompileExprTemp(node.Function, regs);

        if (!_bc.PatchSkipC(fastCall, _bc.EmitLabel()))
            throw new CompileException(node.Function.Location, "Exceeded jump distance limit; simplify the code to compile");

        _bc.EmitAbc(OpCode.Call, regs, args.Length + 1, multRet ? 0 : targetCount + 1);

        if (!targetTop)
        {
            for (int i = 0; i < targetCount; i++)
                _bc.EmitAbc(OpCode.Move, target + i, regs + i, 0);
        }
    }

    /// <summary>
    /// Whether a closure can be created once and shared (DUPCLOSURE): all its upvalues are never-assigned locals of
    /// the top level, or of functions that are themselves shareable. Sharing with changing upvalues would still be
    /// correct (DUPCLOSURE compares them), but would keep temporaries alive and re-create closures.
    /// </summary>
    private bool ShouldShareClosure(FunctionExpr func)
    {
        StackGuard.Check(func);
        if (!_functions.TryGetValue(func, out var info))
            return false;

        foreach (var upvalue in info.Upvalues)
        {
            var v = _state.Variables.Get(upvalue);
            if (!v.Tracked || v.Written)
                return false;

            if (upvalue.FunctionDepth != 0 || upvalue.LoopDepth != 0)
            {
                if (v.Init is not FunctionExpr init)
                    return false;
                if (init != func && !ShouldShareClosure(init))
                    return false;
            }
        }
        return true;
    }

    private void CompileFunctionExpr(FunctionExpr node, int target)
    {
        int top = _regTop;
        var info = _functions[node];

        // The child list matters even for shared closures: debuggers walk it.
        int child = _bc.AddChildFunction(info.Id);
        if (child < 0)
            throw new CompileException(node.Location, "Exceeded closure limit; simplify the code to compile");

        Span<(CaptureKind Kind, int Index)> captures = info.Upvalues.Length <= 64
            ? stackalloc (CaptureKind, int)[info.Upvalues.Length]
            : new (CaptureKind, int)[info.Upvalues.Length];
        for (int i = 0; i < info.Upvalues.Length; i++)
        {
            var upvalue = info.Upvalues[i];
            int reg = GetLocalReg(upvalue);
            if (reg >= 0)
            {
                // A local that is never assigned can be copied; otherwise the closure shares its upvalue box.
                var v = _state.Variables.Get(upvalue);
                captures[i] = (v.Written ? CaptureKind.Reference : CaptureKind.Value, reg);
            }
            else if (_state.LocalConstants.Get(upvalue) is { IsKnown: true } constant)
            {
                // An inlined function's constant argument has no register: materialise it.
                int temp = AllocReg(node, 1);
                CompileConstant(node, constant, temp);
                captures[i] = (CaptureKind.Value, temp);
            }
            else
            {
                captures[i] = (CaptureKind.Upvalue, GetUpvalue(upvalue));
            }
        }

        int shared = -1;
        if (_optimizationLevel >= 1 && ShouldShareClosure(node) && !_state.SetfenvUsed)
        {
            int k = _bc.AddConstantClosure(info.Id);
            if (k >= 0 && k < 32768)
                shared = k;
        }

        if (shared >= 0)
            _bc.EmitAd(OpCode.DupClosure, target, shared);
        else
            _bc.EmitAd(OpCode.NewClosure, target, child);

        foreach (var (kind, index) in captures)
            _bc.EmitAbc(OpCode.Capture, (int)kind, index, 0);
        _regTop = top;
    }

    // ---- assignment targets ----

    private enum LValueKind
    {
        Local,
        Upvalue,
        Global,
        IndexName,
        IndexNumber,
        IndexExpr,
    }

    private struct LValue
    {
        public LValueKind Kind;

        /// <summary>The local's register, or the table's register for index kinds.</summary>
        public int Reg;
        public int Upvalue;

        /// <summary>The key register of <see cref="LValueKind.IndexExpr"/>.</summary>
        public int Index;

        /// <summary>The key minus one of <see cref="LValueKind.IndexNumber"/>.</summary>
        public int Number;
        public byte[]? Name;
        public Location Location;
    }

    private LValue CompileLValueIndex(int reg, AstExpr index)
    {
        var key = GetConstant(index);
        if (IsSmallIndex(key))
            return new LValue { Kind = LValueKind.IndexNumber, Reg = reg, Number = (int)key.Number - 1, Location = index.Location };
        if (key.Type == ConstantType.String)
            return new LValue { Kind = LValueKind.IndexName, Reg = reg, Name = key.String, Location = index.Location };
        return new LValue { Kind = LValueKind.IndexExpr, Reg = reg, Index = CompileExprAuto(index), Location = index.Location };
    }

    private LValue CompileLValue(AstExpr node)
    {
        SetDebugLine(node);
        switch (node)
        {
            case LocalExpr local:
                {
                    int reg = GetLocalReg(local.Local);
                    return reg >= 0
                        ? new LValue { Kind = LValueKind.Local, Reg = reg, Location = node.Location }
                        : new LValue { Kind = LValueKind.Upvalue, Upvalue = GetUpvalue(local.Local), Location = node.Location };
                }
            case GlobalExpr global:
                return new LValue { Kind = LValueKind.Global, Name = NameBytes(global.Name), Location = node.Location };
            case IndexNameExpr indexName:
                return new LValue
                {
                    Kind = LValueKind.IndexName,
                    Reg = CompileExprAuto(indexName.Expr),
                    Name = NameBytes(indexName.Index),
                    Location = node.Location,
                };
            case IndexExpr index:
                {
                    int reg = CompileExprAuto(index.Expr);
                    return CompileLValueIndex(reg, index.Index);
                }
            default:
                throw new CompileException(node.Location, "Unexpected assignment target");
        }
    }

    /// <summary>Stores register <paramref name="reg"/> into the target (<paramref name="set"/>) or loads the target into it.</summary>
    private void CompileLValueUse(in LValue lv, int reg, bool set)
    {
        SetDebugLine(lv.Location);
        switch (lv.Kind)
        {
            case LValueKind.Local:
                if (set)
                    _bc.EmitAbc(OpCode.Move, lv.Reg, reg, 0);
                else
                    _bc.EmitAbc(OpCode.Move, reg, lv.Reg, 0);
                break;
            case LValueKind.Upvalue:
                _bc.EmitAbc(set ? OpCode.SetUpval : OpCode.GetUpval, reg, lv.Upvalue, 0);
                break;
            case LValueKind.Global:
                {
                    int k = AddString(lv.Name!, lv);
                    _bc.EmitAbc(set ? OpCode.SetGlobal : OpCode.GetGlobal, reg, 0, StringHash(lv.Name!));
                    _bc.EmitAux((uint)k);
                    break;
                }
            case LValueKind.IndexName:
                {
                    int k = AddString(lv.Name!, lv);
                    _bc.EmitAbc(set ? OpCode.SetTableKs : OpCode.GetTableKs, reg, lv.Reg, StringHash(lv.Name!));
                    _bc.EmitAux((uint)k);
                    break;
                }
            case LValueKind.IndexNumber:
                _bc.EmitAbc(set ? OpCode.SetTableN : OpCode.GetTableN, reg, lv.Reg, lv.Number);
                break;
            case LValueKind.IndexExpr:
                _bc.EmitAbc(set ? OpCode.SetTable : OpCode.GetTable, reg, lv.Reg, lv.Index);
                break;
        }
    }

    private int AddString(byte[] value, in LValue lv)
    {
        int index = _bc.AddConstantString(value);
        if (index < 0)
            throw new CompileException(lv.Location, "Exceeded constant limit; simplify the code to compile");
        return index;
    }

    private void CompileAssign(in LValue lv, int source) => CompileLValueUse(lv, source, set: true);
}
