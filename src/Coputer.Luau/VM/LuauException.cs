namespace Coputer.Luau.VM;

/// <summary>The base of every exception the Luau engine throws to its host.</summary>
public abstract class LuauException : Exception
{
    /// <summary>An exception with this message, caused by <paramref name="inner"/>.</summary>
    protected LuauException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>What kind of failure a <see cref="LuauRuntimeException"/> is, as the reference's status codes tell them apart.</summary>
public enum LuauErrorKind
{
    /// <summary>An error raised by <c>error</c>, the virtual machine or a library function.</summary>
    Runtime,

    /// <summary>An allocation went past the memory limit ("not enough memory").</summary>
    Memory,

    /// <summary>An error while handling an error (in an <c>xpcall</c> handler, or an overflow during one).</summary>
    ErrorInErrorHandling,
}

/// <summary>
/// A Luau error that was not caught by <c>pcall</c>: it carries the error value (any Luau value) and, once it
/// reaches the host, the Luau traceback of where it was raised.
/// </summary>
public sealed class LuauRuntimeException : LuauException
{
    /// <summary>An exception carrying the Luau error <paramref name="value"/>.</summary>
    public LuauRuntimeException(LuauValue value, LuauErrorKind kind = LuauErrorKind.Runtime, Exception? inner = null)
        : base(Describe(value), inner)
    {
        Value = value;
        Kind = kind;
    }

    /// <summary>The error value, as <c>pcall</c> would return it.</summary>
    public LuauValue Value { get; }

    /// <summary>What kind of error it was.</summary>
    public LuauErrorKind Kind { get; }

    /// <summary>How deep host-level calls were nested where the error was raised (-1 until known); xpcall handlers run at that depth.</summary>
    internal int HostCallDepth { get; set; } = -1;

    /// <summary>The Luau call stack where the error was raised, as <c>debug.traceback</c> formats it; empty if unknown.</summary>
    public string LuauStackTrace { get; internal set; } = "";

    internal static LuauRuntimeException ErrorInErrorHandling() =>
        new(LuauString.FromUtf8("error in error handling"), LuauErrorKind.ErrorInErrorHandling);

    internal static LuauRuntimeException OutOfMemory() =>
        new(LuauString.FromUtf8("not enough memory"), LuauErrorKind.Memory);

    private static string Describe(LuauValue value) => value.Type switch
    {
        LuauType.String => value.UnsafeString.ToString(),
        LuauType.Number => value.ToString(),
        _ => $"(error object is a {TypeNames.Of(value.Type)} value)",
    };
}
