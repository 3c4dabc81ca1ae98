using System.Text.Json.Nodes;
using Coputer.Tooling.Formatting;

namespace Coputer.Tooling.Tests.LanguageServer;

/// <summary>Drives the server as an editor does, one request after another, and checks every answer.</summary>
public sealed class ProtocolSessionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("coputer-lsp-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string MainText =
        "local helper = require(\"./helper\")\n" +
        "local function add(a: number, b: number): number\n" +
        "\treturn a + b\n" +
        "end\n" +
        "local total   =   add(1, 2)\n" +
        "print(string.format(\"%d\", total), helper)\n";

    [Fact]
    public async Task A_whole_editing_session_gets_the_right_answer_to_every_request()
    {
        File.WriteAllText(Path.Combine(_folder, "helper.luau"), "return {}\n");
        string mainPath = Path.Combine(_folder, "main.luau");
        File.WriteAllText(mainPath, MainText);
        string uri = new Uri(mainPath).AbsoluteUri;
        string helperUri = new Uri(Path.Combine(_folder, "helper.luau")).AbsoluteUri;

        await using var client = new LspTestClient();

        // initialize: the capabilities an editor relies on.
        var init = await client.ResultAsync("initialize", new JsonObject { ["processId"] = null, ["capabilities"] = new JsonObject() });
        var caps = init!["capabilities"]!;
        Assert.Equal("utf-16", caps["positionEncoding"]!.GetValue<string>());
        Assert.Equal(2, caps["textDocumentSync"]!["change"]!.GetValue<int>()); // incremental
        Assert.True(caps["documentFormattingProvider"]!.GetValue<bool>());
        Assert.NotNull(caps["semanticTokensProvider"]!["legend"]);
        await client.NotifyAsync("initialized", new JsonObject());

        // open: a clean file publishes no diagnostics.
        await client.NotifyAsync("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "luau", ["version"] = 1, ["text"] = MainText },
        });
        var published = await client.NotificationAsync("textDocument/publishDiagnostics");
        Assert.Equal(uri, published["uri"]!.GetValue<string>());
        Assert.Equal(1, published["version"]!.GetValue<int>());
        Assert.Empty(published["diagnostics"]!.AsArray());

        // change (incremental): typing "local x = (" on a new last line gives the parser's error at its place.
        await Change(client, uri, 2, (6, 0), (6, 0), "local x = (");
        published = await client.NotificationAsync("textDocument/publishDiagnostics");
        Assert.Equal(2, published["version"]!.GetValue<int>());
        var diagnostic = Assert.Single(published["diagnostics"]!.AsArray())!;
        Assert.Equal("Expected identifier when parsing expression, got <eof>", diagnostic["message"]!.GetValue<string>());
        AssertRange(diagnostic["range"]!, (6, 11), (6, 11));
        Assert.Equal(1, diagnostic["severity"]!.GetValue<int>());

        // change: deleting it again clears the diagnostics.
        await Change(client, uri, 3, (6, 0), (6, 11), "");
        published = await client.NotificationAsync("textDocument/publishDiagnostics");
        Assert.Empty(published["diagnostics"]!.AsArray());

        // format: the edits turn the text into exactly what the formatter produces.
        var edits = await client.ResultAsync("textDocument/formatting", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri },
            ["options"] = new JsonObject { ["tabSize"] = 4, ["insertSpaces"] = false },
        });
        string formatted = TextEdits.Apply(MainText, edits!.AsArray());
        Assert.Equal(LuauFormatter.Format(MainText), formatted);
        Assert.Contains("local total = add(1, 2)\n", formatted, StringComparison.Ordinal);
        Assert.Single(edits.AsArray()); // only the one line that changed
        await client.NotifyAsync("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = 4 },
            ["contentChanges"] = new JsonArray(new JsonObject { ["text"] = formatted }),
        });
        Assert.Empty((await client.NotificationAsync("textDocument/publishDiagnostics"))["diagnostics"]!.AsArray());

        // definition: a use of add goes to its declaration; the require string goes to the module's file.
        var definition = await client.ResultAsync("textDocument/definition", LspTestClient.At(uri, 4, 15));
        Assert.Equal(uri, definition!["uri"]!.GetValue<string>());
        AssertRange(definition["range"]!, (1, 15), (1, 18));
        var module = await client.ResultAsync("textDocument/definition", LspTestClient.At(uri, 0, 26));
        Assert.Equal(helperUri, module!["uri"]!.GetValue<string>());

        // references: the parameter a, declaration included.
        var parameters = LspTestClient.At(uri, 2, 8);
        parameters["context"] = new JsonObject { ["includeDeclaration"] = true };
        var references = (await client.ResultAsync("textDocument/references", parameters))!.AsArray();
        Assert.Equal(2, references.Count);
        AssertRange(references[0]!["range"]!, (1, 19), (1, 20));
        AssertRange(references[1]!["range"]!, (2, 8), (2, 9));

        // completion: locals in scope, globals and keywords; library members after "string.".
        var completion = await client.ResultAsync("textDocument/completion", LspTestClient.At(uri, 5, 0));
        var labels = Labels(completion!);
        Assert.Contains("add", labels);
        Assert.Contains("total", labels);
        Assert.Contains("helper", labels);
        Assert.Contains("print", labels);
        Assert.Contains("local", labels);
        Assert.DoesNotContain("a", labels); // a parameter of add, out of scope here
        var members = Labels((await client.ResultAsync("textDocument/completion", LspTestClient.At(uri, 5, 13)))!);
        Assert.Contains("format", members);
        Assert.Contains("split", members);
        Assert.DoesNotContain("print", members);

        // hover: the declaration line and the type annotation.
        var hover = await client.ResultAsync("textDocument/hover", LspTestClient.At(uri, 2, 8));
        string hoverText = hover!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("local function add(a: number, b: number): number", hoverText, StringComparison.Ordinal);
        Assert.Contains("`a`: `number`", hoverText, StringComparison.Ordinal);
        var libraryHover = await client.ResultAsync("textDocument/hover", LspTestClient.At(uri, 5, 15));
        Assert.Contains("string.format(format: string, ...: any): string", libraryHover!["contents"]!["value"]!.GetValue<string>(), StringComparison.Ordinal);

        // signature help inside string.format's arguments, on the second one.
        var signature = await client.ResultAsync("textDocument/signatureHelp", LspTestClient.At(uri, 5, 27));
        Assert.Equal("string.format(format: string, ...: any): string", signature!["signatures"]![0]!["label"]!.GetValue<string>());
        Assert.Equal(1, signature["activeParameter"]!.GetValue<int>());

        // outline, folding and highlighting answer too.
        var symbols = (await client.ResultAsync("textDocument/documentSymbol", LspTestClient.Doc(uri)))!.AsArray();
        Assert.Equal(["helper", "add", "total"], symbols.Select(s => s!["name"]!.GetValue<string>()));
        var folds = (await client.ResultAsync("textDocument/foldingRange", LspTestClient.Doc(uri)))!.AsArray();
        var fold = Assert.Single(folds)!;
        Assert.Equal((1, 2), (fold["startLine"]!.GetValue<int>(), fold["endLine"]!.GetValue<int>()));
        var tokens = (await client.ResultAsync("textDocument/semanticTokens/full", LspTestClient.Doc(uri)))!["data"]!.AsArray();
        Assert.Equal(0, tokens.Count % 5);
        Assert.True(tokens.Count > 20);

        // shutdown, then exit: the server stops with status 0.
        var shutdown = await client.RequestAsync("shutdown", null);
        Assert.True(shutdown.ContainsKey("result") && shutdown["result"] is null && shutdown["error"] is null);
        await client.NotifyAsync("exit", null);
        Assert.Equal(0, await client.ServerTask.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    private static Task Change(LspTestClient client, string uri, int version, (int Line, int Character) start, (int Line, int Character) end, string text) =>
        client.NotifyAsync("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = version },
            ["contentChanges"] = new JsonArray(new JsonObject
            {
                ["range"] = new JsonObject { ["start"] = LspTestClient.Position(start.Line, start.Character), ["end"] = LspTestClient.Position(end.Line, end.Character) },
                ["text"] = text,
            }),
        });

    internal static void AssertRange(JsonNode range, (int Line, int Character) start, (int Line, int Character) end)
    {
        Assert.Equal(start, (range["start"]!["line"]!.GetValue<int>(), range["start"]!["character"]!.GetValue<int>()));
        Assert.Equal(end, (range["end"]!["line"]!.GetValue<int>(), range["end"]!["character"]!.GetValue<int>()));
    }

    internal static List<string> Labels(JsonNode completion) =>
        [.. completion["items"]!.AsArray().Select(i => i!["label"]!.GetValue<string>())];
}

/// <summary>Applies protocol text edits (UTF-16 positions) to a string, as an editor does.</summary>
internal static class TextEdits
{
    public static string Apply(string text, JsonArray edits)
    {
        var resolved = edits.Select(e => (Start: Index(text, e!["range"]!["start"]!), End: Index(text, e!["range"]!["end"]!), Text: e!["newText"]!.GetValue<string>()))
            .OrderByDescending(e => e.Start).ToList();
        foreach (var (start, end, newText) in resolved)
            text = string.Concat(text.AsSpan(0, start), newText, text.AsSpan(end));
        return text;
    }

    private static int Index(string text, JsonNode position)
    {
        int line = position["line"]!.GetValue<int>(), character = position["character"]!.GetValue<int>();
        int index = 0;
        for (int l = 0; l < line; l++)
        {
            int next = text.IndexOf('\n', index);
            if (next < 0)
                return text.Length;
            index = next + 1;
        }
        int lineEnd = text.IndexOf('\n', index);
        return Math.Min(index + character, lineEnd < 0 ? text.Length : lineEnd);
    }
}
