using Coputer.Network.Routing;
using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Replication;

/// <summary>Parameters of replica placement.</summary>
public sealed record ReplicationOptions
{
    /// <summary>How many nodes hold each program: the ones whose ids are closest to its hash.</summary>
    public int Replicas { get; init; } = 5;

    /// <summary>Time between a holder's checks (a lookup of the nodes now closest) that every holder has the program.</summary>
    public TimeSpan RepairInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>After copies were sent, how soon the holders are checked again for their confirmations.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most programs one node holds.</summary>
    public int MaxPrograms { get; init; } = 10_000;

    /// <summary>
    /// Whether copies may travel inside <see cref="Replicate"/> messages, their id being the hash of the bytes (the
    /// simulator's content). A real node's bundles are named by the hash of their canonical encoding, not of their
    /// bytes, so its hosts turn this off: every copy is then offered and fetched, and checked as a bundle.
    /// </summary>
    public bool ContentInMessages { get; init; } = true;
}

/// <summary>A held program's check is due: look up the nodes now closest to it and pass them to <see cref="ReplicaStore.HoldersFound"/>.</summary>
public sealed record RepairDue(Hash256 Program) : NodeEffect;

/// <summary>
/// A copy was refused because this node's table knows enough nodes closer to the program; those contacts may be
/// dead, so the owner looks the program up (which drops contacts that do not answer) before the sender's next try.
/// </summary>
public sealed record CheckNearness(Hash256 Program) : NodeEffect;

/// <summary>
/// An <see cref="Offer"/> was taken: fetch the content from <paramref name="From"/> out of band, check that it
/// hashes to <paramref name="Program"/>, keep it, then report it with <see cref="ReplicaStore.Fetched"/>.
/// </summary>
public sealed record FetchReplica(PeerInfo From, Hash256 Program) : NodeEffect;

/// <summary>
/// A copy arrived in a <see cref="Replicate"/> message and was taken: the host keeps the content durably (before
/// the <see cref="Stored"/> confirmation that follows this effect goes out).
/// </summary>
public sealed record ReplicaTaken(Hash256 Program, byte[] Content) : NodeEffect;

/// <summary>How a node's held programs stand, from their latest checks.</summary>
/// <param name="Held">Programs this node holds and checks the placement of.</param>
/// <param name="BelowTarget">Of those, the ones whose latest check found a holder without a copy (copies are on their way).</param>
/// <param name="Unchecked">Held programs whose placement has not been checked yet.</param>
/// <param name="CopiesSent">Copies sent to holders (placement and repair), by message or by offer.</param>
/// <param name="CopiesTaken">Copies this node took as a holder.</param>
/// <param name="Dropped">Copies this node stopped holding once every holder had confirmed one.</param>
public sealed record ReplicationHealth(int Held, int BelowTarget, int Unchecked, long CopiesSent, long CopiesTaken, long Dropped);

/// <summary>
/// Keeps each program on the k nodes whose ids are closest to its hash (XOR distance, as Kademlia places values),
/// as a pure state machine. Each node holding a program looks up, every repair interval, the nodes now closest to
/// it (<see cref="RepairDue"/>; the owner runs the lookup); a holder not known to have it is sent it
/// (<see cref="Replicate"/>) and confirms (<see cref="Stored"/>). A node that is not a holder drops its copy once
/// every holder has confirmed, so the node a program was published at hands it off. A node takes a copy only when
/// its own routing table puts it near the program (fewer than 2k known nodes closer), so nobody can fill another
/// node's disk by pushing content at it. Content is addressed by hash: the id is computed on arrival.
/// Content up to <see cref="WireCodec.MaxPayloadSize"/> travels in a <see cref="Replicate"/> message; larger
/// content, which a host keeps outside this store (<see cref="Hold"/>), is offered (<see cref="Offer"/>) and fetched
/// by the holder out of band (<see cref="FetchReplica"/>, then <see cref="Fetched"/>). A pinned program (one
/// published at this node) is kept here whatever the placement.
/// </summary>
public sealed class ReplicaStore
{
    private readonly PeerInfo _self;
    private readonly ReplicationOptions _options;
    private readonly Func<Hash256, bool> _isNear;
    private readonly Random _random;
    private readonly Dictionary<Hash256, Entry> _held = [];
    private readonly List<NodeEffect> _effects = [];
    private readonly Dictionary<Hash256, TimeSpan> _checked = [];
    private readonly Dictionary<Hash256, PeerInfo> _offered = [];

    /// <param name="isNear">Whether this node's routing table puts it among the nodes near a program's hash.</param>
    public ReplicaStore(PeerInfo self, ReplicationOptions options, Func<Hash256, bool> isNear, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Replicas, 1);
        _self = self;
        _options = options;
        _isNear = isNear;
        _random = random;
    }

    public IEnumerable<Hash256> Held => _held.Keys;

    public bool Holds(Hash256 program) => _held.ContainsKey(program);

    /// <summary>The content of a held program when this store keeps it (null when a host keeps it elsewhere, or it is not held).</summary>
    public byte[]? Get(Hash256 program) => _held.GetValueOrDefault(program)?.Content;

    /// <summary>Copies sent to holders so far.</summary>
    public long Sent { get; private set; }

    /// <summary>Copies taken as a holder so far.</summary>
    public long Taken { get; private set; }

    /// <summary>Surplus copies dropped so far.</summary>
    public long Dropped { get; private set; }

    /// <summary>Offers taken whose content is still being fetched.</summary>
    public int Fetching => _offered.Count;

    public ReplicationHealth Health => new(
        _held.Count, _held.Values.Count(e => e.Checked && e.Missing > 0), _held.Values.Count(e => !e.Checked), Sent, Taken, Dropped);

    /// <summary>The <paramref name="k"/> of <paramref name="nodes"/> closest to <paramref name="program"/> by XOR distance, closest first.</summary>
    public static IReadOnlyList<PeerInfo> Closest(Hash256 program, IEnumerable<PeerInfo> nodes, int k)
    {
        var target = RoutingKey.From(program);
        return nodes.DistinctBy(n => n.Id).OrderBy(n => RoutingKey.From(n.Id).Xor(target)).Take(k).ToList();
    }

    /// <summary>Stores a program published at this node (whether or not it is a holder); it is placed at the next tick.</summary>
    public Hash256 Add(byte[] content, TimeSpan now)
    {
        var id = Hash256.Of(content);
        if (!_held.ContainsKey(id))
            _held[id] = new Entry(content) { NextRepair = now };
        return id;
    }

    /// <summary>
    /// Holds a program whose content the host keeps (for example in its store): <paramref name="content"/> is its
    /// bytes when they fit a message (so a copy can travel in <see cref="Replicate"/>), null otherwise (copies are
    /// offered). A pinned program is placed now and never dropped; an unpinned one (a copy found at start) is checked
    /// within one repair interval.
    /// </summary>
    public void Hold(Hash256 program, byte[]? content, TimeSpan now, bool pinned)
    {
        if (content is not null && Hash256.Of(content) != program)
            throw new ArgumentException("the content is not the program", nameof(content));
        if (_held.TryGetValue(program, out var entry))
        {
            entry.Pinned |= pinned;
            if (pinned)
                entry.NextRepair = Min(entry.NextRepair, now);
            return;
        }
        _held[program] = new Entry(content) { Pinned = pinned, NextRepair = pinned ? now : now + Jitter() };
    }

    /// <summary>
    /// The content of an offer this node took has been fetched and kept by the host (checked against the hash):
    /// the node is now a holder and confirms to the one that offered it.
    /// </summary>
    public IReadOnlyList<NodeEffect> Fetched(Hash256 program, byte[]? content, TimeSpan now)
    {
        if (!_offered.Remove(program, out var from))
            return [];
        if (!_held.ContainsKey(program))
        {
            _held[program] = new Entry(content) { NextRepair = now + Jitter() };
            Taken++;
        }
        Send(from, new Stored(_self, program));
        return Drain();
    }

    /// <summary>The fetch for an offer failed; the offerer's next check offers it again.</summary>
    public void FetchFailed(Hash256 program) => _offered.Remove(program);

    public IReadOnlyList<NodeEffect> Handle(WireMessage message, TimeSpan now)
    {
        switch (message)
        {
            case Replicate when !_options.ContentInMessages:
                break; // this node's content is not named by the hash of its bytes: copies come by offer only
            case Replicate m:
                var id = Hash256.Of(m.Content);
                if (_held.ContainsKey(id))
                {
                    Send(m.Sender, new Stored(_self, id));
                }
                else if (_held.Count < _options.MaxPrograms && _isNear(id))
                {
                    // A new holder checks the placement itself soon (it may know of closer nodes), then at the usual pace.
                    _held[id] = new Entry(m.Content) { NextRepair = now + Jitter() };
                    Taken++;
                    _effects.Add(new ReplicaTaken(id, m.Content));
                    Send(m.Sender, new Stored(_self, id));
                }
                else
                {
                    Refused(id, now);
                }
                break;
            case Offer m:
                if (_held.ContainsKey(m.Id))
                {
                    Send(m.Sender, new Stored(_self, m.Id));
                }
                else if (_offered.ContainsKey(m.Id))
                {
                    // Already fetching it (from whoever offered first); the confirmation goes there.
                }
                else if (_held.Count + _offered.Count < _options.MaxPrograms && _offered.Count < MaxFetching && _isNear(m.Id))
                {
                    _offered[m.Id] = m.Sender;
                    _effects.Add(new FetchReplica(m.Sender, m.Id));
                }
                else
                {
                    Refused(m.Id, now);
                }
                break;
            case Stored m:
                if (_held.TryGetValue(m.Id, out var entry))
                    entry.Confirmed.Add(m.Sender.Id);
                break;
        }
        return Drain();
    }

    /// <summary>Most offers being fetched at once; more are refused (and offered again at the offerer's next check).</summary>
    public const int MaxFetching = 64;

    private void Refused(Hash256 id, TimeSpan now)
    {
        if (_checked.TryGetValue(id, out var until) && now < until)
            return;
        if (_checked.Count >= 1024)
            _checked.Clear();
        _checked[id] = now + _options.RetryInterval;
        _effects.Add(new CheckNearness(id));
    }

    /// <summary>Asks for a lookup for every held program whose check is due.</summary>
    public IReadOnlyList<NodeEffect> Tick(TimeSpan now)
    {
        foreach (var (program, entry) in _held)
        {
            if (entry.NextRepair > now || entry.Looking)
                continue;
            entry.Looking = true;
            entry.NextRepair = now + _options.RepairInterval + Jitter();
            _effects.Add(new RepairDue(program));
        }
        return Drain();
    }

    /// <summary>
    /// The nodes a lookup found closest to <paramref name="program"/> (they answered, so they are live): with this
    /// node, the k closest are the holders. Holders not known to have it are sent it; a surplus copy is dropped
    /// once every holder has confirmed.
    /// </summary>
    public IReadOnlyList<NodeEffect> HoldersFound(Hash256 program, IReadOnlyList<PeerInfo> closest, TimeSpan now)
    {
        if (!_held.TryGetValue(program, out var entry))
            return [];
        entry.Looking = false;
        if (closest.Count == 0)
        {
            // Nobody answered (a node alone, or cut off): no news about the holders; look again soon, so the first
            // nodes to arrive get their copies without waiting a whole repair interval.
            entry.NextRepair = Min(entry.NextRepair, now + _options.RetryInterval);
            return [];
        }
        var holders = Closest(program, closest.Append(_self), _options.Replicas);
        var holderIds = holders.Select(h => h.Id).ToHashSet();
        if (!entry.LastHolders.SetEquals(holderIds))
        {
            // The holders changed: earlier confirmations may be stale (a node may have dropped its copy while it
            // was not a holder), so every holder is asked again; one that has it just confirms.
            entry.Confirmed.Clear();
            entry.LastHolders = holderIds;
        }
        var missing = holders.Where(h => h.Id != _self.Id && !entry.Confirmed.Contains(h.Id)).ToList();
        entry.Checked = true;
        entry.Missing = missing.Count;
        foreach (var holder in missing)
        {
            Sent++;
            // Small content travels in the message; larger content is offered and fetched by the holder.
            Send(holder, entry.Content is { Length: <= WireCodec.MaxPayloadSize } content ? new Replicate(_self, content) : new Offer(_self, program));
        }
        if (missing.Count > 0)
            entry.NextRepair = Min(entry.NextRepair, now + _options.RetryInterval); // soon: did the copies arrive?
        if (missing.Count == 0 && !holderIds.Contains(_self.Id) && !entry.Pinned)
        {
            _held.Remove(program); // every holder has it: this copy is surplus
            Dropped++;
        }
        return Drain();
    }

    /// <summary>The lookup for a program's holders failed or found nobody; it is tried again at the next check.</summary>
    public void LookupFailed(Hash256 program)
    {
        if (_held.TryGetValue(program, out var entry))
            entry.Looking = false;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private TimeSpan Jitter() => TimeSpan.FromTicks(_random.NextInt64(Math.Max(1, _options.RepairInterval.Ticks / 4)));

    private void Send(PeerInfo to, WireMessage message) => _effects.Add(new Outgoing(to, message));

    private IReadOnlyList<NodeEffect> Drain()
    {
        if (_effects.Count == 0)
            return [];
        var effects = _effects.ToArray();
        _effects.Clear();
        return effects;
    }

    private sealed class Entry(byte[]? content)
    {
        public byte[]? Content { get; } = content;

        public bool Pinned { get; set; }

        public bool Checked { get; set; }

        public int Missing { get; set; }

        public HashSet<NodeId> Confirmed { get; } = [];

        public HashSet<NodeId> LastHolders { get; set; } = [];

        public TimeSpan NextRepair { get; set; }

        public bool Looking { get; set; }
    }
}
