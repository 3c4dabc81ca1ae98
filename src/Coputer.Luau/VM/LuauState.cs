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
