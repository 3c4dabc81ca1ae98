using System.Reflection;
using System.Security.Cryptography;
using Coputer.Luau.Library;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// The managed math library: its tables against the BigInteger reference, a stored table of awkward inputs bit for
/// bit, a seeded random comparison against the reference (at most 1 ulp from the correctly rounded result), and
/// digests of many results that must be the same on every machine and runtime.
/// </summary>
public class DeterministicMathTests
{
    private static double Call(string function, double x, double y) => function switch
    {
        "fmod" => DeterministicMath.Fmod(x, y),
        "ldexp" => DeterministicMath.Ldexp(x, (int)y),
        _ => MathAccuracy.Functions.Single(f => f.Name == function).Deterministic(x, y),
    };

    private static string Hex(double d) => "0x" + BitConverter.DoubleToUInt64Bits(d).ToString("X16");

    [Fact]
    public void TablesAndConstantsAreThoseOfTheReference()
    {
        foreach (var entry in MathTables.Compute())
        {
            var field = typeof(DeterministicMath).GetField(entry.Name, BindingFlags.NonPublic | BindingFlags.Static);
            Assert.True(field is not null, $"DeterministicMath has no {entry.Name}");
            ulong[] actual = field!.GetValue(null) switch
            {
                double d => [BitConverter.DoubleToUInt64Bits(d)],
                double[] a => [.. a.Select(BitConverter.DoubleToUInt64Bits)],
                ulong[] u => u,
                var other => throw new InvalidOperationException($"{entry.Name} is a {other?.GetType()}"),
            };
            Assert.True(entry.Bits.SequenceEqual(actual), $"{entry.Name} differs from the reference: regenerate DeterministicMath.Tables.cs (Coputer.Bench math-tables)");
        }
    }

    [Fact]
    public void StoredCasesGiveExactlyTheirBits()
    {
        var failures = new List<string>();
        foreach (var (function, x, y, expected) in DeterministicMathCases.Cases)
        {
            double actual = Call(function, x, y);
            if (BitConverter.DoubleToUInt64Bits(actual) != expected)
                failures.Add($"{function}({x:R}, {y:R}) = {actual:R} ({Hex(actual)}), stored 0x{expected:X16}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void StoredCasesAreCorrectlyRoundedAndFollowC99()
    {
        var failures = new List<string>();
        foreach (var (function, x, y, expected) in DeterministicMathCases.Cases)
        {
            double reference = MathExpectations.Of(function, x, y);
            if (BitConverter.DoubleToUInt64Bits(reference) != expected)
                failures.Add($"{function}({x:R}, {y:R}): reference {reference:R} ({Hex(reference)}), stored 0x{expected:X16}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    public static TheoryData<string> FunctionNames() => new(MathAccuracy.Functions.Select(f => f.Name));

    /// <summary>
    /// 1500 seeded inputs per function against the reference (Coputer.Bench math-accuracy runs millions). Every
    /// result is within 1 ulp of the correctly rounded one, and almost all are it.
    /// </summary>
    [Theory]
    [MemberData(nameof(FunctionNames))]
    public void RandomInputsAreWithinOneUlpOfTheCorrectlyRoundedResult(string name)
    {
        var f = MathAccuracy.Functions.Single(f => f.Name == name);
        var result = MathAccuracy.Run(f, 1500, seed: 424242);
        Assert.True(result.Count > 1400, $"{name}: only {result.Count} inputs had a reference value");
        Assert.True(result.MaxUlpsFromCorrect <= 1, result.ToString());
        Assert.True(result.MaxErrorUlps < 1.0, result.ToString());
        Assert.True(result.NotCorrectlyRounded <= result.Count / 200, result.ToString());
    }

    /// <summary>
    /// SHA-256 of the bits of 20,000 results per function on seeded inputs. The digests were recorded on x64 Linux;
    /// any machine, operating system or runtime must reproduce them exactly (that is the point of this library).
    /// </summary>
    [Fact]
    public void ResultDigestsAreTheSameEverywhere()
    {
        var expected = new Dictionary<string, string>
        {
            ["sin"] = "DED8D30FA46BFE852EB5EA6D7B00D567A2DA5359FC7ED12BB942AA2805A3CF31",
            ["cos"] = "F565F8A141E67450C05176B87211D75671EB537EE014447BF8C44509B52CD4FD",
            ["tan"] = "77BCE5DDAD92E081B959A07656448ABBBDF0789F7894AD31F23D50AC020B0C46",
            ["asin"] = "159D69A09FFF3F05787E1C9F663334AE1C7B5ED6B7ADF050675F07F31CA59E15",
            ["acos"] = "64678589148EB4CD0CE42B0AF9F20FD55790D3F53B96190C3FAFBBD6539146DA",
            ["atan"] = "AAE2C8D73FDF1A906ABD04C34CC23B9814275E43A5F1084D7508EB5B8D93EB1B",
            ["atan2"] = "4CFE00C25B97E22A4BE9FEBFBD2B44FD990D39B88D0570ED0AAD73336E857A61",
            ["exp"] = "8615973E64E53FE5CF8033FC3A938EB8A522942D53E48C7106B0964C8CCEFAF1",
            ["log"] = "6C93FDAB4E28962907D662807A622B86EB99FF3BF9893DCE6221A5C674B52856",
            ["log2"] = "DFC40EF06134A2910752D7ADCC468923EBB70F5FFC15B61658F4C9610FE352F1",
            ["log10"] = "5CA967FD704E9D686D6B5FC15A7703F203E3550FCCAD270209BC837DFD8CAA31",
            ["logb"] = "DC64B9ECD9CE2B2D8993E78167F02388D0EF5C8C1424926E1671697905B066C1",
            ["pow"] = "32DA33ED3E838D6B9E53CE2FEC3E77EA4E71D5DFBCA8021B1BC6D8B0588D8BCC",
            ["sinh"] = "31D95D5E6CE0E53D3F39C68AB3CD679555CCFED4C6C4DE27B8D2356444E6A514",
            ["cosh"] = "3315FB75C61BD4E1D5B20F7C610E4A11CD0B32164BA54AF7A55C633758371C3F",
            ["tanh"] = "DDBEA7D21D8F77A490B608000C1DEB0D55FAE8A4A186E126CA478C76B21E5C78",
        };
        var actual = new Dictionary<string, string>();
        foreach (var f in MathAccuracy.Functions)
            actual[f.Name] = Digest(f, 20_000);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var failures = expected.Where(e => actual[e.Key] != e.Value).Select(e => e.Key).ToList();
        Assert.True(failures.Count == 0, $"digests of {string.Join(", ", failures)} differ; now:\n" + string.Join('\n', actual.Select(a => $"[\"{a.Key}\"] = \"{a.Value}\",")));
    }

    private static string Digest(MathAccuracy.Function f, int count)
    {
        var random = new Random(777);
        var bytes = new byte[count * 8];
        for (int i = 0; i < count; i++)
        {
            var (x, y) = f.Input(random);
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), BitConverter.DoubleToUInt64Bits(f.Deterministic(x, y)));
        }
        return Convert.ToHexString(SHA256.HashData(bytes));
    }

    [Theory]
    [InlineData(1.0, 0.5, 1)]
    [InlineData(0.5, 0.5, 0)]
    [InlineData(-3.0, -0.75, 2)]
    [InlineData(5e-324, 0.5, -1073)]
    [InlineData(2.2250738585072014e-308, 0.5, -1021)]
    [InlineData(1.7976931348623157e308, 0.9999999999999999, 1024)]
    [InlineData(0.0, 0.0, 0)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity, 0)]
    public void FrexpSplitsExactly(double x, double mantissa, int exponent)
    {
        double m = DeterministicMath.Frexp(x, out int e);
        Assert.Equal(BitConverter.DoubleToUInt64Bits(mantissa), BitConverter.DoubleToUInt64Bits(m));
        Assert.Equal(exponent, e);
        Assert.Equal(x, DeterministicMath.Ldexp(m, e));
    }

    [Fact]
    public void FrexpKeepsNegativeZeroAndCanonicalisesNaN()
    {
        double m = DeterministicMath.Frexp(-0.0, out int e);
        Assert.Equal(0x8000_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(m));
        Assert.Equal(0, e);
        m = DeterministicMath.Frexp(BitConverter.UInt64BitsToDouble(0x7FF8_0000_0000_1234UL), out e);
        Assert.Equal(0xFFF8_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(m));
        Assert.Equal(0, e);
    }

    /// <summary>fmod and ldexp are exact operations: every result equals exact integer arithmetic.</summary>
    [Fact]
    public void FmodAndLdexpAreExactOnRandomInputs()
    {
        var random = new Random(99);
        for (int i = 0; i < 3000; i++)
        {
            double x = RandomDouble(random), y = RandomDouble(random);
            Assert.Equal(Hex(MathExpectations.Of("fmod", x, y)), Hex(DeterministicMath.Fmod(x, y)));
            int n = random.Next(-2200, 2200);
            Assert.Equal(Hex(MathExpectations.Of("ldexp", x, n)), Hex(DeterministicMath.Ldexp(x, n)));
        }
    }

    private static double RandomDouble(Random random)
    {
        // Any finite double, subnormals included, with a random sign.
        while (true)
        {
            double d = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(d))
                return d;
        }
    }
}
