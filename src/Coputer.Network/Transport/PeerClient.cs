using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Coputer.Network.Wire;
using Coputer.Platform;

namespace Coputer.Network.Transport;

/// <summary>Limits of the peer transport (both sides).</summary>
public sealed record PeerTransportOptions
{
    /// <summary>Deadline of one protocol message (connect, handshake, send and answer).</summary>
    public TimeSpan MessageDeadline { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Deadline of one bundle fetch.</summary>
    public TimeSpan FetchDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest bundle a node fetches or serves.</summary>
    public long MaxBundleBytes { get; init; } = 16 << 20;

    /// <summary>Deadline of one forwarded run (the runner's own run is cut off at this too).</summary>
    public TimeSpan RunDeadline { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Most peer addresses with an open client at once; the least recently used is closed beyond it.</summary>
    public int MaxClients { get; init; } = 256;

    /// <summary>Time for a TLS handshake.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most connections one authenticated node may hold open to the listener at once; more are closed at once.</summary>
    public int MaxConnectionsPerPeer { get; init; } = 4;
}

/// <summary>The peer transport's URL paths (HTTP/2 over mutually authenticated TLS 1.3).</summary>
public static class PeerPaths
{
    public const string Hello = "/v1/hello";
    public const string Message = "/v1/message";
    public const string Bundles = "/v1/bundles/";
    public const string Run = "/v1/run";
    public const string Proof = "/v1/proof";
}

/// <summary>A failed peer call: refused, unreachable, unauthenticated, or past its deadline.</summary>
public sealed class PeerCallException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The client side of the peer transport: HTTP/2 over TLS 1.3 with this node's certificate, one connection pool
/// per peer address. The server's certificate is checked by <see cref="PeerCertificate.Verify"/> in the TLS
/// validation callback and, when the caller names the node it expects at an address, must carry that node's id;
/// so no message goes to an impostor. Every call has a deadline.
/// </summary>
public sealed class PeerClient : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly PeerTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);

    public PeerClient(X509Certificate2 certificate, PeerTransportOptions options, TimeProvider? time = null)
    {
        _certificate = certificate;
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Connects to <paramref name="address"/> (<c>host:port</c>) and returns the node id its handshake authenticated.</summary>
    public async Task<NodeId> HelloAsync(string address, CancellationToken cancellation = default)
    {
        var connection = Get(address, expected: null);
        using var response = await CallAsync(connection, HttpMethod.Get, PeerPaths.Hello, null, _options.MessageDeadline, cancellation);
        return connection.Seen ?? throw new PeerCallException($"{address}: no authenticated node id");
    }

    /// <summary>Sends one encoded wire message to <paramref name="to"/>, which must prove it is <c>to.Id</c>.</summary>
    public async Task SendAsync(PeerInfo to, byte[] message, CancellationToken cancellation = default)
    {
        var content = new ByteArrayContent(message);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await CallAsync(Get(to.Address, to.Id), HttpMethod.Post, PeerPaths.Message, content, _options.MessageDeadline, cancellation);
    }

    /// <summary>Sends a mismatch proof (<see cref="Execution.MismatchProof"/>) to <paramref name="to"/>.</summary>
    public async Task SendProofAsync(PeerInfo to, byte[] proof, CancellationToken cancellation = default)
    {
        var content = new ByteArrayContent(proof);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await CallAsync(Get(to.Address, to.Id), HttpMethod.Post, PeerPaths.Proof, content, _options.RunDeadline, cancellation);
    }

    /// <summary>The bytes <paramref name="from"/> holds under <paramref name="id"/>, or null when it does not have them. The caller checks the hash.</summary>
    public async Task<byte[]?> FetchAsync(PeerInfo from, Hash256 id, CancellationToken cancellation = default)
    {
        var connection = Get(from.Address, from.Id);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(_options.FetchDeadline);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, connection.Base + PeerPaths.Bundles + id) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await connection.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return null;
            if (!response.IsSuccessStatusCode)
                throw new PeerCallException($"{from.Address}: bundle {id}: HTTP {(int)response.StatusCode}");
            if (response.Content.Headers.ContentLength is long length && length > _options.MaxBundleBytes)
                throw new PeerCallException($"{from.Address}: bundle {id} is {length} bytes, over the {_options.MaxBundleBytes}-byte cap");
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            return await ReadCappedAsync(body, _options.MaxBundleBytes, deadline.Token)
                ?? throw new PeerCallException($"{from.Address}: bundle {id} is over the {_options.MaxBundleBytes}-byte cap");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !cancellation.IsCancellationRequested)
        {
            throw new PeerCallException($"{from.Address}: bundle {id}: {Describe(e)}", e);
        }
    }

    /// <summary>
    /// Asks <paramref name="runner"/> to run a forwarded request (<see cref="Execution.RunWire"/>); returns its answer's
    /// bytes, or null when it does not hold the program or cannot run it now. The caller checks the answer.
    /// </summary>
    public async Task<byte[]?> RunAsync(PeerInfo runner, byte[] request, CancellationToken cancellation = default)
    {
        var connection = Get(runner.Address, runner.Id);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(_options.RunDeadline);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, connection.Base + PeerPaths.Run)
            {
                Content = new ByteArrayContent(request),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var response = await connection.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable)
                return null;
            if (!response.IsSuccessStatusCode)
                throw new PeerCallException($"{runner.Address}: run: HTTP {(int)response.StatusCode}");
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            return await ReadCappedAsync(body, Execution.RunWire.MaxAnswerSize, deadline.Token)
                ?? throw new PeerCallException($"{runner.Address}: run answer over the {Execution.RunWire.MaxAnswerSize}-byte cap");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !cancellation.IsCancellationRequested)
        {
            throw new PeerCallException($"{runner.Address}: run: {Describe(e)}", e);
        }
    }

    /// <summary>Closes the connections to <paramref name="address"/> (a failed peer).</summary>
    public void Forget(string address)
    {
        if (_connections.TryRemove(address, out var connection))
            connection.Dispose();
    }

    private async Task<HttpResponseMessage> CallAsync(Connection connection, HttpMethod method, string path, HttpContent? content, TimeSpan deadlineAfter, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(deadlineAfter);
        try
        {
            using var request = new HttpRequestMessage(method, connection.Base + path) { Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            var response = await connection.Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw new PeerCallException($"{connection.Address}: {path}: HTTP {(int)response.StatusCode}");
            }
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !cancellation.IsCancellationRequested)
        {
            throw new PeerCallException($"{connection.Address}: {path}: {Describe(e)}", e);
        }
    }

    private static string Describe(Exception e) => e is OperationCanceledException ? "past the deadline" : e.InnerException?.Message ?? e.Message;

    private static async Task<byte[]?> ReadCappedAsync(Stream body, long cap, CancellationToken cancellation)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > cap)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private Connection Get(string address, NodeId? expected)
    {
        // Reuse a pool only when it is for the node expected: named when it was made, or authenticated since.
        if (_connections.TryGetValue(address, out var existing) && (expected is null || (existing.Expected ?? existing.Seen ?? expected) == expected))
        {
            if (expected is not null)
                existing.Expected = expected;
            existing.LastUsed = _time.GetTimestamp();
            return existing;
        }
        // A different node claims this address now: start over so no pooled connection to the old one is reused.
        if (existing is not null)
            Forget(address);
        if (_connections.Count >= _options.MaxClients)
        {
            var oldest = _connections.MinBy(c => c.Value.LastUsed);
            Forget(oldest.Key);
        }
        var connection = new Connection(address, expected, this);
        return _connections.GetOrAdd(address, connection) is var added && added == connection ? connection : Dispose(connection, added);
    }

    private static Connection Dispose(Connection unused, Connection winner)
    {
        unused.Dispose();
        return winner;
    }

    public void Dispose()
    {
        foreach (var address in _connections.Keys)
            Forget(address);
    }

    private sealed class Connection : IDisposable
    {
        public Connection(string address, NodeId? expected, PeerClient owner)
        {
            Address = address;
            Expected = expected;
            Base = "https://" + address;
            LastUsed = owner._time.GetTimestamp();
            var handler = new SocketsHttpHandler
            {
                ConnectTimeout = owner._options.MessageDeadline,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
                MaxResponseHeadersLength = 16,
                AutomaticDecompression = DecompressionMethods.None,
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                SslOptions = new SslClientAuthenticationOptions
                {
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificates = [owner._certificate],
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    // The operating system's chain check cannot judge a self-signed peer certificate; the binding check does.
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => Check(certificate, owner._time.GetUtcNow()),
                },
            };
            Client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = WireCodec.MaxMessageSize };
        }

        public string Address { get; }

        public string Base { get; }

        public NodeId? Expected { get; set; }

        public NodeId? Seen { get; private set; }

        public long LastUsed { get; set; }

        public HttpClient Client { get; }

        private bool Check(X509Certificate? certificate, DateTimeOffset now)
        {
            if (certificate is not X509Certificate2 peer)
                return false;
            var result = PeerCertificate.Verify(peer, now);
            if (result.Id is not { } id || (Expected is { } expected && expected != id))
                return false;
            Seen = id;
            return true;
        }

        public void Dispose() => Client.Dispose();
    }
}
