using Coputer.Luau.Interop;

namespace Coputer.Luau.VM;

public sealed partial class LuauState
{
    /// <summary>The metatables of exported .NET types and the userdata of objects passed to Luau, made on first use.</summary>
    internal InteropTypes Interop => _interop ??= new InteropTypes(this);

    private InteropTypes? _interop;
}
