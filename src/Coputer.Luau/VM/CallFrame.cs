namespace Coputer.Luau.VM;

/// <summary>What the interpreter must do when a frame returns (or an error unwinds to it).</summary>
[Flags]
internal enum FrameFlags : ushort
{
    None = 0,

    /// <summary>The frame was entered from .NET: returning from it leaves the interpreter loop.</summary>
    Return = 1 << 0,

    /// <summary>A frame of <c>pcall</c>/<c>xpcall</c> itself: errors below it are caught here.</summary>
    Protected = 1 << 1,

    /// <summary>The function called by <c>pcall</c>/<c>xpcall</c>: when it returns, the protected call completes.</summary>
    ProtectedBody = 1 << 2,

    /// <summary>An iterator called by FORGLOOP: when it returns, the loop instruction completes.</summary>
    ForLoopIterator = 1 << 3,

    /// <summary>The <c>xpcall</c> variant of <see cref="Protected"/>: the handler sits in the slot after the function.</summary>
    HasErrorHandler = 1 << 4,

    /// <summary>A host function frame that has yielded; resuming finishes its call.</summary>
    Yielded = 1 << 5,

    /// <summary>A function called for a host function's yieldable call: when it returns, the host's continuation runs.</summary>
    ContinueHost = 1 << 6,

    /// <summary>A host function frame waiting on a protected yieldable call: errors below it go to its continuation.</summary>
    HostProtected = 1 << 7,

    /// <summary>
    /// A Luau metamethod called by an instruction of the loop without nesting it: its first result goes to stack
    /// index <see cref="CallFrame.AwaitFunc"/>. It counts as a nested call (<see cref="LuauThread.HostCallDepth"/>)
    /// while it runs, so yields inside it are refused as in the reference.
    /// </summary>
    MetaResult = 1 << 8,
}

/// <summary>One active call. Stack positions are indices into the thread's stack, never references, so growth is safe.</summary>
internal struct CallFrame
{
    /// <summary>Stack index of the called function; results are written from here.</summary>
    public int Func;

    /// <summary>Stack index of register 0 (for host functions, of the first argument).</summary>
    public int Base;

    /// <summary>One past the last stack slot the frame may use.</summary>
    public int Top;

    /// <summary>For Luau frames: the index of the next instruction to run (so the current one is SavedPc - 1).</summary>
    public int SavedPc;

    /// <summary>How many results the caller wants, or -1 for all of them.</summary>
    public int NResults;

    /// <summary>The running closure for Luau frames; null for host frames.</summary>
    public LuauClosure? Closure;

    /// <summary>The function of a host frame.</summary>
    public HostFunction? Host;

    public FrameFlags Flags;

    /// <summary>
    /// For a host frame waiting on a yieldable call: the stack index of the called function (where its results go).
    /// For a <see cref="FrameFlags.MetaResult"/> frame: the stack index its result goes to.
    /// </summary>
    public int AwaitFunc;

    public readonly bool IsLuau => Closure is not null;
}
