using System.Text;
using Coputer.Network.Broadcast;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Network.Routing;

/// <summary>Parameters of Kademlia routing (libp2p's Kademlia defaults where it has them).</summary>
public sealed record KademliaOptions
{
    /// <summary>k: contacts per bucket, and how many closest nodes a lookup finds.</summary>
    public int BucketSize { get; init; } = 20;

    /// <summary>alpha: queries a lookup keeps in flight.</summary>
    public int Parallelism { get; init; } = 6;

    /// <summary>A query unanswered for this long is given up and its slot goes to the next candidate (a late answer still counts).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Times one lookup asks the same node before giving it up (a lost message is not a dead node).</summary>
    public int QueryAttempts { get; init; } = 3;

    /// <summary>A lookup ends by this time, found or not.</summary>
    public TimeSpan LookupDeadline { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the oldest contact of a full bucket has to answer a ping before a newcomer replaces it.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A full bucket's oldest contact is pinged (and may be replaced) only if it has not been heard from for this long;
    /// a contact heard from recently keeps its place and the newcomer is not taken (BEP 5 calls a contact questionable after 15 min).
    /// </summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Pings sent to the oldest contact before it is evicted (one lost ping does not evict a live node).</summary>
    public int PingAttempts { get; init; } = 2;

    /// <summary>Queries in a row a contact may leave unanswered before it is dropped.</summary>
    public int MaxFailures { get; init; } = 3;

    /// <summary>Most contacts of one address range (IPv4 /24, IPv6 /48) in one bucket.</summary>
    public int MaxPerGroupInBucket { get; init; } = 2;

    /// <summary>Most contacts of one address range in the whole table.</summary>
    public int MaxPerGroupInTable { get; init; } = 8;

    /// <summary>How often buckets are refreshed by looking up a random key in each (libp2p: 10 min).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often each held name record is stored again at the nodes now closest to its name.</summary>
    public TimeSpan RepublishInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many of the nodes closest to a name hold its record.</summary>
    public int RecordReplicas { get; init; } = 20;

    /// <summary>Most name records one node keeps for others.</summary>
    public int MaxRecords { get; init; } = 10_000;

    /// <summary>Most lookups in progress at once; more are refused at once.</summary>
    public int MaxLookups { get; init; } = 256;

    /// <summary>Most candidates one lookup keeps (answers cannot grow it without bound).</summary>
    public int MaxCandidates { get; init; } = 200;

    internal void Validate()
    {
        if (BucketSize is < 1 or > WireCodec.MaxPeersPerMessage)
            throw new ArgumentException($"the bucket size is 1 to {WireCodec.MaxPeersPerMessage} (one answer carries a bucket)");
        if (Parallelism < 1 || QueryAttempts < 1 || RecordReplicas < 1 || MaxFailures < 1 || PingAttempts < 1 || MaxLookups < 1)
            throw new ArgumentException("Kademlia counts must be positive");
        if (QueryTimeout <= TimeSpan.Zero || LookupDeadline <= TimeSpan.Zero || PingTimeout <= TimeSpan.Zero)
            throw new ArgumentException("Kademlia timeouts must be positive");
    }
}

/// <summary>Whether this node holds content under <paramref name="key"/>; <paramref name="content"/> is its bytes when they fit a message, null when they do not (or it is not held).</summary>
public delegate bool ContentSource(Hash256 key, out byte[]? content);

/// <summary>A node lookup ended: the closest nodes that answered, closest first.</summary>
public sealed record NodesFound(long LookupId, Hash256 Target, IReadOnlyList<PeerInfo> Closest, TimeSpan Elapsed) : NodeEffect;

/// <summary>
/// A value lookup found a checked value: content whose hash is the key, or a signed record for the name whose key
/// it is. <see cref="Value"/> is null when <see cref="From"/> holds content too large for a message (fetch it
/// from there and check its hash).
/// </summary>
public sealed record ValueFound(long LookupId, Hash256 Key, byte[]? Value, PeerInfo From, TimeSpan Elapsed) : NodeEffect;

/// <summary>A value lookup ended without a value (no holder answered by the deadline, or there were no contacts).</summary>
public sealed record LookupFailed(long LookupId, Hash256 Key, string Reason, TimeSpan Elapsed) : NodeEffect;

/// <summary>Counts kept by one node's routing.</summary>
public sealed class KademliaCounters
{
    public long Lookups { get; internal set; }

    public long LookupsFailed { get; internal set; }

    public long Queries { get; internal set; }

    public long QueryTimeouts { get; internal set; }

    public long Pings { get; internal set; }

    public long Evictions { get; internal set; }

    public long GroupCapped { get; internal set; }

    public long BadValues { get; internal set; }

    public long RecordsStored { get; internal set; }
}

/// <summary>
/// Kademlia routing as a pure state machine in the style of the other protocols here: it keeps a
/// <see cref="RoutingTable"/> of the peers it hears from, answers FIND_NODE and FIND_VALUE, and runs iterative
/// lookups (alpha queries in flight, each with a timeout, converging on the k nodes closest to a key). It does no
/// I/O: messages, connection failures and the time come in, <see cref="NodeEffect"/>s go out. Values are taken as
/// untrusted: content must hash to its key and a record must verify and be for the name the key stands for.
/// Name records are kept by the <see cref="KademliaOptions.RecordReplicas"/> nodes closest to the name's key;
/// content is served from the node's <see cref="ReplicaStore"/> through the content source it is given.
/// </summary>
public sealed class Kademlia
{
    private readonly KademliaOptions _options;
    private readonly Random _random;
    private readonly RoutingKey _selfKey;
    private readonly ContentSource _content;
    private readonly Dictionary<long, Lookup> _lookups = [];
    private readonly Dictionary<ulong, (Lookup Lookup, NodeId Peer)> _queries = [];
    private readonly Dictionary<int, PendingPing> _pings = [];
    private readonly Dictionary<Hash256, SignedRecord> _records = [];
    private readonly List<NodeEffect> _effects = [];
    private long _nextLookup = 1;
    private ulong _nextRequest = 1;
    private TimeSpan _nextRefresh;
    private TimeSpan _nextRepublish;
    private bool _bootstrapped;
    private TimeSpan? _retryBootstrap;
    private readonly List<(TimeSpan At, Lookup Lookup)> _retries = [];

    /// <param name="content">Content this node holds, by hash.</param>
    public Kademlia(PeerInfo self, KademliaOptions options, Random random, ContentSource content)
    {
        options.Validate();
        Self = self;
        _options = options;
        _random = random;
        _content = content;
        _selfKey = RoutingKey.From(self.Id);
        Table = new RoutingTable(self, options);
        _nextRepublish = options.RepublishInterval + TimeSpan.FromTicks(random.NextInt64(options.RepublishInterval.Ticks));
    }

    public PeerInfo Self { get; }

    public RoutingTable Table { get; }

    public KademliaCounters Counters { get; } = new();

    public int LookupsInProgress => _lookups.Count;

    /// <summary>The name records this node keeps for others, by name key.</summary>
    public IReadOnlyDictionary<Hash256, SignedRecord> Records => _records;

    /// <summary>The routing key of a name: SHA3-256 over a tag, the publisher's key and the name.</summary>
    public static Hash256 NameKey(PublisherKey publisher, string name)
    {
        var tag = "coputer-name\0"u8;
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[tag.Length + PublisherKey.Size + nameBytes.Length];
        tag.CopyTo(input);
        publisher.Bytes.CopyTo(input.AsSpan(tag.Length));
        nameBytes.CopyTo(input.AsSpan(tag.Length + PublisherKey.Size));
        return Hash256.Of(input);
    }

    /// <summary>Adds a first contact and looks up this node's own id through it, which fills the buckets near it.</summary>
    public IReadOnlyList<NodeEffect> Bootstrap(PeerInfo contact, TimeSpan now)
    {
        See(contact, now);
        if (!_bootstrapped)
        {
            _bootstrapped = true;
            Start(_selfKey, wantValue: false, now, LookupPurpose.Bootstrap);
            _nextRefresh = now + _options.RefreshInterval;
        }
        return Drain();
    }

    /// <summary>Starts a lookup for the k nodes closest to <paramref name="target"/>; it ends with <see cref="NodesFound"/>.</summary>
    public (long LookupId, IReadOnlyList<NodeEffect> Effects) FindNode(Hash256 target, TimeSpan now)
    {
        var id = Start(RoutingKey.From(target), wantValue: false, now, LookupPurpose.Caller);
        return (id, Drain());
    }

    /// <summary>Starts a lookup for the value under <paramref name="key"/>; it ends with <see cref="ValueFound"/> or <see cref="LookupFailed"/>.</summary>
    public (long LookupId, IReadOnlyList<NodeEffect> Effects) FindValue(Hash256 key, TimeSpan now)
    {
        var id = Start(RoutingKey.From(key), wantValue: true, now, LookupPurpose.Caller);
        return (id, Drain());
    }

    /// <summary>Stores a verified record at the nodes closest to its name (and here, if this node is one of them).</summary>
    public IReadOnlyList<NodeEffect> PutRecord(SignedRecord record, TimeSpan now)
    {
        var key = NameKey(record.Record.Publisher, record.Record.Name);
        Keep(key, record);
        Start(RoutingKey.From(key), wantValue: false, now, LookupPurpose.Put, record);
        return Drain();
    }

    /// <summary>Heard from <paramref name="peer"/> (any message): it goes into the table, or a full bucket's oldest contact is pinged.</summary>
    public IReadOnlyList<NodeEffect> Observe(PeerInfo peer, TimeSpan now)
    {
        See(peer, now);
        return Drain();
    }

    // The internal steps add to _effects and never drain it: only the public entry points do, once, at the end.
    private void See(PeerInfo peer, TimeSpan now)
    {
        switch (Table.Observe(peer, now, out var oldest))
        {
            case ObserveResult.BucketFull when now - oldest!.LastSeen < _options.StaleAfter:
                break; // the oldest was heard from recently: it stays, the newcomer is not taken
            case ObserveResult.BucketFull:
                var bucket = Table.BucketOf(RoutingKey.From(peer.Id));
                if (_pings.TryGetValue(bucket, out var ping))
                {
                    ping.Candidate = peer; // the most recent newcomer waits for the outcome
                }
                else
                {
                    _pings[bucket] = ping = new PendingPing(oldest.Peer, peer);
                    SendPing(ping, now);
                }
                break;
            case ObserveResult.GroupCapped:
                Counters.GroupCapped++;
                break;
            case ObserveResult.Refreshed:
                // Any message from a pinged contact shows it is alive.
                foreach (var (index, pending) in _pings.ToArray())
                {
                    if (pending.Oldest.Id == peer.Id)
                        _pings.Remove(index);
                }
                break;
        }
    }

    /// <summary>The transport could not reach <paramref name="peer"/>: it leaves the table, and queries waiting on it fail now.</summary>
    public IReadOnlyList<NodeEffect> ConnectionFailed(NodeId peer, TimeSpan now)
    {
        Table.Remove(peer);
        foreach (var (request, query) in _queries.ToArray())
        {
            if (query.Peer == peer && query.Lookup.Candidates.TryGetValue(peer, out var candidate) && candidate.State == QueryState.Waiting)
            {
                candidate.State = QueryState.Failed;
                query.Lookup.InFlight--;
                _queries.Remove(request);
                Step(query.Lookup, now);
            }
        }
        foreach (var (index, ping) in _pings.ToArray())
        {
            if (ping.Oldest.Id == peer)
            {
                _pings.Remove(index);
                See(ping.Candidate, now);
            }
        }
        return Drain();
    }

    public IReadOnlyList<NodeEffect> Handle(WireMessage message, TimeSpan now)
    {
        switch (message)
        {
            case Ping m:
                Send(m.Sender, new Pong(Self, m.RequestId));
                break;
            case Pong:
                break; // Observe (every message) has settled the ping
            case FindNode m:
                Send(m.Sender, new FoundNodes(Self, m.RequestId, Table.Closest(RoutingKey.From(m.Target), _options.BucketSize, except: m.Sender.Id)));
                break;
            case FindValue m:
                Send(m.Sender, Answer(m));
                break;
            case FoundNodes m:
                OnAnswer(m.RequestId, m.Sender, now, m.Peers, value: null, hasValue: false);
                break;
            case FoundValue m:
                OnAnswer(m.RequestId, m.Sender, now, [], m.Payload, hasValue: true, m.Key);
                break;
            case PutRecord m:
                OnPutRecord(m);
                break;
        }
        return Drain();
    }

    /// <summary>Times out queries, pings and lookups; refreshes buckets and republishes records when due.</summary>
    public IReadOnlyList<NodeEffect> Tick(TimeSpan now)
    {
        foreach (var lookup in _lookups.Values.ToArray())
        {
            if (now >= lookup.Deadline)
            {
                Finish(lookup, now, timedOut: true);
                continue;
            }
            var changed = false;
            foreach (var candidate in lookup.Candidates.Values)
            {
                if (candidate.State == QueryState.Waiting && now - candidate.SentAt >= _options.QueryTimeout)
                {
                    // Asked again while attempts remain (it keeps its place by distance); given up after that.
                    candidate.State = candidate.Attempts < _options.QueryAttempts ? QueryState.Fresh : QueryState.TimedOut;
                    lookup.InFlight--;
                    Counters.QueryTimeouts++;
                    if (candidate.State == QueryState.TimedOut)
                        Table.Failed(candidate.Peer.Id);
                    changed = true;
                }
            }
            if (changed)
                Step(lookup, now);
        }
        foreach (var (index, ping) in _pings.ToArray())
        {
            if (now < ping.Deadline)
                continue;
            if (ping.Attempts < _options.PingAttempts)
            {
                SendPing(ping, now);
                continue;
            }
            // The oldest contact did not answer: it goes, and the newcomer takes its place.
            _pings.Remove(index);
            Table.Remove(ping.Oldest.Id);
            Counters.Evictions++;
            See(ping.Candidate, now);
        }
        for (var i = _retries.Count - 1; i >= 0; i--)
        {
            if (now < _retries[i].At)
                continue;
            var old = _retries[i].Lookup;
            _retries.RemoveAt(i);
            Start(old.Target, old.WantValue, now, old.Purpose, old.Record, old.Attempt + 1);
        }
        if (_retryBootstrap is { } retry && now >= retry)
        {
            _retryBootstrap = null;
            Start(_selfKey, wantValue: false, now, LookupPurpose.Bootstrap);
        }
        if (_bootstrapped && now >= _nextRefresh)
        {
            _nextRefresh = now + _options.RefreshInterval;
            Start(_selfKey, wantValue: false, now, LookupPurpose.Refresh);
            RefreshBuckets(now);
        }
        if (now >= _nextRepublish)
        {
            _nextRepublish = now + _options.RepublishInterval;
            foreach (var (key, record) in _records)
                Start(RoutingKey.From(key), wantValue: false, now, LookupPurpose.Put, record);
        }
        return Drain();
    }

    /// <summary>Looks up a random key in every bucket up to the highest in use, and this node's own id.</summary>
    public IReadOnlyList<NodeEffect> Refresh(TimeSpan now)
    {
        Start(_selfKey, wantValue: false, now, LookupPurpose.Refresh);
        RefreshBuckets(now);
        return Drain();
    }

    private void RefreshBuckets(TimeSpan now)
    {
        var highest = Table.HighestBucket();
        for (var i = 0; i < highest; i++)
        {
            if (Table.Bucket(i).Count < _options.BucketSize)
                Start(_selfKey.RandomInBucket(i, _random), wantValue: false, now, LookupPurpose.Refresh);
        }
    }

    private WireMessage Answer(FindValue m)
    {
        if (_records.TryGetValue(m.Key, out var record))
            return new FoundValue(Self, m.RequestId, m.Key, record.Encode());
        if (_content(m.Key, out var content))
            return new FoundValue(Self, m.RequestId, m.Key, content is { Length: <= WireCodec.MaxPayloadSize } ? content : null);
        return new FoundNodes(Self, m.RequestId, Table.Closest(RoutingKey.From(m.Key), _options.BucketSize, except: m.Sender.Id));
    }

    private void OnPutRecord(PutRecord m)
    {
        if (RecordBook.Verify(m.Payload) is not { } record)
        {
            Counters.BadValues++;
            return;
        }
        var key = NameKey(record.Record.Publisher, record.Record.Name);
        // Only a node that is, by its own table, among the closest to the name keeps the record. Every closer node
        // falls in one bucket (the key's), so a true holder, which has fewer closer nodes in the whole network, never refuses.
        if (Table.CountCloserThanSelf(RoutingKey.From(key)) < _options.RecordReplicas)
            Keep(key, record);
    }

    private void Keep(Hash256 key, SignedRecord record)
    {
        if (_records.TryGetValue(key, out var held))
        {
            if (record.Record.Sequence > held.Record.Sequence)
                _records[key] = record;
            return;
        }
        if (_records.Count < _options.MaxRecords)
        {
            _records[key] = record;
            Counters.RecordsStored++;
        }
    }

    private long Start(RoutingKey target, bool wantValue, TimeSpan now, LookupPurpose purpose, SignedRecord? record = null, int attempt = 1)
    {
        var id = _nextLookup++;
        Counters.Lookups++;
        var lookup = new Lookup(id, target, wantValue, now, now + _options.LookupDeadline, purpose, record) { Attempt = attempt };
        if (_lookups.Count >= _options.MaxLookups)
        {
            Counters.LookupsFailed++;
            if (purpose == LookupPurpose.Caller)
                Emit(lookup, now, "too many lookups in progress");
            return id;
        }
        _lookups[id] = lookup;
        foreach (var peer in Table.Closest(target, _options.BucketSize))
            lookup.Add(peer);
        Step(lookup, now);
        return id;
    }

    private void OnAnswer(ulong request, PeerInfo sender, TimeSpan now, IReadOnlyList<PeerInfo> peers, byte[]? value, bool hasValue, Hash256 key = default)
    {
        // Only an answer from the node asked, to a query of a lookup still open, counts.
        if (!_queries.TryGetValue(request, out var query) || query.Peer != sender.Id || !_lookups.ContainsKey(query.Lookup.Id))
            return;
        _queries.Remove(request);
        var lookup = query.Lookup;
        var candidate = lookup.Candidates[sender.Id];
        if (candidate.State == QueryState.Waiting)
            lookup.InFlight--;
        if (hasValue)
        {
            if (lookup.WantValue && key == lookup.TargetHash && (value is null || IsValueFor(key, value)))
            {
                candidate.State = QueryState.Answered;
                _lookups.Remove(lookup.Id);
                _effects.Add(new ValueFound(lookup.Id, key, value, sender, now - lookup.Started));
                return;
            }
            Counters.BadValues++;
            candidate.State = QueryState.Failed; // a wrong value: this node is no help
        }
        else
        {
            candidate.State = QueryState.Answered;
            var taken = 0;
            foreach (var peer in peers)
            {
                if (taken++ >= _options.BucketSize)
                    break;
                if (peer.Id != Self.Id && lookup.Candidates.Count < _options.MaxCandidates)
                    lookup.Add(peer);
            }
        }
        Step(lookup, now);
    }

    /// <summary>Content that hashes to the key, or a valid record for the name the key stands for.</summary>
    private static bool IsValueFor(Hash256 key, byte[] value)
    {
        if (Hash256.Of(value) == key)
            return true;
        return RecordBook.Verify(value) is { } record && NameKey(record.Record.Publisher, record.Record.Name) == key;
    }

    /// <summary>Sends queries while fewer than alpha are in flight; finishes when the k closest live candidates have all answered.</summary>
    private void Step(Lookup lookup, TimeSpan now)
    {
        if (!_lookups.ContainsKey(lookup.Id))
            return;
        var window = 0;
        foreach (var candidate in lookup.Ordered())
        {
            if (candidate.State is QueryState.Failed or QueryState.TimedOut)
                continue;
            if (window++ >= _options.BucketSize || lookup.InFlight >= _options.Parallelism)
                break;
            if (candidate.State != QueryState.Fresh)
                continue;
            candidate.State = QueryState.Waiting;
            candidate.SentAt = now;
            candidate.Attempts++;
            lookup.InFlight++;
            var request = _nextRequest++;
            _queries[request] = (lookup, candidate.Peer.Id);
            Counters.Queries++;
            Send(candidate.Peer, lookup.WantValue
                ? new FindValue(Self, request, lookup.TargetHash)
                : new FindNode(Self, request, lookup.TargetHash));
        }
        if (lookup.InFlight == 0)
            Finish(lookup, now, timedOut: false);
    }

    private void Finish(Lookup lookup, TimeSpan now, bool timedOut)
    {
        _lookups.Remove(lookup.Id);
        foreach (var (request, query) in _queries.ToArray())
        {
            if (query.Lookup == lookup)
                _queries.Remove(request);
        }
        var closest = lookup.Ordered().Where(c => c.State == QueryState.Answered).Take(_options.BucketSize).Select(c => c.Peer).ToList();
        switch (lookup.Purpose)
        {
            case LookupPurpose.Caller when lookup.WantValue:
                Counters.LookupsFailed++;
                Emit(lookup, now, timedOut ? "no holder answered within the deadline" : "no node near the key holds it");
                break;
            case LookupPurpose.Caller:
                _effects.Add(new NodesFound(lookup.Id, lookup.TargetHash, closest, now - lookup.Started));
                break;
            case LookupPurpose.Bootstrap when closest.Count == 0:
                // Nobody answered (lost messages, a dead contact): try again soon rather than at the next refresh.
                _retryBootstrap = now + _options.QueryTimeout * 4;
                break;
            case LookupPurpose.Bootstrap:
                // Knowing the nodes near itself, the node now fills its farther buckets.
                RefreshBuckets(now);
                break;
            case LookupPurpose.Put when closest.Count < _options.RecordReplicas / 2 && lookup.Attempt < 3:
                // Too few nodes answered to hold the record safely (lost messages): look again shortly.
                _retries.Add((now + _options.QueryTimeout * 4, lookup));
                break;
            case LookupPurpose.Put:
                var encoded = lookup.Record!.Encode();
                foreach (var peer in closest.Take(_options.RecordReplicas))
                    Send(peer, new PutRecord(Self, encoded));
                break;
        }
    }

    private void Emit(Lookup lookup, TimeSpan now, string reason) =>
        _effects.Add(lookup.WantValue
            ? new LookupFailed(lookup.Id, lookup.TargetHash, reason, now - lookup.Started)
            : new NodesFound(lookup.Id, lookup.TargetHash, [], now - lookup.Started));

    private void SendPing(PendingPing ping, TimeSpan now)
    {
        ping.Attempts++;
        ping.Deadline = now + _options.PingTimeout;
        Counters.Pings++;
        Send(ping.Oldest, new Ping(Self, _nextRequest++));
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

    private enum LookupPurpose
    {
        Caller,
        Bootstrap,
        Refresh,
        Put,
    }

    private enum QueryState
    {
        Fresh,
        Waiting,
        Answered,
        TimedOut,
        Failed,
    }

    private sealed class Candidate(PeerInfo peer, RoutingKey distance)
    {
        public PeerInfo Peer { get; } = peer;

        public RoutingKey Distance { get; } = distance;

        public QueryState State { get; set; }

        public TimeSpan SentAt { get; set; }

        public int Attempts { get; set; }
    }

    private sealed class Lookup(long id, RoutingKey target, bool wantValue, TimeSpan started, TimeSpan deadline, LookupPurpose purpose, SignedRecord? record)
    {
        private readonly List<Candidate> _ordered = [];

        public long Id { get; } = id;

        public RoutingKey Target { get; } = target;

        public Hash256 TargetHash { get; } = target.ToHash();

        public bool WantValue { get; } = wantValue;

        public TimeSpan Started { get; } = started;

        public TimeSpan Deadline { get; } = deadline;

        public LookupPurpose Purpose { get; } = purpose;

        public SignedRecord? Record { get; } = record;

        public Dictionary<NodeId, Candidate> Candidates { get; } = [];

        public int InFlight { get; set; }

        /// <summary>1 for a first lookup, more for a retry.</summary>
        public int Attempt { get; init; }

        public void Add(PeerInfo peer)
        {
            if (Candidates.ContainsKey(peer.Id))
                return;
            var candidate = new Candidate(peer, RoutingKey.From(peer.Id).Xor(Target));
            Candidates[peer.Id] = candidate;
            // Kept sorted by distance: insert at the place a binary search finds.
            var lo = 0;
            var hi = _ordered.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_ordered[mid].Distance < candidate.Distance)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            _ordered.Insert(lo, candidate);
        }

        public IReadOnlyList<Candidate> Ordered() => _ordered;
    }

    private sealed class PendingPing(PeerInfo oldest, PeerInfo candidate)
    {
        public PeerInfo Oldest { get; } = oldest;

        public PeerInfo Candidate { get; set; } = candidate;

        public int Attempts { get; set; }

        public TimeSpan Deadline { get; set; }
    }
}
