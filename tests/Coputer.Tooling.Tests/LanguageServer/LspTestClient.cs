using System.IO.Pipelines;
using System.Text;
using System.Text.Json.Nodes;
using Coputer.Tooling.LanguageServer;

namespace Coputer.Tooling.Tests.LanguageServer;

/// <summary>
/// Plays the editor against a server running in-process on two in-memory pipes. Every read has a 60-second hang guard
/// (a guard against a stuck server, not a speed check).
/// </summary>
internal sealed class LspTestClient : IAsyncDisposable
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);
    private readonly Pipe _toServer = new();
    private readonly Pipe _fromServer = new();
    private readonly LspMessageReader _reader;
    private readonly Queue<JsonObject> _notifications = new();
    private int _nextId;

    public LspTestClient(int maxMessageLength = LspMessageReader.DefaultMaxContentLength)
    {
        var server = new LuauLanguageServer(_toServer.Reader.AsStream(), _fromServer.Writer.AsStream(), TextWriter.Null, maxMessageLength);
        ServerTask = Task.Run(() => server.RunAsync());
        _reader = new LspMessageReader(_fromServer.Reader.AsStream());
    }

    public Task<int> ServerTask { get; }

    public async Task SendRawAsync(byte[] bytes)
    {
        await _toServer.Writer.WriteAsync(bytes);
        await _toServer.Writer.FlushAsync();
    }

    public Task SendAsync(JsonObject message)
    {
        byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
        return SendRawAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body]);
    }

    public Task NotifyAsync(string method, JsonNode? parameters) =>
        SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    public async Task<JsonObject> ReadAsync()
    {
        using var guard = new CancellationTokenSource(s_hangGuard);
        byte[] body = await _reader.ReadAsync(guard.Token) ?? throw new InvalidOperationException("the server closed its output");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Sends a request and returns its whole response (result or error); notifications that arrive first are kept.</summary>
    public async Task<JsonObject> RequestAsync(string method, JsonNode? parameters)
    {
        int id = ++_nextId;
        await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        while (true)
        {
            var message = await ReadAsync();
            if (message["method"] is not null)
            {
                _notifications.Enqueue(message);
                continue;
            }
            Assert.Equal(id, message["id"]!.GetValue<int>());
            return message;
        }
    }

    /// <summary>The result of a request that must succeed.</summary>
    public async Task<JsonNode?> ResultAsync(string method, JsonNode? parameters)
    {
        var response = await RequestAsync(method, parameters);
        Assert.True(response["error"] is null, $"{method} failed: {response["error"]?.ToJsonString()}");
        Assert.True(response.ContainsKey("result"), $"{method}: no result");
        return response["result"];
    }

    public async Task<JsonObject> NotificationAsync(string method)
    {
        while (true)
        {
            var message = _notifications.Count > 0 ? _notifications.Dequeue() : await ReadAsync();
            if (message["method"]?.GetValue<string>() == method)
                return message["params"]!.AsObject();
        }
    }

    public async Task InitializeAsync(JsonObject? capabilities = null)
    {
        var result = await ResultAsync("initialize", new JsonObject { ["processId"] = null, ["rootUri"] = null, ["capabilities"] = capabilities ?? [] });
        Assert.NotNull(result?["capabilities"]);
        await NotifyAsync("initialized", new JsonObject());
    }

    /// <summary>Closes the server's input and waits for it to finish; returns its exit status.</summary>
    public async Task<int> CloseInputAsync()
    {
        await _toServer.Writer.CompleteAsync();
        return await ServerTask.WaitAsync(s_hangGuard);
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _fromServer.Reader.CompleteAsync();
        try
        {
            await ServerTask.WaitAsync(s_hangGuard);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The server may fail to write once its output is closed; that is expected at teardown.
        }
    }

    public static JsonObject Position(int line, int character) => new() { ["line"] = line, ["character"] = character };

    public static JsonObject At(string uri, int line, int character) => new()
    {
        ["textDocument"] = new JsonObject { ["uri"] = uri },
        ["position"] = Position(line, character),
    };

    public static JsonObject Doc(string uri) => new() { ["textDocument"] = new JsonObject { ["uri"] = uri } };
}
