using Coputer.Network.Simulation;
using Coputer.Network.Wire;

namespace Coputer.Network.Tests;

public class MembershipSimulationTests
{
    /// <summary>
    /// Nodes join one after another, 20 ms apart, through the first node (the configured bootstrap peer), or with
    /// <paramref name="randomContacts"/> through a random earlier node.
    /// </summary>
    internal static Simulation.Simulation Grow(SimulationOptions options, int count, bool randomContacts = false)
    {
        var simulation = new Simulation.Simulation(options);
        var random = new Random(options.Seed * 7919);
        var bootstrap = simulation.AddNode(null);
        for (var i = 1; i < count; i++)
        {
            simulation.RunFor(TimeSpan.FromMilliseconds(20));
            var live = simulation.LiveNodes.ToList();
            simulation.AddNode(randomContacts ? live[random.Next(live.Count)] : bootstrap);
        }
        return simulation;
    }

    [Fact]
    public void TwoHundredNodesFormOneOverlayWithBoundedViews()
    {
        var options = new SimulationOptions { Seed = 11 };
        var simulation = Grow(options, 240, randomContacts: true);
        simulation.RunFor(TimeSpan.FromSeconds(30));

        Assert.Equal(1, simulation.ComponentCount());
        foreach (var node in simulation.Nodes)
        {
            Assert.InRange(node.Node.Membership.ActiveView.Count, 1, options.Membership.ActiveViewSize);
            Assert.InRange(node.Node.Membership.PassiveView.Count, 1, options.Membership.PassiveViewSize);
            Assert.DoesNotContain(node.Node.Membership.ActiveView, p => p.Id == node.Peer.Id);
        }
        // Most views fill up, and links are symmetric.
        var full = simulation.Nodes.Count(n => n.Node.Membership.ActiveView.Count >= options.Membership.ActiveViewSize - 1);
        Assert.True(full >= simulation.Nodes.Count * 9 / 10, $"{full} of {simulation.Nodes.Count} views nearly full");
        Assert.Equal(1.0, simulation.SymmetricLinkShare());
    }

    [Fact]
    public void OverlayHealsAfterThirtyPercentCrash()
    {
        var options = new SimulationOptions { Seed = 12 };
        var simulation = Grow(options, 220);
        simulation.RunFor(TimeSpan.FromSeconds(20));
        Assert.True(simulation.IsConnected());

        var random = new Random(99);
        foreach (var node in simulation.Nodes.OrderBy(_ => random.Next()).Take(simulation.Nodes.Count * 3 / 10).ToList())
            simulation.Crash(node);
        simulation.RunFor(TimeSpan.FromSeconds(20));

        Assert.Equal(154, simulation.LiveNodes.Count());
        Assert.Equal(1, simulation.ComponentCount());
        foreach (var node in simulation.LiveNodes)
        {
            Assert.InRange(node.Node.Membership.ActiveView.Count, 1, options.Membership.ActiveViewSize);
            // No live node keeps a dead neighbour once the failure has been noticed.
            Assert.All(node.Node.Membership.ActiveView, p => Assert.True(simulation.Nodes.Single(n => n.Peer.Id == p.Id).Alive));
        }
        Assert.Equal(1.0, simulation.SymmetricLinkShare());

        // It stays connected as time goes on.
        simulation.RunFor(TimeSpan.FromSeconds(20));
        Assert.Equal(1, simulation.ComponentCount());
    }

    [Fact]
    public void OverlayStaysConnectedUnderChurnAndLoss()
    {
        var options = new SimulationOptions { Seed = 13, LossRate = 0.05 };
        var simulation = Grow(options, 200);
        simulation.RunFor(TimeSpan.FromSeconds(15));
        var random = new Random(7);
        // Every second for a minute: one node crashes, one leaves politely, two new ones join.
        for (var second = 0; second < 60; second++)
        {
            var live = simulation.LiveNodes.ToList();
            simulation.Crash(live[random.Next(live.Count)]);
            live = simulation.LiveNodes.ToList();
            simulation.Leave(live[random.Next(live.Count)]);
            live = simulation.LiveNodes.ToList();
            simulation.AddNode(live[random.Next(live.Count)]);
            simulation.AddNode(live[random.Next(live.Count)]);
            simulation.RunFor(TimeSpan.FromSeconds(1));
        }
        simulation.RunFor(TimeSpan.FromSeconds(15));

        Assert.Equal(200, simulation.LiveNodes.Count());
        var lonely = string.Join("; ", simulation.LiveNodes.Where(n => n.Node.Membership.ActiveView.Count < 2).Select(n => $"{n.Index}: a={n.Node.Membership.ActiveView.Count} p={n.Node.Membership.PassiveView.Count} pl={n.Node.Membership.PassiveView.Count(p => simulation.Nodes.Single(x => x.Peer.Id == p.Id).Alive)}"));
        Assert.True(simulation.ComponentCount() == 1, lonely);
        Assert.True(simulation.Stats.Lost > 0);
        Assert.True(simulation.SymmetricLinkShare() >= 0.99, $"symmetric share {simulation.SymmetricLinkShare()}");
    }

    [Fact]
    public void SameSeedGivesTheSameTrace()
    {
        static (ulong Trace, long Sent) Run(int seed)
        {
            var simulation = Grow(new SimulationOptions { Seed = seed, LossRate = 0.02 }, 60);
            simulation.RunFor(TimeSpan.FromSeconds(5));
            simulation.Crash(simulation.Nodes[10]);
            simulation.RunFor(TimeSpan.FromSeconds(5));
            return (simulation.TraceHash, simulation.Stats.Sent);
        }
        var first = Run(5);
        Assert.Equal(first, Run(5));
        Assert.NotEqual(first.Trace, Run(6).Trace);
        Assert.True(first.Sent > 0);
    }

    [Fact]
    public void AJoinerIsTakenAsNeighbourAndForwardJoinsWalk()
    {
        var options = new SimulationOptions { Seed = 3 };
        var simulation = new Simulation.Simulation(options);
        var first = simulation.AddNode(null);
        var second = simulation.AddNode(first);
        simulation.RunFor(TimeSpan.FromSeconds(1));
        Assert.True(first.Node.Membership.IsActive(second.Peer.Id));
        Assert.True(second.Node.Membership.IsActive(first.Peer.Id));

        var third = simulation.AddNode(first);
        simulation.RunFor(TimeSpan.FromSeconds(1));
        Assert.True(simulation.Stats.CountOf<ForwardJoin>() >= 1);
        Assert.True(third.Node.Membership.ActiveView.Count >= 1);
        Assert.True(simulation.IsConnected());
    }
}
