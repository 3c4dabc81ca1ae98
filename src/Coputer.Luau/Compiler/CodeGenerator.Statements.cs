using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

internal sealed partial class CodeGenerator
{
    private void CompileStat(AstStat node)
    {
        StackGuard.Check(node);
        SetDebugLine(node);

        if (_coverageLevel >= 1 && node is not (BlockStat or TypeAliasStat))
            _bc.EmitAbc(OpCode.Coverage, 0, 0, 0);

        switch (node)
        {
            case BlockStat block:
                {
                    int top = _regTop;
                    int oldLocals = _localStack.Count;
                    foreach (var stat in block.Body)
                    {
                        CompileStat(stat);
                        if (AlwaysTerminates(stat))
                            break;
                    }
                    CloseLocals(oldLocals);
                    PopLocals(oldLocals);
                    _regTop = top;
                    break;
                }
            case IfStat ifStat:
                CompileIf(ifStat);
                break;
            case WhileStat whileStat:
                CompileWhile(whileStat);
                break;
            case RepeatStat repeat:
                CompileRepeat(repeat);
                break;
            case BreakStat:
                {
                    var loop = CurrentLoop(node);
                    // Locals captured since the loop started are closed here: the jump skips their blocks' ends.
                    CloseLocals(loop.LocalOffset);
                    _loopJumps.Add(new LoopJump(LoopJumpKind.Break, _bc.EmitLabel()));
                    _bc.EmitAd(OpCode.Jump, 0, 0);
                    break;
                }
            case ContinueStat continueStat:
                {
                    var loop = CurrentLoop(node);
                    loop.ContinueUsed ??= continueStat;
                    CloseLocals(loop.LocalOffsetContinue);
                    _loopJumps.Add(new LoopJump(LoopJumpKind.Continue, _bc.EmitLabel()));
                    _bc.EmitAd(OpCode.Jump, 0, 0);
                    break;
                }
            case ReturnStat returnStat:
                if (_optimizationLevel >= 2 && _inlineFrames.Count > 0)
                    CompileInlineReturn(returnStat);
                else
                    CompileReturn(returnStat);
                break;
            case ExprStat exprStat:
                // A call as a statement keeps no results.
                if (exprStat.Expr is CallExpr call)
                    CompileCall(call, _regTop, 0);
                else
                    CompileExprSide(exprStat.Expr);
                break;
            case LocalStat local:
                CompileLocal(local);
                break;
            case ForStat forStat:
                CompileFor(forStat);
                break;
            case ForInStat forIn:
                CompileForIn(forIn);
                break;
            case AssignStat assign:
                CompileAssignStat(assign);
                break;
            case CompoundAssignStat compound:
                CompileCompoundAssign(compound);
                break;
            case FunctionStat function:
                CompileFunctionStat(function);
                break;
            case LocalFunctionStat localFunction:
                {
                    // The local exists before its value so the function can refer to itself.
                    int reg = AllocReg(localFunction, 1);
                    PushLocal(localFunction.Name, reg);
                    CompileFunctionExpr(localFunction.Function, reg);
                    // Its debug live range starts once the closure is in the register.
                    _locals[localFunction.Name].DebugPc = _bc.DebugPc;
                    break;
                }
            case TypeAliasStat:
            case TypeFunctionStat:
                break;
            default:
                throw new CompileException(node.Location, "Unexpected statement");
        }
    }

    private LoopInfo CurrentLoop(AstNode node) =>
        _loops.Count > 0 ? _loops[^1] : throw new CompileException(node.Location, "break or continue outside a loop");

    private static bool IsBreak(AstStat node) =>
        node is BreakStat || (node is BlockStat { Body: [BreakStat] });

    private void CompileIf(IfStat node)
    {
        // A condition known to be false leaves only the else branch.
        if (IsConstantFalse(node.Condition))
        {
            if (node.ElseBody is not null)
                CompileStat(node.ElseBody);
            return;
        }

        // "x and false" is false too, but x may have effects.
        if (node.Condition is BinaryExpr { Op: BinaryOp.And } and && IsConstantFalse(and.Right))
        {
            CompileExprSide(and.Left);
            if (node.ElseBody is not null)
                CompileStat(node.ElseBody);
            return;
        }

        // "if c then break end" jumps straight out of the loop when c holds.
        if (node.ElseBody is null && IsBreak(node.ThenBody) && !AreLocalsCaptured(CurrentLoop(node).LocalOffset))
        {
            var jumps = new List<int>();
            CompileConditionValue(node.Condition, null, jumps, onlyTruth: true);
            foreach (int jump in jumps)
                _loopJumps.Add(new LoopJump(LoopJumpKind.Break, jump));
            return;
        }

        // Likewise "if c then continue end".
        if (node.ElseBody is null && node.ThenBody.Body is [ContinueStat continueStat]
            && !AreLocalsCaptured(CurrentLoop(node).LocalOffsetContinue))
        {
            var loop = _loops[^1];
            loop.ContinueUsed ??= continueStat;
            var jumps = new List<int>();
            CompileConditionValue(node.Condition, null, jumps, onlyTruth: true);
            foreach (int jump in jumps)
                _loopJumps.Add(new LoopJump(LoopJumpKind.Continue, jump));
            return;
        }

        var elseJumps = new List<int>();
        CompileConditionValue(node.Condition, null, elseJumps, onlyTruth: false);
        CompileStat(node.ThenBody);

        if (node.ElseBody is not null && elseJumps.Count > 0)
        {
            // No jump over the else branch is needed when the then branch never falls through.
            if (AlwaysTerminates(node.ThenBody))
            {
                int elseLabel = _bc.EmitLabel();
                CompileStat(node.ElseBody);
                PatchJumps(node, elseJumps, elseLabel);
            }
            else
            {
                int thenLabel = _bc.EmitLabel();
                _bc.EmitAd(OpCode.Jump, 0, 0);
                int elseLabel = _bc.EmitLabel();
                CompileStat(node.ElseBody);
                int endLabel = _bc.EmitLabel();
                PatchJumps(node, elseJumps, elseLabel);
                PatchJump(node, thenLabel, endLabel);
            }
        }
        else
        {
            PatchJumps(node, elseJumps, _bc.EmitLabel());
        }
    }

    private void CompileWhile(WhileStat node)
    {
        if (IsConstantFalse(node.Condition))
            return;

        int oldJumps = _loopJumps.Count;
        int oldLocals = _localStack.Count;
        _loops.Add(new LoopInfo(oldLocals));
        _hasLoops = true;

        int loopLabel = _bc.EmitLabel();
        var elseJumps = new List<int>();
        CompileConditionValue(node.Condition, null, elseJumps, onlyTruth: false);
        CompileStat(node.Body);

        int continueLabel = _bc.EmitLabel();
        int backLabel = _bc.EmitLabel();
        SetDebugLine(node.Condition);
        // JUMPBACK rather than JUMP: it is an interrupt safepoint, and every loop needs one.
        _bc.EmitAd(OpCode.JumpBack, 0, 0);
        int endLabel = _bc.EmitLabel();

        PatchJump(node, backLabel, loopLabel);
        PatchJumps(node, elseJumps, endLabel);
        PatchLoopJumps(node, oldJumps, endLabel, continueLabel);
        _loopJumps.RemoveRange(oldJumps, _loopJumps.Count - oldJumps);
        _loops.RemoveAt(_loops.Count - 1);
    }

    private void CompileRepeat(RepeatStat node)
    {
        int oldJumps = _loopJumps.Count;
        int oldLocals = _localStack.Count;
        var loop = new LoopInfo(oldLocals);
        _loops.Add(loop);
        _hasLoops = true;

        int loopLabel = _bc.EmitLabel();

        // The body's block is compiled inline: the condition sees the body's locals, which stay open until after it.
        int top = _regTop;
        var body = node.Body;
        bool continueValidated = false;
        int conditionLocals = 0;
        for (int i = 0; i < body.Body.Length; i++)
        {
            CompileStat(body.Body[i]);

            // continue must not close the body's own locals: a closure in the condition may still capture them.
            loop.LocalOffsetContinue = _localStack.Count;

            // Once a continue has been seen, locals declared after it are undefined in the condition.
            if (loop.ContinueUsed is not null && !continueValidated)
            {
                ValidateContinueUntil(loop.ContinueUsed, node.Condition, body, i + 1);
                continueValidated = true;
                conditionLocals = _localStack.Count;
            }
        }

        // Locals a continue may skip end before the condition runs (the condition cannot use them).
        if (continueValidated)
        {
            SetDebugLineEnd(body.Body[^1]);
            CloseLocals(conditionLocals);
            PopLocals(conditionLocals);
        }

        int continueLabel = _bc.EmitLabel();
        int endLabel;
        SetDebugLine(node.Condition);

        if (IsConstantTrue(node.Condition))
        {
            CloseLocals(oldLocals);
            endLabel = _bc.EmitLabel();
        }
        else
        {
            var skipJumps = new List<int>();
            CompileConditionValue(node.Condition, null, skipJumps, onlyTruth: true);

            // Upvalues are closed after the condition, which may still use the locals.
            CloseLocals(oldLocals);
            int backLabel = _bc.EmitLabel();
            _bc.EmitAd(OpCode.JumpBack, 0, 0);
            int skipLabel = _bc.EmitLabel();

            // The exit path jumped over the close above, so close again.
            CloseLocals(oldLocals);
            endLabel = _bc.EmitLabel();
            PatchJump(node, backLabel, loopLabel);
            PatchJumps(node, skipJumps, skipLabel);
        }

        PopLocals(oldLocals);
        _regTop = top;

        PatchLoopJumps(node, oldJumps, endLabel, continueLabel);
        _loopJumps.RemoveRange(oldJumps, _loopJumps.Count - oldJumps);
        _loops.RemoveAt(_loops.Count - 1);
    }

    private void ValidateContinueUntil(ContinueStat continueStat, AstExpr condition, BlockStat body, int start)
    {
        var visitor = new UndefinedLocalVisitor(this);
        for (int i = start; i < body.Body.Length; i++)
        {
            if (body.Body[i] is LocalStat local)
            {
                foreach (var v in local.Vars)
                    visitor.Skipped.Add(v);
            }
            else if (body.Body[i] is LocalFunctionStat localFunction)
            {
                visitor.Skipped.Add(localFunction.Name);
            }
        }

        condition.Accept(visitor);
        if (visitor.Undefined is { } undefined)
            throw new CompileException(condition.Location,
                $"Local {undefined.Name} used in the repeat..until condition is undefined because continue statement on line {continueStat.Location.Begin.Line + 1} jumps over it");
    }

    private sealed class UndefinedLocalVisitor(CodeGenerator owner) : AstVisitor
    {
        public HashSet<AstLocal> Skipped { get; } = new(ReferenceEqualityComparer.Instance);

        public AstLocal? Undefined { get; private set; }

        private void Check(AstLocal local)
        {
            if (Undefined is null && Skipped.Contains(local))
                Undefined = local;
        }

        public override bool VisitNode(AstNode node)
        {
            StackGuard.Check(node);
            return true;
        }

        public override bool Visit(LocalExpr node)
        {
            if (!node.IsUpvalue)
                Check(node.Local);
            return false;
        }

        public override bool Visit(FunctionExpr node)
        {
            // A closure in the condition captures the locals it uses from the loop's function.
            foreach (var upvalue in owner._functions[node].Upvalues)
            {
                if (upvalue.FunctionDepth == node.FunctionDepth - 1)
                    Check(upvalue);
            }
            return false;
        }
    }

    private void CompileReturn(ReturnStat node)
    {
        var list = node.List;
        // RETURN uses B = count + 1, and 0 for "all values".
        if (list.Length >= 255)
            throw new CompileException(node.Location, "Exceeded return count limit; simplify the code to compile");

        int top = _regTop;
        int first = 0;
        bool consecutive = false;
        bool multRet = false;

        // Locals in consecutive registers are returned where they are.
        int reg = list.Length > 0 ? GetExprLocalReg(list[0]) : -1;
        if (reg >= 0)
        {
            first = reg;
            consecutive = true;
            for (int i = 1; i < list.Length; i++)
            {
                if (GetExprLocalReg(list[i]) != first + i)
                {
                    consecutive = false;
                    break;
                }
            }
        }

        if (!consecutive && list.Length > 0)
        {
            first = AllocReg(node, list.Length);
            for (int i = 0; i < list.Length; i++)
            {
                if (i + 1 == list.Length)
                    multRet = CompileExprTempMultRet(list[i], first + i);
                else
                    CompileExprTempTop(list[i], first + i);
            }
        }

        CloseLocals(0);
        _bc.EmitAbc(OpCode.Return, first, multRet ? 0 : list.Length + 1, 0);
        _regTop = top;
    }

    /// <summary>Locals whose every use is constant-folded need no register (O1+, unless debug info wants them).</summary>
    private bool AreLocalsRedundant(LocalStat node)
    {
        // Extra values may have side effects.
        if (node.Values.Length > node.Vars.Length)
            return false;
        foreach (var local in node.Vars)
        {
            var v = _state.Variables.Get(local);
            if (!v.Tracked || !v.Constant)
                return false;
        }
        return true;
    }

    private void CompileLocal(LocalStat node)
    {
        if (_optimizationLevel >= 1 && _debugLevel <= 1 && AreLocalsRedundant(node))
            return;

        // local a = b, where neither is ever assigned, can share b's register.
        if (_optimizationLevel >= 1 && node.Vars.Length == 1 && node.Values.Length == 1 && GetExprLocal(node.Values[0]) is { } source)
        {
            int reg = GetLocalReg(source.Local);
            if (reg >= 0 && !_state.Variables.Get(node.Vars[0]).Written && !_state.Variables.Get(source.Local).Written)
            {
                PushLocal(node.Vars[0], reg);
                return;
            }
        }

        // No register scope here: the registers belong to the enclosing block from now on.
        int vars = AllocReg(node, node.Vars.Length);
        CompileExprListTemp(node.Values, vars, node.Vars.Length, targetTop: true);
        for (int i = 0; i < node.Vars.Length; i++)
            PushLocal(node.Vars[i], vars + i);
    }

    private void CompileFor(ForStat node)
    {
        int top = _regTop;

        if (_optimizationLevel >= 2 && IsConstant(node.To) && IsConstant(node.From) && (node.Step is null || IsConstant(node.Step))
            && TryCompileUnrolledFor(node))
        {
            _regTop = top;
            return;
        }

        int oldLocals = _localStack.Count;
        int oldJumps = _loopJumps.Count;
        _loops.Add(new LoopInfo(oldLocals));
        _hasLoops = true;

        // Registers: limit, step, index.
        int regs = AllocReg(node, 3);

        // A body that assigns the loop variable gets a copy of the index, so it cannot disturb the iteration.
        int varReg = regs + 2;
        if (_state.Variables.Get(node.Var).Written)
            varReg = AllocReg(node, 1);

        CompileExprTemp(node.From, regs + 2);
        CompileExprTemp(node.To, regs);
        if (node.Step is not null)
            CompileExprTemp(node.Step, regs + 1);
        else
            _bc.EmitAbc(OpCode.LoadN, regs + 1, 1, 0);

        int forLabel = _bc.EmitLabel();
        _bc.EmitAd(OpCode.ForNPrep, regs, 0);
        int loopLabel = _bc.EmitLabel();

        if (varReg != regs + 2)
            _bc.EmitAbc(OpCode.Move, varReg, regs + 2, 0);

        PushLocal(node.Var, varReg);
        CompileStat(node.Body);
        CloseLocals(oldLocals);
        PopLocals(oldLocals);

        SetDebugLine(node);
        int continueLabel = _bc.EmitLabel();
        int backLabel = _bc.EmitLabel();
        _bc.EmitAd(OpCode.ForNLoop, regs, 0);
        int endLabel = _bc.EmitLabel();

        PatchJump(node, forLabel, endLabel);
        PatchJump(node, backLabel, loopLabel);
        PatchLoopJumps(node, oldJumps, endLabel, continueLabel);
        _loopJumps.RemoveRange(oldJumps, _loopJumps.Count - oldJumps);
        _loops.RemoveAt(_loops.Count - 1);
        _regTop = top;
    }

    private void CompileForIn(ForInStat node)
    {
        int top = _regTop;
        int oldLocals = _localStack.Count;
        int oldJumps = _loopJumps.Count;
        _loops.Add(new LoopInfo(oldLocals));
        _hasLoops = true;

        // Registers: generator, state, control, then the variables.
        int regs = AllocReg(node, 3);
        CompileExprListTemp(node.Values, regs, 3, targetTop: true);

        // At least two variable registers, so the pairs/ipairs fast paths can always write two.
        int vars = AllocReg(node, Math.Max(node.Vars.Length, 2));

        // pairs(t), ipairs(t) and next, t get preparation instructions that iterate tables in place.
        var prepare = OpCode.ForGPrep;
        if (_optimizationLevel >= 1 && node.Vars.Length <= 2)
        {
            if (node.Values.Length == 1 && node.Values[0] is CallExpr call)
            {
                var builtin = Builtins.Resolve(_state, call.Function);
                if (builtin.IsGlobal("ipairs"))
                    prepare = OpCode.ForGPrepINext;
                else if (builtin.IsGlobal("pairs"))
                    prepare = OpCode.ForGPrepNext;
            }
            else if (node.Values.Length == 2 && !_state.GetfenvUsed && !_state.SetfenvUsed)
            {
                if (Builtins.Resolve(_state, node.Values[0]).IsGlobal("next"))
                    prepare = OpCode.ForGPrepNext;
            }
        }

        int skipLabel = _bc.EmitLabel();
        _bc.EmitAd(prepare, regs, 0);
        int loopLabel = _bc.EmitLabel();

        for (int i = 0; i < node.Vars.Length; i++)
            PushLocal(node.Vars[i], vars + i);

        CompileStat(node.Body);
        CloseLocals(oldLocals);
        PopLocals(oldLocals);

        SetDebugLine(node);
        int continueLabel = _bc.EmitLabel();
        int backLabel = _bc.EmitLabel();
        // AUX: the variable count, and the top bit for the ipairs fast path.
        _bc.EmitAd(OpCode.ForGLoop, regs, 0);
        _bc.EmitAux((prepare == OpCode.ForGPrepINext ? 0x80000000u : 0) | (uint)node.Vars.Length);
        int endLabel = _bc.EmitLabel();

        PatchJump(node, skipLabel, backLabel);
        PatchJump(node, backLabel, loopLabel);
        PatchLoopJumps(node, oldJumps, endLabel, continueLabel);
        _loopJumps.RemoveRange(oldJumps, _loopJumps.Count - oldJumps);
        _loops.RemoveAt(_loops.Count - 1);
        _regTop = top;
    }

    private struct Assignment
    {
        public LValue Target;

        /// <summary>A temporary the value goes to first, when assigning the local directly would change later reads.</summary>
        public int ConflictReg;

        /// <summary>The register holding the value to assign.</summary>
        public int ValueReg;
    }

    /// <summary>
    /// Finds locals that an assignment list writes before another part of it reads them (as in <c>a, b = b, a</c> or
    /// <c>t[i], i = ...</c>) and gives each a temporary, so every value is computed from the old state. Only reads
    /// written inside the statement count, as the language guarantees nothing about calls changing variables.
    /// </summary>
    private void ResolveAssignConflicts(AssignStat node, Assignment[] vars, AstExpr[] values)
    {
        var visitor = new ConflictVisitor(this);

        // Assignments to locals happen first, in order.
        for (int i = 0; i < vars.Length; i++)
        {
            if (vars[i].Target.Kind == LValueKind.Local)
            {
                if (i < values.Length)
                    values[i].Accept(visitor);
                visitor.Assigned[vars[i].Target.Reg] = true;
            }
        }

        for (int i = 0; i < vars.Length; i++)
        {
            if (vars[i].Target.Kind != LValueKind.Local && i < values.Length)
                values[i].Accept(visitor);
        }

        for (int i = vars.Length; i < values.Length; i++)
            values[i].Accept(visitor);

        // Tables and keys of index targets are read after all the values are computed.
        foreach (var v in vars)
        {
            var t = v.Target;
            if (t.Kind is LValueKind.IndexName or LValueKind.IndexNumber or LValueKind.IndexExpr && visitor.Assigned[t.Reg])
                visitor.Conflict[t.Reg] = true;
            if (t.Kind == LValueKind.IndexExpr && visitor.Assigned[t.Index])
                visitor.Conflict[t.Index] = true;
        }

        for (int i = 0; i < vars.Length; i++)
        {
            if (vars[i].Target.Kind == LValueKind.Local && visitor.Conflict[vars[i].Target.Reg])
                vars[i].ConflictReg = AllocReg(node, 1);
        }
    }

    private sealed class ConflictVisitor(CodeGenerator owner) : AstVisitor
    {
        public bool[] Conflict { get; } = new bool[256];

        public bool[] Assigned { get; } = new bool[256];

        public override bool VisitNode(AstNode node)
        {
            StackGuard.Check(node);
            return true;
        }

        public override bool Visit(LocalExpr node)
        {
            int reg = owner.GetLocalReg(node.Local);
            if (reg >= 0 && Assigned[reg])
                Conflict[reg] = true;
            return true;
        }
    }

    private void CompileAssignStat(AssignStat node)
    {
        int top = _regTop;
        var targets = node.Vars;
        var values = node.Values;

        if (targets.Length == 1 && values.Length == 1)
        {
            var lv = CompileLValue(targets[0]);
            if (lv.Kind == LValueKind.Local)
            {
                CompileExpr(values[0], lv.Reg);
            }
            else
            {
                int reg = CompileExprAuto(values[0]);
                SetDebugLine(targets[0]);
                CompileAssign(lv, reg);
            }
            _regTop = top;
            return;
        }

        // Targets first: this evaluates table and key expressions, but assigns nothing yet.
        var vars = new Assignment[targets.Length];
        for (int i = 0; i < targets.Length; i++)
            vars[i] = new Assignment { Target = CompileLValue(targets[i]), ConflictReg = NoRegister, ValueReg = NoRegister };

        ResolveAssignConflicts(node, vars, values);

        // Values go straight into local targets (or their conflict temporaries), others into fresh registers.
        for (int i = 0; i < targets.Length && i < values.Length; i++)
        {
            if (i + 1 == values.Length && targets.Length > values.Length)
            {
                // The last value fills all remaining targets, so it needs consecutive registers.
                int rest = targets.Length - values.Length + 1;
                int temp = AllocReg(node, rest);
                CompileExprTempN(values[i], temp, rest, targetTop: true);
                for (int j = i; j < targets.Length; j++)
                    vars[j].ValueReg = temp + (j - i);
            }
            else if (vars[i].Target.Kind == LValueKind.Local)
            {
                vars[i].ValueReg = vars[i].ConflictReg == NoRegister ? vars[i].Target.Reg : vars[i].ConflictReg;
                CompileExpr(values[i], vars[i].ValueReg);
            }
            else
            {
                vars[i].ValueReg = CompileExprAuto(values[i]);
            }
        }

        for (int i = targets.Length; i < values.Length; i++)
            CompileExprSide(values[i]);

        // Then the stores, left to right.
        foreach (var v in vars)
        {
            if (v.Target.Kind != LValueKind.Local)
            {
                SetDebugLine(v.Target.Location);
                CompileAssign(v.Target, v.ValueReg);
            }
        }

        // And the locals that were computed elsewhere.
        foreach (var v in vars)
        {
            if (v.Target.Kind == LValueKind.Local && v.ValueReg != v.Target.Reg)
                _bc.EmitAbc(OpCode.Move, v.Target.Reg, v.ValueReg, 0);
        }
        _regTop = top;
    }

    private void CompileCompoundAssign(CompoundAssignStat node)
    {
        int top = _regTop;
        var lv = CompileLValue(node.Var);
        int target = lv.Kind == LValueKind.Local ? lv.Reg : AllocReg(node, 1);

        if (node.Op == BinaryOp.Concat)
        {
            var operands = new List<AstExpr> { node.Value };
            UnrollConcats(operands);
            int regs = AllocReg(node, 1 + operands.Count);
            CompileLValueUse(lv, regs, set: false);
            for (int i = 0; i < operands.Count; i++)
                CompileExprTemp(operands[i], regs + 1 + i);
            _bc.EmitAbc(OpCode.Concat, target, regs, regs + operands.Count);
        }
        else
        {
            if (lv.Kind != LValueKind.Local)
                CompileLValueUse(lv, target, set: false);

            int rc = GetConstantNumber(node.Value);
            if (rc >= 0 && rc <= 255)
            {
                _bc.EmitAbc(ArithOp(node.Op, constant: true), target, target, rc);
            }
            else
            {
                int rr = CompileExprAuto(node.Value);
                _bc.EmitAbc(ArithOp(node.Op, constant: false), target, target, rr);
            }
        }

        if (lv.Kind != LValueKind.Local)
            CompileAssign(lv, target);
        _regTop = top;
    }

    private void CompileFunctionStat(FunctionStat node)
    {
        int reg = GetExprLocalReg(node.Name);
        if (reg >= 0)
        {
            CompileExpr(node.Function, reg);
            return;
        }

        int top = _regTop;
        reg = AllocReg(node, 1);
        CompileExprTemp(node.Function, reg);
        var lv = CompileLValue(node.Name);
        CompileAssign(lv, reg);
        _regTop = top;
    }
}
