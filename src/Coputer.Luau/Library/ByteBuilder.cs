using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Coputer.Luau.Library;

/// <summary>
/// A growable byte buffer for building Luau strings (which are byte strings, not UTF-16): concatenation,
/// <c>string.format</c>, <c>gsub</c>, <c>pack</c> and friends append here, then copy the result out once.
/// Small storage comes from the shared array pool. Large storage is native memory, freed (and so given back to the
/// operating system) the moment the builder is disposed or grows: a managed array would stay in the process until
/// some later full collection, and the shared pool would keep it for good. Call <see cref="Dispose"/> to release it.
/// Built for a script (given its state), the buffer is charged to the state's memory before it is allocated (a
/// request past the limit fails at once with "not enough memory") and the bytes appended are charged as work, which
/// also polls the run's limits.
/// </summary>
internal sealed unsafe class ByteBuilder : IDisposable
{
    /// <summary>Buffers above this size are not pooled: the pool would keep them alive after a burst.</summary>
    internal const int MaxPooledSize = 1 << 20;

    private readonly VM.LuauState? _state;
    // Exactly one of the two holds the storage: a pooled array, or a native block (large buffers).
    private byte[] _buffer;
    private NativeBlock? _native;
    private int _capacity;
    private int _length;

    public ByteBuilder(int capacity = 256)
        : this(null, capacity)
    {
    }

    public ByteBuilder(VM.LuauState? state, int capacity = 256)
    {
        _state = state;
        _buffer = [];
        Reallocate(Math.Max(capacity, 16));
    }

    public int Length => _length;

    private Span<byte> Storage => _native is { } n ? new Span<byte>(n.Pointer, _capacity) : _buffer.AsSpan();

    public ReadOnlySpan<byte> AsSpan() => Storage[.._length];

    public byte this[int index] => index < _length ? Storage[index] : throw new ArgumentOutOfRangeException(nameof(index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(byte b)
    {
        if (_length == _capacity)
            Grow(1);
        if (_native is { } n)
            n.Pointer[_length++] = b;
        else
            _buffer[_length++] = b;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        _state?.ChargeWork(1 + (bytes.Length >> 4));
        if (bytes.Length > _capacity - _length)
            Grow(bytes.Length);
        bytes.CopyTo(Storage[_length..]);
        _length += bytes.Length;
    }

    /// <summary>Appends <paramref name="count"/> copies of <paramref name="b"/>.</summary>
    public void Append(byte b, int count)
    {
        if (count <= 0)
            return;
        _state?.ChargeWork(1 + (count >> 4));
        if (count > _capacity - _length)
            Grow(count);
        Storage.Slice(_length, count).Fill(b);
        _length += count;
    }

    /// <summary>Appends the characters of an ASCII string, one byte each (for messages and fixed text).</summary>
    public void AppendAscii(string text)
    {
        if (text.Length > _capacity - _length)
            Grow(text.Length);
        var storage = Storage;
        foreach (char c in text)
            storage[_length++] = (byte)c;
    }

    /// <summary>A span of at least <paramref name="size"/> writable bytes at the end; follow with <see cref="Advance"/>.</summary>
    public Span<byte> GetAppendSpan(int size)
    {
        if (size > _capacity - _length)
            Grow(size);
        return Storage[_length..];
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the span from <see cref="GetAppendSpan"/>.</summary>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_capacity - _length))
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

    /// <summary>Whether the storage is native memory now (for tests).</summary>
    internal bool IsNative => _native is not null;

    public void Dispose()
    {
        Release();
        _length = 0;
    }

    private void Grow(int extra)
    {
        long needed = (long)_length + extra;
        if (needed > Array.MaxLength)
            throw new LuauErrorTooLarge();
        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_capacity * 2));
        _state?.ChargeWork(_length >> 4);
        Reallocate(size);
    }

    /// <summary>
    /// Moves the contents into storage of at least <paramref name="size"/> bytes, charged to the state before it is
    /// allocated; the old storage is released (and credited) at once.
    /// </summary>
    private void Reallocate(int size)
    {
        if (size <= MaxPooledSize)
        {
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
            Storage[.._length].CopyTo(pooled);
            Release();
            _buffer = pooled;
            _capacity = pooled.Length;
            return;
        }

        _state?.ChargeMemory(size);
        try
        {
            if (_native is { } native)
            {
                // realloc can move the pages instead of copying them, and never holds both blocks.
                native.Resize(size);
                _state?.ChargeMemory(-_capacity);
            }
            else
            {
                var block = new NativeBlock(size);
                _buffer.AsSpan(0, _length).CopyTo(new Span<byte>(block.Pointer, size));
                Release();
                _native = block;
            }
        }
        catch (OutOfMemoryException)
        {
            _state?.ChargeMemory(-size);
            throw;
        }
        _capacity = size;
    }

    private void Release()
    {
        if (_native is { } native)
        {
            _native = null;
            native.Dispose();
            _state?.ChargeMemory(-_capacity);
        }
        else if (_buffer.Length > 0)
        {
            var b = _buffer;
            _buffer = [];
            _state?.ChargeMemory(-b.Length);
            ArrayPool<byte>.Shared.Return(b);
        }
        _capacity = 0;
    }

    /// <summary>
    /// A block of native memory. Builders are always disposed (they are used with <c>using</c>); the finalizer only
    /// guards against a leak if one is not.
    /// </summary>
    private sealed class NativeBlock : IDisposable
    {
        public NativeBlock(int size) => Pointer = (byte*)NativeMemory.Alloc((nuint)size);

        public byte* Pointer { get; private set; }

        public void Resize(int size) => Pointer = (byte*)NativeMemory.Realloc(Pointer, (nuint)size);

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        ~NativeBlock() => Free();

        private void Free()
        {
            if (Pointer != null)
            {
                NativeMemory.Free(Pointer);
                Pointer = null;
            }
        }
    }

    /// <summary>The reference's error for a string result beyond the maximum size.</summary>
    private sealed class LuauErrorTooLarge() : VM.LuauError("resulting string too large");
}
