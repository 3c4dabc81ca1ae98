using System.Text;
using Coputer.Network.Replication;
using Coputer.Network.Routing;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Network.Simulation;

/// <summary>What <see cref="Scenarios.NameLookups"/> measured.</summary>
public sealed record NameLookupFigures(
    int Nodes, int Crashed, double LossRate, int Lookups, int Succeeded, double P50Milliseconds, double P99Milliseconds,
    double MaxMilliseconds, double QueriesPerLookup, double MessagesPerNodePerSecond, double MeanTableSize, string Failures)
{
    public double SuccessRate => Lookups == 0 ? 0 : (double)Succeeded / Lookups;
}

/// <summary>What <see cref="Scenarios.Reachability"/> measured.</summary>
public sealed record ReachabilityFigures(
    int Nodes, int Programs, int PlacedOnClosest, int Crashed, int LookupsRightAfter, int FoundRightAfter,
    int LookupsAfterRepair, int FoundAfterRepair, int RestoredToK, double? RepairSeconds, double P99Milliseconds);

/// <summary>
/// The scenarios the acceptance figures come from, shared by the tests (at a smaller scale) and
/// <c>bench network</c> (at 1,000 nodes), so both measure the same thing. Everything is simulated time.
/// </summary>
public static class Scenarios
{
    private static readonly Publisher s_publisher = Publisher.FromSeed(Hash256.Of("scenario-publisher"u8).ToArray());

    /// <summary>Nodes join 20 ms apart through the first node, then the network runs for <paramref name="settle"/>.</summary>
    public static Simulation Grow(SimulationOptions options, int count, TimeSpan settle)
    {
        var simulation = new Simulation(options);
        var bootstrap = simulation.AddNode(null);
        for (var i = 1; i < count; i++)
        {
            simulation.RunFor(TimeSpan.FromMilliseconds(20));
            simulation.AddNode(bootstrap);
        }
        simulation.RunFor(settle);
        return simulation;
    }

    /// <summary>
    /// Name lookups through Kademlia alone: <paramref name="records"/> signed records are published (stored at the
    /// 20 nodes closest to each name), then a share of all nodes crashes and, over the next 20 s, live nodes look
    /// up random names by routing (not from their own broadcast copies). The whole run, growth included, has the
    /// given message loss.
    /// </summary>
    public static NameLookupFigures NameLookups(int nodes, int seed, double crashShare, double loss, int records = 50, int lookups = 1000, KademliaOptions? routing = null)
    {
        var simulation = Grow(new SimulationOptions { Seed = seed, LossRate = loss, Routing = routing ?? new KademliaOptions() }, nodes, TimeSpan.FromSeconds(20));
        var random = new Random(seed * 31 + 7);
        var names = new List<Hash256>();
        for (var i = 0; i < records; i++)
        {
            var record = new PublicationRecord(s_publisher.Key, $"site{i}", Hash256.Of(Encoding.UTF8.GetBytes($"program {i}")), 1).Sign(s_publisher);
            simulation.Publish(simulation.Nodes[random.Next(nodes)], record);
            names.Add(Kademlia.NameKey(s_publisher.Key, record.Record.Name));
        }
        simulation.RunFor(TimeSpan.FromSeconds(10));

        var crashed = simulation.Nodes.OrderBy(_ => random.Next()).Take((int)(nodes * crashShare)).ToList();
        foreach (var node in crashed)
            simulation.Crash(node);

        var sent = simulation.Stats.Sent;
        var pending = new Dictionary<(int Node, long Lookup), Hash256>();
        var latencies = new List<double>();
        var succeeded = 0;
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var queriesBefore = simulation.Stats.CountOf<FindValue>();
        void OnEffect(SimulatedNode node, NodeEffect effect)
        {
            switch (effect)
            {
                case ValueFound found when pending.Remove((node.Index, found.LookupId), out var key) && found.Key == key && found.Value is not null:
                    succeeded++;
                    latencies.Add(found.Elapsed.TotalMilliseconds);
                    break;
                case LookupFailed failed when pending.Remove((node.Index, failed.LookupId)):
                    reasons[failed.Reason] = reasons.GetValueOrDefault(failed.Reason) + 1;
                    break;
            }
        }
        simulation.Observed += OnEffect;
        var live = simulation.LiveNodes.ToList();
        var started = simulation.Now;
        for (var i = 0; i < lookups; i++)
        {
            var node = live[random.Next(live.Count)];
            var key = names[random.Next(names.Count)];
            pending[(node.Index, simulation.Find(node, key))] = key;
            simulation.RunFor(TimeSpan.FromMilliseconds(20_000.0 / lookups));
        }
        simulation.RunFor(TimeSpan.FromSeconds(6)); // every lookup ends within its 5 s deadline
        simulation.Observed -= OnEffect;
        var elapsed = (simulation.Now - started).TotalSeconds;
        var queries = simulation.Stats.CountOf<FindValue>() - queriesBefore;
        var perNode = (simulation.Stats.Sent - sent) / elapsed / live.Count; // all protocols, lookups included
        latencies.Sort();
        return new NameLookupFigures(
            nodes, crashed.Count, loss, lookups, succeeded, Percentile(latencies, 0.5), Percentile(latencies, 0.99),
            latencies.Count == 0 ? 0 : latencies[^1], (double)queries / lookups, perNode,
            live.Average(n => n.Node.Routing.Table.Count), string.Join("; ", reasons.Select(r => $"{r.Value} {r.Key}")));
    }

    /// <summary>
    /// Placement and reachability: <paramref name="programs"/> bundles are stored at random nodes and placed on the
    /// k nodes closest to their hashes; then, for every program at once, the node it was published at and half of
    /// its holders (rounded up) crash. Live nodes fetch each program by routing right after and again once the
    /// holders have re-created the lost copies.
    /// </summary>
    public static ReachabilityFigures Reachability(int nodes, int seed, int programs = 20, double loss = 0, int lookupsPerProgram = 10, ReplicationOptions? replication = null)
    {
        replication ??= new ReplicationOptions { RepairInterval = TimeSpan.FromSeconds(5), RetryInterval = TimeSpan.FromSeconds(1) };
        var simulation = Grow(new SimulationOptions { Seed = seed, LossRate = loss, Replication = replication }, nodes, TimeSpan.FromSeconds(10));
        var random = new Random(seed * 17 + 3);
        var publishers = new Dictionary<Hash256, SimulatedNode>();
        for (var i = 0; i < programs; i++)
        {
            var publisher = simulation.Nodes[random.Next(nodes)];
            var content = Encoding.UTF8.GetBytes($"bundle {i} of seed {seed}: " + new string('x', random.Next(10, 500)));
            publishers[simulation.Store(publisher, content)] = publisher;
        }
        simulation.RunFor(replication.RepairInterval * 3);
        var k = replication.Replicas;
        var placed = publishers.Keys.Count(p =>
            ReplicaStore.Closest(p, simulation.LiveNodes.Select(n => n.Peer), k).All(h => simulation.Nodes.First(n => n.Peer.Id == h.Id).Node.Replicas.Holds(p)));

        var crashed = new HashSet<SimulatedNode>();
        foreach (var (program, publisher) in publishers)
        {
            crashed.Add(publisher);
            var holders = simulation.LiveNodes.Where(n => n.Node.Replicas.Holds(program) && n != publisher).ToList();
            foreach (var holder in holders.Take((holders.Count + 1) / 2))
                crashed.Add(holder);
        }
        foreach (var node in crashed)
            simulation.Crash(node);

        var latencies = new List<double>();
        var (lookupsNow, foundNow) = Fetch(simulation, publishers.Keys, lookupsPerProgram, random, latencies);
        var crashAt = simulation.Now;
        double? repaired = null;
        while (simulation.Now - crashAt < TimeSpan.FromSeconds(120))
        {
            simulation.RunFor(TimeSpan.FromMilliseconds(500));
            if (publishers.Keys.All(p => simulation.LiveNodes.Count(n => n.Node.Replicas.Holds(p)) >= k))
            {
                repaired = (simulation.Now - crashAt).TotalSeconds;
                break;
            }
        }
        var restored = publishers.Keys.Count(p => simulation.LiveNodes.Count(n => n.Node.Replicas.Holds(p)) >= k);
        var (lookupsLater, foundLater) = Fetch(simulation, publishers.Keys, lookupsPerProgram, random, latencies);
        latencies.Sort();
        return new ReachabilityFigures(nodes, programs, placed, crashed.Count, lookupsNow, foundNow, lookupsLater, foundLater, restored, repaired, Percentile(latencies, 0.99));
    }

    /// <summary>Each program fetched by routing from random live nodes that do not hold it; the content must hash to the program.</summary>
    private static (int Lookups, int Found) Fetch(Simulation simulation, IEnumerable<Hash256> programs, int perProgram, Random random, List<double> latencies)
    {
        var pending = new Dictionary<(int Node, long Lookup), Hash256>();
        var found = 0;
        void OnEffect(SimulatedNode node, NodeEffect effect)
        {
            if (effect is ValueFound v && pending.Remove((node.Index, v.LookupId), out var key) && v.Value is { } value && Hash256.Of(value) == key)
            {
                found++;
                latencies.Add(v.Elapsed.TotalMilliseconds);
            }
            else if (effect is LookupFailed f)
            {
                pending.Remove((node.Index, f.LookupId));
            }
        }
        simulation.Observed += OnEffect;
        var live = simulation.LiveNodes.ToList();
        var lookups = 0;
        foreach (var program in programs)
        {
            for (var i = 0; i < perProgram; i++)
            {
                var node = live[random.Next(live.Count)];
                if (node.Node.Replicas.Holds(program))
                    continue;
                lookups++;
                pending[(node.Index, simulation.Find(node, program))] = program;
            }
        }
        simulation.RunFor(TimeSpan.FromSeconds(6));
        simulation.Observed -= OnEffect;
        return (lookups, found);
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
