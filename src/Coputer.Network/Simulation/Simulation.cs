using System.Text;
using Coputer.Network.Broadcast;
using Coputer.Network.Membership;
using Coputer.Network.Replication;
using Coputer.Network.Routing;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Records;

namespace Coputer.Network.Simulation;

/// <summary>Parameters of a simulated network.</summary>
public sealed record SimulationOptions
{
    public int Seed { get; init; } = 1;

    /// <summary>One-way latency is uniform in [<see cref="MinLatency"/>, <see cref="MaxLatency"/>].</summary>
    public TimeSpan MinLatency { get; init; } = TimeSpan.FromMilliseconds(10);

    public TimeSpan MaxLatency { get; init; } = TimeSpan.FromMilliseconds(80);

    /// <summary>Share of messages lost in transit. A <see cref="Disconnect"/> is the closing of a connection and is never lost.</summary>
    public double LossRate { get; init; }

    /// <summary>How often each node's clock ticks.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long after a crash its neighbours' transports notice the dead connection.</summary>
    public TimeSpan FailureDetectionDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public HyParViewOptions Membership { get; init; } = new();

    public PlumtreeOptions Broadcast { get; init; } = new();

    public ReplicationOptions Replication { get; init; } = new();

    public KademliaOptions Routing { get; init; } = new();
}

/// <summary>Counts of what crossed the simulated network.</summary>
public sealed class SimulationStats
{
    private readonly Dictionary<string, (long Count, long Bytes)> _byType = [];

    public long Sent { get; private set; }

    public long Delivered { get; private set; }

    public long Lost { get; private set; }

    public long ToDeadNodes { get; private set; }

    public long Bytes { get; private set; }

    public IReadOnlyDictionary<string, (long Count, long Bytes)> ByType => _byType;

    public long CountOf<T>() where T : WireMessage => _byType.TryGetValue(typeof(T).Name, out var entry) ? entry.Count : 0;

    internal void RecordSent(WireMessage message, int bytes)
    {
        Sent++;
        Bytes += bytes;
        var name = message.GetType().Name;
        _byType.TryGetValue(name, out var entry);
        _byType[name] = (entry.Count + 1, entry.Bytes + bytes);
    }

    internal void RecordDelivered() => Delivered++;

    internal void RecordLost() => Lost++;

    internal void RecordToDead() => ToDeadNodes++;

    /// <summary>Content fetched out of band (offered copies too large for a message).</summary>
    public long Fetches { get; private set; }

    public long FetchedBytes { get; private set; }

    internal void RecordFetched(int bytes)
    {
        Fetches++;
        FetchedBytes += bytes;
    }
}

/// <summary>A node in the simulation and whether it is running.</summary>
public sealed class SimulatedNode(int index, NetworkNode node)
{
    public int Index { get; } = index;

    public NetworkNode Node { get; } = node;

    public PeerInfo Peer => Node.Self;

    public bool Alive { get; internal set; } = true;
}

/// <summary>
/// A deterministic discrete-event simulation of many <see cref="NetworkNode"/>s in one process: messages are
/// encoded and decoded with the real wire codec and delivered after a random latency, some are lost, nodes crash,
/// leave and join. The clock is virtual and every random choice comes from the seed, so one seed gives one trace
/// (<see cref="TraceHash"/>).
/// </summary>
public sealed class Simulation
{
    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly PriorityQueue<Event, (long Ticks, long Sequence)> _queue = new();
    private readonly List<SimulatedNode> _nodes = [];
    private readonly Dictionary<NodeId, SimulatedNode> _byId = [];
    private long _sequence;
    private readonly Dictionary<(int From, int To), TimeSpan> _lastArrival = [];
    private ulong _trace = 14695981039346656037UL;

    public Simulation(SimulationOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        LossRate = options.LossRate;
    }

    public TimeSpan Now { get; private set; }

    /// <summary>Share of messages lost from now on (starts at <see cref="SimulationOptions.LossRate"/>).</summary>
    public double LossRate { get; set; }

    public IReadOnlyList<SimulatedNode> Nodes => _nodes;

    public IEnumerable<SimulatedNode> LiveNodes => _nodes.Where(n => n.Alive);

    public SimulationStats Stats { get; } = new();

    /// <summary>A digest of every event in order (FNV-1a over time, endpoints and message bytes).</summary>
    public ulong TraceHash => _trace;

    /// <summary>Adds a node that joins through <paramref name="contact"/> now (or is the first node, when null).</summary>
    public SimulatedNode AddNode(SimulatedNode? contact)
    {
        var index = _nodes.Count;
        var id = new NodeId(Hash256.Of(Encoding.UTF8.GetBytes($"simulated-node-{_options.Seed}-{index}")));
        // One /24 per node (10.a.b.1), so the routing table's per-range caps see distinct operators.
        var peer = new PeerInfo(id, $"10.{index >> 8 & 255}.{index & 255}.1:7000");
        var node = new SimulatedNode(index, new NetworkNode(peer, _options.Membership, _options.Broadcast, _options.Replication, new Random(_random.Next()), _options.Routing));
        _nodes.Add(node);
        _byId[id] = node;
        Schedule(Now + TimeSpan.FromTicks(_random.NextInt64(_options.TickInterval.Ticks)), new TickEvent(node));
        if (contact is not null)
            Apply(node, node.Node.Join(contact.Peer, Now));
        return node;
    }

    /// <summary>Stops a node without a word to its peers; their transports notice after the detection delay.</summary>
    public void Crash(SimulatedNode node)
    {
        if (!node.Alive)
            return;
        node.Alive = false;
        Mix(0xC7, node.Index, node.Index, []);
        foreach (var other in LiveNodes)
        {
            if (other.Node.Membership.IsActive(node.Peer.Id))
                Schedule(Now + _options.FailureDetectionDelay + Latency(), new FailureEvent(other, node.Peer.Id));
        }
    }

    /// <summary>Stops a node after it has told its neighbours.</summary>
    public void Leave(SimulatedNode node)
    {
        if (!node.Alive)
            return;
        Apply(node, node.Node.Leave());
        node.Alive = false;
    }

    /// <summary>Has <paramref name="node"/> publish a signed record to the network now.</summary>
    public void Publish(SimulatedNode node, SignedRecord record) => Apply(node, node.Node.Publish(record, Now));

    /// <summary>Stores content at <paramref name="node"/>, which places it on the nodes closest to its hash.</summary>
    public Hash256 Store(SimulatedNode node, byte[] content) => node.Node.Store(content, Now);

    /// <summary>Has <paramref name="node"/> look up the value under <paramref name="key"/> (content hash or name key); the outcome is an observed <see cref="ValueFound"/> or <see cref="LookupFailed"/>.</summary>
    public long Find(SimulatedNode node, Hash256 key)
    {
        var (id, effects) = node.Node.Find(key, Now);
        Apply(node, effects);
        return id;
    }

    /// <summary>Every effect any node produces, as it happens (for measurements).</summary>
    public event Action<SimulatedNode, NodeEffect>? Observed;

    /// <summary>Sends a message as if <paramref name="from"/> had produced it (for misbehaving nodes in tests).</summary>
    public void Inject(SimulatedNode from, PeerInfo to, WireMessage message) => Apply(from, [new Outgoing(to, message)]);

    public void RunFor(TimeSpan duration) => RunUntil(Now + duration);

    public void RunUntil(TimeSpan end)
    {
        while (_queue.TryPeek(out _, out var key) && key.Ticks <= end.Ticks)
        {
            var next = _queue.Dequeue();
            Now = TimeSpan.FromTicks(key.Ticks);
            switch (next)
            {
                case TickEvent tick when tick.Node.Alive:
                    Apply(tick.Node, tick.Node.Node.Tick(Now));
                    Schedule(Now + _options.TickInterval, tick);
                    break;
                case DeliveryEvent delivery:
                    Deliver(delivery);
                    break;
                case FetchEvent fetch when fetch.Node.Alive:
                    if (fetch.Source.Alive && fetch.Source.Node.Replicas.Get(fetch.Program) is { } content)
                    {
                        Stats.RecordFetched(content.Length);
                        Apply(fetch.Node, fetch.Node.Node.ReplicaFetched(fetch.Program, content, Now));
                    }
                    else
                    {
                        fetch.Node.Node.Replicas.FetchFailed(fetch.Program);
                    }
                    break;
                case FailureEvent failure when failure.Node.Alive:
                    Mix(0xFA, failure.Node.Index, _byId[failure.Peer].Index, []);
                    Apply(failure.Node, failure.Node.Node.ConnectionFailed(failure.Peer, Now));
                    break;
            }
        }
        Now = end;
    }

    /// <summary>Whether the live nodes' active views form one connected graph (links taken in either direction).</summary>
    public bool IsConnected() => ComponentCount() == 1;

    /// <summary>How many connected components the live nodes' active views form.</summary>
    public int ComponentCount()
    {
        var live = LiveNodes.ToList();
        var seen = new HashSet<NodeId>();
        var adjacency = live.ToDictionary(n => n.Peer.Id, _ => new List<NodeId>());
        foreach (var node in live)
        {
            foreach (var peer in node.Node.Membership.ActiveView)
            {
                if (adjacency.TryGetValue(peer.Id, out var back))
                {
                    adjacency[node.Peer.Id].Add(peer.Id);
                    back.Add(node.Peer.Id);
                }
            }
        }
        var components = 0;
        foreach (var start in live)
        {
            if (!seen.Add(start.Peer.Id))
                continue;
            components++;
            var stack = new Stack<NodeId>([start.Peer.Id]);
            while (stack.TryPop(out var id))
            {
                foreach (var next in adjacency[id])
                {
                    if (seen.Add(next))
                        stack.Push(next);
                }
            }
        }
        return components;
    }

    /// <summary>Share of live nodes' active-view links whose other end also lists them.</summary>
    public double SymmetricLinkShare()
    {
        long links = 0, symmetric = 0;
        foreach (var node in LiveNodes)
        {
            foreach (var peer in node.Node.Membership.ActiveView)
            {
                if (!_byId[peer.Id].Alive)
                    continue;
                links++;
                if (_byId[peer.Id].Node.Membership.IsActive(node.Peer.Id))
                    symmetric++;
            }
        }
        return links == 0 ? 1 : (double)symmetric / links;
    }

    private void Apply(SimulatedNode from, IReadOnlyList<NodeEffect> effects)
    {
        foreach (var effect in effects)
        {
            Observed?.Invoke(from, effect);
            if (effect is FetchReplica fetch)
            {
                // Out of band (a host's GET of the bundle): a request and an answer, never lost, failing if the source is gone.
                if (_byId.TryGetValue(fetch.From.Id, out var source))
                    Schedule(Now + Latency() + Latency(), new FetchEvent(from, source, fetch.Program));
                else
                    from.Node.Replicas.FetchFailed(fetch.Program);
                continue;
            }
            if (effect is not Outgoing outgoing)
                continue;
            var bytes = WireCodec.Encode(outgoing.Message);
            Stats.RecordSent(outgoing.Message, bytes.Length);
            if (outgoing.Message is not Disconnect && LossRate > 0 && _random.NextDouble() < LossRate)
            {
                Stats.RecordLost();
                continue;
            }
            if (!_byId.TryGetValue(outgoing.To.Id, out var to))
                continue; // an id no node has: nothing answers
            // Links are FIFO, as a connection with an ordered send queue is: a message never overtakes an earlier one.
            var at = Now + Latency();
            if (_lastArrival.TryGetValue((from.Index, to.Index), out var last) && last > at)
                at = last;
            _lastArrival[(from.Index, to.Index)] = at;
            Schedule(at, new DeliveryEvent(from, to, bytes));
        }
    }

    private void Deliver(DeliveryEvent delivery)
    {
        if (!delivery.To.Alive)
        {
            // The sender's transport cannot reach a dead node; it learns so one more latency later.
            Stats.RecordToDead();
            if (delivery.From.Alive && WireCodec.Decode(delivery.Bytes) is not Disconnect)
                Schedule(Now + Latency(), new FailureEvent(delivery.From, delivery.To.Peer.Id));
            return;
        }
        Stats.RecordDelivered();
        Mix(0xDE, delivery.From.Index, delivery.To.Index, delivery.Bytes);
        var message = WireCodec.Decode(delivery.Bytes);
        Apply(delivery.To, delivery.To.Node.Handle(message, Now));
    }

    private TimeSpan Latency() =>
        _options.MinLatency + TimeSpan.FromTicks(_random.NextInt64((_options.MaxLatency - _options.MinLatency).Ticks + 1));

    private void Schedule(TimeSpan at, Event e) => _queue.Enqueue(e, (at.Ticks, _sequence++));

    private void Mix(byte kind, int from, int to, ReadOnlySpan<byte> bytes)
    {
        Span<byte> header = stackalloc byte[17];
        header[0] = kind;
        BitConverter.TryWriteBytes(header[1..], Now.Ticks);
        BitConverter.TryWriteBytes(header[9..], from);
        BitConverter.TryWriteBytes(header[13..], to);
        foreach (var b in header)
            _trace = (_trace ^ b) * 1099511628211UL;
        foreach (var b in bytes)
            _trace = (_trace ^ b) * 1099511628211UL;
    }

    private abstract record Event;

    private sealed record TickEvent(SimulatedNode Node) : Event;

    private sealed record DeliveryEvent(SimulatedNode From, SimulatedNode To, byte[] Bytes) : Event;

    private sealed record FailureEvent(SimulatedNode Node, NodeId Peer) : Event;

    private sealed record FetchEvent(SimulatedNode Node, SimulatedNode Source, Hash256 Program) : Event;
}
