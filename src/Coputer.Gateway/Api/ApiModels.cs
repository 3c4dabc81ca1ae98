namespace Coputer.Gateway.Api;

/// <summary>The answer to <c>POST /api/publish</c>.</summary>
/// <param name="Status"><c>published</c>, <c>already-published</c> or <c>refused</c>.</param>
/// <param name="Label">The program's address label, <c>{name}-{id}</c>.</param>
/// <param name="Program">The program hash (hex).</param>
/// <param name="Sequence">The record's sequence number.</param>
/// <param name="Url">Where the program is served.</param>
/// <param name="PreviewUrl">Where exactly this version is served, by its hash.</param>
/// <param name="Reason">For a refusal: why, as a word (<c>bad-signature</c>, <c>stale-sequence</c>, ...).</param>
/// <param name="Error">For a refusal: why, as a sentence.</param>
public sealed record PublishResponse(string Status, string? Label, string? Program, long? Sequence, string? Url, string? PreviewUrl, string? Reason, string? Error);

/// <summary>The answer to <c>GET /api/programs/{label}</c>: a program's current version and its history.</summary>
public sealed record ProgramInfo(string Label, string Name, string Publisher, string PublisherKey, long Sequence, string Program, string Url, IReadOnlyList<ProgramVersionInfo> Versions);

/// <summary>One published version of a program.</summary>
public sealed record ProgramVersionInfo(long Sequence, string Program, string PreviewUrl);

/// <summary>One entry of <c>GET /api/programs/{label}/runs</c>: a run of the program on this node.</summary>
public sealed record RunRecord(
    DateTimeOffset Time,
    string Request,
    string Outcome,
    int? StatusCode,
    double DurationMs,
    long Instructions,
    long PeakMemory,
    string Log,
    string? Error,
    string? Traceback,
    string? Limit,
    string Program);

/// <summary>An error answer from the node's API.</summary>
public sealed record ApiError(string Error);

/// <summary>The answer to <c>GET /health</c>.</summary>
public sealed record HealthReport(string Status, string Host, double UptimeSeconds, long Runs, long CacheHits, int Queued, int Running);
