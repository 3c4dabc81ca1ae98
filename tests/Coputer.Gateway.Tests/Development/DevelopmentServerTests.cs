using System.Net;
using Coputer.Gateway.Development;

namespace Coputer.Gateway.Tests.Development;

/// <summary>The development server: a folder served at the root and its subdomain, republished on every change.</summary>
public sealed class DevelopmentServerTests : IAsyncLifetime
{
    private readonly string _site = Path.Combine(Path.GetTempPath(), "coputer-devsrv-" + Guid.NewGuid().ToString("N")[..12], "my_site");
    private DevelopmentServer _server = null!;
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_site, "pages"));
        File.WriteAllText(Path.Combine(_site, "main.luau"), """
            local page = require("./pages/page")
            return { headers = { ["content-type"] = "text/html" }, body = buffer.fromstring("<html><body>" .. page.text .. "</body></html>") }
            """);
        File.WriteAllText(Path.Combine(_site, "pages", "page.luau"), "return { text = 'first' }\n");
        _server = await DevelopmentServer.StartAsync(new DevelopmentServerOptions { Directory = _site, Port = 0, Logging = _ => { } });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_site)!, recursive: true);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string host, string path = "/")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_server.Node.Port}{path}");
        request.Headers.Host = $"{host}:{_server.Node.Port}";
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Edits the folder and waits (a hang guard, not a timing) for the watcher to republish it.</summary>
    private async Task ChangeAsync(Action edit)
    {
        long before = _server.Hub.Version;
        edit();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (_server.Hub.Version == before)
            await Task.Delay(50, guard.Token);
    }

    [Fact]
    public async Task TheFolderIsServedAtTheRootAndAtItsSubdomain()
    {
        Assert.Equal("my-site", _server.Name);
        Assert.Equal($"http://localhost:{_server.Node.Port}/", _server.Url);
        Assert.Equal($"http://{_server.Label}.localhost:{_server.Node.Port}/", _server.SubdomainUrl);
        var root = await GetAsync("localhost");
        Assert.Equal(HttpStatusCode.OK, root.Status);
        Assert.StartsWith("<html><body>first<script>", root.Body);
        Assert.Contains("/_coputer/events", root.Body);
        var sub = await GetAsync($"{_server.Label}.localhost");
        Assert.StartsWith("<html><body>first", sub.Body);
    }

    [Fact]
    public async Task AChangeInASubfolderIsRepublishedAndAnnouncedToOpenPages()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_server.Node.Port}/_coputer/events");
        request.Headers.Host = $"localhost:{_server.Node.Port}";
        using var events = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        Assert.Equal("event: hello", await reader.ReadLineAsync());

        await ChangeAsync(() => File.WriteAllText(Path.Combine(_site, "pages", "page.luau"), "return { text = 'second' }\n"));
        Assert.StartsWith("<html><body>second", (await GetAsync("localhost")).Body);
        string? line;
        do
        {
            line = await reader.ReadLineAsync();
        }
        while (line is not null && line != "event: reload");
        Assert.Equal("event: reload", line);
    }

    [Fact]
    public async Task ErrorsShowInTheBrowserWithTheirLineUntilFixed()
    {
        await ChangeAsync(() => File.WriteAllText(Path.Combine(_site, "pages", "page.luau"), "local text = 'x'\nlocal broken = = 1\nreturn { text = text }\n"));
        var broken = await GetAsync("localhost");
        Assert.Equal(HttpStatusCode.InternalServerError, broken.Status);
        Assert.Contains("pages/page.luau:2", broken.Body);
        Assert.Contains("<div class=\"at\"><span class=\"n\">2</span><span>local broken = = 1</span></div>", broken.Body);

        await ChangeAsync(() => File.Delete(Path.Combine(_site, "main.luau")));
        var unbundled = await GetAsync("localhost", "/any/page");
        Assert.Equal(HttpStatusCode.InternalServerError, unbundled.Status);
        Assert.Contains("main.luau", unbundled.Body);
        Assert.Contains("could not be bundled", unbundled.Body);

        await ChangeAsync(() =>
        {
            File.WriteAllText(Path.Combine(_site, "pages", "page.luau"), "return { text = 'fixed' }\n");
            File.WriteAllText(Path.Combine(_site, "main.luau"), "return { body = buffer.fromstring(require('./pages/page').text) }");
        });
        Assert.Equal((HttpStatusCode.OK, "fixed"), await GetAsync("localhost"));
    }

    [Fact]
    public async Task EveryRequestRunsAndIsReported()
    {
        var served = new List<ProgramRequestLog>();
        _server.Served += log => { lock (served) served.Add(log); };
        await GetAsync("localhost", "/a");
        await GetAsync("localhost", "/a");
        lock (served)
        {
            Assert.Equal(2, served.Count);
            Assert.All(served, s => Assert.False(s.Result.Info.Cached));
            Assert.Equal("/a", served[0].Target);
        }
    }

    [Theory]
    [InlineData("/home/me/My Site", "my-site")]
    [InlineData("/home/me/blog/", "blog")]
    [InlineData("/home/me/___", "site")]
    public void AFolderNameBecomesAProgramName(string folder, string name) => Assert.Equal(name, DevelopmentServer.NameFor(folder));
}

/// <summary>Polling instead of watching, for mounts that send no change events.</summary>
public sealed class DevelopmentPollingTests
{
    [Fact]
    public async Task APolledFolderIsRepublishedAfterAnEdit()
    {
        string site = Path.Combine(Path.GetTempPath(), "coputer-devpoll-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('first') }\n");
        try
        {
            await using var server = await DevelopmentServer.StartAsync(new DevelopmentServerOptions
            {
                Directory = site,
                Port = 0,
                PollInterval = TimeSpan.FromMilliseconds(100),
                Logging = _ => { },
            });
            Assert.Equal(TimeSpan.FromMilliseconds(100), server.PollInterval);
            Assert.Null(server.WatchFallback);
            long before = server.Hub.Version;
            // Unchanged polls republish nothing: the version stays until the files change.
            await Task.Delay(350);
            Assert.Equal(before, server.Hub.Version);

            File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('second') }\n");
            // Until the new version is served (a hang guard, not a timing).
            using var client = new HttpClient();
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string body;
            do
            {
                await Task.Delay(50, guard.Token);
                var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.Node.Port}/");
                request.Headers.Host = $"localhost:{server.Node.Port}";
                using var response = await client.SendAsync(request, guard.Token);
                body = await response.Content.ReadAsStringAsync(guard.Token);
            }
            while (body != "second");
            Assert.NotEqual(before, server.Hub.Version);
        }
        finally
        {
            Directory.Delete(site, recursive: true);
        }
    }

    [Fact]
    public async Task ANonPositivePollIntervalIsRefused()
    {
        string site = Path.Combine(Path.GetTempPath(), "coputer-devpoll-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('x') }\n");
        try
        {
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
                await DevelopmentServer.StartAsync(new DevelopmentServerOptions { Directory = site, Port = 0, PollInterval = TimeSpan.Zero, Logging = _ => { } }));
        }
        finally
        {
            Directory.Delete(site, recursive: true);
        }
    }
}
