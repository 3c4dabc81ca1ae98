using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Conformance;

/// <summary>
/// Conformance files that must pass the way <c>coputer run</c> runs a script (no test harness): each runs in a
/// fresh engine set up like the command line, and passes when its chunk returns "OK".
/// </summary>
public class CliConformanceTests
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
    public void ReturnsOk(string name)
    {
        var (status, values, trace) = LargeStack.Run(() => RunLikeCli(Path.Combine(SharedCorpus.ConformanceDirectory, name + ".luau")));
        Assert.True(status == LuauResumeStatus.Finished, $"{status}: {(values.Length > 0 ? values[0] : "")}\n{trace}");
        Assert.Equal("OK", values.Length > 0 ? values[0].ToString() : "(no result)");
    }

    /// <summary>The setup of <c>coputer run</c>: all libraries, loadstring, the limited collectgarbage, require, sandboxing.</summary>
    internal static (LuauResumeStatus, LuauValue[], string) RunLikeCli(string path)
    {
        var engine = new LuauEngine(new LuauEngineOptions
        {
            Platform = LuauPlatform.System,
            ModuleResolver = new FileSystemModuleResolver(),
            EnableLoadstring = true,
            EnableCollectGarbage = true,
        });
        var main = engine.Load(File.ReadAllBytes(path), "@" + path);
        var (thread, result) = engine.Start(main);
        return (result.Status, result.Values, engine.State.GetStackTrace(thread));
    }
}
