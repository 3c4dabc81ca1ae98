using Coputer.Network.Execution;
using Coputer.Platform;
using Coputer.Platform.Identity;

namespace Coputer.Network.Simulation;

/// <summary>What <see cref="HedgingScenario.Run"/> measured (simulated milliseconds).</summary>
public sealed record HedgingFigures(int Runs, int Answered, int Failed, double P50Milliseconds, double P999Milliseconds, long Hedges, double ExtraRequestShare)
{
    public double TailRatio => P50Milliseconds == 0 ? 0 : P999Milliseconds / P50Milliseconds;
}

/// <summary>
/// Forwarded runs through the <see cref="RunScheduler"/> against a pool of runners of which a share is slow:
/// each run is of a program held by five random runners; normal runners answer in 40 to 60 ms, slow ones in
/// 1,000 to 1,020 ms (about 20 times the median); time advances in 5 ms steps.
/// </summary>
public static class HedgingScenario
{
    public static HedgingFigures Run(int seed, int runners = 100, double slowShare = 0.05, int runs = 20_000)
    {
        var random = new Random(seed);
        var program = Hash256.Of("hedged program"u8);
        var input = Hash256.Of("hedged input"u8);
        var identities = Enumerable.Range(0, runners)
            .Select(i => new NodeIdentity(Publisher.FromSeed(Hash256.Of(BitConverter.GetBytes(seed * 7_919L + i)).ToArray())))
            .ToList();
        var receipts = identities.ToDictionary(r => r.Id, r => RunReceipt.Sign(r, "coputer-sim", program, input, input, 100));
        var slow = identities.Take((int)(runners * slowShare)).Select(r => r.Id).ToHashSet();
        var scheduler = new RunScheduler(new RunOptions());
        var events = new PriorityQueue<(long Request, NodeId Runner), TimeSpan>();
        var latencies = new List<double>();
        var now = TimeSpan.Zero;
        var failed = 0;

        void Apply(IReadOnlyList<NodeEffect> effects)
        {
            foreach (var effect in effects)
            {
                switch (effect)
                {
                    case ForwardRun run:
                        var ms = (slow.Contains(run.Runner) ? 1000 : 40) + random.NextDouble() * 20;
                        events.Enqueue((run.RequestId, run.Runner), now + TimeSpan.FromMilliseconds(ms));
                        break;
                    case RunCompleted done:
                        latencies.Add(done.Latency.TotalMilliseconds);
                        break;
                    case RunFailed:
                        failed++;
                        break;
                }
            }
        }

        var tick = TimeSpan.FromMilliseconds(5);
        for (var i = 0; i < runs || scheduler.Outstanding > 0; i++)
        {
            now += tick;
            while (events.TryPeek(out var e, out var at) && at <= now)
            {
                events.Dequeue();
                Apply(scheduler.Answer(e.Request, receipts[e.Runner], at));
            }
            if (i < runs)
            {
                var holders = new HashSet<NodeId>();
                while (holders.Count < 5)
                    holders.Add(identities[random.Next(identities.Count)].Id);
                Apply(scheduler.Submit(program, input, [.. holders], now).Effects);
            }
            Apply(scheduler.Tick(now));
        }
        foreach (var identity in identities)
            identity.Dispose();
        latencies.Sort();
        return new HedgingFigures(
            runs, latencies.Count, failed, latencies[latencies.Count / 2], latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.999))],
            scheduler.Hedges, (double)scheduler.Hedges / scheduler.Requests);
    }
}
