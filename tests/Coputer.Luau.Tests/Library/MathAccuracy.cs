using System.Numerics;
using Coputer.Luau.Library;
using static Coputer.Luau.Tests.Library.MathReference;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// Seeded random comparison of DeterministicMath (and, for information, the host's System.Math) against
/// <see cref="MathReference"/>: for every function, inputs drawn from its whole domain with extra weight on the
/// awkward regions, and per function the largest distance in ulps from the correctly rounded result, the largest
/// error in ulps against the exact value, and how many results were not the correctly rounded one. The tests run a
/// few thousand inputs per function; <c>Coputer.Bench math-accuracy</c> runs millions.
/// </summary>
internal static class MathAccuracy
{
    public sealed record Function(
        string Name,
        Func<double, double, double> Deterministic,
        Func<double, double, double> Host,
        Func<double, double, Real?> Reference,
        Func<Random, (double X, double Y)> Input);

    public sealed class Result(string name)
    {
        public string Name { get; } = name;
        public long Count { get; set; }
        public long Undecided { get; set; }
        public long NotCorrectlyRounded { get; set; }
        public long MaxUlpsFromCorrect { get; set; }
        public double MaxErrorUlps { get; set; }
        public (double X, double Y) Worst { get; set; }
        public long HostNotCorrectlyRounded { get; set; }
        public long HostMaxUlpsFromCorrect { get; set; }
        public double HostMaxErrorUlps { get; set; }
        public long DifferentFromHost { get; set; }

        public override string ToString() =>
            $"{Name,-8} n={Count,9:N0} max {MaxUlpsFromCorrect} ulp from correctly rounded (error {MaxErrorUlps:F4} ulp), " +
            $"not correctly rounded {NotCorrectlyRounded} ({Percent(NotCorrectlyRounded)}), undecided {Undecided}; " +
            $"host: max {HostMaxUlpsFromCorrect} ulp (error {HostMaxErrorUlps:F4}), not correctly rounded {HostNotCorrectlyRounded} " +
            $"({Percent(HostNotCorrectlyRounded)}), differs from ours {DifferentFromHost}; worst input ({Worst.X:R}, {Worst.Y:R})";

        private string Percent(long n) => Count == 0 ? "-" : (100.0 * n / Count).ToString("F4", System.Globalization.CultureInfo.InvariantCulture) + "%";
    }

    /// <summary>Signed distance in representable steps between two finite doubles (or equal infinities).</summary>
    public static long UlpDistance(double a, double b)
    {
        if (a.Equals(b) || (a == 0 && b == 0))
            return 0;
        if (double.IsNaN(a) || double.IsNaN(b))
            return long.MaxValue;
        static long Ordinal(double d)
        {
            long bits = BitConverter.DoubleToInt64Bits(d);
            return bits < 0 ? -(bits & long.MaxValue) : bits;
        }
        return Math.Abs(Ordinal(a) - Ordinal(b));
    }

    public static Result Run(Function f, int count, int seed)
    {
        var result = new Result(f.Name);
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var (x, y) = f.Input(random);
            var exact = f.Reference(x, y);
            if (exact is not { } v)
                continue;
            double correct = ToDouble(v, out bool decided);
            double ours = f.Deterministic(x, y);
            double host = f.Host(x, y);
            result.Count++;
            if (BitConverter.DoubleToInt64Bits(ours) != BitConverter.DoubleToInt64Bits(host))
                result.DifferentFromHost++;
            if (!decided)
            {
                result.Undecided++;
                // Next to a midpoint either neighbour is right; anything further is still wrong.
                if (UlpDistance(ours, correct) > 1)
                    Record(result, x, y, ours, v, correct, host);
                continue;
            }
            Record(result, x, y, ours, v, correct, host);
        }
        return result;
    }

    private static void Record(Result result, double x, double y, double ours, Real v, double correct, double host)
    {
        long d = UlpDistance(ours, correct);
        double error = Math.Abs(ErrorInUlps(ours, v, correct));
        if (d != 0)
            result.NotCorrectlyRounded++;
        if (d > result.MaxUlpsFromCorrect || (d == result.MaxUlpsFromCorrect && error > result.MaxErrorUlps))
            result.Worst = (x, y);
        result.MaxUlpsFromCorrect = Math.Max(result.MaxUlpsFromCorrect, d);
        result.MaxErrorUlps = Math.Max(result.MaxErrorUlps, error);
        long hd = UlpDistance(host, correct);
        if (hd != 0)
            result.HostNotCorrectlyRounded++;
        result.HostMaxUlpsFromCorrect = Math.Max(result.HostMaxUlpsFromCorrect, hd);
        result.HostMaxErrorUlps = Math.Max(result.HostMaxErrorUlps, Math.Abs(ErrorInUlps(host, v, correct)));
    }

    // ---- input distributions ------------------------------------------------------------------------------------
    // Built from System.Random with a seed (the same sequence on every runtime) and exact operations only, so the
    // inputs are the same everywhere and a digest of the results can be compared across machines.

    private static double Uniform(Random r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();

    private static double Sign(Random r, double v) => r.Next(2) == 0 ? v : -v;

    /// <summary>A double with a uniformly random binary exponent in [minExp, maxExp] and random mantissa bits.</summary>
    private static double LogUniform(Random r, int minExp, int maxExp)
    {
        int e = r.Next(minExp, maxExp + 1);
        long mantissa = r.NextInt64(1L << 52);
        if (e < -1022)
        {
            // Subnormal: fewer mantissa bits.
            return BitConverter.Int64BitsToDouble((mantissa | (1L << 52)) >> (-1022 - e));
        }
        return BitConverter.Int64BitsToDouble(((long)(e + 1023) << 52) | mantissa);
    }

    /// <summary>The double nearest k pi/2 for a random k of random size, moved by up to 3 ulps.</summary>
    private static double NearHalfPiMultiple(Random r, int maxBits)
    {
        int bits = r.Next(1, maxBits + 1);
        var k = new BigInteger(r.NextInt64(1L << Math.Min(bits, 62)) | 1) << Math.Max(0, bits - 62);
        var x = ToDouble(Real.FromInteger(k) * Pi.Scale(-1), out _);
        for (int steps = r.Next(-3, 4); steps != 0; steps -= Math.Sign(steps))
            x = steps > 0 ? Math.BitIncrement(x) : Math.BitDecrement(x);
        return Sign(r, x);
    }

    private static double TrigInput(Random r) => r.Next(8) switch
    {
        0 or 1 => Uniform(r, -10, 10),
        2 => Sign(r, LogUniform(r, -30, 0)),
        3 => Sign(r, LogUniform(r, 0, 20)),
        4 => Sign(r, LogUniform(r, 20, 1023)),
        5 => NearHalfPiMultiple(r, 20),
        6 => NearHalfPiMultiple(r, 1000),
        _ => Uniform(r, -1e6, 1e6),
    };

    private static double ExpInput(Random r) => r.Next(4) switch
    {
        0 or 1 => Uniform(r, -745.2, 709.8),
        2 => Uniform(r, -2, 2),
        _ => Sign(r, LogUniform(r, -60, 0)),
    };

    private static double LogInput(Random r) => r.Next(4) switch
    {
        0 or 1 => LogUniform(r, -1074, 1023),
        2 => 1.0 + Sign(r, LogUniform(r, -53, -1)),
        _ => Uniform(r, 0.5, 2),
    };

    private static (double, double) PowInput(Random r)
    {
        switch (r.Next(6))
        {
            case 0:
            case 1:
                {
                    // Moderate x, y spread so that x^y stays mostly in range.
                    double x = LogUniform(r, -30, 30);
                    double limit = 740 / Math.Max(1e-300, Math.Abs(DeterministicMath.Log(x)));
                    return (x, Uniform(r, -limit, limit));
                }
            case 2:
                {
                    // x near 1 with large y.
                    double x = 1.0 + Sign(r, LogUniform(r, -52, -8));
                    double limit = 740 / Math.Abs(DeterministicMath.Log(x));
                    return (x, Uniform(r, -limit, limit));
                }
            case 3:
                // Negative x with integer y.
                return (-LogUniform(r, -8, 8), Math.Round(Uniform(r, -60, 60)));
            case 4:
                // Integer and half-integer exponents of moderate x.
                return (LogUniform(r, -20, 20), Math.Round(Uniform(r, -40, 40)) / (r.Next(2) + 1));
            default:
                // Anything, overflow and underflow included.
                return (LogUniform(r, -1074, 1023), Sign(r, LogUniform(r, -20, 12)));
        }
    }

    private static (double, double) Atan2Input(Random r)
    {
        double y = Sign(r, LogUniform(r, -200, 200));
        double x = r.Next(4) == 0 ? Sign(r, LogUniform(r, -1074, 1023)) : Sign(r, Math.ScaleB(Math.Abs(y), r.Next(-70, 71)) * Uniform(r, 0.5, 2));
        return (y, x);
    }

    private static double UnitInput(Random r) => r.Next(4) switch
    {
        0 or 1 => Uniform(r, -1, 1),
        2 => Sign(r, 1.0 - LogUniform(r, -53, -1)),
        _ => Sign(r, LogUniform(r, -60, -1)),
    };

    private static double HyperbolicInput(Random r) => r.Next(5) switch
    {
        0 => Uniform(r, -711, 711),
        1 => Uniform(r, -40, 40),
        2 => Uniform(r, -1, 1),
        3 => Uniform(r, -0.0625, 0.0625),
        _ => Sign(r, LogUniform(r, -40, -1)),
    };

    private static double TanhInput(Random r) => r.Next(4) switch
    {
        0 => Uniform(r, -20, 20),
        1 => Uniform(r, -1, 1),
        2 => Uniform(r, -0.0625, 0.0625),
        _ => Sign(r, LogUniform(r, -40, -1)),
    };

    // ---- references -------------------------------------------------------------------------------------------

    private static Real? Unary(double x, Func<Real, Real> f) => double.IsFinite(x) ? f(Real.FromDouble(x)) : null;

    private static readonly Real Huge = new(1, 4000);
    private static readonly Real Tiny = new(1, -4000);

    private static Real? ExpReference(double x) =>
        x > 720 ? Huge : x < -760 ? Tiny : Exp(Real.FromDouble(x));

    private static Real? SinhCoshReference(double x, bool cosh)
    {
        if (Math.Abs(x) > 720)
            return cosh || x > 0 ? Huge : -Huge;
        var v = Real.FromDouble(x);
        return cosh ? Cosh(v) : Sinh(v);
    }

    private static Real? TanhReference(double x)
    {
        if (Math.Abs(x) > 400)
            return Real.FromInteger(x > 0 ? 1 : -1) - new Real(x > 0 ? 1 : -1, -1000);
        return Tanh(Real.FromDouble(x));
    }

    private static Real? LogReference(double x, Func<Real, Real> scale) =>
        x > 0 && double.IsFinite(x) ? (x == 1 ? new Real(0, 0) : scale(Log(Real.FromDouble(x)))) : null;

    /// <summary>x^y for finite non-zero x (negative only with integer y) and finite non-zero y.</summary>
    public static Real? PowReference(double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || x == 0 || y == 0)
            return null;
        bool integer = Math.Floor(y) == y;
        if (x < 0 && !integer)
            return null;
        bool negative = x < 0 && integer && Math.Abs(y) < 9007199254740992.0 && ((long)y & 1) != 0;
        var ax = Real.FromDouble(Math.Abs(x));
        Real v;
        if (integer && ax.M.IsPowerOfTwo && Math.Abs(y) <= 4096)
        {
            // (2^k)^y is exactly 2^(k y).
            v = new Real(1, ((long)ax.M.GetBitLength() - 1 + ax.E) * (long)y);
        }
        else if (integer && Math.Abs(y) <= 64)
        {
            int n = (int)Math.Abs(y);
            var power = new Real(BigInteger.Pow(ax.M, n), ax.E * n);
            v = y > 0 ? power : Div(Real.FromInteger(1), power, Precision);
        }
        else
        {
            var z = Real.FromDouble(y) * Log(ax);
            if (z.Top >= 10)
                v = z.Sign > 0 ? Huge : Tiny;
            else
                v = Exp(z);
        }
        return negative ? -v : v;
    }

    public static IReadOnlyList<Function> Functions { get; } =
    [
        new("sin", (x, _) => DeterministicMath.Sin(x), (x, _) => Math.Sin(x), (x, _) => Unary(x, Sin), r => (TrigInput(r), 0)),
        new("cos", (x, _) => DeterministicMath.Cos(x), (x, _) => Math.Cos(x), (x, _) => Unary(x, Cos), r => (TrigInput(r), 0)),
        new("tan", (x, _) => DeterministicMath.Tan(x), (x, _) => Math.Tan(x), (x, _) => Unary(x, Tan), r => (TrigInput(r), 0)),
        new("asin", (x, _) => DeterministicMath.Asin(x), (x, _) => Math.Asin(x), (x, _) => Math.Abs(x) <= 1 ? Unary(x, Asin) : null, r => (UnitInput(r), 0)),
        new("acos", (x, _) => DeterministicMath.Acos(x), (x, _) => Math.Acos(x), (x, _) => Math.Abs(x) <= 1 ? Unary(x, Acos) : null, r => (UnitInput(r), 0)),
        new("atan", (x, _) => DeterministicMath.Atan(x), (x, _) => Math.Atan(x), (x, _) => Unary(x, Atan), r => (Sign(r, LogUniform(r, -40, 80)), 0)),
        new("atan2", DeterministicMath.Atan2, Math.Atan2, (y, x) => y != 0 && x != 0 ? Atan2(Real.FromDouble(y), Real.FromDouble(x)) : null, Atan2Input),
        new("exp", (x, _) => DeterministicMath.Exp(x), (x, _) => Math.Exp(x), (x, _) => ExpReference(x), r => (ExpInput(r), 0)),
        new("log", (x, _) => DeterministicMath.Log(x), (x, _) => Math.Log(x), (x, _) => LogReference(x, v => v), r => (LogInput(r), 0)),
        new("log2", (x, _) => DeterministicMath.Log2(x), (x, _) => Math.Log2(x), (x, _) => LogReference(x, v => v / Ln2), r => (LogInput(r), 0)),
        new("log10", (x, _) => DeterministicMath.Log10(x), (x, _) => Math.Log10(x), (x, _) => LogReference(x, v => v / Ln10), r => (LogInput(r), 0)),
        new("logb", DeterministicMath.LogBase, (x, b) => Math.Log(x) / Math.Log(b),
            (x, b) => x > 0 && b > 0 && b != 1 && x != 1 && double.IsFinite(x) && double.IsFinite(b) ? Log(Real.FromDouble(x)) / Log(Real.FromDouble(b)) : null,
            r => (LogInput(r), r.Next(2) == 0 ? Uniform(r, 0.01, 100) : LogInput(r))),
        new("pow", DeterministicMath.Pow, Math.Pow, PowReference, PowInput),
        new("sinh", (x, _) => DeterministicMath.Sinh(x), (x, _) => Math.Sinh(x), (x, _) => SinhCoshReference(x, cosh: false), r => (HyperbolicInput(r), 0)),
        new("cosh", (x, _) => DeterministicMath.Cosh(x), (x, _) => Math.Cosh(x), (x, _) => SinhCoshReference(x, cosh: true), r => (HyperbolicInput(r), 0)),
        new("tanh", (x, _) => DeterministicMath.Tanh(x), (x, _) => Math.Tanh(x), (x, _) => TanhReference(x), r => (TanhInput(r), 0)),
    ];
}
