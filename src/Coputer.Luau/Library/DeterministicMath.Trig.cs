namespace Coputer.Luau.Library;

internal static partial class DeterministicMath
{
    /// <summary>Arguments below this are reduced by Cody-Waite with a four-part pi/2; larger ones by Payne-Hanek.</summary>
    private const double CodyWaiteLimit = 1048576.0; // 2^20

    /// <summary>Sine.</summary>
    public static double Sin(double x)
    {
        if (!double.IsFinite(x))
            return CanonicalNaN;
        if (Math.Abs(x) < 1.4901161193847656e-8) // 2^-26: x^3/6 is below half an ulp of x
            return x;
        int n = ReduceHalfPi(x, out double rh, out double rl);
        return (n & 3) switch
        {
            0 => SinKernel(rh, rl),
            1 => CosKernel(rh, rl),
            2 => -SinKernel(rh, rl),
            _ => -CosKernel(rh, rl),
        };
    }

    /// <summary>Cosine.</summary>
    public static double Cos(double x)
    {
        if (!double.IsFinite(x))
            return CanonicalNaN;
        if (Math.Abs(x) < 7.450580596923828e-9) // 2^-27: 1 - cos x < 2^-55
            return 1.0;
        int n = ReduceHalfPi(x, out double rh, out double rl);
        return (n & 3) switch
        {
            0 => CosKernel(rh, rl),
            1 => -SinKernel(rh, rl),
            2 => -CosKernel(rh, rl),
            _ => SinKernel(rh, rl),
        };
    }

    /// <summary>Tangent: sin/cos of the reduced argument, divided in double-double.</summary>
    public static double Tan(double x)
    {
        if (!double.IsFinite(x))
            return CanonicalNaN;
        if (Math.Abs(x) < 7.450580596923828e-9) // 2^-27: x^3/3 is below half an ulp of x
            return x;
        int n = ReduceHalfPi(x, out double rh, out double rl);
        double sh = SinKernel(rh, rl, out double sl);
        double ch = CosKernel(rh, rl, out double cl);
        return (n & 1) == 0 ? DivDD(sh, sl, ch, cl, out _) : -DivDD(ch, cl, sh, sl, out _);
    }

    /// <summary>
    /// x - n pi/2 = rh + rl with |rh + rl| &lt;= pi/4 (plus a hair), returning n (only n mod 4 matters). The
    /// reduced value keeps about 2^-100 relative accuracy even next to a multiple of pi/2.
    /// </summary>
    private static int ReduceHalfPi(double x, out double rh, out double rl)
    {
        double ax = Math.Abs(x);
        if (ax <= QuarterPi)
        {
            rh = x;
            rl = 0;
            return 0;
        }
        if (ax < CodyWaiteLimit)
        {
            // n < 2^20 and the first three parts of pi/2 have 33 bits: each n * part is exact, x - n * HalfPi1
            // is exact (Sterbenz), and the two-sums keep what the subtractions round off.
            double nd = Math.Round(x * TwoOverPi);
            double t = x - nd * HalfPi1;
            double h = TwoSum(t, -(nd * HalfPi2), out double e1);
            h = TwoSum(h, -(nd * HalfPi3), out double e2);
            rh = TwoSum(h, e1 + e2 - nd * HalfPi4, out rl);
            return (int)nd;
        }
        return PayneHanek(x, out rh, out rl);
    }

    /// <summary>
    /// Payne-Hanek reduction for |x| &gt;= 2^20: with x = m 2^E (m an integer of 53 bits), x * 2/pi mod 4 only
    /// needs the bits of 2/pi from position E - 1 on. 256 of them times m give the quadrant and a fraction of 254
    /// bits, which is then multiplied by pi/2 in double-double.
    /// </summary>
    private static int PayneHanek(double x, out double rh, out double rl)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        ulong m = ((ulong)bits & 0xF_FFFF_FFFF_FFFFUL) | (1UL << 52);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1075;
        int start = exponent - 1;
        ulong w0 = TwoOverPiWord(start), w1 = TwoOverPiWord(start + 64);
        ulong w2 = TwoOverPiWord(start + 128), w3 = TwoOverPiWord(start + 192);

        // P = m * (w0 w1 w2 w3), four 64-bit limbs p3 p2 p1 p0; bits above 255 are multiples of 4 and dropped.
        ulong hi = Math.BigMul(m, w3, out ulong p0);
        ulong carry = hi;
        hi = Math.BigMul(m, w2, out ulong lo);
        ulong p1 = lo + carry;
        carry = hi + (p1 < lo ? 1UL : 0UL);
        hi = Math.BigMul(m, w1, out lo);
        ulong p2 = lo + carry;
        carry = hi + (p2 < lo ? 1UL : 0UL);
        Math.BigMul(m, w0, out lo);
        ulong p3 = lo + carry;

        int quadrant = (int)(p3 >> 62);
        ulong f3 = p3 & 0x3FFF_FFFF_FFFF_FFFFUL, f2 = p2, f1 = p1, f0 = p0;
        bool negative = false;
        if ((f3 >> 61) != 0)
        {
            // Fraction >= 1/2: take the next quadrant and the negated complement 2^254 - F.
            quadrant++;
            negative = true;
            // Two's complement over four limbs: the +1 carries past a limb only while the limbs below were zero.
            bool carry0 = f0 == 0, carry1 = carry0 && f1 == 0, carry2 = carry1 && f2 == 0;
            f0 = ~f0 + 1;
            f1 = ~f1 + (carry0 ? 1UL : 0UL);
            f2 = ~f2 + (carry1 ? 1UL : 0UL);
            f3 = (~f3 + (carry2 ? 1UL : 0UL)) & 0x3FFF_FFFF_FFFF_FFFFUL;
        }

        // Normalise so the leading one of F is bit 63 of g3; F = G 2^-shift. (F is never zero: pi is irrational
        // and 254 bits are far more than the 62 or so that can cancel; the bound only guards the loop.)
        int shift = 0;
        while (f3 == 0 && shift < 256)
        {
            f3 = f2;
            f2 = f1;
            f1 = f0;
            f0 = 0;
            shift += 64;
        }
        int lz = System.Numerics.BitOperations.LeadingZeroCount(f3);
        ulong g3 = lz == 0 ? f3 : (f3 << lz) | (f2 >> (64 - lz));
        ulong g2 = lz == 0 ? f2 : (f2 << lz) | (f1 >> (64 - lz));
        shift += lz;

        // fraction = F 2^-254 = fh + fl: the top 53 bits of G, then the next 64 (rounded to double).
        double fh = (double)(g3 >> 11) * Pow2(-51 - shift);
        double fl = (double)(((g3 & 0x7FF) << 53) | (g2 >> 11)) * Pow2(-115 - shift);
        double ph = TwoProd(fh, HalfPiHi, out double pe);
        rh = FastTwoSum(ph, pe + fh * HalfPiLo + fl * HalfPiHi, out rl);
        if (negative)
        {
            rh = -rh;
            rl = -rl;
        }
        if (x < 0)
        {
            rh = -rh;
            rl = -rl;
            quadrant = -quadrant;
        }
        return quadrant;
    }

    /// <summary>Bits start .. start + 63 of the fraction of 2/pi (numbered from 1; bits before the point are 0).</summary>
    private static ulong TwoOverPiWord(int start)
    {
        int offset = start - 1;
        if (offset <= -64)
            return 0;
        if (offset < 0)
            return TwoOverPiBits[0] >> -offset;
        int word = offset >> 6, bit = offset & 63;
        return bit == 0 ? TwoOverPiBits[word] : (TwoOverPiBits[word] << bit) | (TwoOverPiBits[word + 1] >> (64 - bit));
    }

    private static double SinKernel(double rh, double rl) => SinKernel(rh, rl, out _);

    private static double CosKernel(double rh, double rl) => CosKernel(rh, rl, out _);

    /// <summary>
    /// sin(r) for |r| &lt;= pi/4 + a hair, r = rh + rl: r = a + t with a = i/64 from the table and |t| &lt;= 1/128,
    /// sin(a + t) = sin a cos t + cos a sin t with both series of t to t^9, the leading products in double-double.
    /// </summary>
    private static double SinKernel(double rh, double rl, out double lo)
    {
        bool negative = rh < 0;
        if (negative)
        {
            rh = -rh;
            rl = -rl;
        }
        int i = (int)(rh * 64.0 + 0.5);
        double th = TwoSum(rh - i * (1.0 / 64), rl, out double tl); // rh - i/64 is exact
        SeriesOfT(th, tl, out double sinTail, out double cosM1);
        double sh = SinCosTable[4 * i], sl = SinCosTable[4 * i + 1];
        double ch = SinCosTable[4 * i + 2], cl = SinCosTable[4 * i + 3];
        // sin(a + t) = S + C th + (S (cos t - 1) + C (sin t - th)).
        double ph = TwoProd(ch, th, out double pe);
        double hi = TwoSum(sh, ph, out double e);
        double rest = e + pe + sl + cl * th + (sh + sl) * cosM1 + ch * sinTail;
        hi = FastTwoSum(hi, rest, out lo);
        if (negative)
        {
            lo = -lo;
            return -hi;
        }
        return hi;
    }

    /// <summary>cos(r) for |r| &lt;= pi/4 + a hair, as <see cref="SinKernel(double, double, out double)"/>.</summary>
    private static double CosKernel(double rh, double rl, out double lo)
    {
        if (rh < 0)
        {
            rh = -rh;
            rl = -rl;
        }
        int i = (int)(rh * 64.0 + 0.5);
        double th = TwoSum(rh - i * (1.0 / 64), rl, out double tl);
        SeriesOfT(th, tl, out double sinTail, out double cosM1);
        double sh = SinCosTable[4 * i], sl = SinCosTable[4 * i + 1];
        double ch = SinCosTable[4 * i + 2], cl = SinCosTable[4 * i + 3];
        // cos(a + t) = C - S th + (C (cos t - 1) - S (sin t - th)).
        double ph = TwoProd(sh, th, out double pe);
        double hi = TwoSum(ch, -ph, out double e);
        double rest = e - pe + cl - sl * th + (ch + cl) * cosM1 - sh * sinTail;
        return FastTwoSum(hi, rest, out lo);
    }

    /// <summary>For t = th + tl, |t| &lt;= 1/128: sin t - th and cos t - 1 (errors below 2^-75).</summary>
    private static void SeriesOfT(double th, double tl, out double sinTail, out double cosM1)
    {
        double t2 = th * th;
        sinTail = tl * (1.0 - 0.5 * t2) + th * t2 * (-1.0 / 6 + t2 * (1.0 / 120 + t2 * (-1.0 / 5040 + t2 * (1.0 / 362880))));
        double sq = TwoProd(th, th, out double sqe);
        cosM1 = -0.5 * sq + (-0.5 * sqe - th * tl + t2 * t2 * (1.0 / 24 + t2 * (-1.0 / 720 + t2 * (1.0 / 40320))));
    }
}
