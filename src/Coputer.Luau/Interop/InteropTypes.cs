using System.Runtime.CompilerServices;
using Coputer.Luau.VM;

namespace Coputer.Luau.Interop;

/// <summary>One state's view of exported .NET types: a metatable per binding, a userdata per object.</summary>
internal sealed class InteropTypes(LuauState state)
{
    private readonly Dictionary<LuauTypeBinding, BoundType> _types = new(ReferenceEqualityComparer.Instance);

    // The same object always becomes the same userdata, so == and table keys work on it; the table does not keep
    // objects alive.
    private readonly ConditionalWeakTable<object, LuauUserdata> _objects = [];

    internal LuauState State => state;

    internal BoundType Bind(LuauTypeBinding binding)
    {
        if (!_types.TryGetValue(binding, out var bound))
        {
            bound = new BoundType(state, binding);
            _types.Add(binding, bound);
        }
        return bound;
    }

    internal LuauUserdata Wrap(object obj, LuauTypeBinding binding)
    {
        if (_objects.TryGetValue(obj, out var ud))
            return ud;
        ud = Bind(binding).NewUserdata(obj);
        _objects.Add(obj, ud);
        return ud;
    }
}

/// <summary>A binding made into a metatable for one state: <c>__index</c>, <c>__newindex</c>, <c>__namecall</c>, <c>__tostring</c>.</summary>
internal sealed class BoundType
{
    private readonly LuauState _state;
    private readonly Dictionary<LuauString, int> _index = [];
    private readonly HostFunction?[] _methods;
    private readonly LuauMember[] _members;
    // obj:Method() in a loop looks the same interned name up each time: remember the last one.
    private LuauString? _lastKey;
    private int _lastMember = -1;

    internal BoundType(LuauState state, LuauTypeBinding binding)
    {
        _state = state;
        Binding = binding;
        var members = _members = [.. binding.Members];
        _methods = new HostFunction?[members.Length];
        bool anyAsync = false;
        for (int i = 0; i < members.Length; i++)
        {
            _index[state.Intern(members[i].Name)] = i;
            anyAsync |= members[i].IsAsync;
        }
        // Interned keys: the interpreter finds metamethods by reference first.
        var mt = state.CreateTable(0, 8);
        mt.RawSet(state.Intern("__index"), new HostFunction("__index", Index));
        mt.RawSet(state.Intern("__newindex"), new HostFunction("__newindex", NewIndex));
        // The continuation lets async methods suspend the calling task (see LuauInterop.Await).
        mt.RawSet(state.Intern("__namecall"), new HostFunction("__namecall", NameCall, anyAsync ? AsyncContinuation : null));
        mt.RawSet(state.Intern("__tostring"), new HostFunction("__tostring", ToString));
        mt.RawSet(state.Intern("__type"), state.Intern(binding.TypeName));
        mt.RawSet(state.Intern("__metatable"), state.Intern("The metatable is locked"));
        Metatable = mt;
        // obj:Method() finds the method's function here at once (the interpreter's fast path), as obj.Method reads
        // it; __namecall stays for the names that are not methods, which it reports. The static side is called
        // with a dot, its functions shift their arguments, so it keeps __namecall alone.
        if (!binding.IsStatic)
        {
            var methods = state.CreateTable(0, members.Length);
            for (int i = 0; i < members.Length; i++)
            {
                if (members[i].Kind == LuauMemberKind.Method)
                    methods.RawSet(state.Intern(members[i].Name), _methods[i] = MethodFunction(i));
            }
            _nameCallMethods = methods;
        }
    }

    private readonly LuauTable? _nameCallMethods;

    private static readonly LuauContinuation AsyncContinuation = AsyncHostCall.Continue;

    internal LuauTypeBinding Binding { get; }

    internal LuauTable Metatable { get; }

    /// <summary>A userdata of this type carrying <paramref name="payload"/>.</summary>
    internal LuauUserdata NewUserdata(object payload) =>
        new(payload, 0, Metatable) { NameCallMethods = _nameCallMethods };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Lookup(LuauString key)
    {
        if (ReferenceEquals(key, _lastKey))
            return _lastMember;
        if (!_index.TryGetValue(key, out int member))
            member = -1;
        _lastKey = key;
        _lastMember = member;
        return member;
    }

    private object Self(LuauCallContext c)
    {
        var ud = c[1].AsUserdata;
        if (ud is null || ud.Metatable != Metatable || ud.Payload is not { } self)
            throw new LuauError($"{Binding.TypeName} expected, got {LuauConvert.TypeNameOf(c[1])}");
        return self;
    }

    private int NameCall(LuauCallContext c)
    {
        var key = c.NameCallMethod!;
        int member = Lookup(key);
        if (member < 0 || _members[member].Kind != LuauMemberKind.Method)
            throw new LuauError($"attempt to call missing method '{key}' of {Binding.TypeName}");
        return Binding.Invoke(member, Self(c), c);
    }

    private int Index(LuauCallContext c)
    {
        var self = Self(c);
        int member = c[2].AsString is { } key ? Lookup(key) : -1;
        if (member < 0)
            throw NotAMember(c[2]);
        var m = _members[member];
        switch (m.Kind)
        {
            case LuauMemberKind.Method:
                return c.Return(_methods[member] ??= MethodFunction(member));
            case LuauMemberKind.Property when !m.CanRead:
                throw new LuauError($"property '{m.Name}' of {Binding.TypeName} is write-only");
            default:
                return c.Return(Binding.Get(member, self, _state));
        }
    }

    private int NewIndex(LuauCallContext c)
    {
        var self = Self(c);
        int member = c[2].AsString is { } key ? Lookup(key) : -1;
        if (member < 0)
            throw NotAMember(c[2]);
        var m = _members[member];
        if (m.Kind != LuauMemberKind.Property)
            throw new LuauError($"cannot assign to {(m.Kind == LuauMemberKind.Method ? "method" : "event")} '{m.Name}' of {Binding.TypeName}");
        if (!m.CanWrite)
            throw new LuauError($"property '{m.Name}' of {Binding.TypeName} is read-only");
        try
        {
            Binding.Set(member, self, c[3], _state);
        }
        catch (LuauConversionException e)
        {
            throw new LuauError($"invalid value for property '{m.Name}' of {Binding.TypeName} ({e.Message})");
        }
        return 0;
    }

    private int ToString(LuauCallContext c) => c.Return(Binding.Describe(Self(c)));

    private LuauError NotAMember(LuauValue key) =>
        new(key.IsString ? $"'{key}' is not a member of {Binding.TypeName}" : $"{Binding.TypeName} has no member {LuauConvert.TypeNameOf(key)}");

    /// <summary>The function <c>obj.Method</c> reads: called as <c>obj.Method(obj, ...)</c>.</summary>
    private HostFunction MethodFunction(int member)
    {
        var m = _members[member];
        if (Binding.IsStatic)
        {
            return new HostFunction(m.Name, c =>
            {
                // Called with a dot: put a placeholder where the type object would be, so that arguments are
                // read and numbered as for a colon call.
                c.Push(LuauValue.Nil);
                c.Insert(1);
                var shifted = new LuauCallContext(c.Thread, c.Base, c.ArgumentCount + 1);
                return Binding.Invoke(member, this, shifted);
            }, m.IsAsync ? AsyncContinuation : null);
        }
        return new HostFunction(m.Name, c =>
        {
            var ud = c[1].AsUserdata;
            if (ud is null || ud.Metatable != Metatable || ud.Payload is not { } self)
                throw new LuauError($"expected ':' not '.' calling member function {m.Name}");
            return Binding.Invoke(member, self, c);
        }, m.IsAsync ? AsyncContinuation : null);
    }
}
