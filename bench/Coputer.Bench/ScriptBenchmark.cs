using System.Diagnostics;
using System.Globalization;

namespace Coputer.Bench;

/// <summary>
/// Runs the benchmark scripts of <c>../shared/luau-bench/tests</c> under our engine and, when it is installed,
/// under <c>lua5.4</c>, each script in a fresh process started from inside <c>luau-bench</c> (so relative requires
/// resolve). Each script times itself with <c>bench()</c>, which prints <c>|&gt;&lt;|name|&gt;&lt;|ms|&gt;&lt;|ms|...||_||</c>;
/// the table shows the median of those times and our time divided by lua5.4's. With <c>--repeat N</c> each script
/// runs in N processes per engine, alternating ours and lua5.4 so both see the same machine load, and the table
/// shows the median of the per-process medians. With <c>--luau PATH</c> the reference Luau interpreter (built outside
/// the repository) runs each script too, as a third column with our time divided by its. With <c>--micro</c> the set
/// is the repository's micro-benchmarks (<c>bench/micro</c>: loops, arithmetic, calls, fields, methods, arrays,
/// strings, closures, constructors) instead of the shared scripts. With <c>--tier on</c> our engine runs with the IL
/// tier on; with <c>--tier both</c> it runs without and with it, the second as extra columns. With <c>--clock cpu</c>
/// our <c>os.clock</c> reads the process's CPU time, as lua5.4's does (the reference luau's reads the wall clock), so
/// that other load on the machine does not count against us alone.
/// </summary>
internal static class ScriptBenchmark
{
    /// <summary>The scripts the interpreter issue sets its target on (geometric mean of the ratio at most 3.0).</summary>
    private static readonly string[] s_targetSet =
        ["binary-trees", "fannkuch-redux", "mandel", "n-body", "spectral-norm", "queen", "life", "3d-raytrace", "heapsort", "scimark"];

    public static int Run(string[] args)
    {
        string? filter = null;
        string lua = "lua5.4";
        string luau = "";
        bool micro = false;
        int timeoutSeconds = 600;
        int repeat = 1;
        string tier = "off";
        bool cpuClock = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--filter" when i + 1 < args.Length:
                    filter = args[++i];
                    break;
                case "--lua" when i + 1 < args.Length:
                    lua = args[++i];
                    break;
                case "--luau" when i + 1 < args.Length:
                    luau = args[++i];
                    break;
                case "--micro":
                    micro = true;
                    break;
                case "--no-lua":
                    lua = "";
                    break;
                case "--repeat" when i + 1 < args.Length:
                    repeat = Math.Max(1, int.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                case "--tier" when i + 1 < args.Length && args[i + 1] is "off" or "on" or "both":
                    tier = args[++i];
                    break;
                case "--clock" when i + 1 < args.Length && args[i + 1] is "wall" or "cpu":
                    cpuClock = args[++i] == "cpu";
                    break;
                case "--timeout" when i + 1 < args.Length:
                    timeoutSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine("usage: Coputer.Bench scripts [--filter a,b,...] [--micro] [--lua PATH | --no-lua] [--luau PATH] [--repeat N] [--tier off|on|both] [--clock wall|cpu] [--timeout SECONDS]");
                    return 2;
            }
        }

        string root = micro ? FindMicroRoot() : FindBenchRoot();
        var filters = filter?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var scripts = Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.lua", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => filters is null || filters.Any(f => p.Contains(f, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        bool haveLua = lua.Length > 0 && CanRun(lua);
        if (!haveLua && lua.Length > 0)
            Console.Error.WriteLine($"note: '{lua}' is not installed; showing our times only (apt-get install lua5.4)");
        bool haveLuau = luau.Length > 0 && File.Exists(luau);
        if (!haveLuau && luau.Length > 0)
            Console.Error.WriteLine($"note: '{luau}' does not exist; leaving out the reference luau column");

        var (ourProgram, ourPrefix) = ProgramRun.OurCommand();
        // The IL tier's variant of our command: the same runner with the tier on.
        string[] ilPrefix = [.. ourPrefix[..^1], cpuClock ? "run-script-il-cpu" : "run-script-il"];
        if (cpuClock)
        {
            // lua5.4's os.clock is the process's CPU time; ours is then too. The reference luau's is wall time.
            ourPrefix = [.. ourPrefix[..^1], "run-script-cpu"];
            Console.WriteLine("note: ours timed by process CPU time (as lua5.4's os.clock); luau's os.clock is wall time");
        }
        bool both = tier == "both";
        if (tier == "on")
            ourPrefix = ilPrefix;
        var rows = new List<Row>();
        string oursLabel = tier == "on" ? "IL (ms)" : "ours (ms)";
        Console.WriteLine($"{"script",-38} {oursLabel,10} {"lua5.4 (ms)",12} {"ratio",7} {"luau (ms)",10} {"ratio",7}" + (both ? $" {"IL (ms)",10} {"ratio",7} {"vs luau",7}" : ""));
        foreach (var script in scripts)
        {
            var oursRuns = new List<double>();
            var luaRuns = new List<double>();
            var luauRuns = new List<double>();
            var ilRuns = new List<double>();
            string oursNote = "", luaNote = "", luauNote = "", ilNote = "";
            for (int r = 0; r < repeat && oursNote.Length == 0; r++)
            {
                var (oursMs, on) = Measure(ourProgram, [.. ourPrefix, script], root, timeoutSeconds);
                oursNote = on;
                if (oursMs is double ov)
                    oursRuns.Add(ov);
                if (haveLua && luaNote.Length == 0)
                {
                    var (l, ln) = Measure(lua, [script], root, timeoutSeconds);
                    luaNote = ln;
                    if (l is double lv)
                        luaRuns.Add(lv);
                }
                if (haveLuau && luauNote.Length == 0)
                {
                    var (l, ln) = Measure(luau, [script], root, timeoutSeconds);
                    luauNote = ln;
                    if (l is double lv)
                        luauRuns.Add(lv);
                }
                if (both && ilNote.Length == 0)
                {
                    var (l, ln) = Measure(ourProgram, [.. ilPrefix, script], root, timeoutSeconds);
                    ilNote = ln;
                    if (l is double lv)
                        ilRuns.Add(lv);
                }
            }
            double? ours = BenchOutput.Median(oursRuns);
            double? theirs = BenchOutput.Median(luaRuns);
            double? reference = BenchOutput.Median(luauRuns);
            double? il = BenchOutput.Median(ilRuns);
            string note = oursNote.Length > 0 ? "ours: " + oursNote
                : luaNote.Length > 0 ? "lua5.4: " + luaNote
                : luauNote.Length > 0 ? "luau: " + luauNote
                : ilNote.Length > 0 ? "IL: " + ilNote : "";
            var row = new Row(script, ours, theirs, reference, note) { Il = il };
            rows.Add(row);
            Console.WriteLine($"{script,-38} {Format(ours),10} {Format(theirs),12} {FormatRatio(row.LuaRatio),7} {Format(reference),10} {FormatRatio(row.LuauRatio),7}"
                + (both ? $" {Format(il),10} {FormatRatio(il / theirs),7} {FormatRatio(il / reference),7}" : "") + $"  {note}");
        }

        var targetRows = rows.Where(r => s_targetSet.Any(t => Path.GetFileNameWithoutExtension(r.Script) == t)).ToList();
        if (haveLua)
        {
            if (!micro)
                PrintGeomean("geometric mean, target set", targetRows, r => r.LuaRatio, "lua5.4");
            PrintGeomean("geometric mean, all comparable", rows, r => r.LuaRatio, "lua5.4");
            if (both)
            {
                if (!micro)
                    PrintGeomean("IL tier, target set", targetRows, r => r.Il / r.Lua, "lua5.4");
                PrintGeomean("IL tier, all comparable", rows, r => r.Il / r.Lua, "lua5.4");
            }
        }
        if (haveLuau)
        {
            if (!micro)
                PrintGeomean("geometric mean, target set", targetRows, r => r.LuauRatio, "luau");
            PrintGeomean("geometric mean, all comparable", rows, r => r.LuauRatio, "luau");
            if (haveLua)
            {
                // The peer's own standing: the reference interpreter against lua5.4 in the same run.
                if (!micro)
                    PrintGeomean("luau itself, target set", targetRows, r => r.Luau / r.Lua, "lua5.4");
                PrintGeomean("luau itself, all comparable", rows, r => r.Luau / r.Lua, "lua5.4");
            }
        }
        return rows.Any(r => r.Ours is null) ? 1 : 0;
    }

    /// <summary>One script's medians (milliseconds) under each engine; null where it did not run.</summary>
    private sealed record Row(string Script, double? Ours, double? Lua, double? Luau, string Note)
    {
        public double? LuaRatio => Ours / Lua;
        public double? LuauRatio => Ours / Luau;

        /// <summary>Our median with the IL tier on, when measured as well (<c>--tier both</c>).</summary>
        public double? Il { get; init; }
    }

    private static void PrintGeomean(string label, IEnumerable<Row> rows, Func<Row, double?> ratio, string peer)
    {
        var ratios = rows.Select(ratio).Where(r => r is > 0 && !double.IsInfinity(r.Value)).Select(r => r!.Value).ToList();
        if (ratios.Count == 0)
            return;
        double geomean = Math.Exp(ratios.Average(Math.Log));
        Console.WriteLine($"{label} ({ratios.Count} scripts): {geomean.ToString("0.00", CultureInfo.InvariantCulture)}x {peer}");
    }

    private static string FormatRatio(double? ratio) =>
        ratio is double r && !double.IsInfinity(r) ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Format(double? ms) => ms is double v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>Runs one process and returns the median of the times its bench() lines report, or a note saying why not.</summary>
    private static (double? Median, string Note) Measure(string program, string[] arguments, string workingDirectory, int timeoutSeconds)
    {
        var run = ProgramRun.Start(program, arguments, workingDirectory, timeoutSeconds);
        if (run.TimedOut)
            return (null, "timed out");
        var times = BenchOutput.Times(run.Stdout).SelectMany(t => t).ToList();
        if (times.Count == 0)
        {
            string why = run.Stderr.Trim().Split('\n')[0];
            return (null, run.ExitCode != 0 ? (why.Length > 0 ? why : $"exit code {run.ExitCode}") : "no bench() output");
        }
        return (BenchOutput.Median(times), run.ExitCode != 0 ? $"exit code {run.ExitCode}" : "");
    }

    private static bool CanRun(string program)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(program, "-v") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            p.WaitForExit(10_000);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The repository's <c>bench/micro</c> folder, found above the benchmark binary.</summary>
    private static string FindMicroRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "micro");
            if (File.Exists(Path.Combine(candidate, "bench_support.lua")))
                return candidate;
        }
        throw new DirectoryNotFoundException("no bench/micro folder above the benchmark binary");
    }

    internal static string FindBenchRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "luau-bench");
            if (Directory.Exists(Path.Combine(candidate, "tests")))
                return candidate;
        }
        throw new DirectoryNotFoundException("no shared/luau-bench folder above the benchmark binary");
    }
}
