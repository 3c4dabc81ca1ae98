using System.Text;
using Coputer.Network.Broadcast;
using Coputer.Network.Simulation;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Network.Tests;

public class BroadcastSimulationTests
{
    private static readonly Publisher s_publisher = Publisher.FromSeed(Hash256.Of("broadcast-test-publisher"u8).ToArray());

    private static SignedRecord Record(int n, long sequence = 1, string? program = null) =>
        new PublicationRecord(s_publisher.Key, $"app{n}", Hash256.Of(Encoding.UTF8.GetBytes(program ?? $"program{n}")), sequence).Sign(s_publisher);

    private static Simulation.Simulation Settled(SimulationOptions options, int count)
    {
        var simulation = MembershipSimulationTests.Grow(options, count);
        simulation.RunFor(TimeSpan.FromSeconds(20));
        Assert.True(simulation.IsConnected(), $"{simulation.ComponentCount()} components; small views: " + string.Join("; ", simulation.LiveNodes.Where(n => n.Node.Membership.ActiveView.Count < 2).Select(n => $"{n.Index}: a={n.Node.Membership.ActiveView.Count} p={n.Node.Membership.PassiveView.Count}")));
        return simulation;
    }

    [Fact]
    public void EveryLiveNodeGetsEveryRecordAndTheTreeSettles()
    {
        var simulation = Settled(new SimulationOptions { Seed = 21 }, 200);
        var random = new Random(4);
        var gossipPerRecord = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            var before = simulation.Stats.CountOf<Gossip>();
            simulation.Publish(simulation.Nodes[random.Next(simulation.Nodes.Count)], Record(i));
            simulation.RunFor(TimeSpan.FromSeconds(2));
            gossipPerRecord.Add(simulation.Stats.CountOf<Gossip>() - before);
        }
        foreach (var node in simulation.Nodes)
            Assert.Equal(20, node.Node.Records.Count);

        // A flood sends each record over every link (about n·d/2 = 500 messages here); a tree needs n - 1 = 199.
        // The first record builds the tree by pruning; later ones run close to it.
        var last = gossipPerRecord.Skip(10).Average();
        Assert.True(gossipPerRecord[0] > last, $"first {gossipPerRecord[0]}, later {last}");
        Assert.True(last <= 1.3 * 199, $"later records took {last} full messages each");
        Assert.True(simulation.Nodes.Sum(n => n.Node.Broadcast.Counters.Duplicates) > 0);
    }

    [Fact]
    public void RecordsReachEveryLiveNodeDespiteLossAndCrashes()
    {
        var simulation = Settled(new SimulationOptions { Seed = 22, LossRate = 0.1 }, 200);
        var random = new Random(5);
        for (var i = 0; i < 10; i++)
        {
            simulation.Publish(simulation.Nodes[random.Next(simulation.Nodes.Count)], Record(i));
            simulation.RunFor(TimeSpan.FromSeconds(1));
        }
        // A fifth of the nodes crash while the next records spread.
        foreach (var node in simulation.Nodes.OrderBy(_ => random.Next()).Take(40).ToList())
            simulation.Crash(node);
        for (var i = 10; i < 20; i++)
        {
            var live = simulation.LiveNodes.ToList();
            simulation.Publish(live[random.Next(live.Count)], Record(i));
            simulation.RunFor(TimeSpan.FromMilliseconds(300));
        }
        simulation.RunFor(TimeSpan.FromSeconds(20));

        foreach (var node in simulation.LiveNodes)
            Assert.Equal(20, node.Node.Records.Count);
        Assert.True(simulation.Nodes.Sum(n => n.Node.Broadcast.Counters.Grafts) > 0);
    }

    [Fact]
    public void ForgedRecordsStopAtTheFirstHonestNode()
    {
        var simulation = Settled(new SimulationOptions { Seed = 23 }, 100);
        var forger = simulation.Nodes[17];
        var genuine = Record(1).Encode();
        var forged = (byte[])genuine.Clone();
        forged[^1] ^= 1; // the last byte is inside the signature
        var garbage = Encoding.UTF8.GetBytes("not a record at all");
        var neighbours = forger.Node.Membership.ActiveView.ToList();
        foreach (var peer in neighbours)
        {
            simulation.Inject(forger, peer, new Gossip(forger.Peer, forged, 0));
            simulation.Inject(forger, peer, new Gossip(forger.Peer, garbage, 0));
            simulation.Inject(forger, peer, new Gossip(forger.Peer, forged, 0)); // a repeat is not checked again
        }
        simulation.RunFor(TimeSpan.FromSeconds(10));

        Assert.All(simulation.Nodes, n => Assert.Equal(0, n.Node.Records.Count));
        Assert.Equal(2 * neighbours.Count, simulation.Nodes.Sum(n => n.Node.Broadcast.Counters.Rejected));
        Assert.Equal(0, simulation.Nodes.Sum(n => n.Node.Broadcast.Counters.Delivered));
    }

    [Fact]
    public void HighestSequenceWinsAndEquivocationIsSeenEverywhere()
    {
        var simulation = Settled(new SimulationOptions { Seed = 24 }, 100);
        simulation.Publish(simulation.Nodes[1], Record(7, sequence: 1, program: "old"));
        simulation.RunFor(TimeSpan.FromSeconds(2));
        simulation.Publish(simulation.Nodes[2], Record(7, sequence: 2, program: "new"));
        simulation.RunFor(TimeSpan.FromSeconds(2));
        // A stale record arriving late does not roll anything back.
        simulation.Publish(simulation.Nodes[3], Record(7, sequence: 1, program: "old"));
        simulation.RunFor(TimeSpan.FromSeconds(2));
        var expected = Hash256.Of("new"u8);
        Assert.All(simulation.Nodes, n => Assert.Equal(expected, n.Node.Records.Resolve(s_publisher.Key, "app7")));

        // Two different records with one sequence, published at two ends of the network.
        simulation.Publish(simulation.Nodes[10], Record(8, sequence: 5, program: "left"));
        simulation.Publish(simulation.Nodes[90], Record(8, sequence: 5, program: "right"));
        simulation.RunFor(TimeSpan.FromSeconds(3));
        Assert.All(simulation.Nodes, n => Assert.Single(n.Node.Records.Equivocations));
    }

    [Fact]
    public void LateJoinersCatchUpByAntiEntropy()
    {
        var simulation = Settled(new SimulationOptions { Seed = 25 }, 100);
        for (var i = 0; i < 10; i++)
            simulation.Publish(simulation.Nodes[i], Record(i));
        simulation.RunFor(TimeSpan.FromSeconds(3));
        var random = new Random(6);
        var late = Enumerable.Range(0, 20).Select(_ => simulation.AddNode(simulation.Nodes[random.Next(100)])).ToList();
        simulation.RunFor(TimeSpan.FromSeconds(30));
        Assert.All(late, n => Assert.Equal(10, n.Node.Records.Count));
    }
}
