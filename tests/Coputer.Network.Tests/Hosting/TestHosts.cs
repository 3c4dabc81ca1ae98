using System.Text;
using Coputer.Network.Hosting;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Network.Tests.Hosting;

/// <summary>Network hosts on loopback, each with its own store in a temporary directory.</summary>
internal sealed class TestHosts : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "coputer-net-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<(NetworkHost Host, ExecutionService Execution, NodeIdentity Identity)> _nodes = [];

    public IReadOnlyList<NetworkHost> Hosts => _nodes.Select(n => n.Host).ToList();

    public ExecutionService Execution(int i) => _nodes[i].Execution;

    public async Task<NetworkHost> StartAsync(IReadOnlyList<string>? bootstrap = null, Func<NetworkHostOptions, NetworkHostOptions>? configure = null, Func<ExecutionOptions, ExecutionOptions>? executionOptions = null)
    {
        var storeOptions = new ExecutionOptions { DataDirectory = Path.Combine(_directory, $"node{_nodes.Count}") };
        var execution = ExecutionService.Open(executionOptions is null ? storeOptions : executionOptions(storeOptions));
        var identity = NodeIdentity.Generate();
        var options = new NetworkHostOptions { Identity = identity, Port = 0, Bootstrap = bootstrap ?? [] };
        var host = await NetworkHost.StartAsync(configure is null ? options : configure(options), execution);
        _nodes.Add((host, execution, identity));
        return host;
    }

    public static (SignedRecord Record, Bundle Bundle) Program(Publisher publisher, string name, string body, long sequence = 1)
    {
        var bundle = Bundle.Create([new("main.luau", Encoding.UTF8.GetBytes($"return {{ body = buffer.fromstring('{body}') }}"))]);
        return (new PublicationRecord(publisher.Key, name, bundle.Hash, sequence).Sign(publisher), bundle);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (condition())
                return true;
            await Task.Delay(20);
        }
        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (host, execution, identity) in _nodes)
        {
            await host.DisposeAsync();
            execution.Dispose();
            identity.Dispose();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
