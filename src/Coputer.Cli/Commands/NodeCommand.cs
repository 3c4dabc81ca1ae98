using System.CommandLine;
using System.Net;
using Coputer.Gateway;
using Coputer.Gateway.Hosting;
using Coputer.Network;
using Coputer.Network.Hosting;
using Coputer.Network.Transport;
using Coputer.Platform.Policy;
using Microsoft.Extensions.Logging;

namespace Coputer.Cli.Commands;

/// <summary>How a node joins the network (<c>--peer-port</c>, <c>--peer</c>, <c>--peer-host</c>); null runs it alone.</summary>
internal sealed record PeerSettings(int Port, IReadOnlyList<string> Peers, string? AdvertisedHost);

/// <summary>
/// <c>coputer node [--data DIR] [--config FILE] [--host NAME] [--port N] [--peer-port N] [--peer HOST:PORT]...</c>: a
/// node (store, execution service and gateway) that needs no configuration; with a peer port or peers it also joins
/// the network over mutually authenticated TLS. The operator's rules (allow and deny lists, quotas, the per-peer
/// connection cap) are in one file, written with its defaults on first start. Prints where it serves and stops
/// cleanly on Ctrl-C.
/// </summary>
internal static class NodeCommand
{
    /// <summary>Where a node keeps its store unless told otherwise.</summary>
    internal static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "coputer", "node");

    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = $"Where the node keeps its store (default: {DefaultDataDirectory})." };
        var config = new Option<string?>("--config") { Description = $"The node's configuration file: allow and deny lists, quotas, the per-peer connection cap (default: {NodeConfigFile.FileName} in the data folder, written with every default on first start)." };
        var host = new Option<string>("--host") { Description = "The node's host name; programs are served at {name}-{id}.HOST.", DefaultValueFactory = _ => "localhost" };
        var port = new Option<int>("--port") { Description = "The HTTP port.", DefaultValueFactory = _ => CoputerNode.DefaultPort };
        var peerPort = new Option<int?>("--peer-port") { Description = "The port other nodes reach this one at (HTTP/2, mutual TLS 1.3); 0 picks a free one. Without it and without --peer the node runs alone." };
        var peers = new Option<string[]>("--peer") { Description = "A node to join the network through, as HOST:PORT (its peer port); repeatable.", AllowMultipleArgumentsPerToken = false };
        var peerHost = new Option<string?>("--peer-host") { Description = "The host name or address other nodes reach this one at (default: 127.0.0.1 when --host is localhost, else --host)." };
        var command = new Command("node", "Start a node: its store, execution service and gateway, with no configuration. Ctrl-C stops it.\n\nExamples:\n  coputer node\n  coputer node --data /var/lib/coputer --host coputer.example.org --port 80\n  coputer node --data n2 --port 8082 --peer-port 9002 --peer 127.0.0.1:9001\n  coputer node --config /etc/coputer/node.json")
        {
            data,
            config,
            host,
            port,
            peerPort,
            peers,
            peerHost,
        };
        command.SetAction(async (p, cancellation) =>
        {
            var peerList = p.GetValue(peers) ?? [];
            int? peerPortValue = p.GetValue(peerPort);
            var settings = peerPortValue is not null || peerList.Length > 0 ? new PeerSettings(peerPortValue ?? 0, peerList, p.GetValue(peerHost)) : null;
            return await RunAsync(p.GetValue(data) ?? DefaultDataDirectory, p.GetValue(host)!, p.GetValue(port), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, cancellation, settings, p.GetValue(config));
        });
        return command;
    }

    internal static async Task<int> RunAsync(string data, string host, int port, TextWriter output, TextWriter error, CancellationToken cancellation, PeerSettings? network = null, string? configFile = null)
    {
        if (port is < 0 or > 65535)
        {
            error.WriteLine($"--port {port}: a port is between 0 and 65535");
            return 1;
        }
        var peers = new List<string>();
        if (network is not null)
        {
            if (network.Port is < 0 or > 65535)
            {
                error.WriteLine($"--peer-port {network.Port}: a port is between 0 and 65535");
                return 1;
            }
            foreach (var peer in network.Peers)
            {
                if (ParsePeer(peer) is not { } address)
                {
                    error.WriteLine($"--peer {peer}: expected HOST:PORT, for example 127.0.0.1:9001");
                    return 1;
                }
                peers.Add(address);
            }
        }
        NodePolicy policy;
        try
        {
            policy = configFile is null ? NodeConfigFile.LoadOrCreate(Path.Combine(data, NodeConfigFile.FileName)) : NodeConfigFile.Load(configFile);
        }
        catch (NodeConfigException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }
        CoputerNode node;
        try
        {
            node = await CoputerNode.StartAsync(new NodeOptions
            {
                DataDirectory = data,
                Port = port,
                Gateway = new GatewayOptions { Host = host },
                Execution = o => o with { Policy = policy },
            }, cancellation);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"cannot start the node: {e.Message}");
            return 1;
        }
        await using (node)
        {
            NetworkHost? peerHost = null;
            using var logging = network is null ? null : LoggerFactory.Create(b => b.AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
            using var identity = network is null ? null : NodeIdentity.LoadOrCreate(Path.Combine(data, "node.key"));
            if (network is not null)
            {
                bool local = host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
                try
                {
                    peerHost = await NetworkHost.StartAsync(new NetworkHostOptions
                    {
                        Identity = identity!,
                        ListenAddress = local ? IPAddress.Loopback : IPAddress.Any,
                        Port = network.Port,
                        AdvertisedHost = network.AdvertisedHost ?? (local ? "127.0.0.1" : host),
                        Bootstrap = peers,
                        PeersFile = Path.Combine(data, "peers.txt"),
                        Transport = new PeerTransportOptions { MaxConnectionsPerPeer = policy.ConnectionsPerPeer },
                    }, node.Execution, logging, cancellation);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    error.WriteLine($"cannot start the peer transport: {e.Message}");
                    return 1;
                }
                NetworkMetrics.Register(node.Gateway.Metrics.Registry, peerHost);
                var shown = peerHost;
                node.Gateway.Network = () => NetworkMetrics.Status(shown);
            }
            try
            {
                if (peerHost is not null)
                    output.WriteLine($"coputer network node {peerHost.Self.Id} at {peerHost.Self.Address}");
                output.WriteLine($"coputer node serving {node.HomeUrl} (store: {Path.GetFullPath(data)})");
                await node.WaitForShutdownAsync(cancellation);
                output.WriteLine("stopping");
            }
            finally
            {
                if (peerHost is not null)
                    await peerHost.DisposeAsync();
            }
        }
        return 0;
    }

    /// <summary><c>HOST:PORT</c> (an <c>https://</c> prefix and a trailing slash are allowed), or null.</summary>
    internal static string? ParsePeer(string text)
    {
        string t = text.Trim();
        if (t.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            t = t["https://".Length..];
        t = t.TrimEnd('/');
        int colon = t.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(t.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
            return null;
        return Coputer.Network.Wire.WireCodec.IsValidAddress(t) && !t.Contains('/', StringComparison.Ordinal) ? t : null;
    }
}
