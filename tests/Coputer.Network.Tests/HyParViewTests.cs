using System.Text;
using Coputer.Network.Membership;
using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Tests;

/// <summary>The membership state machine driven by hand, message by message.</summary>
public class HyParViewTests
{
    private static PeerInfo Peer(int n) => new(new NodeId(Hash256.Of(Encoding.UTF8.GetBytes($"peer{n}"))), $"10.0.0.{n}:7000");

    private static readonly TimeSpan s_zero = TimeSpan.Zero;

    private static HyParView Machine(int n, HyParViewOptions? options = null) => new(Peer(n), options ?? new HyParViewOptions(), new Random(n));

    private static List<Outgoing> Sends(IEnumerable<NodeEffect> effects) => effects.OfType<Outgoing>().ToList();

    [Fact]
    public void JoinSendsAJoinToTheContact()
    {
        var machine = Machine(1);
        var sent = Sends(machine.Join(Peer(2), s_zero));
        Assert.Equal(new Outgoing(Peer(2), new Join(Peer(1))), Assert.Single(sent));
        Assert.Throws<ArgumentException>(() => machine.Join(Peer(1), s_zero));
    }

    [Fact]
    public void ContactAsksTheJoinerAndForwardsTheJoin()
    {
        var contact = Machine(1);
        contact.Handle(new Neighbor(Peer(3), true), s_zero);
        Assert.True(contact.IsActive(Peer(3).Id));

        var sent = Sends(contact.Handle(new Join(Peer(2)), s_zero));
        Assert.Contains(new Outgoing(Peer(2), new Neighbor(Peer(1), true)), sent);
        Assert.Contains(new Outgoing(Peer(3), new ForwardJoin(Peer(1), Peer(2), 6)), sent);
        // The joiner becomes a neighbour only once it accepts.
        Assert.False(contact.IsActive(Peer(2).Id));
        var effects = contact.Handle(new NeighborReply(Peer(2), true), s_zero);
        Assert.Contains(new NeighborUp(Peer(2)), effects);
        Assert.True(contact.IsActive(Peer(2).Id));
    }

    [Fact]
    public void ForwardJoinWalksThenEnds()
    {
        var machine = Machine(1);
        machine.Handle(new Neighbor(Peer(3), true), s_zero);
        machine.Handle(new Neighbor(Peer(4), true), s_zero);

        // Mid-walk at the passive length: keep the joiner as a reserve and pass the walk on (never back to the sender).
        var sent = Sends(machine.Handle(new ForwardJoin(Peer(3), Peer(9), 3), s_zero));
        Assert.Equal(new Outgoing(Peer(4), new ForwardJoin(Peer(1), Peer(9), 2)), Assert.Single(sent));
        Assert.Contains(machine.PassiveView, p => p.Id == Peer(9).Id);

        // The walk ends at zero: ask the joiner.
        sent = Sends(machine.Handle(new ForwardJoin(Peer(3), Peer(8), 0), s_zero));
        Assert.Equal(new Outgoing(Peer(8), new Neighbor(Peer(1), true)), Assert.Single(sent));
    }

    [Fact]
    public void LowPriorityNeighbourIsRefusedWhenFullHighPriorityEvicts()
    {
        var options = new HyParViewOptions { ActiveViewSize = 2 };
        var machine = Machine(1, options);
        machine.Handle(new Neighbor(Peer(2), false), s_zero);
        machine.Handle(new Neighbor(Peer(3), false), s_zero);
        Assert.Equal(2, machine.ActiveView.Count);

        var sent = Sends(machine.Handle(new Neighbor(Peer(4), false), s_zero));
        Assert.Equal(new Outgoing(Peer(4), new NeighborReply(Peer(1), false)), Assert.Single(sent));
        Assert.False(machine.IsActive(Peer(4).Id));

        var effects = machine.Handle(new Neighbor(Peer(5), true), s_zero);
        Assert.True(machine.IsActive(Peer(5).Id));
        Assert.Equal(2, machine.ActiveView.Count);
        var evicted = Assert.Single(effects.OfType<NeighborDown>()).Peer;
        Assert.Contains(new Outgoing(evicted, new Disconnect(Peer(1))), Sends(effects));
        Assert.Contains(machine.PassiveView, p => p.Id == evicted.Id);
    }

    [Fact]
    public void FailedNeighbourIsReplacedFromThePassiveView()
    {
        var machine = Machine(1);
        machine.Handle(new Neighbor(Peer(2), true), s_zero);
        machine.Handle(new ShuffleReply(Peer(7), [Peer(5), Peer(6)]), s_zero);
        Assert.Equal(2, machine.PassiveView.Count);

        var effects = machine.ConnectionFailed(Peer(2).Id, TimeSpan.FromSeconds(1));
        Assert.Contains(new NeighborDown(Peer(2)), effects);
        var request = Assert.Single(Sends(effects));
        Assert.Equal(new Neighbor(Peer(1), true), request.Message);

        // No reply within the timeout: the request is withdrawn (the peer stays a reserve); a neighbour is asked again.
        var later = machine.Tick(TimeSpan.FromSeconds(3));
        Assert.Contains(new Outgoing(request.To, new Disconnect(Peer(1))), Sends(later));
        Assert.Contains(machine.PassiveView, p => p.Id == request.To.Id);
        Assert.Contains(Sends(later), s => s.Message is Neighbor);

        // The transport reports it unreachable: now it is forgotten.
        machine.ConnectionFailed(request.To.Id, TimeSpan.FromSeconds(4));
        Assert.DoesNotContain(machine.PassiveView, p => p.Id == request.To.Id);
    }

    [Fact]
    public void ShuffleIsForwardedThenAnsweredAndIntegrated()
    {
        var machine = Machine(1);
        machine.Handle(new Neighbor(Peer(2), true), s_zero);
        machine.Handle(new Neighbor(Peer(3), true), s_zero);
        machine.Handle(new ShuffleReply(Peer(9), [Peer(20), Peer(21)]), s_zero);

        var sent = Sends(machine.Handle(new Shuffle(Peer(2), Peer(10), 2, [Peer(10), Peer(11)]), s_zero));
        Assert.Equal(new Outgoing(Peer(3), new Shuffle(Peer(1), Peer(10), 1, [Peer(10), Peer(11)])).To, Assert.Single(sent).To);

        sent = Sends(machine.Handle(new Shuffle(Peer(2), Peer(10), 0, [Peer(10), Peer(11)]), s_zero));
        var reply = Assert.Single(sent);
        Assert.Equal(Peer(10), reply.To);
        Assert.Equal(2, Assert.IsType<ShuffleReply>(reply.Message).Peers.Count);
        Assert.Contains(machine.PassiveView, p => p.Id == Peer(11).Id);
    }

    [Fact]
    public void MessagesClaimingToBeFromSelfAreIgnored()
    {
        var machine = Machine(1);
        Assert.Empty(machine.Handle(new Join(Peer(1)), s_zero));
        Assert.Empty(machine.Handle(new Neighbor(Peer(1), true), s_zero));
        Assert.Empty(machine.ActiveView);
    }
}
