using Coputer.Luau.Bytecode;
using Coputer.Luau.Compiler;

namespace Coputer.Luau.Tests.Compiler;

/// <summary>
/// Golden tests: the disassembly of compiled snippets, one per construct. Each expected listing was checked by hand
/// (and against the reference compiler's <c>luau-compile --text</c>, which produces the same code for these).
/// </summary>
public class GoldenTests
{
    /// <summary>Compiles and disassembles in the reference's text shape (source lines, no summaries).</summary>
    internal static string Listing(string source, int optimizationLevel = 1, int debugLevel = 1, int coverageLevel = 0) =>
        Listing(source, new CompileOptions { OptimizationLevel = optimizationLevel, DebugLevel = debugLevel, CoverageLevel = coverageLevel });

    internal static string Listing(string source, CompileOptions options)
    {
        // Snippets are compiled as files ending with a newline (the final RETURN takes the line after the code).
        source += "\n";
        var bytes = System.Text.Encoding.UTF8.GetBytes(source);
        var result = LuauCompiler.Compile(bytes, options);
        Assert.True(result.Success, result.Errors.Count > 0 ? result.Errors[0].ToString() : "");
        var module = BytecodeReader.Read(result.Bytecode!);
        BytecodeVerifier.Verify(module);
        return BytecodeDisassembler.Disassemble(module, source, details: false);
    }

    /// <summary>Compares listings line by line, ignoring trailing blanks (empty source lines print as "N: ").</summary>
    internal static void AssertListing(string expected, string actual)
    {
        static string Normalize(string s) =>
            string.Join('\n', s.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd())).Trim();
        Assert.Equal(Normalize(expected), Normalize(actual));
    }

    [Fact]
    public void ConstantsFoldThroughLocals()
    {
        const string source = """
            local a = 1
            local b = a + 2 * 3
            const c = "x" .. "y"
            print(b, c, -0, 1 / 0, 2 ^ 53, #"abc", not nil, 1 < 2)
            """;
        AssertListing(
            """
            Function 0 (??):
                4: print(b, c, -0, 1 / 0, 2 ^ 53, #"abc", not nil, 1 < 2)
            GETIMPORT R0 1 [print]
            LOADN R1 7
            LOADK R2 K2 ['xy']
            LOADK R3 K3 [-0]
            LOADK R4 K4 [inf]
            LOADK R5 K5 [9007199254740992]
            LOADN R6 3
            LOADB R7 1
            LOADB R8 1
            CALL R0 8 0
                5:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void ConstantsAreNotFoldedAtO0()
    {
        const string source = """
            local a = 1
            local b = a + 2
            print(b)
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local a = 1
            LOADK R0 K0 [1]
                2: local b = a + 2
            LOADK R2 K1 [2]
            ADD R1 R0 R2
                3: print(b)
            GETGLOBAL R2 K2 ['print']
            MOVE R3 R1
            CALL R2 1 0
                4:
            RETURN R0 0
            """,
            Listing(source, optimizationLevel: 0));
    }

    [Fact]
    public void GlobalsUseImportsUnlessAssigned()
    {
        const string source = """
            print(math.floor, string.format, a.b.c.d)
            x = 1
            print(x, x.y)
            """;
        AssertListing(
            """
            Function 0 (??):
                1: print(math.floor, string.format, a.b.c.d)
            GETIMPORT R0 1 [print]
            GETIMPORT R1 4 [math.floor]
            GETIMPORT R2 7 [string.format]
            GETIMPORT R3 11 [a.b.c]
            GETTABLEKS R3 R3 K12 ['d']
            CALL R0 3 0
                2: x = 1
            LOADN R0 1
            SETGLOBAL R0 K13 ['x']
                3: print(x, x.y)
            GETIMPORT R0 1 [print]
            GETGLOBAL R1 K13 ['x']
            GETGLOBAL R2 K13 ['x']
            GETTABLEKS R2 R2 K14 ['y']
            CALL R0 2 0
                4:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void TableConstructors()
    {
        const string source = """
            local a = {1, 2, 3, x = 4, [5] = 6}
            local b = {x = 1, y = "s", z = f()}
            local c = {[1] = 1, [2] = 2}
            local d = {f(), ...}
            local e = {}
            e.x = 1
            e.y = 2
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local a = {1, 2, 3, x = 4, [5] = 6}
            NEWTABLE R0 2 3
            LOADN R1 1
            LOADN R2 2
            LOADN R3 3
            SETLIST R0 R1 3 [1]
            LOADN R4 4
            SETTABLEKS R4 R0 K0 ['x']
            LOADN R4 6
            SETTABLEN R4 R0 5
                2: local b = {x = 1, y = "s", z = f()}
            DUPTABLE R1 5
            GETIMPORT R2 7 [f]
            CALL R2 0 1
            SETTABLEKS R2 R1 K4 ['z']
                3: local c = {[1] = 1, [2] = 2}
            NEWTABLE R2 0 2
            LOADN R3 1
            SETTABLEN R3 R2 1
            LOADN R3 2
            SETTABLEN R3 R2 2
                4: local d = {f(), ...}
            NEWTABLE R3 0 1
            GETIMPORT R4 7 [f]
            CALL R4 0 1
            GETVARARGS R5 -1
            SETLIST R3 R4 -1 [1]
                5: local e = {}
            NEWTABLE R4 2 0
                6: e.x = 1
            LOADN R5 1
            SETTABLEKS R5 R4 K0 ['x']
                7: e.y = 2
            LOADN R5 2
            SETTABLEKS R5 R4 K2 ['y']
                8:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void Conditions()
    {
        const string source = """
            local a, b, c = ...
            if a < b and c ~= nil or not a then
              print(1)
            elseif a >= b then
              print(2)
            else
              print(3)
            end
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local a, b, c = ...
            GETVARARGS R0 3
                2: if a < b and c ~= nil or not a then
            JUMPIFNOTLT R0 R1 L0
            JUMPXEQKNIL R2 L1 NOT
            L0: JUMPIF R0 L2
                3:   print(1)
            L1: GETIMPORT R3 1 [print]
            LOADN R4 1
            CALL R3 1 0
            RETURN R0 0
                4: elseif a >= b then
            L2: JUMPIFNOTLE R1 R0 L3
                5:   print(2)
            GETIMPORT R3 1 [print]
            LOADN R4 2
            CALL R3 1 0
            RETURN R0 0
                7:   print(3)
            L3: GETIMPORT R3 1 [print]
            LOADN R4 3
            CALL R3 1 0
                9:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void ComparisonsWithConstants()
    {
        const string source = """
            local x = ...
            print(x == "s", x ~= 5, x == nil, x == true, 5 < x)
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local x = ...
            GETVARARGS R0 1
                2: print(x == "s", x ~= 5, x == nil, x == true, 5 < x)
            GETIMPORT R1 1 [print]
            JUMPXEQKS R0 K2 L0 ['s']
            LOADB R2 0 +1
            L0: LOADB R2 1
            L1: JUMPXEQKN R0 K3 L2 NOT [5]
            LOADB R3 0 +1
            L2: LOADB R3 1
            L3: JUMPXEQKNIL R0 L4
            LOADB R4 0 +1
            L4: LOADB R4 1
            L5: JUMPXEQKB R0 1 L6
            LOADB R5 0 +1
            L6: LOADB R5 1
            L7: LOADN R7 5
            JUMPIFLT R7 R0 L8
            LOADB R6 0 +1
            L8: LOADB R6 1
            L9: CALL R1 5 0
                3:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void NumericFor()
    {
        const string source = """
            local t = {}
            for i = 1, 10 do t[i] = i end
            for i = 10, 1, -1 do i = i + 1; t[i] = 0 end
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local t = {}
            NEWTABLE R0 0 10
                2: for i = 1, 10 do t[i] = i end
            LOADN R3 1
            LOADN R1 10
            LOADN R2 1
            FORNPREP R1 L1
            L0: SETTABLE R3 R0 R3
            FORNLOOP R1 L0
                3: for i = 10, 1, -1 do i = i + 1; t[i] = 0 end
            L1: LOADN R3 10
            LOADN R1 1
            LOADN R2 -1
            FORNPREP R1 L3
            L2: MOVE R4 R3
            ADDK R4 R4 K0 [1]
            LOADN R5 0
            SETTABLE R5 R0 R4
            FORNLOOP R1 L2
                4:
            L3: RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void GenericFor()
    {
        const string source = """
            local t = ...
            for k, v in pairs(t) do print(k, v) end
            for i, v in ipairs(t) do print(i, v) end
            for k in next, t do print(k) end
            for a, b, c in t do print(a, b, c) end
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local t = ...
            GETVARARGS R0 1
                2: for k, v in pairs(t) do print(k, v) end
            GETIMPORT R1 1 [pairs]
            MOVE R2 R0
            CALL R1 1 3
            FORGPREP_NEXT R1 L1
            L0: GETIMPORT R6 3 [print]
            MOVE R7 R4
            MOVE R8 R5
            CALL R6 2 0
            L1: FORGLOOP R1 L0 2
                3: for i, v in ipairs(t) do print(i, v) end
            GETIMPORT R1 5 [ipairs]
            MOVE R2 R0
            CALL R1 1 3
            FORGPREP_INEXT R1 L3
            L2: GETIMPORT R6 3 [print]
            MOVE R7 R4
            MOVE R8 R5
            CALL R6 2 0
            L3: FORGLOOP R1 L2 2 [inext]
                4: for k in next, t do print(k) end
            GETIMPORT R1 7 [next]
            MOVE R2 R0
            LOADNIL R3
            FORGPREP_NEXT R1 L5
            L4: GETIMPORT R6 3 [print]
            MOVE R7 R4
            CALL R6 1 0
            L5: FORGLOOP R1 L4 1
                5: for a, b, c in t do print(a, b, c) end
            MOVE R1 R0
            LOADNIL R2
            LOADNIL R3
            FORGPREP R1 L7
            L6: GETIMPORT R7 3 [print]
            MOVE R8 R4
            MOVE R9 R5
            MOVE R10 R6
            CALL R7 3 0
            L7: FORGLOOP R1 L6 3
                6:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void WhileRepeatBreakContinue()
    {
        const string source = """
            local i = 0
            while i < 10 do
              i += 1
              if i == 3 then continue end
              if i == 8 then break end
              print(i)
            end
            repeat
              local j = i
              i -= 1
            until j < 2
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local i = 0
            LOADN R0 0
                2: while i < 10 do
            L0: LOADN R1 10
            JUMPIFNOTLT R0 R1 L2
                3:   i += 1
            ADDK R0 R0 K0 [1]
                4:   if i == 3 then continue end
            JUMPXEQKN R0 K1 L1 [3]
                5:   if i == 8 then break end
            JUMPXEQKN R0 K2 L2 [8]
                6:   print(i)
            GETIMPORT R1 4 [print]
            MOVE R2 R0
            CALL R1 1 0
                2: while i < 10 do
            L1: JUMPBACK L0
                9:   local j = i
            L2: MOVE R1 R0
               10:   i -= 1
            SUBK R0 R0 K0 [1]
               11: until j < 2
            LOADN R2 2
            JUMPIFLT R1 R2 L3
            JUMPBACK L2
               12:
            L3: RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void Closures()
    {
        const string source = """
            local a = 1
            local b = {}
            local function f() return a, b end
            local c = 0
            local function g() c = c + 1 return c end
            for i = 1, 3 do
              local h = function() return i end
              h()
            end
            return function() return f, g end
            """;
        AssertListing(
            """
            Function 0 (f):
                3: local function f() return a, b end
            LOADN R0 1
            GETUPVAL R1 0
            RETURN R0 2

            Function 1 (g):
                5: local function g() c = c + 1 return c end
            GETUPVAL R1 0
            ADDK R0 R1 K0 [1]
            SETUPVAL R0 0
            GETUPVAL R0 0
            RETURN R0 1

            Function 2 (??):
                7:   local h = function() return i end
            GETUPVAL R0 0
            RETURN R0 1

            Function 3 (??):
               10: return function() return f, g end
            GETUPVAL R0 0
            GETUPVAL R1 1
            RETURN R0 2

            Function 4 (??):
                2: local b = {}
            NEWTABLE R0 0 0
                3: local function f() return a, b end
            DUPCLOSURE R1 K0 ['f']
            CAPTURE VAL R0
                4: local c = 0
            LOADN R2 0
                5: local function g() c = c + 1 return c end
            NEWCLOSURE R3 P1
            CAPTURE REF R2
                6: for i = 1, 3 do
            LOADN R6 1
            LOADN R4 3
            LOADN R5 1
            FORNPREP R4 L1
                7:   local h = function() return i end
            L0: NEWCLOSURE R7 P2
            CAPTURE VAL R6
                8:   h()
            MOVE R8 R7
            CALL R8 0 0
                6: for i = 1, 3 do
            FORNLOOP R4 L0
               10: return function() return f, g end
            L1: DUPCLOSURE R4 K1 []
            CAPTURE VAL R1
            CAPTURE VAL R3
            CLOSEUPVALS R2
            RETURN R4 1
            """,
            Listing(source));
    }

    [Fact]
    public void CallsAndMultipleResults()
    {
        const string source = """
            local o = ...
            print(o:m(1, 2))
            local x, y = f(g())
            return h(...)
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local o = ...
            GETVARARGS R0 1
                2: print(o:m(1, 2))
            GETIMPORT R1 1 [print]
            LOADN R4 1
            LOADN R5 2
            NAMECALL R2 R0 K2 ['m']
            CALL R2 3 -1
            CALL R1 -1 0
                3: local x, y = f(g())
            GETIMPORT R1 4 [f]
            GETIMPORT R2 6 [g]
            CALL R2 0 -1
            CALL R1 -1 2
                4: return h(...)
            GETIMPORT R3 8 [h]
            GETVARARGS R4 -1
            CALL R3 -1 -1
            RETURN R3 -1
            """,
            Listing(source));
    }

    [Fact]
    public void SelectVarargs()
    {
        const string source = """
            local n = select("#", ...)
            local second = select(2, ...)
            return n, second
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local n = select("#", ...)
            LOADK R1 K0 ['#']
            FASTCALL1 57 R1 L0
            GETIMPORT R0 2 [select]
            GETVARARGS R2 -1
            CALL R0 -1 1
                2: local second = select(2, ...)
            L0: LOADN R2 2
            FASTCALL1 57 R2 L1
            GETIMPORT R1 2 [select]
            GETVARARGS R3 -1
            CALL R1 -1 1
                3: return n, second
            L1: RETURN R0 2
            """,
            Listing(source));
    }

    [Fact]
    public void FastCalls()
    {
        const string source = """
            local x, y, z = ...
            print(math.max(x, y, z), bit32.extract(x, 1, 2), type(x), math.abs(x), string.sub(x, 2))
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local x, y, z = ...
            GETVARARGS R0 3
                2: print(math.max(x, y, z), bit32.extract(x, 1, 2), type(x), math.abs(x), string.sub(x, 2))
            GETIMPORT R3 1 [print]
            FASTCALL3 18 R0 R1 R2 L0
            MOVE R5 R0
            MOVE R6 R1
            MOVE R7 R2
            GETIMPORT R4 4 [math.max]
            CALL R4 3 1
            L0: FASTCALL2K 59 R0 K5 L1 [33]
            MOVE R6 R0
            LOADK R7 K6 [1]
            LOADK R8 K7 [2]
            GETIMPORT R5 10 [bit32.extract]
            CALL R5 3 1
            L1: FASTCALL1 40 R0 L2
            MOVE R7 R0
            GETIMPORT R6 12 [type]
            CALL R6 1 1
            L2: FASTCALL1 2 R0 L3
            MOVE R8 R0
            GETIMPORT R7 14 [math.abs]
            CALL R7 1 1
            L3: FASTCALL2K 45 R0 K7 L4 [2]
            MOVE R9 R0
            LOADK R10 K7 [2]
            GETIMPORT R8 17 [string.sub]
            CALL R8 2 -1
            L4: CALL R3 -1 0
                3:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void CompoundAssignment()
    {
        const string source = """
            local t, s, n = ...
            t[f()] += 1
            s ..= "x" .. n
            t.a -= 2
            n *= n
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local t, s, n = ...
            GETVARARGS R0 3
                2: t[f()] += 1
            GETIMPORT R3 1 [f]
            CALL R3 0 1
            GETTABLE R4 R0 R3
            ADDK R4 R4 K2 [1]
            SETTABLE R4 R0 R3
                3: s ..= "x" .. n
            MOVE R3 R1
            LOADK R4 K3 ['x']
            MOVE R5 R2
            CONCAT R1 R3 R5
                4: t.a -= 2
            GETTABLEKS R3 R0 K4 ['a']
            SUBK R3 R3 K5 [2]
            SETTABLEKS R3 R0 K4 ['a']
                5: n *= n
            MUL R2 R2 R2
                6:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void MultipleAssignmentConflicts()
    {
        const string source = """
            local a, b, t, i = ...
            a, b = b, a
            t[i], i = i, t[i]
            a, b, t.x = f()
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local a, b, t, i = ...
            GETVARARGS R0 4
                2: a, b = b, a
            MOVE R4 R1
            MOVE R1 R0
            MOVE R0 R4
                3: t[i], i = i, t[i]
            GETTABLE R4 R2 R3
            SETTABLE R3 R2 R3
            MOVE R3 R4
                4: a, b, t.x = f()
            GETIMPORT R4 1 [f]
            CALL R4 0 3
            SETTABLEKS R6 R2 K2 ['x']
            MOVE R0 R4
            MOVE R1 R5
                5:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void StringInterpolation()
    {
        const string source = """
            local x = ...
            print(`x = {x}, {"const"} 100%`)
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local x = ...
            GETVARARGS R0 1
                2: print(`x = {x}, {"const"} 100%`)
            GETIMPORT R1 1 [print]
            LOADK R3 K2 ['x = %*, const 100%%']
            MOVE R5 R0
            NAMECALL R3 R3 K3 ['format']
            CALL R3 2 1
            MOVE R2 R3
            CALL R1 1 0
                3:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void IfExpressions()
    {
        const string source = """
            local c, v, w = ...
            local y = if c then 1 else 2
            local z = if v then v else w
            local q = if c then f() elseif v then g() else nil
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local c, v, w = ...
            GETVARARGS R0 3
                2: local y = if c then 1 else 2
            JUMPIFNOT R0 L0
            LOADN R3 1
            JUMP L1
            L0: LOADN R3 2
                3: local z = if v then v else w
            L1: OR R4 R1 R2
                4: local q = if c then f() elseif v then g() else nil
            JUMPIFNOT R0 L2
            GETIMPORT R5 1 [f]
            CALL R5 0 1
            RETURN R0 0
            L2: JUMPIFNOT R1 L3
            GETIMPORT R5 3 [g]
            CALL R5 0 1
            RETURN R0 0
            L3: LOADNIL R5
                5:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void ConcatChains()
    {
        const string source = """
            local a, b, c = ...
            return a .. b .. c .. "!"
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local a, b, c = ...
            GETVARARGS R0 3
                2: return a .. b .. c .. "!"
            MOVE R4 R0
            MOVE R5 R1
            MOVE R6 R2
            LOADK R7 K0 ['!']
            CONCAT R3 R4 R7
            RETURN R3 1
            """,
            Listing(source));
    }

    [Fact]
    public void InliningAndUnrollingAtO2()
    {
        const string source = """
            local function sq(x) return x * x end
            local t = {}
            for i = 1, 3 do t[i] = sq(i) end
            return sq(t[1])
            """;
        AssertListing(
            """
            Function 0 (sq):
                1: local function sq(x) return x * x end
            MUL R1 R0 R0
            RETURN R1 1

            Function 1 (??):
                1: local function sq(x) return x * x end
            DUPCLOSURE R0 K0 ['sq']
                2: local t = {}
            NEWTABLE R1 0 3
                1: local function sq(x) return x * x end
            LOADN R2 1
                3: for i = 1, 3 do t[i] = sq(i) end
            SETTABLEN R2 R1 1
                1: local function sq(x) return x * x end
            LOADN R2 4
                3: for i = 1, 3 do t[i] = sq(i) end
            SETTABLEN R2 R1 2
                1: local function sq(x) return x * x end
            LOADN R2 9
                3: for i = 1, 3 do t[i] = sq(i) end
            SETTABLEN R2 R1 3
                4: return sq(t[1])
            GETTABLEN R3 R1 1
                1: local function sq(x) return x * x end
            MUL R2 R3 R3
            RETURN R2 1
            """,
            Listing(source, optimizationLevel: 2));
    }

    [Fact]
    public void OptimizeHotComment()
    {
        const string source = """
            --!optimize 0
            local a = 1
            print(a + 1)
            """;
        AssertListing(
            """
            Function 0 (??):
                2: local a = 1
            LOADK R0 K0 [1]
                3: print(a + 1)
            GETGLOBAL R1 K1 ['print']
            LOADK R3 K0 [1]
            ADD R2 R0 R3
            CALL R1 1 0
                4:
            RETURN R0 0
            """,
            Listing(source));
    }

    [Fact]
    public void CoverageLevel2()
    {
        const string source = """
            local a = f()
            if a then
              a = a + 1
            end
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local a = f()
            COVERAGE
            COVERAGE
            COVERAGE
            GETIMPORT R0 1 [f]
            CALL R0 0 1
                2: if a then
            COVERAGE
            JUMPIFNOT R0 L0
                3:   a = a + 1
            COVERAGE
            COVERAGE
            ADDK R0 R0 K2 [1]
                5:
            L0: RETURN R0 0
            """,
            Listing(source, coverageLevel: 2));
    }

    [Fact]
    public void DebugLevel2LocalsAndUpvalues()
    {
        const string source = """
            local a = ...
            local function f(b)
              local c = b + a
              return c
            end
            return f
            """;
        AssertListing(
            """
            Function 0 (f):
            local 0: reg 0, start pc 0 line 3, end pc 2 line 4
            local 1: reg 1, start pc 2 line 4, end pc 2 line 4
                3:   local c = b + a
            GETUPVAL R2 0
            ADD R1 R0 R2
                4:   return c
            RETURN R1 1

            Function 1 (??):
            local 0: reg 0, start pc 2 line 2, end pc 4 line 6
            local 1: reg 1, start pc 4 line 6, end pc 4 line 6
                1: local a = ...
            GETVARARGS R0 1
                2: local function f(b)
            DUPCLOSURE R1 K0 ['f']
            CAPTURE VAL R0
                6: return f
            RETURN R1 1
            """,
            Listing(source, debugLevel: 2));
    }

    [Fact]
    public void DebugLevel0HasNoLines()
    {
        const string source = """
            local function named() end
            return named()
            """;
        AssertListing(
            """
            Function 0 (??):
            RETURN R0 0

            Function 1 (??):
            DUPCLOSURE R0 K0 []
            MOVE R1 R0
            CALL R1 0 -1
            RETURN R1 -1
            """,
            Listing(source, debugLevel: 0));
    }

    [Fact]
    public void OptionsControlImportsAndBuiltins()
    {
        // Mutable globals are not resolved through; disabled builtins are plain calls; a configured vector constructor
        // is the vector builtin.
        const string source = """
            local v = Vec3.new(1, 2, 3)
            local w = vec(1, 2, 3)
            print(Mut.x.y, math.floor(1.5), math.abs(v), type(w))
            """;
        var options = new CompileOptions
        {
            MutableGlobals = ["Mut"],
            DisabledBuiltins = ["math.abs", "type"],
            VectorLibrary = "Vec3",
            VectorConstructor = "new",
        };
        AssertListing(
            """
            Function 0 (??):
                1: local v = Vec3.new(1, 2, 3)
            LOADN R1 1
            LOADN R2 2
            LOADN R3 3
            FASTCALL 54 L0
            GETIMPORT R0 2 [Vec3.new]
            CALL R0 3 1
                2: local w = vec(1, 2, 3)
            L0: GETIMPORT R1 4 [vec]
            LOADN R2 1
            LOADN R3 2
            LOADN R4 3
            CALL R1 3 1
                3: print(Mut.x.y, math.floor(1.5), math.abs(v), type(w))
            GETIMPORT R2 6 [print]
            GETIMPORT R3 8 [Mut]
            GETTABLEKS R3 R3 K9 ['x']
            GETTABLEKS R3 R3 K10 ['y']
            LOADK R5 K11 [1.5]
            FASTCALL1 12 R5 L1
            GETIMPORT R4 14 [math.floor]
            CALL R4 1 1
            L1: GETIMPORT R5 16 [math.abs]
            MOVE R6 R0
            CALL R5 1 1
            GETIMPORT R6 18 [type]
            MOVE R7 R1
            CALL R6 1 -1
            CALL R2 -1 0
                4:
            RETURN R0 0
            """,
            Listing(source, options));
    }

    [Fact]
    public void TypesAndBuiltinFoldingAtO2()
    {
        // Known numbers let constants move to the K operand; vector.create and vector arithmetic fold at O2.
        const string source = """
            local x: number, t = ...
            local v: vector = vector.create(1, 2, 3)
            return 2 * x, 1 + #t, 2 * v, 3 + (x :: number)
            """;
        AssertListing(
            """
            Function 0 (??):
                1: local x: number, t = ...
            GETVARARGS R0 2
                3: return 2 * x, 1 + #t, 2 * v, 3 + (x :: number)
            MULK R2 R0 K0 [2]
            LENGTH R4 R1
            ADDK R3 R4 K1 [1]
            LOADK R4 K2 [2, 4, 6]
            ADDK R5 R0 K3 [3]
            RETURN R2 4
            """,
            Listing(source, optimizationLevel: 2));
    }
}
