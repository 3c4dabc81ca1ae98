using System.Collections.Concurrent;
using Coputer.Platform.Identity;

namespace Coputer.Platform.Policy;

/// <summary>
/// Per-publisher run allowances: a token bucket of <c>runsPerMinute</c> tokens for each publisher, refilled
/// continuously, so a burst up to a minute's allowance passes and a steady rate above it is refused. Thread-safe.
/// </summary>
public sealed class RunQuota
{
    private readonly ConcurrentDictionary<PublisherId, Bucket> _buckets = new();
    private readonly TimeProvider _time;
    private readonly double _perTick;
    private readonly double _capacity;

    /// <summary>A quota of <paramref name="runsPerMinute"/> runs per publisher (0 or less: no limit).</summary>
    public RunQuota(int runsPerMinute, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        RunsPerMinute = Math.Max(runsPerMinute, 0);
        _capacity = RunsPerMinute;
        _perTick = RunsPerMinute / 60.0 / _time.TimestampFrequency;
    }

    /// <summary>The allowance a minute (0: no limit).</summary>
    public int RunsPerMinute { get; }

    /// <summary>Takes one run from <paramref name="publisher"/>'s allowance; false when it is used up.</summary>
    public bool TryTake(PublisherId publisher)
    {
        if (RunsPerMinute == 0)
            return true;
        var bucket = _buckets.GetOrAdd(publisher, _ => new Bucket(_capacity, _time.GetTimestamp()));
        lock (bucket)
        {
            long now = _time.GetTimestamp();
            bucket.Tokens = Math.Min(_capacity, bucket.Tokens + (now - bucket.Stamp) * _perTick);
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
                return false;
            bucket.Tokens -= 1;
            return true;
        }
    }

    /// <summary>How long until <paramref name="publisher"/> has a run again (zero when it has one now).</summary>
    public TimeSpan RetryAfter(PublisherId publisher)
    {
        if (RunsPerMinute == 0 || !_buckets.TryGetValue(publisher, out var bucket))
            return TimeSpan.Zero;
        lock (bucket)
        {
            double tokens = Math.Min(_capacity, bucket.Tokens + (_time.GetTimestamp() - bucket.Stamp) * _perTick);
            return tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - tokens) * 60.0 / RunsPerMinute);
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens = tokens;
        public long Stamp = stamp;
    }
}
