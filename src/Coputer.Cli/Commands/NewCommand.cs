using System.CommandLine;
using System.Reflection;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer new DIR</c>: writes a starter site (an entry point, a layout module, a stylesheet, a test and type
/// declarations for <c>args</c>) into a new or empty folder. The files are the ones under <c>Templates/site</c>
/// in this project, carried inside the command.
/// </summary>
internal static class NewCommand
{
    private const string ResourcePrefix = "site/";

    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The folder to create (it must not exist, or be empty)." };
        var command = new Command("new", """
            Make a starter site in a new folder: main.luau (the entry point), layout.luau (the page layout and HTML
            escaping), public/style.css (an asset), main.test.luau (tests for coputer test) and types/args.d.luau
            (type declarations for args, for editors).

            Example:
              coputer new site && coputer dev site
            """)
        {
            directory,
        };
        command.SetAction(p => Run(p.GetValue(directory)!, p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The starter site's files: path inside the site, then content.</summary>
    internal static IReadOnlyList<(string Path, byte[] Content)> Files()
    {
        var assembly = typeof(NewCommand).Assembly;
        var files = new List<(string, byte[])>();
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var content = new MemoryStream();
            stream.CopyTo(content);
            files.Add((name[ResourcePrefix.Length..].Replace('\\', '/'), content.ToArray()));
        }
        return files;
    }

    internal static int Run(string directory, TextWriter output, TextWriter error)
    {
        if (File.Exists(directory) || (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()))
        {
            error.WriteLine($"{directory}: already exists and is not empty (coputer new makes a new site)");
            return 1;
        }
        try
        {
            foreach (var (path, content) in Files())
            {
                string full = Path.Combine(directory, path.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllBytes(full, content);
                output.WriteLine($"  {Path.Combine(directory, path)}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{directory}: cannot write: {e.Message}");
            return 1;
        }
        output.WriteLine();
        output.WriteLine("Next:");
        output.WriteLine($"  coputer dev {directory}     serve it with live reload");
        output.WriteLine($"  coputer test {directory}    run its tests");
        return 0;
    }
}
