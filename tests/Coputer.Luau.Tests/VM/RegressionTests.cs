using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>Bugs found by the VM test pass, each pinned by the input that exposed it.</summary>
public class RegressionTests
{
    [Theory]
    // table.unpack's fast path may grow the stack; the instructions after it must see the new one.
    [InlineData("local function f(t) return table.unpack(t) end return select('#', f(table.create(300, 1)))", "300")]
    [InlineData("local function f(t) local c = {table.unpack(t)} return #c end return f(table.create(5000, 2))", "5000")]
    // As in the reference, unpacking 8000 values passes the host stack limit even through the fast path.
    [InlineData("return pcall(function() local t = {table.unpack(table.create(8000, 0))} end)", "false\tchunk:1: too many results to unpack")]
    [InlineData("return select('#', table.unpack(table.create(7999, 0)))", "7999")]
    public void UnpackFastPath(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Fact]
    public void CollectorIgnoresSlotsOfReturnedCalls()
    {
        // The table lived only in a register of a call that has returned: a weak table must lose it.
        ScriptRunner.Expect(
            "local w = setmetatable({}, {__mode='v'}) local function fill() w[1] = {} end fill() collectgarbage() return w[1]",
            "nil");
    }

    [Fact]
    public void TerminatedCoroutineIsDead()
    {
        var engine = ScriptRunner.NewEngine(new LuauEngineOptions { RunLimits = new() { Instructions = 1000 } });
        engine.DoString("co = coroutine.create(function() while true do end end)");
        Assert.Throws<LuauTerminatedException>(() => engine.DoString("coroutine.resume(co)"));
        Assert.Equal("dead", ScriptRunner.Render(engine, engine.DoString("return coroutine.status(co)")));
    }
}
