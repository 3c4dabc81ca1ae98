using Coputer.Network.Broadcast;
using Coputer.Network.Membership;
using Coputer.Network.Replication;
using Coputer.Network.Wire;
using Coputer.Platform.Records;

namespace Coputer.Network;

/// <summary>
/// One node's protocol state: the membership view, the broadcast over it and the records it has accepted,
/// composed as one pure state machine. A host (the simulator or a transport) delivers messages, failures and
/// ticks, and carries out the returned <see cref="Outgoing"/> effects. Neighbour changes from the membership
/// drive the broadcast; delivered broadcasts go to the record book.
/// </summary>
public sealed class NetworkNode
{
    public NetworkNode(PeerInfo self, HyParViewOptions membership, PlumtreeOptions broadcast, ReplicationOptions replication, Random random)
    {
        Self = self;
        Replicas = new ReplicaStore(self, replication);
        Membership = new HyParView(self, membership, random);
        Broadcast = new Plumtree(self, broadcast, payload => RecordBook.Verify(payload) is not null, random);
    }

    public PeerInfo Self { get; }

    public HyParView Membership { get; }

    public Plumtree Broadcast { get; }

    public RecordBook Records { get; } = new();

    public ReplicaStore Replicas { get; }

    public IReadOnlyList<NodeEffect> Join(PeerInfo contact, TimeSpan now) => Route(Membership.Join(contact, now));

    public IReadOnlyList<NodeEffect> Leave() => Route(Membership.Leave());

    /// <summary>Publishes a signed record to the whole network (it must verify).</summary>
    public IReadOnlyList<NodeEffect> Publish(SignedRecord record, TimeSpan now) => Route(Broadcast.Broadcast(record.Encode(), now));

    public IReadOnlyList<NodeEffect> Handle(WireMessage message, TimeSpan now) => message switch
    {
        Gossip or IHave or Graft or Prune => Route(Broadcast.Handle(message, now)),
        Replicate or Stored => Replicas.Handle(message),
        _ => Route(Membership.Handle(message, now)),
    };

    public IReadOnlyList<NodeEffect> ConnectionFailed(NodeId peer, TimeSpan now) => Route(Membership.ConnectionFailed(peer, now));

    public IReadOnlyList<NodeEffect> Tick(TimeSpan now)
    {
        var effects = new List<NodeEffect>(Route(Membership.Tick(now)));
        effects.AddRange(Route(Broadcast.Tick(now)));
        effects.AddRange(Replicas.Tick(now));
        return effects;
    }

    /// <summary>Passes membership changes to the broadcast and delivered records to the book; returns every effect.</summary>
    private List<NodeEffect> Route(IReadOnlyList<NodeEffect> effects)
    {
        var all = new List<NodeEffect>(effects.Count);
        foreach (var effect in effects)
        {
            all.Add(effect);
            switch (effect)
            {
                case NeighborUp up:
                    all.AddRange(Broadcast.NeighborUp(up.Peer));
                    break;
                case NeighborDown down:
                    all.AddRange(Broadcast.NeighborDown(down.Peer));
                    break;
                case Delivered delivered:
                    // The broadcast delivers only payloads that passed RecordBook.Verify.
                    Records.Apply(SignedRecord.Decode(delivered.Payload));
                    break;
            }
        }
        return all;
    }
}
