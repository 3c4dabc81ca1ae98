using System.CommandLine;
using System.Text;
using Coputer.Cli.Commands;

namespace Coputer.Cli.Tests;

public sealed class CheckCommandTests() : ScratchFolderTests("check")
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = Program.BuildRootCommand().Parse(["check", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public void ValidFileExitsWithZeroAndPrintsNothing()
    {
        string file = Write("good.luau", "local x: number = 1\nprint(`x is {x}`)\n");
        var (exitCode, output, error) = Run(file);
        Assert.Equal(0, exitCode);
        Assert.Equal("", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void ErrorsArePrintedWithPathLineAndColumn()
    {
        string file = Write("bad.luau", "local x = 1 +\nlocal y = (\n");
        var (exitCode, output, _) = Run(file);
        Assert.Equal(1, exitCode);
        Assert.Equal(
            [
                $"{file}:2:1: Expected identifier when parsing expression, got 'local'",
                $"{file}:3:1: Expected identifier when parsing expression, got <eof>",
            ],
            Lines(output));
    }

    [Fact]
    public void ColumnsAreOneBased()
    {
        string file = Write("col.luau", "x = a != b");
        var (_, output, _) = Run(file);
        Assert.Equal([$"{file}:1:7: Unexpected '!='; did you mean '~='?"], Lines(output));
    }

    [Fact]
    public void FoldersAreSearchedForLuauAndLuaFilesInOrder()
    {
        Write("b/second.lua", "x = =");
        Write("a/first.luau", "y = )");
        Write("a/z/third.luau", "ok = 1");
        Write("a/notes.txt", "this is not = lua (");
        Write("c.LUAU", "w = ]");

        var (exitCode, output, _) = Run(Root);
        Assert.Equal(1, exitCode);
        // Files in path order; "x = =" has a second error where the stray '=' leaves nothing to assign.
        Assert.Equal(
            [
                Path.Combine(Root, "a", "first.luau") + ":1:5",
                Path.Combine(Root, "b", "second.lua") + ":1:5",
                Path.Combine(Root, "b", "second.lua") + ":1:6",
                Path.Combine(Root, "c.LUAU") + ":1:5",
            ],
            Lines(output).Select(line => line[..line.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Fact]
    public void FolderOfValidFilesPasses()
    {
        Write("lib/a.luau", "return {}");
        Write("lib/deep/b.lua", "local t = {} t.x = 1 return t");
        Assert.Equal(0, Run(Path.Combine(Root, "lib")).ExitCode);
    }

    [Fact]
    public void SeveralPathsAreAllChecked()
    {
        string good = Write("one.luau", "return 1");
        string bad = Write("two.luau", "return return");
        var (exitCode, output, _) = Run(good, bad);
        Assert.Equal(1, exitCode);
        Assert.All(Lines(output), line => Assert.StartsWith(bad + ":", line));
    }

    [Fact]
    public void MissingPathIsAnError()
    {
        string good = Write("fine.luau", "return 1");
        string missing = Path.Combine(Root, "missing.luau");
        var (exitCode, output, error) = Run(good, missing);
        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Equal($"{missing}: no such file or folder", error.Trim());
    }

    [Fact]
    public void NoPathsIsAUsageError()
    {
        var (exitCode, _, error) = Run();
        Assert.NotEqual(0, exitCode);
        Assert.Contains("paths", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ShebangLineIsIgnoredAndLineNumbersKept()
    {
        string file = Write("script.luau", "#!/usr/bin/env coputer run\nprint('hi')\nx = = 1\n");
        var (exitCode, output, _) = Run(file);
        Assert.Equal(1, exitCode);
        Assert.Equal([$"{file}:3:5: Expected identifier when parsing expression, got '='"], Lines(output));
    }

    [Fact]
    public void BinaryGarbageIsReportedNotFatal()
    {
        string file = Path.Combine(Root, "garbage.luau");
        var random = new Random(5);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        File.WriteAllBytes(file, bytes);

        var (exitCode, output, _) = Run(file);
        Assert.Equal(1, exitCode);
        Assert.StartsWith(file + ":", Lines(output)[0]);
    }

    [Fact]
    public void HelpDescribesExitStatus()
    {
        var output = new StringWriter();
        Program.BuildRootCommand().Parse(["check", "--help"]).Invoke(new InvocationConfiguration { Output = output });
        string help = output.ToString();
        Assert.Contains("path:line:column: message", help, StringComparison.Ordinal);
        Assert.Contains("Exit status", help, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckSeesEverySyntaxError()
    {
        var diagnostics = CheckCommand.Check(Encoding.UTF8.GetBytes("a = )\nb = )\n"));
        Assert.Equal(2, diagnostics.Count);
        Assert.Equal(1, diagnostics[1].Position.Line);
    }
}
