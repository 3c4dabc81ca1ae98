using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The <c>coroutine</c> library. Coroutines are <see cref="LuauThread"/>s run by the same interpreter, never .NET threads.</summary>
internal static class CoroutineLibrary
{
    private static readonly string[] s_statusNames = ["suspended", "running", "normal", "dead"];

    public static void Open(LuauState state)
    {
        LibraryUtil.CreateLibrary(state, "coroutine",
            ("create", Create),
            ("resume", Resume),
            ("running", Running),
            ("status", Status),
            ("wrap", Wrap),
            ("yield", Yield),
            ("isyieldable", IsYieldable),
            ("close", Close));
    }

    private static LuauThread NewCoroutine(LuauCallContext c)
    {
        var f = c.CheckFunction(1);
        var co = new LuauThread(c.State, c.Thread.Globals);
        c.State.ChargeMemory(MemoryCost.Thread(co));
        co.Stack[co.Top++] = new LuauValue(f);
        return co;
    }

    private static int Create(LuauCallContext c) => c.Return(new LuauValue(NewCoroutine(c)));

    private static string StatusName(LuauThread caller, LuauThread co) =>
        co == caller ? "running" : s_statusNames[(int)co.Status];

    /// <summary>
    /// Resumes <paramref name="co"/> with the arguments from <paramref name="firstArg"/> on. Returns the number of
    /// values pushed onto the caller's stack (results or yielded values), or -1 after pushing an error value.
    /// <paramref name="slotsInUse"/> is how many stack slots the calling host function keeps (the reference counts
    /// them against its 8000-slot limit when it makes room for the results).
    /// </summary>
    private static int AuxResume(LuauCallContext c, LuauThread co, int firstArg, int slotsInUse)
    {
        var caller = c.Thread;
        if (co.Status != CoroutineStatus.Suspended || co == caller)
        {
            c.Push(LuauString.FromUtf8($"cannot resume {StatusName(caller, co)} coroutine"));
            return -1;
        }
        int nargs = Math.Max(c.ArgumentCount - firstArg + 1, 0);
        co.EnsureStack(co.Top + nargs);
        for (int i = 0; i < nargs; i++)
            co.Stack[co.Top++] = c[firstArg + i];
        var status = Interpreter.Resume(co, caller, nargs, out int n);
        int from = co.Top - n;
        // The results, plus the status boolean resume adds, must fit in the caller's host stack.
        if (status != Interpreter.ResumeStatus.Error && slotsInUse + n + 1 > LuauThread.MaxHostStack)
        {
            co.Top = from;
            Array.Clear(co.Stack, from, n);
            throw new LuauError("too many results to resume");
        }
        caller.EnsureStack(caller.Top + n + 1);
        for (int i = 0; i < n; i++)
            caller.Stack[caller.Top++] = co.Stack[from + i];
        co.Top = from;
        // Drop references to values the finished coroutine no longer needs.
        if (status == Interpreter.ResumeStatus.Finished)
            Array.Clear(co.Stack, from, n);
        return status == Interpreter.ResumeStatus.Error ? -1 : n;
    }

    private static int Resume(LuauCallContext c)
    {
        var co = c.CheckThread(1);
        var thread = c.Thread;
        int n = AuxResume(c, co, 2, slotsInUse: 1);
        if (n < 0)
        {
            var error = thread.Stack[thread.Top - 1];
            thread.Top--;
            return c.Return(false, error);
        }
        // Insert 'true' before the n values on top.
        thread.EnsureStack(thread.Top + 1);
        var stack = thread.Stack;
        Array.Copy(stack, thread.Top - n, stack, thread.Top - n + 1, n);
        stack[thread.Top - n] = LuauValue.True;
        thread.Top++;
        return n + 1;
    }

    private static int Wrap(LuauCallContext c)
    {
        var co = NewCoroutine(c);
        // Unnamed, as in the reference: a traceback shows the frame as a bare "[C]".
        return c.Return(new LuauValue(new HostFunction("", wc =>
        {
            int n = AuxResume(wc, co, 1, slotsInUse: 0);
            if (n >= 0)
                return n;
            var thread = wc.Thread;
            var error = thread.Stack[--thread.Top];
            if (error.Type is LuauType.String or LuauType.Number)
            {
                // Errors pass through with the caller's position added, as the reference does.
                var text = error.Type == LuauType.String ? error.AsString! : Interpreter.NumberToString(error.Number);
                error = LuauString.FromUtf8(Interpreter.Where(thread, 1) + text);
            }
            throw new LuauRuntimeException(error);
        })));
    }

    private static int Yield(LuauCallContext c) => c.Yield(c.ArgumentCount);

    private static int Running(LuauCallContext c)
    {
        var thread = c.Thread;
        return thread == c.State.MainThread ? c.Return(LuauValue.Nil) : c.Return(new LuauValue(thread));
    }

    private static int Status(LuauCallContext c)
    {
        var co = c.CheckThread(1);
        return c.Return(StatusName(c.Thread, co));
    }

    private static int IsYieldable(LuauCallContext c)
    {
        var t = c.Thread;
        return c.Return(t.YieldableDepth > 0 && t.HostCallDepth <= t.YieldableDepth);
    }

    private static int Close(LuauCallContext c)
    {
        var co = c.CheckThread(1);
        string status = StatusName(c.Thread, co);
        if (status is not ("suspended" or "dead"))
            throw new LuauError($"cannot close {status} coroutine");
        var error = co.DeathError;
        co.Reset();
        return error is { } e ? c.Return(false, e) : c.Return(true);
    }
}
