using System.Text;
using Coputer.Cli.Commands;
using Coputer.Network;
using Coputer.Network.Hosting;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
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
        var execution = ExecutionService.Open(new ExecutionOptions { DataDirectory = Path.Combine(_directory, name) });
        var identity = NodeIdentity.Generate();
        _disposables.Add(execution);
        _disposables.Add(identity);
        var host = await NetworkHost.StartAsync(new NetworkHostOptions { Identity = identity, Bootstrap = bootstrap }, execution);
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
