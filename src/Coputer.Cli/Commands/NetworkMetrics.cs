using Coputer.Network.Hosting;
using Prometheus;

namespace Coputer.Cli.Commands;

/// <summary>The network's figures in the gateway's <c>/metrics</c>, read from the host's counters when scraped.</summary>
internal static class NetworkMetrics
{
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
            runs.WithLabels("answered").Set(c.RunsForwarded);
            runs.WithLabels("hedged").Set(c.RunsHedged);
            runs.WithLabels("failed").Set(c.ForwardFailures);
            runs.WithLabels("bad_answer").Set(c.BadAnswers);
            runs.WithLabels("served").Set(c.RunsForPeers);
        });
    }
}
