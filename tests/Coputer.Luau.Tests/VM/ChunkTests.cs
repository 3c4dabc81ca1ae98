using Coputer.Luau.Compiler;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// <see cref="LuauChunk"/>: bytecode read and verified once, then loaded into many states, behaves exactly like
/// loading the bytes into each state.
/// </summary>
public class ChunkTests
{
    private const string Source = """
        local t = { name = "chunk", list = { 3, 1, 2 } }
        table.sort(t.list)
        counter = (counter or 0) + 1
        local function describe() return t.name .. ":" .. table.concat(t.list, ",") .. ":" .. counter end
        return describe(), tostring({}), tostring(describe)
        """;

    [Fact]
    public void OneChunkLoadsIntoManyStatesLikeItsBytes()
    {
        var bytecode = new LuauEngine().Compile(System.Text.Encoding.UTF8.GetBytes(Source), "=shared");
        var chunk = LuauChunk.FromBytecode(bytecode, "=shared");
        Assert.Equal("=shared", chunk.Name);

        string[] Run(Func<LuauEngine, LuauFunction> load)
        {
            var engine = new LuauEngine();
            var results = engine.Call(load(engine));
            return [.. results.Select(r => r.ToString())];
        }

        var fromBytes = Run(e => e.LoadBytecode(bytecode, "=shared"));
        Assert.Equal("chunk:1,2,3:1", fromBytes[0]);
        // Same results, same pseudo-addresses: the states are built identically and share nothing mutable.
        for (int i = 0; i < 3; i++)
            Assert.Equal(fromBytes, Run(e => e.State.Load(chunk, e.Globals)));
    }

    [Fact]
    public void LoadsAreIndependent()
    {
        var bytecode = new LuauEngine().Compile("x = (x or 0) + 1 return x"u8);
        var chunk = LuauChunk.FromBytecode(bytecode, "=c");
        var engine = new LuauEngine();
        Assert.Equal(1, engine.Call(engine.State.Load(chunk, engine.Globals))[0].Number);
        Assert.Equal(2, engine.Call(engine.State.Load(chunk, engine.Globals))[0].Number);
        var other = new LuauEngine();
        Assert.Equal(1, other.Call(other.State.Load(chunk, other.Globals))[0].Number);
    }

    [Fact]
    public void ErrorsPositionWithTheChunkName()
    {
        var chunk = LuauChunk.FromBytecode(new LuauEngine().Compile("local a = nil\nreturn a.b"u8), "@dir/file.luau");
        var engine = new LuauEngine();
        var e = Assert.Throws<LuauRuntimeException>(() => engine.Call(engine.State.Load(chunk)));
        Assert.StartsWith("dir/file.luau:2:", e.Message);
    }

    [Fact]
    public void CompileErrorBlobsAndBadBytecodeAreRefusedOnce()
    {
        // The reference compiler's error blob: a zero byte, then the message.
        byte[] error = [0, .. ":1: Expected identifier"u8];
        var e = Assert.Throws<LuauLoadException>(() => LuauChunk.FromBytecode(error, "=bad"));
        Assert.Equal("bad:1: Expected identifier", e.Message);
        var bytecode = new LuauEngine().Compile("return 1"u8);
        var truncated = bytecode.AsSpan(0, bytecode.Length / 2).ToArray();
        var malformed = Assert.Throws<LuauLoadException>(() => LuauChunk.FromBytecode(truncated, "=cut"));
        Assert.StartsWith("cut: ", malformed.Message);
        // The bytes overload reports the same way.
        var engine = new LuauEngine();
        Assert.Equal(malformed.Message, Assert.Throws<LuauLoadException>(() => engine.State.Load(truncated, "=cut")).Message);
    }

    /// <summary>
    /// States on several threads run one chunk, whose code (and so its inline-cache hints) they share, over tables
    /// whose layouts differ per state, so the hints they write disagree: results stay those of a lone state.
    /// </summary>
    [Fact]
    public void StatesSharingCodeOnManyThreadsComputeTheSame()
    {
        const string Racy = """
            local seed = ...
            local sum = 0
            for round = 1, 200 do
                local t = {}
                -- Keys inserted in an order that depends on the state, so each finds them in other slots.
                for i = 0, 7 do
                    local k = (i + seed) % 8
                    t[({ "a", "b", "c", "d", "e", "f", "g", "h" })[k + 1]] = k
                end
                sum += t.a + t.b * 2 + t.c * 3 + t.h * 8
                t.a = round
                sum += t.a
            end
            return sum
            """;
        var chunk = LuauChunk.FromBytecode(new LuauEngine().Compile(System.Text.Encoding.UTF8.GetBytes(Racy)), "=racy");
        double Run(int seed)
        {
            var engine = new LuauEngine();
            return engine.Call(engine.State.Load(chunk, engine.Globals), seed)[0].Number;
        }
        var expected = Enumerable.Range(0, 8).Select(seed =>
        {
            var engine = new LuauEngine();
            return engine.Call(engine.LoadBytecode(engine.Compile(System.Text.Encoding.UTF8.GetBytes(Racy)), "=alone"), seed)[0].Number;
        }).ToArray();
        var results = new double[64];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = Run(i % 8));
        for (int i = 0; i < results.Length; i++)
            Assert.Equal(expected[i % 8], results[i]);
    }

    [Fact]
    public void CodeIsSharedUnlessItCountsCoverage()
    {
        var engine = new LuauEngine();
        var plain = LuauChunk.FromBytecode(engine.Compile("local t = {} t.x = 1 return t.x"u8), "=plain");
        var a = (LuauClosure)new LuauEngine().State.Load(plain);
        var b = (LuauClosure)new LuauEngine().State.Load(plain);
        Assert.Same(a.Proto.Code, b.Proto.Code);

        var counted = new LuauEngine(new LuauEngineOptions { CompileOptions = new() { CoverageLevel = 1 } });
        var covered = LuauChunk.FromBytecode(counted.Compile("local t = {}\nt.x = 1\nreturn t.x"u8), "=covered");
        var first = new LuauEngine();
        var c = first.State.Load(covered);
        var second = new LuauEngine();
        var d = second.State.Load(covered);
        Assert.NotSame(((LuauClosure)c).Proto.Code, ((LuauClosure)d).Proto.Code);
        first.Call(c);
        first.Call(c);
        second.Call(d);
        // Each state counts its own runs.
        Assert.Equal(2, LuauState.GetCoverage(c)[0].Hits.Max());
        Assert.Equal(1, LuauState.GetCoverage(d)[0].Hits.Max());
    }
}
