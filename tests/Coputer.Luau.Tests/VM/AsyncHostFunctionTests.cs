using System.Collections.Concurrent;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// Async host functions: a Luau task calling one is suspended until the host's work completes, then resumed with the
/// result or the error; cancellation goes both ways; <c>CallAsync</c>/<c>DoStringAsync</c> run code that awaits host
/// work. Time is virtual unless a test says otherwise.
/// </summary>
public class AsyncHostFunctionTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static (LuauEngine Engine, List<string> Lines) NewEngine(LuauPlatform? platform = null)
    {
        var engine = new LuauEngine(new LuauEngineOptions { EnableCollectGarbage = true, Platform = platform ?? LuauPlatform.Deterministic() });
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
        return (engine, lines);
    }

    /// <summary>An async function that really goes asynchronous (a thread-pool hop) before answering.</summary>
    private static async ValueTask<string> Later(string text)
    {
        await Task.Yield();
        await Task.Delay(1).ConfigureAwait(false);
        return text;
    }

    [Fact]
    public async Task ATaskIsSuspendedAndResumedWithTheResult()
    {
        var (engine, lines) = NewEngine();
        engine.SetAsyncFunction("echo", (args, ct) => Later("got " + args[0].ToString()));
        var results = await engine.DoStringAsync("""
            local a = task.spawn(function() log("a starts"); local r = echo("a"); log("a resumed", r); return r end)
            local b = task.spawn(function() log("b starts"); local r = echo("b"); log("b resumed", r); return r end)
            log("both suspended", a:status(), b:status())
            return a:await(), b:await(), echo("main")
            """).WaitAsync(s_hangGuard);
        Assert.Equal(["got a", "got b", "got main"], results.Select(v => v.ToString()));
        // Virtual time hands completions over in the order the calls started.
        Assert.Equal(["a starts", "b starts", "both suspended suspended suspended", "a resumed got a", "b resumed got b"], lines);
        Assert.Equal(0, engine.State.Tasks.PendingTaskCount);
        Assert.Equal(0, engine.State.Tasks.PendingOperationCount);
    }

    [Fact]
    public async Task WorkThatCompletesAtOnceReturnsWithoutSuspending()
    {
        var (engine, _) = NewEngine();
        engine.SetAsyncFunction("now", (args, ct) => new ValueTask<double>(args[0].Number * 2));
        var results = await engine.DoStringAsync("return now(21)").WaitAsync(s_hangGuard);
        Assert.Equal(42, results[0].Number);
        Assert.Equal(0, engine.State.Tasks.PendingOperationCount);
    }

    [Fact]
    public async Task ResultsOfEachStandardTypeAndSeveralValues()
    {
        var (engine, _) = NewEngine();
        engine.SetAsyncFunction("many", async (args, ct) =>
        {
            await Task.Yield();
            return new LuauValue[] { 1, "two", true };
        });
        engine.SetAsyncFunction("bytes", async (args, ct) =>
        {
            await Task.Yield();
            return new byte[] { 1, 2, 3 };
        });
        engine.SetAsyncFunction("nothing", async (args, ct) => await Task.Yield());
        engine.SetAsyncFunction("count", async (args, ct) =>
        {
            await Task.Yield();
            return 7L;
        });
        var results = await engine.DoStringAsync("""
            local a, b, c = many()
            local buf = bytes()
            return a, b, c, typeof(buf), buffer.len(buf), buffer.readu8(buf, 2), select("#", nothing()), count()
            """).WaitAsync(s_hangGuard);
        Assert.Equal("1\ttwo\ttrue\tbuffer\t3\t3\t0\t7", ScriptRunner.Render(engine, results));
    }

    [Fact]
    public void AnUnsupportedResultTypeIsRefusedWhenRegistered()
    {
        var (engine, _) = NewEngine();
        var e = Assert.Throws<ArgumentException>(() => engine.SetAsyncFunction("f", (args, ct) => new ValueTask<DateTime>(DateTime.UnixEpoch)));
        Assert.Contains("DateTime", e.Message);
    }

    [Fact]
    public async Task AHostExceptionIsRaisedInLuauAndPcallCatchesIt()
    {
        var (engine, _) = NewEngine();
        engine.SetAsyncFunction<string>("fails", async (args, ct) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("the disk is on fire");
        });
        engine.SetAsyncFunction<string>("failsAtOnce", (args, ct) => throw new InvalidOperationException("refused at once"));
        var results = await engine.DoStringAsync("""
            local ok, err = pcall(function() return fails() end)
            local ok2, err2 = pcall(function() return failsAtOnce() end)
            local t = task.spawn(function() return pcall(function() return fails() end) end)
            local ok3, err3 = t:await()
            return ok, err, ok2, err2, ok3, err3
            """, chunkName: "=errors").WaitAsync(s_hangGuard);
        Assert.Equal("false\terrors:1: the disk is on fire\tfalse\terrors:2: refused at once\tfalse\terrors:3: the disk is on fire",
            ScriptRunner.Render(engine, results));

        var e = await Assert.ThrowsAsync<LuauRuntimeException>(() => engine.DoStringAsync("local x = fails()\nreturn x", chunkName: "=uncaught").WaitAsync(s_hangGuard));
        Assert.Equal("uncaught:1: the disk is on fire", e.Value.ToString());
        Assert.Contains("uncaught:1", e.LuauStackTrace);
    }

    [Fact]
    public async Task CancellingTheLuauTaskCancelsTheHostToken()
    {
        var (engine, lines) = NewEngine();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.SetAsyncFunction("hang", async (args, ct) =>
        {
            // Observed where the host work ends rather than by a registration on the token: a registration disposed
            // by this body's own unwinding (which may run inline inside Cancel) would never fire.
            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                tokenCancelled.TrySetResult();
                throw;
            }
        });
        var results = await engine.DoStringAsync("""
            local t = task.spawn(function()
                local ok, err = pcall(hang)
                log("hang ended", ok, err, task.cancelled())
                return "cleaned up"
            end)
            log("status", t:status())
            t:cancel()
            return t:status(), (t:error())
            """).WaitAsync(s_hangGuard);
        Assert.Equal("cancelled\tcancelled", ScriptRunner.Render(engine, results));
        Assert.Equal(["status suspended", "hang ended false cancelled true"], lines);
        Assert.True(entered.Task.IsCompleted);
        await tokenCancelled.Task.WaitAsync(s_hangGuard);
        Assert.Equal(0, engine.State.Tasks.PendingOperationCount);
        Assert.Equal(0, engine.State.Tasks.PendingTaskCount);
    }

    [Fact]
    public async Task CancellingTheCallersTokenCancelsTheLuauTaskAndTheHostWork()
    {
        var (engine, lines) = NewEngine();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hostSawCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.SetAsyncFunction("hang", async (args, ct) =>
        {
            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                hostSawCancel.TrySetResult();
                throw;
            }
        });
        using var cts = new CancellationTokenSource();
        var run = engine.DoStringAsync("""
            local ok, err = pcall(hang)
            log("caught", err, task.cancelled())
            hang() -- the flag is still set: this raises again at once
            log("not reached")
            """, cts.Token);
        await entered.Task.WaitAsync(s_hangGuard);
        cts.Cancel();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(s_hangGuard));
        Assert.Equal(cts.Token, e.CancellationToken);
        await hostSawCancel.Task.WaitAsync(s_hangGuard);
        Assert.Equal(["caught cancelled true"], lines);
        Assert.Equal(0, engine.State.Tasks.PendingTaskCount);
    }

    [Fact]
    public async Task ATaskThatClearsTheFlagGoesOnAfterTheCallersTokenIsCancelled()
    {
        var (engine, _) = NewEngine();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.SetAsyncFunction("hang", async (args, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        });
        engine.SetAsyncFunction("echo", (args, ct) => Later(args[0].ToString()));
        using var cts = new CancellationTokenSource();
        var run = engine.DoStringAsync("""
            local ok, err = pcall(hang)
            task.uncancel()
            return err, echo("carried on")
            """, cts.Token);
        await entered.Task.WaitAsync(s_hangGuard);
        cts.Cancel();
        var results = await run.WaitAsync(s_hangGuard);
        Assert.Equal("cancelled\tcarried on", ScriptRunner.Render(engine, results));
    }

    [Fact]
    public async Task AnAlreadyCancelledTokenStartsNothing()
    {
        var (engine, lines) = NewEngine();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.DoStringAsync("log('ran')", new CancellationToken(true)));
        Assert.Empty(lines);
    }

    [Fact]
    public void CodeThatCannotYieldWaitsInTheSchedulerWhileOtherTasksRun()
    {
        var (engine, lines) = NewEngine();
        engine.SetAsyncFunction("echo", (args, ct) => Later(args[0].ToString()));
        // The main chunk of a synchronous DoString, and a metamethod, cannot yield: the call blocks in the scheduler.
        var results = engine.DoString("""
            local other = task.spawn(function() log("other", echo("in task")) end)
            local proxy = setmetatable({}, { __index = function(_, k) return echo("index " .. k) end })
            local v = proxy.key
            log("main", echo("in main"), v, other:status())
            return v
            """);
        Assert.Equal("index key", results[0].ToString());
        Assert.Equal(["other in task", "main in main index key done"], lines);
        Assert.Equal(0, engine.State.Tasks.PendingOperationCount);
    }

    [Fact]
    public async Task CallAsyncRunsAFunctionWithArguments()
    {
        var (engine, _) = NewEngine();
        engine.SetAsyncFunction("echo", (args, ct) => Later(args[0].ToString()));
        var f = engine.DoString("return function(a, b) return echo(a .. b), a end")[0].AsFunction!;
        var results = await engine.CallAsync(f, ["x", "y"]).WaitAsync(s_hangGuard);
        Assert.Equal("xy\tx", ScriptRunner.Render(engine, results));
    }

    [Fact]
    public async Task HostContinuationsRunOnTheEngineSideAndMayUseTheState()
    {
        var (engine, _) = NewEngine();
        int engineThreadUses = 0;
        engine.SetAsyncFunction("build", async (args, ct) =>
        {
            await Task.Delay(1, ct);   // no ConfigureAwait(false): the continuation comes back to the scheduler
            var table = engine.State.CreateTable();
            table["n"] = args[0];
            Interlocked.Increment(ref engineThreadUses);
            return new LuauValue(table);
        });
        var results = await engine.DoStringAsync("""
            local ts = {}
            for i = 1, 20 do ts[i] = task.spawn(function() return build(i).n end) end
            local sum = 0
            for _, t in ts do sum += t:await() end
            return sum
            """).WaitAsync(s_hangGuard);
        Assert.Equal(210, results[0].Number);
        Assert.Equal(20, engineThreadUses);
    }

    [Fact]
    public async Task AnAsyncCallNobodyCanCompleteIsADeadlockNotAHang()
    {
        var (engine, _) = NewEngine();
        await Assert.ThrowsAsync<LuauDeadlockException>(() => engine.DoStringAsync("""
            local t = task.spawn(function() task.wait(math.huge) end)
            return t:await()
            """).WaitAsync(s_hangGuard));
    }

    /// <summary>
    /// 1,000 Luau tasks each make an HTTP request through one async host function; every 20th request hangs on the
    /// server and its task is cancelled while the request is out (under real time, once the server holds them all;
    /// under virtual time as soon as every task has started, since virtual time hands completions over in the order
    /// the calls started, so a call that never ends holds back the ones after it until it is cancelled). Every task completes exactly once, echo tasks
    /// with their own reply and hung ones cancelled (their host requests aborted), and no coroutine is left.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AThousandConcurrentTasksOverALoopbackHttpServer(bool realTime)
    {
        const int Count = 1000;
        const int Hanging = Count / 20;
        await using var server = new LoopbackHttpServer();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 100 };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var (engine, _) = NewEngine(realTime ? LuauPlatform.System : null);
        var hostWork = new ConcurrentQueue<Task<string>>();
        int started = 0, hostCancelled = 0;
        engine.SetAsyncFunction("get", (args, ct) =>
        {
            Interlocked.Increment(ref started);
            string path = args[0].ToString();
            var work = Get(path, ct);
            hostWork.Enqueue(work);
            return new ValueTask<string>(work);
        });
        async Task<string> Get(string path, CancellationToken ct)
        {
            try
            {
                return await http.GetStringAsync(path, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref hostCancelled);
                throw;
            }
        }
        engine.SetAsyncFunction("hangingHeld", async (args, ct) => await server.WaitForHangingAsync((int)args[0].Number, ct).ConfigureAwait(false));

        var results = await engine.DoStringAsync($$"""
            coroutines = setmetatable({}, { __mode = "k" })
            local tasks, finished = {}, {}
            for i = 1, {{Count}} do
                local path = if i % 20 == 0 then "/hang/" .. i else "/echo/" .. i
                tasks[i] = task.spawn(function()
                    coroutines[coroutine.running()] = true
                    local body = get(path)
                    finished[i] = (finished[i] or 0) + 1
                    return body
                end)
            end
            if {{(realTime ? "true" : "false")}} then
                hangingHeld({{Hanging}})
            end
            for i = 20, {{Count}}, 20 do
                tasks[i]:cancel()
            end
            local done, cancelled, wrong = 0, 0, 0
            for i, t in tasks do
                local ok, body = pcall(t.await, t)
                if i % 20 == 0 then
                    if not ok and body == "cancelled" and t:status() == "cancelled" and finished[i] == nil then
                        cancelled += 1
                    else
                        wrong += 1
                    end
                elseif ok and body == "reply " .. i and t:status() == "done" and finished[i] == 1 then
                    done += 1
                else
                    wrong += 1
                end
            end
            return done, cancelled, wrong
            """).WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal($"{Count - Hanging}\t{Hanging}\t0", ScriptRunner.Render(engine, results));

        // The abandoned requests finish on the host's side (aborted); none of them reaches Luau afterwards.
        try
        {
            await Task.WhenAll(hostWork).WaitAsync(s_hangGuard);
        }
        catch (OperationCanceledException)
        {
            // The hung requests end this way; the counts below say how many.
        }
        Assert.Equal(Count, started);
        Assert.Equal(Hanging, hostCancelled);
        Assert.Equal(Count - Hanging, hostWork.Count(t => t.IsCompletedSuccessfully));
        Assert.Equal(Count - Hanging, server.Echoed);
        Assert.Equal(0, engine.State.Tasks.PendingTaskCount);
        Assert.Equal(0, engine.State.Tasks.PendingOperationCount);
        Assert.Empty(engine.State.Tasks.TakeUnobservedFailures());

        // collectgarbage from the script: the engine's sandboxed globals (which hold the weak table) are reached from the running code.
        var left = engine.DoString("collectgarbage() local n = 0 for _ in coroutines do n += 1 end return n");
        Assert.Equal(0, left[0].Number);
    }

    /// <summary>
    /// The same program, over the same HTTP server (which answers after random pauses, so replies arrive in a
    /// different order every time), prints the same thing in two processes: under virtual time completions are
    /// handed over in the order the calls started, and the clock moves only when nothing is outstanding.
    /// </summary>
    [Fact]
    public async Task UnderVirtualTimeTwoProcessesPrintTheSame()
    {
        await using var server = new LoopbackHttpServer(maxPauseMilliseconds: 20);
        string script = Path.Combine(Path.GetTempPath(), $"coputer-async-{Guid.NewGuid():N}.luau");
        await File.WriteAllTextAsync(script, """
            local tasks = {}
            for i = 1, 60 do
                tasks[i] = task.spawn(function()
                    local waited = task.wait((i * 7) % 5)
                    local first = get("/echo/" .. i)
                    local second = get("/echo/" .. i * 100)
                    print(i, waited, first, second)
                    return first
                end)
            end
            for i = 10, 60, 10 do tasks[i]:cancel() end
            task.delay(2, function()
                for i = 5, 60, 10 do tasks[i]:cancel() end
            end)
            local ok = 0
            for i, t in tasks do
                if pcall(t.await, t) then ok += 1 end
                print("task", i, t:status())
            end
            print("done", ok)
            """);
        try
        {
            var first = await RunHostAsync(server.BaseAddress, script);
            var second = await RunHostAsync(server.BaseAddress, script);
            Assert.Equal(first, second);
            var lines = first.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(60, lines.Count(l => l.StartsWith("task\t", StringComparison.Ordinal)));
            Assert.Contains(lines, l => l.StartsWith("done\t", StringComparison.Ordinal));
            Assert.Contains("1\t2\treply 1\treply 100", lines);
            Assert.Contains("task\t10\tcancelled", lines);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static async Task<string> RunHostAsync(Uri baseAddress, string script)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Coputer.Luau.TestHost.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new System.Diagnostics.ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "exec", dll, "async-http", baseAddress.ToString(), script })
            info.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("could not start the test host");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await p.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill();
            throw new TimeoutException("the test host did not finish");
        }
        Assert.True(p.ExitCode == 0, $"test host exited with {p.ExitCode}: {await stderr}");
        return await stdout;
    }
}
