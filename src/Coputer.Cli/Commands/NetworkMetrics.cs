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
        var (replicas, bundles) = host.Replication;
        return new NetworkStatus(host.Self.Id.ToString(), host.Self.Address,
            [.. host.ActivePeers.Select(p => new NetworkPeer(p.Id.ToString(), p.Address))],
            [.. host.PassivePeers.Select(p => new NetworkPeer(p.Id.ToString(), p.Address))],
            [
                ("bundles in this node's store", bundles),
                ("programs this node holds as one of their closest nodes or their publisher's", replicas.Held),
                ("of those, below their target of copies at the latest check", replicas.BelowTarget),
                ("of those, not checked yet", replicas.Unchecked),
                ("copies sent to holders (placement and repair)", replicas.CopiesSent),
                ("copies taken as a holder", replicas.CopiesTaken),
                ("copies not taken: past the storage quota of every publisher naming them", c.ReplicasRefused),
                ("bundles fetched on demand (to run, or to keep a name current)", c.FetchedOnDemand),
                ("on-demand fetches that found no holder in time", c.OnDemandFailures),
                ("publication records received and stored", c.RecordsStored),
                ("bundles fetched from peers", c.BundlesFetched),
                ("bundles served to peers", c.BundlesServed),
                ("runs forwarded to a neighbour and answered", c.RunsForwarded),
                ("of those, answered after a backup request (hedged)", c.RunsHedged),
                ("backup requests sent (a second runner asked)", c.HedgesSent),
                ("hedge delay now, ms (the observed 95th percentile of answer latency)", (long)host.HedgeDelay.TotalMilliseconds),
                ("forwarded runs that failed", c.ForwardFailures),
                ("answers refused for a bad receipt or record", c.BadAnswers),
                ("runs done for peers", c.RunsForPeers),
                ("answers of other nodes re-run to check them (audits)", c.Audits),
                ("audits no second run could settle (answer not cached)", c.AuditsUnsettled),
                ("audits that found a mismatch (two signed receipts that differ)", c.Mismatches),
                ("runners excluded for a wrong answer", c.RunnersExcluded),
                ("runners excluded now", host.ExcludedRunners.Count),
                ("mismatch proofs received from peers and checked", c.ProofsReceived),
                ("checked answers of other nodes kept in the result cache", c.AnswersCached),
                ("runs answered from that cache (no run anywhere)", c.ServedFromCache),
                ("equivocation proofs held (a publisher signed two programs under one name and sequence)", host.Equivocations),
                ("messages refused (unauthenticated or malformed)", c.Refused),
                ("sends that failed", c.SendFailures),
            ]);
    }

    public static void Register(CollectorRegistry registry, NetworkHost host)
    {
        var f = Metrics.WithCustomRegistry(registry);
        var peers = f.CreateGauge("coputer_network_peers", "Peers known, by view: the membership's active and passive views, and the contacts of the routing table (routing).", new GaugeConfiguration { LabelNames = ["view"] });
        var messages = f.CreateGauge("coputer_network_messages_total", "Protocol messages since start, by direction and type.", new GaugeConfiguration { LabelNames = ["direction", "type"] });
        var bytes = f.CreateGauge("coputer_network_bytes_total", "Bytes of messages and bundles since start, by direction.", new GaugeConfiguration { LabelNames = ["direction"] });
        var failures = f.CreateGauge("coputer_network_failures_total", "Peer transport failures since start, by kind (send, refused, dropped, bad_bundle).", new GaugeConfiguration { LabelNames = ["kind"] });
        var bundles = f.CreateGauge("coputer_network_bundles_total", "Bundles fetched from and served to peers since start.", new GaugeConfiguration { LabelNames = ["direction"] });
        var runs = f.CreateGauge("coputer_network_forwarded_runs_total", "Runs forwarded to a neighbour since start, by outcome (answered, hedged, failed, bad_answer), and run for peers (served).", new GaugeConfiguration { LabelNames = ["outcome"] });
        var records = f.CreateGauge("coputer_network_records_stored_total", "Publication records received from peers and stored.");
        var replication = f.CreateGauge("coputer_network_replicas", "Replication health: programs held and checked here (held), those below their target of copies at the latest check (below_target), those not checked yet (unchecked); bundles in the store (bundles).", new GaugeConfiguration { LabelNames = ["state"] });
        var copies = f.CreateGauge("coputer_network_replica_copies_total", "Copies of programs since start: sent to holders for placement and repair (sent), taken as a holder (taken), dropped as surplus (dropped), not taken for the storage quota (refused_quota).", new GaugeConfiguration { LabelNames = ["kind"] });
        var onDemand = f.CreateGauge("coputer_network_on_demand_fetches_total", "Bundles fetched on demand by lookup since start, by outcome (fetched, failed).", new GaugeConfiguration { LabelNames = ["outcome"] });
        var hedges = f.CreateGauge("coputer_network_hedges_total", "Backup requests sent since start: a second runner asked because the first had not answered within the hedge delay, or failed.");
        var hedgeDelay = f.CreateGauge("coputer_network_hedge_delay_seconds", "How long a forwarded run waits for its first runner before a backup is asked: the observed 95th percentile of answer latency.");
        var audits = f.CreateGauge("coputer_network_audits_total", "Answers of other nodes re-run to check them since start, by outcome: all audits (done), those no second run could settle (unsettled), those that found two signed receipts that differ (mismatch).", new GaugeConfiguration { LabelNames = ["outcome"] });
        var excluded = f.CreateGauge("coputer_network_runners_excluded", "Runners excluded for a wrong answer, by scope: since start (total) and held now (current).", new GaugeConfiguration { LabelNames = ["scope"] });
        var proofs = f.CreateGauge("coputer_network_mismatch_proofs_received_total", "Mismatch proofs received from peers and checked by a run here, since start.");
        var cache = f.CreateGauge("coputer_network_result_cache_total", "The network-wide result cache since start: checked answers of other nodes kept (cached) and runs answered from them with no run anywhere (served).", new GaugeConfiguration { LabelNames = ["kind"] });
        var equivocations = f.CreateGauge("coputer_network_equivocations", "Equivocation proofs held: pairs of validly signed records of one publisher, name and sequence that name different programs.");
        registry.AddBeforeCollectCallback(() =>
        {
            var c = host.Counters;
            peers.WithLabels("active").Set(host.ActivePeers.Count);
            peers.WithLabels("passive").Set(host.PassivePeers.Count);
            peers.WithLabels("routing").Set(host.RoutingContacts);
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
            var (replicas, held) = host.Replication;
            replication.WithLabels("held").Set(replicas.Held);
            replication.WithLabels("below_target").Set(replicas.BelowTarget);
            replication.WithLabels("unchecked").Set(replicas.Unchecked);
            replication.WithLabels("bundles").Set(held);
            copies.WithLabels("sent").Set(replicas.CopiesSent);
            copies.WithLabels("taken").Set(replicas.CopiesTaken);
            copies.WithLabels("dropped").Set(replicas.Dropped);
            copies.WithLabels("refused_quota").Set(c.ReplicasRefused);
            onDemand.WithLabels("fetched").Set(c.FetchedOnDemand);
            onDemand.WithLabels("failed").Set(c.OnDemandFailures);
            runs.WithLabels("answered").Set(c.RunsForwarded);
            runs.WithLabels("hedged").Set(c.RunsHedged);
            runs.WithLabels("failed").Set(c.ForwardFailures);
            runs.WithLabels("bad_answer").Set(c.BadAnswers);
            runs.WithLabels("served").Set(c.RunsForPeers);
            hedges.Set(c.HedgesSent);
            hedgeDelay.Set(host.HedgeDelay.TotalSeconds);
            audits.WithLabels("done").Set(c.Audits);
            audits.WithLabels("unsettled").Set(c.AuditsUnsettled);
            audits.WithLabels("mismatch").Set(c.Mismatches);
            excluded.WithLabels("total").Set(c.RunnersExcluded);
            excluded.WithLabels("current").Set(host.ExcludedRunners.Count);
            proofs.Set(c.ProofsReceived);
            cache.WithLabels("cached").Set(c.AnswersCached);
            cache.WithLabels("served").Set(c.ServedFromCache);
        });
    }
}
