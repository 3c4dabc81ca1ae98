namespace Coputer.Luau.Library;

internal static partial class DeterministicMath
{
    /// <summary>Arc tangent.</summary>
    public static double Atan(double x)
    {
        if (double.IsNaN(x))
            return CanonicalNaN;
        double ax = Math.Abs(x);
        if (ax < 7.450580596923828e-9) // 2^-27: x^3/3 is below half an ulp of x
            return x;
        double r;
        if (ax <= 1.0)
        {
            r = AtanKernel(ax, 0.0, out double lo);
            r += lo;
        }
        else if (ax > 1.152921504606846976e18)
        {
            // 2^60 < |x|: atan x = pi/2 - 1/x with 1/x far below an ulp.
            r = HalfPiHi + (HalfPiLo - 1.0 / ax);
        }
        else
        {
            // pi/2 - atan(1/x) with 1/x as a double-double.
            double qh = InverseDD(ax, 0.0, out double ql);
            double ah = AtanKernel(qh, ql, out double al);
            double h = TwoSum(HalfPiHi, -ah, out double e);
            r = h + (e + HalfPiLo - al);
        }
        return x < 0 ? -r : r;
    }

    /// <summary>atan2 with C99's special cases for zeros and infinities.</summary>
    public static double Atan2(double y, double x)
    {
        if (double.IsNaN(x) || double.IsNaN(y))
            return CanonicalNaN;
        bool yNegative = BitConverter.DoubleToInt64Bits(y) < 0;
        bool xNegative = BitConverter.DoubleToInt64Bits(x) < 0;
        double r;
        if (y == 0)
        {
            // atan2(±0, +0 or x > 0) = ±0; atan2(±0, -0 or x < 0) = ±pi.
            if (!xNegative)
                return y;
            r = PiHi;
        }
        else if (x == 0)
        {
            r = HalfPiHi;
        }
        else if (double.IsInfinity(y))
        {
            r = double.IsInfinity(x) ? (xNegative ? 3 * (PiHi / 4) : PiHi / 4) : HalfPiHi;
        }
        else if (double.IsInfinity(x))
        {
            if (!xNegative)
                return yNegative ? -0.0 : 0.0;
            r = PiHi;
        }
        else
        {
            r = Atan2Finite(Math.Abs(y), Math.Abs(x), xNegative);
        }
        return yNegative ? -r : r;
    }

    /// <summary>atan2(ay, x) for finite positive ay and |x| = ax (x negative when <paramref name="xNegative"/>).</summary>
    private static double Atan2Finite(double ay, double ax, bool xNegative)
    {
        int ey = BinaryExponent(ay), ex = BinaryExponent(ax);
        if (ey - ex > 60)
        {
            // The angle is pi/2 -+ ax/ay with the ratio far below an ulp of pi/2.
            double q = ax / ay;
            return HalfPiHi + (xNegative ? HalfPiLo + q : HalfPiLo - q);
        }
        if (ex - ey > 60)
        {
            // atan(ay/ax) = ay/ax to within a relative 2^-120, closer than any quotient of doubles comes to a
            // rounding boundary; the division rounds it correctly (subnormal results included).
            double q = ay / ax;
            return xNegative ? PiHi + (PiLo - q) : q;
        }
        // Bring the larger to [1, 2) (exact: the smaller stays above 2^-61) so the double-double quotient is exact.
        int scale = -Math.Max(ey, ex);
        ay = ScaleExact(ay, scale);
        ax = ScaleExact(ax, scale);
        double hi, lo;
        if (ay <= ax)
        {
            double qh = DivDD(ay, 0.0, ax, 0.0, out double ql);
            hi = AtanKernel(qh, ql, out lo);
        }
        else
        {
            double qh = DivDD(ax, 0.0, ay, 0.0, out double ql);
            double ah = AtanKernel(qh, ql, out double al);
            hi = TwoSum(HalfPiHi, -ah, out double e);
            hi = FastTwoSum(hi, e + HalfPiLo - al, out lo);
        }
        if (xNegative)
        {
            double h = TwoSum(PiHi, -hi, out double e);
            return h + (e + PiLo - lo);
        }
        return hi + lo;
    }

    /// <summary>Arc sine: atan2(x, sqrt(1 - x^2)) with 1 - x^2 and its root in double-double.</summary>
    public static double Asin(double x)
    {
        double ax = Math.Abs(x);
        if (!(ax <= 1.0))
            return CanonicalNaN;
        if (ax < 1.4901161193847656e-8) // 2^-26: x^3/6 is below half an ulp of x
            return x;
        double r;
        if (ax == 1.0)
        {
            r = HalfPiHi;
        }
        else
        {
            double sh = SqrtOneMinusSquare(ax, out double sl);
            if (ax <= sh)
            {
                double qh = DivDD(ax, 0.0, sh, sl, out double ql);
                r = AtanKernel(qh, ql, out double lo);
                r += lo;
            }
            else
            {
                double qh = DivDD(sh, sl, ax, 0.0, out double ql);
                double ah = AtanKernel(qh, ql, out double al);
                double h = TwoSum(HalfPiHi, -ah, out double e);
                r = h + (e + HalfPiLo - al);
            }
        }
        return x < 0 ? -r : r;
    }

    /// <summary>Arc cosine: atan2(sqrt(1 - x^2), x), accurate near x = 1 where the result is small.</summary>
    public static double Acos(double x)
    {
        double ax = Math.Abs(x);
        if (!(ax <= 1.0))
            return CanonicalNaN;
        if (x == 1.0)
            return 0.0;
        if (x == -1.0)
            return PiHi;
        if (ax < 8.673617379884035e-19) // 2^-60
            return HalfPiHi + (HalfPiLo - x);
        double sh = SqrtOneMinusSquare(ax, out double sl);
        double hi, lo;
        if (sh <= ax)
        {
            double qh = DivDD(sh, sl, ax, 0.0, out double ql);
            hi = AtanKernel(qh, ql, out lo);
        }
        else
        {
            double qh = DivDD(ax, 0.0, sh, sl, out double ql);
            double ah = AtanKernel(qh, ql, out double al);
            hi = TwoSum(HalfPiHi, -ah, out double e);
            hi = FastTwoSum(hi, e + HalfPiLo - al, out lo);
        }
        if (x < 0)
        {
            double h = TwoSum(PiHi, -hi, out double e);
            return h + (e + PiLo - lo);
        }
        return hi + lo;
    }

    /// <summary>sqrt(1 - x^2) as a double-double for 2^-60 &lt;= x &lt; 1.</summary>
    private static double SqrtOneMinusSquare(double x, out double lo)
    {
        double p = TwoProd(x, x, out double pe);
        double dh = TwoSum(1.0, -p, out double de);
        double dl = de - pe;
        dh = FastTwoSum(dh, dl, out dl);
        double sh = Math.Sqrt(dh);
        double u = TwoProd(sh, sh, out double ue);
        lo = ((dh - u) - ue + dl) / (2.0 * sh);
        return sh;
    }

    /// <summary>
    /// atan(q) for q = qh + ql in [0, 1]: q = a + t-reduction with a = i/64 from the table,
    /// atan q = atan a + atan t for t = (q - a) / (1 + a q), |t| &lt; 1/128, whose series runs to t^11.
    /// </summary>
    private static double AtanKernel(double qh, double ql, out double lo)
    {
        int i = (int)(qh * 64.0 + 0.5);
        double a = i * (1.0 / 64);
        double nh = TwoSum(qh - a, ql, out double nl); // qh - a is exact
        double p = TwoProd(a, qh, out double pe);
        double dh = FastTwoSum(1.0, p, out double dl);
        dl += pe + a * ql;
        double th = DivDD(nh, nl, dh, dl, out double tl);
        double t2 = th * th;
        double tail = th * t2 * (-1.0 / 3 + t2 * (1.0 / 5 + t2 * (-1.0 / 7 + t2 * (1.0 / 9 - t2 * (1.0 / 11)))));
        double hi = TwoSum(AtanTable[2 * i], th, out double e);
        double rest = e + AtanTable[2 * i + 1] + (tl - tl * t2) + tail;
        return FastTwoSum(hi, rest, out lo);
    }

    /// <summary>floor(log2 a) for finite a &gt; 0, subnormals included.</summary>
    private static int BinaryExponent(double a)
    {
        long bits = BitConverter.DoubleToInt64Bits(a);
        int biased = (int)(bits >> 52);
        if (biased != 0)
            return biased - 1023;
        return -1011 - System.Numerics.BitOperations.LeadingZeroCount((ulong)bits);
    }

    /// <summary>a * 2^k, exact when the result is normal (k may be outside a double's exponent range).</summary>
    private static double ScaleExact(double a, int k)
    {
        if (k > 1023)
            return a * Pow2(1023) * Pow2(k - 1023);
        if (k < -1022)
            return a * Pow2(k + 1022) * Pow2(-1022);
        return a * Pow2(k);
    }
}
