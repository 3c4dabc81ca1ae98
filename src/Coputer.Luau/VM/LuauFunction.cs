namespace Coputer.Luau.VM;

/// <summary>A callable Luau value: a function written in Luau or a host (.NET) function.</summary>
public abstract class LuauFunction : LuauObject
{
    /// <summary>The function's name for error messages and tracebacks; empty when anonymous.</summary>
    public abstract string Name { get; }
}

/// <summary>A Luau closure: a prototype, its environment and its upvalues.</summary>
internal sealed class LuauClosure : LuauFunction
{
    public readonly Proto Proto;
    public LuauTable Env;

    /// <summary>
    /// One slot per upvalue. A slot holds the captured value itself (capture by value) or, with type
    /// <see cref="LuauType.UpvalueRef"/>, an <see cref="Upvalue"/> box shared with other closures.
    /// </summary>
    public readonly LuauValue[] Upvalues;

    /// <summary>True for a closure preallocated as a constant for DUPCLOSURE (its captures are filled on first use).</summary>
    public bool Preload;

    public LuauClosure(Proto proto, LuauTable env)
    {
        Proto = proto;
        Env = env;
        Upvalues = proto.NumUpvalues == 0 ? [] : new LuauValue[proto.NumUpvalues];
    }

    public override string Name => Proto.DebugName?.ToString() ?? "";
}

/// <summary>
/// The signature of a host function. Arguments and results go through <paramref name="context"/>; the return
/// value is the number of results pushed (see <see cref="LuauCallContext.Return(LuauValue)"/>), or the value of
/// <see cref="LuauCallContext.Yield(int)"/> to suspend the running coroutine.
/// </summary>
public delegate int LuauCallback(LuauCallContext context);

/// <summary>How the operation a continuation waited for ended.</summary>
public enum LuauCallStatus
{
    /// <summary>The call returned (its results are on top), or the coroutine was resumed (the resume values are on top).</summary>
    Ok,

    /// <summary>A protected call failed: the error value is on top.</summary>
    Error,
}

/// <summary>
/// Continues a host function after what it waited for: a yield (<see cref="LuauCallContext.Yield(int)"/>) or a
/// yieldable call (<see cref="LuauCallContext.CallYieldable"/>). The context is the same frame as the original call:
/// its arguments and whatever it pushed are still there, with the new values on top. Returns like a host function.
/// </summary>
public delegate int LuauContinuation(LuauCallContext context, LuauCallStatus status);

/// <summary>Called at safepoints while set on <see cref="LuauState.Interrupt"/>; return true to yield the running coroutine.</summary>
public delegate bool LuauInterruptHandler(LuauThread thread);

/// <summary>A function implemented in .NET.</summary>
public sealed class HostFunction : LuauFunction
{
    private readonly string _name;

    /// <summary>A host function called <paramref name="name"/> in errors and tracebacks, running <paramref name="callback"/>; pass a <paramref name="continuation"/> to let it yield.</summary>
    public HostFunction(string name, LuauCallback callback, LuauContinuation? continuation = null)
    {
        _name = name;
        Callback = callback;
        Continuation = continuation;
    }

    /// <summary>The name used in error messages and tracebacks.</summary>
    public override string Name => _name;

    /// <summary>The .NET code the function runs.</summary>
    public LuauCallback Callback { get; }

    /// <summary>When set, the function may yield and is continued by this delegate when resumed.</summary>
    public LuauContinuation? Continuation { get; }

    /// <summary>Identifies the few builtins the interpreter runs inline (pcall, xpcall, ...).</summary>
    internal SpecialFunction Special;
}

/// <summary>Host functions the interpreter recognises and runs without recursing on the .NET stack.</summary>
internal enum SpecialFunction : byte
{
    None,
    Pcall,
    Xpcall,
}
