using System.Text;
using Coputer.Cli.Commands;

namespace Coputer.Cli.Tests;

/// <summary>
/// Error messages and traceback frames of <c>coputer run</c> worded, prefixed and cut as the reference <c>luau</c>
/// command's are (each expectation was checked against the reference's output for the same script).
/// </summary>
public sealed class ReferenceMessageTests() : ScratchFolderTests("messages")
{
    private static (int ExitCode, string Output, string Error) Run(string path)
    {
        using var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int exitCode = RunCommand.Run(path, [], 1, 1, stdout, stderr);
        return (exitCode, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    [Fact]
    public void ARequirePathThatDoesNotResolveIsRaisedWithoutAPosition()
    {
        var (code, _, error) = Run(Write("main.luau", "local x = require('./nothere')\n"));
        Assert.Equal(1, code);
        var lines = error.Split('\n');
        Assert.Equal("error requiring module \"./nothere\": could not resolve child component \"nothere\"", lines[0]);
        Assert.Equal("stacktrace:", lines[1]);
        Assert.Equal("[C] function require", lines[2]);
    }

    [Fact]
    public void AnErrorWhileRunningAModuleKeepsItsPositionAndIsCutAt511Bytes()
    {
        Write("a.luau", "return require('./b')\n");
        Write("b.luau", "return require('./a')\n");
        string main = Write("main.luau", "return require('./a')\n");
        var (code, _, error) = Run(main);
        Assert.Equal(1, code);
        string first = error.Split('\n')[0];
        // The position of the requiring line comes first, then the message the reference cut at its buffer's size.
        int start = first.IndexOf("error while running module: ", StringComparison.Ordinal);
        Assert.True(start > 0, first);
        Assert.EndsWith("main.luau:1: ", first[..start]);
        Assert.Equal(511, Encoding.UTF8.GetByteCount(first[start..]));
    }

    [Fact]
    public void TheFunctionCoroutineWrapReturnsIsABareCFrameInATraceback()
    {
        var (code, _, error) = Run(Write("wrap.luau", "local co = coroutine.wrap(function() error('boom') end)\nco()\n"));
        Assert.Equal(1, code);
        var lines = error.Split('\n');
        Assert.Contains("wrap.luau:2: ", lines[0]);
        Assert.EndsWith("wrap.luau:1: boom", lines[0]);
        Assert.Equal("stacktrace:", lines[1]);
        Assert.Equal("[C]", lines[2]);
        Assert.EndsWith("wrap.luau:2", lines[3]);
    }

    [Fact]
    public void TheVectorIndexMetamethodIsABareCFrameInATraceback()
    {
        var (code, _, error) = Run(Write("vec.luau", "local v = vector.create(1, 2, 3)\nlocal x = v.w\n"));
        Assert.Equal(1, code);
        var lines = error.Split('\n');
        Assert.EndsWith("vec.luau:2: attempt to index vector with 'w'", lines[0]);
        Assert.Equal("[C]", lines[2]);
        Assert.EndsWith("vec.luau:2", lines[3]);
    }
}
