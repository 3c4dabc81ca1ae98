using System.CommandLine;
using System.Globalization;
using Coputer.Gateway;
using Coputer.Gateway.Development;
using Coputer.Platform.Identity;
using Coputer.Platform.Runtime;

using Spectre.Console;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer dev DIR [--port N]</c>: serves a program folder from an in-process development node (see
/// <see cref="DevelopmentServer"/>), republishing it on every change, and prints each request with what the
/// program printed and any error. Ctrl-C stops it.
/// </summary>
internal static class DevCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The program folder (with main.luau at its top)." };
        var port = new Option<int>("--port") { Description = $"The port on localhost (default {DevelopmentServer.DefaultPort}; 0 picks a free one).", DefaultValueFactory = _ => DevelopmentServer.DefaultPort };
        var keys = KeysCommand.KeysOption();
        var node = LocalPrograms.NodeOption();
        var poll = new Option<double?>("--poll")
        {
            Description = "Check the folder every SECONDS instead of watching it (for mounts whose change events never arrive).",
            HelpName = "SECONDS",
        };
        var command = new Command("dev", """
            Serve a program while you work on it: a node on a temporary store serves it at http://localhost:PORT/ and
            at its own subdomain, http://NAME-ID.localhost:PORT/. Every change in the folder (subfolders too) is
            republished; open pages reload by themselves, and a program error shows in the browser with its source
            line and traceback. The runtime and limits are a node's; the result cache is off, so every request runs
            and what it prints shows here. Programs the folder's coputer.json pins are fetched by hash from --node
            when a run first needs them, and checked. Ctrl-C stops it.

            Examples:
              coputer dev site
              coputer dev site --port 8080
              coputer dev site --poll 1        (a folder on a mount that sends no change events)
            """)
        {
            directory,
            port,
            keys,
            poll,
            node,
        };
        command.SetAction(async (p, cancellation) =>
            await RunAsync(p.GetValue(directory)!, p.GetValue(port), p.GetValue(keys), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, cancellation, pollSeconds: p.GetValue(poll), node: p.GetValue(node)));
        return command;
    }

    internal static async Task<int> RunAsync(string directory, int port, string? keysPath, TextWriter output, TextWriter error, CancellationToken cancellation, Action<DevelopmentServer>? started = null, double? pollSeconds = null, string? node = null)
    {
        if (pollSeconds is { } seconds && !(seconds is >= 0.05 and <= 3600))
        {
            error.WriteLine($"--poll {seconds.ToString(CultureInfo.InvariantCulture)}: give seconds between 0.05 and 3600");
            return 1;
        }
        if (port is < 0 or > 65535)
        {
            error.WriteLine($"--port {port}: a port is between 0 and 65535");
            return 1;
        }
        if (!Directory.Exists(directory))
        {
            error.WriteLine($"{directory}: no such folder");
            return 1;
        }
        // The publisher's own key makes the subdomain the one `coputer publish` will use; without one, a throwaway key.
        Publisher? publisher = null;
        string path = keysPath ?? KeysCommand.DefaultPath;
        if (File.Exists(path))
        {
            publisher = KeysCommand.Load(path, error);
            if (publisher is null)
                return 1;
        }
        else if (keysPath is not null)
        {
            error.WriteLine($"{keysPath}: no publisher key (make one with: coputer keys new --keys {keysPath})");
            return 1;
        }

        DependencySource dependencies;
        try
        {
            dependencies = new DependencySource(node ?? NodeClient.DefaultUrl);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"--node: {e.Message}");
            publisher?.Dispose();
            return 1;
        }
        using var disposeDependencies = dependencies;
        var console = TextWriter.Synchronized(output);
        DevelopmentServer server;
        try
        {
            server = await DevelopmentServer.StartAsync(new DevelopmentServerOptions
            {
                Directory = directory,
                Port = port,
                Publisher = publisher,
                PollInterval = pollSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
                Dependencies = dependencies,
            }, cancellation);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"cannot start: {e.Message}");
            publisher?.Dispose();
            return 1;
        }
        await using (server)
        {
            var styled = Terminal.StyledFor(output);
            server.Served += log => PrintRequest(console, styled, log);
            server.Republished += r => PrintRepublication(console, r);
            server.DependencyUnavailable += why => console.WriteLine($"{Now()} cannot fetch a pinned dependency: {why}");
            console.WriteLine($"serving {Path.GetFullPath(directory)} at {server.Url}");
            console.WriteLine($"               and at {server.SubdomainUrl}");
            if (server.Hub.Failure is { } failure)
                console.WriteLine($"{Now()} cannot bundle: {failure.Message}");
            if (server.WatchFallback is { } why)
                console.WriteLine($"cannot watch the folder ({why}); checking it every {server.PollInterval!.Value.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s instead");
            console.WriteLine(server.PollInterval is { } every
                ? $"checking for changes every {every.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s; Ctrl-C stops"
                : "watching for changes; Ctrl-C stops");
            started?.Invoke(server);
            await server.WaitForShutdownAsync(cancellation);
            console.WriteLine("stopping");
        }
        publisher?.Dispose();
        return 0;
    }

    private static string Now() => DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static void PrintRequest(TextWriter console, IAnsiConsole? styled, ProgramRequestLog log)
    {
        var result = log.Result;
        string cost = result.Info.Cached ? "cached" : $"{result.Info.Instructions.ToString("N0", CultureInfo.InvariantCulture)} instructions";
        string before = $"{Now()} {log.Method} {log.Target} -> ";
        string after = $" in {log.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms, {cost}";
        if (styled is not null)
        {
            // Requests are printed from several threads; one line at a time.
            lock (styled)
                styled.MarkupLine($"{Markup.Escape(before)}[{Terminal.StatusColour(log.StatusCode)}]{log.StatusCode}[/]{Markup.Escape(after)}");
        }
        else
        {
            console.WriteLine($"{before}{log.StatusCode}{after}");
        }
        if (result.Info.Log.Length > 0)
        {
            foreach (string line in result.Info.Log.TrimEnd('\n').Split('\n'))
                console.WriteLine($"    | {line}");
        }
        if (result.Status != RunStatus.Ok && result.Error is not null)
        {
            console.WriteLine($"    {result.Error}");
            if (!string.IsNullOrEmpty(result.Traceback))
            {
                foreach (string line in result.Traceback.TrimEnd('\n').Split('\n'))
                    console.WriteLine($"      {line}");
            }
        }
    }

    private static void PrintRepublication(TextWriter console, Republication r)
    {
        if (r.Unchanged)
            return;
        if (r.Failure is { } failure)
            console.WriteLine($"{Now()} cannot bundle: {failure.Message}");
        else
            console.WriteLine($"{Now()} republished (program {r.Program.ToString()![..12]}); open pages reload");
    }
}
