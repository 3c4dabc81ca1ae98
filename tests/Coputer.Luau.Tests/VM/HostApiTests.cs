using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// The .NET side of the engine: calling Luau from .NET and .NET from Luau, globals, and how errors cross the
/// boundary in both directions.
/// </summary>
public class HostApiTests
{
    [Fact]
    public void CallsLuauFunctionsWithArgumentsAndMultipleResults()
    {
        var engine = new LuauEngine();
        engine.DoString("function divmod(a, b) return a // b, a % b, 'extra' end");
        var results = engine.Call(engine.Globals["divmod"], 17, 5);
        Assert.Equal(3, results.Length);
        Assert.Equal(3, results[0].Number);
        Assert.Equal(2, results[1].Number);
        Assert.Equal("extra", results[2].ToString());

        // Missing arguments are nil, extra ones are dropped.
        engine.DoString("function describe(a, b) return type(a), type(b) end");
        var described = engine.Call(engine.Globals["describe"], "only", 1, 2, 3);
        Assert.Equal(["string", "number"], [described[0].ToString(), described[1].ToString()]);
        var none = engine.Call(engine.Globals["describe"]);
        Assert.Equal(["nil", "nil"], [none[0].ToString(), none[1].ToString()]);
    }

    [Fact]
    public void ChunkResultsAndValueTypesRoundTrip()
    {
        var engine = new LuauEngine();
        var r = engine.DoString("return nil, true, 1.5, 'text', {}, print, vector.create(1, 2, 3), buffer.create(4), coroutine.create(print)");
        Assert.Equal(9, r.Length);
        Assert.True(r[0].IsNil);
        Assert.True(r[1].Boolean);
        Assert.Equal(1.5, r[2].Number);
        Assert.Equal("text", r[3].AsString!.ToString());
        Assert.NotNull(r[4].AsTable);
        Assert.Equal("print", r[5].AsFunction!.Name);
        Assert.Equal((1f, 2f, 3f), r[6].Vector);
        Assert.Equal(4, r[7].AsBuffer!.Length);
        Assert.Equal(CoroutineStatus.Suspended, r[8].AsThread!.CoroutineStatus);
        Assert.Empty(engine.DoString("local x = 1"));
    }

    [Fact]
    public void HostFunctionsReceiveArgumentsAndReturnSeveralResults()
    {
        var engine = new LuauEngine();
        engine.SetFunction("stats", c =>
        {
            double sum = 0;
            for (int i = 1; i <= c.ArgumentCount; i++)
                sum += c.CheckNumber(i);
            return c.Return([c.ArgumentCount, sum, c.ArgumentCount == 0 ? LuauValue.Nil : sum / c.ArgumentCount]);
        });
        Assert.Equal("3\t6\t2\t0\t0\tnil", ScriptRunner.Render(engine, engine.DoString("local n, s, m = stats(1, 2, 3) return n, s, m, stats()")));
        // Numeric strings are accepted where numbers are expected, as in the standard library.
        Assert.Equal("2\t11", ScriptRunner.Render(engine, engine.DoString("local n, s = stats('5', 6) return n, s")));
        Assert.Equal("false\tchunk:1: invalid argument #2 to 'stats' (number expected, got table)",
            ScriptRunner.Render(engine, engine.DoString("return pcall(function() return stats(1, {}) end)")));
    }

    [Fact]
    public void HostFunctionsCallBackIntoLuau()
    {
        var engine = new LuauEngine();
        engine.SetFunction("map", c =>
        {
            var t = c.CheckTable(1);
            var f = c.CheckFunction(2);
            var result = c.State.CreateTable();
            for (int i = 1; i <= t.Length(); i++)
                result[i] = c.Call1(f, t[i], i);
            return c.Return(result);
        });
        Assert.Equal("2,6,12", engine.DoString("return table.concat(map({2, 3, 4}, function(v, i) return v * i end), ',')")[0].ToString());
        // An error in the callback passes through the host function to the script's pcall.
        Assert.Equal("false\tchunk:1: inner",
            ScriptRunner.Render(engine, engine.DoString("return pcall(map, {1}, function() error('inner') end)")));
    }

    [Fact]
    public void GlobalsAreSharedBothWays()
    {
        var engine = new LuauEngine();
        engine.Globals["limit"] = 10;
        engine.Globals["name"] = "world";
        var config = engine.State.CreateTable();
        config["debug"] = true;
        engine.Globals["config"] = config;
        Assert.Equal("hello world 20 true", engine.DoString("return 'hello ' .. name .. ' ' .. limit * 2 .. ' ' .. tostring(config.debug)")[0].ToString());
        engine.DoString("counter = (counter or 0) + 1 config.seen = true");
        engine.DoString("counter += 1");
        Assert.Equal(2, engine.Globals["counter"].Number);
        Assert.True(config["seen"].Boolean);
        Assert.True(engine.Globals["undefined"].IsNil);
        // Library globals are visible through the script's globals.
        Assert.Equal("function", engine.DoString("return type(print)")[0].ToString());
    }

    [Fact]
    public void SandboxedEnginesDoNotShareScriptGlobals()
    {
        var a = new LuauEngine();
        var b = new LuauEngine();
        a.DoString("shared = 1");
        Assert.True(b.DoString("return shared")[0].IsNil);
        // Scripts cannot change the libraries in a sandbox.
        Assert.Equal("false\tchunk:1: attempt to modify a readonly table",
            ScriptRunner.Render(a, a.DoString("return pcall(function() string.upper = nil end)")));
    }

    [Fact]
    public void UncaughtErrorsBecomeRuntimeExceptionsWithValueAndTrace()
    {
        var engine = new LuauEngine();
        var e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("local function inner()\n  error('failed here')\nend\nlocal function outer() inner() end\nouter()", "=script"));
        Assert.Equal("script:2: failed here", e.Value.ToString());
        Assert.Equal("script:2: failed here", e.Message);
        Assert.Equal(LuauErrorKind.Runtime, e.Kind);
        Assert.Contains("script:2 function inner", e.LuauStackTrace);
        Assert.Contains("script:4 function outer", e.LuauStackTrace);
        Assert.Contains("script:5", e.LuauStackTrace);

        var table = Assert.Throws<LuauRuntimeException>(() => engine.DoString("error({code = 42})"));
        Assert.Equal(42, table.Value.AsTable!["code"].Number);
        Assert.Equal("(error object is a table value)", table.Message);

        var runtime = Assert.Throws<LuauRuntimeException>(() => engine.DoString("local t = nil\nreturn t.field", "=s"));
        Assert.Equal("s:2: attempt to index nil with 'field'", runtime.Value.ToString());

        // The engine stays usable after an error.
        Assert.Equal(3, engine.DoString("return 1 + 2")[0].Number);
    }

    [Fact]
    public void ErrorsFromCalledFunctionsReachTheHost()
    {
        var engine = new LuauEngine();
        engine.DoString("function fail(x) error('bad ' .. x, 0) end");
        var e = Assert.Throws<LuauRuntimeException>(() => engine.Call(engine.Globals["fail"], "input"));
        Assert.Equal("bad input", e.Value.ToString());
        var notCallable = Assert.Throws<LuauRuntimeException>(() => engine.Call(42));
        Assert.Equal("attempt to call a number value", notCallable.Value.ToString());
    }

    [Fact]
    public void DotNetExceptionsInHostFunctionsBecomeCatchableErrors()
    {
        var engine = new LuauEngine();
        engine.SetFunction("explode", _ => throw new InvalidOperationException("host failure"));
        engine.SetFunction("luauError", _ => throw new LuauError("reported by host"));
        Assert.Equal("false\thost failure", ScriptRunner.Render(engine, engine.DoString("return pcall(explode)")));
        // A LuauError gets the position of the Luau code that called the host function.
        Assert.Equal("false\tchunk:1: reported by host", ScriptRunner.Render(engine, engine.DoString("return pcall(function() luauError() end)")));
        Assert.Equal("false\tcaught: host failure", ScriptRunner.Render(engine, engine.DoString("return xpcall(explode, function(m) return 'caught: ' .. m end)")));

        // Uncaught, it reaches the host as a LuauRuntimeException that keeps the original exception.
        var e = Assert.Throws<LuauRuntimeException>(() => engine.DoString("explode()"));
        Assert.Equal("host failure", e.Value.ToString());
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Theory]
    [InlineData("local x = ", "=mychunk", "mychunk:1: Expected identifier when parsing expression, got <eof>")]
    [InlineData("x = 1\ny = = 2", "=mychunk", "mychunk:2: Expected identifier when parsing expression, got '='")]
    [InlineData("return 1 +", "@file.luau", "file.luau:1: Expected identifier when parsing expression, got <eof>")]
    [InlineData("local function f() return end end", "=c", "c:1: Expected <eof>, got 'end'")]
    [InlineData("x = 'unterminated", "=c", "c:1: Malformed string; did you forget to finish it?")]
    [InlineData("break", "=c", "c:1: break statement must be inside a loop")]
    [InlineData("local a = {...} function g() return ... end", "=c", "c:1: Cannot use '...' outside of a vararg function")]
    public void SyntaxErrorsAreLoadExceptions(string source, string chunkName, string message)
    {
        var engine = new LuauEngine();
        var e = Assert.Throws<LuauLoadException>(() => engine.Load(source, chunkName));
        Assert.Equal(message, e.Message);
        Assert.Throws<LuauLoadException>(() => engine.DoString(source, chunkName));
    }

    [Fact]
    public void ChunkNamesShapeErrorPositions()
    {
        var engine = new LuauEngine();
        Assert.Equal("[string \"some source text\"]:1: x", Assert.Throws<LuauRuntimeException>(() => engine.DoString("error('x')", "some source text")).Value.ToString());
        Assert.Equal("path/to/mod.luau:1: x", Assert.Throws<LuauRuntimeException>(() => engine.DoString("error('x')", "@path/to/mod.luau")).Value.ToString());
    }

    [Fact]
    public void CompiledBytecodeLoadsAgain()
    {
        var engine = new LuauEngine();
        byte[] bytecode = engine.Compile("local a, b = ... return a * b"u8);
        var f = engine.LoadBytecode(bytecode);
        Assert.Equal(42, engine.Call(f, 6, 7)[0].Number);
        Assert.Equal(12, engine.Call(engine.LoadBytecode(bytecode), 3, 4)[0].Number);
        var other = new LuauEngine();
        Assert.Equal(20, other.Call(other.LoadBytecode(bytecode), 4, 5)[0].Number);
    }
}
