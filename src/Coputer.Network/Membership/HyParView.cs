using Coputer.Network.Wire;

namespace Coputer.Network.Membership;

/// <summary>
/// The HyParView membership protocol (Leitão, Pereira and Rodrigues, 2007) as a pure state machine: a small
/// symmetric active view of neighbours and a larger passive view of reserves, kept fresh by shuffles. It does
/// no I/O: the host feeds it messages (<see cref="Handle"/>), connection failures (<see cref="ConnectionFailed"/>)
/// and the time (<see cref="Tick"/>), and carries out the <see cref="NodeEffect"/>s it returns. All randomness
/// comes from the seeded source it is given, so a run is reproducible.
/// </summary>
/// <remarks>
/// One departure from the paper: a node adds a peer to its active view on its own initiative only after the
/// peer has accepted a <see cref="Neighbor"/> request (the contact of a join and the end of a forward-join walk
/// ask too). Links therefore stay symmetric when messages are lost: a request that is not answered in time is
/// withdrawn with a <see cref="Disconnect"/>, which the transport delivers as the closing of the connection.
/// </remarks>
public sealed class HyParView
{
    private readonly HyParViewOptions _options;
    private readonly Random _random;
    private readonly List<PeerInfo> _active = [];
    private readonly List<PeerInfo> _passive = [];
    private readonly Dictionary<NodeId, (PeerInfo Peer, TimeSpan Deadline)> _pending = [];
    private readonly List<NodeEffect> _effects = [];
    private List<PeerInfo> _lastShuffle = [];
    private PeerInfo? _contact;
    private TimeSpan _nextShuffle;
    private TimeSpan _nextRepair;
    private TimeSpan _nextJoin;

    public HyParView(PeerInfo self, HyParViewOptions options, Random random)
    {
        options.Validate();
        Self = self;
        _options = options;
        _random = random;
        _nextShuffle = options.ShuffleInterval;
    }

    public PeerInfo Self { get; }

    /// <summary>The neighbours (symmetric links).</summary>
    public IReadOnlyList<PeerInfo> ActiveView => _active;

    /// <summary>The reserves.</summary>
    public IReadOnlyList<PeerInfo> PassiveView => _passive;

    public bool IsActive(NodeId id) => IndexOf(_active, id) >= 0;

    /// <summary>Starts joining the overlay through <paramref name="contact"/> (retried while the node is alone).</summary>
    public IReadOnlyList<NodeEffect> Join(PeerInfo contact, TimeSpan now)
    {
        if (contact.Id == Self.Id)
            throw new ArgumentException("a node cannot join through itself", nameof(contact));
        _contact = contact;
        _nextJoin = now + _options.JoinRetryInterval;
        Send(contact, new Join(Self));
        return Drain();
    }

    /// <summary>Leaves the overlay: every neighbour is told.</summary>
    public IReadOnlyList<NodeEffect> Leave()
    {
        foreach (var peer in _active.ToArray())
        {
            RemoveActive(peer.Id);
            Send(peer, new Disconnect(Self));
        }
        _contact = null;
        return Drain();
    }

    /// <summary>Handles one membership message. Messages that claim to come from this node are ignored.</summary>
    public IReadOnlyList<NodeEffect> Handle(WireMessage message, TimeSpan now)
    {
        if (message.Sender.Id == Self.Id)
            return [];
        switch (message)
        {
            case Join m:
                OnJoin(m.Sender, now);
                break;
            case ForwardJoin m:
                OnForwardJoin(m, now);
                break;
            case Neighbor m:
                OnNeighbor(m);
                break;
            case NeighborReply m:
                OnNeighborReply(m);
                break;
            case Disconnect m:
                if (RemoveActive(m.Sender.Id))
                    AddPassive(m.Sender);
                _pending.Remove(m.Sender.Id);
                break;
            case Shuffle m:
                OnShuffle(m);
                break;
            case ShuffleReply m:
                Integrate(m.Peers, _lastShuffle);
                break;
        }
        return Drain();
    }

    /// <summary>The transport lost (or could not open) the connection to <paramref name="peer"/>: it is dropped from both views.</summary>
    public IReadOnlyList<NodeEffect> ConnectionFailed(NodeId peer, TimeSpan now)
    {
        RemoveActive(peer);
        _pending.Remove(peer);
        RemoveAt(_passive, peer);
        Repair(now);
        return Drain();
    }

    /// <summary>Advances the clock: expires neighbour requests, refills the active view, shuffles and retries a join.</summary>
    public IReadOnlyList<NodeEffect> Tick(TimeSpan now)
    {
        foreach (var (id, (peer, deadline)) in _pending.ToArray())
        {
            if (deadline <= now)
            {
                // No answer in time: withdraw the request (closing the connection). The peer stays a reserve:
                // a lost message is not a failure; only the transport's failure report removes it.
                _pending.Remove(id);
                Send(peer, new Disconnect(Self));
            }
        }
        if (now >= _nextRepair)
        {
            _nextRepair = now + _options.RepairInterval;
            Repair(now);
        }
        if (now >= _nextShuffle)
        {
            _nextShuffle = now + _options.ShuffleInterval;
            StartShuffle();
        }
        // With no reserves left and a short active view, the node joins again through its contact: without this a
        // small group whose passive views have emptied would stay cut off.
        if (_active.Count < _options.ActiveViewSize && _pending.Count == 0 && _passive.Count == 0 && _contact is { } contact && now >= _nextJoin)
        {
            _nextJoin = now + _options.JoinRetryInterval;
            Send(contact, new Join(Self));
        }
        return Drain();
    }

    private void OnJoin(PeerInfo joiner, TimeSpan now)
    {
        RequestNeighbor(joiner, highPriority: true, now);
        foreach (var peer in _active)
        {
            if (peer.Id != joiner.Id)
                Send(peer, new ForwardJoin(Self, joiner, _options.ActiveRandomWalkLength));
        }
    }

    private void OnForwardJoin(ForwardJoin m, TimeSpan now)
    {
        var joiner = m.Joiner;
        if (joiner.Id == Self.Id || IsActive(joiner.Id))
            return;
        if (m.TimeToLive == 0 || _active.Count <= 1)
        {
            RequestNeighbor(joiner, highPriority: true, now);
            return;
        }
        if (m.TimeToLive == _options.PassiveRandomWalkLength)
            AddPassive(joiner);
        var next = RandomActive(except: m.Sender.Id, alsoExcept: joiner.Id);
        if (next is null)
            RequestNeighbor(joiner, highPriority: true, now);
        else
            Send(next, new ForwardJoin(Self, joiner, (byte)(m.TimeToLive - 1)));
    }

    private void OnNeighbor(Neighbor m)
    {
        if (IsActive(m.Sender.Id))
        {
            Send(m.Sender, new NeighborReply(Self, true));
            return;
        }
        // A crossing request: both sides asked each other; accepting settles it.
        var accept = m.HighPriority || _active.Count < _options.ActiveViewSize || _pending.ContainsKey(m.Sender.Id);
        if (accept)
        {
            _pending.Remove(m.Sender.Id);
            AddActive(m.Sender);
        }
        else
        {
            AddPassive(m.Sender);
        }
        Send(m.Sender, new NeighborReply(Self, accept));
    }

    private void OnNeighborReply(NeighborReply m)
    {
        var wasPending = _pending.Remove(m.Sender.Id);
        if (!m.Accepted)
        {
            if (wasPending)
                AddPassive(m.Sender);
            return;
        }
        if (wasPending)
            AddActive(m.Sender);
        else if (!IsActive(m.Sender.Id))
            Send(m.Sender, new Disconnect(Self)); // a late acceptance of a request already withdrawn
    }

    private void OnShuffle(Shuffle m)
    {
        if (m.Origin.Id == Self.Id)
            return;
        if (m.TimeToLive > 0 && _active.Count > 1 && RandomActive(except: m.Sender.Id, alsoExcept: m.Origin.Id) is { } next)
        {
            Send(next, m with { Sender = Self, TimeToLive = (byte)(m.TimeToLive - 1) });
            return;
        }
        var reply = Sample(_passive, m.Peers.Count);
        Send(m.Origin, new ShuffleReply(Self, reply));
        Integrate(m.Peers, reply);
    }

    private void StartShuffle()
    {
        if (_active.Count == 0)
            return;
        var target = _active[_random.Next(_active.Count)];
        var peers = new List<PeerInfo> { Self };
        peers.AddRange(Sample(_active, _options.ShuffleActiveCount, except: target.Id));
        peers.AddRange(Sample(_passive, _options.ShufflePassiveCount));
        _lastShuffle = peers;
        Send(target, new Shuffle(Self, Self, _options.ShuffleRandomWalkLength, peers));
    }

    /// <summary>Asks one passive peer to become a neighbour while the active view (counting open requests) is short.</summary>
    private void Repair(TimeSpan now)
    {
        if (_active.Count + _pending.Count >= _options.ActiveViewSize)
            return;
        var candidates = _passive.Where(p => !_pending.ContainsKey(p.Id)).ToList();
        if (candidates.Count == 0)
            return;
        var peer = candidates[_random.Next(candidates.Count)];
        RequestNeighbor(peer, highPriority: _active.Count == 0, now);
    }

    private void RequestNeighbor(PeerInfo peer, bool highPriority, TimeSpan now)
    {
        if (peer.Id == Self.Id || IsActive(peer.Id) || _pending.ContainsKey(peer.Id))
            return;
        _pending[peer.Id] = (peer, now + _options.NeighborTimeout);
        Send(peer, new Neighbor(Self, highPriority));
    }

    private void AddActive(PeerInfo peer)
    {
        if (peer.Id == Self.Id || IsActive(peer.Id))
            return;
        RemoveAt(_passive, peer.Id);
        if (_active.Count >= _options.ActiveViewSize)
        {
            var evicted = _active[_random.Next(_active.Count)];
            RemoveActive(evicted.Id);
            Send(evicted, new Disconnect(Self));
            AddPassive(evicted);
        }
        _active.Add(peer);
        _effects.Add(new NeighborUp(peer));
    }

    private bool RemoveActive(NodeId id)
    {
        var index = IndexOf(_active, id);
        if (index < 0)
            return false;
        var peer = _active[index];
        _active.RemoveAt(index);
        _effects.Add(new NeighborDown(peer));
        return true;
    }

    private void AddPassive(PeerInfo peer) => Integrate([peer], []);

    /// <summary>Adds unknown peers to the passive view, evicting first the peers this node has just sent away.</summary>
    private void Integrate(IReadOnlyList<PeerInfo> peers, IReadOnlyList<PeerInfo> sent)
    {
        var preferred = sent.Where(p => IndexOf(_passive, p.Id) >= 0).ToList();
        foreach (var peer in peers)
        {
            if (peer.Id == Self.Id || IsActive(peer.Id) || IndexOf(_passive, peer.Id) >= 0)
                continue;
            if (_passive.Count >= _options.PassiveViewSize)
            {
                PeerInfo victim;
                if (preferred.Count > 0)
                {
                    victim = preferred[^1];
                    preferred.RemoveAt(preferred.Count - 1);
                }
                else
                {
                    victim = _passive[_random.Next(_passive.Count)];
                }
                RemoveAt(_passive, victim.Id);
            }
            _passive.Add(peer);
        }
    }

    private PeerInfo? RandomActive(NodeId except, NodeId alsoExcept)
    {
        var count = _active.Count(p => p.Id != except && p.Id != alsoExcept);
        if (count == 0)
            return null;
        var pick = _random.Next(count);
        foreach (var peer in _active)
        {
            if (peer.Id != except && peer.Id != alsoExcept && pick-- == 0)
                return peer;
        }
        return null;
    }

    private List<PeerInfo> Sample(List<PeerInfo> from, int count, NodeId? except = null)
    {
        var pool = from.Where(p => p.Id != except).ToList();
        // A partial Fisher-Yates shuffle: the first `count` entries are a uniform sample.
        for (var i = 0; i < Math.Min(count, pool.Count); i++)
        {
            var j = _random.Next(i, pool.Count);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.Take(count).ToList();
    }

    private void Send(PeerInfo to, WireMessage message) => _effects.Add(new Outgoing(to, message));

    private IReadOnlyList<NodeEffect> Drain()
    {
        if (_effects.Count == 0)
            return [];
        var effects = _effects.ToArray();
        _effects.Clear();
        return effects;
    }

    private static int IndexOf(List<PeerInfo> view, NodeId id)
    {
        for (var i = 0; i < view.Count; i++)
        {
            if (view[i].Id == id)
                return i;
        }
        return -1;
    }

    private static void RemoveAt(List<PeerInfo> view, NodeId id)
    {
        var index = IndexOf(view, id);
        if (index >= 0)
            view.RemoveAt(index);
    }
}
