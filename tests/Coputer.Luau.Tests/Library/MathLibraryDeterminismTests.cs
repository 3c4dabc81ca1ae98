using Coputer.Luau.Compiler;
using Coputer.Luau.Library;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// The math library, the builtin fast paths, <c>^</c>, compile-time folding and <c>vector.angle</c> all use the
/// deterministic functions when the platform asks for them (the default and <see cref="LuauPlatform.Deterministic"/>)
/// and the host's C library under <see cref="LuauPlatform.System"/>; NaNs are canonical wherever their bits show.
/// </summary>
public class MathLibraryDeterminismTests
{
    private static LuauEngine Engine(bool deterministic, int level = 1) => new(new LuauEngineOptions
    {
        Platform = deterministic ? LuauPlatform.Deterministic() : LuauPlatform.System,
        CompileOptions = new CompileOptions { OptimizationLevel = level },
    });

    // Inputs where glibc's results are not the correctly rounded ones (found by Coputer.Bench math-accuracy), so the
    // two implementations are told apart on this machine, plus ordinary ones.
    private static readonly double[] Inputs = [0.5, -7.361121735238061, 1e22, 35.245695707968295, -8.053478723416793, 0.9999999514735899, 3.0];

    /// <summary>Each function three ways: the FASTCALL fast path, an ordinary call through pcall, and a method value.</summary>
    private const string Script = """
        local x, y = ...
        local results = {}
        local function add(name, f, ...)
            table.insert(results, f(...))
            local ok, v = pcall(f, ...)
            table.insert(results, v)
        end
        table.insert(results, math.sin(x)); add("sin", math.sin, x)
        table.insert(results, math.cos(x)); add("cos", math.cos, x)
        table.insert(results, math.tan(x)); add("tan", math.tan, x)
        table.insert(results, math.asin(y)); add("asin", math.asin, y)
        table.insert(results, math.acos(y)); add("acos", math.acos, y)
        table.insert(results, math.atan(x)); add("atan", math.atan, x)
        table.insert(results, math.atan2(x, y)); add("atan2", math.atan2, x, y)
        table.insert(results, math.exp(x / 10)); add("exp", math.exp, x / 10)
        table.insert(results, math.log(math.abs(x))); add("log", math.log, math.abs(x))
        table.insert(results, math.log(math.abs(x), 3)); add("logb", math.log, math.abs(x), 3)
        table.insert(results, math.log(math.abs(x), 2)); add("log2", math.log, math.abs(x), 2)
        table.insert(results, math.log10(math.abs(x))); add("log10", math.log10, math.abs(x))
        table.insert(results, math.pow(math.abs(x), y)); add("pow", math.pow, math.abs(x), y)
        table.insert(results, math.abs(x) ^ y)
        table.insert(results, math.abs(x) ^ 0.7)
        table.insert(results, math.sinh(x / 10)); add("sinh", math.sinh, x / 10)
        table.insert(results, math.cosh(x / 10)); add("cosh", math.cosh, x / 10)
        table.insert(results, math.tanh(x / 10)); add("tanh", math.tanh, x / 10)
        table.insert(results, math.fmod(x, y)); add("fmod", math.fmod, x, y)
        table.insert(results, math.ldexp(x, -1074)); add("ldexp", math.ldexp, x, -1074)
        return table.unpack(results)
        """;

    private static double[] Expected(bool deterministic, double x, double y)
    {
        var list = new List<double>();
        void Three(Func<double> f)
        {
            double v = f();
            list.AddRange([v, v, v]);
        }
        double ax = Math.Abs(x);
        if (deterministic)
        {
            Three(() => DeterministicMath.Sin(x));
            Three(() => DeterministicMath.Cos(x));
            Three(() => DeterministicMath.Tan(x));
            Three(() => DeterministicMath.Asin(y));
            Three(() => DeterministicMath.Acos(y));
            Three(() => DeterministicMath.Atan(x));
            Three(() => DeterministicMath.Atan2(x, y));
            Three(() => DeterministicMath.Exp(x / 10));
            Three(() => DeterministicMath.Log(ax));
            Three(() => DeterministicMath.LogBase(ax, 3));
            Three(() => DeterministicMath.Log2(ax));
            Three(() => DeterministicMath.Log10(ax));
            Three(() => DeterministicMath.Pow(ax, y));
            list.Add(DeterministicMath.Pow(ax, y));
            list.Add(DeterministicMath.Pow(ax, 0.7));
            Three(() => DeterministicMath.Sinh(x / 10));
            Three(() => DeterministicMath.Cosh(x / 10));
            Three(() => DeterministicMath.Tanh(x / 10));
            Three(() => DeterministicMath.Fmod(x, y));
            Three(() => DeterministicMath.Ldexp(x, -1074));
        }
        else
        {
            Three(() => Math.Sin(x));
            Three(() => Math.Cos(x));
            Three(() => Math.Tan(x));
            Three(() => Math.Asin(y));
            Three(() => Math.Acos(y));
            Three(() => Math.Atan(x));
            Three(() => Math.Atan2(x, y));
            Three(() => Math.Exp(x / 10));
            Three(() => Math.Log(ax));
            Three(() => Math.Log(ax) / Math.Log(3));
            Three(() => Math.Log2(ax));
            Three(() => Math.Log10(ax));
            Three(() => Math.Pow(ax, y));
            list.Add(Math.Pow(ax, y));
            list.Add(Math.Pow(ax, 0.7));
            Three(() => Math.Sinh(x / 10));
            Three(() => Math.Cosh(x / 10));
            Three(() => Math.Tanh(x / 10));
            Three(() => x % y);
            Three(() => Math.ScaleB(x, -1074));
        }
        return [.. list];
    }

    public static TheoryData<bool, int> Modes() => new()
    {
        { true, 0 }, { true, 1 }, { true, 2 }, { false, 1 }, { false, 2 },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void EveryCallPathUsesThePlatformsMath(bool deterministic, int level)
    {
        var engine = Engine(deterministic, level);
        var chunk = engine.Load(Script);
        foreach (double x in Inputs)
        {
            double y = 0.37;
            var results = engine.Call(chunk, x, y);
            var expected = Expected(deterministic, x, y);
            Assert.Equal(expected.Length, results.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(results[i].Number),
                    $"x = {x:R}, result {i}: {results[i].Number:R}, expected {expected[i]:R}");
            }
        }
    }

    [Fact]
    public void FoldedConstantsUseTheDeterministicFunctionsWhateverThePlatform()
    {
        // At O2 the compiler folds builtin calls with constant arguments; at O1 it folds ^ on constants.
        foreach (bool deterministic in new[] { true, false })
        {
            var engine = Engine(deterministic, level: 2);
            var r = engine.DoString("return math.sin(1e22), math.exp(-745.1332191019411), math.log(10, 3), 7 ^ -0.5, math.atan2(1, -0), math.fmod(1e308, 3)");
            Assert.Equal(DeterministicMath.Sin(1e22), r[0].Number);
            Assert.Equal(DeterministicMath.Exp(-745.1332191019411), r[1].Number);
            Assert.Equal(DeterministicMath.LogBase(10, 3), r[2].Number);
            Assert.Equal(DeterministicMath.Pow(7, -0.5), r[3].Number);
            Assert.Equal(DeterministicMath.Atan2(1, -0.0), r[4].Number);
            Assert.Equal(DeterministicMath.Fmod(1e308, 3), r[5].Number);
        }
    }

    [Fact]
    public void VectorAngleUsesTheDeterministicAtan2()
    {
        var engine = Engine(deterministic: true);
        var r = engine.DoString("return vector.angle(vector.create(1, 0, 0), vector.create(0, 1, 0)), vector.angle(vector.create(1, 0, 0), vector.create(-1, 0, 0))");
        Assert.Equal(DeterministicMath.Atan2(1, 0), r[0].Number);
        Assert.Equal(DeterministicMath.Atan2(0, -1), r[1].Number);
    }

    /// <summary>
    /// The length of the cross product is a single-precision square root in the reference, so the angle between
    /// two vectors that are not axis-aligned matches the reference's to the last bit only if we take it in float
    /// too. The expected values are what the reference <c>luau</c> prints with <c>%.17g</c>.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void VectorAngleTakesTheSquareRootInSinglePrecisionAsTheReference(bool deterministic)
    {
        var engine = Engine(deterministic);
        var r = engine.DoString("""
            local a, b = vector.create(0.3, 1.7, -2.2), vector.create(-1.1, 0.45, 0.9)
            return string.format("%.17g", vector.angle(a, b)),
                string.format("%.17g", vector.angle(vector.create(1.1, 2.3, 3.7), vector.create(3.3, -0.7, 1.9), vector.create(0, -1, 0)))
            """);
        Assert.Equal("1.950450187764321", r[0].ToString());
        Assert.Equal("-1.0236982144027695", r[1].ToString());
    }

    /// <summary>
    /// Two NaNs with different signs, made at run time: <c>inf - inf</c> (the CPU's default NaN, whose sign differs
    /// between x86 and ARM) and its negation. With deterministic math both are written as the canonical NaN.
    /// </summary>
    private const string NaNScript = """
        local function sub(a, b) return a - b end
        local n = sub(math.huge, math.huge)
        local m = -n
        local b = buffer.create(24)
        buffer.writef64(b, 0, n)
        buffer.writef64(b, 8, m)
        buffer.writef32(b, 16, n)
        buffer.writef32(b, 20, m)
        return string.pack("<d", n), string.pack("<d", m), string.pack("<f", m), string.pack(">n", m),
            buffer.tostring(b), string.format("%f %g %e %.3f", n, m, m, m), tostring(n), tostring(m)
        """;

    [Fact]
    public void NaNsAreCanonicalWhereTheirBitsShow()
    {
        var r = Engine(deterministic: true).DoString(NaNScript);
        byte[] canonical = [0, 0, 0, 0, 0, 0, 0xF8, 0xFF];
        byte[] canonicalSingle = [0, 0, 0xC0, 0xFF];
        Assert.Equal(canonical, r[0].AsString!.Span.ToArray());
        Assert.Equal(canonical, r[1].AsString!.Span.ToArray());
        Assert.Equal(canonicalSingle, r[2].AsString!.Span.ToArray());
        Assert.Equal([0xFF, 0xF8, 0, 0, 0, 0, 0, 0], r[3].AsString!.Span.ToArray());
        Assert.Equal([.. canonical, .. canonical, .. canonicalSingle, .. canonicalSingle], r[4].AsString!.Span.ToArray());
        Assert.Equal("-nan -nan -nan -nan", r[5].ToString());
        Assert.Equal("nan", r[6].ToString());
        Assert.Equal("nan", r[7].ToString());
    }

    [Fact]
    public void HostMathKeepsTheBitsOfNaNs()
    {
        // Negation flips the sign bit on every CPU, so the two NaNs differ whatever the default NaN is.
        var r = Engine(deterministic: false).DoString(NaNScript);
        Assert.NotEqual(r[0].AsString!.Span.ToArray(), r[1].AsString!.Span.ToArray());
        Assert.NotEqual("-nan -nan -nan -nan", r[5].ToString());
    }

    [Fact]
    public void ThePlatformsChooseTheirMath()
    {
        Assert.True(LuauPlatform.Deterministic().DeterministicMath);
        Assert.False(LuauPlatform.System.DeterministicMath);
        Assert.True(new LuauEngineOptions().Platform.DeterministicMath);
        Assert.True(new LuauEngine().State.DeterministicMath);
    }
}
