using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Coputer.Network.Broadcast;
using Coputer.Network.Execution;
using Coputer.Network.Membership;
using Coputer.Network.Replication;
using Coputer.Network.Routing;
using Coputer.Network.Transport;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Records;
using Coputer.Platform.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RunResult = Coputer.Platform.Runtime.RunResult;

namespace Coputer.Network.Hosting;

/// <summary>How to start a <see cref="NetworkHost"/>.</summary>
public sealed record NetworkHostOptions
{
    /// <summary>The node's key (see <see cref="NodeIdentity.LoadOrCreate"/>).</summary>
    public required NodeIdentity Identity { get; init; }

    /// <summary>The address the peer listener binds.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The peer port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The host name or address other nodes reach this one at (default: the listen address).</summary>
    public string? AdvertisedHost { get; init; }

    /// <summary>Nodes to join through, as <c>host:port</c>; tried again until one answers.</summary>
    public IReadOnlyList<string> Bootstrap { get; init; } = [];

    /// <summary>
    /// Where the node keeps the addresses of the peers it knows (rewritten every few seconds when they change); at
    /// start they are bootstrap peers too, so a node restarted without <c>--peer</c> finds its way back. Null keeps none.
    /// </summary>
    public string? PeersFile { get; init; }

    public HyParViewOptions Membership { get; init; } = new();

    public PlumtreeOptions Broadcast { get; init; } = new();

    public PeerTransportOptions Transport { get; init; } = new();

    /// <summary>How often the state machines are given the time.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long the bundle of a newer version of a program this node serves is looked for before giving up.</summary>
    public TimeSpan FetchPatience { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a run waits for its program's bundle to be found and fetched (by a lookup of its hash) before it is forwarded instead.</summary>
    public TimeSpan OnDemandDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Placement: how many nodes hold each bundle (the ones closest to its hash) and how often a holder checks that
    /// they do. The host always offers copies (bundles are named by their canonical hash, not by their bytes).
    /// </summary>
    public ReplicationOptions Replication { get; init; } = new();

    /// <summary>Most messages waiting for one peer; more are dropped (and counted).</summary>
    public int MaxQueuedPerPeer { get; init; } = 256;

    /// <summary>Most peer connections the listener accepts at once.</summary>
    public int MaxConnections { get; init; } = 512;

    /// <summary>How answers of other nodes are checked before they are cached (the share re-run once a runner is trusted).</summary>
    public AuditOptions Audits { get; init; } = new();

    /// <summary>How long the throwaway TLS certificate is valid (a new one is made at every start).</summary>
    public TimeSpan CertificateLifetime { get; init; } = TimeSpan.FromDays(30);
}

/// <summary>
/// Runs one node's <see cref="NetworkNode"/> (membership, broadcast, routing, placement) over the real peer
/// transport with a real clock. Incoming messages are fed to the state machine under one lock; its effects are
/// carried out outside it: each peer has a queue worked in order by one sender, and a failed or late call reports
/// the peer failed to the membership. Records published locally are broadcast and their bundles placed on the nodes
/// closest to their hash; bundles are fetched on demand by lookup (see <c>NetworkHost.Placement.cs</c>). At start
/// every stored record is offered to the broadcast, so anti-entropy brings peers that lack one up to date, and
/// every stored bundle is held again, so its placement is checked and repaired.
/// </summary>
public sealed partial class NetworkHost : IAsyncDisposable
{
    private readonly NetworkHostOptions _options;
    private readonly ExecutionService _execution;
    private readonly ILogger _log;
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly PeerClient _client;
    private readonly NetworkNode _node;
    private readonly RunScheduler _runs;
    private readonly Auditor _auditor;
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<NodeId, Outbox> _outboxes = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private IReadOnlyList<PeerInfo> _active = [];
    private bool _disposed;
    private int _equivocationsLogged;
    private List<string> _bootstrap = [];
    private Func<ProgramRef, Coputer.Platform.Runtime.WebRequest, CancellationToken, Task<RunResult?>>? _forward;
    private Func<Hash256, CancellationToken, Task<byte[]?>>? _fetchBundle;

    private NetworkHost(NetworkHostOptions options, ExecutionService execution, ILogger log, WebApplication app, X509Certificate2 certificate, PeerInfo self)
    {
        _options = options;
        _execution = execution;
        _log = log;
        _app = app;
        _certificate = certificate;
        Self = self;
        _client = new PeerClient(certificate, options.Transport);
        _runs = new RunScheduler(new Execution.RunOptions { Deadline = options.Transport.RunDeadline });
        _auditor = new Auditor(options.Audits, AuditRandom(options.Identity));
        _node = new NetworkNode(self, options.Membership, options.Broadcast, options.Replication with { ContentInMessages = false }, new Random(RandomNumberGenerator.GetInt32(int.MaxValue)), kept: HeldHere);
    }

    /// <summary>This node as others reach it.</summary>
    public PeerInfo Self { get; }

    public NetworkCounters Counters { get; } = new();

    /// <summary>The peers in the active view now.</summary>
    public IReadOnlyList<PeerInfo> ActivePeers => Volatile.Read(ref _active);

    /// <summary>The peers in the passive view now.</summary>
    public IReadOnlyList<PeerInfo> PassivePeers
    {
        get
        {
            lock (_gate)
                return [.. _node.Membership.PassiveView];
        }
    }

    /// <summary>
    /// Equivocation proofs the node holds: pairs of validly signed records in which one publisher gave one name and
    /// sequence two different programs. Both records travel by the broadcast, so every node comes to hold the proof.
    /// </summary>
    public int Equivocations
    {
        get
        {
            lock (_gate)
                return _node.Records.Equivocations.Count;
        }
    }

    /// <summary>How long a forwarded run waits for its first runner before a backup is asked: the observed 95th percentile of answer latency (100 ms until 20 answers are seen).</summary>
    public TimeSpan HedgeDelay
    {
        get
        {
            lock (_gate)
                return _runs.HedgeDelay;
        }
    }

    private TimeSpan Now => _clock.Elapsed;

    /// <summary>Starts the peer listener and the protocol loops, and begins joining through the bootstrap peers.</summary>
    /// <exception cref="IOException">The peer port cannot be bound.</exception>
    public static async Task<NetworkHost> StartAsync(NetworkHostOptions options, ExecutionService execution, ILoggerFactory? logging = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = (logging ?? NullLoggerFactory.Instance).CreateLogger("Coputer.Network");
        var certificate = PeerCertificate.Create(options.Identity, DateTimeOffset.UtcNow, options.CertificateLifetime);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "coputer-peers", ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = WireCodec.MaxMessageSize;
            k.Limits.MaxConcurrentConnections = options.MaxConnections;
            k.Limits.MaxRequestHeadersTotalSize = 8 * 1024;
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(120);
            k.Limits.RequestHeadersTimeout = options.Transport.MessageDeadline;
            k.Limits.Http2.MaxStreamsPerConnection = 64;
            k.Listen(options.ListenAddress, options.Port, l => PeerListener.Configure(l, certificate, options.Transport));
        });
        var app = builder.Build();
        NetworkHost? host = null;
        app.Run(context => host!.HandleAsync(context));
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (Exception e) when (e is IOException or SocketException || e.InnerException is SocketException)
        {
            await app.DisposeAsync();
            certificate.Dispose();
            throw new IOException($"cannot listen for peers on port {options.Port}: {e.Message}", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a).Port).FirstOrDefault() ?? options.Port;
        string advertised = options.AdvertisedHost ?? (options.ListenAddress.Equals(IPAddress.Any) || options.ListenAddress.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : options.ListenAddress.ToString());
        if (advertised.Contains(':', StringComparison.Ordinal))
            advertised = $"[{advertised}]";
        var self = new PeerInfo(options.Identity.Id, $"{advertised}:{bound}");
        host = new NetworkHost(options, execution, log, app, certificate, self);
        host.Start();
        return host;
    }

    private void Start()
    {
        // Offer every stored record to the broadcast: anti-entropy then spreads what peers lack. Every stored bundle
        // is held: its placement is checked within a repair interval, so copies lost while this node was down are
        // re-created.
        lock (_gate)
        {
            foreach (var publisher in _execution.ListPublishers(10_000))
            {
                foreach (var version in _execution.Store.ListPrograms(publisher))
                    _node.Publish(version.Record, Now);
            }
            foreach (var (program, _) in _execution.Store.ListBundles(_options.Replication.MaxPrograms))
            {
                _bundles[program] = true;
                _node.Hold(program, content: null, Now, pinned: false);
            }
        }
        _execution.Published += OnLocalPublication;
        _forward = ForwardAsync;
        _execution.Forward = _forward;
        _fetchBundle = FetchBundleAsync;
        _execution.FetchBundle = _fetchBundle;
        _loops.Add(Task.Run(TickLoopAsync));
        _bootstrap = [.. _options.Bootstrap.Concat(ReadPeersFile(_options.PeersFile)).Distinct(StringComparer.Ordinal).Where(a => a != Self.Address)];
        if (_bootstrap.Count > 0)
            _loops.Add(Task.Run(BootstrapLoopAsync));
        if (_options.PeersFile is not null)
            _loops.Add(Task.Run(SavePeersLoopAsync));
        _log.LogInformation("network node {Id} listening for peers at {Address}", Self.Id, Self.Address);
    }

    /// <summary>Joins the network through the node at <paramref name="address"/> (<c>host:port</c>); returns its authenticated id.</summary>
    public async Task<NodeId> JoinAsync(string address, CancellationToken cancellation = default)
    {
        var id = await _client.HelloAsync(address, cancellation);
        if (id == Self.Id)
            throw new PeerCallException($"{address} is this node");
        Execute(Locked(() => _node.Join(new PeerInfo(id, address), Now)), from: null);
        return id;
    }

    private async Task BootstrapLoopAsync()
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!_stopping.IsCancellationRequested)
        {
            if (ActivePeers.Count == 0)
            {
                foreach (var address in _bootstrap)
                {
                    try
                    {
                        var id = await JoinAsync(address, _stopping.Token);
                        _log.LogInformation("joining through {Address} (node {Id})", address, id);
                        break;
                    }
                    catch (PeerCallException e)
                    {
                        _log.LogDebug("bootstrap peer {Address}: {Error}", address, e.Message);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
            try
            {
                await Task.Delay(delay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    /// <summary>Most addresses kept in the peers file.</summary>
    internal const int MaxSavedPeers = 64;

    /// <summary>The addresses in a peers file (one a line); lines that are not a peer address are skipped.</summary>
    internal static IReadOnlyList<string> ReadPeersFile(string? path)
    {
        if (path is null || !File.Exists(path))
            return [];
        try
        {
            using var reader = new StreamReader(path);
            var addresses = new List<string>();
            string? line;
            while (addresses.Count < MaxSavedPeers && (line = reader.ReadLine()) is not null)
            {
                line = line.Trim();
                int colon = line.LastIndexOf(':');
                if (line.Length <= WireCodec.MaxAddressLength && colon > 0 && WireCodec.IsValidAddress(line) && int.TryParse(line.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536)
                    addresses.Add(line);
            }
            return addresses;
        }
        catch (IOException)
        {
            return [];
        }
    }

    private async Task SavePeersLoopAsync()
    {
        string saved = "";
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), _stopping.Token);
                var peers = ActivePeers.Concat(PassivePeers).Select(p => p.Address).Distinct(StringComparer.Ordinal).Take(MaxSavedPeers).ToList();
                string text = string.Join('\n', peers);
                if (peers.Count == 0 || text == saved)
                    continue;
                // Write aside and rename, so a kill mid-write leaves the old list, not half a new one.
                string temporary = _options.PeersFile + ".tmp";
                await File.WriteAllTextAsync(temporary, text + "\n", _stopping.Token);
                File.Move(temporary, _options.PeersFile!, overwrite: true);
                saved = text;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException e)
        {
            _log.LogWarning("cannot keep the peers file {Path}: {Error}", _options.PeersFile, e.Message);
        }
    }

    private async Task TickLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.TickInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                Execute(Locked(() => _node.Tick(Now)), from: null);
                Execute(Locked(() => _runs.Tick(Now)), from: null);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private IReadOnlyList<NodeEffect> Locked(Func<IReadOnlyList<NodeEffect>> step)
    {
        List<Equivocation>? proven = null;
        IReadOnlyList<NodeEffect> effects;
        lock (_gate)
        {
            effects = step();
            Volatile.Write(ref _active, [.. _node.Membership.ActiveView]);
            var proofs = _node.Records.Equivocations;
            if (proofs.Count > _equivocationsLogged)
            {
                proven = [.. proofs.Skip(_equivocationsLogged)];
                _equivocationsLogged = proofs.Count;
            }
        }
        foreach (var proof in proven ?? [])
        {
            var r = proof.First.Record;
            _log.LogWarning("publisher {Publisher} equivocated: {Label} #{Sequence} signed for program {First} and for {Second}", r.Publisher.Id, r.Label, r.Sequence, r.Program, proof.Second.Record.Program);
        }
        return effects;
    }

    /// <summary>Carries out effects: messages to their peers' queues, delivered records to the store.</summary>
    private void Execute(IReadOnlyList<NodeEffect> effects, PeerInfo? from)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case Outgoing outgoing:
                    Enqueue(outgoing.To, WireCodec.Encode(outgoing.Message));
                    break;
                case NeighborUp up:
                    _log.LogInformation("neighbour up: {Id} at {Address}", up.Peer.Id, up.Peer.Address);
                    break;
                case NeighborDown down:
                    _log.LogInformation("neighbour down: {Id} at {Address}", down.Peer.Id, down.Peer.Address);
                    break;
                case Delivered delivered:
                    OnRecord(SignedRecord.Decode(delivered.Payload), from);
                    break;
                case ForwardRun forward:
                    StartForwardedRun(forward);
                    break;
                case RunCompleted completed:
                    FinishRun(completed.RequestId, _pendingRuns.TryGetValue(completed.RequestId, out var p) ? p.Answers.GetValueOrDefault(completed.Receipt.Runner) : null, completed.Hedged);
                    break;
                case RunFailed failed:
                    _log.LogDebug("forwarded run failed: {Reason}", failed.Reason);
                    FinishRun(failed.RequestId, null, hedged: false);
                    break;
                case FetchReplica fetch:
                    _ = Task.Run(() => TakeReplicaAsync(fetch));
                    break;
                case ValueFound found:
                    if (_lookups.TryRemove(found.LookupId, out var waiting))
                        waiting.TrySetResult(found);
                    break;
                case LookupFailed lost:
                    if (_lookups.TryRemove(lost.LookupId, out var waited))
                        waited.TrySetResult(null);
                    break;
            }
        }
    }

    // ---- sending ----

    private void Enqueue(PeerInfo to, byte[] message)
    {
        if (_stopping.IsCancellationRequested)
            return;
        var outbox = _outboxes.GetOrAdd(to.Id, _ => StartOutbox(to));
        if (outbox.Peer.Address != to.Address)
            outbox.Peer = to;
        if (!outbox.Queue.Writer.TryWrite(message))
            Counters.DroppedMessage();
    }

    private Outbox StartOutbox(PeerInfo peer)
    {
        var outbox = new Outbox(peer, Channel.CreateBounded<byte[]>(new BoundedChannelOptions(_options.MaxQueuedPerPeer) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true }));
        outbox.Worker = Task.Run(() => SendLoopAsync(outbox));
        return outbox;
    }

    // One sender per peer keeps that peer's messages in order.
    private async Task SendLoopAsync(Outbox outbox)
    {
        var reader = outbox.Queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                while (reader.TryRead(out var message))
                {
                    try
                    {
                        await _client.SendAsync(outbox.Peer, message, _stopping.Token);
                        Counters.Out(message);
                    }
                    catch (PeerCallException e)
                    {
                        Counters.SendFailed();
                        _log.LogDebug("peer {Id} failed: {Error}", outbox.Peer.Id, e.Message);
                        Failed(outbox);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    private void Failed(Outbox outbox)
    {
        // Drop this peer's queue (what is in it was for a peer now gone) and tell the membership.
        _outboxes.TryRemove(new KeyValuePair<NodeId, Outbox>(outbox.Peer.Id, outbox));
        outbox.Queue.Writer.TryComplete();
        _client.Forget(outbox.Peer.Address);
        Execute(Locked(() => _node.ConnectionFailed(outbox.Peer.Id, Now)), from: null);
    }

    // ---- receiving ----

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var peer = PeerListener.AuthenticatedPeer(context.Connection.ClientCertificate);
        if (peer is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        string path = request.Path.Value ?? "";
        if (path == PeerPaths.Message && HttpMethods.IsPost(request.Method))
        {
            await ReceiveAsync(context, peer.Value);
            return;
        }
        if (path == PeerPaths.Run && HttpMethods.IsPost(request.Method))
        {
            await ServeRunAsync(context, peer.Value);
            return;
        }
        if (path == PeerPaths.Proof && HttpMethods.IsPost(request.Method))
        {
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                size.MaxRequestBodySize = MismatchProof.MaxSize;
            await ReceiveProofAsync(context, peer.Value);
            return;
        }
        if (path == PeerPaths.Hello && HttpMethods.IsGet(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        if (path.StartsWith(PeerPaths.Bundles, StringComparison.Ordinal) && HttpMethods.IsGet(request.Method))
        {
            if (!Hash256.TryParse(path[PeerPaths.Bundles.Length..], out var id))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            var bytes = _execution.Store.GetBundleBytes(id);
            if (bytes is null || bytes.Length > _options.Transport.MaxBundleBytes)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
            Counters.Served(bytes.Length);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    private async Task ReceiveAsync(HttpContext context, NodeId peer)
    {
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request, WireCodec.MaxMessageSize, context.RequestAborted);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            Counters.RefusedMessage();
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }
        WireMessage message;
        try
        {
            message = WireCodec.Decode(body);
        }
        catch (WireFormatException e)
        {
            Counters.RefusedMessage();
            _log.LogDebug("malformed message from {Id}: {Error}", peer, e.Message);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        // A message speaks for its sender; only that node's authenticated connection may carry it.
        if (message.Sender.Id != peer)
        {
            Counters.RefusedMessage();
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        Counters.In(body);
        Execute(Locked(() => _node.Handle(message, Now)), from: message.Sender);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int cap, CancellationToken cancellation)
    {
        if (request.ContentLength > cap)
            throw new IOException("the message is over the cap");
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > cap)
                throw new IOException("the message is over the cap");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Whether <paramref name="bytes"/> is a well-formed bundle whose content hash is <paramref name="program"/>.</summary>
    internal static bool IsBundleOf(byte[] bytes, Hash256 program, BundleLimits limits)
    {
        try
        {
            return BundleFormat.Read(bytes, limits).Hash == program;
        }
        catch (BundleException)
        {
            return false;
        }
    }

    /// <summary>Leaves politely (Disconnect to the neighbours, best effort), then stops the listener and the loops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        _execution.Published -= OnLocalPublication;
        if (_execution.Forward == _forward)
            _execution.Forward = null;
        if (_execution.FetchBundle == _fetchBundle)
            _execution.FetchBundle = null;
        var goodbyes = Locked(_node.Leave).OfType<Outgoing>().ToList();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
        {
            try
            {
                await Task.WhenAll(goodbyes.Select(g => _client.SendAsync(g.To, WireCodec.Encode(g.Message), deadline.Token)));
            }
            catch (Exception e) when (e is PeerCallException or OperationCanceledException)
            {
            }
        }
        _stopping.Cancel();
        foreach (var pending in _pendingRuns.Values)
            pending.Done.TrySetResult(null);
        foreach (var outbox in _outboxes.Values)
            outbox.Queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loops.Concat(_outboxes.Values.Select(o => o.Worker)));
        }
        catch (OperationCanceledException)
        {
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
        _certificate.Dispose();
        _stopping.Dispose();
    }

    private sealed class Outbox(PeerInfo peer, Channel<byte[]> queue)
    {
        public PeerInfo Peer { get; set; } = peer;

        public Channel<byte[]> Queue { get; } = queue;

        public Task Worker { get; set; } = Task.CompletedTask;
    }
}
