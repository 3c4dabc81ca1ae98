namespace Coputer.Luau.Library;

internal static partial class DeterministicMath
{
    /// <summary>Natural logarithm.</summary>
    public static double Log(double x)
    {
        if (!(x > 0) || double.IsPositiveInfinity(x))
            return LogSpecial(x);
        double hi = LogParts(x, out int e, out double lo);
        double eh = e * Ln2Hi; // exact
        double sh = TwoSum(eh, hi, out double se);
        return sh + (se + lo + e * Ln2Lo);
    }

    /// <summary>Base-2 logarithm: exact for powers of two.</summary>
    public static double Log2(double x)
    {
        if (!(x > 0) || double.IsPositiveInfinity(x))
            return LogSpecial(x);
        double hi = LogParts(x, out int e, out double lo);
        double ph = TwoProd(hi, InvLn2Hi, out double pe);
        double pl = pe + hi * InvLn2Lo + lo * InvLn2Hi;
        double sh = TwoSum(e, ph, out double se);
        return sh + (se + pl);
    }

    /// <summary>Base-10 logarithm.</summary>
    public static double Log10(double x)
    {
        if (!(x > 0) || double.IsPositiveInfinity(x))
            return LogSpecial(x);
        double hi = LogFull(x, out double lo);
        double ph = TwoProd(hi, InvLn10Hi, out double pe);
        return ph + (pe + hi * InvLn10Lo + lo * InvLn10Hi);
    }

    /// <summary>
    /// Luau's <c>math.log(x, base)</c> for bases other than 2 and 10 (which use <see cref="Log2"/> and
    /// <see cref="Log10"/>): ln x / ln base computed in double-double, so the quotient is rounded once rather than
    /// three times as in C's <c>log(x) / log(base)</c>. Special values are those of that C expression.
    /// </summary>
    public static double LogBase(double x, double b)
    {
        if (!(x > 0) || double.IsPositiveInfinity(x) || !(b > 0) || double.IsPositiveInfinity(b) || x == 1.0 || b == 1.0)
            return CanonicalizeNaN(Log(x) / Log(b));
        double xh = LogFull(x, out double xl);
        double bh = LogFull(b, out double bl);
        return DivDD(xh, xl, bh, bl, out _);
    }

    private static double LogSpecial(double x) =>
        x == 0 ? double.NegativeInfinity : double.IsPositiveInfinity(x) ? x : CanonicalNaN;

    /// <summary>ln x = hi + lo for finite x &gt; 0, relative error about 2^-69.</summary>
    private static double LogFull(double x, out double lo)
    {
        double mh = LogParts(x, out int e, out double ml);
        double eh = e * Ln2Hi;
        double sh = TwoSum(eh, mh, out double se);
        return FastTwoSum(sh, se + ml + e * Ln2Lo, out lo);
    }

    /// <summary>
    /// Splits ln x (finite x &gt; 0) into e ln 2 + (hi + lo), |hi + lo| &lt;= 0.35. x = 2^e m with m near 1
    /// (in [0.709, 1.418)); c from the table is a 26-bit approximation of 1/m, so r = m c - 1 is computed exactly,
    /// |r| &lt;= 2^-8, and ln m = -ln c + ln(1 + r) with ln(1 + r) from its Taylor series to r^10, the r and r^2
    /// terms in double-double. Around m = 1 the table gives c = 1, so results near zero keep full relative accuracy.
    /// </summary>
    private static double LogParts(double x, out int e, out double lo)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        e = 0;
        if (bits < 0x0010_0000_0000_0000L)
        {
            bits = BitConverter.DoubleToInt64Bits(x * 18014398509481984.0); // subnormal: scale by 2^54
            e = -54;
        }
        e += (int)(bits >> 52) - 1023;
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        int i = (int)((fraction + (1L << 44)) >> 45); // 1 + i/128 is the nearest such point to m
        double m = BitConverter.Int64BitsToDouble(fraction | 0x3FF0_0000_0000_0000L);
        if (i >= 54)
        {
            m *= 0.5;
            e++;
        }
        double c = LogTable[3 * i];

        // r = m c - 1 exactly: m = mh + ml with mh of 26 bits, so mh c and ml c are exact products.
        double mHigh = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(m) & ~((1L << 27) - 1));
        double mLow = m - mHigh;
        double rh = TwoSum(mHigh * c - 1.0, mLow * c, out double rl);

        // ln(1 + r) = r - r^2/2 + r^3 (1/3 - r/4 + ... - r^7/10).
        double sq = TwoProd(rh, rh, out double sqe);
        double tail = rh * sq * (1.0 / 3 - rh * (1.0 / 4 - rh * (1.0 / 5 - rh * (1.0 / 6 - rh * (1.0 / 7
            - rh * (1.0 / 8 - rh * (1.0 / 9 - rh * (1.0 / 10))))))));
        double b = TwoSum(rh, -0.5 * sq, out double be);
        double hi = TwoSum(LogTable[3 * i + 1], b, out double he);
        double rest = he + be + LogTable[3 * i + 2] + (rl - 0.5 * sqe - rh * rl + tail);
        return FastTwoSum(hi, rest, out lo);
    }

    /// <summary>x^y with C99's special cases (pow(x, ±0) = 1 and pow(1, y) = 1 even for NaN, and so on).</summary>
    public static double Pow(double x, double y)
    {
        if (y == 0 || x == 1.0)
            return 1.0;
        if (double.IsNaN(x) || double.IsNaN(y))
            return CanonicalNaN;
        if (y == 1.0)
            return x;
        if (y == 2.0)
            return x * x;
        if (y == -1.0)
            return 1.0 / x;
        if (y == 0.5 && x > 0)
            return Math.Sqrt(x);

        double ax = Math.Abs(x);
        if (double.IsInfinity(y))
        {
            if (ax == 1.0)
                return 1.0;
            return (ax < 1.0) == (y > 0) ? 0.0 : double.PositiveInfinity;
        }
        bool yInteger = Math.Floor(y) == y;
        bool yOdd = yInteger && Math.Abs(y) < 9007199254740992.0 && ((long)y & 1) != 0;
        if (x == 0)
        {
            if (y < 0)
                return yOdd ? 1.0 / x : double.PositiveInfinity;
            return yOdd ? x : 0.0;
        }
        if (double.IsInfinity(x))
        {
            if (x > 0)
                return y < 0 ? 0.0 : double.PositiveInfinity;
            if (y < 0)
                return yOdd ? -0.0 : 0.0;
            return yOdd ? double.NegativeInfinity : double.PositiveInfinity;
        }
        if (x < 0 && !yInteger)
            return CanonicalNaN;

        double r;
        if (ax == 1.0)
        {
            // x = -1 (x = 1 returned above) with an integer y.
            r = 1.0;
        }
        else if (Math.Abs(y) >= 18446744073709551616.0)
        {
            // |y| >= 2^64 and |ln x| >= 2^-54 (x is not 1): |y ln x| >= 1024, certain overflow or underflow. Such y
            // are even, so the sign is positive.
            r = (ax > 1.0) == (y > 0) ? double.PositiveInfinity : 0.0;
        }
        else
        {
            // x^y = e^(y ln x), with y ln x as a double-double.
            double lh = LogFull(ax, out double ll);
            double zh = TwoProd(y, lh, out double ze);
            double zl = ze + y * ll;
            if (zh > 711.0)
                r = double.PositiveInfinity;
            else if (zh < -746.0)
                r = 0.0;
            else
            {
                double hi = ExpCore(zh, zl, out double lo, out int k);
                r = ScaleRounded(hi, lo, k);
            }
        }
        return x < 0 && yOdd ? -r : r;
    }
}
