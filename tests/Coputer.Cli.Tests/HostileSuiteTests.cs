using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Coputer.Cli.Tests;

/// <summary>
/// Every hostile program of bench/hostile (endless loops, memory bombs, recursion by every path, pattern bombs, huge
/// literals, deep nesting, hostile __tostring, bytecode tricks) run by <c>coputer run</c> as a real process under a
/// timeout and a memory limit: it must end by itself soon after its limit, exit 0 or 1, stay under 600 MB of
/// process memory, and report errors in Luau's words, never with .NET exception text or stack traces. The acceptance
/// run uses <c>--timeout 10 --memory 256</c>; the test uses a 2 second timeout so CI stays quick.
/// </summary>
public partial class HostileSuiteTests
{
    private const int TimeoutSeconds = 2;
    private const int MemoryMegabytes = 256;
    private const long MaxPeakBytes = 600L << 20;

    // Past the limit: process start-up, JIT and a final collection. Counted in CPU time, which a loaded machine does
    // not inflate the way it does wall time; a program that ignored its limit would spin past it.
    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(10);

    // A process still running this long (wall time) is killed and fails: it did not end by itself.
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(TimeoutSeconds + 60);

    [GeneratedRegex(@"Exception|System\.|^\s+at \S+\(|Unhandled", RegexOptions.Multiline)]
    private static partial Regex DotNetText();

    [Fact]
    public async Task EveryHostileProgramEndsWithinItsLimits()
    {
        var files = Directory.GetFiles(HostileDirectory(), "*.luau").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 40, $"only {files.Length} hostile programs");
        var failures = new ConcurrentBag<string>();
        var outcomes = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (file, _) =>
        {
            var (code, elapsed, cpu, peak, error) = await RunAsync(file);
            string name = Path.GetFileName(file);
            outcomes[name] = $"exit {code}, {elapsed.TotalSeconds:F1} s wall, {cpu.TotalSeconds:F1} s CPU, {peak >> 20} MB";
            if (code is not (0 or 1))
                failures.Add($"{name}: exit code {code}{(elapsed >= s_hang ? " (killed: it did not end by itself)" : "")}: {Head(error)}");
            if (cpu > TimeSpan.FromSeconds(TimeoutSeconds) + s_grace)
                failures.Add($"{name}: used {cpu.TotalSeconds:F1} s of CPU");
            if (peak > MaxPeakBytes)
                failures.Add($"{name}: peak memory {peak >> 20} MB");
            if (DotNetText().IsMatch(error))
                failures.Add($"{name}: .NET text on stderr: {Head(error)}");
        });
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Order()) + "\n\nall:\n" + string.Join("\n", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
    }

    private static string Head(string text) => text.Length > 300 ? text[..300] + "..." : text;

    /// <summary>Runs one program; returns its exit code, wall time, CPU time and peak resident memory (both polled from /proc) and stderr.</summary>
    private static async Task<(int Code, TimeSpan Elapsed, TimeSpan Cpu, long Peak, string Error)> RunAsync(string file)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(file)!,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "coputer.dll"));
        foreach (var a in new[] { "run", "--timeout", $"{TimeoutSeconds}", "--memory", $"{MemoryMegabytes}", Path.GetFileName(file) })
            psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        // Output is drained and dropped (a print flood writes a lot); stderr is kept, up to a bound.
        var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var error = ReadBoundedAsync(process.StandardError, 1 << 20);
        long peak = 0;
        var cpu = TimeSpan.Zero;
        using var kill = new CancellationTokenSource(s_hang);
        while (!process.HasExited && !kill.IsCancellationRequested)
        {
            peak = Math.Max(peak, PeakResident(process.Id));
            cpu = Max(cpu, CpuTime(process.Id));
            await Task.Delay(20);
        }
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed;
        await drain;
        return (process.ExitCode, elapsed, cpu, peak, await error);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>User plus system time of a running process, from <c>/proc/PID/stat</c> (zero once it has ended).</summary>
    private static TimeSpan CpuTime(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
            // utime and stime are the 12th and 13th, in clock ticks (100 a second on Linux).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return TimeSpan.Zero;
        }
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader, int limit)
    {
        var text = new System.Text.StringBuilder();
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            if (text.Length < limit)
                text.Append(buffer, 0, Math.Min(n, limit - text.Length));
        }
        return text.ToString();
    }

    private static long PeakResident(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) << 10;
            }
        }
        catch (IOException)
        {
            // The process just ended.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }

    private static string HostileDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "hostile");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException($"no bench/hostile above {AppContext.BaseDirectory}");
    }
}
