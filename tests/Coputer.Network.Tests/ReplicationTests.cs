using System.Text;
using Coputer.Network.Replication;
using Coputer.Network.Routing;
using Coputer.Network.Simulation;
using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Tests;

public class ReplicationTests
{
    private static PeerInfo Peer(int n) => new(new NodeId(Hash256.Of(Encoding.UTF8.GetBytes($"peer{n}"))), $"10.0.{n}.1:7000");

    /// <summary>Placement repaired every 2 s (the default is a minute), so the tests' few simulated seconds see several checks.</summary>
    internal static readonly ReplicationOptions s_fastRepair = new() { RepairInterval = TimeSpan.FromSeconds(2), RetryInterval = TimeSpan.FromSeconds(1) };

    [Fact]
    public void TheClosestNodesByXorDistanceAreTheHoldersWhateverTheOrder()
    {
        var members = Enumerable.Range(0, 50).Select(Peer).ToList();
        var program = Hash256.Of("p"u8);
        var holders = ReplicaStore.Closest(program, members, 5);
        Assert.Equal(5, holders.Count);
        Assert.Equal(holders, ReplicaStore.Closest(program, Enumerable.Reverse(members), 5));
        var target = RoutingKey.From(program);
        var fifth = RoutingKey.From(holders[4].Id).Xor(target);
        Assert.All(members.Except(holders), m => Assert.True(RoutingKey.From(m.Id).Xor(target) > fifth));

        // Removing a holder replaces only it.
        var without = ReplicaStore.Closest(program, members.Where(m => m != holders[0]), 5);
        Assert.Equal(4, without.Intersect(holders).Count());
    }

    [Fact]
    public void ANodeTakesContentOnlyWhenNearItAndChecksTheId()
    {
        var content = "bundle"u8.ToArray();
        var near = new ReplicaStore(Peer(1), new ReplicationOptions(), _ => true, new Random(1));
        var far = new ReplicaStore(Peer(2), new ReplicationOptions(), _ => false, new Random(1));

        var taken = near.Handle(new Replicate(Peer(99), content), TimeSpan.Zero);
        // The host is told to keep the copy before the confirmation goes out.
        Assert.Equal(2, taken.Count);
        Assert.Equal(Hash256.Of(content), Assert.IsType<ReplicaTaken>(taken[0]).Program);
        Assert.Equal(new Outgoing(Peer(99), new Stored(Peer(1), Hash256.Of(content))), taken[1]);
        Assert.Equal(1, near.Taken);
        Assert.True(near.Holds(Hash256.Of(content)));
        // A node that refuses asks for a lookup of the program first (its closer contacts may be dead), once per retry interval.
        Assert.Equal(new CheckNearness(Hash256.Of(content)), Assert.Single(far.Handle(new Replicate(Peer(99), content), TimeSpan.Zero)));
        Assert.Empty(far.Handle(new Replicate(Peer(99), content), TimeSpan.FromSeconds(1)));
        Assert.False(far.Holds(Hash256.Of(content)));

        // Its check is due soon after: a lookup is asked for, and the holders found get copies.
        var due = Assert.IsType<RepairDue>(Assert.Single(near.Tick(TimeSpan.FromMinutes(2))));
        Assert.Equal(Hash256.Of(content), due.Program);
        Assert.Empty(near.Tick(TimeSpan.FromMinutes(2))); // one lookup at a time
        var copies = near.HoldersFound(due.Program, [.. Enumerable.Range(10, 8).Select(Peer)], TimeSpan.FromMinutes(2));
        var expected = ReplicaStore.Closest(due.Program, Enumerable.Range(10, 8).Select(Peer).Append(Peer(1)), 5).Where(p => p != Peer(1));
        Assert.Equal(expected.ToHashSet(), copies.OfType<Outgoing>().Select(o => o.To).ToHashSet());
    }

    [Fact]
    public void LargeContentIsOfferedAndFetchedOutOfBandAndAPinnedProgramIsNeverDropped()
    {
        var program = Hash256.Of("a large bundle kept by the host"u8);
        var holder = new ReplicaStore(Peer(1), s_fastRepair, _ => true, new Random(1));
        var offer = new Offer(Peer(99), program);

        var fetch = Assert.IsType<FetchReplica>(Assert.Single(holder.Handle(offer, TimeSpan.Zero)));
        Assert.Equal(new FetchReplica(Peer(99), program), fetch);
        Assert.Empty(holder.Handle(new Offer(Peer(98), program), TimeSpan.Zero)); // already fetching
        Assert.False(holder.Holds(program));
        // A failed fetch forgets the offer, so the next one is taken again.
        holder.FetchFailed(program);
        Assert.IsType<FetchReplica>(Assert.Single(holder.Handle(offer, TimeSpan.Zero)));
        Assert.Equal(new Outgoing(Peer(99), new Stored(Peer(1), program)), Assert.Single(holder.Fetched(program, null, TimeSpan.Zero)));
        Assert.True(holder.Holds(program));
        Assert.Empty(holder.Fetched(program, null, TimeSpan.Zero)); // no offer outstanding: nothing to confirm
        Assert.Equal(new Outgoing(Peer(97), new Stored(Peer(1), program)), Assert.Single(holder.Handle(new Offer(Peer(97), program), TimeSpan.Zero)));

        // A far node refuses an offer as it refuses a copy: it checks its table first.
        var far = new ReplicaStore(Peer(2), s_fastRepair, _ => false, new Random(1));
        Assert.Equal(new CheckNearness(program), Assert.Single(far.Handle(offer, TimeSpan.Zero)));

        // Published here: placed at the next tick, offered (the host keeps the bytes) to the holders the lookup
        // found; once they all confirm it stays, though this node is not among them.
        var others = Enumerable.Range(10, 8).Select(Peer).ToList();
        var holders = ReplicaStore.Closest(program, others, 5);
        // A publishing node that is not itself among the 5 closest.
        var self = Enumerable.Range(100, 100).Select(Peer).First(p => !ReplicaStore.Closest(program, others.Append(p), 5).Contains(p));
        var publisher = new ReplicaStore(self, s_fastRepair, _ => true, new Random(1));
        publisher.Hold(program, content: null, TimeSpan.Zero, pinned: true);
        Assert.Equal(new ReplicationHealth(1, 0, 1, 0, 0, 0), publisher.Health);
        Assert.IsType<RepairDue>(Assert.Single(publisher.Tick(TimeSpan.Zero)));
        var offers = publisher.HoldersFound(program, others, TimeSpan.Zero).OfType<Outgoing>().ToList();
        Assert.Equal(holders.ToHashSet(), offers.Select(o => o.To).ToHashSet());
        Assert.All(offers, o => Assert.Equal(new Offer(self, program), o.Message));
        Assert.Equal(new ReplicationHealth(1, 1, 0, 5, 0, 0), publisher.Health);
        foreach (var h in holders)
            publisher.Handle(new Stored(h, program), TimeSpan.Zero);
        Assert.IsType<RepairDue>(Assert.Single(publisher.Tick(TimeSpan.FromSeconds(10))));
        Assert.Empty(publisher.HoldersFound(program, others, TimeSpan.FromSeconds(10)));
        Assert.True(publisher.Holds(program));
        Assert.Equal(new ReplicationHealth(1, 0, 0, 5, 0, 0), publisher.Health);

        // Small content kept by the host still travels in the message.
        var small = "small"u8.ToArray();
        var keeper = new ReplicaStore(Peer(4), s_fastRepair, _ => true, new Random(1));
        keeper.Hold(Hash256.Of(small), small, TimeSpan.Zero, pinned: true);
        keeper.Tick(TimeSpan.Zero);
        Assert.All(keeper.HoldersFound(Hash256.Of(small), others, TimeSpan.Zero).OfType<Outgoing>(), o => Assert.IsType<Replicate>(o.Message));
        Assert.Throws<ArgumentException>(() => keeper.Hold(program, small, TimeSpan.Zero, pinned: false));
    }

    [Fact]
    public void ContentTooLargeForAMessageReachesItsClosestNodesByOffers()
    {
        var simulation = new Simulation.Simulation(new SimulationOptions { Seed = 33, Replication = s_fastRepair });
        var first = simulation.AddNode(null);
        for (var i = 1; i < 60; i++)
            simulation.AddNode(first);
        simulation.RunFor(TimeSpan.FromSeconds(5));
        var programs = Enumerable.Range(0, 10).Select(i => simulation.Store(simulation.Nodes[i], Encoding.UTF8.GetBytes(new string((char)('a' + i), 3000)))).ToList();
        simulation.RunFor(TimeSpan.FromSeconds(10));

        foreach (var program in programs)
        {
            var expected = ReplicaStore.Closest(program, simulation.LiveNodes.Select(n => n.Peer), 5).ToHashSet();
            var holding = simulation.Nodes.Where(n => n.Node.Replicas.Holds(program)).Select(n => n.Peer).ToHashSet();
            Assert.True(expected.SetEquals(holding), $"{holding.Count} hold it, {holding.Intersect(expected).Count()} of them expected");
        }
        Assert.Equal(0, simulation.Stats.CountOf<Replicate>());
        // Every holder but a publishing node that is a holder itself fetched its copy.
        var copies = programs.Select((p, i) => ReplicaStore.Closest(p, simulation.LiveNodes.Select(n => n.Peer), 5).Contains(simulation.Nodes[i].Peer) ? 4 : 5).Sum();
        Assert.True(simulation.Stats.Fetches >= copies, $"{simulation.Stats.Fetches} fetches for {copies} copies");
        Assert.All(simulation.Nodes, n => Assert.Equal(0, n.Node.Replicas.Health.BelowTarget));
    }

    [Fact]
    public void APublishedProgramReachesItsClosestNodesAndThePublisherHandsOff()
    {
        var simulation = new Simulation.Simulation(new SimulationOptions { Seed = 31, Replication = s_fastRepair });
        var first = simulation.AddNode(null);
        for (var i = 1; i < 60; i++)
            simulation.AddNode(first);
        simulation.RunFor(TimeSpan.FromSeconds(5));
        var program = simulation.Store(simulation.Nodes[7], "the bundle"u8.ToArray());
        simulation.RunFor(TimeSpan.FromSeconds(8));

        var expected = ReplicaStore.Closest(program, simulation.LiveNodes.Select(n => n.Peer), 5).ToHashSet();
        var holding = simulation.Nodes.Where(n => n.Node.Replicas.Holds(program)).Select(n => n.Peer).ToHashSet();
        Assert.True(expected.SetEquals(holding), $"{holding.Count} hold it, {holding.Intersect(expected).Count()} of them expected");
    }

    [Fact]
    public void AfterChurnEveryProgramHasItsLiveHolders()
    {
        var options = new SimulationOptions { Seed = 32, LossRate = 0.05, Replication = s_fastRepair };
        var simulation = MembershipSimulationTests.Grow(options, 200);
        simulation.RunFor(TimeSpan.FromSeconds(10));
        var random = new Random(8);
        var programs = new List<Hash256>();
        for (var i = 0; i < 100; i++)
            programs.Add(simulation.Store(simulation.Nodes[random.Next(200)], Encoding.UTF8.GetBytes($"bundle {i}")));
        simulation.RunFor(TimeSpan.FromSeconds(5));

        // Waves of churn: 10 crash and 10 join, twelve times; then 3 of one program's holders crash together.
        for (var wave = 0; wave < 12; wave++)
        {
            var live = simulation.LiveNodes.ToList();
            foreach (var node in live.OrderBy(_ => random.Next()).Take(10))
                simulation.Crash(node);
            for (var j = 0; j < 10; j++)
                simulation.AddNode(simulation.Nodes[0].Alive ? simulation.Nodes[0] : simulation.LiveNodes.First());
            simulation.RunFor(TimeSpan.FromSeconds(2));
        }
        simulation.RunFor(TimeSpan.FromSeconds(5));
        var target = programs[0];
        var holders = simulation.Nodes.Where(n => n.Alive && n.Node.Replicas.Holds(target)).ToList();
        foreach (var node in holders.Take(3))
            simulation.Crash(node);
        simulation.RunFor(TimeSpan.FromSeconds(15));

        var k = options.Replication.Replicas;
        var complete = 0;
        foreach (var program in programs)
        {
            var liveHolders = simulation.LiveNodes.Where(n => n.Node.Replicas.Holds(program)).Select(n => n.Peer).ToHashSet();
            var expected = ReplicaStore.Closest(program, simulation.LiveNodes.Select(n => n.Peer), k);
            Assert.True(liveHolders.Count >= k, $"{program}: {liveHolders.Count} live holders");
            if (liveHolders.IsSupersetOf(expected))
                complete++;
        }
        Assert.True(complete >= 95, $"{complete} of 100 programs on all of their {k} closest live nodes");
    }
}
