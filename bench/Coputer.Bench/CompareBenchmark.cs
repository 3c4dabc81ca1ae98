using System.Globalization;

namespace Coputer.Bench;

/// <summary>
/// <c>compare --ref PATH FOLDER</c>: runs every program under a folder through our engine (as <c>coputer run</c>
/// runs it, one process per run) and through the reference <c>luau</c> command, compares what they print with the
/// times of <c>bench()</c> timing lines removed, and reports each difference and the time ratio per program
/// (ours / reference, median of the runs, the two engines alternating so both see the same machine load).
/// </summary>
/// <remarks>
/// A program is a <c>.lua</c> or <c>.luau</c> file that loads <c>bench_support</c> (the files in module folders such
/// as <c>vibemark67/stinky/</c> are required by programs, not run on their own); <c>--all-files</c> takes every file.
/// Both engines run with the folder as the working directory and the program's relative path as the argument, so
/// chunk names and error messages are comparable.
/// </remarks>
internal static class CompareBenchmark
{
    private sealed record Outcome(string Program, string Verdict, List<string> Details, double? OursWall, double? RefWall, double? OursBench, double? RefBench)
    {
        public bool Comparable => Verdict == "same" && OursWall > 0 && RefWall > 0;
    }

    public static int Run(string[] args)
    {
        string? reference = Environment.GetEnvironmentVariable("LUAU_REF");
        string? folder = null;
        string? diffDirectory = null;
        string[]? filters = null;
        int runs = 3;
        int timeoutSeconds = 900;
        bool allFiles = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--ref" when i + 1 < args.Length:
                    reference = args[++i];
                    break;
                case "--runs" when i + 1 < args.Length:
                    runs = Math.Max(1, int.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                case "--timeout" when i + 1 < args.Length:
                    timeoutSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--filter" when i + 1 < args.Length:
                    filters = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries);
                    break;
                case "--diff-dir" when i + 1 < args.Length:
                    diffDirectory = args[++i];
                    break;
                case "--all-files":
                    allFiles = true;
                    break;
                default:
                    if (args[i].StartsWith('-') || folder is not null)
                        return Usage();
                    folder = args[i];
                    break;
            }
        }
        if (folder is null || reference is null)
            return Usage();
        if (!Directory.Exists(folder))
        {
            Console.Error.WriteLine($"compare: no folder '{folder}'");
            return 2;
        }
        if (!File.Exists(reference))
        {
            Console.Error.WriteLine($"compare: no reference luau binary at '{reference}'");
            return 2;
        }
        folder = Path.GetFullPath(folder);
        reference = Path.GetFullPath(reference);

        var programs = FindPrograms(folder, allFiles)
            .Where(p => filters is null || filters.Any(f => p.Contains(f, StringComparison.Ordinal)))
            .ToList();
        Console.WriteLine($"compare: {programs.Count} programs under {folder}, {runs} run(s) each, ours and {reference} alternating");
        Console.WriteLine($"{"program",-52} {"result",-10} {"ours ms",10} {"ref ms",10} {"ratio",6} {"bench",6}");

        var (ourProgram, ourPrefix) = ProgramRun.OurCommand();
        var outcomes = new List<Outcome>();
        foreach (var program in programs)
        {
            var ours = new List<ProgramRun>();
            var theirs = new List<ProgramRun>();
            for (int r = 0; r < runs; r++)
            {
                ours.Add(ProgramRun.Start(ourProgram, [.. ourPrefix, program], folder, timeoutSeconds));
                theirs.Add(ProgramRun.Start(reference, [program], folder, timeoutSeconds));
                // A program that fails or hangs is not timed further.
                if (ours[^1].ExitCode != 0 || theirs[^1].ExitCode != 0)
                    break;
            }
            var outcome = Judge(program, ours, theirs);
            outcomes.Add(outcome);
            Console.WriteLine($"{program,-52} {outcome.Verdict,-10} {Ms(outcome.OursWall),10} {Ms(outcome.RefWall),10} {Ratio(outcome.OursWall, outcome.RefWall),6} {Ratio(outcome.OursBench, outcome.RefBench),6}");
            foreach (var d in outcome.Details)
                Console.WriteLine("    " + d);
            if (diffDirectory is not null && outcome.Verdict != "same")
                WriteDiff(diffDirectory, program, ours[0], theirs[0]);
        }

        PrintSummary(outcomes);
        return outcomes.Any(o => o.Verdict is "DIFFERS") ? 1 : 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: Coputer.Bench compare --ref PATH [options] FOLDER
              Runs every program under FOLDER through our engine and the reference luau binary at PATH (or $LUAU_REF),
              compares their output with bench() times removed, and prints the time ratio per program and per folder.
            options:
              --runs N          runs per engine and program, alternating (default 3; the median is reported)
              --timeout S       seconds before a run is killed (default 900)
              --filter a,b      only programs whose path contains one of these
              --all-files       every .lua/.luau file is a program (default: files that load bench_support)
              --diff-dir DIR    write both outputs of every program that differs into DIR
            example:
              dotnet run -c Release --project bench/Coputer.Bench -- compare --ref /work/ref/luau/build/luau --runs 1 /work/ref/luau-bench-tree
            """);
        return 2;
    }

    /// <summary>Relative paths ('/' separators) of the programs under <paramref name="root"/>, sorted.</summary>
    internal static IEnumerable<string> FindPrograms(string root, bool allFiles) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".lua", StringComparison.Ordinal) || p.EndsWith(".luau", StringComparison.Ordinal))
            .Where(p => allFiles || File.ReadAllText(p).Contains("bench_support", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    private static Outcome Judge(string program, List<ProgramRun> ours, List<ProgramRun> theirs)
    {
        var o = ours[0];
        var t = theirs[0];
        var details = new List<string>();
        if (o.TimedOut || t.TimedOut)
            details.Add($"timed out: {(o.TimedOut ? "ours" : "")}{(o.TimedOut && t.TimedOut ? " and " : "")}{(t.TimedOut ? "reference" : "")}");
        if (o.ExitCode != t.ExitCode)
            details.Add($"exit code: ours {o.ExitCode}, reference {t.ExitCode}");
        FirstDifference("stdout", BenchOutput.WithoutTimes(o.Stdout), BenchOutput.WithoutTimes(t.Stdout), details);
        FirstDifference("stderr", o.Stderr, t.Stderr, details);

        string verdict = details.Count > 0 ? "DIFFERS" : t.ExitCode != 0 ? "both fail" : "same";
        return new Outcome(program, verdict, details,
            WallMedian(ours), WallMedian(theirs), BenchTime(ours), BenchTime(theirs));
    }

    private static double? WallMedian(List<ProgramRun> runs) =>
        runs.All(r => r.ExitCode == 0) ? BenchOutput.Median(runs.Select(r => r.WallMs).ToList()) : null;

    /// <summary>The time the program's own timing lines report: per run the sum of each line's median, then the median over runs.</summary>
    private static double? BenchTime(List<ProgramRun> runs)
    {
        var perRun = new List<double>();
        foreach (var run in runs.Where(r => r.ExitCode == 0))
        {
            var lines = BenchOutput.Times(run.Stdout);
            if (lines.Count == 0 || lines.Any(l => l.Count == 0))
                return null;
            perRun.Add(lines.Sum(l => BenchOutput.Median(l)!.Value));
        }
        return BenchOutput.Median(perRun);
    }

    private static void FirstDifference(string stream, string ours, string theirs, List<string> details)
    {
        if (ours == theirs)
            return;
        var a = ours.Split('\n');
        var b = theirs.Split('\n');
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n])
            n++;
        string left = n < a.Length ? Quote(a[n]) : "(end)";
        string right = n < b.Length ? Quote(b[n]) : "(end)";
        details.Add($"{stream} line {n + 1}: ours {left}");
        details.Add($"{new string(' ', stream.Length + 6 + (n + 1).ToString(CultureInfo.InvariantCulture).Length)} ref  {right}");
    }

    private static string Quote(string line) => "\"" + (line.Length > 160 ? line[..160] + "..." : line) + "\"";

    private static void WriteDiff(string directory, string program, ProgramRun ours, ProgramRun theirs)
    {
        string baseName = Path.Combine(directory, program.Replace('/', '_'));
        Directory.CreateDirectory(directory);
        File.WriteAllText(baseName + ".ours.stdout", BenchOutput.WithoutTimes(ours.Stdout));
        File.WriteAllText(baseName + ".ours.stderr", ours.Stderr);
        File.WriteAllText(baseName + ".ref.stdout", BenchOutput.WithoutTimes(theirs.Stdout));
        File.WriteAllText(baseName + ".ref.stderr", theirs.Stderr);
    }

    private static void PrintSummary(List<Outcome> outcomes)
    {
        Console.WriteLine();
        Console.WriteLine($"{outcomes.Count(o => o.Verdict == "same")} same, {outcomes.Count(o => o.Verdict == "both fail")} fail under both, {outcomes.Count(o => o.Verdict == "DIFFERS")} differ");
        foreach (var o in outcomes.Where(o => o.Verdict != "same"))
            Console.WriteLine($"  {o.Verdict,-10} {o.Program}");
        Console.WriteLine();
        Console.WriteLine("per folder, programs that ran alike: geometric mean of ours/reference (wall time; bench() time)");
        foreach (var group in outcomes.Where(o => o.Comparable).GroupBy(o => Path.GetDirectoryName(o.Program)!.Replace('\\', '/')).OrderBy(g => g.Key, StringComparer.Ordinal))
            PrintGeomean(group.Key.Length == 0 ? "." : group.Key, group.ToList());
        PrintGeomean("all", outcomes.Where(o => o.Comparable).ToList());
    }

    private static void PrintGeomean(string label, List<Outcome> rows)
    {
        if (rows.Count == 0)
            return;
        double wall = Math.Exp(rows.Average(r => Math.Log(r.OursWall!.Value / r.RefWall!.Value)));
        var benchRows = rows.Where(r => r.OursBench > 0 && r.RefBench > 0).ToList();
        string bench = benchRows.Count > 0
            ? Math.Exp(benchRows.Average(r => Math.Log(r.OursBench!.Value / r.RefBench!.Value))).ToString("0.00", CultureInfo.InvariantCulture)
            : "-";
        Console.WriteLine($"  {label,-28} {rows.Count,4} programs  {wall.ToString("0.00", CultureInfo.InvariantCulture),6}x  {bench,6}x");
    }

    private static string Ms(double? ms) => ms is double v ? v.ToString("0", CultureInfo.InvariantCulture) : "-";

    private static string Ratio(double? ours, double? theirs) =>
        ours is double o && theirs is double t && t > 0 ? (o / t).ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
