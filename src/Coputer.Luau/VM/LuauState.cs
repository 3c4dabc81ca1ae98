using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Coputer.Luau.VM;

/// <summary>
/// An isolated Luau virtual machine: a heap, a global table, a main thread and the settings that bound them.
/// A state is single-threaded: use it from one thread at a time. Separate states share nothing.
/// </summary>
public sealed partial class LuauState
{
    private uint _nextKeyId;

    /// <summary>
    /// The fixed names every state knows (library, type and metamethod names), shared read-only by the states made
    /// after <see cref="PublishSharedNames"/>; null for earlier states, which intern everything themselves.
    /// </summary>
    private readonly Dictionary<LuauString, LuauString>? _sharedNames = Volatile.Read(ref s_sharedNames);

    private static Dictionary<LuauString, LuauString>? s_sharedNames;

    // Without the shared names, sized for the libraries' names (about 240) and a small program's constants, so a
    // fresh state rarely regrows it; with them, only for the program's own strings.
    private readonly Dictionary<LuauString, LuauString> _interned;

    /// <summary>A new state with an empty global table and no libraries (the façade opens them).</summary>
    public LuauState()
    {
        _interned = new(_sharedNames is null ? 384 : 64, new InternComparer());
        Registry = new LuauTable(this);
        Globals = new LuauTable(this);
        MainThread = new LuauThread(this, Globals) { Status = CoroutineStatus.Running };
        TypeNameStrings = new LuauString[(int)LuauType.Buffer + 1];
        for (int i = 0; i < TypeNameStrings.Length; i++)
            TypeNameStrings[i] = InternName(TypeNames.Of((LuauType)i));
        TostringName = InternName("__tostring");
        TagMethodNames = new LuauString[TypeNames.TagMethodNames.Length];
        for (int i = 0; i < TagMethodNames.Length; i++)
            TagMethodNames[i] = InternName(TypeNames.TagMethodNames[i]);
    }

    /// <summary>The thread the host runs code on.</summary>
    public LuauThread MainThread { get; }

    /// <summary>The innermost thread being resumed, or null when only the main thread runs (through calls).</summary>
    internal LuauThread? RunningThread;

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

    /// <summary>Where <c>print</c> writes.</summary>
    public Stream Output { get; set; } = Stream.Null;

    /// <summary>
    /// Math (library, builtins, <c>^</c>) uses the managed deterministic implementation instead of the host's C
    /// library, and NaNs are canonical where observable (see <see cref="Library.LuauPlatform.DeterministicMath"/>,
    /// which sets it when the libraries are opened).
    /// </summary>
    internal bool DeterministicMath = true;

    /// <summary>The metatable for values of <paramref name="type"/> that have no metatable of their own.</summary>
    public LuauTable? GetTypeMetatable(LuauType type) => (uint)type < (uint)TypeMetatables.Length ? TypeMetatables[(int)type] : null;

    /// <summary>Sets the shared metatable for a type (for example the string library for strings).</summary>
    public void SetTypeMetatable(LuauType type, LuauTable? metatable)
    {
        if (type is LuauType.Table or LuauType.Userdata or LuauType.Nil || (uint)type >= (uint)TypeMetatables.Length)
            throw new ArgumentException($"values of type {type} cannot share a metatable", nameof(type));
        TypeMetatables[(int)type] = metatable;
    }

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

    /// <summary>
    /// The state's single copy of a string with these bytes. Used for names that code refers to (constants,
    /// library names, metamethod names), so most table keys are shared objects and compare by reference.
    /// </summary>
    internal LuauString Intern(ReadOnlySpan<byte> bytes)
    {
        if (_sharedNames is not null && _sharedNames.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(bytes, out var shared))
            return shared;
        var lookup = _interned.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(bytes, out var existing))
            return existing;
        var s = LuauString.From(bytes);
        _interned[s] = s;
        return s;
    }

    internal LuauString Intern(string text) => Intern(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Names every state interns (library, type and metamethod names), encoded and hashed once per process: opening
    /// the libraries in a fresh state then only adds them to its intern table. Only fixed names belong here, so the
    /// set stays bounded.
    /// </summary>
    private static readonly ConcurrentDictionary<string, LuauString> s_names = new(StringComparer.Ordinal);

    /// <summary>The state's interned copy of a fixed name (a library or metamethod name, never program data).</summary>
    internal LuauString InternName(string name)
    {
        if (!s_names.TryGetValue(name, out var s))
        {
            s = LuauString.FromUtf8(name);
            _ = s.Hash;
            s = s_names.GetOrAdd(name, s);
        }
        return Intern(s);
    }

    /// <summary>
    /// The state's single copy of <paramref name="s"/>'s bytes, adopting <paramref name="s"/> itself when the state has
    /// none yet. Strings are immutable, so one object may be the interned copy in many states: callers that intern the
    /// same names in every state (library names, a chunk's constants) make them once and skip encoding and hashing.
    /// </summary>
    internal LuauString Intern(LuauString s)
    {
        if (_sharedNames is not null && _sharedNames.TryGetValue(s, out var shared))
            return shared;
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_interned, s, out bool exists);
        if (!exists)
            slot = s;
        return slot!;
    }

    /// <summary>The shared names this state interns through (null when it has none), for the library templates.</summary>
    internal object? SharedNames => _sharedNames;

    /// <summary>How many key identifiers the state has given out (none while only libraries were opened).</summary>
    internal uint KeyIdsIssued => _nextKeyId;

    /// <summary>
    /// Makes the strings <paramref name="template"/> has interned (a state where only the libraries were opened) the
    /// shared names of every state made from now on: they find those names there instead of adding them to a table
    /// of their own. Only the first call has an effect. Returns the names in use.
    /// </summary>
    internal static object PublishSharedNames(LuauState template)
    {
        if (s_sharedNames is null)
        {
            // A copy: nothing may change the shared table once other threads read it.
            var names = new Dictionary<LuauString, LuauString>(template._interned, new InternComparer());
            Interlocked.CompareExchange(ref s_sharedNames, names, null);
        }
        return Volatile.Read(ref s_sharedNames)!;
    }

    private sealed class InternComparer : IEqualityComparer<LuauString>, IAlternateEqualityComparer<ReadOnlySpan<byte>, LuauString>
    {
        public bool Equals(LuauString? x, LuauString? y) => x!.Equals(y);

        public int GetHashCode(LuauString obj) => (int)obj.Hash;

        public bool Equals(ReadOnlySpan<byte> alternate, LuauString other) => alternate.SequenceEqual(other.Span);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)LuauString.HashBytes(alternate);

        public LuauString Create(ReadOnlySpan<byte> alternate) => LuauString.From(alternate);
    }
}
