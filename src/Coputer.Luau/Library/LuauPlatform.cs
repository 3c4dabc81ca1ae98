namespace Coputer.Luau.Library;

/// <summary>
/// Everything the standard library reads from the world outside the script: clocks, the time zone, the initial
/// random seed, task time and the machine's C math library. Scripts see nothing else of the host.
/// <see cref="System"/> is the machine's real clock (for the command line); <see cref="Deterministic"/> gives the
/// same values on every run, as the sandbox needs.
/// </summary>
public sealed class LuauPlatform
{
    /// <summary>Seconds for <c>os.clock</c> (only differences between readings mean anything).</summary>
    public required Func<double> Clock { get; init; }

    /// <summary>Seconds since the Unix epoch, for <c>os.time()</c> and <c>os.date</c> without a time.</summary>
    public required Func<long> UnixTime { get; init; }

    /// <summary>The zone of <c>os.date</c>'s local time.</summary>
    public TimeZoneInfo LocalTimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The seed of <c>math.random</c> before any <c>math.randomseed</c>.</summary>
    public ulong RandomSeed { get; init; }

    /// <summary>
    /// Compute <c>math</c>'s transcendental functions, <c>^</c> and the builtins' fast paths with the engine's managed
    /// implementation (identical bits on every machine and runtime, within an ulp of the correctly rounded result)
    /// and show every NaN as one canonical NaN where its bits can be observed (<c>string.pack</c>, buffer writes,
    /// <c>string.format</c>'s sign). When false (the <see cref="System"/> platform), they call the host's C library
    /// through <see cref="Math"/>, as the reference does, and results may differ between machines. Default: true.
    /// </summary>
    public bool DeterministicMath { get; init; } = true;

    /// <summary>
    /// The clock of <c>task.wait</c> and <c>task.delay</c>: real time from this provider, or, when null, a virtual
    /// clock per state that starts at 0 and moves only when every task waits, so waiting takes no real time.
    /// </summary>
    public TimeProvider? TaskTime { get; init; }

    /// <summary>The real clocks of this machine, its local time zone, a seed from the clock and its C math library.</summary>
    public static LuauPlatform System { get; } = new()
    {
        Clock = () => global::System.Diagnostics.Stopwatch.GetTimestamp() / (double)global::System.Diagnostics.Stopwatch.Frequency,
        UnixTime = () => DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        LocalTimeZone = TimeZoneInfo.Local,
        RandomSeed = (ulong)global::System.Diagnostics.Stopwatch.GetTimestamp(),
        TaskTime = TimeProvider.System,
        DeterministicMath = false,
    };

    /// <summary>
    /// Fixed values: <c>os.time()</c> is <paramref name="unixTime"/>, <c>os.clock()</c> is 0, local time is UTC, the
    /// random seed is <paramref name="randomSeed"/>, tasks wait in virtual time and math is
    /// <see cref="DeterministicMath"/>. The same script and input then give the same output on every machine.
    /// </summary>
    public static LuauPlatform Deterministic(long unixTime = 0, ulong randomSeed = 0) => new()
    {
        Clock = static () => 0.0,
        UnixTime = () => unixTime,
        LocalTimeZone = TimeZoneInfo.Utc,
        RandomSeed = randomSeed,
        DeterministicMath = true,
    };
}
