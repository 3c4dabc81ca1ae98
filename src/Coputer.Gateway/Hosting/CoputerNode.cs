using System.Net;
using System.Net.Sockets;
using Coputer.Gateway.Development;
using Coputer.Platform.Execution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coputer.Gateway.Hosting;

/// <summary>How to start a <see cref="CoputerNode"/>. Only the data directory is required.</summary>
public sealed record NodeOptions
{
    /// <summary>Where the node keeps its store; created if missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>How the gateway serves (host name, limits, development mode).</summary>
    public GatewayOptions Gateway { get; init; } = new();

    /// <summary>The HTTP port; 0 picks a free one (see <see cref="CoputerNode.Port"/>).</summary>
    public int Port { get; init; } = CoputerNode.DefaultPort;

    /// <summary>
    /// The addresses to listen on. By default a node whose host is <c>localhost</c> listens on the loopback
    /// interface only, and any other node on every interface.
    /// </summary>
    public IReadOnlyList<IPAddress>? Listen { get; init; }

    /// <summary>Adjusts the execution service's settings (workers, queue, limits, caches).</summary>
    public Func<ExecutionOptions, ExecutionOptions>? Execution { get; init; }

    /// <summary>Sets up logging; by default one line per event on the console.</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>Development mode's reload state, shared with the file watcher (development only).</summary>
    public DevelopmentHub? Development { get; init; }
}

/// <summary>
/// A running node: its store and execution service with the gateway in front, on Kestrel. This is the one place
/// the node is put together; peer transport will join it here.
/// </summary>
/// <example>
/// <code>
/// await using var node = await CoputerNode.StartAsync(new NodeOptions { DataDirectory = "data", Port = 0 });
/// Console.WriteLine(node.HomeUrl);
/// await node.WaitForShutdownAsync();
/// </code>
/// </example>
public sealed class CoputerNode : IAsyncDisposable
{
    /// <summary>The port a node serves on unless told otherwise (the original gateway's).</summary>
    public const int DefaultPort = 2517;

    private readonly WebApplication _app;
    private bool _disposed;

    private CoputerNode(WebApplication app, ExecutionService execution, Gateway gateway, int port, IReadOnlyList<string> addresses)
    {
        _app = app;
        Execution = execution;
        Gateway = gateway;
        Port = port;
        Addresses = addresses;
    }

    /// <summary>The node's execution service (store, runs, caches).</summary>
    public ExecutionService Execution { get; }

    /// <summary>The gateway answering HTTP.</summary>
    public Gateway Gateway { get; }

    /// <summary>The port the node listens on.</summary>
    public int Port { get; }

    /// <summary>The addresses Kestrel bound, for example <c>http://127.0.0.1:2517</c>.</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>The home page's address.</summary>
    public string HomeUrl => $"http://{Gateway.Options.Host}{PortSuffix}/";

    /// <summary>A program's address on this node.</summary>
    public string ProgramUrl(string label) => $"http://{label}.{Gateway.Options.Host}{PortSuffix}/";

    private string PortSuffix => Port == 80 ? "" : $":{Port}";

    /// <summary>Opens the store, starts the execution service and the gateway, and returns once it is listening.</summary>
    /// <exception cref="IOException">The port is taken or cannot be bound.</exception>
    public static async Task<CoputerNode> StartAsync(NodeOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gatewayOptions = options.Gateway;
        var executionOptions = new ExecutionOptions { DataDirectory = options.DataDirectory };
        if (options.Execution is not null)
            executionOptions = options.Execution(executionOptions);
        var execution = ExecutionService.Open(executionOptions);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "coputer", ContentRootPath = AppContext.BaseDirectory, Args = [] });
            builder.Logging.ClearProviders();
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            if (options.Logging is not null)
                options.Logging(builder.Logging);
            else
                builder.Logging.AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "HH:mm:ss "; });
            builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));
            builder.Services.Configure<ConsoleLifetimeOptions>(c => c.SuppressStatusMessages = true);
            builder.WebHost.ConfigureKestrel(k => Configure(k, options));

            var app = builder.Build();
            var gateway = new Gateway(execution, gatewayOptions, app.Services.GetRequiredService<ILoggerFactory>(), options.Development)
            {
                Stopping = app.Lifetime.ApplicationStopping,
            };
            app.Run(gateway.HandleAsync);
            try
            {
                await app.StartAsync(cancellation);
            }
            catch (Exception e) when (e is IOException or SocketException || e.InnerException is SocketException)
            {
                await app.DisposeAsync();
                throw new IOException($"cannot listen on port {options.Port}: {e.Message}", e);
            }
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            int port = options.Port != 0 ? options.Port : addresses.Select(a => new Uri(a).Port).FirstOrDefault();
            return new CoputerNode(app, execution, gateway, port, addresses);
        }
        catch
        {
            execution.Dispose();
            throw;
        }
    }

    private static void Configure(KestrelServerOptions kestrel, NodeOptions options)
    {
        var g = options.Gateway;
        kestrel.AddServerHeader = false;
        var limits = kestrel.Limits;
        limits.MaxRequestBodySize = g.MaxRequestBodyBytes;
        limits.MaxRequestHeadersTotalSize = g.MaxRequestHeadersBytes;
        limits.MaxRequestHeaderCount = g.MaxRequestHeaderCount;
        limits.MaxRequestLineSize = g.MaxRequestLineBytes;
        limits.RequestHeadersTimeout = g.RequestHeadersTimeout;
        limits.KeepAliveTimeout = g.KeepAliveTimeout;
        limits.MinRequestBodyDataRate = new MinDataRate(g.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5));
        limits.MinResponseDataRate = new MinDataRate(g.MinResponseBytesPerSecond, TimeSpan.FromSeconds(5));
        limits.MaxConcurrentConnections = g.MaxConnections;
        limits.MaxConcurrentUpgradedConnections = 0;
        foreach (var address in ListenAddresses(options))
            kestrel.Listen(address, options.Port);
    }

    private static IEnumerable<IPAddress> ListenAddresses(NodeOptions options)
    {
        if (options.Listen is { Count: > 0 } listen)
            return listen;
        bool local = options.Gateway.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
        // With port 0 each address would get a port of its own; one address keeps one port.
        if (options.Port == 0)
            return [local ? IPAddress.Loopback : IPAddress.Any];
        if (!local)
            return [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any];
        return Socket.OSSupportsIPv6 && HasIPv6Loopback() ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : [IPAddress.Loopback];
    }

    private static bool HasIPv6Loopback()
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Waits until the node is asked to stop (Ctrl-C, SIGTERM, or <paramref name="cancellation"/>).</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellation = default)
    {
        try
        {
            await _app.WaitForShutdownAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops the gateway (requests in flight finish first), then the execution service and the store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            Execution.Dispose();
        }
    }
}
