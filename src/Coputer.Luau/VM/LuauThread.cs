using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>
/// A Luau thread (coroutine): its own value stack and call frames, sharing the state's globals and heap. The main
/// thread of a <see cref="LuauState"/> is one too.
/// </summary>
public sealed class LuauThread : LuauObject
{
    /// <summary>Slots guaranteed to a host function beyond its arguments.</summary>
    internal const int MinStack = 20;

    /// <summary>The most nested calls (the reference's LUAI_MAXCALLS): beyond it, "stack overflow".</summary>
    internal const int MaxCalls = 20000;

    /// <summary>The most nested host-level calls (metamethods, host functions calling back): beyond it, "C stack overflow".</summary>
    internal const int MaxHostCalls = 200;

    /// <summary>The most stack slots a host function may use (the reference's LUAI_MAXCSTACK).</summary>
    internal const int MaxHostStack = 8000;

    /// <summary>The most stack slots a thread may use.</summary>
    internal const int MaxStackSlots = 1 << 21;

    internal readonly LuauState State;
    internal LuauValue[] Stack;
    internal int Top;
    internal CallFrame[] Frames;

    /// <summary>The frame index at which <see cref="PushFrame"/> must grow the array or report an overflow.</summary>
    private int _frameEnd;

    /// <summary>Inside the allowance past <see cref="MaxCalls"/> that lets a handler run after a stack overflow.</summary>
    private bool _overflowing;
    internal int FrameIndex;

    /// <summary>The thread's global table (the environment of code loaded on it).</summary>
    internal LuauTable Globals;

    /// <summary>Open upvalues, highest stack index first.</summary>
    internal Upvalue? OpenUpvalues;

    internal CoroutineStatus Status;

    /// <summary>Nested host-level calls in progress on this thread (the reference's nCcalls).</summary>
    internal int HostCallDepth;

    /// <summary>A yieldable call a host function asked for: argument and result counts, and whether it is protected.</summary>
    internal int PendingCallArgs;
    internal int PendingCallResults;
    internal bool PendingCallProtected;

    /// <summary>The host-call depth where the error being propagated was raised, or -1 (see Interpreter.NoteErrorDepth).</summary>
    internal int PendingErrorDepth = -1;

    /// <summary>Yields are allowed only while <see cref="HostCallDepth"/> equals this (the reference's baseCcalls).</summary>
    internal int YieldableDepth;

    /// <summary>The method name of the NAMECALL in progress, for <c>__namecall</c> host functions.</summary>
    internal LuauString? NameCall;

    /// <summary>Set by a host function asking to yield; read by the interpreter.</summary>
    internal bool YieldRequested;

    /// <summary>The number of values a pending yield passes out (they are the top of the stack).</summary>
    internal int YieldCount;

    /// <summary>When the thread died from an error, that error (for <c>coroutine.close</c>).</summary>
    internal LuauValue? DeathError;

    /// <summary>The thread that resumed this one while it runs.</summary>
    internal LuauThread? ResumedBy;

    /// <summary>The task this thread is the coroutine of, while the task has not completed.</summary>
    internal LuauTask? Task;

    internal LuauThread(LuauState state, LuauTable globals)
    {
        State = state;
        Globals = globals;
        Stack = new LuauValue[2 * MinStack + 8];
        Frames = new CallFrame[8];
        _frameEnd = Frames.Length;
        // Frame 0 stands for the host: slot 0 is its function slot, values pushed by the host start at 1.
        Frames[0] = new CallFrame { Func = 0, Base = 1, Top = 1 + MinStack, NResults = -1 };
        Top = 1;
        Status = CoroutineStatus.Suspended;
    }

    /// <summary>The state this thread belongs to.</summary>
    public LuauState Owner => State;

    /// <summary>The thread's global table: the environment code loaded for this thread normally gets.</summary>
    public LuauTable Environment
    {
        get => Globals;
        set => Globals = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The coroutine status of this thread.</summary>
    public CoroutineStatus CoroutineStatus => Status;

    internal ref CallFrame CurrentFrame => ref Frames[FrameIndex];

    /// <summary>Empties the thread and marks it dead (<c>coroutine.close</c>): frames, stack and open upvalues.</summary>
    internal void Reset()
    {
        CloseUpvalues(0);
        Array.Clear(Stack);
        for (int i = 1; i <= FrameIndex; i++)
            Frames[i] = default;
        FrameIndex = 0;
        Top = 1;
        Status = CoroutineStatus.Dead;
        DeathError = null;
    }

    // ---- stack ----

    /// <summary>Makes sure stack slots below <paramref name="top"/> exist (plus a small margin).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EnsureStack(int top)
    {
        if (top + 5 > Stack.Length)
            GrowStack(top + 5);
    }

    /// <summary>Like <see cref="EnsureStack"/>, but reports failure instead of raising "stack overflow".</summary>
    internal bool TryEnsureStack(int top)
    {
        if (top + 5 <= Stack.Length)
            return true;
        if (top + 5 > MaxStackSlots)
            return false;
        GrowStack(top + 5);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowStack(int needed)
    {
        if (needed > MaxStackSlots)
            throw new RuntimeError("stack overflow");
        int size = Math.Max(needed, Stack.Length * 2);
        size = Math.Min(size, MaxStackSlots + 16);
        State.ChargeMemory(MemoryCost.Values(size) - MemoryCost.Values(Stack.Length));
        var bigger = new LuauValue[size];
        // Copy everything: slots above Top may still hold live registers of the current frame.
        Stack.AsSpan().CopyTo(bigger);
        Stack = bigger;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Push(in LuauValue v)
    {
        if (Top + 5 >= Stack.Length)
            GrowStack(Top + 6);
        Stack[Top++] = v;
    }

    // ---- frames ----

    /// <summary>Adds a call frame, failing with "stack overflow" past the call limit.</summary>
    /// <summary>Whether <see cref="PushFrame"/> has room without growing the frame array or reporting an overflow.</summary>
    internal bool CanPushFrame => FrameIndex + 1 < _frameEnd;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref CallFrame PushFrame()
    {
        int next = FrameIndex + 1;
        if (next >= _frameEnd)
            GrowFrames();
        FrameIndex = next;
        return ref Frames[next];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowFrames()
    {
        // Extra room past the limit lets an error handler run after an overflow, as in the reference.
        const int hardLimit = MaxCalls + (MaxCalls >> 3);
        int next = FrameIndex + 1;
        int limit = _overflowing ? hardLimit : MaxCalls;
        if (next >= limit)
        {
            if (_overflowing)
                throw LuauRuntimeException.ErrorInErrorHandling();
            // The array keeps its size after the overflow is handled: a script that overflows in a loop would
            // otherwise allocate (and collect) two large arrays per overflow.
            _overflowing = true;
            if (Frames.Length < hardLimit)
                Array.Resize(ref Frames, hardLimit);
            _frameEnd = hardLimit;
            throw new RuntimeError("stack overflow");
        }
        if (next >= Frames.Length)
            Array.Resize(ref Frames, Math.Min(Math.Max(Frames.Length * 2, next + 1), limit));
        _frameEnd = Math.Min(Frames.Length, limit);
    }

    /// <summary>Ends the overflow allowance once an overflow was handled, so the next overflow is detected again.</summary>
    internal void RecoverFromOverflow()
    {
        if (_overflowing && FrameIndex + 1 < MaxCalls)
        {
            _overflowing = false;
            _frameEnd = Math.Min(Frames.Length, MaxCalls);
        }
    }

    // ---- upvalues ----

    /// <summary>The open upvalue for stack slot <paramref name="index"/>, creating it if needed.</summary>
    internal Upvalue FindUpvalue(int index)
    {
        Upvalue? prev = null;
        var uv = OpenUpvalues;
        while (uv is not null && uv.Index >= index)
        {
            if (uv.Index == index)
                return uv;
            prev = uv;
            uv = uv.NextOpen;
        }
        State.ChargeMemory(MemoryCost.UpvalueObject);
        var created = new Upvalue { Thread = this, Index = index, NextOpen = uv };
        if (prev is null)
            OpenUpvalues = created;
        else
            prev.NextOpen = created;
        return created;
    }

    /// <summary>Closes every open upvalue at stack index <paramref name="level"/> or above.</summary>
    internal void CloseUpvalues(int level)
    {
        var uv = OpenUpvalues;
        while (uv is not null && uv.Index >= level)
        {
            uv.Closed = Stack[uv.Index];
            uv.Thread = null;
            uv = uv.NextOpen;
        }
        OpenUpvalues = uv;
    }
}
