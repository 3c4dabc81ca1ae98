using System.Text;
using Coputer.Cli.Commands;
using Coputer.Luau.Tests;

namespace Coputer.Cli.Tests;

/// <summary>
/// The conformance files that must pass under <c>coputer run</c> with no test harness: each runs through the
/// command's own code and passes when it exits 0 and the chunk returns "OK" (printed by <c>--print-results</c>).
/// </summary>
public class RunConformanceTests
{
    public static TheoryData<string> Files => new(
    [
        "apicalls", "assert", "attrib", "bitwise", "calls", "clear", "constructs", "datetime", "errors", "events",
        "exceptions", "explicit_type_instantiations", "ifelseexpr", "interrupt", "iter_fenv", "jit_inliner", "literals",
        "locals", "math", "move", "native_integer_spills", "safeenv", "sort", "strconv", "stringinterp", "strings",
        "tmerror", "tpack", "utf8",
    ]);

    [Theory]
    [MemberData(nameof(Files))]
    public void ExitsZeroAndReturnsOk(string name)
    {
        string path = Path.Combine(SharedCorpus.ConformanceDirectory, name + ".luau");
        using var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int exitCode = 0;
        // The command runs on the process's main thread; give the test the same 8 MB of stack.
        var thread = new Thread(() => exitCode = RunCommand.Run(path, [], 1, 1, stdout, stderr, printResults: true), 8 << 20);
        thread.Start();
        thread.Join();
        string output = Encoding.UTF8.GetString(stdout.ToArray());
        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");
        Assert.EndsWith("OK\n", output);
    }
}
