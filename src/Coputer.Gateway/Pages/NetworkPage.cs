using System.Globalization;

namespace Coputer.Gateway.Pages;

/// <summary>A peer as the network page lists it.</summary>
public sealed record NetworkPeer(string Id, string Address);

/// <summary>
/// What the node's network layer reports for the network page: its own id and address, its neighbours and the
/// peers it knows of, and named counters (forwarded runs, records received, failures). The command line fills it
/// from the network host; the gateway only shows it.
/// </summary>
public sealed record NetworkStatus(string NodeId, string Address, IReadOnlyList<NetworkPeer> Active, IReadOnlyList<NetworkPeer> Passive, IReadOnlyList<(string Name, long Value)> Figures);

public static partial class NodePages
{
    /// <summary>
    /// The network page: this node in the network (or a note that it runs alone), its peers, its counters and the
    /// programs it holds.
    /// </summary>
    public static string Network(Links links, NetworkStatus? status, IReadOnlyList<PublisherListing> publishers, bool truncated)
    {
        var h = new Html();
        h.Raw("<h1>Network</h1>");
        if (status is null)
        {
            h.Raw("<p>This node runs alone: it serves what is published to it and talks to no other node. To join a network, start it with " +
                  "<code>coputer node --peer-port 9001 --peer HOST:PORT</code>.</p>");
        }
        else
        {
            h.Raw("<p>Node <code>").Text(status.NodeId).Raw("</code>, reachable by other nodes at <code>").Text(status.Address)
             .Raw("</code> (HTTP/2 with mutual TLS 1.3; every peer is authenticated by its node key).</p>");
            h.Raw("<ul class=\"stats\">");
            Stat(h, status.Active.Count.ToString(CultureInfo.InvariantCulture), status.Active.Count == 1 ? "neighbour" : "neighbours");
            Stat(h, status.Passive.Count.ToString(CultureInfo.InvariantCulture), "known peers in reserve");
            h.Raw("</ul>");
            PeerTable(h, "Neighbours", "Nodes this one exchanges publications and runs with.", status.Active);
            PeerTable(h, "In reserve", "Peers known but not connected, used to replace a neighbour that fails.", status.Passive);
            if (status.Figures.Count > 0)
            {
                h.Raw("<h2>Since the node started</h2><table>");
                foreach (var (name, value) in status.Figures)
                    h.Raw("<tr><td>").Text(name).Raw("</td><td class=\"mono\">").Text(value.ToString("N0", CultureInfo.InvariantCulture)).Raw("</td></tr>");
                h.Raw("</table>");
            }
        }

        h.Raw("<h2>Programs held here</h2>");
        ProgramsTable(h, links, publishers, truncated, "None yet.");
        return Layout("Network of " + links.Host, links.Host, h.ToString());
    }

    private static void PeerTable(Html h, string title, string note, IReadOnlyList<NetworkPeer> peers)
    {
        h.Raw("<h2>").Text(title).Raw("</h2><p class=\"muted\">").Text(note).Raw("</p>");
        if (peers.Count == 0)
        {
            h.Raw("<p class=\"muted\">None.</p>");
            return;
        }
        h.Raw("<table><tr><th>Node id</th><th>Address</th></tr>");
        foreach (var peer in peers)
            h.Raw("<tr><td class=\"mono\">").Text(peer.Id).Raw("</td><td class=\"mono\">").Text(peer.Address).Raw("</td></tr>");
        h.Raw("</table>");
    }
}
