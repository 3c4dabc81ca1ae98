using Coputer.Platform.Runtime;

namespace Coputer.Platform.Tests.Runtime;

/// <summary>Programs that try to take a node down, each with the limit that must stop it.</summary>
public static class HostilePrograms
{
    /// <summary>Limits small enough to keep the suite quick, large enough for real pages.</summary>
    /// <remarks>
    /// Instructions count executed bytecode and library work (bytes copied, matching steps), so the memory bombs need
    /// enough of them to reach the memory limit first. The wall clock is only a hang guard here (60 s): these tests
    /// check the work-counted limits, and a loaded machine once took 10 s for 16 million instructions of overflows.
    /// </remarks>
    public static readonly RunLimits Limits = new() { Instructions = 20_000_000, MemoryBytes = 32 << 20, ResponseBytes = 1 << 20, WallClock = TimeSpan.FromSeconds(60) };

    public static readonly (string Name, string Source, RunLimit Limit)[] All =
    [
        ("infinite loop", "while true do end", RunLimit.Instructions),
        ("busy recursion in a loop", "local function f(n) if n == 0 then return 0 end return f(n - 1) end while true do f(100) end", RunLimit.Instructions),
        ("table memory bomb", "local t = {} local i = 0 while true do i += 1 t[i] = { i, i, i } end", RunLimit.Memory),
        ("string memory bomb", "local s = 'x' while true do s = s .. s end", RunLimit.Memory),
        ("buffer memory bomb", "local t = {} while true do table.insert(t, buffer.create(1000000)) end", RunLimit.Memory),
        ("deep recursion", "local function f() return 1 + f() end return f()", RunLimit.CallDepth),
        ("recursion through __index", "local t = setmetatable({}, { __index = function(t, k) return t[k] end }) return t.x", RunLimit.CallDepth),
        ("recursion through __add", "local mt = {} mt.__add = function(a, b) return a + b end local v = setmetatable({}, mt) return v + 1", RunLimit.CallDepth),
        ("recursion through tostring", "local mt = {} mt.__tostring = function(v) return tostring(v) end return tostring(setmetatable({}, mt))", RunLimit.CallDepth),
        ("pattern bomb", "return string.find(string.rep('a', 20000), string.rep('a-', 20) .. 'b')", RunLimit.Instructions),
        ("coroutine flood", "local t = {} while true do local co = coroutine.create(function() coroutine.yield() end) coroutine.resume(co) table.insert(t, co) end", RunLimit.Memory),
        ("huge string.rep", "return { body = buffer.fromstring(string.rep('x', 2^30)) }", RunLimit.Memory),
        ("huge table.concat", "local t = {} local s = string.rep('x', 1000000) for i = 1, 1000 do t[i] = s end return table.concat(t)", RunLimit.Memory),
        ("huge string.format", "local s = string.rep('x', 1000000) local t = {} for i = 1, 100 do t[i] = string.format('%s%s%s%s', s, s, s, s) end", RunLimit.Memory),
        ("huge response", "return { body = buffer.create(2000000) }", RunLimit.ResponseSize),
        ("too many headers", "local h = {} for i = 1, 1000 do h['x-' .. i] = 'v' end return { headers = h, body = buffer.create(1) }", RunLimit.ResponseSize),
        ("caught overflow retried", "local function f() return 1 + f() end while true do pcall(f) end", RunLimit.Instructions),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var p in All)
            data.Add(p.Name);
        return data;
    }
}

public class HostileProgramTests
{
    [Theory]
    [MemberData(nameof(HostilePrograms.Names), MemberType = typeof(HostilePrograms))]
    public void EachEndsWithItsLimit(string name)
    {
        var (_, source, limit) = Array.Find(HostilePrograms.All, p => p.Name == name);
        var result = TestPrograms.Run(TestPrograms.FromSource(source), limits: HostilePrograms.Limits);
        Assert.True(result.Status == RunStatus.LimitExceeded && result.Limit == limit, $"{name}: {result} after {result.Info.Instructions} instructions, {result.Info.Duration}");
        Assert.Contains(limit switch
        {
            RunLimit.Instructions => "instruction limit",
            RunLimit.Memory => "memory limit",
            RunLimit.CallDepth => "call depth limit",
            _ => "limit",
        }, result.Error);
        // The same program and input stop at the same point.
        var again = TestPrograms.Run(TestPrograms.FromSource(source), limits: HostilePrograms.Limits);
        Assert.Equal(result.Error, again.Error);
        Assert.Equal(result.Info.Instructions, again.Info.Instructions);
    }
}
