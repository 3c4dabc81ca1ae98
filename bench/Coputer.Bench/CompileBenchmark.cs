using System.Diagnostics;
using System.Globalization;
using System.Text;
using Coputer.Luau.Compiler;

namespace Coputer.Bench;

/// <summary>
/// Compiler throughput on a huge input: <c>return {n1, n2, ...}</c> with a million numbers (<c>--count N</c>),
/// compiled in a fresh process by our compiler and loaded (compiled) by <c>lua5.4</c>, alternating so both see the
/// same load. Reports the median wall time and peak resident memory (VmHWM) of each. With <c>--file PATH</c> it
/// compiles that file instead, and with <c>--luau-compile PATH</c> it also times the reference compiler on it
/// (<c>luau-compile --null</c>, whole process) and our compiler warm, in this process, which is how a node compiles.
/// </summary>
internal static class CompileBenchmark
{
    public static int Run(string[] args)
    {
        int count = 1_000_000, runs = 5;
        string? file = null, luauCompile = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--count")
                count = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--runs")
                runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--file")
                file = args[i + 1];
            else if (args[i] == "--luau-compile")
                luauCompile = args[i + 1];
        }

        runs = Math.Max(runs, 1);
        string path = file ?? Path.Combine(Path.GetTempPath(), $"coputer-bench-literal-{count}.luau");
        if (file is null)
        {
            File.WriteAllText(path, Generate(count));
            Console.WriteLine($"input: a table literal of {count:N0} integers, {new FileInfo(path).Length / 1e6:F1} MB ({path})");
        }
        else
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"no such file: {path}");
                return 1;
            }
            Console.WriteLine($"input: {path}, {new FileInfo(path).Length / 1e3:F0} KB");
        }

        var ours = new List<Sample>();
        var lua = new List<Sample>();
        var reference = new List<double>();
        string self = Environment.ProcessPath!;
        // lua5.4 reports its compile time as CPU time (os.clock); the wall time is the whole process, which for lua
        // is the compile plus a few milliseconds of start-up.
        string luaScript = $"local t = os.clock() assert(loadfile([[{path}]])) local ms = (os.clock() - t) * 1000 " +
            "local kb = io.open('/proc/self/status'):read('a'):match('VmHWM:%s*(%d+)') print(ms, kb)";
        for (int r = 0; r < runs; r++)
        {
            // Started as 'dotnet Coputer.Bench.dll', the child needs the assembly path too.
            ours.Add(Path.GetFileNameWithoutExtension(self) == "dotnet"
                ? Child(self, [typeof(CompileBenchmark).Assembly.Location, "compile-once", path])
                : Child(self, ["compile-once", path]));
            // A Luau file is not Lua: lua5.4 only compiles the generated literal.
            var peer = file is null ? Child("lua5.4", ["-e", luaScript]) : default;
            if (file is null && peer.CpuMs >= 0)
                lua.Add(peer);
            if (luauCompile is not null)
                reference.Add(ProcessWall(luauCompile, ["--null", path]));
        }
        Console.WriteLine("           compile CPU   compile wall   process wall   peak memory   (medians of " + runs + "; CPU counts every thread)");
        Report("ours", ours);
        if (lua.Count > 0)
        {
            Report("lua5.4", lua);
            Console.WriteLine($"ratio (ours / lua5.4): compile CPU {Median(ours, x => x.CpuMs) / Median(lua, x => x.CpuMs):F2}, " +
                $"process wall {Median(ours, x => x.ProcessMs) / Median(lua, x => x.ProcessMs):F2}, " +
                $"peak memory {Median(ours, x => x.Kb) / Median(lua, x => x.Kb):F2}");
        }
        else if (file is null)
        {
            Console.WriteLine("lua5.4 is not installed (apt-get install lua5.4): our figures only");
        }
        if (luauCompile is not null)
            CompareWithReference(path, ours, reference, runs);
        if (file is null)
            File.Delete(path);
        return 0;
    }

    /// <summary>
    /// Our compiler warm (the median of <paramref name="runs"/> compilations in this process after three to warm up,
    /// parse included) and cold (a fresh process, as above) against the reference's whole process.
    /// </summary>
    private static void CompareWithReference(string path, List<Sample> ours, List<double> reference, int runs)
    {
        var source = File.ReadAllBytes(path);
        var warm = new List<double>();
        var parsing = new List<double>();
        for (int r = 0; r < runs + 3; r++)
        {
            var clock = Stopwatch.StartNew();
            var parse = Coputer.Luau.Syntax.Parser.Parse(source, s_compilerParse);
            double parseMs = clock.Elapsed.TotalMilliseconds;
            var result = LuauCompiler.Compile(parse);
            if (!result.Success)
                throw new InvalidOperationException(result.Errors[0].ToString());
            if (r >= 3)
            {
                warm.Add(clock.Elapsed.TotalMilliseconds);
                parsing.Add(parseMs);
            }
        }
        double referenceMs = Median(reference, x => x);
        double warmMs = Median(warm, x => x);
        Console.WriteLine($"luau-compile --null, whole process: {referenceMs:F1} ms (median of {reference.Count})");
        Console.WriteLine($"ours warm, in process:             {warmMs:F1} ms, {warmMs / referenceMs:F2}x the reference process (parse {Median(parsing, x => x):F1} ms)");
        Console.WriteLine($"ours cold, compile only:           {Median(ours, x => x.WallMs):F1} ms, {Median(ours, x => x.WallMs) / referenceMs:F2}x");
        Console.WriteLine($"ours cold, whole process:          {Median(ours, x => x.ProcessMs):F1} ms, {Median(ours, x => x.ProcessMs) / referenceMs:F2}x");
    }

    private static double ProcessWall(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} failed: {errors.Result}");
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>The child side: compile one file, print the compile time in ms and the peak resident set in KB.</summary>
    public static int CompileOnce(string path)
    {
        var source = File.ReadAllBytes(path);
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long allocated = GC.GetTotalAllocatedBytes();
        var parse = Coputer.Luau.Syntax.Parser.Parse(source, s_compilerParse);
        double parseMs = clock.Elapsed.TotalMilliseconds;
        long parseBytes = GC.GetTotalAllocatedBytes() - allocated;
        var result = LuauCompiler.Compile(parse);
        double ms = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds;
        long totalBytes = GC.GetTotalAllocatedBytes() - allocated;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"parse {parseMs:F0} ms, {parseBytes / 1e6:F0} MB allocated; total {ms:F0} ms ({cpuMs:F0} ms CPU), {totalBytes / 1e6:F0} MB allocated; gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}"));
        if (!result.Success)
        {
            Console.Error.WriteLine(result.Errors[0].ToString());
            return 1;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cpuMs:F1}\t{ms:F1}\t{PeakResidentKb()}"));
        return 0;
    }

    /// <summary>How the compiler parses source text (LuauCompiler.Compile of text parses the same way).</summary>
    private static readonly Coputer.Luau.Syntax.ParseOptions s_compilerParse = new() { PackNumberLists = true };

    private static string Generate(int count)
    {
        var random = new Random(1);
        var text = new StringBuilder(count * 8);
        text.Append("return {");
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
                text.Append(',');
            text.Append(random.Next(1_000_000).ToString(CultureInfo.InvariantCulture));
        }
        return text.Append("}\n").ToString();
    }

    /// <summary>One run: compile CPU and wall time (ms; wall -1 when only CPU is known), process wall time, peak KB.</summary>
    private readonly record struct Sample(double CpuMs, double WallMs, double ProcessMs, long Kb);

    private static Sample Child(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        try
        {
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            double processMs = clock.Elapsed.TotalMilliseconds;
            var parts = output.Trim().Split('\t', ' ');
            if (parts.Length < 2)
                throw new InvalidOperationException($"{program} printed no figures: {output} {errors.Result}");
            double cpuMs = double.Parse(parts[0], CultureInfo.InvariantCulture);
            double wallMs = parts.Length >= 3 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : -1;
            return new Sample(cpuMs, wallMs, processMs, long.Parse(parts[^1], CultureInfo.InvariantCulture));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new Sample(-1, -1, -1, -1);
        }
    }

    private static long PeakResidentKb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return -1;
    }

    private static double Median<T>(List<T> values, Func<T, double> select)
    {
        var sorted = values.Select(select).Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static void Report(string name, List<Sample> samples)
    {
        double wall = Median(samples, x => x.WallMs);
        Console.WriteLine($"{name,-8} {Median(samples, x => x.CpuMs),10:F0} ms  {(wall >= 0 ? $"{wall,10:F0} ms" : "         -   ")}  " +
            $"{Median(samples, x => x.ProcessMs),10:F0} ms  {Median(samples, x => x.Kb) / 1024.0,9:F0} MB");
    }
}
