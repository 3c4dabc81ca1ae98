using Coputer.Luau.VM;

namespace Coputer.Luau.Interop;

/// <summary>
/// Passing .NET objects to Luau: exported objects (<see cref="LuauExportAttribute"/>) become userdata whose methods,
/// properties and events Luau uses directly; the same object is always the same userdata in one state.
/// </summary>
/// <example>
/// <code>
/// [LuauExport] public partial class Counter { public int Count { get; private set; } public int Add(int n) => Count += n; }
///
/// var engine = new LuauEngine();
/// engine.SetObject("counter", new Counter());
/// engine.DoString("counter:Add(2); print(counter.Count)");
/// </code>
/// </example>
public static class LuauInterop
{
    /// <summary>The userdata for <paramref name="obj"/> in <paramref name="state"/>, or nil for null.</summary>
    public static LuauValue ToValue(LuauState state, ILuauExported? obj)
    {
        ArgumentNullException.ThrowIfNull(state);
        return obj is null ? LuauValue.Nil : new LuauValue(state.Interop.Wrap(obj, obj.LuauBinding));
    }

    /// <summary>The userdata for <paramref name="obj"/> as <paramref name="binding"/> describes it (a hand-written binding).</summary>
    public static LuauValue ToValue(LuauState state, object obj, LuauTypeBinding binding)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(binding);
        return new LuauValue(state.Interop.Wrap(obj, binding));
    }

    /// <summary>
    /// The userdata for any .NET object, described with <b>reflection</b> at run time: its public instance methods
    /// (overloads chosen by argument count and conversions; <c>Task</c> results awaited) and properties. Use it only
    /// for objects whose types are not known at compile time: it is slower than a <see cref="LuauExportAttribute"/>
    /// binding, and trimming or native AOT may remove the members it looks for. Events whose handlers return nothing
    /// and take up to four parameters connect as in generated bindings (<c>obj.Changed:Connect(f)</c>); their handlers
    /// are made at run time. Objects its methods return are exposed the same way.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Uses reflection over the object's public members, which trimming may remove.")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Makes event handlers for the object's event delegate types at run time.")]
    public static LuauValue ExposeByReflection(LuauState state, object obj)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(obj);
        return new LuauValue(state.Interop.Wrap(obj, ReflectionBinding.For(obj.GetType())));
    }

    /// <summary>
    /// The type object of <typeparamref name="T"/> in <paramref name="state"/>: a userdata whose members are the
    /// type's constructors (<c>T.new(...)</c>), static methods and static properties.
    /// </summary>
    public static LuauValue TypeValue<T>(LuauState state) where T : ILuauExportedType
    {
        ArgumentNullException.ThrowIfNull(state);
        return new LuauValue(state.Interop.Wrap(TypeObject<T>.Instance, T.LuauStaticBinding));
    }

    /// <summary>
    /// Sets the global <paramref name="name"/> (by default the type's Luau name) to the type object of
    /// <typeparamref name="T"/>, so scripts can write <c>Point.new(1, 2)</c>.
    /// </summary>
    public static void SetType<T>(this LuauEngine engine, string? name = null) where T : ILuauExportedType
    {
        ArgumentNullException.ThrowIfNull(engine);
        engine.Globals[name ?? T.LuauStaticBinding.TypeName] = TypeValue<T>(engine.State);
    }

    /// <summary>The payload of a type object: one per type, so the type is one userdata per state.</summary>
    private static class TypeObject<T>
    {
        internal static readonly object Instance = new();
    }

    /// <summary>Sets the global <paramref name="name"/> of <paramref name="engine"/> to the userdata for <paramref name="obj"/>.</summary>
    public static void SetObject(this LuauEngine engine, string name, ILuauExported obj)
    {
        ArgumentNullException.ThrowIfNull(engine);
        engine.Globals[name] = ToValue(engine.State, obj);
    }

    /// <summary>The .NET object behind a userdata made by this API, if it is a <typeparamref name="T"/>.</summary>
    public static bool TryGetObject<T>(LuauValue value, out T obj) where T : class
    {
        if (value.AsUserdata?.Payload is T t)
        {
            obj = t;
            return true;
        }
        obj = null!;
        return false;
    }

    /// <summary>
    /// Runs an async method for a generated binding: returns at once when <paramref name="start"/>'s work is already
    /// complete, otherwise suspends the calling Luau task until it is (see
    /// <see cref="LuauState.CreateAsyncFunction{T}(string, LuauAsyncFunction{T}, LuauResultWriter{T})"/>); the token
    /// is cancelled when the task is. Return its value from <see cref="LuauTypeBinding.Invoke"/>.
    /// </summary>
    public static int Await<T>(LuauCallContext context, Func<CancellationToken, ValueTask<T>> start, LuauResultWriter<T> writer)
    {
        ArgumentNullException.ThrowIfNull(start);
        return new AsyncHostCall<T>((_, ct) => start(ct), writer).Start(context);
    }

    /// <summary>Like <see cref="Await{T}"/> for work that returns nothing to Luau.</summary>
    public static int Await(LuauCallContext context, Func<CancellationToken, ValueTask> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return new AsyncHostCall<bool>((_, ct) => start(ct).AsUnit(), static (_, _) => 0).Start(context);
    }

    /// <summary>
    /// The value of an event member for a generated binding: a signal whose <c>:Connect(f)</c> calls
    /// <paramref name="subscribe"/>, which adds a .NET handler calling <see cref="Fire"/> and returns what removes it.
    /// </summary>
    public static LuauValue Event(LuauState state, string name, Func<LuauState, LuauFunction, Action> subscribe)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new LuauValue(state.Interop.Bind(LuauSignal.Binding).NewUserdata(new LuauSignal(name, subscribe)));
    }

    /// <summary>
    /// Runs a connected Luau handler with an event's arguments as a new task (like <c>task.spawn</c>): it runs at
    /// once until it first waits, and an error in it fails that task (see
    /// <see cref="LuauTaskScheduler.TakeUnobservedFailures"/>) instead of the code that raised the event. Call it on the
    /// engine's side: generated bindings wrap the conversion of the arguments and this call in
    /// <see cref="LuauTaskScheduler.RunOrPost"/>, so an event raised on another thread is posted to the engine.
    /// </summary>
    public static void Fire(LuauState state, LuauFunction handler, params ReadOnlySpan<LuauValue> args)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Tasks.Spawn(handler, args);
    }
}

/// <summary>An event of an exported object as Luau sees it: <c>obj.Changed:Connect(f)</c>.</summary>
internal sealed class LuauSignal(string name, Func<LuauState, LuauFunction, Action> subscribe)
{
    internal static readonly LuauTypeBinding Binding = new SignalBinding();

    private sealed class SignalBinding() : LuauTypeBinding("Signal", [new("Connect", LuauMemberKind.Method)])
    {
        public override int Invoke(int member, object self, LuauCallContext context)
        {
            var signal = (LuauSignal)self;
            var handler = LuauConvert.Arg(context, 1, LuauConvert.ToFunction, "function");
            var connection = new LuauConnection(signal.Subscribe(context.State, handler));
            return context.Return(LuauInterop.ToValue(context.State, connection, LuauConnection.Binding));
        }

        public override LuauValue Get(int member, object self, LuauState state) => throw new InvalidOperationException();

        public override void Set(int member, object self, LuauValue value, LuauState state) => throw new InvalidOperationException();

        public override string Describe(object self) => $"Signal {((LuauSignal)self).Name}";
    }

    internal string Name => name;

    internal Func<LuauState, LuauFunction, Action> Subscribe => subscribe;
}

/// <summary>A handler connected to an event: <c>connection:Disconnect()</c>, <c>connection.Connected</c>.</summary>
internal sealed class LuauConnection(Action unsubscribe)
{
    internal static readonly LuauTypeBinding Binding = new ConnectionBinding();

    private Action? _unsubscribe = unsubscribe;

    private sealed class ConnectionBinding() : LuauTypeBinding("Connection",
        [new("Disconnect", LuauMemberKind.Method), new("Connected", LuauMemberKind.Property)])
    {
        public override int Invoke(int member, object self, LuauCallContext context)
        {
            var connection = (LuauConnection)self;
            var unsubscribe = connection._unsubscribe;
            connection._unsubscribe = null;
            unsubscribe?.Invoke();
            return 0;
        }

        public override LuauValue Get(int member, object self, LuauState state) => ((LuauConnection)self)._unsubscribe is not null;

        public override void Set(int member, object self, LuauValue value, LuauState state) => throw new InvalidOperationException();

        public override string Describe(object self) => "Connection";
    }
}
