using Coputer.Luau.VM;

namespace Coputer.Luau.Interop;

/// <summary>What a member of an exported type is to Luau.</summary>
public enum LuauMemberKind
{
    /// <summary>A method, called as <c>obj:Name(...)</c> (or <c>obj.Name(obj, ...)</c>).</summary>
    Method,

    /// <summary>A property, read as <c>obj.Name</c> and, when writable, assigned as <c>obj.Name = v</c>.</summary>
    Property,

    /// <summary>An event, connected to as <c>obj.Name:Connect(f)</c>.</summary>
    Event,
}

/// <summary>One member of an exported type.</summary>
/// <param name="Name">The member's name in Luau.</param>
/// <param name="Kind">Method, property or event.</param>
/// <param name="CanRead">For a property: whether it has a public getter.</param>
/// <param name="CanWrite">For a property: whether it has a public setter.</param>
/// <param name="IsAsync">For a method: whether some overload returns a task (it suspends the calling Luau task).</param>
public readonly record struct LuauMember(string Name, LuauMemberKind Kind, bool CanRead = true, bool CanWrite = false, bool IsAsync = false);

/// <summary>
/// Describes a .NET type to Luau: its members and how to call, read and write them. The source generator writes
/// one for every <see cref="LuauExportAttribute"/> class; <see cref="LuauInterop.ExposeByReflection(LuauState, object)"/> builds one
/// with reflection. The engine turns it into a metatable once per <see cref="LuauState"/>.
/// </summary>
/// <remarks>
/// Argument <c>n</c> of a method is <c>context[n + 1]</c>: <c>context[1]</c> is the object itself. Error messages
/// number arguments from the method's first parameter, as a .NET developer reads the signature
/// (<c>invalid argument #1 to 'Add' (number expected, got string)</c>).
/// </remarks>
public abstract class LuauTypeBinding
{
    /// <summary>A binding for the type called <paramref name="typeName"/> in Luau with these members, numbered in order.</summary>
    protected LuauTypeBinding(string typeName, LuauMember[] members) : this(typeName, members, isStatic: false) { }

    /// <summary>
    /// A binding for the type called <paramref name="typeName"/>; with <paramref name="isStatic"/>, for the type
    /// itself (its constructors as <c>new</c>, its static members), called as <c>Point.new(1, 2)</c>.
    /// </summary>
    protected LuauTypeBinding(string typeName, LuauMember[] members, bool isStatic)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(members);
        TypeName = typeName;
        Members = members;
        IsStatic = isStatic;
    }

    /// <summary>
    /// Whether this binding describes a type's static side: its methods are called with a dot (<c>Point.new(1, 2)</c>)
    /// and receive the type object in <c>context[1]</c> all the same, so arguments are numbered alike.
    /// </summary>
    public bool IsStatic { get; }

    /// <summary>The type's name in Luau (<c>typeof(obj)</c>, error messages).</summary>
    public string TypeName { get; }

    /// <summary>The members, indexed by the member numbers the other methods receive.</summary>
    public IReadOnlyList<LuauMember> Members { get; }

    /// <summary>
    /// Calls method <paramref name="member"/> on <paramref name="self"/> with the arguments of <paramref name="context"/>
    /// (from <c>context[2]</c> on) and returns the number of results pushed, like a host function.
    /// </summary>
    public abstract int Invoke(int member, object self, LuauCallContext context);

    /// <summary>Reads property or event <paramref name="member"/> of <paramref name="self"/>.</summary>
    public abstract LuauValue Get(int member, object self, LuauState state);

    /// <summary>
    /// Writes property <paramref name="member"/> of <paramref name="self"/>; a value of the wrong type throws
    /// <see cref="LuauConversionException"/>.
    /// </summary>
    public abstract void Set(int member, object self, LuauValue value, LuauState state);

    /// <summary>What <c>tostring(obj)</c> shows: the object's own <c>ToString()</c> when it overrides it, else the type name.</summary>
    public virtual string Describe(object self) => TypeName;
}
