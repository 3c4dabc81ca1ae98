using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>
/// Generates bytecode from an analysed syntax tree. Functions are compiled innermost first (so a closure's upvalues
/// are known when its parent creates it) and the main chunk last.
/// </summary>
/// <remarks>
/// Expressions compile into a target register chosen by the caller. Registers are a stack: locals take registers for
/// their scope, temporaries are taken above them and released by restoring <see cref="_regTop"/> when the construct
/// is done. Conditions compile to jumps rather than booleans, and jump lists are patched once targets are known.
/// </remarks>
internal sealed partial class CodeGenerator
{
    private const int MaxRegisters = 255;
    private const int MaxUpvalues = 200;
    private const int MaxLocals = 200;
    private const int MaxInstructions = 1_000_000_000;
    private const int NoRegister = 255;

    private readonly BytecodeBuilder _bc;
    private readonly CompilerState _state;
    private readonly int _optimizationLevel;
    private readonly int _debugLevel;
    private readonly int _coverageLevel;

    private readonly Dictionary<FunctionExpr, FunctionInfo> _functions = new(ReferenceEqualityComparer.Instance);
    private readonly LocalMap<LocalSlot> _locals = new();
    private readonly Dictionary<string, byte[]> _nameBytes = new(StringComparer.Ordinal);

    // State of the function being compiled.
    private int _regTop;
    private int _stackSize;
    private bool _hasLoops;
    private readonly List<AstLocal> _localStack = new(16);
    private readonly List<AstLocal> _upvalues = new(16);
    private readonly List<LoopJump> _loopJumps = [];
    private readonly List<LoopInfo> _loops = [];

    public CodeGenerator(BytecodeBuilder bc, CompilerState state, int optimizationLevel)
    {
        _bc = bc;
        _state = state;
        _optimizationLevel = optimizationLevel;
        _debugLevel = state.Options.DebugLevel;
        _coverageLevel = state.Options.CoverageLevel;
    }

    private struct LocalSlot
    {
        public byte Register;
        public bool Allocated;

        /// <summary>Captured by reference by a closure: leaving its scope must close the upvalue.</summary>
        public bool Captured;

        /// <summary>Where its live range starts, for debug information.</summary>
        public int DebugPc;
    }

    private sealed class FunctionInfo
    {
        public int Id;
        public AstLocal[] Upvalues = [];

        // O2 inlining information.
        public bool CanInline;
        public bool ReturnsOne;
        public int StackSize;
        public ulong CostModel;
    }

    private enum LoopJumpKind
    {
        Break,
        Continue,
    }

    private readonly record struct LoopJump(LoopJumpKind Kind, int Label);

    private sealed class LoopInfo(int localOffset)
    {
        /// <summary>Locals at and above this index belong to the loop and are closed by <c>break</c>.</summary>
        public int LocalOffset = localOffset;

        /// <summary>Locals at and above this index are closed by <c>continue</c>.</summary>
        public int LocalOffsetContinue = localOffset;

        /// <summary>The first <c>continue</c> in the loop body, for the repeat..until check.</summary>
        public ContinueStat? ContinueUsed;
    }

    // ---- functions ----

    /// <summary>Compiles <paramref name="func"/> and returns its function id in the builder.</summary>
    public int CompileFunction(FunctionExpr func, ProtoFlags flags, out ProtoFlags finalFlags)
    {
        int oldTop = _regTop;

        bool hasSelf = func.Self is not null;
        int numParams = (hasSelf ? 1 : 0) + func.Parameters.Length;
        int id = _bc.BeginFunction(numParams, func.IsVararg);

        SetDebugLine(func.Location);

        if (func.IsVararg)
            _bc.EmitAbc(OpCode.PrepVarargs, numParams, 0, 0);

        int args = AllocReg(func, numParams);
        if (func.Self is not null)
            PushLocal(func.Self, args);
        for (int i = 0; i < func.Parameters.Length; i++)
            PushLocal(func.Parameters[i], args + (hasSelf ? 1 : 0) + i);

        bool terminatesEarly = false;
        foreach (var stat in func.Body.Body)
        {
            CompileStat(stat);
            if (AlwaysTerminates(stat))
            {
                terminatesEarly = true;
                break;
            }
        }

        // Every function ends with a RETURN, unless all paths already return.
        if (!terminatesEarly)
        {
            SetDebugLineEnd(func.Body);
            CloseLocals(0);
            _bc.EmitAbc(OpCode.Return, 0, 1, 0);
        }

        // Constant folding removes reads of constant upvalues; debuggers still want to see them.
        if (_optimizationLevel >= 1 && _debugLevel >= 2)
            GatherConstantUpvalues(func);

        _bc.SetDebugFunctionLineDefined(func.Location.Begin.Line + 1);
        if (_debugLevel >= 1 && func.DebugName.Length > 0)
            _bc.SetDebugFunctionName(NameBytes(func.DebugName));
        if (_debugLevel >= 2)
        {
            foreach (var upvalue in _upvalues)
                _bc.PushDebugUpvalue(NameBytes(upvalue.Name));
        }

        if (_optimizationLevel >= 1)
            _bc.FoldJumps();
        _bc.ExpandJumps();

        PopLocals(0);

        if (_bc.InstructionCount > MaxInstructions)
            throw new CompileException(func.Location, "Exceeded function instruction limit; split the function into parts to compile");

        // Top-level code without loops runs once: native code generators may leave it alone.
        if (func.FunctionDepth == 0 && !_hasLoops)
            flags |= ProtoFlags.NativeCold;
        if (func.HasAttribute(AttributeKind.Native))
            flags |= ProtoFlags.NativeFunction;

        _bc.EndFunction(_stackSize, _upvalues.Count, flags);
        finalFlags = flags;

        var info = new FunctionInfo { Id = id, Upvalues = [.. _upvalues] };
        _functions[func] = info;
        if (_optimizationLevel >= 2)
            RecordInlineInfo(func, info);

        _upvalues.Clear();
        _stackSize = 0;
        _hasLoops = false;
        _regTop = oldTop;
        return id;
    }

    /// <summary>Adds upvalues for constant locals of enclosing functions that the body reads (debug level 2).</summary>
    private void GatherConstantUpvalues(FunctionExpr func)
    {
        var visitor = new ConstantUpvalueVisitor(this);
        func.Body.Accept(visitor);
        foreach (var local in visitor.Found)
            GetUpvalue(local);
    }

    private sealed class ConstantUpvalueVisitor(CodeGenerator owner) : AstVisitor
    {
        public List<AstLocal> Found { get; } = [];

        public override bool VisitNode(AstNode node)
        {
            StackGuard.Check(node);
            return true;
        }

        public override bool Visit(LocalExpr node)
        {
            if (node.IsUpvalue && owner.IsConstant(node))
                Found.Add(node.Local);
            return false;
        }

        public override bool Visit(FunctionExpr node) => false;
    }

    /// <summary>True when every path through <paramref name="node"/> ends in return, break or continue.</summary>
    private bool AlwaysTerminates(AstStat node)
    {
        switch (node)
        {
            case BlockStat block:
                foreach (var stat in block.Body)
                {
                    if (AlwaysTerminates(stat))
                        return true;
                }
                return false;
            case ReturnStat:
            case BreakStat:
            case ContinueStat:
                return true;
            case IfStat ifStat:
                if (IsConstantTrue(ifStat.Condition))
                    return AlwaysTerminates(ifStat.ThenBody);
                if (IsConstantFalse(ifStat.Condition) && ifStat.ElseBody is not null)
                    return AlwaysTerminates(ifStat.ElseBody);
                return ifStat.ElseBody is not null && AlwaysTerminates(ifStat.ThenBody) && AlwaysTerminates(ifStat.ElseBody);
            default:
                return false;
        }
    }

    // ---- registers, locals and upvalues ----

    private int AllocReg(AstNode node, int count)
    {
        int top = _regTop;
        if (top + count > MaxRegisters)
            throw new CompileException(node.Location, $"Out of registers when trying to allocate {count} registers: exceeded limit {MaxRegisters}");
        _regTop += count;
        _stackSize = Math.Max(_stackSize, _regTop);
        return top;
    }

    private void PushLocal(AstLocal local, int register)
    {
        if (_localStack.Count >= MaxLocals)
            throw new CompileException(local.Location, $"Out of local registers when trying to allocate {local.Name}: exceeded limit {MaxLocals}");
        _localStack.Add(local);
        ref var slot = ref _locals[local];
        slot.Register = (byte)register;
        slot.Allocated = true;
        slot.DebugPc = _bc.DebugPc;
    }

    /// <summary>Emits CLOSEUPVALS for the lowest captured register among the locals from <paramref name="start"/> on.</summary>
    private void CloseLocals(int start)
    {
        int captureReg = NoRegister;
        bool captured = false;
        for (int i = start; i < _localStack.Count; i++)
        {
            var slot = _locals.Get(_localStack[i]);
            if (slot.Captured)
            {
                captured = true;
                captureReg = Math.Min(captureReg, slot.Register);
            }
        }
        if (captured)
            _bc.EmitAbc(OpCode.CloseUpvals, captureReg, 0, 0);
    }

    private void PopLocals(int start)
    {
        for (int i = start; i < _localStack.Count; i++)
        {
            var local = _localStack[i];
            ref var slot = ref _locals[local];
            slot.Allocated = false;
            if (_debugLevel >= 2)
                _bc.PushDebugLocal(NameBytes(local.Name), slot.Register, slot.DebugPc, _bc.DebugPc);
        }
        _localStack.RemoveRange(start, _localStack.Count - start);
    }

    private bool AreLocalsCaptured(int start)
    {
        for (int i = start; i < _localStack.Count; i++)
        {
            if (_locals.Get(_localStack[i]).Captured)
                return true;
        }
        return false;
    }

    private int GetLocalReg(AstLocal local)
    {
        var slot = _locals.Get(local);
        return slot.Allocated ? slot.Register : -1;
    }

    /// <summary>The register of a local variable expression (through parentheses and type assertions), or -1.</summary>
    private int GetExprLocalReg(AstExpr node) => GetExprLocal(node) is { } local ? GetLocalReg(local.Local) : -1;

    private static LocalExpr? GetExprLocal(AstExpr node)
    {
        while (true)
        {
            switch (node)
            {
                case LocalExpr local:
                    return local;
                case GroupExpr group:
                    node = group.Expr;
                    break;
                case TypeAssertionExpr assertion:
                    node = assertion.Expr;
                    break;
                default:
                    return null;
            }
        }
    }

    /// <summary>The index of <paramref name="local"/> in the current function's upvalue list, adding it if new.</summary>
    private int GetUpvalue(AstLocal local)
    {
        for (int i = 0; i < _upvalues.Count; i++)
        {
            if (_upvalues[i] == local)
                return i;
        }

        if (_upvalues.Count >= MaxUpvalues)
            throw new CompileException(local.Location, $"Out of upvalue registers when trying to allocate {local.Name}: exceeded limit {MaxUpvalues}");

        // A captured local that is assigned lives in an upvalue box, which must be closed when its scope ends.
        if (_state.Variables.Get(local).Written)
            _locals[local].Captured = true;

        _upvalues.Add(local);
        return _upvalues.Count - 1;
    }

    // ---- constants ----

    private bool IsConstant(AstExpr node) => _state.Constants.TryGetValue(node, out var c) && c.IsKnown;

    private bool IsConstantTrue(AstExpr node) => _state.Constants.TryGetValue(node, out var c) && c.IsKnown && c.IsTruthy;

    private bool IsConstantFalse(AstExpr node) => _state.Constants.TryGetValue(node, out var c) && c.IsKnown && !c.IsTruthy;

    private Constant GetConstant(AstExpr node) => _state.Constants.TryGetValue(node, out var c) ? c : Constant.Unknown;

    private static void CheckConstant(int index, AstNode node)
    {
        if (index < 0)
            throw new CompileException(node.Location, "Exceeded constant limit; simplify the code to compile");
    }

    /// <summary>The constant index of a number-valued expression, or -1 if it is not a constant number.</summary>
    private int GetConstantNumber(AstExpr node)
    {
        var c = GetConstant(node);
        if (c.Type != ConstantType.Number)
            return -1;
        int index = _bc.AddConstantNumber(c.Number);
        CheckConstant(index, node);
        return index;
    }

    /// <summary>The constant index of a constant expression, or -1 if it is not constant.</summary>
    private int GetConstantIndex(AstExpr node)
    {
        var c = GetConstant(node);
        int index;
        switch (c.Type)
        {
            case ConstantType.Nil:
                index = _bc.AddConstantNil();
                break;
            case ConstantType.Boolean:
                index = _bc.AddConstantBoolean(c.Boolean);
                break;
            case ConstantType.Number:
                index = _bc.AddConstantNumber(c.Number);
                break;
            case ConstantType.Integer:
                index = _bc.AddConstantInteger(c.Integer);
                break;
            case ConstantType.Vector:
                index = _bc.AddConstantVector(c.X, c.Y, c.Z, c.W);
                break;
            case ConstantType.String:
                index = _bc.AddConstantString(c.String!);
                break;
            default:
                return -1;
        }
        CheckConstant(index, node);
        return index;
    }

    private int AddString(byte[] value, AstNode node)
    {
        int index = _bc.AddConstantString(value);
        CheckConstant(index, node);
        return index;
    }

    private void EmitLoadK(int target, int constant)
    {
        if (constant < 32768)
        {
            _bc.EmitAd(OpCode.LoadK, target, constant);
        }
        else
        {
            _bc.EmitAd(OpCode.LoadKx, target, 0);
            _bc.EmitAux((uint)constant);
        }
    }

    private byte[] NameBytes(string name)
    {
        if (!_nameBytes.TryGetValue(name, out var bytes))
        {
            bytes = CompilerState.BytesOf(name);
            _nameBytes.Add(name, bytes);
        }
        return bytes;
    }

    private static int StringHash(byte[] name) => (int)(BytecodeBuilder.GetStringHash(name) & 0xFF);

    // ---- debug lines and coverage ----

    private void SetDebugLine(Location location)
    {
        if (_debugLevel >= 1)
            _bc.SetDebugLine(location.Begin.Line + 1);
    }

    private void SetDebugLine(AstNode node) => SetDebugLine(node.Location);

    private void SetDebugLineEnd(AstNode node)
    {
        if (_debugLevel >= 1)
            _bc.SetDebugLine(node.Location.End.Line + 1);
    }

    // ---- jumps ----

    private void PatchJump(AstNode node, int label, int target)
    {
        if (!_bc.PatchJumpD(label, target))
            throw new CompileException(node.Location, "Exceeded jump distance limit; simplify the code to compile");
    }

    private void PatchJumps(AstNode node, List<int> labels, int target)
    {
        foreach (int label in labels)
            PatchJump(node, label, target);
    }

    private void PatchLoopJumps(AstNode node, int oldJumps, int endLabel, int continueLabel)
    {
        for (int i = oldJumps; i < _loopJumps.Count; i++)
        {
            var jump = _loopJumps[i];
            PatchJump(node, jump.Label, jump.Kind == LoopJumpKind.Break ? endLabel : continueLabel);
        }
    }
}
