using Coputer.Network.Wire;

namespace Coputer.Network;

/// <summary>
/// What a protocol state machine asks its host to do. The state machines never touch sockets or clocks: they
/// return effects, and the host (the simulator, or a real transport) carries them out.
/// </summary>
public abstract record NodeEffect;

/// <summary>Send <paramref name="Message"/> to <paramref name="To"/>.</summary>
public sealed record Outgoing(PeerInfo To, WireMessage Message) : NodeEffect;

/// <summary>The peer joined this node's active view: a neighbour for broadcast.</summary>
public sealed record NeighborUp(PeerInfo Peer) : NodeEffect;

/// <summary>The peer left this node's active view (disconnected, failed or evicted).</summary>
public sealed record NeighborDown(PeerInfo Peer) : NodeEffect;
