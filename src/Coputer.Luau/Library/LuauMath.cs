using System.Runtime.CompilerServices;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// The math functions the library, the builtin fast paths and the <c>^</c> operator call: the managed
/// <see cref="DeterministicMath"/> (the same bits everywhere) when <c>deterministic</c>, otherwise the
/// host's C library through <see cref="Math"/> (what the reference does). The flag is the state's
/// <see cref="LuauState.DeterministicMath"/>, set from <see cref="LuauPlatform.DeterministicMath"/>.
/// </summary>
internal static class LuauMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sin(bool deterministic, double x) => deterministic ? DeterministicMath.Sin(x) : Math.Sin(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Cos(bool deterministic, double x) => deterministic ? DeterministicMath.Cos(x) : Math.Cos(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Tan(bool deterministic, double x) => deterministic ? DeterministicMath.Tan(x) : Math.Tan(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Asin(bool deterministic, double x) => deterministic ? DeterministicMath.Asin(x) : Math.Asin(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Acos(bool deterministic, double x) => deterministic ? DeterministicMath.Acos(x) : Math.Acos(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Atan(bool deterministic, double x) => deterministic ? DeterministicMath.Atan(x) : Math.Atan(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Atan2(bool deterministic, double y, double x) => deterministic ? DeterministicMath.Atan2(y, x) : Math.Atan2(y, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sinh(bool deterministic, double x) => deterministic ? DeterministicMath.Sinh(x) : Math.Sinh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Cosh(bool deterministic, double x) => deterministic ? DeterministicMath.Cosh(x) : Math.Cosh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Tanh(bool deterministic, double x) => deterministic ? DeterministicMath.Tanh(x) : Math.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Exp(bool deterministic, double x) => deterministic ? DeterministicMath.Exp(x) : Math.Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log(bool deterministic, double x) => deterministic ? DeterministicMath.Log(x) : Math.Log(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log10(bool deterministic, double x) => deterministic ? DeterministicMath.Log10(x) : Math.Log10(x);

    /// <summary>Luau's <c>math.log(x, base)</c>: log2 and log10 for those bases, otherwise ln x / ln base.</summary>
    public static double Log(bool deterministic, double x, double b)
    {
        if (deterministic)
            return b == 2.0 ? DeterministicMath.Log2(x) : b == 10.0 ? DeterministicMath.Log10(x) : DeterministicMath.LogBase(x, b);
        return b == 2.0 ? Math.Log2(x) : b == 10.0 ? Math.Log10(x) : Math.Log(x) / Math.Log(b);
    }

    /// <summary>C's pow (Luau's <c>^</c> and <c>math.pow</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Pow(bool deterministic, double x, double y) => deterministic ? DeterministicMath.Pow(x, y) : Math.Pow(x, y);

    /// <summary>C's fmod (exact in any correct implementation; the managed one does not depend on the C library's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Fmod(bool deterministic, double x, double y) => deterministic ? DeterministicMath.Fmod(x, y) : Builtins.CFmod(x, y);

    /// <summary>C's ldexp.</summary>
    public static double Ldexp(bool deterministic, double x, int e) => deterministic ? DeterministicMath.Ldexp(x, e) : Math.ScaleB(x, e);

    /// <summary>
    /// A number about to be written where its bits show (<c>string.pack</c>, buffer writes, the sign <c>%f</c>
    /// prints for NaN): with deterministic math every NaN becomes <see cref="DeterministicMath.CanonicalNaN"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Observable(LuauState state, double value) =>
        state.DeterministicMath && double.IsNaN(value) ? DeterministicMath.CanonicalNaN : value;
}
