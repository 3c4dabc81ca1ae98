namespace Coputer.Platform.Runtime;

/// <summary>
/// The deterministic limits of one run: the same program and input stop at the same point on every machine.
/// The wall-clock backstop is the exception: it only catches what the deterministic limits miss, and what it
/// stops is a transient failure that is never cached.
/// </summary>
public sealed record RunLimits
{
    /// <summary>The defaults: 50 million instructions, 64 MiB, 8 MiB of response, 64 KiB of log, a 10 s backstop.</summary>
    public static RunLimits Default { get; } = new();

    /// <summary>The instruction budget (counted at the engine's safepoints: calls, returns and loop iterations).</summary>
    public long Instructions { get; init; } = 50_000_000;

    /// <summary>The memory cap in bytes, as the engine charges it.</summary>
    public long MemoryBytes { get; init; } = 64 << 20;

    /// <summary>The largest response (body and headers) in bytes.</summary>
    public long ResponseBytes { get; init; } = 8 << 20;

    /// <summary>The most headers a response may have.</summary>
    public int ResponseHeaders { get; init; } = 100;

    /// <summary>How much <c>print</c> output a run keeps in its log; more is dropped and the log says so.</summary>
    public int LogBytes { get; init; } = 64 << 10;

    /// <summary>The most modules a run may be loading at once (a chain of requires).</summary>
    public int RequireDepth { get; init; } = 64;

    /// <summary>The wall-clock backstop.</summary>
    public TimeSpan WallClock { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Which limit a run hit.</summary>
public enum RunLimit
{
    /// <summary>The instruction budget.</summary>
    Instructions,

    /// <summary>The memory cap.</summary>
    Memory,

    /// <summary>The call depth (the engine's stack limit).</summary>
    CallDepth,

    /// <summary>The response size or header count cap.</summary>
    ResponseSize,
}
