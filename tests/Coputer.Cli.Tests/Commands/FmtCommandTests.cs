using System.CommandLine;
using System.Text;
using Coputer.Cli.Commands;

namespace Coputer.Cli.Tests.Commands;

public sealed class FmtCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("coputer-fmt-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relativePath, string contents)
    {
        string path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
        return path;
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = Program.BuildRootCommand().Parse(["fmt", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString().Replace("\r\n", "\n"), error.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void FormatsFilesInPlaceAndLeavesFormattedOnesAlone()
    {
        string messy = Write("src/a.luau", "local x=1\nif x then print( x ) end");
        string tidy = Write("src/b.lua", "local y = 2\n");
        DateTime before = File.GetLastWriteTimeUtc(tidy);

        var (exitCode, output, error) = Run(Path.Combine(_root, "src"));

        Assert.Equal(0, exitCode);
        Assert.Equal("", output);
        Assert.Equal("Formatted 1 of 2 files.\n", error);
        Assert.Equal("local x = 1\nif x then\n\tprint(x)\nend\n", File.ReadAllText(messy));
        Assert.Equal(before, File.GetLastWriteTimeUtc(tidy));
    }

    [Fact]
    public void CheckListsFilesThatWouldChangeAndExitsWithOne()
    {
        string messy = Write("a.luau", "local x=1");
        Write("b.luau", "local y = 2\n");

        var (exitCode, output, _) = Run("--check", _root);

        Assert.Equal(1, exitCode);
        Assert.Equal(messy + "\n", output);
        Assert.Equal("local x=1", File.ReadAllText(messy));
        Assert.Equal(0, Run("--check", Path.Combine(_root, "b.luau")).ExitCode);
    }

    [Fact]
    public void SyntaxErrorsAreReportedAndTheFileIsLeftAlone()
    {
        string bad = Write("bad.luau", "local = 1");
        var (exitCode, _, error) = Run(bad);
        Assert.Equal(1, exitCode);
        Assert.Equal($"{bad}:1:7: Expected identifier when parsing variable name, got '='\n", error);
        Assert.Equal("local = 1", File.ReadAllText(bad));
    }

    [Fact]
    public void MissingPathIsAnError()
    {
        var (exitCode, _, error) = Run(Path.Combine(_root, "nope.luau"));
        Assert.Equal(1, exitCode);
        Assert.EndsWith("nope.luau: no such file or folder\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void StyluaConfigurationBesideOrAboveTheFileApplies()
    {
        Write("stylua.toml", "indent_type = \"Spaces\"\nindent_width = 2\nquote_style = \"ForceSingle\"\n");
        string file = Write("deep/er/x.luau", "if a then print(\"x\") end");
        Assert.Equal(0, Run(file).ExitCode);
        Assert.Equal("if a then\n  print('x')\nend\n", File.ReadAllText(file));
    }

    [Fact]
    public void BadConfigurationIsReportedWithItsPath()
    {
        string config = Write(".stylua.toml", "indent_type = \"Tab\"\n");
        string file = Write("x.luau", "print(1)");
        var (exitCode, _, error) = Run(file);
        Assert.Equal(1, exitCode);
        Assert.Equal($"{config}: 'indent_type' must be one of Tabs, Spaces\n", error);
    }

    [Fact]
    public void StandardInputGoesToStandardOutputByteForByte()
    {
        byte[] source = [.. "local s='\xff'"u8.ToArray().Take(9), 0xFF, (byte)'\'', .. "  print( s )"u8];
        var input = new MemoryStream(source);
        var output = new MemoryStream();
        var error = new StringWriter();
        int exitCode = FmtCommand.RunStdin(input, output, error, check: false, configPath: null, stdinPath: Path.Combine(_root, "x.luau"));
        Assert.Equal(0, exitCode);
        Assert.Equal([.. "local s = \""u8, 0xFF, (byte)'"', .. "\nprint(s)\n"u8], output.ToArray());

        var failed = new MemoryStream();
        Assert.Equal(1, FmtCommand.RunStdin(new MemoryStream("local ="u8.ToArray()), failed, error, false, null, null));
        Assert.Equal(0, failed.Length);
        Assert.Contains("stdin:1:8:", error.ToString(), StringComparison.Ordinal);
    }
}
