namespace Coputer.Luau.Bytecode;

/// <summary>
/// Checks that a <see cref="BytecodeModule"/> is safe to execute. The virtual machine runs only verified bytecode and
/// relies on the invariants below instead of checking operands while it runs, so a hostile blob must fail here with a
/// <see cref="BytecodeException"/> naming the prototype and pc, never later inside the VM.
/// </summary>
/// <remarks>
/// <para><b>Module.</b> The main prototype has no upvalues. Children, closure constants and the main index refer to
/// prototypes defined earlier in the list (checked by <see cref="BytecodeReader"/>), so the prototype graph and the
/// constant graph (template values, import paths) are acyclic.</para>
/// <para><b>Prototype.</b> <c>NumParams &lt;= MaxStackSize</c> (at most 255). The code is non-empty, decodes into whole
/// instructions (no AUX word cut off at the end), and no path from pc 0 reaches a last instruction that continues to
/// the next one, so execution cannot fall off the end (the reference compiler leaves unreachable instructions, such as
/// a CLOSEUPVALS, after a function's final RETURN). A vararg prototype starts with <c>PREPVARARGS NumParams</c>; PREPVARARGS
/// appears nowhere else, and GETVARARGS only in vararg prototypes. Debug locals name registers below MaxStackSize.
/// Line information, when present, covers every instruction (checked by the reader).</para>
/// <para><b>Opcodes.</b> Unknown opcodes and BREAK, NATIVECALL, GETUDATAKS, SETUDATAKS, NAMECALLUDATA,
/// NEWCLASSMEMBER, CALLFB, CMPPROTO, FASTPCALL and NEWCLASS are refused.</para>
/// <para><b>Registers.</b> Every register operand is below MaxStackSize: A/B/C fields, the AUX register of
/// JUMPIFEQ-style compares and FASTCALL2/3, NAMECALL's A and A + 1, CONCAT's B..C (with B &lt;= C), the numeric loop
/// block A..A+2, FORGPREP's A..A+3, FORGPREP_NEXT/INEXT's A..A+4 and FORGLOOP's A..A+2+n (n = AUX &amp; 0xFF, at least
/// 1, and no AUX bits but n and the ipairs sign bit). Fixed-size ranges end at or below MaxStackSize: CALL's arguments A+1..A+B-1 and results A..A+C-2, RETURN's
/// A..A+B-2, GETVARARGS's A..A+B-2, SETLIST's B..B+C-2. Open-ended forms (B or C = 0) start below MaxStackSize.
/// The VM must still provide stack beyond MaxStackSize for what grows at run time: multiple results and varargs,
/// and the three call slots FORGLOOP uses above its block when it calls an iterator.</para>
/// <para><b>Constants.</b> Constant operands are in range and of the kind the opcode needs: LOADK, LOADKX, ANDK, ORK
/// and FASTCALL2K take a plain value (nil, boolean, number, vector, string or 64-bit integer); GETGLOBAL, SETGLOBAL, GETTABLEKS,
/// SETTABLEKS, NAMECALL and JUMPXEQKS a string; the K-operand arithmetic (ADDK..IDIVK, SUBRK, DIVRK) and JUMPXEQKN a
/// number; DUPTABLE a table template; DUPCLOSURE a closure; GETIMPORT an import whose path equals its AUX word.</para>
/// <para><b>Upvalues and closures.</b> GETUPVAL/SETUPVAL index below NumUpvalues. NEWCLOSURE's D indexes the child
/// list. NEWCLOSURE and DUPCLOSURE are followed by exactly as many CAPTURE instructions as the created prototype has
/// upvalues; a capture is VAL or REF of a register below MaxStackSize or UPVAL of an upvalue of the enclosing
/// prototype, and DUPCLOSURE allows no REF. CAPTURE appears nowhere else.</para>
/// <para><b>Control flow.</b> Jump targets (D or E offsets from the next instruction, LOADB's C skip) lie inside the
/// code on the start of an instruction: never on an AUX word or a CAPTURE. Every FASTCALL variant names a builtin
/// (1..<see cref="BuiltinFunction.BufferWriteInteger"/>) and its C skip lands on a CALL. NAMECALL is immediately followed
/// by CALL. Every backward jump either is an interrupt safepoint (JUMPBACK, JUMPX, FORNLOOP, FORGLOOP) or lands on a
/// JUMPX, so every loop passes through a safepoint.</para>
/// <para><b>Variable results.</b> An instruction that leaves a variable number of values (CALL with C = 0,
/// GETVARARGS with B = 0) is followed, through neutral instructions only (MOVE, GETIMPORT, GETGLOBAL, GETUPVAL,
/// GETTABLEKS, NAMECALL, CLOSEUPVALS, COVERAGE, and a plain FASTCALL linked to the consumer), by exactly one
/// consumer (CALL with B = 0, RETURN with B = 0, SETLIST with C = 0) whose open range starts at or below the
/// producer's first value; consumers appear nowhere else, and no jump lands inside such a sequence.</para>
/// <para><b>Sizes.</b> NEWTABLE asks for at most 2^25 hash slots (B &lt;= 26) and 2^26 array slots; SETLIST starts
/// at an index from 1 to 2^30.</para>
/// </remarks>
public static class BytecodeVerifier
{
    private const int MaxNewTableHashLog = 26;
    private const uint MaxNewTableArray = 1u << 26;
    private const uint MaxSetListIndex = 1u << 30;

    /// <summary>Checks every prototype of <paramref name="module"/>; throws <see cref="BytecodeException"/> on the first violation.</summary>
    public static void Verify(BytecodeModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var protos = module.Protos;
        if ((uint)module.MainProto >= (uint)protos.Length)
            throw new BytecodeException($"main prototype {module.MainProto} out of range ({protos.Length} prototypes)");
        if (protos[module.MainProto].NumUpvalues != 0)
            throw new BytecodeException($"main prototype {module.MainProto} has upvalues");

        for (int i = 0; i < protos.Length; i++)
            new ProtoVerifier(module, i).Run();
    }

    private ref struct ProtoVerifier
    {
        // Per-word marks: whether a word starts an instruction and whether a jump lands there.
        private const byte StartMark = 1;
        private const byte TargetMark = 2;

        private readonly BytecodeModule _module;
        private readonly BytecodeProto _proto;
        private readonly int _index;
        private readonly uint[] _code;
        private readonly int _maxStack;
        private readonly byte[] _marks;

        public ProtoVerifier(BytecodeModule module, int index)
        {
            _module = module;
            _index = index;
            _proto = module.Protos[index];
            _code = _proto.Code;
            _maxStack = _proto.MaxStackSize;
            _marks = new byte[_code.Length];
        }

        public void Run()
        {
            var p = _proto;
            if (p.NumParams > p.MaxStackSize)
                throw Fail($"has {p.NumParams} parameters but a stack of {p.MaxStackSize}");
            if (_code.Length == 0)
                throw Fail("has no code");
            if (p.LineInfo is not null && p.LineInfo.Length != _code.Length)
                throw Fail("line information does not match the code");
            if (p.UpvalueNames is not null && p.UpvalueNames.Length != p.NumUpvalues)
                throw Fail("upvalue names do not match the upvalue count");
            if (p.Locals is not null)
            {
                foreach (var local in p.Locals)
                {
                    if (local.Register >= _maxStack)
                        throw Fail($"debug local in register {local.Register} is outside the stack of {_maxStack}");
                    if (local.StartPc < 0 || local.StartPc > local.EndPc || local.EndPc > _code.Length)
                        throw Fail($"debug local has an invalid live range {local.StartPc}..{local.EndPc}");
                }
            }

            int last = MarkInstructions();

            if (p.IsVararg && Instruction.Op(_code[0]) != OpCode.PrepVarargs)
                throw Fail(0, "a vararg function must start with PREPVARARGS");

            for (int pc = 0; pc < _code.Length;)
                pc = CheckInstruction(pc);

            CheckEnd(last);
            CheckVariadicSequences();
        }

        /// <summary>Marks instruction starts (captures belong to their closure); returns the pc of the last instruction.</summary>
        private readonly int MarkInstructions()
        {
            int pc = 0, last = 0;
            while (pc < _code.Length)
            {
                uint insn = _code[pc];
                var op = Instruction.Op(insn);
                if (op > OpCode.NewClass)
                    throw Fail(pc, $"unknown opcode {(int)op}");
                if (op == OpCode.Capture)
                    throw Fail(pc, "CAPTURE outside a closure creation");
                _marks[pc] |= StartMark;
                last = pc;
                int length = Instruction.Length(op);
                if (op is OpCode.NewClosure or OpCode.DupClosure)
                {
                    int captures = ClosureUpvalueCount(pc, insn, op);
                    for (int j = 1; j <= captures; j++)
                    {
                        if (pc + j >= _code.Length || Instruction.Op(_code[pc + j]) != OpCode.Capture)
                            throw Fail(pc, $"closure creation needs {captures} CAPTURE instructions, found {j - 1}");
                    }
                    length += captures;
                }
                if (pc + length > _code.Length)
                    throw Fail(pc, $"{op} is cut off by the end of the code");
                pc += length;
            }
            return last;
        }

        /// <summary>The upvalue count of the prototype a NEWCLOSURE/DUPCLOSURE creates, after checking its operand.</summary>
        private readonly int ClosureUpvalueCount(int pc, uint insn, OpCode op)
        {
            int d = Instruction.D(insn);
            if (op == OpCode.NewClosure)
            {
                if ((uint)d >= (uint)_proto.Children.Length)
                    throw Fail(pc, $"NEWCLOSURE child {d} out of range ({_proto.Children.Length} children)");
                return _module.Protos[_proto.Children[d]].NumUpvalues;
            }

            var k = Constant(pc, d);
            if (k.Kind != ConstantKind.Closure)
                throw Fail(pc, $"DUPCLOSURE constant {d} is a {k.Kind}, not a closure");
            if ((uint)k.Index >= (uint)_index)
                throw Fail(pc, $"DUPCLOSURE constant {d} refers to prototype {k.Index}, which is not defined before it");
            return _module.Protos[k.Index].NumUpvalues;
        }

        private readonly int CheckInstruction(int pc)
        {
            uint insn = _code[pc];
            var op = Instruction.Op(insn);
            int a = Instruction.A(insn), b = Instruction.B(insn), c = Instruction.C(insn), d = Instruction.D(insn);
            uint aux = Instruction.Length(op) == 2 ? _code[pc + 1] : 0;
            int next = pc + Instruction.Length(op);

            switch (op)
            {
                case OpCode.Nop:
                case OpCode.Coverage:
                    break;

                case OpCode.LoadNil:
                case OpCode.LoadN:
                case OpCode.CloseUpvals:
                    Reg(pc, a);
                    break;

                case OpCode.LoadB:
                    Reg(pc, a);
                    if (c != 0)
                        Target(pc, pc + 1 + c, op);
                    break;

                case OpCode.LoadK:
                    Reg(pc, a);
                    ValueConstant(pc, d, op);
                    break;

                case OpCode.LoadKx:
                    Reg(pc, a);
                    ValueConstant(pc, ConstantIndex(pc, aux), op);
                    break;

                case OpCode.Move:
                case OpCode.Not:
                case OpCode.Minus:
                case OpCode.Length:
                case OpCode.GetTableN:
                case OpCode.SetTableN:
                    Reg(pc, a);
                    Reg(pc, b);
                    break;

                case OpCode.GetGlobal:
                case OpCode.SetGlobal:
                    Reg(pc, a);
                    StringConstant(pc, ConstantIndex(pc, aux), op);
                    break;

                case OpCode.GetUpval:
                case OpCode.SetUpval:
                    Reg(pc, a);
                    Upvalue(pc, b);
                    break;

                case OpCode.GetImport:
                    {
                        Reg(pc, a);
                        var k = Constant(pc, d);
                        if (k.Kind != ConstantKind.Import)
                            throw Fail(pc, $"GETIMPORT constant {d} is a {k.Kind}, not an import");
                        if (k.Import != aux)
                            throw Fail(pc, $"GETIMPORT path 0x{aux:X8} does not match its constant 0x{k.Import:X8}");
                        break;
                    }

                case OpCode.GetTable:
                case OpCode.SetTable:
                case OpCode.Add:
                case OpCode.Sub:
                case OpCode.Mul:
                case OpCode.Div:
                case OpCode.IDiv:
                case OpCode.Mod:
                case OpCode.Pow:
                case OpCode.And:
                case OpCode.Or:
                    Reg(pc, a);
                    Reg(pc, b);
                    Reg(pc, c);
                    break;

                case OpCode.GetTableKs:
                case OpCode.SetTableKs:
                    Reg(pc, a);
                    Reg(pc, b);
                    StringConstant(pc, ConstantIndex(pc, aux), op);
                    break;

                case OpCode.NameCall:
                    Reg(pc, a);
                    Reg(pc, a + 1);
                    Reg(pc, b);
                    StringConstant(pc, ConstantIndex(pc, aux), op);
                    if (next >= _code.Length || Instruction.Op(_code[next]) != OpCode.Call)
                        throw Fail(pc, "NAMECALL must be followed by CALL");
                    break;

                case OpCode.NewClosure:
                case OpCode.DupClosure:
                    {
                        Reg(pc, a);
                        int captures = ClosureUpvalueCount(pc, insn, op);
                        for (int j = 1; j <= captures; j++)
                        {
                            uint cap = _code[pc + j];
                            var kind = (CaptureKind)Instruction.A(cap);
                            int reg = Instruction.B(cap);
                            switch (kind)
                            {
                                case CaptureKind.Value:
                                    Reg(pc + j, reg);
                                    break;
                                case CaptureKind.Reference:
                                    if (op == OpCode.DupClosure)
                                        throw Fail(pc + j, "DUPCLOSURE cannot capture by reference");
                                    Reg(pc + j, reg);
                                    break;
                                case CaptureKind.Upvalue:
                                    Upvalue(pc + j, reg);
                                    break;
                                default:
                                    throw Fail(pc + j, $"invalid capture kind {(int)kind}");
                            }
                        }
                        next += captures;
                        break;
                    }

                case OpCode.Call:
                    Reg(pc, a);
                    if (b != 0)
                        Range(pc, a + 1, b - 1);
                    if (c != 0)
                        Range(pc, a, c - 1);
                    break;

                case OpCode.Return:
                    if (b != 0)
                        Range(pc, a, b - 1);
                    else
                        Reg(pc, a);
                    break;

                case OpCode.Jump:
                case OpCode.JumpBack:
                    Target(pc, pc + 1 + d, op);
                    break;

                case OpCode.JumpX:
                    Target(pc, pc + 1 + Instruction.E(insn), op);
                    break;

                case OpCode.JumpIf:
                case OpCode.JumpIfNot:
                case OpCode.JumpXEqKNil:
                case OpCode.JumpXEqKB:
                    Reg(pc, a);
                    Target(pc, pc + 1 + d, op);
                    break;

                case OpCode.JumpIfEq:
                case OpCode.JumpIfLe:
                case OpCode.JumpIfLt:
                case OpCode.JumpIfNotEq:
                case OpCode.JumpIfNotLe:
                case OpCode.JumpIfNotLt:
                    Reg(pc, a);
                    AuxReg(pc, aux);
                    Target(pc, pc + 1 + d, op);
                    break;

                case OpCode.JumpXEqKN:
                    Reg(pc, a);
                    NumberConstant(pc, (int)(aux & 0xFFFFFF), op);
                    Target(pc, pc + 1 + d, op);
                    break;

                case OpCode.JumpXEqKS:
                    Reg(pc, a);
                    StringConstant(pc, (int)(aux & 0xFFFFFF), op);
                    Target(pc, pc + 1 + d, op);
                    break;

                case OpCode.AddK:
                case OpCode.SubK:
                case OpCode.MulK:
                case OpCode.DivK:
                case OpCode.IDivK:
                case OpCode.ModK:
                case OpCode.PowK:
                    Reg(pc, a);
                    Reg(pc, b);
                    NumberConstant(pc, c, op);
                    break;

                case OpCode.SubRk:
                case OpCode.DivRk:
                    Reg(pc, a);
                    NumberConstant(pc, b, op);
                    Reg(pc, c);
                    break;

                case OpCode.AndK:
                case OpCode.OrK:
                    Reg(pc, a);
                    Reg(pc, b);
                    ValueConstant(pc, c, op);
                    break;

                case OpCode.Concat:
                    Reg(pc, a);
                    Reg(pc, b);
                    Reg(pc, c);
                    if (b > c)
                        throw Fail(pc, $"CONCAT range R{b}..R{c} is empty");
                    break;

                case OpCode.NewTable:
                    Reg(pc, a);
                    if (b > MaxNewTableHashLog)
                        throw Fail(pc, $"NEWTABLE hash size 2^{b - 1} is too large");
                    if (aux > MaxNewTableArray)
                        throw Fail(pc, $"NEWTABLE array size {aux} is too large");
                    break;

                case OpCode.DupTable:
                    {
                        Reg(pc, a);
                        var k = Constant(pc, d);
                        if (k.Kind is not (ConstantKind.Table or ConstantKind.TableWithConstants))
                            throw Fail(pc, $"DUPTABLE constant {d} is a {k.Kind}, not a table template");
                        break;
                    }

                case OpCode.SetList:
                    Reg(pc, a);
                    if (c != 0)
                        Range(pc, b, c - 1);
                    else
                        Reg(pc, b);
                    if (aux < 1 || aux > MaxSetListIndex)
                        throw Fail(pc, $"SETLIST start index {aux} is out of range");
                    break;

                case OpCode.ForNPrep:
                case OpCode.ForNLoop:
                    Reg(pc, a + 2);
                    Target(pc, pc + 1 + d, op);
                    break;

                case OpCode.ForGPrep:
                    Reg(pc, a + 3);
                    Target(pc, pc + 1 + d, op);
                    break;

                case OpCode.ForGPrepINext:
                case OpCode.ForGPrepNext:
                    Reg(pc, a + 4);
                    Target(pc, pc + 1 + d, op);
                    break;

                case OpCode.ForGLoop:
                    {
                        // The interpreter reads AUX whole (a variable count, sign bit for ipairs): no other bits may be set.
                        int vars = (int)(aux & 0xFF);
                        if (vars < 1)
                            throw Fail(pc, "FORGLOOP needs at least one loop variable");
                        if ((aux & 0x7FFFFF00u) != 0)
                            throw Fail(pc, $"FORGLOOP AUX 0x{aux:X8} has stray bits");
                        Reg(pc, a + 2 + vars);
                        Target(pc, pc + 1 + d, op);
                        break;
                    }

                case OpCode.GetVarargs:
                    if (!_proto.IsVararg)
                        throw Fail(pc, "GETVARARGS in a function without varargs");
                    if (b != 0)
                        Range(pc, a, b - 1);
                    else
                        Reg(pc, a);
                    break;

                case OpCode.PrepVarargs:
                    if (pc != 0 || !_proto.IsVararg)
                        throw Fail(pc, "PREPVARARGS is allowed only as the first instruction of a vararg function");
                    if (a != _proto.NumParams)
                        throw Fail(pc, $"PREPVARARGS {a} does not match the {_proto.NumParams} parameters");
                    break;

                case OpCode.FastCall:
                    FastCall(pc, a, c);
                    break;

                case OpCode.FastCall1:
                    FastCall(pc, a, c);
                    Reg(pc, b);
                    break;

                case OpCode.FastCall2:
                    FastCall(pc, a, c);
                    Reg(pc, b);
                    AuxReg(pc, aux);
                    break;

                case OpCode.FastCall2K:
                    FastCall(pc, a, c);
                    Reg(pc, b);
                    ValueConstant(pc, ConstantIndex(pc, aux), op);
                    break;

                case OpCode.FastCall3:
                    FastCall(pc, a, c);
                    Reg(pc, b);
                    if ((aux >> 16) != 0)
                        throw Fail(pc, $"FASTCALL3 AUX 0x{aux:X8} has stray bits");
                    Reg(pc, (int)(aux & 0xFF));
                    Reg(pc, (int)((aux >> 8) & 0xFF));
                    break;

                default:
                    throw Fail(pc, $"opcode {op} is not supported");
            }
            return next;
        }

        /// <summary>
        /// Fails if the last instruction can be reached and continues to the next one, the only way execution could
        /// run past the end of the code. The reference compiler leaves unreachable instructions after a function's
        /// final RETURN (a CLOSEUPVALS for locals captured in a branch that returned), so the last instruction itself
        /// need not end the code; what matters is that no path from pc 0 gets there and falls through.
        /// </summary>
        private readonly void CheckEnd(int last)
        {
            if (!FallsThrough(Instruction.Op(_code[last]), _code[last]))
                return;

            // Jump targets were checked by CheckInstruction, so every successor below is an instruction start.
            var reached = new bool[_code.Length];
            var work = new Stack<int>();
            reached[0] = true;
            work.Push(0);
            while (work.Count > 0)
            {
                int pc = work.Pop();
                if (pc == last)
                    throw Fail(last, $"the code ends with {Instruction.Op(_code[last])}, so execution could fall off its end");
                uint insn = _code[pc];
                var op = Instruction.Op(insn);
                int next = pc + Instruction.Length(op);
                if (op is OpCode.NewClosure or OpCode.DupClosure)
                {
                    while (next < _code.Length && (_marks[next] & StartMark) == 0)
                        next++;
                }
                if (FallsThrough(op, insn))
                    Reach(reached, work, next);
                int target = JumpTarget(pc, op, insn);
                if (target >= 0)
                    Reach(reached, work, target);
            }
        }

        private static void Reach(bool[] reached, Stack<int> work, int pc)
        {
            if ((uint)pc < (uint)reached.Length && !reached[pc])
            {
                reached[pc] = true;
                work.Push(pc);
            }
        }

        /// <summary>Whether execution can continue with the instruction after this one.</summary>
        private static bool FallsThrough(OpCode op, uint insn) => op switch
        {
            OpCode.Return or OpCode.Jump or OpCode.JumpBack or OpCode.JumpX => false,
            // These always jump: the generic-for preparations go to their FORGLOOP.
            OpCode.ForGPrep or OpCode.ForGPrepNext or OpCode.ForGPrepINext => false,
            OpCode.LoadB => Instruction.C(insn) == 0,
            _ => true,
        };

        /// <summary>Where this instruction can jump to, or -1.</summary>
        private readonly int JumpTarget(int pc, OpCode op, uint insn)
        {
            switch (op)
            {
                case OpCode.LoadB:
                    return Instruction.C(insn) != 0 ? pc + 1 + Instruction.C(insn) : -1;
                case OpCode.JumpX:
                    return pc + 1 + Instruction.E(insn);
                case OpCode.Jump:
                case OpCode.JumpBack:
                case OpCode.JumpIf:
                case OpCode.JumpIfNot:
                case OpCode.JumpIfEq:
                case OpCode.JumpIfLe:
                case OpCode.JumpIfLt:
                case OpCode.JumpIfNotEq:
                case OpCode.JumpIfNotLe:
                case OpCode.JumpIfNotLt:
                case OpCode.JumpXEqKNil:
                case OpCode.JumpXEqKB:
                case OpCode.JumpXEqKN:
                case OpCode.JumpXEqKS:
                case OpCode.ForNPrep:
                case OpCode.ForNLoop:
                case OpCode.ForGPrep:
                case OpCode.ForGPrepNext:
                case OpCode.ForGPrepINext:
                case OpCode.ForGLoop:
                    return pc + 1 + Instruction.D(insn);
                case OpCode.FastCall:
                case OpCode.FastCall1:
                case OpCode.FastCall2:
                case OpCode.FastCall2K:
                case OpCode.FastCall3:
                    // A builtin that succeeds skips the fallback CALL (checked to be at pc + 1 + C).
                    return pc + 2 + Instruction.C(insn);
                default:
                    return -1;
            }
        }

        /// <summary>Checks the multiple-value producer/consumer pairing (see the class remarks).</summary>
        private readonly void CheckVariadicSequences()
        {
            int producerPc = -1;
            int producerBase = 0;
            for (int pc = 0; pc < _code.Length;)
            {
                uint insn = _code[pc];
                var op = Instruction.Op(insn);
                bool inSequence = producerPc >= 0;
                if (inSequence && (_marks[pc] & TargetMark) != 0)
                    throw Fail(pc, "a jump lands inside a multiple-value sequence");

                int consumerBase = -1;
                bool produces = false;
                bool neutral = false;
                switch (op)
                {
                    case OpCode.Call:
                        if (Instruction.B(insn) == 0)
                            consumerBase = Instruction.A(insn) + 1;
                        produces = Instruction.C(insn) == 0;
                        break;
                    case OpCode.GetVarargs:
                        produces = Instruction.B(insn) == 0;
                        break;
                    case OpCode.Return:
                        if (Instruction.B(insn) == 0)
                            consumerBase = Instruction.A(insn);
                        break;
                    case OpCode.SetList:
                        if (Instruction.C(insn) == 0)
                            consumerBase = Instruction.B(insn);
                        break;
                    case OpCode.FastCall:
                        {
                            // The builtin reads the linked CALL's arguments; it belongs to the sequence if that CALL consumes.
                            uint call = _code[pc + 1 + Instruction.C(insn)];
                            neutral = inSequence && Instruction.B(call) == 0;
                            break;
                        }
                    case OpCode.Move:
                    case OpCode.GetImport:
                    case OpCode.GetGlobal:
                    case OpCode.GetUpval:
                    case OpCode.GetTableKs:
                    case OpCode.NameCall:
                    case OpCode.CloseUpvals:
                    case OpCode.Coverage:
                        neutral = true;
                        break;
                }

                if (consumerBase >= 0)
                {
                    if (!inSequence)
                        throw Fail(pc, $"{op} takes a variable number of values that nothing produced");
                    if (consumerBase > producerBase)
                        throw Fail(pc, $"{op} reads values from R{consumerBase}, above the first produced value R{producerBase}");
                    producerPc = -1;
                }
                else if (inSequence && !neutral)
                {
                    throw Fail(pc, $"{op} interrupts the multiple-value sequence started at pc {producerPc}");
                }

                if (produces)
                {
                    producerPc = pc;
                    producerBase = Instruction.A(insn);
                }

                pc += Instruction.Length(op);
                if (op is OpCode.NewClosure or OpCode.DupClosure)
                {
                    while (pc < _code.Length && (_marks[pc] & StartMark) == 0)
                        pc++;
                }
            }

            if (producerPc >= 0)
                throw Fail(producerPc, "multiple values are produced but never consumed");
        }

        private readonly void FastCall(int pc, int builtin, int skip)
        {
            if (builtin < 1 || builtin > (int)BuiltinFunction.BufferWriteInteger)
                throw Fail(pc, $"unknown builtin function {builtin}");
            int call = pc + 1 + skip;
            if (call >= _code.Length || (_marks[call] & StartMark) == 0 || Instruction.Op(_code[call]) != OpCode.Call)
                throw Fail(pc, $"FASTCALL skip {skip} does not land on a CALL");
        }

        private readonly void Target(int pc, int target, OpCode op)
        {
            if ((uint)target >= (uint)_code.Length)
                throw Fail(pc, $"{op} jumps to {target}, outside the code (0..{_code.Length - 1})");
            if ((_marks[target] & StartMark) == 0)
                throw Fail(pc, $"{op} jumps to {target}, which is not the start of an instruction");
            if (target <= pc && op is not (OpCode.JumpBack or OpCode.JumpX or OpCode.ForNLoop or OpCode.ForGLoop)
                && Instruction.Op(_code[target]) != OpCode.JumpX)
                throw Fail(pc, $"{op} jumps backwards to {target} without an interrupt safepoint");
            _marks[target] |= TargetMark;
        }

        private readonly void Reg(int pc, int reg)
        {
            if (reg >= _maxStack)
                throw Fail(pc, $"register R{reg} is outside the stack of {_maxStack}");
        }

        private readonly void AuxReg(int pc, uint reg)
        {
            if (reg >= (uint)_maxStack)
                throw Fail(pc, $"register R{reg} is outside the stack of {_maxStack}");
        }

        /// <summary>Checks that <paramref name="count"/> registers from <paramref name="start"/> fit in the stack.</summary>
        private readonly void Range(int pc, int start, int count)
        {
            if (start + count > _maxStack)
                throw Fail(pc, $"registers R{start}..R{start + count - 1} are outside the stack of {_maxStack}");
        }

        private readonly void Upvalue(int pc, int index)
        {
            if (index >= _proto.NumUpvalues)
                throw Fail(pc, $"upvalue {index} out of range ({_proto.NumUpvalues} upvalues)");
        }

        private readonly int ConstantIndex(int pc, uint aux)
        {
            if (aux >= (uint)_proto.Constants.Length)
                throw Fail(pc, $"constant {aux} out of range ({_proto.Constants.Length} constants)");
            return (int)aux;
        }

        private readonly BytecodeConstant Constant(int pc, int index)
        {
            if ((uint)index >= (uint)_proto.Constants.Length)
                throw Fail(pc, $"constant {index} out of range ({_proto.Constants.Length} constants)");
            return _proto.Constants[index];
        }

        private readonly void ValueConstant(int pc, int index, OpCode op)
        {
            var kind = Constant(pc, index).Kind;
            if (kind is not (ConstantKind.Nil or ConstantKind.Boolean or ConstantKind.Number or ConstantKind.Vector or ConstantKind.String
                or ConstantKind.Integer))
                throw Fail(pc, $"{op} constant {index} is a {kind}, not a plain value");
        }

        private readonly void StringConstant(int pc, int index, OpCode op)
        {
            var kind = Constant(pc, index).Kind;
            if (kind != ConstantKind.String)
                throw Fail(pc, $"{op} constant {index} is a {kind}, not a string");
        }

        private readonly void NumberConstant(int pc, int index, OpCode op)
        {
            var kind = Constant(pc, index).Kind;
            if (kind != ConstantKind.Number)
                throw Fail(pc, $"{op} constant {index} is a {kind}, not a number");
        }

        private readonly BytecodeException Fail(string message) =>
            new($"invalid bytecode: prototype {_index} {message}");

        private readonly BytecodeException Fail(int pc, string message) =>
            new($"invalid bytecode: prototype {_index} pc {pc}: {message}");
    }
}
