using System.Collections.Concurrent;
using System.Diagnostics;
using Coputer.Cli.Commands;
using Coputer.Network;
using Coputer.Network.Transport;
using Coputer.Network.Wire;
using Coputer.Platform.Identity;
using Xunit.Abstractions;

namespace Coputer.Cli.Tests.Commands;

/// <summary>
/// Three <c>coputer node</c> processes on loopback joined over mutually authenticated TLS: a program published to
/// the first is served by the third's gateway, and a later version published to the second reaches the others
/// after the first has been killed with SIGKILL; restarted, the first serves what it had and catches up.
/// </summary>
public sealed class NetworkProcessTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "coputer-netproc-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<NodeProcess> _nodes = [];

    [Fact]
    public async Task AProgramPublishedToOneNodeIsServedByAnotherAndSurvivesTheFirstsDeath()
    {
        Directory.CreateDirectory(_directory);
        string keys = Path.Combine(_directory, "publisher.key");
        Assert.Equal(0, KeysCommand.New(keys, force: false, new StringWriter(), new StringWriter()));
        using var publisher = KeyFile.Read(keys);

        var first = await StartAsync("n1");
        var second = await StartAsync("n2", first.PeerAddress);
        var third = await StartAsync("n3", first.PeerAddress);
        // Each joined through the first; wait until the first reports both neighbours.
        Assert.True(await EventuallyAsync(() => first.Lines.Count(l => l.Contains("neighbour up", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(20)), first.Output);

        string site = Path.Combine(_directory, "site");
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('served across the network') }");
        var watch = Stopwatch.StartNew();
        var error = new StringWriter();
        Assert.True(await PublishCommand.RunAsync(site, first.GatewayUrl!, "hello", keys, new StringWriter(), error, CancellationToken.None) == 0, error.ToString());
        var published = watch.Elapsed;
        string label = $"hello-{publisher.Key.Id}";
        Assert.True(await EventuallyAsync(async () => await FetchAsync(third, label) == "served across the network", TimeSpan.FromSeconds(20)), third.Output);
        log.WriteLine($"coputer publish to node 1 took {published.TotalMilliseconds:F0} ms; node 3 served it {(watch.Elapsed - published).TotalMilliseconds:F0} ms after that");
        Assert.Equal("served across the network", await FetchAsync(second, label));

        // The first node dies without a word; a new version published to the second still reaches the third.
        first.Kill();
        File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('version two') }");
        Assert.True(await PublishCommand.RunAsync(site, second.GatewayUrl!, "hello", keys, new StringWriter(), error, CancellationToken.None) == 0, error.ToString());
        Assert.True(await EventuallyAsync(async () => await FetchAsync(third, label) == "version two", TimeSpan.FromSeconds(20)), third.Output);

        // The first node comes back on its port with its store and no --peer: it still serves what it had, rejoins
        // through the peers it had saved, and catches up on the version it missed (anti-entropy, every 5 s).
        string firstPort = first.PeerAddress[(first.PeerAddress.LastIndexOf(':') + 1)..];
        var restarted = await StartAsync("n1", peer: null, firstPort);
        Assert.NotNull(await FetchAsync(restarted, label));
        Assert.True(await EventuallyAsync(async () => await FetchAsync(restarted, label) == "version two", TimeSpan.FromSeconds(30)), restarted.Output);

        // The metrics count the traffic.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await client.GetStringAsync(third.GatewayUrl + "/metrics");
        Assert.Contains("coputer_network_records_stored_total 2", metrics);
        Assert.Contains("coputer_network_messages_total{direction=\"in\",type=\"gossip\"}", metrics);
    }

    [Fact]
    public async Task FiveNodesInAChainServeAProgramThroughKillsAndRestartsAndRefuseForgedPeers()
    {
        Directory.CreateDirectory(_directory);
        string keys = Path.Combine(_directory, "publisher.key");
        Assert.Equal(0, KeysCommand.New(keys, force: false, new StringWriter(), new StringWriter()));
        using var publisher = KeyFile.Read(keys);

        // Each node knows only the one before it, so a publication to the first must travel four hops to the fifth.
        var nodes = new List<NodeProcess> { await StartAsync("c1") };
        for (int i = 2; i <= 5; i++)
            nodes.Add(await StartAsync("c" + i, nodes[^1].PeerAddress));
        Assert.True(await EventuallyAsync(() => nodes.Skip(1).All(n => n.Lines.Any(l => l.Contains("neighbour up", StringComparison.Ordinal))), TimeSpan.FromSeconds(30)),
            string.Join("\n---\n", nodes.Select(n => n.Output)));

        string site = Path.Combine(_directory, "site5");
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('five hops') }");
        var error = new StringWriter();
        Assert.True(await PublishCommand.RunAsync(site, nodes[0].GatewayUrl!, "chain", keys, new StringWriter(), error, CancellationToken.None) == 0, error.ToString());
        string label = $"chain-{publisher.Key.Id}";
        Assert.True(await EventuallyAsync(async () => await FetchAsync(nodes[4], label) == "five hops", TimeSpan.FromSeconds(30)), nodes[4].Output);

        // The publisher's node dies: the fifth still serves the program.
        nodes[0].Kill();
        Assert.Equal("five hops", await FetchAsync(nodes[4], label));

        // Two more die by SIGKILL, one in the middle of the chain; a new version goes to the second meanwhile.
        string thirdPort = PortOf(nodes[2].PeerAddress), fifthPort = PortOf(nodes[4].PeerAddress);
        nodes[2].Kill();
        nodes[4].Kill();
        File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('second version') }");
        Assert.True(await PublishCommand.RunAsync(site, nodes[1].GatewayUrl!, "chain", keys, new StringWriter(), error, CancellationToken.None) == 0, error.ToString());
        Assert.True(await EventuallyAsync(async () => await FetchAsync(nodes[3], label) == "second version", TimeSpan.FromSeconds(30)), nodes[3].Output);

        // Restarted on their ports with their stores, they lost nothing and catch up. They are given a live peer:
        // a node killed within seconds of joining may not have saved its peers file yet (restarting from that file
        // alone is the three-node test's case).
        var third = await StartAsync("c3", nodes[1].PeerAddress, thirdPort);
        var fifth = await StartAsync("c5", nodes[3].PeerAddress, fifthPort);
        Assert.NotNull(await FetchAsync(fifth, label));
        Assert.True(await EventuallyAsync(async () => await FetchAsync(fifth, label) == "second version" && await FetchAsync(third, label) == "second version", TimeSpan.FromSeconds(40)),
            third.Output + "\n---\n" + fifth.Output);

        // A peer whose certificate binds a node key it does not hold is refused at the handshake; a real node that
        // speaks for another node id is refused per message. The node goes on serving.
        var target = nodes[3];
        using var liar = NodeIdentity.Generate();
        using var victim = NodeIdentity.Generate();
        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        using (var forged = PeerCertificate.CreateWithExtension(ecdsa, victim.PublicKey, liar.Sign(PeerCertificate.Signed(ecdsa.ExportSubjectPublicKeyInfo())), now.AddHours(-1), now.AddDays(1)))
        using (var client = new PeerClient(forged, new PeerTransportOptions()))
            await Assert.ThrowsAsync<PeerCallException>(() => client.HelloAsync(target.PeerAddress));
        using (var honest = PeerCertificate.Create(liar, now, TimeSpan.FromDays(1)))
        using (var client = new PeerClient(honest, new PeerTransportOptions()))
        {
            var targetId = await client.HelloAsync(target.PeerAddress);
            var impersonation = WireCodec.Encode(new Join(new PeerInfo(victim.Id, "127.0.0.1:1")));
            await Assert.ThrowsAsync<PeerCallException>(() => client.SendAsync(new PeerInfo(targetId, target.PeerAddress), impersonation));
        }
        Assert.Equal("second version", await FetchAsync(target, label));

        // The fourth node, up throughout, holds both versions as one of their closest nodes (five nodes, five
        // copies each) and says so in its metrics.
        Assert.True(await EventuallyAsync(async () => await MetricAsync(target, "coputer_network_replicas{state=\"held\"}") >= 2, TimeSpan.FromSeconds(40)), target.Output);
        Assert.True(await MetricAsync(target, "coputer_network_replicas{state=\"bundles\"}") >= 2);
        Assert.Equal(0, await MetricAsync(target, "coputer_network_equivocations"));
    }

    private static async Task<double> MetricAsync(NodeProcess node, string series)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string text = await client.GetStringAsync(node.GatewayUrl + "/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? -1 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string PortOf(string address) => address[(address.LastIndexOf(':') + 1)..];

    private async Task<NodeProcess> StartAsync(string name, string? peer = null, string peerPort = "0")
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "coputer.dll"));
        foreach (var a in new[] { "node", "--data", Path.Combine(_directory, name), "--port", "0", "--peer-port", peerPort })
            psi.ArgumentList.Add(a);
        if (peer is not null)
        {
            psi.ArgumentList.Add("--peer");
            psi.ArgumentList.Add(peer);
        }
        var node = new NodeProcess(Process.Start(psi)!);
        _nodes.Add(node);
        Assert.True(await EventuallyAsync(() => node.GatewayUrl is not null || node.Process.HasExited, TimeSpan.FromSeconds(60)), node.Output);
        Assert.False(node.Process.HasExited, node.Output);
        return node;
    }

    private static async Task<string?> FetchAsync(NodeProcess node, string label)
    {
        var uri = new Uri(node.GatewayUrl!);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{uri.Port}/");
        request.Headers.Host = $"{label}.localhost:{uri.Port}";
        try
        {
            using var response = await client.SendAsync(request);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout) => EventuallyAsync(() => Task.FromResult(condition()), timeout);

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (await condition())
                return true;
            await Task.Delay(50);
        }
        return await condition();
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
            node.Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class NodeProcess
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public NodeProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Read(e.Data);
            process.ErrorDataReceived += (_, e) => Read(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public IEnumerable<string> Lines => _lines;

        public string Output => string.Join('\n', _lines);

        /// <summary>From <c>coputer network node ID at HOST:PORT</c>.</summary>
        public string PeerAddress => _lines.Select(l => l.StartsWith("coputer network node ", StringComparison.Ordinal) ? l.Split(' ')[^1] : null).First(a => a is not null)!;

        /// <summary>From <c>coputer node serving http://localhost:PORT/ ...</c>, without the slash.</summary>
        public string? GatewayUrl => _lines.Select(l => l.StartsWith("coputer node serving ", StringComparison.Ordinal) ? l.Split(' ')[3].TrimEnd('/') : null).FirstOrDefault(a => a is not null);

        private void Read(string? line)
        {
            if (line is not null)
                _lines.Enqueue(line);
        }

        public void Kill()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                    Process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
