using Coputer.Luau.Bytecode;

namespace Coputer.Luau.VM;

/// <summary>
/// A function prototype loaded into a state: verified code, constants turned into values, child prototypes and
/// debug information. The code array may be shared with other states running the same chunk (on other threads):
/// the interpreter patches only validated hints into it (see <see cref="LuauChunk.SharedCode"/>).
/// </summary>
internal sealed class Proto
{
    public required uint[] Code;
    public required LuauValue[] K;
    public Proto[] Children = [];
    public int MaxStackSize;
    public int NumParams;
    public int NumUpvalues;
    public bool IsVararg;
    public ProtoFlags Flags;
    public int LineDefined;
    public LuauString? DebugName;

    /// <summary>The chunk name the code was loaded under (for example <c>=main.luau</c> or <c>@path</c>).</summary>
    public required LuauString Source;
    public byte LineGapLog2;
    public byte[]? LineInfo;
    public int[]? AbsLineInfo;
    public LocalVariable[]? Locals;
    public LuauString?[]? UpvalueNames;

    /// <summary>Position in the loaded module's prototype list.</summary>
    public int BytecodeId;

    /// <summary>The IL tier's compiled code, once it exists (see <see cref="Jit.IlTier"/>).</summary>
    public global::Coputer.Luau.VM.Jit.CompiledCode? Compiled;

    /// <summary>Calls and back-edges left before the IL tier looks at this function again.</summary>
    public int JitCountdown;

    /// <summary>Whether <see cref="JitCountdown"/> has been started from the state's threshold.</summary>
    public bool JitCounting;

    /// <summary>The source line of instruction <paramref name="pc"/>, or 0 without line information.</summary>
    public int GetLine(int pc)
    {
        if (LineInfo is null || AbsLineInfo is null || (uint)pc >= (uint)LineInfo.Length)
            return 0;
        return AbsLineInfo[pc >> LineGapLog2] + LineInfo[pc];
    }
}

/// <summary>A local variable's name and the instruction range where it lives in register <see cref="Register"/>.</summary>
internal readonly record struct LocalVariable(LuauString Name, int StartPc, int EndPc, int Register);

/// <summary>
/// A box shared by closures that capture the same local by reference. While the local's frame is live the box is
/// open and reads the thread's stack slot; when the frame ends it is closed and holds the value itself.
/// </summary>
internal sealed class Upvalue
{
    /// <summary>The thread whose stack holds the value while open; null once closed.</summary>
    public LuauThread? Thread;

    /// <summary>The stack index while open.</summary>
    public int Index;

    /// <summary>The number of the last Luau collection that marked this box (see <see cref="GarbageCollector"/>).</summary>
    internal uint GcEpoch;

    /// <summary>The value once closed.</summary>
    public LuauValue Closed;

    /// <summary>The next open upvalue of the same thread, at a lower stack index.</summary>
    public Upvalue? NextOpen;

    public LuauValue Get() => Thread is null ? Closed : Thread.Stack[Index];

    /// <summary>Where the value is now: the stack slot while open, <see cref="Closed"/> once closed.</summary>
    public ref LuauValue Slot => ref Thread is null ? ref Closed : ref Thread.Stack[Index];

    public void Set(in LuauValue value) => LuauValue.Copy(ref Slot, in value);
}
