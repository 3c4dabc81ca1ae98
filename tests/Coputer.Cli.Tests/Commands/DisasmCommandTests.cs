using System.CommandLine;

namespace Coputer.Cli.Tests.Commands;

public sealed class DisasmCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coputer-disasm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, byte[] contents)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, contents);
        return path;
    }

    private string WriteFile(string name, string contents) => WriteFile(name, System.Text.Encoding.UTF8.GetBytes(contents));

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.BuildRootCommand().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void DisassemblesSource()
    {
        var path = WriteFile("ok.luau", "local t = {}\nfor i = 1, 3 do t[i] = i end\nprint(#t)\n");
        var (code, output, error) = Run("disasm", path);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.StartsWith("Function 0 (??):\n; 0 params, vararg, 0 upvalues", output, StringComparison.Ordinal);
        Assert.Contains("    2: for i = 1, 3 do t[i] = i end", output, StringComparison.Ordinal);
        Assert.Contains("FORNPREP", output, StringComparison.Ordinal);
        Assert.Contains("GETIMPORT R1 1 [print]", output, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsSelectLevelsAndPlainOutput()
    {
        var path = WriteFile("levels.luau", "local a = 1\nprint(a + 1)\n");
        var (code, output, _) = Run("disasm", "-O0", "-g0", "--plain", path);
        Assert.Equal(0, code);
        Assert.DoesNotContain("; ", output, StringComparison.Ordinal);
        // O0 keeps the local in a register and adds at run time; g0 leaves out lines.
        Assert.Contains("ADD R", output, StringComparison.Ordinal);
        Assert.DoesNotContain("1: local a = 1", output, StringComparison.Ordinal);

        (code, output, _) = Run("disasm", "-O2", "--plain", path);
        Assert.Equal(0, code);
        Assert.Contains("LOADN R1 2", output, StringComparison.Ordinal);
    }

    [Fact]
    public void CompileErrorsReportFileAndLine()
    {
        var path = WriteFile("bad.luau", "local x = 1\nlocal y = = 2\n");
        var (code, output, error) = Run("disasm", path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"{path}:2: Expected identifier when parsing expression, got '='", error.TrimEnd());
    }

    [Fact]
    public void ReadsBytecodeFiles()
    {
        var source = System.Text.Encoding.UTF8.GetBytes("return 42\n");
        var blob = Coputer.Luau.Compiler.LuauCompiler.CompileToBlob(source);
        var path = WriteFile("ok.luauc", blob);
        var (code, output, _) = Run("disasm", "--bytecode", path);
        Assert.Equal(0, code);
        Assert.Contains("LOADN R0 42", output, StringComparison.Ordinal);
        Assert.Contains("RETURN R0 1", output, StringComparison.Ordinal);
    }

    [Fact]
    public void BytecodeErrorsFail()
    {
        var garbage = WriteFile("garbage.luauc", [9, 3, 200, 1, 2]);
        var (code, _, error) = Run("disasm", "--bytecode", garbage);
        Assert.Equal(1, code);
        Assert.Contains("garbage.luauc: ", error, StringComparison.Ordinal);

        var blob = Coputer.Luau.Compiler.LuauCompiler.CompileToBlob(System.Text.Encoding.UTF8.GetBytes("return " + string.Join(",", Enumerable.Repeat("1", 255))));
        var failed = WriteFile("failed.luauc", blob);
        (code, _, error) = Run("disasm", "--bytecode", failed);
        Assert.Equal(1, code);
        Assert.Equal($"{failed}:1: Exceeded return count limit; simplify the code to compile", error.TrimEnd());
    }

    [Fact]
    public void MissingFileAndBadLevelsFail()
    {
        Assert.Equal(1, Run("disasm", Path.Combine(_dir, "missing.luau")).ExitCode);
        var path = WriteFile("x.luau", "return\n");
        Assert.NotEqual(0, Run("disasm", "-O5", path).ExitCode);
        Assert.NotEqual(0, Run("disasm", "-g3", path).ExitCode);
    }
}
