namespace Coputer.Luau.VM;

/// <summary>
/// Runs a state's tasks: a queue of tasks ready to resume, timers, and the async host work they wait for. Time is
/// real (a <see cref="System.TimeProvider"/>) or virtual: a per-state clock that starts at 0 and jumps to the next
/// timer when nothing else can run, so a program's output is the same on every run.
/// </summary>
/// <remarks>
/// <para>The scheduler runs only while the host runs it: inside code that waits without being able to yield (the
/// main chunk, a plain coroutine, a metamethod), in <see cref="RunUntilIdle"/>, or in the engine's async calls.
/// Everything it runs runs one piece at a time under one lock, so the state is never used by two threads at once;
/// completions of host work, from any thread, are posted to it and handled on its side.</para>
/// <para>Under virtual time, completions of async host work are handed over in the order the work started, one at
/// a time and only when no task is ready to run, and the clock does not move while any is pending (host work takes
/// no virtual time). Given the same host results, the same program then does the same thing, however the host's
/// work is timed. The price: host work that never completes holds back the completions of work started after it,
/// until its caller is cancelled.</para>
/// </remarks>
public sealed class LuauTaskScheduler
{
    private readonly LuauState _state;
    private readonly TimeProvider? _time;
    private readonly long _startTimestamp;
    private double _virtualNow;

    private readonly Queue<LuauTask> _ready = new();
    private readonly PriorityQueue<TimerEntry, (double Due, long Sequence)> _timers = new();
    private long _timerSequence;

    // Async host work. _outstanding is the engine side's list; the inbox is the only thing other threads touch.
    private long _operationSequence;
    private readonly SortedDictionary<long, HostOperation> _outstanding = [];
    private readonly object _inboxLock = new();
    private List<object> _inbox = [];
    private List<object> _spareInbox = [];
    private TaskCompletionSource _signal = NewSignal();
    private ITimer? _wakeTimer;

    /// <summary>Held while anything runs on the state through the scheduler (reentrant on the thread that holds it).</summary>
    private readonly object _gate = new();
    private readonly LuauSynchronizationContext _context;

    private readonly List<LuauTask> _failures = [];
    private int _liveTasks;

    internal static readonly LuauString CancelledMessage = LuauString.FromUtf8("cancelled");
    internal static readonly LuauString TimeoutMessage = LuauString.FromUtf8("timeout");

    /// <summary>The metatable of task values (set by the task library).</summary>
    internal LuauTable? TaskMetatable;

    internal LuauTaskScheduler(LuauState state, TimeProvider? realTime)
    {
        _state = state;
        _time = realTime;
        _startTimestamp = realTime?.GetTimestamp() ?? 0;
        _context = new LuauSynchronizationContext(this);
    }

    /// <summary>The state whose tasks this runs.</summary>
    public LuauState State => _state;

    /// <summary>True when time is the per-state virtual clock (the deterministic sandbox), false for real time.</summary>
    public bool IsVirtualTime => _time is null;

    /// <summary>Seconds since the scheduler was made: real, or the virtual clock.</summary>
    public double Now => _time is null ? _virtualNow : _time.GetElapsedTime(_startTimestamp).TotalSeconds;

    /// <summary>Tasks created and not yet completed (a finished run leaves none).</summary>
    public int PendingTaskCount => _liveTasks;

    /// <summary>Async host calls started and not yet handed back.</summary>
    public int PendingOperationCount => _outstanding.Count;

    /// <summary>The innermost task whose code is running, or null when none is.</summary>
    public LuauTask? Current => EnclosingTask(_state.RunningThread);

    /// <summary>
    /// Runs tasks until nothing is left to do: no task ready, no timer, no host work pending. Under real time this
    /// sleeps until timers are due. Errors of tasks nobody awaited are kept for <see cref="TakeUnobservedFailures"/>.
    /// </summary>
    public void RunUntilIdle() => RunUntil(null, null);

    /// <summary>Like <see cref="RunUntilIdle"/>, awaiting host work and timers instead of blocking the thread.</summary>
    public Task RunUntilIdleAsync(CancellationToken cancellationToken = default) =>
        DriveAsync(null, cancellationToken);

    /// <summary>Failed tasks whose error nobody has awaited or otherwise seen, taken from the scheduler (each once).</summary>
    public IReadOnlyList<LuauTask> TakeUnobservedFailures()
    {
        var list = new List<LuauTask>();
        foreach (var t in _failures)
        {
            if (!t.Observed)
            {
                t.Observed = true;
                list.Add(t);
            }
        }
        _failures.Clear();
        return list;
    }

    /// <summary>Makes a task that runs <paramref name="function"/> with <paramref name="args"/>, and runs it now until it first waits.</summary>
    public LuauTask Spawn(LuauFunction function, params ReadOnlySpan<LuauValue> args)
    {
        ArgumentNullException.ThrowIfNull(function);
        var task = CreateTask(function, _state.Globals, args.ToArray());
        using (Enter())
            StartNow(task);
        return task;
    }

    /// <summary>Makes a task that runs <paramref name="function"/> the next time the scheduler runs.</summary>
    public LuauTask Defer(LuauFunction function, params ReadOnlySpan<LuauValue> args)
    {
        ArgumentNullException.ThrowIfNull(function);
        var task = CreateTask(function, _state.Globals, args.ToArray());
        MakeReady(task);
        return task;
    }

    // ---- tasks ----

    internal LuauTask CreateTask(LuauFunction function, LuauTable globals, LuauValue[] args)
    {
        _state.ChargeMemory(1024 + 160);
        var thread = _state.CreateThread(function, globals);
        var task = new LuauTask(this, thread) { StartArgs = args, Wait = TaskWait.NotStarted };
        _liveTasks++;
        return task;
    }

    /// <summary>A task with no coroutine, completed by a combinator.</summary>
    internal LuauTask CreateVirtualTask(Action<LuauTask>? onCancel)
    {
        _state.ChargeMemory(160);
        _liveTasks++;
        return new LuauTask(this, null) { OnCancel = onCancel };
    }

    /// <summary>Runs a task that has not started until it first waits (task.spawn).</summary>
    internal void StartNow(LuauTask task)
    {
        task.Wait = TaskWait.None;
        var args = task.StartArgs ?? [];
        task.StartArgs = null;
        Resume(task, args);
    }

    internal void MakeReady(LuauTask task)
    {
        task.Wait = TaskWait.Ready;
        task.WaitTarget = null;
        _ready.Enqueue(task);
    }

    /// <summary>Stops whatever the suspended task waits for and queues it to resume (its continuation finds out why).</summary>
    internal void Wake(LuauTask task)
    {
        switch (task.Wait)
        {
            case TaskWait.Task:
                ((LuauTask)task.WaitTarget!).RemoveWaiter(task);
                break;
            case TaskWait.Operation:
                Abandon((HostOperation)task.WaitTarget!);
                break;
            case TaskWait.Timer:
                break;
            default:
                return;
        }
        task.WaitVersion++;
        MakeReady(task);
    }

    private void RunReady(LuauTask task)
    {
        if (task.Wait != TaskWait.Ready || task.IsCompleted)
            return;
        if (task.Thread is { } thread && thread.Status != CoroutineStatus.Suspended)
        {
            // Only a task whose code is on the stack below us is not suspended; it cannot be resumed from here.
            return;
        }
        task.Wait = TaskWait.None;
        var args = task.StartArgs ?? [];
        task.StartArgs = null;
        Resume(task, args);
    }

    private void Resume(LuauTask task, LuauValue[] args)
    {
        var thread = task.Thread!;
        task.Status = LuauTaskStatus.Running;
        LuauResumeResult result;
        try
        {
            result = _state.Resume(thread, args);
        }
        catch (LuauTerminatedException e)
        {
            // The whole run is being stopped (budget, cancellation): the task cannot go on, and says why.
            Finish(task, LuauTaskStatus.Failed, [], LuauString.FromUtf8(e.Message), "");
            throw;
        }
        switch (result.Status)
        {
            case LuauResumeStatus.Finished:
                Finish(task, task.CancelRequested ? LuauTaskStatus.Cancelled : LuauTaskStatus.Done, result.Values,
                    task.CancelRequested ? CancelledMessage : LuauValue.Nil, "");
                break;
            case LuauResumeStatus.Error:
                {
                    var error = result.Error;
                    string trace = result.StackTrace;
                    // An error passed on by an await keeps the traceback of where it was first raised, then this one.
                    if (task.RethrownTrace is not null && LuauValue.RawEquals(in error, in task.RethrownError))
                        trace = task.RethrownTrace + "awaited by:\n" + trace;
                    bool cancelled = task.CancelRequested && IsCancellation(error);
                    Finish(task, cancelled ? LuauTaskStatus.Cancelled : LuauTaskStatus.Failed, [], error, trace);
                    break;
                }
            default:
                task.Status = LuauTaskStatus.Suspended;
                // A bare coroutine.yield (or an interrupt) in a task gives the others a turn.
                if (task.Wait == TaskWait.None)
                    MakeReady(task);
                break;
        }
    }

    internal static bool IsCancellation(in LuauValue error) => error.Type == LuauType.String && error.AsString!.Equals(CancelledMessage);

    /// <summary>Completes a task's future and tells everyone waiting for it.</summary>
    internal void Finish(LuauTask task, LuauTaskStatus status, LuauValue[] results, LuauValue error, string trace)
    {
        if (task.IsCompleted)
            return;
        task.Status = status;
        task.ResultValues = results;
        task.ErrorValue = error;
        task.StackTrace = trace;
        task.Wait = TaskWait.None;
        task.WaitTarget = null;
        task.StartArgs = null;
        task.RethrownTrace = null;
        task.RethrownError = default;
        task.ReleaseThread();
        _liveTasks--;
        var waiters = task.Waiters;
        task.Waiters = null;
        if (waiters is { Count: > 0 })
        {
            task.Observed = true;
            foreach (var w in waiters)
            {
                switch (w)
                {
                    case LuauTask waiting:
                        Wake(waiting);
                        break;
                    case LuauFunction callback:
                        {
                            var cb = CreateTask(callback, _state.Globals, OutcomeArguments(task));
                            MakeReady(cb);
                            break;
                        }
                    case TaskListener listener:
                        listener.Completed(task);
                        break;
                }
            }
        }
        if (status == LuauTaskStatus.Failed && !task.Observed)
            _failures.Add(task);
    }

    /// <summary>(true, results...) or (false, error), as an await callback receives them.</summary>
    internal static LuauValue[] OutcomeArguments(LuauTask task)
    {
        if (task.Status == LuauTaskStatus.Done)
        {
            var args = new LuauValue[task.ResultValues.Length + 1];
            args[0] = LuauValue.True;
            task.ResultValues.CopyTo(args, 1);
            return args;
        }
        return [LuauValue.False, task.Status == LuauTaskStatus.Cancelled ? CancelledMessage : task.ErrorValue];
    }

    internal void Cancel(LuauTask task)
    {
        if (task.IsCompleted)
            return;
        task.CancelRequested = true;
        if (task.Thread is null)
        {
            // A combinator's task ends at once; then the tasks it combines are cancelled (it no longer listens).
            Finish(task, LuauTaskStatus.Cancelled, [], CancelledMessage, "");
            task.OnCancel?.Invoke(task);
            return;
        }
        if (task.StartArgs is not null)
        {
            // Never started: it ends here, its function never runs.
            task.WaitVersion++;
            Finish(task, LuauTaskStatus.Cancelled, [], CancelledMessage, "");
            return;
        }
        // Waiting: resume it now (as coop does), so its wait raises the error and it handles the cancellation before
        // cancel returns. Running or ready: its next wait (or its wake-up) raises it.
        if (task.Wait is TaskWait.Timer or TaskWait.Task or TaskWait.Operation)
        {
            Wake(task);
            using (Enter())
                RunReady(task);
        }
    }

    // ---- timers ----

    /// <summary>
    /// Wakes <paramref name="task"/> (if it still waits as it did when this was set) or runs <paramref name="action"/>
    /// at <paramref name="due"/>. A time that never comes (infinity) sets nothing. Cancel the returned entry when it
    /// is no longer needed, so that it neither keeps the run alive nor moves the virtual clock.
    /// </summary>
    internal TimerEntry? AddTimer(double due, LuauTask? task, Action? action)
    {
        if (double.IsNaN(due) || double.IsPositiveInfinity(due))
            return null;
        _state.ChargeMemory(64);
        var entry = new TimerEntry { Task = task, Version = task?.WaitVersion ?? 0, Action = action };
        _timers.Enqueue(entry, (due, ++_timerSequence));
        return entry;
    }

    private void FireDueTimers()
    {
        double now = Now;
        while (_timers.TryPeek(out var entry, out var key) && key.Due <= now)
        {
            _timers.Dequeue();
            if (entry.Cancelled)
                continue;
            if (entry.Task is { } task)
            {
                if (task.WaitVersion != entry.Version || task.IsCompleted)
                    continue;
                if (task.Wait == TaskWait.Timer)
                    Wake(task);
                else if (task.Wait == TaskWait.NotStarted)
                    MakeReady(task);
            }
            else
            {
                entry.Action?.Invoke();
            }
        }
    }

    /// <summary>The due time of the next timer that still matters (stale ones are dropped on the way).</summary>
    private bool NextTimer(out double due)
    {
        while (_timers.TryPeek(out var entry, out var key))
        {
            if (entry.Cancelled || (entry.Task is { } task && (task.WaitVersion != entry.Version || task.IsCompleted)))
            {
                _timers.Dequeue();
                continue;
            }
            due = key.Due;
            return true;
        }
        due = 0;
        return false;
    }

    internal sealed class TimerEntry
    {
        public LuauTask? Task;
        public int Version;
        public Action? Action;
        public bool Cancelled;
    }

    // ---- host operations ----

    /// <summary>Registers host work that did not complete at once and starts listening for its end.</summary>
    internal void Track(HostOperation operation)
    {
        operation.Sequence = ++_operationSequence;
        _outstanding.Add(operation.Sequence, operation);
        operation.Listen(this);
    }

    /// <summary>The waiter no longer wants the outcome: cancel the host's token and stop waiting for it.</summary>
    internal void Abandon(HostOperation operation)
    {
        if (operation.Abandoned || operation.Delivered)
            return;
        operation.Abandoned = true;
        _outstanding.Remove(operation.Sequence);
        try
        {
            operation.Cancellation.Cancel();
        }
        catch (AggregateException)
        {
            // A host's cancellation callback failed; the operation is abandoned all the same.
        }
    }

    /// <summary>Called from any thread when host work completes.</summary>
    internal void PostCompletion(HostOperation operation) => Enqueue(operation);

    /// <summary>Queues <paramref name="callback"/> to run on the scheduler's side (from any thread).</summary>
    internal void Post(SendOrPostCallback callback, object? state) => Enqueue(new PostedCallback(callback, state));

    /// <summary>Queues an action to run on the scheduler's side (from any thread), for example a cancellation from a token.</summary>
    public void Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Enqueue(new PostedCallback(static a => ((Action)a!)(), action));
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the engine's side, from any thread: at once when the current thread may run
    /// the state now (it is running it, or the state is idle and this is the thread that created it or last ran it),
    /// otherwise queued like <see cref="Post(Action)"/>, to run when the scheduler next runs (an async call in
    /// progress picks it up at once; otherwise <see cref="RunUntilIdle"/> or the next async call). Generated event
    /// bindings raise events through it, so a .NET event raised on a timer or I/O thread never touches the state there.
    /// </summary>
    public void RunOrPost(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_state.IsRunningHere)
        {
            action();
            return;
        }
        // Idle at home: take the scheduler's lock and the run without waiting, as a run of the state would.
        if (Monitor.TryEnter(_gate))
        {
            try
            {
                if (_state.TryEnterRunAtHome(out var guard))
                {
                    using (guard)
                        action();
                    return;
                }
            }
            finally
            {
                Monitor.Exit(_gate);
            }
        }
        Post(action);
    }

    private void Enqueue(object item)
    {
        TaskCompletionSource signal;
        lock (_inboxLock)
        {
            _inbox.Add(item);
            signal = _signal;
            _signal = NewSignal();
            Monitor.PulseAll(_inboxLock);
        }
        signal.TrySetResult();
    }

    /// <summary>Wakes every driver waiting for work (another driver's task may have completed).</summary>
    private void WakeDrivers()
    {
        TaskCompletionSource signal;
        lock (_inboxLock)
        {
            signal = _signal;
            _signal = NewSignal();
            Monitor.PulseAll(_inboxLock);
        }
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record PostedCallback(SendOrPostCallback Callback, object? State);

    /// <summary>Takes what other threads posted: completions become deliverable, callbacks run. Returns true if anything came.</summary>
    private bool PumpInbox()
    {
        List<object> items;
        lock (_inboxLock)
        {
            if (_inbox.Count == 0)
                return DeliverInOrder();
            items = _inbox;
            _inbox = _spareInbox;
            _spareInbox = items;
        }
        try
        {
            foreach (var item in items)
            {
                if (item is HostOperation op)
                {
                    op.Arrived = true;
                    if (_time is not null)
                        Deliver(op);
                }
                else
                {
                    var posted = (PostedCallback)item;
                    posted.Callback(posted.State);
                }
            }
        }
        finally
        {
            items.Clear();
        }
        DeliverInOrder();
        return true;
    }

    /// <summary>
    /// Under virtual time, hands over the operation that started first once it has completed, and only when no task
    /// is ready: how many completions have arrived meanwhile depends on real timing, so they are handed over one at a
    /// time, each when the code before it has settled. Returns true if one was handed over.
    /// </summary>
    private bool DeliverInOrder()
    {
        if (_time is not null || _ready.Count > 0 || !NextArrived(out var first))
            return false;
        Deliver(first);
        return true;
    }

    /// <summary>Under virtual time: the operation that started first, if it has completed and waits to be handed over.</summary>
    private bool NextArrived(out HostOperation first)
    {
        first = null!;
        if (_outstanding.Count == 0)
            return false;
        using var e = _outstanding.GetEnumerator();
        e.MoveNext();
        first = e.Current.Value;
        return first.Arrived;
    }

    private void Deliver(HostOperation op)
    {
        _outstanding.Remove(op.Sequence);
        if (op.Abandoned || op.Delivered)
            return;
        op.Delivered = true;
        if (op.Task is { } task && task.Wait == TaskWait.Operation && task.WaitTarget == op)
        {
            task.LastOperation = op;
            task.WaitVersion++;
            MakeReady(task);
        }
    }

    // ---- running ----

    /// <summary>Takes the scheduler's lock and installs its synchronization context until disposed.</summary>
    internal Scope Enter()
    {
        Monitor.Enter(_gate);
        LuauState.RunGuard guard;
        try
        {
            // The lock orders scheduler work; the guard also refuses a synchronous run on another thread.
            guard = _state.EnterRun();
        }
        catch
        {
            Monitor.Exit(_gate);
            throw;
        }
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        return new Scope(this, previous, guard);
    }

    internal readonly struct Scope(LuauTaskScheduler scheduler, SynchronizationContext? previous, LuauState.RunGuard guard) : IDisposable
    {
        public void Dispose()
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            guard.Dispose();
            Monitor.Exit(scheduler._gate);
        }
    }

    /// <summary>
    /// Runs until <paramref name="done"/> holds (or, when null, until nothing is left). Returns false when it cannot
    /// hold: nothing is left to run, no timer, no host work. <paramref name="blocked"/> is a task waiting in here
    /// without yielding; the loop also stops when it is cancelled.
    /// </summary>
    internal bool RunUntil(Func<bool>? done, LuauTask? blocked)
    {
        using var scope = Enter();
        while (true)
        {
            if (done?.Invoke() == true || blocked?.CancelRequested == true)
                return true;
            PumpInbox();
            FireDueTimers();
            if (_ready.TryDequeue(out var next))
            {
                RunReady(next);
                continue;
            }
            if (done?.Invoke() == true || blocked?.CancelRequested == true)
                return true;
            if (!WaitForWork())
                return done is null;
        }
    }

    /// <summary>Waits (really, or by moving the virtual clock) until there may be something to do; false when nothing ever will.</summary>
    private bool WaitForWork()
    {
        if (_time is null)
        {
            if (_outstanding.Count == 0)
            {
                if (!NextTimer(out double due))
                    return false;
                _virtualNow = Math.Max(_virtualNow, due);
                return true;
            }
            if (NextArrived(out _))
                return true;
            lock (_inboxLock)
            {
                if (_inbox.Count == 0)
                    Monitor.Wait(_inboxLock);
            }
            return true;
        }
        bool timer = NextTimer(out double next);
        if (!timer && _outstanding.Count == 0)
        {
            lock (_inboxLock)
                return _inbox.Count > 0;
        }
        if (timer)
            ArmWakeTimer(next);
        lock (_inboxLock)
        {
            if (_inbox.Count == 0 && (!timer || Now < next))
                Monitor.Wait(_inboxLock);
        }
        return true;
    }

    private void ArmWakeTimer(double due)
    {
        var delay = TimeSpan.FromSeconds(Math.Max(due - Now, 0) + 0.0005);
        if (delay > TimeSpan.FromDays(1))
            delay = TimeSpan.FromDays(1);
        _wakeTimer ??= _time!.CreateTimer(static s => ((LuauTaskScheduler)s!).WakeDrivers(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _wakeTimer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The async form of <see cref="RunUntil"/>: runs what is ready under the lock, then awaits host work or the next
    /// timer without holding a thread. Several drivers may run at once (several async calls); they take turns.
    /// </summary>
    internal async Task DriveAsync(Func<bool>? done, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task signal;
            double? wakeAt = null;
            using (Enter())
            {
                bool progressed = false;
                while (true)
                {
                    if (done?.Invoke() == true)
                    {
                        if (progressed)
                            WakeDrivers();
                        return;
                    }
                    progressed |= PumpInbox();
                    FireDueTimers();
                    if (_ready.TryDequeue(out var next))
                    {
                        RunReady(next);
                        progressed = true;
                        continue;
                    }
                    if (done?.Invoke() == true)
                        continue;
                    if (_time is null && _outstanding.Count == 0 && NextTimer(out double due))
                    {
                        _virtualNow = Math.Max(_virtualNow, due);
                        continue;
                    }
                    break;
                }
                if (progressed)
                    WakeDrivers();
                bool timer = _time is not null && NextTimer(out double nextDue) && (wakeAt = nextDue) is not null;
                lock (_inboxLock)
                {
                    if (_inbox.Count > 0 || (_time is null && NextArrived(out _)))
                        continue;
                    if (!timer && _outstanding.Count == 0)
                    {
                        if (done is null)
                            return;
                        throw new LuauDeadlockException();
                    }
                    signal = _signal.Task;
                }
                if (wakeAt is { } at)
                    ArmWakeTimer(at);
            }
            if (cancellationToken.CanBeCanceled)
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            else
                await signal.ConfigureAwait(false);
        }
    }

    // ---- waiting from library and host code ----

    /// <summary>The task the running code on <paramref name="thread"/> belongs to: its own, or the nearest resumer's.</summary>
    internal static LuauTask? EnclosingTask(LuauThread? thread)
    {
        for (var t = thread; t is not null; t = t.ResumedBy)
        {
            if (t.Task is { } task)
                return task;
        }
        return null;
    }

    /// <summary>
    /// The task that may suspend here: the running thread is a task's own coroutine and can yield at this point.
    /// Otherwise (main chunk, plain coroutine, metamethod) waits block in the scheduler.
    /// </summary>
    internal static LuauTask? YieldableTask(in LuauCallContext c) =>
        c.Thread.Task is { } task && c.IsYieldable && task.Status == LuauTaskStatus.Running ? task : null;

    /// <summary>
    /// Waits without yielding until <paramref name="done"/> holds, running other tasks meanwhile. Raises "cancelled"
    /// if the enclosing task is cancelled first, and <paramref name="deadlock"/> if nothing can make it hold.
    /// </summary>
    internal void Block(LuauThread thread, Func<bool> done, string deadlock)
    {
        var enclosing = EnclosingTask(thread);
        if (enclosing is { CancelRequested: true })
            throw Cancelled();
        if (!RunUntil(done, enclosing))
            throw new LuauError(deadlock);
        if (!done() && enclosing is { CancelRequested: true })
            throw Cancelled();
    }

    internal static LuauRuntimeException Cancelled() => new(CancelledMessage);

    /// <summary>Marks the roots the collector cannot see: tasks waiting in queues and timers.</summary>
    internal void MarkRoots(Action<LuauValue> mark)
    {
        foreach (var t in _ready)
            mark(new LuauValue(t.Value));
        foreach (var (entry, _) in _timers.UnorderedItems)
        {
            if (entry.Task is { } t)
                mark(new LuauValue(t.Value));
        }
        foreach (var op in _outstanding.Values)
        {
            if (op.Task is { } t)
                mark(new LuauValue(t.Value));
        }
        foreach (var t in _failures)
            mark(new LuauValue(t.Value));
    }
}

/// <summary>Internal listeners for a task's completion (the combinators).</summary>
internal abstract class TaskListener : IHostReferences
{
    public abstract void Completed(LuauTask task);

    public abstract void MarkReferences(Action<LuauValue> mark);
}

/// <summary>Thrown when the code an async call runs can never finish: it waits for something nothing will do.</summary>
public sealed class LuauDeadlockException() : LuauException("the Luau code can never finish: it waits for a task, timer or host call that nothing will complete (deadlock)");
