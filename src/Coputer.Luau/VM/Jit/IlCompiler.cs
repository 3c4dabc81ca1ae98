using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Coputer.Luau.Bytecode;
using static Coputer.Luau.Bytecode.Instruction;
using OpCode = Coputer.Luau.Bytecode.OpCode;
using Ops = Coputer.Luau.VM.Interpreter.JitOps;

namespace Coputer.Luau.VM.Jit;

/// <summary>
/// Compiles one function's bytecode to a <see cref="DynamicMethod"/> (see <see cref="IlTier"/> for the contract).
/// </summary>
/// <remarks>
/// The method's arguments are the proto (bound as the delegate's target), the thread, the closure, the stack index
/// of register 0 and the instruction to start at. It keeps a managed pointer to register 0 and one to constant 0,
/// and addresses registers and constants from them. Block starts (jump targets and the instructions after jumps,
/// calls and returns) are its entries, reached through a switch on the start index.
/// Within a block it remembers which registers it knows to hold numbers, with their values in IL locals: such a
/// register needs no type check and no load. Every store still goes to the register file, so handing over to the
/// interpreter needs no spilling.
/// </remarks>
internal sealed class IlCompiler
{
    private static readonly int s_valueSize = Unsafe.SizeOf<LuauValue>();
    private const BindingFlags Any = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly FieldInfo s_type = typeof(LuauValue).GetField("Type_", Any)!;
    private static readonly FieldInfo s_number = typeof(LuauValue).GetField("N", Any)!;
    private static readonly ConstructorInfo s_numberCtor = typeof(LuauValue).GetConstructor([typeof(double)])!;
    private static readonly FieldInfo s_stack = typeof(LuauThread).GetField("Stack", Any)!;
    private static readonly FieldInfo s_threadState = typeof(LuauThread).GetField("State", Any)!;
    private static readonly FieldInfo s_countdown = typeof(LuauState).GetField("Countdown", Any)!;
    private static readonly FieldInfo s_protoK = typeof(Proto).GetField("K", Any)!;
    private static readonly FieldInfo s_protoCode = typeof(Proto).GetField("Code", Any)!;
    private static readonly MethodInfo s_floor = typeof(Math).GetMethod(nameof(Math.Floor), [typeof(double)])!;
    private static readonly MethodInfo s_ceiling = typeof(Math).GetMethod(nameof(Math.Ceiling), [typeof(double)])!;
    private static readonly MethodInfo s_sqrt = typeof(Math).GetMethod(nameof(Math.Sqrt), [typeof(double)])!;
    private static readonly MethodInfo s_abs = typeof(Math).GetMethod(nameof(Math.Abs), [typeof(double)])!;

    private static MethodInfo Op(string name) => typeof(Ops).GetMethod(name, Any) ?? throw new InvalidOperationException("no helper " + name);

    private readonly Proto _p;
    private readonly uint[] _code;
    private readonly ILGenerator _il;
    private readonly Label?[] _labels;
    private readonly bool[] _leader;
    private readonly Dictionary<int, Label> _exits = [];
    private readonly LocalBuilder _r;
    private readonly LocalBuilder? _k;
    private readonly LocalBuilder _state;
    private readonly LocalBuilder _flag;
    private readonly LocalBuilder _number;
    private readonly LocalBuilder?[] _numbers = new LocalBuilder?[256];
    private readonly bool[] _known = new bool[256];

    /// <summary>
    /// For each block start, the registers every way into the block leaves as numbers in their locals (from the
    /// previous pass; null: none). Branches, fall-throughs and entries from the interpreter that do not know one of
    /// them check and load it on the way in, or hand the block to the interpreter if it is not a number.
    /// </summary>
    private readonly bool[]?[] _knownIn;

    /// <summary>What this pass saw: for each block start, the registers known on every branch or fall-through into it.</summary>
    private readonly bool[]?[] _edgeKnown;

    /// <summary>Whether code emitted now can be reached (false after an unconditional branch, until the next label).</summary>
    private bool _reachable = true;

    /// <summary>Ways into blocks that must check registers first: the stub, the block, and the registers.</summary>
    private readonly List<(Label Stub, int Target, int[] Registers)> _stubs = [];

    /// <summary>Registers some closure shares through an upvalue box: code called from here may write them.</summary>
    private readonly bool[] _shared = new bool[256];

    private IlCompiler(Proto p, ILGenerator il, bool[]?[]? knownIn)
    {
        _p = p;
        // A snapshot: other states running the same chunk may patch hints into the shared array meanwhile, but
        // never opcodes or operands other than those hints, which the compiled code reads at run time.
        _code = (uint[])p.Code.Clone();
        _il = il;
        _labels = new Label?[_code.Length + 1];
        _leader = new bool[_code.Length + 1];
        _knownIn = knownIn ?? new bool[]?[_code.Length + 1];
        _edgeKnown = new bool[]?[_code.Length + 1];
        _r = il.DeclareLocal(typeof(LuauValue).MakeByRefType());
        if (p.K.Length > 0)
            _k = il.DeclareLocal(typeof(LuauValue).MakeByRefType());
        _state = il.DeclareLocal(typeof(LuauState));
        _flag = il.DeclareLocal(typeof(int));
        _number = il.DeclareLocal(typeof(double));
    }

    /// <summary>Compiles <paramref name="p"/>.</summary>
    public static CompiledCode Compile(Proto p)
    {
        // What the blocks may assume on the way in: first nothing; then, pass by pass, what every way into each
        // block knew in the pass before, until that settles (a few passes; the last is the one kept). Any choice is
        // correct (the ways in check what they do not know); a settled one needs no checks but at entries.
        bool[]?[]? knownIn = null;
        for (int pass = 0; pass < MaxPasses; pass++)
        {
            var trial = new IlCompiler(p, NewMethod(p).GetILGenerator(Math.Max(256, p.Code.Length * 48)), knownIn);
            trial.Emit();
            if (knownIn is not null && Same(knownIn, trial._edgeKnown))
                break;
            knownIn = trial._edgeKnown;
        }
        var method = NewMethod(p);
        var compiler = new IlCompiler(p, method.GetILGenerator(Math.Max(256, p.Code.Length * 48)), knownIn);
        compiler.Emit();
        return (CompiledCode)method.CreateDelegate(typeof(CompiledCode), p);
    }

    /// <summary>How many passes may look for what blocks know on the way in, before the one that is kept.</summary>
    private const int MaxPasses = 4;

    private static DynamicMethod NewMethod(Proto p) =>
        new("luau:" + (p.DebugName?.ToString() ?? "anonymous") + ":" + p.LineDefined, typeof(int),
            [typeof(Proto), typeof(LuauThread), typeof(LuauClosure), typeof(int), typeof(int), typeof(int)], typeof(IlCompiler).Module, skipVisibility: true);

    private static bool Same(bool[]?[] x, bool[]?[] y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] is null != y[i] is null || (x[i] is { } a && !a.AsSpan().SequenceEqual(y[i])))
                return false;
        }
        return true;
    }

    // Arguments (argument 0 is the proto).
    private const byte ArgThread = 1, ArgClosure = 2, ArgBase = 3, ArgPc = 4, ArgDepth = 5;

    private void Emit()
    {
        FindLeaders();
        var il = _il;
        // An index below 0 returns at once (the warm-up call made after compiling).
        var start = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_S, ArgPc);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Bge, start);
        il.Emit(OpCodes.Ldarg_S, ArgPc);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(start);
        // R = ref L.Stack[bse]; K = ref p.K[0]; state = L.State
        il.Emit(OpCodes.Ldarg_S, ArgThread);
        il.Emit(OpCodes.Ldfld, s_stack);
        il.Emit(OpCodes.Ldarg_S, ArgBase);
        il.Emit(OpCodes.Ldelema, typeof(LuauValue));
        il.Emit(OpCodes.Stloc, _r);
        if (_k is not null)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, s_protoK);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ldelema, typeof(LuauValue));
            il.Emit(OpCodes.Stloc, _k);
        }
        il.Emit(OpCodes.Ldarg_S, ArgThread);
        il.Emit(OpCodes.Ldfld, s_threadState);
        il.Emit(OpCodes.Stloc, _state);

        // The entry switch: block starts go to their code, any other index back to the interpreter.
        var notEntry = il.DefineLabel();
        var table = new Label[_code.Length];
        for (int pc = 0; pc < _code.Length; pc++)
            table[pc] = _leader[pc] ? EntryFromInterpreter(pc) : notEntry;
        il.Emit(OpCodes.Ldarg_S, ArgPc);
        il.Emit(OpCodes.Switch, table);
        il.MarkLabel(notEntry);
        il.Emit(OpCodes.Ldarg_S, ArgPc);
        il.Emit(OpCodes.Ret);

        for (int pc = 0; pc < _code.Length;)
        {
            var op = (OpCode)(byte)_code[pc];
            if (_leader[pc])
                StartBlock(pc);
            EmitInstruction(pc, op);
            pc += Length(op);
        }
        // Falling off the end cannot happen in verified code; hand it to the interpreter anyway.
        il.MarkLabel(LabelAt(_code.Length));
        il.Emit(OpCodes.Ldc_I4, _code.Length);
        il.Emit(OpCodes.Ret);
        foreach (var (stub, target, registers) in _stubs)
        {
            il.MarkLabel(stub);
            foreach (int r in registers)
                LoadChecked(r, ExitAt(target));
            il.Emit(OpCodes.Br, LabelAt(target));
        }
        foreach (var (pc, label) in _exits)
        {
            il.MarkLabel(label);
            il.Emit(OpCodes.Ldc_I4, pc);
            il.Emit(OpCodes.Ret);
        }
    }

    /// <summary>Marks block starts: the first instruction, jump targets, and the instructions after control transfers.</summary>
    private void FindLeaders()
    {
        _leader[0] = true;
        for (int pc = 0; pc < _code.Length;)
        {
            uint insn = _code[pc];
            var op = (OpCode)(byte)insn;
            if (op == OpCode.Capture && (CaptureKind)A(insn) == CaptureKind.Reference)
                _shared[B(insn)] = true;
            int next = pc + Length(op);
            int? target = null;
            bool transfer = true;
            switch (op)
            {
                case OpCode.Jump or OpCode.JumpBack or OpCode.JumpIf or OpCode.JumpIfNot
                    or OpCode.ForNPrep or OpCode.ForNLoop or OpCode.ForGPrep or OpCode.ForGPrepINext or OpCode.ForGPrepNext
                    or OpCode.JumpIfEq or OpCode.JumpIfNotEq or OpCode.JumpIfLt or OpCode.JumpIfNotLt or OpCode.JumpIfLe or OpCode.JumpIfNotLe
                    or OpCode.JumpXEqKNil or OpCode.JumpXEqKB or OpCode.JumpXEqKN or OpCode.JumpXEqKS or OpCode.ForGLoop:
                    target = pc + 1 + D(insn);
                    break;
                case OpCode.JumpX:
                    target = pc + 1 + E(insn);
                    break;
                case OpCode.LoadB:
                    if (C(insn) != 0)
                        target = pc + 1 + C(insn);
                    else
                        transfer = false;
                    break;
                case OpCode.FastCall or OpCode.FastCall1 or OpCode.FastCall2 or OpCode.FastCall2K or OpCode.FastCall3:
                    target = pc + 1 + C(insn) + 1;
                    break;
                case OpCode.Call or OpCode.Return or OpCode.NameCall or OpCode.PrepVarargs:
                    break;
                default:
                    transfer = false;
                    break;
            }
            if (target is int t && (uint)t <= (uint)_code.Length)
                _leader[t] = true;
            if (transfer && next <= _code.Length)
                _leader[next] = true;
            pc = next;
        }
    }

    private Label LabelAt(int pc) => _labels[pc] ??= _il.DefineLabel();

    /// <summary>The registers block <paramref name="target"/> assumes known that are not known here.</summary>
    private int[] Missing(int target)
    {
        if (_knownIn[target] is not { } need)
            return [];
        var missing = new List<int>();
        for (int r = 0; r < need.Length; r++)
        {
            if (need[r] && !_known[r])
                missing.Add(r);
        }
        return [.. missing];
    }

    /// <summary>Notes what is known on a way into block <paramref name="target"/> (for the next pass).</summary>
    private void NoteEdge(int target)
    {
        if (!_reachable)
            return;
        if (_edgeKnown[target] is not { } seen)
            _edgeKnown[target] = (bool[])_known.Clone();
        else
        {
            for (int r = 0; r < seen.Length; r++)
                seen[r] &= _known[r];
        }
    }

    /// <summary>The label to branch to for block <paramref name="target"/>: the block, or a stub that first checks and loads what it assumes and this point does not know.</summary>
    private Label Edge(int target)
    {
        if (!_leader[target])
            throw new InvalidOperationException($"internal error: a branch to instruction {target}, which starts no block");
        NoteEdge(target);
        int[] missing = Missing(target);
        if (missing.Length == 0)
            return LabelAt(target);
        var stub = _il.DefineLabel();
        _stubs.Add((stub, target, missing));
        return stub;
    }

    /// <summary>Where the interpreter enters block <paramref name="pc"/>: checks and loads what the block assumes.</summary>
    private Label EntryFromInterpreter(int pc)
    {
        if (_knownIn[pc] is null || !_knownIn[pc]!.Contains(true))
            return LabelAt(pc);
        var stub = _il.DefineLabel();
        var need = _knownIn[pc]!;
        var registers = new List<int>();
        for (int r = 0; r < need.Length; r++)
        {
            if (need[r])
                registers.Add(r);
        }
        _stubs.Add((stub, pc, [.. registers]));
        return stub;
    }

    /// <summary>Starts block <paramref name="pc"/>: a fall-through into it checks what it does not know, then the block knows what it assumes.</summary>
    private void StartBlock(int pc)
    {
        if (_reachable)
        {
            NoteEdge(pc);
            foreach (int r in Missing(pc))
                LoadChecked(r, ExitAt(pc));
        }
        _il.MarkLabel(LabelAt(pc));
        _reachable = true;
        if (_knownIn[pc] is { } need)
            Array.Copy(need, _known, _known.Length);
        else
            Forget();
    }

    /// <summary>Loads register <paramref name="r"/> into its local, going to <paramref name="fail"/> if it is not a number (does not change what is known).</summary>
    private void LoadChecked(int r, Label fail)
    {
        Reg(r);
        _il.Emit(OpCodes.Ldfld, s_type);
        _il.Emit(OpCodes.Ldc_I4, (int)LuauType.Number);
        _il.Emit(OpCodes.Bne_Un, fail);
        Reg(r);
        _il.Emit(OpCodes.Ldfld, s_number);
        _il.Emit(OpCodes.Stloc, NumberLocal(r));
    }

    /// <summary>Code after here is reached only through a label.</summary>
    private void Unreachable() => _reachable = false;

    /// <summary>After code that may run other functions: those can write only the registers shared through upvalues.</summary>
    private void ForgetShared()
    {
        for (int r = 0; r < _shared.Length; r++)
        {
            if (_shared[r])
                _known[r] = false;
        }
    }

    private Label ExitAt(int pc)
    {
        if (!_exits.TryGetValue(pc, out var label))
        {
            label = _il.DefineLabel();
            _exits[pc] = label;
        }
        return label;
    }

    private void Forget() => Array.Clear(_known);

    // ---- operands ----

    /// <summary>Pushes the address of register <paramref name="r"/>.</summary>
    private void Reg(int r)
    {
        _il.Emit(OpCodes.Ldloc, _r);
        if (r != 0)
        {
            _il.Emit(OpCodes.Ldc_I4, r * s_valueSize);
            _il.Emit(OpCodes.Add);
        }
    }

    /// <summary>Pushes the address of constant <paramref name="i"/>.</summary>
    private void Konst(int i)
    {
        _il.Emit(OpCodes.Ldloc, _k!);
        if (i != 0)
        {
            _il.Emit(OpCodes.Ldc_I4, i * s_valueSize);
            _il.Emit(OpCodes.Add);
        }
    }

    private LocalBuilder NumberLocal(int r) => _numbers[r] ??= _il.DeclareLocal(typeof(double));

    /// <summary>Jumps to <paramref name="fail"/> unless register <paramref name="r"/> holds a number; then its value is in its local.</summary>
    private void CheckNumber(int r, Label fail)
    {
        if (_known[r])
            return;
        Reg(r);
        _il.Emit(OpCodes.Ldfld, s_type);
        _il.Emit(OpCodes.Ldc_I4, (int)LuauType.Number);
        _il.Emit(OpCodes.Bne_Un, fail);
        Reg(r);
        _il.Emit(OpCodes.Ldfld, s_number);
        _il.Emit(OpCodes.Stloc, NumberLocal(r));
        _known[r] = true;
    }

    /// <summary>Pushes the number in register <paramref name="r"/> (checked by <see cref="CheckNumber"/>).</summary>
    private void LoadNumber(int r) => _il.Emit(OpCodes.Ldloc, _numbers[r]!);

    /// <summary>Stores the number on the evaluation stack into register <paramref name="r"/>.</summary>
    private void StoreNumber(int r)
    {
        var local = NumberLocal(r);
        _il.Emit(OpCodes.Stloc, local);
        Reg(r);
        _il.Emit(OpCodes.Ldloc, local);
        _il.Emit(OpCodes.Call, s_numberCtor);
        _known[r] = true;
    }

    /// <summary>The register was written with something that may not be a number.</summary>
    private void Clobber(int r) => _known[r] = false;

    /// <summary>The number constant <paramref name="i"/>, or null if it is not a number.</summary>
    private double? NumberConstant(int i) => _p.K[i].Type_ == LuauType.Number ? _p.K[i].N : null;

    private void Call(string helper) => _il.Emit(OpCodes.Call, Op(helper));

    /// <summary>Charges a safepoint's <paramref name="weight"/>, or hands the instruction to the interpreter when the countdown would run out (it charges it then).</summary>
    private void Budget(int pc, int weight)
    {
        var il = _il;
        il.Emit(OpCodes.Ldloc, _state);
        il.Emit(OpCodes.Ldfld, s_countdown);
        il.Emit(OpCodes.Ldc_I4, weight);
        il.Emit(OpCodes.Sub);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, _flag);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ble, ExitAt(pc));
        il.Emit(OpCodes.Ldloc, _state);
        il.Emit(OpCodes.Ldloc, _flag);
        il.Emit(OpCodes.Stfld, s_countdown);
    }

    private static int JumpWeight(int d) => ((d >> 31) ^ d) + 1;

    // ---- instructions ----

    private void EmitInstruction(int pc, OpCode op)
    {
        var il = _il;
        uint insn = _code[pc];
        int a = A(insn), b = B(insn), c = C(insn);
        switch (op)
        {
            case OpCode.Nop:
            case OpCode.Capture:
                break;

            case OpCode.LoadNil:
                Reg(a);
                Call(nameof(Ops.SetNil));
                Clobber(a);
                break;

            case OpCode.LoadB:
                Reg(a);
                il.Emit(OpCodes.Ldc_I4, b != 0 ? 1 : 0);
                Call(nameof(Ops.SetBool));
                Clobber(a);
                if (c != 0)
                {
                    il.Emit(OpCodes.Br, Edge(pc + 1 + c));
                    Unreachable();
                }
                break;

            case OpCode.LoadN:
                il.Emit(OpCodes.Ldc_R8, (double)D(insn));
                StoreNumber(a);
                break;

            case OpCode.LoadK:
                {
                    int kd = D(insn);
                    if (NumberConstant(kd) is double kn)
                    {
                        il.Emit(OpCodes.Ldc_R8, kn);
                        StoreNumber(a);
                    }
                    else
                    {
                        Reg(a);
                        Konst(kd);
                        Call(nameof(Ops.Copy));
                        Clobber(a);
                    }
                    break;
                }

            case OpCode.Move:
                if (_known[b])
                {
                    LoadNumber(b);
                    StoreNumber(a);
                }
                else
                {
                    Reg(a);
                    Reg(b);
                    Call(nameof(Ops.Copy));
                    Clobber(a);
                }
                break;

            case OpCode.GetUpval:
                Reg(a);
                il.Emit(OpCodes.Ldarg_S, ArgClosure);
                il.Emit(OpCodes.Ldc_I4, b);
                Call(nameof(Ops.GetUpval));
                Clobber(a);
                break;

            case OpCode.SetUpval:
                Reg(a);
                il.Emit(OpCodes.Ldarg_S, ArgClosure);
                il.Emit(OpCodes.Ldc_I4, b);
                Call(nameof(Ops.SetUpval));
                break;

            case OpCode.GetImport:
                Reg(a);
                il.Emit(OpCodes.Ldarg_S, ArgClosure);
                Konst(D(insn));
                Call(nameof(Ops.GetImport));
                OrSlow(() =>
                {
                    EmitThreadClosureBase();
                    il.Emit(OpCodes.Ldc_I4, a);
                    il.Emit(OpCodes.Ldc_I4, (int)_code[pc + 1]);
                    il.Emit(OpCodes.Ldc_I4, pc + 2);
                    Call(nameof(Ops.ImportSlow));
                });
                Clobber(a);
                break;

            case OpCode.GetGlobal:
                Reg(a);
                il.Emit(OpCodes.Ldarg_S, ArgClosure);
                Konst((int)_code[pc + 1]);
                EmitCode();
                il.Emit(OpCodes.Ldc_I4, pc);
                Call(nameof(Ops.GetGlobal));
                OrSlow(() =>
                {
                    EmitThreadClosureBase();
                    il.Emit(OpCodes.Ldc_I4, a);
                    KonstValue((int)_code[pc + 1]);
                    EmitCode();
                    il.Emit(OpCodes.Ldc_I4, pc);
                    Call(nameof(Ops.GetGlobalSlow));
                });
                Clobber(a);
                break;

            case OpCode.SetGlobal:
                Reg(a);
                il.Emit(OpCodes.Ldarg_S, ArgClosure);
                Konst((int)_code[pc + 1]);
                EmitCode();
                il.Emit(OpCodes.Ldc_I4, pc);
                Call(nameof(Ops.SetGlobal));
                OrSlow(() =>
                {
                    il.Emit(OpCodes.Ldarg_S, ArgThread);
                    il.Emit(OpCodes.Ldarg_S, ArgClosure);
                    KonstValue((int)_code[pc + 1]);
                    RegValue(a);
                    EmitCode();
                    il.Emit(OpCodes.Ldc_I4, pc);
                    Call(nameof(Ops.SetGlobalSlow));
                });
                break;

            case OpCode.GetTable:
                Reg(a);
                Reg(b);
                Reg(c);
                Call(nameof(Ops.GetTable));
                OrSlow(() =>
                {
                    EmitThreadBase();
                    il.Emit(OpCodes.Ldc_I4, a);
                    RegValue(b);
                    RegValue(c);
                    il.Emit(OpCodes.Ldnull);
                    il.Emit(OpCodes.Ldc_I4_0);
                    il.Emit(OpCodes.Ldc_I4, pc + 1);
                    Call(nameof(Ops.GetSlow));
                });
                Clobber(a);
                break;

            case OpCode.SetTable:
                Reg(a);
                Reg(b);
                Reg(c);
                Call(nameof(Ops.SetTable));
                OrSlow(() =>
                {
                    il.Emit(OpCodes.Ldarg_S, ArgThread);
                    RegValue(b);
                    RegValue(c);
                    RegValue(a);
                    il.Emit(OpCodes.Ldc_I4, pc + 1);
                    Call(nameof(Ops.SetTableSlowPath));
                });
                break;

            case OpCode.GetTableN:
                Reg(a);
                Reg(b);
                il.Emit(OpCodes.Ldc_I4, c + 1);
                Call(nameof(Ops.GetTableN));
                OrSlow(() =>
                {
                    EmitThreadBase();
                    il.Emit(OpCodes.Ldc_I4, a);
                    RegValue(b);
                    il.Emit(OpCodes.Ldc_I4, c + 1);
                    il.Emit(OpCodes.Ldc_I4, pc + 1);
                    Call(nameof(Ops.GetSlowN));
                });
                Clobber(a);
                break;

            case OpCode.SetTableN:
                Reg(a);
                Reg(b);
                il.Emit(OpCodes.Ldc_I4, c + 1);
                Call(nameof(Ops.SetTableN));
                OrSlow(() =>
                {
                    il.Emit(OpCodes.Ldarg_S, ArgThread);
                    RegValue(b);
                    il.Emit(OpCodes.Ldc_I4, c + 1);
                    RegValue(a);
                    il.Emit(OpCodes.Ldc_I4, pc + 1);
                    Call(nameof(Ops.SetTableNSlowPath));
                });
                break;

            case OpCode.GetTableKs:
                Reg(a);
                Reg(b);
                Konst((int)_code[pc + 1]);
                EmitCode();
                il.Emit(OpCodes.Ldc_I4, pc);
                Call(nameof(Ops.GetTableKs));
                OrSlow(() =>
                {
                    EmitThreadBase();
                    il.Emit(OpCodes.Ldc_I4, a);
                    RegValue(b);
                    KonstValue((int)_code[pc + 1]);
                    EmitCode();
                    il.Emit(OpCodes.Ldc_I4, pc);
                    il.Emit(OpCodes.Ldc_I4, pc + 2);
                    Call(nameof(Ops.GetSlow));
                });
                Clobber(a);
                break;

            case OpCode.SetTableKs:
                Reg(a);
                Reg(b);
                Konst((int)_code[pc + 1]);
                EmitCode();
                il.Emit(OpCodes.Ldc_I4, pc);
                Call(nameof(Ops.SetTableKs));
                OrSlow(() =>
                {
                    il.Emit(OpCodes.Ldarg_S, ArgThread);
                    RegValue(b);
                    KonstValue((int)_code[pc + 1]);
                    RegValue(a);
                    EmitCode();
                    il.Emit(OpCodes.Ldc_I4, pc);
                    il.Emit(OpCodes.Ldc_I4, pc + 2);
                    Call(nameof(Ops.SetSlow));
                });
                break;

            case OpCode.NameCall:
                il.Emit(OpCodes.Ldloc, _state);
                Reg(a);
                Reg(b);
                Konst((int)_code[pc + 1]);
                EmitCode();
                il.Emit(OpCodes.Ldc_I4, pc);
                Call(nameof(Ops.NameCall));
                OrSlow(() =>
                {
                    EmitThreadBase();
                    il.Emit(OpCodes.Ldc_I4, a);
                    RegValue(b);
                    KonstValue((int)_code[pc + 1]);
                    EmitCode();
                    il.Emit(OpCodes.Ldc_I4, pc);
                    Call(nameof(Ops.NameCallSlowPath));
                });
                Clobber(a);
                Clobber(a + 1);
                break;

            case OpCode.Jump:
                il.Emit(OpCodes.Br, Edge(pc + 1 + D(insn)));
                Unreachable();
                break;

            case OpCode.JumpBack:
                Budget(pc, JumpWeight(D(insn)));
                il.Emit(OpCodes.Br, Edge(pc + 1 + D(insn)));
                Unreachable();
                break;

            case OpCode.JumpX:
                Budget(pc, JumpWeight(E(insn)));
                il.Emit(OpCodes.Br, Edge(pc + 1 + E(insn)));
                Unreachable();
                break;

            case OpCode.JumpIf:
            case OpCode.JumpIfNot:
                {
                    int target = pc + 1 + D(insn);
                    if (_known[a])
                    {
                        // A number is truthy.
                        if (op == OpCode.JumpIf)
                        {
                            il.Emit(OpCodes.Br, Edge(target));
                            Unreachable();
                        }
                        break;
                    }
                    Reg(a);
                    Call(nameof(Ops.IsTruthy));
                    il.Emit(op == OpCode.JumpIf ? OpCodes.Brtrue : OpCodes.Brfalse, Edge(target));
                    break;
                }

            case OpCode.JumpIfEq:
            case OpCode.JumpIfNotEq:
                {
                    int rb = (int)_code[pc + 1];
                    int target = pc + 1 + D(insn);
                    if (_known[a] && _known[rb])
                    {
                        LoadNumber(a);
                        LoadNumber(rb);
                        il.Emit(op == OpCode.JumpIfEq ? OpCodes.Beq : OpCodes.Bne_Un, Edge(target));
                        break;
                    }
                    Reg(a);
                    Reg(rb);
                    Call(nameof(Ops.Equal));
                    il.Emit(OpCodes.Dup);
                    il.Emit(OpCodes.Stloc, _flag);
                    il.Emit(OpCodes.Ldc_I4_M1);
                    var compared = il.DefineLabel();
                    il.Emit(OpCodes.Bne_Un, compared);
                    // Tables and userdata: __eq, as the interpreter runs it.
                    il.Emit(OpCodes.Ldarg_S, ArgThread);
                    RegValue(a);
                    RegValue(rb);
                    il.Emit(OpCodes.Ldc_I4, pc + 1);
                    Call(nameof(Ops.EqualSlow));
                    il.Emit(OpCodes.Stloc, _flag);
                    EmitLoadBase();
                    il.MarkLabel(compared);
                    ForgetShared();
                    il.Emit(OpCodes.Ldloc, _flag);
                    il.Emit(op == OpCode.JumpIfEq ? OpCodes.Brtrue : OpCodes.Brfalse, Edge(target));
                    break;
                }

            case OpCode.JumpIfLt:
            case OpCode.JumpIfNotLt:
            case OpCode.JumpIfLe:
            case OpCode.JumpIfNotLe:
                {
                    int rb = (int)_code[pc + 1];
                    int target = pc + 1 + D(insn);
                    bool lessThan = op is OpCode.JumpIfLt or OpCode.JumpIfNotLt;
                    bool jumpIfTrue = op is OpCode.JumpIfLt or OpCode.JumpIfLe;
                    bool slowPath = !(_known[a] && _known[rb]);
                    var before = (bool[])_known.Clone();
                    var slow = il.DefineLabel();
                    var next = il.DefineLabel();
                    CheckNumber(a, slow);
                    CheckNumber(rb, slow);
                    LoadNumber(a);
                    LoadNumber(rb);
                    var branch = op switch
                    {
                        OpCode.JumpIfLt => OpCodes.Blt,
                        // !(a < b), true for NaN: branch if a >= b or unordered.
                        OpCode.JumpIfNotLt => OpCodes.Bge_Un,
                        OpCode.JumpIfLe => OpCodes.Ble,
                        _ => OpCodes.Bgt_Un,
                    };
                    il.Emit(branch, Edge(target));
                    if (!slowPath)
                        break;
                    il.Emit(OpCodes.Br, next);
                    // Anything but two numbers: the interpreter's comparison (strings, __lt, __le, errors).
                    il.MarkLabel(slow);
                    Array.Copy(before, _known, _known.Length);
                    il.Emit(OpCodes.Ldarg_S, ArgThread);
                    RegValue(a);
                    RegValue(rb);
                    il.Emit(OpCodes.Ldc_I4, pc + 1);
                    Call(lessThan ? nameof(Ops.LessSlow) : nameof(Ops.LessEqualSlow));
                    il.Emit(OpCodes.Stloc, _flag);
                    EmitLoadBase();
                    ForgetShared();
                    il.Emit(OpCodes.Ldloc, _flag);
                    il.Emit(jumpIfTrue ? OpCodes.Brtrue : OpCodes.Brfalse, Edge(target));
                    il.MarkLabel(next);
                    // Only what both paths know.
                    for (int r = 0; r < _known.Length; r++)
                        _known[r] &= before[r];
                    ForgetShared();
                    break;
                }

            case OpCode.JumpXEqKNil:
            case OpCode.JumpXEqKB:
            case OpCode.JumpXEqKN:
            case OpCode.JumpXEqKS:
                {
                    uint aux = _code[pc + 1];
                    bool not = (aux >> 31) != 0;
                    switch (op)
                    {
                        case OpCode.JumpXEqKNil:
                            Reg(a);
                            Call(nameof(Ops.IsNil));
                            break;
                        case OpCode.JumpXEqKB:
                            Reg(a);
                            il.Emit(OpCodes.Ldc_I4, (int)aux);
                            Call(nameof(Ops.EqualsBoolean));
                            break;
                        case OpCode.JumpXEqKN:
                            {
                                // eq = ra is a number equal to the constant.
                                bool wasKnown = _known[a];
                                var notNumber = il.DefineLabel();
                                var done = il.DefineLabel();
                                CheckNumber(a, notNumber);
                                LoadNumber(a);
                                il.Emit(OpCodes.Ldc_R8, _p.K[aux & 0xFFFFFF].N);
                                il.Emit(OpCodes.Ceq);
                                il.Emit(OpCodes.Br, done);
                                il.MarkLabel(notNumber);
                                il.Emit(OpCodes.Ldc_I4_0);
                                il.MarkLabel(done);
                                // The number check was on one path only.
                                _known[a] = wasKnown;
                                break;
                            }
                        default:
                            Reg(a);
                            Konst((int)(aux & 0xFFFFFF));
                            Call(nameof(Ops.EqualsString));
                            break;
                    }
                    il.Emit(not ? OpCodes.Brfalse : OpCodes.Brtrue, Edge(pc + 1 + D(insn)));
                    break;
                }

            case OpCode.Add:
            case OpCode.Sub:
            case OpCode.Mul:
            case OpCode.Div:
            case OpCode.Mod:
            case OpCode.IDiv:
            case OpCode.Pow:
                EmitArithmetic(pc, op, a, [b, c], slow =>
                {
                    CheckNumber(b, slow);
                    CheckNumber(c, slow);
                    EmitArith(op, () => LoadNumber(b), () => LoadNumber(c), null);
                }, () =>
                {
                    RegValue(b);
                    RegValue(c);
                });
                break;

            case OpCode.AddK:
            case OpCode.SubK:
            case OpCode.MulK:
            case OpCode.DivK:
            case OpCode.ModK:
            case OpCode.IDivK:
            case OpCode.PowK:
                {
                    if (NumberConstant(c) is not double kc)
                    {
                        il.Emit(OpCodes.Br, ExitAt(pc));
                        Unreachable();
                        break;
                    }
                    EmitArithmetic(pc, op, a, [b], slow =>
                    {
                        CheckNumber(b, slow);
                        EmitArith(op, () => LoadNumber(b), () => il.Emit(OpCodes.Ldc_R8, kc), kc);
                    }, () =>
                    {
                        RegValue(b);
                        KonstValue(c);
                    });
                    break;
                }

            case OpCode.SubRk:
            case OpCode.DivRk:
                {
                    if (NumberConstant(b) is not double kb)
                    {
                        il.Emit(OpCodes.Br, ExitAt(pc));
                        Unreachable();
                        break;
                    }
                    EmitArithmetic(pc, op, a, [c], slow =>
                    {
                        CheckNumber(c, slow);
                        EmitArith(op, () => il.Emit(OpCodes.Ldc_R8, kb), () => LoadNumber(c), null);
                    }, () =>
                    {
                        KonstValue(b);
                        RegValue(c);
                    });
                    break;
                }

            case OpCode.Minus:
                EmitArithmetic(pc, op, a, [b], slow =>
                {
                    CheckNumber(b, slow);
                    LoadNumber(b);
                    il.Emit(OpCodes.Neg);
                }, () =>
                {
                    RegValue(b);
                    RegValue(b);
                });
                break;

            case OpCode.Not:
                Reg(a);
                if (_known[b])
                    il.Emit(OpCodes.Ldc_I4_0);
                else
                {
                    Reg(b);
                    Call(nameof(Ops.IsFalsy));
                }
                Call(nameof(Ops.SetBool));
                Clobber(a);
                break;

            case OpCode.And:
            case OpCode.Or:
                Reg(a);
                Reg(b);
                Reg(c);
                Call(op == OpCode.And ? nameof(Ops.And) : nameof(Ops.Or));
                Clobber(a);
                break;

            case OpCode.AndK:
            case OpCode.OrK:
                Reg(a);
                Reg(b);
                Konst(c);
                Call(op == OpCode.AndK ? nameof(Ops.And) : nameof(Ops.Or));
                Clobber(a);
                break;

            case OpCode.Length:
                Reg(a);
                Reg(b);
                Call(nameof(Ops.Length));
                OrSlow(() =>
                {
                    EmitThreadBase();
                    il.Emit(OpCodes.Ldc_I4, a);
                    RegValue(b);
                    il.Emit(OpCodes.Ldc_I4, pc + 1);
                    Call(nameof(Ops.LengthSlow));
                });
                Clobber(a);
                break;

            case OpCode.ForNPrep:
                {
                    var exit = ExitAt(pc);
                    CheckNumber(a, exit);
                    CheckNumber(a + 1, exit);
                    CheckNumber(a + 2, exit);
                    // if (!(step > 0 ? idx <= limit : limit <= idx)) skip the loop
                    BranchOnLoopBound(a, Edge(pc + 1 + D(insn)), OpCodes.Bgt_Un);
                    break;
                }

            case OpCode.ForNLoop:
                {
                    Budget(pc, JumpWeight(D(insn)));
                    // As the interpreter: FORNPREP made the three registers numbers, and the body never writes them.
                    for (int i = 0; i < 3; i++)
                    {
                        if (!_known[a + i])
                        {
                            Reg(a + i);
                            il.Emit(OpCodes.Ldfld, s_number);
                            il.Emit(OpCodes.Stloc, NumberLocal(a + i));
                            _known[a + i] = true;
                        }
                    }
                    LoadNumber(a + 2);
                    LoadNumber(a + 1);
                    il.Emit(OpCodes.Add);
                    StoreNumber(a + 2);
                    // if (step > 0 ? idx <= limit : limit <= idx) loop
                    BranchOnLoopBound(a, Edge(pc + 1 + D(insn)), OpCodes.Ble);
                    break;
                }

            case OpCode.FastCall1:
            case OpCode.FastCall2:
            case OpCode.FastCall2K:
                EmitNumericFastCall(pc, op, insn);
                break;

            case OpCode.Call:
                {
                    // The call as the interpreter makes it, a compiled Luau callee run nested (see Ops.Call); the
                    // interpreter's when the call is not to a plain function or a safepoint is due.
                    var done = il.DefineLabel();
                    il.Emit(OpCodes.Ldarg_S, ArgThread);
                    il.Emit(OpCodes.Ldarg_S, ArgBase);
                    il.Emit(OpCodes.Ldc_I4, pc);
                    il.Emit(OpCodes.Ldarg_S, ArgDepth);
                    il.Emit(OpCodes.Ldc_I4, a);
                    il.Emit(OpCodes.Ldc_I4, b - 1);
                    il.Emit(OpCodes.Ldc_I4, c - 1);
                    Call(nameof(Ops.Call));
                    il.Emit(OpCodes.Dup);
                    il.Emit(OpCodes.Stloc, _flag);
                    il.Emit(OpCodes.Ldc_I4, pc + 1);
                    il.Emit(OpCodes.Beq, done);
                    il.Emit(OpCodes.Ldloc, _flag);
                    il.Emit(OpCodes.Ret);
                    il.MarkLabel(done);
                    // The call may have grown the stack, written the registers from the function's up and, through
                    // upvalues, the registers closures share.
                    EmitLoadBase();
                    for (int r = a; r < _known.Length; r++)
                        _known[r] = false;
                    ForgetShared();
                    break;
                }

            case OpCode.Return:
                // A return to a Luau caller (or a metamethod's instruction) as the interpreter makes it; the
                // interpreter's for the frames it entered, pcall's frames and when a safepoint is due.
                il.Emit(OpCodes.Ldarg_S, ArgThread);
                il.Emit(OpCodes.Ldarg_S, ArgBase);
                il.Emit(OpCodes.Ldc_I4, pc);
                il.Emit(OpCodes.Ldc_I4, a);
                il.Emit(OpCodes.Ldc_I4, b - 1);
                Call(nameof(Ops.Return));
                il.Emit(OpCodes.Ret);
                Unreachable();
                break;

            case OpCode.NewTable:
                Reg(a);
                il.Emit(OpCodes.Ldarg_S, ArgThread);
                il.Emit(OpCodes.Ldc_I4, (int)_code[pc + 1]);
                il.Emit(OpCodes.Ldc_I4, b == 0 ? 0 : 1 << (b - 1));
                il.Emit(OpCodes.Ldc_I4, pc + 2);
                Call(nameof(Ops.NewTable));
                Clobber(a);
                break;

            case OpCode.DupTable:
                Reg(a);
                il.Emit(OpCodes.Ldarg_S, ArgThread);
                Konst(D(insn));
                il.Emit(OpCodes.Ldc_I4, pc + 1);
                Call(nameof(Ops.DupTable));
                Clobber(a);
                break;

            case OpCode.FastCall:
            case OpCode.FastCall3:
                EmitFastCall(pc, insn);
                break;

            case OpCode.ForGLoop:
                {
                    // The in-place traversal of a table (pairs, ipairs, or a table itself); iterator functions and
                    // a due safepoint are the interpreter's (checked before anything is charged).
                    int aux = (int)_code[pc + 1];
                    Reg(a);
                    Call(nameof(Ops.IteratesTable));
                    il.Emit(OpCodes.Brfalse, ExitAt(pc));
                    Budget(pc, JumpWeight(D(insn)));
                    Reg(a);
                    il.Emit(OpCodes.Ldc_I4, aux);
                    Call(nameof(Ops.NextInTable));
                    for (int r = a + 2; r < Math.Min(_known.Length, a + 5 + (aux & 0xFF)); r++)
                        _known[r] = false;
                    il.Emit(OpCodes.Brtrue, Edge(pc + 1 + D(insn)));
                    break;
                }

            case OpCode.SetList when c != 0:
                il.Emit(OpCodes.Ldarg_S, ArgThread);
                Reg(a);
                Reg(b);
                il.Emit(OpCodes.Ldc_I4, c - 1);
                il.Emit(OpCodes.Ldc_I4, (int)_code[pc + 1]);
                il.Emit(OpCodes.Ldc_I4, pc + 2);
                Call(nameof(Ops.SetList));
                break;

            case OpCode.Concat:
                // Concatenation may run __concat (nested, as in the interpreter) and grow the stack.
                il.Emit(OpCodes.Ldarg_S, ArgThread);
                il.Emit(OpCodes.Ldarg_S, ArgBase);
                il.Emit(OpCodes.Ldc_I4, a);
                il.Emit(OpCodes.Ldc_I4, b);
                il.Emit(OpCodes.Ldc_I4, c);
                il.Emit(OpCodes.Ldc_I4, pc + 1);
                Call(nameof(Ops.Concat));
                EmitLoadBase();
                Forget();
                break;

            default:
                // Everything else is the interpreter's: closures, varargs, generic loops, builtins other than the
                // numeric ones, and instructions that reach the debugger or coverage counters.
                il.Emit(OpCodes.Br, ExitAt(pc));
                Unreachable();
                break;
        }
    }

    /// <summary>Points the register pointer at register 0 again (after code that may have grown the stack).</summary>
    private void EmitLoadBase()
    {
        var il = _il;
        il.Emit(OpCodes.Ldarg_S, ArgThread);
        il.Emit(OpCodes.Ldfld, s_stack);
        il.Emit(OpCodes.Ldarg_S, ArgBase);
        il.Emit(OpCodes.Ldelema, typeof(LuauValue));
        il.Emit(OpCodes.Stloc, _r);
    }

    /// <summary>
    /// After a fast path's helper (its success on the evaluation stack): when it did not apply, the interpreter's
    /// slow path, <paramref name="slow"/>, which may run metamethods (they may grow the stack and write the
    /// registers closures share).
    /// </summary>
    private void OrSlow(Action slow)
    {
        var done = _il.DefineLabel();
        _il.Emit(OpCodes.Brtrue, done);
        slow();
        EmitLoadBase();
        _il.MarkLabel(done);
        ForgetShared();
    }

    /// <summary>Pushes a copy of register <paramref name="r"/>.</summary>
    private void RegValue(int r)
    {
        Reg(r);
        _il.Emit(OpCodes.Ldobj, typeof(LuauValue));
    }

    /// <summary>Pushes a copy of constant <paramref name="i"/>.</summary>
    private void KonstValue(int i)
    {
        Konst(i);
        _il.Emit(OpCodes.Ldobj, typeof(LuauValue));
    }

    private void EmitThreadBase()
    {
        _il.Emit(OpCodes.Ldarg_S, ArgThread);
        _il.Emit(OpCodes.Ldarg_S, ArgBase);
    }

    private void EmitThreadClosureBase()
    {
        _il.Emit(OpCodes.Ldarg_S, ArgThread);
        _il.Emit(OpCodes.Ldarg_S, ArgClosure);
        _il.Emit(OpCodes.Ldarg_S, ArgBase);
    }

    /// <summary>
    /// An arithmetic instruction: <paramref name="fast"/> pushes the number result (branching to its argument when an
    /// operand is not a number), stored into register <paramref name="a"/>. When some operand is not known to be a
    /// number, the slow path does what the interpreter's does (<see cref="Ops.ArithSlow"/> with the operands
    /// <paramref name="operands"/> pushes: coercions, vectors, metamethods, a Luau metamethod run as a nested call)
    /// and rejoins; after it only what both paths know is known.
    /// </summary>
    private void EmitArithmetic(int pc, OpCode op, int a, int[] registers, Action<Label> fast, Action operands)
    {
        var il = _il;
        if (registers.All(r => _known[r]))
        {
            // Both operands are numbers here: there is no slow path.
            fast(ExitAt(pc));
            StoreNumber(a);
            return;
        }
        var before = (bool[])_known.Clone();
        var slow = il.DefineLabel();
        var done = il.DefineLabel();
        fast(slow);
        StoreNumber(a);
        var after = (bool[])_known.Clone();
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(slow);
        EmitThreadBase();
        il.Emit(OpCodes.Ldc_I4, a);
        operands();
        il.Emit(OpCodes.Ldc_I4, (int)TagMethodOf(op));
        il.Emit(OpCodes.Ldc_I4, pc + 1);
        il.Emit(OpCodes.Ldarg_S, ArgDepth);
        Call(nameof(Ops.ArithSlow));
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, _flag);
        var goOn = il.DefineLabel();
        il.Emit(OpCodes.Brfalse, goOn);
        il.Emit(OpCodes.Ldloc, _flag);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(goOn);
        EmitLoadBase();
        il.MarkLabel(done);
        // The slow path knows what was known before, but the result and what closures share; the fast path more.
        for (int r = 0; r < _known.Length; r++)
            _known[r] = before[r] && after[r];
        _known[a] = false;
        ForgetShared();
    }

    private static TagMethod TagMethodOf(OpCode op) => op switch
    {
        OpCode.Add or OpCode.AddK => TagMethod.Add,
        OpCode.Sub or OpCode.SubK or OpCode.SubRk => TagMethod.Sub,
        OpCode.Mul or OpCode.MulK => TagMethod.Mul,
        OpCode.Div or OpCode.DivK or OpCode.DivRk => TagMethod.Div,
        OpCode.IDiv or OpCode.IDivK => TagMethod.IDiv,
        OpCode.Mod or OpCode.ModK => TagMethod.Mod,
        OpCode.Pow or OpCode.PowK => TagMethod.Pow,
        _ => TagMethod.Unm,
    };

    /// <summary>Pushes the code array (hints are read and patched in it at run time).</summary>
    private void EmitCode()
    {
        _il.Emit(OpCodes.Ldarg_0);
        _il.Emit(OpCodes.Ldfld, s_protoCode);
    }

    /// <summary>Pushes x op y for a number operation, as the interpreter computes it.</summary>
    private void EmitArith(OpCode op, Action x, Action y, double? constant)
    {
        var il = _il;
        switch (op)
        {
            case OpCode.Add or OpCode.AddK:
                x();
                y();
                il.Emit(OpCodes.Add);
                break;
            case OpCode.Sub or OpCode.SubK or OpCode.SubRk:
                x();
                y();
                il.Emit(OpCodes.Sub);
                break;
            case OpCode.Mul or OpCode.MulK:
                x();
                y();
                il.Emit(OpCodes.Mul);
                break;
            case OpCode.Div or OpCode.DivK or OpCode.DivRk:
                x();
                y();
                il.Emit(OpCodes.Div);
                break;
            case OpCode.IDiv or OpCode.IDivK:
                x();
                y();
                il.Emit(OpCodes.Div);
                il.Emit(OpCodes.Call, s_floor);
                break;
            case OpCode.Mod or OpCode.ModK:
                // x - floor(x / y) * y
                x();
                x();
                y();
                il.Emit(OpCodes.Div);
                il.Emit(OpCodes.Call, s_floor);
                y();
                il.Emit(OpCodes.Mul);
                il.Emit(OpCodes.Sub);
                break;
            case OpCode.PowK when constant == 2:
                x();
                x();
                il.Emit(OpCodes.Mul);
                break;
            case OpCode.PowK when constant == 0.5:
                x();
                il.Emit(OpCodes.Call, s_sqrt);
                break;
            case OpCode.PowK when constant == 3:
                x();
                x();
                il.Emit(OpCodes.Mul);
                x();
                il.Emit(OpCodes.Mul);
                break;
            default:
                il.Emit(OpCodes.Ldarg_S, ArgThread);
                x();
                y();
                Call(nameof(Ops.Pow));
                break;
        }
    }

    /// <summary>
    /// A numeric for loop's bound test on registers <paramref name="a"/> (limit), a+1 (step) and a+2 (index): with
    /// a positive step compares index with limit, otherwise limit with index, and branches to
    /// <paramref name="target"/> by <paramref name="branch"/> (Bgt_Un when past the bound, Ble while within it).
    /// </summary>
    private void BranchOnLoopBound(int a, Label target, System.Reflection.Emit.OpCode branch)
    {
        var il = _il;
        var negative = il.DefineLabel();
        var fall = il.DefineLabel();
        LoadNumber(a + 1);
        il.Emit(OpCodes.Ldc_R8, 0.0);
        il.Emit(OpCodes.Ble_Un, negative);
        LoadNumber(a + 2);
        LoadNumber(a);
        il.Emit(branch, target);
        il.Emit(OpCodes.Br, fall);
        il.MarkLabel(negative);
        LoadNumber(a);
        LoadNumber(a + 2);
        il.Emit(branch, target);
        il.MarkLabel(fall);
    }

    /// <summary>
    /// FASTCALL1/2/2K of a number builtin wanting one result: its value into the call's register, then on after the
    /// call. Anything else (other arguments, results, builtins, an unsafe environment) is the interpreter's.
    /// </summary>
    private void EmitNumericFastCall(int pc, OpCode op, uint insn)
    {
        var il = _il;
        int callPc = pc + 1 + C(insn);
        uint callInsn = _code[callPc];
        // Anything but the number case takes the general path, which goes on after the call or at the next instruction.
        var exit = il.DefineLabel();
        var before = (bool[])_known.Clone();
        EmitNumericFastCallPath(pc, op, insn, callPc, callInsn, exit);
        il.MarkLabel(exit);
        _reachable = true;
        Array.Copy(before, _known, _known.Length);
        EmitFastCall(pc, insn);
    }

    /// <summary>
    /// FASTCALL's general path: the builtin on the registers, as the interpreter calls it; after its CALL if it
    /// ran, else on at the next instruction (which sets up the CALL).
    /// </summary>
    private void EmitFastCall(int pc, uint insn)
    {
        var il = _il;
        int callPc = pc + 1 + C(insn);
        il.Emit(OpCodes.Ldarg_S, ArgThread);
        il.Emit(OpCodes.Ldarg_S, ArgClosure);
        il.Emit(OpCodes.Ldarg_S, ArgBase);
        il.Emit(OpCodes.Ldc_I4, pc);
        Call(nameof(Ops.FastCall));
        il.Emit(OpCodes.Stloc, _flag);
        // A builtin may grow the stack and writes its results from the CALL's register up.
        EmitLoadBase();
        for (int r = A(_code[callPc]); r < _known.Length; r++)
            _known[r] = false;
        ForgetShared();
        il.Emit(OpCodes.Ldloc, _flag);
        il.Emit(OpCodes.Brtrue, Edge(callPc + 1));
    }

    /// <summary>The number case of FASTCALL1/2/2K, going to <paramref name="exit"/> for anything else.</summary>
    private void EmitNumericFastCallPath(int pc, OpCode op, uint insn, int callPc, uint callInsn, Label exit)
    {
        var il = _il;
        if (C(callInsn) != 2)
        {
            il.Emit(OpCodes.Br, exit);
            Unreachable();
            return;
        }
        var id = (BuiltinFunction)A(insn);
        int x = B(insn);
        int nparams = op == OpCode.FastCall1 ? 1 : 2;
        double? ky = null;
        int ry = -1;
        if (op == OpCode.FastCall2K)
        {
            ky = NumberConstant((int)_code[pc + 1]);
            if (ky is null)
            {
                il.Emit(OpCodes.Br, exit);
                Unreachable();
                return;
            }
        }
        else if (op == OpCode.FastCall2)
            ry = (int)_code[pc + 1];

        il.Emit(OpCodes.Ldarg_S, ArgClosure);
        Call(nameof(Ops.SafeEnv));
        il.Emit(OpCodes.Brfalse, exit);
        CheckNumber(x, exit);
        if (ry >= 0)
            CheckNumber(ry, exit);
        void Y()
        {
            if (ky is double kv)
                il.Emit(OpCodes.Ldc_R8, kv);
            else if (ry >= 0)
                LoadNumber(ry);
            else
                il.Emit(OpCodes.Ldc_R8, 0.0);
        }
        MethodInfo? direct = nparams == 1 ? id switch
        {
            BuiltinFunction.MathSqrt => s_sqrt,
            BuiltinFunction.MathFloor => s_floor,
            BuiltinFunction.MathCeil => s_ceiling,
            BuiltinFunction.MathAbs => s_abs,
            _ => null,
        } : null;
        if (direct is not null)
        {
            LoadNumber(x);
            il.Emit(OpCodes.Call, direct);
        }
        else
        {
            il.Emit(OpCodes.Ldc_I4, (int)id);
            il.Emit(OpCodes.Ldc_I4, nparams);
            LoadNumber(x);
            Y();
            il.Emit(OpCodes.Ldloca, _number);
            Call(nameof(Ops.Numeric));
            il.Emit(OpCodes.Brfalse, exit);
            il.Emit(OpCodes.Ldloc, _number);
        }
        StoreNumber(A(callInsn));
        il.Emit(OpCodes.Br, Edge(callPc + 1));
        Unreachable();
    }
}
