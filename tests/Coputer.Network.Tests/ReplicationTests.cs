using System.Text;
using Coputer.Network.Replication;
using Coputer.Network.Simulation;
using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Tests;

public class ReplicationTests
{
    private static PeerInfo Peer(int n) => new(new NodeId(Hash256.Of(Encoding.UTF8.GetBytes($"peer{n}"))), $"10.0.0.{n}:7000");

    [Fact]
    public void RendezvousPicksTheSameHoldersWhateverTheOrderAndMovesLittle()
    {
        var members = Enumerable.Range(0, 50).Select(Peer).ToList();
        var program = Hash256.Of("p"u8);
        var holders = Rendezvous.Holders(program, members, p => p.Id, 5);
        Assert.Equal(5, holders.Count);
        Assert.Equal(holders, Rendezvous.Holders(program, Enumerable.Reverse(members), p => p.Id, 5));

        // Removing a non-holder changes nothing; removing a holder replaces only it.
        Assert.Equal(holders, Rendezvous.Holders(program, members.Where(m => m != members.First(x => !holders.Contains(x))), p => p.Id, 5));
        var without = Rendezvous.Holders(program, members.Where(m => m != holders[0]), p => p.Id, 5);
        Assert.Equal(4, without.Intersect(holders).Count());

        // Programs spread over the members: with 1,000 programs every member holds some.
        var load = Enumerable.Range(0, 1000)
            .SelectMany(i => Rendezvous.Holders(Hash256.Of(BitConverter.GetBytes(i)), members, p => p.Id, 5))
            .GroupBy(p => p.Id).Select(g => g.Count()).ToList();
        Assert.Equal(50, load.Count);
        Assert.InRange(load.Max(), 100, 160); // the mean is 100
    }

    [Fact]
    public void AHolderTakesContentOnlyForItselfAndChecksTheId()
    {
        var members = Enumerable.Range(0, 20).Select(Peer).ToList();
        var content = "bundle"u8.ToArray();
        var holders = Rendezvous.Holders(Hash256.Of(content), members, p => p.Id, 3);
        var holder = new ReplicaStore(holders[0], new ReplicationOptions { Replicas = 3 });
        var outsider = new ReplicaStore(members.First(m => !holders.Contains(m)), new ReplicationOptions { Replicas = 3 });

        // Before it knows the members, a node takes nothing.
        Assert.Empty(holder.Handle(new Replicate(Peer(99), content)));
        holder.UpdateMembers(members);
        outsider.UpdateMembers(members);

        var reply = Assert.Single(holder.Handle(new Replicate(Peer(99), content)));
        Assert.Equal(new Outgoing(Peer(99), new Stored(holders[0], Hash256.Of(content))), reply);
        Assert.True(holder.Holds(Hash256.Of(content)));
        Assert.Empty(outsider.Handle(new Replicate(Peer(99), content)));
        Assert.False(outsider.Holds(Hash256.Of(content)));
    }

    [Fact]
    public void APublishedProgramReachesItsHoldersAndThePublisherHandsOff()
    {
        var simulation = new Simulation.Simulation(new SimulationOptions { Seed = 31 });
        var first = simulation.AddNode(null);
        for (var i = 1; i < 30; i++)
            simulation.AddNode(first);
        simulation.RunFor(TimeSpan.FromSeconds(3));
        var program = simulation.Store(simulation.Nodes[7], "the bundle"u8.ToArray());
        simulation.RunFor(TimeSpan.FromSeconds(5));

        var expected = Rendezvous.Holders(program, simulation.LiveNodes.Select(n => n.Peer), p => p.Id, 5).ToHashSet();
        var holding = simulation.Nodes.Where(n => n.Node.Replicas.Holds(program)).Select(n => n.Peer).ToHashSet();
        Assert.True(expected.SetEquals(holding), $"{holding.Count} hold it");
    }

    [Fact]
    public void AfterChurnEveryProgramHasItsLiveHolders()
    {
        var options = new SimulationOptions { Seed = 32, LossRate = 0.05 };
        var simulation = MembershipSimulationTests.Grow(options, 200);
        simulation.RunFor(TimeSpan.FromSeconds(10));
        var random = new Random(8);
        var programs = new List<Hash256>();
        for (var i = 0; i < 100; i++)
            programs.Add(simulation.Store(simulation.Nodes[random.Next(200)], Encoding.UTF8.GetBytes($"bundle {i}")));
        simulation.RunFor(TimeSpan.FromSeconds(5));

        // Waves of churn: 10 crash and 10 join, twelve times; then half of each program's holders and the
        // node it was published at crash together.
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
        simulation.RunFor(TimeSpan.FromSeconds(10));

        var k = options.Replication.Replicas;
        foreach (var program in programs)
        {
            var liveHolders = simulation.LiveNodes.Where(n => n.Node.Replicas.Holds(program)).Select(n => n.Peer).ToHashSet();
            var expected = Rendezvous.Holders(program, simulation.LiveNodes.Select(n => n.Peer), p => p.Id, k);
            Assert.True(liveHolders.IsSupersetOf(expected), $"{program}: {liveHolders.Count} live holders, not all of the expected {k}");
            Assert.InRange(liveHolders.Count, k, k + 1);
        }
    }
}
