using System.Collections.Concurrent;
using System.Diagnostics;
using Coputer.Platform.Bundles;
using Coputer.Platform.Identity;
using Coputer.Platform.Policy;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;
using Coputer.Platform.Store;

namespace Coputer.Platform.Execution;

/// <summary>What a name or hash resolved to.</summary>
public sealed record ResolvedProgram(Hash256 Program, ProgramVersion? Version);

/// <summary>Counters of an <see cref="ExecutionService"/> since it started.</summary>
/// <param name="Runs">Programs run here.</param>
/// <param name="CacheHits">Requests answered from the result cache.</param>
/// <param name="SharedRuns">Requests that joined an identical run already under way.</param>
/// <param name="Overloaded">Requests that found the run queue full.</param>
/// <param name="Queued">Runs waiting for a worker now.</param>
/// <param name="Running">Runs in progress now.</param>
/// <param name="ForwardedWhenBusy">Runs of programs held here that a full queue sent to a neighbour, which answered.</param>
public sealed record ExecutionStats(long Runs, long CacheHits, long SharedRuns, long Overloaded, int Queued, int Running, long ForwardedWhenBusy = 0);

/// <summary>
/// The node's execution service, the API the gateway, the command line and the network call. It publishes
/// (verifying everything before storing), resolves names and hashes, and runs web programs on a bounded pool of
/// worker threads:
/// <list type="bullet">
/// <item>a result already computed for the same program and input answers from the cache (memory, then disk);</item>
/// <item>identical requests arriving while one runs share that run;</item>
/// <item>when the queue is full a request is answered <see cref="RunStatus.Overloaded"/> at once, so memory stays bounded
/// (on a network, a neighbour that holds the program is asked first, see <see cref="Forward"/>);</item>
/// <item>deterministic outcomes (responses, program errors, limits hit) are cached; transient ones never are;</item>
/// <item>each program keeps a ring of its recent runs with their output, errors and costs;</item>
/// <item>the operator's <see cref="NodePolicy"/> decides whose programs are stored and served, and each
/// publisher's storage and run quotas.</item>
/// </list>
/// Every method is thread-safe.
/// </summary>
/// <example>
/// <code>
/// using var node = ExecutionService.Open(new ExecutionOptions { DataDirectory = "data" });
/// node.Publish(record.Encode(), bundle.Encode());
/// var result = await node.RunAsync(ProgramRef.ByName(publisher.Key, "site"), WebRequest.Create("GET", "/"));
/// if (result.Status == RunStatus.Ok) { /* result.Response.StatusCode, Headers, Body */ }
/// </code>
/// </example>
public sealed class ExecutionService : IDisposable
{
    private readonly ExecutionOptions _options;
    private readonly BlockingCollection<Job> _queue;
    private readonly Thread[] _workers;
    private readonly ConcurrentDictionary<(PublisherId, string), ProgramVersion> _names = new();
    private readonly LruCache<(Hash256, Hash256), RunResult> _results;
    private readonly TouchThrottle<(Hash256, Hash256)> _touches = new(4096, TimeSpan.FromSeconds(1));
    private readonly LruCache<Hash256, CompiledProgram> _programs;
    private readonly ConcurrentDictionary<(Hash256, Hash256, bool), Job> _inFlight = new();
    private readonly ConcurrentDictionary<Hash256, RunLogRing> _recentRuns = new();
    private readonly ConcurrentDictionary<Hash256, PublisherId[]> _publishersOf = new();
    private readonly RunQuota _quota;
    private readonly ConcurrentDictionary<Hash256, bool> _dependenciesPresent = new();
    private long _runs, _cacheHits, _sharedRuns, _overloaded, _forwardedWhenBusy;
    private int _running;
    private volatile bool _disposed;

    private ExecutionService(ExecutionOptions options, NodeStore store)
    {
        _options = options;
        Store = store;
        store.MaxResultBytes = options.ResultCacheBytes;
        _results = new(options.ResultMemoryBytes, ResultCodec.SizeOf);
        _programs = new(Math.Max(options.LoadedPrograms, 1), _ => 1);
        _queue = new BlockingCollection<Job>(Math.Max(options.QueueCapacity, 1));
        _quota = new RunQuota(options.Policy.RunsPerMinutePerPublisher, options.Time);
        _workers = new Thread[Math.Max(options.Workers, 1)];
        for (int i = 0; i < _workers.Length; i++)
        {
            // A generous stack: the engine bounds recursion itself, this only keeps deep but legal programs safe.
            _workers[i] = new Thread(Work, 16 << 20) { IsBackground = true, Name = $"coputer worker {i + 1}" };
            _workers[i].Start();
        }
    }

    /// <summary>Opens the node's store in <see cref="ExecutionOptions.DataDirectory"/> and starts the workers.</summary>
    /// <exception cref="StoreException">The store cannot be opened.</exception>
    public static ExecutionService Open(ExecutionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ExecutionService(options, NodeStore.Open(options.DataDirectory, options.BundleLimits));
    }

    /// <summary>The node's store (bundles, records, caches).</summary>
    public NodeStore Store { get; }

    /// <summary>The limits every run gets.</summary>
    public RunLimits Limits => _options.Limits;

    /// <summary>The operator's rules this node follows.</summary>
    public NodePolicy Policy => _options.Policy;

    /// <summary>Counters since the service started.</summary>
    public ExecutionStats Stats => new(Interlocked.Read(ref _runs), Interlocked.Read(ref _cacheHits), Interlocked.Read(ref _sharedRuns),
        Interlocked.Read(ref _overloaded), _queue.Count, Volatile.Read(ref _running), Interlocked.Read(ref _forwardedWhenBusy));

    // ---- publishing and resolving ----

    /// <summary>
    /// Publishes a signed record (wire form) with the bundle it names (original format; may be empty when the node
    /// already has that program, as for a rollback). Everything is verified before anything is stored.
    /// </summary>
    public PublishResult Publish(ReadOnlySpan<byte> signedRecord, ReadOnlySpan<byte> bundle)
    {
        SignedRecord record;
        try
        {
            record = SignedRecord.Decode(signedRecord);
        }
        catch (RecordException e)
        {
            return PublishResult.Refuse(PublishRefusal.MalformedRecord, "bad record: " + e.Message);
        }
        return PublishChecked(record, bundle);
    }

    /// <summary>Publishes a signed record with its bundle (or null when the node has the program).</summary>
    public PublishResult Publish(SignedRecord record, Bundle? bundle) => PublishChecked(record, bundle is null ? default : (ReadOnlySpan<byte>)bundle.Encode());

    private PublishResult PublishChecked(SignedRecord record, ReadOnlySpan<byte> bundle)
    {
        if (Refusal(record.Record) is { } refusal)
            return PublishResult.Refuse(PublishRefusal.Denied, refusal);
        var result = Store.Publish(record, bundle, _options.Policy.StorageBytesPerPublisher);
        if (result.Succeeded)
            _publishersOf.TryRemove(record.Record.Program, out _);
        return AfterPublish(result);
    }

    /// <summary>
    /// Why the operator's policy refuses <paramref name="record"/>'s publisher or program, or null when it is
    /// accepted. The network asks before it fetches a bundle a record names.
    /// </summary>
    public string? Refusal(PublicationRecord record) =>
        _options.Policy.RefusePublisher(record.Publisher.Id) ?? _options.Policy.RefuseProgram(record.Program);

    /// <summary>Why the policy refuses to run <paramref name="program"/>, or null; by name the publisher is known, by hash every publisher of it is asked.</summary>
    private string? RunRefusal(Hash256 program, ProgramVersion? version)
    {
        var policy = _options.Policy;
        if (policy.RefuseProgram(program) is { } refused)
            return refused;
        if (!policy.RestrictsPublishers)
            return null;
        if (version is not null)
            return policy.RefusePublisher(version.Publisher.Id);
        var publishers = PublishersOf(program);
        if (publishers.Length == 0 || publishers.Any(p => policy.RefusePublisher(p) is null))
            return null;
        return policy.RefusePublisher(publishers[0]);
    }

    private PublisherId[] PublishersOf(Hash256 program) =>
        _publishersOf.GetOrAdd(program, p => [.. Store.PublishersOf(p)]);

    /// <summary>Takes a run from the quota of the program's publisher (by hash: the first one the policy accepts).</summary>
    private bool TryTakeRun(Hash256 program, ProgramVersion? version, out PublisherId publisher)
    {
        publisher = default;
        if (_quota.RunsPerMinute == 0)
            return true;
        if (version is not null)
            publisher = version.Publisher.Id;
        else
        {
            var accepted = PublishersOf(program).Where(p => _options.Policy.RefusePublisher(p) is null).ToArray();
            if (accepted.Length == 0)
                return true;
            publisher = accepted[0];
        }
        return _quota.TryTake(publisher);
    }

    /// <summary>
    /// Runs a program elsewhere (the network sets it: a neighbour that holds it runs it and signs a receipt): one this
    /// node does not hold, or one it holds while its run queue is full (unless <see cref="RunOptions.MayForward"/> is
    /// off). A null answer leaves the request not found, or overloaded.
    /// </summary>
    public Func<ProgramRef, WebRequest, CancellationToken, Task<RunResult?>>? Forward { get; set; }

    /// <summary>
    /// Fetches a bundle by hash from elsewhere (the network sets it), for a program's pinned dependencies this node
    /// lacks; the bytes are checked against the hash before they are stored. Null leaves such runs not found.
    /// </summary>
    public Func<Hash256, CancellationToken, Task<byte[]?>>? FetchBundle { get; set; }

    private async Task<RunResult> ForwardAsync(Func<ProgramRef, WebRequest, CancellationToken, Task<RunResult?>> forward, ProgramRef target, WebRequest request, CancellationToken cancellation)
    {
        long start = Stopwatch.GetTimestamp();
        var result = await forward(target, request, cancellation);
        if (result is null)
            return Failure(RunStatus.NotFound, $"no program {target} on this node or its neighbours", default, request);
        return WithInfo(result, result.Info with { Duration = Stopwatch.GetElapsedTime(start) });
    }

    /// <summary>
    /// Raised after a publication is stored (a new version), on the publishing thread: the network spreads the
    /// record from here. Handlers must not throw.
    /// </summary>
    public event Action<ProgramVersion>? Published;

    private PublishResult AfterPublish(PublishResult result)
    {
        if (result.Status == PublishStatus.Published && ProgramLabel.TryParse(result.Label, out var label))
        {
            _names.TryRemove((label.Publisher, label.Name), out _);
            if (Published is { } published && Store.Resolve(label.Publisher, label.Name) is { } version)
                published(version);
        }
        return result;
    }

    /// <summary>What <paramref name="target"/> names now, or null when this node has no such program.</summary>
    public ResolvedProgram? Resolve(ProgramRef target)
    {
        if (target.IsHash)
            return _programs.TryGet(target.Hash, out _) || Store.HasProgram(target.Hash) ? new ResolvedProgram(target.Hash, null) : null;
        var key = (target.Publisher, target.Name!);
        if (!_names.TryGetValue(key, out var version))
        {
            version = Store.Resolve(target.Publisher, target.Name!);
            if (version is null)
                return null;
            _names[key] = version;
        }
        return new ResolvedProgram(version.Program, version);
    }

    /// <summary>Publishers with programs on this node, by id (at most <paramref name="max"/>).</summary>
    public IReadOnlyList<PublisherKey> ListPublishers(int max) => Store.ListPublishers(max);

    /// <summary>The publisher's programs at their current versions (by id; empty when the node knows no such publisher).</summary>
    public IReadOnlyList<ProgramVersion> ListPrograms(PublisherId publisher) =>
        Store.FindPublisher(publisher) is { } key ? Store.ListPrograms(key) : [];

    /// <summary>Every version of a program the node has accepted, newest first (each stays runnable by its hash).</summary>
    public IReadOnlyList<ProgramVersion> ListVersions(PublisherId publisher, string name) =>
        Store.FindPublisher(publisher) is { } key ? Store.History(key, name) : [];

    /// <summary>A file of the program, for serving assets such as <c>public/style.css</c>; null if there is none.</summary>
    public BundleFile? GetFile(ProgramRef target, string path)
    {
        var resolved = Resolve(target);
        return resolved is null ? null : LoadProgram(resolved.Program)?.Bundle.Find(path);
    }

    /// <summary>
    /// A bundle by hash, for a client that needs it (a program's pinned dependency in <c>coputer dev</c>): from this
    /// node's store, or fetched from elsewhere when <see cref="FetchBundle"/> is set, checked against the hash and
    /// stored. Null when this node refuses the program or cannot find it.
    /// </summary>
    public async Task<byte[]?> GetBundleAsync(Hash256 program, CancellationToken cancellation = default)
    {
        if (_options.Policy.RefuseProgram(program) is not null)
            return null;
        if (Store.GetBundleBytes(program) is { } held)
            return held;
        if (FetchBundle is not { } fetch || await fetch(program, cancellation).ConfigureAwait(false) is not { } bytes)
            return null;
        return Store.PutBundle(program, bytes) ? bytes : null;
    }

    /// <summary>The program's most recent runs, newest first (empty if it has not run since the service started).</summary>
    public IReadOnlyList<RunLogEntry> RecentRuns(Hash256 program) =>
        _recentRuns.TryGetValue(program, out var ring) ? ring.Snapshot() : [];

    // ---- running ----

    /// <summary>
    /// Runs the web program <paramref name="target"/> for <paramref name="request"/>. Never throws for a failed run:
    /// the result's <see cref="RunResult.Status"/> tells a response from a program error, a limit hit, a missing
    /// program, an overloaded node, a timeout or a cancellation.
    /// </summary>
    public Task<RunResult> RunAsync(ProgramRef target, WebRequest request, RunOptions? options = null, CancellationToken cancellation = default) =>
        RunCore(target, request, options ?? RunOptions.Default, mayFetch: true, cancellation);

    private Task<RunResult> RunCore(ProgramRef target, WebRequest request, RunOptions options, bool mayFetch, CancellationToken cancellation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long start = Stopwatch.GetTimestamp();
        var resolved = Resolve(target);
        if (resolved is null)
        {
            // A program the node does not hold is still the operator's to refuse before asking the network for it.
            var policy = _options.Policy;
            if ((target.IsHash ? policy.RefuseProgram(target.Hash) : policy.RefusePublisher(target.Publisher)) is { } refused)
                return Task.FromResult(Failure(RunStatus.Refused, refused, target.IsHash ? target.Hash : default, request));
            return Forward is { } forward ? ForwardAsync(forward, target, request, cancellation) : Task.FromResult(Failure(RunStatus.NotFound, $"no program {target} on this node", default, request));
        }
        var program = resolved.Program;
        if (RunRefusal(program, resolved.Version) is { } refusal)
            return Task.FromResult(Failure(RunStatus.Refused, refusal, program, request));
        var input = request.InputHash;
        var key = (program, input);
        if (options.UseCache && TryGetCached(key, start) is { } cached)
            return Task.FromResult(cached);

        // Identical requests share one run; a run without the cache is shared only with others that skip it.
        var flightKey = (program, input, options.UseCache);
        while (true)
        {
            if (_inFlight.TryGetValue(flightKey, out var running))
            {
                if (running.TryJoin())
                {
                    Interlocked.Increment(ref _sharedRuns);
                    return Wait(running, options, cancellation, shared: true);
                }
                // Everyone waiting for that run gave up, so it is being cancelled: start afresh.
                _inFlight.TryRemove(new(flightKey, running));
                continue;
            }
            if (mayFetch && FetchBundle is { } fetch && MissingDependencies(program) is { Count: > 0 } missing)
                return FetchDependenciesThenRunAsync(fetch, missing, target, request, options, cancellation);
            if (!TryTakeRun(program, resolved.Version, out var publisher))
            {
                var wait = _quota.RetryAfter(publisher);
                return Task.FromResult(new RunResult
                {
                    Status = RunStatus.QuotaExceeded,
                    Error = $"publisher {publisher} has used its {_quota.RunsPerMinute:N0} runs a minute on this node; try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} s",
                    RetryAfter = wait,
                    Info = new RunInfo { Program = program, Input = request.InputHash },
                });
            }
            var job = new Job(program, request, options.UseCache);
            if (!_inFlight.TryAdd(flightKey, job))
                continue;
            if (!_queue.TryAdd(job))
            {
                _inFlight.TryRemove(new(flightKey, job));
                Interlocked.Increment(ref _overloaded);
                // A full queue is the one case a program this node holds is run elsewhere: the network asks a
                // neighbour that holds it and checks its signed answer.
                if (options.MayForward && Forward is { } overflow)
                    return ForwardWhenBusyAsync(overflow, target, request, program, start, cancellation);
                return Task.FromResult(Failure(RunStatus.Overloaded, "the node is busy; try again shortly", program, request));
            }
            return Wait(job, options, cancellation, shared: false);
        }
    }

    /// <summary>
    /// The pinned dependencies of <paramref name="program"/> (and of theirs) this node does not have; empty once all
    /// are here, which is remembered. An invalid manifest counts as nothing missing: the run reports it.
    /// </summary>
    private List<Hash256> MissingDependencies(Hash256 program)
    {
        if (_dependenciesPresent.ContainsKey(program))
            return [];
        var missing = new List<Hash256>();
        var seen = new HashSet<Hash256> { program };
        var queue = new Queue<Hash256>([program]);
        // Bounded: at most this many programs are looked at before a run (the run itself has its require depth).
        while (queue.Count > 0 && seen.Count < 256)
        {
            if (LoadProgram(queue.Dequeue())?.Manifest.Manifest is not { } manifest)
                continue;
            foreach (var dependency in manifest.Dependencies)
            {
                if (!seen.Add(dependency.Program) || _options.Policy.RefuseProgram(dependency.Program) is not null)
                    continue;
                if (Store.HasProgram(dependency.Program))
                    queue.Enqueue(dependency.Program);
                else
                    missing.Add(dependency.Program);
            }
        }
        if (missing.Count == 0)
            _dependenciesPresent[program] = true;
        return missing;
    }

    private async Task<RunResult> FetchDependenciesThenRunAsync(Func<Hash256, CancellationToken, Task<byte[]?>> fetch, List<Hash256> missing, ProgramRef target, WebRequest request, RunOptions options, CancellationToken cancellation)
    {
        bool fetched = false;
        foreach (var hash in missing)
        {
            var bytes = await fetch(hash, cancellation).ConfigureAwait(false);
            fetched |= bytes is not null && Store.PutBundle(hash, bytes);
        }
        // Something new may have dependencies of its own, so look again; with nothing new, run: the run says what is missing.
        return await RunCore(target, request, options, mayFetch: fetched, cancellation).ConfigureAwait(false);
    }

    private async Task<RunResult> ForwardWhenBusyAsync(Func<ProgramRef, WebRequest, CancellationToken, Task<RunResult?>> forward, ProgramRef target, WebRequest request, Hash256 program, long start, CancellationToken cancellation)
    {
        var result = await forward(target, request, cancellation);
        if (result is null)
            return Failure(RunStatus.Overloaded, "the node is busy; try again shortly", program, request);
        Interlocked.Increment(ref _forwardedWhenBusy);
        return WithInfo(result, result.Info with { Duration = Stopwatch.GetElapsedTime(start) });
    }

    private RunResult? TryGetCached((Hash256 Program, Hash256 Input) key, long start)
    {
        if (!_results.TryGet(key, out var result))
        {
            if (Store.TryGetResult(key.Program, key.Input, ProgramRuntime.Version) is not { } bytes || ResultCodec.Decode(bytes, key.Program, key.Input) is not { } decoded)
                return null;
            _results.Set(key, decoded);
            result = decoded;
        }
        else if (_touches.Due(key))
        {
            // At most one store update per key a second: the eviction order stays close enough, and a hot page no
            // longer turns every hit into a database write.
            Store.TouchResult(key.Program, key.Input, ProgramRuntime.Version);
        }
        Interlocked.Increment(ref _cacheHits);
        return WithInfo(result, result.Info with { Duration = Stopwatch.GetElapsedTime(start) });
    }

    private async Task<RunResult> Wait(Job job, RunOptions options, CancellationToken cancellation, bool shared)
    {
        var deadline = options.Deadline ?? _options.DefaultDeadline;
        try
        {
            var result = await job.Completion.Task.WaitAsync(deadline, cancellation).ConfigureAwait(false);
            return shared ? WithInfo(result, result.Info with { Shared = true }) : result;
        }
        catch (TimeoutException)
        {
            job.Leave();
            return Failure(RunStatus.Timeout, $"no answer within {deadline.TotalSeconds:0.###} s", job.Program, job.Request);
        }
        catch (OperationCanceledException)
        {
            job.Leave();
            return Failure(RunStatus.Cancelled, "the request was cancelled", job.Program, job.Request);
        }
    }

    private static RunResult WithInfo(RunResult r, RunInfo info) => new()
    {
        Status = r.Status,
        Response = r.Response,
        Error = r.Error,
        Traceback = r.Traceback,
        Limit = r.Limit,
        Info = info,
    };

    private static RunResult Failure(RunStatus status, string message, Hash256 program, WebRequest request) => new()
    {
        Status = status,
        Error = message,
        Info = new RunInfo { Program = program, Input = request.InputHash },
    };

    private void Work()
    {
        foreach (var job in _queue.GetConsumingEnumerable())
        {
            var key = (job.Program, job.Request.InputHash, job.UseCache);
            RunResult result;
            Interlocked.Increment(ref _running);
            try
            {
                result = job.Abandoned.IsCancellationRequested
                    ? Failure(RunStatus.Cancelled, "every caller gave up before the run started", job.Program, job.Request)
                    : Execute(job);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Trace.TraceError($"coputer: run of {job.Program} failed inside the node: {e}");
                result = Failure(RunStatus.InternalError, "the node failed to run the program", job.Program, job.Request);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
            _inFlight.TryRemove(new(key, job));
            job.Completion.TrySetResult(result);
        }
    }

    private RunResult Execute(Job job)
    {
        var program = LoadProgram(job.Program);
        if (program is null)
            return Failure(RunStatus.NotFound, $"no program {job.Program} on this node", job.Program, job.Request);
        Interlocked.Increment(ref _runs);
        var result = ProgramRuntime.Run(program, job.Request, _options.Limits, job.Abandoned.Token, LoadDependency, _options.IlTier);
        if (result.IsDeterministic && job.UseCache)
        {
            var key = (job.Program, job.Request.InputHash);
            var stored = WithInfo(result, result.Info with { Log = "", Cached = true });
            _results.Set(key, stored);
            Store.PutResult(job.Program, job.Request.InputHash, ProgramRuntime.Version, ResultCodec.Encode(result));
        }
        _recentRuns.GetOrAdd(job.Program, _ => new RunLogRing(_options.RecentRunsPerProgram)).Add(new RunLogEntry
        {
            Time = DateTimeOffset.UtcNow,
            Request = job.Request.ToString(),
            Status = result.Status,
            StatusCode = result.Response?.StatusCode,
            Error = result.Error,
            Traceback = result.Traceback,
            Limit = result.Limit,
            Info = result.Info,
        });
        return result;
    }

    /// <summary>A pinned dependency for a run: loaded from the store unless the operator refuses it.</summary>
    private CompiledProgram? LoadDependency(Hash256 hash) => _options.Policy.RefuseProgram(hash) is null ? LoadProgram(hash) : null;

    private CompiledProgram? LoadProgram(Hash256 hash)
    {
        if (_programs.TryGet(hash, out var program))
            return program;
        var bundle = Store.GetBundle(hash);
        if (bundle is null)
            return null;
        program = new CompiledProgram(bundle, Store);
        _programs.Set(hash, program);
        return program;
    }

    /// <summary>Stops the workers (runs in progress finish first) and closes the store.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _queue.CompleteAdding();
        foreach (var w in _workers)
            w.Join();
        _queue.Dispose();
        Store.Dispose();
    }

    /// <summary>A queued or running run, and the callers waiting for it.</summary>
    private sealed class Job(Hash256 program, WebRequest request, bool useCache)
    {
        private int _waiters = 1;

        public Hash256 Program { get; } = program;
        public WebRequest Request { get; } = request;
        public bool UseCache { get; } = useCache;
        public TaskCompletionSource<RunResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Cancelled when every waiter has left: the run stops (a transient outcome, not cached).</summary>
        public CancellationTokenSource Abandoned { get; } = new();

        /// <summary>Adds a waiter, unless everyone already left.</summary>
        public bool TryJoin()
        {
            while (true)
            {
                int n = Volatile.Read(ref _waiters);
                if (n == 0)
                    return false;
                if (Interlocked.CompareExchange(ref _waiters, n + 1, n) == n)
                    return true;
            }
        }

        public void Leave()
        {
            if (Interlocked.Decrement(ref _waiters) == 0)
                Abandoned.Cancel();
        }
    }
}
