using System.Diagnostics;
using Coputer.Luau;
using Coputer.Luau.Interop;
using Coputer.Luau.VM;

namespace Coputer.Bench;

/// <summary>The object the binding benchmark calls: its binding is written by the [LuauExport] source generator.</summary>
[LuauExport]
public partial class BenchCounter
{
    public int Add(int a, int b) => a + b;
}

/// <summary>
/// A host call through a generated binding against a hand-written host function doing the same work:
/// <c>obj:Add(i, 1)</c> (generated <c>__namecall</c>), <c>add(obj, i, 1)</c> with <c>add = obj.Add</c> (the generated
/// method function), and two hand-written peers doing the same conversions: <c>add(i, 1)</c> (a host function) and
/// <c>manual:Add(i, 1)</c> (a userdata with a hand-written <c>__namecall</c>), each in a loop of
/// <c>--calls</c> (10M), alternating run by run; medians of <c>--runs</c> (7) runs, in ns per call.
/// </summary>
internal static class InteropBenchmark
{
    public static int Run(string[] args)
    {
        int runs = IntOption(args, "--runs", 7);
        int calls = IntOption(args, "--calls", 10_000_000);
        var engine = new LuauEngine();
        engine.SetObject("obj", new BenchCounter());
        // The hand-written peer: the same conversions (integral numbers to int) and the same addition.
        engine.SetFunction("add", c =>
        {
            var a = c[1];
            var b = c[2];
            if (a.Type != LuauType.Number || b.Type != LuauType.Number || (int)a.Number != a.Number || (int)b.Number != b.Number)
                throw c.TypeError(a.Type != LuauType.Number ? 1 : 2, "number");
            return c.Return((int)a.Number + (int)b.Number);
        });
        // The hand-written peer of obj:Add: a userdata whose own __namecall checks the method name and does the same.
        var addName = LuauString.FromUtf8("Add");
        var mt = engine.State.CreateTable();
        mt["__namecall"] = new HostFunction("__namecall", c =>
        {
            if (!addName.Equals(c.NameCallMethod) || c[1].AsUserdata?.Payload is not BenchCounter counter)
                throw new LuauError("not a method");
            var a = c[2];
            var b = c[3];
            if (a.Type != LuauType.Number || b.Type != LuauType.Number || (int)a.Number != a.Number || (int)b.Number != b.Number)
                throw c.TypeError(a.Type != LuauType.Number ? 2 : 3, "number");
            return c.Return(counter.Add((int)a.Number, (int)b.Number));
        });
        engine.Globals["manual"] = new LuauValue(new LuauUserdata(new BenchCounter(), 0, mt));
        var cases = new (string Name, LuauFunction Loop)[]
        {
            ("hand-written add(i, 1)", engine.Load($"local add = add local n = 0 for i = 1, {calls} do n = add(i, 1) end return n")),
            ("hand-written manual:Add(i, 1)", engine.Load($"local obj = manual local n = 0 for i = 1, {calls} do n = obj:Add(i, 1) end return n")),
            ("generated obj:Add(i, 1)", engine.Load($"local obj = obj local n = 0 for i = 1, {calls} do n = obj:Add(i, 1) end return n")),
            ("generated add(obj, i, 1)", engine.Load($"local obj = obj local add = obj.Add local n = 0 for i = 1, {calls} do n = add(obj, i, 1) end return n")),
        };
        var times = cases.Select(_ => new double[runs]).ToArray();
        // Warm-up: tiered compilation settles on the interpreter and the binding.
        foreach (var (_, loop) in cases)
            Time(engine, loop, calls);
        for (int run = 0; run < runs; run++)
        {
            for (int k = 0; k < cases.Length; k++)
                times[k][run] = Time(engine, cases[k].Loop, calls);
        }
        double baseline = Median(times[0]);
        Console.WriteLine($"ns per call, median of {runs} alternating runs of {calls:N0} calls (load: {LoadAverage()})");
        for (int k = 0; k < cases.Length; k++)
        {
            double m = Median(times[k]);
            Console.WriteLine($"{cases[k].Name,-30} {m,8:F1} ns  ratio {m / baseline:F2}  to __namecall {m / Median(times[1]):F2}   (range {times[k].Min():F1}-{times[k].Max():F1})");
        }
        return 0;
    }

    private static double Time(LuauEngine engine, LuauFunction loop, int calls)
    {
        var clock = Stopwatch.StartNew();
        var r = engine.State.Call(loop);
        clock.Stop();
        if (r[0].Number != calls + 1)
            throw new InvalidOperationException($"the loop computed {r[0]}, not {calls + 1}");
        return clock.Elapsed.TotalNanoseconds / calls;
    }

    private static double Median(double[] xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) ? v : fallback;
    }
}
