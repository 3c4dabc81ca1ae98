namespace Coputer.Luau.Library;

internal static partial class DeterministicMath
{
    /// <summary>e^x.</summary>
    public static double Exp(double x)
    {
        if (!(x <= 710.0))
            return double.IsNaN(x) ? CanonicalNaN : double.PositiveInfinity;
        if (x < -746.0)
            return 0.0;
        double hi = ExpCore(x, 0.0, out double lo, out int k);
        return ScaleRounded(hi, lo, k);
    }

    /// <summary>
    /// e^(xh + xl) = (hi + lo) * 2^k with hi in [1, 2), for |xh| &lt;= 746 and |xl| at most an ulp of xh; relative
    /// error about 2^-68. x = n ln2/128 + r with |r| &lt;= ln2/256 (Cody-Waite: n * Ln2Over128Hi is exact), then
    /// e^x = 2^(n/128) e^r with 2^(j/128) from the table and e^r - 1 from its Taylor series to r^6.
    /// </summary>
    private static double ExpCore(double xh, double xl, out double lo, out int k)
    {
        double nd = Math.Round(xh * InvLn2Times128);
        int n = (int)nd;
        double t = xh - nd * Ln2Over128Hi; // exact
        double rh = TwoSum(t, -(nd * Ln2Over128Lo), out double re);
        rh = TwoSum(rh, re + xl, out double rl);

        int j = n & 127;
        k = n >> 7;
        double th = ExpTable[2 * j], tl = ExpTable[2 * j + 1];

        // e^r - 1 = rh + s.
        double q = rh * rh * (0.5 + rh * (1.0 / 6 + rh * (1.0 / 24 + rh * (1.0 / 120 + rh * (1.0 / 720)))));
        double s = q + rl * (1.0 + rh);
        // 2^(j/128) e^r = th + th*rh + (th*s + tl + tl*(rh + s)), the first product exact.
        double ph = TwoProd(th, rh, out double pl);
        double hi = FastTwoSum(th, ph, out double e1);
        double rest = e1 + (pl + th * s + tl + tl * (rh + s));
        return FastTwoSum(hi, rest, out lo);
    }

    /// <summary>e^|x| as an unscaled double-double (Eh + El) for |x| &lt;= 40, where 2^k is small enough to apply exactly.</summary>
    private static double ExpSmall(double ax, out double el)
    {
        double hi = ExpCore(ax, 0.0, out double lo, out int k);
        double scale = Pow2(k);
        el = lo * scale;
        return hi * scale;
    }

    /// <summary>Hyperbolic cosine.</summary>
    public static double Cosh(double x)
    {
        double ax = Math.Abs(x);
        if (!(ax <= 711.0))
            return double.IsNaN(x) ? CanonicalNaN : double.PositiveInfinity;
        if (ax < 7.450580596923828e-9) // 2^-27: cosh x - 1 < 2^-55
            return 1.0;
        if (ax > 40.0)
        {
            // e^-|x| is below 2^-115 of e^|x|.
            double hi = ExpCore(ax, 0.0, out double lo, out int k);
            return ScaleRounded(hi, lo, k - 1);
        }
        double eh = ExpSmall(ax, out double el);
        double ih = InverseDD(eh, el, out double il);
        double sh = TwoSum(eh, ih, out double se);
        sh = FastTwoSum(sh, se + el + il, out _);
        return sh * 0.5;
    }

    /// <summary>Hyperbolic sine.</summary>
    public static double Sinh(double x)
    {
        double ax = Math.Abs(x);
        if (!(ax <= 711.0))
            return double.IsNaN(x) ? CanonicalNaN : x > 0 ? double.PositiveInfinity : double.NegativeInfinity;
        if (ax < 1.4901161193847656e-8) // 2^-26: x^3/6 is below half an ulp of x
            return x;
        double r;
        if (ax < 0.0625)
        {
            // Taylor series: sinh x = x + x^3/3! + ... + x^13/13!.
            double x2 = ax * ax;
            double p = x2 * (1.0 / 6 + x2 * (1.0 / 120 + x2 * (1.0 / 5040 + x2 * (1.0 / 362880 + x2 * (1.0 / 39916800 + x2 * (1.0 / 6227020800))))));
            r = ax + ax * p;
        }
        else if (ax > 40.0)
        {
            double hi = ExpCore(ax, 0.0, out double lo, out int k);
            r = ScaleRounded(hi, lo, k - 1);
        }
        else
        {
            double eh = ExpSmall(ax, out double el);
            double ih = InverseDD(eh, el, out double il);
            double dh = TwoSum(eh, -ih, out double de);
            dh = FastTwoSum(dh, de + el - il, out _);
            r = dh * 0.5;
        }
        return x < 0 ? -r : r;
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static double Tanh(double x)
    {
        double ax = Math.Abs(x);
        if (double.IsNaN(x))
            return CanonicalNaN;
        if (ax > 19.1) // 1 - tanh x < 2^-54
            return x < 0 ? -1.0 : 1.0;
        if (ax < 7.450580596923828e-9) // 2^-27
            return x;
        double r;
        if (ax < 0.0625)
        {
            // Taylor series to x^15 (the coefficients come from the Bernoulli numbers).
            double x2 = ax * ax;
            double p = x2 * (-1.0 / 3 + x2 * (2.0 / 15 + x2 * (-17.0 / 315 + x2 * (62.0 / 2835 + x2 * (-1382.0 / 155925
                + x2 * (21844.0 / 6081075 + x2 * (-929569.0 / 638512875)))))));
            r = ax + ax * p;
        }
        else
        {
            // (e^2x - 1) / (e^2x + 1) in double-double.
            double fh = ExpSmall(2.0 * ax, out double fl);
            double nh = TwoSum(fh, -1.0, out double ne);
            double dh = TwoSum(fh, 1.0, out double de);
            r = DivDD(nh, ne + fl, dh, de + fl, out _);
        }
        return x < 0 ? -r : r;
    }

    /// <summary>1 / (ah + al) as a double-double.</summary>
    private static double InverseDD(double ah, double al, out double lo)
    {
        double q = 1.0 / ah;
        double p = TwoProd(q, ah, out double pe);
        lo = ((1.0 - p) - pe - q * al) / ah;
        return q;
    }
}
