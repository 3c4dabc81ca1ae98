namespace Coputer.Luau.Interop;

/// <summary>
/// A Luau value that cannot become the .NET type asked for. The message is the part in parentheses of the
/// reference's argument errors (<c>number expected, got string</c>); bindings add the argument or property it was for.
/// </summary>
public sealed class LuauConversionException(string message) : Exception(message);
