using Coputer.Platform;

namespace Coputer.Network.Wire;

/// <summary>A peer advertised on the wire: its node id and the address it is reached at.</summary>
public sealed record PeerInfo(NodeId Id, string Address);

/// <summary>Messages of the peer protocols (HyParView membership, Plumtree broadcast, replication, Kademlia routing), each from a sender. Version 1 of the wire schema.</summary>
public abstract record WireMessage(PeerInfo Sender);

public sealed record Join(PeerInfo Sender) : WireMessage(Sender);

public sealed record ForwardJoin(PeerInfo Sender, PeerInfo Joiner, byte TimeToLive) : WireMessage(Sender);

public sealed record Neighbor(PeerInfo Sender, bool HighPriority) : WireMessage(Sender);

public sealed record NeighborReply(PeerInfo Sender, bool Accepted) : WireMessage(Sender);

public sealed record Disconnect(PeerInfo Sender) : WireMessage(Sender);

public sealed record Shuffle(PeerInfo Sender, PeerInfo Origin, byte TimeToLive, IReadOnlyList<PeerInfo> Peers) : WireMessage(Sender);

public sealed record ShuffleReply(PeerInfo Sender, IReadOnlyList<PeerInfo> Peers) : WireMessage(Sender);

/// <summary>Plumtree: a full broadcast message (a signed record), with its hop count from the origin.</summary>
public sealed record Gossip(PeerInfo Sender, byte[] Payload, byte Round) : WireMessage(Sender);

/// <summary>Plumtree: the ids (content hashes) of messages the sender holds, announced lazily.</summary>
public sealed record IHave(PeerInfo Sender, byte Round, IReadOnlyList<Hash256> Ids) : WireMessage(Sender);

/// <summary>Plumtree: "send me this message, and be my eager peer".</summary>
public sealed record Graft(PeerInfo Sender, Hash256 Id, byte Round) : WireMessage(Sender);

/// <summary>Plumtree: "stop sending me full messages; announcements will do".</summary>
public sealed record Prune(PeerInfo Sender) : WireMessage(Sender);

/// <summary>Replication: "you are a holder of this content; keep it" (the id is the content's hash).</summary>
public sealed record Replicate(PeerInfo Sender, byte[] Content) : WireMessage(Sender);

/// <summary>Replication: "I hold the content with this id".</summary>
public sealed record Stored(PeerInfo Sender, Hash256 Id) : WireMessage(Sender);

/// <summary>
/// Replication: "you are a holder of the content with this id, which is too large for a message: fetch it from me
/// and keep it" (the receiver fetches it out of band, checks its hash, then answers <see cref="Stored"/>).
/// </summary>
public sealed record Offer(PeerInfo Sender, Hash256 Id) : WireMessage(Sender);

/// <summary>Kademlia: "are you there?", answered by a <see cref="Pong"/> with the same request id.</summary>
public sealed record Ping(PeerInfo Sender, ulong RequestId) : WireMessage(Sender);

public sealed record Pong(PeerInfo Sender, ulong RequestId) : WireMessage(Sender);

/// <summary>Kademlia: "which nodes do you know closest to this key?", answered by <see cref="FoundNodes"/>.</summary>
public sealed record FindNode(PeerInfo Sender, ulong RequestId, Hash256 Target) : WireMessage(Sender);

/// <summary>Kademlia: "send me the value stored under this key", answered by <see cref="FoundValue"/> or, when the answerer has none, <see cref="FoundNodes"/>.</summary>
public sealed record FindValue(PeerInfo Sender, ulong RequestId, Hash256 Key) : WireMessage(Sender);

/// <summary>Kademlia: the answerer's closest contacts to the key asked about.</summary>
public sealed record FoundNodes(PeerInfo Sender, ulong RequestId, IReadOnlyList<PeerInfo> Peers) : WireMessage(Sender);

/// <summary>
/// Kademlia: the value under <paramref name="Key"/> (content whose hash is the key, or a signed record whose name
/// key it is; the asker checks which). A null payload means "I hold it, but it is too large for a message: fetch it".
/// </summary>
public sealed record FoundValue(PeerInfo Sender, ulong RequestId, Hash256 Key, byte[]? Payload) : WireMessage(Sender);

/// <summary>Kademlia: "keep this signed publication record; you are one of the nodes closest to its name".</summary>
public sealed record PutRecord(PeerInfo Sender, byte[] Payload) : WireMessage(Sender);

/// <summary>A malformed message, with the byte offset where decoding stopped.</summary>
public sealed class WireFormatException(string message, int offset) : Exception($"{message} at byte {offset}")
{
    public int Offset { get; } = offset;
}
