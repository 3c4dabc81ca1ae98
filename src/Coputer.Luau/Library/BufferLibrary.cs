using System.Buffers.Binary;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>The <c>buffer</c> library: fixed-size mutable byte arrays with little-endian reads and writes at 0-based offsets.</summary>
internal static class BufferLibrary
{
    /// <summary>Opens the library; with <paramref name="integers"/>, also readinteger and writeinteger (64-bit integer values).</summary>
    public static void Open(LuauState state, bool integers)
    {
        var table = LibraryUtil.CreateLibrary(state, "buffer",
            ("create", Create),
            ("fromstring", FromString),
            ("tostring", c => c.Return(LuauString.From(c.CheckBuffer(1).Data))),
            ("readi8", c => c.Return((sbyte)Read(c, 1)[0])),
            ("readu8", c => c.Return(Read(c, 1)[0])),
            ("readi16", c => c.Return(BinaryPrimitives.ReadInt16LittleEndian(Read(c, 2)))),
            ("readu16", c => c.Return(BinaryPrimitives.ReadUInt16LittleEndian(Read(c, 2)))),
            ("readi32", c => c.Return(BinaryPrimitives.ReadInt32LittleEndian(Read(c, 4)))),
            ("readu32", c => c.Return(BinaryPrimitives.ReadUInt32LittleEndian(Read(c, 4)))),
            ("readf32", c => c.Return(BinaryPrimitives.ReadSingleLittleEndian(Read(c, 4)))),
            ("readf64", c => c.Return(BinaryPrimitives.ReadDoubleLittleEndian(Read(c, 8)))),
            ("writei8", c => WriteInteger(c, 1)),
            ("writeu8", c => WriteInteger(c, 1)),
            ("writei16", c => WriteInteger(c, 2)),
            ("writeu16", c => WriteInteger(c, 2)),
            ("writei32", c => WriteInteger(c, 4)),
            ("writeu32", c => WriteInteger(c, 4)),
            ("writef32", WriteF32),
            ("writef64", WriteF64),
            ("readstring", ReadString),
            ("writestring", WriteString),
            ("len", c => c.Return(c.CheckBuffer(1).Length)),
            ("copy", Copy),
            ("fill", Fill),
            ("readbits", ReadBits),
            ("writebits", WriteBits));
        if (integers)
        {
            LibraryUtil.Register(state, table,
                ("readinteger", c => c.Return(LuauValue.FromInteger(BinaryPrimitives.ReadInt64LittleEndian(Read(c, 8))))),
                ("writeinteger", WriteInteger64));
        }
    }

    private static LuauError OutOfBounds() => new("buffer access out of bounds");

    /// <summary>Whether [offset, offset + size) falls outside a buffer of <paramref name="length"/> bytes (offset as unsigned, as the reference).</summary>
    private static bool IsOutOfBounds(int offset, int length, uint size) => (ulong)(uint)offset + size > (ulong)length;

    private static int Create(LuauCallContext c)
    {
        int size = c.CheckInteger(1);
        if (size < 0)
            throw c.ArgumentError(1, "size");
        return c.Return(new LuauValue(NewBuffer(c.State, size)));
    }

    internal static LuauBuffer NewBuffer(LuauState state, int size)
    {
        if (size > LuauBuffer.MaxSize)
            throw new RuntimeError("memory allocation error: block too big");
        state.ChargeMemory(MemoryCost.Buffer(size));
        return new LuauBuffer(size);
    }

    private static int FromString(LuauCallContext c)
    {
        var s = c.CheckString(1);
        var b = NewBuffer(c.State, s.Length);
        s.Span.CopyTo(b.Data);
        return c.Return(new LuauValue(b));
    }

    private static ReadOnlySpan<byte> Read(LuauCallContext c, int size)
    {
        var b = c.CheckBuffer(1);
        int offset = c.CheckInteger(2);
        if (IsOutOfBounds(offset, b.Length, (uint)size))
            throw OutOfBounds();
        return b.Data.AsSpan(offset, size);
    }

    private static int WriteInteger(LuauCallContext c, int size)
    {
        var b = c.CheckBuffer(1);
        int offset = c.CheckInteger(2);
        uint value = Builtins.ToUInt32(c.CheckNumber(3));
        if (IsOutOfBounds(offset, b.Length, (uint)size))
            throw OutOfBounds();
        var dest = b.Data.AsSpan(offset, size);
        switch (size)
        {
            case 1: dest[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(dest, (ushort)value); break;
            default: BinaryPrimitives.WriteUInt32LittleEndian(dest, value); break;
        }
        return 0;
    }

    private static int WriteInteger64(LuauCallContext c)
    {
        var b = c.CheckBuffer(1);
        int offset = c.CheckInteger(2);
        long value = c.CheckInteger64(3);
        if (IsOutOfBounds(offset, b.Length, 8))
            throw OutOfBounds();
        BinaryPrimitives.WriteInt64LittleEndian(b.Data.AsSpan(offset, 8), value);
        return 0;
    }

    private static int WriteF32(LuauCallContext c)
    {
        var b = c.CheckBuffer(1);
        int offset = c.CheckInteger(2);
        double value = LuauMath.Observable(c.State, c.CheckNumber(3));
        if (IsOutOfBounds(offset, b.Length, 4))
            throw OutOfBounds();
        BinaryPrimitives.WriteSingleLittleEndian(b.Data.AsSpan(offset, 4), (float)value);
        return 0;
    }

    private static int WriteF64(LuauCallContext c)
    {
        var b = c.CheckBuffer(1);
        int offset = c.CheckInteger(2);
        double value = LuauMath.Observable(c.State, c.CheckNumber(3));
        if (IsOutOfBounds(offset, b.Length, 8))
            throw OutOfBounds();
        BinaryPrimitives.WriteDoubleLittleEndian(b.Data.AsSpan(offset, 8), value);
        return 0;
    }

    private static int ReadString(LuauCallContext c)
    {
        var b = c.CheckBuffer(1);
        int offset = c.CheckInteger(2);
        int size = c.CheckInteger(3);
        if (size < 0)
            throw c.ArgumentError(3, "size");
        if (IsOutOfBounds(offset, b.Length, (uint)size))
            throw OutOfBounds();
        c.State.ChargeMemory(MemoryCost.String(size));
        return c.Return(LuauString.From(b.Data.AsSpan(offset, size)));
    }

    private static int WriteString(LuauCallContext c)
    {
        var b = c.CheckBuffer(1);
        int offset = c.CheckInteger(2);
        var s = c.CheckString(3);
        int count = c.OptInteger(4, s.Length);
        if (count < 0)
            throw c.ArgumentError(4, "count");
        if (count > s.Length)
            throw new LuauError("string length overflow");
        if (IsOutOfBounds(offset, b.Length, (uint)count))
            throw OutOfBounds();
        s.Span[..count].CopyTo(b.Data.AsSpan(offset));
        return 0;
    }

    private static int Copy(LuauCallContext c)
    {
        var target = c.CheckBuffer(1);
        int toffset = c.CheckInteger(2);
        var source = c.CheckBuffer(3);
        int soffset = c.OptInteger(4, 0);
        int size = c.OptInteger(5, source.Length - soffset);
        if (size < 0 || IsOutOfBounds(soffset, source.Length, (uint)size) || IsOutOfBounds(toffset, target.Length, (uint)size))
            throw OutOfBounds();
        // Span.CopyTo handles overlapping ranges of the same array like memmove.
        source.Data.AsSpan(soffset, size).CopyTo(target.Data.AsSpan(toffset, size));
        return 0;
    }

    private static int Fill(LuauCallContext c)
    {
        var b = c.CheckBuffer(1);
        int offset = c.CheckInteger(2);
        uint value = Builtins.ToUInt32(c.CheckNumber(3));
        int size = c.OptInteger(4, b.Length - offset);
        if (size < 0 || IsOutOfBounds(offset, b.Length, (uint)size))
            throw OutOfBounds();
        b.Data.AsSpan(offset, size).Fill((byte)value);
        return 0;
    }

    private static (long BitOffset, int BitCount) BitArgs(LuauCallContext c, LuauBuffer b, bool withValue, out uint value)
    {
        long bitOffset = NativeCasts.ToInt64(c.CheckNumber(2));
        int bitCount = c.CheckInteger(3);
        value = withValue ? Builtins.ToUInt32(c.CheckNumber(4)) : 0;
        if (bitOffset < 0)
            throw OutOfBounds();
        if ((uint)bitCount > 32)
            throw new LuauError("bit count is out of range of [0; 32]");
        if ((ulong)(bitOffset + bitCount) > (ulong)b.Length * 8)
            throw OutOfBounds();
        return (bitOffset, bitCount);
    }

    private static ulong LoadBits(LuauBuffer b, int startByte, int endByte)
    {
        ulong data = 0;
        for (int i = endByte - 1; i >= startByte; i--)
            data = (data << 8) | b.Data[i];
        return data;
    }

    private static int ReadBits(LuauCallContext c)
    {
        var b = c.CheckBuffer(1);
        var (bitOffset, bitCount) = BitArgs(c, b, false, out _);
        int startByte = (int)(bitOffset / 8);
        int endByte = (int)((bitOffset + bitCount + 7) / 8);
        ulong data = LoadBits(b, startByte, endByte);
        ulong mask = (1UL << bitCount) - 1;
        return c.Return((uint)((data >> (int)(bitOffset & 7)) & mask));
    }

    private static int WriteBits(LuauCallContext c)
    {
        var b = c.CheckBuffer(1);
        var (bitOffset, bitCount) = BitArgs(c, b, true, out uint value);
        int startByte = (int)(bitOffset / 8);
        int endByte = (int)((bitOffset + bitCount + 7) / 8);
        ulong data = LoadBits(b, startByte, endByte);
        int shift = (int)(bitOffset & 7);
        ulong mask = ((1UL << bitCount) - 1) << shift;
        data = (data & ~mask) | (((ulong)value << shift) & mask);
        for (int i = startByte; i < endByte; i++)
        {
            b.Data[i] = (byte)data;
            data >>= 8;
        }
        return 0;
    }
}
