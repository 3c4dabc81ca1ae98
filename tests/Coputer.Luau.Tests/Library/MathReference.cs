using System.Numerics;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// A slow, simple reference for the math functions: binary floating point with BigInteger mantissas of
/// <see cref="Precision"/> bits, series evaluation with generous argument reduction, and one rounding to double at
/// the end. It shares no code or constants with the engine's DeterministicMath (it computes its own pi and ln 2), so
/// agreement between the two means something. Each function returns the correctly rounded double and whether the
/// rounding was decided: a value within the reference's own error of a midpoint between two doubles (an exact tie,
/// such as pow(134217727, 2), or a hard case) is reported as undecided and either neighbour is accepted.
/// </summary>
internal static class MathReference
{
    /// <summary>Bits kept in mantissas during evaluation; results are trusted to well over 200 of them.</summary>
    public const int Precision = 256;

    /// <summary>Bits of pi kept for reducing trigonometric arguments up to 2^1024.</summary>
    private const int PiPrecision = 2600;

    /// <summary>A value m * 2^e with a signed BigInteger mantissa.</summary>
    public readonly record struct Real(BigInteger M, long E)
    {
        public bool IsZero => M.IsZero;
        public int Sign => M.Sign;

        /// <summary>The position of the leading bit: |value| is in [2^Top, 2^(Top+1)).</summary>
        public long Top => (long)BigInteger.Abs(M).GetBitLength() - 1 + E;

        public static Real FromDouble(double d)
        {
            if (!double.IsFinite(d))
                throw new ArgumentException("not finite", nameof(d));
            long bits = BitConverter.DoubleToInt64Bits(d);
            int exponent = (int)((bits >> 52) & 0x7FF);
            long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
            if (exponent != 0)
                mantissa |= 1L << 52;
            else
                exponent = 1;
            var m = new BigInteger(mantissa);
            return new Real(bits < 0 ? -m : m, exponent - 1075);
        }

        public static Real FromInteger(BigInteger n) => new(n, 0);

        public static Real operator -(Real a) => new(-a.M, a.E);
        public static Real operator +(Real a, Real b) => Add(a, b, Precision);
        public static Real operator -(Real a, Real b) => Add(a, -b, Precision);
        public static Real operator *(Real a, Real b) => Mul(a, b, Precision);
        public static Real operator /(Real a, Real b) => Div(a, b, Precision);

        public Real Scale(long k) => new(M, E + k);

        public override string ToString() => $"{M} * 2^{E}";
    }

    private static Real Normalize(BigInteger m, long e, int precision)
    {
        if (m.IsZero)
            return new Real(BigInteger.Zero, 0);
        long bits = (long)BigInteger.Abs(m).GetBitLength();
        if (bits > precision)
        {
            int shift = (int)(bits - precision);
            m = m.Sign < 0 ? -(BigInteger.Abs(m) >> shift) : m >> shift;
            e += shift;
        }
        return new Real(m, e);
    }

    public static Real Add(Real a, Real b, int precision)
    {
        if (a.IsZero)
            return Normalize(b.M, b.E, precision);
        if (b.IsZero)
            return Normalize(a.M, a.E, precision);
        // A term below the other's last kept bit by a wide margin cannot change the result at this precision.
        if (a.Top - b.Top > precision + 64)
            return Normalize(a.M, a.E, precision);
        if (b.Top - a.Top > precision + 64)
            return Normalize(b.M, b.E, precision);
        long e = Math.Min(a.E, b.E);
        var m = (a.M << (int)(a.E - e)) + (b.M << (int)(b.E - e));
        return Normalize(m, e, precision);
    }

    public static Real Mul(Real a, Real b, int precision) => Normalize(a.M * b.M, a.E + b.E, precision);

    public static Real Div(Real a, Real b, int precision)
    {
        if (b.IsZero)
            throw new DivideByZeroException();
        if (a.IsZero)
            return a;
        long shift = precision + 2 + (long)BigInteger.Abs(b.M).GetBitLength() - (long)BigInteger.Abs(a.M).GetBitLength();
        if (shift < 0)
            shift = 0;
        var m = (a.M << (int)shift) / b.M;
        return Normalize(m, a.E - b.E - shift, precision);
    }

    public static Real Sqrt(Real a)
    {
        if (a.Sign < 0)
            throw new ArgumentException("negative", nameof(a));
        if (a.IsZero)
            return a;
        long shift = 2L * Precision + 4 - (long)a.M.GetBitLength();
        if (shift < 0)
            shift = 0;
        if (((a.E - shift) & 1) != 0)
            shift++;
        var root = IntegerSqrt(a.M << (int)shift);
        return Normalize(root, (a.E - shift) / 2, Precision);
    }

    private static BigInteger IntegerSqrt(BigInteger n)
    {
        if (n.IsZero)
            return n;
        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            var y = (x + n / x) >> 1;
            if (y >= x)
                return x;
            x = y;
        }
    }

    /// <summary>The nearest integer (halves away from minus infinity: only used where ties cannot matter).</summary>
    private static BigInteger RoundToInteger(Real a)
    {
        if (a.E >= 0)
            return a.M << (int)a.E;
        int shift = (int)-a.E;
        return (a.M + (BigInteger.One << (shift - 1))) >> shift;
    }

    /// <summary>The sign of |a| - |b|.</summary>
    public static int CompareMagnitude(Real a, Real b) =>
        Add(new Real(BigInteger.Abs(a.M), a.E), new Real(-BigInteger.Abs(b.M), b.E), Precision).Sign;

    // ---- constants -------------------------------------------------------------------------------------------

    private static readonly Lazy<Real> PiValue = new(() => ComputePi(PiPrecision + 64));
    private static readonly Lazy<Real> Ln2Value = new(ComputeLn2);
    private static readonly Lazy<Real> Ln10Value = new(() => Log(Real.FromInteger(10)));

    /// <summary>pi to about 2600 bits.</summary>
    public static Real Pi => PiValue.Value;
    public static Real Ln2 => Ln2Value.Value;
    public static Real Ln10 => Ln10Value.Value;

    /// <summary>pi by Machin's formula 16 atan(1/5) - 4 atan(1/239) in fixed point.</summary>
    private static Real ComputePi(int bits)
    {
        int f = bits + 16;
        var one = BigInteger.One << f;
        BigInteger AtanInverse(int n)
        {
            var n2 = new BigInteger(n) * n;
            var term = one / n;
            var sum = term;
            for (int k = 1; !term.IsZero; k++)
            {
                term /= n2;
                var t = term / (2 * k + 1);
                sum += (k & 1) != 0 ? -t : t;
            }
            return sum;
        }
        var pi = 16 * AtanInverse(5) - 4 * AtanInverse(239);
        return Normalize(pi, -f, bits);
    }

    /// <summary>ln 2 = 2 atanh(1/3) in fixed point.</summary>
    private static Real ComputeLn2()
    {
        int f = Precision + 64;
        var one = BigInteger.One << f;
        var term = one / 3;
        var sum = term;
        for (int k = 1; !term.IsZero; k++)
        {
            term /= 9;
            sum += term / (2 * k + 1);
        }
        return Normalize(2 * sum, -f, Precision + 32);
    }

    // ---- functions on Real -------------------------------------------------------------------------------------

    /// <summary>True when a series term no longer matters relative to the sum.</summary>
    private static bool Negligible(Real term, Real sum) => term.IsZero || (!sum.IsZero && sum.Top - term.Top > Precision + 8);

    public static Real Exp(Real x)
    {
        if (x.IsZero)
            return Real.FromInteger(1);
        int work = Precision + 48;
        var ln2 = Ln2;
        var n = RoundToInteger(Div(x, ln2, work));
        var r = Add(x, -Mul(Real.FromInteger(n), ln2, work), work);
        const int halvings = 16;
        r = r.Scale(-halvings);
        var sum = Real.FromInteger(1);
        var term = Real.FromInteger(1);
        for (int k = 1; ; k++)
        {
            term = Div(Mul(term, r, work), Real.FromInteger(k), work);
            if (Negligible(term, sum))
                break;
            sum = Add(sum, term, work);
        }
        for (int i = 0; i < halvings; i++)
            sum = Mul(sum, sum, work);
        return Normalize(sum.M, sum.E + (long)n, Precision);
    }

    /// <summary>Natural logarithm of a positive value.</summary>
    public static Real Log(Real x)
    {
        if (x.Sign <= 0)
            throw new ArgumentException("not positive", nameof(x));
        // x = m * 2^e with m in [0.75, 1.5): no cancellation between e ln 2 and log m.
        long e = x.Top;
        var m = x.Scale(-e);
        if (CompareMagnitude(m, new Real(3, -1)) >= 0)
        {
            m = m.Scale(-1);
            e++;
        }
        var one = Real.FromInteger(1);
        var z = (m - one) / (m + one);
        var z2 = z * z;
        var sum = z;
        var power = z;
        for (int k = 1; ; k++)
        {
            power *= z2;
            var term = power / Real.FromInteger(2 * k + 1);
            if (Negligible(term, sum))
                break;
            sum += term;
        }
        var result = sum.Scale(1);
        return e == 0 ? result : Add(Mul(Real.FromInteger(e), Ln2, Precision + 16), result, Precision);
    }

    /// <summary>x - k pi/2 for the nearest integer k, and k mod 4.</summary>
    private static (Real R, int Quadrant) ReduceHalfPi(Real x)
    {
        // pi/2 to enough bits that k pi/2 is known to Precision + 128 bits below the units place of x.
        int bits = (int)Math.Max(0, x.Top) + Precision + 128;
        var pi = Pi;
        var halfPi = Normalize(pi.M, pi.E - 1, bits);
        var k = RoundToInteger(Div(x, halfPi, bits));
        if (k.IsZero)
            return (x, 0);
        var r = Add(x, -Mul(Real.FromInteger(k), halfPi, 2 * bits), bits);
        return (Normalize(r.M, r.E, Precision), (int)(((k % 4) + 4) % 4));
    }

    private static Real SinSeries(Real r)
    {
        var r2 = r * r;
        var sum = r;
        var term = r;
        for (int k = 1; ; k++)
        {
            term = -(term * r2 / Real.FromInteger((2 * k) * (2 * k + 1)));
            if (Negligible(term, sum))
                return sum;
            sum += term;
        }
    }

    private static Real CosSeries(Real r)
    {
        var r2 = r * r;
        var sum = Real.FromInteger(1);
        var term = sum;
        for (int k = 1; ; k++)
        {
            term = -(term * r2 / Real.FromInteger((2 * k - 1) * (2 * k)));
            if (Negligible(term, sum))
                return sum;
            sum += term;
        }
    }

    public static Real Sin(Real x)
    {
        var (r, q) = ReduceHalfPi(x);
        return q switch { 0 => SinSeries(r), 1 => CosSeries(r), 2 => -SinSeries(r), _ => -CosSeries(r) };
    }

    public static Real Cos(Real x)
    {
        var (r, q) = ReduceHalfPi(x);
        return q switch { 0 => CosSeries(r), 1 => -SinSeries(r), 2 => -CosSeries(r), _ => SinSeries(r) };
    }

    public static Real Tan(Real x)
    {
        var (r, q) = ReduceHalfPi(x);
        var s = SinSeries(r);
        var c = CosSeries(r);
        return (q & 1) == 0 ? s / c : -(c / s);
    }

    /// <summary>atan of any value, by reciprocal reduction, three argument halvings and the Taylor series.</summary>
    public static Real Atan(Real x)
    {
        if (x.IsZero)
            return x;
        if (x.Sign < 0)
            return -Atan(-x);
        var one = Real.FromInteger(1);
        if (CompareMagnitude(x, one) > 0)
            return Pi.Scale(-1) - Atan(one / x);
        const int halvings = 3;
        for (int i = 0; i < halvings; i++)
            x /= one + Sqrt(one + x * x);
        var x2 = x * x;
        var sum = x;
        var power = x;
        for (int k = 1; ; k++)
        {
            power = -(power * x2);
            var term = power / Real.FromInteger(2 * k + 1);
            if (Negligible(term, sum))
                break;
            sum += term;
        }
        return sum.Scale(halvings);
    }

    /// <summary>atan2 for finite, non-zero arguments.</summary>
    public static Real Atan2(Real y, Real x)
    {
        var ay = new Real(BigInteger.Abs(y.M), y.E);
        var ax = new Real(BigInteger.Abs(x.M), x.E);
        // atan of the ratio below 1, so that the series never sees a huge quotient.
        var angle = CompareMagnitude(ay, ax) <= 0 ? Atan(ay / ax) : Pi.Scale(-1) - Atan(ax / ay);
        if (x.Sign < 0)
            angle = Pi - angle;
        return y.Sign < 0 ? -angle : angle;
    }

    public static Real Asin(Real x)
    {
        var one = Real.FromInteger(1);
        int c = CompareMagnitude(x, one);
        if (c == 0)
            return x.Sign > 0 ? Pi.Scale(-1) : -Pi.Scale(-1);
        return Atan(x / Sqrt((one - x) * (one + x)));
    }

    public static Real Acos(Real x)
    {
        var one = Real.FromInteger(1);
        if (CompareMagnitude(x, one) == 0)
            return x.Sign > 0 ? new Real(0, 0) : Pi;
        return Atan(Sqrt((one - x) / (one + x))).Scale(1);
    }

    public static Real Sinh(Real x)
    {
        var one = Real.FromInteger(1);
        if (CompareMagnitude(x, one) < 0)
        {
            var x2 = x * x;
            var sum = x;
            var term = x;
            for (int k = 1; ; k++)
            {
                term = term * x2 / Real.FromInteger((2 * k) * (2 * k + 1));
                if (Negligible(term, sum))
                    return sum;
                sum += term;
            }
        }
        var e = Exp(x);
        return (e - one / e).Scale(-1);
    }

    public static Real Cosh(Real x)
    {
        var e = Exp(x);
        return (e + Real.FromInteger(1) / e).Scale(-1);
    }

    public static Real Tanh(Real x)
    {
        // tanh = (e^2x - 1) / (e^2x + 1), with the series of sinh for small arguments to avoid cancellation.
        var one = Real.FromInteger(1);
        if (CompareMagnitude(x, one) < 0)
            return Sinh(x) / Cosh(x);
        var e = Exp(x.Scale(1));
        return (e - one) / (e + one);
    }

    // ---- double functions ------------------------------------------------------------------------------------

    /// <summary>
    /// The double nearest to <paramref name="v"/> (ties to even). <paramref name="exact"/> says the value carries no
    /// error, so a tie is a real tie; otherwise a value too close to a midpoint is reported as undecided.
    /// </summary>
    public static double ToDouble(Real v, out bool decided, bool exact = false)
    {
        decided = true;
        if (v.IsZero)
            return 0.0;
        bool negative = v.Sign < 0;
        var m = BigInteger.Abs(v.M);
        long bits = (long)m.GetBitLength();
        long top = bits - 1 + v.E;
        if (top > 1023)
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        long ulpExponent = Math.Max(top - 52, -1074);
        long shift = ulpExponent - v.E;
        BigInteger n;
        if (shift <= 0)
        {
            n = m << (int)-shift;
        }
        else if (shift > bits + 2)
        {
            // Far below the smallest subnormal: rounds to zero.
            return negative ? -0.0 : 0.0;
        }
        else
        {
            n = m >> (int)shift;
            var rem = m - (n << (int)shift);
            var half = BigInteger.One << (int)(shift - 1);
            int cmp = rem.CompareTo(half);
            if (!exact)
            {
                // The mantissa is trusted to about Precision - 48 bits.
                var uncertainty = BigInteger.One << (int)Math.Max(0, bits - (Precision - 48));
                if (BigInteger.Abs(rem - half) <= uncertainty)
                    decided = false;
            }
            if (cmp > 0 || (cmp == 0 && !n.IsEven))
                n += 1;
        }
        double r = Math.ScaleB((double)n, (int)ulpExponent);
        return negative ? -r : r;
    }

    /// <summary>The signed error of <paramref name="result"/> against <paramref name="v"/>, in units of the last place of the correctly rounded value.</summary>
    public static double ErrorInUlps(double result, Real v, double correctlyRounded)
    {
        if (!double.IsFinite(result) || !double.IsFinite(correctlyRounded))
            return result.Equals(correctlyRounded) ? 0 : double.PositiveInfinity;
        double a = Math.Abs(correctlyRounded);
        int ulpExponent = a == 0 || a < double.Epsilon * 4503599627370496.0 ? -1074 : Math.ILogB(a) - 52;
        var diff = Real.FromDouble(result) - v;
        return ToDouble(diff.Scale(-ulpExponent), out _);
    }

    public static double Sin(double x, out bool decided) => ToDouble(Sin(Real.FromDouble(x)), out decided);
    public static double Cos(double x, out bool decided) => ToDouble(Cos(Real.FromDouble(x)), out decided);
    public static double Tan(double x, out bool decided) => ToDouble(Tan(Real.FromDouble(x)), out decided);
}
