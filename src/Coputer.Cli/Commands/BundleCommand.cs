using System.CommandLine;
using Coputer.Platform.Bundles;

namespace Coputer.Cli.Commands;

/// <summary><c>coputer bundle DIR [-o FILE]</c>: packs a program folder into a bundle and prints its hash.</summary>
internal static class BundleCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The program folder (with main.luau at its top)." };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the bundle (default: only print the hash)." };
        var command = new Command("bundle", "Pack a program folder into a bundle and print its hash (the program's identity).\n\nExample:\n  coputer bundle site -o site.bundle")
        {
            directory,
            output,
        };
        command.SetAction(p => Run(p.GetValue(directory)!, p.GetValue(output), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(string directory, string? outputPath, TextWriter output, TextWriter error)
    {
        if (!Directory.Exists(directory))
        {
            error.WriteLine($"{directory}: no such folder");
            return 1;
        }
        Bundle bundle;
        try
        {
            bundle = Bundle.FromDirectory(directory);
        }
        catch (BundleException e)
        {
            error.WriteLine($"{directory}: {e.Message}");
            return 1;
        }
        if (outputPath is not null)
        {
            try
            {
                File.WriteAllBytes(outputPath, bundle.Encode());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"{outputPath}: cannot write: {e.Message}");
                return 1;
            }
        }
        output.WriteLine(bundle.Hash.ToString());
        return 0;
    }
}
