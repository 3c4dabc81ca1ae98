using System.Diagnostics;

namespace Coputer.Platform.Execution;

/// <summary>
/// Decides when a result-cache hit should also mark the stored result as used. The store's least-recently-used
/// order only needs to be roughly right, and a hot page hit thousands of times a second would otherwise queue a
/// database update for every hit. One slot per key hash (a direct-mapped table), so memory stays fixed whatever
/// the number of keys; a collision only costs an extra touch.
/// </summary>
internal sealed class TouchThrottle<TKey>(int slots, TimeSpan interval)
    where TKey : notnull
{
    private sealed record Entry(TKey Key, long Timestamp);

    private readonly Entry?[] _slots = new Entry?[RoundUpToPowerOfTwo(slots)];
    private readonly long _interval = (long)(interval.TotalSeconds * Stopwatch.Frequency);

    /// <summary>True when <paramref name="key"/> was not touched within the interval (and records this touch).</summary>
    public bool Due(TKey key) => Due(key, Stopwatch.GetTimestamp());

    internal bool Due(TKey key, long now)
    {
        int i = key.GetHashCode() & (_slots.Length - 1);
        var entry = Volatile.Read(ref _slots[i]);
        if (entry is not null && now - entry.Timestamp < _interval && EqualityComparer<TKey>.Default.Equals(entry.Key, key))
            return false;
        // Racing hits may both see the touch as due: one extra update, which is harmless.
        Volatile.Write(ref _slots[i], new Entry(key, now));
        return true;
    }

    private static int RoundUpToPowerOfTwo(int n) => n <= 1 ? 1 : 1 << (32 - int.LeadingZeroCount(n - 1));
}
