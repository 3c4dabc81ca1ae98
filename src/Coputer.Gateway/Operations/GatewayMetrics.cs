using Coputer.Platform.Execution;
using Coputer.Platform.Runtime;
using Prometheus;

namespace Coputer.Gateway.Operations;

/// <summary>What a request was for, as the metrics and logs name it.</summary>
public enum RequestKind
{
    /// <summary>A program run (or its cached answer).</summary>
    Program,

    /// <summary>A file from a program's bundle.</summary>
    Asset,

    /// <summary>The home or a profile page.</summary>
    Page,

    /// <summary>The node's API: publish, program information, logs.</summary>
    Api,

    /// <summary>Health, metrics and development endpoints.</summary>
    Operations,

    /// <summary>Refused before anything ran: a foreign host, an unknown address, a bad request.</summary>
    Refused,
}

/// <summary>
/// The gateway's Prometheus metrics (prometheus-net), in a registry of its own so that several nodes in one
/// process (tests) count apart: requests by kind and status, latency histograms, runs by outcome, cache hits,
/// instructions, limit hits, and gauges of the run queue read when scraped.
/// </summary>
public sealed class GatewayMetrics
{
    private static readonly string[] s_kinds = Enum.GetNames<RequestKind>().Select(n => n.ToLowerInvariant()).ToArray();
    private readonly Counter _requests;
    private readonly Histogram.Child[] _latency;
    private readonly Counter.Child[] _runs;
    private readonly Counter _cacheHits;
    private readonly Counter _instructions;
    private readonly Histogram _runDuration;
    private readonly Counter _limitHits;
    private readonly Counter _publications;

    /// <summary>Metrics for a node whose execution service is <paramref name="execution"/>.</summary>
    public GatewayMetrics(ExecutionService execution)
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        _requests = f.CreateCounter("coputer_http_requests_total", "HTTP requests answered, by kind and status code.",
            new CounterConfiguration { LabelNames = ["kind", "code"] });
        var latency = f.CreateHistogram("coputer_http_request_duration_seconds", "Time to answer an HTTP request, by kind.",
            new HistogramConfiguration { LabelNames = ["kind"], Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        _latency = s_kinds.Select(k => latency.WithLabels(k)).ToArray();
        var runs = f.CreateCounter("coputer_runs_total", "Program requests by outcome (ok, program_error, limit_exceeded, not_found, overloaded, timeout, cancelled, internal_error, refused, quota_exceeded).",
            new CounterConfiguration { LabelNames = ["outcome"] });
        _runs = Enum.GetValues<RunStatus>().Select(s => runs.WithLabels(OutcomeName(s))).ToArray();
        _cacheHits = f.CreateCounter("coputer_run_cache_hits_total", "Program requests answered from the result cache.");
        _instructions = f.CreateCounter("coputer_run_instructions_total", "Instructions executed by program runs (cache hits run nothing).");
        _runDuration = f.CreateHistogram("coputer_run_duration_seconds", "Time a program run took (not counting cache hits).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        _limitHits = f.CreateCounter("coputer_run_limit_hits_total", "Runs stopped by a limit, by limit.", new CounterConfiguration { LabelNames = ["limit"] });
        _publications = f.CreateCounter("coputer_publications_total", "Publications received, by outcome.", new CounterConfiguration { LabelNames = ["outcome"] });
        var queued = f.CreateGauge("coputer_run_queue_length", "Runs waiting for a worker.");
        var running = f.CreateGauge("coputer_runs_in_progress", "Runs executing now.");
        var overloaded = f.CreateGauge("coputer_overloaded_requests", "Requests answered 'overloaded' since the node started.");
        var resultBytes = f.CreateGauge("coputer_result_cache_bytes", "Bytes of cached results on disk.");
        Registry.AddBeforeCollectCallback(() =>
        {
            var stats = execution.Stats;
            queued.Set(stats.Queued);
            running.Set(stats.Running);
            overloaded.Set(stats.Overloaded);
            resultBytes.Set(execution.Store.ResultBytes);
        });
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Counts an answered request.</summary>
    public void Request(RequestKind kind, int statusCode, TimeSpan elapsed)
    {
        RequestCounter(kind, statusCode).Inc();
        _latency[(int)kind].Observe(elapsed.TotalSeconds);
    }

    // The labelled counters by kind and status, looked up once each (WithLabels allocates and searches every call).
    private readonly Counter.Child?[,] _requestCounters = new Counter.Child?[s_kinds.Length, 600];

    private Counter.Child RequestCounter(RequestKind kind, int statusCode)
    {
        if (statusCode is < 0 or >= 600)
            return _requests.WithLabels(s_kinds[(int)kind], "other");
        // A race only makes two threads look the same child up; WithLabels returns the one child for equal labels.
        return _requestCounters[(int)kind, statusCode] ??= _requests.WithLabels(s_kinds[(int)kind], StatusLabel(statusCode));
    }

    /// <summary>Counts a program request's outcome.</summary>
    public void Run(RunResult result)
    {
        _runs[(int)result.Status].Inc();
        if (result.Info.Cached)
        {
            _cacheHits.Inc();
            return;
        }
        if (result.IsDeterministic && !result.Info.Shared)
        {
            _instructions.Inc(result.Info.Instructions);
            _runDuration.Observe(result.Info.Duration.TotalSeconds);
        }
        if (result.Limit is { } limit && !result.Info.Shared)
            _limitHits.WithLabels(limit.ToString().ToLowerInvariant()).Inc();
    }

    /// <summary>Counts a publication's outcome.</summary>
    public void Publication(string outcome) => _publications.WithLabels(outcome).Inc();

    private static readonly string[] s_statusLabels = Enumerable.Range(0, 600).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string StatusLabel(int code) => code is >= 0 and < 600 ? s_statusLabels[code] : "other";

    /// <summary>The snake-case name of a run outcome.</summary>
    public static string OutcomeName(RunStatus status) => status switch
    {
        RunStatus.Ok => "ok",
        RunStatus.ProgramError => "program_error",
        RunStatus.LimitExceeded => "limit_exceeded",
        RunStatus.NotFound => "not_found",
        RunStatus.Overloaded => "overloaded",
        RunStatus.Timeout => "timeout",
        RunStatus.Cancelled => "cancelled",
        RunStatus.Refused => "refused",
        RunStatus.QuotaExceeded => "quota_exceeded",
        _ => "internal_error",
    };
}
