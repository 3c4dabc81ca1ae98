using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// The <c>task</c> library: tasks are coroutines whose end completes a future (results, or the error and its
/// traceback), run by the state's <see cref="LuauTaskScheduler"/>. The names follow Roblox and Lune
/// (<c>spawn</c>, <c>defer</c>, <c>delay</c>, <c>wait</c>, <c>cancel</c>); awaiting, cancellation as a flag and
/// the combinators follow coop.nvim's design.
/// </summary>
/// <remarks>
/// A wait (<c>task.wait</c>, an await, an async host call) suspends the task when the running code is the task's
/// own coroutine and may yield there. Anywhere else (the main chunk, a plain coroutine, a metamethod) it runs the
/// scheduler until it is over, so other tasks go on meanwhile.
/// </remarks>
internal static class TaskLibrary
{
    private static readonly string[] s_statusNames = ["suspended", "running", "done", "failed", "cancelled"];

    private const string AwaitDeadlock = "the awaited task can never finish: nothing else is left to run (deadlock)";
    private const string WaitDeadlock = "task.wait can never return: nothing else is left to run (deadlock)";

    public static void Open(LuauState state, TimeProvider? time)
    {
        var scheduler = state.CreateTaskScheduler(time);
        var wait = new HostFunction("wait", Wait, WaitContinue);
        var await = new HostFunction("await", Await, AwaitContinue);
        var library = LibraryUtil.CreateLibrary(state, "task",
            ("spawn", Spawn),
            ("defer", Defer),
            ("delay", Delay),
            ("cancel", Cancel),
            ("running", Running),
            ("cancelled", Cancelled),
            ("uncancel", Uncancel),
            ("all", All),
            ("any", Any),
            ("timeout", Timeout));
        LibraryUtil.SetField(state, library, "wait", wait);

        var methods = state.CreateTable(0, 4);
        LibraryUtil.SetField(state, methods, "await", await);
        LibraryUtil.Register(state, methods,
            ("cancel", Cancel),
            ("status", Status),
            ("error", Error));
        methods.IsReadOnly = true;
        var meta = state.CreateTable(0, 4);
        LibraryUtil.SetField(state, meta, "__index", methods);
        LibraryUtil.SetField(state, meta, "__call", await);
        LibraryUtil.SetField(state, meta, "__type", "task");
        meta.IsReadOnly = true;
        scheduler.TaskMetatable = meta;
    }

    private static LuauTask CheckTask(in LuauCallContext c, int n)
    {
        var v = c[n];
        if (v.AsUserdata is { Payload: LuauTask t } && t.Scheduler == c.State.Tasks)
            return t;
        throw c.TypeError(n, "task");
    }

    private static int Return(in LuauCallContext c, LuauTask t) => c.Return(new LuauValue(t.Value));

    /// <summary>The function argument and the arguments after it, for a new task.</summary>
    private static (LuauFunction Function, LuauValue[] Args) TaskBody(in LuauCallContext c, int n)
    {
        var f = c.CheckFunction(n);
        var args = new LuauValue[Math.Max(c.ArgumentCount - n, 0)];
        for (int i = 0; i < args.Length; i++)
            args[i] = c[n + 1 + i];
        return (f, args);
    }

    /// <summary>A duration argument in seconds: nil, NaN and negative values are 0.</summary>
    private static double Seconds(in LuauCallContext c, int n)
    {
        double s = c.OptNumber(n, 0);
        return double.IsNaN(s) || s < 0 ? 0 : s;
    }

    // ---- creating tasks ----

    private static int Spawn(LuauCallContext c)
    {
        var (f, args) = TaskBody(c, 1);
        var scheduler = c.State.Tasks;
        var t = scheduler.CreateTask(f, c.Thread.Globals, args);
        scheduler.StartNow(t);
        return Return(c, t);
    }

    private static int Defer(LuauCallContext c)
    {
        var (f, args) = TaskBody(c, 1);
        var scheduler = c.State.Tasks;
        var t = scheduler.CreateTask(f, c.Thread.Globals, args);
        scheduler.MakeReady(t);
        return Return(c, t);
    }

    private static int Delay(LuauCallContext c)
    {
        double seconds = Seconds(c, 1);
        var (f, args) = TaskBody(c, 2);
        var scheduler = c.State.Tasks;
        var t = scheduler.CreateTask(f, c.Thread.Globals, args);
        scheduler.AddTimer(scheduler.Now + seconds, t, null);
        return Return(c, t);
    }

    // ---- waiting ----

    private static int Wait(LuauCallContext c)
    {
        double seconds = Seconds(c, 1);
        var scheduler = c.State.Tasks;
        if (LuauTaskScheduler.YieldableTask(c) is { } t)
        {
            if (t.CancelRequested)
                throw LuauTaskScheduler.Cancelled();
            t.WaitStart = scheduler.Now;
            t.Wait = TaskWait.Timer;
            t.WaitTarget = null;
            scheduler.AddTimer(t.WaitStart + seconds, t, null);
            return c.Yield(0);
        }
        double start = scheduler.Now;
        bool reached = false;
        var timer = scheduler.AddTimer(start + seconds, null, () => reached = true);
        try
        {
            scheduler.Block(c.Thread, () => reached, WaitDeadlock);
        }
        finally
        {
            timer?.Cancelled = true;
        }
        return c.Return(scheduler.Now - start);
    }

    private static int WaitContinue(LuauCallContext c, LuauCallStatus status)
    {
        var t = ResumedTask(c);
        if (t.CancelRequested)
            throw LuauTaskScheduler.Cancelled();
        return c.Return(c.State.Tasks.Now - t.WaitStart);
    }

    /// <summary>The task a wait continuation runs in, which must have been resumed by the scheduler.</summary>
    private static LuauTask ResumedTask(in LuauCallContext c)
    {
        var t = c.Thread.Task;
        if (t is null || t.Wait != TaskWait.None)
            throw new LuauError("a task waiting in the scheduler was resumed by something else");
        return t;
    }

    private static int Await(LuauCallContext c)
    {
        var target = CheckTask(c, 1);
        var callback = c[2];
        if (!callback.IsNil)
        {
            var f = c.CheckFunction(2);
            target.Observed = true;
            var scheduler = c.State.Tasks;
            if (target.IsCompleted)
                scheduler.MakeReady(scheduler.CreateTask(f, c.Thread.Globals, LuauTaskScheduler.OutcomeArguments(target)));
            else
                target.AddWaiter(f);
            return 0;
        }
        if (target.IsCompleted)
            return Outcome(c, target);
        if (LuauTaskScheduler.YieldableTask(c) is { } t)
        {
            if (t == target)
                throw new LuauError("a task cannot await itself");
            if (t.CancelRequested)
                throw LuauTaskScheduler.Cancelled();
            t.Wait = TaskWait.Task;
            t.WaitTarget = target;
            target.AddWaiter(t);
            return c.Yield(0);
        }
        if (target.Status == LuauTaskStatus.Running)
            throw new LuauError("the awaited task cannot finish while code it runs waits for it");
        c.State.Tasks.Block(c.Thread, () => target.IsCompleted, AwaitDeadlock);
        return Outcome(c, target);
    }

    private static int AwaitContinue(LuauCallContext c, LuauCallStatus status)
    {
        var t = ResumedTask(c);
        if (t.CancelRequested)
            throw LuauTaskScheduler.Cancelled();
        return Outcome(c, CheckTask(c, 1));
    }

    /// <summary>Returns a completed task's results, or raises its error as the call that failed would have.</summary>
    private static int Outcome(in LuauCallContext c, LuauTask target)
    {
        target.Observed = true;
        switch (target.Status)
        {
            case LuauTaskStatus.Done:
                return c.Return(target.ResultValues);
            case LuauTaskStatus.Cancelled:
                throw LuauTaskScheduler.Cancelled();
            default:
                {
                    var error = target.ErrorValue;
                    if (c.Thread.Task is { } me)
                    {
                        me.RethrownError = error;
                        me.RethrownTrace = target.StackTrace;
                    }
                    throw new LuauRuntimeException(error)
                    {
                        LuauStackTrace = target.StackTrace + "awaited by:\n" + Interpreter.Traceback(c.Thread, 0),
                    };
                }
        }
    }

    // ---- cancellation ----

    private static int Cancel(LuauCallContext c)
    {
        CheckTask(c, 1).Cancel();
        return 0;
    }

    private static int Running(LuauCallContext c) =>
        LuauTaskScheduler.EnclosingTask(c.Thread) is { } t ? Return(c, t) : c.Return(LuauValue.Nil);

    private static int Cancelled(LuauCallContext c) =>
        c.Return(LuauTaskScheduler.EnclosingTask(c.Thread)?.CancelRequested ?? false);

    private static int Uncancel(LuauCallContext c)
    {
        LuauTaskScheduler.EnclosingTask(c.Thread)?.CancelRequested = false;
        return 0;
    }

    // ---- inspecting ----

    private static int Status(LuauCallContext c) => c.Return(s_statusNames[(int)CheckTask(c, 1).Status]);

    /// <summary><c>t:error()</c>: the error and traceback of a failed or cancelled task, or nil.</summary>
    private static int Error(LuauCallContext c)
    {
        var t = CheckTask(c, 1);
        if (t.Status is not (LuauTaskStatus.Failed or LuauTaskStatus.Cancelled))
            return c.Return(LuauValue.Nil);
        t.Observed = true;
        return c.Return(t.ErrorValue, t.StackTrace);
    }

    // ---- combinators ----

    private static LuauTask[] CheckTaskList(in LuauCallContext c, int n)
    {
        var list = c.CheckTable(n);
        int count = list.Length();
        var tasks = new LuauTask[count];
        for (int i = 0; i < count; i++)
        {
            var v = list[new LuauValue(i + 1)];
            if (v.AsUserdata is not { Payload: LuauTask t } || t.Scheduler != c.State.Tasks)
                throw c.ArgumentError(n, $"element #{i + 1} is not a task");
            tasks[i] = t;
        }
        return tasks;
    }

    private static int All(LuauCallContext c)
    {
        var tasks = CheckTaskList(c, 1);
        var scheduler = c.State.Tasks;
        var combined = scheduler.CreateVirtualTask(CancelEach(tasks));
        var listener = new AllListener(combined, tasks, c.State.CreateTable(tasks.Length, 0));
        listener.Start();
        return Return(c, combined);
    }

    private static int Any(LuauCallContext c)
    {
        var tasks = CheckTaskList(c, 1);
        if (tasks.Length == 0)
            throw c.ArgumentError(1, "no tasks to wait for");
        var combined = c.State.Tasks.CreateVirtualTask(CancelEach(tasks));
        new FirstListener(combined, tasks).Start();
        return Return(c, combined);
    }

    private static int Timeout(LuauCallContext c)
    {
        double seconds = Seconds(c, 1);
        var target = CheckTask(c, 2);
        var scheduler = c.State.Tasks;
        var combined = scheduler.CreateVirtualTask(null);
        var listener = new FirstListener(combined, [target]);
        combined.OnCancel = _ =>
        {
            listener.Timer?.Cancelled = true;
            target.Cancel();
        };
        listener.Start();
        if (!combined.IsCompleted)
        {
            listener.Timer = scheduler.AddTimer(scheduler.Now + seconds, null, () =>
            {
                if (combined.IsCompleted)
                    return;
                target.RemoveWaiter(listener);
                target.Cancel();
                scheduler.Finish(combined, LuauTaskStatus.Failed, [], LuauTaskScheduler.TimeoutMessage, "");
            });
        }
        return Return(c, combined);
    }

    private static Action<LuauTask> CancelEach(LuauTask[] tasks) => _ =>
    {
        foreach (var t in tasks)
            t.Cancel();
    };

    /// <summary>Completes a combined task with the outcome of <paramref name="from"/> (its results, error or cancellation).</summary>
    private static void CompleteLike(LuauTask combined, LuauTask from, LuauValue[] results)
    {
        var scheduler = combined.Scheduler;
        switch (from.Status)
        {
            case LuauTaskStatus.Done:
                scheduler.Finish(combined, LuauTaskStatus.Done, results, LuauValue.Nil, "");
                break;
            case LuauTaskStatus.Failed:
                scheduler.Finish(combined, LuauTaskStatus.Failed, [], from.ErrorValue, from.StackTrace);
                break;
            default:
                scheduler.Finish(combined, LuauTaskStatus.Failed, [], LuauTaskScheduler.CancelledMessage, "");
                break;
        }
    }

    /// <summary>task.all: a list of each task's first result, or the first error.</summary>
    private sealed class AllListener(LuauTask combined, LuauTask[] tasks, LuauTable results) : TaskListener
    {
        private int _remaining = tasks.Length;

        public void Start()
        {
            if (tasks.Length == 0)
            {
                combined.Scheduler.Finish(combined, LuauTaskStatus.Done, [new LuauValue(results)], LuauValue.Nil, "");
                return;
            }
            for (int i = 0; i < tasks.Length; i++)
            {
                var t = tasks[i];
                if (combined.IsCompleted)
                    return;
                // A task listed twice is listened to once; its result fills every place it has.
                if (Array.IndexOf(tasks, t) != i)
                    continue;
                if (t.IsCompleted)
                {
                    t.Observed = true;
                    Completed(t);
                }
                else
                {
                    t.AddWaiter(this);
                }
            }
        }

        public override void Completed(LuauTask task)
        {
            if (combined.IsCompleted)
                return;
            if (task.Status != LuauTaskStatus.Done)
            {
                // The others' later failures are theirs to report: nobody waits for them any more.
                foreach (var t in tasks)
                    t.RemoveWaiter(this);
                CompleteLike(combined, task, []);
                return;
            }
            int index = Array.IndexOf(tasks, task);
            for (; index >= 0; index = Array.IndexOf(tasks, task, index + 1))
            {
                results.RawSet(new LuauValue(index + 1), task.ResultValues.Length > 0 ? task.ResultValues[0] : LuauValue.Nil);
                _remaining--;
            }
            if (_remaining == 0)
                combined.Scheduler.Finish(combined, LuauTaskStatus.Done, [new LuauValue(results)], LuauValue.Nil, "");
        }

        public override void MarkReferences(Action<LuauValue> mark)
        {
            mark(new LuauValue(combined.Value));
            mark(new LuauValue(results));
            foreach (var t in tasks)
                mark(new LuauValue(t.Value));
        }
    }

    /// <summary>task.any and task.timeout: the outcome of the first task to complete.</summary>
    private sealed class FirstListener(LuauTask combined, LuauTask[] tasks) : TaskListener
    {
        public LuauTaskScheduler.TimerEntry? Timer;

        public void Start()
        {
            foreach (var t in tasks)
            {
                if (t.IsCompleted)
                {
                    t.Observed = true;
                    Completed(t);
                    return;
                }
            }
            for (int i = 0; i < tasks.Length; i++)
            {
                if (Array.IndexOf(tasks, tasks[i]) == i)
                    tasks[i].AddWaiter(this);
            }
        }

        public override void Completed(LuauTask task)
        {
            if (combined.IsCompleted)
                return;
            foreach (var t in tasks)
                t.RemoveWaiter(this);
            Timer?.Cancelled = true;
            CompleteLike(combined, task, task.ResultValues);
        }

        public override void MarkReferences(Action<LuauValue> mark)
        {
            mark(new LuauValue(combined.Value));
            foreach (var t in tasks)
                mark(new LuauValue(t.Value));
        }
    }
}
