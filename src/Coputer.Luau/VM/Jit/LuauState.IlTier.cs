namespace Coputer.Luau.VM;

/// <summary>The IL tier's settings and counters (see <see cref="Jit.IlTier"/>).</summary>
public sealed partial class LuauState
{
    /// <summary>The default <see cref="IlTierThreshold"/>: calls plus loop iterations of a function before it is compiled.</summary>
    public const int DefaultIlTierThreshold = 1000;

    /// <summary>
    /// Whether functions that run hot are compiled to IL. Compiled code keeps the interpreter's semantics exactly
    /// (results, errors and their positions, metamethods, yields, instruction counts); it only runs faster. Read when
    /// a function first becomes hot, so set it before running code.
    /// </summary>
    public bool IlTierEnabled { get; set; }

    /// <summary>
    /// How many calls and loop back-edges a function runs in the interpreter before it is compiled (at least 0).
    /// With 0 every function is compiled when it is first entered, on the calling thread (tests use this to run all
    /// code compiled).
    /// </summary>
    public int IlTierThreshold
    {
        get => _ilTierThreshold;
        set => _ilTierThreshold = Math.Max(value, 0);
    }

    private int _ilTierThreshold = DefaultIlTierThreshold;

    /// <summary>
    /// Whether a hot function is compiled on a thread-pool thread while the interpreter keeps running it (default),
    /// rather than on the thread that runs the script. A threshold of 0 always compiles on the calling thread.
    /// </summary>
    public bool IlTierBackground { get; set; } = true;

    /// <summary>Functions the IL tier has compiled in this state.</summary>
    public int IlTierCompiledFunctions => _ilCompiled;

    /// <summary>Functions the IL tier could not compile (they stay interpreted); 0 unless the tier has a bug.</summary>
    public int IlTierFailedFunctions => _ilFailed;

    /// <summary>The message of the last compilation failure, for diagnosing <see cref="IlTierFailedFunctions"/>.</summary>
    public string? IlTierLastFailure { get; private set; }

    private int _ilCompiled;
    private int _ilFailed;

    internal void CountIlCompiled() => Interlocked.Increment(ref _ilCompiled);

    internal void CountIlFailed(string message)
    {
        Interlocked.Increment(ref _ilFailed);
        IlTierLastFailure = message;
    }
}
