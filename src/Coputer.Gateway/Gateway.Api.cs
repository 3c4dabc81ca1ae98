using System.Buffers.Text;
using System.Text.Json;
using Coputer.Gateway.Api;
using Coputer.Gateway.Pages;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Coputer.Gateway;

/// <summary>The node's API: publishing, program information, logs, health and metrics.</summary>
public sealed partial class Gateway
{
    /// <summary>The header that carries the signed record of a publication (base64url of its wire form).</summary>
    public const string RecordHeader = "coputer-record";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>The JSON settings of the API (camelCase names), for clients.</summary>
    public static JsonSerializerOptions JsonOptions => s_json;

    private async Task PublishAsync(HttpContext context, string id)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await WriteJsonAsync(context, 405, new ApiError("publish with POST"));
            return;
        }
        if (!_options.AllowPublish)
        {
            Metrics.Publication("disabled");
            await WriteJsonAsync(context, 403, new ApiError("this node does not accept publications"));
            return;
        }
        byte[] record;
        try
        {
            record = Base64Url.DecodeFromChars(request.Headers[RecordHeader].ToString());
        }
        catch (FormatException)
        {
            record = [];
        }
        if (record.Length == 0)
        {
            Metrics.Publication("malformed");
            await WriteJsonAsync(context, 400, new ApiError($"the signed record goes in the {RecordHeader} header, base64url-encoded"));
            return;
        }
        long max = _execution.Store.BundleLimits.MaxBundleBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = max;
        if (request.ContentLength > max)
            throw new BadHttpRequestException("bundle too large", 413);
        var bundle = await ReadBodyAsync(request, max, context.RequestAborted);

        // The store verifies the record's signature, sequence and bundle before it stores anything.
        var result = _execution.Publish(record, bundle.Span);
        var links = LinksFor(context);
        string outcome = result.Status switch
        {
            PublishStatus.Published => "published",
            PublishStatus.AlreadyPublished => "already-published",
            _ => "refused",
        };
        Metrics.Publication(result.Succeeded ? outcome : Kebab(result.Reason));
        if (!result.Succeeded)
        {
            int status = result.Reason switch
            {
                PublishRefusal.BadSignature or PublishRefusal.Denied => 403,
                PublishRefusal.QuotaExceeded => 413,
                PublishRefusal.StaleSequence => 409,
                PublishRefusal.BundleMismatch or PublishRefusal.MissingBundle => 422,
                _ => 400,
            };
            LogPublication(_log, id, "refused", result.Message);
            await WriteJsonAsync(context, status, new PublishResponse(outcome, null, null, null, null, null, Kebab(result.Reason), result.Message));
            return;
        }
        long? sequence = ProgramLabel.TryParse(result.Label, out var label) ? _execution.Resolve(ProgramRef.ByName(label.Publisher, label.Name))?.Version?.Sequence : null;
        LogPublication(_log, id, outcome, $"{result.Label} -> {result.Program}");
        await WriteJsonAsync(context, result.Status == PublishStatus.Published ? 201 : 200,
            new PublishResponse(outcome, result.Label, result.Program.ToString(), sequence, links.Program(result.Label!), links.Preview(result.Program), null, null));
    }

    private async Task ProgramApiAsync(HttpContext context, string id, string rest)
    {
        bool runs = rest.EndsWith("/runs", StringComparison.Ordinal);
        string labelText = runs ? rest[..^"/runs".Length] : rest;
        if (!IsGetOrHead(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await WriteJsonAsync(context, 405, new ApiError("this address answers GET only"));
            return;
        }
        if (!ProgramLabel.TryParse(labelText, out var label))
        {
            await WriteJsonAsync(context, 400, new ApiError("a program is named {name}-{publisher id}"));
            return;
        }
        var versions = _execution.ListVersions(label.Publisher, label.Name);
        if (versions.Count == 0 || _execution.Store.FindPublisher(label.Publisher) is not { } owner)
        {
            await WriteJsonAsync(context, 404, new ApiError($"no program {label} on this node"));
            return;
        }
        var links = LinksFor(context);
        if (!runs)
        {
            var current = _execution.Resolve(ProgramRef.ByName(label.Publisher, label.Name))?.Version ?? versions[0];
            await WriteJsonAsync(context, 200, new ProgramInfo(label.ToString(), label.Name, label.Publisher.ToString(), owner.ToString(), current.Sequence,
                current.Program.ToString(), links.Program(label.ToString()),
                versions.Select(v => new ProgramVersionInfo(v.Sequence, v.Program.ToString(), links.Preview(v.Program))).ToList()));
            return;
        }

        // A program's runs show its requests and what it printed: only its publisher may read them.
        if (SignedRequest.Verify(context.Request.Headers.Authorization, label.ToString(), owner, Time.GetUtcNow(), _options.SignedRequestWindow) is { } refusal)
        {
            context.Response.Headers.WWWAuthenticate = SignedRequest.Scheme;
            await WriteJsonAsync(context, 401, new ApiError(refusal));
            return;
        }
        DateTimeOffset? since = long.TryParse(context.Request.Query["since"], out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, 0, 253402300799999)) : null;
        var entries = new List<RunRecord>();
        foreach (var version in versions.Take(8))
        {
            foreach (var run in _execution.RecentRuns(version.Program))
            {
                if (since is null || run.Time > since)
                    entries.Add(ToRecord(run));
            }
        }
        entries.Sort((a, b) => b.Time.CompareTo(a.Time));
        await WriteJsonAsync(context, 200, entries.Take(200).ToList());
    }

    /// <summary>
    /// <c>GET /api/bundles/{hash}</c>: a bundle's bytes, as stored (the client checks them against the hash), from this
    /// node's store or, in a network, fetched by hash from the nodes that hold it. Local commands use it to get a
    /// program's pinned dependencies.
    /// </summary>
    private async Task BundleApiAsync(HttpContext context, string hashText)
    {
        if (!IsGetOrHead(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await WriteJsonAsync(context, 405, new ApiError("this address answers GET only"));
            return;
        }
        if (!Hash256.TryParse(hashText, out var hash))
        {
            await WriteJsonAsync(context, 400, new ApiError("a bundle is named by its hash: 64 lowercase hex digits"));
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(_options.BundleFetchDeadline);
        byte[]? bytes;
        try
        {
            bytes = await _execution.GetBundleAsync(hash, deadline.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            bytes = null;
        }
        if (bytes is null)
        {
            await WriteJsonAsync(context, 404, new ApiError($"no bundle {hash} on this node or, if it is in a network, on the nodes it asked"));
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.Headers.ContentType = "application/octet-stream";
        // Content-addressed: the bytes under this name never change.
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static RunRecord ToRecord(RunLogEntry run) => new(run.Time, run.Request, Operations.GatewayMetrics.OutcomeName(run.Status), run.StatusCode,
        run.Info.Duration.TotalMilliseconds, run.Info.Instructions, run.Info.PeakMemory, run.Info.Log, run.Error, run.Traceback,
        run.Limit?.ToString(), run.Info.Program.ToString());

    private Task HealthAsync(HttpContext context)
    {
        var stats = _execution.Stats;
        return WriteJsonAsync(context, 200, new HealthReport("ok", _options.Host, Math.Round(Uptime.TotalSeconds, 1), stats.Runs, stats.CacheHits, stats.Queued, stats.Running));
    }

    private async Task MetricsAsync(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.Headers.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await Metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, s_json);
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static string Kebab(PublishRefusal reason) => reason switch
    {
        PublishRefusal.MalformedRecord => "malformed-record",
        PublishRefusal.BadSignature => "bad-signature",
        PublishRefusal.StaleSequence => "stale-sequence",
        PublishRefusal.BadBundle => "bad-bundle",
        PublishRefusal.BundleMismatch => "bundle-mismatch",
        PublishRefusal.MissingBundle => "missing-bundle",
        PublishRefusal.Denied => "denied",
        PublishRefusal.QuotaExceeded => "quota-exceeded",
        _ => "none",
    };

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 4, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "{RequestId} publication {Outcome}: {Detail}")]
    private static partial void LogPublication(Microsoft.Extensions.Logging.ILogger logger, string requestId, string outcome, string detail);
}
