using Coputer.Network.Broadcast;
using Coputer.Network.Membership;
using Coputer.Network.Replication;
using Coputer.Network.Routing;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Records;

namespace Coputer.Network;

/// <summary>
/// One node's protocol state: the membership view, the broadcast over it, the records it has accepted, the
/// Kademlia routing table and the programs it holds, composed as one pure state machine. A host (the simulator or
/// a transport) delivers messages, failures and ticks, and carries out the returned <see cref="Outgoing"/> effects.
/// Neighbour changes from the membership drive the broadcast; delivered broadcasts go to the record book; every
/// peer heard from goes to the routing table; the replica store's checks run as routing lookups.
/// </summary>
public sealed class NetworkNode
{
    private readonly Dictionary<long, Hash256> _repairs = [];
    private readonly HashSet<long> _checks = [];
    private readonly ReplicationOptions _replication;
    private readonly ContentSource? _kept;

    /// <param name="kept">Content the host keeps outside the replica store (a real node's bundle store), which lookups are also answered from.</param>
    public NetworkNode(PeerInfo self, HyParViewOptions membership, PlumtreeOptions broadcast, ReplicationOptions replication, Random random, KademliaOptions? routing = null, ContentSource? kept = null)
    {
        Self = self;
        _replication = replication;
        _kept = kept;
        routing ??= new KademliaOptions();
        Routing = new Kademlia(self, routing, new Random(random.Next()), HeldContent);
        Replicas = new ReplicaStore(self, replication, IsNear, new Random(random.Next()));
        Membership = new HyParView(self, membership, random);
        Broadcast = new Plumtree(self, broadcast, payload => RecordBook.Verify(payload) is not null, random);
    }

    public PeerInfo Self { get; }

    public HyParView Membership { get; }

    public Plumtree Broadcast { get; }

    public RecordBook Records { get; } = new();

    public Kademlia Routing { get; }

    public ReplicaStore Replicas { get; }

    private bool HeldContent(Hash256 key, out byte[]? content)
    {
        content = Replicas.Get(key);
        if (content is not null)
            return true;
        if (_kept is not null && _kept(key, out content))
            return true;
        return Replicas.Holds(key);
    }

    /// <summary>Whether this node's table knows fewer than twice the replica count of nodes closer to the program (a table never knows every node near a key).</summary>
    private bool IsNear(Hash256 program) => Routing.Table.CountCloserThanSelf(RoutingKey.From(program)) < 2 * _replication.Replicas;

    public IReadOnlyList<NodeEffect> Join(PeerInfo contact, TimeSpan now)
    {
        var effects = Route(Membership.Join(contact, now), now);
        effects.AddRange(Route(Routing.Bootstrap(contact, now), now));
        return effects;
    }

    public IReadOnlyList<NodeEffect> Leave() => Route(Membership.Leave(), TimeSpan.Zero);

    /// <summary>Publishes a signed record (it must verify): broadcast to the whole network and stored at the nodes closest to its name.</summary>
    public IReadOnlyList<NodeEffect> Publish(SignedRecord record, TimeSpan now)
    {
        var effects = Route(Broadcast.Broadcast(record.Encode(), now), now);
        effects.AddRange(Route(Routing.PutRecord(record, now), now));
        return effects;
    }

    /// <summary>Stores a program's content here and places it on the nodes closest to its hash.</summary>
    public Hash256 Store(byte[] content, TimeSpan now) => Replicas.Add(content, now);

    /// <summary>
    /// Holds a program whose content the host keeps: a pinned one (published here) is placed on the nodes closest
    /// to its hash at the next tick and kept; an unpinned one (found in the host's store at start) is checked
    /// within a repair interval and dropped from the replica store if this node is not a holder.
    /// </summary>
    public void Hold(Hash256 program, byte[]? content, TimeSpan now, bool pinned) => Replicas.Hold(program, content, now, pinned);

    /// <summary>The host fetched and kept the content of an offer this node took (<see cref="FetchReplica"/>).</summary>
    public IReadOnlyList<NodeEffect> ReplicaFetched(Hash256 program, byte[]? content, TimeSpan now) => Route(Replicas.Fetched(program, content, now), now);

    /// <summary>Starts a lookup of a program's content by hash or a name's record by <see cref="Kademlia.NameKey"/>; it ends with <see cref="ValueFound"/> or <see cref="LookupFailed"/>.</summary>
    public (long LookupId, IReadOnlyList<NodeEffect> Effects) Find(Hash256 key, TimeSpan now)
    {
        var (id, effects) = Routing.FindValue(key, now);
        return (id, Route(effects, now));
    }

    public IReadOnlyList<NodeEffect> Handle(WireMessage message, TimeSpan now)
    {
        // Every peer heard from is a routing contact (a Disconnect is a peer leaving a view, often the network).
        var effects = message is Disconnect ? [] : Route(Routing.Observe(message.Sender, now), now);
        effects.AddRange(message switch
        {
            Gossip or IHave or Graft or Prune => Route(Broadcast.Handle(message, now), now),
            Replicate or Stored or Offer => Route(Replicas.Handle(message, now), now),
            Ping or Pong or FindNode or FindValue or FoundNodes or FoundValue or PutRecord => Route(Routing.Handle(message, now), now),
            _ => Route(Membership.Handle(message, now), now),
        });
        return effects;
    }

    public IReadOnlyList<NodeEffect> ConnectionFailed(NodeId peer, TimeSpan now)
    {
        var effects = Route(Membership.ConnectionFailed(peer, now), now);
        effects.AddRange(Route(Routing.ConnectionFailed(peer, now), now));
        return effects;
    }

    public IReadOnlyList<NodeEffect> Tick(TimeSpan now)
    {
        var effects = Route(Membership.Tick(now), now);
        effects.AddRange(Route(Broadcast.Tick(now), now));
        effects.AddRange(Route(Routing.Tick(now), now));
        effects.AddRange(Route(Replicas.Tick(now), now));
        return effects;
    }

    /// <summary>Passes membership changes to the broadcast, delivered records to the book and lookups to the replica store; returns every effect.</summary>
    private List<NodeEffect> Route(IReadOnlyList<NodeEffect> effects, TimeSpan now)
    {
        var all = new List<NodeEffect>(effects.Count);
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case NeighborUp up:
                    all.Add(effect);
                    all.AddRange(Broadcast.NeighborUp(up.Peer));
                    break;
                case NeighborDown down:
                    all.Add(effect);
                    all.AddRange(Broadcast.NeighborDown(down.Peer));
                    break;
                case Delivered delivered:
                    all.Add(effect);
                    // The broadcast delivers only payloads that passed RecordBook.Verify.
                    Records.Apply(SignedRecord.Decode(delivered.Payload));
                    break;
                case RepairDue due:
                    var (id, lookup) = Routing.FindNode(due.Program, now);
                    _repairs[id] = due.Program;
                    all.AddRange(Route(lookup, now));
                    break;
                case CheckNearness check:
                    // The lookup's answers and failures correct the table; its result is not needed.
                    var (checkId, checkLookup) = Routing.FindNode(check.Program, now);
                    _checks.Add(checkId);
                    all.AddRange(Route(checkLookup, now));
                    break;
                case NodesFound found when _checks.Remove(found.LookupId):
                    break;
                case NodesFound found when _repairs.Remove(found.LookupId, out var program):
                    all.AddRange(Replicas.HoldersFound(program, found.Closest, now));
                    break;
                default:
                    all.Add(effect);
                    break;
            }
        }
        return all;
    }
}
