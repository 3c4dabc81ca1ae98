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
        int seconds = 10, connections = 64, threads = 2;
        string wrk = "/usr/bin/wrk";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length: seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--connections" when i + 1 < args.Length: connections = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads" when i + 1 < args.Length: threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--wrk" when i + 1 < args.Length: wrk = args[++i]; break;
                default:
                    Console.Error.WriteLine("usage: gateway [--seconds N] [--connections N] [--threads N] [--wrk PATH]");
                    return 2;
            }
        }
        if (!File.Exists(wrk))
        {
            Console.Error.WriteLine($"{wrk}: wrk not found (apt-get install wrk)");
            return 1;
        }
        return RunAsync(wrk, seconds, connections, threads).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string wrk, int seconds, int connections, int threads)
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
        Console.WriteLine($"wrk -t{threads} -c{connections} -d{seconds}s on loopback; {Environment.ProcessorCount} cores; load average before: {Load()}");
        var rows = new List<(string Name, WrkResult Result)>
        {
            ("bare Kestrel hello-world", await WrkAsync(wrk, bare.Url, null, seconds, connections, threads)),
            ("gateway, result-cache hit", await WrkAsync(wrk, $"http://127.0.0.1:{cached.Port}/", host, seconds, connections, threads)),
            ("gateway, uncached small page", await WrkAsync(wrk, $"http://127.0.0.1:{uncached.Port}/", host, seconds, connections, threads, DistinctPaths)),
        };
        double baseline = rows[0].Result.RequestsPerSecond;
        Console.WriteLine();
        Console.WriteLine("| case | requests/s | p50 | p99 | of bare Kestrel | errors |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, r) in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {r.RequestsPerSecond:N0} | {r.P50} | {r.P99} | {100 * r.RequestsPerSecond / baseline:0}% | {r.Errors} |"));
        Console.WriteLine();
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

    private sealed record WrkResult(double RequestsPerSecond, string P50, string P99, string Errors);

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
        using var process = Process.Start(info)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (scriptPath is not null)
            File.Delete(scriptPath);
        var rps = RequestsPattern().Match(output);
        if (process.ExitCode != 0 || !rps.Success)
            throw new InvalidOperationException($"wrk failed: {output} {await process.StandardError.ReadToEndAsync()}");
        string Percentile(string p) => Regex.Match(output, $@"^\s+{p}%\s+(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";
        var errors = ErrorsPattern().Match(output);
        var non2xx = Non2xxPattern().Match(output);
        string errorText = (errors.Success ? errors.Value.Trim() : "") + (non2xx.Success ? " " + non2xx.Value.Trim() : "");
        return new WrkResult(double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), Percentile("50"), Percentile("99"), errorText.Length == 0 ? "0" : errorText.Trim());
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPattern();

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
