using Coputer.Luau;
using Coputer.Luau.VM;

// A tour of the engine as a host uses it; each part prints what it shows.
using var stdout = Console.OpenStandardOutput();
var engine = new LuauEngine(new LuauEngineOptions { Output = stdout });

// 1. Run code, read results and globals.
var sum = engine.DoString("total = 0 for i = 1, 10 do total += i end return total");
Console.WriteLine($"sum: {sum[0].Number}, global total: {engine.Globals["total"].Number}");

// 2. A .NET function callable from Luau, with the reference's argument errors.
engine.SetFunction("shout", c => c.Return(c.CheckString(1).ToString().ToUpperInvariant() + "!"));
Console.WriteLine($"shout: {engine.DoString("return shout('hello')")[0]}");
try
{
    engine.DoString("shout({})", "=bad");
}
catch (LuauRuntimeException e)
{
    Console.WriteLine($"error: {e.Value}");
}

// 3. Tasks: spawn, wait (virtual time here: no real sleeping) and await.
engine.DoString("""
    local slow = task.spawn(function() task.wait(60) return "a minute later" end)
    print("task says:", slow:await())
    """);

// 4. An async host function: the calling task is suspended until the .NET work completes.
engine.SetAsyncFunction("fetch", async (args, ct) =>
{
    await Task.Delay(10, ct);
    return "contents of " + args[0];
});
var fetched = await engine.DoStringAsync("""
    local a = task.spawn(fetch, "a.txt")
    local b = task.spawn(fetch, "b.txt")
    return table.concat(task.all({ a, b }):await(), ", ")
    """);
Console.WriteLine($"fetched: {fetched[0]}");

// 5. Cancellation from .NET reaches the Luau task and the host work it waits for.
engine.SetAsyncFunction("forever", async (args, ct) => await Task.Delay(Timeout.Infinite, ct));
using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
try
{
    await engine.DoStringAsync("forever()", cts.Token);
}
catch (OperationCanceledException)
{
    Console.WriteLine("cancelled: yes");
}

// 6. Limits: a per-run instruction budget stops a runaway script; each run gets a fresh budget.
var limited = new LuauEngine(new LuauEngineOptions { RunLimits = new LuauRunLimits { Instructions = 100_000 } });
try
{
    limited.DoString("while true do end");
}
catch (LuauException e)
{
    Console.WriteLine($"stopped: {e.GetType().Name}");
}
