using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>
/// The body of an async host function: receives the Luau arguments and a token that is cancelled when the calling
/// Luau task is cancelled (or stops waiting), and completes with the function's result.
/// </summary>
/// <remarks>
/// The body starts on the engine's side, so it may read its arguments (tables included) before its first
/// <c>await</c>. Continuations that keep the engine's <see cref="SynchronizationContext"/> (no
/// <c>ConfigureAwait(false)</c>) run on the engine's side too, one at a time; others run on the thread pool and must
/// not touch the state.
/// </remarks>
public delegate ValueTask<T> LuauAsyncFunction<T>(LuauValue[] args, CancellationToken cancellationToken);

/// <summary>Pushes an async host function's result as Luau values (on the engine's side); returns how many it pushed.</summary>
public delegate int LuauResultWriter<in T>(LuauCallContext context, T result);

public sealed partial class LuauState
{
    /// <summary>
    /// Makes an async host function: calling it from Luau starts <paramref name="body"/>. If the work does not
    /// complete at once, the calling task is suspended (other tasks run) and resumed with the result when it does;
    /// an exception is raised in Luau as an error with its message. Called where the code cannot yield (the main
    /// chunk, a plain coroutine, a metamethod), the call waits in the scheduler instead, so other tasks still run.
    /// </summary>
    /// <param name="name">The function's name in error messages and tracebacks.</param>
    /// <param name="body">The work; the token is cancelled when the calling task is cancelled.</param>
    /// <param name="writer">Turns the result into Luau values, on the engine's side.</param>
    public HostFunction CreateAsyncFunction<T>(string name, LuauAsyncFunction<T> body, LuauResultWriter<T> writer)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(writer);
        var call = new AsyncHostCall<T>(body, writer);
        return new HostFunction(name, call.Start, AsyncHostCall.Continue);
    }

    /// <summary>
    /// An async host function whose result is converted as usual: <see cref="LuauValue"/>, <c>LuauValue[]</c> (several
    /// results), <see cref="string"/>, <see cref="bool"/>, the numeric types, <c>byte[]</c> (a buffer), or nothing
    /// for <c>null</c>. See <see cref="CreateAsyncFunction{T}(string, LuauAsyncFunction{T}, LuauResultWriter{T})"/>.
    /// </summary>
    /// <remarks>Work that is a <see cref="Task{TResult}"/> is passed as <c>new ValueTask&lt;T&gt;(task)</c>; an <c>async</c> lambda converts as it is.</remarks>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no standard conversion; pass a writer.</exception>
    public HostFunction CreateAsyncFunction<T>(string name, LuauAsyncFunction<T> body) =>
        CreateAsyncFunction(name, body, AsyncResults<T>.Writer ?? throw AsyncResults.Unsupported(typeof(T)));

    /// <summary>An async host function that returns nothing to Luau.</summary>
    public HostFunction CreateAsyncFunction(string name, Func<LuauValue[], CancellationToken, ValueTask> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return CreateAsyncFunction(name, (args, ct) => body(args, ct).AsUnit(), static (_, _) => 0);
    }

    /// <summary>Sets the global <paramref name="name"/> to an async host function (see <see cref="CreateAsyncFunction{T}(string, LuauAsyncFunction{T})"/>).</summary>
    public HostFunction SetAsyncFunction<T>(string name, LuauAsyncFunction<T> body) =>
        SetGlobalFunction(CreateAsyncFunction(name, body));

    /// <summary>Sets the global <paramref name="name"/> to an async host function that returns nothing.</summary>
    public HostFunction SetAsyncFunction(string name, Func<LuauValue[], CancellationToken, ValueTask> body) =>
        SetGlobalFunction(CreateAsyncFunction(name, body));

    private HostFunction SetGlobalFunction(HostFunction f)
    {
        Globals[f.Name] = f;
        return f;
    }

    /// <summary>
    /// Runs <paramref name="function"/> as a task and completes with its results once it is done, running the
    /// scheduler meanwhile (other tasks, timers, async host work) without holding a thread while it waits.
    /// Cancelling <paramref name="cancellationToken"/> cancels the task (its current or next wait raises
    /// "cancelled", and the host work it waits for sees its token cancelled); a task that ends cancelled completes
    /// the returned task as cancelled. A Luau error becomes a <see cref="LuauRuntimeException"/> with the task's
    /// stack trace.
    /// </summary>
    /// <exception cref="LuauDeadlockException">The task waits for something nothing will ever complete.</exception>
    public Task<LuauValue[]> CallAsync(LuauFunction function, LuauValue[]? args = null, CancellationToken cancellationToken = default) =>
        CallAsync(function, Globals, args, cancellationToken);

    internal async Task<LuauValue[]> CallAsync(LuauFunction function, LuauTable globals, LuauValue[]? args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        cancellationToken.ThrowIfCancellationRequested();
        var scheduler = Tasks;
        LuauTask task;
        using (scheduler.Enter())
        {
            task = scheduler.CreateTask(function, globals, args is null ? [] : (LuauValue[])args.Clone());
            scheduler.StartNow(task);
        }
        using (cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static t => { var task = (LuauTask)t!; task.Scheduler.Post(task.Cancel); }, task)
            : default)
        {
            // The token cancels the Luau task, not the loop: the task may clean up (and even clear the flag) first.
            await scheduler.DriveAsync(() => task.IsCompleted, CancellationToken.None).ConfigureAwait(false);
        }
        task.Observed = true;
        return task.Status switch
        {
            LuauTaskStatus.Done => [.. task.ResultValues],
            LuauTaskStatus.Cancelled => throw (cancellationToken.IsCancellationRequested
                ? new OperationCanceledException(cancellationToken)
                : new OperationCanceledException("The Luau task was cancelled.")),
            _ => throw new LuauRuntimeException(task.ErrorValue) { LuauStackTrace = task.StackTrace },
        };
    }
}

/// <summary>The parts of an async host call that do not depend on the result type.</summary>
internal static class AsyncHostCall
{
    internal const string Deadlock = "the async host call can never finish: the scheduler has nothing left to run (deadlock)";

    /// <summary>The function's continuation: the task was resumed by the scheduler once its operation was delivered, or cancelled.</summary>
    internal static int Continue(LuauCallContext c, LuauCallStatus status)
    {
        var t = c.Thread.Task;
        if (t is null || t.Wait != TaskWait.None)
            throw new LuauError("a task waiting for an async host call was resumed by something else");
        var op = t.LastOperation;
        t.LastOperation = null;
        if (t.CancelRequested)
            throw LuauTaskScheduler.Cancelled();
        if (op is null)
            throw new LuauError("a task waiting for an async host call was resumed by something else");
        return op.PushResults(c);
    }
}

/// <summary>One registered async host function: starts the host's work for each call and waits for it.</summary>
internal sealed class AsyncHostCall<T>(LuauAsyncFunction<T> body, LuauResultWriter<T> writer)
{
    internal int Start(LuauCallContext c)
    {
        var scheduler = c.State.Tasks;
        var yieldable = LuauTaskScheduler.YieldableTask(c);
        if ((yieldable ?? LuauTaskScheduler.EnclosingTask(c.Thread)) is { CancelRequested: true })
            throw LuauTaskScheduler.Cancelled();
        var args = new LuauValue[c.ArgumentCount];
        for (int i = 0; i < args.Length; i++)
            args[i] = c[i + 1];

        var op = new HostOperation<T>(writer);
        ValueTask<T> work;
        using (scheduler.Enter())
        {
            try
            {
                work = body(args, op.Cancellation.Token);
            }
            catch (Exception e)
            {
                op.Cancellation.Dispose();
                return HostOperation.Raise(e);
            }
        }
        if (work.IsCompleted)
        {
            op.Cancellation.Dispose();
            T result;
            try
            {
                result = work.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                return HostOperation.Raise(e);
            }
            return writer(c, result);
        }
        op.Work = work;
        scheduler.Track(op);
        if (yieldable is { } task)
        {
            op.Task = task;
            task.Wait = TaskWait.Operation;
            task.WaitTarget = op;
            return c.Yield(0);
        }
        try
        {
            scheduler.Block(c.Thread, () => op.Delivered, AsyncHostCall.Deadlock);
        }
        finally
        {
            // Left by an error (a cancellation, the step budget): the host's work is no longer wanted.
            if (!op.Delivered)
                scheduler.Abandon(op);
        }
        return op.PushResults(c);
    }
}

/// <summary>The standard conversions of async results to Luau values.</summary>
internal static class AsyncResults
{
    internal static ArgumentException Unsupported(Type type) =>
        new($"Async host functions cannot convert {type.Name} to Luau values; pass a LuauResultWriter.", "body");
}

/// <summary>The standard writer for <typeparamref name="T"/>, or null when there is none.</summary>
internal static class AsyncResults<T>
{
    internal static readonly LuauResultWriter<T>? Writer = Make();

    private static LuauResultWriter<T>? Make()
    {
        var t = typeof(T);
        if (t == typeof(LuauValue))
            return static (c, v) => c.Return(Unsafe.As<T, LuauValue>(ref v));
        if (t == typeof(LuauValue[]))
            return static (c, v) => v is LuauValue[] values ? c.Return(values) : 0;
        if (t == typeof(string))
            return static (c, v) => c.Return(v is string s ? s : LuauValue.Nil);
        if (t == typeof(bool))
            return static (c, v) => c.Return(Unsafe.As<T, bool>(ref v));
        if (t == typeof(double))
            return static (c, v) => c.Return(Unsafe.As<T, double>(ref v));
        if (t == typeof(float))
            return static (c, v) => c.Return(Unsafe.As<T, float>(ref v));
        if (t == typeof(int))
            return static (c, v) => c.Return(Unsafe.As<T, int>(ref v));
        if (t == typeof(long))
            return static (c, v) => c.Return((double)Unsafe.As<T, long>(ref v));
        if (t == typeof(byte[]))
        {
            return static (c, v) =>
            {
                if (v is not byte[] bytes)
                    return c.Return(LuauValue.Nil);
                c.State.ChargeMemory(bytes.Length);
                return c.Return(new LuauValue(new LuauBuffer((byte[])bytes.Clone())));
            };
        }
        if (t == typeof(LuauTable))
            return static (c, v) => c.Return(v as LuauTable);
        if (t == typeof(LuauString))
            return static (c, v) => c.Return(v as LuauString);
        return null;
    }
}
