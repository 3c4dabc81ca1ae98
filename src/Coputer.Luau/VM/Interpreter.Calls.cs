using System.Runtime.CompilerServices;
using static Coputer.Luau.Bytecode.Instruction;

namespace Coputer.Luau.VM;

internal static partial class Interpreter
{
    /// <summary>Pushes a frame for a Luau closure at stack[<paramref name="func"/>] with arguments up to <paramref name="argTop"/>.</summary>
    internal static void EnterLuau(LuauThread L, int func, int argTop, int nresults, LuauClosure cl, FrameFlags flags)
    {
        var p = cl.Proto;
        int bse = func + 1;
        L.EnsureStack(Math.Max(argTop, bse + p.NumParams) + p.MaxStackSize);
        ref var f = ref L.PushFrame();
        f.Func = func;
        f.Base = bse;
        f.Top = bse + p.MaxStackSize;
        f.SavedPc = 0;
        f.NResults = nresults;
        f.Closure = cl;
        f.Host = null;
        f.Flags = flags;
        var stack = L.Stack;
        int argEnd = bse + p.NumParams;
        for (int i = argTop; i < argEnd; i++)
            stack[i] = default;
        L.Top = p.IsVararg ? Math.Max(argTop, argEnd) : f.Top;
    }

    /// <summary>
    /// Calls a host function whose arguments are on the stack, in a frame of its own. Returns false if it yielded
    /// (the frame then stays, flagged, until the thread is resumed).
    /// </summary>
    internal static bool CallHost(LuauThread L, HostFunction host, int func, int argTop, int nresults, FrameFlags flags)
    {
        L.EnsureStack(argTop + LuauThread.MinStack);
        ref var f = ref L.PushFrame();
        f.Func = func;
        f.Base = func + 1;
        f.Top = argTop + LuauThread.MinStack;
        f.SavedPc = 0;
        f.NResults = nresults;
        f.Closure = null;
        f.Host = host;
        f.Flags = flags;
        L.Top = argTop;
        int n = host.Callback(new LuauCallContext(L, func + 1, argTop - func - 1));
        return HandleHostResult(L, n);
    }

    /// <summary>
    /// Acts on what the host function on top returned: results (return them), a yield (flag the frame and report
    /// false), or a yieldable call request (start the call). Returns false when the thread must yield.
    /// </summary>
    private static bool HandleHostResult(LuauThread L, int n)
    {
        if (n >= 0)
            return ReturnFromHost(L, L.Top - n, L.Top);
        if (n == YieldSignal)
        {
            L.Frames[L.FrameIndex].Flags |= FrameFlags.Yielded;
            return false;
        }
        return StartHostCall(L);
    }

    /// <summary>
    /// Starts the call a host function asked for with <see cref="LuauCallContext.CallYieldable"/>: the function and
    /// its arguments are the top values of its frame. The callee runs as an ordinary frame (so it may yield); when it
    /// returns, the host function's continuation runs. Returns false when the thread must yield.
    /// </summary>
    private static bool StartHostCall(LuauThread L)
    {
        int nargs = L.PendingCallArgs;
        int nresults = L.PendingCallResults;
        ref var h = ref L.Frames[L.FrameIndex];
        int func = L.Top - nargs - 1;
        h.AwaitFunc = func;
        if (L.PendingCallProtected)
            h.Flags |= FrameFlags.HostProtected;
        int argTop = L.Top;
        if (L.Stack[func].Type_ != LuauType.Function)
            argTop = TryFuncTM(L, func, argTop);
        var fn = L.Stack[func].O;
        if (fn is LuauClosure cl)
        {
            EnterLuau(L, func, argTop, nresults, cl, FrameFlags.ContinueHost);
            return true;
        }
        return CallHost(L, (HostFunction)fn!, func, argTop, nresults, FrameFlags.ContinueHost);
    }

    /// <summary>
    /// Calls the host function at stack[<paramref name="func"/>] as the entry of an execution (a frame flagged
    /// Return). <c>pcall</c> and <c>xpcall</c> become protected frames, so a coroutine whose body is one of them can
    /// yield inside. Returns false when the thread must yield.
    /// </summary>
    private static bool EnterHostEntry(LuauThread L, int func, int argTop, int nresults)
    {
        var host = (HostFunction)L.Stack[func].O!;
        if (host.Special != SpecialFunction.None)
        {
            int r = EnterSpecial(L, host, func, argTop, nresults, FrameFlags.Return);
            if (r >= 0)
                return r > 0;
        }
        return CallHost(L, host, func, argTop, nresults, FrameFlags.Return);
    }

    /// <summary>Runs the continuation of the host frame on top with <paramref name="status"/>; false when the thread must yield.</summary>
    private static bool Continue(LuauThread L, LuauCallStatus status)
    {
        ref var h = ref L.Frames[L.FrameIndex];
        h.Flags &= ~(FrameFlags.HostProtected | FrameFlags.Yielded);
        var continuation = h.Host!.Continuation;
        int bse = h.Base;
        if (continuation is null)
        {
            // Without a continuation the values on top are the host function's results.
            return ReturnFromHost(L, status == LuauCallStatus.Ok ? h.AwaitFunc : L.Top - 1, L.Top);
        }
        int n = continuation(new LuauCallContext(L, bse, L.Top - bse), status);
        return HandleHostResult(L, n);
    }

    /// <summary>
    /// Returns from the host frame on top with the values in [<paramref name="first"/>, <paramref name="last"/>),
    /// adjusting them to the number of results the caller wants, then completes whatever the frame's flags ask.
    /// </summary>
    internal static bool ReturnFromHost(LuauThread L, int first, int last)
    {
        int ci = L.FrameIndex;
        ref var f = ref L.Frames[ci];
        int res = f.Func;
        int nresults = f.NResults;
        var flags = f.Flags;
        var stack = L.Stack;
        int count = last - first;
        if (nresults < 0)
        {
            Array.Copy(stack, first, stack, res, count);
            L.Top = res + count;
        }
        else
        {
            int i = 0;
            for (; i < nresults && i < count; i++)
                stack[res + i] = stack[first + i];
            for (; i < nresults; i++)
                stack[res + i] = default;
            ref var caller = ref L.Frames[ci - 1];
            L.Top = (flags & FrameFlags.Return) == 0 && caller.Closure is not null ? caller.Top : res + nresults;
        }
        f.Host = null;
        L.FrameIndex = ci - 1;
        if ((flags & (FrameFlags.ProtectedBody | FrameFlags.ForLoopIterator | FrameFlags.ContinueHost)) != 0)
            return FinishFlaggedReturn(L, flags, res, nresults);
        return true;
    }

    /// <summary>
    /// Completes the operation that was waiting for a frame that just returned its results (<paramref name="nresults"/>
    /// of them, or all for -1) to <paramref name="res"/>. Returns false when the thread must yield.
    /// </summary>
    private static bool FinishFlaggedReturn(LuauThread L, FrameFlags flags, int res, int nresults)
    {
        if ((flags & FrameFlags.ProtectedBody) != 0)
        {
            // The body's results are at res..Top; the slot before them takes 'true'.
            L.Stack[res - 1] = LuauValue.True;
            return ReturnFromHost(L, res - 1, L.Top);
        }
        if ((flags & FrameFlags.ContinueHost) != 0)
        {
            if (nresults >= 0)
                L.Top = res + nresults;
            return Continue(L, LuauCallStatus.Ok);
        }
        else if ((flags & FrameFlags.ForLoopIterator) != 0)
        {
            ref var caller = ref L.Frames[L.FrameIndex];
            // SavedPc points at the FORGLOOP's AUX word; the loop instruction is just before it.
            uint insn = caller.Closure!.Proto.Code[caller.SavedPc - 1];
            int ra = caller.Base + A(insn);
            var stack = L.Stack;
            stack[ra + 2] = stack[ra + 3];
            caller.SavedPc += stack[ra + 3].Type_ == LuauType.Nil ? 1 : D(insn);
            L.Top = caller.Top;
        }
        return true;
    }

    /// <summary>
    /// Runs <c>pcall</c>/<c>xpcall</c> inside the interpreter: a protected frame, then the body called as an ordinary
    /// frame. Returns 1 when frames were set up (continue the loop), 0 when the body yielded, -1 when the special path
    /// does not apply (bad arguments: the ordinary host function reports them).
    /// </summary>
    private static int EnterSpecial(LuauThread L, HostFunction host, int func, int argTop, int nresults, FrameFlags extraFlags = FrameFlags.None)
    {
        int nargs = argTop - func - 1;
        int body;
        var flags = FrameFlags.Protected | extraFlags;
        if (host.Special == SpecialFunction.Pcall)
        {
            if (nargs < 1)
                return -1;
            body = func + 1;
        }
        else
        {
            if (nargs < 2 || L.Stack[func + 2].Type_ != LuauType.Function)
                return -1;
            // Swap the function and the handler: the handler waits in the slot before the body.
            (L.Stack[func + 1], L.Stack[func + 2]) = (L.Stack[func + 2], L.Stack[func + 1]);
            body = func + 2;
            flags |= FrameFlags.HasErrorHandler;
        }

        L.EnsureStack(argTop + LuauThread.MinStack);
        ref var f = ref L.PushFrame();
        f.Func = func;
        f.Base = func + 1;
        f.Top = argTop + LuauThread.MinStack;
        f.SavedPc = 0;
        f.NResults = nresults;
        f.Closure = null;
        f.Host = host;
        f.Flags = flags;
        L.Top = argTop;

        // From here on errors unwind to the protected frame just pushed.
        if (L.Stack[body].Type_ != LuauType.Function)
            argTop = TryFuncTM(L, body, argTop);
        var fn = L.Stack[body].O;
        if (fn is LuauClosure cl)
        {
            EnterLuau(L, body, argTop, -1, cl, FrameFlags.ProtectedBody);
            return 1;
        }
        var bodyHost = (HostFunction)fn!;
        // pcall(pcall, ...) nests protected frames instead of recursing, so yields still work inside.
        if (bodyHost.Special != SpecialFunction.None)
        {
            int r = EnterSpecial(L, bodyHost, body, argTop, -1, FrameFlags.ProtectedBody);
            if (r >= 0)
                return r;
        }
        return CallHost(L, bodyHost, body, argTop, -1, FrameFlags.ProtectedBody) ? 1 : 0;
    }

    /// <summary>
    /// Calls a loop's generator (at <paramref name="func"/>, with two arguments after it) for FORGLOOP, without
    /// recursion, so the generator may yield. Returns false if it yielded.
    /// </summary>
    private static bool CallIterator(LuauThread L, int func, int nresults)
    {
        int argTop = func + 3;
        if (L.Stack[func].Type_ != LuauType.Function)
            argTop = TryFuncTM(L, func, argTop);
        var fn = L.Stack[func].O;
        if (fn is LuauClosure cl)
        {
            EnterLuau(L, func, argTop, nresults, cl, FrameFlags.ForLoopIterator);
            return true;
        }
        return CallHost(L, (HostFunction)fn!, func, argTop, nresults, FrameFlags.ForLoopIterator);
    }

    /// <summary>
    /// Makes a non-function at stack[<paramref name="func"/>] callable through its <c>__call</c> metamethod: the
    /// metamethod takes its place and the value becomes the first argument. Returns the new argument top.
    /// </summary>
    internal static int TryFuncTM(LuauThread L, int func, int argTop)
    {
        var v = L.Stack[func];
        var tm = GetTmByObj(L.State, in v, TagMethod.Call);
        if (tm.Type_ != LuauType.Function)
            throw new RuntimeError($"attempt to call a {ObjectTypeName(L.State, v)} value");
        L.EnsureStack(argTop + 1);
        var stack = L.Stack;
        Array.Copy(stack, func, stack, func + 1, argTop - func);
        stack[func] = tm;
        return argTop + 1;
    }

    // ---- calls that nest (metamethods, host functions calling back, the host API) ----

    /// <summary>
    /// Calls the function at stack[<paramref name="func"/>] with the arguments up to the stack top, running it to
    /// completion in a nested interpreter loop. Results are left from <paramref name="func"/> on
    /// (<paramref name="nresults"/> of them, or all for -1, with the top after them). The call cannot yield.
    /// </summary>
    internal static void Call(LuauThread L, int func, int nresults)
    {
        L.HostCallDepth++;
        try
        {
            if (L.HostCallDepth >= LuauThread.MaxHostCalls)
                CheckHostStack(L);
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw new RuntimeError("C stack overflow");
            int argTop = L.Top;
            if (L.Stack[func].Type_ != LuauType.Function)
                argTop = TryFuncTM(L, func, argTop);
            var fn = L.Stack[func].O;
            if (fn is LuauClosure cl)
            {
                EnterLuau(L, func, argTop, nresults, cl, FrameFlags.Return);
                Execute(L);
            }
            else
            {
                Execute(L, ExecuteStart.CallHost, func, argTop, nresults);
            }
        }
        catch (Exception) when (NoteErrorDepth(L))
        {
            // Never entered: the filter only records the depth of the failing call before 'finally' unwinds it.
            throw;
        }
        finally
        {
            L.HostCallDepth--;
        }
    }

    /// <summary>
    /// Exception filter (runs before any 'finally' unwinds the depth): remembers how deeply host-level calls were
    /// nested where the error was raised, for xpcall handlers. Always false.
    /// </summary>
    private static bool NoteErrorDepth(LuauThread L)
    {
        if (L.PendingErrorDepth < 0)
            L.PendingErrorDepth = L.HostCallDepth;
        return false;
    }

    private static void CheckHostStack(LuauThread L)
    {
        const int hardLimit = LuauThread.MaxHostCalls + (LuauThread.MaxHostCalls >> 3);
        if (L.HostCallDepth == LuauThread.MaxHostCalls)
            throw new RuntimeError("C stack overflow");
        if (L.HostCallDepth >= hardLimit)
            throw LuauRuntimeException.ErrorInErrorHandling();
    }

    /// <summary>Calls <paramref name="function"/> with <paramref name="args"/>; returns <paramref name="nresults"/> results (all for -1).</summary>
    internal static LuauValue[] CallValue(LuauThread L, LuauValue function, ReadOnlySpan<LuauValue> args, int nresults)
    {
        int func = L.Top;
        L.EnsureStack(func + 1 + args.Length);
        var stack = L.Stack;
        stack[func] = function;
        args.CopyTo(stack.AsSpan(func + 1));
        L.Top = func + 1 + args.Length;
        Call(L, func, nresults);
        int n = L.Top - func;
        var results = n == 0 ? [] : L.Stack.AsSpan(func, n).ToArray();
        L.Top = func;
        return results;
    }

    /// <summary>Calls a metamethod with two arguments and returns its first result (the reference's callTMres).</summary>
    internal static LuauValue CallTMRes(LuauThread L, in LuauValue tm, in LuauValue a, in LuauValue b)
    {
        int func = Math.Max(L.Top, L.Frames[L.FrameIndex].Top);
        L.EnsureStack(func + 3);
        var stack = L.Stack;
        stack[func] = tm;
        stack[func + 1] = a;
        stack[func + 2] = b;
        int savedTop = L.Top;
        L.Top = func + 3;
        Call(L, func, 1);
        var r = L.Stack[func];
        L.Top = savedTop;
        return r;
    }

    /// <summary>
    /// Calls the Luau metamethod <paramref name="mcl"/> with two arguments as a frame of the running loop rather than
    /// in a nested one (which <see cref="CallTMRes"/> does): the frame's return writes its first result to
    /// stack[<paramref name="dest"/>]. It counts as a nested call while it runs, as there, so the depth limit, the
    /// refusal of yields and the depth recorded with errors stay the same. Returns false, doing nothing, where the
    /// nested call must be made instead: when the stack top is not the frame's top (CallTMRes would start the call
    /// above it) and near the depth limit (Call raises the error there).
    /// </summary>
    internal static bool EnterMetamethod(LuauThread L, LuauClosure mcl, in LuauValue a, in LuauValue b, int dest)
    {
        int func = L.Frames[L.FrameIndex].Top;
        if (L.Top != func || L.HostCallDepth + 1 >= LuauThread.MaxHostCalls)
            return false;
        L.EnsureStack(func + 3);
        var stack = L.Stack;
        stack[func] = new LuauValue(mcl);
        stack[func + 1] = a;
        stack[func + 2] = b;
        L.Top = func + 3;
        L.HostCallDepth++;
        bool entered = false;
        try
        {
            EnterLuau(L, func, func + 3, 1, mcl, FrameFlags.MetaResult);
            entered = true;
        }
        catch (Exception) when (NoteErrorDepth(L))
        {
            // Never entered (see Call).
            throw;
        }
        finally
        {
            if (!entered)
                L.HostCallDepth--;
        }
        L.Frames[L.FrameIndex].AwaitFunc = dest;
        return true;
    }

    /// <summary>
    /// Clears the frames above <paramref name="frameIndex"/> and makes it the running one; each metamethod frame
    /// entered by the loop that goes (see <see cref="EnterMetamethod"/>) gives back its nesting depth.
    /// </summary>
    private static void PopFramesTo(LuauThread L, int frameIndex)
    {
        for (int j = L.FrameIndex; j > frameIndex; j--)
        {
            if ((L.Frames[j].Flags & FrameFlags.MetaResult) != 0)
                L.HostCallDepth--;
            L.Frames[j] = default;
        }
        L.FrameIndex = frameIndex;
    }

    /// <summary>Calls a metamethod with three arguments and no results (the reference's callTM, for __newindex).</summary>
    internal static void CallTM(LuauThread L, in LuauValue tm, in LuauValue a, in LuauValue b, in LuauValue c)
    {
        int func = Math.Max(L.Top, L.Frames[L.FrameIndex].Top);
        L.EnsureStack(func + 4);
        var stack = L.Stack;
        stack[func] = tm;
        stack[func + 1] = a;
        stack[func + 2] = b;
        stack[func + 3] = c;
        int savedTop = L.Top;
        L.Top = func + 4;
        Call(L, func, 0);
        L.Top = savedTop;
    }

    // ---- yields and resumes ----

    internal static void RequestYield(LuauThread L, int count)
    {
        if (L.YieldableDepth == 0 || L.HostCallDepth > L.YieldableDepth || L.Status != CoroutineStatus.Running)
            throw new RuntimeError("attempt to yield across metamethod/C-call boundary");
        L.YieldCount = count;
    }

    /// <summary>The outcome of <see cref="Resume(LuauThread, LuauThread?, int, out int)"/>.</summary>
    internal enum ResumeStatus
    {
        Finished,
        Yielded,
        Error,
    }

    /// <summary>
    /// Resumes <paramref name="co"/> from <paramref name="from"/> with the <paramref name="nargs"/> values on top of
    /// <paramref name="co"/>'s stack. On return the results (or yielded values, or the error value alone) are the top
    /// values of <paramref name="co"/>'s stack, counted by the returned count.
    /// </summary>
    internal static ResumeStatus Resume(LuauThread co, LuauThread? from, int nargs, out int resultCount) =>
        Resume(co, from, nargs, false, out resultCount);

    /// <summary>
    /// Resumes <paramref name="co"/> by raising the value on top of its stack as an error at the point where it
    /// yielded (the reference's lua_resumeerror): a <c>pcall</c> inside the coroutine may catch it; otherwise the
    /// coroutine dies with it.
    /// </summary>
    internal static ResumeStatus ResumeError(LuauThread co, LuauThread? from, out int resultCount) =>
        Resume(co, from, 1, true, out resultCount);

    private static ResumeStatus Resume(LuauThread co, LuauThread? from, int nargs, bool raise, out int resultCount)
    {
        // Each resume nests a interpreter loop on the .NET stack: refuse it when the depth limit or the thread's
        // actual stack (which may be small: 1 MB on Windows, less on some hosts' worker threads) would be passed.
        if ((from is not null && from.HostCallDepth >= LuauThread.MaxHostCalls) || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            co.EnsureStack(co.Top + 1);
            co.Top -= nargs;
            co.Stack[co.Top++] = LuauString.FromUtf8("C stack overflow");
            resultCount = 1;
            return ResumeStatus.Error;
        }
        co.Status = CoroutineStatus.Running;
        co.ResumedBy = from;
        var previousRunning = co.State.RunningThread;
        co.State.RunningThread = co;
        if (from is not null && from != co)
            from.Status = CoroutineStatus.Normal;
        int savedDepth = co.HostCallDepth;
        int savedYieldable = co.YieldableDepth;
        co.HostCallDepth = (from?.HostCallDepth ?? 0) + 1;
        co.YieldableDepth = co.HostCallDepth;
        try
        {
            bool done;
            if (co.FrameIndex == 0)
            {
                // First resume: the function sits just below the arguments.
                int func = co.Top - nargs - 1;
                var fn = co.Stack[func].O;
                if (fn is LuauClosure cl)
                {
                    EnterLuau(co, func, co.Top, -1, cl, FrameFlags.Return);
                    done = Execute(co);
                }
                else
                {
                    done = Execute(co, ExecuteStart.CallHost, func, co.Top, -1);
                }
            }
            else
            {
                done = Execute(co, raise ? ExecuteStart.ResumeError : ExecuteStart.Resume, nargs, 0, 0);
            }

            if (done)
            {
                co.Status = CoroutineStatus.Dead;
                resultCount = co.Top - co.Frames[0].Base;
                return ResumeStatus.Finished;
            }
            co.Status = CoroutineStatus.Suspended;
            resultCount = co.YieldCount;
            return ResumeStatus.Yielded;
        }
        catch (Exception e) when (e is not LuauTerminatedException)
        {
            var error = Normalize(co, e);
            co.Status = CoroutineStatus.Dead;
            co.DeathError = error.Value;
            co.EnsureStack(co.Top + 1);
            co.Stack[co.Top++] = error.Value;
            resultCount = 1;
            return ResumeStatus.Error;
        }
        catch (LuauTerminatedException e)
        {
            // The script is being stopped (budget, cancellation): the coroutine can never continue.
            co.Status = CoroutineStatus.Dead;
            co.DeathError = LuauString.FromUtf8(e.Message);
            throw;
        }
        finally
        {
            co.HostCallDepth = savedDepth;
            co.YieldableDepth = savedYieldable;
            co.ResumedBy = null;
            co.State.RunningThread = previousRunning;
            if (from is not null && from != co)
                from.Status = CoroutineStatus.Running;
        }
    }

    /// <summary>
    /// Finishes the host call that yielded (its results are the resume arguments, or what its continuation returns),
    /// or, when a Luau frame yielded from an interrupt, just drops the arguments. Returns false if it yielded again;
    /// true when there is Luau code to run, or the body finished (frame 0 on top).
    /// </summary>
    private static bool ContinueAfterYield(LuauThread co, int nargs)
    {
        ref var f = ref co.Frames[co.FrameIndex];
        if (f.Closure is not null)
        {
            co.Top -= nargs;
            return true;
        }
        if (f.Host!.Continuation is null)
        {
            f.Flags &= ~FrameFlags.Yielded;
            return ReturnFromHost(co, co.Top - nargs, co.Top);
        }
        return Continue(co, LuauCallStatus.Ok);
    }

    // ---- safepoints ----

    /// <summary>
    /// The steps a loop back-edge charges: the length of the code it jumps over (the loop's body), at least one.
    /// Branch-free: |d| for a backward jump, d + 1 for a forward one (only long jumps and hostile bytecode).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int JumpWeight(int d) => ((d >> 31) ^ d) + 1;

    /// <summary>
    /// The slow path of a safepoint: runs the interrupt handler and checks limits. Returns true when the thread must
    /// yield now; then the frame is set to re-run the current instruction when resumed.
    /// </summary>
    private static bool Safepoint(LuauThread L, int pc)
    {
        var state = L.State;
        if (state.OnSafepoint(L))
        {
            RequestYield(L, 0);
            L.Frames[L.FrameIndex].SavedPc = pc - 1;
            return true;
        }
        return false;
    }

    // ---- errors ----

    /// <summary>
    /// Turns any exception into a Luau error value, adding the position prefix the reference adds:
    /// <see cref="RuntimeError"/> gets the running Luau function's position, <see cref="LuauError"/> (from host
    /// code) its caller's.
    /// </summary>
    internal static LuauRuntimeException Normalize(LuauThread L, Exception e)
    {
        var error = NormalizeValue(L, e);
        if (error.HostCallDepth < 0)
            error.HostCallDepth = Math.Max(L.HostCallDepth, L.PendingErrorDepth);
        L.PendingErrorDepth = -1;
        return error;
    }

    private static LuauRuntimeException NormalizeValue(LuauThread L, Exception e)
    {
        switch (e)
        {
            case LuauRuntimeException r:
                return r;
            case RuntimeError re:
                return new LuauRuntimeException(LuauString.FromUtf8(Where(L, 0) + re.Message), LuauErrorKind.Runtime, re);
            case PlainError pe:
                return new LuauRuntimeException(LuauString.FromUtf8(pe.Message), LuauErrorKind.Runtime, pe);
            case LuauError le:
                return new LuauRuntimeException(LuauString.FromUtf8(Where(L, 1) + le.MessageFor(RunningHostName(L))), LuauErrorKind.Runtime, le);
            case InsufficientExecutionStackException:
                return new LuauRuntimeException(LuauString.FromUtf8(Where(L, 0) + "C stack overflow"), LuauErrorKind.Runtime, e);
            case OutOfMemoryException:
                return LuauRuntimeException.OutOfMemory();
            default:
                // An exception from host code: its message becomes the error, as the reference does for C++ exceptions.
                return new LuauRuntimeException(LuauString.FromUtf8(e.Message), LuauErrorKind.Runtime, e);
        }
    }

    /// <summary>The name of the running host function for argument errors (the method name for <c>__namecall</c>).</summary>
    private static string? RunningHostName(LuauThread L)
    {
        var host = L.Frames[L.FrameIndex].Host;
        if (host is null)
            return null;
        if (host.Name == "__namecall")
            return L.NameCall?.ToString();
        return host.Name.Length == 0 ? null : host.Name;
    }

    /// <summary>
    /// "chunk:line: " of the function <paramref name="level"/> frames below the running one (0 = the running one),
    /// or empty when that is not a Luau function (the reference's luaL_where).
    /// </summary>
    internal static string Where(LuauThread L, int level)
    {
        int i = L.FrameIndex - level;
        if (i <= 0)
            return "";
        ref var f = ref L.Frames[i];
        if (f.Closure is null)
            return "";
        var p = f.Closure.Proto;
        int line = p.GetLine(f.SavedPc - 1);
        if (line <= 0)
            return "";
        return $"{ChunkId(p.Source)}:{line}: ";
    }

    /// <summary>What <see cref="TryCatch"/> did with an error.</summary>
    internal enum CatchResult
    {
        /// <summary>No frame of this execution catches it: it propagates.</summary>
        NotCaught,

        /// <summary>Caught; execution continues.</summary>
        Caught,

        /// <summary>Caught by a host continuation that then yielded.</summary>
        Yielded,
    }

    /// <summary>
    /// Unwinds to the nearest frame of this execution that catches errors: a <c>pcall</c>/<c>xpcall</c> frame above
    /// <paramref name="entry"/> (which then returns false and the error), or a host frame waiting on a protected
    /// yieldable call (whose continuation then runs with the error).
    /// </summary>
    internal static CatchResult TryCatch(LuauThread L, int entry, LuauRuntimeException error)
    {
        for (int i = L.FrameIndex; i >= entry; i--)
        {
            var flags = L.Frames[i].Flags;
            bool pcallFrame = (flags & FrameFlags.Protected) != 0;
            if (!pcallFrame && (flags & FrameFlags.HostProtected) == 0)
                continue;
            // Like the reference, the hook only hears of errors raised where the thread could yield (not inside metamethods).
            if (L.State.ProtectedErrorHook is { } hook && L.YieldableDepth > 0 && Math.Max(error.HostCallDepth, L.HostCallDepth) <= L.YieldableDepth)
                hook(L);
            var value = error.Value;
            if ((flags & FrameFlags.HasErrorHandler) != 0 && pcallFrame)
                value = CallErrorHandler(L, L.Stack[L.Frames[i].Func + 1], value, error.Kind, error.HostCallDepth);
            else if (error.Kind == LuauErrorKind.ErrorInErrorHandling)
                value = LuauString.FromUtf8("error in error handling");
            // The slot results go to: after the pcall frame's function, or where the host's callee was.
            int level = pcallFrame ? L.Frames[i].Func + 1 : L.Frames[i].AwaitFunc;
            L.CloseUpvalues(level);
            PopFramesTo(L, i);
            L.RecoverFromOverflow();
            if (pcallFrame)
            {
                int func = L.Frames[i].Func;
                L.EnsureStack(func + 2);
                L.Stack[func] = LuauValue.False;
                L.Stack[func + 1] = value;
                return ReturnFromHost(L, func, func + 2) ? CatchResult.Caught : CatchResult.Yielded;
            }
            L.Top = level;
            L.Push(in value);
            return Continue(L, LuauCallStatus.Error) ? CatchResult.Caught : CatchResult.Yielded;
        }
        return CatchResult.NotCaught;
    }

    /// <summary>
    /// Pops every frame above <paramref name="frameIndex"/> after an error was caught by host code, closing the
    /// upvalues of the abandoned registers from <paramref name="level"/> up.
    /// </summary>
    internal static void UnwindTo(LuauThread L, int frameIndex, int level)
    {
        L.CloseUpvalues(level);
        PopFramesTo(L, frameIndex);
        L.Top = level;
        L.RecoverFromOverflow();
    }

    /// <summary>Runs an <c>xpcall</c> handler for an error caught by host code (the failing frames are still there).</summary>
    internal static LuauValue CallHandlerAtErrorPoint(LuauThread L, LuauValue handler, LuauRuntimeException error) =>
        CallErrorHandler(L, handler, error.Value, error.Kind, error.HostCallDepth);

    /// <summary>Runs an <c>xpcall</c> handler at the error point (the failing frames are still on the stack).</summary>
    private static LuauValue CallErrorHandler(LuauThread L, LuauValue handler, LuauValue error, LuauErrorKind kind, int errorDepth)
    {
        int func = Math.Max(L.Top, L.Frames[L.FrameIndex].Top);
        int savedFrame = L.FrameIndex;
        // The handler runs as if at the error point: nested as deeply as the failing code was, as in the reference.
        int savedDepth = L.HostCallDepth;
        L.HostCallDepth = Math.Max(savedDepth, errorDepth);
        LuauRuntimeException inner;
        try
        {
            L.EnsureStack(func + 2);
            L.Stack[func] = handler;
            L.Stack[func + 1] = error;
            L.Top = func + 2;
            Call(L, func, 1);
            return L.Stack[func];
        }
        catch (Exception e) when (e is not LuauTerminatedException)
        {
            inner = Normalize(L, e);
        }
        finally
        {
            L.HostCallDepth = savedDepth;
        }
        for (int j = L.FrameIndex; j > savedFrame; j--)
            L.Frames[j] = default;
        L.FrameIndex = savedFrame;
        return kind == LuauErrorKind.Memory && inner.Kind == LuauErrorKind.Memory
            ? inner.Value
            : LuauString.FromUtf8("error in error handling");
    }
}
