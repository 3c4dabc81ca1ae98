using System.Net;
using System.Net.Sockets;
using Coputer.Network.Wire;

namespace Coputer.Network.Routing;

/// <summary>A peer in the routing table.</summary>
public sealed class Contact(PeerInfo peer, RoutingKey key, string? group, TimeSpan lastSeen)
{
    public PeerInfo Peer { get; } = peer;

    public RoutingKey Key { get; } = key;

    /// <summary>The address range the peer is counted in against Sybil crowding (null: not capped, e.g. loopback).</summary>
    public string? Group { get; } = group;

    public TimeSpan LastSeen { get; internal set; } = lastSeen;

    /// <summary>Queries in a row the peer left unanswered.</summary>
    public int Failures { get; internal set; }
}

/// <summary>What <see cref="RoutingTable.Observe"/> did with a peer.</summary>
public enum ObserveResult
{
    /// <summary>The peer is new and was added.</summary>
    Added,

    /// <summary>The peer was known and is now the most recently seen of its bucket.</summary>
    Refreshed,

    /// <summary>The peer's bucket is full: its least recently seen contact should be pinged before anything changes.</summary>
    BucketFull,

    /// <summary>The peer's address range already has as many contacts as the caps allow.</summary>
    GroupCapped,

    /// <summary>The peer is this node.</summary>
    Self,
}

/// <summary>
/// A Kademlia routing table (Maymounkov and Mazières, 2002): one bucket of at most k contacts per length of the
/// prefix a contact's id shares with this node's id, least recently seen first. A full bucket takes a new peer
/// only after its oldest contact fails a ping (old, live contacts are the most likely to stay). Against Sybil
/// crowding, as libp2p's peer-diversity filter does, a bucket holds at most a few peers of one address range
/// (an IPv4 /24 or IPv6 /48) and the table a few more.
/// </summary>
public sealed class RoutingTable
{
    private readonly KademliaOptions _options;
    private readonly RoutingKey _self;
    private readonly List<Contact>?[] _buckets = new List<Contact>?[RoutingKey.Bits];
    private readonly Dictionary<NodeId, Contact> _byId = [];
    private readonly Dictionary<string, int> _groupCounts = [];

    public RoutingTable(PeerInfo self, KademliaOptions options)
    {
        Self = self;
        _options = options;
        _self = RoutingKey.From(self.Id);
    }

    public PeerInfo Self { get; }

    public int Count => _byId.Count;

    public IEnumerable<Contact> Contacts => _byId.Values;

    public bool Contains(NodeId id) => _byId.ContainsKey(id);

    public Contact? Find(NodeId id) => _byId.GetValueOrDefault(id);

    /// <summary>The bucket a key falls in: the length of the prefix it shares with this node's id.</summary>
    public int BucketOf(RoutingKey key) => Math.Min(_self.Xor(key).LeadingZeros(), RoutingKey.Bits - 1);

    public IReadOnlyList<Contact> Bucket(int index) => _buckets[index] ?? (IReadOnlyList<Contact>)[];

    /// <summary>The highest bucket index holding any contact (-1 when empty).</summary>
    public int HighestBucket()
    {
        for (var i = RoutingKey.Bits - 1; i >= 0; i--)
        {
            if (_buckets[i] is { Count: > 0 })
                return i;
        }
        return -1;
    }

    /// <summary>Records that <paramref name="peer"/> was heard from now.</summary>
    /// <param name="oldest">With <see cref="ObserveResult.BucketFull"/>: the bucket's least recently seen contact, to ping.</param>
    public ObserveResult Observe(PeerInfo peer, TimeSpan now, out Contact? oldest)
    {
        oldest = null;
        if (peer.Id == Self.Id)
            return ObserveResult.Self;
        var key = RoutingKey.From(peer.Id);
        var bucket = _buckets[BucketOf(key)] ??= [];
        if (_byId.TryGetValue(peer.Id, out var known))
        {
            known.LastSeen = now;
            known.Failures = 0;
            bucket.Remove(known);
            bucket.Add(known);
            return ObserveResult.Refreshed;
        }
        var group = GroupOf(peer.Address);
        if (group is not null &&
            (_groupCounts.GetValueOrDefault(group) >= _options.MaxPerGroupInTable ||
             bucket.Count(c => c.Group == group) >= _options.MaxPerGroupInBucket))
            return ObserveResult.GroupCapped;
        if (bucket.Count >= _options.BucketSize)
        {
            oldest = bucket[0];
            return ObserveResult.BucketFull;
        }
        var contact = new Contact(peer, key, group, now);
        bucket.Add(contact);
        _byId[peer.Id] = contact;
        if (group is not null)
            _groupCounts[group] = _groupCounts.GetValueOrDefault(group) + 1;
        return ObserveResult.Added;
    }

    /// <summary>Counts one unanswered query; the contact is dropped after <see cref="KademliaOptions.MaxFailures"/> in a row.</summary>
    /// <returns>Whether it was dropped.</returns>
    public bool Failed(NodeId id)
    {
        if (!_byId.TryGetValue(id, out var contact))
            return false;
        if (++contact.Failures < _options.MaxFailures)
            return false;
        Remove(id);
        return true;
    }

    public bool Remove(NodeId id)
    {
        if (!_byId.Remove(id, out var contact))
            return false;
        _buckets[BucketOf(contact.Key)]!.Remove(contact);
        if (contact.Group is not null && --_groupCounts[contact.Group] == 0)
            _groupCounts.Remove(contact.Group);
        return true;
    }

    /// <summary>The <paramref name="count"/> contacts closest to <paramref name="target"/> by XOR distance, closest first.</summary>
    public List<PeerInfo> Closest(RoutingKey target, int count, NodeId? except = null)
    {
        // Tables hold a few hundred contacts at most (k per bucket, about log2 n buckets in use), so a full sort is cheap.
        var all = new List<(RoutingKey Distance, PeerInfo Peer)>(_byId.Count);
        foreach (var contact in _byId.Values)
        {
            if (contact.Peer.Id != except)
                all.Add((contact.Key.Xor(target), contact.Peer));
        }
        all.Sort((x, y) => x.Distance.CompareTo(y.Distance));
        var result = new List<PeerInfo>(Math.Min(count, all.Count));
        for (var i = 0; i < all.Count && i < count; i++)
            result.Add(all[i].Peer);
        return result;
    }

    /// <summary>How many contacts are closer to <paramref name="target"/> than this node is.</summary>
    public int CountCloserThanSelf(RoutingKey target)
    {
        var own = _self.Xor(target);
        var closer = 0;
        foreach (var contact in _byId.Values)
        {
            if (contact.Key.Xor(target) < own)
                closer++;
        }
        return closer;
    }

    /// <summary>
    /// The address range an address counts against: <c>v4:</c> and the first three octets of an IPv4 address,
    /// <c>v6:</c> and the first 48 bits of an IPv6 one, <c>dns:</c> and the name of anything else; null for loopback
    /// addresses, which are not capped (a node's own test network on one machine).
    /// </summary>
    public static string? GroupOf(string address)
    {
        var colon = address.LastIndexOf(':');
        var host = colon > 0 && address.IndexOf(':') == colon ? address[..colon] : address;
        if (host.StartsWith('[') && host.Contains(']'))
            host = host[1..host.IndexOf(']')];
        else if (address.StartsWith('[') && address.Contains(']'))
            host = address[1..address.IndexOf(']')];
        if (!IPAddress.TryParse(host, out var ip))
            return "dns:" + host.ToLowerInvariant();
        if (IPAddress.IsLoopback(ip))
            return null;
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        var bytes = ip.GetAddressBytes();
        return ip.AddressFamily == AddressFamily.InterNetwork
            ? $"v4:{bytes[0]}.{bytes[1]}.{bytes[2]}"
            : $"v6:{Convert.ToHexStringLower(bytes, 0, 6)}";
    }
}
