using Coputer.Platform;

namespace Coputer.Network.Replication;

/// <summary>
/// Rendezvous (highest random weight) hashing: each node scores each program by hashing the two ids together,
/// and the program's holders are the k nodes with the highest scores. Every node that knows the same members
/// picks the same holders, and when a node leaves only the programs it held move.
/// </summary>
public static class Rendezvous
{
    /// <summary>The score of <paramref name="node"/> for <paramref name="program"/> (the first 8 bytes of SHA3-256 over both).</summary>
    public static ulong Score(Hash256 program, NodeId node)
    {
        Span<byte> input = stackalloc byte[2 * Hash256.Size];
        program.CopyTo(input);
        node.Hash.CopyTo(input[Hash256.Size..]);
        Span<byte> digest = stackalloc byte[Hash256.Size];
        Hash256.Of(input).CopyTo(digest);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    /// <summary>The <paramref name="k"/> highest-scoring of <paramref name="members"/> for <paramref name="program"/>, best first.</summary>
    public static IReadOnlyList<T> Holders<T>(Hash256 program, IEnumerable<T> members, Func<T, NodeId> id, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return members
            .Select(m => (Member: m, Score: Score(program, id(m)), Id: id(m)))
            .OrderByDescending(e => e.Score)
            .ThenBy(e => e.Id)
            .Take(k)
            .Select(e => e.Member)
            .ToList();
    }
}
