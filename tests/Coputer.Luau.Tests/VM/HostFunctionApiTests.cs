using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>Comparisons, cloning and environments from the host (lua_equal, lua_lessthan, lua_clonefunction, lua_setfenv).</summary>
public class HostFunctionApiTests
{
    [Fact]
    public void ComparisonsRunMetamethodsAndRaiseTheReferenceErrors()
    {
        var engine = ScriptRunner.NewEngine();
        var values = engine.DoString(
            "local mt = { __lt = function(a, b) return a.v < b.v end, __le = function(a, b) return a.v <= b.v end }\n" +
            "return setmetatable({v = 1}, mt), setmetatable({v = 2}, mt)");
        var state = engine.State;
        Assert.True(state.LessThan(values[0], values[1]));
        Assert.False(state.LessThan(values[1], values[0]));
        Assert.True(state.LessOrEqual(values[0], values[0]));
        Assert.True(state.LessThan(1, 2));
        Assert.True(state.LessThan("a", "b"));
        Assert.True(state.Equal("x", "x"));
        var e = Assert.Throws<LuauRuntimeException>(() => state.LessThan(1, "2"));
        Assert.Equal("attempt to compare number < string", e.Value.ToString());
        // The failed comparison left the main thread usable.
        Assert.Equal(3, engine.DoString("return 1 + 2")[0].Number);
    }

    [Fact]
    public void EnvironmentsCanBeReadAndReplaced()
    {
        var engine = ScriptRunner.NewEngine();
        var f = engine.DoString("return function() return answer end")[0].AsFunction!;
        Assert.Same(engine.Globals, LuauState.GetEnvironment(f));
        Assert.True(engine.Call(f)[0].IsNil);
        var env = engine.State.CreateTable();
        env["answer"] = 42;
        LuauState.SetEnvironment(f, env);
        Assert.Equal(42, engine.Call(f)[0].Number);
    }

    [Fact]
    public void HostFunctionsCannotBeClonedOrGivenAnEnvironment()
    {
        var engine = ScriptRunner.NewEngine();
        var host = new HostFunction("h", c => 0);
        Assert.Null(LuauState.GetEnvironment(host));
        Assert.Throws<ArgumentException>(() => engine.State.CloneFunction(host));
        Assert.Throws<ArgumentException>(() => LuauState.SetEnvironment(host, engine.State.CreateTable()));
    }
}
