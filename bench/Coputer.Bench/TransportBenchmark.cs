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
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--hosts":
                    hostsCount = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--seconds":
                    seconds = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine("usage: transport [--hosts N] [--seconds S]");
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
