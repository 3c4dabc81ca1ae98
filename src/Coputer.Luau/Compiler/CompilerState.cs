using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>The facts the analysis passes gather about a chunk, shared with code generation.</summary>
internal sealed class CompilerState(CompileOptions options)
{
    public CompileOptions Options { get; } = options;

    public Dictionary<string, GlobalState> Globals { get; } = new(StringComparer.Ordinal);

    public LocalMap<VariableInfo> Variables { get; } = new();

    /// <summary>Every local declared with an initial value, for the constant-table analysis.</summary>
    public List<AstLocal> InitializedLocals { get; } = [];

    /// <summary>Compile-time values of expressions (absent or Unknown: not constant).</summary>
    public ExprConstantMap Constants { get; } = new();

    /// <summary>Compile-time values of locals.</summary>
    public LocalMap<Constant> LocalConstants { get; } = new();

    public bool AnyLocalConstants { get; set; }

    /// <summary>Locals holding a table constructor that is never modified or leaked.</summary>
    public LocalMap<bool> ConstantTableLocals { get; } = new();

    /// <summary>Calls that go to builtin functions.</summary>
    public Dictionary<CallExpr, BuiltinFunction> Builtins { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>At O2, the calls whose builtins constant folding may evaluate; null disables builtin folding.</summary>
    public Dictionary<CallExpr, BuiltinFunction>? FoldableBuiltins { get; set; }

    /// <summary>At O2, whether <c>math.pi</c> and friends fold to numbers.</summary>
    public bool FoldLibraryConstants { get; set; }

    public Dictionary<TableExpr, PredictedShape> TableShapes { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>At O2, the kinds of values inferred from annotations and simple facts (see <see cref="TypeMap"/>).</summary>
    public Dictionary<AstExpr, ValueKind>? ExprKinds { get; set; }

    public bool GetfenvUsed { get; set; }

    public bool SetfenvUsed { get; set; }

    public GlobalState GetGlobalState(string name) => ValueTracker.GetGlobalState(Globals, name);

    /// <summary>
    /// The identifier a string constant spells, for comparing field names with string keys. The parser makes names
    /// one char per source byte (identifiers are ASCII), so the same mapping keeps every byte string distinct.
    /// </summary>
    public static string NameOf(byte[] bytes) => System.Text.Encoding.Latin1.GetString(bytes);

    /// <summary>The bytes of an identifier, as they appear in the string table.</summary>
    public static byte[] BytesOf(string name) => System.Text.Encoding.Latin1.GetBytes(name);
}
