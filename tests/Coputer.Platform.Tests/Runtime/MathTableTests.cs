using Coputer.Platform.Runtime;

namespace Coputer.Platform.Tests.Runtime;

/// <summary>
/// The runtime's mathematics are the engine's deterministic ones: a program prints the bits of math results at
/// awkward inputs, and they must equal, bit for bit, the table stored beside it (Programs/math/expected.txt).
/// Set COPUTER_WRITE_MATH_TABLE=1 to rewrite the table after a deliberate change.
/// </summary>
public class MathTableTests
{
    private static readonly string[] Functions =
        ["sin", "cos", "tan", "asin", "acos", "atan", "exp", "log", "log10", "sinh", "cosh", "tanh", "sqrt", "atan2", "pow", "^", "fmod"];

    [Fact]
    public void MathResultsMatchTheStoredTableBitForBit()
    {
        var result = TestPrograms.Run(TestPrograms.Load("math"));
        Assert.True(result.Status == RunStatus.Ok, result.ToString());
        string actual = result.Response!.BodyText;
        string path = Path.Combine(TestPrograms.Directory("math"), "expected.txt");
        if (Environment.GetEnvironmentVariable("COPUTER_WRITE_MATH_TABLE") == "1")
        {
            string source = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Programs", "math", "expected.txt");
            File.WriteAllText(source, actual);
            return;
        }
        var expected = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var lines = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, lines.Length);
        for (int i = 0; i < lines.Length; i++)
            Assert.True(expected[i] == lines[i], $"input {Bits(lines[i].Split(' ')[0])}: expected\n{expected[i]}\ngot\n{lines[i]}");
    }

    [Fact]
    public void StoredTableIsCloseToTheCLibrary()
    {
        // A guard on the table itself: every finite entry is within 2 ulp of System.Math on this machine.
        foreach (var line in File.ReadAllText(Path.Combine(TestPrograms.Directory("math"), "expected.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cells = line.Split(' ').Select(Bits).ToArray();
            double x = cells[0];
            double[] reference =
            [
                Math.Sin(x), Math.Cos(x), Math.Tan(x), Math.Asin(x), Math.Acos(x), Math.Atan(x), Math.Exp(x), Math.Log(x), Math.Log10(x),
                Math.Sinh(x), Math.Cosh(x), Math.Tanh(x), Math.Sqrt(x), Math.Atan2(x, 1.5), Math.Pow(Math.Abs(x), 0.37), Math.Pow(x, 3.5), x % 2.5,
            ];
            for (int f = 0; f < reference.Length; f++)
            {
                double ours = cells[f + 1];
                if (double.IsNaN(reference[f]))
                {
                    Assert.True(double.IsNaN(ours), $"{Functions[f]}({x:R}) should be NaN, is {ours:R}");
                    Assert.Equal(0x7ff8000000000000UL & 0x7ff8000000000000UL, BitConverter.DoubleToUInt64Bits(ours) & 0x7ff8000000000000UL);
                    continue;
                }
                var ulps = System.Numerics.BigInteger.Abs(Ordered(ours) - Ordered(reference[f]));
                Assert.True(ulps <= 2 || ours == reference[f], $"{Functions[f]}({x:R}) = {ours:R}, System.Math says {reference[f]:R}");
            }
        }
    }

    /// <summary>Doubles mapped to integers in the same order, so that adjacent doubles differ by one.</summary>
    private static System.Numerics.BigInteger Ordered(double d)
    {
        long bits = BitConverter.DoubleToInt64Bits(d);
        return bits < 0 ? -(System.Numerics.BigInteger)(bits & long.MaxValue) : bits;
    }

    private static double Bits(string hex) => BitConverter.UInt64BitsToDouble(Convert.ToUInt64(hex, 16));
}
