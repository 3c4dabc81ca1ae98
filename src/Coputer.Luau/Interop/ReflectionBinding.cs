using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Coputer.Luau.VM;

namespace Coputer.Luau.Interop;

/// <summary>
/// A binding built at run time with reflection, for objects whose types were not known at compile time (see
/// <see cref="LuauInterop.ExposeByReflection(LuauState, object)"/>). Slower than a generated binding, and trimming
/// may remove what it looks for. Events whose handlers return nothing and take up to four parameters are supported;
/// their handlers are made for the delegate's parameter types at run time (dynamic code).
/// </summary>
[RequiresUnreferencedCode("Reflection over the object's public members, which trimming may remove.")]
[RequiresDynamicCode("Event handlers are made for each event's delegate type at run time.")]
internal sealed class ReflectionBinding : LuauTypeBinding
{
    private static readonly ConcurrentDictionary<Type, ReflectionBinding> s_bindings = new();

    private readonly MethodInfo[][] _methods;
    private readonly PropertyInfo?[] _properties;
    private readonly EventInfo?[] _events;

    private ReflectionBinding(string name, LuauMember[] members, MethodInfo[][] methods, PropertyInfo?[] properties, EventInfo?[] events) : base(name, members)
    {
        _methods = methods;
        _properties = properties;
        _events = events;
    }

    internal static ReflectionBinding For(Type type) => s_bindings.GetOrAdd(type, Build);

    private static ReflectionBinding Build(Type type)
    {
        var members = new List<LuauMember>();
        var methods = new List<MethodInfo[]>();
        var properties = new List<PropertyInfo?>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || members.Any(m => m.Name == p.Name))
                continue;
            members.Add(new LuauMember(p.Name, LuauMemberKind.Property, p.GetMethod?.IsPublic == true, p.SetMethod?.IsPublic == true));
            methods.Add([]);
            properties.Add(p);
        }
        foreach (var group in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => !m.IsSpecialName && !m.IsGenericMethodDefinition && m.DeclaringType != typeof(object))
            .GroupBy(m => m.Name))
        {
            if (members.Any(m => m.Name == group.Key))
                continue;
            var overloads = group.OrderBy(m => m.GetParameters().Length).ToArray();
            bool isAsync = overloads.Any(m => typeof(Task).IsAssignableFrom(m.ReturnType));
            members.Add(new LuauMember(group.Key, LuauMemberKind.Method, IsAsync: isAsync));
            methods.Add(overloads);
            properties.Add(null);
        }
        var events = new EventInfo?[members.Count];
        var eventList = new List<EventInfo?>(events);
        foreach (var e in type.GetEvents(BindingFlags.Public | BindingFlags.Instance))
        {
            var invoke = e.EventHandlerType?.GetMethod("Invoke");
            if (members.Any(m => m.Name == e.Name) || invoke is null || invoke.ReturnType != typeof(void) || invoke.GetParameters().Length > 4
                || invoke.GetParameters().Any(p => p.ParameterType.IsByRef || p.ParameterType.IsByRefLike || p.ParameterType.IsPointer))
                continue;
            members.Add(new LuauMember(e.Name, LuauMemberKind.Event));
            methods.Add([]);
            properties.Add(null);
            eventList.Add(e);
        }
        return new ReflectionBinding(type.Name, [.. members], [.. methods], [.. properties], [.. eventList]);
    }

    public override int Invoke(int member, object self, LuauCallContext context)
    {
        int given = context.ArgumentCount - 1;
        LuauConversionException? firstError = null;
        int firstErrorArg = 0;
        foreach (var method in _methods[member])
        {
            var ps = method.GetParameters();
            var luauParams = ps.Where(p => p.ParameterType != typeof(CancellationToken)).ToArray();
            int required = luauParams.Count(p => !p.IsOptional);
            if (given < required || (given > luauParams.Length && _methods[member].Length > 1))
                continue;
            var args = new object?[ps.Length];
            int arg = 0;
            bool ok = true;
            int tokenIndex = -1;
            for (int i = 0; i < ps.Length && ok; i++)
            {
                if (ps[i].ParameterType == typeof(CancellationToken))
                {
                    tokenIndex = i;
                    continue;
                }
                arg++;
                if (LuauConvert.IsAbsent(context, arg) && ps[i].IsOptional)
                {
                    args[i] = ps[i].DefaultValue is DBNull ? null : ps[i].DefaultValue;
                    continue;
                }
                try
                {
                    args[i] = FromLuau(context[arg + 1], ps[i].ParameterType);
                }
                catch (LuauConversionException e)
                {
                    if (firstError is null)
                        (firstError, firstErrorArg) = (e, arg);
                    ok = false;
                }
            }
            if (!ok)
                continue;
            if (typeof(Task).IsAssignableFrom(method.ReturnType))
            {
                var resultProperty = method.ReturnType.IsGenericType ? method.ReturnType.GetProperty("Result") : null;
                return LuauInterop.Await<object?>(context, async ct =>
                {
                    if (tokenIndex >= 0)
                        args[tokenIndex] = ct;
                    var task = (Task)Call(method, self, args)!;
                    await task.ConfigureAwait(true);
                    return resultProperty?.GetValue(task);
                }, static (c, r) => c.Return(ToLuau(c.State, r)));
            }
            return context.Return(ToLuau(context.State, Call(method, self, args)));
        }
        if (firstError is not null && _methods[member].Length == 1)
            throw LuauConvert.InvalidArgument(context, firstErrorArg, firstError.Message);
        if (_methods[member].Length == 1)
            throw LuauConvert.MissingArgument(context, given + 1, "value");
        throw LuauConvert.NoOverload(context);
    }

    private static object? Call(MethodInfo method, object self, object?[] args)
    {
        try
        {
            return method.Invoke(self, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    public override LuauValue Get(int member, object self, LuauState state)
    {
        if (_events[member] is not { } e)
            return ToLuau(state, _properties[member]!.GetValue(self));
        return LuauInterop.Event(state, e.Name, (s, fn) =>
        {
            // As in generated bindings: the raise (conversions, the task) happens on the engine's side.
            var tasks = s.Tasks;
            var handler = MakeHandler(e.EventHandlerType!, args => tasks.RunOrPost(() => LuauInterop.Fire(s, fn, [.. args.Select(a => ToLuau(s, a))])));
            e.AddEventHandler(self, handler);
            return () => e.RemoveEventHandler(self, handler);
        });
    }

    /// <summary>A delegate of <paramref name="delegateType"/> that passes its arguments to <paramref name="raise"/>.</summary>
    private static Delegate MakeHandler(Type delegateType, Action<object?[]> raise)
    {
        var ps = delegateType.GetMethod("Invoke")!.GetParameters().Select(p => p.ParameterType).ToArray();
        Type relay = ps.Length switch
        {
            0 => typeof(Relay),
            1 => typeof(Relay<>).MakeGenericType(ps),
            2 => typeof(Relay<,>).MakeGenericType(ps),
            3 => typeof(Relay<,,>).MakeGenericType(ps),
            _ => typeof(Relay<,,,>).MakeGenericType(ps),
        };
        object target = Activator.CreateInstance(relay, raise)!;
        return Delegate.CreateDelegate(delegateType, target, relay.GetMethod("Invoke")!);
    }

    private sealed class Relay(Action<object?[]> raise)
    {
        public void Invoke() => raise([]);
    }

    private sealed class Relay<T1>(Action<object?[]> raise)
    {
        public void Invoke(T1 a) => raise([a]);
    }

    private sealed class Relay<T1, T2>(Action<object?[]> raise)
    {
        public void Invoke(T1 a, T2 b) => raise([a, b]);
    }

    private sealed class Relay<T1, T2, T3>(Action<object?[]> raise)
    {
        public void Invoke(T1 a, T2 b, T3 c) => raise([a, b, c]);
    }

    private sealed class Relay<T1, T2, T3, T4>(Action<object?[]> raise)
    {
        public void Invoke(T1 a, T2 b, T3 c, T4 d) => raise([a, b, c, d]);
    }

    public override void Set(int member, object self, LuauValue value, LuauState state)
    {
        var p = _properties[member]!;
        p.SetValue(self, FromLuau(value, p.PropertyType));
    }

    public override string Describe(object self) => self.ToString() ?? TypeName;

    private static LuauValue ToLuau(LuauState state, object? value) => value switch
    {
        null or string or bool or LuauValue or byte[] or ILuauExported or LuauTable or LuauFunction or LuauBuffer or Enum => LuauConvert.FromObject(state, value),
        _ when value.GetType().IsPrimitive || value is decimal => LuauConvert.FromObject(state, value),
        _ => LuauInterop.ToValue(state, value, For(value.GetType())),
    };

    private static object? FromLuau(LuauValue v, Type t)
    {
        if (Nullable.GetUnderlyingType(t) is { } inner)
            return v.IsNil ? null : FromLuau(v, inner);
        if (t == typeof(LuauValue))
            return v;
        if (t == typeof(object))
            return LuauConvert.ToObject(v);
        if (t == typeof(string))
            return v.IsNil ? null : LuauConvert.ToString(v);
        if (t.IsEnum)
        {
            if (v.Type == LuauType.String)
                return Enum.TryParse(t, v.ToString(), false, out var e) ? e : throw LuauConvert.BadEnumName(t.Name, v);
            return Enum.ToObject(t, LuauConvert.ToInt64(v));
        }
        return Type.GetTypeCode(t) switch
        {
            TypeCode.Boolean => LuauConvert.ToBoolean(v),
            TypeCode.Double => LuauConvert.ToDouble(v),
            TypeCode.Single => LuauConvert.ToSingle(v),
            TypeCode.Decimal => LuauConvert.ToDecimal(v),
            TypeCode.Int32 => LuauConvert.ToInt32(v),
            TypeCode.Int64 => LuauConvert.ToInt64(v),
            TypeCode.Int16 => LuauConvert.ToInt16(v),
            TypeCode.SByte => LuauConvert.ToSByte(v),
            TypeCode.Byte => LuauConvert.ToByte(v),
            TypeCode.UInt16 => LuauConvert.ToUInt16(v),
            TypeCode.UInt32 => LuauConvert.ToUInt32(v),
            TypeCode.UInt64 => LuauConvert.ToUInt64(v),
            _ when t == typeof(byte[]) => LuauConvert.ToBytes(v),
            _ when t == typeof(LuauTable) => LuauConvert.ToTable(v),
            _ when t == typeof(LuauFunction) => LuauConvert.ToFunction(v),
            _ when t == typeof(LuauBuffer) => LuauConvert.ToBuffer(v),
            _ when v.AsUserdata?.Payload is { } payload && t.IsInstanceOfType(payload) => payload,
            _ when v.IsNil && !t.IsValueType => null,
            _ => throw LuauConvert.Mismatch(t.Name, v),
        };
    }
}
