using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>
/// An error about one argument of the library function being run, like the reference's <c>luaL_argerror</c>.
/// Primitives that do not know the function's name raise it with the argument number and the detail text; the
/// library function (or the VM's host-call glue) that knows the name reports it as
/// <c>invalid argument #N to 'name' (detail)</c>. Without a name the message is the reference's nameless form,
/// <c>invalid argument #N (detail)</c>.
/// </summary>
internal sealed class LibraryArgumentError(int argument, string detail)
    : LuauError($"invalid argument #{argument} ({detail})")
{
    /// <summary>The 1-based number of the offending argument.</summary>
    public int Argument { get; } = argument;

    /// <summary>The text inside the parentheses, for example <c>integer overflow</c>.</summary>
    public string Detail { get; } = detail;

    /// <summary>The full message once the function's name is known.</summary>
    internal override string MessageFor(string? functionName) =>
        functionName is null ? Message : $"invalid argument #{Argument} to '{functionName}' ({Detail})";
}
