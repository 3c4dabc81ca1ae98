using System.CommandLine;
using Coputer.Platform.Bundles;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

using Spectre.Console;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer publish DIR [--node URL] [--name NAME]</c>: bundles the folder, signs a publication record with the
/// publisher key (the next sequence number after the node's current one) and sends both to the node, which
/// verifies them before storing anything; prints the program's address.
/// </summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The program folder (with main.luau at its top)." };
        var node = new Option<string>("--node") { Description = $"The node to publish to (default {NodeClient.DefaultUrl}).", DefaultValueFactory = _ => NodeClient.DefaultUrl };
        var name = new Option<string?>("--name") { Description = "The program's name (default: the folder's name)." };
        var keys = KeysCommand.KeysOption();
        var command = new Command("publish", """
            Sign the program in DIR with your publisher key and send it to a node, which checks the signature before
            it stores anything. Prints the program's address, {name}-{id}.{node's host}, and the address of exactly
            this version. Publishing again replaces the version the name points at; every version stays reachable
            by its hash.

            Examples:
              coputer publish site
              coputer publish site --node http://coputer.example.org --name blog
            """)
        {
            directory,
            node,
            name,
            keys,
        };
        command.SetAction(async (p, cancellation) => await RunAsync(p.GetValue(directory)!, p.GetValue(node)!, p.GetValue(name), p.GetValue(keys) ?? KeysCommand.DefaultPath,
            p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, cancellation));
        return command;
    }

    internal static async Task<int> RunAsync(string directory, string nodeUrl, string? name, string keysPath, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        name ??= Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        if (ProgramName.Validate(name) is { } invalid)
        {
            error.WriteLine($"'{name}' cannot name a program: {invalid} (choose one with --name)");
            return 1;
        }
        if (BundleCommand.Pack(directory, error) is not { } bundle)
            return 1;
        using var publisher = KeysCommand.Load(keysPath, error);
        if (publisher is null)
            return 1;
        string label = new ProgramLabel(name, publisher.Key.Id).ToString();
        try
        {
            using var client = new NodeClient(nodeUrl);
            // On a terminal a spinner shows while the node is asked and the bundle sent.
            var styled = Terminal.StyledFor(output);
            async Task<T> Waiting<T>(string what, Func<Task<T>> step) => styled is null
                ? await step()
                : await styled.Status().Spinner(Spinner.Known.Dots).StartAsync(what, _ => step());
            var (current, program) = await Waiting($"asking {nodeUrl} about {label}", () => client.CurrentAsync(label, cancellation));
            if (program == bundle.Hash.ToString())
            {
                output.WriteLine($"{label} already serves this version (#{current})");
                return 0;
            }
            long sequence = current + 1;
            var record = new PublicationRecord(publisher.Key, name, bundle.Hash, sequence).Sign(publisher);
            var (status, answer) = await Waiting($"sending {label} #{sequence} ({bundle.Files.Count} files)", () => client.PublishAsync(record, bundle, cancellation));
            if (answer.Status is "published" or "already-published")
            {
                output.WriteLine(answer.Status == "published" ? $"published {label} #{answer.Sequence}" : $"{label} already serves this version");
                output.WriteLine($"  {answer.Url}");
                output.WriteLine($"  this version: {answer.PreviewUrl}");
                return 0;
            }
            error.WriteLine($"the node refused the program ({(int)status} {answer.Reason}): {answer.Error}");
            return 1;
        }
        catch (NodeClientException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }
}
