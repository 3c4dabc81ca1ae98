using Coputer.Luau.Bytecode;

namespace Coputer.Luau.VM;

/// <summary>Thrown when bytecode cannot be loaded: a compile error blob, or malformed or unsafe bytecode.</summary>
public sealed class LuauLoadException(string message) : LuauException(message);

/// <summary>How a resumed thread stopped.</summary>
public enum LuauResumeStatus
{
    /// <summary>The thread's function returned; the values are its results.</summary>
    Finished,

    /// <summary>The thread yielded; the values are what it passed to yield.</summary>
    Yielded,

    /// <summary>The thread raised an error; the value is the error.</summary>
    Error,
}

/// <summary>The outcome of <see cref="LuauState.Resume"/>.</summary>
public readonly record struct LuauResumeResult(LuauResumeStatus Status, LuauValue[] Values)
{
    /// <summary>The error value when <see cref="Status"/> is <see cref="LuauResumeStatus.Error"/>.</summary>
    public LuauValue Error => Status == LuauResumeStatus.Error ? Values[0] : LuauValue.Nil;

    /// <summary>For an error: the Luau call stack where it was raised, as <c>debug.traceback</c> lines.</summary>
    public string StackTrace { get; init; } = "";
}

public sealed partial class LuauState
{
    /// <summary>
    /// Loads bytecode (ours or the reference compiler's) as a function of <paramref name="chunkName"/> (for example
    /// <c>=main</c> or <c>@path/to/file.luau</c>), with <paramref name="env"/> (default: the globals) as its
    /// environment. The bytecode is treated as untrusted: it is checked before anything runs.
    /// </summary>
    public LuauFunction Load(ReadOnlySpan<byte> bytecode, string chunkName, LuauTable? env = null) =>
        Load(LuauChunk.FromBytecode(bytecode, chunkName), env);

    /// <summary>
    /// Loads a chunk read and verified earlier (see <see cref="LuauChunk"/>) as a function with <paramref name="env"/>
    /// (default: the globals) as its environment: only the per-state work is done (interning its strings, building
    /// its constants and prototypes), exactly as <see cref="Load(ReadOnlySpan{byte}, string, LuauTable?)"/> does it.
    /// </summary>
    public LuauFunction Load(LuauChunk chunk, LuauTable? env = null)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        using var guard = EnterRun();
        if (env is not null)
            CheckOwnership(new LuauValue(env));
        var name = Intern(chunk.Name);
        try
        {
            return Loader.Load(this, chunk, name, env ?? Globals);
        }
        catch (BytecodeException e)
        {
            throw new LuauLoadException($"{Interpreter.ChunkId(name)}: {e.Message}");
        }
    }

    /// <summary>
    /// Calls <paramref name="function"/> on the main thread and returns all its results. A Luau error becomes a
    /// <see cref="LuauRuntimeException"/> carrying the error value and the Luau stack trace. The call cannot yield.
    /// </summary>
    public LuauValue[] Call(LuauValue function, params ReadOnlySpan<LuauValue> args) => CallOn(MainThread, function, args);

    internal LuauValue[] CallOn(LuauThread thread, LuauValue function, ReadOnlySpan<LuauValue> args)
    {
        using var guard = EnterRun();
        CheckOwnership(in function);
        CheckOwnership(args);
        CheckCallable(thread);
        int savedFrame = thread.FrameIndex;
        int savedTop = thread.Top;
        try
        {
            return Interpreter.CallValue(thread, function, args, -1);
        }
        catch (Exception e) when (e is not LuauTerminatedException)
        {
            throw FailedHostCall(thread, savedFrame, savedTop, e);
        }
        catch (LuauTerminatedException)
        {
            Interpreter.UnwindTo(thread, savedFrame, savedTop);
            throw;
        }
    }

    /// <summary>Luau's <c>a == b</c>, running <c>__eq</c> when tables or userdata have one (the reference's lua_equal).</summary>
    public bool Equal(LuauValue a, LuauValue b) => RunOn(MainThread, t => Interpreter.ValuesEqual(t, in a, in b));

    /// <summary>Luau's <c>a &lt; b</c>: numbers, strings, or <c>__lt</c>; other values raise the reference's error (lua_lessthan).</summary>
    public bool LessThan(LuauValue a, LuauValue b) => RunOn(MainThread, t => Interpreter.LessThan(t, a, b));

    /// <summary>Luau's <c>a &lt;= b</c>: numbers, strings, or <c>__le</c> (falling back to <c>__lt</c> as the reference does).</summary>
    public bool LessOrEqual(LuauValue a, LuauValue b) => RunOn(MainThread, t => Interpreter.LessEqual(t, a, b));

    /// <summary>
    /// A new closure of the same Luau function (the reference's lua_clonefunction): it shares the original's upvalues,
    /// and its environment is <paramref name="environment"/>, by default the main thread's globals.
    /// </summary>
    /// <exception cref="ArgumentException">The function is a host function.</exception>
    public LuauFunction CloneFunction(LuauFunction function, LuauTable? environment = null)
    {
        if (function is not LuauClosure closure)
            throw new ArgumentException("Only Luau functions can be cloned.", nameof(function));
        CheckOwnership(new LuauValue(function));
        if (environment is not null)
            CheckOwnership(new LuauValue(environment));
        var clone = new LuauClosure(closure.Proto, environment ?? MainThread.Globals);
        closure.Upvalues.CopyTo(clone.Upvalues, 0);
        return clone;
    }

    /// <summary>The environment (global table) a Luau function reads globals from, or null for a host function.</summary>
    public static LuauTable? GetEnvironment(LuauFunction function) => (function as LuauClosure)?.Env;

    /// <summary>
    /// Changes the environment of a Luau function (the reference's lua_setfenv). The new table is not known to be safe,
    /// so the function looks builtins up through it.
    /// </summary>
    /// <exception cref="ArgumentException">The function is a host function.</exception>
    public static void SetEnvironment(LuauFunction function, LuauTable environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (function is not LuauClosure closure)
            throw new ArgumentException("Host functions have no environment.", nameof(function));
        closure.Env = environment;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="thread"/> as a host call: Luau errors come out as
    /// <see cref="LuauRuntimeException"/> with a traceback, and the thread is left as it was.
    /// </summary>
    private static T RunOn<T>(LuauThread thread, Func<LuauThread, T> body)
    {
        using var guard = thread.State.EnterRun();
        CheckCallable(thread);
        int savedFrame = thread.FrameIndex;
        int savedTop = thread.Top;
        try
        {
            return body(thread);
        }
        catch (Exception e) when (e is not LuauTerminatedException)
        {
            throw FailedHostCall(thread, savedFrame, savedTop, e);
        }
        catch (LuauTerminatedException)
        {
            Interpreter.UnwindTo(thread, savedFrame, savedTop);
            throw;
        }
    }

    private static void CheckCallable(LuauThread thread)
    {
        if (thread.Status == CoroutineStatus.Suspended)
            throw new InvalidOperationException("The thread is suspended in a yield: resume it instead of calling on it.");
    }

    /// <summary>The exception a failed host call raises, after unwinding the thread to where the call started.</summary>
    private static LuauRuntimeException FailedHostCall(LuauThread thread, int savedFrame, int savedTop, Exception e)
    {
        var error = Interpreter.Normalize(thread, e);
        if (error.LuauStackTrace.Length == 0)
            error.LuauStackTrace = Interpreter.Traceback(thread, 0);
        Interpreter.UnwindTo(thread, savedFrame, savedTop);
        return error;
    }

    /// <summary>A new thread (coroutine) that will run <paramref name="body"/> when first resumed.</summary>
    public LuauThread CreateThread(LuauFunction body, LuauTable? globals = null)
    {
        CheckOwnership(new LuauValue(body));
        var thread = new LuauThread(this, globals ?? Globals);
        thread.Stack[thread.Top++] = new LuauValue(body);
        return thread;
    }

    /// <summary>
    /// Runs <paramref name="thread"/> until it returns, yields or fails. Unlike <see cref="Call"/>, code running
    /// this way may yield (including from host functions and interrupts); resume it again to continue.
    /// </summary>
    public LuauResumeResult Resume(LuauThread thread, params ReadOnlySpan<LuauValue> args)
    {
        ArgumentNullException.ThrowIfNull(thread);
        using var guard = EnterRun();
        CheckOwnership(new LuauValue(thread));
        CheckOwnership(args);
        if (thread.Status != CoroutineStatus.Suspended)
        {
            string what = thread.Status == CoroutineStatus.Dead ? "dead" : "non-suspended";
            return new(LuauResumeStatus.Error, [LuauString.FromUtf8($"cannot resume {what} coroutine")]);
        }
        thread.EnsureStack(thread.Top + args.Length);
        foreach (var a in args)
            thread.Stack[thread.Top++] = a;
        // Resumed from a host function inside another coroutine, that coroutine is the resumer.
        Interpreter.ResumeStatus status;
        int n;
        try
        {
            status = Interpreter.Resume(thread, RunningThread, args.Length, out n);
        }
        catch (LuauTerminatedException) when (thread == MainThread)
        {
            ResetMainThread();
            throw;
        }
        return FinishResume(thread, status, n);
    }

    /// <summary>
    /// Resumes a suspended <paramref name="thread"/> by raising <paramref name="error"/> where it yielded (the
    /// reference's lua_resumeerror): a <c>pcall</c> inside the thread may catch it and carry on; otherwise the
    /// thread fails with it.
    /// </summary>
    public LuauResumeResult ResumeError(LuauThread thread, LuauValue error) => ResumeError(thread, error, RunningThread);

    internal LuauResumeResult ResumeError(LuauThread thread, LuauValue error, LuauThread? from)
    {
        ArgumentNullException.ThrowIfNull(thread);
        using var guard = EnterRun();
        CheckOwnership(new LuauValue(thread));
        CheckOwnership(in error);
        if (thread.Status != CoroutineStatus.Suspended || thread.FrameIndex == 0)
            return new(LuauResumeStatus.Error, [LuauString.FromUtf8("cannot resume a coroutine that has not yielded")]);
        thread.EnsureStack(thread.Top + 1);
        thread.Stack[thread.Top++] = error;
        Interpreter.ResumeStatus status;
        int n;
        try
        {
            status = Interpreter.ResumeError(thread, from, out n);
        }
        catch (LuauTerminatedException) when (thread == MainThread)
        {
            ResetMainThread();
            throw;
        }
        return FinishResume(thread, status, n);
    }

    /// <summary>
    /// Runs <paramref name="body"/> on the main thread as resumable code (the reference's lua_resume of the main
    /// thread): it may yield, from Luau, host functions or interrupts; continue it with <see cref="Resume"/> or
    /// <see cref="ResumeError(LuauThread, LuauValue)"/> on <see cref="MainThread"/>. When it finishes or fails, the main thread is ready for
    /// other calls again. <c>coroutine.running()</c> is nil inside, as for any main-thread code.
    /// </summary>
    public LuauResumeResult RunOnMainThread(LuauFunction body, params ReadOnlySpan<LuauValue> args)
    {
        using var guard = EnterRun();
        CheckOwnership(new LuauValue(body));
        CheckOwnership(args);
        var main = MainThread;
        if (main.FrameIndex != 0 || main.Status != CoroutineStatus.Running)
            throw new InvalidOperationException("The main thread is busy: finish what runs on it first.");
        main.EnsureStack(main.Top + 1 + args.Length);
        main.Stack[main.Top++] = new LuauValue(body);
        foreach (var a in args)
            main.Stack[main.Top++] = a;
        main.Status = CoroutineStatus.Suspended;
        Interpreter.ResumeStatus status;
        int n;
        try
        {
            status = Interpreter.Resume(main, null, args.Length, out n);
        }
        catch (LuauTerminatedException) when (main == MainThread)
        {
            ResetMainThread();
            throw;
        }
        return FinishResume(main, status, n);
    }

    /// <summary>The main thread outlives what ran on it: empty it and make it usable again.</summary>
    private void ResetMainThread()
    {
        var main = MainThread;
        Interpreter.UnwindTo(main, 0, main.Frames[0].Base);
        main.Status = CoroutineStatus.Running;
        main.DeathError = null;
    }

    private LuauResumeResult FinishResume(LuauThread thread, Interpreter.ResumeStatus status, int n)
    {
        var values = thread.Stack.AsSpan(thread.Top - n, n).ToArray();
        thread.Top -= n;
        string trace = status == Interpreter.ResumeStatus.Error ? Interpreter.Traceback(thread, 0) : "";
        if (thread == MainThread && status != Interpreter.ResumeStatus.Yielded)
            ResetMainThread();
        var kind = status switch
        {
            Interpreter.ResumeStatus.Finished => LuauResumeStatus.Finished,
            Interpreter.ResumeStatus.Yielded => LuauResumeStatus.Yielded,
            _ => LuauResumeStatus.Error,
        };
        return new(kind, values) { StackTrace = trace };
    }

    /// <summary>The Luau call stack of <paramref name="thread"/> as <c>debug.traceback</c> lines (useful after an error in <see cref="Resume"/>).</summary>
    public string GetStackTrace(LuauThread thread) => Interpreter.Traceback(thread, 0);

    /// <summary>
    /// Freezes the standard libraries and the global table and marks the globals safe (the reference's
    /// luaL_sandbox): builtins can then be called directly and imports resolved at load time. Run scripts on
    /// threads from <see cref="CreateSandboxedGlobals"/>, whose own globals fall back to these.
    /// </summary>
    public void Sandbox()
    {
        var g = Globals;
        int index = 0;
        while ((index = g.NextFrom(index, out _, out var value)) >= 0)
        {
            if (value.Type == LuauType.Table)
                value.UnsafeTable.IsReadOnly = true;
            index++;
        }
        if (TypeMetatables[(int)LuauType.String] is { } stringMeta)
            stringMeta.IsReadOnly = true;
        g.IsReadOnly = true;
        g.SafeEnv = true;
    }

    /// <summary>
    /// Globals for one script in a sandboxed state (the reference's luaL_sandboxthread): a fresh writable table that
    /// reads through to the frozen shared globals, so scripts cannot affect each other. Load the script with it as
    /// the environment and run it on a thread from <see cref="CreateThread"/> with the same globals.
    /// </summary>
    public LuauTable CreateSandboxedGlobals()
    {
        var globals = CreateTable();
        var meta = CreateTable();
        meta.SetStr(TagMethodNames[(int)TagMethod.Index]) = new LuauValue(Globals);
        meta.IsReadOnly = true;
        globals.Metatable = meta;
        globals.SafeEnv = true;
        return globals;
    }
}
