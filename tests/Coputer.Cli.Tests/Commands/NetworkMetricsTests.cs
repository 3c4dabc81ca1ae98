using System.Text;
using Coputer.Cli.Commands;
using Coputer.Network;
using Coputer.Network.Hosting;
using Coputer.Platform;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;
using Prometheus;

namespace Coputer.Cli.Tests.Commands;

/// <summary>The network's figures as <c>/metrics</c> and the network page show them, from two hosts in one process.</summary>
public sealed class NetworkMetricsTests : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "coputer-netmetrics-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<IAsyncDisposable> _hosts = [];
    private readonly List<IDisposable> _disposables = [];

    private async Task<(NetworkHost Host, ExecutionService Execution)> StartAsync(string name, IReadOnlyList<string> bootstrap)
    {
        return await StartAsync(name, bootstrap, o => o);
    }

    private async Task<(NetworkHost Host, ExecutionService Execution)> StartAsync(string name, IReadOnlyList<string> bootstrap, Func<NetworkHostOptions, NetworkHostOptions> configure)
    {
        var execution = ExecutionService.Open(new ExecutionOptions { DataDirectory = Path.Combine(_directory, name) });
        var identity = NodeIdentity.Generate();
        _disposables.Add(execution);
        _disposables.Add(identity);
        var host = await NetworkHost.StartAsync(configure(new NetworkHostOptions { Identity = identity, Bootstrap = bootstrap }), execution);
        _hosts.Add(host);
        return (host, execution);
    }

    private static (SignedRecord, Bundle) Program(Publisher publisher, string name, string body)
    {
        var bundle = Bundle.Create([new("main.luau", Encoding.UTF8.GetBytes($"return {{ body = buffer.fromstring('{body}') }}"))]);
        return (new PublicationRecord(publisher.Key, name, bundle.Hash, 1).Sign(publisher), bundle);
    }

    [Fact]
    public async Task EquivocationsShowInTheMetricsAndOnTheNetworkPage()
    {
        var (a, aExecution) = await StartAsync("a", []);
        var (b, bExecution) = await StartAsync("b", [a.Self.Address]);
        var registry = Metrics.NewCustomRegistry();
        NetworkMetrics.Register(registry, b);
        Assert.Contains("coputer_network_equivocations 0", await ExportAsync(registry));
        Assert.True(await EventuallyAsync(() => a.ActivePeers.Count == 1 && b.ActivePeers.Count == 1, TimeSpan.FromSeconds(20)));

        using var publisher = Publisher.Generate();
        var (left, leftBundle) = Program(publisher, "app", "left");
        var (right, rightBundle) = Program(publisher, "app", "right");
        Assert.True(aExecution.Publish(left, leftBundle).Succeeded);
        Assert.True(bExecution.Publish(right, rightBundle).Succeeded);
        Assert.True(await EventuallyAsync(() => b.Equivocations == 1, TimeSpan.FromSeconds(20)));

        Assert.Contains("coputer_network_equivocations 1", await ExportAsync(registry));
        var figure = Assert.Single(NetworkMetrics.Status(b).Figures, f => f.Name.StartsWith("equivocation proofs held", StringComparison.Ordinal));
        Assert.Equal(1, figure.Value);
    }

    [Fact]
    public async Task AuditsHedgesAndTheNetworkWideResultCacheShowInTheMetricsAndOnTheNetworkPage()
    {
        var (asker, askerExecution) = await StartAsync("asker", []);
        var (_, oneExecution) = await StartAsync("one", [asker.Self.Address]);
        var (_, twoExecution) = await StartAsync("two", [asker.Self.Address]);
        var registry = Metrics.NewCustomRegistry();
        NetworkMetrics.Register(registry, asker);
        var text = await ExportAsync(registry);
        foreach (var zero in new[] { "coputer_network_audits_total{outcome=\"done\"} 0", "coputer_network_hedges_total 0", "coputer_network_result_cache_total{kind=\"cached\"} 0", "coputer_network_result_cache_total{kind=\"served\"} 0" })
            Assert.Contains(zero, text);
        Assert.Equal(0.1, Value(text, "coputer_network_hedge_delay_seconds"), 6);
        Assert.True(await EventuallyAsync(() => asker.ActivePeers.Count == 2, TimeSpan.FromSeconds(20)));

        // The asker lacks the program and forwards (no on-demand fetch for runs); each answer of a new runner is
        // re-run on the other runner and cached once they agree; the same requests again come from that cache.
        asker.OnDemandForRuns = false;
        using var publisher = Publisher.Generate();
        var bundle = Bundle.Create([new("main.luau", Encoding.UTF8.GetBytes("local w = args.web() return { body = buffer.fromstring('echo ' .. w.url.rawquery) }"))]);
        var record = new PublicationRecord(publisher.Key, "echo", bundle.Hash, 1).Sign(publisher);
        Assert.True(oneExecution.Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.True(twoExecution.Store.Publish(record, bundle.Encode()).Succeeded);
        var target = ProgramRef.ByHash(bundle.Hash);
        for (int i = 0; i < 4; i++)
            Assert.Equal(RunStatus.Ok, (await askerExecution.RunAsync(target, WebRequest.Create("GET", $"/?i={i}"))).Status);
        Assert.True(await EventuallyAsync(() => asker.Counters.AnswersCached == 4, TimeSpan.FromSeconds(20)), $"cached {asker.Counters.AnswersCached}");
        askerExecution.Store.Flush();
        for (int i = 0; i < 4; i++)
            Assert.True((await askerExecution.RunAsync(target, WebRequest.Create("GET", $"/?i={i}"))).Info.Cached);

        text = await ExportAsync(registry);
        var c = asker.Counters;
        Assert.Equal(4, c.Audits);
        Assert.Equal(4, c.ServedFromCache);
        Assert.Equal(4, Value(text, "coputer_network_audits_total{outcome=\"done\"}"));
        Assert.Equal(0, Value(text, "coputer_network_audits_total{outcome=\"mismatch\"}"));
        Assert.Equal(c.AuditsUnsettled, Value(text, "coputer_network_audits_total{outcome=\"unsettled\"}"));
        Assert.Equal(4, Value(text, "coputer_network_result_cache_total{kind=\"cached\"}"));
        Assert.Equal(4, Value(text, "coputer_network_result_cache_total{kind=\"served\"}"));
        Assert.Equal(c.RunsForwarded, Value(text, "coputer_network_forwarded_runs_total{outcome=\"answered\"}"));
        Assert.Equal(c.HedgesSent, Value(text, "coputer_network_hedges_total"));
        Assert.Equal(asker.HedgeDelay.TotalSeconds, Value(text, "coputer_network_hedge_delay_seconds"), 6);
        var figures = NetworkMetrics.Status(asker).Figures.ToDictionary(f => f.Name, f => f.Value);
        Assert.Equal(4, figures["answers of other nodes re-run to check them (audits)"]);
        Assert.Equal(4, figures["checked answers of other nodes kept in the result cache"]);
        Assert.Equal(4, figures["runs answered from that cache (no run anywhere)"]);
        Assert.Equal(c.HedgesSent, figures["backup requests sent (a second runner asked)"]);
    }

    [Fact]
    public async Task MismatchesExclusionsAndProofsShowInTheMetricsAndOnTheNetworkPage()
    {
        var (asker, askerExecution) = await StartAsync("asker", []);
        var (honest, honestExecution) = await StartAsync("honest", [asker.Self.Address]);
        var (liar, liarExecution) = await StartAsync("liar", [asker.Self.Address]);
        var registry = Metrics.NewCustomRegistry();
        NetworkMetrics.Register(registry, asker);
        var honestRegistry = Metrics.NewCustomRegistry();
        NetworkMetrics.Register(honestRegistry, honest);
        Assert.Contains("coputer_network_runners_excluded{scope=\"current\"} 0", await ExportAsync(registry));
        Assert.Contains("coputer_network_mismatch_proofs_received_total 0", await ExportAsync(honestRegistry));
        Assert.True(await EventuallyAsync(() => asker.ActivePeers.Count == 2 && honest.ActivePeers.Count == 2 && liar.ActivePeers.Count == 2, TimeSpan.FromSeconds(20)));

        asker.OnDemandForRuns = false;
        liar.Lie = r => new RunResult { Status = RunStatus.Ok, Response = new WebResponse(200, [], "forged"u8.ToArray()), Info = r.Info };
        using var publisher = Publisher.Generate();
        var bundle = Bundle.Create([new("main.luau", Encoding.UTF8.GetBytes("local w = args.web() return { body = buffer.fromstring('echo ' .. w.url.rawquery) }"))]);
        var record = new PublicationRecord(publisher.Key, "echo", bundle.Hash, 1).Sign(publisher);
        Assert.True(honestExecution.Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.True(liarExecution.Store.Publish(record, bundle.Encode()).Succeeded);
        for (int i = 0; i < 4; i++)
            Assert.Equal($"echo i={i}", Encoding.UTF8.GetString((await askerExecution.RunAsync(ProgramRef.ByHash(bundle.Hash), WebRequest.Create("GET", $"/?i={i}"))).Response!.Body.Span));
        Assert.True(await EventuallyAsync(() => asker.ExcludedRunners.Count == 1, TimeSpan.FromSeconds(30)), $"mismatches {asker.Counters.Mismatches}");

        var text = await ExportAsync(registry);
        var c = asker.Counters;
        Assert.True(c.Audits >= 1 && c.Mismatches >= 1, $"audits {c.Audits}, mismatches {c.Mismatches}");
        Assert.Equal(c.Audits, Value(text, "coputer_network_audits_total{outcome=\"done\"}"));
        Assert.Equal(c.Mismatches, Value(text, "coputer_network_audits_total{outcome=\"mismatch\"}"));
        Assert.Equal(1, Value(text, "coputer_network_runners_excluded{scope=\"total\"}"));
        Assert.Equal(1, Value(text, "coputer_network_runners_excluded{scope=\"current\"}"));
        var figures = NetworkMetrics.Status(asker).Figures.ToDictionary(f => f.Name, f => f.Value);
        Assert.Equal(1, figures["runners excluded now"]);
        Assert.Equal(1, figures["runners excluded for a wrong answer"]);
        Assert.Equal(c.Mismatches, figures["audits that found a mismatch (two signed receipts that differ)"]);

        // The honest runner got the proof, checked it by a run of its own and excluded the liar too.
        Assert.True(await EventuallyAsync(() => honest.ExcludedRunners.Count == 1, TimeSpan.FromSeconds(30)));
        var honestText = await ExportAsync(honestRegistry);
        Assert.True(Value(honestText, "coputer_network_mismatch_proofs_received_total") >= 1);
        Assert.Equal(1, Value(honestText, "coputer_network_runners_excluded{scope=\"current\"}"));
        Assert.Equal(honest.Counters.ProofsReceived, NetworkMetrics.Status(honest).Figures.Single(f => f.Name == "mismatch proofs received from peers and checked").Value);
    }

    /// <summary>The value of one series in Prometheus text: the line that starts with <paramref name="series"/> and a space.</summary>
    private static double Value(string text, string series)
    {
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (condition())
                return true;
            await Task.Delay(50);
        }
        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
            await host.DisposeAsync();
        foreach (var d in _disposables)
            d.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
