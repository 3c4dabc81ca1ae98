using Coputer.Luau.Tests.VM;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Library;

/// <summary>
/// The task library, in the style of coop.nvim's design notes: errors are never lost, await rethrows with the
/// original traceback, the three await modes, cancellation intercepted, cleaned up or cleared, combinators and
/// timeouts, and tasks that wait inside pcall, metamethods and iterators. Time is virtual (the default platform).
/// </summary>
public class TaskLibraryTests
{
    /// <summary>Runs the chunk and then the scheduler until idle; returns what <c>log</c> was given, one call per line.</summary>
    internal static string Run(string source, LuauEngine? engine = null)
    {
        engine ??= ScriptRunner.NewEngine();
        var lines = new List<string>();
        var tostring = engine.State.Globals["tostring"];
        engine.SetFunction("log", c =>
        {
            var parts = new string[c.ArgumentCount];
            for (int i = 0; i < parts.Length; i++)
                parts[i] = c.Call1(tostring, c[i + 1]).ToString();
            lines.Add(string.Join(' ', parts));
            return 0;
        });
        engine.DoString(source);
        engine.State.Tasks.RunUntilIdle();
        return string.Join('\n', lines);
    }

    private static void Expect(string source, params string[] lines) => Assert.Equal(string.Join('\n', lines), Run(source));

    // ---- creating and running ----

    [Fact]
    public void SpawnRunsAtOnceUntilTheFirstWait()
    {
        Expect("""
            local t = task.spawn(function(a, b)
                log("started", a, b)
                task.wait(1)
                log("resumed")
                return a + b
            end, 1, 2)
            log("after spawn", t:status(), typeof(t))
            log("awaited", t:await(), t:status())
            """, "started 1 2", "after spawn suspended task", "resumed", "awaited 3 done");
    }

    [Fact]
    public void DeferRunsWhenTheCurrentCodeYieldsToTheScheduler()
    {
        Expect("""
            local t = task.defer(function(x) log("deferred", x) end, "arg")
            log("before", t:status())
            task.wait()
            log("after", t:status())
            """, "before suspended", "deferred arg", "after done");
    }

    [Fact]
    public void DelayAndWaitUseTheVirtualClock()
    {
        Expect("""
            local start = os.clock()
            task.delay(2.5, function(x) log("delayed", x) end, "arg")
            task.spawn(function() log("waited", task.wait(1)) end)
            log("main waited", task.wait(3))
            log("no real time passed", os.clock() == start)
            """, "waited 1", "delayed arg", "main waited 3", "no real time passed true");
    }

    [Fact]
    public void TasksInterleaveByTheirWakeTimes()
    {
        Expect("""
            for _, d in {3, 1, 2} do
                task.spawn(function() task.wait(d) log("woke", d) end)
            end
            task.spawn(function() for i = 1, 3 do log("tick", i) task.wait() end end)
            """, "tick 1", "tick 2", "tick 3", "woke 1", "woke 2", "woke 3");
    }

    [Fact]
    public void BareYieldInATaskGivesOthersATurn()
    {
        Expect("""
            task.spawn(function() log("a1") coroutine.yield() log("a2") end)
            task.spawn(function() log("b1") coroutine.yield() log("b2") end)
            """, "a1", "b1", "a2", "b2");
    }

    [Theory]
    [InlineData("task.spawn()", "missing argument #1 to 'spawn' (function expected)")]
    [InlineData("task.spawn(1)", "invalid argument #1 to 'spawn' (function expected, got number)")]
    [InlineData("task.delay(1)", "missing argument #2 to 'delay' (function expected)")]
    [InlineData("task.cancel({})", "invalid argument #1 to 'cancel' (task expected, got table)")]
    [InlineData("task.all({1})", "invalid argument #1 to 'all' (element #1 is not a task)")]
    [InlineData("task.any({})", "invalid argument #1 to 'any' (no tasks to wait for)")]
    [InlineData("task.spawn(print):await(1)", "invalid argument #2 to 'await' (function expected, got number)")]
    public void ArgumentErrorsUseTheReferenceWording(string source, string message)
    {
        var e = Assert.Throws<LuauRuntimeException>(() => Run(source));
        Assert.Equal("chunk:1: " + message, e.Value.ToString());
    }

    // ---- errors are never lost ----

    [Fact]
    public void AFailedTaskKeepsItsErrorAndTraceback()
    {
        Expect("""
            local function inner() error("boom") end
            local t = task.spawn(function() task.wait(1) inner() end)
            task.wait(2)
            local err, trace = t:error()
            log(t:status(), err)
            log(string.find(trace, "function inner") ~= nil)
            """, "failed chunk:1: boom", "true");
    }

    [Fact]
    public void AnErrorNobodyAwaitedIsReportedToTheHost()
    {
        var engine = ScriptRunner.NewEngine();
        Run("""
            task.spawn(function() task.wait(1) error("nobody listens") end)
            local seen = task.spawn(function() error("seen") end)
            pcall(seen.await, seen)
            """, engine);
        var failures = engine.State.Tasks.TakeUnobservedFailures();
        var failure = Assert.Single(failures);
        Assert.Equal("chunk:1: nobody listens", failure.Error.ToString());
        Assert.Contains("chunk:1", failure.StackTrace);
        Assert.Empty(engine.State.Tasks.TakeUnobservedFailures());
    }

    [Fact]
    public void AwaitRethrowsTheErrorWithTheOriginalTraceback()
    {
        var engine = ScriptRunner.NewEngine();
        var e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("""
            local function deep()
                task.wait(1)
                error("deep failure")
            end
            local t = task.spawn(function() deep() end)
            local function awaiter() return t:await() end
            awaiter()
            """));
        Assert.Equal("chunk:3: deep failure", e.Value.ToString());
        // The original raise point comes first, then where it was awaited.
        int original = e.LuauStackTrace.IndexOf("chunk:3 function deep", StringComparison.Ordinal);
        int awaited = e.LuauStackTrace.IndexOf("chunk:6 function awaiter", StringComparison.Ordinal);
        Assert.True(original >= 0 && awaited > original, e.LuauStackTrace);
    }

    [Fact]
    public void AnErrorPassedThroughAwaitsKeepsItsTracebackInTheAwaitingTask()
    {
        Expect("""
            local function leaf() task.wait(1) error({code = 7}) end
            local a = task.spawn(leaf)
            local b = task.spawn(function() return a:await() end)
            task.wait(2)
            local err, trace = b:error()
            log(b:status(), type(err), err.code)
            log(string.find(trace, "function leaf") ~= nil, string.find(trace, "awaited by") ~= nil)
            """, "failed table 7", "true true");
    }

    [Fact]
    public void AwaitRethrowsLikeANormalCall()
    {
        Expect("""
            local t = task.spawn(function() task.wait(1) error("plain", 0) end)
            log(pcall(function() return t:await() end))
            local u = task.spawn(function() error({tag = "x"}) end)
            local ok, e = pcall(u.await, u)
            log(ok, e.tag)
            """, "false plain", "false x");
    }

    // ---- the three await modes ----

    [Fact]
    public void AwaitInsideATaskSuspendsIt()
    {
        Expect("""
            local producer = task.spawn(function() task.wait(5) return "value", 2 end)
            local consumer = task.spawn(function()
                log("consumer waits")
                local v, n = producer:await()
                log("consumer got", v, n)
            end)
            log("main goes on", consumer:status())
            """, "consumer waits", "main goes on suspended", "consumer got value 2");
    }

    [Fact]
    public void AwaitWithACallbackReturnsAtOnce()
    {
        Expect("""
            local ok = task.spawn(function() task.wait(1) return 1, 2 end)
            local bad = task.spawn(function() task.wait(1) error("bad", 0) end)
            ok:await(function(...) log("ok callback", ...) end)
            bad:await(function(...) log("bad callback", ...) end)
            log("returned at once")
            task.wait(2)
            ok:await(function(...) log("late callback", ...) end)
            log("late registration returned")
            """, "returned at once", "ok callback true 1 2", "bad callback false bad", "late registration returned", "late callback true 1 2");
    }

    [Fact]
    public void AwaitFromPlainCodeRunsTheScheduler()
    {
        Expect("""
            local t = task.spawn(function() task.wait(10) return "late" end)
            log(t:await())
            log(t())
            """, "late", "late");
    }

    [Fact]
    public void CallingATaskAwaitsIt()
    {
        Expect("""
            local double = task.spawn(function(x) task.wait(1) return x * 2 end, 21)
            task.spawn(function() log("inside", double()) end)
            log("outside", double())
            """, "outside 42", "inside 42");
    }

    [Fact]
    public void AwaitThatCanNeverFinishIsADeadlockError()
    {
        var e = Assert.Throws<LuauRuntimeException>(() => Run("""
            local t = task.spawn(function() task.wait(math.huge) end)
            t:await()
            """));
        Assert.Contains("deadlock", e.Message);
        Assert.Equal("chunk:1: a task cannot await itself", Run("log((task.spawn(function() task.running():await() end):error()))"));
    }

    // ---- cancellation ----

    [Fact]
    public void CancelMakesTheCurrentWaitRaise()
    {
        Expect("""
            local t = task.spawn(function() task.wait(10) log("never") end)
            t:cancel()
            log(t:status(), (t:error()))
            """, "cancelled cancelled");
    }

    [Fact]
    public void CancellationCanBeInterceptedAndCleanedUp()
    {
        Expect("""
            local t = task.spawn(function()
                local ok, err = pcall(task.wait, 10)
                log("intercepted", ok, err, task.cancelled())
                -- Clean-up that needs to wait must clear the flag first, or its waits raise too.
                log("still cancelled", pcall(task.wait, 1))
                task.uncancel()
                task.wait(1)
                log("cleaned up")
                return "finished anyway"
            end)
            task.wait(1)
            t:cancel()
            log(t:status())
            log(t:await())
            """, "intercepted false cancelled true", "still cancelled false cancelled", "suspended", "cleaned up", "finished anyway");
    }

    [Fact]
    public void ATaskThatReturnsWithTheFlagSetEndsCancelled()
    {
        Expect("""
            local t = task.spawn(function()
                pcall(task.wait, 10)
                return "ignored"
            end)
            t:cancel()
            log(t:status(), pcall(t.await, t))
            """, "cancelled false cancelled");
    }

    [Fact]
    public void WhichTaskWasCancelledIsKnowable()
    {
        Expect("""
            local worker = task.spawn(function() task.wait(10) end)
            local watcher = task.spawn(function()
                local ok, err = pcall(worker.await, worker)
                log("watcher", ok, err, "own flag", task.cancelled(), "worker", worker:status())
            end)
            worker:cancel()
            local other
            other = task.spawn(function()
                local ok, err = pcall(task.wait, 10)
                log("other", ok, err, "own flag", task.cancelled(), "me", task.running() == other)
            end)
            other:cancel()
            """, "other false cancelled own flag true me true", "watcher false cancelled own flag false worker cancelled");
    }

    [Fact]
    public void CancellingATaskBeforeItStartsMeansItNeverRuns()
    {
        Expect("""
            local d = task.defer(function() log("never") end)
            local l = task.delay(1, function() log("never") end)
            d:cancel() task.cancel(l)
            log(d:status(), l:status())
            local done = task.spawn(function() return 1 end)
            done:cancel()
            log(done:status(), done())
            """, "cancelled cancelled", "done 1");
    }

    [Fact]
    public void CancellingTheRunningTaskRaisesAtItsNextWait()
    {
        Expect("""
            local t = task.spawn(function()
                task.running():cancel()
                log("goes on until it waits", task.cancelled())
                local ok, err = pcall(task.wait)
                log(ok, err)
            end)
            log(t:status())
            """, "goes on until it waits true", "false cancelled", "cancelled");
    }

    [Fact]
    public void OutsideATaskCancelledIsFalseAndUncancelDoesNothing()
    {
        Expect("task.uncancel() log(task.cancelled(), task.running())", "false nil");
    }

    // ---- combinators ----

    [Fact]
    public void AllCollectsFirstResultsInOrder()
    {
        Expect("""
            local a = task.spawn(function() task.wait(3) return "a", "ignored" end)
            local b = task.spawn(function() task.wait(1) return "b" end)
            local r = task.all({a, b, a}):await()
            log(#r, r[1], r[2], r[3])
            log(#task.all({}):await())
            """, "3 a b a", "0");
    }

    [Fact]
    public void AllFailsWithTheFirstError()
    {
        Expect("""
            local slow = task.spawn(function() task.wait(5) error("second", 0) end)
            local fast = task.spawn(function() task.wait(1) error("first", 0) end)
            local all = task.all({slow, fast})
            log(pcall(all.await, all))
            log(all:status())
            task.wait(10)
            """, "false first", "failed");
    }

    [Fact]
    public void AnyCompletesWithTheFirstToFinish()
    {
        Expect("""
            local slow = task.spawn(function() task.wait(5) return "slow" end)
            local fast = task.spawn(function() task.wait(1) return "fast", 1 end)
            log(task.any({slow, fast}):await())
            log(slow:status())
            local failing = task.spawn(function() task.wait(1) error("failed first", 0) end)
            log(pcall(task.any({slow, failing}).await, task.any({slow, failing})))
            """, "fast 1", "suspended", "false failed first");
    }

    [Fact]
    public void TimeoutCompletesLikeTheTaskOrCancelsIt()
    {
        Expect("""
            local quick = task.spawn(function() task.wait(1) return "in time" end)
            log(task.timeout(2, quick):await())
            local cleanup = false
            local slow = task.spawn(function()
                local ok = pcall(task.wait, 10)
                cleanup = not ok
            end)
            local guarded = task.timeout(2, slow)
            local ok, err = pcall(guarded.await, guarded)
            log(ok, err, slow:status(), cleanup)
            log(task.spawn(function()
                local guarded = task.timeout(1, task.delay(5, print))
                return "from task", pcall(guarded.await, guarded)
            end):await())
            """, "in time", "false timeout cancelled true", "from task false timeout");
    }

    [Fact]
    public void CancellingACombinatorCancelsWhatItCombines()
    {
        Expect("""
            local a = task.spawn(function() task.wait(5) end)
            local b = task.spawn(function() task.wait(5) end)
            local all = task.all({a, b})
            all:cancel()
            log(all:status(), a:status(), b:status())
            local c = task.spawn(function() task.wait(5) end)
            local t = task.timeout(1, c)
            t:cancel()
            log(t:status(), c:status())
            """, "cancelled cancelled cancelled", "cancelled cancelled");
    }

    [Fact]
    public void AStaleTimeoutDoesNotKeepTheRunAlive()
    {
        var engine = ScriptRunner.NewEngine();
        Run("task.timeout(1000, task.spawn(function() task.wait(1) end)):await()", engine);
        Assert.Equal(1, engine.State.Tasks.Now);
    }

    // ---- waiting inside pcall, metamethods and iterators ----

    [Fact]
    public void ATaskWaitsInsidePcallAndXpcall()
    {
        Expect("""
            task.spawn(function()
                log(pcall(function() task.wait(1) return "in pcall" end))
                log(xpcall(function() task.wait(1) error("in xpcall", 0) end, function(e) return "handled " .. e end))
            end)
            log("main first")
            """, "main first", "true in pcall", "false handled in xpcall");
    }

    [Fact]
    public void ATaskWaitsInsideIterators()
    {
        Expect("""
            local function slowly(n)
                return function(_, i)
                    if i < n then task.wait(1) return i + 1 end
                end, nil, 0
            end
            local iterable = setmetatable({}, {__iter = function() return slowly(2) end})
            task.spawn(function()
                for i in slowly(3) do log("for", i) end
                for i in iterable do log("__iter", i) end
            end)
            log("main first")
            """, "main first", "for 1", "for 2", "for 3", "__iter 1", "__iter 2");
    }

    [Fact]
    public void ATaskWaitsInsideMetamethods()
    {
        // __call is a call, so the task yields; __index runs as a metamethod (no yield), so the wait runs the
        // scheduler in place (spawn returns only when it is over) and other tasks go on meanwhile.
        Expect("""
            local callable = setmetatable({}, {__call = function(_, x) task.wait(1) return x end})
            local lazy = setmetatable({}, {__index = function(_, k) task.wait(2) return k .. "!" end})
            task.spawn(function() task.wait(0.5) log("other task ran meanwhile") end)
            task.spawn(function() log("__call", callable("c")) end)
            log("__call yielded")
            task.spawn(function() log("__index", lazy.key) end)
            log("main goes on")
            """, "__call yielded", "other task ran meanwhile", "__call c", "__index key!", "main goes on");
    }

    [Fact]
    public void WaitsInPlainCoroutinesRunTheScheduler()
    {
        Expect("""
            local co = coroutine.wrap(function()
                task.wait(2)
                return "coroutine done"
            end)
            task.spawn(function() task.wait(1) log("task ran meanwhile") end)
            log(co())
            """, "task ran meanwhile", "coroutine done");
    }

    [Fact]
    public void CancellingATaskBlockedInAMetamethodRaisesThere()
    {
        Expect("""
            local lazy = setmetatable({}, {__index = function() task.wait(10) return "never" end})
            local t
            task.spawn(function() task.wait(1) t:cancel() end)
            -- spawn returns only after the blocked wait, so the task publishes itself.
            task.spawn(function()
                t = task.running()
                local ok, err = pcall(function() return lazy.x end)
                log("blocked wait", ok, err)
            end)
            """, "blocked wait false cancelled");
    }

    // ---- determinism, limits and collection ----

    [Fact]
    public void VirtualTimeGivesTheSameOutputEveryRunWithoutSleeping()
    {
        const string program = """
            local results = {}
            for i = 1, 50 do
                task.spawn(function()
                    task.wait((i * 7919) % 13)
                    table.insert(results, i)
                    if i % 5 == 0 then task.wait(1000) end
                end)
            end
            task.wait(2000)
            log(table.concat(results, ","))
            """;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        string first = Run(program);
        Assert.Equal(first, Run(program));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
        Assert.StartsWith("13,26,39", first);
    }

    [Fact]
    public void WaitingLoopsAreChargedToTheStepBudget()
    {
        var engine = ScriptRunner.NewEngine(new LuauEngineOptions { RunLimits = new() { Instructions = 10_000 } });
        Assert.Throws<LuauTerminatedException>(() => Run("task.spawn(function() while true do task.wait(1) end end) task.wait(math.huge)", engine));
    }

    [Fact]
    public void ValuesOnlyAWaitingTaskHoldsSurviveCollection()
    {
        Expect("""
            local weak = setmetatable({}, {__mode = "v"})
            local t = task.spawn(function()
                local held = {}
                weak[1] = held
                task.wait(1)
                return held
            end)
            local result = task.spawn(function() return {} end)
            weak[2] = result:await()
            collectgarbage()
            log(weak[1] ~= nil, weak[2] ~= nil, t:await() == weak[1])
            """, "true true true");
    }

    [Fact]
    public void AFinishedRunLeavesNoTasksBehind()
    {
        var engine = ScriptRunner.NewEngine();
        Run("""
            for i = 1, 100 do
                local t = task.spawn(function() task.wait(i % 7) return i end)
                if i % 3 == 0 then t:cancel() end
            end
            task.all({task.spawn(function() task.wait(1) end)}):await()
            """, engine);
        Assert.Equal(0, engine.State.Tasks.PendingTaskCount);
        Assert.Equal(0, engine.State.Tasks.PendingOperationCount);
    }

    [Fact]
    public void TheLibraryIsFrozenInTheSandbox()
    {
        var e = Assert.Throws<LuauRuntimeException>(() => Run("task.spawn = nil"));
        Assert.Contains("readonly", e.Message);
        e = Assert.Throws<LuauRuntimeException>(() => Run("getmetatable(task.spawn(print)).__index.await = nil"));
        Assert.Contains("readonly", e.Message);
    }
}
