using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Coputer.Gateway;
using Coputer.Gateway.Hosting;
using Coputer.Platform.Bundles;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coputer.Bench;

/// <summary>
/// The gateway against bare Kestrel, with wrk on loopback in the same run: a hello-world on Kestrel alone, our
/// gateway answering a small page from the result cache, and our gateway running that page for every request (a
/// node with the result cache off). Reports requests per second and p50/p99 latency, and the load average, since
/// the load generator and the servers share the machine. Targets (issue 9): a cache hit at 70% or more of bare
/// Kestrel's requests per second, an uncached page at 25% or more.
/// </summary>
public static partial class GatewayBenchmark
{
    private const string Page = """
        local request = args.web()
        local items = {}
        for i = 1, 20 do
            items[i] = `<li>item {i} of {request.url.path}</li>`
        end
        return {
            headers = { ["content-type"] = "text/html; charset=utf-8" },
            body = buffer.fromstring("<!DOCTYPE html><html><head><title>bench</title></head><body><h1>Small page</h1><ul>" .. table.concat(items) .. "</ul></body></html>"),
        }
        """;

    public static int Run(string[] args)
    {
        int seconds = 10, connections = 64, threads = 2, rounds = 1, warmup = 5;
        string wrk = "/usr/bin/wrk";
        var cases = new HashSet<string>(AllCases, StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length: seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--connections" when i + 1 < args.Length: connections = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads" when i + 1 < args.Length: threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--wrk" when i + 1 < args.Length: wrk = args[++i]; break;
                case "--warmup" when i + 1 < args.Length: warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds" when i + 1 < args.Length: rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cases" when i + 1 < args.Length: cases = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                default:
                    Console.Error.WriteLine($"usage: gateway [--seconds N] [--connections N] [--threads N] [--warmup SECONDS] [--rounds N] [--cases {string.Join(',', AllCases)}] [--wrk PATH]");
                    return 2;
            }
        }
        if (rounds < 1 || warmup < 0 || cases.Count == 0 || !cases.IsSubsetOf(AllCases))
        {
            Console.Error.WriteLine($"gateway: --rounds must be at least 1, --warmup not negative, and --cases a list of {string.Join(',', AllCases)}");
            return 2;
        }
        if (!File.Exists(wrk))
        {
            Console.Error.WriteLine($"{wrk}: wrk not found (apt-get install wrk)");
            return 1;
        }
        return RunAsync(wrk, seconds, connections, threads, rounds, warmup, cases).GetAwaiter().GetResult();
    }

    /// <summary>The cases, in the order each round runs them: bare Kestrel, a result-cache hit, the uncached page.</summary>
    private static readonly string[] AllCases = ["bare", "hit", "uncached"];

    private static async Task<int> RunAsync(string wrk, int seconds, int connections, int threads, int rounds, int warmup, HashSet<string> cases)
    {
        string data = Path.Combine(Path.GetTempPath(), "coputer-bench-gw-" + Guid.NewGuid().ToString("N")[..8]);
        using var publisher = Publisher.Generate();
        var bundle = Bundle.Create([new("main.luau", System.Text.Encoding.UTF8.GetBytes(Page))]);
        var record = new PublicationRecord(publisher.Key, "page", bundle.Hash, 1).Sign(publisher).Encode();
        string host = $"page-{publisher.Key.Id}.localhost";

        await using var bare = await StartBareKestrelAsync();
        await using var cached = await CoputerNode.StartAsync(new NodeOptions { DataDirectory = data + "-cached", Port = 0, Logging = _ => { } });
        await using var uncached = await CoputerNode.StartAsync(new NodeOptions
        {
            DataDirectory = data + "-uncached",
            Port = 0,
            Gateway = new GatewayOptions { UseResultCache = false },
            Logging = _ => { },
        });
        foreach (var node in new[] { cached, uncached })
        {
            var result = node.Execution.Publish(record, bundle.Encode());
            if (!result.Succeeded)
                throw new InvalidOperationException(result.Message);
        }

        string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        Console.WriteLine($"wrk -t{threads} -c{connections} -d{seconds}s on loopback, after {warmup} s of warm-up per case; {Environment.ProcessorCount} cores; load average before: {Load()}");
        // Rounds alternate the cases, so a change in the machine's load during the run touches them all alike.
        var targets = new (string Key, string Name, string Url, string? Host, string? Script)[]
        {
            ("bare", "bare Kestrel hello-world", bare.Url, null, null),
            ("hit", "gateway, result-cache hit", $"http://127.0.0.1:{cached.Port}/", host, null),
            ("uncached", "gateway, uncached small page", $"http://127.0.0.1:{uncached.Port}/", host, DistinctPaths),
        };
        var results = targets.Where(t => cases.Contains(t.Key)).ToDictionary(t => t.Key, _ => new List<WrkResult>());
        // Each server first runs the same load unmeasured, so the JIT has tiered up the code each case runs (the
        // interpreter and libraries for the uncached page): a cold start measures the compiler, not the server.
        if (warmup > 0)
        {
            foreach (var t in targets.Where(t => cases.Contains(t.Key)))
                await WrkAsync(wrk, t.Url, t.Host, warmup, connections, threads, t.Script);
        }
        for (int round = 0; round < rounds; round++)
        {
            foreach (var t in targets.Where(t => cases.Contains(t.Key)))
                results[t.Key].Add(await WrkAsync(wrk, t.Url, t.Host, seconds, connections, threads, t.Script));
            if (rounds > 1)
            {
                double? bareRps = results.TryGetValue("bare", out var b) ? b[^1].RequestsPerSecond : null;
                string Row(string key, double rps) => string.Create(CultureInfo.InvariantCulture,
                    $"{key} {rps:N0}/s{(bareRps is { } v && key != "bare" ? $" ({100 * rps / v:0}%)" : "")}");
                Console.WriteLine($"round {round + 1}: {string.Join(", ", results.Select(r => Row(r.Key, r.Value[^1].RequestsPerSecond)))}; load {Load()}");
            }
        }
        var bareRuns = results.GetValueOrDefault("bare");
        Console.WriteLine();
        if (rounds > 1)
            Console.WriteLine($"medians of {rounds} alternating rounds (the share of bare Kestrel is the median of each round's own ratio)");
        Console.WriteLine("| case | requests/s | p50 | p99 | of bare Kestrel | errors | server CPU/request | wrk CPU/request | of bare Kestrel by CPU |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var t in targets.Where(t => cases.Contains(t.Key)))
        {
            var runs = results[t.Key];
            double rps = Median(runs.Select(r => r.RequestsPerSecond));
            string share = bareRuns is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{100 * Median(runs.Select((r, i) => r.RequestsPerSecond / bareRuns[i].RequestsPerSecond)):0}%");
            string p50 = MedianLatency(runs.Select(r => r.P50)), p99 = MedianLatency(runs.Select(r => r.P99));
            string errors = string.Join("; ", runs.Select(r => r.Errors).Where(e => e != "0").Distinct());
            double server = Median(runs.Select(r => r.ServerCpuUs)), client = Median(runs.Select(r => r.WrkCpuUs));
            string byCpu = bareRuns is null || double.IsNaN(client) ? "n/a" : string.Create(CultureInfo.InvariantCulture,
                $"{100 * (Median(bareRuns.Select(r => r.ServerCpuUs)) + Median(bareRuns.Select(r => r.WrkCpuUs))) / (server + client):0}%");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {t.Name} | {rps:N0} | {p50} | {p99} | {share} | {(errors.Length == 0 ? "0" : errors)} | {server:0.0} us | {client:0.0} us | {byCpu} |"));
        }
        Console.WriteLine();
        // With wrk and the server sharing the cores and every core busy, requests per second are the cores over the
        // processor time a request costs both; this ratio does not move with other processes' load as the measured
        // one does, but it is an estimate: it leaves out waiting and contention.
        Console.WriteLine("'of bare Kestrel by CPU': bare Kestrel's (server + wrk) processor time per request over this case's, an estimate of the share on an otherwise idle machine");
        Console.WriteLine($"load average after: {Load()}; targets: cache hit >= 70%, uncached >= 25% of bare Kestrel");
        foreach (var dir in new[] { data + "-cached", data + "-uncached" })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The median of wrk's latencies (printed as <c>870.00us</c>, <c>1.15ms</c> or <c>2.01s</c>), in milliseconds.</summary>
    private static string MedianLatency(IEnumerable<string> values)
    {
        var ms = values.Select(ParseLatency).Where(v => v >= 0).ToArray();
        return ms.Length == 0 ? "?" : string.Create(CultureInfo.InvariantCulture, $"{Median(ms):0.00}ms");
    }

    private static double ParseLatency(string text)
    {
        var m = LatencyPattern().Match(text);
        if (!m.Success)
            return -1;
        double v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => v / 1000, "ms" => v, "s" => v * 1000, "m" => v * 60_000, _ => -1 };
    }

    [GeneratedRegex(@"^([0-9.]+)(us|ms|s|m)$")]
    private static partial Regex LatencyPattern();

    /// <summary>
    /// One wrk run: its rates and latencies, and the processor time per request of the servers (this process) and
    /// of wrk (its children's time, from /proc/self/stat; NaN where that cannot be read).
    /// </summary>
    private sealed record WrkResult(double RequestsPerSecond, string P50, string P99, string Errors, double ServerCpuUs = double.NaN, double WrkCpuUs = double.NaN);

    /// <summary>Processor time of this process and of its reaped children (wrk), in microseconds.</summary>
    private static (double Self, double Children) CpuTimes()
    {
        double self = Process.GetCurrentProcess().TotalProcessorTime.TotalMicroseconds;
        try
        {
            // Fields after the command name: ... utime stime cutime cstime (14 to 17 counting from 1), in clock ticks.
            string stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double ticks = double.Parse(fields[13], CultureInfo.InvariantCulture) + double.Parse(fields[14], CultureInfo.InvariantCulture);
            return (self, ticks * 1e6 / 100);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (self, double.NaN);
        }
    }

    /// <summary>
    /// A wrk script giving every request a path of its own (a thread number and a counter), so that no two
    /// requests share a run: a node joins identical requests in flight into one run, which would flatter the
    /// uncached case.
    /// </summary>
    private const string DistinctPaths = """
        local threads = 0
        function setup(thread)
            threads = threads + 1
            thread:set("id", threads)
        end
        local n = 0
        function request()
            n = n + 1
            return wrk.format("GET", "/item/" .. id .. "/" .. n)
        end
        """;

    private static async Task<WrkResult> WrkAsync(string wrk, string url, string? host, int seconds, int connections, int threads, string? script = null)
    {
        var info = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true };
        string? scriptPath = null;
        if (script is not null)
        {
            scriptPath = Path.Combine(Path.GetTempPath(), "coputer-wrk-" + Guid.NewGuid().ToString("N")[..8] + ".lua");
            File.WriteAllText(scriptPath, script);
            info.ArgumentList.Add("-s");
            info.ArgumentList.Add(scriptPath);
        }
        foreach (string a in new[] { $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency" })
            info.ArgumentList.Add(a);
        if (host is not null)
        {
            info.ArgumentList.Add("-H");
            info.ArgumentList.Add($"Host: {host}");
        }
        info.ArgumentList.Add(url);
        var cpuBefore = CpuTimes();
        using var process = Process.Start(info)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var cpuAfter = CpuTimes();
        if (scriptPath is not null)
            File.Delete(scriptPath);
        var rps = RequestsPattern().Match(output);
        if (process.ExitCode != 0 || !rps.Success)
            throw new InvalidOperationException($"wrk failed: {output} {await process.StandardError.ReadToEndAsync()}");
        string Percentile(string p) => Regex.Match(output, $@"^\s+{p}%\s+(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";
        var errors = ErrorsPattern().Match(output);
        var non2xx = Non2xxPattern().Match(output);
        string errorText = (errors.Success ? errors.Value.Trim() : "") + (non2xx.Success ? " " + non2xx.Value.Trim() : "");
        var total = TotalPattern().Match(output);
        double requests = total.Success ? double.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        return new WrkResult(double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), Percentile("50"), Percentile("99"), errorText.Length == 0 ? "0" : errorText.Trim(),
            (cpuAfter.Self - cpuBefore.Self) / requests, (cpuAfter.Children - cpuBefore.Children) / requests);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex TotalPattern();

    [GeneratedRegex(@"Socket errors:[^\n]*")]
    private static partial Regex ErrorsPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses: \d+")]
    private static partial Regex Non2xxPattern();

    /// <summary>Kestrel alone: the same slim host and limits as a node, answering every request with a fixed text.</summary>
    private static async Task<BareServer> StartBareKestrelAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        var hello = "hello, world"u8.ToArray();
        app.Run(context =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = hello.Length;
            return context.Response.Body.WriteAsync(hello).AsTask();
        });
        await app.StartAsync();
        string address = app.Urls.First();
        return new BareServer(app, address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    private sealed class BareServer(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
