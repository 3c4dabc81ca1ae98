using System.Runtime.CompilerServices;
using System.Text;

namespace Coputer.Luau.VM;

/// <summary>
/// An immutable Luau string: a sequence of bytes (any bytes, including zeros and invalid UTF-8). Two strings are
/// equal when their bytes are equal. Conversions to and from .NET strings use UTF-8.
/// </summary>
public sealed class LuauString : IEquatable<LuauString>, IComparable<LuauString>
{
    private static readonly LuauString[] s_singleBytes = CreateSingleBytes();

    /// <summary>The empty string.</summary>
    public static readonly LuauString Empty = new([]);

    internal readonly byte[] Bytes;
    private uint _hash;
    private bool _hasHash;

    private LuauString(byte[] bytes) => Bytes = bytes;

    /// <summary>The length in bytes.</summary>
    public int Length => Bytes.Length;

    /// <summary>The string's bytes (Luau strings are byte strings, usually UTF-8).</summary>
    public ReadOnlySpan<byte> Span => Bytes;

    /// <summary>The Luau string hash (the reference's <c>luaS_hash</c>), computed on first use.</summary>
    internal uint Hash
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_hasHash)
                return _hash;
            return ComputeHash();
        }
    }

    /// <summary>A string holding a copy of <paramref name="bytes"/>.</summary>
    public static LuauString From(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= 1)
            return bytes.Length == 0 ? Empty : s_singleBytes[bytes[0]];
        return new LuauString(bytes.ToArray());
    }

    /// <summary>A string that takes ownership of <paramref name="bytes"/>; the caller must not change the array afterwards.</summary>
    internal static LuauString Adopt(byte[] bytes)
    {
        if (bytes.Length <= 1)
            return bytes.Length == 0 ? Empty : s_singleBytes[bytes[0]];
        return new LuauString(bytes);
    }

    /// <summary>The string of one byte.</summary>
    internal static LuauString FromByte(byte b) => s_singleBytes[b];

    /// <summary>The UTF-8 encoding of <paramref name="text"/>.</summary>
    public static LuauString FromUtf8(string text) => text.Length == 0 ? Empty : Adopt(Encoding.UTF8.GetBytes(text));

    /// <summary>Decodes the bytes as UTF-8, replacing invalid sequences with U+FFFD.</summary>
    public override string ToString() => Encoding.UTF8.GetString(Bytes);

    /// <summary>Byte-wise equality.</summary>
    public bool Equals(LuauString? other)
    {
        if (ReferenceEquals(this, other))
            return true;
        if (other is null || other.Bytes.Length != Bytes.Length || other.Hash != Hash)
            return false;
        return Bytes.AsSpan().SequenceEqual(other.Bytes);
    }

    /// <summary>Byte-wise equality with another <see cref="LuauString"/>.</summary>
    public override bool Equals(object? obj) => obj is LuauString s && Equals(s);

    /// <summary>A hash of the bytes.</summary>
    public override int GetHashCode() => (int)Hash;

    /// <summary>Byte-wise comparison, shorter first on a common prefix (the order of Luau's <c>&lt;</c> on strings).</summary>
    public int CompareTo(LuauString? other)
    {
        if (other is null)
            return 1;
        return Bytes.AsSpan().SequenceCompareTo(other.Bytes);
    }

    /// <summary>Byte-wise equality.</summary>
    public static bool operator ==(LuauString? a, LuauString? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Byte-wise inequality.</summary>
    public static bool operator !=(LuauString? a, LuauString? b) => !(a == b);

    /// <summary>The UTF-8 encoding of a .NET string.</summary>
    public static implicit operator LuauString(string text) => FromUtf8(text);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint ComputeHash()
    {
        _hash = HashBytes(Bytes);
        _hasHash = true;
        return _hash;
    }

    /// <summary>
    /// The reference's string hash: blocks of 12 bytes mixed ARX-style while 32 or more bytes remain, then the
    /// Lua 5.1 byte-by-byte hash over the rest from the end (so strings under 32 bytes hash exactly as in Lua 5.1).
    /// </summary>
    internal static uint HashBytes(ReadOnlySpan<byte> s)
    {
        uint a = 0, b = 0;
        uint h = (uint)s.Length;
        int len = s.Length;
        int pos = 0;
        while (len >= 32)
        {
            a += (uint)(s[pos] | s[pos + 1] << 8 | s[pos + 2] << 16 | s[pos + 3] << 24);
            b += (uint)(s[pos + 4] | s[pos + 5] << 8 | s[pos + 6] << 16 | s[pos + 7] << 24);
            h += (uint)(s[pos + 8] | s[pos + 9] << 8 | s[pos + 10] << 16 | s[pos + 11] << 24);
            a ^= h;
            a -= RotateRight(h, 14);
            b ^= a;
            b -= RotateRight(a, 11);
            h ^= b;
            h -= RotateRight(b, 25);
            pos += 12;
            len -= 12;
        }
        for (int i = len; i > 0; --i)
            h ^= (h << 5) + (h >> 2) + s[pos + i - 1];
        return h;
    }

    private static uint RotateRight(uint x, int s) => (x >> s) | (x << (32 - s));

    private static LuauString[] CreateSingleBytes()
    {
        var all = new LuauString[256];
        for (int i = 0; i < 256; i++)
            all[i] = new LuauString([(byte)i]);
        return all;
    }
}
