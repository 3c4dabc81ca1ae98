using System.Text;
using Coputer.Network.Routing;
using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Tests.Routing;

public class RoutingTableTests
{
    private static PeerInfo Peer(int n, string? address = null) =>
        new(new NodeId(Hash256.Of(Encoding.UTF8.GetBytes($"routing-peer{n}"))), address ?? $"10.{n >> 8 & 255}.{n & 255}.1:7000");

    [Fact]
    public void KeysMeasureXorDistanceAndBuckets()
    {
        var random = new Random(5);
        var self = RoutingKey.From(Hash256.Of("self"u8));
        Assert.Equal(RoutingKey.Bits, self.Xor(self).LeadingZeros());
        Assert.Equal(self, RoutingKey.From(self.ToHash()));
        for (var prefix = 0; prefix < RoutingKey.Bits; prefix++)
        {
            var key = self.RandomInBucket(prefix, random);
            Assert.Equal(prefix, self.Xor(key).LeadingZeros());
            Assert.Equal(prefix, self.Xor(self.FlipBit(prefix)).LeadingZeros());
        }
        // Distances order as unsigned numbers, most significant word first.
        Assert.True(new RoutingKey(0, ulong.MaxValue, 0, 0) < new RoutingKey(1, 0, 0, 0));
        Assert.True(new RoutingKey(0, 0, 0, 2) > new RoutingKey(0, 0, 0, 1));
    }

    [Fact]
    public void ContactsGoToTheBucketOfTheirSharedPrefixAndClosestIsExact()
    {
        var table = new RoutingTable(Peer(0), new KademliaOptions());
        var self = RoutingKey.From(Peer(0).Id);
        for (var i = 1; i <= 300; i++)
            table.Observe(Peer(i), TimeSpan.Zero, out _);
        foreach (var contact in table.Contacts)
            Assert.Contains(contact, table.Bucket(self.Xor(contact.Key).LeadingZeros()));
        Assert.All(Enumerable.Range(0, RoutingKey.Bits), i => Assert.InRange(table.Bucket(i).Count, 0, 20));
        Assert.Equal(ObserveResult.Self, table.Observe(Peer(0), TimeSpan.Zero, out _));

        var target = RoutingKey.From(Hash256.Of("target"u8));
        var expected = table.Contacts.OrderBy(c => c.Key.Xor(target)).Take(20).Select(c => c.Peer).ToList();
        Assert.Equal(expected, table.Closest(target, 20));
        var closer = table.Contacts.Count(c => c.Key.Xor(target) < self.Xor(target));
        Assert.Equal(closer, table.CountCloserThanSelf(target));
    }

    [Fact]
    public void AFullBucketNamesItsOldestAndASeenContactMovesToTheEnd()
    {
        var options = new KademliaOptions { BucketSize = 3, MaxPerGroupInBucket = 10, MaxPerGroupInTable = 100 };
        var self = Peer(0);
        var table = new RoutingTable(self, options);
        // Bucket 0 holds ids whose first bit differs from this node's.
        var far = Enumerable.Range(1, 400).Select(n => Peer(n)).Where(p => table.BucketOf(RoutingKey.From(p.Id)) == 0).Take(5).ToList();
        for (var i = 0; i < 3; i++)
            Assert.Equal(ObserveResult.Added, table.Observe(far[i], TimeSpan.FromSeconds(i), out _));
        Assert.Equal(ObserveResult.BucketFull, table.Observe(far[3], TimeSpan.FromSeconds(3), out var oldest));
        Assert.Equal(far[0], oldest!.Peer);
        Assert.Equal(ObserveResult.Refreshed, table.Observe(far[0], TimeSpan.FromSeconds(4), out _));
        Assert.Equal(ObserveResult.BucketFull, table.Observe(far[3], TimeSpan.FromSeconds(5), out oldest));
        Assert.Equal(far[1], oldest!.Peer);

        // Unanswered queries drop a contact only after MaxFailures in a row; an answer resets the count.
        Assert.False(table.Failed(far[2].Id));
        Assert.False(table.Failed(far[2].Id));
        table.Observe(far[2], TimeSpan.FromSeconds(6), out _);
        Assert.False(table.Failed(far[2].Id));
        Assert.False(table.Failed(far[2].Id));
        Assert.True(table.Failed(far[2].Id));
        Assert.False(table.Contains(far[2].Id));
        Assert.Equal(ObserveResult.Added, table.Observe(far[4], TimeSpan.FromSeconds(7), out _));
    }

    [Fact]
    public void OneAddressRangeCannotCrowdTheTable()
    {
        var table = new RoutingTable(Peer(0), new KademliaOptions());
        // 500 Sybil ids from one /24, then 200 honest nodes each in its own range.
        for (var i = 0; i < 500; i++)
            table.Observe(Peer(10_000 + i, $"66.6.6.{i % 250 + 1}:{7000 + i}"), TimeSpan.Zero, out _);
        for (var i = 1; i <= 200; i++)
            table.Observe(Peer(i), TimeSpan.Zero, out _);
        var sybils = table.Contacts.Count(c => c.Peer.Address.StartsWith("66.6.6.", StringComparison.Ordinal));
        Assert.Equal(8, sybils);
        Assert.All(Enumerable.Range(0, RoutingKey.Bits), i => Assert.True(table.Bucket(i).Count(c => c.Group == "v4:66.6.6") <= 2));
        // Honest nodes lose at most the eight slots the range got.
        var honestOnly = new RoutingTable(Peer(0), new KademliaOptions());
        for (var i = 1; i <= 200; i++)
            honestOnly.Observe(Peer(i), TimeSpan.Zero, out _);
        Assert.InRange(table.Count - sybils, honestOnly.Count - 8, honestOnly.Count);

        // Loopback is not capped (a test network on one machine); IPv6 counts by /48, names by name.
        Assert.Null(RoutingTable.GroupOf("127.0.0.1:9001"));
        Assert.Null(RoutingTable.GroupOf("[::1]:9001"));
        Assert.Equal("v4:192.168.1", RoutingTable.GroupOf("192.168.1.77:80"));
        Assert.Equal("v4:192.168.1", RoutingTable.GroupOf("[::ffff:192.168.1.9]:80"));
        Assert.Equal("v6:20010db80001", RoutingTable.GroupOf("[2001:db8:1:2::5]:7000"));
        Assert.Equal("dns:node.example", RoutingTable.GroupOf("Node.Example:7000"));
    }
}
