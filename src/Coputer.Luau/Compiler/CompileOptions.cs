namespace Coputer.Luau.Compiler;

/// <summary>Settings for <see cref="LuauCompiler"/>. The defaults match the reference compiler's.</summary>
public sealed class CompileOptions
{
    /// <summary>
    /// 0: no optimisations (every local lives in a register, no constant folding, no fast calls); 1 (default):
    /// optimisations that keep debugging intact; 2: also builtin folding, function inlining and loop unrolling.
    /// A <c>--!optimize N</c> hot comment overrides it.
    /// </summary>
    public int OptimizationLevel { get; init; } = 1;

    /// <summary>
    /// Stops a long compilation: the parser and the compiler check the token every few thousand nodes and throw
    /// <see cref="OperationCanceledException"/> once it is cancelled.
    /// </summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>0: no debug information; 1 (default): line numbers and function names; 2: also local and upvalue names.</summary>
    public int DebugLevel { get; init; } = 1;

    /// <summary>0 (default): no coverage; 1: a COVERAGE instruction per statement; 2: also per expression.</summary>
    public int CoverageLevel { get; init; }

    /// <summary>Globals whose fields may change at run time, so paths through them are never pre-resolved (<c>_G</c> always is).</summary>
    public IReadOnlyCollection<string>? MutableGlobals { get; init; }

    /// <summary>The library providing the vector constructor (for example <c>"Vector3"</c>), or null for a global constructor.</summary>
    public string? VectorLibrary { get; init; }

    /// <summary>The name of the vector constructor (for example <c>"new"</c>), compiled as the vector builtin.</summary>
    public string? VectorConstructor { get; init; }

    /// <summary>The name of the vector type in annotations; accepted for compatibility, it does not change the code.</summary>
    public string? VectorType { get; init; }

    /// <summary>Builtins never to call directly, as <c>"name"</c> or <c>"library.name"</c>.</summary>
    public IReadOnlyCollection<string>? DisabledBuiltins { get; init; }
}
