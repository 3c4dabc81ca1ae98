using Coputer.Luau.Compiler;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Conformance;

/// <summary>How one conformance file is run: compile options and the host functions its test sets up.</summary>
internal sealed class ConformanceSetup
{
    /// <summary>The harness default: O1 with line information.</summary>
    public CompileOptions CompileOptions { get; init; } = new() { OptimizationLevel = 1, DebugLevel = 1 };

    /// <summary>What the libraries read from the host (default: the real one, host math included, as the reference harness).</summary>
    public LuauPlatform Platform { get; init; } = LuauPlatform.System;

    /// <summary>Runs after the libraries are open and before sandboxing: add globals, type metatables, hooks.</summary>
    public Action<LuauState>? Setup { get; init; }

    /// <summary>
    /// When set, the main chunk may yield: this runs at each yield and returns true to resume with an error (the
    /// reference's lua_resumeerror) instead of plainly.
    /// </summary>
    public Func<LuauState, bool>? OnYield { get; init; }

    /// <summary>Rewrites the file's source before it is compiled (for files written for a tier we do not have).</summary>
    public Func<string, string>? Source { get; init; }
}

/// <summary>
/// Runs files of Luau's conformance suite the way the reference's test harness does: a fresh state with all
/// libraries, the full <c>collectgarbage</c>, <c>loadstring</c> and a silent <c>print</c>, the file's own setup, then
/// sandboxing, a writable global table whose <c>_G</c> is itself, chunk name <c>=file.luau</c>, and the chunk run
/// on the main thread so it may yield. A file passes when its chunk returns "OK".
/// </summary>
internal static class ConformanceHarness
{
    /// <summary>
    /// Runs <paramref name="fileName"/>; with <paramref name="ilTier"/>, with the IL tier compiling every function
    /// at its first call (and then checks that it compiled some and failed on none).
    /// </summary>
    public static LuauState Run(string fileName, ConformanceSetup? setup = null, bool ilTier = false)
    {
        setup ??= new ConformanceSetup();
        var path = Path.Combine(SharedCorpus.ConformanceDirectory, fileName);
        var source = File.ReadAllBytes(path);
        if (setup.Source is not null)
            source = System.Text.Encoding.UTF8.GetBytes(setup.Source(System.Text.Encoding.UTF8.GetString(source)));
        var state = new LuauState { IlTierEnabled = ilTier, IlTierThreshold = 0 };
        string? failure = null;
        var (status, values, trace) = LargeStack.Run(() =>
        {
            StandardLibrary.Open(state, LuauLibraries.All, setup.Platform);
            var g = state.Globals;
            g["collectgarbage"] = new HostFunction("collectgarbage", CollectGarbage);
            g["loadstring"] = new HostFunction("loadstring", LoadString);
            g["print"] = new HostFunction("print", c => 0);
            setup.Setup?.Invoke(state);

            state.Sandbox();
            var globals = state.CreateSandboxedGlobals();
            state.MainThread.Environment = globals;
            globals["_G"] = globals;

            var compiled = LuauCompiler.Compile(source, setup.CompileOptions);
            if (compiled.Bytecode is null)
            {
                failure = $"{fileName} does not compile: {compiled.Errors[0].Line}: {compiled.Errors[0].Message}";
                return (LuauResumeStatus.Error, Array.Empty<LuauValue>(), "");
            }
            var main = state.Load(compiled.Bytecode, "=" + fileName, globals);
            var result = state.RunOnMainThread(main);
            while (result.Status == LuauResumeStatus.Yielded && setup.OnYield is not null)
            {
                result = setup.OnYield(state)
                    ? state.ResumeError(state.MainThread, "resumed with an error")
                    : state.Resume(state.MainThread);
            }
            return (result.Status, result.Values, result.StackTrace);
        });
        Assert.True(failure is null, failure);
        string detail = status switch
        {
            LuauResumeStatus.Yielded => "the chunk yielded unexpectedly",
            LuauResumeStatus.Error => $"error: {values[0]}",
            _ => values.Length > 0 ? $"returned {values[0]}" : "returned nothing",
        };
        Assert.True(status == LuauResumeStatus.Finished && values.Length > 0 && values[0].ToString() == "OK",
            $"{fileName}: {detail}\n{trace}");
        if (ilTier)
        {
            Assert.True(state.IlTierFailedFunctions == 0, state.IlTierLastFailure);
            Assert.True(state.IlTierCompiledFunctions > 0, $"{fileName}: the IL tier compiled nothing");
        }
        else
            Assert.Equal(0, state.IlTierCompiledFunctions);
        return state;
    }

    /// <summary>The harness's <c>collectgarbage</c>, with every option of the reference's test harness.</summary>
    private static int CollectGarbage(LuauCallContext c)
    {
        string option = c.OptString(1, "collect")!.ToString();
        int data = c.OptInteger(2, 0);
        var state = c.State;
        switch (option)
        {
            case "collect":
                state.CollectGarbage();
                return c.Return(0);
            case "count":
                return c.Return((double)(state.MemoryInUse / 1024));
            case "stop":
                state.AutomaticCollection = false;
                return c.Return(0);
            case "restart":
                state.AutomaticCollection = true;
                return c.Return(0);
            case "isrunning":
                return c.Return(state.AutomaticCollection);
            case "step":
                return c.Return(state.StepCollector(data));
            case "setgoal":
                {
                    int previous = state.CollectorGoal;
                    state.CollectorGoal = data;
                    return c.Return(previous);
                }
            case "setstepmul":
                {
                    int previous = state.CollectorStepMultiplier;
                    state.CollectorStepMultiplier = data;
                    return c.Return(previous);
                }
            case "setstepsize":
                {
                    int previous = state.CollectorStepSize;
                    state.CollectorStepSize = data;
                    return c.Return(previous);
                }
            default:
                throw c.ArgumentError(1, $"invalid option '{option}'");
        }
    }

    /// <summary>The harness's <c>loadstring(source, chunkname = source)</c>: compiled with default options; nil and the message on failure.</summary>
    private static int LoadString(LuauCallContext c)
    {
        var source = c.CheckString(1);
        string chunkName = c.OptString(2, source)!.ToString();
        // Loaded code can change the globals behind the compiler's back: builtins must be looked up again.
        var env = c.Thread.Environment;
        env.IsSafeEnvironment = false;
        try
        {
            return c.Return(c.State.Load(LuauCompiler.CompileToBlob(source.Span), chunkName, env));
        }
        catch (LuauLoadException e)
        {
            return c.Return(LuauValue.Nil, e.Message);
        }
    }
}
