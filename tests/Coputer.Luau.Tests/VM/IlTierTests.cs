using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// The IL tier against the interpreter: each program runs in an engine without the tier and in one that compiles
/// every function at its first call, and everything observable must be the same: results, errors with their
/// positions and tracebacks, instruction counts, where a budget stops the program, and yields.
/// </summary>
public class IlTierTests
{
    private static LuauEngine Engine(bool il, LuauRunLimits? limits = null) => new(new LuauEngineOptions
    {
        EnableIlTier = il,
        IlTierThreshold = 0,
        RunLimits = limits ?? LuauRunLimits.None,
        EnableCollectGarbage = true,
    });

    /// <summary>What a run shows: rendered results or the error message and traceback, and the steps it used.</summary>
    private static (string Outcome, long Steps, int Compiled) Observe(string source, bool il, long budget = -1)
    {
        var engine = Engine(il);
        var main = engine.Load(source, "=chunk");
        using var run = engine.State.BeginRun(new LuauRunLimits { Instructions = budget });
        string outcome;
        try
        {
            outcome = ScriptRunner.Render(engine, engine.State.Call(main));
        }
        catch (LuauRuntimeException e)
        {
            outcome = "error: " + e.Value + "\n" + e.LuauStackTrace;
        }
        catch (LuauTerminatedException e)
        {
            outcome = "terminated: " + e.Reason;
        }
        Assert.Equal(0, engine.State.IlTierFailedFunctions);
        return (outcome, run.InstructionsUsed, engine.State.IlTierCompiledFunctions);
    }

    public static TheoryData<string> Programs => new(
    [
        // Numeric loops, constants and every arithmetic operator.
        """
        local s, p = 0, 1
        for i = 1, 1000 do s = s + i * 2 - 1; p = (p * 3) % 1000003 end
        local q = 0
        for i = 10, 1, -0.5 do q += i // 3 + i / 4 + i ^ 2 + 2 ^ i + -i + (7 - i) + (1 / i) end
        return s, p, q, 7 % -3, -7 % 3, 5.5 // 2, 0/0 ~= 0/0
        """,
        // Comparisons and branches, NaN included.
        """
        local nan = 0/0
        local n = 0
        for i = 1, 100 do
          if i < 50 then n += 1 end
          if i <= 50 then n += 10 end
          if not (i < 30) then n += 100 end
          if i == 42 then n += 1000 end
          if i ~= 43 then n += 10000 end
          if nan < i or nan <= i or nan == nan then n = -1 end
          if not (nan < i) and not (nan >= i) then n += 3 end
        end
        return n
        """,
        // Arrays: reads and writes, holes, growth through the hash part, and the length.
        """
        local t = {}
        for i = 1, 200 do t[i] = i * i end
        local s = 0
        for i = 1, #t do s += t[i] end
        t[500] = 1
        local u = {1, 2, 3}
        u[1], u[2] = u[3], u[1]
        return s, #t, t[500], t[501], u[1], u[2], u[3]
        """,
        // Fields, methods, globals, upvalues and closures.
        """
        local Point = {}
        Point.__index = Point
        function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
        function Point:len2() return self.x * self.x + self.y * self.y end
        local total = 0
        local function add(v) total += v end
        for i = 1, 50 do add(Point.new(i, -i):len2()) end
        counter = 0
        for i = 1, 10 do counter = counter + 1 end
        return total, counter
        """,
        // Metamethods on arithmetic, comparison, indexing and length: the interpreter's cases.
        """
        local V = {}
        V.__add = function(a, b) return setmetatable({v = a.v + b.v}, V) end
        V.__lt = function(a, b) return a.v < b.v end
        V.__len = function(a) return a.v end
        V.__index = function(t, k) return k * 2 end
        local a, b = setmetatable({v = 1}, V), setmetatable({v = 2}, V)
        local s = 0
        for i = 1, 20 do a = a + b; if b < a then s += #a + a[i] end end
        return s, "x" .. 1 .. 2, ("abc"):upper()
        """,
        // Builtins through FASTCALL, with and without numbers.
        """
        local s = 0
        for i = 1, 100 do
          s += math.sqrt(i) + math.floor(i / 3) + math.abs(-i) + math.max(i, 50) + math.min(i, 3)
          s += bit32.band(i, 7) + bit32.lshift(i, 2) + bit32.bxor(i, 255) + bit32.extract(i, 1, 3)
        end
        return s, math.floor("3.7"), math.max(1, 2, 3)
        """,
        // Logic operators and booleans.
        """
        local r = {}
        for i = 1, 10 do
          local a = i > 5 and "big" or "small"
          local b = (i % 2 == 0) and i or nil
          r[#r + 1] = a .. tostring(b) .. tostring(not b) .. tostring(b == nil)
        end
        return table.concat(r, ",")
        """,
        // Generic loops and while loops.
        """
        local t = {a = 1, b = 2, c = 3}
        local s = 0
        for k, v in pairs(t) do s += v end
        for i, v in ipairs({5, 6, 7}) do s += i * v end
        local n = 0
        while n < 100 do n += 7 end
        repeat n -= 3 until n < 50
        return s, n
        """,
        // An error in a compiled loop: its message and line, and the traceback.
        """
        local function f(t)
          local s = 0
          for i = 1, 10 do
            s = s + t[i]
          end
          return s
        end
        return f({1, 2, 3})
        """,
        // Errors caught by pcall inside hot code.
        """
        local n = 0
        for i = 1, 30 do
          local ok, e = pcall(function() return i + (i % 3 == 0 and {} or 0) end)
          if not ok then n += 1 end
        end
        return n
        """,
        // Varargs and recursion.
        """
        local function sum(...)
          local s = 0
          for i = 1, select("#", ...) do s += select(i, ...) end
          return s
        end
        local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
        return sum(1, 2, 3, 4), fib(15)
        """,
        // Calls between compiled functions: recursion deeper than they nest, multiple and variable results, tables
        // built in the callee, concatenation, and the interpreter's own stack overflow.
        """
        local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
        local function pair(a, b) return b, a end
        local function many(...) return ... end
        local function node(d) if d == 0 then return {} end return {node(d - 1), node(d - 1)} end
        local function count(t) if not t[1] then return 1 end return count(t[1]) + count(t[2]) end
        local function name(i) return "n" .. i .. ":" .. depth(i) end
        local x, y = pair(1, 2)
        local ok, e = pcall(function() local function r() return 1 + r() end return r() end)
        return depth(3000), x, y, select("#", many(1, 2, 3)), count(node(8)), name(7), ok, e
        """,
        // An error three compiled calls deep: its message, line and traceback.
        """
        local function inner(t) return t.x.y end
        local function middle(t) return inner(t) + 1 end
        local function outer()
          local s = 0
          for i = 1, 3 do s = s + middle({x = {y = i}}) end
          return s + middle({})
        end
        return outer()
        """,
        // Metamethods whose results go back into a compiled caller's instruction.
        """
        local V = {}
        V.__add = function(a, b) return setmetatable({v = a.v + b.v}, V) end
        V.__index = function(t, k) return #k end
        local function sum(n) local a = setmetatable({v = 0}, V) for i = 1, n do a = a + setmetatable({v = i}, V) end return a.v + a.abc end
        return sum(10), sum(20)
        """,
        // Slow paths run from compiled code: __index chains, __newindex, __len, globals, builtins that fail.
        """
        local Base = {greet = function(self) return "hi " .. self.name end}
        Base.__index = Base
        local Derived = setmetatable({}, {__index = Base})
        Derived.__index = Derived
        local log = {}
        local proxy = setmetatable({}, {
          __newindex = function(t, k, v) log[#log + 1] = k .. "=" .. tostring(v) end,
          __len = function() return 42 end,
        })
        local obj = setmetatable({name = "x"}, Derived)
        local s, t = "", {}
        for i = 1, 5 do
          s = s .. obj:greet() .. #proxy .. #"abc"
          proxy[i] = i * 2
          proxy.key = i
          t[i * 1000] = i
          t["k" .. i] = t[i * 1000]
          gcount = (gcount or 0) + i
          s = s .. math.max(i, 3) .. tostring(math.floor(i / 2)) .. select("#", math.modf(i / 3))
        end
        local ok, e = pcall(function() local u = nil; return u.x end)
        local ok2, e2 = pcall(function() return math.floor({}) end)
        return s, table.concat(log, ","), gcount, t.k3, ok, e, ok2, e2, obj.missing
        """,
        // Arithmetic that is not on numbers, from compiled code: coercion of strings, every metamethod, a
        // metamethod that errors (its traceback), and one that tries to yield.
        """
        local M = {}
        for _, name in ipairs({"add", "sub", "mul", "div", "mod", "pow", "idiv"}) do
          M["__" .. name] = function(a, b) return name .. ":" .. tostring(type(a) == "table" and a.v or a) .. "," .. tostring(type(b) == "table" and b.v or b) end
        end
        M.__unm = function(a) return -a.v end
        local x = setmetatable({v = 3}, M)
        local r = {}
        for i = 1, 3 do
          r[#r + 1] = x + i; r[#r + 1] = i - x; r[#r + 1] = x * x; r[#r + 1] = x / 2; r[#r + 1] = x % i
          r[#r + 1] = 2 ^ x; r[#r + 1] = x // i; r[#r + 1] = -x; r[#r + 1] = "10" + i; r[#r + 1] = i * "2"
        end
        local bad = setmetatable({}, {__add = function(a, b) error("no adding") end})
        local ok, e = pcall(function() return bad + 1 end)
        local co = coroutine.wrap(function()
          local y = setmetatable({}, {__sub = function() coroutine.yield(1) return 0 end})
          return pcall(function() return y - 1 end)
        end)
        return table.concat(r, " "), ok, e, co()
        """,
        """
        local V = setmetatable({}, {__mul = function(a, b) local t = nil return t.x end})
        local function f(n) local s = 0 for i = 1, n do s = s + i end return s * V end
        return f(10)
        """,
        // Generic loops stepping through tables in place: array and hash parts, holes, ipairs stopping at the
        // first nil, fields assigned while iterating, nested loops, extra variables, and an iterator function.
        """
        local t = {10, 20, nil, 40, x = 1, y = 2, [7] = 70}
        local keys = {}
        for k, v in pairs(t) do keys[#keys + 1] = tostring(k) .. "=" .. tostring(v) end
        table.sort(keys)
        local s = 0
        for i, v in ipairs(t) do s = s + i * v end
        for k in pairs(t) do t[k] = 0 end
        local n = 0
        for _, row in ipairs({{1, 2}, {3, 4, 5}}) do for _, v in ipairs(row) do n = n + v end end
        local extra = {}
        for k, v, w in next, {5, 6} do extra[#extra + 1] = tostring(k) .. tostring(v) .. tostring(w) end
        local words = {}
        for w in string.gmatch("one two three", "%a+") do words[#words + 1] = w end
        return table.concat(keys, ","), s, t.x, t[1], n, table.concat(extra, ","), table.concat(words, "+")
        """,
        // Comparisons that are not of two numbers, from compiled code: strings, __lt, __le, __eq, and an error.
        """
        local words = {"pear", "apple", "fig", "banana", "apple"}
        local lt, le, eq = 0, 0, 0
        for i = 1, #words do
          for j = 1, #words do
            if words[i] < words[j] then lt += 1 end
            if words[i] <= words[j] then le += 1 end
            if words[i] == words[j] then eq += 1 end
          end
        end
        local C = {}
        C.__lt = function(a, b) return a.n < b.n end
        C.__le = function(a, b) return a.n <= b.n end
        C.__eq = function(a, b) return a.n % 3 == b.n % 3 end
        local objs = {}
        for i = 1, 6 do objs[i] = setmetatable({n = i}, C) end
        local m = 0
        for i = 1, 6 do for j = 1, 6 do
          if objs[i] < objs[j] then m += 1 end
          if objs[i] <= objs[j] then m += 10 end
          if objs[i] == objs[j] then m += 100 end
          if objs[i] ~= objs[j] then m += 1000 end
        end end
        local ok, e = pcall(function() return words[1] < 3 end)
        return lt, le, eq, m, ok, e
        """,
        // Integers and vectors reach the interpreter's paths.
        """
        local v = vector.create(1, 2, 3)
        local w = v
        for i = 1, 5 do w = w + v * 2 end
        return w.x, w.y, w.Z
        """,
    ]);

    [Theory]
    [MemberData(nameof(Programs))]
    public void CompiledCodeBehavesAsTheInterpreter(string source)
    {
        var interpreted = Observe(source, il: false);
        var compiled = Observe(source, il: true);
        Assert.Equal(interpreted.Outcome, compiled.Outcome);
        Assert.Equal(interpreted.Steps, compiled.Steps);
        Assert.Equal(0, interpreted.Compiled);
        Assert.True(compiled.Compiled > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(777)]
    [InlineData(5000)]
    public void ABudgetStopsCompiledCodeWhereItStopsTheInterpreter(long budget)
    {
        const string program = """
            local t = {}
            for i = 1, 1000 do t[i] = i end
            local s = 0
            for j = 1, 20 do for i = 1, #t do s = s + t[i] * j end end
            return s
            """;
        var interpreted = Observe(program, il: false, budget);
        var compiled = Observe(program, il: true, budget);
        Assert.Equal("terminated: Instructions", interpreted.Outcome);
        Assert.Equal(interpreted, compiled with { Compiled = 0 });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(2345)]
    [InlineData(40000)]
    public void ABudgetStopsCompiledCallsWhereItStopsTheInterpreter(long budget)
    {
        const string program = """
            local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
            local s = 0
            for i = 1, 25 do s = s + fib(i) end
            return s
            """;
        var interpreted = Observe(program, il: false, budget);
        var compiled = Observe(program, il: true, budget);
        Assert.Equal("terminated: Instructions", interpreted.Outcome);
        Assert.Equal(interpreted, compiled with { Compiled = 0 });
    }

    [Fact]
    public void CoroutinesYieldFromCompiledCallees()
    {
        const string program = """
            local function leaf(i) coroutine.yield(i) return i * 2 end
            local function mid(i) return leaf(i) + 1 end
            local co = coroutine.wrap(function()
              local s = 0
              for i = 1, 4 do s = s + mid(i) end
              return s
            end)
            local r = {}
            for i = 1, 5 do r[i] = co() end
            return table.concat(r, " ")
            """;
        Assert.Equal("1 2 3 4 24", Observe(program, false).Outcome);
        Assert.Equal(Observe(program, false), Observe(program, true) with { Compiled = 0 });
    }

    [Fact]
    public void AnInterruptYieldsFromCompiledLoops()
    {
        int Run(bool il, out double sum)
        {
            var engine = Engine(il);
            int calls = 0;
            engine.State.Interrupt = _ => ++calls % 100 == 0;
            var (thread, result) = engine.Start(engine.Load("local s = 0 for i = 1, 1000 do s += i end return s"));
            int yields = 0;
            while (result.Status == LuauResumeStatus.Yielded)
            {
                yields++;
                result = engine.State.Resume(thread);
            }
            Assert.Equal(LuauResumeStatus.Finished, result.Status);
            sum = result.Values[0].Number;
            Assert.Equal(il ? 1 : 0, engine.State.IlTierCompiledFunctions);
            return yields;
        }
        int interpreted = Run(false, out double a);
        int compiled = Run(true, out double b);
        Assert.Equal(500500, b);
        Assert.Equal(a, b);
        Assert.True(interpreted >= 9);
        Assert.Equal(interpreted, compiled);
    }

    [Fact]
    public void CoroutinesYieldInsideCompiledFunctions()
    {
        const string program = """
            local co = coroutine.wrap(function()
              for i = 1, 5 do coroutine.yield(i * i) end
              return -1
            end)
            local s = {}
            for i = 1, 6 do s[i] = co() end
            return table.concat(s, " ")
            """;
        Assert.Equal(Observe(program, false).Outcome, Observe(program, true).Outcome);
        Assert.Equal("1 4 9 16 25 -1", Observe(program, true).Outcome);
    }

    [Fact]
    public void OnlyHotFunctionsAreCompiled()
    {
        var engine = new LuauEngine(new LuauEngineOptions { EnableIlTier = true, IlTierThreshold = 50 });
        engine.State.IlTierBackground = false;
        var f = engine.DoString("return function(n) local s = 0 for i = 1, n do s += i end return s end")[0];
        // The main chunk ran once and the function not at all: nothing is hot yet.
        Assert.Equal(0, engine.State.IlTierCompiledFunctions);
        for (int i = 0; i < 10; i++)
            Assert.Equal(6, engine.Call(f, 3)[0].Number);
        // Ten calls with three iterations each: 40 of the 50.
        Assert.Equal(0, engine.State.IlTierCompiledFunctions);
        Assert.Equal(5050, engine.Call(f, 100)[0].Number);
        Assert.Equal(1, engine.State.IlTierCompiledFunctions);
        Assert.Equal(500500, engine.Call(f, 1000)[0].Number);
    }

    [Fact]
    public void TheTierIsOffUnlessEnabled()
    {
        var engine = new LuauEngine(new LuauEngineOptions { IlTierThreshold = 0 });
        Assert.Equal(500500, engine.DoString("local s = 0 for i = 1, 1000 do s += i end return s")[0].Number);
        Assert.Equal(0, engine.State.IlTierCompiledFunctions);
    }

    [Fact]
    public void BackgroundCompilationKeepsResultsExact()
    {
        // Compiled whenever the thread pool gets to it: the results and counts never depend on when.
        const string program = "local function f(n) local s = 0 for i = 1, n do s = (s + i * i) % 65521 end return s end local r = 0 for i = 1, 300 do r = (r + f(i)) % 65521 end return r";
        var reference = Observe(program, il: false);
        for (int run = 0; run < 3; run++)
        {
            var engine = new LuauEngine(new LuauEngineOptions { EnableIlTier = true, IlTierThreshold = 20 });
            var main = engine.Load(program, "=chunk");
            using var limits = engine.State.BeginRun(new LuauRunLimits { Instructions = -1 });
            Assert.Equal(reference.Outcome, ScriptRunner.Render(engine, engine.State.Call(main)));
            Assert.Equal(reference.Steps, limits.InstructionsUsed);
        }
    }
}
