using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coputer.Gateway.Development;
using Coputer.Gateway.Operations;
using Coputer.Gateway.Pages;
using Coputer.Gateway.Routing;
using Coputer.Gateway.Serving;
using Coputer.Platform.Execution;
using Coputer.Platform.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Coputer.Gateway;

/// <summary>One program request the gateway answered, for the development console.</summary>
public sealed record ProgramRequestLog(string RequestId, string Method, string Target, RunResult Result, int StatusCode, TimeSpan Elapsed);

/// <summary>
/// The gateway: one request handler for everything a node serves over HTTP. It routes by exact host name
/// (<see cref="HostRouter"/>), serves programs through the execution service with their headers checked, an ETag,
/// <c>304</c>, <c>HEAD</c> and compression, serves bundle assets, and answers the node's own pages and API.
/// Errors never show the node's internals; in development mode a program's error is shown with its source.
/// </summary>
public sealed partial class Gateway
{
    /// <summary>Where the node's own endpoints live on every host in development mode (and on the home host always).</summary>
    public const string ReservedPrefix = "/_coputer";

    private readonly ExecutionService _execution;
    private readonly GatewayOptions _options;
    private readonly ILogger _log;
    private readonly RunOptions _runOptions;
    private readonly string _requestIdPrefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _requestCounter;

    /// <summary>A gateway over <paramref name="execution"/>.</summary>
    public Gateway(ExecutionService execution, GatewayOptions options, ILoggerFactory loggers, DevelopmentHub? development = null, TimeProvider? time = null)
    {
        _execution = execution;
        _options = options;
        _log = loggers.CreateLogger("Coputer.Gateway");
        Development = development ?? (options.Development ? new DevelopmentHub() : null);
        Time = time ?? TimeProvider.System;
        Metrics = new GatewayMetrics(execution);
        _runOptions = new RunOptions { Deadline = options.RequestDeadline, UseCache = options.UseResultCache };
    }

    /// <summary>The gateway's metrics.</summary>
    public GatewayMetrics Metrics { get; }

    /// <summary>The options it serves with.</summary>
    public GatewayOptions Options => _options;

    /// <summary>Development mode's reload and build-error state (null on a node).</summary>
    public DevelopmentHub? Development { get; }

    /// <summary>The clock signed requests are checked against.</summary>
    public TimeProvider Time { get; }

    /// <summary>Fires after each program request (for the development console).</summary>
    public event Action<ProgramRequestLog>? ProgramServed;

    /// <summary>Stops long-lived responses (the development event stream) when the node shuts down.</summary>
    public CancellationToken Stopping { get; set; }

    /// <summary>Reports the node's place in the network for <c>/network</c>; null while the node runs alone.</summary>
    public Func<NetworkStatus>? Network { get; set; }

    private TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    /// <summary>Answers one request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        string id = _requestIdPrefix + "-" + Interlocked.Increment(ref _requestCounter).ToString("x", CultureInfo.InvariantCulture);
        context.Response.Headers["x-request-id"] = id;
        var kind = RequestKind.Refused;
        try
        {
            kind = await DispatchAsync(context, id);
        }
        catch (BadHttpRequestException e)
        {
            // A body over the limit, a body too slow, a malformed request: Kestrel knows the status.
            if (!context.Response.HasStarted)
                await WriteErrorAsync(context, id, e.StatusCode, e.StatusCode == 413 ? "Request too large" : "Bad request",
                    e.StatusCode == 413 ? $"The request body is larger than this node accepts ({_options.MaxRequestBodyBytes} bytes)." : "The request could not be read.");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; there is no one to answer.
        }
        catch (Exception e)
        {
            LogFailure(_log, id, e);
            if (!context.Response.HasStarted)
            {
                context.Response.Headers.Clear();
                context.Response.Headers["x-request-id"] = id;
                await WriteErrorAsync(context, id, 500, "Something went wrong", "The node could not answer this request. Its operator can find out why in the node's log.");
            }
            else
            {
                context.Abort();
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(start);
        int status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
        Metrics.Request(kind, status, elapsed);
        if (_log.IsEnabled(LogLevel.Information))
            LogRequest(_log, id, context.Request.Method, context.Request.Host.Value ?? "", context.Request.Path.Value ?? "", status, kind, elapsed.TotalMilliseconds);
    }

    private Task<RequestKind> DispatchAsync(HttpContext context, string id)
    {
        string path = context.Request.Path.Value ?? "/";
        var route = HostRouter.Route(context.Request.Headers.Host.ToString(), _options.Host);
        switch (route.Kind)
        {
            case HostKind.Program:
                if (Development is not null && path.StartsWith(ReservedPrefix + "/", StringComparison.Ordinal))
                    return NodeEndpointAsync(context, id, path[ReservedPrefix.Length..]);
                return ServeProgramAsync(context, id, route.Program, null, path);
            case HostKind.Profile:
                return ProfileAsync(context, id, route.Publisher);
            case HostKind.Home:
                if (path.StartsWith(ReservedPrefix + "/", StringComparison.Ordinal))
                    return NodeEndpointAsync(context, id, path[ReservedPrefix.Length..]);
                if (_options.RootProgram is { } root)
                    return ServeProgramAsync(context, id, root, null, path);
                return NodeEndpointAsync(context, id, path);
            case HostKind.Unknown:
                return Refuse(context, id, 404, "No program here", "Nothing lives at this address. Program addresses look like {name}-{publisher}." + _options.Host + ".");
            default:
                return Refuse(context, id, 421, "Not served here", $"This gateway serves {_options.Host} and the programs under it, not this host.");
        }
    }

    private async Task<RequestKind> Refuse(HttpContext context, string id, int status, string title, string message)
    {
        await WriteErrorAsync(context, id, status, title, message);
        return RequestKind.Refused;
    }

    private async Task<RequestKind> NodeEndpointAsync(HttpContext context, string id, string path)
    {
        switch (path)
        {
            case "/":
                if (!IsGetOrHead(context.Request.Method))
                    return await MethodNotAllowed(context, id, "GET, HEAD");
                await HomeAsync(context);
                return RequestKind.Page;
            case "/network":
                if (!IsGetOrHead(context.Request.Method))
                    return await MethodNotAllowed(context, id, "GET, HEAD");
                await NetworkPageAsync(context);
                return RequestKind.Page;
            case "/health":
                await HealthAsync(context);
                return RequestKind.Operations;
            case "/metrics":
                await MetricsAsync(context);
                return RequestKind.Operations;
            case "/events" when Development is not null:
                await Development.ServeEventsAsync(context, Stopping);
                return RequestKind.Operations;
            case "/api/publish":
                await PublishAsync(context, id);
                return RequestKind.Api;
        }
        if (path.StartsWith("/api/bundles/", StringComparison.Ordinal))
        {
            await BundleApiAsync(context, path["/api/bundles/".Length..]);
            return RequestKind.Api;
        }
        if (path.StartsWith("/api/programs/", StringComparison.Ordinal))
        {
            await ProgramApiAsync(context, id, path["/api/programs/".Length..]);
            return RequestKind.Api;
        }
        if (path.StartsWith(PathRoute.Start, StringComparison.Ordinal))
        {
            if (!PathRoute.TryParse(path, out var route))
                return await Refuse(context, id, 404, "No program here", "Nothing lives at this address. Paths to programs look like /p/{publisher}/{name}/.");
            if (route.NeedsSlash)
            {
                // Relative links in the program's pages only work below a trailing slash.
                context.Response.StatusCode = 308;
                context.Response.Headers.Location = route.Prefix + "/" + context.Request.QueryString.Value;
                return RequestKind.Refused;
            }
            if (route.Kind == HostKind.Profile)
                return await ProfileAsync(context, id, route.Publisher);
            return await ServeProgramAsync(context, id, route.Program, route.Prefix, route.Rest);
        }
        return await Refuse(context, id, 404, "Not found", "This node has no page at this address.");
    }

    private async Task<RequestKind> MethodNotAllowed(HttpContext context, string id, string allow)
    {
        context.Response.Headers.Allow = allow;
        await WriteErrorAsync(context, id, 405, "Method not allowed", $"This address answers {allow} only.");
        return RequestKind.Refused;
    }

    private static bool IsGetOrHead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method);

    // ---- programs ----

    private async Task<RequestKind> ServeProgramAsync(HttpContext context, string id, ProgramRef target, string? prefix, string path)
    {
        var request = context.Request;
        string method = request.Method;
        bool head = HttpMethods.IsHead(method);
        if (Development?.Failure is { } buildFailure)
        {
            await WriteBuildFailureAsync(context, id, buildFailure);
            return RequestKind.Program;
        }
        if ((head || HttpMethods.IsGet(method)) && path.StartsWith("/public/", StringComparison.Ordinal) && _execution.GetFile(target, path[1..]) is { } file)
        {
            await ServeAssetAsync(context, file, target.IsHash, head);
            return RequestKind.Asset;
        }

        ReadOnlyMemory<byte> body = default;
        if (request.ContentLength > _options.MaxRequestBodyBytes)
            throw new BadHttpRequestException("request body too large", 413);
        if (request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0))
            body = await ReadBodyAsync(request, _options.MaxRequestBodyBytes, context.RequestAborted);

        string target2 = ProgramTarget(context, prefix, path);
        var webRequest = WebRequest.Create(head ? "GET" : method, target2, ProgramHeaders(request.Headers, prefix), body);
        long start = Stopwatch.GetTimestamp();
        var result = await _execution.RunAsync(target, webRequest, _runOptions, context.RequestAborted);
        Metrics.Run(result);

        int status = await WriteResultAsync(context, id, target, webRequest, result, head);
        ProgramServed?.Invoke(new ProgramRequestLog(id, method, target2, result, status, Stopwatch.GetElapsedTime(start)));
        return RequestKind.Program;
    }

    /// <summary>The request target the program sees: as the client sent it, less the path form's prefix.</summary>
    private static string ProgramTarget(HttpContext context, string? prefix, string path)
    {
        string raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (path + context.Request.QueryString.Value);
        if (prefix is null)
            return raw;
        return raw.StartsWith(prefix, StringComparison.Ordinal) ? raw[prefix.Length..] : path + context.Request.QueryString.Value;
    }

    /// <summary>The request's headers as a program sees them: without <c>Host</c> and the connection's own headers.</summary>
    private static List<KeyValuePair<string, string>> ProgramHeaders(IHeaderDictionary headers, string? prefix)
    {
        var list = new List<KeyValuePair<string, string>>(headers.Count + 1);
        foreach (var (name, values) in headers)
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase) || (ResponseHeaders.IsDropped(name) && !name.Equals("content-length", StringComparison.OrdinalIgnoreCase)))
                continue;
            foreach (var value in values)
                list.Add(new(name, value ?? ""));
        }
        if (prefix is not null)
            list.Add(new("x-forwarded-prefix", prefix));
        return list;
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, long max, CancellationToken cancellation)
    {
        var buffer = new MemoryStream(request.ContentLength is long n ? (int)n : 4096);
        var chunk = new byte[16 << 10];
        while (true)
        {
            int read = await request.Body.ReadAsync(chunk, cancellation);
            if (read == 0)
                break;
            if (buffer.Length + read > max)
                throw new BadHttpRequestException("request body too large", 413);
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Writes a run's outcome; returns the status code sent.</summary>
    private async Task<int> WriteResultAsync(HttpContext context, string id, ProgramRef target, WebRequest request, RunResult result, bool head)
    {
        switch (result.Status)
        {
            case RunStatus.Ok:
                // Only a cached result comes back as the same response object, so only its prepared form is kept
                // with it; a fresh run's response is prepared once and dropped with the request.
                var prepared = Development is not null ? PrepareForDevelopment(result.Response!, request.Method)
                    : result.Info.Cached ? PreparedResponse.For(result.Response!, _options.MinCompressBytes)
                    : PreparedResponse.Create(result.Response!.StatusCode, result.Response.Headers, result.Response.Body, _options.MinCompressBytes);
                if (prepared.Error is not null)
                    return await WriteProgramFailureAsync(context, id, target, request, result, "The program's response is not valid HTTP", prepared.Error);
                await WritePreparedAsync(context, prepared, head);
                return prepared.StatusCode;
            case RunStatus.ProgramError:
                return await WriteProgramFailureAsync(context, id, target, request, result, "The program failed", result.Error ?? "");
            case RunStatus.LimitExceeded:
                return await WriteProgramFailureAsync(context, id, target, request, result, "The program hit a limit", result.Error ?? "");
            case RunStatus.NotFound:
                await WriteErrorAsync(context, id, 404, "No such program", "This node has no program at this address.");
                return 404;
            case RunStatus.Overloaded:
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(_options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await WriteErrorAsync(context, id, 503, "Busy", "This node is running as many programs as it can. Try again in a moment.");
                return 503;
            case RunStatus.Timeout:
                await WriteErrorAsync(context, id, 504, "The program took too long", "The program did not answer in time. Try again in a moment.");
                return 504;
            case RunStatus.Cancelled:
                context.Abort();
                return 499;
            case RunStatus.Refused:
                await WriteErrorAsync(context, id, 403, "Not served here", "The operator of this node does not serve this program.");
                return 403;
            case RunStatus.QuotaExceeded:
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((result.RetryAfter ?? _options.RetryAfter).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await WriteErrorAsync(context, id, 429, "Too many runs", "This program's publisher has used its share of this node for the moment. Try again shortly.");
                return 429;
            default:
                await WriteErrorAsync(context, id, 500, "Something went wrong", "The node could not run this program. Its operator can find out why in the node's log.");
                return 500;
        }
    }

    private PreparedResponse PrepareForDevelopment(WebResponse response, string method)
    {
        var body = response.Body;
        if (response.GetHeader("content-type") is { } type && type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) && response.GetHeader("content-encoding") is null)
            body = DevelopmentHub.Inject(body.Span, Development!.ReloadScript(method));
        return PreparedResponse.Create(response.StatusCode, response.Headers, body, _options.MinCompressBytes);
    }

    private async Task WritePreparedAsync(HttpContext context, PreparedResponse prepared, bool head)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        string? vary = prepared.Compressible ? "Accept-Encoding" : null;
        if (prepared.StatusCode == 200 && PreparedResponse.Matches(request.Headers.IfNoneMatch, prepared.ETag))
        {
            response.StatusCode = 304;
            headers.ETag = prepared.ETag;
            foreach (var (name, value) in prepared.Headers)
            {
                if (name is "cache-control" or "expires" or "content-location")
                    headers[name] = value;
                else if (name == "vary")
                    vary = vary is null ? value : value + ", " + vary;
            }
            if (!prepared.HasCacheControl)
                headers.CacheControl = "no-cache";
            if (vary is not null)
                headers.Vary = vary;
            return;
        }
        response.StatusCode = prepared.StatusCode;
        foreach (var (name, value) in prepared.Headers)
        {
            if (name == "vary" && vary is not null)
                vary = value + ", " + vary;
            else
                headers[name] = value;
        }
        if (!prepared.HasCacheControl)
            headers.CacheControl = "no-cache";
        headers.ETag = prepared.ETag;
        if (!prepared.CanHaveBody)
            return;
        var coding = prepared.Compressible ? Compression.Choose(request.Headers.AcceptEncoding) : ContentCoding.Identity;
        if (vary is not null)
            headers.Vary = vary;
        if (coding != ContentCoding.Identity)
            headers.ContentEncoding = Compression.Name(coding);
        var body = prepared.BodyFor(coding);
        response.ContentLength = body.Length;
        if (!head && body.Length > 0)
            await response.BodyWriter.WriteAsync(body, context.RequestAborted);
    }

    private async Task<int> WriteProgramFailureAsync(HttpContext context, string id, ProgramRef target, WebRequest request, RunResult result, string title, string message)
    {
        if (Development is null)
        {
            LogProgramFailure(_log, id, target.ToString(), message);
            await WriteErrorAsync(context, id, 500, "This program failed",
                "The program could not answer this request. Its publisher can see what went wrong with coputer logs.");
            return 500;
        }
        var failure = new ProgramFailure(title, message, result.Traceback, result.Info.Log, request.ToString(), null, null);
        // A failed require nests the module's own position inside the requirer's: the last one is where the error is.
        var position = NodePages.FindPosition(message, last: true) ?? NodePages.FindPosition(result.Traceback);
        if (position is { } at && _execution.GetFile(target, at.Path) is { } file)
            failure = failure with { Source = NodePages.Around(Encoding.UTF8.GetString(file.Content.Span), at.Line), SourcePath = $"{at.Path}:{at.Line}" };
        await WritePageAsync(context, 500, NodePages.DevelopmentError(_options.Host, failure, id, Development.ReloadScript(request.Method)), development: true);
        return 500;
    }

    private Task WriteBuildFailureAsync(HttpContext context, string id, BuildFailure failure) =>
        WritePageAsync(context, 500, NodePages.DevelopmentError(_options.Host,
            new ProgramFailure("The program could not be bundled", failure.Message, null, null, $"{context.Request.Method} {context.Request.Path}", null, null),
            id, Development!.ReloadScript(context.Request.Method)), development: true);

    // ---- assets ----

    private async Task ServeAssetAsync(HttpContext context, Platform.Bundles.BundleFile file, bool byHash, bool head)
    {
        var response = context.Response;
        var headers = response.Headers;
        var asset = AssetResponse.For(file, _options.MinCompressBytes);
        headers.ETag = asset.ETag;
        headers.CacheControl = Development is not null ? "no-cache" : byHash ? "public, max-age=31536000, immutable" : "public, max-age=300";
        if (asset.Compressible)
            headers.Vary = "Accept-Encoding";
        if (PreparedResponse.Matches(context.Request.Headers.IfNoneMatch, asset.ETag))
        {
            response.StatusCode = 304;
            return;
        }
        headers.ContentType = asset.ContentType;
        headers.XContentTypeOptions = "nosniff";
        var coding = asset.Compressible ? Compression.Choose(context.Request.Headers.AcceptEncoding) : ContentCoding.Identity;
        if (coding != ContentCoding.Identity)
            headers.ContentEncoding = Compression.Name(coding);
        var body = asset.BodyFor(coding);
        response.ContentLength = body.Length;
        if (!head && body.Length > 0)
            await response.BodyWriter.WriteAsync(body, context.RequestAborted);
    }

    // ---- the node's pages ----

    private Links LinksFor(HttpContext context) => new(context.Request.Scheme, _options.Host, context.Request.Host.Port);

    private const int MaxListedPublishers = 200;

    private (List<PublisherListing> Listings, bool Truncated) ListPrograms()
    {
        var publishers = _execution.ListPublishers(MaxListedPublishers + 1);
        return (publishers.Take(MaxListedPublishers).Select(p => new PublisherListing(p, _execution.ListPrograms(p.Id))).ToList(), publishers.Count > MaxListedPublishers);
    }

    private Task HomeAsync(HttpContext context)
    {
        var (listings, truncated) = ListPrograms();
        return WritePageAsync(context, 200, NodePages.Home(LinksFor(context), _execution.Stats, Uptime, listings, truncated, _options.AllowPublish));
    }

    private Task NetworkPageAsync(HttpContext context)
    {
        var (listings, truncated) = ListPrograms();
        return WritePageAsync(context, 200, NodePages.Network(LinksFor(context), Network?.Invoke(), listings, truncated));
    }

    private async Task<RequestKind> ProfileAsync(HttpContext context, string id, Platform.Identity.PublisherId publisher)
    {
        if (!IsGetOrHead(context.Request.Method))
            return await MethodNotAllowed(context, id, "GET, HEAD");
        if (_execution.Store.FindPublisher(publisher) is not { } key)
            return await Refuse(context, id, 404, "No such publisher", "This node has no programs from this publisher.");
        var programs = _execution.ListPrograms(publisher)
            .Select(p => (p, _execution.ListVersions(publisher, p.Name)))
            .ToList();
        await WritePageAsync(context, 200, NodePages.Profile(LinksFor(context), key, programs));
        return RequestKind.Page;
    }

    /// <summary>Writes one of the node's own error pages.</summary>
    private Task WriteErrorAsync(HttpContext context, string id, int status, string title, string message) =>
        WritePageAsync(context, status, NodePages.Error(_options.Host, status, title, message, id, Development?.ReloadScript(context.Request.Method)), Development is not null);

    private static async Task WritePageAsync(HttpContext context, int status, string html, bool development = false)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = development ? NodePages.DevelopmentPolicy : NodePages.Policy;
        response.Headers["referrer-policy"] = "no-referrer";
        var bytes = Encoding.UTF8.GetBytes(html);
        var coding = bytes.Length >= 512 ? Compression.Choose(context.Request.Headers.AcceptEncoding) : ContentCoding.Identity;
        if (coding != ContentCoding.Identity)
        {
            bytes = Compression.Compress(bytes, coding);
            response.Headers.ContentEncoding = Compression.Name(coding);
            response.Headers.Vary = "Accept-Encoding";
        }
        response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
            await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{RequestId} {Method} {Host}{Path} {StatusCode} {Kind} {ElapsedMs:0.000} ms")]
    private static partial void LogRequest(ILogger logger, string requestId, string method, string host, string path, int statusCode, RequestKind kind, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "{RequestId} failed inside the gateway")]
    private static partial void LogFailure(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{RequestId} program {Program} failed: {Error}")]
    private static partial void LogProgramFailure(ILogger logger, string requestId, string program, string error);
}
