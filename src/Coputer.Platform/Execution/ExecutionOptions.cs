using Coputer.Platform.Bundles;
using Coputer.Platform.Policy;
using Coputer.Platform.Runtime;

namespace Coputer.Platform.Execution;

/// <summary>How an <see cref="ExecutionService"/> is set up. Only the data directory is required.</summary>
public sealed record ExecutionOptions
{
    /// <summary>Where the node keeps its database (<c>node.db</c>); created if missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Threads that run programs (default: one per core).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Runs that may wait for a worker; past this a request is answered <see cref="RunStatus.Overloaded"/> at once.</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>The deterministic limits of every run, and the wall-clock backstop.</summary>
    public RunLimits Limits { get; init; } = RunLimits.Default;

    /// <summary>
    /// Whether runs compile functions that run hot to IL, off the request path (see <see cref="ProgramRuntime.Run"/>);
    /// results are the same either way. Default on; false keeps every program in the interpreter.
    /// </summary>
    public bool IlTier { get; init; } = true;

    /// <summary>How long a caller waits for a run when it gives no deadline of its own.</summary>
    public TimeSpan DefaultDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most bytes of cached results kept on disk (least recently used are dropped first).</summary>
    public long ResultCacheBytes { get; init; } = 256L << 20;

    /// <summary>The most bytes of cached results also kept in memory, for the fastest hits.</summary>
    public long ResultMemoryBytes { get; init; } = 32L << 20;

    /// <summary>How many runs each program's log keeps (the most recent ones).</summary>
    public int RecentRunsPerProgram { get; init; } = 32;

    /// <summary>How many programs are kept unpacked and compiled in memory.</summary>
    public int LoadedPrograms { get; init; } = 128;

    /// <summary>Caps for bundles received by <see cref="ExecutionService.Publish(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</summary>
    public BundleLimits BundleLimits { get; init; } = BundleLimits.Default;

    /// <summary>The operator's rules: allowed and denied publishers and programs, storage and run quotas.</summary>
    public NodePolicy Policy { get; init; } = NodePolicy.Default;

    /// <summary>The clock run quotas refill by (tests pass a fake one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>Per-request settings for <see cref="ExecutionService.RunAsync"/>.</summary>
public sealed record RunOptions
{
    /// <summary>The defaults: the service's deadline, cache on.</summary>
    public static RunOptions Default { get; } = new();

    /// <summary>How long to wait for the answer (default: <see cref="ExecutionOptions.DefaultDeadline"/>).</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Whether a cached result may answer (off for development, to see every run's output).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>
    /// Whether a full run queue may send the run to a neighbour (<see cref="ExecutionService.Forward"/>). Off for runs
    /// done on behalf of a peer, so that a run is forwarded at most once.
    /// </summary>
    public bool MayForward { get; init; } = true;
}
