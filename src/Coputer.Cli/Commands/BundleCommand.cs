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

    /// <summary>Packs program folder <paramref name="directory"/>, or says on <paramref name="error"/> why it cannot be packed and returns null.</summary>
    internal static Bundle? Pack(string directory, TextWriter error)
    {
        if (!Directory.Exists(directory))
        {
            error.WriteLine($"{directory}: no such folder");
            return null;
        }
        try
        {
            return Bundle.FromDirectory(directory);
        }
        catch (BundleException e)
        {
            error.WriteLine($"{directory}: {e.Message}");
            return null;
        }
    }

    internal static int Run(string directory, string? outputPath, TextWriter output, TextWriter error)
    {
        if (Pack(directory, error) is not { } bundle)
            return 1;
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
