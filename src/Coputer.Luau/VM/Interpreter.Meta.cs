using System.Runtime.CompilerServices;
using Coputer.Luau.Library;
using static Coputer.Luau.Bytecode.Instruction;

namespace Coputer.Luau.VM;

internal static partial class Interpreter
{
    /// <summary>How many <c>__index</c>/<c>__newindex</c> tables a lookup follows before giving up.</summary>
    private const int MaxTagLoop = 100;

    private static readonly LuauValue s_nilValue = default;

    /// <summary>
    /// A fast metamethod (one of the first eight) from metatable <paramref name="mt"/>, or a reference to nil;
    /// absence is cached in the metatable's <see cref="LuauTable.TmCache"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref readonly LuauValue FastTm(LuauState state, LuauTable? mt, TagMethod e)
    {
        if (mt is null || (mt.TmCache & (1 << (int)e)) != 0)
            return ref s_nilValue;
        return ref FastTmLookup(state, mt, e);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ref readonly LuauValue FastTmLookup(LuauState state, LuauTable mt, TagMethod e)
    {
        ref readonly var tm = ref mt.GetStr(state.TagMethodNames[(int)e]);
        if (tm.Type_ == LuauType.Nil)
        {
            mt.TmCache |= (byte)(1 << (int)e);
            return ref s_nilValue;
        }
        return ref tm;
    }

    /// <summary>The metatable of any value: its own for tables and userdata, the shared one of its type otherwise.</summary>
    internal static LuauTable? GetMetatable(LuauState state, in LuauValue v) => v.Type_ switch
    {
        LuauType.Table => v.UnsafeTable.Metatable,
        LuauType.Userdata => ((LuauUserdata)v.O!).Metatable,
        _ => state.TypeMetatables[(int)v.Type_ < state.TypeMetatables.Length ? (int)v.Type_ : 0],
    };

    /// <summary>A metamethod of any value, or nil.</summary>
    internal static LuauValue GetTmByObj(LuauState state, in LuauValue v, TagMethod e)
    {
        var mt = GetMetatable(state, in v);
        return mt is null ? default : mt.GetStr(state.TagMethodNames[(int)e]);
    }

    /// <summary>A field of any value's metatable by name (for events the VM does not cache, such as <c>__tostring</c>), or nil.</summary>
    internal static LuauValue GetMetafield(LuauState state, in LuauValue v, LuauString name)
    {
        var mt = GetMetatable(state, in v);
        return mt is null ? default : mt.GetStr(name);
    }

    /// <summary>The type name used in error messages: <c>__type</c> for userdata and typed metatables, else the basic name.</summary>
    internal static string ObjectTypeName(LuauState state, in LuauValue v)
    {
        if (v.Type_ == LuauType.Userdata)
        {
            var u = (LuauUserdata)v.O!;
            if (!u.IsProxy && u.Metatable is not null)
            {
                ref readonly var t = ref u.Metatable.GetStr(state.TagMethodNames[(int)TagMethod.Type]);
                if (t.Type_ == LuauType.String)
                    return t.UnsafeString.ToString();
            }
            return "userdata";
        }
        if (v.Type_ != LuauType.Table && (int)v.Type_ < state.TypeMetatables.Length && state.TypeMetatables[(int)v.Type_] is { } mt)
        {
            ref readonly var t = ref mt.GetStr(state.TagMethodNames[(int)TagMethod.Type]);
            if (t.Type_ == LuauType.String)
                return t.UnsafeString.ToString();
        }
        return TypeNames.Of(v.Type_);
    }

    // ---- indexing ----

    /// <summary>
    /// <c>t[key]</c> with metamethods (the reference's luaV_gettable). When <paramref name="code"/> is given, the
    /// instruction at <paramref name="patchPc"/> gets the slot the key was found in as its new prediction.
    /// </summary>
    internal static LuauValue GetTableSlow(LuauThread L, LuauValue t, LuauValue key, uint[]? code, int patchPc)
    {
        var state = L.State;
        for (int loop = 0; loop < MaxTagLoop; loop++)
        {
            LuauValue tm;
            if (t.Type_ == LuauType.Table)
            {
                var h = t.UnsafeTable;
                ref readonly var res = ref h.Get(in key);
                if (code is not null && !LuauTable.IsAbsent(in res))
                    code[patchPc] = WithC(code[patchPc], SlotOf(h, in res));
                if (res.Type_ != LuauType.Nil)
                    return res;
                tm = FastTm(state, h.Metatable, TagMethod.Index);
                if (tm.Type_ == LuauType.Nil)
                    return default;
            }
            else
            {
                tm = GetTmByObj(state, in t, TagMethod.Index);
                if (tm.Type_ == LuauType.Nil)
                    throw IndexError(state, in t, in key);
            }
            if (tm.Type_ == LuauType.Function)
                return CallTMRes(L, in tm, in t, in key);
            t = tm;
            code = null;
        }
        throw new RuntimeError("'__index' chain too long; possible loop");
    }

    /// <summary><c>t[key] = value</c> with metamethods (the reference's luaV_settable).</summary>
    internal static void SetTableSlow(LuauThread L, LuauValue t, LuauValue key, LuauValue value, uint[]? code, int patchPc)
    {
        var state = L.State;
        for (int loop = 0; loop < MaxTagLoop; loop++)
        {
            LuauValue tm;
            if (t.Type_ == LuauType.Table)
            {
                var h = t.UnsafeTable;
                ref readonly var old = ref h.Get(in key);
                if (old.Type_ != LuauType.Nil || (tm = FastTm(state, h.Metatable, TagMethod.NewIndex)).Type_ == LuauType.Nil)
                {
                    if (h.IsReadOnly)
                        throw new RuntimeError("attempt to modify a readonly table");
                    ref var slot = ref LuauTable.IsAbsent(in old) ? ref h.NewKeyChecked(in key) : ref Unsafe.AsRef(in old);
                    h.TmCache = 0;
                    slot = value;
                    if (code is not null)
                        code[patchPc] = WithC(code[patchPc], SlotOf(h, in slot));
                    return;
                }
            }
            else
            {
                tm = GetTmByObj(state, in t, TagMethod.NewIndex);
                if (tm.Type_ == LuauType.Nil)
                    throw IndexError(state, in t, in key);
            }
            if (tm.Type_ == LuauType.Function)
            {
                CallTM(L, in tm, in t, in key, in value);
                return;
            }
            t = tm;
            code = null;
        }
        throw new RuntimeError("'__newindex' chain too long; possible loop");
    }

    private static RuntimeError IndexError(LuauState state, in LuauValue t, in LuauValue key)
    {
        string tn = ObjectTypeName(state, in t);
        if (key.Type_ == LuauType.String && key.UnsafeString.Length <= 64)
            return new RuntimeError($"attempt to index {tn} with '{key.UnsafeString}'");
        return new RuntimeError($"attempt to index {tn} with {ObjectTypeName(state, in key)}");
    }

    /// <summary>The general NAMECALL: method lookup with metamethods, <c>__namecall</c>, and the missing-method error.</summary>
    private static void NameCallSlow(LuauThread L, int ra, LuauValue obj, LuauString key, uint[] code, int patchPc)
    {
        var state = L.State;
        var stack = L.Stack;
        if (obj.Type_ != LuauType.Table)
        {
            var mt = GetMetatable(state, in obj);
            ref readonly var nc = ref FastTm(state, mt, TagMethod.NameCall);
            if (nc.Type_ != LuauType.Nil)
            {
                stack[ra + 1] = obj;
                stack[ra] = nc;
                L.NameCall = key;
                return;
            }
        }
        var method = GetTableSlow(L, obj, new LuauValue(key), obj.Type_ == LuauType.Table ? code : null, patchPc);
        stack = L.Stack;
        stack[ra + 1] = obj;
        stack[ra] = method;
        if (method.Type_ == LuauType.Nil)
            throw new RuntimeError($"attempt to call missing method '{key}' of {ObjectTypeName(state, in obj)}");
    }

    /// <summary>Resolves an import path at run time (when the environment is not safe or the constant was nil).</summary>
    private static LuauValue ResolveImport(LuauThread L, LuauTable env, LuauValue[] k, uint aux)
    {
        int count = ImportCount(aux);
        var v = GetTableSlow(L, new LuauValue(env), k[ImportId(aux, 0)], null, 0);
        for (int i = 1; i < count; i++)
        {
            // Indexing nil here is an error, as in the reference (propagation of nil happens only at load time).
            v = GetTableSlow(L, v, k[ImportId(aux, i)], null, 0);
        }
        return v;
    }

    // ---- comparison ----

    /// <summary>
    /// Equality of two tables or two userdata: <c>__eq</c> when both metatables agree on one (called even for the
    /// same object, as in the reference), otherwise identity.
    /// </summary>
    internal static bool EqualsWithMeta(LuauThread L, LuauValue a, LuauValue b)
    {
        var state = L.State;
        LuauTable? mt1, mt2;
        if (a.Type_ == LuauType.Table)
        {
            mt1 = a.UnsafeTable.Metatable;
            mt2 = b.UnsafeTable.Metatable;
        }
        else
        {
            mt1 = ((LuauUserdata)a.O!).Metatable;
            mt2 = ((LuauUserdata)b.O!).Metatable;
        }
        ref readonly var tm1 = ref FastTm(state, mt1, TagMethod.Eq);
        if (tm1.Type_ == LuauType.Nil)
            return ReferenceEquals(a.O, b.O);
        if (mt1 != mt2)
        {
            ref readonly var tm2 = ref FastTm(state, mt2, TagMethod.Eq);
            if (tm2.Type_ == LuauType.Nil || !LuauValue.RawEquals(in tm1, in tm2))
                return ReferenceEquals(a.O, b.O);
        }
        return CallTMRes(L, in tm1, in a, in b).IsTruthy;
    }

    /// <summary>Luau equality (<c>==</c>) of any two values.</summary>
    internal static bool ValuesEqual(LuauThread L, in LuauValue a, in LuauValue b)
    {
        if (a.Type_ != b.Type_)
            return false;
        if (a.Type_ is LuauType.Table or LuauType.Userdata)
            return EqualsWithMeta(L, a, b);
        return LuauValue.RawEquals(in a, in b);
    }

    internal static bool LessThan(LuauThread L, LuauValue a, LuauValue b)
    {
        if (a.Type_ != b.Type_)
            throw OrderError(L.State, in a, in b, "<");
        if (a.Type_ == LuauType.Number)
            return a.N < b.N;
        if (a.Type_ == LuauType.String)
            return a.UnsafeString.CompareTo(b.UnsafeString) < 0;
        int r = CallOrderTM(L, in a, in b, TagMethod.Lt);
        if (r < 0)
            throw OrderError(L.State, in a, in b, "<");
        return r != 0;
    }

    internal static bool LessEqual(LuauThread L, LuauValue a, LuauValue b)
    {
        if (a.Type_ != b.Type_)
            throw OrderError(L.State, in a, in b, "<=");
        if (a.Type_ == LuauType.Number)
            return a.N <= b.N;
        if (a.Type_ == LuauType.String)
            return a.UnsafeString.CompareTo(b.UnsafeString) <= 0;
        int r = CallOrderTM(L, in a, in b, TagMethod.Le);
        if (r >= 0)
            return r != 0;
        // Without __le, a <= b is not (b < a).
        r = CallOrderTM(L, in b, in a, TagMethod.Lt);
        if (r < 0)
            throw OrderError(L.State, in a, in b, "<=");
        return r == 0;
    }

    /// <summary>Calls an order metamethod both operands share: 1 or 0 for its result, -1 if there is none.</summary>
    private static int CallOrderTM(LuauThread L, in LuauValue a, in LuauValue b, TagMethod e)
    {
        var tm1 = GetTmByObj(L.State, in a, e);
        if (tm1.Type_ == LuauType.Nil)
            return -1;
        var tm2 = GetTmByObj(L.State, in b, e);
        if (!LuauValue.RawEquals(in tm1, in tm2))
            return -1;
        return CallTMRes(L, in tm1, in a, in b).IsTruthy ? 1 : 0;
    }

    private static RuntimeError OrderError(LuauState state, in LuauValue a, in LuauValue b, string op) =>
        new($"attempt to compare {ObjectTypeName(state, in a)} {op} {ObjectTypeName(state, in b)}");

    // ---- arithmetic ----

    private static string ArithName(TagMethod e) => TypeNames.TagMethodNames[(int)e][2..];

    /// <summary>
    /// Arithmetic that is not number-on-number: vectors, strings coerced to numbers, then metamethods (the
    /// reference's luaV_doarith). Writes the result to stack[<paramref name="ra"/>], or, for a Luau metamethod,
    /// pushes its frame for the running loop and returns true (its return writes the result).
    /// </summary>
    internal static bool Arith(LuauThread L, int ra, LuauValue b, LuauValue c, TagMethod op)
    {
        if (b.Type_ == LuauType.Vector || c.Type_ == LuauType.Vector)
        {
            if (TryVectorArith(in b, in c, op, out var vr))
            {
                L.Stack[ra] = vr;
                return false;
            }
        }
        if (ToNumber(in b, out double nb) && ToNumber(in c, out double nc))
        {
            L.Stack[ra] = new LuauValue(op switch
            {
                TagMethod.Add => nb + nc,
                TagMethod.Sub => nb - nc,
                TagMethod.Mul => nb * nc,
                TagMethod.Div => nb / nc,
                TagMethod.IDiv => Math.Floor(nb / nc),
                TagMethod.Mod => nb - Math.Floor(nb / nc) * nc,
                TagMethod.Pow => Pow(L, nb, nc),
                _ => -nb,
            });
            return false;
        }
        var state = L.State;
        var tm = GetTmByObj(state, in b, op);
        if (tm.Type_ == LuauType.Nil)
            tm = GetTmByObj(state, in c, op);
        if (tm.Type_ == LuauType.Nil)
        {
            string t1 = ObjectTypeName(state, in b), t2 = ObjectTypeName(state, in c);
            if (t1 == t2)
                throw new RuntimeError($"attempt to perform arithmetic ({ArithName(op)}) on {t1}");
            throw new RuntimeError($"attempt to perform arithmetic ({ArithName(op)}) on {t1} and {t2}");
        }
        if (tm.O is LuauClosure mcl && EnterMetamethod(L, mcl, in b, in c, ra))
            return true;
        var r = CallTMRes(L, in tm, in b, in c);
        L.Stack[ra] = r;
        return false;
    }

    private static bool TryVectorArith(in LuauValue b, in LuauValue c, TagMethod op, out LuauValue result)
    {
        result = default;
        if (b.Type_ == LuauType.Vector && c.Type_ == LuauType.Vector)
        {
            float bx = b.VectorX, by = b.VectorY, bz = b.VectorZ, cx = c.VectorX, cy = c.VectorY, cz = c.VectorZ;
            switch (op)
            {
                case TagMethod.Add: result = LuauValue.FromVector(bx + cx, by + cy, bz + cz); return true;
                case TagMethod.Sub: result = LuauValue.FromVector(bx - cx, by - cy, bz - cz); return true;
                case TagMethod.Mul: result = LuauValue.FromVector(bx * cx, by * cy, bz * cz); return true;
                case TagMethod.Div: result = LuauValue.FromVector(bx / cx, by / cy, bz / cz); return true;
                case TagMethod.IDiv: result = LuauValue.FromVector(MathF.Floor(bx / cx), MathF.Floor(by / cy), MathF.Floor(bz / cz)); return true;
                case TagMethod.Unm: result = LuauValue.FromVector(-bx, -by, -bz); return true;
                default: return false;
            }
        }
        if (b.Type_ == LuauType.Vector)
        {
            if (!ToNumber(in c, out double d))
                return false;
            float n = (float)d, x = b.VectorX, y = b.VectorY, z = b.VectorZ;
            switch (op)
            {
                case TagMethod.Mul: result = LuauValue.FromVector(x * n, y * n, z * n); return true;
                case TagMethod.Div: result = LuauValue.FromVector(x / n, y / n, z / n); return true;
                case TagMethod.IDiv: result = LuauValue.FromVector(MathF.Floor(x / n), MathF.Floor(y / n), MathF.Floor(z / n)); return true;
                default: return false;
            }
        }
        {
            if (!ToNumber(in b, out double d))
                return false;
            float n = (float)d, x = c.VectorX, y = c.VectorY, z = c.VectorZ;
            switch (op)
            {
                case TagMethod.Mul: result = LuauValue.FromVector(n * x, n * y, n * z); return true;
                case TagMethod.Div: result = LuauValue.FromVector(n / x, n / y, n / z); return true;
                case TagMethod.IDiv: result = LuauValue.FromVector(MathF.Floor(n / x), MathF.Floor(n / y), MathF.Floor(n / z)); return true;
                default: return false;
            }
        }
    }

    /// <summary>A number, or a string that converts to one (the arithmetic coercion).</summary>
    internal static bool ToNumber(in LuauValue v, out double n)
    {
        if (v.Type_ == LuauType.Number)
        {
            n = v.N;
            return true;
        }
        if (v.Type_ == LuauType.String)
            return TryStringToNumber(v.UnsafeString, out n);
        n = 0;
        return false;
    }

    // ---- length ----

    internal static LuauValue Length(LuauThread L, LuauValue v)
    {
        var state = L.State;
        LuauValue tm;
        switch (v.Type_)
        {
            case LuauType.Table:
                {
                    var h = v.UnsafeTable;
                    tm = FastTm(state, h.Metatable, TagMethod.Len);
                    if (tm.Type_ == LuauType.Nil)
                        return new LuauValue(h.Length());
                    break;
                }
            case LuauType.String:
                return new LuauValue(v.UnsafeString.Length);
            default:
                tm = GetTmByObj(state, in v, TagMethod.Len);
                break;
        }
        if (tm.Type_ == LuauType.Nil)
            throw new RuntimeError($"attempt to get length of a {ObjectTypeName(state, in v)} value");
        var r = CallTMRes(L, in tm, in v, in s_nilValue);
        if (r.Type_ != LuauType.Number)
            throw new RuntimeError("'__len' must return a number");
        return r;
    }

    // ---- concatenation ----

    /// <summary>
    /// Concatenates stack[<paramref name="first"/>..<paramref name="last"/>] into stack[<paramref name="first"/>]
    /// (the reference's luaV_concat): runs of strings and numbers join at once, <c>__concat</c> handles the rest
    /// from the right.
    /// </summary>
    internal static void Concat(LuauThread L, int first, int last)
    {
        int savedTop = L.Top;
        // Keep metamethod calls above the operands.
        L.Top = Math.Max(L.Top, last + 1);
        int total = last - first + 1;
        Span<byte> numberBuffer = stackalloc byte[NumberFormatter.MaxLength];
        while (total > 1)
        {
            var stack = L.Stack;
            int top = last + 1;
            int n = 2;
            ref var a = ref stack[top - 2];
            ref var b = ref stack[top - 1];
            if (!(a.Type_ is LuauType.String or LuauType.Number) || !(b.Type_ is LuauType.String or LuauType.Number))
            {
                var state = L.State;
                var tm = GetTmByObj(state, in a, TagMethod.Concat);
                if (tm.Type_ == LuauType.Nil)
                    tm = GetTmByObj(state, in b, TagMethod.Concat);
                if (tm.Type_ == LuauType.Nil)
                    throw new RuntimeError($"attempt to concatenate {ObjectTypeName(state, in a)} with {ObjectTypeName(state, in b)}");
                var r = CallTMRes(L, in tm, in a, in b);
                L.Stack[top - 2] = r;
            }
            else
            {
                // Gather as many strings and numbers as possible from the right.
                long length = StringLength(in b);
                for (n = 1; n < total && stack[top - n - 1].Type_ is LuauType.String or LuauType.Number; n++)
                {
                    length += StringLength(in stack[top - n - 1]);
                    // The reference refuses a concatenation that reaches the limit.
                    if (length >= MaxStringLength)
                        throw new RuntimeError("string length overflow");
                }
                // Charged before it is allocated: a concatenation past the memory limit never takes the memory.
                L.State.ChargeMemory(24 + length);
                L.State.ChargeWork(length >> 4);
                var bytes = new byte[length];
                int pos = 0;
                for (int i = n; i > 0; i--)
                {
                    ref var v = ref stack[top - i];
                    if (v.Type_ == LuauType.String)
                    {
                        var s = v.UnsafeString.Bytes;
                        s.CopyTo(bytes, pos);
                        pos += s.Length;
                    }
                    else
                    {
                        int len = NumberFormatter.Format(v.N, numberBuffer);
                        numberBuffer[..len].CopyTo(bytes.AsSpan(pos));
                        pos += len;
                    }
                }
                stack[top - n] = new LuauValue(LuauString.Adopt(bytes));
            }
            total -= n - 1;
            last -= n - 1;
        }
        L.Top = savedTop;
    }

    /// <summary>The largest string the engine creates: 2^30 bytes, the reference's MAXSSIZE.</summary>
    internal const int MaxStringLength = 1 << 30;

    private static long StringLength(in LuauValue v)
    {
        if (v.Type_ == LuauType.String)
            return v.UnsafeString.Length;
        Span<byte> buffer = stackalloc byte[NumberFormatter.MaxLength];
        return NumberFormatter.Format(v.N, buffer);
    }

    // ---- loops ----

    private static void PrepareNumericFor(LuauThread L, int ra)
    {
        var stack = L.Stack;
        var state = L.State;
        if (!ToNumber(in stack[ra + 2], out double init))
            throw new RuntimeError($"invalid 'for' initial value (number expected, got {ObjectTypeName(state, stack[ra + 2])})");
        stack[ra + 2] = new LuauValue(init);
        if (!ToNumber(in stack[ra], out double limit))
            throw new RuntimeError($"invalid 'for' limit (number expected, got {ObjectTypeName(state, stack[ra])})");
        stack[ra] = new LuauValue(limit);
        if (!ToNumber(in stack[ra + 1], out double step))
            throw new RuntimeError($"invalid 'for' step (number expected, got {ObjectTypeName(state, stack[ra + 1])})");
        stack[ra + 1] = new LuauValue(step);
    }

    /// <summary>FORGPREP for a non-function: <c>__iter</c>, a callable object, or the built-in table traversal.</summary>
    private static void PrepareGenericFor(LuauThread L, int ra)
    {
        var state = L.State;
        var stack = L.Stack;
        var v = stack[ra];
        var mt = v.Type_ switch
        {
            LuauType.Table => v.UnsafeTable.Metatable,
            LuauType.Userdata => ((LuauUserdata)v.O!).Metatable,
            _ => null,
        };
        ref readonly var iter = ref FastTm(state, mt, TagMethod.Iter);
        if (iter.Type_ != LuauType.Nil)
        {
            var fn = iter;
            stack[ra + 1] = v;
            stack[ra] = fn;
            int savedTop = L.Top;
            L.Top = ra + 2;
            Call(L, ra, 3);
            L.Top = savedTop;
            stack = L.Stack;
            if (stack[ra].Type_ == LuauType.Nil)
                throw new RuntimeError("attempt to call a nil value");
            return;
        }
        if (FastTm(state, mt, TagMethod.Call).Type_ != LuauType.Nil)
            return;
        if (v.Type_ == LuauType.Table)
        {
            stack[ra + 1] = v;
            stack[ra + 2] = LuauValue.FromLightUserdata(0, IteratorTag);
            stack[ra] = default;
            return;
        }
        throw new RuntimeError($"attempt to iterate over a {ObjectTypeName(state, in v)} value");
    }
}
