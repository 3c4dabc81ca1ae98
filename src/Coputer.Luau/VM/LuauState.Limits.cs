using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>Safepoints, interrupts, budgets, memory accounting and automatic collection.</summary>
public sealed partial class LuauState
{
    /// <summary>
    /// Instruction steps left in the current interval before the slow path runs (interrupts, budget, collection).
    /// Safepoints charge it by the work since the previous one: a loop back-edge the length of the loop's body, a
    /// return the position of the return in its function (an upper bound of the straight-line code run on the way),
    /// a call one; library functions charge in proportion to the bytes or elements they process.
    /// </summary>
    internal int Countdown = int.MaxValue;

    /// <summary>The countdown value at the start of the current interval: the steps used so far are its difference from <see cref="Countdown"/>.</summary>
    private int _countdownStart = int.MaxValue;

    /// <summary>Steps charged in the intervals before the current one.</summary>
    private long _stepsBeforeInterval;

    /// <summary>While a run with a timeout is active, the token of its timer (to tell a timeout from a cancellation).</summary>
    private CancellationToken _timeoutToken;

    /// <summary>Safepoints between polls of a cancellation token, counted in instruction steps.</summary>
    private const int CancellationPollInterval = 1 << 14;

    private LuauInterruptHandler? _interrupt;
    private CancellationToken _cancellation;
    private long _stepBudget = -1;
    private Action? _patternInterrupt;

    private long _allocatedSinceGc;
    private bool _failedSinceCount;
    private long _gcThreshold = MinGcThreshold;
    private uint _gcEpoch;
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

    /// <summary>When cancelled, the running script stops with a <see cref="LuauTerminatedException"/> within a few thousand instruction steps (the token is polled at that interval to keep safepoints cheap), in library loops too.</summary>
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
    /// The instruction steps scripts may still execute, or -1 for no limit (see <see cref="InstructionsExecuted"/> for
    /// how they are counted). When it runs out the script stops with a <see cref="LuauTerminatedException"/>. The
    /// count is the same on every run of the same program and input. Hosts usually set a per-run allowance with
    /// <see cref="BeginRun"/> instead, which restores the previous budget when the run ends.
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

    /// <summary>
    /// The instruction steps charged since the state was made: executed bytecode instructions (charged at loop
    /// back-edges, calls and returns by the length of the code they complete, so straight-line code counts too) and
    /// library work in proportion to its size (bytes copied or scanned, elements sorted).
    /// </summary>
    public long InstructionsExecuted => _stepsBeforeInterval + (_countdownStart - Countdown);

    /// <summary>
    /// Starts a run with its own allowance: the instruction budget, timeout and cancellation of
    /// <paramref name="limits"/> apply until the returned scope is disposed, which restores the previous settings.
    /// A budget is per run, not a lifetime total: each run gets its full allowance.
    /// </summary>
    public LuauRunScope BeginRun(LuauRunLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new LuauRunScope(this, limits);
    }

    internal (long Budget, CancellationToken Cancellation, CancellationToken Timeout) SaveLimits() => (StepBudget, _cancellation, _timeoutToken);

    /// <summary>Restores the limits from before a run; an enclosing budget is charged what the run used.</summary>
    internal void RestoreLimits((long Budget, CancellationToken Cancellation, CancellationToken Timeout) saved, long used)
    {
        _timeoutToken = saved.Timeout;
        _cancellation = saved.Cancellation;
        StepBudget = saved.Budget < 0 ? -1 : Math.Max(saved.Budget - used, 0);
    }

    internal void ApplyLimits(long budget, CancellationToken cancellation, CancellationToken timeout)
    {
        _timeoutToken = timeout;
        _cancellation = cancellation;
        StepBudget = budget;
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
    /// A new collection number (never 0, which no object marked yet holds). After 2^32 - 1 collections the numbers
    /// repeat; an object last marked exactly that many collections earlier would then be taken as marked once.
    /// </summary>
    internal uint NextGcEpoch()
    {
        if (++_gcEpoch == 0)
            _gcEpoch = 1;
        return _gcEpoch;
    }

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
        else if (MemoryInUse < 0)
        {
            // A credit for memory a recount no longer saw (a library buffer that was not reachable).
            MemoryInUse = 0;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OutOfMemory(long bytes)
    {
        MemoryInUse -= bytes;
        // The estimate only drops at collections, so after a burst of garbage (or an earlier "not enough memory")
        // it may be far above what is live: count what is reachable and try again before failing. Only when enough
        // was allocated since the last count, so a heap that is really full fails fast.
        bool singleTooLarge = MaxAllocationSize > 0 && bytes > MaxAllocationSize;
        if (!singleTooLarge && MemoryLimit > 0 && (_failedSinceCount || _allocatedSinceGc > MemoryLimit / 8))
        {
            GarbageCollector.Collect(this, RunningThread, clearWeak: false);
            _allocatedSinceGc = 0;
            _failedSinceCount = false;
            if (MemoryInUse + bytes <= MemoryLimit)
            {
                MemoryInUse += bytes;
                return;
            }
        }
        // What failed is garbage once the error unwinds: the next failure counts again.
        _failedSinceCount = true;
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
        int interval = _interrupt is not null ? 1 : _cancellation.CanBeCanceled ? CancellationPollInterval : int.MaxValue;
        if (_stepBudget >= 0)
            interval = (int)Math.Min(interval, Math.Max(_stepBudget, 1));
        _stepsBeforeInterval += _countdownStart - Countdown;
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
        CheckBudget();
        if (_gcPending)
            CollectGarbage(thread);
        ResetCountdown();
        if (_cancellation.IsCancellationRequested)
            throw Cancelled();
        return _interrupt is not null && _interrupt(thread);
    }

    /// <summary>Takes the steps of the current interval from the budget; throws when it is exhausted.</summary>
    private void CheckBudget()
    {
        if (_stepBudget >= 0)
        {
            _stepBudget -= _countdownStart - Countdown;
            if (_stepBudget < 0)
            {
                _stepBudget = 0;
                ResetCountdown();
                throw new LuauTerminatedException("the script ran out of steps", LuauTerminationReason.Instructions);
            }
        }
    }

    private LuauTerminatedException Cancelled() => _timeoutToken.IsCancellationRequested
        ? new LuauTerminatedException("the script ran out of time", LuauTerminationReason.Timeout)
        : new LuauTerminatedException("the script was cancelled");

    /// <summary>
    /// Charges library work (bytes copied or scanned, elements moved) to the step budget, and polls the limits when
    /// the interval runs out, so a long library call stops within milliseconds of a cancellation. Never yields or
    /// collects: the caller's .NET locals are not roots.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ChargeWork(long steps)
    {
        if (steps < Countdown)
            Countdown -= (int)steps;
        else
            ChargeWorkSlow(steps);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ChargeWorkSlow(long steps)
    {
        while (true)
        {
            // Countdown > 0 here; take what fits in the interval and poll at its end.
            int take = (int)Math.Min(steps, Math.Max(Countdown, 0));
            Countdown -= take;
            steps -= take;
            if (Countdown > 0)
                return;
            CheckBudget();
            ResetCountdown();
            if (_cancellation.IsCancellationRequested)
                throw Cancelled();
            if (steps == 0)
                return;
        }
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
            throw Cancelled();
        // Each poll stands for a few hundred steps of matching.
        ChargeWork(256);
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
