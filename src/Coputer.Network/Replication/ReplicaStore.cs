using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Replication;

/// <summary>Parameters of replica placement.</summary>
public sealed record ReplicationOptions
{
    /// <summary>How many nodes hold each program.</summary>
    public int Replicas { get; init; } = 5;

    /// <summary>Time between checks that every held program's holders have it.</summary>
    public TimeSpan RepairInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Most programs one node holds.</summary>
    public int MaxPrograms { get; init; } = 10_000;
}

/// <summary>
/// Keeps each program on its k rendezvous holders, as a pure state machine. Each node holding a program checks,
/// every repair interval, the program's holders among the members it knows; a holder not known to have it is
/// sent it (<see cref="Replicate"/>) and confirms (<see cref="Stored"/>). A node that is no longer a holder drops
/// its copy once every holder has confirmed. A node takes a copy only when it is itself a holder, so nobody can
/// fill another node's disk by pushing content at it. Content is addressed by hash: the id is checked on arrival.
/// </summary>
public sealed class ReplicaStore
{
    private readonly PeerInfo _self;
    private readonly ReplicationOptions _options;
    private readonly Dictionary<Hash256, byte[]> _held = [];
    private readonly Dictionary<Hash256, HashSet<NodeId>> _confirmed = [];
    private readonly Dictionary<Hash256, HashSet<NodeId>> _lastHolders = [];
    private readonly List<NodeEffect> _effects = [];
    private IReadOnlyList<PeerInfo> _members = [];
    private TimeSpan _nextRepair;

    public ReplicaStore(PeerInfo self, ReplicationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Replicas, 1);
        _self = self;
        _options = options;
    }

    public IEnumerable<Hash256> Held => _held.Keys;

    public bool Holds(Hash256 program) => _held.ContainsKey(program);

    public byte[]? Get(Hash256 program) => _held.GetValueOrDefault(program);

    public long Sent { get; private set; }

    /// <summary>The members this node knows to be live (from its membership), itself included or not.</summary>
    public void UpdateMembers(IReadOnlyList<PeerInfo> members) => _members = members;

    /// <summary>The program's holders as this node sees them.</summary>
    public IReadOnlyList<PeerInfo> HoldersOf(Hash256 program) =>
        Rendezvous.Holders(program, _members.Where(m => m.Id != _self.Id).Append(_self), m => m.Id, _options.Replicas);

    /// <summary>Stores a program published at this node (whether or not it is a holder) and spreads it on the next tick.</summary>
    public Hash256 Add(byte[] content)
    {
        var id = Hash256.Of(content);
        _held[id] = content;
        return id;
    }

    public IReadOnlyList<NodeEffect> Handle(WireMessage message)
    {
        switch (message)
        {
            case Replicate m:
                var id = Hash256.Of(m.Content);
                // Without a directory yet this node cannot tell whether it is a holder, so it takes nothing new.
                if (_held.ContainsKey(id) || (_members.Count > 0 && _held.Count < _options.MaxPrograms && HoldersOf(id).Any(h => h.Id == _self.Id)))
                {
                    _held.TryAdd(id, m.Content);
                    Send(m.Sender, new Stored(_self, id));
                }
                break;
            case Stored m:
                if (_held.ContainsKey(m.Id))
                    Confirmed(m.Id).Add(m.Sender.Id);
                break;
        }
        return Drain();
    }

    public IReadOnlyList<NodeEffect> Tick(TimeSpan now)
    {
        if (now < _nextRepair)
            return [];
        _nextRepair = now + _options.RepairInterval;
        var live = _members.Select(m => m.Id).ToHashSet();
        foreach (var (program, content) in _held.ToArray())
        {
            var holders = HoldersOf(program);
            var confirmed = Confirmed(program);
            var holderIds = holders.Select(h => h.Id).ToHashSet();
            if (!_lastHolders.TryGetValue(program, out var last) || !last.SetEquals(holderIds))
            {
                // The holders changed: earlier confirmations may be stale (a node may have dropped its copy
                // while it was not a holder), so every holder is asked again; one that has it just confirms.
                confirmed.Clear();
                _lastHolders[program] = holderIds;
            }
            confirmed.RemoveWhere(id => !live.Contains(id)); // a holder that left must be replaced
            var missing = holders.Where(h => h.Id != _self.Id && !confirmed.Contains(h.Id)).ToList();
            foreach (var holder in missing)
            {
                Sent++;
                Send(holder, new Replicate(_self, content));
            }
            if (missing.Count == 0 && !holders.Any(h => h.Id == _self.Id))
            {
                // Every holder has it: this copy is surplus.
                _held.Remove(program);
                _confirmed.Remove(program);
                _lastHolders.Remove(program);
            }
        }
        return Drain();
    }

    private HashSet<NodeId> Confirmed(Hash256 program)
    {
        if (!_confirmed.TryGetValue(program, out var set))
            _confirmed[program] = set = [];
        return set;
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
}
