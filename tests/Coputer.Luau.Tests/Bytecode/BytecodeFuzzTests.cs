using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Luau.Tests.Bytecode;

/// <summary>
/// Mutated valid bytecode (from a fixed seed) must make the reader, verifier and disassembler fail only with
/// <see cref="BytecodeException"/>, quickly and without huge allocations.
/// </summary>
public class BytecodeFuzzTests
{
    private const string Source = """
        local t = {1, 2, 3, x = "a", y = 2.5}
        local function f(a, ...)
          local s = 0
          for i = 1, #t do s += t[i] * a end
          for k, v in pairs(t) do if k == "x" then s ..= v end end
          return s, select("#", ...), function() return s, a end
        end
        print(`{f(2, 3, 4)}`, math.max(1, 2), t.x:upper(), -1e300)
        return ...
        """;

    private static byte[] Compile(int level, int debug) =>
        LuauCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(Source), new CompileOptions { OptimizationLevel = level, DebugLevel = debug }).Bytecode!;

    /// <summary>Reads, verifies and disassembles; only <see cref="BytecodeException"/> is an acceptable failure.</summary>
    private static void Exercise(ReadOnlySpan<byte> blob)
    {
        BytecodeModule module;
        try
        {
            module = BytecodeReader.Read(blob);
        }
        catch (BytecodeException)
        {
            return;
        }
        Exercise(module);
    }

    private static void Exercise(BytecodeModule module)
    {
        try
        {
            BytecodeVerifier.Verify(module);
        }
        catch (BytecodeException)
        {
        }
        // The disassembler copes with unverified modules too.
        Assert.NotNull(BytecodeDisassembler.Disassemble(module));
    }

    [Fact]
    public void BitFlips()
    {
        var random = new Random(1);
        var blobs = new[] { Compile(1, 1), Compile(2, 2), Compile(0, 0) };
        for (int i = 0; i < 3000; i++)
        {
            var blob = (byte[])blobs[i % blobs.Length].Clone();
            int flips = random.Next(1, 5);
            for (int j = 0; j < flips; j++)
                blob[random.Next(blob.Length)] ^= (byte)(1 << random.Next(8));
            Exercise(blob);
        }
    }

    [Fact]
    public void Truncations()
    {
        var blob = Compile(1, 2);
        for (int length = 0; length < blob.Length; length++)
            Exercise(blob.AsSpan(0, length));
    }

    [Fact]
    public void RandomBytes()
    {
        var random = new Random(2);
        var blob = Compile(1, 1);
        for (int i = 0; i < 2000; i++)
        {
            var copy = (byte[])blob.Clone();
            // Overwrite a random run, sometimes with large varint-looking bytes.
            int start = random.Next(copy.Length);
            int count = random.Next(1, 9);
            for (int j = start; j < Math.Min(copy.Length, start + count); j++)
                copy[j] = (byte)(random.Next(4) == 0 ? 0xFF : random.Next(256));
            Exercise(copy);
        }

        for (int i = 0; i < 1000; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            bytes[0] = (byte)random.Next(3, 15);
            Exercise(bytes);
        }
    }

    [Fact]
    public void RandomInstructionWords()
    {
        var random = new Random(3);
        var blob = Compile(1, 1);
        for (int i = 0; i < 3000; i++)
        {
            var module = BytecodeReader.Read(blob);
            var proto = module.Protos[random.Next(module.Protos.Length)];
            int count = random.Next(1, 3);
            for (int j = 0; j < count; j++)
            {
                int pc = random.Next(proto.Code.Length);
                uint word = (uint)random.NextInt64(0, 1L << 32);
                // Keep the opcode plausible most of the time so the verifier's operand checks get exercised.
                if (random.Next(4) != 0)
                    word = (word & 0xFFFFFF00u) | (uint)random.Next((int)OpCode.NewClass + 1);
                proto.Code[pc] = word;
            }
            Exercise(module);
        }
    }

    [Fact]
    public void OperandTweaksOfValidCodeAreCaughtOrHarmless()
    {
        // Nudge one operand field of one instruction at a time; whatever the verifier accepts must still disassemble.
        var random = new Random(4);
        var blob = Compile(2, 1);
        for (int i = 0; i < 3000; i++)
        {
            var module = BytecodeReader.Read(blob);
            var proto = module.Protos[random.Next(module.Protos.Length)];
            int pc = random.Next(proto.Code.Length);
            int shift = 8 * random.Next(1, 4);
            uint delta = (uint)random.Next(1, 4) << shift;
            proto.Code[pc] = random.Next(2) == 0 ? proto.Code[pc] + delta : proto.Code[pc] - delta;
            Exercise(module);
        }
    }
}
