using System.Diagnostics;
using System.Globalization;
using Coputer.Luau.Tests.Library;

namespace Coputer.Bench;

/// <summary>
/// The deterministic math library against System.Math (the host's C library): <c>math</c> times each function on
/// the same inputs, alternating the two implementations run by run, and reports medians in ns per call and their
/// ratio; <c>math-accuracy</c> runs the seeded comparison against the BigInteger reference with many inputs.
/// </summary>
internal static class MathBenchmark
{
    private const int Inputs = 4096;

    public static int RunSpeed(string[] args)
    {
        int runs = IntOption(args, "--runs", 15);
        var only = ListOption(args, "--functions");
        Console.WriteLine($"ns per call, median of {runs} alternating runs of ~100 ms each (inputs: {Inputs} from the accuracy distributions, seed 1)");
        Console.WriteLine($"{"function",-8} {"System.Math",12} {"deterministic",14} {"ratio",7}");
        var ratios = new List<double>();
        foreach (var f in MathAccuracy.Functions)
        {
            if (only is not null && !only.Contains(f.Name))
                continue;
            var random = new Random(1);
            var xs = new double[Inputs];
            var ys = new double[Inputs];
            for (int i = 0; i < Inputs; i++)
                (xs[i], ys[i]) = f.Input(random);

            var host = new double[runs];
            var ours = new double[runs];
            // Warm-up so tiered compilation settles.
            Time(f.Host, xs, ys, TimeSpan.FromMilliseconds(300));
            Time(f.Deterministic, xs, ys, TimeSpan.FromMilliseconds(300));
            for (int run = 0; run < runs; run++)
            {
                host[run] = Time(f.Host, xs, ys, TimeSpan.FromMilliseconds(100));
                ours[run] = Time(f.Deterministic, xs, ys, TimeSpan.FromMilliseconds(100));
            }
            double h = Median(host), o = Median(ours);
            ratios.Add(o / h);
            Console.WriteLine($"{f.Name,-8} {h,12:F1} {o,14:F1} {o / h,7:F2}   (ranges {host.Min():F1}-{host.Max():F1}, {ours.Min():F1}-{ours.Max():F1})");
        }
        if (ratios.Count > 0)
            Console.WriteLine($"geometric mean of the ratios: {Math.Exp(ratios.Average(Math.Log)):F2}");
        return 0;
    }

    /// <summary>ns per call of f over the inputs, repeated for about <paramref name="length"/>.</summary>
    private static double Time(Func<double, double, double> f, double[] xs, double[] ys, TimeSpan length)
    {
        long calls = 0;
        double sink = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < length)
        {
            for (int i = 0; i < xs.Length; i++)
                sink += f(xs[i], ys[i]);
            calls += xs.Length;
        }
        double ns = clock.Elapsed.TotalNanoseconds / calls;
        if (sink == 1.2345)
            Console.Write("");
        return ns;
    }

    public static int RunAccuracy(string[] args)
    {
        int count = IntOption(args, "--count", 1_000_000);
        int seed = IntOption(args, "--seed", 20260101);
        int threads = IntOption(args, "--threads", 1);
        var only = ListOption(args, "--functions");
        Console.WriteLine($"{count:N0} inputs per function, seed {seed}, against the BigInteger reference ({MathReference.Precision}-bit mantissas)");
        foreach (var f in MathAccuracy.Functions)
        {
            if (only is not null && !only.Contains(f.Name))
                continue;
            var clock = Stopwatch.StartNew();
            // Each thread takes its own seed and share of the inputs, so a run is reproducible for a thread count.
            var parts = Enumerable.Range(0, threads).AsParallel().WithDegreeOfParallelism(threads)
                .Select(t => MathAccuracy.Run(f, count / threads + (t < count % threads ? 1 : 0), seed + 7919 * t))
                .ToList();
            var total = parts[0];
            foreach (var p in parts.Skip(1))
            {
                total.Count += p.Count;
                total.Undecided += p.Undecided;
                total.NotCorrectlyRounded += p.NotCorrectlyRounded;
                if (p.MaxUlpsFromCorrect > total.MaxUlpsFromCorrect || (p.MaxUlpsFromCorrect == total.MaxUlpsFromCorrect && p.MaxErrorUlps > total.MaxErrorUlps))
                    total.Worst = p.Worst;
                total.MaxUlpsFromCorrect = Math.Max(total.MaxUlpsFromCorrect, p.MaxUlpsFromCorrect);
                total.MaxErrorUlps = Math.Max(total.MaxErrorUlps, p.MaxErrorUlps);
                total.HostNotCorrectlyRounded += p.HostNotCorrectlyRounded;
                total.HostMaxUlpsFromCorrect = Math.Max(total.HostMaxUlpsFromCorrect, p.HostMaxUlpsFromCorrect);
                total.HostMaxErrorUlps = Math.Max(total.HostMaxErrorUlps, p.HostMaxErrorUlps);
                total.DifferentFromHost += p.DifferentFromHost;
            }
            Console.WriteLine($"{total}  [{clock.Elapsed.TotalSeconds:F0} s]");
        }
        return 0;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1].Replace("_", ""), CultureInfo.InvariantCulture) : fallback;
    }

    private static HashSet<string>? ListOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? [.. args[i + 1].Split(',')] : null;
    }
}
