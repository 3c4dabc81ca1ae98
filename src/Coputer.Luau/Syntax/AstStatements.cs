namespace Coputer.Luau.Syntax;

// Missing-documentation warnings are off in this file only: node members are named after the Luau grammar they model; each node type's summary says what it is.
#pragma warning disable CS1591

/// <summary>A sequence of statements: a chunk, a <c>do ... end</c> or the body of a loop, branch or function.</summary>
public sealed class BlockStat(Location location, AstStat[] body, bool hasEnd) : AstStat(location)
{
    public AstStat[] Body { get; } = body;

    /// <summary>False when the closing keyword was missing (the block ends in an error).</summary>
    public bool HasEnd { get; } = hasEnd;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var s in Body)
                s.Accept(visitor);
        }
    }
}

/// <summary>
/// <c>if c then ... [elseif ...] [else ...] end</c>. An <c>elseif</c> is represented as an <see cref="IfStat"/> in
/// <see cref="ElseBody"/>; a plain <c>else</c> as a <see cref="BlockStat"/>.
/// </summary>
public sealed class IfStat(Location location, AstExpr condition, BlockStat thenBody, AstStat? elseBody, Location? thenLocation, Location? elseLocation) : AstStat(location)
{
    public AstExpr Condition { get; } = condition;
    public BlockStat ThenBody { get; } = thenBody;
    public AstStat? ElseBody { get; } = elseBody;
    public Location? ThenLocation { get; } = thenLocation;

    /// <summary>The location of the <c>else</c> or <c>elseif</c> keyword.</summary>
    public Location? ElseLocation { get; } = elseLocation;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Condition.Accept(visitor);
            ThenBody.Accept(visitor);
            ElseBody?.Accept(visitor);
        }
    }
}

public sealed class WhileStat(Location location, AstExpr condition, BlockStat body, bool hasDo, Location doLocation) : AstStat(location)
{
    public AstExpr Condition { get; } = condition;
    public BlockStat Body { get; } = body;
    public bool HasDo { get; } = hasDo;
    public Location DoLocation { get; } = doLocation;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Condition.Accept(visitor);
            Body.Accept(visitor);
        }
    }
}

/// <summary><c>repeat ... until c</c>. The condition can see the body's locals.</summary>
public sealed class RepeatStat(Location location, AstExpr condition, BlockStat body) : AstStat(location)
{
    public AstExpr Condition { get; } = condition;
    public BlockStat Body { get; } = body;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Body.Accept(visitor);
            Condition.Accept(visitor);
        }
    }
}

public sealed class BreakStat(Location location) : AstStat(location)
{
    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

public sealed class ContinueStat(Location location) : AstStat(location)
{
    public override void Accept(AstVisitor visitor) => visitor.Visit(this);
}

public sealed class ReturnStat(Location location, AstExpr[] list) : AstStat(location)
{
    public AstExpr[] List { get; } = list;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var e in List)
                e.Accept(visitor);
        }
    }
}

/// <summary>An expression used as a statement; the parser only accepts calls here (anything else is an error).</summary>
public sealed class ExprStat(Location location, AstExpr expr) : AstStat(location)
{
    public AstExpr Expr { get; } = expr;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Expr.Accept(visitor);
    }
}

/// <summary><c>local a, b = x, y</c> or <c>const a = x</c> (then every variable has <see cref="AstLocal.IsConst"/>).</summary>
public sealed class LocalStat(Location location, AstLocal[] vars, AstExpr[] values, Location? equalsSignLocation) : AstStat(location)
{
    public AstLocal[] Vars { get; } = vars;
    public AstExpr[] Values { get; } = values;
    public Location? EqualsSignLocation { get; } = equalsSignLocation;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var v in Vars)
                v.Annotation?.Accept(visitor);
            foreach (var e in Values)
                e.Accept(visitor);
        }
    }
}

/// <summary>The numeric loop <c>for v = from, to [, step] do ... end</c>.</summary>
public sealed class ForStat(Location location, AstLocal var, AstExpr from, AstExpr to, AstExpr? step, BlockStat body, bool hasDo, Location doLocation) : AstStat(location)
{
    public AstLocal Var { get; } = var;
    public AstExpr From { get; } = from;
    public AstExpr To { get; } = to;
    public AstExpr? Step { get; } = step;
    public BlockStat Body { get; } = body;
    public bool HasDo { get; } = hasDo;
    public Location DoLocation { get; } = doLocation;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Var.Annotation?.Accept(visitor);
            From.Accept(visitor);
            To.Accept(visitor);
            Step?.Accept(visitor);
            Body.Accept(visitor);
        }
    }
}

/// <summary>The generic loop <c>for a, b in exprs do ... end</c>.</summary>
public sealed class ForInStat(Location location, AstLocal[] vars, AstExpr[] values, BlockStat body, bool hasIn, Location inLocation, bool hasDo, Location doLocation) : AstStat(location)
{
    public AstLocal[] Vars { get; } = vars;
    public AstExpr[] Values { get; } = values;
    public BlockStat Body { get; } = body;
    public bool HasIn { get; } = hasIn;
    public Location InLocation { get; } = inLocation;
    public bool HasDo { get; } = hasDo;
    public Location DoLocation { get; } = doLocation;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var v in Vars)
                v.Annotation?.Accept(visitor);
            foreach (var e in Values)
                e.Accept(visitor);
            Body.Accept(visitor);
        }
    }
}

/// <summary><c>a, b.c, d[e] = x, y, z</c></summary>
public sealed class AssignStat(Location location, AstExpr[] vars, AstExpr[] values) : AstStat(location)
{
    public AstExpr[] Vars { get; } = vars;
    public AstExpr[] Values { get; } = values;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var v in Vars)
                v.Accept(visitor);
            foreach (var e in Values)
                e.Accept(visitor);
        }
    }
}

/// <summary><c>a op= b</c>. <see cref="Op"/> is one of Add, Sub, Mul, Div, FloorDiv, Mod, Pow or Concat.</summary>
public sealed class CompoundAssignStat(Location location, BinaryOp op, AstExpr var, AstExpr value) : AstStat(location)
{
    public BinaryOp Op { get; } = op;
    public AstExpr Var { get; } = var;
    public AstExpr Value { get; } = value;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Var.Accept(visitor);
            Value.Accept(visitor);
        }
    }
}

/// <summary>
/// <c>function name.path:method() ... end</c>. <see cref="Name"/> is a <see cref="GlobalExpr"/>,
/// <see cref="LocalExpr"/> or <see cref="IndexNameExpr"/> chain.
/// </summary>
public sealed class FunctionStat(Location location, AstExpr name, FunctionExpr function) : AstStat(location)
{
    public AstExpr Name { get; } = name;
    public FunctionExpr Function { get; } = function;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            Name.Accept(visitor);
            Function.Accept(visitor);
        }
    }
}

/// <summary><c>local function f() ... end</c> or <c>const function f() ... end</c>.</summary>
public sealed class LocalFunctionStat(Location location, AstLocal name, FunctionExpr function) : AstStat(location)
{
    public AstLocal Name { get; } = name;
    public FunctionExpr Function { get; } = function;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Function.Accept(visitor);
    }
}

/// <summary><c>[export] type Name&lt;T&gt; = Type</c>; no effect at run time.</summary>
public sealed class TypeAliasStat(Location location, string name, Location nameLocation, AstGenericType[] generics, AstGenericTypePack[] genericPacks, AstType type, bool exported) : AstStat(location)
{
    public string Name { get; } = name;
    public Location NameLocation { get; } = nameLocation;
    public AstGenericType[] Generics { get; } = generics;
    public AstGenericTypePack[] GenericPacks { get; } = genericPacks;
    public AstType Type { get; } = type;
    public bool Exported { get; } = exported;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var g in Generics)
                g.Accept(visitor);
            foreach (var g in GenericPacks)
                g.Accept(visitor);
            Type.Accept(visitor);
        }
    }
}

/// <summary><c>[export] type function name(...) ... end</c>; parsed, and skipped by the compiler.</summary>
public sealed class TypeFunctionStat(Location location, string name, Location nameLocation, FunctionExpr body, bool exported) : AstStat(location)
{
    public string Name { get; } = name;
    public Location NameLocation { get; } = nameLocation;
    public FunctionExpr Body { get; } = body;
    public bool Exported { get; } = exported;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
            Body.Accept(visitor);
    }
}

/// <summary>Stands in for a statement that failed to parse; the error is <c>ParseResult.Errors[MessageIndex]</c>.</summary>
public sealed class ErrorStat(Location location, AstExpr[] expressions, AstStat[] statements, int messageIndex) : AstStat(location)
{
    public AstExpr[] Expressions { get; } = expressions;
    public AstStat[] Statements { get; } = statements;
    public int MessageIndex { get; } = messageIndex;

    public override void Accept(AstVisitor visitor)
    {
        if (visitor.Visit(this))
        {
            foreach (var e in Expressions)
                e.Accept(visitor);
            foreach (var s in Statements)
                s.Accept(visitor);
        }
    }
}
