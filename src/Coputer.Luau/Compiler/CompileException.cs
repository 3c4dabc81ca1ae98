using System.Runtime.CompilerServices;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>A compile error, thrown inside the compiler and turned into a <see cref="CompileError"/> at its boundary.</summary>
internal sealed class CompileException(Location location, string message) : Exception(message)
{
    public Location Location { get; } = location;
}

/// <summary>Keeps the compiler's recursion over deep trees from exhausting the thread's stack.</summary>
internal static class StackGuard
{
    public const string RecursionMessage = "Exceeded allowed recursion depth; simplify your expression to make the code compile";

    /// <summary>Throws a compile error at <paramref name="node"/> when the stack is nearly full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(AstNode node)
    {
        CompilePoll.Tick();
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new CompileException(node.Location, RecursionMessage);
    }
}
