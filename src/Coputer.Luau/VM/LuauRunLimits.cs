namespace Coputer.Luau.VM;

/// <summary>
/// What one run (a <c>DoString</c>, a <c>Call</c>, or a scope from <see cref="LuauState.BeginRun"/>) may use. Each
/// run gets the whole allowance: limits are per run, not a total over the state's life.
/// </summary>
public sealed record LuauRunLimits
{
    /// <summary>No limits.</summary>
    public static LuauRunLimits None { get; } = new();

    /// <summary>
    /// Instruction steps the run may execute, or -1 for no limit (see <see cref="LuauState.InstructionsExecuted"/>
    /// for how instructions and library work are counted). Deterministic: the same program and input use the same count.
    /// </summary>
    public long Instructions { get; init; } = -1;

    /// <summary>Wall-clock time the run may take (default: no timeout). Not deterministic: a backstop.</summary>
    public TimeSpan Timeout { get; init; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>Stops the run when cancelled, within milliseconds, inside long library calls too.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>
/// An active run with its own limits (from <see cref="LuauState.BeginRun"/>). Disposing it ends the run and
/// restores the limits that applied before. Scopes nest.
/// </summary>
public sealed class LuauRunScope : IDisposable
{
    private readonly LuauState _state;
    private readonly (long, CancellationToken, CancellationToken) _saved;
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource? _clock;
    private readonly CancellationTokenSource? _link;
    private readonly long _startSteps;
    private long _endSteps = -1;

    internal LuauRunScope(LuauState state, LuauRunLimits limits)
    {
        _state = state;
        state.CheckNotRunningElsewhere();
        _saved = state.SaveLimits();
        Limits = limits;
        // The run keeps the limits the host set on the state and adds its own: the tighter budget, either token.
        var (outerBudget, outerCancellation, outerTimeout) = _saved;
        var cancellation = limits.Cancellation;
        CancellationToken timeout = outerTimeout;
        if (!cancellation.CanBeCanceled)
        {
            cancellation = outerCancellation;
        }
        else if (outerCancellation.CanBeCanceled)
        {
            _link = CancellationTokenSource.CreateLinkedTokenSource(cancellation, outerCancellation);
            cancellation = _link.Token;
        }
        long budget = limits.Instructions < 0 ? outerBudget : outerBudget < 0 ? limits.Instructions : Math.Min(outerBudget, limits.Instructions);
        if (limits.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limits.Timeout, TimeSpan.Zero, nameof(limits));
            _timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var clock = new CancellationTokenSource(limits.Timeout);
            // The run's token fires on either; the clock's own token tells a timeout from a cancellation.
            timeout = clock.Token;
            clock.Token.Register(static t => ((CancellationTokenSource)t!).Cancel(), _timer);
            _clock = clock;
            cancellation = _timer.Token;
        }
        _startSteps = state.InstructionsExecuted;
        state.ApplyLimits(budget, cancellation, timeout);
    }

    /// <summary>The limits of this run.</summary>
    public LuauRunLimits Limits { get; }

    /// <summary>Instruction steps the run has used so far (or in total, once disposed).</summary>
    public long InstructionsUsed => (_endSteps >= 0 ? _endSteps : _state.InstructionsExecuted) - _startSteps;

    /// <summary>Ends the run and restores the previous limits.</summary>
    public void Dispose()
    {
        if (_endSteps >= 0)
            return;
        _endSteps = _state.InstructionsExecuted;
        _state.RestoreLimits(_saved, _endSteps - _startSteps);
        _clock?.Dispose();
        _timer?.Dispose();
        _link?.Dispose();
    }
}
