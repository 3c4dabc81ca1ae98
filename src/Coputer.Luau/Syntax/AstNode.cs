namespace Coputer.Luau.Syntax;

// Missing-documentation warnings are off in this file only: node members are named after the Luau grammar they model; each node type's summary says what it is.
#pragma warning disable CS1591

/// <summary>
/// The root of every syntax tree node. Every node carries the source span it was parsed from.
/// Nodes are built by <see cref="Parser"/> and are not changed afterwards.
/// </summary>
public abstract class AstNode
{
    protected AstNode(Location location) => Location = location;

    // Settable inside the engine only: the parser widens a statement's span over a trailing ';' after building it.
    public Location Location { get; internal set; }

    /// <summary>Calls the visitor's method for this node, then visits the children if that method returned true.</summary>
    public abstract void Accept(AstVisitor visitor);
}

/// <summary>An expression.</summary>
public abstract class AstExpr : AstNode
{
    protected AstExpr(Location location) : base(location) { }
}

/// <summary>A statement.</summary>
public abstract class AstStat : AstNode
{
    protected AstStat(Location location) : base(location) { }

    /// <summary>True when the statement was followed by a ';'.</summary>
    public bool HasSemicolon { get; internal set; }
}

/// <summary>A type annotation. Types are kept in the tree for tooling and are ignored by the compiler.</summary>
public abstract class AstType : AstNode
{
    protected AstType(Location location) : base(location) { }
}

/// <summary>A type pack: an explicit list of types, a variadic type or a generic pack.</summary>
public abstract class AstTypePack : AstNode
{
    protected AstTypePack(Location location) : base(location) { }
}

/// <summary>
/// A local variable. The parser resolves every use of a name to either a <see cref="AstLocal"/> or a global, so
/// declarations and uses share this object.
/// </summary>
public sealed class AstLocal
{
    public AstLocal(string name, Location location, AstLocal? shadow, int functionDepth, int loopDepth, AstType? annotation, bool isConst, int id)
    {
        Name = name;
        Location = location;
        Shadow = shadow;
        FunctionDepth = functionDepth;
        LoopDepth = loopDepth;
        Annotation = annotation;
        IsConst = isConst;
        Id = id;
    }

    public string Name { get; }
    public Location Location { get; }

    /// <summary>The local of the same name that this one hides, if any.</summary>
    public AstLocal? Shadow { get; }

    /// <summary>How many function bodies enclose the declaration (0 for the main chunk).</summary>
    public int FunctionDepth { get; }

    /// <summary>How many loops enclose the declaration within its function.</summary>
    public int LoopDepth { get; }

    public AstType? Annotation { get; }

    /// <summary>Declared with <c>const</c>: it can never be assigned after its declaration.</summary>
    public bool IsConst { get; }

    /// <summary>A number unique among the locals of one parse, from 0 upwards, for indexing side tables.</summary>
    public int Id { get; }

    public override string ToString() => Name;
}

public enum AttributeKind
{
    Checked,
    Native,
    Deprecated,
    DebugNoinline,
}

/// <summary>A function attribute such as <c>@native</c> or an entry of <c>@[deprecated {...}]</c>.</summary>
public sealed class AstAttribute : AstNode
{
    public AstAttribute(Location location, AttributeKind kind, string name, AstExpr[] arguments) : base(location)
    {
        Kind = kind;
        Name = name;
        Arguments = arguments;
    }

    public AttributeKind Kind { get; }
    public string Name { get; }

    /// <summary>Literal arguments (only <c>deprecated</c> takes any).</summary>
    public AstExpr[] Arguments { get; }

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var a in Arguments)
                a.Accept(visitor);
        }
    }
}

/// <summary>A generic type parameter <c>T</c> or <c>T = Default</c>.</summary>
public sealed class AstGenericType : AstNode
{
    public AstGenericType(Location location, string name, AstType? defaultValue) : base(location)
    {
        Name = name;
        DefaultValue = defaultValue;
    }

    public string Name { get; }
    public AstType? DefaultValue { get; }

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            DefaultValue?.Accept(visitor);
    }
}

/// <summary>A generic type pack parameter <c>T...</c> or <c>T... = Default</c>.</summary>
public sealed class AstGenericTypePack : AstNode
{
    public AstGenericTypePack(Location location, string name, AstTypePack? defaultValue) : base(location)
    {
        Name = name;
        DefaultValue = defaultValue;
    }

    public string Name { get; }
    public AstTypePack? DefaultValue { get; }

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            DefaultValue?.Accept(visitor);
    }
}

/// <summary>A list of types with an optional tail pack, as in <c>(number, string, ...boolean)</c>.</summary>
public sealed class AstTypeList
{
    public static readonly AstTypeList Empty = new([], null);

    public AstTypeList(AstType[] types, AstTypePack? tailType)
    {
        Types = types;
        TailType = tailType;
    }

    public AstType[] Types { get; }
    public AstTypePack? TailType { get; }

    internal void Accept(AstVisitor visitor)
    {
        foreach (var t in Types)
            t.Accept(visitor);
        TailType?.Accept(visitor);
    }
}

/// <summary>A type argument, which is either a type or a type pack (exactly one is set).</summary>
public readonly record struct AstTypeOrPack(AstType? Type, AstTypePack? TypePack)
{
    internal void Accept(AstVisitor visitor)
    {
        Type?.Accept(visitor);
        TypePack?.Accept(visitor);
    }
}
