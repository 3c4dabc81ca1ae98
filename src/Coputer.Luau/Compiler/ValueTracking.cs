using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>What the compiler may assume about a global name.</summary>
internal enum GlobalState : byte
{
    /// <summary>Never assigned in the chunk: reads may become GETIMPORT and calls builtin fast calls.</summary>
    Default,

    /// <summary>Listed as mutable by the host (or <c>_G</c>): the global itself can be read, but not paths through it.</summary>
    Mutable,

    /// <summary>Assigned somewhere in the chunk: nothing is assumed.</summary>
    Written,
}

/// <summary>What the compiler knows about one local variable.</summary>
internal struct VariableInfo
{
    /// <summary>The tracking pass saw the declaration (locals, parameters, local functions) or an assignment.</summary>
    public bool Tracked;

    /// <summary>Assigned after its declaration (so neither its initial value nor a copy of it can stand for it).</summary>
    public bool Written;

    /// <summary>Its value is a compile-time constant (set by constant folding).</summary>
    public bool Constant;

    /// <summary>The expression it was declared with, when it was declared with exactly one.</summary>
    public AstExpr? Init;
}

/// <summary>A growable array indexed by <see cref="AstLocal.Id"/>.</summary>
internal sealed class LocalMap<T>
{
    private T[] _items = new T[64];

    /// <summary>The entry of <paramref name="local"/>, created with the default value when first touched.</summary>
    public ref T this[AstLocal local]
    {
        get
        {
            int id = local.Id;
            if (id >= _items.Length)
                Array.Resize(ref _items, Math.Max(id + 1, _items.Length * 2));
            return ref _items[id];
        }
    }

    /// <summary>The entry of <paramref name="local"/>, or the default value if it was never set.</summary>
    public T Get(AstLocal local) => local.Id < _items.Length ? _items[local.Id] : default!;
}

/// <summary>
/// Records, for every local, its initial expression and whether it is ever assigned, and for every global whether it is
/// ever assigned. Constant propagation, builtin detection, capture by value and closure sharing depend on this.
/// </summary>
internal sealed class ValueTracker : AstVisitor
{
    private readonly Dictionary<string, GlobalState> _globals;
    private readonly LocalMap<VariableInfo> _variables;
    private readonly List<AstLocal> _initialized;

    private ValueTracker(CompilerState state)
    {
        _globals = state.Globals;
        _variables = state.Variables;
        _initialized = state.InitializedLocals;
    }

    /// <summary>Marks <c>_G</c> and the host's mutable globals as <see cref="GlobalState.Mutable"/>.</summary>
    public static void AssignMutable(Dictionary<string, GlobalState> globals, IReadOnlyCollection<string>? mutableGlobals)
    {
        globals["_G"] = GlobalState.Mutable;
        if (mutableGlobals is not null)
        {
            foreach (var name in mutableGlobals)
                globals[name] = GlobalState.Mutable;
        }
    }

    public static void Run(CompilerState state, AstNode root) => root.Accept(new ValueTracker(state));

    public static GlobalState GetGlobalState(Dictionary<string, GlobalState> globals, string name) =>
        globals.TryGetValue(name, out var state) ? state : GlobalState.Default;

    public override bool VisitNode(AstNode node)
    {
        StackGuard.Check(node);
        return true;
    }

    private void Assign(AstExpr target)
    {
        switch (target)
        {
            case LocalExpr local:
                {
                    ref var v = ref _variables[local.Local];
                    v.Tracked = true;
                    v.Written = true;
                    break;
                }
            case GlobalExpr global:
                _globals[global.Name] = GlobalState.Written;
                break;
            default:
                // Index targets may hide assignments inside them, as in t[function() t = nil end] = 5.
                target.Accept(this);
                break;
        }
    }

    public override bool Visit(LocalStat node)
    {
        for (int i = 0; i < node.Vars.Length; i++)
        {
            ref var v = ref _variables[node.Vars[i]];
            v.Tracked = true;
            v.Init = i < node.Values.Length ? node.Values[i] : null;
            if (v.Init is not null)
                _initialized.Add(node.Vars[i]);
        }
        return VisitNode(node);
    }

    public override bool Visit(AssignStat node)
    {
        StackGuard.Check(node);
        foreach (var target in node.Vars)
            Assign(target);
        foreach (var value in node.Values)
            value.Accept(this);
        return false;
    }

    public override bool Visit(CompoundAssignStat node)
    {
        StackGuard.Check(node);
        Assign(node.Var);
        node.Value.Accept(this);
        return false;
    }

    public override bool Visit(LocalFunctionStat node)
    {
        ref var v = ref _variables[node.Name];
        v.Tracked = true;
        v.Init = node.Function;
        _initialized.Add(node.Name);
        return VisitNode(node);
    }

    public override bool Visit(FunctionStat node)
    {
        StackGuard.Check(node);
        Assign(node.Name);
        node.Function.Accept(this);
        return false;
    }

    public override bool Visit(FunctionExpr node)
    {
        foreach (var parameter in node.Parameters)
        {
            ref var v = ref _variables[parameter];
            v.Tracked = true;
            v.Init = null;
        }
        return VisitNode(node);
    }
}
