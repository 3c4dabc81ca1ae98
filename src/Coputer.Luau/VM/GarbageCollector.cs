using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>
/// The part of garbage collection .NET cannot do for Luau: a mark phase over the Luau object graph from the
/// state's roots. It clears the entries of weak tables (<c>__mode</c>) whose keys or values are no longer reachable
/// from Luau, and recomputes <see cref="LuauState.MemoryInUse"/> as the size of what is reachable. .NET frees the
/// memory itself. The result depends only on the program, never on when .NET collects, so it is deterministic.
/// </summary>
/// <remarks>
/// Values held only by host code (outside any Luau table, stack or upvalue) are not seen; a weak table may then
/// drop an entry whose object the host still holds. Strings are values: they are never removed from weak tables.
/// </remarks>
internal sealed class GarbageCollector
{
    private readonly LuauState _state;

    // Objects a state owns (tables, Luau closures, threads, upvalue boxes) are marked by storing this collection's
    // number in them: a set of every reachable object made each collection allocate and rehash as much as the heap
    // held (11 ms for 20,000 tables). The rest go in the set: strings, buffers, host functions and userdata without
    // a metatable may be shared by states (interned names, library templates, host objects) whose collections can
    // run at the same time on other threads, so they must not carry one state's mark; prototypes are few.
    private readonly uint _epoch;
    private readonly HashSet<object> _marked = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<object> _gray = new();
    private readonly List<(LuauTable Table, bool WeakKeys, bool WeakValues)> _weak = [];
    private long _bytes;

    private GarbageCollector(LuauState state)
    {
        _state = state;
        _epoch = state.NextGcEpoch();
    }

    /// <summary>Marks from the roots and the threads running now, clears dead weak entries and updates the memory estimate.</summary>
    /// <param name="state">The state.</param>
    /// <param name="running">The innermost running thread.</param>
    /// <param name="clearWeak">
    /// False for a count only, which reads the heap and changes nothing: safe anywhere, even inside a library call
    /// whose .NET locals hold objects the marking cannot see (their weak entries must not be cleared).
    /// </param>
    public static void Collect(LuauState state, LuauThread? running = null, bool clearWeak = true)
    {
        var gc = new GarbageCollector(state);
        gc.MarkObject(state.Registry);
        gc.MarkObject(state.Globals);
        gc.MarkObject(state.MainThread);
        foreach (var mt in state.TypeMetatables)
        {
            if (mt is not null)
                gc.MarkObject(mt);
        }
        for (var t = running; t is not null; t = t.ResumedBy)
            gc.MarkObject(t);
        state.TaskSchedulerIfCreated?.MarkRoots(gc.MarkValue);
        gc.Propagate();
        if (clearWeak)
            gc.ClearWeakEntries();
        state.SetMemoryInUse(gc._bytes);
    }

    private void Mark(in LuauValue v)
    {
        switch (v.Type_)
        {
            case LuauType.String:
                if (_marked.Add(v.O!))
                    _bytes += MemoryCost.String(v.UnsafeString.Length);
                break;
            case LuauType.Table:
            case LuauType.Function:
            case LuauType.Userdata:
            case LuauType.Thread:
            case LuauType.Buffer:
            case LuauType.UpvalueRef:
                MarkObject(v.O!);
                break;
        }
    }

    private Action<LuauValue>? _markValue;

    private void MarkValue(LuauValue v) => Mark(in v);

    private void MarkObject(object o)
    {
        if (IsOwned(o))
        {
            var lo = Unsafe.As<LuauObject>(o);
            if (lo.GcEpoch == _epoch)
                return;
            lo.GcEpoch = _epoch;
        }
        else if (o is Upvalue uv)
        {
            if (uv.GcEpoch == _epoch)
                return;
            uv.GcEpoch = _epoch;
        }
        else if (!_marked.Add(o))
            return;
        _gray.Push(o);
    }

    private void Propagate()
    {
        while (_gray.Count > 0)
        {
            switch (_gray.Pop())
            {
                case LuauTable t:
                    TraverseTable(t);
                    break;
                case LuauClosure cl:
                    _bytes += MemoryCost.Closure(cl.Upvalues.Length);
                    MarkObject(cl.Env);
                    MarkProto(cl.Proto);
                    foreach (var uv in cl.Upvalues)
                        Mark(in uv);
                    break;
                case HostFunction:
                    _bytes += 40;
                    break;
                case Upvalue uv:
                    _bytes += MemoryCost.UpvalueObject;
                    if (uv.Thread is null)
                        Mark(in uv.Closed);
                    else
                        MarkObject(uv.Thread);
                    break;
                case LuauUserdata u:
                    _bytes += MemoryCost.Userdata;
                    if (u.Metatable is not null)
                        MarkObject(u.Metatable);
                    if (u.NameCallMethods is not null)
                        MarkObject(u.NameCallMethods);
                    // Host objects such as tasks hold Luau values the collector would not see otherwise.
                    if (u.Payload is IHostReferences references)
                        references.MarkReferences(_markValue ??= MarkValue);
                    break;
                case LuauBuffer b:
                    _bytes += MemoryCost.Buffer(b.Length);
                    break;
                case LuauThread th:
                    TraverseThread(th);
                    break;
                case Proto p:
                    _bytes += 64 + 4L * p.Code.Length + 24L * p.K.Length;
                    foreach (var k in p.K)
                        Mark(in k);
                    foreach (var child in p.Children)
                        MarkObject(child);
                    break;
            }
        }
    }

    private void MarkProto(Proto p) => MarkObject(p);

    private void TraverseTable(LuauTable t)
    {
        _bytes += t.FootprintBytes;
        bool weakKeys = false, weakValues = false;
        if (t.Metatable is { } mt)
        {
            MarkObject(mt);
            var mode = mt.GetStr(_state.TagMethodNames[(int)TagMethod.Mode]);
            if (mode.Type_ == LuauType.String)
            {
                var m = mode.UnsafeString.Span;
                weakKeys = m.Contains((byte)'k');
                weakValues = m.Contains((byte)'v');
            }
        }
        if (weakKeys || weakValues)
            _weak.Add((t, weakKeys, weakValues));
        if (!weakValues)
        {
            foreach (var v in t.Array)
                Mark(in v);
        }
        var nodes = t.Nodes;
        for (int i = 0; i < nodes.Length; i++)
        {
            ref var n = ref nodes[i];
            if (n.Value.Type_ == LuauType.Nil)
                continue;
            if (!weakKeys || !IsCollectable(in n.Key))
                Mark(in n.Key);
            if (!weakValues || !IsCollectable(in n.Value))
                Mark(in n.Value);
        }
    }

    private void TraverseThread(LuauThread th)
    {
        _bytes += MemoryCost.Thread(th);
        MarkObject(th.Globals);
        for (int i = 0; i <= th.FrameIndex; i++)
        {
            ref var f = ref th.Frames[i];
            if (f.Closure is not null)
                MarkObject(f.Closure);
            if (f.Host is not null)
                MarkObject(f.Host);
        }
        // Like the reference, mark up to the stack top. In a host function that is the top of its values (what the
        // Luau frames below hold lies under the call); in a Luau frame the whole register window counts, since the
        // top is not kept up to date while Luau code runs. Registers left over from earlier statements above the
        // top are dead, so objects only they hold are collected (and leave weak tables).
        ref var running = ref th.Frames[th.FrameIndex];
        int top = running.Closure is not null ? Math.Max(th.Top, running.Top) : th.Top;
        top = Math.Min(top, th.Stack.Length);
        for (int i = 0; i < top; i++)
            Mark(in th.Stack[i]);
        for (var uv = th.OpenUpvalues; uv is not null; uv = uv.NextOpen)
            MarkObject(uv);
    }

    private static bool IsCollectable(in LuauValue v) =>
        v.Type_ is LuauType.Table or LuauType.Function or LuauType.Userdata or LuauType.Thread or LuauType.Buffer;

    private static bool IsOwned(object o) => o is LuauTable or LuauClosure or LuauThread;

    private bool IsDead(in LuauValue v) =>
        IsCollectable(in v) && (IsOwned(v.O!) ? Unsafe.As<LuauObject>(v.O!).GcEpoch != _epoch : !_marked.Contains(v.O!));

    private void ClearWeakEntries()
    {
        foreach (var (t, weakKeys, weakValues) in _weak)
        {
            if (weakValues)
            {
                var array = t.Array;
                for (int i = 0; i < array.Length; i++)
                {
                    if (IsDead(in array[i]))
                        array[i] = default;
                }
            }
            var nodes = t.Nodes;
            for (int i = 0; i < nodes.Length; i++)
            {
                ref var n = ref nodes[i];
                if (n.Value.Type_ == LuauType.Nil)
                    continue;
                if ((weakKeys && IsDead(in n.Key)) || (weakValues && IsDead(in n.Value)))
                    n.Value = default;
            }
        }
    }
}
