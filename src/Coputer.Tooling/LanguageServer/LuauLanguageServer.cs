using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coputer.Tooling.Formatting;

namespace Coputer.Tooling.LanguageServer;

/// <summary>JSON-RPC and protocol error codes.</summary>
internal static class LspErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int ServerNotInitialized = -32002;
    public const int RequestFailed = -32803;
}

/// <summary>A request that gets an error response with this code and message.</summary>
internal sealed class LspRequestException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>
/// The Luau language server (<c>coputer lsp</c>): the Language Server Protocol over a pair of streams, one message at a
/// time. It answers from the engine's own parser and compiler, so the errors it shows are the ones <c>coputer check</c>
/// and <c>coputer run</c> report, and formats with <see cref="LuauFormatter"/>. Bad input (broken framing, invalid
/// JSON, wrong parameters, unknown methods) gets an error answer or a log line, never a crash.
/// </summary>
public sealed class LuauLanguageServer
{
    private readonly LspMessageReader _reader;
    private readonly LspMessageWriter _writer;
    private readonly TextWriter _log;
    private readonly Dictionary<string, LspDocument> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<JsonNode?, JsonNode?>> _requests;
    private readonly Dictionary<string, Action<JsonNode?>> _notifications;
    private PositionEncoding _encoding = PositionEncoding.Utf16;
    private bool _initialized;
    private bool _shutdown;
    private bool _exit;

    public LuauLanguageServer(Stream input, Stream output, TextWriter? log = null, int maxMessageLength = LspMessageReader.DefaultMaxContentLength)
    {
        _reader = new LspMessageReader(input, maxMessageLength);
        _writer = new LspMessageWriter(output);
        _log = log ?? TextWriter.Null;
        _requests = new(StringComparer.Ordinal)
        {
            ["initialize"] = Initialize,
            ["shutdown"] = _ =>
            {
                _shutdown = true;
                return null;
            },
            ["textDocument/formatting"] = p => Formatting(p, ranged: false),
            ["textDocument/rangeFormatting"] = p => Formatting(p, ranged: true),
            ["textDocument/documentSymbol"] = p => LanguageFeatures.DocumentSymbols(Document(p).Analysis),
            ["textDocument/definition"] = p => At(p, (d, pos) => LanguageFeatures.Definition(d, pos, LanguageFeatures.ResolveModule)),
            ["textDocument/references"] = p => At(p, (d, pos) => LanguageFeatures.References(d, pos, p?["context"]?["includeDeclaration"]?.GetValue<bool>() ?? true)),
            ["textDocument/hover"] = p => At(p, (d, pos) => LanguageFeatures.Hover(d, pos, LanguageFeatures.ResolveModule)),
            ["textDocument/completion"] = p => At(p, (d, pos) => LanguageFeatures.Completion(d.Analysis, pos)),
            ["textDocument/signatureHelp"] = p => At(p, (d, pos) => LanguageFeatures.SignatureHelp(d.Analysis, pos)),
            ["textDocument/foldingRange"] = p => LanguageFeatures.FoldingRanges(Document(p).Analysis),
            ["textDocument/semanticTokens/full"] = p => SemanticTokens.Full(Document(p).Analysis),
        };
        _notifications = new(StringComparer.Ordinal)
        {
            ["initialized"] = _ => { },
            ["exit"] = _ => _exit = true,
            ["textDocument/didOpen"] = DidOpen,
            ["textDocument/didChange"] = DidChange,
            ["textDocument/didClose"] = DidClose,
            ["textDocument/didSave"] = _ => { },
            ["$/cancelRequest"] = _ => { },
            ["$/setTrace"] = _ => { },
        };
    }

    /// <summary>
    /// Serves until the client sends <c>exit</c> or the input ends. Returns the exit status: 0 after a
    /// <c>shutdown</c> request, 1 otherwise (as the protocol asks), and 1 when the framing broke beyond recovery.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        while (!_exit)
        {
            byte[]? body;
            try
            {
                body = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LspFramingException e) when (e.Recoverable)
            {
                _log.WriteLine($"coputer lsp: {e.Message}");
                await SendAsync(ErrorResponse(null, LspErrorCodes.InvalidRequest, e.Message), cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (LspFramingException e)
            {
                _log.WriteLine($"coputer lsp: stopping: {e.Message}");
                return 1;
            }
            if (body is null)
                break;
            var reply = Handle(body);
            if (reply is not null)
                await SendAsync(reply, cancellationToken).ConfigureAwait(false);
            foreach (var notification in _outgoing)
                await SendAsync(notification, cancellationToken).ConfigureAwait(false);
            _outgoing.Clear();
        }
        return _shutdown ? 0 : 1;
    }

    private readonly List<JsonObject> _outgoing = [];

    private ValueTask SendAsync(JsonObject message, CancellationToken cancellationToken) =>
        _writer.WriteAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), cancellationToken);

    /// <summary>Handles one message; returns the response to send, if any.</summary>
    private JsonObject? Handle(byte[] body)
    {
        JsonNode? message;
        try
        {
            message = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            return ErrorResponse(null, LspErrorCodes.ParseError, "the message is not valid JSON: " + e.Message);
        }
        catch (ArgumentException e)
        {
            return ErrorResponse(null, LspErrorCodes.ParseError, "the message is not valid UTF-8 JSON: " + e.Message);
        }
        if (message is not JsonObject obj)
            return ErrorResponse(null, LspErrorCodes.InvalidRequest, "a message must be a JSON object");

        JsonNode? id = obj["id"];
        if (id is not null && id.GetValueKind() is not (JsonValueKind.Number or JsonValueKind.String))
            return ErrorResponse(null, LspErrorCodes.InvalidRequest, "a request id must be a number or a string");
        if (obj["jsonrpc"] is not JsonValue version || version.GetValueKind() != JsonValueKind.String || version.GetValue<string>() != "2.0")
            return ErrorResponse(id, LspErrorCodes.InvalidRequest, "\"jsonrpc\" must be \"2.0\"");
        if (obj["method"] is not JsonValue methodValue || methodValue.GetValueKind() != JsonValueKind.String)
            return id is null || obj.ContainsKey("result") || obj.ContainsKey("error")
                ? null // A response to a request we never send: nothing to do.
                : ErrorResponse(id, LspErrorCodes.InvalidRequest, "a request needs a \"method\" string");
        string method = methodValue.GetValue<string>();
        JsonNode? parameters = obj["params"];

        if (id is null)
        {
            RunNotification(method, parameters);
            return null;
        }
        if (!_initialized && method != "initialize")
            return ErrorResponse(id, LspErrorCodes.ServerNotInitialized, "the server is not initialized yet");
        if (_shutdown)
            return ErrorResponse(id, LspErrorCodes.InvalidRequest, "the server is shutting down");
        if (!_requests.TryGetValue(method, out var handler))
            return ErrorResponse(id, LspErrorCodes.MethodNotFound, $"unknown method \"{method}\"");
        try
        {
            JsonNode? result = handler(parameters);
            return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = result };
        }
        catch (LspRequestException e)
        {
            return ErrorResponse(id, e.Code, e.Message);
        }
        catch (Exception e) when (IsBadParameters(e))
        {
            return ErrorResponse(id, LspErrorCodes.InvalidParams, $"bad parameters for {method}: {e.Message}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.WriteLine($"coputer lsp: {method} failed: {e}");
            return ErrorResponse(id, LspErrorCodes.InternalError, $"{method} failed: {e.Message}");
        }
    }

    private void RunNotification(string method, JsonNode? parameters)
    {
        if (method == "exit")
        {
            _exit = true;
            return;
        }
        if (!_initialized || !_notifications.TryGetValue(method, out var handler))
            return; // Unknown notifications, and any before initialize, are dropped as the protocol says.
        try
        {
            handler(parameters);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.WriteLine($"coputer lsp: {method}: {e.Message}");
        }
    }

    private static bool IsBadParameters(Exception e) =>
        e is InvalidOperationException or FormatException or KeyNotFoundException or JsonException or ArgumentException or NullReferenceException;

    private static JsonObject ErrorResponse(JsonNode? id, int code, string message) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id?.DeepClone(),
        ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
    };

    // ---- lifecycle ----

    private JsonNode Initialize(JsonNode? parameters)
    {
        if (_initialized)
            throw new LspRequestException(LspErrorCodes.InvalidRequest, "initialize was already called");
        _initialized = true;
        if (parameters?["capabilities"]?["general"]?["positionEncodings"] is JsonArray encodings
            && encodings.Any(e => e is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "utf-8"))
        {
            // Our parser counts bytes, so UTF-8 needs no conversion.
            _encoding = PositionEncoding.Utf8;
        }
        return new JsonObject
        {
            ["capabilities"] = new JsonObject
            {
                ["positionEncoding"] = _encoding == PositionEncoding.Utf8 ? "utf-8" : "utf-16",
                ["textDocumentSync"] = new JsonObject { ["openClose"] = true, ["change"] = 2 },
                ["documentFormattingProvider"] = true,
                ["documentRangeFormattingProvider"] = true,
                ["documentSymbolProvider"] = true,
                ["definitionProvider"] = true,
                ["referencesProvider"] = true,
                ["hoverProvider"] = true,
                ["completionProvider"] = new JsonObject { ["triggerCharacters"] = new JsonArray(".", ":") },
                ["signatureHelpProvider"] = new JsonObject { ["triggerCharacters"] = new JsonArray("(", ","), ["retriggerCharacters"] = new JsonArray(",") },
                ["foldingRangeProvider"] = true,
                ["semanticTokensProvider"] = new JsonObject
                {
                    ["legend"] = new JsonObject
                    {
                        ["tokenTypes"] = new JsonArray([.. SemanticTokens.TokenTypes.Select(t => (JsonNode)t)]),
                        ["tokenModifiers"] = new JsonArray([.. SemanticTokens.TokenModifiers.Select(t => (JsonNode)t)]),
                    },
                    ["full"] = true,
                },
            },
            ["serverInfo"] = new JsonObject { ["name"] = "coputer", ["version"] = typeof(LuauLanguageServer).Assembly.GetName().Version?.ToString() ?? "0" },
        };
    }

    // ---- documents ----

    private static string RequiredString(JsonNode? node, string what) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new LspRequestException(LspErrorCodes.InvalidParams, $"{what} must be a string");

    private static int RequiredInt(JsonNode? node, string what) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i) ? i
        : node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue(out double x) && x == Math.Floor(x) ? (int)Math.Clamp(x, int.MinValue, int.MaxValue)
        : throw new LspRequestException(LspErrorCodes.InvalidParams, $"{what} must be an integer");

    private static LspPosition ReadPosition(JsonNode? node, string what) =>
        new(RequiredInt(node?["line"], what + ".line"), RequiredInt(node?["character"], what + ".character"));

    private LspDocument Document(JsonNode? parameters)
    {
        string uri = RequiredString(parameters?["textDocument"]?["uri"], "textDocument.uri");
        return _documents.TryGetValue(uri, out var doc) ? doc : throw new LspRequestException(LspErrorCodes.InvalidParams, $"the document {uri} is not open");
    }

    private JsonNode? At(JsonNode? parameters, Func<LspDocument, Luau.Syntax.Position, JsonNode?> feature)
    {
        var doc = Document(parameters);
        var position = doc.Analysis.FromLsp(ReadPosition(parameters?["position"], "position"));
        return feature(doc, position);
    }

    private void DidOpen(JsonNode? parameters)
    {
        var item = parameters?["textDocument"];
        string uri = RequiredString(item?["uri"], "textDocument.uri");
        var doc = new LspDocument(uri, RequiredString(item?["text"], "textDocument.text"), item?["version"] is null ? 0 : RequiredInt(item["version"], "version"), _encoding);
        _documents[uri] = doc;
        PublishDiagnostics(doc);
    }

    private void DidChange(JsonNode? parameters)
    {
        var doc = Document(parameters);
        if (parameters?["contentChanges"] is not JsonArray changes)
            throw new LspRequestException(LspErrorCodes.InvalidParams, "contentChanges must be an array");
        foreach (var change in changes)
        {
            string text = RequiredString(change?["text"], "contentChanges[].text");
            if (change?["range"] is { } range)
                doc.Edit(ReadPosition(range["start"], "range.start"), ReadPosition(range["end"], "range.end"), text);
            else
                doc.Replace(text);
        }
        if (parameters?["textDocument"]?["version"] is { } version)
            doc.Version = RequiredInt(version, "version");
        PublishDiagnostics(doc);
    }

    private void DidClose(JsonNode? parameters)
    {
        string uri = RequiredString(parameters?["textDocument"]?["uri"], "textDocument.uri");
        if (_documents.Remove(uri))
            _outgoing.Add(Notification("textDocument/publishDiagnostics", new JsonObject { ["uri"] = uri, ["diagnostics"] = new JsonArray() }));
    }

    private void PublishDiagnostics(LspDocument doc) =>
        _outgoing.Add(Notification("textDocument/publishDiagnostics", new JsonObject
        {
            ["uri"] = doc.Uri,
            ["version"] = doc.Version,
            ["diagnostics"] = LanguageFeatures.Diagnostics(doc.Analysis),
        }));

    private static JsonObject Notification(string method, JsonObject parameters) =>
        new() { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters };

    private JsonNode? Formatting(JsonNode? parameters, bool ranged)
    {
        var doc = Document(parameters);
        FormatOptions options;
        try
        {
            options = LanguageFeatures.FormatOptionsFor(doc.FilePath, parameters?["options"]);
        }
        catch (FormatConfigException e)
        {
            throw new LspRequestException(LspErrorCodes.RequestFailed, e.Message);
        }
        (int, int)? range = null;
        if (ranged)
        {
            var start = ReadPosition(parameters?["range"]?["start"], "range.start");
            var end = ReadPosition(parameters?["range"]?["end"], "range.end");
            // A range ending at the start of a line does not include that line.
            int last = end.Character == 0 && end.Line > start.Line ? end.Line - 1 : end.Line;
            range = (start.Line, last);
        }
        return LanguageFeatures.Format(doc, options, range);
    }
}
