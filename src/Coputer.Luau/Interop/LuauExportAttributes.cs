namespace Coputer.Luau.Interop;

/// <summary>
/// Exposes a <c>partial</c> class to Luau. The source generator in the package writes, at compile time, a binding
/// that lets Luau call the class's public instance methods (<c>obj:Add(1, 2)</c>), read and write its public
/// properties (<c>obj.Count</c>, <c>obj.Count = 3</c>) and connect to its public events
/// (<c>obj.Changed:Connect(function(...) end)</c>). Pass objects to Luau with <see cref="LuauInterop.ToValue(VM.LuauState, ILuauExported?)"/>.
/// No reflection and no dynamic code run: the binding is plain generated C#.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LuauExportAttribute : Attribute
{
    /// <summary>Exports the class under its .NET name.</summary>
    public LuauExportAttribute() { }

    /// <summary>Exports the class under <paramref name="name"/> (what <c>typeof</c> and error messages show).</summary>
    public LuauExportAttribute(string name) => Name = name;

    /// <summary>The type's name in Luau, or null for the .NET name.</summary>
    public string? Name { get; }
}

/// <summary>Gives a member of an exported class another name in Luau.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Event, Inherited = false)]
public sealed class LuauNameAttribute(string name) : Attribute
{
    /// <summary>The member's name in Luau.</summary>
    public string Name { get; } = name;
}

/// <summary>Keeps a public member of an exported class out of Luau's reach.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Event, Inherited = false)]
public sealed class LuauHiddenAttribute : Attribute;

/// <summary>
/// A .NET object Luau can use as userdata. Classes marked <see cref="LuauExportAttribute"/> implement it through
/// generated code; implement it by hand only with a hand-written <see cref="LuauTypeBinding"/>.
/// </summary>
public interface ILuauExported
{
    /// <summary>The binding that describes the object's type to Luau (one instance per type).</summary>
    LuauTypeBinding LuauBinding { get; }
}

/// <summary>
/// A type whose static side Luau can use: its constructors (as <c>new</c>), static methods and static properties.
/// Classes marked <see cref="LuauExportAttribute"/> implement it through generated code; pass the type to Luau with
/// <see cref="LuauInterop.SetType{T}(LuauEngine, string?)"/>.
/// </summary>
public interface ILuauExportedType
{
    /// <summary>The binding of the type's static members.</summary>
    static abstract LuauTypeBinding LuauStaticBinding { get; }
}
