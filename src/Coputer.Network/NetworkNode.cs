using Coputer.Network.Membership;
using Coputer.Network.Wire;

namespace Coputer.Network;

/// <summary>
/// One node's protocol state: the membership view and the protocols that run over it, composed as one pure
/// state machine. A host (the simulator or a transport) delivers messages, failures and ticks, and carries out
/// the returned <see cref="Outgoing"/> effects.
/// </summary>
public sealed class NetworkNode
{
    public NetworkNode(PeerInfo self, HyParViewOptions membership, Random random)
    {
        Self = self;
        Membership = new HyParView(self, membership, random);
    }

    public PeerInfo Self { get; }

    public HyParView Membership { get; }

    public IReadOnlyList<NodeEffect> Join(PeerInfo contact, TimeSpan now) => Membership.Join(contact, now);

    public IReadOnlyList<NodeEffect> Leave() => Membership.Leave();

    public IReadOnlyList<NodeEffect> Handle(WireMessage message, TimeSpan now) => Membership.Handle(message, now);

    public IReadOnlyList<NodeEffect> ConnectionFailed(NodeId peer, TimeSpan now) => Membership.ConnectionFailed(peer, now);

    public IReadOnlyList<NodeEffect> Tick(TimeSpan now) => Membership.Tick(now);
}
