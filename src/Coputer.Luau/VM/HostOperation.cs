using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>
/// One call of an async host function that did not finish at once: the host's <see cref="ValueTask"/> running, the
/// token that cancels it, and where its outcome goes. The completing thread only stores the outcome and posts the
/// operation to the scheduler's inbox; everything else happens on the engine's side.
/// </summary>
internal abstract class HostOperation
{
    /// <summary>The order in which operations started (virtual time delivers outcomes in this order).</summary>
    internal long Sequence;

    /// <summary>The task suspended on this operation, or null when the caller blocks in the scheduler instead.</summary>
    internal LuauTask? Task;

    internal readonly CancellationTokenSource Cancellation = new();

    /// <summary>Set on the engine side once the scheduler has taken the posted outcome from its inbox.</summary>
    internal bool Arrived;

    /// <summary>Set once the outcome was handed to the waiter.</summary>
    internal bool Delivered;

    /// <summary>The waiter was cancelled: the outcome, when it comes, is dropped.</summary>
    internal bool Abandoned;

    /// <summary>The host work failed with this (read on the engine side after arrival).</summary>
    internal Exception? Exception;

    /// <summary>Pushes the outcome as results of the host frame in <paramref name="c"/>, or throws the host's exception as a Luau error.</summary>
    internal abstract int PushResults(LuauCallContext c);

    /// <summary>Starts listening for the host work's completion, which posts this operation to <paramref name="scheduler"/>.</summary>
    internal abstract void Listen(LuauTaskScheduler scheduler);

    /// <summary>Raises the stored exception as a Luau error raised by the async function.</summary>
    protected int Rethrow() => Raise(Exception!);

    /// <summary>Raises a host function's exception in Luau: Luau errors as they are, anything else with its message.</summary>
    internal static int Raise(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            e = aggregate.InnerExceptions[0];
        if (e is LuauError or LuauRuntimeException)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
        throw new HostOperationError(e);
    }
}

/// <summary>An operation whose host work produces a <typeparamref name="T"/>, converted to Luau values on the engine's side.</summary>
internal sealed class HostOperation<T>(LuauResultWriter<T> push) : HostOperation
{
    private ValueTask<T> _work;
    private T? _result;

    /// <summary>The host's work, set once it is known not to have completed at once (before <see cref="Listen"/>).</summary>
    internal ValueTask<T> Work
    {
        set => _work = value;
    }

    internal override void Listen(LuauTaskScheduler scheduler)
    {
        var awaiter = _work.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(() =>
        {
            try
            {
                _result = awaiter.GetResult();
            }
            catch (Exception e)
            {
                Exception = e;
            }
            _work = default;
            scheduler.PostCompletion(this);
        });
    }

    internal override int PushResults(LuauCallContext c) => Exception is null ? push(c, _result!) : Rethrow();
}

/// <summary>An exception from async host work, raised in Luau with its message (and the caller's position).</summary>
internal sealed class HostOperationError(Exception inner) : LuauError(inner.Message, inner);

/// <summary>
/// The <see cref="SynchronizationContext"/> host code sees while the scheduler runs it: continuations it posts (an
/// <c>await</c> in an async host function, for example) are queued to the scheduler and run on the engine's side,
/// one at a time, so they may use the state.
/// </summary>
internal sealed class LuauSynchronizationContext(LuauTaskScheduler scheduler) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => scheduler.Post(d, state);

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (Current == this)
        {
            d(state);
            return;
        }
        using var done = new ManualResetEventSlim();
        Exception? error = null;
        scheduler.Post(_ =>
        {
            try
            {
                d(state);
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                done.Set();
            }
        }, null);
        done.Wait();
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }

    public override SynchronizationContext CreateCopy() => this;
}

/// <summary>Helpers for completed value tasks.</summary>
internal static class ValueTaskExtensions
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<bool> AsUnit(this ValueTask task) => task.IsCompletedSuccessfully ? new(true) : Await(task);

    private static async ValueTask<bool> Await(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
