using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Coputer.Luau.Bytecode.Instruction;

namespace Coputer.Luau.VM;

/// <summary>
/// The fast paths of interpreter instructions as methods the IL tier's compiled code calls (see
/// <see cref="Jit.IlCompiler"/>). Each does what the interpreter's case for the instruction does on its fast path,
/// and returns false, having changed nothing, where the interpreter would take its slow path: the compiled code
/// then hands the instruction to the interpreter. They live in the interpreter's class to use its private helpers.
/// </summary>
internal static partial class Interpreter
{
    internal static class JitOps
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void SetNil(ref LuauValue dst) => dst = default;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void SetBool(ref LuauValue dst, bool b) => dst = LuauValue.FromBool(b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(ref LuauValue dst, ref LuauValue src) => LuauValue.Copy(ref dst, in src);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsTruthy(ref LuauValue v) => v.IsTruthy;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsFalsy(ref LuauValue v) => v.IsFalsy;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void GetUpval(ref LuauValue dst, LuauClosure cl, int index)
        {
            ref var u = ref cl.Upvalues[index];
            LuauValue.Copy(ref dst, in u.Type_ == LuauType.UpvalueRef ? ref Unsafe.As<Upvalue>(u.O!).Slot : ref u);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void SetUpval(ref LuauValue src, LuauClosure cl, int index)
        {
            ref var u = ref cl.Upvalues[index];
            if (u.Type_ == LuauType.UpvalueRef)
                Unsafe.As<Upvalue>(u.O!).Set(in src);
            else
                LuauValue.Copy(ref u, in src);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool GetImport(ref LuauValue dst, LuauClosure cl, ref LuauValue kv)
        {
            if (kv.Type_ != LuauType.Nil && cl.Env.SafeEnv)
            {
                dst = kv;
                return true;
            }
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void And(ref LuauValue dst, ref LuauValue b, ref LuauValue c)
        {
            var rb = b;
            dst = rb.IsTruthy ? c : rb;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Or(ref LuauValue dst, ref LuauValue b, ref LuauValue c)
        {
            var rb = b;
            dst = rb.IsTruthy ? rb : c;
        }

        /// <summary>JUMPIFEQ's comparison: 1 equal, 0 not, -1 when it needs <c>__eq</c> (tables and userdata).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Equal(ref LuauValue ra, ref LuauValue rb)
        {
            if (ra.Type_ != rb.Type_)
                return 0;
            if (ra.Type_ == LuauType.Number)
                return ra.N == rb.N ? 1 : 0;
            if (ra.Type_ is LuauType.Table or LuauType.Userdata)
                return -1;
            return LuauValue.RawEquals(in ra, in rb) ? 1 : 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsNil(ref LuauValue ra) => ra.Type_ == LuauType.Nil;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool EqualsBoolean(ref LuauValue ra, uint aux) => ra.Type_ == LuauType.Boolean && ra.Extra == (aux & 1);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool EqualsString(ref LuauValue ra, ref LuauValue kv) =>
            ra.Type_ == LuauType.String && (ReferenceEquals(ra.O, kv.O) || ra.UnsafeString.Equals(kv.UnsafeString));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool GetTable(ref LuauValue dst, ref LuauValue rb, ref LuauValue rc)
        {
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
                            LuauValue.Copy(ref dst, in v);
                            return true;
                        }
                    }
                }
                else if (t.Metatable is null)
                {
                    dst = t.Get(in rc);
                    return true;
                }
            }
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool SetTable(ref LuauValue src, ref LuauValue rb, ref LuauValue rc)
        {
            if (rb.Type_ == LuauType.Table && rc.Type_ == LuauType.Number)
            {
                var t = rb.UnsafeTable;
                if (t.Metatable is null && !t.IsReadOnly)
                {
                    double d = rc.N;
                    int idx = TruncateToInt(d);
                    var array = t.Array;
                    if (idx == d && (uint)(idx - 1) < (uint)array.Length)
                    {
                        LuauValue.Copy(ref array[idx - 1], in src);
                        return true;
                    }
                }
            }
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool GetTableN(ref LuauValue dst, ref LuauValue rb, int idx)
        {
            if (rb.Type_ == LuauType.Table)
            {
                var t = rb.UnsafeTable;
                var array = t.Array;
                if ((uint)(idx - 1) < (uint)array.Length)
                {
                    ref var v = ref array[idx - 1];
                    if (v.Type_ != LuauType.Nil || t.Metatable is null)
                    {
                        LuauValue.Copy(ref dst, in v);
                        return true;
                    }
                }
                else if (t.Metatable is null)
                {
                    dst = t.GetNum(idx);
                    return true;
                }
            }
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool SetTableN(ref LuauValue src, ref LuauValue rb, int idx)
        {
            if (rb.Type_ == LuauType.Table)
            {
                var t = rb.UnsafeTable;
                var array = t.Array;
                if (t.Metatable is null && !t.IsReadOnly && (uint)(idx - 1) < (uint)array.Length)
                {
                    LuauValue.Copy(ref array[idx - 1], in src);
                    return true;
                }
            }
            return false;
        }

        /// <summary>GETTABLEKS's fast paths; <paramref name="pc"/> is the instruction's index (its hint may be patched).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool GetTableKs(ref LuauValue dst, ref LuauValue rb, ref LuauValue kv, uint[] code, int pc)
        {
            if (rb.Type_ == LuauType.Table)
            {
                var t = rb.UnsafeTable;
                var key = kv.UnsafeString;
                uint insn = code[pc];
                int slot = C(insn) & t.NodeMask8;
                ref var n = ref t.Nodes[slot];
                if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil)
                {
                    LuauValue.Copy(ref dst, in n.Value);
                    return true;
                }
                if (t.Metatable is null)
                {
                    ref readonly var res = ref t.GetStr(key);
                    if (!LuauTable.IsAbsent(in res))
                        code[pc] = WithC(insn, SlotOf(t, in res));
                    dst = res;
                    return true;
                }
            }
            else if (rb.Type_ == LuauType.Vector)
            {
                var key = kv.UnsafeString;
                if (key.Length == 1)
                {
                    int ic = (key.Bytes[0] | ' ') - 'x';
                    if ((uint)ic < 3)
                    {
                        dst = new LuauValue(ic == 0 ? rb.VectorX : ic == 1 ? rb.VectorY : rb.VectorZ);
                        return true;
                    }
                }
            }
            return false;
        }

        /// <summary>SETTABLEKS's fast paths; <paramref name="pc"/> is the instruction's index (its hint may be patched).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool SetTableKs(ref LuauValue src, ref LuauValue rb, ref LuauValue kv, uint[] code, int pc)
        {
            if (rb.Type_ == LuauType.Table)
            {
                var t = rb.UnsafeTable;
                var key = kv.UnsafeString;
                uint insn = code[pc];
                int slot = C(insn) & t.NodeMask8;
                ref var n = ref t.Nodes[slot];
                if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil && !t.IsReadOnly)
                {
                    LuauValue.Copy(ref n.Value, in src);
                    return true;
                }
                if (!t.IsReadOnly && (t.Metatable is null || (t.Metatable.TmCache & (1 << (int)TagMethod.NewIndex)) != 0))
                {
                    ref var res = ref t.SetStr(key);
                    res = src;
                    code[pc] = WithC(insn, SlotOf(t, in res));
                    return true;
                }
            }
            return false;
        }

        /// <summary>GETGLOBAL's fast path: the slot the instruction's hint names holds the key.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool GetGlobal(ref LuauValue dst, LuauClosure cl, ref LuauValue kv, uint[] code, int pc)
        {
            var key = kv.UnsafeString;
            var env = cl.Env;
            int slot = C(code[pc]) & env.NodeMask8;
            ref var n = ref env.Nodes[slot];
            if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil)
            {
                dst = n.Value;
                return true;
            }
            return false;
        }

        /// <summary>NAMECALL's fast paths: the method into <paramref name="ra"/>, the object into the register after it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool NameCall(LuauState state, ref LuauValue ra, ref LuauValue rbRef, ref LuauValue kv, uint[] code, int pc)
        {
            var rb = rbRef;
            var key = kv.UnsafeString;
            if (rb.Type_ == LuauType.Table)
            {
                var t = rb.UnsafeTable;
                ref var n = ref t.Nodes[(int)(key.Hash & (uint)(t.Nodes.Length - 1))];
                if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil)
                {
                    Unsafe.Add(ref ra, 1) = rb;
                    ra = n.Value;
                    return true;
                }
                var mt = t.Metatable;
                if (n.Next == 0 && (n.Key.Type_ != LuauType.String || !key.Equals(n.Key.UnsafeString))
                    && mt is not null && (mt.TmCache & (1 << (int)TagMethod.Index)) == 0)
                {
                    ref readonly var index = ref FastTm(state, mt, TagMethod.Index);
                    if (index.Type_ == LuauType.Table)
                    {
                        var it = index.UnsafeTable;
                        ref var mn = ref it.Nodes[C(code[pc]) & it.NodeMask8];
                        if (ReferenceEquals(mn.Key.O, key) && mn.Value.Type_ != LuauType.Nil)
                        {
                            Unsafe.Add(ref ra, 1) = rb;
                            ra = mn.Value;
                            return true;
                        }
                    }
                }
            }
            else if (rb.Type_ == LuauType.Userdata && Unsafe.As<LuauUserdata>(rb.O!).NameCallMethods is { } um)
            {
                ref var un = ref um.Nodes[C(code[pc]) & um.NodeMask8];
                if (ReferenceEquals(un.Key.O, key) && un.Value.Type_ != LuauType.Nil)
                {
                    Unsafe.Add(ref ra, 1) = rb;
                    ra = un.Value;
                    return true;
                }
            }
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Length(ref LuauValue dst, ref LuauValue rb)
        {
            if (rb.Type_ == LuauType.Table)
            {
                var t = rb.UnsafeTable;
                if (t.Metatable is null || (t.Metatable.TmCache & (1 << (int)TagMethod.Len)) != 0)
                {
                    dst = new LuauValue(t.Length());
                    return true;
                }
            }
            else if (rb.Type_ == LuauType.String)
            {
                dst = new LuauValue(rb.UnsafeString.Length);
                return true;
            }
            return false;
        }

        /// <summary>Whether the closure's environment lets builtins take their fast paths (FASTCALL's condition).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool SafeEnv(LuauClosure cl) => cl.Env.SafeEnv;

        /// <summary>The numeric builtins without a shortcut of their own in the compiled code.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Numeric(int id, int nparams, double x, double y, out double r) =>
            Builtins.TryNumeric((Bytecode.BuiltinFunction)id, nparams, x, y, out r);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Pow(LuauThread L, double x, double y) => Interpreter.Pow(L, x, y);

        /// <summary>
        /// CALL as the interpreter makes it (the instruction at <paramref name="at"/>), except that a Luau callee with
        /// compiled code runs nested here (up to <see cref="Jit.IlTier.MaxNesting"/> deep, while the .NET stack has
        /// room) instead of through the interpreter's loop. Returns the next instruction when the call has completed
        /// in this frame, <paramref name="at"/> itself (nothing done) when the interpreter must make the call (the
        /// callee is not a function or is a special builtin, or a safepoint is due), or an exit code.
        /// </summary>
        /// <remarks>The instruction's operands come decoded: the function's register <paramref name="a"/>, and B - 1 and C - 1.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int Call(LuauThread L, int bse, int at, int depth, int a, int nparams, int nresults)
        {
            LuauState state = L.State;
            int func = bse + a;
            ref var fv = ref L.Stack[func];
            if (fv.Type_ != LuauType.Function || state.Countdown <= 1)
                return at;
            var host = fv.O as HostFunction;
            if (host is not null && host.Special != SpecialFunction.None)
                return at;
            state.Countdown--;
            int ci = L.FrameIndex;
            int pc = at + 1;
            int argTop = nparams < 0 ? L.Top : func + 1 + nparams;
            L.Frames[ci].SavedPc = pc;
            if (host is null)
            {
                var ncl = Unsafe.As<LuauClosure>(fv.O!);
                if (!TryEnterLuauInline(L, L.Stack, func, argTop, nresults, ncl))
                    EnterLuau(L, func, argTop, nresults, ncl, FrameFlags.None);
                var np = ncl.Proto;
                // The interpreter's hook at a call, nested (the .NET stack is checked every 8 levels: the interpreter
                // checked it before nesting the loop this runs in, and 8 compiled frames are far below its margin).
                if ((np.Compiled is not null || --np.JitCountdown < 0) && depth < Jit.IlTier.MaxNesting
                    && ((depth & 7) != 7 || RuntimeHelpers.TryEnsureSufficientExecutionStack()))
                {
                    int r = Jit.IlTier.EnterNested(L, ncl, func + 1, depth + 1);
                    if (r == Jit.IlTier.Returned)
                        return pc;
                    if (r >= 0)
                    {
                        // The callee stopped at an instruction of its own: the interpreter takes it from there.
                        L.Frames[L.FrameIndex].SavedPc = r;
                        return Jit.IlTier.Reenter;
                    }
                    return r;
                }
                return Jit.IlTier.Reenter;
            }
            if (!CallHost(L, host, func, argTop, nresults, FrameFlags.None))
                return Jit.IlTier.Yield;
            // A yieldable call from the host function leaves a new frame to run.
            if (L.FrameIndex != ci)
                return Jit.IlTier.Reenter;
            return pc;
        }

        /// <summary>
        /// RETURN as the interpreter makes it (the instruction at <paramref name="at"/>) from a frame entered by a
        /// plain call or by a metamethod's instruction: returns <see cref="Jit.IlTier.Returned"/> with the caller's
        /// frame on top again. Returns <paramref name="at"/> (nothing done) for the interpreter's other frames and
        /// when a safepoint is due.
        /// </summary>
        /// <remarks>The instruction's operands come decoded: the first value's register <paramref name="a"/> and B - 1.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int Return(LuauThread L, int bse, int at, int a, int b)
        {
            LuauState state = L.State;
            int ci = L.FrameIndex;
            ref var frame = ref L.Frames[ci];
            var flags = frame.Flags;
            int pc = at + 1;
            // The straight-line code on the way here is at most the code before the return (as the interpreter charges).
            if ((flags != FrameFlags.None && flags != FrameFlags.MetaResult) || state.Countdown - pc <= 0)
                return at;
            state.Countdown -= pc;
            var stack = L.Stack;
            int ra = bse + a;
            int valEnd = b < 0 ? L.Top : ra + b;
            int res = frame.Func;
            int nresults = frame.NResults;
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
            if (flags == FrameFlags.MetaResult)
            {
                // A metamethod entered by an instruction: its result goes where the instruction writes.
                L.HostCallDepth--;
                LuauValue.Copy(ref stack[frame.AwaitFunc], in stack[res]);
            }
            return Jit.IlTier.Returned;
        }

        /// <summary>NEWTABLE: a table with room for <paramref name="arraySize"/> and <paramref name="hashSize"/> entries.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void NewTable(ref LuauValue dst, LuauThread L, int arraySize, int hashSize, int savedPc)
        {
            var state = L.State;
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            var t = new LuauTable(state, arraySize, hashSize);
            state.ChargeMemory(MemoryCost.Table);
            dst = new LuauValue(t);
        }

        /// <summary>DUPTABLE: a copy of the template table constant <paramref name="template"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void DupTable(ref LuauValue dst, LuauThread L, ref LuauValue template, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            var t = template.UnsafeTable.Clone();
            L.State.ChargeMemory(MemoryCost.Table);
            dst = new LuauValue(t);
        }

        /// <summary>SETLIST with a fixed count: <paramref name="count"/> registers from <paramref name="first"/> into the table in <paramref name="ra"/> from <paramref name="index"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void SetList(LuauThread L, ref LuauValue ra, ref LuauValue first, int count, int index, int savedPc)
        {
            // The verifier cannot know what a register holds: mutated bytecode may aim SETLIST at a non-table.
            if (ra.O is not LuauTable t)
                throw new RuntimeError("invalid bytecode: SETLIST target is not a table");
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            if (t.IsReadOnly)
                throw new RuntimeError("attempt to modify a readonly table");
            if (index - 1 + count > t.Array.Length)
                t.ResizeArray(index - 1 + count);
            MemoryMarshal.CreateReadOnlySpan(ref first, count).CopyTo(t.Array.AsSpan(index - 1));
        }

        /// <summary>CONCAT of registers <paramref name="b"/> to <paramref name="c"/> into <paramref name="a"/> (may run __concat and grow the stack).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Concat(LuauThread L, int bse, int a, int b, int c, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            Interpreter.Concat(L, bse + b, bse + c);
            var stack = L.Stack;
            stack[bse + a] = stack[bse + b];
        }

        /// <summary>
        /// FASTCALL's general path (the instruction at <paramref name="at"/>), as the interpreter takes it: true when
        /// the builtin ran (go on after its CALL), false when the CALL must be made (go on at the next instruction).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool FastCall(LuauThread L, LuauClosure cl, int bse, int at)
        {
            if (!cl.Env.SafeEnv)
                return false;
            var code = cl.Proto.Code;
            uint insn = code[at];
            int pc = at + 1;
            int callPc = pc + C(insn);
            uint callInsn = code[callPc];
            int ra = bse + A(callInsn);
            int nresults = C(callInsn) - 1;
            int n;
            switch ((Bytecode.OpCode)(byte)insn)
            {
                case Bytecode.OpCode.FastCall:
                    {
                        int nparams = B(callInsn) - 1;
                        n = nparams < 0 ? -1 : Builtins.Call(L, (Bytecode.BuiltinFunction)A(insn), ra, nresults, ra + 1, nparams, -1, -1, default);
                        break;
                    }
                case Bytecode.OpCode.FastCall1:
                    n = Builtins.Call(L, (Bytecode.BuiltinFunction)A(insn), ra, nresults, bse + B(insn), 1, -1, -1, default);
                    break;
                case Bytecode.OpCode.FastCall2:
                    n = Builtins.Call(L, (Bytecode.BuiltinFunction)A(insn), ra, nresults, bse + B(insn), 2, bse + (int)code[pc], -1, default);
                    break;
                case Bytecode.OpCode.FastCall2K:
                    n = Builtins.Call(L, (Bytecode.BuiltinFunction)A(insn), ra, nresults, bse + B(insn), 2, -1, -1, cl.Proto.K[code[pc]]);
                    break;
                default:
                    {
                        uint aux = code[pc];
                        n = Builtins.Call(L, (Bytecode.BuiltinFunction)A(insn), ra, nresults, bse + B(insn), 3, bse + (int)(aux & 0xFF), bse + (int)((aux >> 8) & 0xFF), default);
                        break;
                    }
            }
            if (n < 0)
                return false;
            if (nresults < 0)
                L.Top = ra + n;
            return true;
        }

        // ---- slow paths: what the interpreter's case does once its fast path does not apply (values are copies:
        // a metamethod may grow the stack) ----

        /// <summary>GETTABLE, GETTABLEKS, GETTABLEN: the value of <paramref name="key"/> in <paramref name="t"/> through metamethods into register <paramref name="a"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void GetSlow(LuauThread L, int bse, int a, LuauValue t, LuauValue key, uint[]? code, int patchPc, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            var v = GetTableSlow(L, t, key, code, patchPc);
            L.Stack[bse + a] = v;
        }

        /// <summary>GETTABLEN's key.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void GetSlowN(LuauThread L, int bse, int a, LuauValue t, int idx, int savedPc) =>
            GetSlow(L, bse, a, t, new LuauValue(idx), null, 0, savedPc);

        /// <summary>GETGLOBAL: the global <paramref name="key"/> through the environment's metamethods.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void GetGlobalSlow(LuauThread L, LuauClosure cl, int bse, int a, LuauValue key, uint[] code, int at) =>
            GetSlow(L, bse, a, new LuauValue(cl.Env), key, code, at, at + 2);

        /// <summary>SETTABLEKS, SETGLOBAL: <paramref name="t"/>[<paramref name="key"/>] = <paramref name="value"/> through metamethods.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void SetSlow(LuauThread L, LuauValue t, LuauValue key, LuauValue value, uint[]? code, int patchPc, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            SetTableSlow(L, t, key, value, code, patchPc);
        }

        /// <summary>SETGLOBAL's slow path.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void SetGlobalSlow(LuauThread L, LuauClosure cl, LuauValue key, LuauValue value, uint[] code, int at) =>
            SetSlow(L, new LuauValue(cl.Env), key, value, code, at, at + 2);

        /// <summary>SETTABLE past its array fast path: a plain table's hash part, or through metamethods.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void SetTableSlowPath(LuauThread L, LuauValue rb, LuauValue rc, LuauValue value, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            if (rb.Type_ == LuauType.Table)
            {
                var t = rb.UnsafeTable;
                if (t.Metatable is null && !t.IsReadOnly)
                {
                    t.Set(in rc) = value;
                    return;
                }
            }
            SetTableSlow(L, rb, rc, value, null, 0);
        }

        /// <summary>SETTABLEN past its array fast path: a plain table's hash part, or through metamethods.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void SetTableNSlowPath(LuauThread L, LuauValue rb, int idx, LuauValue value, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            if (rb.Type_ == LuauType.Table)
            {
                var t = rb.UnsafeTable;
                if (t.Metatable is null && !t.IsReadOnly)
                {
                    t.SetNum(idx) = value;
                    return;
                }
            }
            SetTableSlow(L, rb, new LuauValue(idx), value, null, 0);
        }

        /// <summary>SETGLOBAL's fast path: the slot the instruction's hint names holds the key.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool SetGlobal(ref LuauValue src, LuauClosure cl, ref LuauValue kv, uint[] code, int pc)
        {
            var key = kv.UnsafeString;
            var env = cl.Env;
            ref var n = ref env.Nodes[C(code[pc]) & env.NodeMask8];
            if (ReferenceEquals(n.Key.O, key) && n.Value.Type_ != LuauType.Nil && !env.IsReadOnly)
            {
                n.Value = src;
                return true;
            }
            return false;
        }

        /// <summary>NAMECALL's slow path: the method and the object into registers <paramref name="a"/> and the one after.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void NameCallSlowPath(LuauThread L, int bse, int a, LuauValue rb, LuauValue kv, uint[] code, int at)
        {
            L.Frames[L.FrameIndex].SavedPc = at + 2;
            NameCallSlow(L, bse + a, rb, kv.UnsafeString, code, at);
        }

        /// <summary>LENGTH's slow path (__len, or an error).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void LengthSlow(LuauThread L, int bse, int a, LuauValue rb, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            var r = Interpreter.Length(L, rb);
            L.Stack[bse + a] = r;
        }

        /// <summary>GETIMPORT's slow path: the import resolved by name.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ImportSlow(LuauThread L, LuauClosure cl, int bse, int a, uint aux, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            var v = ResolveImport(L, cl.Env, cl.Proto.K, aux);
            L.Stack[bse + a] = v;
        }

        /// <summary>
        /// The slow path of an arithmetic instruction, as the interpreter's (<see cref="Arith"/>): coercions, vectors
        /// and metamethods, the result into register <paramref name="a"/>. A Luau metamethod's frame runs as a nested
        /// compiled call where it can (see <see cref="Call"/>). Returns 0 when the instruction is done, else an exit code.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int ArithSlow(LuauThread L, int bse, int a, LuauValue b, LuauValue c, TagMethod op, int savedPc, int depth)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            if (!Arith(L, bse + a, b, c, op))
                return 0;
            // A Luau metamethod's frame is on top; its return writes the result.
            ref var top = ref L.Frames[L.FrameIndex];
            var mcl = top.Closure!;
            var np = mcl.Proto;
            if ((np.Compiled is not null || --np.JitCountdown < 0) && depth < Jit.IlTier.MaxNesting
                && ((depth & 7) != 7 || RuntimeHelpers.TryEnsureSufficientExecutionStack()))
            {
                int r = Jit.IlTier.EnterNested(L, mcl, top.Base, depth + 1);
                if (r == Jit.IlTier.Returned)
                    return 0;
                if (r >= 0)
                {
                    L.Frames[L.FrameIndex].SavedPc = r;
                    return Jit.IlTier.Reenter;
                }
                return r;
            }
            return Jit.IlTier.Reenter;
        }

        /// <summary>Whether FORGLOOP at <paramref name="ra"/> steps through a table in place (no iterator function).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IteratesTable(ref LuauValue ra) => ra.Type_ == LuauType.Nil && Unsafe.Add(ref ra, 1).Type_ == LuauType.Table;

        /// <summary>
        /// FORGLOOP's in-place step through the table in the register after <paramref name="ra"/>, as the interpreter
        /// takes it (<see cref="IteratesTable"/> holds): true with the next key and value in the loop's variables,
        /// false when the traversal is over.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool NextInTable(ref LuauValue ra, int aux)
        {
            var t = Unsafe.Add(ref ra, 1).UnsafeTable;
            int index = (int)Unsafe.Add(ref ra, 2).LightUserdataPayload;
            for (int i = 2; i < aux; i++)
                Unsafe.Add(ref ra, 3 + i) = default;
            var array = t.Array;
            // ipairs-style traversal (sign bit of AUX) stops at the first nil.
            if (aux < 0 && ((uint)index >= (uint)array.Length || array[index].Type_ == LuauType.Nil))
                return false;
            while ((uint)index < (uint)array.Length)
            {
                if (array[index].Type_ != LuauType.Nil)
                {
                    Unsafe.Add(ref ra, 2) = LuauValue.FromLightUserdata(index + 1, IteratorTag);
                    Unsafe.Add(ref ra, 3) = new LuauValue(index + 1);
                    LuauValue.Copy(ref Unsafe.Add(ref ra, 4), in array[index]);
                    return true;
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
                    Unsafe.Add(ref ra, 2) = LuauValue.FromLightUserdata(index + 1, IteratorTag);
                    Unsafe.Add(ref ra, 3) = n.Key;
                    Unsafe.Add(ref ra, 4) = n.Value;
                    return true;
                }
                index++;
            }
            return false;
        }

        /// <summary>JUMPIFLT's comparison of anything but two numbers, as the interpreter makes it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool LessSlow(LuauThread L, LuauValue a, LuauValue b, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            return LessThan(L, a, b);
        }

        /// <summary>JUMPIFLE's comparison of anything but two numbers, as the interpreter makes it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool LessEqualSlow(LuauThread L, LuauValue a, LuauValue b, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            return LessEqual(L, a, b);
        }

        /// <summary>JUMPIFEQ's comparison of two tables or two userdata (__eq), as the interpreter makes it: 1 equal, 0 not.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int EqualSlow(LuauThread L, LuauValue a, LuauValue b, int savedPc)
        {
            L.Frames[L.FrameIndex].SavedPc = savedPc;
            return EqualsWithMeta(L, a, b) ? 1 : 0;
        }
    }
}
