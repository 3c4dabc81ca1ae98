using Coputer.Luau.Compiler;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Conformance;

/// <summary>
/// Luau's conformance suite under the reference harness (see <see cref="ConformanceHarness"/>): each file is a test
/// case, with the host functions and options its reference test sets up. Files that need experimental features,
/// native code generation or type checker data are not run: classes, native, native_types, native_userdata,
/// udata_direct, debugger and types. The reference runs integers_regspill only under native code generation; its
/// value checks hold for the interpreter too, so it runs here with its native-tier probes taken out.
/// </summary>
public class HarnessConformanceTests
{
    /// <summary>Whether the files run with the IL tier compiling every function (see <see cref="IlTierHarnessConformanceTests"/>).</summary>
    protected virtual bool IlTier => false;

    private LuauState Run(string fileName, ConformanceSetup? setup = null) => ConformanceHarness.Run(fileName, setup, IlTier);

    /// <summary>Files whose reference test adds nothing to the common harness.</summary>
    public static TheoryData<string> PlainFiles => new(
    [
        "assert", "attrib", "basic", "bitwise", "calls", "clear", "closure", "constructs", "coroutine", "datetime",
        "debug", "errors", "events", "explicit_type_instantiations", "ifelseexpr", "iter_fenv", "jit_inliner",
        "literals", "locals", "math", "move", "pm", "safeenv", "sort", "strconv", "stringinterp", "strings", "tpack",
        "utf8", "vararg",
    ]);

    [Theory]
    [MemberData(nameof(PlainFiles))]
    public void Plain(string name) => Run(name + ".luau", name == "datetime" ? new() { Platform = s_clockHeld } : null);

    private static readonly Lazy<long> s_heldSecond = new(LuauPlatform.System.UnixTime);

    /// <summary>
    /// The real clock, held at one second for a whole file: datetime compares <c>os.date("!*t", os.time())</c> with a
    /// second <c>os.date()</c> field by field, which fails whenever the second ticks between the two calls (it did
    /// on a loaded machine with the IL tier compiling every function as it is first called).
    /// </summary>
    private static readonly LuauPlatform s_clockHeld = new()
    {
        Clock = LuauPlatform.System.Clock,
        UnixTime = () => s_heldSecond.Value,
        LocalTimeZone = LuauPlatform.System.LocalTimeZone,
        RandomSeed = LuauPlatform.System.RandomSeed,
        TaskTime = LuauPlatform.System.TaskTime,
        DeterministicMath = LuauPlatform.System.DeterministicMath,
    };


    public static TheoryData<int> OptimizationLevels => new([0, 1, 2]);

    [Theory]
    [MemberData(nameof(OptimizationLevels))]
    public void NativeIntegerSpills(int level) =>
        Run("native_integer_spills.luau", new() { CompileOptions = new() { OptimizationLevel = level, DebugLevel = 1 } });

    [Theory]
    [MemberData(nameof(OptimizationLevels))]
    public void Vector(int level) => Run("vector.luau", new()
    {
        CompileOptions = new() { OptimizationLevel = level, DebugLevel = 1 },
        Setup = state =>
        {
            HostTypes.RegisterVectorMetatable(state);
            HostTypes.RegisterNativeHelpers(state);
        },
    });

    [Theory]
    [MemberData(nameof(OptimizationLevels))]
    public void VectorLibrary(int level) => Run("vector_library.luau", new()
    {
        CompileOptions = new() { OptimizationLevel = level, DebugLevel = 1 },
        Setup = HostTypes.RegisterNativeHelpers,
    });

    [Theory]
    [MemberData(nameof(OptimizationLevels))]
    public void Integers(int level) => Run("integers.luau", new()
    {
        CompileOptions = new() { OptimizationLevel = level, DebugLevel = 1 },
        Setup = HostTypes.RegisterNativeHelpers,
    });

    [Theory]
    [MemberData(nameof(OptimizationLevels))]
    public void IntegersRegspill(int level) => Run("integers_regspill.luau", new()
    {
        CompileOptions = new() { OptimizationLevel = level, DebugLevel = 1 },
        Setup = HostTypes.RegisterNativeHelpers,
        Source = WithoutNativeProbes,
    });

    /// <summary>
    /// integers_regspill.luau without its six <c>assert(is_native())</c> lines, which ask whether the function runs
    /// as native code (it never does here); everything else in the file is kept.
    /// </summary>
    private static string WithoutNativeProbes(string source)
    {
        const string probe = "assert(is_native())";
        int count = (source.Length - source.Replace(probe, "", StringComparison.Ordinal).Length) / probe.Length;
        Assert.Equal(6, count);
        return source.Replace(probe, "", StringComparison.Ordinal);
    }

    [Fact]
    public void Buffers() => Run("buffers.luau", new() { Setup = HostTypes.RegisterNativeHelpers });

    [Fact]
    public void Userdata() => Run("userdata.luau", new() { Setup = HostTypes.RegisterInt64 });

    [Fact]
    public void Iter() => Run("iter.luau", new()
    {
        Setup = state =>
        {
            HostTypes.RegisterNativeHelpers(state);
            ContinuationFunctions.Register(state.Globals);
        },
    });

    [Fact]
    public void CYield() => Run("cyield.luau", new() { Setup = state => ContinuationFunctions.Register(state.Globals) });

    [Fact]
    public void Tables() => Run("tables.luau", new()
    {
        Setup = state =>
        {
            // Light userdata from a number, or standing for a collectable object (one payload per object).
            var ids = new System.Runtime.CompilerServices.ConditionalWeakTable<object, object>();
            long next = 1L << 40;
            state.Globals["makelud"] = new HostFunction("makelud", c =>
            {
                if (c[1].IsNumber)
                    return c.Return(LuauValue.FromLightUserdata((uint)c.CheckInteger(1)));
                object key = c[1].AsString ?? (object?)c[1].AsTable ?? c[1].AsFunction ?? throw c.TypeError(1, "collectable value");
                long id = (long)ids.GetValue(key, _ => next++);
                return c.Return(LuauValue.FromLightUserdata(id));
            });
        },
    });

    [Fact]
    public void Gc() => Run("gc.luau", new()
    {
        Setup = state => state.Globals["setblockallocations"] = new HostFunction("setblockallocations", c =>
        {
            c.CheckType(1, LuauType.Boolean);
            // Every allocation fails while blocked, as with the reference test's failing allocator.
            c.State.MemoryLimit = c[1].Boolean ? 1 : 0;
            return 0;
        }),
    });

    [Fact]
    public void PCall() => Run("pcall.luau", new()
    {
        Setup = state =>
        {
            // The reference runs this file with an allocator that refuses blocks over 8 MB.
            state.MaxAllocationSize = 8 << 20;
            state.Globals["cxxthrow"] = new HostFunction("cxxthrow", c => throw new InvalidOperationException("oops"));
            state.Globals["resumeerror"] = new HostFunction("resumeerror", c =>
            {
                c.ResumeError(c.CheckThread(1), c[2]);
                return 0;
            });
        },
    });

    [Fact]
    public void Coverage() => Run("coverage.luau", new()
    {
        CompileOptions = new() { OptimizationLevel = 1, DebugLevel = 1, CoverageLevel = 2 },
        Setup = state => state.Globals["getcoverage"] = new HostFunction("getcoverage", c =>
        {
            if (c[1].AsFunction is not { } function || LuauState.GetCoverage(function).Count == 0)
                throw c.TypeError(1, "function");
            var list = c.State.CreateTable();
            int i = 1;
            foreach (var f in LuauState.GetCoverage(function))
            {
                var entry = c.State.CreateTable();
                entry["name"] = f.Name;
                entry["linedefined"] = f.LineDefined;
                entry["depth"] = f.Depth;
                for (int line = 0; line < f.Hits.Length; line++)
                {
                    if (f.Hits[line] != -1)
                        entry.RawSet(line, f.Hits[line]);
                }
                list.RawSet(i++, entry);
            }
            return c.Return(list);
        }),
    });

    [Fact]
    public void NDebugUpvalues()
    {
        int checks = 0;
        Run("ndebug_upvalues.luau", new()
        {
            CompileOptions = new() { OptimizationLevel = 0, DebugLevel = 0 },
            OnYield = state =>
            {
                // Level 0 is coroutine.yield; level 1 is the function that called it, with 'foo' as its upvalue.
                var frame = state.GetFrameInfo(state.MainThread, 1);
                Assert.NotNull(frame);
                Assert.True(LuauState.TryGetUpvalue(frame.Value.Function, 1, out var name, out var value));
                Assert.Equal("", name); // no debug information, no names
                Assert.Equal(5, value.Number);
                checks++;
                return false;
            },
        });
        Assert.Equal(1, checks);
    }

    [Fact]
    public void TmError()
    {
        int[] expectedLines = [37, 54, 73];
        var seen = new List<int>();
        Run("tmerror.luau", new()
        {
            Setup = state => state.ProtectedErrorHook = thread =>
            {
                // The line of the innermost Luau function where the caught error was raised.
                for (int level = 0; state.GetFrameInfo(thread, level) is { } frame; level++)
                {
                    if (frame.What == "Lua")
                    {
                        seen.Add(frame.CurrentLine);
                        return;
                    }
                }
                seen.Add(-1);
            },
        });
        Assert.Equal(expectedLines, seen);
    }

    [Fact]
    public void Interrupt()
    {
        var state = Run("interrupt.luau");
        var globals = state.MainThread.Environment;
        LuauThread NewThread(string function) => state.CreateThread(globals[function].AsFunction!, globals);

        // Interrupts come at the lines the reference lists; one may yield.
        int[] expectedLines = [11, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 20, 15, 15, 15, 15, 18, 25, 23, 26];
        var lines = new List<int>();
        state.Interrupt = thread =>
        {
            lines.Add(state.GetFrameInfo(thread, 0)!.Value.CurrentLine);
            return lines.Count == 4;
        };
        var test = NewThread("test");
        Assert.Equal(LuauResumeStatus.Yielded, state.Resume(test).Status);
        Assert.Equal(4, lines.Count);
        Assert.Equal(LuauResumeStatus.Finished, state.Resume(test).Status);
        Assert.Equal(expectedLines, lines);

        // A loop that would never end yields at the interrupt that asks for it.
        int index = 0;
        state.Interrupt = thread => ++index == 11;
        for (int i = 1; i <= 10; i++)
        {
            index = 0;
            var result = state.Resume(NewThread("infloop" + i));
            Assert.True(result.Status == LuauResumeStatus.Yielded, $"infloop{i}: {result.Status} {result.Error}");
            Assert.Equal(11, index);
        }

        // An interrupt that raises an error stops code that would hang.
        state.Interrupt = thread =>
        {
            if (++index == 1000)
            {
                index = 0;
                throw new LuauError("timeout");
            }
            return false;
        };
        for (int i = 1; i <= 6; i++)
        {
            index = 0;
            var result = state.Resume(NewThread("hang" + i));
            Assert.Equal(LuauResumeStatus.Error, result.Status);
            Assert.Contains("timeout", result.Error.ToString());
        }
        index = 0;
        Assert.Equal(LuauResumeStatus.Finished, state.Resume(NewThread("hangpcall")).Status);
    }

    [Fact]
    public void ApiCalls()
    {
        var state = Run("apicalls.luau", new() { Setup = s => s.MaxAllocationSize = 8 << 20 });
        var g = state.MainThread.Environment;
        Assert.Equal(42, Assert.Single(state.Call(g["add"], 40, 2)).Number);
        Assert.Equal(200, state.Call(g["getnresults"], 200).Length);

        // The base library's pcall, called from the host, passes every result on.
        var results = state.Call(state.Globals["pcall"], g["getnresults"], 200);
        Assert.Equal(201, results.Length);
        Assert.True(results[0].Boolean);

        var oom = Assert.Throws<LuauRuntimeException>(() => state.Call(g["largealloc"]));
        Assert.Equal(LuauErrorKind.Memory, oom.Kind);
        Assert.Equal("not enough memory", oom.Value.ToString());

        // Out of memory under xpcall, called from the host: the handler's value, or a failing handler's verdict.
        var xpcall = state.Globals["xpcall"];
        Assert.Equal("oops", state.Call(xpcall, g["largealloc"], g["oops"])[1].ToString());
        Assert.Equal("error in error handling", state.Call(xpcall, g["largealloc"], state.Globals["error"])[1].ToString());
        Assert.Equal("not enough memory", state.Call(xpcall, g["largealloc"], g["largealloc"])[1].ToString());
        Assert.Equal("error in error handling", state.Call(xpcall, state.Globals["error"], g["largealloc"])[1].ToString());

        // Equality from the host runs __eq, as lua_equal does.
        var a = state.Call(g["create_with_tm"], 42)[0];
        var b = state.Call(g["create_with_tm"], 42)[0];
        Assert.True(state.Equal(a, b));
        Assert.False(state.Equal(a, state.Call(g["create_with_tm"], 7)[0]));
        Assert.False(a == b); // raw equality: two tables

        // A clone with its own environment sees its own globals; the original keeps its own.
        var getpi = g["getpi"].AsFunction!;
        Assert.Equal(3.1415926, state.Call(getpi)[0].Number);
        var env = state.CreateTable();
        env["pi"] = 42;
        var piClone = state.CloneFunction(getpi, env);
        Assert.Equal(42, state.Call(piClone)[0].Number);
        Assert.Equal(3.1415926, state.Call(getpi)[0].Number);

        // Clones share upvalues with the original.
        var incuv = g["incuv"].AsFunction!;
        Assert.Equal(1, state.Call(incuv)[0].Number);
        var first = state.CloneFunction(incuv, g);
        var second = state.CloneFunction(incuv, g);
        Assert.Equal(2, state.Call(first)[0].Number);
        Assert.Equal(3, state.Call(second)[0].Number);
        Assert.Equal(4, state.Call(incuv)[0].Number);
    }

    [Fact]
    public void Exceptions()
    {
        var state = Run("exceptions.luau", new() { Setup = s => s.MaxAllocationSize = 8 << 20 });
        var g = state.MainThread.Environment;
        LuauRuntimeException Fails(string function) => LargeStack.Run(() => Assert.Throws<LuauRuntimeException>(() => state.Call(g[function])));

        Assert.Empty(state.Call(g["empty_function"]));
        Assert.EndsWith("42", Fails("pass_number_to_error").Message);
        Assert.EndsWith("string argument", Fails("pass_string_to_error").Message);
        Assert.Equal(LuauType.Table, Fails("pass_table_to_error").Value.Type);
        Assert.Contains("stack overflow", Fails("infinite_recursion_error").Message);
        Assert.Equal(LuauErrorKind.Memory, Fails("large_allocation_error").Kind);
    }
}

/// <summary>The same files with the IL tier on, compiling every function at its first call.</summary>
public sealed class IlTierHarnessConformanceTests : HarnessConformanceTests
{
    protected override bool IlTier => true;
}
