using System.CommandLine;
using Coputer.Gateway.Development;
using Coputer.Platform.Bundles;

namespace Coputer.Cli.Commands;

/// <summary>
/// A program folder as <c>coputer request</c> and <c>coputer test</c> load it: read as a bundle, and the programs its
/// <c>coputer.json</c> pins fetched from a node by hash and checked (only when it pins any).
/// </summary>
internal static class LocalPrograms
{
    /// <summary>The <c>--node</c> option of the local commands: where pinned dependencies come from.</summary>
    public static Option<string> NodeOption() => new("--node")
    {
        Description = $"The node the programs coputer.json pins are fetched from, by hash (default {NodeClient.DefaultUrl}; asked only when the folder pins some).",
        DefaultValueFactory = _ => NodeClient.DefaultUrl,
    };

    /// <summary>Loads <paramref name="directory"/> with its dependencies; null (after one line on <paramref name="error"/>) when that fails.</summary>
    public static LocalProgram? Load(string directory, string? node, TextWriter error, HttpMessageHandler? handler = null, CancellationToken cancellation = default)
    {
        Bundle bundle;
        try
        {
            bundle = Bundle.FromDirectory(directory);
        }
        catch (BundleException e)
        {
            error.WriteLine($"{directory}: {e.Message}");
            return null;
        }
        if (DependencySource.ManifestOf(bundle).Count == 0)
            return LocalProgram.FromBundle(bundle);
        try
        {
            using var source = new DependencySource(node ?? NodeClient.DefaultUrl, handler);
            var dependencies = source.ResolveAsync(bundle, cancellation).GetAwaiter().GetResult();
            return LocalProgram.WithDependencies(bundle, dependencies);
        }
        catch (Exception e) when (e is DependencyException or ArgumentException)
        {
            error.WriteLine($"{directory}: {e.Message}");
            return null;
        }
    }
}
