using System.Diagnostics;
using Coputer.Luau.Syntax;

namespace Coputer.Bench;

/// <summary>
/// Parse throughput in MB/s over the shared corpus (every .luau of luau-conformance and .lua of luau-bench): warm-up,
/// then several timed runs, reporting the median. Lexing alone is measured the same way.
/// </summary>
internal static class ParseBenchmark
{
    private const int Runs = 15;
    private static readonly TimeSpan s_runLength = TimeSpan.FromMilliseconds(400);

    public static int Run(string[] args)
    {
        string? shared = FindShared();
        if (shared is null)
        {
            Console.Error.WriteLine("parse: cannot find the shared corpus (a 'shared' folder with luau-conformance above the current folder)");
            return 1;
        }

        List<byte[]> files = Directory.EnumerateFiles(Path.Combine(shared, "luau-conformance"), "*.luau")
            .Concat(Directory.EnumerateFiles(Path.Combine(shared, "luau-bench"), "*.lua", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .ToList();
        long bytes = files.Sum(f => (long)f.Length);
        Console.WriteLine($"corpus: {files.Count} files, {bytes / 1024.0 / 1024.0:F2} MB");

        double parse = Measure("parse", files, bytes, ParseAll);
        double lex = Measure("lex", files, bytes, LexAll);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ParseAll(files);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"parse allocates {allocated / (double)bytes:F1} bytes per source byte");
        Console.WriteLine($"result: parse {parse:F1} MB/s (median of {Runs} runs), lex {lex:F1} MB/s");
        return 0;
    }

    private static double Measure(string name, List<byte[]> files, long bytes, Action<List<byte[]>> work)
    {
        // Warm-up lets tiered compilation settle on optimised code.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
            work(files);

        var rates = new double[Runs];
        for (int run = 0; run < Runs; run++)
        {
            long processed = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < s_runLength)
            {
                work(files);
                processed += bytes;
            }
            rates[run] = processed / clock.Elapsed.TotalSeconds / (1024 * 1024);
        }

        Array.Sort(rates);
        Console.WriteLine($"{name}: median {rates[Runs / 2]:F1} MB/s (min {rates[0]:F1}, max {rates[^1]:F1})");
        return rates[Runs / 2];
    }

    private static void ParseAll(List<byte[]> files)
    {
        foreach (byte[] file in files)
            Parser.Parse(file);
    }

    private static void LexAll(List<byte[]> files)
    {
        foreach (byte[] file in files)
        {
            var buffer = new byte[file.Length + Lexer.Padding];
            file.CopyTo(buffer, 0);
            var lexer = new Lexer(buffer, new NameTable());
            do
                lexer.Next(skipComments: false, updatePrevious: true);
            while (lexer.Current.Kind != TokenKind.Eof);
        }
    }

    /// <summary>The shared folder: a "shared" sibling of some folder above the current one or above this program.</summary>
    private static string? FindShared()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "luau-conformance")))
                    return candidate;
            }
        }
        return null;
    }
}
