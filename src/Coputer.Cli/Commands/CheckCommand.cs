using System.CommandLine;
using Coputer.Luau.Compiler;
using Coputer.Luau.Syntax;
using ParseResult = Coputer.Luau.Syntax.ParseResult;

namespace Coputer.Cli.Commands;

/// <summary>
/// <c>coputer check PATH...</c>: reports the errors in Luau files without running them. Each error is printed to
/// standard output as <c>path:line:column: message</c> (1-based line and column; the column counts bytes).
/// </summary>
internal static class CheckCommand
{
    /// <summary>A problem found in a file, at a 0-based position.</summary>
    internal readonly record struct Diagnostic(Position Position, string Message);

    /// <summary>
    /// The checks run on a file that parsed, in order; each sees the parse and adds what it finds. Syntax errors come
    /// from the parser itself; compiling then finds the rest that can be known without running (too many locals or
    /// registers, <c>continue</c> over a local the <c>until</c> condition uses, ...).
    /// </summary>
    private static readonly Func<ParseResult, IEnumerable<Diagnostic>>[] s_stagesAfterParsing = [Compile];

    private static IEnumerable<Diagnostic> Compile(ParseResult parse)
    {
        foreach (var e in LuauCompiler.Compile(parse).Errors)
            yield return new Diagnostic(e.Location.Begin, e.Message);
    }

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Luau files to check, or folders to search for .luau and .lua files.",
            Arity = ArgumentArity.OneOrMore,
        };

        var command = new Command(
            "check",
            "Check Luau files for errors without running them. Errors are printed as path:line:column: message. " +
            "Exit status: 0 when every file is free of errors, 1 when any file has an error or a path cannot be read.");
        command.Arguments.Add(paths);
        command.SetAction(result =>
            Run(result.GetValue(paths) ?? [], result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Checks every file named or found under the paths; returns the exit status.</summary>
    internal static int Run(IReadOnlyList<string> paths, TextWriter output, TextWriter error)
    {
        bool failed = false;
        foreach (string path in paths)
        {
            if (File.Exists(path))
            {
                failed |= !CheckFile(path, output, error);
            }
            else if (Directory.Exists(path))
            {
                foreach (string file in LuauFilesUnder(path))
                    failed |= !CheckFile(file, output, error);
            }
            else
            {
                error.WriteLine($"{path}: no such file or folder");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    /// <summary>
    /// Every .luau and .lua file below <paramref name="folder"/>, sorted by path; not type definition files
    /// (<c>*.d.luau</c>), whose <c>declare</c> statements are for type checkers, not programs.
    /// </summary>
    internal static List<string> LuauFilesUnder(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        var files = new List<string>();
        foreach (string file in Directory.EnumerateFiles(folder, "*", options))
        {
            string extension = Path.GetExtension(file);
            if (file.EndsWith(".d.luau", StringComparison.OrdinalIgnoreCase))
                continue;
            if (extension.Equals(".luau", StringComparison.OrdinalIgnoreCase) || extension.Equals(".lua", StringComparison.OrdinalIgnoreCase))
                files.Add(file);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Checks one file and prints what it finds; false when there was anything to report.</summary>
    private static bool CheckFile(string path, TextWriter output, TextWriter error)
    {
        byte[] source;
        try
        {
            source = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{path}: cannot read: {e.Message}");
            return false;
        }

        List<Diagnostic> diagnostics = Check(source);
        foreach (Diagnostic d in diagnostics)
            output.WriteLine($"{path}:{d.Position.Line + 1}:{d.Position.Column + 1}: {d.Message}");
        return diagnostics.Count == 0;
    }

    /// <summary>Everything wrong with one chunk of source: its syntax errors, or else what the later stages report.</summary>
    internal static List<Diagnostic> Check(byte[] source)
    {
        ParseResult result = Parser.Parse(WithoutShebang(source));

        var diagnostics = new List<Diagnostic>();
        foreach (ParseError e in result.Errors)
            diagnostics.Add(new Diagnostic(e.Location.Begin, e.Message));

        // Later stages need a tree without errors.
        if (diagnostics.Count == 0)
        {
            foreach (Func<ParseResult, IEnumerable<Diagnostic>> stage in s_stagesAfterParsing)
                diagnostics.AddRange(stage(result));
        }
        return diagnostics;
    }

    /// <summary>A first line starting with "#!" is blanked (its newline stays, so line numbers do not move).</summary>
    internal static ReadOnlySpan<byte> WithoutShebang(byte[] source)
    {
        if (source.Length < 2 || source[0] != '#' || source[1] != '!')
            return source;
        int newline = Array.IndexOf(source, (byte)'\n');
        return newline < 0 ? [] : source.AsSpan(newline);
    }
}
