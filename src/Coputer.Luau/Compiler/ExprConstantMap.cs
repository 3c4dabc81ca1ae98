using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>
/// Compile-time values of expressions (absent or Unknown: not constant). Once constant folding runs (O1 and up),
/// literals answer from their own node and are never stored: a table literal of a million numbers would otherwise
/// put a million entries in the map, which cost more time and memory than all the rest of the compilation.
/// </summary>
internal sealed class ExprConstantMap
{
    private readonly Dictionary<AstExpr, Constant> _map = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether literals count as known constants (set when constant folding runs).</summary>
    public bool LiteralsKnown { get; set; }

    /// <summary>How many non-literal expressions have a recorded value.</summary>
    public int Count => _map.Count;

    public bool TryGetValue(AstExpr node, out Constant value)
    {
        if (LiteralsKnown && Literal(node) is { IsKnown: true } literal)
        {
            value = literal;
            return true;
        }
        return _map.TryGetValue(node, out value);
    }

    public Constant this[AstExpr node]
    {
        get => TryGetValue(node, out var value) ? value : throw new KeyNotFoundException("no constant recorded for the expression");
        set
        {
            if (!(LiteralsKnown && IsLiteral(node)))
                _map[node] = value;
        }
    }

    public bool ContainsKey(AstExpr node) => TryGetValue(node, out _);

    public Constant GetValueOrDefault(AstExpr node) => TryGetValue(node, out var value) ? value : default;

    private static bool IsLiteral(AstExpr node) => node is NilExpr or BooleanExpr or NumberExpr or IntegerExpr or StringExpr;

    private static Constant Literal(AstExpr node) => node switch
    {
        NilExpr => Constant.Nil,
        BooleanExpr b => Constant.FromBoolean(b.Value),
        NumberExpr n => Constant.FromNumber(n.Value),
        IntegerExpr i => Constant.FromInteger(i.Value),
        StringExpr s => Constant.FromString(s.Value),
        _ => Constant.Unknown,
    };
}
