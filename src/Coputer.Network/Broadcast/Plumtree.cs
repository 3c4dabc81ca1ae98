using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Broadcast;

/// <summary>Parameters of the Plumtree broadcast.</summary>
public sealed record PlumtreeOptions
{
    /// <summary>How long an announced message may stay missing before it is grafted from its first announcer.</summary>
    public TimeSpan AnnouncementTimeout { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>How long a graft may go unanswered before the next announcer is asked.</summary>
    public TimeSpan GraftTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often announcements queued for lazy peers are sent, batched into one message per peer.</summary>
    public TimeSpan AnnouncementInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a random neighbour is sent a sample of held message ids, so nodes that missed a broadcast (joined later, returned) catch up.</summary>
    public TimeSpan AntiEntropyInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most messages kept to answer grafts; the oldest go first.</summary>
    public int MaxStoredMessages { get; init; } = 10_000;

    /// <summary>Most ids remembered as invalid, so a forged message is checked once.</summary>
    public int MaxRejectedIds { get; init; } = 10_000;
}

/// <summary>A broadcast message arrived for the first time and passed validation.</summary>
public sealed record Delivered(Hash256 Id, byte[] Payload) : NodeEffect;

/// <summary>Counts kept by one node's broadcast.</summary>
public sealed class PlumtreeCounters
{
    public long Delivered { get; internal set; }

    public long Duplicates { get; internal set; }

    public long Rejected { get; internal set; }

    public long Grafts { get; internal set; }
}

/// <summary>
/// Plumtree (Leitão, Pereira and Rodrigues, 2007), epidemic broadcast trees, as a pure state machine over the
/// membership's neighbours. Full messages go to eager peers, which converge to a spanning tree: a duplicate
/// prunes its sender to lazy. Lazy peers get batched announcements (<see cref="IHave"/>); a message announced but
/// not received in time is grafted, which repairs the tree. Every payload is checked by the validator before it is
/// delivered or passed on, so a forged message stops at the first honest node.
/// </summary>
public sealed class Plumtree
{
    private readonly PeerInfo _self;
    private readonly PlumtreeOptions _options;
    private readonly Func<byte[], bool> _validate;
    private readonly Random _random;
    private readonly List<PeerInfo> _eager = [];
    private readonly List<PeerInfo> _lazy = [];
    private readonly Dictionary<Hash256, (byte[] Payload, byte Round)> _store = [];
    private readonly Queue<Hash256> _storeOrder = new();
    private readonly HashSet<Hash256> _rejected = [];
    private readonly Queue<Hash256> _rejectedOrder = new();
    private readonly Dictionary<Hash256, Missing> _missing = [];
    private readonly Dictionary<NodeId, (PeerInfo Peer, List<Hash256> Ids, byte Round)> _announcements = [];
    private readonly List<NodeEffect> _effects = [];
    private TimeSpan _nextAnnouncement;
    private TimeSpan _nextAntiEntropy;

    public Plumtree(PeerInfo self, PlumtreeOptions options, Func<byte[], bool> validate, Random random)
    {
        _self = self;
        _options = options;
        _validate = validate;
        _random = random;
        _nextAntiEntropy = options.AntiEntropyInterval;
    }

    public IReadOnlyList<PeerInfo> EagerPeers => _eager;

    public IReadOnlyList<PeerInfo> LazyPeers => _lazy;

    public PlumtreeCounters Counters { get; } = new();

    public bool Has(Hash256 id) => _store.ContainsKey(id);

    public static Hash256 IdOf(ReadOnlySpan<byte> payload) => Hash256.Of(payload);

    /// <summary>Starts a broadcast of <paramref name="payload"/> from this node.</summary>
    /// <exception cref="ArgumentException">The payload does not pass validation.</exception>
    public IReadOnlyList<NodeEffect> Broadcast(byte[] payload, TimeSpan now)
    {
        if (payload.Length > WireCodec.MaxPayloadSize || !_validate(payload))
            throw new ArgumentException("the payload does not pass validation", nameof(payload));
        var id = IdOf(payload);
        if (!_store.ContainsKey(id))
            Accept(id, payload, 0, from: null);
        return Drain();
    }

    public IReadOnlyList<NodeEffect> NeighborUp(PeerInfo peer)
    {
        if (!IsNeighbor(peer.Id))
            _eager.Add(peer);
        return [];
    }

    public IReadOnlyList<NodeEffect> NeighborDown(PeerInfo peer)
    {
        Remove(_eager, peer.Id);
        Remove(_lazy, peer.Id);
        _announcements.Remove(peer.Id);
        foreach (var entry in _missing.Values)
            entry.Announcers.RemoveAll(a => a.Peer.Id == peer.Id);
        return [];
    }

    public IReadOnlyList<NodeEffect> Handle(WireMessage message, TimeSpan now)
    {
        switch (message)
        {
            case Gossip m:
                OnGossip(m);
                break;
            case IHave m:
                foreach (var id in m.Ids)
                {
                    if (_store.ContainsKey(id) || _rejected.Contains(id))
                        continue;
                    if (!_missing.TryGetValue(id, out var entry))
                        _missing[id] = entry = new Missing(now + _options.AnnouncementTimeout);
                    if (!entry.Announcers.Exists(a => a.Peer.Id == m.Sender.Id))
                        entry.Announcers.Add((m.Sender, m.Round));
                }
                break;
            case Graft m:
                if (IsNeighbor(m.Sender.Id))
                    MakeEager(m.Sender);
                if (_store.TryGetValue(m.Id, out var stored))
                    Send(m.Sender, new Gossip(_self, stored.Payload, stored.Round));
                break;
            case Prune m:
                if (Remove(_eager, m.Sender.Id))
                    _lazy.Add(m.Sender);
                break;
        }
        return Drain();
    }

    /// <summary>Grafts overdue messages, sends batched announcements and the anti-entropy sample.</summary>
    public IReadOnlyList<NodeEffect> Tick(TimeSpan now)
    {
        foreach (var (id, entry) in _missing.ToArray())
        {
            if (entry.Deadline > now)
                continue;
            if (entry.Announcers.Count == 0)
            {
                _missing.Remove(id);
                continue;
            }
            var (peer, round) = entry.Announcers[0];
            entry.Announcers.RemoveAt(0);
            entry.Deadline = now + _options.GraftTimeout;
            if (IsNeighbor(peer.Id))
                MakeEager(peer);
            Counters.Grafts++;
            Send(peer, new Graft(_self, id, round));
        }
        if (now >= _nextAnnouncement)
        {
            _nextAnnouncement = now + _options.AnnouncementInterval;
            foreach (var (peer, ids, round) in _announcements.Values)
            {
                foreach (var chunk in ids.Chunk(WireCodec.MaxIdsPerMessage))
                    Send(peer, new IHave(_self, round, chunk));
            }
            _announcements.Clear();
        }
        if (now >= _nextAntiEntropy)
        {
            _nextAntiEntropy = now + _options.AntiEntropyInterval;
            var neighbors = _eager.Concat(_lazy).ToList();
            if (neighbors.Count > 0 && _store.Count > 0)
            {
                var peer = neighbors[_random.Next(neighbors.Count)];
                var ids = _store.Keys.ToList();
                for (var i = 0; i < Math.Min(WireCodec.MaxIdsPerMessage, ids.Count); i++)
                {
                    var j = _random.Next(i, ids.Count);
                    (ids[i], ids[j]) = (ids[j], ids[i]);
                }
                Send(peer, new IHave(_self, 0, ids.Take(WireCodec.MaxIdsPerMessage).ToArray()));
            }
        }
        return Drain();
    }

    private void OnGossip(Gossip m)
    {
        var id = IdOf(m.Payload);
        if (_store.ContainsKey(id))
        {
            // A second copy: the tree has a redundant edge here; make it lazy on both sides.
            Counters.Duplicates++;
            if (Remove(_eager, m.Sender.Id))
            {
                _lazy.Add(m.Sender);
                Send(m.Sender, new Prune(_self));
            }
            return;
        }
        if (_rejected.Contains(id))
            return;
        if (!_validate(m.Payload))
        {
            Counters.Rejected++;
            Remember(_rejected, _rejectedOrder, id, _options.MaxRejectedIds);
            return;
        }
        Accept(id, m.Payload, m.Round == byte.MaxValue ? m.Round : (byte)(m.Round + 1), m.Sender);
    }

    private void Accept(Hash256 id, byte[] payload, byte round, PeerInfo? from)
    {
        _store[id] = (payload, round);
        _storeOrder.Enqueue(id);
        while (_storeOrder.Count > _options.MaxStoredMessages)
            _store.Remove(_storeOrder.Dequeue());
        _missing.Remove(id);
        Counters.Delivered++;
        _effects.Add(new Delivered(id, payload));
        if (from is not null && IsNeighbor(from.Id))
            MakeEager(from);
        foreach (var peer in _eager)
        {
            if (peer.Id != from?.Id)
                Send(peer, new Gossip(_self, payload, round));
        }
        foreach (var peer in _lazy)
        {
            if (peer.Id == from?.Id)
                continue;
            if (!_announcements.TryGetValue(peer.Id, out var queued))
                _announcements[peer.Id] = queued = (peer, [], round);
            queued.Ids.Add(id);
        }
    }

    private void MakeEager(PeerInfo peer)
    {
        Remove(_lazy, peer.Id);
        if (IndexOf(_eager, peer.Id) < 0)
            _eager.Add(peer);
    }

    private bool IsNeighbor(NodeId id) => IndexOf(_eager, id) >= 0 || IndexOf(_lazy, id) >= 0;

    private void Send(PeerInfo to, WireMessage message) => _effects.Add(new Outgoing(to, message));

    private IReadOnlyList<NodeEffect> Drain()
    {
        if (_effects.Count == 0)
            return [];
        var effects = _effects.ToArray();
        _effects.Clear();
        return effects;
    }

    private static void Remember(HashSet<Hash256> set, Queue<Hash256> order, Hash256 id, int cap)
    {
        if (!set.Add(id))
            return;
        order.Enqueue(id);
        while (order.Count > cap)
            set.Remove(order.Dequeue());
    }

    private static int IndexOf(List<PeerInfo> peers, NodeId id)
    {
        for (var i = 0; i < peers.Count; i++)
        {
            if (peers[i].Id == id)
                return i;
        }
        return -1;
    }

    private static bool Remove(List<PeerInfo> peers, NodeId id)
    {
        var index = IndexOf(peers, id);
        if (index < 0)
            return false;
        peers.RemoveAt(index);
        return true;
    }

    private sealed class Missing(TimeSpan deadline)
    {
        public TimeSpan Deadline { get; set; } = deadline;

        public List<(PeerInfo Peer, byte Round)> Announcers { get; } = [];
    }
}
