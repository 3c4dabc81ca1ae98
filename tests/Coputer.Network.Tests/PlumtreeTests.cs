using System.Text;
using Coputer.Network.Broadcast;
using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Tests;

/// <summary>The broadcast state machine driven by hand; payloads starting with 'x' count as invalid.</summary>
public class PlumtreeTests
{
    private static PeerInfo Peer(int n) => new(new NodeId(Hash256.Of(Encoding.UTF8.GetBytes($"peer{n}"))), $"10.0.0.{n}:7000");

    private static Plumtree Machine() =>
        new(Peer(1), new PlumtreeOptions(), payload => payload.Length > 0 && payload[0] != (byte)'x', new Random(1));

    private static List<Outgoing> Sends(IEnumerable<NodeEffect> effects) => effects.OfType<Outgoing>().ToList();

    [Fact]
    public void NewMessagesGoEagerDuplicatesPrune()
    {
        var tree = Machine();
        tree.NeighborUp(Peer(2));
        tree.NeighborUp(Peer(3));
        tree.NeighborUp(Peer(4));
        var payload = "hello"u8.ToArray();

        var effects = tree.Handle(new Gossip(Peer(2), payload, 0), TimeSpan.Zero);
        Assert.Single(effects.OfType<Delivered>());
        var sent = Sends(effects);
        Assert.Equal([Peer(3), Peer(4)], sent.Select(s => s.To));
        Assert.All(sent, s => Assert.Equal(1, Assert.IsType<Gossip>(s.Message).Round));

        // The same message from another eager peer: no delivery, that peer is pruned to lazy.
        effects = tree.Handle(new Gossip(Peer(3), payload, 3), TimeSpan.Zero);
        Assert.Empty(effects.OfType<Delivered>());
        Assert.Equal(new Outgoing(Peer(3), new Prune(Peer(1))), Assert.Single(Sends(effects)));
        Assert.Contains(Peer(3), tree.LazyPeers);
        Assert.Equal(1, tree.Counters.Duplicates);
    }

    [Fact]
    public void LazyPeersGetBatchedAnnouncements()
    {
        var tree = Machine();
        tree.NeighborUp(Peer(2));
        tree.NeighborUp(Peer(3));
        tree.Handle(new Prune(Peer(3)), TimeSpan.Zero);
        tree.Broadcast("a"u8.ToArray(), TimeSpan.Zero);
        tree.Broadcast("b"u8.ToArray(), TimeSpan.Zero);

        var sent = Sends(tree.Tick(TimeSpan.FromMilliseconds(100)));
        var announcement = Assert.IsType<IHave>(Assert.Single(sent, s => s.To == Peer(3)).Message);
        Assert.Equal([Plumtree.IdOf("a"u8), Plumtree.IdOf("b"u8)], announcement.Ids);
    }

    [Fact]
    public void MissingMessagesAreGraftedFromAnnouncersInTurn()
    {
        var tree = Machine();
        tree.NeighborUp(Peer(2));
        tree.NeighborUp(Peer(3));
        var id = Plumtree.IdOf("late"u8);
        tree.Handle(new IHave(Peer(2), 4, [id]), TimeSpan.Zero);
        tree.Handle(new IHave(Peer(3), 5, [id]), TimeSpan.Zero);

        Assert.DoesNotContain(Sends(tree.Tick(TimeSpan.FromMilliseconds(100))), s => s.Message is Graft);
        var first = Assert.Single(Sends(tree.Tick(TimeSpan.FromMilliseconds(500))), s => s.Message is Graft);
        Assert.Equal(new Outgoing(Peer(2), new Graft(Peer(1), id, 4)), first);
        var second = Assert.Single(Sends(tree.Tick(TimeSpan.FromMilliseconds(800))), s => s.Message is Graft);
        Assert.Equal(Peer(3), second.To);

        // Once it arrives nothing more is asked.
        tree.Handle(new Gossip(Peer(3), "late"u8.ToArray(), 5), TimeSpan.FromMilliseconds(900));
        Assert.DoesNotContain(Sends(tree.Tick(TimeSpan.FromSeconds(2))), s => s.Message is Graft);
    }

    [Fact]
    public void GraftIsAnsweredWithTheMessageAndMakesThePeerEager()
    {
        var tree = Machine();
        tree.NeighborUp(Peer(2));
        tree.Handle(new Prune(Peer(2)), TimeSpan.Zero);
        tree.Broadcast("m"u8.ToArray(), TimeSpan.Zero);
        var sent = Sends(tree.Handle(new Graft(Peer(2), Plumtree.IdOf("m"u8), 0), TimeSpan.Zero));
        Assert.Equal("m"u8.ToArray(), Assert.IsType<Gossip>(Assert.Single(sent).Message).Payload);
        Assert.Contains(Peer(2), tree.EagerPeers);
    }

    [Fact]
    public void InvalidPayloadsAreDroppedAndNotForwarded()
    {
        var tree = Machine();
        tree.NeighborUp(Peer(2));
        tree.NeighborUp(Peer(3));
        Assert.Empty(tree.Handle(new Gossip(Peer(2), "xforged"u8.ToArray(), 0), TimeSpan.Zero));
        Assert.Empty(tree.Handle(new Gossip(Peer(2), "xforged"u8.ToArray(), 0), TimeSpan.Zero));
        Assert.Equal(1, tree.Counters.Rejected);
        Assert.Throws<ArgumentException>(() => tree.Broadcast("xmine"u8.ToArray(), TimeSpan.Zero));
        // An invalid id announced is never grafted.
        tree.Handle(new IHave(Peer(3), 0, [Plumtree.IdOf("xforged"u8)]), TimeSpan.Zero);
        Assert.DoesNotContain(Sends(tree.Tick(TimeSpan.FromSeconds(1))), s => s.Message is Graft);
    }

    [Fact]
    public void DepartedNeighboursAreForgotten()
    {
        var tree = Machine();
        tree.NeighborUp(Peer(2));
        tree.Handle(new IHave(Peer(2), 0, [Plumtree.IdOf("q"u8)]), TimeSpan.Zero);
        tree.NeighborDown(Peer(2));
        Assert.Empty(tree.EagerPeers);
        Assert.DoesNotContain(Sends(tree.Tick(TimeSpan.FromSeconds(1))), s => s.Message is Graft);
    }
}
