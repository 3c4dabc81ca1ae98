using Coputer.Gateway.Pages;
using Coputer.Network.Hosting;
using Prometheus;

namespace Coputer.Cli.Commands;

/// <summary>The network's figures in the gateway's <c>/metrics</c> and <c>/network</c> page, read from the host when asked.</summary>
internal static class NetworkMetrics
{
    /// <summary>What the gateway's network page shows of <paramref name="host"/>.</summary>
    public static NetworkStatus Status(NetworkHost host)
    {
        var c = host.Counters;
        return new NetworkStatus(host.Self.Id.ToString(), host.Self.Address,
            [.. host.ActivePeers.Select(p => new NetworkPeer(p.Id.ToString(), p.Address))],
            [.. host.PassivePeers.Select(p => new NetworkPeer(p.Id.ToString(), p.Address))],
            [
                ("publication records received and stored", c.RecordsStored),
                ("bundles fetched from peers", c.BundlesFetched),
                ("bundles served to peers", c.BundlesServed),
                ("runs forwarded to a neighbour and answered", c.RunsForwarded),
                ("hedged (backup) forwarded runs", c.RunsHedged),
                ("forwarded runs that failed", c.ForwardFailures),
                ("answers refused for a bad receipt or record", c.BadAnswers),
                ("runs done for peers", c.RunsForPeers),
                ("equivocation proofs held (a publisher signed two programs under one name and sequence)", host.Equivocations),
                ("messages refused (unauthenticated or malformed)", c.Refused),
                ("sends that failed", c.SendFailures),
            ]);
    }

    public static void Register(CollectorRegistry registry, NetworkHost host)
    {
        var f = Metrics.WithCustomRegistry(registry);
        var peers = f.CreateGauge("coputer_network_peers", "Peers in the membership views, by view (active, passive).", new GaugeConfiguration { LabelNames = ["view"] });
        var messages = f.CreateGauge("coputer_network_messages_total", "Protocol messages since start, by direction and type.", new GaugeConfiguration { LabelNames = ["direction", "type"] });
        var bytes = f.CreateGauge("coputer_network_bytes_total", "Bytes of messages and bundles since start, by direction.", new GaugeConfiguration { LabelNames = ["direction"] });
        var failures = f.CreateGauge("coputer_network_failures_total", "Peer transport failures since start, by kind (send, refused, dropped, bad_bundle).", new GaugeConfiguration { LabelNames = ["kind"] });
        var bundles = f.CreateGauge("coputer_network_bundles_total", "Bundles fetched from and served to peers since start.", new GaugeConfiguration { LabelNames = ["direction"] });
        var runs = f.CreateGauge("coputer_network_forwarded_runs_total", "Runs forwarded to a neighbour since start, by outcome (answered, hedged, failed, bad_answer), and run for peers (served).", new GaugeConfiguration { LabelNames = ["outcome"] });
        var records = f.CreateGauge("coputer_network_records_stored_total", "Publication records received from peers and stored.");
        var equivocations = f.CreateGauge("coputer_network_equivocations", "Equivocation proofs held: pairs of validly signed records of one publisher, name and sequence that name different programs.");
        registry.AddBeforeCollectCallback(() =>
        {
            var c = host.Counters;
            peers.WithLabels("active").Set(host.ActivePeers.Count);
            peers.WithLabels("passive").Set(host.PassivePeers.Count);
            for (int type = 1; type < NetworkCounters.TypeNames.Length; type++)
            {
                messages.WithLabels("in", NetworkCounters.TypeNames[type]).Set(c.MessagesIn(type));
                messages.WithLabels("out", NetworkCounters.TypeNames[type]).Set(c.MessagesOut(type));
            }
            bytes.WithLabels("in").Set(c.BytesIn);
            bytes.WithLabels("out").Set(c.BytesOut);
            failures.WithLabels("send").Set(c.SendFailures);
            failures.WithLabels("refused").Set(c.Refused);
            failures.WithLabels("dropped").Set(c.Dropped);
            failures.WithLabels("bad_bundle").Set(c.BadBundles);
            bundles.WithLabels("fetched").Set(c.BundlesFetched);
            bundles.WithLabels("served").Set(c.BundlesServed);
            records.Set(c.RecordsStored);
            equivocations.Set(host.Equivocations);
            runs.WithLabels("answered").Set(c.RunsForwarded);
            runs.WithLabels("hedged").Set(c.RunsHedged);
            runs.WithLabels("failed").Set(c.ForwardFailures);
            runs.WithLabels("bad_answer").Set(c.BadAnswers);
            runs.WithLabels("served").Set(c.RunsForPeers);
        });
    }
}
