using Coputer.Luau.Bytecode;

namespace Coputer.Luau.VM;

/// <summary>
/// Bytecode read and checked once, ready to be loaded into any number of states with
/// <see cref="LuauState.Load(LuauChunk, LuauTable?)"/> without being read or verified again. A host that runs the
/// same code in many fresh states keeps one chunk per blob. Immutable and safe to share between threads.
/// </summary>
public sealed class LuauChunk
{
    private LuauChunk(BytecodeModule module, string name)
    {
        Module = module;
        Name = name;
        // The string table as strings, hashed now: a load only adds them to its state's intern table.
        Strings = new LuauString[module.Strings.Length];
        for (int i = 0; i < Strings.Length; i++)
        {
            var s = LuauString.From(module.Strings[i]);
            _ = s.Hash;
            Strings[i] = s;
        }
    }

    /// <summary>The chunk name functions from it report (for example <c>=main</c> or <c>@path/to/file.luau</c>).</summary>
    public string Name { get; }

    /// <summary>The verified module; never exposed, so nothing can change it after the checks.</summary>
    internal BytecodeModule Module { get; }

    /// <summary>The module's string table, shared by every state the chunk is loaded into (strings are immutable).</summary>
    internal LuauString[] Strings { get; }

    /// <summary>
    /// Reads and verifies <paramref name="bytecode"/> (ours or the reference compiler's) as the chunk
    /// <paramref name="chunkName"/>. The bytecode is treated as untrusted.
    /// </summary>
    /// <exception cref="LuauLoadException">The blob is a compile error, or malformed or unsafe bytecode.</exception>
    public static LuauChunk FromBytecode(ReadOnlySpan<byte> bytecode, string chunkName)
    {
        ArgumentNullException.ThrowIfNull(chunkName);
        if (BytecodeReader.TryGetCompileError(bytecode, out var message))
            throw new LuauLoadException(ChunkId(chunkName) + message);
        try
        {
            var module = BytecodeReader.Read(bytecode);
            BytecodeVerifier.Verify(module);
            return new LuauChunk(module, chunkName);
        }
        catch (BytecodeException e)
        {
            throw new LuauLoadException($"{ChunkId(chunkName)}: {e.Message}");
        }
    }

    internal static string ChunkId(string chunkName) => Interpreter.ChunkId(LuauString.FromUtf8(chunkName));
}
