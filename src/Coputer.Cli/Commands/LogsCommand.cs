using System.CommandLine;
using System.Globalization;
using Coputer.Gateway.Api;
using Coputer.Platform.Identity;

using Spectre.Console;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer logs NAME [--follow] [--node URL]</c>: the recent runs of one's program on a node (time, request,
/// outcome, duration, instructions, what it printed, errors), read with a request signed by the publisher key.
/// </summary>
internal static class LogsCommand
{
    /// <summary>How often <c>--follow</c> asks for new runs.</summary>
    internal static TimeSpan FollowInterval { get; set; } = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The program's name (as published with your key), or its whole label {name}-{id}." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new runs as they happen (Ctrl-C stops)." };
        var node = new Option<string>("--node") { Description = $"The node to ask (default {NodeClient.DefaultUrl}).", DefaultValueFactory = _ => NodeClient.DefaultUrl };
        var keys = KeysCommand.KeysOption();
        var command = new Command("logs", """
            Show the recent runs of your program on a node: when, which request, the outcome and status, how long it
            took, the instructions it used, what it printed and any error with its traceback. Only the program's
            publisher may read them: the request is signed with your key.

            Examples:
              coputer logs site
              coputer logs site --follow --node http://coputer.example.org
            """)
        {
            name,
            follow,
            node,
            keys,
        };
        command.SetAction(async (p, cancellation) => await RunAsync(p.GetValue(name)!, p.GetValue(follow), p.GetValue(node)!, p.GetValue(keys) ?? KeysCommand.DefaultPath,
            p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, cancellation));
        return command;
    }

    internal static async Task<int> RunAsync(string name, bool follow, string nodeUrl, string keysPath, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        using var publisher = KeysCommand.Load(keysPath, error);
        if (publisher is null)
            return 1;
        string label;
        if (ProgramLabel.TryParse(name, out var given))
        {
            label = given.ToString();
        }
        else if (ProgramName.Validate(name) is { } invalid)
        {
            error.WriteLine($"'{name}' is not a program name: {invalid}");
            return 1;
        }
        else
        {
            label = new ProgramLabel(name, publisher.Key.Id).ToString();
        }

        var seen = new HashSet<(long, string)>();
        DateTimeOffset? since = null;
        try
        {
            using var client = new NodeClient(nodeUrl);
            var styled = Terminal.StyledFor(output);
            if (styled is not null && !follow)
            {
                // A person at a terminal gets one table; pipes and files get the line format below.
                var recent = await client.RunsAsync(label, publisher, null, cancellation);
                if (recent.Count == 0)
                    output.WriteLine($"no runs of {label} on this node yet");
                else
                    styled.Write(Table(recent.Reverse()));
                return 0;
            }
            while (true)
            {
                var runs = await client.RunsAsync(label, publisher, since, cancellation);
                // The node answers newest first; a log reads oldest first.
                foreach (var run in runs.Reverse())
                {
                    if (!seen.Add((run.Time.UtcTicks, run.Request)))
                        continue;
                    Print(run, output);
                    if (since is null || run.Time > since)
                        since = run.Time;
                }
                if (!follow)
                {
                    if (runs.Count == 0)
                        output.WriteLine($"no runs of {label} on this node yet");
                    return 0;
                }
                // The node compares whole milliseconds: ask from one earlier, and skip what was printed.
                if (since is { } s)
                    since = s.AddMilliseconds(-1);
                await Task.Delay(FollowInterval, cancellation);
            }
        }
        catch (NodeClientException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>The runs as a table, oldest first: time, request, status, duration, instructions, and what each printed or raised.</summary>
    internal static Table Table(IEnumerable<RunRecord> runs)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("time").AddColumn("request").AddColumn("status")
            .AddColumn(new TableColumn("ms").RightAligned()).AddColumn(new TableColumn("instructions").RightAligned())
            .AddColumn("output");
        foreach (var run in runs)
        {
            string time = run.Time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            string status = run.StatusCode is int code
                ? $"[{Terminal.StatusColour(code)}]{code}[/]"
                : $"[red]{Markup.Escape(run.Outcome)}[/]";
            var details = new List<string>();
            if (run.Log.Length > 0)
                details.Add(Markup.Escape(run.Log.TrimEnd('\n')));
            if (run.Error is not null)
                details.Add($"[red]{Markup.Escape(run.Error)}[/]");
            table.AddRow(
                Markup.Escape(time),
                Markup.Escape(run.Request),
                status,
                run.DurationMs.ToString("0.0", CultureInfo.InvariantCulture),
                run.Instructions.ToString("N0", CultureInfo.InvariantCulture),
                string.Join('\n', details));
        }
        return table;
    }

    internal static void Print(RunRecord run, TextWriter output)
    {
        string time = run.Time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        string status = run.StatusCode is int code ? code.ToString(CultureInfo.InvariantCulture) : run.Outcome;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{time}  {run.Request}  {status}  {run.DurationMs:0.0} ms  {run.Instructions:N0} instructions"));
        if (run.Log.Length > 0)
        {
            foreach (string line in run.Log.TrimEnd('\n').Split('\n'))
                output.WriteLine($"    | {line}");
        }
        if (run.Error is not null)
        {
            output.WriteLine($"    {run.Outcome}: {run.Error}");
            if (!string.IsNullOrEmpty(run.Traceback))
            {
                foreach (string line in run.Traceback.TrimEnd('\n').Split('\n'))
                    output.WriteLine($"      {line}");
            }
        }
    }
}
