using System.Text;
using Coputer.Luau.Compiler;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau;

/// <summary>
/// The Luau engine for .NET hosts: a <see cref="LuauState"/> with the standard libraries, a compiler, and the
/// globals scripts see. Compile and run code, read and set globals, and call Luau functions from .NET and .NET
/// functions from Luau. An engine is single-threaded; use one per concurrent script.
/// </summary>
/// <example>
/// <code>
/// var engine = new LuauEngine();
/// engine.SetFunction("greet", c => c.Return("hello " + c.CheckString(1)));
/// var results = engine.DoString("return greet('world'), 1 + 1");
/// </code>
/// </example>
public sealed class LuauEngine
{
    private readonly CompileOptions _compileOptions;
    private readonly LuauRunLimits _runLimits;

    /// <summary>Makes an engine set up by <paramref name="options"/> (default: sandboxed and deterministic).</summary>
    public LuauEngine(LuauEngineOptions? options = null)
    {
        options ??= new LuauEngineOptions();
        _compileOptions = options.CompileOptions;
        _runLimits = options.RunLimits;
        State = new LuauState
        {
            Output = options.Output ?? Stream.Null,
            MemoryLimit = options.MemoryLimit,
            IlTierEnabled = options.EnableIlTier,
            IlTierThreshold = options.IlTierThreshold,
        };
        StandardLibrary.Open(State, options.Libraries, options.Platform);
        var g = State.Globals;
        if (options.EnableCollectGarbage)
            g["collectgarbage"] = StandardLibrary.CollectGarbageLimited;
        if (options.EnableLoadstring)
            g["loadstring"] = new HostFunction("loadstring", LoadString);
        if (options.ModuleResolver is not null)
            RequireLibrary.Open(State, options.ModuleResolver, CompileOrThrow);
        if (options.Sandbox)
        {
            State.Sandbox();
            Globals = State.CreateSandboxedGlobals();
        }
        else
        {
            Globals = g;
        }
    }

    /// <summary>The virtual machine, for advanced use (threads, interrupts, metatables of types).</summary>
    public LuauState State { get; }

    /// <summary>The globals scripts loaded by this engine see and write.</summary>
    public LuauTable Globals { get; }

    /// <summary>Makes a .NET function callable from Luau as the global <paramref name="name"/>.</summary>
    public HostFunction SetFunction(string name, LuauCallback callback)
    {
        var f = new HostFunction(name, callback);
        Globals[name] = f;
        return f;
    }

    /// <summary>
    /// Makes an async .NET function callable from Luau as the global <paramref name="name"/>: a Luau task calling it
    /// is suspended until the work completes (see <see cref="LuauState.CreateAsyncFunction{T}(string, LuauAsyncFunction{T})"/>).
    /// </summary>
    public HostFunction SetAsyncFunction<T>(string name, LuauAsyncFunction<T> body) => SetGlobal(State.CreateAsyncFunction(name, body));

    /// <summary>An async .NET function returning nothing to Luau, as the global <paramref name="name"/>.</summary>
    public HostFunction SetAsyncFunction(string name, Func<LuauValue[], CancellationToken, ValueTask> body) => SetGlobal(State.CreateAsyncFunction(name, body));

    private HostFunction SetGlobal(HostFunction f)
    {
        Globals[f.Name] = f;
        return f;
    }

    /// <summary>
    /// Runs a Luau function as a task that may wait (for timers, other tasks, async host functions) and completes
    /// with its results; cancelling <paramref name="cancellationToken"/> cancels the task. See
    /// <see cref="LuauState.CallAsync(LuauFunction, LuauValue[], CancellationToken)"/>.
    /// </summary>
    public Task<LuauValue[]> CallAsync(LuauFunction function, LuauValue[]? args = null, CancellationToken cancellationToken = default) =>
        State.CallAsync(function, Globals, args, cancellationToken);

    /// <summary>Compiles <paramref name="source"/> and runs it like <see cref="CallAsync"/>: as a task that may await host work.</summary>
    /// <exception cref="LuauLoadException">The source does not compile.</exception>
    public Task<LuauValue[]> DoStringAsync(string source, CancellationToken cancellationToken = default, string chunkName = "=chunk") =>
        State.CallAsync(Load(source, chunkName), Globals, null, cancellationToken);

    /// <summary>Compiles Luau source to bytecode with this engine's options (the blob can be cached and loaded many times).</summary>
    /// <exception cref="LuauLoadException">The source has syntax or compile errors; the message lists them as <c>chunk:line: message</c>.</exception>
    public byte[] Compile(ReadOnlySpan<byte> source, string chunkName = "=chunk") => CompileOrThrow(source, chunkName);

    /// <summary>
    /// About what the compiler's own structures (tree, constant maps, code lists) hold per source byte at their peak.
    /// Charged to the state while it compiles (when a script runs or a memory limit is set), so loadstring of a huge
    /// generated literal fails with "not enough memory" instead of growing past the limit.
    /// </summary>
    private const int CompileBytesPerSourceByte = 32;

    private byte[] CompileOrThrow(ReadOnlySpan<byte> source, string chunkName)
    {
        long charge = State.RunningThread is not null || State.MemoryLimit > 0 ? (long)source.Length * CompileBytesPerSourceByte : 0;
        State.ChargeMemory(charge);
        CompileResult result;
        try
        {
            result = LuauCompiler.Compile(source, _compileOptions, State.CompilePoll);
        }
        finally
        {
            State.ChargeMemory(-charge);
        }
        if (result.Bytecode is { } bytecode)
            return bytecode;
        // Like the reference, report the first error (check tools list them all).
        var first = result.Errors[0];
        throw new LuauLoadException($"{Interpreter.ChunkId(LuauString.FromUtf8(chunkName))}:{first.Line}: {first.Message}");
    }

    /// <summary>Compiles and loads source as a function with this engine's globals as its environment.</summary>
    public LuauFunction Load(ReadOnlySpan<byte> source, string chunkName = "=chunk") =>
        State.Load(CompileOrThrow(source, chunkName), chunkName, Globals);

    /// <summary>Compiles and loads source given as a .NET string (encoded as UTF-8).</summary>
    public LuauFunction Load(string source, string chunkName = "=chunk") => Load(Encoding.UTF8.GetBytes(source), chunkName);

    /// <summary>Loads bytecode from <see cref="Compile"/> (or the reference compiler) with this engine's globals as its environment.</summary>
    public LuauFunction LoadBytecode(ReadOnlySpan<byte> bytecode, string chunkName = "=chunk") => State.Load(bytecode, chunkName, Globals);

    /// <summary>
    /// Compiles and runs source, returning the chunk's results, under the engine's per-run limits
    /// (<see cref="LuauEngineOptions.RunLimits"/>). Errors become <see cref="LuauRuntimeException"/>.
    /// </summary>
    public LuauValue[] DoString(string source, string chunkName = "=chunk") => DoString(source, _runLimits, chunkName);

    /// <summary>Compiles and runs source under the engine's limits, stopping when <paramref name="cancellation"/> is cancelled.</summary>
    public LuauValue[] DoString(string source, CancellationToken cancellation, string chunkName = "=chunk") =>
        DoString(source, _runLimits with { Cancellation = cancellation }, chunkName);

    /// <summary>
    /// Compiles and runs source under <paramref name="limits"/> (instead of the engine's): the run gets the whole
    /// allowance, whatever earlier runs used. A limit that runs out raises <see cref="LuauTerminatedException"/>.
    /// </summary>
    public LuauValue[] DoString(string source, LuauRunLimits limits, string chunkName = "=chunk")
    {
        // The run's limits cover the compilation too: a huge source cannot outlast the timeout or the cancellation.
        using var run = State.BeginRun(limits);
        var function = Load(source, chunkName);
        return State.Call(function);
    }

    /// <summary>Calls a Luau (or host) function under the engine's per-run limits and returns all its results.</summary>
    public LuauValue[] Call(LuauValue function, params ReadOnlySpan<LuauValue> args) => Call(function, _runLimits, args);

    /// <summary>Calls a function under the engine's limits, stopping when <paramref name="cancellation"/> is cancelled.</summary>
    public LuauValue[] Call(LuauValue function, CancellationToken cancellation, params ReadOnlySpan<LuauValue> args) =>
        Call(function, _runLimits with { Cancellation = cancellation }, args);

    /// <summary>Calls a function under <paramref name="limits"/> and returns all its results.</summary>
    public LuauValue[] Call(LuauValue function, LuauRunLimits limits, params ReadOnlySpan<LuauValue> args)
    {
        using var run = State.BeginRun(limits);
        return State.Call(function, args);
    }

    /// <summary>
    /// Runs <paramref name="function"/> in a new coroutine, which may yield back to the host; resume the returned
    /// thread with <see cref="LuauState.Resume"/> to continue it.
    /// </summary>
    public (LuauThread Thread, LuauResumeResult Result) Start(LuauFunction function, params ReadOnlySpan<LuauValue> args)
    {
        var thread = State.CreateThread(function, Globals);
        using var run = State.BeginRun(_runLimits);
        return (thread, State.Resume(thread, args));
    }

    /// <summary>Resumes a thread from <see cref="Start"/> under the engine's per-run limits (each resume is a run).</summary>
    public LuauResumeResult Resume(LuauThread thread, params ReadOnlySpan<LuauValue> args)
    {
        using var run = State.BeginRun(_runLimits);
        return State.Resume(thread, args);
    }

    /// <summary>The reference command line's <c>loadstring(source, chunkname)</c>: a function, or nil and the error.</summary>
    private int LoadString(LuauCallContext c)
    {
        var source = c.CheckString(1);
        string chunkName = c.OptString(2, source)!.ToString();
        // Code that can load code can change globals behind the compiler's back: imports must be looked up again.
        var env = c.Thread.Environment;
        env.SafeEnv = false;
        try
        {
            return c.Return(c.State.Load(CompileOrThrow(source.Span, chunkName), chunkName, env));
        }
        catch (LuauLoadException e)
        {
            return c.Return(LuauValue.Nil, e.Message);
        }
    }
}
