using System.CommandLine;
using Coputer.Gateway;
using Coputer.Gateway.Hosting;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer node [--data DIR] [--host NAME] [--port N]</c>: a node (store, execution service and gateway) with no
/// configuration; prints where it serves and stops cleanly on Ctrl-C.
/// </summary>
internal static class NodeCommand
{
    /// <summary>Where a node keeps its store unless told otherwise.</summary>
    internal static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "coputer", "node");

    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = $"Where the node keeps its store (default: {DefaultDataDirectory})." };
        var host = new Option<string>("--host") { Description = "The node's host name; programs are served at {name}-{id}.HOST.", DefaultValueFactory = _ => "localhost" };
        var port = new Option<int>("--port") { Description = "The HTTP port.", DefaultValueFactory = _ => CoputerNode.DefaultPort };
        var command = new Command("node", "Start a node: its store, execution service and gateway, with no configuration. Ctrl-C stops it.\n\nExamples:\n  coputer node\n  coputer node --data /var/lib/coputer --host coputer.example.org --port 80")
        {
            data,
            host,
            port,
        };
        command.SetAction(async (p, cancellation) =>
            await RunAsync(p.GetValue(data) ?? DefaultDataDirectory, p.GetValue(host)!, p.GetValue(port), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, cancellation));
        return command;
    }

    internal static async Task<int> RunAsync(string data, string host, int port, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        if (port is < 0 or > 65535)
        {
            error.WriteLine($"--port {port}: a port is between 0 and 65535");
            return 1;
        }
        CoputerNode node;
        try
        {
            node = await CoputerNode.StartAsync(new NodeOptions { DataDirectory = data, Port = port, Gateway = new GatewayOptions { Host = host } }, cancellation);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"cannot start the node: {e.Message}");
            return 1;
        }
        await using (node)
        {
            output.WriteLine($"coputer node serving {node.HomeUrl} (store: {Path.GetFullPath(data)})");
            await node.WaitForShutdownAsync(cancellation);
            output.WriteLine("stopping");
        }
        return 0;
    }
}
