namespace Coputer.Luau.Syntax;

// Missing-documentation warnings are off in this file only: node members are named after the Luau grammar they model; each node type's summary says what it is.
#pragma warning disable CS1591

/// <summary><c>(expr)</c>: parentheses, which also truncate a call or <c>...</c> to one value.</summary>
public sealed class GroupExpr(Location location, AstExpr expr) : AstExpr(location)
{
    public AstExpr Expr { get; } = expr;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Expr.Accept(visitor);
    }
}

public sealed class NilExpr(Location location) : AstExpr(location)
{
    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

public sealed class BooleanExpr(Location location, bool value) : AstExpr(location)
{
    public bool Value { get; } = value;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

public sealed class NumberExpr(Location location, double value) : AstExpr(location)
{
    public double Value { get; } = value;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

/// <summary>
/// An integer literal with the <c>i</c> suffix (<c>123i</c>, <c>0xFFi</c>), a 64-bit integer value. Hexadecimal and
/// binary literals give the bit pattern, so <c>0xFFFFFFFFFFFFFFFFi</c> is -1.
/// </summary>
public sealed class IntegerExpr(Location location, long value) : AstExpr(location)
{
    public long Value { get; } = value;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

public enum StringQuoteStyle
{
    /// <summary>A quoted string, <c>"..."</c> or <c>'...'</c>, with escapes.</summary>
    Quoted,

    /// <summary>A long bracket string, <c>[[...]]</c> or <c>[==[...]==]</c>, without escapes.</summary>
    Raw,

    /// <summary>A backtick string with no holes, <c>`...`</c>.</summary>
    Interpolated,
}

/// <summary>A string literal. <see cref="Value"/> holds the bytes after escapes are decoded.</summary>
public sealed class StringExpr(Location location, byte[] value, StringQuoteStyle quoteStyle) : AstExpr(location)
{
    public byte[] Value { get; } = value;

    /// <summary>How the string was written; it does not change its value.</summary>
    public StringQuoteStyle QuoteStyle { get; } = quoteStyle;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

/// <summary>A use of a local variable.</summary>
public sealed class LocalExpr(Location location, AstLocal local, bool isUpvalue) : AstExpr(location)
{
    public AstLocal Local { get; } = local;

    /// <summary>True when the local belongs to an enclosing function.</summary>
    public bool IsUpvalue { get; } = isUpvalue;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

/// <summary>A use of a global variable.</summary>
public sealed class GlobalExpr(Location location, string name) : AstExpr(location)
{
    public string Name { get; } = name;

    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

/// <summary><c>...</c></summary>
public sealed class VarargsExpr(Location location) : AstExpr(location)
{
    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

/// <summary>A call <c>f(args)</c>, or a method call <c>obj:m(args)</c> when <see cref="IsMethodCall"/> is set.</summary>
public sealed class CallExpr(Location location, AstExpr function, AstExpr[] arguments, bool isMethodCall, Location argumentLocation) : AstExpr(location)
{
    /// <summary>The callee. For a method call this is an <see cref="IndexNameExpr"/> with the ':' operator.</summary>
    public AstExpr Function { get; } = function;
    public AstExpr[] Arguments { get; } = arguments;
    public bool IsMethodCall { get; } = isMethodCall;

    /// <summary>The span of the argument list, including its parentheses or braces.</summary>
    public Location ArgumentLocation { get; } = argumentLocation;

    /// <summary>
    /// Explicit type arguments of a method call, <c>obj:m&lt;&lt;T&gt;&gt;()</c>; empty otherwise. (A plain call
    /// <c>f&lt;&lt;T&gt;&gt;()</c> has an <see cref="InstantiateExpr"/> as its callee instead.) No effect at run time.
    /// </summary>
    public AstTypeOrPack[] TypeArguments { get; init; } = [];

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Function.Accept(visitor);
            foreach (var a in Arguments)
                a.Accept(visitor);
            foreach (var t in TypeArguments)
                t.Accept(visitor);
        }
    }
}

/// <summary><c>expr.name</c> or, as the callee of a method call, <c>expr:name</c>.</summary>
public sealed class IndexNameExpr(Location location, AstExpr expr, string index, Location indexLocation, char op) : AstExpr(location)
{
    public AstExpr Expr { get; } = expr;
    public string Index { get; } = index;
    public Location IndexLocation { get; } = indexLocation;

    /// <summary>'.' or ':'.</summary>
    public char Op { get; } = op;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Expr.Accept(visitor);
    }
}

/// <summary><c>expr[index]</c></summary>
public sealed class IndexExpr(Location location, AstExpr expr, AstExpr index) : AstExpr(location)
{
    public AstExpr Expr { get; } = expr;
    public AstExpr Index { get; } = index;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Expr.Accept(visitor);
            Index.Accept(visitor);
        }
    }
}

/// <summary>A function literal; also the body of every function statement.</summary>
public sealed class FunctionExpr : AstExpr
{
    public FunctionExpr(
        Location location,
        AstAttribute[] attributes,
        AstGenericType[] generics,
        AstGenericTypePack[] genericPacks,
        AstLocal? self,
        AstLocal[] parameters,
        bool isVararg,
        Location varargLocation,
        AstTypePack? varargAnnotation,
        AstTypePack? returnAnnotation,
        BlockStat body,
        int functionDepth,
        string debugName,
        Location? argumentLocation)
        : base(location)
    {
        Attributes = attributes;
        Generics = generics;
        GenericPacks = genericPacks;
        Self = self;
        Parameters = parameters;
        IsVararg = isVararg;
        VarargLocation = varargLocation;
        VarargAnnotation = varargAnnotation;
        ReturnAnnotation = returnAnnotation;
        Body = body;
        FunctionDepth = functionDepth;
        DebugName = debugName;
        ArgumentLocation = argumentLocation;
    }

    public AstAttribute[] Attributes { get; }
    public AstGenericType[] Generics { get; }
    public AstGenericTypePack[] GenericPacks { get; }

    /// <summary>The implicit <c>self</c> parameter of <c>function t:m()</c>, otherwise null.</summary>
    public AstLocal? Self { get; }
    public AstLocal[] Parameters { get; }
    public bool IsVararg { get; }
    public Location VarargLocation { get; }
    public AstTypePack? VarargAnnotation { get; }
    public AstTypePack? ReturnAnnotation { get; }
    public BlockStat Body { get; }

    /// <summary>How many function bodies enclose this one (the main chunk's body is depth 0, so its children are 1).</summary>
    public int FunctionDepth { get; }

    /// <summary>
    /// The name for tracebacks: <c>f</c> for <c>function a.b.f()</c>, <c>local function f()</c> and a table field
    /// <c>{ f = function() end }</c>; empty for other anonymous functions.
    /// </summary>
    public string DebugName { get; internal set; }

    /// <summary>The span of the parameter list, including parentheses.</summary>
    public Location? ArgumentLocation { get; }

    public bool HasAttribute(AttributeKind kind)
    {
        foreach (var a in Attributes)
        {
            if (a.Kind == kind)
                return true;
        }
        return false;
    }

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
            foreach (var p in Parameters)
                p.Annotation?.Accept(visitor);
            VarargAnnotation?.Accept(visitor);
            ReturnAnnotation?.Accept(visitor);
            Body.Accept(visitor);
        }
    }
}

public enum TableItemKind
{
    /// <summary><c>value</c>: the next array slot.</summary>
    List,

    /// <summary><c>name = value</c>: <see cref="TableItem.Key"/> is a <see cref="StringExpr"/>.</summary>
    Record,

    /// <summary><c>[key] = value</c></summary>
    General,
}

public readonly record struct TableItem(TableItemKind Kind, AstExpr? Key, AstExpr Value);

/// <summary>
/// Consecutive list items of a table constructor that are all plain number literals, stored packed: one node for the
/// whole run instead of one per element. Only the compiler's own parse builds it (see
/// <see cref="ParseOptions.PackNumberLists"/>), so a literal table of a million numbers compiles without a million
/// nodes; public parses never contain it. The compiler emits exactly the code it would emit for the separate items.
/// </summary>
internal sealed class NumberListExpr(Location location, double[] values, int[] lines) : AstExpr(location)
{
    /// <summary>The numbers, in source order.</summary>
    public double[] Values { get; } = values;

    /// <summary>
    /// Where the source line changes: pairs of (index of the first element on a line, that 0-based line), in order,
    /// starting with element 0.
    /// </summary>
    public int[] Lines { get; } = lines;

    public override void Accept(AstVisitor visitor) => visitor.VisitExpr(this);
}

/// <summary>A table constructor <c>{ ... }</c>.</summary>
public sealed class TableExpr(Location location, TableItem[] items) : AstExpr(location)
{
    public TableItem[] Items { get; } = items;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var item in Items)
            {
                item.Key?.Accept(visitor);
                item.Value.Accept(visitor);
            }
        }
    }
}

public enum UnaryOp
{
    Not,
    Minus,
    Len,
}

public sealed class UnaryExpr(Location location, UnaryOp op, AstExpr expr) : AstExpr(location)
{
    public UnaryOp Op { get; } = op;
    public AstExpr Expr { get; } = expr;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Expr.Accept(visitor);
    }
}

public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Concat,
    CompareNe,
    CompareEq,
    CompareLt,
    CompareLe,
    CompareGt,
    CompareGe,
    And,
    Or,
}

public sealed class BinaryExpr(Location location, BinaryOp op, AstExpr left, AstExpr right) : AstExpr(location)
{
    public BinaryOp Op { get; } = op;
    public AstExpr Left { get; } = left;
    public AstExpr Right { get; } = right;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Left.Accept(visitor);
            Right.Accept(visitor);
        }
    }
}

/// <summary><c>expr :: Type</c>; no effect at run time.</summary>
public sealed class TypeAssertionExpr(Location location, AstExpr expr, AstType annotation) : AstExpr(location)
{
    public AstExpr Expr { get; } = expr;
    public AstType Annotation { get; } = annotation;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Expr.Accept(visitor);
            Annotation.Accept(visitor);
        }
    }
}

/// <summary>
/// <c>if c then a else b</c>. An <c>elseif</c> chain nests: <see cref="FalseExpr"/> is then another
/// <see cref="IfElseExpr"/>.
/// </summary>
public sealed class IfElseExpr(Location location, AstExpr condition, AstExpr trueExpr, AstExpr falseExpr) : AstExpr(location)
{
    public AstExpr Condition { get; } = condition;
    public AstExpr TrueExpr { get; } = trueExpr;
    public AstExpr FalseExpr { get; } = falseExpr;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Condition.Accept(visitor);
            TrueExpr.Accept(visitor);
            FalseExpr.Accept(visitor);
        }
    }
}

/// <summary>
/// A backtick string with holes: <c>`a{x}b{y}c`</c> has <see cref="Strings"/> a, b, c and
/// <see cref="Expressions"/> x, y. There is always one more string than expressions.
/// </summary>
public sealed class InterpStringExpr(Location location, byte[][] strings, AstExpr[] expressions) : AstExpr(location)
{
    public byte[][] Strings { get; } = strings;
    public AstExpr[] Expressions { get; } = expressions;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var e in Expressions)
                e.Accept(visitor);
        }
    }
}

/// <summary>Explicit type instantiation <c>f&lt;&lt;T&gt;&gt;</c>; no effect at run time.</summary>
public sealed class InstantiateExpr(Location location, AstExpr expr, AstTypeOrPack[] typeArguments) : AstExpr(location)
{
    public AstExpr Expr { get; } = expr;
    public AstTypeOrPack[] TypeArguments { get; } = typeArguments;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Expr.Accept(visitor);
            foreach (var t in TypeArguments)
                t.Accept(visitor);
        }
    }
}

/// <summary>Stands in for an expression that failed to parse; the error is <c>ParseResult.Errors[MessageIndex]</c>.</summary>
public sealed class ErrorExpr(Location location, AstExpr[] expressions, int messageIndex) : AstExpr(location)
{
    /// <summary>Whatever parsed around the error, kept for tooling.</summary>
    public AstExpr[] Expressions { get; } = expressions;
    public int MessageIndex { get; } = messageIndex;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var e in Expressions)
                e.Accept(visitor);
        }
    }
}
