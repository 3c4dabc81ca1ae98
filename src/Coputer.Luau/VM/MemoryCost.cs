using System.Runtime.CompilerServices;

namespace Coputer.Luau.VM;

/// <summary>
/// What the engine's objects really cost on the 64-bit .NET runtime, in bytes, for memory charges and for the
/// collector's recount. Measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> over many allocations;
/// MemoryChargeTests checks that a script's charges cover what .NET allocates for it, so a memory limit bounds the
/// process rather than an estimate of it.
/// </summary>
internal static class MemoryCost
{
    /// <summary>An array's header (object header, method table, length); objects are padded to 8 bytes.</summary>
    public const int ArrayHeader = 24;

    /// <summary>A <see cref="LuauTable"/> object without its arrays.</summary>
    public const int Table = 72;

    /// <summary>A <see cref="LuauClosure"/> object without its upvalue array.</summary>
    public const int ClosureObject = 56;

    /// <summary>An <see cref="Upvalue"/> object (a captured variable that is assigned to).</summary>
    public const int UpvalueObject = 64;

    /// <summary>A <see cref="LuauString"/> object without its bytes.</summary>
    public const int StringObject = 32;

    /// <summary>A <see cref="LuauBuffer"/> object without its bytes.</summary>
    public const int BufferObject = 32;

    /// <summary>A <see cref="LuauThread"/> object without its stack and frame arrays.</summary>
    public const int ThreadObject = 168;

    /// <summary>A userdata object (<c>newproxy</c>, host objects).</summary>
    public const int Userdata = 56;

    /// <summary>An array of <paramref name="bytes"/> bytes of elements: header and padding included, 0 for none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Array(long bytes) => bytes == 0 ? 0 : (ArrayHeader + bytes + 7) & ~7L;

    /// <summary>An array of <paramref name="length"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Values(long length) => Array(length * Unsafe.SizeOf<LuauValue>());

    /// <summary>A string of <paramref name="length"/> bytes (object and byte array).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long String(long length) => StringObject + Array(length);

    /// <summary>A buffer of <paramref name="length"/> bytes (object and byte array).</summary>
    public static long Buffer(long length) => BufferObject + Array(length);

    /// <summary>A Luau closure with <paramref name="upvalues"/> upvalue slots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Closure(int upvalues) => ClosureObject + Values(upvalues);

    /// <summary>A thread with its stack and frame arrays as they are now.</summary>
    public static long Thread(LuauThread thread) =>
        ThreadObject + Values(thread.Stack.Length) + Array((long)thread.Frames.Length * Unsafe.SizeOf<CallFrame>());
}
