using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Coputer.Bench;

/// <summary>What one process printed, how it ended and how long it took.</summary>
internal sealed record ProgramRun(string Stdout, string Stderr, int ExitCode, bool TimedOut, double WallMs)
{
    /// <summary>Runs <paramref name="program"/> in <paramref name="workingDirectory"/>, killing it after the timeout.</summary>
    public static ProgramRun Start(string program, IEnumerable<string> arguments, string workingDirectory, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in arguments)
            psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.Append(e.Data).Append('\n'); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        bool timedOut = !p.WaitForExit(timeoutSeconds * 1000);
        if (timedOut)
            p.Kill(entireProcessTree: true);
        p.WaitForExit();
        double ms = watch.Elapsed.TotalMilliseconds;
        return new ProgramRun(stdout.ToString(), stderr.ToString(), timedOut ? -1 : p.ExitCode, timedOut, ms);
    }

    /// <summary>The command line for running one script under our engine as <c>coputer run</c> does, in a fresh process.</summary>
    public static (string Program, string[] Prefix) OurCommand()
    {
        string self = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? ("dotnet", [typeof(ProgramRun).Assembly.Location, "run-script"])
            : (self, ["run-script"]);
    }
}

/// <summary>The timing lines Luau's <c>bench_support.lua</c> prints: <c>|&gt;&lt;|name|&gt;&lt;|ms|&gt;&lt;|ms|...||_||</c>.</summary>
internal static partial class BenchOutput
{
    /// <summary>The times (milliseconds) of every timing line in <paramref name="stdout"/>, one list per line.</summary>
    public static List<List<double>> Times(string stdout)
    {
        var lines = new List<List<double>>();
        foreach (Match m in BenchLine().Matches(stdout))
        {
            var times = new List<double>();
            foreach (var part in m.Groups["times"].Value.Split("|><|", StringSplitOptions.RemoveEmptyEntries))
            {
                if (double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double ms))
                    times.Add(ms);
            }
            lines.Add(times);
        }
        return lines;
    }

    /// <summary>The output with every timing line's times removed (its name stays), for comparing runs.</summary>
    public static string WithoutTimes(string stdout) => BenchLine().Replace(stdout, m => $"|><|{m.Groups["name"].Value}||_||");

    public static double? Median(List<double> values)
    {
        if (values.Count == 0)
            return null;
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    [GeneratedRegex(@"\|><\|(?<name>[^|]*)(?<times>(\|><\|[^|]*)*)\|\|_\|\|")]
    private static partial Regex BenchLine();
}
