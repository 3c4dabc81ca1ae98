namespace Coputer.Platform.Runtime;

/// <summary>How a run (or a request for one) ended.</summary>
public enum RunStatus
{
    /// <summary>The program answered; <see cref="RunResult.Response"/> holds the response.</summary>
    Ok,

    /// <summary>The program failed: a Luau error, a bad return value, a failed require. Deterministic, so cached.</summary>
    ProgramError,

    /// <summary>The program hit a deterministic limit (<see cref="RunResult.Limit"/>). Cached like an error.</summary>
    LimitExceeded,

    /// <summary>No program has that name or hash on this node.</summary>
    NotFound,

    /// <summary>The node's run queue is full; try again later (transient, never cached).</summary>
    Overloaded,

    /// <summary>The request's deadline or the wall-clock backstop passed first (transient, never cached).</summary>
    Timeout,

    /// <summary>The caller cancelled (transient, never cached).</summary>
    Cancelled,

    /// <summary>The node failed for a reason of its own (transient, never cached); details are in the node's log only.</summary>
    InternalError,

    /// <summary>The node's operator does not serve this program or its publisher (see <c>NodePolicy</c>; never cached).</summary>
    Refused,

    /// <summary>The program's publisher has used up its run quota on this node for now (transient, never cached).</summary>
    QuotaExceeded,
}

/// <summary>
/// The outcome of running a web program: a response, or a failure of a known kind with a message fit for the
/// program's author (never anything about the node's internals), plus what the run cost.
/// </summary>
public sealed class RunResult
{
    /// <summary>How the run ended.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>The response, when <see cref="Status"/> is <see cref="RunStatus.Ok"/>.</summary>
    public WebResponse? Response { get; init; }

    /// <summary>For failures: the error, for example <c>main.luau:3: attempt to index nil with 'x'</c>.</summary>
    public string? Error { get; init; }

    /// <summary>For program errors: the Luau stack trace where the error was raised, innermost first.</summary>
    public string? Traceback { get; init; }

    /// <summary>For <see cref="RunStatus.LimitExceeded"/>: which limit.</summary>
    public RunLimit? Limit { get; init; }

    /// <summary>What the run cost and where it came from.</summary>
    public RunInfo Info { get; init; } = RunInfo.Empty;

    /// <summary>For <see cref="RunStatus.QuotaExceeded"/>: how long until the publisher may run again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether the same program and input always end this way (such outcomes are cached).</summary>
    public bool IsDeterministic => Status is RunStatus.Ok or RunStatus.ProgramError or RunStatus.LimitExceeded;

    public override string ToString() => Status == RunStatus.Ok ? $"{Response!.StatusCode} ({Response.Body.Length} bytes)" : $"{Status}: {Error}";
}

/// <summary>What a run cost, and whether the answer came from the cache.</summary>
public sealed record RunInfo
{
    internal static readonly RunInfo Empty = new();

    /// <summary>The program that ran.</summary>
    public Hash256 Program { get; init; }

    /// <summary>The request's input hash.</summary>
    public Hash256 Input { get; init; }

    /// <summary>Instructions used (see <see cref="RunLimits.Instructions"/>).</summary>
    public long Instructions { get; init; }

    /// <summary>The most memory the run's state held at once, in bytes.</summary>
    public long PeakMemory { get; init; }

    /// <summary>Wall-clock time of the run (or of the cache lookup).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Whether the result came from the result cache (then nothing ran).</summary>
    public bool Cached { get; init; }

    /// <summary>Whether identical concurrent requests shared this run.</summary>
    public bool Shared { get; init; }

    /// <summary>What the program printed (bounded by <see cref="RunLimits.LogBytes"/>).</summary>
    public string Log { get; init; } = "";
}
