using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// A state used from a second thread while it runs, or given a value of another state, refuses with
/// <see cref="InvalidOperationException"/> at the host API instead of corrupting itself.
/// </summary>
public class GuardRailTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ASecondThreadCannotEnterARunningState()
    {
        var engine = new LuauEngine();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        engine.SetFunction("block", c =>
        {
            entered.Set();
            Assert.True(release.Wait(s_wait));
            return c.Return(7);
        });
        var function = engine.Load("return 1");
        var thread = engine.State.CreateThread(engine.Load("coroutine.yield(1) return 2"));

        var run = Task.Run(() => engine.DoString("return block() + 1"));
        Assert.True(entered.Wait(s_wait));
        try
        {
            await Task.Run(async () =>
            {
                Assert.Contains("another thread", Assert.Throws<InvalidOperationException>(() => engine.DoString("return 1")).Message,
                    StringComparison.Ordinal);
                Assert.Throws<InvalidOperationException>(() => engine.Call(function));
                Assert.Throws<InvalidOperationException>(() => engine.State.Call(function));
                Assert.Throws<InvalidOperationException>(() => engine.State.Resume(thread));
                Assert.Throws<InvalidOperationException>(() => engine.State.Equal(1, 1));
                Assert.Throws<InvalidOperationException>(() => engine.State.BeginRun(new LuauRunLimits { Instructions = 10 }));
                Assert.Throws<InvalidOperationException>(() => engine.LoadBytecode(engine.Compile("return 1"u8)));
                await Assert.ThrowsAsync<InvalidOperationException>(() => engine.DoStringAsync("return 1"));
            });
        }
        finally
        {
            release.Set();
        }
        Assert.Equal(8, (await run)[0].Number);

        // Once the run is over, any thread may use the state (one at a time).
        Assert.Equal(1, (await Task.Run(() => engine.Call(function)))[0].Number);
        Assert.Equal(LuauResumeStatus.Yielded, (await Task.Run(() => engine.State.Resume(thread))).Status);
        Assert.Equal(3, (await engine.DoStringAsync("return 3"))[0].Number);
    }

    [Fact]
    public void TheRunningThreadMayReenter()
    {
        var engine = new LuauEngine();
        engine.SetFunction("nested", c => c.Return(engine.DoString("return 40")[0].Number + c.CheckNumber(1)));
        Assert.Equal(42, engine.DoString("return nested(2)")[0].Number);
    }

    [Fact]
    public void ValuesOfOneStateCannotEnterAnother()
    {
        var one = new LuauEngine();
        var two = new LuauEngine();
        var table = one.State.CreateTable();
        var closure = one.DoString("return function(x) return x end")[0];
        var thread = one.State.CreateThread(one.Load("return 1"));
        var userdata = new LuauUserdata(null, 0, one.State.CreateTable());

        // Table writes from the host, as a key or a value, and metatables.
        Assert.Contains("another Luau state", Assert.Throws<InvalidOperationException>(() => two.Globals["t"] = table).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => two.Globals["f"] = closure);
        Assert.Throws<InvalidOperationException>(() => two.Globals["u"] = new LuauValue(userdata));
        Assert.Throws<InvalidOperationException>(() => two.Globals[new LuauValue(table)] = 1);
        Assert.Throws<InvalidOperationException>(() => two.State.CreateTable().SetMetatable(table));
        // Calls and coroutines.
        var identity = two.DoString("return function(x) return x end")[0];
        Assert.Throws<InvalidOperationException>(() => two.Call(identity, table));
        Assert.Throws<InvalidOperationException>(() => two.Call(closure, 1));
        Assert.Throws<InvalidOperationException>(() => two.State.Resume(thread));
        Assert.Throws<InvalidOperationException>(() => two.State.CreateThread(closure.AsFunction!));
        Assert.Throws<InvalidOperationException>(() => two.State.Load(two.Compile("return 1"u8), "=x", table));

        // Neither state was harmed, and values that belong to no state (strings, numbers, buffers) pass freely.
        var s = one.DoString("return 'shared'")[0];
        two.Globals["s"] = s;
        two.Globals["b"] = new LuauValue(new LuauBuffer(4));
        Assert.Equal("shared4", two.DoString("return s .. buffer.len(b)")[0].ToString());
        Assert.Equal(5, one.Call(closure, 5)[0].Number);
    }
}
