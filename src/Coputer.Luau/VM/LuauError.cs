namespace Coputer.Luau.VM;

/// <summary>
/// Thrown by host functions and library code to raise a Luau error with a message, like <c>luaL_error</c> in the
/// reference: the virtual machine turns it into a Luau error value, prefixing the message with the
/// <c>chunk:line:</c> of the Luau code that called the host function.
/// </summary>
public class LuauError : Exception
{
    /// <summary>An error with this message (the caller's position is added in front).</summary>
    public LuauError(string message) : base(message) { }

    /// <summary>An error with this message, caused by <paramref name="innerException"/> (kept for the host to inspect).</summary>
    public LuauError(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>The message once the name of the host function that raised it is known.</summary>
    internal virtual string MessageFor(string? functionName) => Message;
}

/// <summary>
/// An error raised by the virtual machine itself (the reference's <c>luaG_runerror</c>): the message is prefixed with
/// the position of the running Luau function, or left bare when a host function is running.
/// </summary>
internal sealed class RuntimeError(string message) : LuauError(message);

/// <summary>
/// An error whose message is raised as it is, without a position prefix: the reference's <c>lua_pushstring</c>
/// followed by <c>lua_error</c> (for example require's path-resolution errors).
/// </summary>
internal sealed class PlainError(string message) : LuauError(message);
