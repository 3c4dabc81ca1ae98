using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Coputer.Platform;

/// <summary>
/// A 32-byte SHA3-256 digest: a program's identity, a request's input hash, a source file's hash. Compares by
/// value; its text forms are 64 lowercase hex digits (<see cref="ToString"/>) and 50 base-36 digits
/// (<see cref="ToBase36"/>, short enough for one DNS label).
/// </summary>
public readonly struct Hash256 : IEquatable<Hash256>, IComparable<Hash256>
{
    /// <summary>The digest size in bytes.</summary>
    public const int Size = 32;

    /// <summary>The length of <see cref="ToBase36"/>.</summary>
    public const int Base36Length = 50;

    private readonly ulong _a, _b, _c, _d;

    /// <summary>A digest from its 32 bytes.</summary>
    public Hash256(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new ArgumentException($"A SHA3-256 digest has {Size} bytes, not {bytes.Length}.", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>SHA3-256 of <paramref name="data"/>.</summary>
    public static Hash256 Of(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Size];
        Sha3.Hash(data, digest);
        return new Hash256(digest);
    }

    /// <summary>Whether this is the all-zero value (the default, never a real digest in practice).</summary>
    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>Writes the 32 bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    /// <summary>The 32 bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>64 lowercase hex digits, as the original writes program hashes.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToArray());

    /// <summary>50 lowercase base-36 digits (fits one DNS label, for preview host names).</summary>
    public string ToBase36() => Base36.Encode(ToArray(), Base36Length);

    /// <summary>Parses 64 hex digits (lowercase, as the original requires) or 50 base-36 digits.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Hash256 hash)
    {
        hash = default;
        if (text is null)
            return false;
        if (text.Length == Size * 2)
        {
            foreach (char c in text)
            {
                if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
                    return false;
            }
            hash = new Hash256(Convert.FromHexString(text));
            return true;
        }
        if (text.Length == Base36Length && Base36.TryDecode(text, Size, out var bytes) is null)
        {
            hash = new Hash256(bytes);
            return true;
        }
        return false;
    }

    /// <summary>Parses like <see cref="TryParse"/>, throwing <see cref="FormatException"/> with the reason.</summary>
    public static Hash256 Parse(string text) =>
        TryParse(text, out var hash) ? hash : throw new FormatException($"'{text}' is not a program hash (64 lowercase hex digits or 50 base-36 digits).");

    public bool Equals(Hash256 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Hash256 h && Equals(h);

    public override int GetHashCode() => (int)_a ^ (int)(_a >> 32);

    public int CompareTo(Hash256 other)
    {
        int c = _a.CompareTo(other._a);
        if (c == 0)
            c = _b.CompareTo(other._b);
        if (c == 0)
            c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    public static bool operator ==(Hash256 a, Hash256 b) => a.Equals(b);

    public static bool operator !=(Hash256 a, Hash256 b) => !a.Equals(b);
}
