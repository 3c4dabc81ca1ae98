using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// What the interpreter charges for the objects a script makes covers what .NET really allocates for them, so a
/// memory limit bounds the process: for each kind of object a script builds many in a loop (into a table created at
/// its final size beforehand), and the growth of <see cref="LuauState.MemoryInUse"/> is compared with the bytes the
/// thread allocated meanwhile.
/// </summary>
public class MemoryChargeTests
{
    private const int Count = 20_000;

    [Theory]
    [InlineData("t[i] = {}")]
    [InlineData("t[i] = {1, 2, 3}")]
    [InlineData("t[i] = {a = 1, b = 2, c = 3}")]
    [InlineData("t[i] = {x = i}")]
    [InlineData("t[i] = function() end")]
    [InlineData("t[i] = function() return x end")]
    [InlineData("t[i] = function() return x + y + z end")]
    [InlineData("local j = i t[i] = function() return j end")]
    [InlineData("local j, k = i, i t[i] = function() return j + k end")]
    [InlineData("local j = i t[i] = function() j += 1 return j end")]
    [InlineData("local j, k = i, i t[i] = function() j += k return j end")]
    [InlineData("t[i] = tostring(i)")]
    [InlineData("t[i] = 'x' .. i")]
    [InlineData("t[i] = string.rep('x', 100)")]
    [InlineData("t[i] = coroutine.create(f)")]
    [InlineData("t[i] = buffer.create(16)")]
    [InlineData("t[i] = setmetatable({}, mt)")]
    [InlineData("t[i] = newproxy(false)")]
    [InlineData("t[i] = newproxy(true)")]
    public void ChargesCoverWhatDotNetAllocates(string body)
    {
        var engine = new LuauEngine(new LuauEngineOptions { Output = Stream.Null });
        var state = engine.State;
        state.AutomaticCollection = false;
        string source = $$"""
            local x, y, z, mt = 1, 2, 3, {}
            local function f() end
            local t = table.create({{Count}}, false)
            local function fill()
                for i = 1, {{Count}} do {{body}} end
            end
            return t, fill
            """;
        var results = engine.DoString(source);
        var fill = results[1];

        // A warm-up run first: the first call of anything may allocate for the engine's own caches.
        engine.Call(fill);
        long charged = state.MemoryInUse;
        long before = GC.GetAllocatedBytesForCurrentThread();
        engine.Call(fill);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long chargedNow = state.MemoryInUse - charged;

        double perObjectAllocated = (double)allocated / Count;
        double perObjectCharged = (double)chargedNow / Count;
        // A few kilobytes for the calls themselves.
        Assert.True(chargedNow + 4096 >= allocated,
            $"{body}: charged {perObjectCharged:F1} bytes per object, .NET allocated {perObjectAllocated:F1}");
        Assert.True(chargedNow <= 2 * allocated + 64L * Count,
            $"{body}: charged {perObjectCharged:F1} bytes per object, far above the {perObjectAllocated:F1} .NET allocated");
    }
}
