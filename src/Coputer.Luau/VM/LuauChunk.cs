using Coputer.Luau.Bytecode;

namespace Coputer.Luau.VM;

/// <summary>
/// Bytecode read and checked once, ready to be loaded into any number of states with
/// <see cref="LuauState.Load(LuauChunk, LuauTable?)"/> without being read or verified again. A host that runs the
/// same code in many fresh states keeps one chunk per blob. Safe to share between threads: what it holds is
/// immutable except the inline-cache hints in its code, which the states it is loaded into share (see
/// <see cref="SharedCode"/>).
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
        SharedCode = new uint[]?[module.Protos.Length];
        for (int i = 0; i < SharedCode.Length; i++)
        {
            var code = module.Protos[i].Code;
            SharedCode[i] = HasCoverage(code) ? null : (uint[])code.Clone();
        }
    }

    /// <summary>
    /// Per prototype, the code array every state the chunk is loaded into runs, or null for a prototype with
    /// coverage counters (each load gets its own copy, so counts stay per state). The interpreter writes only
    /// inline-cache hints into it: the C operand of GETTABLEKS and SETTABLEKS, a predicted hash slot, written as
    /// one aligned 32-bit store that keeps the opcode and the other operands. Any value of a hint is safe, since it
    /// is checked (key identity and range) before use and a miss takes the full lookup, so states on other threads
    /// racing on a hint can only cost speed, never change a result, an instruction count or a memory charge.
    /// Anything that patches code must keep to that rule.
    /// </summary>
    internal uint[]?[] SharedCode { get; }

    private static bool HasCoverage(uint[] code)
    {
        for (int pc = 0; pc < code.Length; pc++)
        {
            var op = (OpCode)(byte)code[pc];
            if (op == OpCode.Coverage)
                return true;
            pc += Instruction.Length(op) - 1;
        }
        return false;
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
