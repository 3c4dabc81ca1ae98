using System.Buffers.Binary;
using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;
using Coputer.Luau.Tests.Conformance;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// Mutated bytecode (fixed seeds) given to <see cref="LuauState.Load"/>: the only exception loading may throw is
/// <see cref="LuauLoadException"/>, and whatever loads must, when run under a step budget and a memory limit, end
/// with results, a <see cref="LuauRuntimeException"/> or a <see cref="LuauTerminatedException"/>. Anything else
/// (an internal exception, a hang, a crash) is a bug in the verifier or the interpreter.
/// </summary>
public class LoaderFuzzTests
{
    private static readonly string[] Programs =
    [
        """
        local t = {1, 2, 3, x = "a", y = 2.5}
        local function f(a, ...)
          local s = 0
          for i = 1, #t do s += t[i] * a end
          for k, v in pairs(t) do if k == "x" then s ..= v end end
          return s, select("#", ...), function() return s, a end
        end
        local r, n, g = f(2, 3, 4)
        return `{r}:{n}`, g(), math.max(1, 2), t.x:upper(), -1e300
        """,
        """
        local mt = {__index = function(t, k) return k * 2 end, __add = function(a, b) return 42 end}
        local o = setmetatable({}, mt)
        local co = coroutine.wrap(function(a) local b = coroutine.yield(a + o[1]) return b .. "!" end)
        local ok, e = pcall(function() error({code = o[21]}) end)
        local s = string.format("%d %s %5.2f", o[3], tostring(ok), 3.14159)
        local parts = {}
        for w in string.gmatch("one two three", "%a+") do table.insert(parts, w) end
        return co(1), co("x"), e.code, s, table.concat(parts, ","), o + 1
        """,
        """
        local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
        local acc = {}
        local i = 0
        while i < 10 do
          i += 1
          if i % 2 == 0 then continue end
          acc[#acc + 1] = fib(i)
        end
        repeat i -= 3 until i < 0
        local v = vector.create(1, 2, 3)
        local b = buffer.create(8)
        buffer.writeu32(b, 0, 0xDEADBEEF)
        return table.unpack(acc), i, v.x + v.z, buffer.readu8(b, 0), bit32.band(0xFF, 0x0F)
        """,
    ];

    private static byte[][] CompileAll()
    {
        var blobs = new List<byte[]>();
        foreach (var program in Programs)
        {
            for (int level = 0; level <= 2; level++)
            {
                var engine = new LuauEngine(new LuauEngineOptions { CompileOptions = new CompileOptions { OptimizationLevel = level, DebugLevel = level == 1 ? 1 : 2 - level } });
                blobs.Add(engine.Compile(System.Text.Encoding.UTF8.GetBytes(program)));
            }
        }
        return [.. blobs];
    }

    private enum Outcome
    {
        Rejected,
        Finished,
        RuntimeError,
        Terminated,
    }

    /// <summary>Loads and runs a blob in a fresh, limited engine; any exception other than the allowed ones escapes.</summary>
    private static Outcome LoadAndRun(byte[] blob, bool asCoroutine)
    {
        var engine = new LuauEngine(new LuauEngineOptions { RunLimits = new() { Instructions = 20_000 }, MemoryLimit = 32 << 20 });
        LuauFunction main;
        try
        {
            main = engine.State.Load(blob, "=fuzz", engine.Globals);
        }
        catch (LuauLoadException)
        {
            return Outcome.Rejected;
        }
        try
        {
            if (asCoroutine)
            {
                var (thread, result) = engine.Start(main);
                for (int resumes = 0; result.Status == LuauResumeStatus.Yielded && resumes < 10; resumes++)
                    result = engine.State.Resume(thread);
                return result.Status == LuauResumeStatus.Error ? Outcome.RuntimeError : Outcome.Finished;
            }
            engine.Call(main);
            return Outcome.Finished;
        }
        catch (LuauRuntimeException)
        {
            return Outcome.RuntimeError;
        }
        catch (LuauTerminatedException)
        {
            return Outcome.Terminated;
        }
    }

    [ThreadStatic]
    private static List<Exception>? t_thrown;

    /// <summary>
    /// Whether an exception thrown while a mutant ran is a bug. Engine and pcall turn every exception into a Luau
    /// error, so an interpreter fault (an index out of range, a null reference, a bad cast) would otherwise pass as a
    /// Luau error: the test watches every exception thrown on its thread, not only what comes out.
    /// </summary>
    private static bool IsInternalFault(Exception e) =>
        e.GetType().Assembly != typeof(LuauState).Assembly
        && e is not (InsufficientExecutionStackException or OutOfMemoryException or OperationCanceledException);

    /// <summary>Runs every mutant on a large stack, collecting unexpected exceptions so one run reports them all.</summary>
    private static int[] RunAll(IEnumerable<(string What, byte[] Blob)> mutants)
    {
        var counts = new int[4];
        var failures = new List<string>();
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> watch = (_, e) => t_thrown?.Add(e.Exception);
        AppDomain.CurrentDomain.FirstChanceException += watch;
        try
        {
            LargeStack.Run(() =>
            {
                var thrown = t_thrown = [];
                int index = 0;
                foreach (var (what, blob) in mutants)
                {
                    thrown.Clear();
                    try
                    {
                        counts[(int)LoadAndRun(blob, asCoroutine: index % 3 == 0)]++;
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{what}: {e.GetType().Name}: {e.Message}\n{e.StackTrace?.Split('\n').FirstOrDefault()}");
                    }
                    if (thrown.FirstOrDefault(IsInternalFault) is { } fault)
                        failures.Add($"{what}: {fault.GetType().Name} inside the engine: {fault.Message}\n{fault.StackTrace?.Split('\n').FirstOrDefault()}");
                    index++;
                }
                t_thrown = null;
                return 0;
            });
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= watch;
        }
        Assert.True(failures.Count == 0, $"{failures.Count} mutants escaped:\n" + string.Join("\n", failures.Take(10)));
        return counts;
    }

    [Fact]
    public void UnmutatedProgramsRun()
    {
        var counts = RunAll(CompileAll().Select((b, i) => ($"program {i}", b)));
        Assert.Equal(Programs.Length * 3, counts[(int)Outcome.Finished]);
    }

    [Fact]
    public void SetListOnANonTableIsALuauError()
    {
        // Verified bytecode, but R0 holds a number where SETLIST expects the table it fills (found by the corpus fuzz).
        var bc = new BytecodeBuilder();
        int main = bc.BeginFunction(0, false);
        bc.EmitAd(OpCode.LoadN, 0, 1);
        bc.EmitAd(OpCode.LoadN, 1, 2);
        bc.EmitAbc(OpCode.SetList, 0, 1, 2);
        bc.EmitAux(1);
        bc.EmitAbc(OpCode.Return, 0, 1, 0);
        bc.EndFunction(2, 0, ProtoFlags.None);
        bc.SetMainFunction(main);
        var engine = new LuauEngine();
        var function = engine.LoadBytecode(bc.Finish());
        var error = Assert.Throws<LuauRuntimeException>(() => engine.Call(function));
        Assert.Contains("SETLIST target is not a table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BitFlips()
    {
        var blobs = CompileAll();
        var random = new Random(11);
        var mutants = new List<(string, byte[])>();
        for (int i = 0; i < 1500; i++)
        {
            var blob = (byte[])blobs[i % blobs.Length].Clone();
            int flips = random.Next(1, 4);
            for (int j = 0; j < flips; j++)
                blob[random.Next(1, blob.Length)] ^= (byte)(1 << random.Next(8));
            mutants.Add(($"bit flips #{i}", blob));
        }
        var counts = RunAll(mutants);
        // Most flips land in code or constants and still load: the run-time paths are exercised, not just the loader.
        Assert.True(counts[(int)Outcome.Rejected] < mutants.Count, "every mutant was rejected");
        Assert.True(counts[(int)Outcome.Finished] + counts[(int)Outcome.RuntimeError] > 100, string.Join(",", counts));
    }

    [Fact]
    public void TruncationsAndByteSwaps()
    {
        var blobs = CompileAll();
        var random = new Random(12);
        var mutants = new List<(string, byte[])>();
        foreach (var blob in blobs.Take(3))
        {
            for (int length = 0; length < blob.Length; length += 3)
                mutants.Add(($"truncated to {length}", blob[..length]));
        }
        for (int i = 0; i < 800; i++)
        {
            var blob = (byte[])blobs[i % blobs.Length].Clone();
            int a = random.Next(1, blob.Length), b = random.Next(1, blob.Length);
            (blob[a], blob[b]) = (blob[b], blob[a]);
            mutants.Add(($"swap #{i} ({a}, {b})", blob));
        }
        RunAll(mutants);
    }

    [Fact]
    public void RandomInstructionWords()
    {
        var blobs = CompileAll();
        var random = new Random(13);
        // Where each proto's code sits in its blob, to overwrite instruction words in place.
        var codeSpans = blobs.Select(FindCode).ToArray();
        var mutants = new List<(string, byte[])>();
        for (int i = 0; i < 3000; i++)
        {
            int which = i % blobs.Length;
            var blob = (byte[])blobs[which].Clone();
            var (offset, words) = codeSpans[which][random.Next(codeSpans[which].Count)];
            int count = random.Next(1, 3);
            for (int j = 0; j < count; j++)
            {
                int pc = random.Next(words);
                uint word = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(offset + 4 * pc));
                switch (random.Next(4))
                {
                    case 0:
                        // A fresh random word with a plausible opcode, so the verifier's operand checks are tested.
                        word = ((uint)random.NextInt64(0, 1L << 32) & 0xFFFFFF00u) | (uint)random.Next((int)OpCode.NewClass + 1);
                        break;
                    case 1:
                        // Keep the opcode, change one operand byte.
                        word ^= (uint)random.Next(1, 256) << (8 * random.Next(1, 4));
                        break;
                    case 2:
                        // Nudge one operand a little: often still valid, so the interpreter runs it.
                        uint delta = (uint)random.Next(1, 4) << (8 * random.Next(1, 4));
                        word = random.Next(2) == 0 ? word + delta : word - delta;
                        break;
                    default:
                        // Keep the operands, change the opcode.
                        word = (word & 0xFFFFFF00u) | (uint)random.Next(256);
                        break;
                }
                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(offset + 4 * pc), word);
            }
            mutants.Add(($"instruction words #{i}", blob));
        }
        var counts = RunAll(mutants);
        Assert.True(counts[(int)Outcome.Finished] + counts[(int)Outcome.RuntimeError] + counts[(int)Outcome.Terminated] > 100, string.Join(",", counts));
    }

    [Fact]
    public void RandomBytesAfterAValidHeader()
    {
        var random = new Random(14);
        var mutants = new List<(string, byte[])>();
        for (int i = 0; i < 1000; i++)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            bytes[0] = (byte)random.Next(3, 10);
            if (bytes.Length > 1)
                bytes[1] = (byte)random.Next(0, 4);
            mutants.Add(($"random bytes #{i}", bytes));
        }
        var counts = RunAll(mutants);
        Assert.Equal(mutants.Count, counts.Sum());
    }

    /// <summary>
    /// Real programs (every conformance and benchmark file that compiles, at O0..O2), each mutant a few bit flips, a
    /// random byte or a changed instruction word. Whatever loads runs under the instruction limit.
    /// </summary>
    [Fact]
    public void CorpusMutations()
    {
        var blobs = CorpusBlobs();
        Assert.True(blobs.Count > 60, $"only {blobs.Count} corpus blobs compiled");
        var codeSpans = blobs.Select(b => FindCode(b.Blob)).ToArray();
        var random = new Random(15);
        var mutants = new List<(string, byte[])>();
        for (int i = 0; i < CorpusMutantCount; i++)
        {
            int which = random.Next(blobs.Count);
            var blob = (byte[])blobs[which].Blob.Clone();
            switch (i % 4)
            {
                case 0:
                    for (int j = random.Next(1, 4); j > 0; j--)
                        blob[random.Next(1, blob.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    {
                        // A flip inside the code, where most flips still decode and reach the interpreter.
                        var (offset, words) = codeSpans[which][random.Next(codeSpans[which].Count)];
                        blob[offset + random.Next(4 * words)] ^= (byte)(1 << random.Next(8));
                        break;
                    }
                case 2:
                    {
                        var (offset, words) = codeSpans[which][random.Next(codeSpans[which].Count)];
                        blob[offset + random.Next(4 * words)] = (byte)random.Next(256);
                        break;
                    }
                default:
                    {
                        // Nudge one operand byte by a little: usually still in range, so the interpreter runs it.
                        var (offset, words) = codeSpans[which][random.Next(codeSpans[which].Count)];
                        int at = offset + 4 * random.Next(words) + random.Next(1, 4);
                        blob[at] = (byte)(blob[at] + (random.Next(2) == 0 ? 1 : -1) * random.Next(1, 4));
                        break;
                    }
            }
            mutants.Add(($"{blobs[which].Name} #{i}", blob));
        }
        var counts = RunAll(mutants);
        // Many mutants must get past the loader, or the test would say little about the interpreter (about 30% do).
        Assert.True(mutants.Count - counts[(int)Outcome.Rejected] > mutants.Count / 5, string.Join(",", counts));
    }

    private const int CorpusMutantCount = 10000;

    private static List<(string Name, byte[] Blob)> CorpusBlobs()
    {
        var blobs = new List<(string, byte[])>();
        foreach (var file in SharedCorpus.ConformanceFiles().Concat(SharedCorpus.BenchFiles()))
        {
            if (SharedCorpus.NeedsClassSyntax(file))
                continue;
            var source = File.ReadAllBytes(file);
            for (int level = 0; level <= 2; level++)
            {
                var result = LuauCompiler.Compile(source, new CompileOptions { OptimizationLevel = level, DebugLevel = level == 2 ? 0 : 1 });
                // Large blobs make each load slow; the small and medium files cover the instruction set well enough.
                if (result.Bytecode is { Length: < 48 << 10 } bytecode)
                    blobs.Add(($"{Path.GetFileName(file)} O{level}", bytecode));
            }
        }
        return blobs;
    }

    /// <summary>The byte offset and word count of each proto's code in a blob, found by searching for its encoding.</summary>
    private static List<(int Offset, int Words)> FindCode(byte[] blob)
    {
        var module = BytecodeReader.Read(blob);
        var spans = new List<(int, int)>();
        foreach (var proto in module.Protos)
        {
            var encoded = new byte[proto.Code.Length * 4];
            for (int i = 0; i < proto.Code.Length; i++)
                BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(4 * i), proto.Code[i]);
            int offset = blob.AsSpan().IndexOf(encoded);
            Assert.True(offset > 0);
            spans.Add((offset, proto.Code.Length));
        }
        return spans;
    }
}
