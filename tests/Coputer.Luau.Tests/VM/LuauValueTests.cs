using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary><see cref="LuauValue"/>: raw equality rules, hashing, truthiness and the host-side constructors.</summary>
public class LuauValueTests
{
    [Fact]
    public void NumbersCompareByValueNaNNeverEqualZeroSignIgnored()
    {
        LuauValue nan = double.NaN, sameNan = nan;
        Assert.False(nan == sameNan);
        Assert.False(nan.Equals(sameNan));
        Assert.True(new LuauValue(0.0) == new LuauValue(-0.0));
        Assert.Equal(new LuauValue(0.0).GetHashCode(), new LuauValue(-0.0).GetHashCode());
        Assert.True(new LuauValue(1) == new LuauValue(1.0));
        Assert.False(new LuauValue(1) == new LuauValue(1 + 1e-15));
        Assert.True(new LuauValue(double.PositiveInfinity) == double.PositiveInfinity);
    }

    [Fact]
    public void DifferentTypesAreNeverRawEqual()
    {
        Assert.False(new LuauValue(1) == "1");
        Assert.False(LuauValue.True == new LuauValue(1));
        Assert.False(LuauValue.False == LuauValue.Nil);
        Assert.False(LuauValue.FromLightUserdata(0) == LuauValue.Nil);
        Assert.False(LuauValue.FromVector(0, 0, 0) == new LuauValue(0));
        Assert.True(LuauValue.Nil == default(LuauValue));
    }

    [Fact]
    public void StringsCompareByContentObjectsByIdentity()
    {
        Assert.True((LuauValue)"abc" == (LuauValue)LuauString.From("abc"u8));
        Assert.Equal(((LuauValue)"abc").GetHashCode(), ((LuauValue)LuauString.From("abc"u8)).GetHashCode());
        var state = new LuauState();
        var t1 = state.CreateTable();
        var t2 = state.CreateTable();
        Assert.True((LuauValue)t1 == (LuauValue)t1);
        Assert.False((LuauValue)t1 == (LuauValue)t2);
        var u = new LuauUserdata(1);
        Assert.True(new LuauValue(u) == new LuauValue(u));
        Assert.False(new LuauValue(u) == new LuauValue(new LuauUserdata(1)));
    }

    [Fact]
    public void VectorsCompareByComponents()
    {
        Assert.True(LuauValue.FromVector(1, 2, 3) == LuauValue.FromVector(1, 2, 3));
        Assert.False(LuauValue.FromVector(1, 2, 3) == LuauValue.FromVector(1, 2, 4));
        Assert.False(LuauValue.FromVector(1, 2, 3) == LuauValue.FromVector(3, 2, 1));
        // Component comparison is float equality: -0 equals 0 and NaN equals nothing.
        Assert.True(LuauValue.FromVector(0, -0f, 0) == LuauValue.FromVector(-0f, 0, 0));
        Assert.False(LuauValue.FromVector(float.NaN, 0, 0) == LuauValue.FromVector(float.NaN, 0, 0));
        Assert.Equal((1.5f, -2f, 1e30f), LuauValue.FromVector(1.5f, -2f, 1e30f).Vector);
        Assert.Equal(LuauType.Vector, LuauValue.FromVector(0, 0, 0).Type);
    }

    [Fact]
    public void LightUserdataComparesPayloadAndTag()
    {
        Assert.True(LuauValue.FromLightUserdata(42, 3) == LuauValue.FromLightUserdata(42, 3));
        Assert.False(LuauValue.FromLightUserdata(42, 3) == LuauValue.FromLightUserdata(42, 4));
        Assert.False(LuauValue.FromLightUserdata(42) == LuauValue.FromLightUserdata(43));
        // Payloads whose bit patterns are NaNs as doubles still compare by bits.
        long nanBits = BitConverter.DoubleToInt64Bits(double.NaN);
        Assert.True(LuauValue.FromLightUserdata(nanBits) == LuauValue.FromLightUserdata(nanBits));
        Assert.Equal(LuauType.LightUserdata, LuauValue.FromLightUserdata(1).Type);
    }

    [Fact]
    public void TruthinessAndAccessors()
    {
        Assert.True(LuauValue.Nil.IsFalsy);
        Assert.True(LuauValue.False.IsFalsy);
        Assert.True(new LuauValue(0).IsTruthy);
        Assert.True(((LuauValue)"").IsTruthy);
        Assert.True(LuauValue.FromLightUserdata(0).IsTruthy);
        Assert.Null(new LuauValue(1).AsString);
        Assert.Null(((LuauValue)"x").AsTable);
        Assert.True(((LuauValue)(string?)null).IsNil);
        Assert.True(((LuauValue)(LuauTable?)null).IsNil);
        Assert.Equal("nil", LuauValue.Nil.ToString());
        Assert.Equal("true", LuauValue.FromBoolean(true).ToString());
        Assert.Throws<ArgumentNullException>(() => new LuauValue((LuauTable)null!));
    }

    [Theory]
    [InlineData("local n = 0 / 0 return rawequal(n, n), rawequal(0, -0), rawequal('a', 'a'), rawequal({}, {}), rawequal(1, '1')", "false\ttrue\ttrue\tfalse\tfalse")]
    [InlineData("return rawequal(vector.create(1, 2, 3), vector.create(1, 2, 3)), vector.create(0, 0, 0) == vector.create(-0, 0, 0), vector.create(0/0, 0, 0) == vector.create(0/0, 0, 0)", "true\ttrue\tfalse")]
    public void RawEqualityInScripts(string source, string expected) => ScriptRunner.Expect(source, expected);
}
