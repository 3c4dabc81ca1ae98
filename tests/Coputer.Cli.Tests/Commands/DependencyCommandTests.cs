using System.Net;
using System.Text;
using Coputer.Cli.Commands;
using Coputer.Gateway.Development;
using Coputer.Gateway.Hosting;
using Coputer.Platform.Bundles;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Cli.Tests.Commands;

/// <summary>
/// The local commands with a folder whose <c>coputer.json</c> pins another published program: <c>coputer request</c>,
/// <c>test</c> and <c>dev</c> fetch it by hash from a node (<c>GET /api/bundles/{hash}</c>) and check it.
/// </summary>
public sealed class DependencyCommandTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "coputer-deps-" + Guid.NewGuid().ToString("N")[..12]);
    private CoputerNode _node = null!;
    private Publisher _publisher = null!;
    private Bundle _ui = null!;
    private Bundle _colours = null!;

    private string NodeUrl => $"http://127.0.0.1:{_node.Port}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _publisher = Publisher.Generate();
        _node = await CoputerNode.StartAsync(new NodeOptions { DataDirectory = Path.Combine(_directory, "node"), Port = 0, Logging = _ => { } });
        // ui pins colours in turn: the local commands fetch both.
        _colours = Bundle.Create([new("main.luau", "return {}"u8.ToArray()), new("palette.luau", "return { accent = 'teal' }"u8.ToArray())]);
        _ui = Bundle.Create([
            new("main.luau", "return {}"u8.ToArray()),
            new(BundleManifest.FileName, Encoding.UTF8.GetBytes(Manifest(("colours", "colours", _colours.Hash.ToString())))),
            new("button.luau", "local palette = require('@colours/palette') return function(t) return '[' .. t .. ']:' .. palette.accent end"u8.ToArray()),
        ]);
        Publish("colours", _colours);
        Publish("ui", _ui);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _publisher.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void Publish(string name, Bundle bundle) =>
        Assert.True(_node.Execution.Publish(new PublicationRecord(_publisher.Key, name, bundle.Hash, 1).Sign(_publisher), bundle).Succeeded);

    private string Manifest(params (string Alias, string Name, string Hash)[] dependencies) =>
        "{ \"dependencies\": { " + string.Join(", ", dependencies.Select(d => $"\"{d.Alias}\": {{ \"program\": \"{d.Name}-{_publisher.Key.Id}\", \"hash\": \"{d.Hash}\" }}")) + " } }";

    /// <summary>A folder whose main.luau answers with the ui button, pinned to <paramref name="hash"/>.</summary>
    private string Site(string hash, params (string Path, string Content)[] others)
    {
        string site = Path.Combine(_directory, "site" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "main.luau"), "local button = require('@ui/button') return { body = buffer.fromstring(button('ok')) }");
        File.WriteAllText(Path.Combine(site, BundleManifest.FileName), Manifest(("ui", "ui", hash)));
        foreach (var (path, content) in others)
            File.WriteAllText(Path.Combine(site, path), content);
        return site;
    }

    private static (int Code, string Output, string Error) Request(string site, string node)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = RequestCommand.Run(site, "/", null, [], null, stdout, stderr, node);
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    [Fact]
    public void RequestFetchesThePinnedProgramAndItsOwnDependencyFromTheNode()
    {
        var (code, output, error) = Request(Site(_ui.Hash.ToString()), NodeUrl);
        Assert.True(code == 0, error);
        Assert.StartsWith("HTTP/1.1 200 OK", output);
        Assert.EndsWith("\r\n\r\n[ok]:teal", output);
    }

    [Fact]
    public void TestRunsTheProgramWithItsPinnedDependencies()
    {
        string site = Site(_ui.Hash.ToString(), ("main.test.luau", "test('the button', function() expect.equal(get('/').body, '[ok]:teal') end)"));
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TestCommand.Run(site, output, error, node: NodeUrl);
        Assert.True(code == 0, output.ToString() + error);
        Assert.Contains("1 passed, 0 failed", output.ToString());
    }

    [Fact]
    public void AProgramTheNodeLacksOrANodeThatCannotBeReachedIsOneClearLine()
    {
        string missing = new string('a', 64);
        var (code, output, error) = Request(Site(missing), NodeUrl);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains($"dependency 'ui' (ui-{_publisher.Key.Id}, pinned to {missing}): the node at {NodeUrl}/ does not have it", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));

        // A port nothing listens on.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        (code, _, error) = Request(Site(_ui.Hash.ToString()), $"http://127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Contains($"cannot reach the node at http://127.0.0.1:{port}/", error);

        (code, _, error) = Request(Site(_ui.Hash.ToString()), "ftp://example.org");
        Assert.Equal(1, code);
        Assert.Contains("a node is an http:// or https:// address", error);
    }

    [Fact]
    public void ANodeThatSendsAnotherProgramOrGarbageIsNotBelieved()
    {
        string site = Site(_ui.Hash.ToString());
        var other = Bundle.Create([new("main.luau", "return {}"u8.ToArray()), new("button.luau", "return function() return 'forged' end"u8.ToArray())]);
        var error = new StringWriter();
        Assert.Null(LocalPrograms.Load(site, "http://node.test", error, new FixedAnswer(other.Encode())));
        Assert.Contains($"the node at http://node.test/ sent another program ({other.Hash}); not used", error.ToString());

        error = new StringWriter();
        Assert.Null(LocalPrograms.Load(site, "http://node.test", error, new FixedAnswer([1, 2, 3, 4])));
        Assert.Contains("the node at http://node.test/ sent something that is not a bundle", error.ToString());
    }

    [Fact]
    public async Task TheNodeServesBundlesByHashAndRefusesBadNames()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var bytes = await client.GetByteArrayAsync($"{NodeUrl}/api/bundles/{_ui.Hash}");
        Assert.Equal(_ui.Hash, BundleFormat.Read(bytes).Hash);
        using var missing = await client.GetAsync($"{NodeUrl}/api/bundles/{new string('b', 64)}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no bundle", await missing.Content.ReadAsStringAsync());
        using var bad = await client.GetAsync($"{NodeUrl}/api/bundles/not-a-hash");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var post = await client.PostAsync($"{NodeUrl}/api/bundles/{_ui.Hash}", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task DevFetchesThePinnedProgramWhenARunNeedsItAndSaysWhenItCannot()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        foreach (var (hash, expected) in new[] { (_ui.Hash.ToString(), "[ok]:teal"), (new string('c', 64), null) })
        {
            string site = Site(hash);
            using var stop = new CancellationTokenSource();
            var started = new TaskCompletionSource<DevelopmentServer>(TaskCreationOptions.RunContinuationsAsynchronously);
            var output = new StringWriter();
            var run = DevCommand.RunAsync(site, 0, null, output, new StringWriter(), stop.Token, started.SetResult, node: NodeUrl);
            var server = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var response = await client.GetAsync($"http://127.0.0.1:{server.Node.Port}/");
            string body = await response.Content.ReadAsStringAsync();
            stop.Cancel();
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
            if (expected is not null)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(expected, body);
            }
            else
            {
                Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
                Assert.Contains($"cannot fetch a pinned dependency: bundle {hash}: the node at {NodeUrl}/ does not have it", output.ToString());
            }
        }
    }

    /// <summary>A node that answers every request with the same bytes.</summary>
    private sealed class FixedAnswer(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
    }
}
