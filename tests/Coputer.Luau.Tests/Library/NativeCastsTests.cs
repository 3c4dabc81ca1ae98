using Coputer.Luau.Library;

namespace Coputer.Luau.Tests.Library;

public class NativeCastsTests
{
    [Theory]
    [InlineData(3.99, 3)]
    [InlineData(-3.99, -3)]
    [InlineData(2147483647.9, 2147483647)]
    [InlineData(-2147483648.9, -2147483648)]
    [InlineData(2147483648.0, int.MinValue)]
    [InlineData(-2147483649.0, int.MinValue)]
    [InlineData(1e10, int.MinValue)]
    [InlineData(double.NaN, int.MinValue)]
    [InlineData(double.PositiveInfinity, int.MinValue)]
    [InlineData(-0.5, 0)]
    public void ToInt32TruncatesOrGivesIndefinite(double value, int expected) => Assert.Equal(expected, NativeCasts.ToInt32(value));

    [Theory]
    [InlineData(1e18, 1000000000000000000L)]
    [InlineData(-9223372036854775808.0, long.MinValue)]
    [InlineData(9223372036854775808.0, long.MinValue)]
    [InlineData(9223372036854774784.0, 9223372036854774784L)] // the largest double below 2^63
    [InlineData(double.NaN, long.MinValue)]
    [InlineData(double.NegativeInfinity, long.MinValue)]
    [InlineData(-7.9, -7L)]
    public void ToInt64TruncatesOrGivesIndefinite(double value, long expected) => Assert.Equal(expected, NativeCasts.ToInt64(value));

    [Theory]
    [InlineData(255.9, 255UL)]
    [InlineData(9223372036854775808.0, 9223372036854775808UL)]
    [InlineData(18446744073709549568.0, 18446744073709549568UL)] // the largest double below 2^64
    [InlineData(18446744073709551616.0, 0UL)]
    [InlineData(1e20, 0UL)]
    [InlineData(double.PositiveInfinity, 0UL)]
    [InlineData(double.NaN, 9223372036854775808UL)]
    [InlineData(-1.0, 18446744073709551615UL)] // small negative values go through the signed conversion
    [InlineData(-1e19, 9223372036854775808UL)]
    public void ToUInt64FollowsGcc(double value, ulong expected) => Assert.Equal(expected, NativeCasts.ToUInt64(value));
}
