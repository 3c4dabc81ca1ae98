using Coputer.Platform.Execution;

namespace Coputer.Gateway;

/// <summary>
/// How a gateway serves. The defaults suit a public node; <see cref="Development"/> switches on what an author
/// wants while working (errors with their source in the browser, pages that reload, no result cache).
/// </summary>
public sealed record GatewayOptions
{
    /// <summary>
    /// The gateway's own host name, for example <c>localhost</c> or <c>coputer.example.org</c>. Programs are served at
    /// <c>{name}-{id}.{Host}</c>, profiles at <c>{id}.{Host}</c>, the home page at <c>{Host}</c>. Any other host is refused.
    /// </summary>
    public string Host { get; init; } = "localhost";

    /// <summary>Development mode: program errors are shown with their message, source and traceback; pages reload on change.</summary>
    public bool Development { get; init; }

    /// <summary>A program the bare host serves instead of the home page (dev mode serves the program at <c>http://localhost:N/</c>).</summary>
    public ProgramRef? RootProgram { get; init; }

    /// <summary>Whether cached results may answer (off in development, so every request runs and prints).</summary>
    public bool UseResultCache { get; init; } = true;

    /// <summary>Whether <c>POST /api/publish</c> accepts programs (every publication is still verified before it is stored).</summary>
    public bool AllowPublish { get; init; } = true;

    /// <summary>The largest request body a program receives; larger ones are answered 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>The most header bytes a request may carry (Kestrel answers 431 above it).</summary>
    public int MaxRequestHeadersBytes { get; init; } = 32 << 10;

    /// <summary>The most headers a request may carry (Kestrel answers 431 above it).</summary>
    public int MaxRequestHeaderCount { get; init; } = 100;

    /// <summary>The longest request line (Kestrel answers 414 above it).</summary>
    public int MaxRequestLineBytes { get; init; } = 8 << 10;

    /// <summary>How long a client may take to send its headers before the connection is closed (slow-client defence).</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an idle keep-alive connection stays open.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The slowest a client may send a body, in bytes per second after a grace period (slow-client defence).</summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;

    /// <summary>The slowest a client may read a response, in bytes per second after a grace period.</summary>
    public double MinResponseBytesPerSecond { get; init; } = 240;

    /// <summary>The most connections open at once; past this new connections are closed at once.</summary>
    public long MaxConnections { get; init; } = 10_000;

    /// <summary>How long a request may wait for its program's answer before the gateway answers 504.</summary>
    public TimeSpan RequestDeadline { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>What <c>Retry-After</c> says when the node is overloaded and answers 503.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Responses smaller than this are sent uncompressed (compression would not pay for itself).</summary>
    public int MinCompressBytes { get; init; } = 512;

    /// <summary>How far a signed log request's time may be from the node's clock.</summary>
    public TimeSpan SignedRequestWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long <c>GET /api/bundles/{hash}</c> looks for a bundle this node lacks before it answers 404.</summary>
    public TimeSpan BundleFetchDeadline { get; init; } = TimeSpan.FromSeconds(15);
}
