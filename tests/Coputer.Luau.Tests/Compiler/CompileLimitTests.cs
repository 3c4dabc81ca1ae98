using System.Diagnostics;
using System.Text;
using Coputer.Luau.Compiler;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Compiler;

/// <summary>Compilation is bounded: cancellable through its token or the engine's run, and charged to the memory limit.</summary>
public class CompileLimitTests
{
    private static byte[] Literal(int count) => Encoding.ASCII.GetBytes("return {" + string.Concat(Enumerable.Repeat("1,", count)) + "}");

    [Fact]
    public void ACancelledTokenStopsTheParserAndTheCompiler()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var options = new CompileOptions { Cancellation = cancelled.Token };
        Assert.Throws<OperationCanceledException>(() => LuauCompiler.Compile(Literal(20_000), options));
        // Past the parser: a tree that parsed is stopped in the compiler's passes.
        var parse = Coputer.Luau.Syntax.Parser.Parse(Literal(20_000));
        Assert.Throws<OperationCanceledException>(() => LuauCompiler.Compile(parse, options));
        // Small inputs and uncancelled tokens compile as before.
        Assert.True(LuauCompiler.Compile(Literal(20_000), new CompileOptions { Cancellation = new CancellationTokenSource().Token }).Success);
    }

    [Fact]
    public void LoadstringOfAHugeLiteralIsChargedToTheMemoryLimit()
    {
        var engine = new LuauEngine(new LuauEngineOptions { MemoryLimit = 64 << 20, EnableLoadstring = true });
        var r = engine.DoString("""
            local source = "return {" .. string.rep("1,", 3000000) .. "}"
            return pcall(loadstring, source)
            """);
        Assert.Equal(LuauValue.False, r[0]);
        Assert.Contains("not enough memory", r[1].ToString(), StringComparison.Ordinal);
        // The charge is returned: the state goes on working, and a smaller literal loads.
        Assert.Equal(30000, engine.DoString("""return #loadstring("return {" .. string.rep("1,", 30000) .. "}")()""")[0].Number);
    }

    [Fact]
    public void LoadstringStopsWhenTheRunIsCancelled()
    {
        var source = Literal(1_000_000);
        var clock = Stopwatch.StartNew();
        Assert.True(LuauCompiler.Compile(source).Success);
        var full = clock.Elapsed;

        using var cancellation = new CancellationTokenSource();
        var engine = new LuauEngine(new LuauEngineOptions { EnableLoadstring = true });
        engine.SetFunction("cancel", c =>
        {
            cancellation.Cancel();
            return c.Return();
        });
        engine.Globals["source"] = new LuauValue(LuauString.From(source));
        clock.Restart();
        // The token is polled inside the compilation: it stops long before the compilation could finish.
        var e = Assert.Throws<LuauTerminatedException>(() => engine.DoString("cancel() local f = loadstring(source) return 1", cancellation.Token));
        Assert.Equal(LuauTerminationReason.Cancelled, e.Reason);
        Assert.True(clock.Elapsed < full / 3, $"stopped after {clock.Elapsed.TotalMilliseconds:F0} ms; a full compile takes {full.TotalMilliseconds:F0} ms");
    }
}
