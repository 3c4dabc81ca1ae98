using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>A syntax or compile error: where it is and what it says (in the reference's wording).</summary>
public sealed record CompileError(Location Location, string Message)
{
    /// <summary>The one-based line the error is on.</summary>
    public int Line => Location.Begin.Line + 1;

    /// <summary>The error as the reference reports it in a bytecode blob: <c>:LINE: message</c>.</summary>
    public override string ToString() => $":{Line}: {Message}";
}

/// <summary>What <see cref="LuauCompiler.Compile(ReadOnlySpan{byte}, CompileOptions?)"/> produced: bytecode, or the errors that prevented it.</summary>
public sealed class CompileResult
{
    private CompileResult(byte[]? bytecode, IReadOnlyList<CompileError> errors)
    {
        Bytecode = bytecode;
        Errors = errors;
    }

    /// <summary>The serialised bytecode, or null when compilation failed.</summary>
    public byte[]? Bytecode { get; }

    /// <summary>The syntax errors, or the single compile error; empty on success.</summary>
    public IReadOnlyList<CompileError> Errors { get; }

    /// <summary>Whether compilation produced bytecode (no errors).</summary>
    public bool Success => Bytecode is not null;

    internal static CompileResult FromBytecode(byte[] bytecode) => new(bytecode, []);

    internal static CompileResult FromErrors(IReadOnlyList<CompileError> errors) => new(null, errors);
}
