using System.Numerics;
using Coputer.Luau.Library;
using static Coputer.Luau.Tests.Library.MathReference;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// What each math function must return, independently of the engine: C99 Annex F for zeros, infinities and NaN
/// (every NaN result is the canonical NaN), and otherwise the correctly rounded value from
/// <see cref="MathReference"/>, or exact arithmetic for fmod and ldexp.
/// </summary>
internal static class MathExpectations
{
    public static readonly double NaN = DeterministicMath.CanonicalNaN;
    private const double Inf = double.PositiveInfinity;

    private static bool IsNegative(double d) => BitConverter.DoubleToInt64Bits(d) < 0;

    private static double Rounded(Real? v, bool exact = false) => v is { } r ? ToDouble(r, out _, exact) : throw new InvalidOperationException("no reference value");

    private static double HalfPi => ToDouble(Pi.Scale(-1), out _);

    /// <summary>The expected result of <paramref name="function"/> (a name of <see cref="MathAccuracy.Functions"/>, or fmod, ldexp).</summary>
    public static double Of(string function, double x, double y = 0) => function switch
    {
        "sin" => !double.IsFinite(x) ? NaN : x == 0 ? x : Rounded(Sin(Real.FromDouble(x))),
        "cos" => !double.IsFinite(x) ? NaN : x == 0 ? 1.0 : Rounded(Cos(Real.FromDouble(x))),
        "tan" => !double.IsFinite(x) ? NaN : x == 0 ? x : Rounded(Tan(Real.FromDouble(x))),
        "asin" => double.IsNaN(x) || Math.Abs(x) > 1 ? NaN : x == 0 ? x : Rounded(Asin(Real.FromDouble(x))),
        "acos" => double.IsNaN(x) || Math.Abs(x) > 1 ? NaN : x == 1 ? 0.0 : Rounded(Acos(Real.FromDouble(x))),
        "atan" => double.IsNaN(x) ? NaN : double.IsInfinity(x) ? (x > 0 ? HalfPi : -HalfPi) : x == 0 ? x : Rounded(Atan(Real.FromDouble(x))),
        "atan2" => Atan2(x, y),
        "exp" => double.IsNaN(x) ? NaN : x == Inf ? Inf : x == -Inf ? 0.0 : x > 720 ? Inf : x < -760 ? 0.0 : Rounded(Exp(Real.FromDouble(x))),
        "log" => LogLike(x, v => v),
        "log2" => LogLike(x, v => v / Ln2),
        "log10" => LogLike(x, v => v / Ln10),
        "logb" => LogBase(x, y),
        "pow" => Pow(x, y),
        "sinh" => double.IsNaN(x) ? NaN : double.IsInfinity(x) || x == 0 ? x : Math.Abs(x) > 720 ? (x > 0 ? Inf : -Inf) : Rounded(Sinh(Real.FromDouble(x))),
        "cosh" => double.IsNaN(x) ? NaN : double.IsInfinity(x) || Math.Abs(x) > 720 ? Inf : x == 0 ? 1.0 : Rounded(Cosh(Real.FromDouble(x))),
        "tanh" => double.IsNaN(x) ? NaN : double.IsInfinity(x) ? (x > 0 ? 1.0 : -1.0) : x == 0 ? x : Math.Abs(x) > 400 ? (x > 0 ? 1.0 : -1.0) : Rounded(Tanh(Real.FromDouble(x))),
        "fmod" => Fmod(x, y),
        "ldexp" => Ldexp(x, (int)y),
        _ => throw new ArgumentException(function, nameof(function)),
    };

    private static double LogLike(double x, Func<Real, Real> scale)
    {
        if (double.IsNaN(x) || x < 0)
            return NaN;
        if (x == 0)
            return -Inf;
        if (x == Inf)
            return Inf;
        return x == 1 ? 0.0 : Rounded(scale(Log(Real.FromDouble(x))));
    }

    /// <summary>ln x / ln b, with the special values of C's log(x) / log(b).</summary>
    private static double LogBase(double x, double b)
    {
        if (!(x > 0) || !(b > 0) || double.IsInfinity(x) || double.IsInfinity(b) || x == 1 || b == 1)
        {
            double q = LogLike(x, v => v) / LogLike(b, v => v);
            return double.IsNaN(q) ? NaN : q;
        }
        return Rounded(Log(Real.FromDouble(x)) / Log(Real.FromDouble(b)));
    }

    private static double Atan2(double y, double x)
    {
        if (double.IsNaN(x) || double.IsNaN(y))
            return NaN;
        double pi = ToDouble(Pi, out _);
        double r;
        if (y == 0)
            r = IsNegative(x) ? pi : 0.0;
        else if (double.IsInfinity(y))
            r = double.IsInfinity(x) ? ToDouble(IsNegative(x) ? Pi.Scale(-2) * Real.FromInteger(3) : Pi.Scale(-2), out _) : HalfPi;
        else if (x == 0)
            r = HalfPi;
        else if (double.IsInfinity(x))
            r = x > 0 ? 0.0 : pi;
        else
            return Rounded(MathReference.Atan2(Real.FromDouble(y), Real.FromDouble(x)));
        return IsNegative(y) ? -r : r;
    }

    private static double Pow(double x, double y)
    {
        if (y == 0 || x == 1)
            return 1.0;
        if (double.IsNaN(x) || double.IsNaN(y))
            return NaN;
        bool integer = Math.Floor(y) == y;
        bool odd = integer && Math.Abs(y) < 9007199254740992.0 && ((long)y & 1) != 0;
        if (double.IsInfinity(y))
        {
            double ax = Math.Abs(x);
            return ax == 1 ? 1.0 : (ax < 1) == (y > 0) ? 0.0 : Inf;
        }
        if (x == 0)
            return y < 0 ? (odd ? (IsNegative(x) ? -Inf : Inf) : Inf) : (odd ? x : 0.0);
        if (x == Inf)
            return y < 0 ? 0.0 : Inf;
        if (x == -Inf)
            return y < 0 ? (odd ? -0.0 : 0.0) : (odd ? -Inf : Inf);
        if (x < 0 && !integer)
            return NaN;
        // Integer powers are exact, so their ties (x^2 on a midpoint) are real ties.
        var v = MathAccuracy.PowReference(x, y)!.Value;
        bool exact = integer && ((y > 0 && y <= 64) || (Real.FromDouble(Math.Abs(x)).M.IsPowerOfTwo && Math.Abs(y) <= 4096));
        return ToDouble(v, out _, exact);
    }

    /// <summary>fmod by exact integer arithmetic: x - trunc(x/y) y.</summary>
    private static double Fmod(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y) || double.IsInfinity(x) || y == 0)
            return NaN;
        if (double.IsInfinity(y) || x == 0)
            return x;
        var a = Real.FromDouble(Math.Abs(x));
        var b = Real.FromDouble(Math.Abs(y));
        long e = Math.Min(a.E, b.E);
        var ia = a.M << (int)(a.E - e);
        var ib = b.M << (int)(b.E - e);
        var r = BigInteger.Remainder(ia, ib);
        double result = ToDouble(new Real(r, e), out _, exact: true);
        return IsNegative(x) ? -result : result;
    }

    /// <summary>x * 2^n rounded once, ties to even.</summary>
    private static double Ldexp(double x, int n)
    {
        if (double.IsNaN(x))
            return NaN;
        if (x == 0 || double.IsInfinity(x))
            return x;
        double r = ToDouble(Real.FromDouble(x).Scale(n), out _, exact: true);
        // ToDouble returns +0 for an underflow; the sign of x survives it.
        return r == 0 && IsNegative(x) ? -0.0 : r;
    }
}
