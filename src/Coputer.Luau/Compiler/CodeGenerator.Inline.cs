using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

// O2: inlining calls to local functions, unrolling small numeric loops.
internal sealed partial class CodeGenerator
{
    private const int InlineThreshold = 25;
    private const int InlineThresholdMaxBoost = 300;
    private const int InlineDepth = 5;
    private const int UnrollThreshold = 25;
    private const int UnrollThresholdMaxBoost = 300;

    private readonly List<InlineFrame> _inlineFrames = [];
    private readonly List<(AstExpr, Constant, bool)> _exprChanges = [];
    private readonly List<(AstLocal, Constant)> _localChanges = [];

    private sealed class InlineFrame(FunctionExpr function, int localOffset, int target, int targetCount)
    {
        public FunctionExpr Function { get; } = function;
        public int LocalOffset { get; } = localOffset;
        public int Target { get; } = target;
        public int TargetCount { get; } = targetCount;
        public List<int> ReturnJumps { get; } = [];
    }

    private struct InlineArg
    {
        public AstLocal Local;
        public int Reg;
        public Constant Value;
        public AstExpr? Init;
    }

    /// <summary>
    /// The function literal an expression certainly evaluates to, or null: through never-assigned locals, and through
    /// fields of constant tables (<c>local M = {f = function() end}; M.f()</c>).
    /// </summary>
    private FunctionExpr? GetFunctionExpr(AstExpr node)
    {
        for (int depth = 0; depth < 1000; depth++)
        {
            switch (node)
            {
                case LocalExpr local:
                    {
                        var v = _state.Variables.Get(local.Local);
                        if (!v.Tracked || v.Written || v.Init is null)
                            return null;
                        node = v.Init;
                        continue;
                    }
                case IndexNameExpr indexName:
                    {
                        var value = IndexConstantTable(indexName);
                        if (value is null)
                            return null;
                        node = value;
                        continue;
                    }
                case GroupExpr group:
                    node = group.Expr;
                    continue;
                case TypeAssertionExpr assertion:
                    node = assertion.Expr;
                    continue;
                case InstantiateExpr instantiate:
                    node = instantiate.Expr;
                    continue;
                case FunctionExpr function:
                    return function;
                default:
                    return null;
            }
        }
        return null;
    }

    /// <summary>The initial value of field <c>t.name</c> when <c>t</c> is a local holding a constant table, or null.</summary>
    private AstExpr? IndexConstantTable(IndexNameExpr node)
    {
        if (GetExprLocal(node.Expr) is not { } tableLocal)
            return null;
        var v = _state.Variables.Get(tableLocal.Local);
        if (v.Written || v.Init is null || !_state.ConstantTableLocals.Get(tableLocal.Local))
            return null;
        if (UnwrapGroups(v.Init) is not TableExpr table)
            return null;

        // The last matching key wins; a key that is not constant could be any of them.
        AstExpr? match = null;
        foreach (var item in table.Items)
        {
            if (item.Kind == TableItemKind.List)
                continue;
            if (!_state.Constants.TryGetValue(item.Key!, out var key))
                match = null;
            else if (key.Type == ConstantType.String && key.String!.Length > 0 && CompilerState.NameOf(key.String) == node.Index)
                match = item.Value;
        }
        return match;
    }

    private static AstExpr UnwrapGroups(AstExpr node)
    {
        while (true)
        {
            switch (node)
            {
                case GroupExpr group:
                    node = group.Expr;
                    break;
                case TypeAssertionExpr assertion:
                    node = assertion.Expr;
                    break;
                default:
                    return node;
            }
        }
    }

    /// <summary>Records what the inliner needs to know about a function that was just compiled.</summary>
    private void RecordInlineInfo(FunctionExpr func, FunctionInfo info)
    {
        if (func.IsVararg || func.Self is not null || _state.GetfenvUsed || _state.SetfenvUsed)
            return;
        info.CanInline = true;
        info.StackSize = _stackSize;
        info.CostModel = CostModel.Model(func.Body, func.Parameters, _state);

        // Functions that always return exactly one value let callers use fixed-result calls.
        if (AlwaysTerminates(func.Body))
        {
            var visitor = new ReturnCounter(this);
            func.Body.Accept(visitor);
            info.ReturnsOne = visitor.ReturnsOne;
        }
    }

    private sealed class ReturnCounter(CodeGenerator owner) : AstVisitor
    {
        public bool ReturnsOne { get; private set; } = true;

        public override bool VisitNode(AstNode node)
        {
            StackGuard.Check(node);
            return true;
        }

        public override bool VisitExpr(AstExpr node) => false;

        public override bool Visit(ReturnStat node)
        {
            ReturnsOne &= node.List.Length == 1 && !owner.IsExprMultRet(node.List[0]);
            return false;
        }
    }

    private bool TryCompileInlinedCall(CallExpr node, int target, int targetCount, bool multRet)
    {
        var func = GetFunctionExpr(node.Function);
        if (func is null || !_functions.TryGetValue(func, out var info) || !info.CanInline)
            return false;

        // Register pressure: the inlined body needs its own registers.
        if (_regTop > 128 || info.StackSize > 32)
            return false;
        if (_inlineFrames.Count >= InlineDepth)
            return false;
        foreach (var frame in _inlineFrames)
        {
            if (frame.Function == func)
                return false;
        }

        // An inlined return is a jump and cannot leave a variable number of values.
        if (multRet)
            return false;

        Span<bool> constantArgs = stackalloc bool[8];
        bool hasConstant = false;
        var args = node.Arguments;
        var parameters = func.Parameters;
        for (int i = 0; i < parameters.Length && i < args.Length && i < 8; i++)
        {
            if (IsConstant(args[i]))
            {
                constantArgs[i] = true;
                hasConstant = true;
            }
        }

        // Parameters past a single-valued last argument are nil.
        if (args.Length != 0 && !IsExprMultRet(args[^1]))
        {
            for (int i = args.Length; i < parameters.Length && i < 8; i++)
            {
                constantArgs[i] = true;
                hasConstant = true;
            }
        }

        ulong callCost = hasConstant ? CostModelInlinedCall(node, func) : info.CostModel;

        // The threshold grows (up to 3x) with how much of the body constant arguments fold away.
        int inlinedCost = CostModel.Compute(callCost, constantArgs[..Math.Min(parameters.Length, 8)]);
        int baselineCost = CostModel.Compute(info.CostModel, []) + 3;
        int profit = inlinedCost == 0 ? InlineThresholdMaxBoost : Math.Min(InlineThresholdMaxBoost, 100 * baselineCost / inlinedCost);
        int threshold = InlineThreshold * profit / 100;
        if (inlinedCost > threshold)
            return false;

        CompileInlinedCall(node, func, target, targetCount);
        return true;
    }

    /// <summary>The cost of a function body with the call's constant arguments folded in.</summary>
    private ulong CostModelInlinedCall(CallExpr node, FunctionExpr func)
    {
        var args = node.Arguments;
        var parameters = func.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            var arg = i < args.Length ? args[i] : null;

            // A trailing call or ... fills the remaining parameters with unknown values.
            if (i + 1 == args.Length && parameters.Length > args.Length && IsExprMultRet(arg!))
                break;
            if (_state.Variables.Get(parameter).Written)
                continue;

            if (arg is null)
                SetLocalConstant(parameter, Constant.Nil);
            else if (GetConstant(arg) is { IsKnown: true } c)
                SetLocalConstant(parameter, c);
        }

        _exprChanges.Clear();
        _localChanges.Clear();
        ConstantFolder.Run(_state, func.Body, _exprChanges, _localChanges);

        ulong cost = CostModel.Model(func.Body, parameters, _state);

        foreach (var parameter in parameters)
            _state.LocalConstants[parameter] = Constant.Unknown;
        ConstantFolder.Undo(_state, _exprChanges, _localChanges);
        return cost;
    }

    private void SetLocalConstant(AstLocal local, Constant value)
    {
        _state.LocalConstants[local] = value;
        _state.AnyLocalConstants = true;
    }

    private void CompileInlinedCall(CallExpr node, FunctionExpr func, int target, int targetCount)
    {
        int top = _regTop;
        int oldLocals = _localStack.Count;
        var args = node.Arguments;
        var parameters = func.Parameters;
        var inlineArgs = new List<InlineArg>(parameters.Length);

        // Evaluate the arguments first; the compiler state only changes afterwards, as nested calls may be inlined too.
        for (int i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            var arg = i < args.Length ? args[i] : null;

            if (i + 1 == args.Length && parameters.Length > args.Length && IsExprMultRet(arg!))
            {
                // The last argument provides all the remaining parameters.
                int tail = parameters.Length - args.Length + 1;
                int reg = AllocReg(arg!, tail);
                if (arg is CallExpr call)
                    CompileCall(call, reg, tail, targetTop: true);
                else
                    CompileVarargs((VarargsExpr)arg!, reg, tail);
                for (int j = i; j < parameters.Length; j++)
                    inlineArgs.Add(new InlineArg { Local = parameters[j], Reg = reg + (j - i) });
                break;
            }

            if (_state.Variables.Get(parameter).Written)
            {
                // An assigned parameter needs its own register, even for a constant argument.
                int reg = AllocReg((AstNode?)arg ?? node, 1);
                if (arg is not null)
                    CompileExprTemp(arg, reg);
                else
                    _bc.EmitAbc(OpCode.LoadNil, reg, 0, 0);
                inlineArgs.Add(new InlineArg { Local = parameter, Reg = reg });
            }
            else if (arg is null)
            {
                inlineArgs.Add(new InlineArg { Local = parameter, Reg = NoRegister, Value = Constant.Nil });
            }
            else if (GetConstant(arg) is { IsKnown: true } c)
            {
                // Constants fold into the body instead of taking a register.
                inlineArgs.Add(new InlineArg { Local = parameter, Reg = NoRegister, Value = c });
            }
            else
            {
                var argLocal = GetExprLocal(arg);
                int reg = argLocal is not null ? GetLocalReg(argLocal.Local) : -1;
                var argVariable = argLocal is not null ? _state.Variables.Get(argLocal.Local) : default;
                if (reg >= 0 && !argVariable.Written)
                {
                    // A never-assigned local argument is used in place.
                    inlineArgs.Add(new InlineArg { Local = parameter, Reg = reg, Init = argVariable.Tracked ? argVariable.Init : null });
                }
                else
                {
                    int temp = AllocReg(arg, 1);
                    CompileExprTemp(arg, temp);
                    inlineArgs.Add(new InlineArg { Local = parameter, Reg = temp, Init = arg });
                }
            }
        }

        for (int i = parameters.Length; i < args.Length; i++)
            CompileExprSide(args[i]);

        foreach (var a in inlineArgs)
        {
            if (!a.Value.IsKnown)
            {
                PushLocal(a.Local, a.Reg);
                if (a.Init is not null)
                {
                    ref var v = ref _state.Variables[a.Local];
                    if (v.Tracked)
                        v.Init = a.Init;
                }
            }
            else
            {
                SetLocalConstant(a.Local, a.Value);
            }
        }

        var frame = new InlineFrame(func, oldLocals, target, targetCount);
        _inlineFrames.Add(frame);

        // Calls in the body may now resolve to builtins through the arguments (apply(math.abs, x)).
        var inlineBuiltins = new Dictionary<CallExpr, BuiltinFunction>(ReferenceEqualityComparer.Instance);
        Builtins.Analyze(_state, inlineBuiltins, func.Body);
        var builtinBackup = new List<(CallExpr, BuiltinFunction)>();
        foreach (var (call, id) in inlineBuiltins)
        {
            var previous = _state.Builtins.GetValueOrDefault(call, BuiltinFunction.None);
            if (id != previous)
            {
                builtinBackup.Add((call, previous));
                _state.Builtins[call] = id;
            }
        }

        // The change logs are shared with nested inlining and unrolling, which clear and refill them; the undo at the
        // end replays whatever they hold then. This matches the reference compiler's behaviour (and its output).
        _exprChanges.Clear();
        _localChanges.Clear();
        ConstantFolder.Run(_state, func.Body, _exprChanges, _localChanges);

        bool terminatesEarly = false;
        foreach (var stat in func.Body.Body)
        {
            CompileStat(stat);
            if (AlwaysTerminates(stat))
            {
                terminatesEarly = true;
                // A return at the very end needs no jump to the instruction right after it.
                if (frame.ReturnJumps.Count > 0 && frame.ReturnJumps[^1] == _bc.EmitLabel() - 1)
                {
                    _bc.UndoEmit(OpCode.Jump);
                    frame.ReturnJumps.RemoveAt(frame.ReturnJumps.Count - 1);
                }
                break;
            }
        }

        // Falling off the end returns no values.
        if (!terminatesEarly)
        {
            for (int i = 0; i < targetCount; i++)
                _bc.EmitAbc(OpCode.LoadNil, target + i, 0, 0);
            CloseLocals(oldLocals);
        }

        PopLocals(oldLocals);
        PatchJumps(node, frame.ReturnJumps, _bc.EmitLabel());
        _inlineFrames.RemoveAt(_inlineFrames.Count - 1);

        foreach (var parameter in parameters)
        {
            _state.LocalConstants[parameter] = Constant.Unknown;
            ref var v = ref _state.Variables[parameter];
            if (v.Tracked)
                v.Init = null;
        }

        foreach (var (call, previous) in builtinBackup)
            _state.Builtins[call] = previous;

        ConstantFolder.Undo(_state, _exprChanges, _localChanges);
        _regTop = top;
    }

    private void CompileInlineReturn(ReturnStat node)
    {
        var frame = _inlineFrames[^1];
        SetDebugLine(node);
        CompileExprListTemp(node.List, frame.Target, frame.TargetCount, targetTop: false);
        CloseLocals(frame.LocalOffset);
        frame.ReturnJumps.Add(_bc.EmitLabel());
        _bc.EmitAd(OpCode.Jump, 0, 0);
    }

    private bool TryCompileUnrolledFor(ForStat node)
    {
        var from = GetConstant(node.From);
        var to = GetConstant(node.To);
        var step = node.Step is not null ? GetConstant(node.Step) : Constant.FromNumber(1);

        int trips = from.Type == ConstantType.Number && to.Type == ConstantType.Number && step.Type == ConstantType.Number
            ? CostModel.TripCount(from.Number, to.Number, step.Number)
            : -1;
        if (trips < 0 || trips > UnrollThreshold)
            return false;
        if (_state.Variables.Get(node.Var).Written)
            return false;

        ulong model = CostModel.Model(node.Body, [node.Var], _state);
        // The threshold grows (up to 3x) with how much of the body the constant loop variable folds away.
        int unrolledCost = CostModel.Compute(model, [true]) * trips;
        int baselineCost = (CostModel.Compute(model, []) + 1) * trips;
        int profit = unrolledCost == 0 ? UnrollThresholdMaxBoost : Math.Min(UnrollThresholdMaxBoost, 100 * baselineCost / unrolledCost);
        int threshold = UnrollThreshold * profit / 100;
        if (unrolledCost > threshold)
            return false;

        CompileUnrolledFor(node, trips, from.Number, step.Number);
        return true;
    }

    private void CompileUnrolledFor(ForStat node, int trips, double from, double step)
    {
        var variable = node.Var;
        int oldLocals = _localStack.Count;
        int oldJumps = _loopJumps.Count;
        _loops.Add(new LoopInfo(oldLocals));

        // The first iteration's changes record the state before the loop, which is restored afterwards (through the
        // shared logs, as for inlining).
        _exprChanges.Clear();
        _localChanges.Clear();
        for (int iteration = 0; iteration < trips; iteration++)
        {
            // Each copy of the body is folded again with the loop variable's value for that iteration.
            SetLocalConstant(variable, Constant.FromNumber(from + iteration * step));
            if (iteration == 0)
                ConstantFolder.Run(_state, node, _exprChanges, _localChanges);
            else
                ConstantFolder.Run(_state, node);

            int iterationJumps = _loopJumps.Count;
            CompileStat(node.Body);

            // continue goes to the next copy.
            int continueLabel = _bc.EmitLabel();
            for (int i = iterationJumps; i < _loopJumps.Count; i++)
            {
                if (_loopJumps[i].Kind == LoopJumpKind.Continue)
                    PatchJump(node, _loopJumps[i].Label, continueLabel);
            }
        }

        int endLabel = _bc.EmitLabel();
        for (int i = oldJumps; i < _loopJumps.Count; i++)
        {
            if (_loopJumps[i].Kind == LoopJumpKind.Break)
                PatchJump(node, _loopJumps[i].Label, endLabel);
        }
        _loopJumps.RemoveRange(oldJumps, _loopJumps.Count - oldJumps);
        _loops.RemoveAt(_loops.Count - 1);

        _state.LocalConstants[variable] = Constant.Unknown;
        ConstantFolder.Undo(_state, _exprChanges, _localChanges);
    }
}
