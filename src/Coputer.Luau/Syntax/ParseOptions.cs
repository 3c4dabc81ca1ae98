namespace Coputer.Luau.Syntax;

/// <summary>Settings for <see cref="Parser.Parse(ReadOnlySpan{byte}, ParseOptions?)"/>. The defaults match the reference parser.</summary>
public sealed class ParseOptions
{
    /// <summary>The options used when none are given.</summary>
    public static ParseOptions Default { get; } = new();

    /// <summary>
    /// How deeply expressions, statements and types may nest before the parser gives up with "Exceeded allowed
    /// recursion depth". The parser also stops early, with the same error, when the thread's stack runs low.
    /// </summary>
    public int RecursionLimit { get; init; } = 1000;

    /// <summary>How many errors are collected before parsing stops with "Reached error limit".</summary>
    public int ErrorLimit { get; init; } = 100;

    /// <summary>How many parts a union or intersection type may have.</summary>
    public int TypeLengthLimit { get; init; } = 1000;

    /// <summary>Accept integer literals with an <c>i</c> suffix (<c>123i</c>), parsed into <see cref="IntegerExpr"/>.</summary>
    public bool IntegerLiterals { get; init; } = true;

    /// <summary>Accept the debugging attribute <c>@debugnoinline</c>.</summary>
    public bool DebugNoinlineAttribute { get; init; }

    /// <summary>Record the location of every comment in <see cref="ParseResult.Comments"/>.</summary>
    public bool CaptureComments { get; init; } = true;

    /// <summary>
    /// Record every token other than comments, in source order, in <see cref="ParseResult.Tokens"/> (for tools
    /// such as a formatter or an editor's highlighting; off by default).
    /// </summary>
    public bool CaptureTokens { get; init; }

    /// <summary>
    /// Store runs of number literals in a table constructor as one <see cref="NumberListExpr"/> (for the compiler's
    /// own parse only: tools expect a node per element).
    /// </summary>
    internal bool PackNumberLists { get; init; }
}
