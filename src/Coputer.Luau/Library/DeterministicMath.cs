using System.Runtime.CompilerServices;

namespace Coputer.Luau.Library;

/// <summary>
/// The math library's functions computed in managed code from operations IEEE 754 defines exactly (+, -, *, /,
/// sqrt, rounding to an integer and bit manipulation), so that every machine and runtime gets the same bits.
/// <see cref="Math"/>'s transcendental functions call the platform's C library, whose results differ between
/// operating systems, C libraries and CPUs; these do not. No fused multiply-add is used (RyuJIT never contracts
/// a * b + c, and these functions do not ask for it).
/// </summary>
/// <remarks>
/// The methods are the classic table-driven ones (in the style of fdlibm, musl and the CRlibm/CORE-MATH quick
/// phases): an exact or double-double argument reduction (Cody-Waite, and Payne-Hanek for huge trigonometric
/// arguments), a short Taylor polynomial on a small remainder, and a final combination carried out in
/// double-double arithmetic, so that the one rounding that matters happens last. The error before that rounding
/// is about 2^-60 of the result or less, which keeps every result within one unit in the last place of the
/// correctly rounded one and makes most of them exactly the correctly rounded value (the tests measure both
/// against a BigInteger reference). The tables and constants in DeterministicMath.Tables.cs are generated from
/// that reference.
/// </remarks>
internal static partial class DeterministicMath
{
    /// <summary>
    /// The NaN every deterministic computation shows (sign bit set, quiet, no payload: .NET's <c>double.NaN</c> and
    /// the x86 default). NaNs that arithmetic produces differ by CPU (x86 sets the sign, ARM does not) and by operand
    /// order, so wherever a NaN's bits can be observed they are first replaced by this one.
    /// </summary>
    public static readonly double CanonicalNaN = BitConverter.UInt64BitsToDouble(0xFFF8_0000_0000_0000UL);

    /// <summary>The single-precision counterpart of <see cref="CanonicalNaN"/>.</summary>
    public static readonly float CanonicalNaNSingle = BitConverter.UInt32BitsToSingle(0xFFC0_0000U);

    /// <summary><paramref name="x"/>, or <see cref="CanonicalNaN"/> when it is any NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CanonicalizeNaN(double x) => double.IsNaN(x) ? CanonicalNaN : x;

    private static double[] FromBits(ulong[] bits)
    {
        var values = new double[bits.Length];
        for (int i = 0; i < bits.Length; i++)
            values[i] = BitConverter.UInt64BitsToDouble(bits[i]);
        return values;
    }

    // ---- exact building blocks ---------------------------------------------------------------------------------

    /// <summary>s + err = a + b exactly, s = fl(a + b) (Knuth).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double TwoSum(double a, double b, out double err)
    {
        double s = a + b;
        double bb = s - a;
        err = (a - (s - bb)) + (b - bb);
        return s;
    }

    /// <summary>s + err = a + b exactly when |a| &gt;= |b| or a is zero (Dekker).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double FastTwoSum(double a, double b, out double err)
    {
        double s = a + b;
        err = b - (s - a);
        return s;
    }

    /// <summary>
    /// p + err = a * b exactly, p = fl(a * b), by Veltkamp splitting and Dekker's product. Exact when |a| and |b|
    /// are below 2^995 and the product is not near the subnormal range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double TwoProd(double a, double b, out double err)
    {
        const double Splitter = 134217729.0; // 2^27 + 1
        double p = a * b;
        double t = Splitter * a;
        double ah = t - (t - a);
        double al = a - ah;
        t = Splitter * b;
        double bh = t - (t - b);
        double bl = b - bh;
        err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
        return p;
    }

    /// <summary>(ah + al) / (bh + bl) as a double-double, relative error about 2^-100.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double DivDD(double ah, double al, double bh, double bl, out double lo)
    {
        double q = ah / bh;
        double p = TwoProd(q, bh, out double pe);
        double r = (ah - p) - pe + al - q * bl;
        return FastTwoSum(q, r / bh, out lo);
    }

    /// <summary>2^k for -1022 &lt;= k &lt;= 1023.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Pow2(int k) => BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);

    /// <summary>
    /// (hi + lo) * 2^k rounded once to the nearest double, for hi &gt; 0 with |lo| at most half an ulp of hi (so hi
    /// is already the rounded sum). Normal results are exact scalings of hi; subnormal ones are rounded here from
    /// the full double-double, which avoids the double rounding a plain multiplication would make.
    /// </summary>
    private static double ScaleRounded(double hi, double lo, int k)
    {
        int e = (int)((BitConverter.DoubleToInt64Bits(hi) >> 52) & 0x7FF) - 1023 + k;
        if (e >= -1022)
        {
            // Two steps where 2^k is not a double; the first keeps the value normal, so both are exact (or overflow).
            if (k > 1023)
                return hi * Pow2(1023) * Pow2(k - 1023);
            if (k < -1022)
                return hi * Pow2(k + 1022) * Pow2(-1022);
            return hi * Pow2(k);
        }
        if (e < -1076)
            return 0.0;
        // Count in units of the smallest subnormal, 2^-1074: x + y, then round that to an integer. The callers'
        // hi is near 1, so 2^s is a double.
        int s = k + 1074;
        double x = hi * Pow2(s), y = lo * Pow2(s);
        double floor = Math.Floor(x);
        double g = (x - floor) - 0.5; // exact: x < 2^52
        bool up = g > -y || (g == -y && ((long)floor & 1) != 0);
        return (floor + (up ? 1.0 : 0.0)) * double.Epsilon;
    }

    // ---- functions without rounding error -----------------------------------------------------------------------

    /// <summary>C's frexp: x = m * 2^e with 0.5 &lt;= |m| &lt; 1; zero, infinities and NaN give (x, 0).</summary>
    public static double Frexp(double x, out int exponent)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int biased = (int)((bits >> 52) & 0x7FF);
        if (biased == 0x7FF || (bits & long.MaxValue) == 0)
        {
            exponent = 0;
            return biased == 0x7FF && double.IsNaN(x) ? CanonicalNaN : x;
        }
        int adjust = 0;
        if (biased == 0)
        {
            // Subnormal: scale into the normal range first (exact).
            bits = BitConverter.DoubleToInt64Bits(x * 18014398509481984.0); // 2^54
            biased = (int)((bits >> 52) & 0x7FF);
            adjust = 54;
        }
        exponent = biased - 1022 - adjust;
        return BitConverter.Int64BitsToDouble((bits & ~(0x7FFL << 52)) | (1022L << 52));
    }

    /// <summary>C's ldexp: x * 2^n, rounded once (correctly) when the result is subnormal.</summary>
    public static double Ldexp(double x, int n)
    {
        if (x == 0 || !double.IsFinite(x))
            return double.IsNaN(x) ? CanonicalNaN : x;
        // Beyond these bounds every finite non-zero x overflows or underflows anyway.
        n = Math.Clamp(n, -2200, 2200);
        if (n > 1023)
        {
            x *= Pow2(1023);
            n -= 1023;
            if (n > 1023)
            {
                x *= Pow2(1023);
                n = Math.Min(n - 1023, 1023);
            }
        }
        else if (n < -1022)
        {
            // Scale by 2^-969 = 2^-1022 * 2^53 first: exact while the value stays normal, so only the final
            // multiplication rounds.
            const int Step = 969;
            x *= Pow2(-Step);
            n += Step;
            if (n < -1022)
            {
                x *= Pow2(-Step);
                n = Math.Max(n + Step, -1022);
            }
        }
        return x * Pow2(n);
    }

    /// <summary>C's fmod: x - n * y for n = trunc(x / y), computed exactly, with the sign of x.</summary>
    public static double Fmod(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y) || double.IsInfinity(x) || y == 0)
            return CanonicalNaN;
        double ax = Math.Abs(x), ay = Math.Abs(y);
        if (ax < ay || double.IsInfinity(y))
            return x;
        if (ax == ay)
            return x < 0 ? -0.0 : 0.0;

        ulong mx = IntegerMantissa(ax, out int ex);
        ulong my = IntegerMantissa(ay, out int ey);
        // x = mx * 2^ex and y = my * 2^ey with ex >= ey: the remainder is ((mx * 2^(ex - ey)) mod my) * 2^ey,
        // found eleven bits at a time so that the shifted remainder stays below 2^64.
        ulong r = mx % my;
        int d = ex - ey;
        while (d > 0 && r != 0)
        {
            int step = Math.Min(d, 11);
            r = (r << step) % my;
            d -= step;
        }
        // r < my < 2^53 and ey >= -1074: the product is exact.
        double result = ey >= -1022 ? r * Pow2(ey) : (double)r * Pow2(-1022) * Pow2(ey + 1022);
        return x < 0 ? -result : result;
    }

    /// <summary>a = m * 2^e with m an integer below 2^53, for finite a &gt; 0.</summary>
    private static ulong IntegerMantissa(double a, out int e)
    {
        long bits = BitConverter.DoubleToInt64Bits(a);
        int biased = (int)(bits >> 52);
        ulong m = (ulong)bits & 0xF_FFFF_FFFF_FFFFUL;
        if (biased == 0)
        {
            e = -1074;
            return m;
        }
        e = biased - 1075;
        return m | (1UL << 52);
    }
}
