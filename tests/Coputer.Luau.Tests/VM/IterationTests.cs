namespace Coputer.Luau.Tests.VM;

/// <summary>
/// Numeric and generic for loops: pairs, ipairs, next, generalized iteration and custom iterators, with the
/// reference's traversal order for mixed keys (the order follows from the table layout, which is the reference's).
/// </summary>
public class IterationTests
{
    private const string MixedTable = "local t = {10, 20, 30, x = 1, y = 2, [true] = 3, [1.5] = 4, [-1] = 5, [0] = 6, hello = 7, [100] = 8} local s = {} ";

    [Theory]
    [InlineData(MixedTable + "for k, v in pairs(t) do table.insert(s, tostring(k) .. '=' .. v) end return table.concat(s, ' ')",
        "1=10 2=20 3=30 y=2 x=1 100=8 1.5=4 hello=7 0=6 true=3 -1=5")]
    [InlineData(MixedTable + "for k in t do table.insert(s, tostring(k)) end return table.concat(s, ' ')",
        "1 2 3 y x 100 1.5 hello 0 true -1")]
    [InlineData(MixedTable + "local k = next(t) while k ~= nil do table.insert(s, tostring(k)) k = next(t, k) end return table.concat(s, ' ')",
        "1 2 3 y x 100 1.5 hello 0 true -1")]
    [InlineData(MixedTable + "for k in next, t do table.insert(s, tostring(k)) end return table.concat(s, ' ')",
        "1 2 3 y x 100 1.5 hello 0 true -1")]
    [InlineData("local u, s = {}, {} for i = 1, 10 do u['k' .. i] = i end for k in pairs(u) do table.insert(s, k) end return table.concat(s, ' ')",
        "k9 k8 k1 k3 k2 k10 k6 k7 k4 k5")]
    public void TraversalOrderOfMixedKeys(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local s = {} for i, v in ipairs({1, 2, nil, 4}) do table.insert(s, i) end return table.concat(s, ' ')", "1 2")]
    // ipairs reads raw: __index is not consulted.
    [InlineData("local s = 0 for i, v in ipairs(setmetatable({}, {__index = function(t, i) if i <= 3 then return i end end})) do s += v end return s", "0")]
    [InlineData("return pcall(next, {}, 'nokey')", "false\tinvalid key to 'next'")]
    // Clearing fields during traversal is allowed.
    [InlineData("local d = {a = 1, b = 2, c = 3, d = 4} for k in pairs(d) do d[k] = nil end return next(d)", "nil")]
    [InlineData("local d = {1, 2, 3, x = 1} local n = 0 for k, v in d do d[k] = v * 2 n += 1 end return n, d[3], d.x", "4\t6\t2")]
    [InlineData("return pcall(ipairs)", "false\tmissing argument #1 to 'ipairs' (table expected)")]
    [InlineData("return pcall(pairs, 1)", "false\tinvalid argument #1 to 'pairs' (table expected, got number)")]
    public void PairsIpairsNext(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local function range(n) return function(_, i) if i < n then return i + 1 end end, nil, 0 end local sum = 0 for i in range(5) do sum += i end return sum", "15")]
    [InlineData("""
        local function triples()
            local i = 0
            return function() i += 1 if i <= 2 then return i, i * 2, i * 3 end end
        end
        local s = {}
        for a, b, c in triples() do table.insert(s, a .. b .. c) end
        return table.concat(s, ' ')
        """, "123 246")]
    // The control variable is the first value; the loop ends when it is nil even if others are not.
    [InlineData("local n = 0 for a, b in function(_, c) n += 1 if n < 3 then return n, 'x' end return nil, 'y' end do end return n", "3")]
    // Iterating with a coroutine as generator.
    [InlineData("local s = '' for v in coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) do s ..= v end return s", "123")]
    public void CustomIterators(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local s = {} for i = 3, 1 do table.insert(s, i) end return #s", "0")]
    [InlineData("local s = {} for i = 1, 2, 0.5 do table.insert(s, i) end return table.concat(s, ' ')", "1 1.5 2")]
    [InlineData("local s = {} for i = 10, 1, -3 do table.insert(s, i) end return table.concat(s, ' ')", "10 7 4 1")]
    [InlineData("local n = 0 for i = 1, 10, 0 do n += 1 end return n", "0")]
    [InlineData("local s = {} for i = '1', '3' do table.insert(s, i) end return table.concat(s, ' ')", "1 2 3")]
    [InlineData("local n = 0 for i = 1, math.huge do n += 1 if n == 5 then break end end return n", "5")]
    [InlineData("local a = 'a' return pcall(function() for i = a, 2 do end end)", "false\tchunk:1: invalid 'for' initial value (number expected, got string)")]
    [InlineData("local a = {} return pcall(function() for i = 1, a do end end)", "false\tchunk:1: invalid 'for' limit (number expected, got table)")]
    [InlineData("local a return pcall(function() for i = 1, 2, a do end end)", "false\tchunk:1: invalid 'for' step (number expected, got nil)")]
    public void NumericFor(string source, string expected) => ScriptRunner.Expect(source, expected);
}
