using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM.Jit;

/// <summary>
/// Compiled code of one function: runs the frame on top of <paramref name="L"/> (whose closure is
/// <paramref name="cl"/> and register 0 is stack[<paramref name="bse"/>]) from instruction <paramref name="pc"/>.
/// Returns the index of the next instruction for the interpreter to run in the same frame (it runs that
/// instruction itself, exactly as if it had got there on its own), or one of the negative codes of
/// <see cref="IlTier"/>. <paramref name="depth"/> counts the compiled calls nested on the .NET stack below this one.
/// </summary>
internal delegate int CompiledCode(LuauThread L, LuauClosure cl, int bse, int pc, int depth);

/// <summary>
/// The IL tier: functions that run hot are compiled from bytecode to IL (a <see cref="System.Reflection.Emit.DynamicMethod"/>
/// per function) by <see cref="IlCompiler"/>.
/// </summary>
/// <remarks>
/// Compiled code works on the interpreter's own register file (the thread's stack) and frames, so it can hand
/// over to the interpreter at any instruction: each instruction it compiles does what the interpreter's case does
/// on its fast path, guarded by type checks; anything else (metamethods, errors, yields, calls, a safepoint whose
/// countdown runs out) returns the instruction's index and the interpreter runs it from the start. Nothing an
/// instruction does is visible before its guards pass, so the interpreter sees exactly the state it would have
/// reached itself, and errors, tracebacks, metamethods, coroutines and instruction counts are the interpreter's.
/// The interpreter enters compiled code when a function is called, at loop back-edges, when a call returns to a
/// compiled function and when it reloads a frame (see the hooks in <see cref="Interpreter"/>): only at the
/// instructions the compiled code lists as entries (block starts); at any other index it returns at once.
/// </remarks>
internal static class IlTier
{
    /// <summary>Exit code: the frames changed; the interpreter reloads the frame on top.</summary>
    internal const int Reenter = -1;

    /// <summary>Exit code: the thread yields (the interpreter loop returns false).</summary>
    internal const int Yield = -2;

    /// <summary>Exit code: the frame that entered the interpreter loop returned (the loop returns true).</summary>
    internal const int Done = -3;

    /// <summary>
    /// Exit code: the function returned to the Luau frame that called it, which is on top again at its saved
    /// position. A compiled caller that made the call itself goes on; the interpreter treats it as <see cref="Reenter"/>.
    /// </summary>
    internal const int Returned = -4;

    /// <summary>
    /// How many compiled calls may nest on the .NET stack (a compiled function calling a compiled function runs it
    /// directly); deeper calls go through the interpreter's loop, which never nests.
    /// </summary>
    internal const int MaxNesting = 48;

    /// <summary>How much less compiled code may nest for each call nested by the host API, a metamethod or a host function.</summary>
    private const int NestingPerHostCall = 8;

    /// <summary>A proto's countdown once it is compiled, queued or refused: it never reaches zero again in practice.</summary>
    private const int Never = int.MaxValue;

    /// <summary>
    /// Called by the interpreter when the function running in the top frame has compiled code, or when its
    /// hotness countdown ran out. Runs compiled code from <paramref name="pc"/> if there is some (see
    /// <see cref="CompiledCode"/> for the result); otherwise returns <paramref name="pc"/>.
    /// </summary>
    internal static int Enter(LuauThread L, LuauClosure cl, int bse, int pc)
    {
        if (CompiledOrHot(L.State, cl.Proto) is not { } compiled)
            return pc;
        // Calls that nest on the .NET stack (metamethods, host functions calling back) leave compiled code less
        // room to nest, so together they stay within what the interpreter alone would use.
        int r = compiled(L, cl, bse, pc, Math.Min(L.HostCallDepth * NestingPerHostCall, MaxNesting));
        return r == Returned ? Reenter : r;
    }

    /// <summary>
    /// Runs the function just entered by a compiled CALL (the frame on top) nested, if it is compiled or has just
    /// become hot; otherwise returns 0, its first instruction, for the interpreter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int EnterNested(LuauThread L, LuauClosure cl, int bse, int depth) =>
        CompiledOrHot(L.State, cl.Proto) is { } compiled ? compiled(L, cl, bse, 0, depth) : 0;

    /// <summary>The proto's compiled code, after counting it hot once more (which may compile it) if it has none yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static CompiledCode? CompiledOrHot(LuauState state, Proto p)
    {
        if (p.Compiled is null)
            OnHot(state, p);
        return p.Compiled;
    }

    /// <summary>The proto's countdown ran out: start counting (first time), or compile it.</summary>
    private static void OnHot(LuauState state, Proto p)
    {
        if (!state.IlTierEnabled)
        {
            p.JitCountdown = Never;
            return;
        }
        if (!p.JitCounting)
        {
            // The first time: count from the threshold (a new proto's countdown starts at 0).
            p.JitCounting = true;
            if (state.IlTierThreshold > 0)
            {
                p.JitCountdown = state.IlTierThreshold;
                return;
            }
        }
        p.JitCountdown = Never;
        if (state.IlTierThreshold == 0 || !state.IlTierBackground)
        {
            Compile(state, p);
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static item => Compile(item.State, item.Proto), (State: state, Proto: p), preferLocal: false);
    }

    /// <summary>Compiles <paramref name="p"/> and installs the code; on failure the function stays interpreted.</summary>
    private static void Compile(LuauState state, Proto p)
    {
        try
        {
            var code = IlCompiler.Compile(p);
            // Run the method's prologue once (an index below 0 returns at once), so the .NET JIT compiles it here
            // and not on the script's thread, and an invalid program shows up now.
            code(null!, null!, 0, -1, 0);
            Volatile.Write(ref p.Compiled, code);
            state.CountIlCompiled();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            state.CountIlFailed($"{p.DebugName?.ToString() ?? "(anonymous)"}: {e.GetType().Name}: {e.Message}");
        }
    }
}
