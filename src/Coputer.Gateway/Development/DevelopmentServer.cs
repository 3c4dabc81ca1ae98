using Coputer.Gateway.Hosting;
using Coputer.Platform;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Microsoft.Extensions.Logging;

namespace Coputer.Gateway.Development;

/// <summary>What one republication of the watched folder did.</summary>
/// <param name="Program">The new program hash, or null when the folder could not be bundled or nothing changed.</param>
/// <param name="Failure">Why the folder could not be bundled, or null.</param>
/// <param name="Unchanged">Whether the files were the same as the version already served.</param>
public sealed record Republication(Hash256? Program, BuildFailure? Failure, bool Unchanged);

/// <summary>How to start a <see cref="DevelopmentServer"/>.</summary>
public sealed record DevelopmentServerOptions
{
    /// <summary>The program folder to serve and watch.</summary>
    public required string Directory { get; init; }

    /// <summary>The HTTP port on the loopback interface; 0 picks a free one.</summary>
    public int Port { get; init; } = DevelopmentServer.DefaultPort;

    /// <summary>Who signs the development versions (a throwaway key when null; the store is temporary anyway).</summary>
    public Publisher? Publisher { get; init; }

    /// <summary>How long the folder must be quiet after a change before it is republished.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Check the folder at this interval instead of watching it (for file systems whose change events do not arrive,
    /// such as some network and container mounts). Null watches, and falls back to polling every second when the
    /// system refuses a watch (for example when inotify's limits are used up).
    /// </summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>
    /// Where the programs the folder's <c>coputer.json</c> pins are fetched from when a run needs them (checked
    /// against their hashes and kept for the session); null leaves such runs not found.
    /// </summary>
    public DependencySource? Dependencies { get; init; }

    /// <summary>Sets up the node's logging (by default, warnings and errors only: the server reports requests itself).</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }
}

/// <summary>
/// Development mode: an in-process node on a temporary store, in development mode, serving one program folder at
/// <c>http://localhost:N/</c> and at its subdomain form <c>http://{name}-{id}.localhost:N/</c>. A recursive watch
/// on the folder republishes it after each burst of changes; open pages reload by themselves
/// (<see cref="DevelopmentHub"/>), and program errors show in the browser with their source and traceback. The
/// runtime, the request contract and the limits are those of a production node; only the result cache is off, so
/// every request runs (and prints).
/// </summary>
public sealed class DevelopmentServer : IAsyncDisposable
{
    /// <summary>The port <c>coputer dev</c> serves on unless told otherwise (one above a node's).</summary>
    public const int DefaultPort = CoputerNode.DefaultPort + 1;

    private readonly DevelopmentServerOptions _options;
    private readonly string _dataDirectory;
    private readonly Publisher _publisher;
    private readonly bool _ownsPublisher;
    private readonly Lock _publishing = new();
    private readonly Timer _debounce;
    private FileSystemWatcher? _watcher;
    private Timer? _poll;
    private long _fingerprint;
    private Hash256? _served;
    private long _sequence;
    private bool _disposed;

    private DevelopmentServer(DevelopmentServerOptions options, string dataDirectory, Publisher publisher, bool ownsPublisher, string name, DevelopmentHub hub)
    {
        _options = options;
        _dataDirectory = dataDirectory;
        _publisher = publisher;
        _ownsPublisher = ownsPublisher;
        Name = name;
        Hub = hub;
        _debounce = new Timer(_ => Republish(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>The node serving the program.</summary>
    public CoputerNode Node { get; private set; } = null!;

    /// <summary>The program's name (from the folder's name).</summary>
    public string Name { get; }

    /// <summary>The program's address label, <c>{name}-{id}</c>.</summary>
    public string Label => $"{Name}-{_publisher.Key.Id}";

    /// <summary>The reload and build-error state open pages follow.</summary>
    public DevelopmentHub Hub { get; }

    /// <summary>The program at the root: <c>http://localhost:N/</c>.</summary>
    public string Url => $"http://localhost:{Node.Port}/";

    /// <summary>The program at its subdomain, as a node serves it: <c>http://{name}-{id}.localhost:N/</c>.</summary>
    public string SubdomainUrl => Node.ProgramUrl(Label);

    /// <summary>Fires when a pinned dependency a run needs cannot be fetched, with why (from the request's thread).</summary>
    public event Action<string>? DependencyUnavailable;

    private void DependencyFailed(string why) => DependencyUnavailable?.Invoke(why);

    /// <summary>Fires after each republication (from the watcher's thread).</summary>
    public event Action<Republication>? Republished;

    /// <summary>Fires after each program request (for the console).</summary>
    public event Action<ProgramRequestLog>? Served
    {
        add => Node.Gateway.ProgramServed += value;
        remove => Node.Gateway.ProgramServed -= value;
    }

    /// <summary>The program name a folder gets: its own name in lowercase, with what a name cannot hold turned into hyphens.</summary>
    public static string NameFor(string directory)
    {
        string folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))).ToLowerInvariant();
        var chars = folder.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        string name = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        if (name.Length > ProgramName.MaxLength)
            name = name[..ProgramName.MaxLength].TrimEnd('-');
        return ProgramName.Validate(name) is null ? name : "site";
    }

    /// <summary>Publishes the folder once, starts the node and the watch, and returns once it serves.</summary>
    /// <exception cref="IOException">The port is taken, or the folder cannot be watched.</exception>
    public static async Task<DevelopmentServer> StartAsync(DevelopmentServerOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!System.IO.Directory.Exists(options.Directory))
            throw new DirectoryNotFoundException($"{options.Directory}: no such folder");
        string data = Path.Combine(Path.GetTempPath(), "coputer-dev-" + Guid.NewGuid().ToString("N")[..12]);
        var publisher = options.Publisher ?? Publisher.Generate();
        string name = NameFor(options.Directory);
        var hub = new DevelopmentHub();
        var server = new DevelopmentServer(options, data, publisher, options.Publisher is null, name, hub);
        try
        {
            server.Node = await CoputerNode.StartAsync(new NodeOptions
            {
                DataDirectory = data,
                Port = options.Port,
                Listen = options.Port == 0 ? null : [System.Net.IPAddress.Loopback],
                Development = hub,
                Gateway = new GatewayOptions
                {
                    Host = "localhost",
                    Development = true,
                    UseResultCache = false,
                    RootProgram = ProgramRef.ByName(publisher.Key, name),
                },
                Logging = options.Logging ?? (b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(c => c.SingleLine = true)),
            }, cancellation);
            if (options.Dependencies is { } source)
                server.Node.Execution.FetchBundle = (hash, token) => source.TryFetchBytesAsync(hash, server.DependencyFailed, token);
            server.Republish(initial: true);
            server.Watch();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private void Watch()
    {
        if (_options.PollInterval is { } interval)
        {
            StartPolling(interval);
            return;
        }
        var watcher = new FileSystemWatcher(Path.GetFullPath(_options.Directory))
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => Schedule();
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => Schedule();
        // Missed events (a full buffer): the folder is read again anyway.
        watcher.Error += (_, _) => Schedule();
        try
        {
            watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // Typically inotify's per-user limits on Linux: polling still finds every change, a little later.
            watcher.Dispose();
            WatchFallback = e.Message;
            StartPolling(TimeSpan.FromSeconds(1));
            return;
        }
        _watcher = watcher;
    }

    private void StartPolling(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "the poll interval must be positive");
        PollInterval = interval;
        _fingerprint = Fingerprint();
        _poll = new Timer(_ => Poll(), null, interval, interval);
    }

    /// <summary>
    /// One poll: when any file's name, size or write time changed, republish after the usual quiet period, as a
    /// watch event would (so a file caught half-written is read again once the writer is done).
    /// </summary>
    private void Poll()
    {
        long now = Fingerprint();
        if (now == Interlocked.Exchange(ref _fingerprint, now))
            return;
        Schedule();
    }

    /// <summary>A cheap summary of the folder's files (paths, sizes and write times), without reading them.</summary>
    private long Fingerprint()
    {
        var hash = new HashCode();
        try
        {
            foreach (var file in new DirectoryInfo(_options.Directory).EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
            {
                hash.Add(file.FullName, StringComparer.Ordinal);
                hash.Add(file.Length);
                hash.Add(file.LastWriteTimeUtc.Ticks);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder that cannot be listed right now counts as changed; the republication says why.
            return Environment.TickCount64;
        }
        return hash.ToHashCode();
    }

    /// <summary>How often the folder is checked when it is polled rather than watched, or null when it is watched.</summary>
    public TimeSpan? PollInterval { get; private set; }

    /// <summary>Why watching the folder failed and polling took over, or null.</summary>
    public string? WatchFallback { get; private set; }

    /// <summary>Republishes once the folder has been quiet for the debounce interval.</summary>
    private void Schedule()
    {
        if (!_disposed)
            _debounce.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Reads the folder again and, when it changed, publishes it and tells open pages to reload.</summary>
    public Republication Republish() => Republish(initial: false);

    private Republication Republish(bool initial)
    {
        Republication outcome;
        lock (_publishing)
        {
            if (_disposed)
                return new Republication(null, null, true);
            outcome = PublishFolder();
            if (!initial && !outcome.Unchanged)
                Hub.Changed(outcome.Failure);
            else if (initial && outcome.Failure is not null)
                Hub.Changed(outcome.Failure);
        }
        Republished?.Invoke(outcome);
        return outcome;
    }

    private Republication PublishFolder()
    {
        Bundle bundle;
        try
        {
            bundle = Bundle.FromDirectory(_options.Directory, Node.Execution.Store.BundleLimits);
        }
        catch (Exception e) when (e is BundleException or IOException or UnauthorizedAccessException)
        {
            var failure = new BuildFailure(e.Message, null, null);
            bool same = Hub.Failure == failure;
            _served = null;
            return new Republication(null, failure, same);
        }
        if (_served == bundle.Hash && Hub.Failure is null)
            return new Republication(bundle.Hash, null, true);
        var record = new PublicationRecord(_publisher.Key, Name, bundle.Hash, ++_sequence).Sign(_publisher);
        var result = Node.Execution.Publish(record, bundle);
        if (!result.Succeeded)
            return new Republication(null, new BuildFailure(result.Message, null, null), false);
        _served = bundle.Hash;
        return new Republication(bundle.Hash, null, false);
    }

    /// <summary>Waits until the server is asked to stop (Ctrl-C, or <paramref name="cancellation"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => Node.WaitForShutdownAsync(cancellation);

    /// <summary>Stops the watch and the node, and deletes the temporary store.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_publishing)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _watcher?.Dispose();
        if (_poll is not null)
            await _poll.DisposeAsync();
        await _debounce.DisposeAsync();
        if (Node is not null)
            await Node.DisposeAsync();
        if (_ownsPublisher)
            _publisher.Dispose();
        try
        {
            System.IO.Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
