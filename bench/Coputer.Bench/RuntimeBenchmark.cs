using System.Diagnostics;
using System.Text;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;

namespace Coputer.Bench;

/// <summary>
/// The platform runtime's targets: a small uncached page (a few requires, a 2 KB response) from request to
/// response in-process, a result-cache hit, and throughput with 2 workers against 1. Runs alternate between the
/// configurations compared, and medians are reported, because the machine is shared.
/// </summary>
public static class RuntimeBenchmark
{
    private const string Html = """
        local html = {}
        local function escape(s) return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;")) end
        function html.tag(name)
            return function(attrs)
                return function(children)
                    local out = { "<", name }
                    for k, v in attrs do table.insert(out, ` {k}="{v}"`) end
                    table.insert(out, ">")
                    for _, c in children do table.insert(out, if type(c) == "string" then escape(c) else c) end
                    table.insert(out, `</{name}>`)
                    return table.concat(out)
                end
            end
        end
        return html
        """;

    private const string Layout = """
        local html = require("./html")
        local layout = {}
        function layout.page(title, items)
            local list = {}
            for i, item in items do list[i] = html.tag "li" { class = "item" } { item } end
            return "<!DOCTYPE html>" .. html.tag "html" {} {
                html.tag "head" {} { html.tag "title" {} { title } },
                html.tag "body" {} { html.tag "h1" {} { title }, html.tag "ul" {} (list) },
            }
        end
        return layout
        """;

    private const string Main = """
        local layout = require("./layout")
        local data = require("./data")
        local request = args.web()
        local items = {}
        for i = 1, 40 do items[i] = `{data.words[i % #data.words + 1]} number {i} for {request.url.path}` end
        return {
            headers = { ["content-type"] = "text/html; charset=utf-8" },
            body = buffer.fromstring(layout.page("Benchmark page", items)),
        }
        """;

    private const string Data = """return { words = { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf" } }""";

    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 && int.TryParse(args[0], out int r) ? r : 5;
        var bundle = Bundle.Create(
        [
            new("main.luau", Encoding.UTF8.GetBytes(Main)),
            new("layout.luau", Encoding.UTF8.GetBytes(Layout)),
            new("html.luau", Encoding.UTF8.GetBytes(Html)),
            new("data.luau", Encoding.UTF8.GetBytes(Data)),
        ]);
        using var publisher = Publisher.Generate();
        var record = new PublicationRecord(publisher.Key, "bench", bundle.Hash, 1).Sign(publisher);
        string root = Path.Combine(Path.GetTempPath(), "coputer-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var one = Open(Path.Combine(root, "w1"), 1, record, bundle);
            using var two = Open(Path.Combine(root, "w2"), 2, record, bundle);
            var target = ProgramRef.ByName(publisher.Key, "bench");

            var sample = one.RunAsync(target, WebRequest.Create("GET", "/warm"), new RunOptions { UseCache = false }).Result;
            if (sample.Status != RunStatus.Ok)
            {
                Console.Error.WriteLine($"benchmark page failed: {sample}");
                return 1;
            }
            Console.WriteLine($"page: {sample.Response!.Body.Length} bytes, {bundle.Files.Count} modules, {sample.Info.Instructions} instructions, peak {sample.Info.PeakMemory / 1024} KiB");
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");

            var uncached = new List<double>();
            var direct = new List<double>();
            var hits = new List<double>();
            var thr1 = new List<double>();
            var thr2 = new List<double>();
            var program = new CompiledProgram(bundle);
            for (int round = 0; round < rounds; round++)
            {
                uncached.Add(MedianMicroseconds(2000, i => Check(one.RunAsync(target, WebRequest.Create("GET", "/u" + i), new RunOptions { UseCache = false }).Result)));
                direct.Add(MedianMicroseconds(2000, i => Check(ProgramRuntime.Run(program, WebRequest.Create("GET", "/d" + i)))));
                var hitRequest = WebRequest.Create("GET", "/hit");
                one.RunAsync(target, hitRequest).Wait();
                hits.Add(BatchedMedianMicroseconds(200, 100, () => Check(one.RunAsync(target, WebRequest.Create("GET", "/hit")).Result)));
                // Throughput: alternate 1 and 2 workers within the round.
                thr1.Add(Throughput(one, target, 4000, round * 2));
                thr2.Add(Throughput(two, target, 4000, round * 2 + 1));
                Console.WriteLine($"round {round + 1}: uncached {uncached[^1]:0.0} us (runtime alone {direct[^1]:0.0} us), hit {hits[^1]:0.00} us, 1 worker {thr1[^1]:0} req/s, 2 workers {thr2[^1]:0} req/s");
            }
            Console.WriteLine();
            Console.WriteLine($"uncached page, request to response (target <= 500 us): median {Median(uncached):0.0} us (runtime alone {Median(direct):0.0} us; rounds {Spread(uncached)})");
            Console.WriteLine($"result-cache hit (target <= 20 us): median {Median(hits):0.00} us (rounds {Spread(hits)})");
            double ratio = Median(thr2) / Median(thr1);
            Console.WriteLine($"throughput: 1 worker {Median(thr1):0} req/s, 2 workers {Median(thr2):0} req/s, ratio {ratio:0.00} (target >= 1.7; per-round ratios {string.Join(", ", thr1.Zip(thr2, (a, b) => (b / a).ToString("0.00")))})");
            Console.WriteLine($"load average at the end: {LoadAverage()}");
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static ExecutionService Open(string dir, int workers, SignedRecord record, Bundle bundle)
    {
        var service = ExecutionService.Open(new ExecutionOptions { DataDirectory = dir, Workers = workers, QueueCapacity = 4096 });
        var result = service.Publish(record.Encode(), bundle.Encode());
        if (!result.Succeeded)
            throw new InvalidOperationException(result.Message);
        return service;
    }

    private static double MedianMicroseconds(int n, Action<int> body)
    {
        for (int i = 0; i < 200; i++)
            body(-i - 1);
        var times = new double[n];
        for (int i = 0; i < n; i++)
        {
            long start = Stopwatch.GetTimestamp();
            body(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return Median(times);
    }

    private static double BatchedMedianMicroseconds(int batches, int perBatch, Action body)
    {
        for (int i = 0; i < 1000; i++)
            body();
        var times = new double[batches];
        for (int b = 0; b < batches; b++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++)
                body();
            times[b] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / perBatch;
        }
        return Median(times);
    }

    private static double Throughput(ExecutionService service, ProgramRef target, int requests, int salt)
    {
        var options = new RunOptions { UseCache = false, Deadline = TimeSpan.FromMinutes(1) };
        long start = Stopwatch.GetTimestamp();
        // Keep the queue fed without overflowing it: 64 requests in flight at a time.
        var inFlight = new Queue<Task<RunResult>>();
        for (int i = 0; i < requests; i++)
        {
            if (inFlight.Count >= 64)
                Check(inFlight.Dequeue().Result);
            inFlight.Enqueue(service.RunAsync(target, WebRequest.Create("GET", $"/t{salt}/{i}"), options));
        }
        while (inFlight.Count > 0)
            Check(inFlight.Dequeue().Result);
        return requests / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static void Check(RunResult result)
    {
        if (result.Status != RunStatus.Ok)
            throw new InvalidOperationException(result.ToString());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Spread(List<double> values) => $"{values.Min():0.0} to {values.Max():0.0}";

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
