using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>Compiles Luau source to bytecode in the reference's format.</summary>
public static class LuauCompiler
{
    /// <summary>
    /// Compiles Luau source text (UTF-8 bytes). Syntax errors are returned as the parser reports them; otherwise the
    /// result holds bytecode or the compile error, each with its location. Never throws for any input.
    /// </summary>
    public static CompileResult Compile(ReadOnlySpan<byte> source, CompileOptions? options = null) => Compile(source, options, null);

    /// <summary>Compiles with <paramref name="poll"/> called every few thousand nodes (an engine's limits, for loadstring).</summary>
    internal static CompileResult Compile(ReadOnlySpan<byte> source, CompileOptions? options, Action? poll)
    {
        using var scope = CompilePoll.Begin(options?.Cancellation ?? default, poll);
        var parse = Parser.Parse(source, s_packedParse);
        var result = Compile(parse, options);
        // Packed runs know only their elements' lines. Errors are rare: redo a failed compilation from a tree with a
        // node per literal, so every message and location is exactly what the ordinary tree gives.
        if (!result.Success && parse.HasNumberLists)
        {
            result = Compile(Parser.Parse(source), options);
        }
        return result;
    }

    /// <summary>The compiler's own parse: runs of number literals in table constructors are stored packed.</summary>
    private static readonly ParseOptions s_packedParse = new() { PackNumberLists = true };

    /// <summary>
    /// Compiles source text and returns the reference's blob form: the bytecode, or version byte 0 followed by
    /// <c>:LINE: message</c> for the first error.
    /// </summary>
    public static byte[] CompileToBlob(ReadOnlySpan<byte> source, CompileOptions? options = null) => ToBlob(Compile(source, options));

    /// <summary>
    /// Compiles a syntax tree. Syntax errors in <paramref name="parse"/> are returned as they are; otherwise the result
    /// holds bytecode or the compile error. Never throws for any tree the parser produced.
    /// </summary>
    public static CompileResult Compile(ParseResult parse, CompileOptions? options = null)
    {
        options ??= new CompileOptions();
        if (parse.HasErrors)
        {
            var errors = new CompileError[parse.Errors.Count];
            for (int i = 0; i < errors.Length; i++)
                errors[i] = new CompileError(parse.Errors[i].Location, parse.Errors[i].Message);
            return CompileResult.FromErrors(errors);
        }

        using var scope = CompilePoll.Begin(options.Cancellation, null);
        try
        {
            return CompileResult.FromBytecode(CompileTree(parse, options));
        }
        catch (CompileException e)
        {
            return CompileResult.FromErrors([new CompileError(e.Location, e.Message)]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException
            or KeyNotFoundException or NullReferenceException or InvalidCastException or OverflowException)
        {
            // A compiler bug must not take the host down: report it like any other compile error.
            return CompileResult.FromErrors([new CompileError(parse.Root.Location, $"Internal compiler error: {e.Message}")]);
        }
    }

    /// <summary>
    /// The reference's blob form of <paramref name="result"/>: the bytecode, or a version-0 blob holding
    /// <c>:LINE: message</c> for the first error, which a loader reports as <c>chunkname:LINE: message</c>.
    /// </summary>
    public static byte[] ToBlob(CompileResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Bytecode ?? BytecodeBuilder.GetError(result.Errors[0].ToString());
    }

    private static byte[] CompileTree(ParseResult parse, CompileOptions options)
    {
        var root = parse.Root;
        int optimizationLevel = options.OptimizationLevel;
        var mainFlags = ProtoFlags.None;

        foreach (var hot in parse.HotComments)
        {
            if (!hot.Header)
                continue;
            if (hot.Content.StartsWith("optimize ", StringComparison.Ordinal))
                optimizationLevel = Math.Clamp(ParseLeadingInt(hot.Content.AsSpan(9)), 0, 2);
            if (hot.Content == "native")
            {
                mainFlags |= ProtoFlags.NativeModule;
                optimizationLevel = 2;
            }
        }

        // Functions innermost first, so each is compiled before the function that creates it.
        var functionVisitor = new FunctionCollector();
        root.Accept(functionVisitor);
        // Native functions are compiled for speed: the whole module gets O2, as in the reference.
        if (functionVisitor.HasNativeFunction)
            optimizationLevel = 2;

        var state = new CompilerState(options);
        ValueTracker.AssignMutable(state.Globals, options.MutableGlobals);
        ValueTracker.Run(state, root);

        if (optimizationLevel >= 1)
        {
            var fenv = new FenvVisitor();
            root.Accept(fenv);
            state.GetfenvUsed = fenv.GetfenvUsed;
            state.SetfenvUsed = fenv.SetfenvUsed;
        }

        // Builtin calls are only folded at O2: a folded call cannot fall back to a replaced global.
        if (optimizationLevel >= 2 && !state.GetfenvUsed && !state.SetfenvUsed)
        {
            state.FoldableBuiltins = state.Builtins;
            state.FoldLibraryConstants = state.GetGlobalState("math") == GlobalState.Default;
        }

        if (optimizationLevel >= 1)
        {
            Builtins.Analyze(state, state.Builtins, root);
            TableMutationTracker.BuildConstantTableMap(state, root, state.InitializedLocals);
            state.Constants.LiteralsKnown = true;
            ConstantFolder.Run(state, root);
            TableShapePredictor.Run(state.TableShapes, root);
        }

        if (optimizationLevel >= 2)
            state.ExprKinds = TypeMap.Build(state, root);

        var bc = new BytecodeBuilder();
        var generator = new CodeGenerator(bc, state, optimizationLevel);
        foreach (var function in functionVisitor.Functions)
        {
            generator.CompileFunction(function, ProtoFlags.None, out var functionFlags);
            // LPF_NATIVE_MODULE and LPF_NATIVE_FUNCTION are exclusive: the main function says which applies.
            if ((functionFlags & ProtoFlags.NativeFunction) != 0 && (mainFlags & ProtoFlags.NativeModule) == 0)
                mainFlags |= ProtoFlags.NativeFunction;
        }

        var main = new FunctionExpr(root.Location, [], [], [], null, [], isVararg: true, default, null, null, root,
            functionDepth: 0, debugName: "", argumentLocation: null);
        int mainId = generator.CompileFunction(main, mainFlags, out _);
        bc.SetMainFunction(mainId);
        return bc.Finish();
    }

    /// <summary>C's atoi: optional blanks and sign, then digits; anything else ends the number (0 if none).</summary>
    private static int ParseLeadingInt(ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
            i++;
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }
        long value = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && value < int.MaxValue)
            value = value * 10 + (s[i++] - '0');
        value = Math.Min(value, int.MaxValue);
        return (int)(negative ? -value : value);
    }

    /// <summary>Collects function literals in post-order (children before parents); type function bodies are skipped.</summary>
    private sealed class FunctionCollector : AstVisitor
    {
        public List<FunctionExpr> Functions { get; } = [];

        public bool HasNativeFunction { get; private set; }

        public override bool VisitNode(AstNode node)
        {
            StackGuard.Check(node);
            return true;
        }

        public override bool Visit(FunctionExpr node)
        {
            StackGuard.Check(node);
            node.Body.Accept(this);
            Functions.Add(node);
            if (node.HasAttribute(AttributeKind.Native))
                HasNativeFunction = true;
            return false;
        }

        public override bool Visit(TypeFunctionStat node) => false;
    }

    /// <summary>Finds mentions of <c>getfenv</c> and <c>setfenv</c>, which disable optimisations that assume a fixed environment.</summary>
    private sealed class FenvVisitor : AstVisitor
    {
        public bool GetfenvUsed { get; private set; }

        public bool SetfenvUsed { get; private set; }

        public override bool VisitNode(AstNode node)
        {
            StackGuard.Check(node);
            return true;
        }

        public override bool Visit(GlobalExpr node)
        {
            if (node.Name == "getfenv")
                GetfenvUsed = true;
            if (node.Name == "setfenv")
                SetfenvUsed = true;
            return false;
        }
    }
}
