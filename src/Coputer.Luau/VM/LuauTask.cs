namespace Coputer.Luau.VM;

/// <summary>The state of a <see cref="LuauTask"/>, as <c>t:status()</c> reports it.</summary>
public enum LuauTaskStatus
{
    /// <summary>Not started yet, or waiting (for time, another task or host work).</summary>
    Suspended,

    /// <summary>Running now (or running code it resumed).</summary>
    Running,

    /// <summary>Returned; <see cref="LuauTask.Results"/> holds what it returned.</summary>
    Done,

    /// <summary>Raised an error; <see cref="LuauTask.Error"/> and <see cref="LuauTask.StackTrace"/> keep it.</summary>
    Failed,

    /// <summary>Was cancelled and ended with the cancellation flag still set.</summary>
    Cancelled,
}

/// <summary>
/// A task: a coroutine run by the state's <see cref="LuauTaskScheduler"/> whose end completes a future. The future
/// keeps the results, or the error with its traceback, so whoever awaits the task later still gets them. Tasks
/// made by <c>task.all</c>, <c>task.any</c> and <c>task.timeout</c> have no coroutine of their own: other tasks
/// complete them.
/// </summary>
public sealed class LuauTask : IHostReferences
{
    internal LuauTask(LuauTaskScheduler scheduler, LuauThread? thread)
    {
        Scheduler = scheduler;
        Thread = thread;
        Value = new LuauUserdata(this, 0, scheduler.TaskMetatable);
        if (thread is not null)
            thread.Task = this;
    }

    internal readonly LuauTaskScheduler Scheduler;

    /// <summary>The coroutine the task runs, or null for a combinator's task.</summary>
    public LuauThread? Thread { get; private set; }

    /// <summary>Where the task stands.</summary>
    public LuauTaskStatus Status { get; internal set; }

    /// <summary>True once the task is done, failed or cancelled.</summary>
    public bool IsCompleted => Status >= LuauTaskStatus.Done;

    /// <summary>Whether cancellation was asked for and the task has not cleared it (<c>task.cancelled()</c> inside it).</summary>
    public bool IsCancellationRequested => CancelRequested;

    /// <summary>What the task returned (empty until it is done).</summary>
    public IReadOnlyList<LuauValue> Results => ResultValues;

    /// <summary>The error a failed or cancelled task ended with (nil otherwise).</summary>
    public LuauValue Error => ErrorValue;

    /// <summary>The Luau call stack where a failed task's error was raised (and, for an error passed on by an await, where it came from).</summary>
    public string StackTrace { get; internal set; } = "";

    /// <summary>
    /// Asks the task to stop: its current or next wait, await or async host call raises the error "cancelled". A
    /// task that has not started yet ends as cancelled at once. Nothing happens to a completed task.
    /// </summary>
    public void Cancel() => Scheduler.Cancel(this);

    internal LuauValue[] ResultValues = [];
    internal LuauValue ErrorValue;
    internal bool CancelRequested;

    /// <summary>True once someone took notice of the outcome (an await, a callback, a combinator, the host).</summary>
    internal bool Observed;

    /// <summary>What the task is waiting for while suspended, and the object it waits on.</summary>
    internal TaskWait Wait;
    internal object? WaitTarget;

    /// <summary>Bumped whenever the task stops waiting, so a stale timer entry can tell it no longer applies.</summary>
    internal int WaitVersion;

    /// <summary>The scheduler's clock when the current <c>task.wait</c> began.</summary>
    internal double WaitStart;

    /// <summary>Arguments for the first resume of a task that has not started.</summary>
    internal LuauValue[]? StartArgs;

    /// <summary>The host operation the task last waited for (read by the async function's continuation).</summary>
    internal HostOperation? LastOperation;

    /// <summary>Tasks, callbacks and internal listeners to tell when this task completes.</summary>
    internal List<object>? Waiters;

    /// <summary>
    /// The error an await in this task last raised and the traceback it came with, so that when the same error ends
    /// this task its original traceback is kept.
    /// </summary>
    internal LuauValue RethrownError;
    internal string? RethrownTrace;

    /// <summary>The Luau value standing for this task: a userdata with the task metatable.</summary>
    internal readonly LuauUserdata Value;

    /// <summary>For a combinator's task: what cancelling it does (cancel the tasks it combines).</summary>
    internal Action<LuauTask>? OnCancel;

    internal void AddWaiter(object waiter) => (Waiters ??= []).Add(waiter);

    internal void RemoveWaiter(object waiter) => Waiters?.Remove(waiter);

    /// <summary>Forgets the coroutine once the task has completed, so what its stack held can be collected.</summary>
    internal void ReleaseThread()
    {
        if (Thread is { } thread)
        {
            thread.Task = null;
            Thread = null;
        }
    }

    void IHostReferences.MarkReferences(Action<LuauValue> mark)
    {
        if (Thread is { } thread)
            mark(new LuauValue(thread));
        foreach (var v in ResultValues)
            mark(v);
        mark(ErrorValue);
        mark(RethrownError);
        if (StartArgs is not null)
        {
            foreach (var v in StartArgs)
                mark(v);
        }
        if (Waiters is not null)
        {
            foreach (var w in Waiters)
            {
                if (w is LuauTask t)
                    mark(new LuauValue(t.Value));
                else if (w is LuauFunction f)
                    mark(new LuauValue(f));
                else if (w is IHostReferences r)
                    r.MarkReferences(mark);
            }
        }
        if (WaitTarget is LuauTask target)
            mark(new LuauValue(target.Value));
        else if (WaitTarget is IHostReferences wr)
            wr.MarkReferences(mark);
    }

    /// <summary><c>task (status)</c>, for debugging.</summary>
    public override string ToString() => $"task ({Status.ToString().ToLowerInvariant()})";
}

/// <summary>What a suspended task is waiting for.</summary>
internal enum TaskWait : byte
{
    /// <summary>Not waiting: running, or completed.</summary>
    None,

    /// <summary>Created and queued (deferred or delayed), never run.</summary>
    NotStarted,

    /// <summary>In the ready queue, to be resumed.</summary>
    Ready,

    /// <summary>In <c>task.wait</c>, until a timer fires.</summary>
    Timer,

    /// <summary>In an await, until the target task completes.</summary>
    Task,

    /// <summary>In an async host call, until the host's work completes.</summary>
    Operation,
}

/// <summary>
/// A host object that holds Luau values the collector's mark phase must see (it marks from userdata payloads and
/// from the scheduler, which .NET code holds).
/// </summary>
internal interface IHostReferences
{
    void MarkReferences(Action<LuauValue> mark);
}
