using Coputer.Luau;
using Coputer.Luau.Interop;
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

// 7. A .NET object used from Luau: [LuauExport] makes the package's source generator write its binding at compile
//    time (methods with overloads and optional parameters, properties, enums, events, async methods).
var inventory = new Inventory();
engine.SetObject("inventory", inventory);
inventory.Low += (item, left) => Console.WriteLine($"event from .NET side: {item} is low ({left} left)");
var stock = await engine.DoStringAsync("""
    inventory:Add("apple", 3)
    inventory:Add("pear")
    inventory.Low:Connect(function(item, left) print("Luau handler:", item, left) end)
    inventory:Take("apple", 2)
    local ok, err = pcall(function() inventory:Add(42, "x") end)
    print("bad call:", err)
    local ok2, err2 = pcall(function() inventory.Count = 1 end)
    print("read-only:", err2)
    print("priced:", inventory:PriceAsync("pear"))
    return inventory.Count, inventory:Describe("apple"), inventory.Sort
    """);
Console.WriteLine($"inventory: {string.Join(", ", stock.Select(v => v.ToString()))}");

// 8. The type itself: constructors as T.new, static members.
engine.SetType<Inventory>();
Console.WriteLine($"new inventory: {engine.DoString("local i = Inventory.new() i:Add('fig', 5) return i:Describe('fig')")[0]}");

/// <summary>A small stock list exported to Luau.</summary>
[LuauExport]
public partial class Inventory
{
    private readonly Dictionary<string, int> _items = [];

    /// <summary>Raised when an item runs low.</summary>
    public event Action<string, int>? Low;

    /// <summary>How many different items there are (read-only in Luau too).</summary>
    public int Count => _items.Count;

    /// <summary>How <see cref="Describe"/> orders things (an enum: Luau sees its member names).</summary>
    public SortOrder Sort { get; set; } = SortOrder.ByName;

    /// <summary>Adds <paramref name="count"/> of an item (one when left out).</summary>
    public void Add(string item, int count = 1) => _items[item] = _items.GetValueOrDefault(item) + count;

    /// <summary>Takes some of an item away; raises <see cref="Low"/> under two.</summary>
    public int Take(string item, int count)
    {
        int left = _items.GetValueOrDefault(item) - count;
        _items[item] = left;
        if (left < 2)
            Low?.Invoke(item, left);
        return left;
    }

    /// <summary>One item's line.</summary>
    public string Describe(string item) => $"{item} x{_items.GetValueOrDefault(item)}";

    /// <summary>An async method: a Luau task calling it waits for the .NET work.</summary>
    public async Task<double> PriceAsync(string item, CancellationToken cancellationToken)
    {
        await Task.Delay(10, cancellationToken);
        return item.Length * 0.25;
    }
}

/// <summary>Orders for <see cref="Inventory.Sort"/>.</summary>
public enum SortOrder
{
    /// <summary>By item name.</summary>
    ByName,

    /// <summary>By count.</summary>
    ByCount,
}
