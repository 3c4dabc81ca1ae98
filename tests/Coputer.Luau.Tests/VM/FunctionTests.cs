namespace Coputer.Luau.Tests.VM;

/// <summary>Calls, varargs, multiple assignment, closures and upvalues, as the interpreter runs them.</summary>
public class FunctionTests
{
    [Theory]
    [InlineData("local function f(...) return select('#', ...), ... end return f(nil, nil)", "2\tnil\tnil")]
    [InlineData("local function f(...) return select('#', ...) end return f(), f(nil), f(1, nil, 3, nil)", "0\t1\t4")]
    [InlineData("return select(2, 'a', 'b', 'c')", "b\tc")]
    [InlineData("return select(-1, 1, 2, 3), select(-3, 1, 2, 3)", "3\t1\t2\t3")]
    [InlineData("return select(5, 'a')", "")]
    [InlineData("return pcall(select, 0, 1)", "false\tinvalid argument #1 to 'select' (index out of range)")]
    [InlineData("return pcall(select, -5, 1)", "false\tinvalid argument #1 to 'select' (index out of range)")]
    [InlineData("return pcall(select, 'x')", "false\tinvalid argument #1 to 'select' (number expected, got string)")]
    [InlineData("local function g(...) local a, b = ... return a, b, select('#', ...) end return g(1)", "1\tnil\t1")]
    [InlineData("local function g(a, ...) local t = {...} return a, #t, t[2] end return g(1, 2, 3)", "1\t2\t3")]
    [InlineData("local function g(...) return ... end return g(1, 2), g(3, 4)", "1\t3\t4")]
    [InlineData("local function g(...) return (...) end return g(1, 2)", "1")]
    [InlineData("local t = table.pack(1, nil, 3) return t.n, t[3], select('#', table.unpack(t, 1, t.n))", "3\t3\t3")]
    [InlineData("return table.unpack({1, 2, 3}, 2), table.unpack({1, 2, 3}, 2, 5)", "2\t2\t3\tnil\tnil")]
    // Many arguments and results go through the stack, not fixed registers.
    [InlineData("local t = {} for i = 1, 1000 do t[i] = i end local function f(...) return select('#', ...), (select(1000, ...)) end return f(table.unpack(t))", "1000\t1000")]
    public void VarargsAndSelect(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    // All right-hand sides are evaluated before any assignment; t[i] uses i's old value.
    [InlineData("local t = {} local i = 1 i, t[i] = i + 1, 20 return i, t[1], t[2]", "2\t20\tnil")]
    [InlineData("local a, b = 1, 2 a, b = b, a return a, b", "2\t1")]
    [InlineData("local a, b, c = (function() return 1, 2, 3 end)() return a, b, c", "1\t2\t3")]
    [InlineData("local x, y = 1 return x, y", "1\tnil")]
    [InlineData("local p, q = ((function() return 1, 2 end)()) return p, q", "1\tnil")]
    [InlineData("local a, b = (function() return 1, 2 end)(), 10 return a, b", "1\t10")]
    [InlineData("""
        local order = {}
        local function note(n) table.insert(order, n) return n end
        local t = {}
        t[note(1)], t[note(2)] = note(3), note(4), note(5)
        return table.concat(order, ','), t[1], t[2]
        """, "1,2,3,4,5\t3\t4")]
    [InlineData("local t = {} t.x, t.y = 1 return t.x, t.y", "1\tnil")]
    [InlineData("local t = {n = 1} t.n += 1 t.n *= 10 t.n //= 3 t.n ..= '!' return t.n", "6!")]
    [InlineData("local calls = 0 local t = {0} local function k() calls += 1 return 1 end t[k()] += 5 return t[1], calls", "5\t1")]
    public void MultipleAssignment(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local fs = {} for i = 1, 3 do fs[i] = function() return i end end return fs[1](), fs[2](), fs[3]()", "1\t2\t3")]
    [InlineData("""
        local shared = 0
        local function inc() shared += 1 end
        local function get() return shared end
        inc() inc()
        return get(), shared
        """, "2\t2")]
    // Each iteration of a loop body gets fresh locals; closures of one iteration share them.
    [InlineData("""
        local fs = {}
        local j = 0
        while j < 3 do
            j += 1
            local k = j
            fs[j] = {function() k += 10 return k end, function() return k end}
        end
        return fs[1][1](), fs[1][1](), fs[1][2](), fs[2][1](), fs[3][2]()
        """, "11\t21\t21\t12\t3")]
    [InlineData("local function counter() local n = 0 return function() n += 1 return n end end local a, b = counter(), counter() return a(), a(), b()", "1\t2\t1")]
    // A loop variable captured and then changed in the body belongs to that iteration only.
    [InlineData("local fs = {} for i = 1, 2 do fs[i] = function() return i end i = i * 10 end return fs[1](), fs[2]()", "10\t20")]
    [InlineData("""
        local fs = {}
        for _, v in {'a', 'b'} do
            local count = 0
            fs[v] = function() count += 1 return v .. count end
        end
        return fs.a(), fs.a(), fs.b()
        """, "a1\ta2\tb1")]
    // An upvalue stays shared after the declaring function returned and across nested closures.
    [InlineData("""
        local function make()
            local x = 1
            local function getter() return function() return x end end
            local function setter(v) x = v end
            return getter(), setter
        end
        local get, set = make()
        set(42)
        return get()
        """, "42")]
    [InlineData("local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(20)", "6765")]
    [InlineData("local t = {v = 3} function t:get(a) return self.v + a end function t.plain(a) return a end return t:get(1), t.get(t, 2), t.plain(5)", "4\t5\t5")]
    public void ClosuresAndUpvalues(string source, string expected) => ScriptRunner.Expect(source, expected);
}
