using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Coputer.Cli.Tests.Commands;

/// <summary>The real <c>coputer lsp</c> process over its standard input and output, as an editor starts it.</summary>
public sealed class LspCommandTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_lsp_command_serves_a_session_over_stdio_and_exits_0_after_shutdown()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "coputer.dll"));
        psi.ArgumentList.Add("lsp");
        using var process = Process.Start(psi)!;
        try
        {
            var stdin = process.StandardInput.BaseStream;
            // One reader for the whole session: it buffers, so a second one could miss bytes the first already took.
            var stdout = new Tooling.LanguageServer.LspMessageReader(process.StandardOutput.BaseStream);
            var stderr = process.StandardError.ReadToEndAsync();

            await Send(stdin, new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "initialize", ["params"] = new JsonObject { ["capabilities"] = new JsonObject() } });
            var init = await Read(stdout);
            Assert.Equal(1, init["id"]!.GetValue<int>());
            Assert.Equal(2, init["result"]!["capabilities"]!["textDocumentSync"]!["change"]!.GetValue<int>());
            await Send(stdin, new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "initialized", ["params"] = new JsonObject() });

            await Send(stdin, new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["method"] = "textDocument/didOpen",
                ["params"] = new JsonObject
                {
                    ["textDocument"] = new JsonObject { ["uri"] = "file:///tmp/x.luau", ["languageId"] = "luau", ["version"] = 1, ["text"] = "local x = \n" },
                },
            });
            var diagnostics = await Read(stdout);
            Assert.Equal("textDocument/publishDiagnostics", diagnostics["method"]!.GetValue<string>());
            var diagnostic = Assert.Single(diagnostics["params"]!["diagnostics"]!.AsArray())!;
            Assert.Equal("Expected identifier when parsing expression, got <eof>", diagnostic["message"]!.GetValue<string>());

            await Send(stdin, new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 2, ["method"] = "shutdown" });
            var shutdown = await Read(stdout);
            Assert.Equal(2, shutdown["id"]!.GetValue<int>());
            Assert.Null(shutdown["error"]);
            await Send(stdin, new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "exit" });

            using var guard = new CancellationTokenSource(s_hangGuard);
            await process.WaitForExitAsync(guard.Token);
            Assert.True(process.ExitCode == 0, await stderr);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
        }
    }

    private static async Task Send(Stream stdin, JsonObject message)
    {
        byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
        await stdin.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
        await stdin.WriteAsync(body);
        await stdin.FlushAsync();
    }

    private static async Task<JsonObject> Read(Tooling.LanguageServer.LspMessageReader stdout)
    {
        using var guard = new CancellationTokenSource(s_hangGuard);
        byte[] body = await stdout.ReadAsync(guard.Token) ?? throw new InvalidOperationException("coputer lsp closed its output");
        return JsonNode.Parse(body)!.AsObject();
    }
}
