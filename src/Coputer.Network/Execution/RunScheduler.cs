using Coputer.Platform;

namespace Coputer.Network.Execution;

/// <summary>Parameters of forwarded runs.</summary>
public sealed record RunOptions
{
    /// <summary>Every forwarded run is answered or fails within this time.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The hedge delay until enough latencies have been seen.</summary>
    public TimeSpan InitialHedgeDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The share of observed run latencies the hedge delay sits at (Dean and Barroso: the 95th percentile).</summary>
    public double HedgeQuantile { get; init; } = 0.95;

    /// <summary>How many recent latencies the quantile is taken over.</summary>
    public int LatencyWindow { get; init; } = 512;

    /// <summary>Latencies needed before the observed quantile replaces the initial delay.</summary>
    public int MinimumSamples { get; init; } = 20;
}

/// <summary>Ask <paramref name="Runner"/> to run a program on an input, for request <paramref name="RequestId"/>.</summary>
public sealed record ForwardRun(NodeId Runner, long RequestId, Hash256 Program, Hash256 Input) : NodeEffect;

/// <summary>A forwarded run was answered with a valid receipt.</summary>
public sealed record RunCompleted(long RequestId, RunReceipt Receipt, bool Hedged, TimeSpan Latency) : NodeEffect;

/// <summary>A forwarded run could not be answered within its deadline, or had no runner left.</summary>
public sealed record RunFailed(long RequestId, string Reason) : NodeEffect;

/// <summary>
/// Forwarded runs with a deadline and at most one hedged backup, as a pure state machine. A request goes to its
/// first runner; if no answer comes within the hedge delay (the observed 95th percentile of run latency), or the
/// first runner fails, it goes to the second as well, and the first valid answer wins. Runners are ordered by
/// their observed latency (a moving average), so a slow runner stops being asked first. Nothing waits past the
/// deadline: the request then fails. An answer counts only if its receipt verifies (decoding checks the
/// signature), names the program and input asked for, and comes from a runner that was asked.
/// </summary>
public sealed class RunScheduler
{
    private readonly RunOptions _options;
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly Queue<double> _latencies = new();
    private readonly Dictionary<NodeId, double> _runnerLatency = [];
    private long _nextId = 1;

    public RunScheduler(RunOptions options)
    {
        _options = options;
    }

    public long Requests { get; private set; }

    public long Hedges { get; private set; }

    public long Failures { get; private set; }

    /// <summary>Requests neither answered nor failed yet.</summary>
    public int Outstanding => _pending.Count;

    /// <summary>The current hedge delay.</summary>
    public TimeSpan HedgeDelay
    {
        get
        {
            if (_latencies.Count < _options.MinimumSamples)
                return _options.InitialHedgeDelay;
            var sorted = _latencies.Order().ToArray();
            return TimeSpan.FromMilliseconds(sorted[Math.Min(sorted.Length - 1, (int)(_options.HedgeQuantile * sorted.Length))]);
        }
    }

    /// <summary>Starts a run on the first of <paramref name="runners"/>; the second, if any, is the hedge.</summary>
    public (long RequestId, IReadOnlyList<NodeEffect> Effects) Submit(Hash256 program, Hash256 input, IReadOnlyList<NodeId> runners, TimeSpan now)
    {
        var id = _nextId++;
        Requests++;
        if (runners.Count == 0)
        {
            Failures++;
            return (id, [new RunFailed(id, "no runner holds the program")]);
        }
        // The runner seen to be fastest goes first (an unknown runner counts as fast, so it gets tried); the next is the hedge.
        var chosen = runners.Distinct().OrderBy(r => _runnerLatency.GetValueOrDefault(r)).Take(2).ToArray();
        var pending = new Pending(program, input, chosen, now, now + HedgeDelay, now + _options.Deadline);
        _pending[id] = pending;
        pending.Asked.Add(chosen[0]);
        return (id, [new ForwardRun(chosen[0], id, program, input)]);
    }

    /// <summary>An answer arrived. Answers that do not match the request, or come too late, are ignored.</summary>
    public IReadOnlyList<NodeEffect> Answer(long requestId, RunReceipt receipt, TimeSpan now)
    {
        if (!_pending.TryGetValue(requestId, out var pending))
            return [];
        // A zero program is a run by name: the runner resolves it, and the caller checks the signed record it sends.
        if (!pending.Asked.Contains(receipt.Runner) || (!pending.Program.IsZero && receipt.Program != pending.Program) || receipt.Input != pending.Input)
            return [];
        _pending.Remove(requestId);
        var sentAt = receipt.Runner == pending.Runners[0] ? pending.Started : pending.HedgeAt;
        Sample(receipt.Runner, (now - sentAt).TotalMilliseconds);
        if (receipt.Runner != pending.Runners[0])
            Sample(pending.Runners[0], (now - pending.Started).TotalMilliseconds, window: false); // at least this slow
        return [new RunCompleted(requestId, receipt, pending.Asked.Count > 1, now - pending.Started)];
    }

    /// <summary>A runner reported failure or could not be reached: hedge at once if that has not happened yet.</summary>
    public IReadOnlyList<NodeEffect> RunnerFailed(long requestId, NodeId runner, TimeSpan now)
    {
        if (!_pending.TryGetValue(requestId, out var pending) || !pending.Asked.Contains(runner))
            return [];
        pending.Failed.Add(runner);
        Sample(runner, _options.Deadline.TotalMilliseconds, window: false);
        if (pending.Asked.Count == 1 && pending.Runners.Length > 1)
            return [Hedge(requestId, pending, now)];
        if (pending.Failed.Count == pending.Asked.Count)
        {
            _pending.Remove(requestId);
            Failures++;
            return [new RunFailed(requestId, "every runner asked failed")];
        }
        return [];
    }

    /// <summary>Sends hedges that are due and fails requests past their deadline.</summary>
    public IReadOnlyList<NodeEffect> Tick(TimeSpan now)
    {
        List<NodeEffect>? effects = null;
        foreach (var (id, pending) in _pending.ToArray())
        {
            if (now >= pending.Deadline)
            {
                _pending.Remove(id);
                Failures++;
                (effects ??= []).Add(new RunFailed(id, "no answer within the deadline"));
            }
            else if (now >= pending.HedgeAt && pending.Asked.Count == 1 && pending.Runners.Length > 1)
            {
                (effects ??= []).Add(Hedge(id, pending, now));
            }
        }
        return effects ?? (IReadOnlyList<NodeEffect>)[];
    }

    private ForwardRun Hedge(long id, Pending pending, TimeSpan now)
    {
        Hedges++;
        pending.HedgeAt = now;
        pending.Asked.Add(pending.Runners[1]);
        return new ForwardRun(pending.Runners[1], id, pending.Program, pending.Input);
    }

    /// <summary>Records a latency: per runner as a moving average, and in the window the hedge delay is taken from.</summary>
    private void Sample(NodeId runner, double milliseconds, bool window = true)
    {
        _runnerLatency[runner] = _runnerLatency.TryGetValue(runner, out var old) ? 0.8 * old + 0.2 * milliseconds : milliseconds;
        if (!window)
            return;
        _latencies.Enqueue(milliseconds);
        while (_latencies.Count > _options.LatencyWindow)
            _latencies.Dequeue();
    }

    private sealed class Pending(Hash256 program, Hash256 input, NodeId[] runners, TimeSpan started, TimeSpan hedgeAt, TimeSpan deadline)
    {
        public Hash256 Program { get; } = program;

        public Hash256 Input { get; } = input;

        public NodeId[] Runners { get; } = runners;

        public TimeSpan Started { get; } = started;

        public TimeSpan HedgeAt { get; set; } = hedgeAt;

        public TimeSpan Deadline { get; } = deadline;

        public HashSet<NodeId> Asked { get; } = [];

        public HashSet<NodeId> Failed { get; } = [];
    }
}
