using System.Runtime.CompilerServices;

namespace Coputer.Luau.Library;

/// <summary>
/// The reference implementation converts doubles to integers with plain C casts, whose result for NaN and
/// out-of-range values is undefined in C but fixed in practice by the x86-64 instructions the compiler emits
/// (<c>cvttsd2si</c> yields the "integer indefinite" value, the most negative integer). .NET casts saturate
/// instead, so library code that must agree with the reference (<c>string.format("%d")</c>,
/// <c>luaL_checkinteger</c>, <c>os.time</c> fields, ...) converts through these helpers.
/// </summary>
internal static class NativeCasts
{
    /// <summary>C <c>(int)d</c> on x86-64: truncation toward zero; NaN and values outside the int range give <see cref="int.MinValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ToInt32(double d)
    {
        // The comparison is false for NaN, so NaN takes the "indefinite" branch too.
        if (d > -2147483649.0 && d < 2147483648.0)
            return (int)d;
        return int.MinValue;
    }

    /// <summary>C <c>(long long)d</c> on x86-64: truncation toward zero; NaN and values outside the int64 range give <see cref="long.MinValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ToInt64(double d)
    {
        // -2^63 itself is in range; 2^63 is not. Every double in between converts exactly after truncation.
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            return (long)d;
        return long.MinValue;
    }

    /// <summary>
    /// C <c>(unsigned long long)d</c> as GCC compiles it for x86-64: values below 2^63 (and NaN) go through the
    /// signed conversion, larger ones are converted after subtracting 2^63 and get the top bit back, so values
    /// at or beyond 2^64 (and +inf) come out as 0 and NaN as 2^63.
    /// </summary>
    public static ulong ToUInt64(double d)
    {
        const double TwoTo63 = 9223372036854775808.0;
        if (!(d >= TwoTo63))
            return (ulong)ToInt64(d);
        return (ulong)ToInt64(d - TwoTo63) ^ 0x8000_0000_0000_0000UL;
    }
}
