using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Coputer.Luau.Bytecode;
using Coputer.Luau.Library;

namespace Coputer.Luau.VM;

/// <summary>
/// Fast paths of builtin functions for the FASTCALL instructions. A fast path never calls Luau code, never yields
/// and never raises an error: when its arguments are not the simple case it returns -1 and the interpreter makes
/// the ordinary call, which gives the library function's full behaviour (coercions, metamethods, errors).
/// </summary>
internal static class Builtins
{
    /// <summary>
    /// Runs builtin <paramref name="id"/>. Arguments: <paramref name="nparams"/> of them, the first at stack index
    /// <paramref name="arg0"/>, the second at <paramref name="arg1"/> (or the constant <paramref name="kArg"/> when
    /// <paramref name="arg1"/> is -1 and there are two), the third at <paramref name="arg2"/>; for the plain FASTCALL
    /// they are consecutive. Results go to stack[<paramref name="ra"/>...]. Returns the number of results, or -1.
    /// </summary>
    // Compiled optimized at once: a hot builtin loop otherwise runs these unoptimized until the tiering queue
    // (behind the interpreter loop itself) reaches them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Call(LuauThread L, BuiltinFunction id, int ra, int nresults, int arg0, int nparams, int arg1, int arg2, LuauValue kArg)
    {
        var stack = L.Stack;
        if (nparams >= 2 && arg1 < 0 && kArg.Type_ == LuauType.Nil)
        {
            // Consecutive arguments (plain FASTCALL).
            arg1 = arg0 + 1;
            arg2 = arg0 + 2;
        }
        LuauValue a = nparams >= 1 ? stack[arg0] : default;
        LuauValue b = nparams >= 2 ? (arg1 >= 0 ? stack[arg1] : kArg) : default;
        LuauValue c = nparams >= 3 ? stack[arg2] : default;

        int n = Dispatch(L, id, ra, nresults, nparams, arg0, in a, in b, in c);
        if (n >= 0)
        {
            stack = L.Stack;
            for (int i = n; i < nresults; i++)
                stack[ra + i] = default;
        }
        return n;
    }

    // Compiled optimized at once: a hot builtin loop otherwise runs these unoptimized until the tiering queue
    // (behind the interpreter loop itself) reaches them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Dispatch(LuauThread L, BuiltinFunction id, int ra, int nresults, int nparams, int arg0, in LuauValue a, in LuauValue b, in LuauValue c)
    {
        if (id >= BuiltinFunction.IntegerCreate)
            return DispatchInteger(L.Stack, id, ra, nresults, nparams, arg0, in a, in b, in c);
        var stack = L.Stack;
        bool num1 = nparams >= 1 && a.Type_ == LuauType.Number;
        bool num2 = num1 && nparams >= 2 && b.Type_ == LuauType.Number;
        double x = a.N, y = b.N;
        if (num1 && (nparams == 1 || (nparams == 2 && num2)) && TryNumeric(id, nparams, x, y, out double numeric))
            return Number(stack, ra, numeric);
        bool det = L.State.DeterministicMath;
        switch (id)
        {
            case BuiltinFunction.Assert:
                if (nparams >= 1 && a.IsTruthy && (nresults == 0 || nresults == 1 || nparams == 1))
                {
                    stack[ra] = a;
                    return 1;
                }
                return -1;

            case BuiltinFunction.MathAcos when num1 && nparams == 1: return Number(stack, ra, LuauMath.Acos(det, x));
            case BuiltinFunction.MathAsin when num1 && nparams == 1: return Number(stack, ra, LuauMath.Asin(det, x));
            case BuiltinFunction.MathAtan2 when num2 && nparams == 2: return Number(stack, ra, LuauMath.Atan2(det, x, y));
            case BuiltinFunction.MathAtan when num1 && nparams == 1: return Number(stack, ra, LuauMath.Atan(det, x));
            case BuiltinFunction.MathCosh when num1 && nparams == 1: return Number(stack, ra, LuauMath.Cosh(det, x));
            case BuiltinFunction.MathCos when num1 && nparams == 1: return Number(stack, ra, LuauMath.Cos(det, x));
            case BuiltinFunction.MathExp when num1 && nparams == 1: return Number(stack, ra, LuauMath.Exp(det, x));
            case BuiltinFunction.MathFmod when num2 && nparams == 2: return Number(stack, ra, LuauMath.Fmod(det, x, y));
            case BuiltinFunction.MathLog10 when num1 && nparams == 1: return Number(stack, ra, LuauMath.Log10(det, x));
            case BuiltinFunction.MathLog when num1 && nparams == 1: return Number(stack, ra, LuauMath.Log(det, x));
            case BuiltinFunction.MathLog when num2 && nparams == 2:
                return Number(stack, ra, LuauMath.Log(det, x, y));
            case BuiltinFunction.MathPow when num2 && nparams == 2: return Number(stack, ra, LuauMath.Pow(det, x, y));
            case BuiltinFunction.MathSinh when num1 && nparams == 1: return Number(stack, ra, LuauMath.Sinh(det, x));
            case BuiltinFunction.MathSin when num1 && nparams == 1: return Number(stack, ra, LuauMath.Sin(det, x));
            case BuiltinFunction.MathTanh when num1 && nparams == 1: return Number(stack, ra, LuauMath.Tanh(det, x));
            case BuiltinFunction.MathTan when num1 && nparams == 1: return Number(stack, ra, LuauMath.Tan(det, x));
            case BuiltinFunction.MathIsNan when num1 && nparams == 1: return Bool(stack, ra, double.IsNaN(x));
            case BuiltinFunction.MathIsInf when num1 && nparams == 1: return Bool(stack, ra, double.IsInfinity(x));
            case BuiltinFunction.MathIsFinite when num1 && nparams == 1: return Bool(stack, ra, double.IsFinite(x));
            case BuiltinFunction.MathClamp when num2 && nparams == 3 && c.Type_ == LuauType.Number:
                {
                    double min = y, max = c.N;
                    if (!(min <= max))
                        return -1;
                    double r = x < min ? min : x;
                    return Number(stack, ra, r > max ? max : r);
                }
            case BuiltinFunction.MathLerp when num2 && nparams == 3 && c.Type_ == LuauType.Number:
                return Number(stack, ra, Lerp(x, y, c.N));
            case BuiltinFunction.MathMin when num1:
            case BuiltinFunction.MathMax when num1:
                {
                    double r = x;
                    for (int i = 1; i < nparams; i++)
                    {
                        var v = i == 1 ? b : i == 2 ? c : stack[arg0 + i];
                        if (v.Type_ != LuauType.Number)
                            return -1;
                        if (id == BuiltinFunction.MathMin ? v.N < r : v.N > r)
                            r = v.N;
                    }
                    return Number(stack, ra, r);
                }

            case BuiltinFunction.Bit32Band when AllNumbers(stack, arg0, nparams, in a, in b, in c):
            case BuiltinFunction.Bit32Bor when AllNumbers(stack, arg0, nparams, in a, in b, in c):
            case BuiltinFunction.Bit32Bxor when AllNumbers(stack, arg0, nparams, in a, in b, in c):
            case BuiltinFunction.Bit32Btest when AllNumbers(stack, arg0, nparams, in a, in b, in c):
                {
                    uint r = id is BuiltinFunction.Bit32Band or BuiltinFunction.Bit32Btest ? 0xFFFFFFFFu : 0;
                    for (int i = 0; i < nparams; i++)
                    {
                        uint u = ToUInt32(i == 0 ? a.N : i == 1 ? b.N : i == 2 ? c.N : stack[arg0 + i].N);
                        r = id switch
                        {
                            BuiltinFunction.Bit32Bor => r | u,
                            BuiltinFunction.Bit32Bxor => r ^ u,
                            _ => r & u,
                        };
                    }
                    return id == BuiltinFunction.Bit32Btest ? Bool(stack, ra, r != 0) : Number(stack, ra, r);
                }
            case BuiltinFunction.Bit32Extract when num2 && nparams >= 2:
                {
                    int w = 1;
                    if (nparams == 3)
                    {
                        if (c.Type_ != LuauType.Number)
                            return -1;
                        w = NativeCasts.ToInt32(c.N);
                    }
                    int f = NativeCasts.ToInt32(y);
                    if (f < 0 || w <= 0 || f + w > 32)
                        return -1;
                    uint m = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1;
                    return Number(stack, ra, (ToUInt32(x) >> f) & m);
                }

            case BuiltinFunction.Bit32Replace when nparams is 3 or 4 && num2 && c.Type_ == LuauType.Number:
                {
                    int w = 1;
                    if (nparams == 4)
                    {
                        ref var d = ref stack[arg0 + 3];
                        if (d.Type_ != LuauType.Number)
                            return -1;
                        w = NativeCasts.ToInt32(d.N);
                    }
                    int f = NativeCasts.ToInt32(c.N);
                    // Fields the library rejects (or would compute oddly) go to the library.
                    if (f < 0 || f > 31 || w <= 0 || f + w > 32)
                        return -1;
                    uint m = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1;
                    return Number(stack, ra, (ToUInt32(x) & ~(m << f)) | ((ToUInt32(y) & m) << f));
                }

            case BuiltinFunction.BufferReadi8 or BuiltinFunction.BufferReadu8 or BuiltinFunction.BufferReadi16 or BuiltinFunction.BufferReadu16
                or BuiltinFunction.BufferReadi32 or BuiltinFunction.BufferReadu32 or BuiltinFunction.BufferReadf32 or BuiltinFunction.BufferReadf64
                when nparams >= 2 && nresults <= 1 && a.Type_ == LuauType.Buffer && b.Type_ == LuauType.Number:
                {
                    var data = Unsafe.As<LuauBuffer>(a.O!).Data;
                    int offset = NativeCasts.ToInt32(y);
                    int size = BufferAccessSize(id);
                    if ((ulong)(uint)offset + (uint)size > (ulong)data.Length)
                        return -1;
                    var bytes = data.AsSpan(offset, size);
                    double v = id switch
                    {
                        BuiltinFunction.BufferReadi8 => (sbyte)bytes[0],
                        BuiltinFunction.BufferReadu8 => bytes[0],
                        BuiltinFunction.BufferReadi16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
                        BuiltinFunction.BufferReadu16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                        BuiltinFunction.BufferReadi32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
                        BuiltinFunction.BufferReadu32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                        BuiltinFunction.BufferReadf32 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
                        _ => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
                    };
                    return Number(stack, ra, v);
                }

            case BuiltinFunction.BufferWriteu8 or BuiltinFunction.BufferWriteu16 or BuiltinFunction.BufferWriteu32
                or BuiltinFunction.BufferWritef32 or BuiltinFunction.BufferWritef64
                when nparams >= 3 && nresults <= 0 && a.Type_ == LuauType.Buffer && b.Type_ == LuauType.Number && c.Type_ == LuauType.Number:
                {
                    var data = Unsafe.As<LuauBuffer>(a.O!).Data;
                    int offset = NativeCasts.ToInt32(y);
                    int size = BufferAccessSize(id);
                    if ((ulong)(uint)offset + (uint)size > (ulong)data.Length)
                        return -1;
                    var bytes = data.AsSpan(offset, size);
                    switch (id)
                    {
                        case BuiltinFunction.BufferWriteu8: bytes[0] = (byte)ToUInt32(c.N); break;
                        case BuiltinFunction.BufferWriteu16: BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)ToUInt32(c.N)); break;
                        case BuiltinFunction.BufferWriteu32: BinaryPrimitives.WriteUInt32LittleEndian(bytes, ToUInt32(c.N)); break;
                        // As the library: a NaN is stored canonical under deterministic math.
                        case BuiltinFunction.BufferWritef32: BinaryPrimitives.WriteSingleLittleEndian(bytes, (float)LuauMath.Observable(L.State, c.N)); break;
                        default: BinaryPrimitives.WriteDoubleLittleEndian(bytes, LuauMath.Observable(L.State, c.N)); break;
                    }
                    return 0;
                }

            case BuiltinFunction.SetMetatable when nparams >= 2 && nresults <= 1 && a.Type_ == LuauType.Table && b.Type_ == LuauType.Table:
                {
                    // Only the common case: a table without a metatable yet (no __metatable protection to check).
                    var t = a.UnsafeTable;
                    if (t.IsReadOnly || t.Metatable is not null)
                        return -1;
                    t.Metatable = b.UnsafeTable;
                    stack[ra] = a;
                    return 1;
                }

            case BuiltinFunction.SelectVararg when nparams == 1 && nresults == 1:
                {
                    // select(i, ...) and select("#", ...) in a variadic function: its extra arguments sit below its base.
                    ref var frame = ref L.Frames[L.FrameIndex];
                    int count = frame.Base - frame.Func - frame.Closure!.Proto.NumParams - 1;
                    if (a.Type_ == LuauType.Number)
                    {
                        int i = Interpreter.DoubleToInt(x);
                        if ((uint)(i - 1) >= (uint)count)
                            return -1;
                        stack[ra] = stack[frame.Base - count + i - 1];
                        return 1;
                    }
                    if (a.Type_ == LuauType.String && a.UnsafeString.Length > 0 && a.UnsafeString.Bytes[0] == '#')
                        return Number(stack, ra, count);
                    return -1;
                }

            case BuiltinFunction.Type when nparams >= 1:
                stack[ra] = L.State.TypeNameStrings[(int)a.Type_];
                return 1;
            case BuiltinFunction.TypeOf when nparams >= 1 && a.Type_ is not (LuauType.Userdata or LuauType.Table) && L.State.TypeMetatables[(int)a.Type_] is null:
                stack[ra] = L.State.TypeNameStrings[(int)a.Type_];
                return 1;

            case BuiltinFunction.StringLen when nparams == 1 && a.Type_ == LuauType.String:
                return Number(stack, ra, a.UnsafeString.Length);
            case BuiltinFunction.StringByte when nparams == 1 && a.Type_ == LuauType.String && nresults <= 1:
                {
                    var s = a.UnsafeString;
                    if (s.Length == 0)
                        return -1;
                    return Number(stack, ra, s.Bytes[0]);
                }
            case BuiltinFunction.StringByte when nparams == 2 && a.Type_ == LuauType.String && b.Type_ == LuauType.Number && nresults <= 1:
                {
                    var s = a.UnsafeString;
                    int i = NativeCasts.ToInt32(b.N);
                    if (i < 0)
                        i += s.Length + 1;
                    if (i < 1 || i > s.Length || b.N != i && b.N != i - s.Length - 1)
                        return -1;
                    return Number(stack, ra, s.Bytes[i - 1]);
                }
            case BuiltinFunction.StringChar when nparams == 1 && num1 && nresults <= 1:
                {
                    int ch = NativeCasts.ToInt32(x);
                    if ((uint)ch > 255 || ch != x)
                        return -1;
                    stack[ra] = LuauString.FromByte((byte)ch);
                    return 1;
                }
            case BuiltinFunction.StringSub when nparams == 3 && a.Type_ == LuauType.String && b.Type_ == LuauType.Number && c.Type_ == LuauType.Number:
                {
                    var s = a.UnsafeString;
                    int len = s.Length;
                    int i = NativeCasts.ToInt32(b.N), j = NativeCasts.ToInt32(c.N);
                    if (i != b.N || j != c.N)
                        return -1;
                    if (i < 0)
                        i += len + 1;
                    if (j < 0)
                        j += len + 1;
                    if (i < 1)
                        i = 1;
                    if (j > len)
                        j = len;
                    stack[ra] = i <= j ? LuauString.From(s.Span[(i - 1)..j]) : LuauString.Empty;
                    return 1;
                }

            case BuiltinFunction.RawEqual when nparams == 2: return Bool(stack, ra, LuauValue.RawEquals(in a, in b));
            case BuiltinFunction.RawGet when nparams == 2 && a.Type_ == LuauType.Table:
                stack[ra] = a.UnsafeTable.Get(in b);
                return 1;
            case BuiltinFunction.RawLen when nparams == 1 && a.Type_ == LuauType.Table: return Number(stack, ra, a.UnsafeTable.Length());
            case BuiltinFunction.RawLen when nparams == 1 && a.Type_ == LuauType.String: return Number(stack, ra, a.UnsafeString.Length);
            case BuiltinFunction.GetMetatable when nparams == 1 && a.Type_ == LuauType.Table:
                {
                    var mt = a.UnsafeTable.Metatable;
                    if (mt is null)
                    {
                        stack[ra] = default;
                        return 1;
                    }
                    ref readonly var protectedMt = ref mt.GetStr(L.State.TagMethodNames[(int)TagMethod.Metatable]);
                    stack[ra] = protectedMt.Type_ != LuauType.Nil ? protectedMt : new LuauValue(mt);
                    return 1;
                }

            case BuiltinFunction.TableInsert when nparams == 2 && a.Type_ == LuauType.Table && nresults <= 0:
                {
                    var t = a.UnsafeTable;
                    if (t.IsReadOnly || t.Metatable is not null)
                        return -1;
                    int pos = t.Length() + 1;
                    t.SetNum(pos) = b;
                    return 0;
                }
            case BuiltinFunction.TableUnpack when nresults < 0 && a.Type_ == LuauType.Table:
                {
                    // As the reference: only the array part, only when the stack has room already, and never past
                    // the host stack limit (then the library function reports "too many results to unpack").
                    var t = a.UnsafeTable;
                    int n = -1;
                    if (nparams == 1)
                        n = t.Length();
                    else if (nparams == 3 && b.Type_ == LuauType.Number && c.Type_ == LuauType.Number && b.N == 1.0)
                        n = (int)c.N;
                    if (n < 0 || n > t.SizeArray || ra + n > stack.Length || n + nparams > LuauThread.MaxHostStack)
                        return -1;
                    Array.Copy(t.Array, 0, stack, ra, n);
                    return n;
                }

            case BuiltinFunction.Vector when num2 && nparams >= 3 && c.Type_ == LuauType.Number:
                stack[ra] = LuauValue.FromVector((float)x, (float)y, (float)c.N);
                return 1;

            case BuiltinFunction.ToNumber when nparams == 1 && num1:
                stack[ra] = a;
                return 1;
            case BuiltinFunction.ToString when nparams == 1 && a.Type_ == LuauType.String:
                stack[ra] = a;
                return 1;
            case BuiltinFunction.ToString when nparams == 1 && a.Type_ == LuauType.Number && L.State.TypeMetatables[(int)LuauType.Number] is null:
                {
                    var s = Interpreter.NumberToString(x);
                    L.State.ChargeMemory(MemoryCost.String(s.Length));
                    stack[ra] = s;
                    return 1;
                }

            default:
                return -1;
        }
    }

    /// <summary>The integer library's builtins and buffer.readinteger/writeinteger: integer arguments only, one result at most.</summary>
    private static int DispatchInteger(LuauValue[] stack, BuiltinFunction id, int ra, int nresults, int nparams, int arg0, in LuauValue a, in LuauValue b, in LuauValue c)
    {
        if (nresults > 1 || nparams < 1)
            return -1;
        switch (id)
        {
            case BuiltinFunction.IntegerCreate when a.Type_ == LuauType.Number:
                stack[ra] = IntegerOps.TryFromNumber(a.N, out long created) ? LuauValue.FromInteger(created) : default;
                return 1;
            case BuiltinFunction.BufferReadInteger when nparams >= 2 && a.Type_ == LuauType.Buffer && b.Type_ == LuauType.Number:
                {
                    var data = ((LuauBuffer)a.O!).Data;
                    int offset = NativeCasts.ToInt32(b.N);
                    if ((ulong)(uint)offset + 8 > (ulong)data.Length)
                        return -1;
                    return Integer(stack, ra, BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(offset)));
                }
            case BuiltinFunction.BufferWriteInteger when nparams >= 3 && a.Type_ == LuauType.Buffer && b.Type_ == LuauType.Number && c.Type_ == LuauType.Integer:
                {
                    var data = ((LuauBuffer)a.O!).Data;
                    int offset = NativeCasts.ToInt32(b.N);
                    if ((ulong)(uint)offset + 8 > (ulong)data.Length)
                        return -1;
                    BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(offset), c.Integer);
                    return 0;
                }
        }

        if (a.Type_ != LuauType.Integer)
            return -1;
        long x = a.Integer;
        switch (id)
        {
            case BuiltinFunction.IntegerToNumber: return Number(stack, ra, x);
            case BuiltinFunction.IntegerNeg: return Integer(stack, ra, unchecked(-x));
            case BuiltinFunction.IntegerBnot: return Integer(stack, ra, ~x);
            case BuiltinFunction.IntegerBswap: return Integer(stack, ra, BinaryPrimitives.ReverseEndianness(x));
            case BuiltinFunction.IntegerCountRz: return Integer(stack, ra, BitOperations.TrailingZeroCount(x));
            case BuiltinFunction.IntegerCountLz: return Integer(stack, ra, BitOperations.LeadingZeroCount((ulong)x));
            case BuiltinFunction.IntegerBand:
            case BuiltinFunction.IntegerBor:
            case BuiltinFunction.IntegerBxor:
            case BuiltinFunction.IntegerBtest:
            case BuiltinFunction.IntegerMin:
            case BuiltinFunction.IntegerMax:
                {
                    long r = x;
                    for (int i = 1; i < nparams; i++)
                    {
                        ref readonly var v = ref i == 1 ? ref b : ref i == 2 ? ref c : ref stack[arg0 + i];
                        if (v.Type_ != LuauType.Integer)
                            return -1;
                        long y = v.Integer;
                        r = id switch
                        {
                            BuiltinFunction.IntegerBor => r | y,
                            BuiltinFunction.IntegerBxor => r ^ y,
                            BuiltinFunction.IntegerMin => Math.Min(r, y),
                            BuiltinFunction.IntegerMax => Math.Max(r, y),
                            _ => r & y,
                        };
                    }
                    return id == BuiltinFunction.IntegerBtest ? Bool(stack, ra, r != 0) : Integer(stack, ra, r);
                }
        }

        if (nparams < 2 || b.Type_ != LuauType.Integer)
            return -1;
        long y2 = b.Integer;
        string? error;
        long result;
        switch (id)
        {
            case BuiltinFunction.IntegerAdd: return Integer(stack, ra, unchecked(x + y2));
            case BuiltinFunction.IntegerSub: return Integer(stack, ra, unchecked(x - y2));
            case BuiltinFunction.IntegerMul: return Integer(stack, ra, unchecked(x * y2));
            case BuiltinFunction.IntegerDiv: result = IntegerOps.Divide(x, y2, out error); break;
            case BuiltinFunction.IntegerIDiv: result = IntegerOps.FloorDivide(x, y2, out error); break;
            case BuiltinFunction.IntegerRem: result = IntegerOps.Remainder(x, y2, out error); break;
            case BuiltinFunction.IntegerMod: result = IntegerOps.Modulo(x, y2, out error); break;
            case BuiltinFunction.IntegerUDiv: result = IntegerOps.UnsignedDivide(x, y2, out error); break;
            case BuiltinFunction.IntegerURem: result = IntegerOps.UnsignedRemainder(x, y2, out error); break;
            case BuiltinFunction.IntegerLt: return Bool(stack, ra, x < y2);
            case BuiltinFunction.IntegerLe: return Bool(stack, ra, x <= y2);
            case BuiltinFunction.IntegerGt: return Bool(stack, ra, x > y2);
            case BuiltinFunction.IntegerGe: return Bool(stack, ra, x >= y2);
            case BuiltinFunction.IntegerUlt: return Bool(stack, ra, (ulong)x < (ulong)y2);
            case BuiltinFunction.IntegerUle: return Bool(stack, ra, (ulong)x <= (ulong)y2);
            case BuiltinFunction.IntegerUgt: return Bool(stack, ra, (ulong)x > (ulong)y2);
            case BuiltinFunction.IntegerUge: return Bool(stack, ra, (ulong)x >= (ulong)y2);
            case BuiltinFunction.IntegerLshift: return Integer(stack, ra, IntegerOps.ShiftLeft(x, y2));
            case BuiltinFunction.IntegerRshift: return Integer(stack, ra, IntegerOps.ShiftRight(x, y2));
            case BuiltinFunction.IntegerArshift: return Integer(stack, ra, IntegerOps.ArithmeticShiftRight(x, y2));
            case BuiltinFunction.IntegerLrotate: return Integer(stack, ra, IntegerOps.RotateLeft(x, y2));
            case BuiltinFunction.IntegerRrotate: return Integer(stack, ra, IntegerOps.RotateRight(x, y2));
            case BuiltinFunction.IntegerExtract:
                {
                    long w = 1;
                    if (nparams >= 3)
                    {
                        if (c.Type_ != LuauType.Integer)
                            return -1;
                        w = c.Integer;
                    }
                    if (y2 < 0 || y2 > 63 || w <= 0 || unchecked(y2 + w) > 64)
                        return -1;
                    return Integer(stack, ra, IntegerOps.Extract(x, (int)y2, w));
                }
            case BuiltinFunction.IntegerClamp when nparams >= 3 && c.Type_ == LuauType.Integer && y2 <= c.Integer:
                return Integer(stack, ra, x < y2 ? y2 : x > c.Integer ? c.Integer : x);
            default:
                return -1;
        }
        return error is null ? Integer(stack, ra, result) : -1;
    }

    private static int Integer(LuauValue[] stack, int ra, long v)
    {
        stack[ra] = LuauValue.FromInteger(v);
        return 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Number(LuauValue[] stack, int ra, double v)
    {
        stack[ra] = new LuauValue(v);
        return 1;
    }

    private static int Bool(LuauValue[] stack, int ra, bool v)
    {
        stack[ra] = v ? LuauValue.True : LuauValue.False;
        return 1;
    }

    /// <summary>
    /// The builtins of one or two number arguments and one number result that need nothing but the arguments
    /// (bit32, floor, ceil, abs, sqrt, sign, round, deg, rad, min, max): the interpreter's inline FASTCALL path and
    /// the first step of <see cref="Dispatch"/>. False when <paramref name="id"/> is not one of them or the
    /// arguments are outside its simple case (the general path then decides).
    /// </summary>
    // Compiled optimized at once: a hot builtin loop otherwise runs these unoptimized until the tiering queue
    // (behind the interpreter loop itself) reaches them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryNumeric(BuiltinFunction id, int nparams, double x, double y, out double r)
    {
        if (nparams == 1)
        {
            switch (id)
            {
                case BuiltinFunction.MathAbs: r = Math.Abs(x); return true;
                case BuiltinFunction.MathCeil: r = Math.Ceiling(x); return true;
                case BuiltinFunction.MathFloor: r = Math.Floor(x); return true;
                case BuiltinFunction.MathSqrt: r = Math.Sqrt(x); return true;
                case BuiltinFunction.MathSign: r = x > 0 ? 1 : x < 0 ? -1 : 0; return true;
                case BuiltinFunction.MathRound: r = Round(x); return true;
                case BuiltinFunction.MathDeg: r = x / (Math.PI / 180.0); return true;
                case BuiltinFunction.MathRad: r = x * (Math.PI / 180.0); return true;
                case BuiltinFunction.MathMin or BuiltinFunction.MathMax: r = x; return true;
                case BuiltinFunction.Bit32Band or BuiltinFunction.Bit32Bor or BuiltinFunction.Bit32Bxor: r = ToUInt32(x); return true;
                case BuiltinFunction.Bit32Bnot: r = ~ToUInt32(x); return true;
                case BuiltinFunction.Bit32CountLz: r = BitOperations.LeadingZeroCount(ToUInt32(x)); return true;
                case BuiltinFunction.Bit32CountRz:
                    {
                        uint u = ToUInt32(x);
                        r = u == 0 ? 32 : BitOperations.TrailingZeroCount(u);
                        return true;
                    }
                case BuiltinFunction.Bit32ByteSwap: r = BinaryPrimitives.ReverseEndianness(ToUInt32(x)); return true;
            }
        }
        else if (nparams == 2)
        {
            switch (id)
            {
                case BuiltinFunction.MathMin: r = y < x ? y : x; return true;
                case BuiltinFunction.MathMax: r = y > x ? y : x; return true;
                case BuiltinFunction.Bit32Band: r = ToUInt32(x) & ToUInt32(y); return true;
                case BuiltinFunction.Bit32Bor: r = ToUInt32(x) | ToUInt32(y); return true;
                case BuiltinFunction.Bit32Bxor: r = ToUInt32(x) ^ ToUInt32(y); return true;
                case BuiltinFunction.Bit32Lshift or BuiltinFunction.Bit32Rshift or BuiltinFunction.Bit32Arshift:
                    {
                        uint u = ToUInt32(x);
                        int s = NativeCasts.ToInt32(y);
                        if ((uint)s >= 32)
                            break;
                        r = id == BuiltinFunction.Bit32Lshift ? u << s : id == BuiltinFunction.Bit32Rshift ? u >> s : (uint)((int)u >> s);
                        return true;
                    }
                // The count converts as an int (C's int(d)), as the library's does: 0xFFFFFFFF rotates by 0, not 31.
                case BuiltinFunction.Bit32Lrotate: r = BitOperations.RotateLeft(ToUInt32(x), NativeCasts.ToInt32(y) & 31); return true;
                case BuiltinFunction.Bit32Rrotate: r = BitOperations.RotateRight(ToUInt32(x), NativeCasts.ToInt32(y) & 31); return true;
                case BuiltinFunction.Bit32ExtractK:
                    {
                        // The constant packs field | (width - 1) << 5.
                        int packed = (int)y;
                        int f = packed & 31;
                        int w = 1 + (packed >> 5);
                        uint m = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1;
                        r = (ToUInt32(x) >> f) & m;
                        return true;
                    }
            }
        }
        r = 0;
        return false;
    }

    /// <summary>The bytes a buffer read or write builtin touches.</summary>
    private static int BufferAccessSize(BuiltinFunction id) => id switch
    {
        BuiltinFunction.BufferReadi8 or BuiltinFunction.BufferReadu8 or BuiltinFunction.BufferWriteu8 => 1,
        BuiltinFunction.BufferReadi16 or BuiltinFunction.BufferReadu16 or BuiltinFunction.BufferWriteu16 => 2,
        BuiltinFunction.BufferReadf64 or BuiltinFunction.BufferWritef64 => 8,
        _ => 4,
    };

    private static bool AllNumbers(LuauValue[] stack, int arg0, int nparams, in LuauValue a, in LuauValue b, in LuauValue c)
    {
        for (int i = 0; i < nparams; i++)
        {
            var t = i == 0 ? a.Type_ : i == 1 ? b.Type_ : i == 2 ? c.Type_ : stack[arg0 + i].Type_;
            if (t != LuauType.Number)
                return false;
        }
        return true;
    }

    /// <summary>A number reduced to 32 bits as bit32 does: truncated to a 64-bit integer (x86-64 rules), low half kept.</summary>
    internal static uint ToUInt32(double d) => (uint)NativeCasts.ToInt64(d);

    /// <summary>C's fmod: the remainder with the sign of the dividend.</summary>
    internal static double CFmod(double x, double y) => x % y;

    /// <summary>Round half away from zero, keeping the sign of zero (math.round).</summary>
    internal static double Round(double x) => Math.Round(x, MidpointRounding.AwayFromZero);

    /// <summary>Linear interpolation that is exact at t = 1 (math.lerp).</summary>
    internal static double Lerp(double a, double b, double t) => t == 1 ? b : a + (b - a) * t;
}
