using System.Diagnostics;
using System.Text;
using Coputer.Network;
using Coputer.Network.Hosting;
using Coputer.Network.Transport;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;

namespace Coputer.Bench;

/// <summary>
/// The peer transport on loopback, measured (wall time, not simulated): a fresh client's TLS 1.3 handshake with
/// both certificates checked, protocol messages per second over one HTTP/2 connection (one at a time and 16 at
/// once), and how long a publication takes to be stored by every other host of a small network.
/// </summary>
public static class TransportBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int hostsCount = 3;
        int seconds = 3;
        int runs = 1000;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--hosts":
                    hostsCount = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--runs":
                    runs = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--seconds":
                    seconds = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine("usage: transport [--hosts N] [--seconds S] [--runs N]");
                    return 2;
            }
        }
        string directory = Path.Combine(Path.GetTempPath(), "coputer-transport-" + Guid.NewGuid().ToString("N")[..8]);
        var nodes = new List<(NetworkHost Host, ExecutionService Execution, NodeIdentity Identity)>();
        try
        {
            for (int i = 0; i < hostsCount; i++)
            {
                var execution = ExecutionService.Open(new ExecutionOptions { DataDirectory = Path.Combine(directory, $"n{i}") });
                var identity = NodeIdentity.Generate();
                var host = await NetworkHost.StartAsync(new NetworkHostOptions { Identity = identity, Port = 0, Bootstrap = i == 0 ? [] : [nodes[0].Host.Self.Address] }, execution);
                nodes.Add((host, execution, identity));
            }
            Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
            await Handshakes(nodes[0].Host);
            await Messages(nodes[0].Host, TimeSpan.FromSeconds(seconds));
            await Propagation(nodes);
            await ForwardedRuns(nodes);
            await HedgedRuns(Path.Combine(directory, "hedged"), runs);
        }
        finally
        {
            foreach (var (host, execution, identity) in nodes)
            {
                await host.DisposeAsync();
                execution.Dispose();
                identity.Dispose();
            }
            Directory.Delete(directory, recursive: true);
        }
        return 0;
    }

    private static async Task Handshakes(NetworkHost server)
    {
        using var identity = NodeIdentity.Generate();
        using var certificate = PeerCertificate.Create(identity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        var times = new List<double>();
        for (int i = 0; i < 50; i++)
        {
            using var client = new PeerClient(certificate, new PeerTransportOptions());
            var watch = Stopwatch.StartNew();
            await client.HelloAsync(server.Self.Address);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"handshake (TCP + TLS 1.3 mutual, both bindings checked + one HTTP/2 request), 50 fresh clients: median {times[25]:F2} ms, p90 {times[45]:F2} ms, min {times[0]:F2} ms");
        var certs = Stopwatch.StartNew();
        for (int i = 0; i < 200; i++)
            PeerCertificate.Verify(certificate, DateTimeOffset.UtcNow);
        Console.WriteLine($"certificate check alone: {certs.Elapsed.TotalMilliseconds / 200 * 1000:F0} us");
    }

    private static async Task Messages(NetworkHost server, TimeSpan duration)
    {
        using var identity = NodeIdentity.Generate();
        using var certificate = PeerCertificate.Create(identity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var client = new PeerClient(certificate, new PeerTransportOptions());
        // An IHave for an id the server does not hold: decoded, checked and handled by the state machine (it
        // schedules a graft to a peer that is not a neighbour), answered 204.
        var message = WireCodec.Encode(new IHave(new PeerInfo(identity.Id, "127.0.0.1:1"), 1, [Hash256.Of("bench"u8)]));
        await client.SendAsync(server.Self, message);
        foreach (int parallel in new[] { 1, 16 })
        {
            long sent = 0;
            var end = DateTime.UtcNow + duration;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
            {
                while (DateTime.UtcNow < end)
                {
                    await client.SendAsync(server.Self, message);
                    Interlocked.Increment(ref sent);
                }
            }));
            Console.WriteLine($"messages over one HTTP/2 connection, {parallel} at a time: {sent / watch.Elapsed.TotalSeconds:F0} per second ({message.Length}-byte IHave, each answered)");
        }
    }

    private static async Task ForwardedRuns(List<(NetworkHost Host, ExecutionService Execution, NodeIdentity Identity)> nodes)
    {
        using var publisher = Publisher.Generate();
        var bundle = Bundle.Create([new("main.luau", Encoding.UTF8.GetBytes("return { body = buffer.fromstring('forwarded') }"))]);
        var record = new PublicationRecord(publisher.Key, "remote", bundle.Hash, 1).Sign(publisher);
        // Into every store but the first's, without a broadcast: the first must forward.
        foreach (var n in nodes.Skip(1))
            n.Execution.Store.Publish(record, bundle.Encode());
        var target = ProgramRef.ByName(publisher.Key, "remote");
        var times = new List<double>();
        int ok = 0;
        for (int i = 0; i < 100; i++)
        {
            var watch = Stopwatch.StartNew();
            // Distinct inputs, so each is a real run on the runner, not a cache hit.
            var result = await nodes[0].Host.ForwardAsync(target, WebRequest.Create("GET", $"/?i={i}"));
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (result?.Status == RunStatus.Ok)
                ok++;
        }
        times.Sort();
        Console.WriteLine($"forwarded runs (name resolved by the runner, receipt, record and result checked), 100 distinct inputs: {ok} ok, median {times[50]:F2} ms, p99 {times[99]:F2} ms; hedged {nodes[0].Host.Counters.RunsHedged}");
    }

    /// <summary>
    /// Hedging between real hosts: an asker and four runners that hold the program, one of which answers 200 ms late
    /// (a quarter of the runners slow, harsher than the issue's 5%); distinct inputs, so every run is a real one.
    /// Audits at their floor (trusted at once, 5% re-run afterwards), so the extra requests measured are the hedges.
    /// </summary>
    private static async Task HedgedRuns(string directory, int runs)
    {
        var nodes = new List<(NetworkHost Host, ExecutionService Execution, NodeIdentity Identity)>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                var execution = ExecutionService.Open(new ExecutionOptions { DataDirectory = Path.Combine(directory, $"n{i}") });
                var identity = NodeIdentity.Generate();
                var host = await NetworkHost.StartAsync(new NetworkHostOptions
                {
                    Identity = identity,
                    Port = 0,
                    Bootstrap = i == 0 ? [] : [nodes[0].Host.Self.Address],
                    Audits = new Coputer.Network.Execution.AuditOptions { TrustAfter = 0, AuditRate = 0.05 },
                }, execution);
                nodes.Add((host, execution, identity));
            }
            var asker = nodes[0].Host;
            var end = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (asker.ActivePeers.Count < 4 && DateTime.UtcNow < end)
                await Task.Delay(50);
            asker.OnDemandForRuns = false;
            nodes[1].Host.ServeDelay = TimeSpan.FromMilliseconds(200);
            using var publisher = Publisher.Generate();
            var bundle = Bundle.Create([new("main.luau", Encoding.UTF8.GetBytes("local w = args.web() return { body = buffer.fromstring('hedged ' .. w.url.rawquery) }"))]);
            var record = new PublicationRecord(publisher.Key, "hedged", bundle.Hash, 1).Sign(publisher);
            foreach (var n in nodes.Skip(1))
                n.Execution.Store.Publish(record, bundle.Encode());
            var target = ProgramRef.ByHash(bundle.Hash);
            // Warm-up, not measured: each runner compiles the program on its first run (about 100 ms here).
            for (int i = 0; i < 20; i++)
                await nodes[0].Execution.RunAsync(target, WebRequest.Create("GET", $"/?warm={i}"));
            long hedgesBefore = asker.Counters.HedgesSent;
            var times = new List<double>(runs);
            int ok = 0;
            for (int i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                var result = await nodes[0].Execution.RunAsync(target, WebRequest.Create("GET", $"/?i={i}"));
                times.Add(watch.Elapsed.TotalMilliseconds);
                if (result.Status == RunStatus.Ok)
                    ok++;
            }
            times.Sort();
            // The peer, measured in the same run: the same program run locally on a runner (no network), which shows
            // how much of the tail is this machine's own (load, collections) rather than the network's.
            var local = new List<double>(runs);
            for (int i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                await nodes[2].Execution.RunAsync(target, WebRequest.Create("GET", $"/?local={i}"));
                local.Add(watch.Elapsed.TotalMilliseconds);
            }
            local.Sort();
            double Quantile(double q) => times[Math.Min(times.Count - 1, (int)(q * times.Count))];
            double Local(double q) => local[Math.Min(local.Count - 1, (int)(q * local.Count))];
            var c = asker.Counters;
            Console.WriteLine($"hedged runs (4 runners, one 200 ms slow; audits at 5%), {runs} distinct inputs after 20 to warm up: {ok} ok, p50 {Quantile(0.5):F2} ms, p99 {Quantile(0.99):F2} ms, " +
                $"p99.9 {Quantile(0.999):F2} ms ({Quantile(0.999) / Quantile(0.5):F1}x p50), max {times[^1]:F1} ms; backups {c.HedgesSent - hedgesBefore} ({100.0 * (c.HedgesSent - hedgesBefore) / runs:F2}% extra requests), " +
                $"audits {c.Audits}, hedge delay now {asker.HedgeDelay.TotalMilliseconds:F1} ms, slow runner asked {nodes[1].Host.Counters.RunsForPeers} times; " +
                $"the same runs locally on a runner: p50 {Local(0.5):F2} ms, p99 {Local(0.99):F2} ms, p99.9 {Local(0.999):F2} ms ({Local(0.999) / Local(0.5):F1}x p50)");
        }
        finally
        {
            foreach (var (host, execution, identity) in nodes)
            {
                await host.DisposeAsync();
                execution.Dispose();
                identity.Dispose();
            }
        }
    }

    private static async Task Propagation(List<(NetworkHost Host, ExecutionService Execution, NodeIdentity Identity)> nodes)
    {
        var wait = Stopwatch.StartNew();
        while (nodes.Any(n => n.Host.ActivePeers.Count == 0) && wait.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(20);
        using var publisher = Publisher.Generate();
        var times = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            var bundle = Bundle.Create([new("main.luau", Encoding.UTF8.GetBytes($"return {{ body = buffer.fromstring('v{i}') }}"))]);
            var record = new PublicationRecord(publisher.Key, $"p{i}", bundle.Hash, 1).Sign(publisher);
            var origin = nodes[i % nodes.Count].Execution;
            var watch = Stopwatch.StartNew();
            origin.Publish(record, bundle);
            while (!nodes.All(n => n.Execution.Store.Resolve(publisher.Key, $"p{i}") is not null) && watch.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(1);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"publication stored by all {nodes.Count} hosts (record by Plumtree, bundle fetched and checked), 20 programs: median {times[10]:F1} ms, max {times[^1]:F1} ms");
    }
}
