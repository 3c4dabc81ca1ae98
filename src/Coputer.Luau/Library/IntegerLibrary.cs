using System.Buffers.Binary;
using System.Numerics;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// The <c>integer</c> library: operations on Luau's 64-bit integer values (<c>123i</c>). Arithmetic wraps around
/// (two's complement); the <c>u</c> variants treat the bits as unsigned. Integers have no operators of their own
/// besides <c>==</c>, so every other operation goes through this library.
/// </summary>
internal static class IntegerLibrary
{
    public static void Open(LuauState state)
    {
        // The order of the reference's registration table, so that pairs(integer) visits the same order.
        var table = LibraryUtil.CreateLibrary(state, "integer",
            ("create", Create),
            ("tonumber", c => c.Return((double)c.CheckInteger64(1))),
            ("neg", c => c.Return(LuauValue.FromInteger(unchecked(-c.CheckInteger64(1))))),
            ("add", c => Int(c, unchecked(c.CheckInteger64(1) + c.CheckInteger64(2)))),
            ("sub", c => Int(c, unchecked(c.CheckInteger64(1) - c.CheckInteger64(2)))),
            ("mul", c => Int(c, unchecked(c.CheckInteger64(1) * c.CheckInteger64(2)))),
            ("div", c => Int(c, Checked(IntegerOps.Divide(c.CheckInteger64(1), c.CheckInteger64(2), out var e), e))),
            ("min", c => MinMax(c, max: false)),
            ("max", c => MinMax(c, max: true)),
            ("rem", c => Int(c, Checked(IntegerOps.Remainder(c.CheckInteger64(1), c.CheckInteger64(2), out var e), e))),
            ("idiv", c => Int(c, Checked(IntegerOps.FloorDivide(c.CheckInteger64(1), c.CheckInteger64(2), out var e), e))),
            ("udiv", c => Int(c, Checked(IntegerOps.UnsignedDivide(c.CheckInteger64(1), c.CheckInteger64(2), out var e), e))),
            ("urem", c => Int(c, Checked(IntegerOps.UnsignedRemainder(c.CheckInteger64(1), c.CheckInteger64(2), out var e), e))),
            ("mod", c => Int(c, Checked(IntegerOps.Modulo(c.CheckInteger64(1), c.CheckInteger64(2), out var e), e))),
            ("clamp", Clamp),
            ("band", c => Int(c, Fold(c, -1L, static (r, x) => r & x))),
            ("bor", c => Int(c, Fold(c, 0L, static (r, x) => r | x))),
            ("bnot", c => Int(c, ~c.CheckInteger64(1))),
            ("bxor", c => Int(c, Fold(c, 0L, static (r, x) => r ^ x))),
            ("lt", c => c.Return(c.CheckInteger64(1) < c.CheckInteger64(2))),
            ("le", c => c.Return(c.CheckInteger64(1) <= c.CheckInteger64(2))),
            ("ult", c => c.Return((ulong)c.CheckInteger64(1) < (ulong)c.CheckInteger64(2))),
            ("ule", c => c.Return((ulong)c.CheckInteger64(1) <= (ulong)c.CheckInteger64(2))),
            ("gt", c => c.Return(c.CheckInteger64(1) > c.CheckInteger64(2))),
            ("ge", c => c.Return(c.CheckInteger64(1) >= c.CheckInteger64(2))),
            ("ugt", c => c.Return((ulong)c.CheckInteger64(1) > (ulong)c.CheckInteger64(2))),
            ("uge", c => c.Return((ulong)c.CheckInteger64(1) >= (ulong)c.CheckInteger64(2))),
            ("lshift", c => Int(c, IntegerOps.ShiftLeft(c.CheckInteger64(1), c.CheckInteger64(2)))),
            ("rshift", c => Int(c, IntegerOps.ShiftRight(c.CheckInteger64(1), c.CheckInteger64(2)))),
            ("arshift", c => Int(c, IntegerOps.ArithmeticShiftRight(c.CheckInteger64(1), c.CheckInteger64(2)))),
            ("lrotate", c => Int(c, IntegerOps.RotateLeft(c.CheckInteger64(1), c.CheckInteger64(2)))),
            ("rrotate", c => Int(c, IntegerOps.RotateRight(c.CheckInteger64(1), c.CheckInteger64(2)))),
            ("extract", Extract),
            ("replace", Replace),
            ("btest", c => c.Return(Fold(c, -1L, static (r, x) => r & x) != 0)),
            ("countrz", c => Int(c, BitOperations.TrailingZeroCount(c.CheckInteger64(1)))),
            ("countlz", c => Int(c, BitOperations.LeadingZeroCount((ulong)c.CheckInteger64(1)))),
            ("bswap", c => Int(c, BinaryPrimitives.ReverseEndianness(c.CheckInteger64(1)))),
            ("fromstring", FromString));
        LibraryUtil.SetField(state, table, "maxsigned", LuauValue.FromInteger(long.MaxValue));
        LibraryUtil.SetField(state, table, "minsigned", LuauValue.FromInteger(long.MinValue));
    }

    private static int Int(LuauCallContext c, long value) => c.Return(LuauValue.FromInteger(value));

    private static long Checked(long value, string? error) => error is null ? value : throw new LuauError(error);

    private static long Fold(LuauCallContext c, long seed, Func<long, long, long> op)
    {
        long r = seed;
        for (int i = 1; i <= c.ArgumentCount; i++)
            r = op(r, c.CheckInteger64(i));
        return r;
    }

    private static int MinMax(LuauCallContext c, bool max)
    {
        long r = c.CheckInteger64(1);
        for (int i = 2; i <= c.ArgumentCount; i++)
        {
            long x = c.CheckInteger64(i);
            if (max ? x > r : x < r)
                r = x;
        }
        return Int(c, r);
    }

    private static int Create(LuauCallContext c)
    {
        double x = c.CheckNumber(1);
        return IntegerOps.TryFromNumber(x, out long value) ? Int(c, value) : c.Return(LuauValue.Nil);
    }

    private static int Clamp(LuauCallContext c)
    {
        long a = c.CheckInteger64(1), min = c.CheckInteger64(2), max = c.CheckInteger64(3);
        if (min > max)
            throw c.ArgumentError(3, "max must be greater than or equal to min");
        return Int(c, a < min ? min : a > max ? max : a);
    }

    /// <summary>
    /// Checks extract's and replace's field and width (arguments <paramref name="fieldArg"/> and the next). As in the
    /// reference, field + width is computed with 64-bit wraparound, so a huge width passes the check.
    /// </summary>
    private static (int Field, long Width) FieldAndWidth(LuauCallContext c, int fieldArg)
    {
        long f = c.CheckInteger64(fieldArg);
        long w = c[fieldArg + 1].IsNil ? 1 : c.CheckInteger64(fieldArg + 1);
        if (f < 0 || f > 63)
            throw c.ArgumentError(fieldArg, "field cannot be negative");
        if (w <= 0)
            throw c.ArgumentError(fieldArg + 1, "width must be positive");
        if (unchecked(f + w) > 64)
            throw new LuauError("trying to access non-existent bits");
        return ((int)f, w);
    }

    private static int Extract(LuauCallContext c)
    {
        long n = c.CheckInteger64(1);
        var (f, w) = FieldAndWidth(c, 2);
        return Int(c, IntegerOps.Extract(n, f, w));
    }

    private static int Replace(LuauCallContext c)
    {
        long n = c.CheckInteger64(1);
        long r = c.CheckInteger64(2);
        var (f, w) = FieldAndWidth(c, 3);
        ulong mask = IntegerOps.LowBits(w) << f;
        return Int(c, (long)(((ulong)n & ~mask) | (((ulong)r << f) & mask)));
    }

    private static int FromString(LuauCallContext c)
    {
        var s = c.CheckString(1);
        int b = c.OptInteger(2, 10);
        if (b < 2 || b > 36)
            throw c.ArgumentError(2, "base out of range");
        return IntegerOps.TryParse(s.Span, b, out long value) ? Int(c, value) : c.Return(LuauValue.Nil);
    }
}

/// <summary>
/// The integer operations that can fail or need care, shared by the <c>integer</c> library and the builtin fast
/// paths. Division-like operations return an error message instead of throwing, so the fast paths can fall back.
/// </summary>
internal static class IntegerOps
{
    public const string DivisionByZero = "division by zero";
    public const string Overflow = "integer overflow";

    /// <summary>integer.create: a number with an exact 64-bit integer value.</summary>
    public static bool TryFromNumber(double x, out long value)
    {
        value = 0;
        if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
            return false;
        value = (long)x;
        return value == x;
    }

    /// <summary>Truncated division; fails on zero and on minsigned / -1.</summary>
    public static long Divide(long a, long b, out string? error)
    {
        error = b == 0 ? DivisionByZero : a == long.MinValue && b == -1 ? Overflow : null;
        return error is null ? a / b : 0;
    }

    /// <summary>Floored division; fails on zero and on minsigned / -1.</summary>
    public static long FloorDivide(long a, long b, out string? error)
    {
        long q = Divide(a, b, out error);
        return error is null && q < 0 && a % b != 0 ? q - 1 : q;
    }

    /// <summary>Truncated remainder (sign of the dividend); minsigned rem -1 is 0.</summary>
    public static long Remainder(long a, long b, out string? error)
    {
        error = b == 0 ? DivisionByZero : null;
        return error is not null || b == -1 ? 0 : a % b;
    }

    /// <summary>Floored modulus (sign of the divisor); minsigned mod -1 is 0.</summary>
    public static long Modulo(long a, long b, out string? error)
    {
        long r = Remainder(a, b, out error);
        return r != 0 && (a < 0) != (b < 0) ? r + b : r;
    }

    public static long UnsignedDivide(long a, long b, out string? error)
    {
        error = b == 0 ? DivisionByZero : null;
        return error is null ? (long)((ulong)a / (ulong)b) : 0;
    }

    public static long UnsignedRemainder(long a, long b, out string? error)
    {
        error = b == 0 ? DivisionByZero : null;
        return error is null ? (long)((ulong)a % (ulong)b) : 0;
    }

    /// <summary>Logical shift left by <paramref name="i"/> places (right for negative); 64 or more places give 0.</summary>
    public static long ShiftLeft(long n, long i) =>
        i is >= -63 and <= 63 ? (i < 0 ? (long)((ulong)n >> (int)-i) : n << (int)i) : 0;

    /// <summary>Logical shift right by <paramref name="i"/> places (left for negative); 64 or more places give 0.</summary>
    public static long ShiftRight(long n, long i) =>
        i is >= -63 and <= 63 ? (i < 0 ? n << (int)-i : (long)((ulong)n >> (int)i)) : 0;

    /// <summary>Arithmetic shift right (left for negative); shifting right by 64 or more gives the sign.</summary>
    public static long ArithmeticShiftRight(long n, long i) =>
        i is >= -63 and <= 63 ? (i < 0 ? n << (int)-i : n >> (int)i) : i < -63 ? 0 : n < 0 ? -1 : 0;

    /// <summary>Rotation by the count modulo 64 (as unsigned, so -1 rotates by 63).</summary>
    public static long RotateLeft(long n, long s) => (long)BitOperations.RotateLeft((ulong)n, (int)((ulong)s % 64));

    public static long RotateRight(long n, long s) => (long)BitOperations.RotateRight((ulong)n, (int)((ulong)s % 64));

    /// <summary>Bits f..f+w-1 of <paramref name="n"/> (already checked: 0 &lt;= f &lt;= 63, 0 &lt; w, f + w &lt;= 64 with wraparound).</summary>
    public static long Extract(long n, int f, long w) => (long)(((ulong)n >> f) & LowBits(w));

    /// <summary>
    /// A mask of the low <paramref name="w"/> bits for 1 &lt;= w &lt;= 64. For larger widths (which only pass the
    /// check by wraparound) the shift count is taken modulo 64, as the reference's shift does on x64 and arm64.
    /// </summary>
    public static ulong LowBits(long w) => ulong.MaxValue >> (int)(unchecked(64 - w) & 63);

    /// <summary>
    /// integer.fromstring, as the reference's C conversion: in base 10 a signed decimal (clamped to the 64-bit range
    /// on overflow) or a <c>0x</c> hexadecimal, in other bases an unsigned numeral in that base (negated by a minus
    /// sign, all ones on overflow); spaces around it are allowed, nothing else. The text ends at a NUL byte.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, int numberBase, out long value)
    {
        int nul = s.IndexOf((byte)0);
        if (nul >= 0)
            s = s[..nul];
        int end;
        if (numberBase == 10)
        {
            end = ParseC(s, 10, signed: true, out value);
            if (end == 0)
                return false;
            if (end < s.Length && (s[end] | 0x20) == 'x')
                end = ParseC(s, 16, signed: false, out value);
        }
        else
        {
            end = ParseC(s, numberBase, signed: false, out value);
            if (end == 0)
                return false;
        }
        while (end < s.Length && IsSpace(s[end]))
            end++;
        return end == s.Length;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static int DigitValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'z' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'Z' => b - 'A' + 10,
        _ => 99,
    };

    /// <summary>
    /// C's strtoll (<paramref name="signed"/>) or strtoull: leading spaces, a sign, a <c>0x</c> prefix in base 16,
    /// digits. Returns where the numeral ends, or 0 when there is none.
    /// </summary>
    private static int ParseC(ReadOnlySpan<byte> s, int numberBase, bool signed, out long value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && IsSpace(s[i]))
            i++;
        bool negative = false;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
            negative = s[i++] == '-';
        // "0x" is a prefix only when a hex digit follows; otherwise the numeral is the "0" before it.
        if (numberBase == 16 && i + 2 < s.Length && s[i] == '0' && (s[i + 1] | 0x20) == 'x' && DigitValue(s[i + 2]) < 16)
            i += 2;
        int start = i;
        ulong magnitude = 0;
        bool overflow = false;
        for (; i < s.Length; i++)
        {
            int d = DigitValue(s[i]);
            if (d >= numberBase)
                break;
            if (magnitude > (ulong.MaxValue - (ulong)d) / (ulong)numberBase)
                overflow = true;
            else
                magnitude = magnitude * (ulong)numberBase + (ulong)d;
        }
        if (i == start)
            return 0;
        if (signed)
        {
            if (negative)
                value = overflow || magnitude > 1UL << 63 ? long.MinValue : (long)(0 - magnitude);
            else
                value = overflow || magnitude > long.MaxValue ? long.MaxValue : (long)magnitude;
        }
        else
        {
            value = overflow ? -1 : negative ? (long)(0 - magnitude) : (long)magnitude;
        }
        return i;
    }
}
