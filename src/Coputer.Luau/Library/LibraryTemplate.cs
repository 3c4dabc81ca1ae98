using System.Collections.Concurrent;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// The standard libraries opened once per process, then copied into each new state: a host that makes a fresh
/// state per run (a node answering a request) copies a few tables instead of creating some 250 host functions,
/// interning their names and growing a dozen hash tables every time.
/// </summary>
/// <remarks>
/// A copy is indistinguishable from opening the libraries in the state: the tables have the same layout (so
/// <c>next</c> visits keys in the same order and <c>#</c> finds the same border), the same flags and the same memory
/// charge. Host functions are immutable and hold no state, so the copies share them; the few that do hold per-state
/// data (the random generator, the platform's clocks) are made anew for each state, and the task scheduler too.
/// The shared functions get fixed key identifiers when the template is made, so hashing them and printing them give
/// the same result in every state, and no state writes to them. The library names are the shared names of every
/// later state (<see cref="LuauState.PublishSharedNames"/>), so a state's interned strings are the copied keys.
/// </remarks>
internal sealed class LibraryTemplate
{
    /// <summary>
    /// Key identifiers of shared host functions are at or above this, far above what a state's counter reaches: a
    /// template's are this plus its libraries' flags times 2048 plus the function's position in the template's walk,
    /// so they are the same in every process.
    /// </summary>
    private const uint SharedKeyIdBase = 0x8000_0000;

    /// <summary>The fixed identifier of the shared <c>collectgarbage</c> some hosts add.</summary>
    internal const uint CollectGarbageKeyId = SharedKeyIdBase - 1;

    /// <summary>The fixed identifier of the shared step function <c>utf8.codes</c> returns.</summary>
    internal const uint CodesStepKeyId = SharedKeyIdBase - 2;

    private static readonly ConcurrentDictionary<LuauLibraries, LibraryTemplate?> s_templates = new();

    private readonly LuauLibraries _libraries;
    private readonly object _sharedNames;
    private readonly LuauTable[] _tables;
    private readonly int _globals;
    private readonly (int Table, int Node, int Target)[] _nodeLinks;
    private readonly (int Table, int Index, int Target)[] _arrayLinks;
    private readonly int[] _metatables;
    private readonly int[] _typeMetatables;
    private readonly int _taskMetatable;
    private readonly int _math, _os;
    private readonly long _memory;

    private LibraryTemplate(LuauLibraries libraries, object sharedNames, LuauState template, long memory)
    {
        _libraries = libraries;
        _sharedNames = sharedNames;
        _memory = memory;
        var index = new Dictionary<LuauTable, int>(ReferenceEqualityComparer.Instance);
        var tables = new List<LuauTable>();
        int Add(LuauTable? t)
        {
            if (t is null)
                return -1;
            if (!index.TryGetValue(t, out int i))
            {
                i = tables.Count;
                index[t] = i;
                tables.Add(t);
            }
            return i;
        }
        _globals = Add(template.Globals);
        _typeMetatables = template.TypeMetatables.Select(Add).ToArray();
        _taskMetatable = Add(template.TaskSchedulerIfCreated?.TaskMetatable);
        uint nextKeyId = SharedKeyIdBase + ((uint)libraries & 0x3FFF) * 2048;
        var nodeLinks = new List<(int, int, int)>();
        var arrayLinks = new List<(int, int, int)>();
        var metatables = new List<int>();
        // Breadth first over every table the libraries made; the list grows while it is walked.
        for (int ti = 0; ti < tables.Count; ti++)
        {
            var t = tables[ti];
            metatables.Add(Add(t.Metatable));
            for (int i = 0; i < t.Array.Length; i++)
            {
                if (Link(t.Array[i]) is int target)
                    arrayLinks.Add((ti, i, target));
            }
            for (int i = 0; i < t.Nodes.Length; i++)
            {
                ref var n = ref t.Nodes[i];
                if (n.Key.Type_ is not (LuauType.Nil or LuauType.String))
                    throw new NotSupportedException($"a library table has a key of type {n.Key.Type_}");
                if (Link(n.Value) is int target)
                    nodeLinks.Add((ti, i, target));
            }
        }
        int? Link(in LuauValue v)
        {
            switch (v.Type_)
            {
                case LuauType.Table:
                    return Add(v.UnsafeTable);
                case LuauType.Function when v.O is HostFunction f:
                    if (f.KeyId == 0)
                        f.KeyId = nextKeyId++;
                    return null;
                case LuauType.Nil or LuauType.Boolean or LuauType.Number or LuauType.Vector or LuauType.String or LuauType.Integer:
                    return null;
                default:
                    throw new NotSupportedException($"a library table holds a value of type {v.Type_}");
            }
        }
        if (nextKeyId - (SharedKeyIdBase + ((uint)libraries & 0x3FFF) * 2048) > 2048)
            throw new NotSupportedException("too many library functions for the template's identifiers");
        _tables = [.. tables];
        _nodeLinks = [.. nodeLinks];
        _arrayLinks = [.. arrayLinks];
        _metatables = [.. metatables];
        _math = IndexOfGlobal(template, index, "math");
        _os = IndexOfGlobal(template, index, "os");
    }

    private static int IndexOfGlobal(LuauState template, Dictionary<LuauTable, int> index, string name) =>
        template.Globals.GetStr(template.InternName(name)) is { Type_: LuauType.Table } v ? index[v.UnsafeTable] : -1;

    /// <summary>
    /// Opens <paramref name="libraries"/> in <paramref name="state"/> by copying the template, when the state is
    /// fresh (nothing in its globals, no type metatables, no task scheduler) and shares the template's names;
    /// returns false otherwise, and the caller opens them one by one.
    /// </summary>
    public static bool TryOpen(LuauState state, LuauLibraries libraries, LuauPlatform platform)
    {
        var template = s_templates.GetOrAdd(libraries, Build);
        if (template is null || !ReferenceEquals(state.SharedNames, template._sharedNames) || !IsFresh(state))
            return false;
        template.CopyInto(state, platform);
        return true;
    }

    private static bool IsFresh(LuauState state)
    {
        if (state.Globals.Metatable is not null || state.Globals.NextFrom(0, out _, out _) >= 0 || state.TaskSchedulerIfCreated is not null)
            return false;
        foreach (var mt in state.TypeMetatables)
        {
            if (mt is not null)
                return false;
        }
        return true;
    }

    private static LibraryTemplate? Build(LuauLibraries libraries)
    {
        // The names come from a state with every library, made before any state shares names.
        var names = s_templates.GetOrAdd(LuauLibraries.All, static _ => BuildFrom(LuauLibraries.All, null))?._sharedNames;
        return libraries == LuauLibraries.All ? s_templates[LuauLibraries.All] : names is null ? null : BuildFrom(libraries, names);
    }

    private static LibraryTemplate? BuildFrom(LuauLibraries libraries, object? names)
    {
        var state = new LuauState();
        if (names is not null && !ReferenceEquals(state.SharedNames, names))
            return null;
        long before = state.MemoryInUse;
        StandardLibrary.OpenEach(state, libraries, LuauPlatform.Deterministic());
        if (state.KeyIdsIssued != 0)
            return null;
        names ??= LuauState.PublishSharedNames(state);
        try
        {
            return new LibraryTemplate(libraries, names, state, state.MemoryInUse - before);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private void CopyInto(LuauState state, LuauPlatform platform)
    {
        long start = state.MemoryInUse;
        state.DeterministicMath = platform.DeterministicMath;
        var copies = new LuauTable[_tables.Length];
        for (int i = 0; i < copies.Length; i++)
        {
            var copy = i == _globals ? state.Globals : state.CreateTable();
            copy.CopyLayoutFrom(_tables[i]);
            copies[i] = copy;
        }
        for (int i = 0; i < copies.Length; i++)
        {
            if (_metatables[i] >= 0)
                copies[i].Metatable = copies[_metatables[i]];
        }
        foreach (var (table, node, target) in _nodeLinks)
            copies[table].Nodes[node].Value = new LuauValue(copies[target]);
        foreach (var (table, slot, target) in _arrayLinks)
            copies[table].Array[slot] = new LuauValue(copies[target]);
        for (int i = 0; i < _typeMetatables.Length; i++)
        {
            if (_typeMetatables[i] >= 0)
                state.TypeMetatables[i] = copies[_typeMetatables[i]];
        }
        if ((_libraries & LuauLibraries.Task) != 0)
            state.CreateTaskScheduler(platform.TaskTime).TaskMetatable = _taskMetatable >= 0 ? copies[_taskMetatable] : null;
        if (_math >= 0)
            MathLibrary.BindRandom(state, copies[_math], platform);
        if (_os >= 0)
            OsLibrary.BindPlatform(state, copies[_os], platform);
        if ((_libraries & LuauLibraries.Base) != 0)
            BaseLibrary.BindIpairs(state, state.Globals);
        // The same charge as opening the libraries one by one.
        state.ChargeMemory(_memory - (state.MemoryInUse - start));
    }
}
