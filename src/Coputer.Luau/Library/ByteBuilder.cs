using System.Buffers;
using System.Runtime.CompilerServices;

namespace Coputer.Luau.Library;

/// <summary>
/// A growable byte buffer for building Luau strings (which are byte strings, not UTF-16): concatenation,
/// <c>string.format</c>, <c>gsub</c>, <c>pack</c> and friends append here, then copy the result out once.
/// Small storage comes from the shared array pool, large storage from the heap (so it goes back to the OS);
/// call <see cref="Dispose"/> to return it. Built for a script (given its state), the buffer is charged to the
/// state's memory before it is allocated (a request past the limit fails at once with "not enough memory") and
/// the bytes appended are charged as work, which also polls the run's limits.
/// </summary>
internal sealed class ByteBuilder : IDisposable
{
    /// <summary>Buffers above this size are not pooled: the pool would keep them alive after a burst.</summary>
    private const int MaxPooledSize = 1 << 20;

    private readonly VM.LuauState? _state;
    private byte[] _buffer;
    private int _length;

    public ByteBuilder(int capacity = 256)
        : this(null, capacity)
    {
    }

    public ByteBuilder(VM.LuauState? state, int capacity = 256)
    {
        _state = state;
        _buffer = [];
        _buffer = Allocate(Math.Max(capacity, 16));
    }

    public int Length => _length;

    public ReadOnlySpan<byte> AsSpan() => _buffer.AsSpan(0, _length);

    public byte this[int index] => index < _length ? _buffer[index] : throw new ArgumentOutOfRangeException(nameof(index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(byte b)
    {
        if (_length == _buffer.Length)
            Grow(1);
        _buffer[_length++] = b;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        _state?.ChargeWork(1 + (bytes.Length >> 4));
        if (bytes.Length > _buffer.Length - _length)
            Grow(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Appends <paramref name="count"/> copies of <paramref name="b"/>.</summary>
    public void Append(byte b, int count)
    {
        if (count <= 0)
            return;
        _state?.ChargeWork(1 + (count >> 4));
        if (count > _buffer.Length - _length)
            Grow(count);
        _buffer.AsSpan(_length, count).Fill(b);
        _length += count;
    }

    /// <summary>Appends the characters of an ASCII string, one byte each (for messages and fixed text).</summary>
    public void AppendAscii(string text)
    {
        if (text.Length > _buffer.Length - _length)
            Grow(text.Length);
        foreach (char c in text)
            _buffer[_length++] = (byte)c;
    }

    /// <summary>A span of at least <paramref name="size"/> writable bytes at the end; follow with <see cref="Advance"/>.</summary>
    public Span<byte> GetAppendSpan(int size)
    {
        if (size > _buffer.Length - _length)
            Grow(size);
        return _buffer.AsSpan(_length);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the span from <see cref="GetAppendSpan"/>.</summary>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _length))
            throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    /// <summary>Drops everything after the first <paramref name="length"/> bytes.</summary>
    public void Truncate(int length)
    {
        if ((uint)length > (uint)_length)
            throw new ArgumentOutOfRangeException(nameof(length));
        _length = length;
    }

    public void Clear() => _length = 0;

    public byte[] ToArray() => AsSpan().ToArray();

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        _length = 0;
        Release(b);
    }

    private void Grow(int extra)
    {
        long needed = (long)_length + extra;
        if (needed > Array.MaxLength)
            throw new LuauErrorTooLarge();
        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2));
        var bigger = Allocate(size);
        _state?.ChargeWork(_length >> 4);
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        Release(_buffer);
        _buffer = bigger;
    }

    /// <summary>A buffer of at least <paramref name="size"/> bytes, charged to the state (a large one before it is allocated).</summary>
    private byte[] Allocate(int size)
    {
        if (size > MaxPooledSize)
        {
            _state?.ChargeMemory(size);
            try
            {
                return new byte[size];
            }
            catch (OutOfMemoryException)
            {
                _state?.ChargeMemory(-size);
                throw;
            }
        }
        var pooled = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            _state?.ChargeMemory(pooled.Length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(pooled);
            throw;
        }
        return pooled;
    }

    private void Release(byte[] buffer)
    {
        if (buffer.Length == 0)
            return;
        _state?.ChargeMemory(-buffer.Length);
        if (buffer.Length <= MaxPooledSize)
            ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>The reference's error for a string result beyond the maximum size.</summary>
    private sealed class LuauErrorTooLarge() : VM.LuauError("resulting string too large");
}
