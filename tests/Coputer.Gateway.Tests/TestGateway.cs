using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Coputer.Gateway.Hosting;
using Coputer.Platform.Bundles;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Store;
using Microsoft.Extensions.Logging;

namespace Coputer.Gateway.Tests;

/// <summary>A node on a free loopback port over a temporary store, a publisher, and an HTTP client that sets the Host header.</summary>
internal sealed class TestGateway : IAsyncDisposable
{
    public const string Host = "coputer.test";

    /// <summary>A publish request as a publisher's client sends it: the signed record in its header, the bundle as body.</summary>
    public static HttpRequestMessage PublishRequest(byte[] record, byte[] bundle)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = new ByteArrayContent(bundle) };
        request.Headers.Host = Host;
        request.Headers.Add(Gateway.RecordHeader, Base64Url.EncodeToString(record));
        return request;
    }

    private readonly Dictionary<string, long> _sequences = [];

    private TestGateway(CoputerNode node, string directory, CapturingLogger logs)
    {
        Node = node;
        Directory = directory;
        Logs = logs;
        Client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{node.Port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public CoputerNode Node { get; }

    public string Directory { get; }

    public CapturingLogger Logs { get; }

    public HttpClient Client { get; }

    public Publisher Publisher { get; } = Publisher.Generate();

    public int Port => Node.Port;

    public static async Task<TestGateway> StartAsync(GatewayOptions? gateway = null, Func<ExecutionOptions, ExecutionOptions>? execution = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "coputer-gw-" + Guid.NewGuid().ToString("N")[..12]);
        var logs = new CapturingLogger();
        var node = await CoputerNode.StartAsync(new NodeOptions
        {
            DataDirectory = directory,
            Port = 0,
            Gateway = (gateway ?? new GatewayOptions()) with { Host = Host },
            Execution = o => execution is null ? o with { Workers = 2 } : execution(o with { Workers = 2 }),
            Logging = b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information),
        });
        return new TestGateway(node, directory, logs);
    }

    public string Label(string name) => $"{name}-{Publisher.Key.Id}";

    public string ProgramHost(string name) => $"{Label(name)}.{Host}";

    public PublishResult Publish(string name, Bundle bundle)
    {
        var result = Node.Execution.Publish(SignedRecordFor(name, bundle).Encode(), bundle.Encode());
        Assert.True(result.Succeeded, result.Message);
        return result;
    }

    public SignedRecord SignedRecordFor(string name, Bundle bundle)
    {
        long sequence = _sequences.GetValueOrDefault(name) + 1;
        _sequences[name] = sequence;
        return new PublicationRecord(Publisher.Key, name, bundle.Hash, sequence).Sign(Publisher);
    }

    public static Bundle Program(string directory) => Bundle.FromDirectory(Path.Combine(AppContext.BaseDirectory, "Programs", directory));

    public static Bundle FromSource(string main, params (string Path, string Content)[] others)
    {
        var files = new List<KeyValuePair<string, byte[]>> { new("main.luau", Encoding.UTF8.GetBytes(main)) };
        files.AddRange(others.Select(o => new KeyValuePair<string, byte[]>(o.Path, Encoding.UTF8.GetBytes(o.Content))));
        return Bundle.Create(files);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string host, string target, HttpContent? content = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, target) { Content = content };
        request.Headers.Host = host;
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string host, string target, params (string Name, string Value)[] headers) => SendAsync(HttpMethod.Get, host, target, null, headers);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Node.DisposeAsync();
        Publisher.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keeps every log message, with its structured fields.</summary>
internal sealed class CapturingLogger : ILoggerProvider, ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Fields)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));

    public void Dispose()
    {
    }
}
