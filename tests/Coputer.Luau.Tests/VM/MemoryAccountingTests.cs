using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// The memory limit is a bound: library string builders and large results are charged before they are allocated,
/// so a script past the limit fails with "not enough memory" without taking the memory, and the state recovers.
/// </summary>
public class MemoryAccountingTests
{
    private const long Limit = 32 << 20;

    [Theory]
    [InlineData("local s = string.rep('x', 1000000) local t = table.create(3000, s) return #table.concat(t)")]
    [InlineData("local s = string.rep('x', 1000000) local t = table.create(3000, s) return #table.concat(t, s)")]
    [InlineData("return #string.gsub(string.rep('x', 10000), 'x', string.rep('y', 100000))")]
    [InlineData("return #string.gsub(string.rep('x', 10000), 'x', function() return string.rep('y', 100000) end)")]
    [InlineData("local s = string.rep('x', 1000000) return #string.pack(string.rep('z', 3000), table.unpack(table.create(3000, s)))")]
    [InlineData("local s = string.rep('x', 1000000) return #string.format(string.rep('%s', 3000), table.unpack(table.create(3000, s)))")]
    [InlineData("return #string.rep('x', 1000000000)")]
    [InlineData("return #string.rep('abc', 300000000)")]
    [InlineData("local s = string.rep('x', 20000000) return #s:upper() + #s:lower()")]
    [InlineData("local s = string.rep('x', 20000000) return #s:reverse() + #s:reverse()")]
    [InlineData("local s = string.rep('x', 20000000) return #(s .. s)")]
    [InlineData("return buffer.len(buffer.create(1000000000))")]
    [InlineData("local b = buffer.create(20000000) return #buffer.tostring(b) + #buffer.readstring(b, 0, 20000000)")]
    [InlineData("local t = {} for i = 1, 100 do t[i] = string.rep('x', 1000000) end return #t")]
    [InlineData("local s = string.rep('x', 1000000) print(table.unpack(table.create(3000, s)))")]
    public void BuildersAndLargeResultsFailWithinTheLimit(string source)
    {
        var engine = new LuauEngine(new LuauEngineOptions { MemoryLimit = Limit, Output = Stream.Null });
        var main = engine.Load(source);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<LuauRuntimeException>(() => engine.Call(main));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(LuauErrorKind.Memory, e.Kind);
        Assert.Contains("not enough memory", e.Message);
        // What the run allocated stays within a few times the limit, never the gigabytes the script asked for.
        Assert.True(allocated < 4 * Limit + (64 << 20), $"allocated {allocated >> 20} MB");

        // The state is usable again, for small and large allocations.
        Assert.Equal(1, engine.DoString("return 1")[0].Number);
        Assert.Equal(10_000_000, engine.DoString("return #string.rep('x', 10000000)")[0].Number);
    }

    [Fact]
    public void RepeatedFailuresDoNotLeaveTheStateFull()
    {
        var engine = new LuauEngine(new LuauEngineOptions { MemoryLimit = Limit });
        for (int i = 0; i < 20; i++)
        {
            var r = engine.DoString("local t = {} return pcall(function() while true do t[#t + 1] = string.rep('x', 100000) end end)");
            Assert.False(r[0].IsTruthy);
            Assert.Contains("not enough memory", r[1].ToString());
            Assert.Equal(2, engine.DoString("return #{1, 2}")[0].Number);
        }
    }
}
