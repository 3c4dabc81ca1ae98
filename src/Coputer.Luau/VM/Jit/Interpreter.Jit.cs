using System.Runtime.CompilerServices;
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
    }
}
