using Coputer.Luau.Tests.Conformance;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>Every metamethod event as the interpreter dispatches it, with the reference's error messages.</summary>
public class MetamethodTests
{
    [Theory]
    [InlineData("""
        local base = {x = 1}
        local mid = setmetatable({y = 2}, {__index = base})
        local t = setmetatable({}, {__index = mid})
        return t.x, t.y, t.z, rawget(t, 'x')
        """, "1\t2\tnil\tnil")]
    [InlineData("local t = setmetatable({}, {__index = function(t, k) return k .. '!' end}) return t.a, t[1], rawget(t, 'a')", "a!\t1!\tnil")]
    [InlineData("local t = {} setmetatable(t, {__index = t}) return pcall(function() return t.x end)", "false\tchunk:1: '__index' chain too long; possible loop")]
    [InlineData("local w = setmetatable({}, {__index = 5}) return pcall(function() return w.x end)", "false\tchunk:1: attempt to index number with 'x'")]
    [InlineData("local p = newproxy(true) getmetatable(p).__index = function(_, k) return k .. '?' end return p.foo, type(p)", "foo?\tuserdata")]
    [InlineData("local p = newproxy() return pcall(function() return p.x end)", "false\tchunk:1: attempt to index userdata with 'x'")]
    [InlineData("local s = 'abc' return s:upper(), ('x'):rep(3), s.len(s), #s", "ABC\txxx\t3\t3")]
    // A method call finds the object's own field even when its key was built at run time (a different string object
    // than the constant); the class's method must not shadow it.
    [InlineData("""
        local Class = {}
        Class.__index = Class
        function Class:len2() return 'class' end
        local obj = setmetatable({}, Class)
        obj[string.rep('len', 1) .. '2'] = function() return 'own' end
        return obj:len2(), obj.len2(), setmetatable({}, Class):len2()
        """, "own\town\tclass")]
    public void Index(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local store = {} local t = setmetatable({}, {__newindex = store}) t.a = 1 return rawget(t, 'a'), store.a", "nil\t1")]
    // An existing key is assigned raw; only new keys reach __newindex.
    [InlineData("""
        local t = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v * 2) end})
        t.a = 5
        local first = t.a
        t.a = 7
        return first, t.a
        """, "10\t7")]
    [InlineData("local u = {} setmetatable(u, {__newindex = u}) return pcall(function() u.x = 1 end)", "false\tchunk:1: '__newindex' chain too long; possible loop")]
    [InlineData("local f = table.freeze({}) return pcall(function() f.x = 1 end)", "false\tchunk:1: attempt to modify a readonly table")]
    [InlineData("local f = table.freeze({}) return pcall(rawset, f, 'x', 1)", "false\tattempt to modify a readonly table")]
    [InlineData("local f = table.freeze({}) return pcall(setmetatable, f, {})", "false\tattempt to modify a readonly table")]
    public void NewIndex(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local t = setmetatable({}, {__call = function(self, a, b) return a + b, self end}) local r, s = t(2, 3) return r, s == t", "5\ttrue")]
    [InlineData("local t = {} return pcall(function() t() end)", "false\tchunk:1: attempt to call a table value")]
    [InlineData("local q = setmetatable({}, {__call = 1}) return pcall(function() q() end)", "false\tchunk:1: attempt to call a table value")]
    [InlineData("local q = {} return pcall(function() q.x() end)", "false\tchunk:1: attempt to call a nil value")]
    [InlineData("local q = {} return pcall(function() q:m() end)", "false\tchunk:1: attempt to call missing method 'm' of table")]
    public void Call(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("""
        local mt = {__concat = function(a, b)
            return (type(a) == 'table' and 'T' or a) .. '+' .. (type(b) == 'table' and 'T' or b)
        end}
        local t = setmetatable({}, mt)
        return t .. 'x', 'x' .. t, 1 .. t, 'a' .. t .. 'b', 'a' .. 'b' .. t
        """, "T+x\tx+T\t1+T\taT+b\tab+T")]
    [InlineData("local t = setmetatable({v = 3}, {__unm = function(a) return -a.v end}) return -t", "-3")]
    [InlineData("""
        local mt = {}
        for _, e in {'add', 'sub', 'mul', 'div', 'mod', 'pow', 'idiv'} do
            mt['__' .. e] = function(a, b) return e .. ':' .. type(a) .. ',' .. type(b) end
        end
        local x = setmetatable({}, mt)
        return x + 1, 1 - x, x * x, 2 / x, x % 2, x ^ 2, x // 2
        """, "add:table,number\tsub:number,table\tmul:table,table\tdiv:number,table\tmod:table,number\tpow:table,number\tidiv:table,number")]
    [InlineData("local x = setmetatable({}, {__add = function() return 1 end}) return pcall(function() return -x end)", "false\tchunk:1: attempt to perform arithmetic (unm) on table")]
    [InlineData("local x = setmetatable({}, {__add = function() return 1 end}) return pcall(function() return x .. 'x' end)", "false\tchunk:1: attempt to concatenate table with string")]
    public void ArithmeticAndConcat(string source, string expected) => ScriptRunner.Expect(source, expected);

    // Arithmetic metamethods written in Luau run as frames of the calling loop, not a nested one: they must still
    // count as nested calls (depth limit, no yields inside, depth given back after errors), take any number of
    // results, and keep error positions and tracebacks. Expected values are the reference luau's.
    [Theory]
    [InlineData("local mt = {} mt.__add = function(a, b) return a + b end local t = setmetatable({}, mt) return pcall(function() return t + 1 end)", "false\tchunk:1: C stack overflow")]
    [InlineData("local u = setmetatable({}, {__add = function(a, b) coroutine.yield(1) return 5 end}) return coroutine.resume(coroutine.create(function() return u + 1 end))", "false\tattempt to yield across metamethod/C-call boundary")]
    [InlineData("""
        local co = coroutine.create(function()
            local ok, e = pcall(function() return setmetatable({}, {__mul = function() error('boom') end}) * 2 end)
            coroutine.yield(ok, e)
            local ok2, e2 = pcall(function() return setmetatable({}, {__sub = function(a) local x = a - 1 end}) - 2 end)
            coroutine.yield(ok2, e2)
            return 'done'
        end)
        local _, a, b = coroutine.resume(co)
        local _, c, d = coroutine.resume(co)
        return a, b, c, d, coroutine.resume(co)
        """, "false\tchunk:2: boom\tfalse\tchunk:4: C stack overflow\ttrue\tdone")]
    [InlineData("""
        local n = setmetatable({}, {__add = function(a, b) return type(b) == 'number' and b * 2 or a end,
            __unm = function(a) return 'neg' end, __pow = function(a, b) return nil end, __mod = function() end})
        return n + 3, 3 + n, -n, n ^ 2, n % 1, select('#', n % 1)
        """, "6\t3\tneg\tnil\tnil\t1")]
    [InlineData("local d = 0 local x = setmetatable({}, {__div = function(a, b) d += 1 return b < 1 and 0 or a / (b - 1) end}) return x / 150, d", "0\t151")]
    [InlineData("local n = setmetatable({}, {__add = function(a, b) return {} end}) return xpcall(function() return n + {} .. 1 end, function(m) return 'H:' .. m end)", "false\tH:chunk:1: attempt to concatenate table with number")]
    [InlineData("local z = setmetatable({}, {__idiv = function(a, b) local q = {} return q.x.y end}) return pcall(function() return z // 1 end)", "false\tchunk:1: attempt to index nil with 'y'")]
    [InlineData("local v = setmetatable({}, {__add = function(a, b) return debug.traceback('tb') end}) return v + 1", "tb\nchunk:1 function __add\nchunk:1\n")]
    public void ArithmeticMetamethodsInTheLoop(string source, string expected) => LargeStack.Run(() =>
    {
        ScriptRunner.Expect(source, expected);
        return 0;
    });

    [Theory]
    [InlineData("local t = setmetatable({1, 2, 3}, {__len = function() return 42 end}) return #t, rawlen(t)", "42\t3")]
    [InlineData("local t = setmetatable({}, {__len = function() error('boom') end}) return pcall(function() return #t end)", "false\tchunk:1: boom")]
    [InlineData("local t = setmetatable({}, {__len = function() return 'x' end}) return pcall(function() return #t end)", "false\tchunk:1: '__len' must return a number")]
    public void Len(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    // __eq runs only for two tables (or two userdata) sharing the metamethod; its result becomes a boolean.
    [InlineData("""
        local mt = {__eq = function(a, b) return 1 end}
        local a, b, c = setmetatable({}, mt), setmetatable({}, mt), {}
        local d = setmetatable({}, {__eq = function() return true end})
        return a == b, a ~= b, a == c, c == a, a == d, rawequal(a, b)
        """, "true\tfalse\tfalse\tfalse\tfalse\tfalse")]
    [InlineData("local mt = {__eq = function() return true end} local a = setmetatable({}, mt) return a == 1, a == 'x', a == nil", "false\tfalse\tfalse")]
    [InlineData("""
        local calls = 0
        local a = setmetatable({}, {__eq = function() calls += 1 return false end})
        return a == a, calls, rawequal(a, a)
        """, "false\t1\ttrue")]
    public void Eq(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    // With __lt alone, a <= b is answered as not (b < a).
    [InlineData("""
        local lt = {__lt = function(a, b) return a.v < b.v end}
        local x, y = setmetatable({v = 1}, lt), setmetatable({v = 2}, lt)
        return x < y, y < x, x > y, x <= y, y <= x, x >= y
        """, "true\tfalse\tfalse\ttrue\tfalse\tfalse")]
    [InlineData("""
        local mt = {__lt = function() return false end, __le = function(a, b) return 'yes' end}
        local x, y = setmetatable({}, mt), setmetatable({}, mt)
        return x <= y, x >= y, x < y
        """, "true\ttrue\tfalse")]
    [InlineData("local x = setmetatable({}, {__lt = function() return true end}) return pcall(function() return x < 1 end)", "false\tchunk:1: attempt to compare table < number")]
    public void Order(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("""
        local it = setmetatable({}, {__iter = function(t)
            return function(_, i) if i < 3 then return i + 1, i * 10 end end, t, 0
        end})
        local s = ''
        for k, v in it do s ..= k .. '=' .. v .. ' ' end
        return s
        """, "1=0 2=10 3=20 ")]
    [InlineData("local t = setmetatable({}, {__iter = 5}) return pcall(function() for k in t do end end)", "false\tchunk:1: attempt to call a number value")]
    [InlineData("local n = 5 return pcall(function() for k in n do end end)", "false\tchunk:1: attempt to iterate over a number value")]
    [InlineData("local n return pcall(function() for k in n do end end)", "false\tchunk:1: attempt to iterate over a nil value")]
    // __index does not make a table iterate differently: only its own keys are visited.
    [InlineData("local t = setmetatable({a = 1}, {__index = {b = 2}}) local n = 0 for k in t do n += 1 end return n", "1")]
    public void Iter(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("return tostring(setmetatable({}, {__tostring = function() return 'obj' end}))", "obj")]
    [InlineData("return pcall(tostring, setmetatable({}, {__tostring = function() return {} end}))", "false\t'__tostring' must return a string")]
    [InlineData("return tostring(setmetatable({}, {__tostring = function() return 1 end}))", "1")]
    [InlineData("local t = setmetatable({}, {__tostring = function() return 'A' end}) return ('%*|%*'):format(t, 1), pcall(string.format, '%s', t)", "A|1\tfalse\tinvalid argument #2 to 'format' (string expected, got table)")]
    public void Tostring(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local p = setmetatable({}, {__metatable = 'locked'}) return getmetatable(p), pcall(setmetatable, p, {})", "locked\tfalse\tcannot change a protected metatable")]
    [InlineData("local p = setmetatable({}, {__metatable = false}) return getmetatable(p), pcall(setmetatable, p, nil)", "false\tfalse\tcannot change a protected metatable")]
    [InlineData("return getmetatable('x').__metatable == nil, getmetatable('x').__index == string", "true\ttrue")]
    public void MetatableProtection(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    // Weak keys: collectable keys go; number and string keys and strongly held keys stay.
    [InlineData("""
        local w = setmetatable({}, {__mode = 'k'})
        local keep = {}
        w[{}] = 1
        w[keep] = 2
        w.s = 3
        w[1] = {}
        collectgarbage()
        local n = 0
        for k in pairs(w) do n += 1 end
        return n, w[keep], w.s, type(w[1])
        """, "3\t2\t3\ttable")]
    [InlineData("""
        local v = setmetatable({}, {__mode = 'v'})
        local keep = {}
        v[1] = {}
        v[2] = keep
        v.x = 'str'
        v.y = {}
        collectgarbage()
        local n = 0
        for k in pairs(v) do n += 1 end
        return n, v[2] == keep, v.x, v[1], v.y
        """, "2\ttrue\tstr\tnil\tnil")]
    [InlineData("""
        local kv = setmetatable({}, {__mode = 'kv'})
        local k1 = {}
        kv[k1] = {}
        kv[{}] = k1
        kv.z = k1
        collectgarbage()
        local n = 0
        for k in pairs(kv) do n += 1 end
        return n, kv.z == k1
        """, "1\ttrue")]
    // Marks are per collection: what one collection found reachable is judged afresh by the next.
    [InlineData("""
        local w = setmetatable({}, {__mode = 'k'})
        local a, b = {}, {}
        w[a] = 1
        w[b] = 2
        collectgarbage()
        local before = 0
        for _ in pairs(w) do before += 1 end
        a = nil
        collectgarbage()
        local mid = 0
        for _ in pairs(w) do mid += 1 end
        b = nil
        collectgarbage()
        return before, mid, next(w)
        """, "2\t1\tnil")]
    public void WeakTables(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Fact]
    public void NamecallOnHostUserdata()
    {
        var engine = ScriptRunner.NewEngine();
        var meta = engine.State.CreateTable();
        // The method name of the call in progress is not public API yet: read it through the internal field.
        meta["__namecall"] = new HostFunction("__namecall", c =>
        {
            var self = c[1].AsUserdata!;
            string method = c.Thread.NameCall!.ToString();
            return method switch
            {
                "get" => c.Return(new LuauValue((double)(int)self.Payload!)),
                "add" => c.Return(new LuauValue((double)((int)self.Payload! + c.CheckInteger(2)))),
                _ => throw new LuauError($"no method '{method}'"),
            };
        });
        meta["__index"] = new HostFunction("__index", c => c.Return("field:" + c.CheckString(2)));
        engine.Globals["obj"] = new LuauValue(new LuauUserdata(40, metatable: meta));
        var r = engine.DoString("return obj:get(), obj:add(2), obj.name, pcall(function() return obj:nope() end)");
        Assert.Equal(40, r[0].Number);
        Assert.Equal(42, r[1].Number);
        Assert.Equal("field:name", r[2].ToString());
        Assert.False(r[3].Boolean);
        Assert.Equal("chunk:1: no method 'nope'", r[4].ToString());
    }

    [Fact]
    public void UserdataMetamethodsFromTheHost()
    {
        var engine = ScriptRunner.NewEngine();
        var meta = engine.State.CreateTable();
        meta["__add"] = new HostFunction("__add", c => c.Return(new LuauValue((int)c[1].AsUserdata!.Payload! + c.CheckNumber(2))));
        meta["__eq"] = new HostFunction("__eq", c => c.Return(Equals(c[1].AsUserdata!.Payload, c[2].AsUserdata!.Payload)));
        meta["__tostring"] = new HostFunction("__tostring", c => c.Return("box(" + c[1].AsUserdata!.Payload + ")"));
        meta["__len"] = new HostFunction("__len", c => c.Return(7));
        engine.Globals["a"] = new LuauValue(new LuauUserdata(1, metatable: meta));
        engine.Globals["b"] = new LuauValue(new LuauUserdata(1, metatable: meta));
        engine.Globals["c"] = new LuauValue(new LuauUserdata(2, metatable: meta));
        Assert.Equal("11\ttrue\tfalse\tbox(2)\t7\tuserdata", ScriptRunner.Render(engine, engine.DoString("return a + 10, a == b, a == c, tostring(c), #a, type(a)")));
    }
}
