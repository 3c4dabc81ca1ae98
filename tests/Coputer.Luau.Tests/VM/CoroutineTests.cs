using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>Coroutines through the coroutine library: status transitions, values in and out, errors, close, wrap.</summary>
public class CoroutineTests
{
    [Fact]
    public void StatusTransitionsAndValues()
    {
        ScriptRunner.Expect("""
            local log = {}
            local co
            co = coroutine.create(function(a, b)
                table.insert(log, coroutine.status(co))
                table.insert(log, tostring(coroutine.isyieldable()))
                table.insert(log, tostring(coroutine.running() == co))
                local c = coroutine.yield(a + b)
                local d, e = coroutine.yield(c * 2)
                return d + e, 'done'
            end)
            table.insert(log, coroutine.status(co))
            local r1 = {coroutine.resume(co, 1, 2)}
            table.insert(log, coroutine.status(co))
            local r2 = {coroutine.resume(co, 10)}
            local r3 = {coroutine.resume(co, 3, 4)}
            table.insert(log, coroutine.status(co))
            local r4 = {coroutine.resume(co)}
            return table.concat(log, ','), r1[2], r2[2], r3[2], r3[3], r4[1], r4[2]
            """, "suspended,running,true,true,suspended,dead\t3\t20\t7\tdone\tfalse\tcannot resume dead coroutine");
    }

    [Theory]
    [InlineData("""
        local outer
        outer = coroutine.create(function()
            local inner = coroutine.create(function() return coroutine.status(outer), coroutine.resume(outer) end)
            return coroutine.resume(inner)
        end)
        return coroutine.resume(outer)
        """, "true\ttrue\tnormal\tfalse\tcannot resume normal coroutine")]
    [InlineData("local co co = coroutine.create(function() return coroutine.resume(co) end) return coroutine.resume(co)", "true\tfalse\tcannot resume running coroutine")]
    [InlineData("return coroutine.resume(coroutine.create(function() return coroutine.isyieldable() end))", "true\ttrue")]
    // The main thread is not a coroutine: running() gives nil there, and the thread inside a coroutine.
    [InlineData("return coroutine.running(), coroutine.wrap(function() return type(coroutine.running()), select('#', coroutine.running()) end)()", "nil\tthread\t1")]
    [InlineData("return pcall(coroutine.resume, 1)", "false\tinvalid argument #1 to 'resume' (thread expected, got number)")]
    [InlineData("return pcall(coroutine.create, 1)", "false\tinvalid argument #1 to 'create' (function expected, got number)")]
    [InlineData("""
        local gen = coroutine.wrap(function(...) coroutine.yield(select('#', ...)) return ... end)
        return gen(1, nil, 3), gen('a', 'b')
        """, "3\t1\tnil\t3")]
    [InlineData("local s = '' for v in coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) do s ..= v end return s", "123")]
    public void ResumeAndWrap(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    // wrap rethrows the error; a string error keeps its position.
    [InlineData("local w = coroutine.wrap(function() error('oops') end) return pcall(w)", "false\tchunk:1: oops")]
    [InlineData("local w = coroutine.wrap(function() local x = nil return x.y end) return pcall(w)", "false\tchunk:1: attempt to index nil with 'y'")]
    [InlineData("local w = coroutine.wrap(function() error({code = 1}) end) local ok, e = pcall(w) return ok, type(e), e.code", "false\ttable\t1")]
    [InlineData("local w = coroutine.wrap(function() return 1 end) w() return pcall(w)", "false\tcannot resume dead coroutine")]
    [InlineData("local co = coroutine.create(function() error('bad') end) return coroutine.resume(co)", "false\tchunk:1: bad")]
    [InlineData("local co = coroutine.create(function() error('bad', 0) end) local ok, e = coroutine.resume(co) return ok, e, coroutine.status(co)", "false\tbad\tdead")]
    public void Errors(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("""
        local co = coroutine.create(function()
            local ok, v = pcall(function() local r = coroutine.yield('y1') error('after ' .. r) end)
            coroutine.yield(tostring(ok) .. ':' .. v)
            return 'end'
        end)
        local _, a = coroutine.resume(co)
        local _, b = coroutine.resume(co, 'R')
        local _, c = coroutine.resume(co)
        return a, b, c
        """, "y1\tfalse:chunk:2: after R\tend")]
    [InlineData("return coroutine.resume(coroutine.create(function() return pcall(coroutine.yield, 5) end))", "true\t5")]
    [InlineData("""
        local co = coroutine.create(function()
            return xpcall(function() coroutine.yield(1) error('x', 0) end, function(m) return 'h:' .. m end)
        end)
        local _, a = coroutine.resume(co)
        return a, coroutine.resume(co)
        """, "1\ttrue\tfalse\th:x")]
    [InlineData("local co = coroutine.create(function() for k in pairs({a = 1}) do coroutine.yield(k) end return 'x' end) local _, a = coroutine.resume(co) local _, b = coroutine.resume(co) return a, b", "a\tx")]
    public void YieldAcrossPcall(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local co = coroutine.create(function() coroutine.yield() end) coroutine.resume(co) return coroutine.close(co), coroutine.status(co)", "true\tdead")]
    [InlineData("local co = coroutine.create(function() error('bad') end) coroutine.resume(co) return coroutine.close(co)", "false\tchunk:1: bad")]
    [InlineData("return coroutine.close(coroutine.create(function() end))", "true")]
    [InlineData("return coroutine.wrap(function() return pcall(coroutine.close, coroutine.running()) end)()", "false\tcannot close running coroutine")]
    [InlineData("local co = coroutine.create(function() coroutine.yield() end) coroutine.resume(co) coroutine.close(co) return coroutine.resume(co)", "false\tcannot resume dead coroutine")]
    public void Close(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("return coroutine.resume(coroutine.create(function() table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end) end))", "false\tattempt to yield across metamethod/C-call boundary")]
    [InlineData("return coroutine.resume(coroutine.create(function() return string.gsub('a', 'a', function() coroutine.yield() end) end))", "false\tattempt to yield across metamethod/C-call boundary")]
    public void YieldAcrossHostCallsFails(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    // resume needs room for its results plus the status in the caller's 8000 host slots (the thread argument uses one).
    [InlineData("local t = table.create(7998, 1) return select('#', coroutine.resume(coroutine.create(function(...) return ... end), table.unpack(t)))", "7999")]
    [InlineData("local t = table.create(7999, 1) return pcall(coroutine.resume, coroutine.create(function(...) return ... end), table.unpack(t))", "false\ttoo many results to resume")]
    [InlineData("local t = table.create(7999, 1) return select('#', coroutine.wrap(function(...) return ... end)(table.unpack(t)))", "7999")]
    [InlineData("""
        local t = table.create(7999, 1)
        local co = coroutine.create(function(...) coroutine.yield(...) return 'second' end)
        local ok, e = pcall(coroutine.resume, co, table.unpack(t))
        return ok, e, coroutine.status(co), coroutine.resume(co)
        """, "false\ttoo many results to resume\tsuspended\ttrue\tsecond")]
    public void ManyResults(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Fact]
    public void YieldOutsideACoroutineFails()
    {
        // The host calls the chunk on the main thread, which is not a coroutine.
        ScriptRunner.Expect("return pcall(coroutine.yield, 1)", "false\tattempt to yield across metamethod/C-call boundary");
        ScriptRunner.Expect("return coroutine.isyieldable()", "false");
    }

    [Fact]
    public void HostResumesAThreadThatYieldsValues()
    {
        var engine = ScriptRunner.NewEngine();
        var body = engine.Load("local a = ... local b = coroutine.yield(a * 2) local c, d = coroutine.yield(b .. '!') return c + d, 'end'");
        var (thread, first) = engine.Start(body, 21);
        Assert.Equal(LuauResumeStatus.Yielded, first.Status);
        Assert.Equal(42, first.Values[0].Number);
        Assert.Equal(CoroutineStatus.Suspended, thread.CoroutineStatus);
        var second = engine.State.Resume(thread, "x");
        Assert.Equal(LuauResumeStatus.Yielded, second.Status);
        Assert.Equal("x!", second.Values[0].ToString());
        var third = engine.State.Resume(thread, 1, 2);
        Assert.Equal(LuauResumeStatus.Finished, third.Status);
        Assert.Equal(2, third.Values.Length);
        Assert.Equal(3, third.Values[0].Number);
        Assert.Equal(CoroutineStatus.Dead, thread.CoroutineStatus);
        var fourth = engine.State.Resume(thread);
        Assert.Equal(LuauResumeStatus.Error, fourth.Status);
        Assert.Equal("cannot resume dead coroutine", fourth.Error.ToString());
    }

    [Fact]
    public void HostFunctionYieldsAndContinues()
    {
        var engine = ScriptRunner.NewEngine();
        // A host function that suspends the script and, when resumed, returns what the host passed plus one.
        engine.Globals["wait"] = new HostFunction("wait", c => c.Yield(0), (c, _) => c.Return(c.CheckNumber(1) + 1));
        var (thread, first) = engine.Start(engine.Load("local a = wait() local b = wait() return a * b"));
        Assert.Equal(LuauResumeStatus.Yielded, first.Status);
        Assert.Equal(LuauResumeStatus.Yielded, engine.State.Resume(thread, 4).Status);
        var last = engine.State.Resume(thread, 6);
        Assert.Equal(LuauResumeStatus.Finished, last.Status);
        Assert.Equal(35, last.Values[0].Number);
    }

    [Fact]
    public void ErrorInHostResumedThreadKeepsTheTraceback()
    {
        var engine = ScriptRunner.NewEngine();
        var (thread, result) = engine.Start(engine.Load("local function inner() error('deep') end\ncoroutine.yield()\ninner()", "=co"));
        Assert.Equal(LuauResumeStatus.Yielded, result.Status);
        var failed = engine.State.Resume(thread);
        Assert.Equal(LuauResumeStatus.Error, failed.Status);
        Assert.Equal("co:1: deep", failed.Error.ToString());
        Assert.Equal(CoroutineStatus.Dead, thread.CoroutineStatus);
        string trace = engine.State.GetStackTrace(thread);
        Assert.Contains("co:1", trace);
        Assert.Contains("co:3", trace);
    }
}
