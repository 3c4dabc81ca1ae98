using System.Text;
using Coputer.Network.Broadcast;
using Coputer.Network.Simulation;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Bench;

/// <summary>
/// The network's protocols in the deterministic simulator at a scale tests do not run: membership convergence and
/// healing, broadcast reach, latency and overhead, replica repair. All times are simulated, not measured.
/// </summary>
public static class NetworkSimulation
{
    public static int Run(string[] args)
    {
        var nodes = 1000;
        var seed = 1;
        string? only = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--nodes":
                    nodes = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    seed = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--only":
                    only = args[i + 1];
                    break;
                default:
                    Console.Error.WriteLine("usage: network [--nodes N] [--seed S] [--only membership|broadcast|replication|lookups|reachability|audits|hedging]");
                    return 2;
            }
        }
        bool Wanted(string name) => only is null || only == name;
        if (Wanted("membership"))
            Membership(nodes, seed);
        if (Wanted("broadcast"))
        {
            Broadcast(nodes, seed, loss: 0, crashed: 0);
            Broadcast(nodes, seed, loss: 0.1, crashed: 0.1);
        }
        if (Wanted("replication"))
            Replication(nodes, seed);
        if (Wanted("lookups"))
            Lookups(nodes, seed);
        if (Wanted("reachability"))
            Reachability(nodes, seed);
        if (Wanted("audits"))
            Audits(seed);
        if (Wanted("hedging"))
            Hedging(seed);
        return 0;
    }

    private static Simulation Grow(SimulationOptions options, int count)
    {
        var simulation = new Simulation(options);
        var bootstrap = simulation.AddNode(null);
        for (var i = 1; i < count; i++)
        {
            simulation.RunFor(TimeSpan.FromMilliseconds(20));
            simulation.AddNode(bootstrap);
        }
        return simulation;
    }

    private static void Membership(int count, int seed)
    {
        var simulation = Grow(new SimulationOptions { Seed = seed }, count);
        simulation.RunFor(TimeSpan.FromSeconds(30));
        var sentBefore = simulation.Stats.Sent;
        var bytesBefore = simulation.Stats.Bytes;
        simulation.RunFor(TimeSpan.FromSeconds(10));
        var active = simulation.LiveNodes.Select(n => n.Node.Membership.ActiveView.Count).ToList();
        var passive = simulation.LiveNodes.Select(n => n.Node.Membership.PassiveView.Count).ToList();
        Console.WriteLine($"membership: {count} nodes joined 20 ms apart through one bootstrap node, then 40 s");
        Console.WriteLine($"  components {simulation.ComponentCount()}, symmetric links {simulation.SymmetricLinkShare():P1}");
        Console.WriteLine($"  active view min {active.Min()} mean {active.Average():F2} max {active.Max()}; passive mean {passive.Average():F1}");
        Console.WriteLine($"  steady state: {(simulation.Stats.Sent - sentBefore) / 10.0 / count:F2} messages and {(simulation.Stats.Bytes - bytesBefore) / 10.0 / count:F0} bytes per node per second");

        var random = new Random(seed);
        foreach (var node in simulation.Nodes.OrderBy(_ => random.Next()).Take(count * 3 / 10).ToList())
            simulation.Crash(node);
        var crashAt = simulation.Now;
        TimeSpan? healed = null;
        while (simulation.Now - crashAt < TimeSpan.FromSeconds(60))
        {
            simulation.RunFor(TimeSpan.FromMilliseconds(250));
            var deadLinks = simulation.LiveNodes.Sum(n => n.Node.Membership.ActiveView.Count(p => !simulation.Nodes.First(x => x.Peer.Id == p.Id).Alive));
            if (simulation.IsConnected() && deadLinks == 0)
            {
                healed = simulation.Now - crashAt;
                break;
            }
        }
        active = simulation.LiveNodes.Select(n => n.Node.Membership.ActiveView.Count).ToList();
        Console.WriteLine($"  30% crash: connected with no dead neighbour after {(healed is { } h ? $"{h.TotalSeconds:F2} s" : "more than 60 s")}; active view mean {active.Average():F2}");
    }

    private static void Broadcast(int count, int seed, double loss, double crashed)
    {
        var publisher = Publisher.FromSeed(Hash256.Of("bench-publisher"u8).ToArray());
        var simulation = Grow(new SimulationOptions { Seed = seed + 1, LossRate = loss }, count);
        simulation.RunFor(TimeSpan.FromSeconds(20));
        var random = new Random(seed);
        foreach (var node in simulation.Nodes.OrderBy(_ => random.Next()).Take((int)(count * crashed)).ToList())
            simulation.Crash(node);
        var published = new Dictionary<Hash256, TimeSpan>();
        var latencies = new List<double>();
        simulation.Observed += (node, effect) =>
        {
            if (effect is Delivered d && published.TryGetValue(d.Id, out var at) && simulation.Now > at)
                latencies.Add((simulation.Now - at).TotalMilliseconds);
        };
        var live = simulation.LiveNodes.ToList();
        var gossip = new List<long>();
        long announcements = 0, grafts = 0;
        const int Records = 20;
        for (var i = 0; i < Records; i++)
        {
            var record = new PublicationRecord(publisher.Key, $"app{i}", Hash256.Of(Encoding.UTF8.GetBytes($"program {i}")), 1).Sign(publisher);
            var g = simulation.Stats.CountOf<Gossip>();
            var a = simulation.Stats.CountOf<IHave>();
            var r = simulation.Stats.CountOf<Graft>();
            published[Plumtree.IdOf(record.Encode())] = simulation.Now;
            simulation.Publish(live[random.Next(live.Count)], record);
            simulation.RunFor(TimeSpan.FromSeconds(3));
            gossip.Add(simulation.Stats.CountOf<Gossip>() - g);
            announcements += simulation.Stats.CountOf<IHave>() - a;
            grafts += simulation.Stats.CountOf<Graft>() - r;
        }
        var reached = simulation.LiveNodes.Count(n => n.Node.Records.Count == Records);
        latencies.Sort();
        var liveCount = simulation.LiveNodes.Count();
        Console.WriteLine($"broadcast: {count} nodes, {loss:P0} loss, {crashed:P0} crashed just before; {Records} records, 3 s apart");
        Console.WriteLine($"  {reached} of {liveCount} live nodes hold all {Records}; delivery latency p50 {Percentile(latencies, 0.5):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms, max {latencies[^1]:F0} ms");
        Console.WriteLine($"  full messages per record: first {gossip[0]}, mean of the last 10 {gossip.Skip(10).Average():F0} (a tree needs {liveCount - 1}); IHAVE messages {announcements / (double)Records:F0} per record, GRAFTs {grafts / (double)Records:F1} per record");
    }

    private static void Replication(int count, int seed)
    {
        var options = new SimulationOptions { Seed = seed + 2, Replication = new() { RepairInterval = TimeSpan.FromSeconds(5), RetryInterval = TimeSpan.FromSeconds(1) } };
        var simulation = Grow(options, count);
        simulation.RunFor(TimeSpan.FromSeconds(10));
        var random = new Random(seed);
        var programs = Enumerable.Range(0, 200).Select(i => simulation.Store(simulation.Nodes[random.Next(count)], Encoding.UTF8.GetBytes($"bundle {i}"))).ToList();
        simulation.RunFor(TimeSpan.FromSeconds(5));
        var sent = simulation.Stats.CountOf<Replicate>();
        foreach (var node in simulation.Nodes.OrderBy(_ => random.Next()).Take(count / 2).ToList())
            simulation.Crash(node);
        var k = options.Replication.Replicas;
        var crashAt = simulation.Now;
        var survivors = programs.Where(p => simulation.LiveNodes.Any(n => n.Node.Replicas.Holds(p))).ToList();
        var lost = programs.Count - survivors.Count;
        TimeSpan? repaired = null;
        while (simulation.Now - crashAt < TimeSpan.FromSeconds(60))
        {
            simulation.RunFor(TimeSpan.FromMilliseconds(250));
            if (survivors.All(p => simulation.LiveNodes.Count(n => n.Node.Replicas.Holds(p)) >= k))
            {
                repaired = simulation.Now - crashAt;
                break;
            }
        }
        Console.WriteLine($"replication: {count} nodes, 200 programs, k = {k}, half the nodes crash at once");
        var restored = survivors.Count(p => simulation.LiveNodes.Count(n => n.Node.Replicas.Holds(p)) >= k);
        Console.WriteLine($"  programs with no live copy left: {lost}; {restored} of the other {survivors.Count} back to {k} live holders after {(repaired is { } r ? $"{r.TotalSeconds:F2} s" : "60 s (not all)")}; {simulation.Stats.CountOf<Replicate>() - sent} copies sent for the repair");
    }

    private static void Lookups(int count, int seed)
    {
        var f = Scenarios.NameLookups(count, seed + 3, crashShare: 0.1, loss: 0.3);
        Console.WriteLine($"name lookups by Kademlia: {f.Nodes} nodes, {f.LossRate:P0} of messages lost throughout, {f.Crashed} crashed just before; {f.Lookups} lookups over 20 s");
        Console.WriteLine($"  {f.Succeeded} succeeded ({f.SuccessRate:P2}; target 99%); latency p50 {f.P50Milliseconds:F0} ms, p99 {f.P99Milliseconds:F0} ms (target 1,000 ms), max {f.MaxMilliseconds:F0} ms");
        Console.WriteLine($"  {f.QueriesPerLookup:F1} FIND_VALUE queries per lookup; routing table mean {f.MeanTableSize:F0} contacts; {f.MessagesPerNodePerSecond:F1} messages per node per second (all protocols){(f.Failures.Length > 0 ? "; failures: " + f.Failures : "")}");
    }

    private static void Reachability(int count, int seed)
    {
        var f = Scenarios.Reachability(count, seed + 4);
        Console.WriteLine($"placement and reachability: {f.Nodes} nodes, {f.Programs} programs on the 5 nodes closest to their hashes (repair check every 5 s)");
        Console.WriteLine($"  placed on exactly their 5 closest: {f.PlacedOnClosest} of {f.Programs}; then each program's publisher and 3 of its holders crash ({f.Crashed} nodes)");
        Console.WriteLine($"  fetched by routing right after: {f.FoundRightAfter} of {f.LookupsRightAfter}; back to 5 live holders: {f.RestoredToK} of {f.Programs} after {(f.RepairSeconds is { } r ? $"{r:F1} s" : "more than 120 s")}; fetched after repair: {f.FoundAfterRepair} of {f.LookupsAfterRepair}; fetch p99 {f.P99Milliseconds:F0} ms");
    }

    private static void Audits(int seed)
    {
        foreach (var fromStart in new[] { false, true })
        {
            int liars = 0, within = 0, excluded = 0, honestExcluded = 0, worst = 0;
            double extra = 0, steady = 0;
            const int Pools = 20;
            for (var pool = 0; pool < Pools; pool++)
            {
                var f = AuditScenario.Run(seed * 1000 + pool, lieFromTheStart: fromStart);
                liars += f.Liars;
                within += f.LiarsExcludedWithin90;
                excluded += f.LiarsExcluded;
                honestExcluded += f.HonestExcluded;
                worst = Math.Max(worst, f.MaxLiarAnswers);
                extra += f.ExtraRunShare / Pools;
                steady += f.HonestSteadyAuditShare / Pools;
            }
            Console.WriteLine($"audits: {Pools} pools of 100 runners with 10 colluding liars each, 40,000 requests per pool; liars lie {(fromStart ? "from their first answer" : "on every answer once trusted (10 confirmed)")}");
            Console.WriteLine($"  liars excluded within 90 of their answers: {within} of {liars} ({(double)within / liars:P1}; target 99%); excluded at all {excluded}; most answers before exclusion {worst}; honest runners excluded {honestExcluded}");
            Console.WriteLine($"  extra runs {extra:P2} of requests (target at most 10%); a trusted honest runner's answers audited {steady:P2}");
        }
    }

    private static void Hedging(int seed)
    {
        var f = HedgingScenario.Run(seed);
        Console.WriteLine("hedging: 100 runners, 5 of them 20 times slower, 20,000 forwarded runs of programs held by 5 random runners");
        Console.WriteLine($"  {f.Answered} answered, {f.Failed} failed; p50 {f.P50Milliseconds:F0} ms, p99.9 {f.P999Milliseconds:F0} ms ({f.TailRatio:F2}x p50; target 3x); {f.Hedges} hedges = {f.ExtraRequestShare:P2} extra requests (target 5%)");
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
