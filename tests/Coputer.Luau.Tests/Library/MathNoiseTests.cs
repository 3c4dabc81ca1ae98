using Coputer.Luau.Library;

namespace Coputer.Luau.Tests.Library;

public class MathNoiseTests
{
    // math.luau's cases.
    [Theory]
    [InlineData(0.5, 0.0, 0.0, 0.0)]
    [InlineData(0.5, 0.5, 0.0, -0.25)]
    [InlineData(0.5, 0.5, -0.5, 0.125)]
    [InlineData(455.7204209769105, 340.80410508750134, 121.80087666537628, 0.5010709762573242)]
    public void ConformanceCases(double x, double y, double z, double expected)
    {
        Assert.Equal(expected, MathNoise.Noise(x, y, z));
        Assert.Equal(expected, MathNoise.Noise(x, y, z, wrapInputs: true));
    }

    // Values from the reference's default build (coordinates rounded to float, no wrapping).
    [Theory]
    [InlineData(1000.3, 2.7, 5.1, 0.42485693097114563)]
    [InlineData(-3.25, 7.75, 0.125, 0.3183218240737915)]
    [InlineData(12.345, -6.789, 100.001, -0.47611570358276367)]
    [InlineData(1e10, 0.5, 0.5, 0.0)] // beyond the int range the cell index is C's indefinite value
    [InlineData(3000000000.5, 1.5, 2.5, -0.125)]
    [InlineData(-0.1, -0.2, -0.3, -0.41573518514633179)]
    [InlineData(255.9, 256.1, 511.5, -0.30497139692306519)]
    [InlineData(1.0, 2.0, 3.0, 0.0)]
    [InlineData(0.1, 0.2, 0.3, 0.35122925043106079)]
    public void MatchesTheReference(double x, double y, double z, double expected) =>
        Assert.Equal(expected, MathNoise.Noise(x, y, z));

    // Values from the reference with FixMathNoisePrecision on (inputs reduced modulo 256 first).
    [Theory]
    [InlineData(1000.3, 2.7, 5.1, 0.42485398054122925)]
    [InlineData(3000000000.5, 1.5, 2.5, -0.25)]
    [InlineData(255.9, 256.1, 511.5, -0.30497467517852783)]
    [InlineData(-3.25, 7.75, 0.125, 0.3183218240737915)]
    public void MatchesTheReferenceWithWrapping(double x, double y, double z, double expected) =>
        Assert.Equal(expected, MathNoise.Noise(x, y, z, wrapInputs: true));

    [Fact]
    public void ZeroOnLatticeAndBounded()
    {
        var random = new Random(99);
        for (int i = 0; i < 2000; i++)
        {
            double x = random.Next(-1000, 1000), y = random.Next(-1000, 1000), z = random.Next(-1000, 1000);
            Assert.Equal(0.0, MathNoise.Noise(x, y, z));
            double value = MathNoise.Noise(x + random.NextDouble(), y + random.NextDouble(), z + random.NextDouble());
            Assert.InRange(value, -1.0, 1.0);
        }
    }

    [Fact]
    public void RepeatsEvery256Units()
    {
        // Fractions that floats hold exactly, so both points see the same offsets within the cell.
        Assert.Equal(MathNoise.Noise(0.375, 0.625, 0.875), MathNoise.Noise(256.375, -255.375, 512.875));
        Assert.Equal(MathNoise.Noise(0.25, 0.5, 0.75), MathNoise.Noise(256.25, 256.5, 256.75));
    }

    [Fact]
    public void NonFiniteInputsGiveNaN()
    {
        Assert.True(double.IsNaN(MathNoise.Noise(double.NaN, 0, 0)));
        Assert.True(double.IsNaN(MathNoise.Noise(double.PositiveInfinity, 0.5, 0.5)));
    }
}
