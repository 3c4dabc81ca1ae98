using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>Safepoints, interrupts, budgets, memory accounting and automatic collection.</summary>
public sealed partial class LuauState
{
    /// <summary>Safepoints left in the current interval before the slow path runs (interrupts, budget, collection).</summary>
    internal int Countdown = int.MaxValue;

    /// <summary>The countdown value at the start of the current interval: the steps used so far are its difference from <see cref="Countdown"/>.</summary>
    private int _countdownStart = int.MaxValue;

    private LuauInterruptHandler? _interrupt;
    private CancellationToken _cancellation;
    private long _stepBudget = -1;
    private Action? _patternInterrupt;

    private long _allocatedSinceGc;
    private long _gcThreshold = MinGcThreshold;
    private bool _gcPending;

    /// <summary>Allocation volume after which a collection runs even for a small heap.</summary>
    private const long MinGcThreshold = 4 << 20;

    /// <summary>
    /// Called at every safepoint (calls, returns and loop back-edges) while set, and every few hundred steps of
    /// pattern matching. It may throw a <see cref="LuauError"/> to raise an error in the running code, or return
    /// true to make the running coroutine yield (the instruction runs again when it is resumed); inside pattern
    /// matching a yield is an error, as in the reference.
    /// </summary>
    public LuauInterruptHandler? Interrupt
    {
        get => _interrupt;
        set
        {
            _interrupt = value;
            ResetCountdown();
        }
    }

    /// <summary>When cancelled, the running script stops with a <see cref="LuauTerminatedException"/> within 1024 safepoints (the token is polled at that interval to keep safepoints cheap).</summary>
    public CancellationToken Cancellation
    {
        get => _cancellation;
        set
        {
            _cancellation = value;
            ResetCountdown();
        }
    }

    /// <summary>
    /// The number of safepoints (calls, returns, loop iterations) scripts may still pass, or -1 for no limit. When it
    /// runs out the script stops with a <see cref="LuauTerminatedException"/>. The count is the same on every run of
    /// the same program and input.
    /// </summary>
    public long StepBudget
    {
        get => _stepBudget < 0 ? -1 : Math.Max(_stepBudget - (_countdownStart - Countdown), 0);
        set
        {
            _stepBudget = value;
            ResetCountdown();
        }
    }

    /// <summary>Bytes charged to this state's heap: an estimate of tables, strings, stacks and closures, recomputed from what is reachable at each collection.</summary>
    public long MemoryInUse { get; private set; }

    /// <summary>The highest <see cref="MemoryInUse"/> has been since the state was made.</summary>
    public long PeakMemoryInUse { get; private set; }

    /// <summary>When above zero, allocations past this many bytes fail with "not enough memory".</summary>
    public long MemoryLimit { get; set; }

    /// <summary>
    /// A full collection as <c>collectgarbage("collect")</c> asks for: unreachable objects are freed by .NET, and
    /// weak tables drop entries whose keys or values only they referenced.
    /// </summary>
    public void CollectGarbage() => CollectGarbage(null);

    /// <summary>A collection that also keeps what the running threads (from <paramref name="running"/> up its resumers) reach.</summary>
    internal void CollectGarbage(LuauThread? running)
    {
        GarbageCollector.Collect(this, running ?? RunningThread);
        _gcPending = false;
        _allocatedSinceGc = 0;
        _stepCredit = 0;
        // With the default goal, the next automatic collection comes after allocating as much again as is live now.
        _gcThreshold = Math.Max(MemoryInUse * (_collectorGoal - 100) / 100, MinGcThreshold);
    }

    internal void SetMemoryInUse(long bytes) => MemoryInUse = bytes;

    /// <summary>
    /// Whether collections run on their own as scripts allocate (<c>collectgarbage("stop"/"restart")</c>).
    /// Explicit collections and steps run either way.
    /// </summary>
    public bool AutomaticCollection { get; set; } = true;

    /// <summary>How large the heap may grow before the next automatic collection, in percent of what was live after the last one (at least 100).</summary>
    public int CollectorGoal
    {
        get => _collectorGoal;
        set => _collectorGoal = Math.Max(value, 100);
    }

    private int _collectorGoal = 200;

    /// <summary>How much collection work a step does per kilobyte it is asked for, in percent.</summary>
    public int CollectorStepMultiplier
    {
        get => _stepMultiplier;
        set => _stepMultiplier = Math.Max(value, 1);
    }

    private int _stepMultiplier = 200;

    /// <summary>The kilobytes a step with no size asks for.</summary>
    public int CollectorStepSize
    {
        get => _stepSize;
        set => _stepSize = Math.Max(value, 1);
    }

    private int _stepSize = 1;
    private long _stepCredit;

    /// <summary>
    /// One step of collection work worth <paramref name="kilobytes"/> of allocation (<c>collectgarbage("step")</c>;
    /// 0 asks for <see cref="CollectorStepSize"/>). The collector is not incremental: steps accumulate work until a
    /// full cycle's worth (the heap's size) is reached, then a collection runs. Returns true when a cycle finished.
    /// </summary>
    public bool StepCollector(int kilobytes)
    {
        long amount = (kilobytes <= 0 ? _stepSize : kilobytes) * 1024L * _stepMultiplier / 100;
        _stepCredit += amount;
        if (_stepCredit < MemoryInUse)
            return false;
        _stepCredit = 0;
        CollectGarbage();
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ChargeMemory(long bytes)
    {
        MemoryInUse += bytes;
        if (bytes > 0)
        {
            if ((MemoryLimit > 0 && MemoryInUse > MemoryLimit) || (MaxAllocationSize > 0 && bytes > MaxAllocationSize))
                OutOfMemory(bytes);
            if (MemoryInUse > PeakMemoryInUse)
                PeakMemoryInUse = MemoryInUse;
            _allocatedSinceGc += bytes;
            if (_allocatedSinceGc > _gcThreshold && !_gcPending && AutomaticCollection)
                RequestCollection();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OutOfMemory(long bytes)
    {
        MemoryInUse -= bytes;
        throw LuauRuntimeException.OutOfMemory();
    }

    /// <summary>Schedules a collection at the next safepoint, where every root (the running threads) is known.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RequestCollection()
    {
        _gcPending = true;
        ForceSafepoint();
    }

    private void ResetCountdown()
    {
        int interval = _interrupt is not null ? 1 : _cancellation.CanBeCanceled ? 1024 : int.MaxValue;
        if (_stepBudget >= 0)
            interval = (int)Math.Min(interval, Math.Max(_stepBudget, 1));
        Countdown = interval;
        _countdownStart = interval;
        if (_gcPending)
            ForceSafepoint();
    }

    /// <summary>Makes the next safepoint take the slow path, keeping the count of steps used exact.</summary>
    private void ForceSafepoint()
    {
        if (Countdown > 1)
        {
            _countdownStart -= Countdown - 1;
            Countdown = 1;
        }
    }

    /// <summary>The safepoint slow path; returns true when the interrupt handler asks for a yield.</summary>
    internal bool OnSafepoint(LuauThread thread)
    {
        if (_stepBudget >= 0)
        {
            _stepBudget -= _countdownStart - Countdown;
            if (_stepBudget < 0)
            {
                _stepBudget = 0;
                ResetCountdown();
                throw new LuauTerminatedException("the script ran out of steps");
            }
        }
        if (_gcPending)
            CollectGarbage(thread);
        ResetCountdown();
        if (_cancellation.IsCancellationRequested)
            throw new LuauTerminatedException("the script was cancelled");
        return _interrupt is not null && _interrupt(thread);
    }

    /// <summary>
    /// Called when <c>pcall</c>, <c>xpcall</c> or a protected host call catches an error, before the failing frames are
    /// unwound (the reference's debugprotectederror callback): a debugger can inspect the failing stack here.
    /// </summary>
    public Action<LuauThread>? ProtectedErrorHook { get; set; }

    /// <summary>When above zero, a single allocation larger than this fails with "not enough memory".</summary>
    public long MaxAllocationSize { get; set; }

    /// <summary>Called by long-running library loops (pattern matching): enforces cancellation and the step budget, and runs the interrupt handler.</summary>
    internal Action PatternInterrupt => _patternInterrupt ??= PollLimits;

    private void PollLimits()
    {
        if (_cancellation.IsCancellationRequested)
            throw new LuauTerminatedException("the script was cancelled");
        if (_stepBudget >= 0 && StepBudget <= 0)
            throw new LuauTerminatedException("the script ran out of steps");
        if (_stepBudget > 0)
            _stepBudget--;
        if (_interrupt is { } interrupt)
        {
            // The reference calls the interrupt from pattern matching too, where the thread cannot yield.
            var thread = RunningThread ?? MainThread;
            thread.HostCallDepth++;
            try
            {
                if (interrupt(thread))
                    throw new RuntimeError("attempt to yield across metamethod/C-call boundary");
            }
            finally
            {
                thread.HostCallDepth--;
            }
        }
    }
}
