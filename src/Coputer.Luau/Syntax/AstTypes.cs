namespace Coputer.Luau.Syntax;

// Missing-documentation warnings are off in this file only: node members are named after the Luau grammar they model; each node type's summary says what it is.
#pragma warning disable CS1591

/// <summary>A named type: <c>T</c>, <c>module.T</c>, <c>Map&lt;K, V&gt;</c>, <c>F&lt;(A, B), ...C&gt;</c>.</summary>
public sealed class ReferenceType(Location location, string? prefix, Location? prefixLocation, string name, Location nameLocation, AstTypeOrPack[] parameters, bool hasParameterList) : AstType(location)
{
    /// <summary>The module alias in <c>module.T</c>, otherwise null.</summary>
    public string? Prefix { get; } = prefix;
    public Location? PrefixLocation { get; } = prefixLocation;
    public string Name { get; } = name;
    public Location NameLocation { get; } = nameLocation;
    public AstTypeOrPack[] Parameters { get; } = parameters;

    /// <summary>True when angle brackets were written, even if empty (<c>T&lt;&gt;</c>).</summary>
    public bool HasParameterList { get; } = hasParameterList;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var p in Parameters)
                p.Accept(visitor);
        }
    }
}

public enum TableAccess
{
    ReadWrite,
    Read,
    Write,
}

/// <summary>A property <c>[read|write] name: Type</c> of a table type.</summary>
public sealed record AstTableProp(string Name, Location Location, AstType Type, TableAccess Access, Location? AccessLocation);

/// <summary>An indexer <c>[read|write] [Key]: Value</c> of a table type; <c>{T}</c> is an indexer keyed by number.</summary>
public sealed record AstTableIndexer(AstType IndexType, AstType ResultType, Location Location, TableAccess Access, Location? AccessLocation);

/// <summary><c>{ a: T, [K]: V }</c> or the array shorthand <c>{T}</c> (then <see cref="IsArray"/> is set).</summary>
public sealed class TableType(Location location, AstTableProp[] props, AstTableIndexer? indexer, bool isArray) : AstType(location)
{
    public AstTableProp[] Props { get; } = props;
    public AstTableIndexer? Indexer { get; } = indexer;
    public bool IsArray { get; } = isArray;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var p in Props)
                p.Type.Accept(visitor);
            if (Indexer is not null)
            {
                Indexer.IndexType.Accept(visitor);
                Indexer.ResultType.Accept(visitor);
            }
        }
    }
}

/// <summary>The name of a parameter in a function type, <c>(x: number) -> ()</c>.</summary>
public readonly record struct AstArgumentName(string Name, Location Location);

/// <summary><c>&lt;T&gt;(A, B) -&gt; R</c>, possibly with attributes such as <c>@checked</c>.</summary>
public sealed class FunctionType(Location location, AstAttribute[] attributes, AstGenericType[] generics, AstGenericTypePack[] genericPacks, AstTypeList argTypes, AstArgumentName?[] argNames, AstTypePack returnTypes) : AstType(location)
{
    public AstAttribute[] Attributes { get; } = attributes;
    public AstGenericType[] Generics { get; } = generics;
    public AstGenericTypePack[] GenericPacks { get; } = genericPacks;
    public AstTypeList ArgTypes { get; } = argTypes;

    /// <summary>One entry per element of <see cref="AstTypeList.Types"/> of <see cref="ArgTypes"/>; null where no name was written.</summary>
    public AstArgumentName?[] ArgNames { get; } = argNames;
    public AstTypePack ReturnTypes { get; } = returnTypes;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var a in Attributes)
                a.Accept(visitor);
            foreach (var g in Generics)
                g.Accept(visitor);
            foreach (var g in GenericPacks)
                g.Accept(visitor);
            ArgTypes.Accept(visitor);
            ReturnTypes.Accept(visitor);
        }
    }
}

/// <summary><c>typeof(expr)</c></summary>
public sealed class TypeofType(Location location, AstExpr expr) : AstType(location)
{
    public AstExpr Expr { get; } = expr;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Expr.Accept(visitor);
    }
}

/// <summary><c>T?</c></summary>
public sealed class OptionalType(Location location, AstType type) : AstType(location)
{
    public AstType Type { get; } = type;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Type.Accept(visitor);
    }
}

/// <summary><c>A | B | C</c> (a leading '|' is allowed and not recorded).</summary>
public sealed class UnionType(Location location, AstType[] types) : AstType(location)
{
    public AstType[] Types { get; } = types;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var t in Types)
                t.Accept(visitor);
        }
    }
}

/// <summary><c>A &amp; B &amp; C</c> (a leading '&amp;' is allowed and not recorded).</summary>
public sealed class IntersectionType(Location location, AstType[] types) : AstType(location)
{
    public AstType[] Types { get; } = types;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var t in Types)
                t.Accept(visitor);
        }
    }
}

/// <summary>The singleton types <c>true</c> and <c>false</c>.</summary>
public sealed class SingletonBoolType(Location location, bool value) : AstType(location)
{
    public bool Value { get; } = value;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

/// <summary>A singleton string type such as <c>"north"</c>.</summary>
public sealed class SingletonStringType(Location location, byte[] value) : AstType(location)
{
    public byte[] Value { get; } = value;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

/// <summary>A parenthesised type <c>(T)</c>.</summary>
public sealed class GroupType(Location location, AstType type) : AstType(location)
{
    public AstType Type { get; } = type;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Type.Accept(visitor);
    }
}

/// <summary>Stands in for a type that failed to parse; the error is <c>ParseResult.Errors[MessageIndex]</c>.</summary>
public sealed class ErrorType(Location location, AstType[] types, int messageIndex) : AstType(location)
{
    public AstType[] Types { get; } = types;
    public int MessageIndex { get; } = messageIndex;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var t in Types)
                t.Accept(visitor);
        }
    }
}

/// <summary>An explicit pack <c>(A, B, ...C)</c>.</summary>
public sealed class ExplicitTypePack(Location location, AstTypeList typeList) : AstTypePack(location)
{
    public AstTypeList TypeList { get; } = typeList;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            TypeList.Accept(visitor);
    }
}

/// <summary>A variadic pack <c>...T</c>.</summary>
public sealed class VariadicTypePack(Location location, AstType variadicType) : AstTypePack(location)
{
    public AstType VariadicType { get; } = variadicType;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            VariadicType.Accept(visitor);
    }
}

/// <summary>A generic pack <c>T...</c>.</summary>
public sealed class GenericTypePack(Location location, string genericName) : AstTypePack(location)
{
    public string GenericName { get; } = genericName;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}
