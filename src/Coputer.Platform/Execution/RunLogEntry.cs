using Coputer.Platform.Runtime;

namespace Coputer.Platform.Execution;

/// <summary>One run in a program's recent-runs log: what was asked, how it ended, what it printed and cost.</summary>
public sealed record RunLogEntry
{
    /// <summary>When the run finished.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The request line, for example <c>GET /about?x=1</c>.</summary>
    public required string Request { get; init; }

    /// <summary>How the run ended.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>The response status code, for a run that answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The error, for a failed run.</summary>
    public string? Error { get; init; }

    /// <summary>The Luau traceback, for a program error.</summary>
    public string? Traceback { get; init; }

    /// <summary>Which limit the run hit, if any.</summary>
    public RunLimit? Limit { get; init; }

    /// <summary>The cost and the <c>print</c> output.</summary>
    public required RunInfo Info { get; init; }
}

/// <summary>A fixed-size ring of a program's most recent runs.</summary>
internal sealed class RunLogRing(int capacity)
{
    private readonly RunLogEntry?[] _entries = new RunLogEntry?[Math.Max(capacity, 1)];
    private int _next;
    private long _count;

    public void Add(RunLogEntry entry)
    {
        lock (_entries)
        {
            _entries[_next] = entry;
            _next = (_next + 1) % _entries.Length;
            _count++;
        }
    }

    /// <summary>Newest first.</summary>
    public RunLogEntry[] Snapshot()
    {
        lock (_entries)
        {
            int n = (int)Math.Min(_count, _entries.Length);
            var result = new RunLogEntry[n];
            for (int i = 0; i < n; i++)
                result[i] = _entries[(_next - 1 - i + _entries.Length) % _entries.Length]!;
            return result;
        }
    }
}
