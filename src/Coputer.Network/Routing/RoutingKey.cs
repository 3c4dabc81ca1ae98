using System.Buffers.Binary;
using System.Numerics;
using Coputer.Platform;

namespace Coputer.Network.Routing;

/// <summary>
/// A 256-bit Kademlia key (a node id, a content hash or a name key) as four big-endian words, so XOR distances are
/// computed and compared without copying bytes. Distances order as unsigned 256-bit numbers.
/// </summary>
public readonly record struct RoutingKey(ulong A, ulong B, ulong C, ulong D) : IComparable<RoutingKey>
{
    public const int Bits = 256;

    public static RoutingKey From(Hash256 hash)
    {
        Span<byte> bytes = stackalloc byte[Hash256.Size];
        hash.CopyTo(bytes);
        return new RoutingKey(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    public static RoutingKey From(NodeId id) => From(id.Hash);

    public Hash256 ToHash()
    {
        Span<byte> bytes = stackalloc byte[Hash256.Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
        return new Hash256(bytes);
    }

    /// <summary>The XOR distance between two keys.</summary>
    public RoutingKey Xor(RoutingKey other) => new(A ^ other.A, B ^ other.B, C ^ other.C, D ^ other.D);

    /// <summary>Leading zero bits: for a distance, the length of the two keys' common prefix (256 when equal).</summary>
    public int LeadingZeros() =>
        A != 0 ? BitOperations.LeadingZeroCount(A) :
        B != 0 ? 64 + BitOperations.LeadingZeroCount(B) :
        C != 0 ? 128 + BitOperations.LeadingZeroCount(C) :
        D != 0 ? 192 + BitOperations.LeadingZeroCount(D) : Bits;

    /// <summary>This key with bit <paramref name="bit"/> (0 = most significant) flipped.</summary>
    public RoutingKey FlipBit(int bit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bit);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bit, Bits);
        var mask = 1UL << (63 - (bit & 63));
        return (bit >> 6) switch
        {
            0 => this with { A = A ^ mask },
            1 => this with { B = B ^ mask },
            2 => this with { C = C ^ mask },
            _ => this with { D = D ^ mask },
        };
    }

    /// <summary>A random key sharing exactly the first <paramref name="prefix"/> bits with this one (a key in bucket <paramref name="prefix"/>).</summary>
    public RoutingKey RandomInBucket(int prefix, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefix, Bits);
        var noise = new RoutingKey((ulong)random.NextInt64(), (ulong)random.NextInt64(), (ulong)random.NextInt64(), (ulong)random.NextInt64());
        // The first prefix bits of this key, then the next bit flipped, random after it.
        var keep = Mask(prefix);
        var mixed = new RoutingKey((A & keep.A) | (noise.A & ~keep.A), (B & keep.B) | (noise.B & ~keep.B), (C & keep.C) | (noise.C & ~keep.C), (D & keep.D) | (noise.D & ~keep.D));
        return Xor(mixed).LeadingZeros() == prefix ? mixed : mixed.FlipBit(prefix);
    }

    private static RoutingKey Mask(int bits)
    {
        static ulong Word(int bits) => bits <= 0 ? 0 : bits >= 64 ? ulong.MaxValue : ulong.MaxValue << (64 - bits);
        return new RoutingKey(Word(bits), Word(bits - 64), Word(bits - 128), Word(bits - 192));
    }

    public int CompareTo(RoutingKey other)
    {
        var c = A.CompareTo(other.A);
        if (c == 0)
            c = B.CompareTo(other.B);
        if (c == 0)
            c = C.CompareTo(other.C);
        return c != 0 ? c : D.CompareTo(other.D);
    }

    public static bool operator <(RoutingKey a, RoutingKey b) => a.CompareTo(b) < 0;

    public static bool operator >(RoutingKey a, RoutingKey b) => a.CompareTo(b) > 0;

    public static bool operator <=(RoutingKey a, RoutingKey b) => a.CompareTo(b) <= 0;

    public static bool operator >=(RoutingKey a, RoutingKey b) => a.CompareTo(b) >= 0;
}
