using Coputer.Luau.Interop;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Interop;

/// <summary>The opt-in reflection fallback: an object of a type nothing was generated for, used from Luau.</summary>
public class ReflectionBindingTests
{
    /// <summary>A plain class: no attribute, no generated binding.</summary>
    public sealed class Account
    {
        public string Owner { get; set; } = "ann";

        public decimal Balance { get; private set; }

        public DayOfWeek Day { get; set; } = DayOfWeek.Monday;

        public decimal Deposit(decimal amount, string? memo = null) => Balance += amount;

        public string Describe() => $"{Owner}: {Balance}";

        public string Describe(string prefix) => prefix + Describe();

        public Account Partner() => new() { Owner = Owner + "'s partner" };

        public event EventHandler<decimal>? Deposited;

        public event Action? Closed;

        public void Add(decimal amount)
        {
            Balance += amount;
            Deposited?.Invoke(this, amount);
        }

        public void Close() => Closed?.Invoke();

        public async Task<int> CountLaterAsync(int n)
        {
            await Task.Yield();
            return n + 1;
        }
    }

    private static (LuauEngine Engine, Account Account) NewEngine()
    {
        var engine = new LuauEngine(new LuauEngineOptions { Platform = LuauPlatform.Deterministic() });
        var account = new Account();
        engine.Globals["acct"] = LuauInterop.ExposeByReflection(engine.State, account);
        return (engine, account);
    }

    [Fact]
    public void MethodsPropertiesAndOverloadsWork()
    {
        var (engine, account) = NewEngine();
        var r = engine.DoString("""
            acct:Deposit(10)
            acct:Deposit(2.5, 'tip')
            acct.Owner = 'bob'
            acct.Day = 'Friday'
            local p = acct:Partner()
            return acct.Balance, acct:Describe(), acct:Describe('> '), p.Owner, acct.Day, typeof(acct)
            """);
        Assert.Equal(["12.5", "bob: 12.5", "> bob: 12.5", "bob's partner", "Friday", "Account"], r.Select(v => v.ToString()));
        Assert.Equal(12.5m, account.Balance);
        Assert.Equal(DayOfWeek.Friday, account.Day);
    }

    [Fact]
    public void EventsConnectAsInGeneratedBindings()
    {
        var (engine, account) = NewEngine();
        var r = engine.DoString("""
            local seen = {}
            local c = acct.Deposited:Connect(function(sender, amount) table.insert(seen, sender.Owner .. ' ' .. amount) end)
            acct.Closed:Connect(function() table.insert(seen, 'closed') end)
            acct:Add(5)
            acct:Close()
            c:Disconnect()
            acct:Add(1)
            return table.concat(seen, ','), c.Connected
            """);
        Assert.Equal(["ann 5,closed", "false"], r.Select(v => v.ToString()));
        // Raised on another thread: posted to the engine, as generated bindings do.
        engine.DoString("later = 0 acct.Deposited:Connect(function(_, amount) later = amount end)");
        var other = new Thread(() => account.Add(7));
        other.Start();
        other.Join();
        Assert.Equal(0, engine.Globals["later"].Number);
        engine.State.Tasks.RunUntilIdle();
        Assert.Equal(7, engine.Globals["later"].Number);
    }

    [Fact]
    public void ErrorsAreTheSameWordsAsGeneratedBindings()
    {
        var (engine, _) = NewEngine();
        var e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("acct:Deposit('lots')"));
        Assert.EndsWith("invalid argument #1 to 'Deposit' (number expected, got string)", e.Message);
        e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("acct.Balance = 1"));
        Assert.EndsWith("property 'Balance' of Account is read-only", e.Message);
        e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("acct:Describe(1, 2)"));
        Assert.EndsWith("invalid arguments to 'Describe' (no overload takes (number, number))", e.Message);
    }

    [Fact]
    public async Task TaskResultsAreAwaited()
    {
        var (engine, _) = NewEngine();
        var r = await engine.DoStringAsync("return task.spawn(function() return acct:CountLaterAsync(41) end):await()");
        Assert.Equal(42, r[0].Number);
    }
}
