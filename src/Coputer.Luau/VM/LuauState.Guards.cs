namespace Coputer.Luau.VM;

/// <summary>
/// Guard rails at the host API's entry points. A state is single-threaded: two host threads running it at once
/// would corrupt its stacks and tables, so a run records the thread it runs on and a second thread that enters
/// meanwhile gets an <see cref="InvalidOperationException"/>. Re-entering from the same thread (a host function
/// calling back into the state) is allowed. The checks sit where the host calls in, never in the interpreter loop.
/// Values are checked in the same places: a table, closure, thread or userdata of one state cannot be handed to
/// another, whose collector, interned strings and key counters know nothing of it.
/// </summary>
public sealed partial class LuauState
{
    // The managed id of the thread running this state (0 when idle) and how deeply it has entered.
    private int _runThread;
    private int _runDepth;

    // The thread that created the state or last started a run of it: the one host code calls the state from.
    private int _homeThread = Environment.CurrentManagedThreadId;

    /// <summary>Marks this state as running on the current thread until the returned scope is disposed.</summary>
    internal RunGuard EnterRun()
    {
        int me = Environment.CurrentManagedThreadId;
        if (_runThread != me && Interlocked.CompareExchange(ref _runThread, me, 0) != 0)
            throw InUseElsewhere();
        if (_runDepth++ == 0)
            _homeThread = me;
        return new RunGuard(this);
    }

    /// <summary>Whether the current thread is running this state (inside a run, a host function, a handler).</summary>
    internal bool IsRunningHere => Volatile.Read(ref _runThread) == Environment.CurrentManagedThreadId;

    /// <summary>
    /// Starts a run on the current thread if the state is idle and this is its home thread (the one that created
    /// it or last ran it); false otherwise, without waiting or throwing.
    /// </summary>
    internal bool TryEnterRunAtHome(out RunGuard guard)
    {
        int me = Environment.CurrentManagedThreadId;
        guard = default;
        if (Volatile.Read(ref _homeThread) != me || Interlocked.CompareExchange(ref _runThread, me, 0) != 0)
            return false;
        _runDepth++;
        guard = new RunGuard(this);
        return true;
    }

    /// <summary>Fails when another thread is running this state (for entry points that only change settings).</summary>
    internal void CheckNotRunningElsewhere()
    {
        int owner = Volatile.Read(ref _runThread);
        if (owner != 0 && owner != Environment.CurrentManagedThreadId)
            throw InUseElsewhere();
    }

    private void ExitRun()
    {
        if (--_runDepth == 0)
            Volatile.Write(ref _runThread, 0);
    }

    private static InvalidOperationException InUseElsewhere() =>
        new("This Luau state is running on another thread. A state runs on one thread at a time: wait for the run to finish, or use one state per thread.");

    internal readonly struct RunGuard(LuauState state) : IDisposable
    {
        public void Dispose() => state.ExitRun();
    }

    /// <summary>
    /// What a compilation the state pays for polls: while a script runs (loadstring, require) the full limits, as
    /// pattern matching polls them; from the host, only the cancellation and timeout of the current run.
    /// </summary>
    internal Action CompilePoll => RunningThread is not null ? PatternInterrupt : _compilePoll ??= PollCancellation;

    private Action? _compilePoll;

    private void PollCancellation()
    {
        if (_cancellation.IsCancellationRequested)
            throw Cancelled();
    }

    /// <summary>Fails when <paramref name="value"/> is an object that belongs to another state.</summary>
    internal void CheckOwnership(in LuauValue value)
    {
        if (value.O is LuauObject o && OwnerOf(o) is { } owner && owner != this)
            throw new InvalidOperationException($"The {TypeNames.Of(value.Type)} belongs to another Luau state; values cannot be passed between states.");
    }

    internal void CheckOwnership(ReadOnlySpan<LuauValue> values)
    {
        foreach (ref readonly var v in values)
            CheckOwnership(in v);
    }

    /// <summary>The state an object was made by, when it records one (strings, buffers and host functions are neutral).</summary>
    private static LuauState? OwnerOf(LuauObject o) => o switch
    {
        LuauTable t => t.State,
        LuauThread t => t.State,
        LuauClosure c => c.Env.State,
        LuauUserdata { Metatable: { } mt } => mt.State,
        _ => null,
    };
}
