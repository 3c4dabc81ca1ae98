using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The <c>math</c> library. Functions follow C's math library, as the reference's do.</summary>
internal static class MathLibrary
{
    private const double RadiansPerDegree = Math.PI / 180.0;

    public static void Open(LuauState state, LuauPlatform platform)
    {
        // One generator per state, shared by random and randomseed.
        var rng = new LuauRandom(platform.RandomSeed);
        var math = LibraryUtil.CreateLibrary(state, "math",
            ("random", c => Random(c, rng)),
            ("randomseed", RandomSeed(rng)),
            ("noise", c => c.Return(MathNoise.Noise(c.CheckNumber(1), c.OptNumber(2, 0), c.OptNumber(3, 0)))),
            ("abs", c => c.Return(Math.Abs(c.CheckNumber(1)))),
            ("acos", c => c.Return(LuauMath.Acos(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("asin", c => c.Return(LuauMath.Asin(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("atan2", c => c.Return(LuauMath.Atan2(c.State.DeterministicMath, c.CheckNumber(1), c.CheckNumber(2)))),
            ("atan", c => c.Return(LuauMath.Atan(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("ceil", c => c.Return(Math.Ceiling(c.CheckNumber(1)))),
            ("cosh", c => c.Return(LuauMath.Cosh(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("cos", c => c.Return(LuauMath.Cos(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("deg", c => c.Return(c.CheckNumber(1) / RadiansPerDegree)),
            ("exp", c => c.Return(LuauMath.Exp(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("floor", c => c.Return(Math.Floor(c.CheckNumber(1)))),
            ("fmod", c => c.Return(LuauMath.Fmod(c.State.DeterministicMath, c.CheckNumber(1), c.CheckNumber(2)))),
            ("frexp", Frexp),
            ("ldexp", c => c.Return(LuauMath.Ldexp(c.State.DeterministicMath, c.CheckNumber(1), c.CheckInteger(2)))),
            ("log10", c => c.Return(LuauMath.Log10(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("log", Log),
            ("max", Max),
            ("min", Min),
            ("modf", Modf),
            ("pow", c => c.Return(LuauMath.Pow(c.State.DeterministicMath, c.CheckNumber(1), c.CheckNumber(2)))),
            ("rad", c => c.Return(c.CheckNumber(1) * RadiansPerDegree)),
            ("sinh", c => c.Return(LuauMath.Sinh(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("sin", c => c.Return(LuauMath.Sin(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("sqrt", c => c.Return(Math.Sqrt(c.CheckNumber(1)))),
            ("tanh", c => c.Return(LuauMath.Tanh(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("tan", c => c.Return(LuauMath.Tan(c.State.DeterministicMath, c.CheckNumber(1)))),
            ("clamp", Clamp),
            ("sign", c =>
            {
                double v = c.CheckNumber(1);
                return c.Return(v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0);
            }
        ),
            ("round", c => c.Return(Builtins.Round(c.CheckNumber(1)))),
            ("map", Map),
            ("lerp", c => c.Return(Builtins.Lerp(c.CheckNumber(1), c.CheckNumber(2), c.CheckNumber(3)))),
            ("isnan", c => c.Return(double.IsNaN(c.CheckNumber(1)))),
            ("isinf", c => c.Return(double.IsInfinity(c.CheckNumber(1)))),
            ("isfinite", c => c.Return(double.IsFinite(c.CheckNumber(1)))));
        LibraryUtil.SetField(state, math, "pi", Math.PI);
        LibraryUtil.SetField(state, math, "huge", double.PositiveInfinity);
        LibraryUtil.SetField(state, math, "nan", double.NaN);
        LibraryUtil.SetField(state, math, "e", Math.E);
        LibraryUtil.SetField(state, math, "phi", 1.61803398874989484820);
        LibraryUtil.SetField(state, math, "sqrt2", 1.41421356237309504880);
        LibraryUtil.SetField(state, math, "tau", 2 * Math.PI);
    }

    private static LuauCallback RandomSeed(LuauRandom rng) => c =>
    {
        rng.Seed(c.CheckInteger(1));
        return 0;
    };

    /// <summary>Gives a <c>math</c> table made from a template a generator of its own, seeded from <paramref name="platform"/>.</summary>
    internal static void BindRandom(LuauState state, LuauTable math, LuauPlatform platform)
    {
        var rng = new LuauRandom(platform.RandomSeed);
        LibraryUtil.Register(state, math, ("random", c => Random(c, rng)), ("randomseed", RandomSeed(rng)));
    }

    private static int Random(LuauCallContext c, LuauRandom rng) => c.ArgumentCount switch
    {
        0 => c.Return(rng.NextDouble()),
        1 => c.Return(rng.NextInRange(c.CheckInteger(1))),
        2 => c.Return(rng.NextInRange(c.CheckInteger(1), c.CheckInteger(2))),
        _ => throw new LuauError("wrong number of arguments"),
    };

    private static int Log(LuauCallContext c)
    {
        double x = c.CheckNumber(1);
        if (c[2].IsNil)
            return c.Return(LuauMath.Log(c.State.DeterministicMath, x));
        return c.Return(LuauMath.Log(c.State.DeterministicMath, x, c.CheckNumber(2)));
    }

    private static int Min(LuauCallContext c)
    {
        double r = c.CheckNumber(1);
        for (int i = 2; i <= c.ArgumentCount; i++)
        {
            double d = c.CheckNumber(i);
            if (d < r)
                r = d;
        }
        return c.Return(r);
    }

    private static int Max(LuauCallContext c)
    {
        double r = c.CheckNumber(1);
        for (int i = 2; i <= c.ArgumentCount; i++)
        {
            double d = c.CheckNumber(i);
            if (d > r)
                r = d;
        }
        return c.Return(r);
    }

    private static int Clamp(LuauCallContext c)
    {
        double v = c.CheckNumber(1), min = c.CheckNumber(2), max = c.CheckNumber(3);
        if (!(min <= max))
            throw c.ArgumentError(3, "max must be greater than or equal to min");
        double r = v < min ? min : v;
        return c.Return(r > max ? max : r);
    }

    private static int Map(LuauCallContext c)
    {
        double x = c.CheckNumber(1), inMin = c.CheckNumber(2), inMax = c.CheckNumber(3), outMin = c.CheckNumber(4), outMax = c.CheckNumber(5);
        return c.Return(outMin + (x - inMin) * (outMax - outMin) / (inMax - inMin));
    }

    /// <summary>C's modf: the integral part and the fractional part, both with the argument's sign.</summary>
    private static int Modf(LuauCallContext c)
    {
        double x = c.CheckNumber(1);
        double ip = Math.Truncate(x);
        double fp = double.IsInfinity(x) ? Math.CopySign(0.0, x) : x - ip;
        return c.Return(ip, Math.CopySign(fp, x));
    }

    /// <summary>C's frexp: x = m * 2^e with 0.5 &lt;= |m| &lt; 1 (m = x and e = 0 for zero, infinity and NaN).</summary>
    private static int Frexp(LuauCallContext c)
    {
        double x = c.CheckNumber(1);
        if (c.State.DeterministicMath)
        {
            double mantissa = DeterministicMath.Frexp(x, out int exponent);
            return c.Return(mantissa, exponent);
        }
        if (x == 0 || !double.IsFinite(x))
            return c.Return(x, 0);
        int e = Math.ILogB(x) + 1;
        double m = Math.ScaleB(x, -e);
        return c.Return(m, e);
    }
}
