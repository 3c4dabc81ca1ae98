using Coputer.Luau.Syntax;

namespace Coputer.Tooling.LanguageServer;

/// <summary>What a name in the source is, for navigation, hover and highlighting.</summary>
internal enum OccurrenceKind
{
    /// <summary>Where a local (or parameter) is declared.</summary>
    LocalDeclaration,

    /// <summary>A use of a local, in the function that declares it or (as an upvalue) in a nested one.</summary>
    LocalUse,
    Global,

    /// <summary>The name after <c>.</c> or <c>:</c>.</summary>
    Property,

    /// <summary>A name in a type annotation.</summary>
    TypeName,
}

/// <summary>A name at a location; <see cref="Local"/> is set for locals; <see cref="Receiver"/> names the global before a property (<c>string</c> in <c>string.format</c>).</summary>
internal readonly record struct Occurrence(Location Location, OccurrenceKind Kind, string Name, AstLocal? Local, bool IsUpvalue, bool IsMethod, string? Receiver = null);

/// <summary>A local and the span of source where it can be named (from after its declaration to its block's end).</summary>
internal readonly record struct ScopedLocal(AstLocal Local, Position VisibleFrom, Position VisibleTo);

/// <summary>A <c>require("path")</c> call: the string argument's location and its value.</summary>
internal readonly record struct RequireSite(Location Location, string Path);

/// <summary>
/// Everything about names that the editor features need, gathered in one walk of the tree: each local's declaration
/// and uses (the parser already resolved every name to its local or to a global), the scopes of locals, the
/// <c>require</c> calls, globals defined in the file, and the fields used on each name.
/// </summary>
internal sealed class SymbolIndex : AstVisitor
{
    private readonly Dictionary<BlockStat, Position> _blockEnds = [];

    public List<Occurrence> Occurrences { get; } = [];
    public Dictionary<AstLocal, List<Location>> Uses { get; } = [];
    public List<ScopedLocal> Scopes { get; } = [];
    public List<RequireSite> Requires { get; } = [];

    /// <summary>Locals bound directly to a function (<c>local function f</c>, <c>local f = function</c>).</summary>
    public Dictionary<AstLocal, FunctionExpr> Functions { get; } = [];

    /// <summary>Locals bound directly to <c>require("path")</c>, with the path.</summary>
    public Dictionary<AstLocal, string> RequiredModules { get; } = [];
    public HashSet<AstLocal> Parameters { get; } = [];

    /// <summary>Global names the file assigns or defines a function for, with the first place it does.</summary>
    public Dictionary<string, Location> GlobalDefinitions { get; } = new(StringComparer.Ordinal);

    /// <summary>Global names the file mentions.</summary>
    public HashSet<string> GlobalNames { get; } = new(StringComparer.Ordinal);

    /// <summary>For each name, the field names used after <c>name.</c> anywhere in the file.</summary>
    public Dictionary<string, SortedSet<string>> FieldsByReceiver { get; } = new(StringComparer.Ordinal);

    public static SymbolIndex Build(BlockStat root)
    {
        var index = new SymbolIndex();
        index._blockEnds[root] = root.Location.End;
        try
        {
            root.Accept(index);
        }
        catch (InsufficientExecutionStackException)
        {
            // A tree nested deeper than the stack allows: keep what was gathered so far.
        }
        index.Occurrences.Sort((a, b) => a.Location.Begin.CompareTo(b.Location.Begin));
        return index;
    }

    /// <summary>The name occurrence that covers <paramref name="p"/> (or ends exactly at it, as when the cursor follows a name).</summary>
    public Occurrence? At(Position p)
    {
        Occurrence? touching = null;
        foreach (var o in Occurrences)
        {
            if (o.Location.Begin > p)
                break;
            if (o.Location.Contains(p))
                return o;
            if (o.Location.End == p)
                touching = o;
        }
        return touching;
    }

    /// <summary>The locals that can be named at <paramref name="p"/>, innermost first, each name once.</summary>
    public List<AstLocal> LocalsInScope(Position p)
    {
        var byName = new Dictionary<string, ScopedLocal>(StringComparer.Ordinal);
        foreach (var s in Scopes)
        {
            if (s.VisibleFrom <= p && p <= s.VisibleTo && (!byName.TryGetValue(s.Local.Name, out var seen) || seen.VisibleFrom < s.VisibleFrom))
                byName[s.Local.Name] = s;
        }
        return [.. byName.Values.OrderByDescending(s => s.VisibleFrom).Select(s => s.Local)];
    }

    private static void EnsureStack() => System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();

    private void Declare(AstLocal local, Position visibleFrom, Position visibleTo, bool isParameter = false)
    {
        Occurrences.Add(new Occurrence(local.Location, OccurrenceKind.LocalDeclaration, local.Name, local, false, false));
        Scopes.Add(new ScopedLocal(local, visibleFrom, visibleTo));
        if (isParameter)
            Parameters.Add(local);
    }

    public override bool Visit(BlockStat node)
    {
        EnsureStack();
        Position end = _blockEnds.TryGetValue(node, out var e) ? e : node.Location.End;
        foreach (var stat in node.Body)
        {
            switch (stat)
            {
                case LocalStat local:
                    foreach (var v in local.Vars)
                        Declare(v, local.Location.End, end);
                    for (int i = 0; i < local.Vars.Length && i < local.Values.Length; i++)
                        Bind(local.Vars[i], local.Values[i]);
                    break;
                case LocalFunctionStat function:
                    // Visible inside its own body, so it can call itself.
                    Declare(function.Name, function.Name.Location.End, end);
                    Functions[function.Name] = function.Function;
                    break;
                case FunctionStat { Name: GlobalExpr global } function:
                    GlobalDefinitions.TryAdd(global.Name, global.Location);
                    _ = function;
                    break;
                case AssignStat assign:
                    foreach (var target in assign.Vars)
                    {
                        if (target is GlobalExpr g)
                            GlobalDefinitions.TryAdd(g.Name, g.Location);
                    }
                    break;
            }
        }
        return true;
    }

    private void Bind(AstLocal local, AstExpr value)
    {
        if (value is FunctionExpr f)
            Functions[local] = f;
        else if (RequirePath(value) is { } path)
            RequiredModules[local] = path.Path;
    }

    /// <summary>The path of a <c>require("...")</c> call, or null when <paramref name="e"/> is not one.</summary>
    internal static RequireSite? RequirePath(AstExpr e) =>
        e is CallExpr { Function: GlobalExpr { Name: "require" }, Arguments: [StringExpr s] }
            ? new RequireSite(s.Location, System.Text.Encoding.UTF8.GetString(s.Value))
            : null;

    public override bool Visit(RepeatStat node)
    {
        // Locals of a repeat body are visible in its until condition.
        _blockEnds[node.Body] = node.Location.End;
        return true;
    }

    public override bool Visit(FunctionExpr node)
    {
        EnsureStack();
        Position from = node.ArgumentLocation?.Begin ?? node.Body.Location.Begin;
        if (node.Self is { } self)
            Scopes.Add(new ScopedLocal(self, from, node.Body.Location.End));
        foreach (var p in node.Parameters)
            Declare(p, p.Location.End, node.Body.Location.End, isParameter: true);
        return true;
    }

    public override bool Visit(ForStat node)
    {
        Declare(node.Var, node.Body.Location.Begin, node.Body.Location.End);
        return true;
    }

    public override bool Visit(ForInStat node)
    {
        foreach (var v in node.Vars)
            Declare(v, node.Body.Location.Begin, node.Body.Location.End);
        return true;
    }

    public override bool Visit(LocalExpr node)
    {
        Occurrences.Add(new Occurrence(node.Location, OccurrenceKind.LocalUse, node.Local.Name, node.Local, node.IsUpvalue, false));
        if (!Uses.TryGetValue(node.Local, out var list))
            Uses[node.Local] = list = [];
        list.Add(node.Location);
        return true;
    }

    public override bool Visit(GlobalExpr node)
    {
        Occurrences.Add(new Occurrence(node.Location, OccurrenceKind.Global, node.Name, null, false, false));
        GlobalNames.Add(node.Name);
        return true;
    }

    public override bool Visit(IndexNameExpr node)
    {
        string? receiver = node.Expr switch
        {
            LocalExpr l => l.Local.Name,
            GlobalExpr g => g.Name,
            _ => null,
        };
        Occurrences.Add(new Occurrence(node.IndexLocation, OccurrenceKind.Property, node.Index, null, false, node.Op == ':', node.Expr is GlobalExpr ? receiver : null));
        if (receiver is not null && node.Op == '.')
        {
            if (!FieldsByReceiver.TryGetValue(receiver, out var fields))
                FieldsByReceiver[receiver] = fields = new SortedSet<string>(StringComparer.Ordinal);
            fields.Add(node.Index);
        }
        return true;
    }

    public override bool Visit(CallExpr node)
    {
        EnsureStack();
        if (RequirePath(node) is { } site)
            Requires.Add(site);
        return true;
    }

    public override bool Visit(ReferenceType node)
    {
        Occurrences.Add(new Occurrence(node.NameLocation, OccurrenceKind.TypeName, node.Name, null, false, false));
        return true;
    }

    public override bool VisitExpr(AstExpr node)
    {
        EnsureStack();
        return true;
    }

    public override bool VisitType(AstType node)
    {
        EnsureStack();
        return true;
    }

    public override bool VisitStat(AstStat node)
    {
        EnsureStack();
        return true;
    }
}
