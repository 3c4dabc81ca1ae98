using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>
/// An isolated Luau virtual machine: a heap, a global table, a main thread and the settings that bound them.
/// A state is single-threaded: use it from one thread at a time. Separate states share nothing.
/// </summary>
public sealed partial class LuauState
{
    private uint _nextKeyId;
    private readonly Dictionary<LuauString, LuauString> _interned = new(new InternComparer());

    /// <summary>A new state with an empty global table and no libraries (the façade opens them).</summary>
    public LuauState()
    {
        Registry = new LuauTable(this);
        Globals = new LuauTable(this);
        MainThread = new LuauThread(this, Globals) { Status = CoroutineStatus.Running };
        TypeNameStrings = new LuauString[(int)LuauType.Buffer + 1];
        for (int i = 0; i < TypeNameStrings.Length; i++)
            TypeNameStrings[i] = Intern(TypeNames.Of((LuauType)i));
        TostringName = Intern("__tostring");
        TagMethodNames = new LuauString[TypeNames.TagMethodNames.Length];
        for (int i = 0; i < TagMethodNames.Length; i++)
            TagMethodNames[i] = Intern(TypeNames.TagMethodNames[i]);
    }

    /// <summary>The thread the host runs code on.</summary>
    public LuauThread MainThread { get; }

    /// <summary>The global table of the main thread.</summary>
    public LuauTable Globals { get; }

    /// <summary>A table private to the host, for keeping references to Luau values.</summary>
    public LuauTable Registry { get; }

    internal readonly LuauString[] TagMethodNames;

    /// <summary>"__tostring", looked up by tostring and print.</summary>
    internal readonly LuauString TostringName;

    /// <summary>The result strings of <c>type()</c>, by type.</summary>
    internal readonly LuauString[] TypeNameStrings;

    /// <summary>Metatables for values that are not tables or userdata (strings, vectors, ...), by type.</summary>
    internal readonly LuauTable?[] TypeMetatables = new LuauTable?[(int)LuauType.Buffer + 1];

    /// <summary>Safepoints left before the next slow-path check (interrupts, budget, cancellation).</summary>
    internal int Countdown = int.MaxValue;

    /// <summary>How many safepoints pass between slow-path checks.</summary>
    internal int SafepointInterval = int.MaxValue;

    private LuauInterruptHandler? _interrupt;
    private CancellationToken _cancellation;
    private long _stepBudget = -1;

    /// <summary>
    /// Called at every safepoint (calls, returns and loop back-edges) while set. It may throw a
    /// <see cref="LuauError"/> to raise an error in the running code, or return true to make the running coroutine
    /// yield (the instruction runs again when it is resumed).
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

    /// <summary>When cancelled, the running script stops with a <see cref="LuauTerminatedException"/> at its next safepoint.</summary>
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
        get => _stepBudget < 0 ? -1 : _stepBudget - (SafepointInterval - Math.Max(Countdown, 0));
        set
        {
            _stepBudget = value;
            ResetCountdown();
        }
    }

    private void ResetCountdown()
    {
        int interval = _interrupt is not null ? 1 : _cancellation.CanBeCanceled ? 1024 : int.MaxValue;
        if (_stepBudget >= 0)
            interval = (int)Math.Min(interval, Math.Max(_stepBudget, 1));
        SafepointInterval = interval;
        Countdown = interval;
    }

    private Action? _patternInterrupt;

    /// <summary>Called by long-running library loops (pattern matching): enforces cancellation and the step budget.</summary>
    internal Action PatternInterrupt => _patternInterrupt ??= PollLimits;

    private void PollLimits()
    {
        if (_cancellation.IsCancellationRequested)
            throw new LuauTerminatedException("the script was cancelled");
        if (_stepBudget >= 0 && --_stepBudget < 0)
        {
            _stepBudget = 0;
            throw new LuauTerminatedException("the script ran out of steps");
        }
    }

    /// <summary>The safepoint slow path; returns true when the interrupt handler asks for a yield.</summary>
    internal bool OnSafepoint(LuauThread thread)
    {
        if (_stepBudget >= 0)
        {
            _stepBudget -= SafepointInterval;
            if (_stepBudget < 0)
            {
                _stepBudget = 0;
                throw new LuauTerminatedException("the script ran out of steps");
            }
            SafepointInterval = (int)Math.Min(SafepointInterval, Math.Max(_stepBudget, 1));
            Countdown = SafepointInterval;
        }
        if (_cancellation.IsCancellationRequested)
            throw new LuauTerminatedException("the script was cancelled");
        return _interrupt is not null && _interrupt(thread);
    }

    /// <summary>Where <c>print</c> writes.</summary>
    public Stream Output { get; set; } = Stream.Null;

    /// <summary>Bytes currently charged to this state's heap (an estimate: tables, strings, stacks, closures).</summary>
    public long MemoryInUse { get; private set; }

    /// <summary>When above zero, allocations past this many bytes fail with "not enough memory".</summary>
    public long MemoryLimit { get; set; }

    /// <summary>The metatable for values of <paramref name="type"/> that have no metatable of their own.</summary>
    public LuauTable? GetTypeMetatable(LuauType type) => (uint)type < (uint)TypeMetatables.Length ? TypeMetatables[(int)type] : null;

    /// <summary>Sets the shared metatable for a type (for example the string library for strings).</summary>
    public void SetTypeMetatable(LuauType type, LuauTable? metatable)
    {
        if (type is LuauType.Table or LuauType.Userdata or LuauType.Nil || (uint)type >= (uint)TypeMetatables.Length)
            throw new ArgumentException($"values of type {type} cannot share a metatable", nameof(type));
        TypeMetatables[(int)type] = metatable;
    }

    /// <summary>
    /// A full collection as <c>collectgarbage("collect")</c> asks for: unreachable objects are freed by .NET, and
    /// weak tables drop entries whose keys or values only they referenced.
    /// </summary>
    public void CollectGarbage() => GarbageCollector.Collect(this);

    /// <summary>A collection that also keeps what the running threads (from <paramref name="running"/> up its resumers) reach.</summary>
    internal void CollectGarbage(LuauThread running) => GarbageCollector.Collect(this, running);

    internal void SetMemoryInUse(long bytes) => MemoryInUse = bytes;

    /// <summary>A new empty table owned by this state.</summary>
    public LuauTable CreateTable(int arraySize = 0, int hashSize = 0) => new(this, arraySize, hashSize);

    internal uint NextKeyId()
    {
        // Wrapping after four billion keyed objects only makes hashes collide more; correctness does not depend on uniqueness.
        uint id = ++_nextKeyId;
        if (id == 0)
            id = ++_nextKeyId;
        return id;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ChargeMemory(long bytes)
    {
        MemoryInUse += bytes;
        if (bytes > 0 && MemoryLimit > 0 && MemoryInUse > MemoryLimit)
            OutOfMemory(bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OutOfMemory(long bytes)
    {
        MemoryInUse -= bytes;
        throw LuauRuntimeException.OutOfMemory();
    }

    /// <summary>
    /// The state's single copy of a string with these bytes. Used for names that code refers to (constants,
    /// library names, metamethod names), so most table keys are shared objects and compare by reference.
    /// </summary>
    internal LuauString Intern(ReadOnlySpan<byte> bytes)
    {
        var lookup = _interned.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(bytes, out var existing))
            return existing;
        var s = LuauString.From(bytes);
        _interned[s] = s;
        return s;
    }

    internal LuauString Intern(string text) => Intern(System.Text.Encoding.UTF8.GetBytes(text));

    private sealed class InternComparer : IEqualityComparer<LuauString>, IAlternateEqualityComparer<ReadOnlySpan<byte>, LuauString>
    {
        public bool Equals(LuauString? x, LuauString? y) => x!.Equals(y);

        public int GetHashCode(LuauString obj) => (int)obj.Hash;

        public bool Equals(ReadOnlySpan<byte> alternate, LuauString other) => alternate.SequenceEqual(other.Span);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)LuauString.HashBytes(alternate);

        public LuauString Create(ReadOnlySpan<byte> alternate) => LuauString.From(alternate);
    }
}
