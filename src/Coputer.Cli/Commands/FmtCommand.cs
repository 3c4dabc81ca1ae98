using System.CommandLine;
using Coputer.Tooling.Formatting;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer fmt [--check] [PATH...]</c>: formats Luau files in place (folders: every .luau and .lua file below), or
/// standard input to standard output when no path is given. Options come from the nearest <c>.stylua.toml</c> or
/// <c>stylua.toml</c>. Exit status: 0 when all is well; 1 when a file has syntax errors, cannot be read, or (with
/// <c>--check</c>) would change.
/// </summary>
internal static class FmtCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Luau files to format, or folders to search for .luau and .lua files. None: read standard input, write standard output.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var check = new Option<bool>("--check") { Description = "Change nothing; list the files that formatting would change and exit with 1 if there are any." };
        var config = new Option<string?>("--config") { Description = "Use this StyLua configuration file instead of the nearest .stylua.toml or stylua.toml." };
        var stdinPath = new Option<string?>("--stdin-path") { Description = "Where the text on standard input comes from, to find its configuration (editors pass the document's path)." };

        var command = new Command(
            "fmt",
            "Format Luau files: consistent layout, every comment kept, and the program's meaning never changed. Options (column_width, " +
            "indent_type, indent_width, quote_style, call_parentheses, collapse_simple_statement, ...) are read from the nearest " +
            ".stylua.toml or stylua.toml, as StyLua reads them.\n\nExamples:\n  coputer fmt src            format every file under src\n" +
            "  coputer fmt --check .      list the files that are not formatted (exit 1 if any)\n" +
            "  coputer fmt < a.luau       format standard input to standard output")
        {
            paths, check, config, stdinPath,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            string[] files = result.GetValue(paths) ?? [];
            if (files.Length == 0)
            {
                using Stream stdin = Console.OpenStandardInput();
                using Stream stdout = Console.OpenStandardOutput();
                return RunStdin(stdin, stdout, error, result.GetValue(check), result.GetValue(config), result.GetValue(stdinPath));
            }
            return Run(files, result.GetValue(check), result.GetValue(config), output, error);
        });
        return command;
    }

    /// <summary>Formats the files named or found under <paramref name="paths"/>; returns the exit status.</summary>
    internal static int Run(IReadOnlyList<string> paths, bool check, string? configPath, TextWriter output, TextWriter error)
    {
        FormatOptions? fixedOptions;
        try
        {
            fixedOptions = configPath is null ? null : StyluaConfig.Load(configPath);
        }
        catch (FormatConfigException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }

        bool failed = false;
        int seen = 0, changed = 0;
        foreach (string path in paths)
        {
            List<string> files;
            if (File.Exists(path))
                files = [path];
            else if (Directory.Exists(path))
                files = CheckCommand.LuauFilesUnder(path);
            else
            {
                error.WriteLine($"{path}: no such file or folder");
                failed = true;
                continue;
            }

            foreach (string file in files)
            {
                seen++;
                switch (FormatFile(file, check, fixedOptions, output, error))
                {
                    case Outcome.Changed:
                        changed++;
                        failed |= check;
                        break;
                    case Outcome.Failed:
                        failed = true;
                        break;
                }
            }
        }
        if (!check && seen > 1)
            error.WriteLine($"Formatted {changed} of {seen} files.");
        return failed ? 1 : 0;
    }

    private enum Outcome
    {
        Unchanged,
        Changed,
        Failed,
    }

    private static Outcome FormatFile(string file, bool check, FormatOptions? fixedOptions, TextWriter output, TextWriter error)
    {
        byte[] source;
        FormatOptions options;
        try
        {
            source = File.ReadAllBytes(file);
            options = fixedOptions ?? StyluaConfig.ForFile(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{file}: cannot read: {e.Message}");
            return Outcome.Failed;
        }
        catch (FormatConfigException e)
        {
            error.WriteLine(e.Message);
            return Outcome.Failed;
        }

        FormatResult result = LuauFormatter.Format(source, options);
        if (!result.Success)
        {
            Report(file, result, error);
            return Outcome.Failed;
        }
        if (result.Output.AsSpan().SequenceEqual(source))
            return Outcome.Unchanged;
        if (check)
        {
            output.WriteLine(file);
            return Outcome.Changed;
        }
        try
        {
            File.WriteAllBytes(file, result.Output!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{file}: cannot write: {e.Message}");
            return Outcome.Failed;
        }
        return Outcome.Changed;
    }

    private static void Report(string file, FormatResult result, TextWriter error)
    {
        foreach (var e in result.Errors)
            error.WriteLine($"{file}:{e.Location.Begin.Line + 1}:{e.Location.Begin.Column + 1}: {e.Message}");
        if (result.Failure is not null)
            error.WriteLine($"{file}: {result.Failure}");
    }

    /// <summary>Standard input to standard output. On failure nothing is written to the output, so an editor keeps its text.</summary>
    internal static int RunStdin(Stream input, Stream output, TextWriter error, bool check, string? configPath, string? stdinPath)
    {
        FormatOptions options;
        try
        {
            options = configPath is not null ? StyluaConfig.Load(configPath)
                : stdinPath is not null ? StyluaConfig.ForFile(stdinPath)
                : StyluaConfig.ForFile(Path.Combine(Directory.GetCurrentDirectory(), "stdin.luau"));
        }
        catch (FormatConfigException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }

        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        byte[] source = buffer.ToArray();
        FormatResult result = LuauFormatter.Format(source, options);
        if (!result.Success)
        {
            Report(stdinPath ?? "stdin", result, error);
            return 1;
        }
        if (check)
            return result.Output.AsSpan().SequenceEqual(source) ? 0 : 1;
        output.Write(result.Output);
        output.Flush();
        return 0;
    }
}
