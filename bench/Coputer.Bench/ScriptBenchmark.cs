using System.Diagnostics;
using System.Globalization;

namespace Coputer.Bench;

/// <summary>
/// Runs the benchmark scripts of <c>../shared/luau-bench/tests</c> under our engine and, when it is installed,
/// under <c>lua5.4</c>, each script in a fresh process started from inside <c>luau-bench</c> (so relative requires
/// resolve). Each script times itself with <c>bench()</c>, which prints <c>|&gt;&lt;|name|&gt;&lt;|ms|&gt;&lt;|ms|...||_||</c>;
/// the table shows the median of those times and our time divided by lua5.4's. With <c>--repeat N</c> each script
/// runs in N processes per engine, alternating ours and lua5.4 so both see the same machine load, and the table
/// shows the median of the per-process medians.
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
        int timeoutSeconds = 600;
        int repeat = 1;
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
                case "--no-lua":
                    lua = "";
                    break;
                case "--repeat" when i + 1 < args.Length:
                    repeat = Math.Max(1, int.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                case "--timeout" when i + 1 < args.Length:
                    timeoutSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine("usage: Coputer.Bench scripts [--filter a,b,...] [--lua PATH | --no-lua] [--repeat N] [--timeout SECONDS]");
                    return 2;
            }
        }

        string root = FindBenchRoot();
        var filters = filter?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var scripts = Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.lua", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => filters is null || filters.Any(f => p.Contains(f, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        bool haveLua = lua.Length > 0 && CanRun(lua);
        if (!haveLua && lua.Length > 0)
            Console.Error.WriteLine($"note: '{lua}' is not installed; showing our times only (apt-get install lua5.4)");

        var (ourProgram, ourPrefix) = ProgramRun.OurCommand();
        var rows = new List<(string Script, double? Ours, double? Lua, string Note)>();
        Console.WriteLine($"{"script",-38} {"ours (ms)",10} {"lua5.4 (ms)",12} {"ratio",7}");
        foreach (var script in scripts)
        {
            var oursRuns = new List<double>();
            var luaRuns = new List<double>();
            string oursNote = "", luaNote = "";
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
            }
            double? ours = BenchOutput.Median(oursRuns);
            double? theirs = BenchOutput.Median(luaRuns);
            string note = oursNote.Length > 0 ? "ours: " + oursNote : luaNote.Length > 0 ? "lua5.4: " + luaNote : "";
            rows.Add((script, ours, theirs, note));
            string ratio = ours is double o && theirs is double t && t > 0 ? (o / t).ToString("0.00", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{script,-38} {Format(ours),10} {Format(theirs),12} {ratio,7}  {note}");
        }

        if (haveLua)
        {
            PrintGeomean("geometric mean, target set", rows.Where(r => s_targetSet.Any(t => Path.GetFileNameWithoutExtension(r.Script) == t)));
            PrintGeomean("geometric mean, all comparable", rows);
        }
        return rows.Any(r => r.Ours is null) ? 1 : 0;
    }

    private static void PrintGeomean(string label, IEnumerable<(string Script, double? Ours, double? Lua, string Note)> rows)
    {
        var ratios = rows.Where(r => r.Ours is > 0 && r.Lua is > 0).Select(r => r.Ours!.Value / r.Lua!.Value).ToList();
        if (ratios.Count == 0)
            return;
        double geomean = Math.Exp(ratios.Average(Math.Log));
        Console.WriteLine($"{label} ({ratios.Count} scripts): {geomean.ToString("0.00", CultureInfo.InvariantCulture)}x lua5.4");
    }

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
