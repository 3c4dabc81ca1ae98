using System.Text;
using Coputer.Luau.Compiler;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Library;

public class LibraryTemplateTests
{
    private static readonly LuauPlatform Platform = LuauPlatform.Deterministic(unixTime: 1_700_000_000, randomSeed: 7);

    /// <summary>A state whose libraries were copied from the template (asserting that the copy was used).</summary>
    private static LuauState FromTemplate(LuauLibraries libraries = LuauLibraries.All)
    {
        // The first state of a process may predate the template's shared names; the next one has them.
        StandardLibrary.Open(new LuauState(), libraries, Platform);
        var state = new LuauState();
        Assert.True(LibraryTemplate.TryOpen(state, libraries, Platform));
        return state;
    }

    private static LuauState OpenedOneByOne(LuauLibraries libraries = LuauLibraries.All)
    {
        var state = new LuauState();
        StandardLibrary.OpenEach(state, libraries, Platform);
        return state;
    }

    [Theory]
    [InlineData(LuauLibraries.All)]
    [InlineData(LuauLibraries.Base | LuauLibraries.String)]
    [InlineData(LuauLibraries.Math | LuauLibraries.Os | LuauLibraries.Task)]
    public void ACopyIsTheSameAsOpeningTheLibraries(LuauLibraries libraries)
    {
        var copy = FromTemplate(libraries);
        var direct = OpenedOneByOne(libraries);
        AssertSameTable(direct.Globals, copy.Globals, "_G", []);
        for (int i = 0; i < direct.TypeMetatables.Length; i++)
        {
            Assert.Equal(direct.TypeMetatables[i] is null, copy.TypeMetatables[i] is null);
            if (direct.TypeMetatables[i] is { } mt)
                AssertSameTable(mt, copy.TypeMetatables[i]!, $"metatable {(LuauType)i}", []);
        }
        Assert.Equal(direct.TaskSchedulerIfCreated is null, copy.TaskSchedulerIfCreated is null);
        if (direct.TaskSchedulerIfCreated?.TaskMetatable is { } taskMeta)
            AssertSameTable(taskMeta, copy.TaskSchedulerIfCreated!.TaskMetatable!, "task metatable", []);
        Assert.Equal(direct.MemoryInUse, copy.MemoryInUse);
        Assert.Equal(direct.PeakMemoryInUse, copy.PeakMemoryInUse);
        Assert.Equal(direct.KeyIdsIssued, copy.KeyIdsIssued);
    }

    /// <summary>Same keys in the same traversal order, same layout and flags, same kinds of values, recursively.</summary>
    private static void AssertSameTable(LuauTable expected, LuauTable actual, string path, HashSet<LuauTable> seen)
    {
        if (!seen.Add(expected))
            return;
        Assert.NotSame(expected, actual);
        Assert.Equal(expected.SizeArray, actual.SizeArray);
        Assert.Equal(expected.Nodes.Length, actual.Nodes.Length);
        Assert.Equal(expected.IsReadOnly, actual.IsReadOnly);
        Assert.Equal(expected.SafeEnv, actual.SafeEnv);
        Assert.Equal(expected.Metatable is null, actual.Metatable is null);
        if (expected.Metatable is not null)
            AssertSameTable(expected.Metatable, actual.Metatable!, path + ".<metatable>", seen);
        int i = 0, j = 0;
        while (true)
        {
            i = expected.NextFrom(i, out var ek, out var ev);
            j = actual.NextFrom(j, out var ak, out var av);
            Assert.Equal(i, j);
            if (i < 0)
                break;
            i++;
            j++;
            Assert.Equal(ek.Type, ak.Type);
            Assert.True(ek.Equals(ak), $"{path}: key {ek} against {ak}");
            string at = path + "." + ek;
            Assert.Equal(ev.Type, av.Type);
            switch (ev.O)
            {
                case LuauTable et:
                    AssertSameTable(et, av.AsTable!, at, seen);
                    break;
                case HostFunction ef:
                    Assert.Equal(ef.Name, ((HostFunction)av.O!).Name);
                    Assert.Equal(ef.Special, ((HostFunction)av.O!).Special);
                    break;
                default:
                    Assert.True(ev.Equals(av) || (ev.Type == LuauType.Number && double.IsNaN(ev.Number) && double.IsNaN(av.Number)), $"{at}: {ev} against {av}");
                    break;
            }
        }
    }

    private const string Script = """
        local out = {}
        for _, lib in { "string", "table", "math", "os", "utf8", "bit32", "buffer", "vector", "integer", "task", "coroutine", "debug" } do
            local names = {}
            for k in _G[lib] do table.insert(names, k) end
            table.insert(out, lib .. ":" .. table.concat(names, ","))
        end
        local globals = {}
        for k in _G do table.insert(globals, k) end
        table.insert(out, table.concat(globals, ","))
        table.insert(out, tostring(math.random()) .. " " .. math.random(100) .. " " .. os.time() .. " " .. os.date("!%Y-%m-%d", 0))
        math.randomseed(3)
        table.insert(out, tostring(math.random(1000)))
        for i, v in ipairs({ 10, 20 }) do table.insert(out, i .. "=" .. v) end
        for p, c in utf8.codes("hé") do table.insert(out, p .. ":" .. c) end
        table.insert(out, ("abc"):upper() .. tostring(vector.create(1, 2, 3).y))
        local t = task.spawn(function() return 1 end)
        table.insert(out, typeof(t))
        table.insert(out, tostring(pcall(error, "x")))
        return table.concat(out, "\n")
        """;

    private static string Run(LuauState state)
    {
        var bytecode = LuauCompiler.Compile(Encoding.UTF8.GetBytes(Script), new CompileOptions()).Bytecode!;
        var f = state.Load(bytecode, "=script");
        return state.Call(new LuauValue(f))[0].AsString!.ToString();
    }

    [Fact]
    public void ScriptsSeeTheSameLibraries()
    {
        string direct = Run(OpenedOneByOne());
        Assert.Equal(direct, Run(FromTemplate()));
        Assert.Contains("math:", direct, StringComparison.Ordinal);
    }

    [Fact]
    public void EachCopyHasItsOwnRandomGeneratorAndPlatform()
    {
        var random = Compile("return math.random(1000000), math.random(1000000), os.time()");
        var a = FromTemplate();
        var b = FromTemplate();
        var fromA = a.Call(new LuauValue(a.Load(random, "=r")));
        // Drawing from one state's generator does not move another's: both start from the seed.
        var fromB = b.Call(new LuauValue(b.Load(random, "=r")));
        Assert.Equal(fromA.Select(v => v.Number), fromB.Select(v => v.Number));
        Assert.Equal(1_700_000_000, fromA[2].Number);

        var other = LuauPlatform.Deterministic(unixTime: 5, randomSeed: 99);
        var copy = new LuauState();
        Assert.True(LibraryTemplate.TryOpen(copy, LuauLibraries.All, other));
        var direct = new LuauState();
        StandardLibrary.OpenEach(direct, LuauLibraries.All, other);
        var fromCopy = copy.Call(new LuauValue(copy.Load(random, "=r")));
        Assert.Equal(direct.Call(new LuauValue(direct.Load(random, "=r"))).Select(v => v.Number), fromCopy.Select(v => v.Number));
        Assert.Equal(5, fromCopy[2].Number);
        Assert.NotEqual(fromA[0].Number, fromCopy[0].Number);
    }

    private static byte[] Compile(string source) => LuauCompiler.Compile(Encoding.UTF8.GetBytes(source), new CompileOptions()).Bytecode!;

    [Fact]
    public void SandboxingACopyLeavesTheTemplateWritable()
    {
        var sandboxed = new LuauEngine(new LuauEngineOptions { Sandbox = true });
        Assert.Throws<LuauRuntimeException>(() => sandboxed.DoString("math.pi = 3"));
        var open = new LuauEngine(new LuauEngineOptions { Sandbox = false });
        Assert.Equal(3.0, open.DoString("math.pi = 3; return math.pi")[0].Number);
        Assert.Equal(Math.PI, new LuauEngine(new LuauEngineOptions { Sandbox = false }).DoString("return math.pi")[0].Number);
    }

    [Fact]
    public void SharedFunctionsPrintTheSameInEveryStateAndAreNeverRenumbered()
    {
        const string Source = "local t = {} t[print] = 1 t[string.format] = 2 return tostring(print), tostring(string.format), tostring(ipairs)";
        var a = new LuauEngine().DoString(Source);
        var b = new LuauEngine().DoString(Source);
        Assert.Equal(a[0].AsString!.ToString(), b[0].AsString!.ToString());
        Assert.Equal(a[1].AsString!.ToString(), b[1].AsString!.ToString());
        Assert.NotEqual(a[0].AsString!.ToString(), a[1].AsString!.ToString());
        // ipairs is made per state, like the functions holding state, and numbered by it.
        Assert.Equal(a[2].AsString!.ToString(), b[2].AsString!.ToString());
    }

    [Fact]
    public void ManyStatesOnManyThreadsComputeTheSame()
    {
        string expected = Run(FromTemplate());
        var results = new string[64];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var state = new LuauState();
            StandardLibrary.Open(state, LuauLibraries.All, Platform);
            results[i] = Run(state);
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void AStateThatIsNotFreshOpensTheLibrariesOneByOne()
    {
        FromTemplate();
        var state = new LuauState();
        state.Globals["mine"] = 1;
        Assert.False(LibraryTemplate.TryOpen(state, LuauLibraries.All, Platform));
        StandardLibrary.Open(state, LuauLibraries.All, Platform);
        Assert.Equal(1.0, state.Globals["mine"].Number);
        Assert.Equal(LuauType.Table, state.Globals["math"].Type);
    }
}
