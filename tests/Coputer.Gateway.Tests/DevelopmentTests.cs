using System.Net;
using Coputer.Gateway.Development;
using Coputer.Platform.Execution;

namespace Coputer.Gateway.Tests;

public class DevelopmentTests
{
    private static async Task<TestGateway> StartDevelopment(Func<TestGateway, ProgramRef>? root = null)
    {
        var gateway = await TestGateway.StartAsync(new GatewayOptions { Development = true, UseResultCache = false });
        return gateway;
    }

    [Fact]
    public async Task AProgramErrorShowsItsMessageSourceAndTraceback()
    {
        await using var gateway = await StartDevelopment();
        gateway.Publish("site", TestGateway.FromSource("""
            local layout = require("./layout")
            return { body = buffer.fromstring(layout.render()) }
            """, ("layout.luau", """
            local layout = {}
            function layout.render()
                local missing = nil
                return missing.title
            end
            return layout
            """)));
        using var response = await gateway.GetAsync(gateway.ProgramHost("site"), "/");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        string page = await response.Content.ReadAsStringAsync();
        Assert.Contains("layout.luau:4: attempt to index nil with &#x27;title&#x27;", page);
        Assert.Contains("<h2>layout.luau:4</h2>", page);
        Assert.Contains("<div class=\"at\"><span class=\"n\">4</span><span>    return missing.title</span></div>", page);
        Assert.Contains("<span class=\"n\">1</span>", page);
        Assert.Contains("Traceback", page);
        Assert.Contains("main.luau:2", page);
        Assert.Contains("new EventSource(\"/_coputer/events\")", page);
    }

    [Fact]
    public async Task ASyntaxErrorShowsItsLine()
    {
        await using var gateway = await StartDevelopment();
        gateway.Publish("site", TestGateway.FromSource("local x = 1\nlocal y = = 2\nreturn {}"));
        using var response = await gateway.GetAsync(gateway.ProgramHost("site"), "/");
        string page = await response.Content.ReadAsStringAsync();
        Assert.Contains("main.luau:2:", page);
        Assert.Contains("<div class=\"at\"><span class=\"n\">2</span>", page);
    }

    [Fact]
    public async Task HtmlPagesGetTheReloadScriptAndTheEventStreamAnnouncesChanges()
    {
        await using var gateway = await StartDevelopment();
        gateway.Publish("site", TestGateway.FromSource("""
            return { headers = { ["content-type"] = "text/html" }, body = buffer.fromstring("<html><body><p>hi</p></body></html>") }
            """));
        using var page = await gateway.GetAsync(gateway.ProgramHost("site"), "/");
        string html = await page.Content.ReadAsStringAsync();
        Assert.StartsWith("<html><body><p>hi</p><script>", html);
        Assert.EndsWith("</script></body></html>", html);

        var hub = gateway.Node.Gateway.Development!;
        long before = hub.Version;
        var request = new HttpRequestMessage(HttpMethod.Get, "/_coputer/events");
        request.Headers.Host = gateway.ProgramHost("site");
        using var events = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        Assert.Equal("event: hello", await reader.ReadLineAsync());
        Assert.Equal($"data: {before}", await reader.ReadLineAsync());
        Assert.Equal("", await reader.ReadLineAsync());
        hub.Changed();
        Assert.Equal("event: reload", await reader.ReadLineAsync());
        Assert.Equal($"data: {before + 1}", await reader.ReadLineAsync());
    }

    [Fact]
    public async Task ABuildFailureIsShownInPlaceOfEveryPage()
    {
        await using var gateway = await StartDevelopment();
        gateway.Publish("site", TestGateway.FromSource("return { body = buffer.fromstring('ok') }"));
        gateway.Node.Gateway.Development!.Changed(new BuildFailure("entrypoint (main.luau) not found", null, null));
        using var response = await gateway.GetAsync(gateway.ProgramHost("site"), "/anything");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("entrypoint (main.luau) not found", await response.Content.ReadAsStringAsync());
        gateway.Node.Gateway.Development!.Changed();
        using var fixedPage = await gateway.GetAsync(gateway.ProgramHost("site"), "/");
        Assert.Equal("ok", await fixedPage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheRootCanServeAProgram()
    {
        var publisher = Coputer.Platform.Identity.Publisher.Generate();
        string directory = Path.Combine(Path.GetTempPath(), "coputer-gw-" + Guid.NewGuid().ToString("N")[..12]);
        await using var node = await Hosting.CoputerNode.StartAsync(new Hosting.NodeOptions
        {
            DataDirectory = directory,
            Port = 0,
            Gateway = new GatewayOptions { Development = true, UseResultCache = false, RootProgram = ProgramRef.ByName(publisher.Key, "web1") },
            Logging = _ => { },
        });
        var bundle = TestGateway.Program("web1");
        node.Execution.Publish(new Platform.Records.PublicationRecord(publisher.Key, "web1", bundle.Hash, 1).Sign(publisher).Encode(), bundle.Encode());
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.Port}") };
        Assert.Equal("hello GET /x world! /x", await client.GetStringAsync("/x"));
        Assert.Contains("\"status\":\"ok\"", await client.GetStringAsync("/_coputer/health"));
        await node.DisposeAsync();
        Directory.Delete(directory, true);
    }
}
