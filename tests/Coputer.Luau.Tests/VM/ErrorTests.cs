using Coputer.Luau.Tests.Conformance;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// Raising and catching errors: error values and levels, assert, pcall and xpcall (handlers, tracebacks, errors in
/// handlers), and the two overflow errors (Luau call depth and host-level nesting), which must be catchable.
/// </summary>
public class ErrorTests
{
    [Theory]
    [InlineData("local function f() error('msg', 1) end return pcall(f)", "false\tchunk:1: msg")]
    [InlineData("local function f() error('msg') end return pcall(f)", "false\tchunk:1: msg")]
    [InlineData("""
        local function lvl2() error('msg', 2) end
        local function caller()
            lvl2()
        end
        return pcall(caller)
        """, "false\tchunk:3: msg")]
    [InlineData("local function f() error('msg', 0) end return pcall(f)", "false\tmsg")]
    // Level 1 names the function that called error; pcall is a host function, so no position is added.
    [InlineData("return pcall(error, 'x')", "false\tx")]
    [InlineData("return pcall(error, 'x', 1.5)", "false\tx")]
    [InlineData("return pcall(error)", "false\tnil")]
    [InlineData("return select('#', pcall(error))", "2")]
    [InlineData("return pcall(error, 42)", "false\t42")]
    [InlineData("local t = {} local ok, e = pcall(error, t) return ok, e == t", "false\ttrue")]
    [InlineData("local ok, e = pcall(function() error({code = 7}) end) return ok, e.code", "false\t7")]
    [InlineData("return pcall(function() error(setmetatable({}, {__tostring = function() return 'TS' end})) end)", "false\tTS")]
    [InlineData("local ok, e = pcall(function() error('a' .. 1, 1) end) return e", "chunk:1: a1")]
    public void ErrorValuesAndLevels(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("return pcall(function() return ('x'):rep({}) end)", "false\tchunk:1: invalid argument #2 to 'rep' (number expected, got table)")]
    [InlineData("return pcall(function() return ('%d'):format('x') end)", "false\tchunk:1: invalid argument #2 to 'format' (number expected, got string)")]
    [InlineData("return pcall(function() local f = string.rep return f() end)", "false\tchunk:1: missing argument #1 to 'rep' (string expected)")]
    [InlineData("return pcall(function() local s = 'x' return s:bad() end)", "false\tchunk:1: attempt to call missing method 'bad' of string")]
    [InlineData("return pcall(function() return math.floor() end)", "false\tchunk:1: missing argument #1 to 'floor' (number expected)")]
    [InlineData("return pcall(function() return tostring() end)", "false\tchunk:1: missing argument #1")]
    [InlineData("return pcall(function() local t = {} t.x.y = 1 end)", "false\tchunk:1: attempt to index nil with 'y'")]
    [InlineData("return pcall(function() return #nil end)", "false\tchunk:1: attempt to get length of a nil value")]
    [InlineData("return pcall(function() return string.nope() end)", "false\tchunk:1: attempt to call a nil value")]
    [InlineData("return pcall(function() local x = 'str' return x() end)", "false\tchunk:1: attempt to call a string value")]
    [InlineData("return pcall(function() local v = vector.create(1, 2, 3) return v.w end)", "false\tchunk:1: attempt to index vector with 'w'")]
    [InlineData("return pcall(function() local v = vector.create(1, 2, 3) return v.x, v.Y, v.z end)", "true\t1\t2\t3")]
    [InlineData("return pcall(function() return buffer.create(1).x end)", "false\tchunk:1: attempt to index buffer with 'x'")]
    [InlineData("return pcall(function() return print.x end)", "false\tchunk:1: attempt to index function with 'x'")]
    [InlineData("return pcall(function() local t = setmetatable({}, {__index = function(t, k) error('idx ' .. k, 2) end}) return t.foo end)", "false\tchunk:1: idx foo")]
    [InlineData("return pcall(function() local function g() error('lvl3', 3) end local function h() g() end h() end)", "false\tchunk:1: lvl3")]
    public void MessagesNameTheValueAndTheFunction(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("return pcall(assert, false)", "false\tassertion failed!")]
    [InlineData("return pcall(assert, nil, 'custom')", "false\tcustom")]
    [InlineData("return pcall(assert, 1 == 1, 'unused')", "true\ttrue\tunused")]
    [InlineData("return pcall(assert)", "false\tmissing argument #1")]
    [InlineData("return assert(1, 2, 3)", "1\t2\t3")]
    public void Assert_(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("return xpcall(function() error('E') end, function(m) return 'handled: ' .. m end)", "false\thandled: chunk:1: E")]
    [InlineData("return xpcall(function(a, b) return a + b, a * b end, print, 3, 4)", "true\t7\t12")]
    [InlineData("return xpcall(function() error('E') end, function(m) error('again') end)", "false\terror in error handling")]
    // Only the handler's first result is kept.
    [InlineData("return select('#', xpcall(function() error('x') end, function(m) return 1, 2, 3 end))", "2")]
    [InlineData("return pcall(xpcall)", "false\tmissing argument #2 to 'xpcall' (function expected)")]
    [InlineData("return pcall(xpcall, print)", "false\tmissing argument #2 to 'xpcall' (function expected)")]
    // The handler runs where the error was raised, so the traceback still shows the failing frames.
    [InlineData("""
        local function inner() error('deep') end
        local function middle() inner() end
        local ok, tb = xpcall(middle, debug.traceback)
        return ok, tb:match('^[^\n]*'), tb:find('chunk:1 function inner', 1, true) ~= nil, tb:find('chunk:2 function middle', 1, true) ~= nil
        """, "false\tchunk:1: deep\ttrue\ttrue")]
    [InlineData("""
        local function f(n) if n == 0 then error('bottom') end return f(n - 1) end
        return xpcall(f, function(m) return (select(2, debug.traceback():gsub('\n', '\n'))) > 10 and m end, 20)
        """, "false\tchunk:1: bottom")]
    public void Xpcall(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local function rec() return 1 + rec() end return pcall(rec)", "false\tchunk:1: stack overflow")]
    [InlineData("local depth = 0 local function count() depth += 1 count() end local ok = pcall(count) return ok, depth > 10000, depth <= 20000", "false\ttrue\ttrue")]
    [InlineData("local c = setmetatable({}, {__call = function(self) return self() end}) return pcall(c)", "false\tchunk:1: stack overflow")]
    // Luau-level overflow recovers: the same state can recurse deeply again afterwards.
    [InlineData("local function rec(n) return n == 0 and 0 or 1 + rec(n - 1) end local ok = pcall(function() local function inf() return inf() + 1 end return inf() end) return ok, rec(5000)", "false\t5000")]
    [InlineData("return xpcall(function() local function r() return 1 + r() end return r() end, function(m) return 'H:' .. m end)", "false\tH:chunk:1: stack overflow")]
    // Overflow after overflow (the frame array is kept between them): each is detected at the same depth.
    [InlineData("local d = 0 local function f() d += 1 return 1 + f() end local seen = {} for i = 1, 5 do d = 0 local ok, e = pcall(f) seen[i] = `{ok} {e} {d}` end return seen[1] == seen[5], seen[5]", "true\tfalse chunk:1: stack overflow 19997")]
    // A handler that recurses past the allowance after an overflow is an error in error handling.
    [InlineData("local function r() return 1 + r() end return xpcall(r, function(m) return r() end)", "false\terror in error handling")]
    public void StackOverflowIsCatchable(string source, string expected) => LargeStack.Run(() =>
    {
        ScriptRunner.Expect(source, expected);
        return 0;
    });

    [Theory]
    [InlineData("local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return pcall(function() return t.x end)", "false\tchunk:1: C stack overflow")]
    [InlineData("local t = setmetatable({}, {__tostring = function(s) return tostring(s) end}) return pcall(tostring, t)", "false\tC stack overflow")]
    [InlineData("local function viasort() table.sort({2, 1}, function(a, b) viasort() return a < b end) end return pcall(viasort)", "false\tC stack overflow")]
    [InlineData("local function viagsub() string.gsub('a', 'a', viagsub) end return pcall(viagsub)", "false\tC stack overflow")]
    [InlineData("local e = setmetatable({}, {__index = function(t, k) return t[k] end}) return xpcall(function() return e.x end, function(m) return 'H:' .. m end)", "false\tH:chunk:1: C stack overflow")]
    [InlineData("""
        local t = setmetatable({}, {__index = function(t, k) return t[k] end})
        local ok, e = pcall(function() return t.x end)
        local t2 = setmetatable({}, {__index = function(t, k) return k == 0 and 0 or t[k - 1] + 1 end})
        return ok, t2[150]
        """, "false\t150")]
    public void HostLevelRecursionGivesCStackOverflow(string source, string expected) => LargeStack.Run(() =>
    {
        ScriptRunner.Expect(source, expected);
        return 0;
    });
}
