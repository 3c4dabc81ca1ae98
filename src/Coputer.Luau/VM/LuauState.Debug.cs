namespace Coputer.Luau.VM;

/// <summary>
/// One active call, as a debugger sees it (the reference's lua_getinfo with "sln").
/// </summary>
/// <param name="Function">The function running in the frame.</param>
/// <param name="What">"Lua" for Luau functions, "C" for host functions.</param>
/// <param name="Source">The chunk name (for example <c>=main.luau</c> or <c>@path</c>); <c>=[C]</c> for host functions.</param>
/// <param name="ShortSource">The chunk name as error messages show it.</param>
/// <param name="CurrentLine">The line being run, or -1 for host functions and code without line information.</param>
/// <param name="LineDefined">The line where the function was defined, or -1 for host functions.</param>
/// <param name="Name">The function's name, or empty.</param>
public readonly record struct LuauFrameInfo(
    LuauFunction Function, string What, string Source, string ShortSource, int CurrentLine, int LineDefined, string Name);

/// <summary>
/// Coverage counts of one function (the reference's lua_getcoverage callback): code compiled with a coverage level
/// counts how often each statement (level 1) or expression (level 2) ran.
/// </summary>
/// <param name="Name">The function's name, or null when anonymous.</param>
/// <param name="LineDefined">The line where the function was defined (0 for the main chunk).</param>
/// <param name="Depth">0 for the function asked about, 1 for functions defined in it, and so on.</param>
/// <param name="Hits">Indexed by line: the largest count of the line's counters, or -1 for lines without one.</param>
public sealed record LuauFunctionCoverage(string? Name, int LineDefined, int Depth, int[] Hits);

/// <summary>Inspection of running code for debuggers, profilers and coverage tools.</summary>
public sealed partial class LuauState
{
    /// <summary>
    /// The frame <paramref name="level"/> calls below the top of <paramref name="thread"/> (0 is the running
    /// function), or null past the bottom of the stack.
    /// </summary>
    public LuauFrameInfo? GetFrameInfo(LuauThread thread, int level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        int index = thread.FrameIndex - level;
        if (index <= 0 || Interpreter.FrameFunction(thread, index) is not { } function)
            return null;
        if (function is LuauClosure closure)
        {
            var p = closure.Proto;
            return new LuauFrameInfo(function, "Lua", p.Source.ToString(), Interpreter.ChunkId(p.Source),
                Interpreter.FrameLine(thread, index), p.LineDefined, function.Name);
        }
        return new LuauFrameInfo(function, "C", "=[C]", "[C]", -1, -1, function.Name);
    }

    /// <summary>
    /// Upvalue <paramref name="n"/> (1-based) of a Luau function: its current value and its name, which is empty
    /// when the function was compiled without debug information. False when the function has no such upvalue (host
    /// functions keep their state in .NET and have none).
    /// </summary>
    public static bool TryGetUpvalue(LuauFunction function, int n, out string name, out LuauValue value)
    {
        name = "";
        value = default;
        if (function is not LuauClosure closure || n < 1 || n > closure.Upvalues.Length)
            return false;
        var slot = closure.Upvalues[n - 1];
        value = slot.Type_ == LuauType.UpvalueRef ? ((Upvalue)slot.O!).Get() : slot;
        var names = closure.Proto.UpvalueNames;
        if (names is not null && n <= names.Length && names[n - 1] is { } upvalueName)
            name = upvalueName.ToString();
        return true;
    }

    /// <summary>
    /// The coverage counts of a Luau function and every function defined inside it, depth first, as the reference's
    /// lua_getcoverage reports them. Empty for host functions.
    /// </summary>
    public static IReadOnlyList<LuauFunctionCoverage> GetCoverage(LuauFunction function)
    {
        var result = new List<LuauFunctionCoverage>();
        if (function is LuauClosure closure)
        {
            int size = MaxLine(closure.Proto) + 1;
            AddCoverage(closure.Proto, 0, size, result);
        }
        return result;
    }

    private static int MaxLine(Proto p)
    {
        int max = 0;
        if (p.LineInfo is not null)
        {
            for (int pc = 0; pc < p.Code.Length; pc++)
                max = Math.Max(max, p.GetLine(pc));
        }
        foreach (var child in p.Children)
            max = Math.Max(max, MaxLine(child));
        return max;
    }

    private static void AddCoverage(Proto p, int depth, int size, List<LuauFunctionCoverage> result)
    {
        var hits = new int[size];
        Array.Fill(hits, -1);
        var code = p.Code;
        for (int pc = 0; pc < code.Length; pc++)
        {
            uint insn = code[pc];
            if ((Bytecode.OpCode)(insn & 0xFF) != Bytecode.OpCode.Coverage)
                continue;
            int line = p.GetLine(pc);
            int count = Bytecode.Instruction.E(insn);
            if ((uint)line < (uint)size)
                hits[line] = Math.Max(hits[line], count);
        }
        result.Add(new LuauFunctionCoverage(p.DebugName?.ToString(), p.LineDefined, depth, hits));
        foreach (var child in p.Children)
            AddCoverage(child, depth + 1, size, result);
    }
}
