using System.Diagnostics;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// The limits a host puts on scripts: a step budget and cancellation (which scripts cannot catch), a memory limit
/// (which gives the catchable "not enough memory"), and the interrupt callback.
/// </summary>
public class ExecutionLimitTests
{
    [Theory]
    [InlineData("while true do end")]
    [InlineData("repeat until false")]
    [InlineData("for i = 1, math.huge do end")]
    [InlineData("local function f() end while true do f() end")]
    [InlineData("for k in function() return 1 end do end")]
    [InlineData("pcall(function() while true do end end)")]
    [InlineData("xpcall(function() while true do end end, function(m) return m end)")]
    [InlineData("while true do pcall(error, 'x') end")]
    [InlineData("coroutine.wrap(function() while true do end end)()")]
    [InlineData("while true do coroutine.resume(coroutine.create(function() while true do end end)) end")]
    [InlineData("table.sort({3, 2, 1}, function(a, b) while true do end end)")]
    [InlineData("string.gsub(string.rep('a', 100), '.', function() while true do end end)")]
    public void StepBudgetStopsEndlessScriptsAndCannotBeCaught(string source)
    {
        var engine = new LuauEngine(new LuauEngineOptions { RunLimits = new() { Instructions = 20_000 } });
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<LuauTerminatedException>(() => engine.DoString(source));
        Assert.Equal("the script ran out of steps", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(LuauTerminationReason.Instructions, e.Reason);
        // The budget is per run: the next run gets its whole allowance.
        Assert.Equal(2, engine.DoString("return 1 + 1")[0].Number);
    }

    [Fact]
    public void StepBudgetStopsPathologicalPatterns()
    {
        var engine = new LuauEngine(new LuauEngineOptions { RunLimits = new() { Instructions = 10_000 } });
        var watch = Stopwatch.StartNew();
        // Exponential backtracking: the matcher polls the budget while it works.
        Assert.Throws<LuauTerminatedException>(() => engine.DoString("return string.find(string.rep('a', 40), string.rep('a*', 40) .. 'b')"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void StepBudgetIsDeterministicAndLetsFiniteScriptsFinish()
    {
        const string program = "local s = 0 for i = 1, 1000 do s += i end local function f(n) return n > 0 and f(n - 1) or 0 end f(50) return s";
        long Used()
        {
            var engine = new LuauEngine();
            var main = engine.Load(program);
            using var run = engine.State.BeginRun(new LuauRunLimits { Instructions = 1_000_000 });
            Assert.Equal(500500, engine.State.Call(main)[0].Number);
            return run.InstructionsUsed;
        }
        long first = Used();
        Assert.True(first >= 1000, $"used {first}");
        Assert.Equal(first, Used());

        // A budget of exactly what the program needs is enough; one step less is not.
        var exact = new LuauEngine(new LuauEngineOptions { RunLimits = new() { Instructions = first } });
        Assert.Equal(500500, exact.DoString(program)[0].Number);
        var tooSmall = new LuauEngine(new LuauEngineOptions { RunLimits = new() { Instructions = first - 1 } });
        Assert.Throws<LuauTerminatedException>(() => tooSmall.DoString(program));
    }

    [Fact]
    public void StraightLineCodeCountsItsInstructions()
    {
        var source = new System.Text.StringBuilder("local x = 0\n");
        for (int i = 0; i < 20_000; i++)
            source.Append("x = x + 1\n");
        source.Append("return x");
        var engine = new LuauEngine();
        var main = engine.Load(source.ToString());
        using (var run = engine.State.BeginRun(new LuauRunLimits { Instructions = 1_000_000 }))
        {
            Assert.Equal(20_000, engine.State.Call(main)[0].Number);
            Assert.True(run.InstructionsUsed >= 20_000, $"used {run.InstructionsUsed}");
        }
        var e = Assert.Throws<LuauTerminatedException>(() => engine.Call(main, new LuauRunLimits { Instructions = 10_000 }));
        Assert.Equal(LuauTerminationReason.Instructions, e.Reason);
    }

    [Fact]
    public void BudgetIsPerRunNotALifetimeTotal()
    {
        var engine = new LuauEngine(new LuauEngineOptions { RunLimits = new() { Instructions = 50_000 } });
        // Each run uses most of the allowance; together they use far more than one allowance.
        for (int i = 0; i < 10; i++)
            Assert.Equal(5000, engine.DoString("local n = 0 for i = 1, 5000 do n += 1 end return n")[0].Number);
        var f = engine.DoString("return function() local n = 0 for i = 1, 5000 do n += 1 end return n end")[0];
        for (int i = 0; i < 10; i++)
            Assert.Equal(5000, engine.Call(f)[0].Number);
        Assert.Throws<LuauTerminatedException>(() => engine.DoString("for i = 1, 1e6 do end"));
        Assert.Equal(-1, engine.State.StepBudget);
    }

    [Theory]
    [InlineData("local t = table.create(20000, string.rep('x', 1000)) return #table.concat(t)")]
    [InlineData("return #string.rep('x', 200000000)")]
    [InlineData("return #string.rep('abc', 100000000)")]
    [InlineData("return #string.rep('x', 20000000):upper()")]
    [InlineData("return #string.gsub(string.rep('x', 100000), 'x', string.rep('y', 1000))")]
    [InlineData("return #string.format('%s%s', string.rep('x', 1e8), 'y')")]
    [InlineData("local t = {} for i = 1, 1000 do t[i] = 1001 - i end table.sort(t) table.sort(t, function(a, b) return a > b end) return #t")]
    [InlineData("return #table.create(10000000, true)")]
    public void LibraryWorkIsChargedInProportionToItsSize(string source)
    {
        // None of these scripts loops much in Luau: the budget stops them inside the library.
        var engine = new LuauEngine();
        var e = Assert.Throws<LuauTerminatedException>(() => engine.DoString(source, new LuauRunLimits { Instructions = 5_000 }));
        Assert.Equal(LuauTerminationReason.Instructions, e.Reason);
    }

    [Fact]
    public void TimeoutStopsARunAndSaysSo()
    {
        var engine = new LuauEngine();
        var e = Assert.Throws<LuauTerminatedException>(() => engine.DoString("while true do end", new LuauRunLimits { Timeout = TimeSpan.FromMilliseconds(100) }));
        Assert.Equal(LuauTerminationReason.Timeout, e.Reason);
        Assert.Equal("the script ran out of time", e.Message);
        Assert.Equal(1, engine.DoString("return 1")[0].Number);
    }

    [Theory]
    [InlineData("local t = table.create(200000, string.rep('x', 1000)) while true do local s = table.concat(t) end")]
    [InlineData("while true do local s = string.rep('ab', 100000000) end")]
    [InlineData("local s = string.rep('x', 1000) while true do s:gsub('x', string.rep('y', 100000)) end")]
    public void CancellationReachesIntoLongLibraryCalls(string source)
    {
        var engine = new LuauEngine();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var e = Assert.Throws<LuauTerminatedException>(() => engine.DoString(source, cts.Token));
        Assert.Equal(LuauTerminationReason.Cancelled, e.Reason);
    }

    [Fact]
    public void StepBudgetStopsResumedThreads()
    {
        var engine = new LuauEngine(new LuauEngineOptions { RunLimits = new() { Instructions = 50_000 } });
        Assert.Throws<LuauTerminatedException>(() => engine.Start(engine.Load("while true do end")));
    }

    [Fact]
    public void CancellationFromInsideTheScript()
    {
        var engine = new LuauEngine();
        using var cts = new CancellationTokenSource();
        engine.State.Cancellation = cts.Token;
        engine.SetFunction("cancel", c =>
        {
            cts.Cancel();
            return 0;
        });
        var e = Assert.Throws<LuauTerminatedException>(() => engine.DoString("cancel() pcall(function() while true do end end)"));
        Assert.Equal("the script was cancelled", e.Message);
    }

    [Fact]
    public void CancellationFromAnotherThreadStopsAnEndlessLoop()
    {
        var engine = new LuauEngine();
        using var cts = new CancellationTokenSource();
        engine.State.Cancellation = cts.Token;
        cts.CancelAfter(50);
        var watch = Stopwatch.StartNew();
        Assert.Throws<LuauTerminatedException>(() => engine.DoString("local t = {} while true do t[#t % 100 + 1] = {} end"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void AlreadyCancelledTokenStopsTheScript()
    {
        var engine = new LuauEngine();
        engine.State.Cancellation = new CancellationToken(canceled: true);
        Assert.Throws<LuauTerminatedException>(() => engine.DoString("local n = 0 while true do n += 1 end"));
    }

    [Theory]
    [InlineData("local t = {} for i = 1, 1e8 do t[i] = i end")]
    [InlineData("local t = {} for i = 1, 1e8 do t['k' .. i] = i end")]
    [InlineData("local s = 'x' for i = 1, 40 do s = s .. s end")]
    [InlineData("local s = string.rep('x', 1e9)")]
    [InlineData("local t = {} for i = 1, 1e7 do t[i] = {} end")]
    [InlineData("local b = buffer.create(1e9)")]
    [InlineData("local t = table.create(1e8, 0)")]
    [InlineData("local s = string.rep('ab', 2^20) local t = {} for i = 1, 1000 do t[i] = s .. i end")]
    public void MemoryLimitGivesNotEnoughMemory(string source)
    {
        var engine = new LuauEngine(new LuauEngineOptions { MemoryLimit = 16 << 20 });
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<LuauRuntimeException>(() => engine.DoString(source));
        Assert.Equal("not enough memory", e.Value.ToString());
        Assert.Equal(LuauErrorKind.Memory, e.Kind);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void NotEnoughMemoryIsCatchableAndTheStateRecovers()
    {
        var engine = new LuauEngine(new LuauEngineOptions { MemoryLimit = 32 << 20, EnableCollectGarbage = true });
        var r = engine.DoString("local ok, e = pcall(function() local t = {} for i = 1, 1e8 do t[i] = i end end) collectgarbage() return ok, e");
        Assert.False(r[0].Boolean);
        Assert.Equal("not enough memory", r[1].ToString());
        // The garbage from the failed attempt is reclaimed: a moderate allocation works again.
        Assert.Equal(100000, engine.DoString("local t = {} for i = 1, 1e5 do t[i] = i end return #t")[0].Number);
        Assert.True(engine.State.MemoryInUse < 32 << 20);
    }

    [Fact]
    public void InterruptIsCalledAtSafepointsAndCanRaiseErrors()
    {
        var engine = new LuauEngine();
        int calls = 0;
        engine.State.Interrupt = _ =>
        {
            if (++calls == 1000)
                throw new LuauError("interrupted");
            return false;
        };
        var r = engine.DoString("local ok, e = pcall(function() while true do end end) return ok, e");
        Assert.False(r[0].Boolean);
        Assert.Equal("interrupted", r[1].ToString());
        Assert.True(calls > 1000);
        engine.State.Interrupt = null;
        Assert.Equal(6, engine.DoString("local n = 0 for i = 1, 3 do n += i end return n")[0].Number);
    }

    [Fact]
    public void InterruptCanYieldAResumedThread()
    {
        var engine = new LuauEngine();
        int calls = 0;
        engine.State.Interrupt = _ => ++calls % 100 == 0;
        var (thread, result) = engine.Start(engine.Load("local s = 0 for i = 1, 1000 do s += i end return s"));
        int yields = 0;
        while (result.Status == LuauResumeStatus.Yielded)
        {
            yields++;
            result = engine.State.Resume(thread);
        }
        Assert.Equal(LuauResumeStatus.Finished, result.Status);
        Assert.Equal(500500, result.Values[0].Number);
        Assert.True(yields >= 9, $"yielded {yields} times");
    }
}
