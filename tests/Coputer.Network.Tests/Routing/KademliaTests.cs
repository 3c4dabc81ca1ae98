using System.Text;
using Coputer.Network.Routing;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Network.Tests.Routing;

public class KademliaTests
{
    private static readonly Publisher s_publisher = Publisher.FromSeed(Hash256.Of("kademlia-test-publisher"u8).ToArray());

    private static PeerInfo Peer(int n) => new(new NodeId(Hash256.Of(Encoding.UTF8.GetBytes($"kad-peer{n}"))), $"10.{n >> 8 & 255}.{n & 255}.1:7000");

    private static Kademlia Node(PeerInfo self, KademliaOptions? options = null, Func<Hash256, byte[]?>? content = null) =>
        new(self, options ?? new KademliaOptions(), new Random(1), (Hash256 key, out byte[]? bytes) => (bytes = content?.Invoke(key)) is not null);

    private static T Sent<T>(IReadOnlyList<NodeEffect> effects) where T : WireMessage =>
        Assert.Single(effects.OfType<Outgoing>().Select(o => o.Message).OfType<T>());

    [Fact]
    public void AFullBucketPingsItsOldestAndKeepsItWhenItAnswers()
    {
        var options = new KademliaOptions { BucketSize = 2, MaxPerGroupInBucket = 10, MaxPerGroupInTable = 100, PingAttempts = 2, StaleAfter = TimeSpan.FromSeconds(1) };
        var self = Peer(0);
        var node = Node(self, options);
        var far = Enumerable.Range(1, 400).Select(Peer).Where(p => node.Table.BucketOf(RoutingKey.From(p.Id)) == 0).Take(4).ToList();
        node.Observe(far[0], TimeSpan.Zero);
        node.Observe(far[1], TimeSpan.FromSeconds(0.2));

        // While the oldest was heard from within StaleAfter, a newcomer is simply not taken, and nobody is pinged.
        Assert.Empty(node.Observe(far[2], TimeSpan.FromSeconds(0.5)));
        Assert.False(node.Table.Contains(far[2].Id));

        // A third peer: the oldest is pinged, and answers, so the newcomer is not taken.
        var outgoing = Assert.Single(node.Observe(far[2], TimeSpan.FromSeconds(2)).OfType<Outgoing>());
        Assert.Equal(far[0], outgoing.To);
        var ping = Assert.IsType<Ping>(outgoing.Message);
        node.Observe(far[0], TimeSpan.FromSeconds(2.1));
        node.Handle(new Pong(far[0], ping.RequestId), TimeSpan.FromSeconds(2.1));
        Assert.DoesNotContain(node.Tick(TimeSpan.FromSeconds(10)).OfType<Outgoing>(), o => o.Message is Ping);
        Assert.True(node.Table.Contains(far[0].Id));
        Assert.False(node.Table.Contains(far[2].Id));

        // Another newcomer: now far[1] is the oldest; it stays silent through both pings and is evicted.
        var second = Sent<Ping>(node.Observe(far[3], TimeSpan.FromSeconds(11)));
        Assert.NotEqual(ping.RequestId, second.RequestId);
        Assert.IsType<Ping>(Assert.Single(node.Tick(TimeSpan.FromSeconds(11.6)).OfType<Outgoing>()).Message); // the second attempt
        node.Tick(TimeSpan.FromSeconds(12.2));
        Assert.False(node.Table.Contains(far[1].Id));
        Assert.True(node.Table.Contains(far[3].Id));
        Assert.Equal(1, node.Counters.Evictions);
    }

    [Fact]
    public void LookupsAskAlphaAtATimeAndIgnoreAnswersFromNodesNotAsked()
    {
        var options = new KademliaOptions { Parallelism = 3 };
        var node = Node(Peer(0), options);
        for (var i = 1; i <= 10; i++)
            node.Observe(Peer(i), TimeSpan.Zero);
        var target = Hash256.Of("somewhere"u8);
        var (id, effects) = node.FindNode(target, TimeSpan.Zero);
        var asked = effects.OfType<Outgoing>().Select(o => (o.To, Query: Assert.IsType<FindNode>(o.Message))).ToList();
        Assert.Equal(3, asked.Count);
        // The three closest known contacts are asked first.
        Assert.Equal(node.Table.Closest(RoutingKey.From(target), 3), asked.Select(a => a.To).ToList());

        // A stranger answering with an asked request id changes nothing; a wrong id from an asked node neither.
        Assert.Empty(node.Handle(new FoundNodes(Peer(99), asked[0].Query.RequestId, [Peer(50)]), TimeSpan.FromMilliseconds(10)));
        Assert.Empty(node.Handle(new FoundNodes(asked[0].To, 123456, [Peer(50)]), TimeSpan.FromMilliseconds(10)));

        // A real answer frees a slot: exactly one new query goes out.
        var next = node.Handle(new FoundNodes(asked[0].To, asked[0].Query.RequestId, []), TimeSpan.FromMilliseconds(20));
        Assert.Single(next.OfType<Outgoing>());

        // Nobody else answers: queries time out in turn, and the lookup ends by itself with the one node that answered.
        NodesFound? found = null;
        for (var t = 0; t < 100 && found is null; t++)
            found = node.Tick(TimeSpan.FromMilliseconds(300 + 300 * t)).OfType<NodesFound>().SingleOrDefault();
        Assert.NotNull(found);
        Assert.Equal(id, found.LookupId);
        Assert.Equal([asked[0].To], found.Closest);
        Assert.True(found.Elapsed < options.LookupDeadline);
    }

    [Fact]
    public void AValueMustHashToItsKeyOrBeASignedRecordForItsName()
    {
        var node = Node(Peer(0));
        var holder = Peer(1);
        var liar = Peer(2);
        node.Observe(holder, TimeSpan.Zero);
        node.Observe(liar, TimeSpan.Zero);
        var content = "the bundle"u8.ToArray();
        var key = Hash256.Of(content);
        var (id, effects) = node.FindValue(key, TimeSpan.Zero);
        var queries = effects.OfType<Outgoing>().ToDictionary(o => o.To.Id, o => Assert.IsType<FindValue>(o.Message).RequestId);
        Assert.Equal(2, queries.Count);

        // Wrong bytes under the key are refused and counted; the holder's real content ends the lookup.
        Assert.Empty(node.Handle(new FoundValue(liar, queries[liar.Id], key, "not it"u8.ToArray()), TimeSpan.FromMilliseconds(5)).OfType<ValueFound>());
        Assert.Equal(1, node.Counters.BadValues);
        var found = Assert.IsType<ValueFound>(Assert.Single(node.Handle(new FoundValue(holder, queries[holder.Id], key, content), TimeSpan.FromMilliseconds(9))));
        Assert.Equal((id, content, holder), (found.LookupId, found.Value, found.From));

        // A name: the key is the name key; a record for another name is refused, the right one is taken.
        var record = new PublicationRecord(s_publisher.Key, "site", Hash256.Of("p"u8), 3).Sign(s_publisher);
        var other = new PublicationRecord(s_publisher.Key, "other", Hash256.Of("p"u8), 3).Sign(s_publisher);
        var nameKey = Kademlia.NameKey(s_publisher.Key, "site");
        Assert.NotEqual(nameKey, Kademlia.NameKey(s_publisher.Key, "other"));
        (_, effects) = node.FindValue(nameKey, TimeSpan.FromSeconds(1));
        queries = effects.OfType<Outgoing>().ToDictionary(o => o.To.Id, o => Assert.IsType<FindValue>(o.Message).RequestId);
        Assert.Empty(node.Handle(new FoundValue(liar, queries[liar.Id], nameKey, other.Encode()), TimeSpan.FromSeconds(1.01)).OfType<ValueFound>());
        found = Assert.IsType<ValueFound>(Assert.Single(node.Handle(new FoundValue(holder, queries[holder.Id], nameKey, record.Encode()), TimeSpan.FromSeconds(1.02))));
        Assert.Equal(record.Encode(), found.Value);
    }

    [Fact]
    public void HoldersAnswerFindValueAndTakeRecordsOnlyNearTheirNames()
    {
        var content = new byte[2000];
        var big = Hash256.Of(content);
        var small = "small"u8.ToArray();
        var node = Node(Peer(0), content: key => key == big ? content : key == Hash256.Of(small) ? small : null);
        var asker = Peer(7);
        var answer = Sent<FoundValue>(node.Handle(new FindValue(asker, 42, Hash256.Of(small)), TimeSpan.Zero));
        Assert.Equal((42UL, small), (answer.RequestId, answer.Payload));
        // Too large for a message: "I hold it, fetch it".
        Assert.Null(Sent<FoundValue>(node.Handle(new FindValue(asker, 43, big), TimeSpan.Zero)).Payload);
        Assert.IsType<FoundNodes>(Assert.Single(node.Handle(new FindValue(asker, 44, Hash256.Of("none"u8)), TimeSpan.Zero).OfType<Outgoing>()).Message);

        // A valid record is kept by a node with few contacts (it is near everything); a forged one never.
        var record = new PublicationRecord(s_publisher.Key, "site", Hash256.Of("p"u8), 1).Sign(s_publisher);
        node.Handle(new PutRecord(asker, record.Encode()), TimeSpan.Zero);
        var forged = record.Encode();
        forged[^1] ^= 1;
        node.Handle(new PutRecord(asker, forged), TimeSpan.Zero);
        Assert.Single(node.Records);
        Assert.Equal(1, node.Counters.BadValues);
        Assert.Equal(record.Encode(), Sent<FoundValue>(node.Handle(new FindValue(asker, 45, Kademlia.NameKey(s_publisher.Key, "site")), TimeSpan.Zero)).Payload);

        // A node whose table knows 20 nodes closer to a name (so it is not among the 20 closest) refuses its record.
        var crowded = Node(Peer(1000), new KademliaOptions { MaxPerGroupInBucket = 32, MaxPerGroupInTable = 10_000 });
        var nameKey = RoutingKey.From(Kademlia.NameKey(s_publisher.Key, "site"));
        for (var i = 0; i < 5000 && crowded.Table.CountCloserThanSelf(nameKey) < 20; i++)
            crowded.Observe(Peer(2000 + i), TimeSpan.Zero);
        Assert.True(crowded.Table.CountCloserThanSelf(nameKey) >= 20);
        crowded.Handle(new PutRecord(asker, record.Encode()), TimeSpan.Zero);
        Assert.Empty(crowded.Records);
    }

    [Fact]
    public void AValueLookupFailsAtItsDeadlineWhenNothingAnswers()
    {
        var options = new KademliaOptions { QueryTimeout = TimeSpan.FromMilliseconds(200), LookupDeadline = TimeSpan.FromSeconds(1), MaxFailures = 100 };
        var node = Node(Peer(0), options);
        for (var i = 1; i <= 30; i++)
            node.Observe(Peer(i), TimeSpan.Zero);
        var (id, _) = node.FindValue(Hash256.Of("absent"u8), TimeSpan.Zero);
        var queries = 0;
        LookupFailed? failed = null;
        for (var ms = 50; ms <= 2000 && failed is null; ms += 50)
        {
            var effects = node.Tick(TimeSpan.FromMilliseconds(ms));
            queries += effects.OfType<Outgoing>().Count();
            failed = effects.OfType<LookupFailed>().SingleOrDefault();
        }
        Assert.NotNull(failed);
        Assert.Equal(id, failed.LookupId);
        Assert.Equal(options.LookupDeadline, failed.Elapsed);
        Assert.True(queries > 0, "timed-out queries free their slots for the next candidates");
        Assert.Equal(0, node.LookupsInProgress);

        // A node with no contacts fails at once.
        var alone = Node(Peer(500));
        Assert.IsType<LookupFailed>(Assert.Single(alone.FindValue(Hash256.Of("x"u8), TimeSpan.Zero).Effects));
    }
}
