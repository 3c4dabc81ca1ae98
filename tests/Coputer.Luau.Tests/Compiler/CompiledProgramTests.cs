using Coputer.Luau.Compiler;
using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Compiler;

/// <summary>
/// Programs give the same results at every optimisation level (the expected values were checked with the reference
/// interpreter). This exercises folding, inlining and unrolling end to end through the virtual machine.
/// </summary>
public class CompiledProgramTests
{
    private static string Run(string source, int optimizationLevel)
    {
        var state = new LuauState();
        StandardLibrary.Open(state, LuauLibraries.All, LuauPlatform.System);
        var blob = LuauCompiler.CompileToBlob(System.Text.Encoding.UTF8.GetBytes(source), new CompileOptions { OptimizationLevel = optimizationLevel });
        var function = state.Load(blob, "=test");
        var result = state.Resume(state.CreateThread(function));
        Assert.Equal(LuauResumeStatus.Finished, result.Status);
        return result.Values[0].ToString();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void InliningUnrollingAndFoldingKeepResults(int level)
    {
        const string source = """
            local function add(a, b) return a + b end
            local function pick(c, x, y) if c then return x end return y end
            local function multi(...) return ... end
            local function sq(x) local y = x * x; return y end
            local function noret(x) local z = x end
            local function apply(f, x) return f(x) end
            local function counter() local n = 0; return function() n += 1; return n end end
            local acc = {}
            for i = 1, 5 do acc[#acc + 1] = add(i, 10) end
            for i = 1, 3 do acc[#acc + 1] = pick(i % 2 == 0, "even", "odd") end
            acc[#acc + 1] = sq(sq(3))
            acc[#acc + 1] = tostring((noret(5)))
            acc[#acc + 1] = apply(math.abs, -7)
            acc[#acc + 1] = apply(sq, 4)
            local c = counter(); c(); c()
            acc[#acc + 1] = c()
            local a, b = add(1, 2), pick(false, 1)
            acc[#acc + 1] = tostring(a) .. "/" .. tostring(b)
            for i = 1, 4 do
              if i == 2 then continue end
              if i == 4 then break end
              acc[#acc + 1] = "i" .. i
            end
            local M = {f = function(x) return x * 3 end}
            acc[#acc + 1] = M.f(5)
            local t = {}
            for i = 1, 3 do t[i] = function() return i end end
            acc[#acc + 1] = t[1]() + t[2]() + t[3]()
            acc[#acc + 1] = select("#", multi(1, nil, 3))
            local s = 0
            for i = 10, 1, -3 do s += i end
            acc[#acc + 1] = s
            acc[#acc + 1] = math.max(1, 5, 3) + bit32.extract(0xF0, 4, 4) + #"abc"
            return table.concat(acc, ",")
            """;
        Assert.Equal("11,12,13,14,15,odd,even,odd,81,nil,7,16,3,3/nil,i1,i3,15,6,3,22,23", Run(source, level));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void AssignmentOrderAndClosures(int level)
    {
        const string source = """
            local a, b = 1, 2
            a, b = b, a
            local t = {10, 20, 30}
            local i = 1
            i, t[i] = i + 1, "x"
            local fs = {}
            for k = 1, 3 do
              local v = k * 2
              fs[k] = function() v += 1; return v end
            end
            local s = `{a}{b}{t[1]}{t[2]}{fs[1]()}{fs[1]()}{fs[3]()}`
            local x = 0
            repeat local y = x; x += 1 until y >= 2
            return s .. ";" .. x
            """;
        Assert.Equal("21x20347;3", Run(source, level));
    }
}
