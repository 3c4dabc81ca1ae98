using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Coputer.Luau.Bytecode;
using static Coputer.Luau.Bytecode.Instruction;

namespace Coputer.Luau.VM;

/// <summary>
/// The bytecode interpreter.
/// </summary>
/// <remarks>
/// Rules of the dispatch loop in <see cref="Run"/>:
/// <list type="bullet">
/// <item>Luau-to-Luau calls and returns never recurse on the .NET stack: CALL pushes a frame and reloads the loop's
/// locals (<c>goto Reentry</c>), RETURN pops it. Only metamethods, host functions that call back, and the host API
/// nest a new <see cref="Execute(LuauThread)"/>, and those nested calls are not yieldable.</item>
/// <item>The local <c>stack</c> caches <see cref="LuauThread.Stack"/>; any call, metamethod or stack growth may
/// replace the array, so reload it afterwards. Frames are addressed by index for the same reason.</item>
/// <item>Before anything that may throw or call out, save <c>pc</c> into the frame (<c>SavedPc</c>), so error
/// positions and tracebacks see the current instruction (SavedPc - 1).</item>
/// <item>Safepoints (CALL, RETURN, JUMPBACK, JUMPX, FORNLOOP, FORGLOOP) decrement the state's countdown; at zero the
/// slow path checks interrupts, budgets and cancellation.</item>
/// <item>Errors are .NET exceptions. <see cref="Execute(LuauThread)"/> catches them outside the loop, unwinds to the nearest
/// <c>pcall</c> frame of this execution, and runs the loop again; <c>pcall</c> is a frame flag, so coroutines can
/// yield inside it.</item>
/// <item>Register and constant operands are trusted: the loader only accepts code that passed the verifier.</item>
/// </list>
/// </remarks>
internal static partial class Interpreter
{
    /// <summary>What a host function returns to yield (see <see cref="LuauCallContext.Yield"/>).</summary>
    internal const int YieldSignal = -1;

    /// <summary>What a host function returns to have the interpreter make a yieldable call (see <see cref="LuauCallContext.CallYieldable"/>).</summary>
    internal const int CallSignal = -2;

    /// <summary>The light userdata tag of the hidden iteration index of in-place table loops.</summary>
    private const byte IteratorTag = 255;

    /// <summary>
    /// Runs the thread's frames until the frame that entered the interpreter (the nearest one flagged
    /// <see cref="FrameFlags.Return"/>) returns. Returns false if the thread yielded instead.
    /// </summary>
    internal static bool Execute(LuauThread L) => Execute(L, ExecuteStart.Run, 0, 0, 0);

    /// <summary>What <see cref="Execute(LuauThread, ExecuteStart, int, int, int)"/> does before running the loop.</summary>
    internal enum ExecuteStart
    {
        /// <summary>Nothing: the frame on top is a Luau frame ready to run.</summary>
        Run,

        /// <summary>Finish the yield on top of a suspended coroutine with the resume arguments (count in <c>a</c>).</summary>
        Resume,

        /// <summary>Call the host function at stack[<c>a</c>] with arguments up to <c>b</c>, wanting <c>c</c> results, in a frame flagged Return.</summary>
        CallHost,

        /// <summary>Raise the value on top of a suspended coroutine as an error where it yielded.</summary>
        ResumeError,
    }

    /// <summary>
    /// Like <see cref="Execute(LuauThread)"/>, first doing <paramref name="start"/> inside the same error handling, so
    /// an error raised while finishing a yield or starting a host function's yieldable call reaches the frames that
    /// catch it.
    /// </summary>
    internal static bool Execute(LuauThread L, ExecuteStart start, int a, int b, int c)
    {
        int entry;
        if (start == ExecuteStart.CallHost)
        {
            // The frame about to be pushed is the entry.
            entry = L.FrameIndex + 1;
        }
        else
        {
            entry = L.FrameIndex;
            while ((L.Frames[entry].Flags & FrameFlags.Return) == 0)
                entry--;
        }
        while (true)
        {
            Exception? failure;
            try
            {
                if (start == ExecuteStart.ResumeError)
                {
                    start = ExecuteStart.Run;
                    var value = L.Stack[--L.Top];
                    throw new LuauRuntimeException(value);
                }
                if (start != ExecuteStart.Run)
                {
                    // Only once: after an error is caught, the loop just runs what is left.
                    var first = start;
                    start = ExecuteStart.Run;
                    bool more = first == ExecuteStart.Resume ? ContinueAfterYield(L, a) : EnterHostEntry(L, a, b, c);
                    if (!more)
                        return false;
                }
                return Run(L, entry);
            }
            catch (Exception e) when (e is not LuauTerminatedException)
            {
                failure = e;
            }
            // Handle the error outside the catch block: .NET keeps the throwing frames on the stack until a catch
            // block ends, and an xpcall handler must not start that deep. A continuation that takes the error may
            // fail in turn; that error is handled the same way.
            while (failure is not null)
            {
                var error = Normalize(L, failure);
                failure = null;
                CatchResult result;
                try
                {
                    result = TryCatch(L, entry, error);
                }
                catch (Exception e) when (e is not LuauTerminatedException)
                {
                    failure = e;
                    continue;
                }
                if (result == CatchResult.NotCaught)
                    throw error;
                if (result == CatchResult.Yielded)
                    return false;
            }
        }
    }

    private static bool Run(LuauThread L, int entry)
    {
        LuauState state = L.State;
    Reentry:
        int ci = L.FrameIndex;
        // The frame that entered this loop has returned (a host continuation may have finished it).
        if (ci < entry)
            return true;
        ref var top = ref L.Frames[ci];
        LuauClosure cl = top.Closure ?? throw new InvalidOperationException("internal error: a host frame is on top of a running thread");
        Proto p = cl.Proto;
        uint[] code = p.Code;
        LuauValue[] k = p.K;
        LuauValue[] stack = L.Stack;
        int bse = top.Base;
        ref LuauValue regs = ref Reg(stack, bse);
        int pc = top.SavedPc;
        if (p.Compiled is not null || --p.JitCountdown < 0)
        {
            // The IL tier (see Jit.IlTier): compiled code runs from here and says where to go on.
            if ((pc = Jit.IlTier.Enter(L, cl, bse, pc)) < 0)
            {
                if (pc == Jit.IlTier.Reenter)
                    goto Reentry;
                return pc == Jit.IlTier.Done;
            }
            stack = L.Stack;
            regs = ref Reg(stack, bse);
        }

        while (true)
        {
            uint insn = Op(code, pc++);
            switch ((OpCode)(byte)insn)
            {
                case OpCode.Nop:
                    break;

                case OpCode.LoadNil:
                    RA(ref regs, insn) = default;
                    break;

                case OpCode.LoadB:
                    RA(ref regs, insn) = LuauValue.FromBool(B(insn) != 0);
                    pc += C(insn);
                    break;

                case OpCode.LoadN:
                    RA(ref regs, insn) = new LuauValue((double)D(insn));
                    break;

                case OpCode.LoadK:
                    LuauValue.Copy(ref RA(ref regs, insn), in KD(k, insn));
                    break;

                case OpCode.LoadKx:
                    RA(ref regs, insn) = Kst(k, Op(code, pc++));
                    break;

                case OpCode.Move:
                    LuauValue.Copy(ref RA(ref regs, insn), in RB(ref regs, insn));
                    break;

                case OpCode.GetGlobal:
                    {
                        uint aux = Op(code, pc++);
                        var key = Kst(k, aux).UnsafeString;
                        var env = cl.Env;
                        int slot = C(insn) & env.NodeMask8;
                        ref var n = ref env.Nodes[slot];
                        if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil)
                        {
                            RA(ref regs, insn) = n.Value;
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        var v = GetTableSlow(L, new LuauValue(env), new LuauValue(key), code, pc - 2);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        RA(ref regs, insn) = v;
                        break;
                    }

                case OpCode.SetGlobal:
                    {
                        uint aux = Op(code, pc++);
                        var key = Kst(k, aux).UnsafeString;
                        var env = cl.Env;
                        int slot = C(insn) & env.NodeMask8;
                        ref var n = ref env.Nodes[slot];
                        if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil && !env.IsReadOnly)
                        {
                            n.Value = RA(ref regs, insn);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        SetTableSlow(L, new LuauValue(env), new LuauValue(key), RA(ref regs, insn), code, pc - 2);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.GetUpval:
                    {
                        ref var u = ref cl.Upvalues[B(insn)];
                        LuauValue.Copy(ref RA(ref regs, insn), in u.Type_ == LuauType.UpvalueRef ? ref Unsafe.As<Upvalue>(u.O!).Slot : ref u);
                        break;
                    }

                case OpCode.SetUpval:
                    {
                        ref var u = ref cl.Upvalues[B(insn)];
                        if (u.Type_ == LuauType.UpvalueRef)
                            Unsafe.As<Upvalue>(u.O!).Set(in RA(ref regs, insn));
                        else
                            LuauValue.Copy(ref u, in RA(ref regs, insn));
                        break;
                    }

                case OpCode.CloseUpvals:
                    L.CloseUpvalues(bse + A(insn));
                    break;

                case OpCode.GetImport:
                    {
                        ref var kv = ref KD(k, insn);
                        if (kv.Type_ != LuauType.Nil && cl.Env.SafeEnv)
                        {
                            RA(ref regs, insn) = kv;
                            pc++;
                            break;
                        }
                        uint aux = Op(code, pc++);
                        L.Frames[ci].SavedPc = pc;
                        var v = ResolveImport(L, cl.Env, k, aux);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        RA(ref regs, insn) = v;
                        break;
                    }

                case OpCode.GetTable:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Table)
                        {
                            var t = rb.UnsafeTable;
                            if (rc.Type_ == LuauType.Number)
                            {
                                double d = rc.N;
                                int idx = TruncateToInt(d);
                                var array = t.Array;
                                if (idx == d && (uint)(idx - 1) < (uint)array.Length)
                                {
                                    ref var v = ref array[idx - 1];
                                    if (v.Type_ != LuauType.Nil || t.Metatable is null)
                                    {
                                        LuauValue.Copy(ref RA(ref regs, insn), in v);
                                        break;
                                    }
                                }
                            }
                            else if (t.Metatable is null)
                            {
                                RA(ref regs, insn) = t.Get(in rc);
                                break;
                            }
                        }
                        L.Frames[ci].SavedPc = pc;
                        var r = GetTableSlow(L, rb, rc, null, 0);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        RA(ref regs, insn) = r;
                        break;
                    }

                case OpCode.SetTable:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Table)
                        {
                            var t = rb.UnsafeTable;
                            if (t.Metatable is null && !t.IsReadOnly)
                            {
                                if (rc.Type_ == LuauType.Number)
                                {
                                    double d = rc.N;
                                    int idx = TruncateToInt(d);
                                    var array = t.Array;
                                    if (idx == d && (uint)(idx - 1) < (uint)array.Length)
                                    {
                                        LuauValue.Copy(ref array[idx - 1], in RA(ref regs, insn));
                                        break;
                                    }
                                }
                                L.Frames[ci].SavedPc = pc;
                                t.Set(in rc) = RA(ref regs, insn);
                                break;
                            }
                        }
                        L.Frames[ci].SavedPc = pc;
                        SetTableSlow(L, rb, rc, RA(ref regs, insn), null, 0);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.GetTableKs:
                    {
                        uint aux = Op(code, pc++);
                        ref var rb = ref RB(ref regs, insn);
                        if (rb.Type_ == LuauType.Table)
                        {
                            var t = rb.UnsafeTable;
                            var key = Kst(k, aux).UnsafeString;
                            int slot = C(insn) & t.NodeMask8;
                            ref var n = ref t.Nodes[slot];
                            if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil)
                            {
                                LuauValue.Copy(ref RA(ref regs, insn), in n.Value);
                                break;
                            }
                            if (t.Metatable is null)
                            {
                                ref readonly var res = ref t.GetStr(key);
                                if (!LuauTable.IsAbsent(in res))
                                    Op(code, pc - 2) = WithC(insn, SlotOf(t, in res));
                                RA(ref regs, insn) = res;
                                break;
                            }
                        }
                        else if (rb.Type_ == LuauType.Vector)
                        {
                            // Component access, as the vector metatable's __index would do.
                            var key = Kst(k, aux).UnsafeString;
                            if (key.Length == 1)
                            {
                                int ic = (key.Bytes[0] | ' ') - 'x';
                                if ((uint)ic < 3)
                                {
                                    RA(ref regs, insn) = new LuauValue(ic == 0 ? rb.VectorX : ic == 1 ? rb.VectorY : rb.VectorZ);
                                    break;
                                }
                            }
                        }
                        L.Frames[ci].SavedPc = pc;
                        var v = GetTableSlow(L, rb, Kst(k, aux), code, pc - 2);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        RA(ref regs, insn) = v;
                        break;
                    }

                case OpCode.SetTableKs:
                    {
                        uint aux = Op(code, pc++);
                        ref var rb = ref RB(ref regs, insn);
                        if (rb.Type_ == LuauType.Table)
                        {
                            var t = rb.UnsafeTable;
                            var key = Kst(k, aux).UnsafeString;
                            int slot = C(insn) & t.NodeMask8;
                            ref var n = ref t.Nodes[slot];
                            if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil && !t.IsReadOnly)
                            {
                                LuauValue.Copy(ref n.Value, in RA(ref regs, insn));
                                break;
                            }
                            if (!t.IsReadOnly && (t.Metatable is null || (t.Metatable.TmCache & (1 << (int)TagMethod.NewIndex)) != 0))
                            {
                                // A constructor's field into a new table: straight into its free main position.
                                if (n.Key.Type_ == LuauType.Nil && t.TryInsertAtFreeMainPosition(slot, key, in RA(ref regs, insn)))
                                    break;
                                ref var res = ref t.SetStr(key);
                                res = RA(ref regs, insn);
                                Op(code, pc - 2) = WithC(insn, SlotOf(t, in res));
                                break;
                            }
                        }
                        L.Frames[ci].SavedPc = pc;
                        SetTableSlow(L, rb, Kst(k, aux), RA(ref regs, insn), code, pc - 2);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.GetTableN:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        int idx = C(insn) + 1;
                        if (rb.Type_ == LuauType.Table)
                        {
                            var t = rb.UnsafeTable;
                            var array = t.Array;
                            if ((uint)(idx - 1) < (uint)array.Length)
                            {
                                ref var v = ref array[idx - 1];
                                if (v.Type_ != LuauType.Nil || t.Metatable is null)
                                {
                                    LuauValue.Copy(ref RA(ref regs, insn), in v);
                                    break;
                                }
                            }
                            else if (t.Metatable is null)
                            {
                                RA(ref regs, insn) = t.GetNum(idx);
                                break;
                            }
                        }
                        L.Frames[ci].SavedPc = pc;
                        var r = GetTableSlow(L, rb, new LuauValue(idx), null, 0);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        RA(ref regs, insn) = r;
                        break;
                    }

                case OpCode.SetTableN:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        int idx = C(insn) + 1;
                        if (rb.Type_ == LuauType.Table)
                        {
                            var t = rb.UnsafeTable;
                            if (t.Metatable is null && !t.IsReadOnly)
                            {
                                var array = t.Array;
                                if ((uint)(idx - 1) < (uint)array.Length)
                                    LuauValue.Copy(ref array[idx - 1], in RA(ref regs, insn));
                                else
                                {
                                    L.Frames[ci].SavedPc = pc;
                                    t.SetNum(idx) = RA(ref regs, insn);
                                }
                                break;
                            }
                        }
                        L.Frames[ci].SavedPc = pc;
                        SetTableSlow(L, rb, new LuauValue(idx), RA(ref regs, insn), null, 0);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.NewClosure:
                    {
                        var ncl = NewClosure(state, p.Children[D(insn)], cl.Env);
                        // Store first: a capture by value of this register must see the closure itself.
                        RA(ref regs, insn) = new LuauValue(ncl);
                        for (int i = 0; i < ncl.Upvalues.Length; i++)
                        {
                            uint cap = Op(code, pc++);
                            ncl.Upvalues[i] = (CaptureKind)A(cap) switch
                            {
                                CaptureKind.Value => At(ref regs, B(cap)),
                                CaptureKind.Reference => new LuauValue(LuauType.UpvalueRef, L.FindUpvalue(bse + B(cap)), 0, 0),
                                _ => cl.Upvalues[B(cap)],
                            };
                        }
                        break;
                    }

                case OpCode.DupClosure:
                    {
                        var kcl = Unsafe.As<LuauClosure>(KD(k, insn).O!);
                        // Share the preallocated closure when the environment and every capture are the same; otherwise copy it.
                        var ncl = kcl.Env == cl.Env ? kcl : NewClosure(state, kcl.Proto, cl.Env);
                        RA(ref regs, insn) = new LuauValue(ncl);
                        for (int ui = 0; ui < kcl.Upvalues.Length; ui++)
                        {
                            uint cap = Op(code, pc + ui);
                            var uv = (CaptureKind)A(cap) == CaptureKind.Value ? At(ref regs, B(cap)) : cl.Upvalues[B(cap)];
                            if (ncl == kcl && LuauValue.RawEquals(in ncl.Upvalues[ui], in uv))
                                continue;
                            if (ncl == kcl && !kcl.Preload)
                            {
                                ncl = NewClosure(state, kcl.Proto, cl.Env);
                                RA(ref regs, insn) = new LuauValue(ncl);
                                ui = -1;
                                continue;
                            }
                            // Fills a new closure, or the shared one on its first use.
                            ncl.Upvalues[ui] = uv;
                        }
                        ncl.Preload = false;
                        pc += kcl.Upvalues.Length;
                        break;
                    }

                case OpCode.NameCall:
                    {
                        uint aux = Op(code, pc++);
                        int ra = bse + A(insn);
                        var rb = RB(ref regs, insn);
                        var key = Kst(k, aux).UnsafeString;
                        if (rb.Type_ == LuauType.Table)
                        {
                            var t = rb.UnsafeTable;
                            ref var n = ref t.Nodes[(int)(key.Hash & (uint)(t.Nodes.Length - 1))];
                            if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil)
                            {
                                Reg(stack, ra + 1) = rb;
                                Reg(stack, ra) = n.Value;
                                break;
                            }
                            var mt = t.Metatable;
                            // Absent when the key's chain is this one node holding another key. Keys compare by
                            // content: a key made at run time (not interned) may equal the constant.
                            if (n.Next == 0 && (n.Key.Type_ != LuauType.String || !key.Equals(n.Key.UnsafeString))
                                && mt is not null && (mt.TmCache & (1 << (int)TagMethod.Index)) == 0)
                            {
                                ref readonly var index = ref FastTm(state, mt, TagMethod.Index);
                                if (index.Type_ == LuauType.Table)
                                {
                                    var it = index.UnsafeTable;
                                    ref var mn = ref it.Nodes[C(insn) & it.NodeMask8];
                                    if (ReferenceEquals(mn.Key.O, key) && mn.Value.Type_ != LuauType.Nil)
                                    {
                                        Reg(stack, ra + 1) = rb;
                                        Reg(stack, ra) = mn.Value;
                                        break;
                                    }
                                }
                            }
                        }
                        else if (rb.Type_ == LuauType.Userdata && Unsafe.As<LuauUserdata>(rb.O!).NameCallMethods is { } um)
                        {
                            // A bound .NET type: the method itself, in the slot the compiler's hint names, instead
                            // of __namecall dispatching on the name (the slow path looks it up in full).
                            ref var un = ref um.Nodes[C(insn) & um.NodeMask8];
                            if (ReferenceEquals(un.Key.O, key) && un.Value.Type_ != LuauType.Nil)
                            {
                                Reg(stack, ra + 1) = rb;
                                Reg(stack, ra) = un.Value;
                                break;
                            }
                        }
                        L.Frames[ci].SavedPc = pc;
                        NameCallSlow(L, ra, rb, key, code, pc - 2);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.Call:
                    {
                        if (--state.Countdown <= 0)
                        {
                            L.Frames[ci].SavedPc = pc;
                            if (Safepoint(L, pc))
                                return false;
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        int func = bse + A(insn);
                        int nparams = B(insn) - 1;
                        int nresults = C(insn) - 1;
                        int argTop = nparams < 0 ? L.Top : func + 1 + nparams;
                        L.Frames[ci].SavedPc = pc;
                        var fv = Reg(stack, func);
                        if (fv.Type_ != LuauType.Function)
                        {
                            argTop = TryFuncTM(L, func, argTop);
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                            fv = Reg(stack, func);
                        }
                        if (fv.O is LuauClosure ncl)
                        {
                            if (!TryEnterLuauInline(L, stack, func, argTop, nresults, ncl))
                                EnterLuau(L, func, argTop, nresults, ncl, FrameFlags.None);
                            // Continue in the callee's frame without the general reload at Reentry.
                            ci++;
                            cl = ncl;
                            p = ncl.Proto;
                            code = p.Code;
                            k = p.K;
                            stack = L.Stack;
                            bse = func + 1;
                            regs = ref Reg(stack, bse);
                            pc = 0;
                            if (p.Compiled is not null || --p.JitCountdown < 0)
                            {
                                // The IL tier (see Jit.IlTier): compiled code runs from here and says where to go on.
                                if ((pc = Jit.IlTier.Enter(L, cl, bse, pc)) < 0)
                                {
                                    if (pc == Jit.IlTier.Reenter)
                                        goto Reentry;
                                    return pc == Jit.IlTier.Done;
                                }
                                stack = L.Stack;
                                regs = ref Reg(stack, bse);
                            }
                            break;
                        }
                        var host = Unsafe.As<HostFunction>(fv.O!);
                        if (host.Special != SpecialFunction.None)
                        {
                            int special = EnterSpecial(L, host, func, argTop, nresults);
                            if (special > 0)
                                goto Reentry;
                            if (special == 0)
                                return false;
                        }
                        if (!CallHost(L, host, func, argTop, nresults, FrameFlags.None))
                            return false;
                        // A yieldable call from the host function leaves a new frame to run.
                        if (L.FrameIndex != ci)
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.Return:
                    {
                        // The straight-line code on the way here is at most the code before the return.
                        if ((state.Countdown -= pc) <= 0)
                        {
                            L.Frames[ci].SavedPc = pc;
                            if (Safepoint(L, pc))
                                return false;
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        int ra = bse + A(insn);
                        int b = B(insn) - 1;
                        int valEnd = b < 0 ? L.Top : ra + b;
                        ref var frame = ref L.Frames[ci];
                        int res = frame.Func;
                        int nresults = frame.NResults;
                        var flags = frame.Flags;
                        if (nresults < 0)
                        {
                            int count = valEnd - ra;
                            Array.Copy(stack, ra, stack, res, count);
                            L.Top = res + count;
                        }
                        else
                        {
                            int i = 0;
                            for (; i < nresults && ra + i < valEnd; i++)
                                LuauValue.Copy(ref stack[res + i], in stack[ra + i]);
                            for (; i < nresults; i++)
                                stack[res + i] = default;
                            L.Top = L.Frames[ci - 1].Top;
                        }
                        frame.Closure = null;
                        L.FrameIndex = ci - 1;
                        if (flags != FrameFlags.None)
                        {
                            if (flags == FrameFlags.MetaResult)
                            {
                                // A metamethod entered by an instruction of this loop: its result goes where the
                                // instruction writes; then the caller continues as after a plain return.
                                L.HostCallDepth--;
                                LuauValue.Copy(ref stack[frame.AwaitFunc], in stack[res]);
                            }
                            else
                            {
                                if ((flags & FrameFlags.Return) != 0)
                                {
                                    if (nresults >= 0)
                                        L.Top = res + nresults;
                                    return true;
                                }
                                if (!FinishFlaggedReturn(L, flags, res, nresults))
                                    return false;
                                goto Reentry;
                            }
                        }
                        // A plain return goes back to the Luau frame that made the call.
                        ci--;
                        ref var caller = ref L.Frames[ci];
                        cl = caller.Closure!;
                        p = cl.Proto;
                        code = p.Code;
                        k = p.K;
                        bse = caller.Base;
                        regs = ref Reg(stack, bse);
                        pc = caller.SavedPc;
                        if (p.Compiled is not null)
                        {
                            // The IL tier (see Jit.IlTier): compiled code runs from here and says where to go on.
                            if ((pc = Jit.IlTier.Enter(L, cl, bse, pc)) < 0)
                            {
                                if (pc == Jit.IlTier.Reenter)
                                    goto Reentry;
                                return pc == Jit.IlTier.Done;
                            }
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        break;
                    }

                case OpCode.Jump:
                    pc += D(insn);
                    break;

                case OpCode.JumpBack:
                    if ((state.Countdown -= JumpWeight(D(insn))) <= 0)
                    {
                        L.Frames[ci].SavedPc = pc;
                        if (Safepoint(L, pc))
                            return false;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                    }
                    pc += D(insn);
                    if (p.Compiled is not null || --p.JitCountdown < 0)
                    {
                        // The IL tier (see Jit.IlTier): compiled code runs from here and says where to go on.
                        if ((pc = Jit.IlTier.Enter(L, cl, bse, pc)) < 0)
                        {
                            if (pc == Jit.IlTier.Reenter)
                                goto Reentry;
                            return pc == Jit.IlTier.Done;
                        }
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                    }
                    break;

                case OpCode.JumpX:
                    if ((state.Countdown -= JumpWeight(E(insn))) <= 0)
                    {
                        L.Frames[ci].SavedPc = pc;
                        if (Safepoint(L, pc))
                            return false;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                    }
                    pc += E(insn);
                    if (p.Compiled is not null || --p.JitCountdown < 0)
                    {
                        // The IL tier (see Jit.IlTier): compiled code runs from here and says where to go on.
                        if ((pc = Jit.IlTier.Enter(L, cl, bse, pc)) < 0)
                        {
                            if (pc == Jit.IlTier.Reenter)
                                goto Reentry;
                            return pc == Jit.IlTier.Done;
                        }
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                    }
                    break;

                case OpCode.JumpIf:
                    if (RA(ref regs, insn).IsTruthy)
                        pc += D(insn);
                    break;

                case OpCode.JumpIfNot:
                    if (RA(ref regs, insn).IsFalsy)
                        pc += D(insn);
                    break;

                case OpCode.JumpIfEq:
                case OpCode.JumpIfNotEq:
                    {
                        ref var ra = ref RA(ref regs, insn);
                        ref var rb = ref RAux(ref regs, code, pc);
                        bool eq;
                        if (ra.Type_ != rb.Type_)
                            eq = false;
                        else if (ra.Type_ == LuauType.Number)
                            eq = ra.N == rb.N;
                        else if (ra.Type_ is LuauType.Table or LuauType.Userdata)
                        {
                            // __eq runs even for the same object, as in the reference.
                            L.Frames[ci].SavedPc = pc;
                            eq = EqualsWithMeta(L, ra, rb);
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        else
                            eq = LuauValue.RawEquals(in ra, in rb);
                        pc += eq == ((OpCode)(byte)insn == OpCode.JumpIfEq) ? D(insn) : 1;
                        break;
                    }

                case OpCode.JumpIfLt:
                case OpCode.JumpIfNotLt:
                    {
                        ref var ra = ref RA(ref regs, insn);
                        ref var rb = ref RAux(ref regs, code, pc);
                        bool lt;
                        if (ra.Type_ == LuauType.Number && rb.Type_ == LuauType.Number)
                            lt = ra.N < rb.N;
                        else
                        {
                            L.Frames[ci].SavedPc = pc;
                            lt = LessThan(L, ra, rb);
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        pc += lt == ((OpCode)(byte)insn == OpCode.JumpIfLt) ? D(insn) : 1;
                        break;
                    }

                case OpCode.JumpIfLe:
                case OpCode.JumpIfNotLe:
                    {
                        ref var ra = ref RA(ref regs, insn);
                        ref var rb = ref RAux(ref regs, code, pc);
                        bool le;
                        if (ra.Type_ == LuauType.Number && rb.Type_ == LuauType.Number)
                            le = ra.N <= rb.N;
                        else
                        {
                            L.Frames[ci].SavedPc = pc;
                            le = LessEqual(L, ra, rb);
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        pc += le == ((OpCode)(byte)insn == OpCode.JumpIfLe) ? D(insn) : 1;
                        break;
                    }

                case OpCode.JumpXEqKNil:
                    {
                        uint aux = Op(code, pc);
                        bool isNil = RA(ref regs, insn).Type_ == LuauType.Nil;
                        pc += isNil != ((aux >> 31) != 0) ? D(insn) : 1;
                        break;
                    }

                case OpCode.JumpXEqKB:
                    {
                        uint aux = Op(code, pc);
                        ref var ra = ref RA(ref regs, insn);
                        bool eq = ra.Type_ == LuauType.Boolean && ra.Extra == (aux & 1);
                        pc += eq != ((aux >> 31) != 0) ? D(insn) : 1;
                        break;
                    }

                case OpCode.JumpXEqKN:
                    {
                        uint aux = Op(code, pc);
                        ref var ra = ref RA(ref regs, insn);
                        bool eq = ra.Type_ == LuauType.Number && ra.N == Kst(k, aux & 0xFFFFFF).N;
                        pc += eq != ((aux >> 31) != 0) ? D(insn) : 1;
                        break;
                    }

                case OpCode.JumpXEqKS:
                    {
                        uint aux = Op(code, pc);
                        ref var ra = ref RA(ref regs, insn);
                        bool eq = ra.Type_ == LuauType.String
                            && (ReferenceEquals(ra.O, Kst(k, aux & 0xFFFFFF).O) || ra.UnsafeString.Equals(Kst(k, aux & 0xFFFFFF).UnsafeString));
                        pc += eq != ((aux >> 31) != 0) ? D(insn) : 1;
                        break;
                    }

                case OpCode.Add:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.N + rc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, rc, TagMethod.Add))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.Sub:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.N - rc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, rc, TagMethod.Sub))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.Mul:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.N * rc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, rc, TagMethod.Mul))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.Div:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.N / rc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, rc, TagMethod.Div))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.IDiv:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(Math.Floor(rb.N / rc.N));
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, rc, TagMethod.IDiv))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.Mod:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            double x = rb.N, y = rc.N;
                            RA(ref regs, insn) = new LuauValue(x - Math.Floor(x / y) * y);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, rc, TagMethod.Mod))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.Pow:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (rb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(Pow(L, rb.N, rc.N));
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, rc, TagMethod.Pow))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.AddK:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var kc = ref KC(k, insn);
                        if (rb.Type_ == LuauType.Number && kc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.N + kc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, kc, TagMethod.Add))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.SubK:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var kc = ref KC(k, insn);
                        if (rb.Type_ == LuauType.Number && kc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.N - kc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, kc, TagMethod.Sub))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.MulK:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var kc = ref KC(k, insn);
                        if (rb.Type_ == LuauType.Number && kc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.N * kc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, kc, TagMethod.Mul))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.DivK:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var kc = ref KC(k, insn);
                        if (rb.Type_ == LuauType.Number && kc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.N / kc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, kc, TagMethod.Div))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.IDivK:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var kc = ref KC(k, insn);
                        if (rb.Type_ == LuauType.Number && kc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(Math.Floor(rb.N / kc.N));
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, kc, TagMethod.IDiv))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.ModK:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var kc = ref KC(k, insn);
                        if (rb.Type_ == LuauType.Number && kc.Type_ == LuauType.Number)
                        {
                            double x = rb.N, y = kc.N;
                            RA(ref regs, insn) = new LuauValue(x - Math.Floor(x / y) * y);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, kc, TagMethod.Mod))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.PowK:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        ref var kc = ref KC(k, insn);
                        if (rb.Type_ == LuauType.Number && kc.Type_ == LuauType.Number)
                        {
                            double y = kc.N;
                            RA(ref regs, insn) = new LuauValue(y == 2 ? rb.N * rb.N : y == 0.5 ? Math.Sqrt(rb.N) : y == 3 ? rb.N * rb.N * rb.N : Pow(L, rb.N, y));
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, kc, TagMethod.Pow))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.SubRk:
                    {
                        ref var kb = ref KB(k, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (kb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(kb.N - rc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), kb, rc, TagMethod.Sub))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.DivRk:
                    {
                        ref var kb = ref KB(k, insn);
                        ref var rc = ref RC(ref regs, insn);
                        if (kb.Type_ == LuauType.Number && rc.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(kb.N / rc.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), kb, rc, TagMethod.Div))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.And:
                    {
                        var rb = RB(ref regs, insn);
                        RA(ref regs, insn) = rb.IsTruthy ? RC(ref regs, insn) : rb;
                        break;
                    }

                case OpCode.Or:
                    {
                        var rb = RB(ref regs, insn);
                        RA(ref regs, insn) = rb.IsTruthy ? rb : RC(ref regs, insn);
                        break;
                    }

                case OpCode.AndK:
                    {
                        var rb = RB(ref regs, insn);
                        RA(ref regs, insn) = rb.IsTruthy ? KC(k, insn) : rb;
                        break;
                    }

                case OpCode.OrK:
                    {
                        var rb = RB(ref regs, insn);
                        RA(ref regs, insn) = rb.IsTruthy ? rb : KC(k, insn);
                        break;
                    }

                case OpCode.Concat:
                    {
                        int b = B(insn), c = C(insn);
                        L.Frames[ci].SavedPc = pc;
                        // The values may be used by __concat; keep the stack top above them.
                        Concat(L, bse + b, bse + c);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        RA(ref regs, insn) = At(ref regs, b);
                        break;
                    }

                case OpCode.Not:
                    RA(ref regs, insn) = LuauValue.FromBool(RB(ref regs, insn).IsFalsy);
                    break;

                case OpCode.Minus:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        if (rb.Type_ == LuauType.Number)
                        {
                            RA(ref regs, insn) = new LuauValue(-rb.N);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        if (Arith(L, bse + A(insn), rb, rb, TagMethod.Unm))
                            goto Reentry;
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        break;
                    }

                case OpCode.Length:
                    {
                        ref var rb = ref RB(ref regs, insn);
                        if (rb.Type_ == LuauType.Table)
                        {
                            var t = rb.UnsafeTable;
                            if (t.Metatable is null || (t.Metatable.TmCache & (1 << (int)TagMethod.Len)) != 0)
                            {
                                RA(ref regs, insn) = new LuauValue(t.Length());
                                break;
                            }
                        }
                        else if (rb.Type_ == LuauType.String)
                        {
                            RA(ref regs, insn) = new LuauValue(rb.UnsafeString.Length);
                            break;
                        }
                        L.Frames[ci].SavedPc = pc;
                        var r = Length(L, rb);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        RA(ref regs, insn) = r;
                        break;
                    }

                case OpCode.NewTable:
                    {
                        uint aux = Op(code, pc++);
                        int b = B(insn);
                        L.Frames[ci].SavedPc = pc;
                        var t = new LuauTable(state, (int)aux, b == 0 ? 0 : 1 << (b - 1));
                        state.ChargeMemory(MemoryCost.Table);
                        RA(ref regs, insn) = new LuauValue(t);
                        break;
                    }

                case OpCode.DupTable:
                    {
                        L.Frames[ci].SavedPc = pc;
                        var t = KD(k, insn).UnsafeTable.Clone();
                        state.ChargeMemory(MemoryCost.Table);
                        RA(ref regs, insn) = new LuauValue(t);
                        break;
                    }

                case OpCode.SetList:
                    {
                        uint aux = Op(code, pc++);
                        int ra = bse + A(insn);
                        int rb = bse + B(insn);
                        int c = C(insn) - 1;
                        int count = c < 0 ? L.Top - rb : c;
                        // The verifier cannot know what a register holds: mutated bytecode may aim SETLIST at a non-table.
                        if (Reg(stack, ra).O is not LuauTable t)
                            throw new RuntimeError("invalid bytecode: SETLIST target is not a table");
                        L.Frames[ci].SavedPc = pc;
                        int index = (int)aux;
                        if (t.IsReadOnly)
                            throw new RuntimeError("attempt to modify a readonly table");
                        if (index - 1 + count > t.Array.Length)
                            t.ResizeArray(index - 1 + count);
                        // Element by element: a constructor's few values, mostly numbers, copy without the write
                        // barrier a span copy applies to every element.
                        var dstArray = t.Array;
                        for (int i = 0; i < count; i++)
                            LuauValue.Copy(ref dstArray[index - 1 + i], in stack[rb + i]);
                        if (c < 0)
                            L.Top = L.Frames[ci].Top;
                        break;
                    }

                case OpCode.ForNPrep:
                    {
                        int ra = bse + A(insn);
                        if (Reg(stack, ra).Type_ != LuauType.Number || Reg(stack, ra + 1).Type_ != LuauType.Number || Reg(stack, ra + 2).Type_ != LuauType.Number)
                        {
                            L.Frames[ci].SavedPc = pc;
                            PrepareNumericFor(L, ra);
                        }
                        double limit = Reg(stack, ra).N, step = Reg(stack, ra + 1).N, idx = Reg(stack, ra + 2).N;
                        if (!(step > 0 ? idx <= limit : limit <= idx))
                            pc += D(insn);
                        break;
                    }

                case OpCode.ForNLoop:
                    {
                        if ((state.Countdown -= JumpWeight(D(insn))) <= 0)
                        {
                            L.Frames[ci].SavedPc = pc;
                            if (Safepoint(L, pc))
                                return false;
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        // One bounds check on the highest register covers the two below it. FORNPREP made all
                        // three numbers (the compiler copies a loop variable the body assigns), so only the
                        // index's number changes.
                        ref var index = ref At(ref regs, A(insn) + 2);
                        double limit = Unsafe.Subtract(ref index, 2).N, step = Unsafe.Subtract(ref index, 1).N;
                        // Compare the sum in its register: reading it back through the ref made the branch wait
                        // for the store to forward.
                        double idx = index.N + step;
                        Unsafe.AsRef(in index.N) = idx;
                        if (step > 0 ? idx <= limit : limit <= idx)
                        {
                            pc += D(insn);
                            if (p.Compiled is not null || --p.JitCountdown < 0)
                            {
                                // The IL tier (see Jit.IlTier): compiled code runs from here and says where to go on.
                                if ((pc = Jit.IlTier.Enter(L, cl, bse, pc)) < 0)
                                {
                                    if (pc == Jit.IlTier.Reenter)
                                        goto Reentry;
                                    return pc == Jit.IlTier.Done;
                                }
                                stack = L.Stack;
                                regs = ref Reg(stack, bse);
                            }
                        }
                        break;
                    }

                case OpCode.ForGPrep:
                    {
                        int ra = bse + A(insn);
                        if (Reg(stack, ra).Type_ != LuauType.Function)
                        {
                            L.Frames[ci].SavedPc = pc;
                            PrepareGenericFor(L, ra);
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        pc += D(insn);
                        break;
                    }

                case OpCode.ForGPrepNext:
                    {
                        int ra = bse + A(insn);
                        if (cl.Env.SafeEnv && Reg(stack, ra + 1).Type_ == LuauType.Table && Reg(stack, ra + 2).Type_ == LuauType.Nil)
                        {
                            Reg(stack, ra) = default;
                            Reg(stack, ra + 2) = LuauValue.FromLightUserdata(0, IteratorTag);
                        }
                        else if (Reg(stack, ra).Type_ != LuauType.Function)
                        {
                            L.Frames[ci].SavedPc = pc;
                            throw new RuntimeError($"attempt to iterate over a {ObjectTypeName(state, Reg(stack, ra))} value");
                        }
                        pc += D(insn);
                        break;
                    }

                case OpCode.ForGPrepINext:
                    {
                        int ra = bse + A(insn);
                        if (cl.Env.SafeEnv && Reg(stack, ra + 1).Type_ == LuauType.Table && Reg(stack, ra + 2).Type_ == LuauType.Number && Reg(stack, ra + 2).N == 0)
                        {
                            Reg(stack, ra) = default;
                            Reg(stack, ra + 2) = LuauValue.FromLightUserdata(0, IteratorTag);
                        }
                        else if (Reg(stack, ra).Type_ != LuauType.Function)
                        {
                            L.Frames[ci].SavedPc = pc;
                            throw new RuntimeError($"attempt to iterate over a {ObjectTypeName(state, Reg(stack, ra))} value");
                        }
                        pc += D(insn);
                        break;
                    }

                case OpCode.ForGLoop:
                    {
                        if ((state.Countdown -= JumpWeight(D(insn))) <= 0)
                        {
                            L.Frames[ci].SavedPc = pc;
                            if (Safepoint(L, pc))
                                return false;
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                        }
                        int ra = bse + A(insn);
                        int aux = (int)Op(code, pc);
                        if (Reg(stack, ra).Type_ == LuauType.Nil && Reg(stack, ra + 1).Type_ == LuauType.Table)
                        {
                            var t = Reg(stack, ra + 1).UnsafeTable;
                            int index = (int)Reg(stack, ra + 2).LightUserdataPayload;
                            for (int i = 2; i < aux; i++)
                                Reg(stack, ra + 3 + i) = default;
                            var array = t.Array;
                            // ipairs-style traversal (sign bit of AUX) stops at the first nil.
                            if (aux < 0 && ((uint)index >= (uint)array.Length || array[index].Type_ == LuauType.Nil))
                            {
                                pc++;
                                break;
                            }
                            while ((uint)index < (uint)array.Length)
                            {
                                if (array[index].Type_ != LuauType.Nil)
                                {
                                    Reg(stack, ra + 2) = LuauValue.FromLightUserdata(index + 1, IteratorTag);
                                    Reg(stack, ra + 3) = new LuauValue(index + 1);
                                    LuauValue.Copy(ref Reg(stack, ra + 4), in array[index]);
                                    goto ForGLoopJump;
                                }
                                index++;
                            }
                            var nodes = t.Nodes;
                            int sizeNode = 1 << t.LSizeNode;
                            while ((uint)(index - array.Length) < (uint)sizeNode)
                            {
                                ref var n = ref nodes[index - array.Length];
                                if (n.Value.Type_ != LuauType.Nil)
                                {
                                    Reg(stack, ra + 2) = LuauValue.FromLightUserdata(index + 1, IteratorTag);
                                    Reg(stack, ra + 3) = n.Key;
                                    Reg(stack, ra + 4) = n.Value;
                                    goto ForGLoopJump;
                                }
                                index++;
                            }
                            pc++;
                            break;
                        ForGLoopJump:
                            pc += D(insn);
                            if (p.Compiled is not null || --p.JitCountdown < 0)
                            {
                                // The IL tier (see Jit.IlTier): compiled code runs from here and says where to go on.
                                if ((pc = Jit.IlTier.Enter(L, cl, bse, pc)) < 0)
                                {
                                    if (pc == Jit.IlTier.Reenter)
                                        goto Reentry;
                                    return pc == Jit.IlTier.Done;
                                }
                                stack = L.Stack;
                                regs = ref Reg(stack, bse);
                            }
                            break;
                        }
                        // A generator function: call it with (state, control) into the loop variables.
                        stack[ra + 5] = stack[ra + 2];
                        stack[ra + 4] = stack[ra + 1];
                        stack[ra + 3] = stack[ra];
                        L.Top = ra + 6;
                        // The frame resumes at the AUX word; the iterator's return completes the loop step (see FinishFlaggedReturn).
                        L.Frames[ci].SavedPc = pc;
                        if (!CallIterator(L, ra + 3, (byte)aux))
                            return false;
                        goto Reentry;
                    }

                case OpCode.GetVarargs:
                    {
                        int b = B(insn) - 1;
                        ref var frame = ref L.Frames[ci];
                        int n = bse - frame.Func - p.NumParams - 1;
                        if (b < 0)
                        {
                            L.Frames[ci].SavedPc = pc;
                            int ra0 = bse + A(insn);
                            L.EnsureStack(ra0 + n);
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                            Array.Copy(stack, bse - n, stack, ra0, n);
                            L.Top = ra0 + n;
                        }
                        else
                        {
                            int ra0 = bse + A(insn);
                            int j = 0;
                            for (; j < b && j < n; j++)
                                LuauValue.Copy(ref Reg(stack, ra0 + j), in Reg(stack, bse - n + j));
                            for (; j < b; j++)
                                Reg(stack, ra0 + j) = default;
                        }
                        break;
                    }

                case OpCode.PrepVarargs:
                    {
                        int numParams = A(insn);
                        L.Frames[ci].SavedPc = pc;
                        L.EnsureStack(L.Top + p.MaxStackSize + numParams);
                        stack = L.Stack;
                        regs = ref Reg(stack, bse);
                        int fixedBase = bse;
                        int newBase = L.Top;
                        for (int i = 0; i < numParams; i++)
                        {
                            Reg(stack, newBase + i) = Reg(stack, fixedBase + i);
                            Reg(stack, fixedBase + i) = default;
                        }
                        ref var frame = ref L.Frames[ci];
                        frame.Base = newBase;
                        frame.Top = newBase + p.MaxStackSize;
                        bse = newBase;
                        regs = ref Reg(stack, bse);
                        L.Top = frame.Top;
                        break;
                    }

                case OpCode.FastCall1:
                case OpCode.FastCall2:
                case OpCode.FastCall2K:
                    {
                        // Inline path for number builtins (bit32, math.floor, ...) wanting one result: no call
                        // into Builtins, no argument copies. Anything else takes the general path below.
                        int callPc = pc + C(insn);
                        uint callInsn = Op(code, callPc);
                        ref var x = ref RB(ref regs, insn);
                        if (C(callInsn) == 2 && x.Type_ == LuauType.Number && cl.Env.SafeEnv)
                        {
                            var op = (OpCode)(byte)insn;
                            double y = 0;
                            int nparams = 1;
                            if (op != OpCode.FastCall1)
                            {
                                ref var yv = ref op == OpCode.FastCall2 ? ref RAux(ref regs, code, pc) : ref Kst(k, Op(code, pc));
                                if (yv.Type_ != LuauType.Number)
                                    goto case OpCode.FastCall3;
                                y = yv.N;
                                nparams = 2;
                            }
                            if (Builtins.TryNumeric((BuiltinFunction)A(insn), nparams, x.N, y, out double r))
                            {
                                At(ref regs, A(callInsn)) = new LuauValue(r);
                                pc = callPc + 1;
                                break;
                            }
                        }
                        goto case OpCode.FastCall3;
                    }

                case OpCode.FastCall:
                case OpCode.FastCall3:
                    {
                        var op = (OpCode)(byte)insn;
                        int skip = C(insn);
                        if (cl.Env.SafeEnv)
                        {
                            int callPc = pc + skip;
                            uint callInsn = Op(code, callPc);
                            int ra = bse + A(callInsn);
                            int nresults = C(callInsn) - 1;
                            int n;
                            switch (op)
                            {
                                case OpCode.FastCall:
                                    {
                                        int nparams = B(callInsn) - 1;
                                        n = nparams < 0 ? -1 : Builtins.Call(L, (BuiltinFunction)A(insn), ra, nresults, ra + 1, nparams, -1, -1, default);
                                        break;
                                    }
                                case OpCode.FastCall1:
                                    n = Builtins.Call(L, (BuiltinFunction)A(insn), ra, nresults, bse + B(insn), 1, -1, -1, default);
                                    break;
                                case OpCode.FastCall2:
                                    n = Builtins.Call(L, (BuiltinFunction)A(insn), ra, nresults, bse + B(insn), 2, bse + (int)Op(code, pc), -1, default);
                                    break;
                                case OpCode.FastCall2K:
                                    n = Builtins.Call(L, (BuiltinFunction)A(insn), ra, nresults, bse + B(insn), 2, -1, -1, Kst(k, Op(code, pc)));
                                    break;
                                default:
                                    {
                                        uint aux = Op(code, pc);
                                        n = Builtins.Call(L, (BuiltinFunction)A(insn), ra, nresults, bse + B(insn), 3, bse + (int)(aux & 0xFF), bse + (int)((aux >> 8) & 0xFF), default);
                                        break;
                                    }
                            }
                            // A builtin may grow the stack (table.unpack with many results).
                            stack = L.Stack;
                            regs = ref Reg(stack, bse);
                            if (n >= 0)
                            {
                                if (nresults < 0)
                                    L.Top = ra + n;
                                pc = callPc + 1;
                                break;
                            }
                        }
                        if (op is OpCode.FastCall2 or OpCode.FastCall2K or OpCode.FastCall3)
                            pc++;
                        break;
                    }

                case OpCode.Coverage:
                    {
                        int hits = E(insn);
                        if (hits < (1 << 23) - 1)
                            Op(code, pc - 1) = (insn & 0xFF) | ((uint)(hits + 1) << 8);
                        break;
                    }

                case OpCode.Capture:
                    // Only reached if code jumps onto a capture list, which the verifier rules out.
                    break;

                default:
                    L.Frames[ci].SavedPc = pc;
                    throw new RuntimeError($"unsupported instruction {(OpCode)(byte)insn}");
            }
        }
    }

    /// <summary>
    /// <see cref="EnterLuau"/> for the common call, inlined into CALL: a fixed-parameter callee, room on the stack
    /// and in the frame array. Returns false (nothing done) otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryEnterLuauInline(LuauThread L, LuauValue[] stack, int func, int argTop, int nresults, LuauClosure ncl)
    {
        var np = ncl.Proto;
        int nbse = func + 1;
        int argEnd = nbse + np.NumParams;
        // The same reservation as EnterLuau's EnsureStack (with its slack of 5).
        if (np.IsVararg || Math.Max(argTop, argEnd) + np.MaxStackSize + 5 > stack.Length || !L.CanPushFrame)
            return false;
        ref var f = ref L.PushFrame();
        f.Func = func;
        f.Base = nbse;
        f.Top = nbse + np.MaxStackSize;
        f.SavedPc = 0;
        f.NResults = nresults;
        f.Closure = ncl;
        f.Host = null;
        f.Flags = FrameFlags.None;
        for (int i = argTop; i < argEnd; i++)
            Reg(stack, i) = default;
        L.Top = f.Top;
        return true;
    }

    private static LuauClosure NewClosure(LuauState state, Proto proto, LuauTable env)
    {
        state.ChargeMemory(MemoryCost.Closure(proto.NumUpvalues));
        return new LuauClosure(proto, env);
    }

    /// <summary>The index of a value slot inside a table's node array, for patching predicted slots.</summary>
    private static int SlotOf(LuauTable t, ref readonly LuauValue slot)
    {
        var nodes = t.Nodes;
        // The value is the first field of a node, so its byte offset from the array start divided by the node size is the index.
        nint offset = Unsafe.ByteOffset(ref Unsafe.As<TableNode, LuauValue>(ref nodes[0]), ref Unsafe.AsRef(in slot));
        long index = offset / Unsafe.SizeOf<TableNode>();
        return index >= 0 && index < nodes.Length ? (int)index & 0xFF : 0;
    }

    /// <summary>
    /// A register (stack slot) without the array bounds check. Only for indices the verifier bounds: a register
    /// operand is below the prototype's MaxStackSize, and every Luau frame has that many slots from its base (plus the
    /// slack <see cref="LuauThread.EnsureStack"/> keeps) before the loop runs it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue Reg(LuauValue[] stack, int index) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(stack), (nuint)(uint)index);

    /// <summary>The register <paramref name="index"/> of the frame whose register 0 is <paramref name="regs"/> (see <see cref="Reg"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue At(ref LuauValue regs, int index) => ref Unsafe.Add(ref regs, (nuint)(uint)index);

    // Operand accessors that decode the field themselves. `At(ref regs, A(insn))` nests one inlined call in the
    // argument of another, and the JIT gives every such argument a temporary; Run has so many operands that those
    // temporaries took it past the JIT's limit of locals, after which nothing more was inlined into it (calls to
    // A, At, Reg... stayed in the optimized loop). These take the instruction word, a local, instead.

    /// <summary>Register A of <paramref name="insn"/> (bits 8-15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue RA(ref LuauValue regs, uint insn) => ref Unsafe.Add(ref regs, (nuint)((insn >> 8) & 0xFF));

    /// <summary>Register B of <paramref name="insn"/> (bits 16-23).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue RB(ref LuauValue regs, uint insn) => ref Unsafe.Add(ref regs, (nuint)((insn >> 16) & 0xFF));

    /// <summary>Register C of <paramref name="insn"/> (bits 24-31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue RC(ref LuauValue regs, uint insn) => ref Unsafe.Add(ref regs, (nuint)(insn >> 24));

    /// <summary>The register named by the AUX word at <paramref name="pc"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue RAux(ref LuauValue regs, uint[] code, int pc) =>
        ref Unsafe.Add(ref regs, (nuint)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(code), (nuint)(uint)pc));

    /// <summary>Constant B of <paramref name="insn"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue KB(LuauValue[] k, uint insn) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(k), (nuint)((insn >> 16) & 0xFF));

    /// <summary>Constant C of <paramref name="insn"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue KC(LuauValue[] k, uint insn) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(k), (nuint)(insn >> 24));

    /// <summary>Constant D of <paramref name="insn"/> (an unsigned index in the D field: the verifier checked it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue KD(LuauValue[] k, uint insn) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(k), (nuint)(uint)((int)insn >> 16));

    /// <summary>An instruction word without the bounds check: the verifier keeps every pc and jump inside the code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref uint Op(uint[] code, int pc) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(code), (nuint)(uint)pc);

    /// <summary>A constant without the bounds check: the verifier checks every constant operand against the table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue Kst(LuauValue[] k, int index) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(k), (nuint)(uint)index);

    /// <inheritdoc cref="Kst(LuauValue[], int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LuauValue Kst(LuauValue[] k, uint index) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(k), (nuint)index);

    /// <summary>
    /// (int)d for array indices, without the saturating conversion's extra instructions: any double outside the int
    /// range gives a value different from d, which the caller's <c>idx == d</c> check rejects either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TruncateToInt(double d) =>
        System.Runtime.Intrinsics.X86.Sse2.IsSupported
            ? System.Runtime.Intrinsics.X86.Sse2.ConvertToInt32WithTruncation(System.Runtime.Intrinsics.Vector128.CreateScalarUnsafe(d))
            : (int)d;

    /// <summary>Luau's <c>^</c>: C's pow, managed and deterministic or the host's (see LuauState.DeterministicMath).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Pow(LuauThread L, double x, double y) => Library.LuauMath.Pow(L.State.DeterministicMath, x, y);
}
