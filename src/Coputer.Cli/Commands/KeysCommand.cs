using System.CommandLine;
using Coputer.Platform.Identity;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer keys new|show [--keys FILE]</c>: makes and shows the publisher key. The secret key lives in the user's
/// config folder (<c>~/.config/coputer/publisher.key</c>) unless <c>--keys</c> names another file.
/// </summary>
internal static class KeysCommand
{
    /// <summary>Where the publisher key is kept unless told otherwise.</summary>
    internal static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "coputer", "publisher.key");

    /// <summary>The <c>--keys FILE</c> option, shared by every command that signs.</summary>
    internal static Option<string?> KeysOption() => new("--keys") { Description = $"The publisher key file (default: {DefaultPath})." };

    public static Command Create()
    {
        var keysNew = new Command("new", "Make a new publisher key and save it (refuses to replace an existing one without --force).\n\nExample:\n  coputer keys new");
        var force = new Option<bool>("--force") { Description = "Replace an existing key (the old one is lost)." };
        var keysOption = KeysOption();
        keysNew.Options.Add(force);
        keysNew.Options.Add(keysOption);
        keysNew.SetAction(p => New(p.GetValue(keysOption) ?? DefaultPath, p.GetValue(force), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));

        var keysShow = new Command("show", "Show the publisher's public key and id (never the secret).\n\nExample:\n  coputer keys show");
        var showKeys = KeysOption();
        keysShow.Options.Add(showKeys);
        keysShow.SetAction(p => Show(p.GetValue(showKeys) ?? DefaultPath, p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));

        return new Command("keys", "Make and show the publisher key that signs your programs.\n\nExamples:\n  coputer keys new\n  coputer keys show --keys ./my.key")
        {
            keysNew,
            keysShow,
        };
    }

    internal static int New(string path, bool force, TextWriter output, TextWriter error)
    {
        if (File.Exists(path) && !force)
        {
            error.WriteLine($"{path}: a key is already there (use --force to replace it)");
            return 1;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var publisher = Publisher.Generate();
            KeyFile.Write(path, publisher);
            PrintKey(publisher, path, output);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{path}: cannot write the key: {e.Message}");
            return 1;
        }
    }

    internal static int Show(string path, TextWriter output, TextWriter error)
    {
        using var publisher = Load(path, error);
        if (publisher is null)
            return 1;
        PrintKey(publisher, path, output);
        return 0;
    }

    /// <summary>The public half of a key and where it is kept; never the secret.</summary>
    private static void PrintKey(Publisher publisher, string path, TextWriter output)
    {
        output.WriteLine($"key:  {publisher.Key}");
        output.WriteLine($"id:   {publisher.Key.Id}");
        output.WriteLine($"file: {path}");
    }

    /// <summary>Reads the key at <paramref name="path"/>, or prints one line saying why not and returns null.</summary>
    internal static Publisher? Load(string path, TextWriter error)
    {
        if (!File.Exists(path))
        {
            error.WriteLine($"{path}: no publisher key (make one with: coputer keys new)");
            return null;
        }
        try
        {
            return KeyFile.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            error.WriteLine($"{path}: {e.Message}");
            return null;
        }
    }
}
