using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// Runs Luau snippets in a fresh engine set up like the reference command line (all libraries, sandboxed globals,
/// the limited <c>collectgarbage</c>) and renders their results the way the reference's <c>print</c> would: each
/// value through the script's own <c>tostring</c>, separated by tabs. The chunk is named <c>=chunk</c>, so error
/// positions read <c>chunk:LINE:</c>.
/// </summary>
internal static class ScriptRunner
{
    public static LuauEngine NewEngine(LuauEngineOptions? options = null) =>
        new(options ?? new LuauEngineOptions { EnableCollectGarbage = true });

    /// <summary>The snippet's results, rendered by <c>tostring</c> and joined with tabs.</summary>
    public static string Run(string source, LuauEngineOptions? options = null)
    {
        var engine = NewEngine(options);
        return Render(engine, engine.DoString(source));
    }

    /// <summary>Renders values as <c>print</c> does (without the newline).</summary>
    public static string Render(LuauEngine engine, LuauValue[] values)
    {
        var tostring = engine.State.Globals["tostring"];
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++)
            parts[i] = engine.Call(tostring, values[i])[0].ToString();
        return string.Join('\t', parts);
    }

    /// <summary>Asserts that the snippet returns values that print as <paramref name="expected"/>.</summary>
    public static void Expect(string source, string expected) => Assert.Equal(expected, Run(source));

    /// <summary>Asserts that the snippet fails with an uncaught error whose value prints as <paramref name="message"/>.</summary>
    public static LuauRuntimeException ExpectError(string source, string message)
    {
        var engine = NewEngine();
        var e = Assert.Throws<LuauRuntimeException>(() => engine.DoString(source));
        Assert.Equal(message, Render(engine, [e.Value]));
        return e;
    }
}
