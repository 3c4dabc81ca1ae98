using System.Text;
using System.Text.Json.Nodes;

namespace Coputer.Tooling.Tests.LanguageServer;

/// <summary>Bad messages get error answers, and the server keeps serving afterwards.</summary>
public sealed class ServerRobustnessTests
{
    [Fact]
    public async Task Requests_before_initialize_are_refused_with_server_not_initialized()
    {
        await using var client = new LspTestClient();
        var response = await client.RequestAsync("textDocument/hover", LspTestClient.At("file:///a.luau", 0, 0));
        Assert.Equal(-32002, response["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bad_json_unknown_methods_and_bad_parameters_get_errors_and_the_server_goes_on()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync();

        byte[] garbage = Encoding.UTF8.GetBytes("{not json");
        await client.SendRawAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {garbage.Length}\r\n\r\n"), .. garbage]);
        var parseError = await client.ReadAsync();
        Assert.Equal(-32700, parseError["error"]!["code"]!.GetValue<int>());
        Assert.Null(parseError["id"]);

        await client.SendAsync(new JsonObject { ["jsonrpc"] = "1.0", ["id"] = 7, ["method"] = "shutdown" });
        var wrongVersion = await client.ReadAsync();
        Assert.Equal(-32600, wrongVersion["error"]!["code"]!.GetValue<int>());
        Assert.Equal(7, wrongVersion["id"]!.GetValue<int>());

        var unknown = await client.RequestAsync("textDocument/noSuchThing", new JsonObject());
        Assert.Equal(-32601, unknown["error"]!["code"]!.GetValue<int>());

        var notOpen = await client.RequestAsync("textDocument/hover", LspTestClient.At("file:///missing.luau", 0, 0));
        Assert.Equal(-32602, notOpen["error"]!["code"]!.GetValue<int>());

        var badPosition = await client.RequestAsync("textDocument/hover", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = "file:///missing.luau" },
            ["position"] = "here",
        });
        Assert.NotNull(badPosition["error"]);

        // A notification with bad parameters is dropped; the document then opens normally.
        await client.NotifyAsync("textDocument/didOpen", new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = 5 } });
        await client.NotifyAsync("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = "file:///a.luau", ["languageId"] = "luau", ["version"] = 1, ["text"] = "local x = 1\n" },
        });
        Assert.Empty((await client.NotificationAsync("textDocument/publishDiagnostics"))["diagnostics"]!.AsArray());

        // Positions beyond the document are clamped, not an error.
        var far = await client.ResultAsync("textDocument/completion", LspTestClient.At("file:///a.luau", 100, 100));
        Assert.NotEmpty(far!["items"]!.AsArray());

        var shutdown = await client.RequestAsync("shutdown", null);
        Assert.Null(shutdown["error"]);
        var afterShutdown = await client.RequestAsync("textDocument/hover", LspTestClient.At("file:///a.luau", 0, 6));
        Assert.Equal(-32600, afterShutdown["error"]!["code"]!.GetValue<int>());
        await client.NotifyAsync("exit", null);
        Assert.Equal(0, await client.ServerTask.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task An_oversized_message_gets_an_error_and_the_next_request_is_answered()
    {
        await using var client = new LspTestClient(maxMessageLength: 4096);
        await client.InitializeAsync();
        byte[] big = Encoding.UTF8.GetBytes(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "x", ["params"] = new string('a', 10000) }.ToJsonString());
        await client.SendRawAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {big.Length}\r\n\r\n"), .. big]);
        var error = await client.ReadAsync();
        Assert.Contains("over the limit", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var shutdown = await client.RequestAsync("shutdown", null);
        Assert.Null(shutdown["error"]);
    }

    [Fact]
    public async Task Broken_headers_stop_the_server_with_status_1_and_exit_without_shutdown_is_status_1()
    {
        await using (var client = new LspTestClient())
        {
            await client.SendRawAsync(Encoding.ASCII.GetBytes("Content-Length: banana\r\n\r\n"));
            Assert.Equal(1, await client.ServerTask.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        await using (var client = new LspTestClient())
        {
            await client.InitializeAsync();
            await client.NotifyAsync("exit", null);
            Assert.Equal(1, await client.ServerTask.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        await using (var client = new LspTestClient())
        {
            // The editor went away without a word.
            Assert.Equal(1, await client.CloseInputAsync());
        }
    }
}
