using System.Buffers.Binary;

namespace Coputer.Luau.Bytecode;

/// <summary>A growable little-endian byte buffer for writing serialised bytecode.</summary>
internal sealed class ByteWriter
{
    private byte[] _buffer;
    private int _length;

    public ByteWriter(int capacity = 64) => _buffer = new byte[Math.Max(capacity, 16)];

    public int Length => _length;

    public ReadOnlySpan<byte> AsSpan() => _buffer.AsSpan(0, _length);

    /// <summary>The size of the buffer now (what the writer holds on to).</summary>
    public int Capacity => _buffer.Length;

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>
    /// The written bytes, as the buffer itself when it is exactly full (no copy) or as a copy otherwise. The writer
    /// must not be used afterwards.
    /// </summary>
    public byte[] DetachExact()
    {
        var result = _length == _buffer.Length ? _buffer : ToArray();
        _buffer = [];
        _length = 0;
        return result;
    }

    /// <summary>Makes room for <paramref name="extra"/> more bytes at once.</summary>
    public void Reserve(int extra) => Ensure(extra);

    /// <summary>The number of bytes <see cref="VarInt"/> writes for <paramref name="value"/>.</summary>
    public static int VarIntSize(ulong value)
    {
        int size = 1;
        while ((value >>= 7) != 0)
            size++;
        return size;
    }

    public void Clear() => _length = 0;

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void UInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void Int32(int value) => UInt32((uint)value);

    /// <summary>Words in little-endian order, copied as one block on a little-endian machine.</summary>
    public void UInt32s(ReadOnlySpan<uint> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            foreach (uint v in values)
                UInt32(v);
            return;
        }
        Bytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    public void Single(float value)
    {
        Ensure(4);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void Double(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Unsigned LEB128: seven bits per byte, low bits first, the high bit set on every byte but the last.</summary>
    public void VarInt(ulong value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            Byte(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
    }

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length)
            return;
        int size = Math.Max(_buffer.Length * 2, _length + extra);
        Array.Resize(ref _buffer, size);
    }
}
