namespace Coputer.Network.Wire;

/// <summary>A peer advertised on the wire: its node id and the address it is reached at.</summary>
public sealed record PeerInfo(NodeId Id, string Address);

/// <summary>Messages of the membership protocol (HyParView), each from a sender. Version 1 of the wire schema.</summary>
public abstract record WireMessage(PeerInfo Sender);

public sealed record Join(PeerInfo Sender) : WireMessage(Sender);

public sealed record ForwardJoin(PeerInfo Sender, PeerInfo Joiner, byte TimeToLive) : WireMessage(Sender);

public sealed record Neighbor(PeerInfo Sender, bool HighPriority) : WireMessage(Sender);

public sealed record NeighborReply(PeerInfo Sender, bool Accepted) : WireMessage(Sender);

public sealed record Disconnect(PeerInfo Sender) : WireMessage(Sender);

public sealed record Shuffle(PeerInfo Sender, PeerInfo Origin, byte TimeToLive, IReadOnlyList<PeerInfo> Peers) : WireMessage(Sender);

public sealed record ShuffleReply(PeerInfo Sender, IReadOnlyList<PeerInfo> Peers) : WireMessage(Sender);

/// <summary>A malformed message, with the byte offset where decoding stopped.</summary>
public sealed class WireFormatException(string message, int offset) : Exception($"{message} at byte {offset}")
{
    public int Offset { get; } = offset;
}
