using System.Buffers.Text;
using System.Net;
using Coputer.Cli.Commands;
using Coputer.Gateway;
using Coputer.Gateway.Hosting;
using Coputer.Platform.Bundles;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Cli.Tests.Commands;

/// <summary><c>coputer publish</c> and <c>coputer logs</c> against a real node on a free port.</summary>
public sealed class PublishAndLogsCommandTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "coputer-pub-" + Guid.NewGuid().ToString("N")[..12]);
    private CoputerNode _node = null!;
    private string _keys = null!;
    private Publisher _publisher = null!;

    private string NodeUrl => $"http://localhost:{_node.Port}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _keys = Path.Combine(_directory, "publisher.key");
        Assert.Equal(0, KeysCommand.New(_keys, force: false, new StringWriter(), new StringWriter()));
        _publisher = KeyFile.Read(_keys);
        _node = await CoputerNode.StartAsync(new NodeOptions { DataDirectory = Path.Combine(_directory, "node"), Port = 0, Logging = _ => { } });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _publisher.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string Site(string name, string main)
    {
        string site = Path.Combine(_directory, name);
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "main.luau"), main);
        return site;
    }

    private async Task<(int Code, string Output, string Error)> Publish(string site, string? name = null, string? keys = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await PublishCommand.RunAsync(site, NodeUrl, name, keys ?? _keys, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<string> Fetch(string url, string path = "/")
    {
        // The program's host name resolves to this machine; connect to the node and name the host.
        var uri = new Uri(url);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{uri.Port}{path}");
        request.Headers.Host = uri.Authority;
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task PublishSignsSendsAndPrintsTheUrlThatServesTheProgram()
    {
        string site = Site("blog", "return { body = buffer.fromstring('version one') }");
        var (code, output, error) = await Publish(site);
        Assert.Equal("", error);
        Assert.Equal(0, code);
        string label = $"blog-{_publisher.Key.Id}";
        Assert.StartsWith($"published {label} #1", output);
        string url = $"http://{label}.localhost:{_node.Port}/";
        Assert.Contains("  " + url + Environment.NewLine, output);
        Assert.Equal("version one", await Fetch(url));

        File.WriteAllText(Path.Combine(site, "main.luau"), "return { body = buffer.fromstring('version two') }");
        (code, output, _) = await Publish(site);
        Assert.Equal(0, code);
        Assert.StartsWith($"published {label} #2", output);
        Assert.Equal("version two", await Fetch(url));

        (code, output, _) = await Publish(site);
        Assert.Equal(0, code);
        Assert.Contains("already serves this version", output);
    }

    [Fact]
    public async Task PublishErrorsAreOneLine()
    {
        string site = Site("Bad_Name", "return {}");
        var (code, _, error) = await Publish(site);
        Assert.Equal(1, code);
        Assert.Contains("--name", error);
        Assert.Single(error.TrimEnd().Split('\n'));

        (code, _, error) = await Publish(site, keys: Path.Combine(_directory, "none.key"));
        Assert.Equal(1, code);

        var output = new StringWriter();
        var refused = new StringWriter();
        Assert.Equal(1, await PublishCommand.RunAsync(site, "http://127.0.0.1:1", "ok", _keys, output, refused, CancellationToken.None));
        Assert.Contains("cannot reach the node", refused.ToString());
        Assert.Single(refused.ToString().TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task AForgedOrUnsignedPublicationIsRefusedAndNothingIsStored()
    {
        var bundle = Bundle.Create([new("main.luau", "return { body = buffer.fromstring('forged') }"u8.ToArray())]);
        using var client = new HttpClient { BaseAddress = new Uri(NodeUrl), Timeout = TimeSpan.FromSeconds(60) };

        // Unsigned: no record at all.
        using (var unsigned = await client.PostAsync("/api/publish", new ByteArrayContent(bundle.Encode())))
            Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);

        // Forged: a record naming our publisher's key, signed by someone else.
        using var mallory = Publisher.Generate();
        var genuine = new PublicationRecord(_publisher.Key, "bank", bundle.Hash, 1).Sign(_publisher).Encode();
        // The wire form ends with the 64-byte signature; put another key's signature there.
        var theirs = (byte[])genuine.Clone();
        mallory.Sign(new PublicationRecord(_publisher.Key, "bank", bundle.Hash, 1).Encode()).CopyTo(theirs.AsSpan(theirs.Length - 64));
        Assert.NotEqual(genuine, theirs);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = new ByteArrayContent(bundle.Encode()) };
        request.Headers.Add(Gateway.Gateway.RecordHeader, Base64Url.EncodeToString(theirs));
        using (var forged = await client.SendAsync(request))
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        Assert.Empty(_node.Execution.ListVersions(_publisher.Key.Id, "bank"));
        Assert.Null(_node.Execution.Store.FindPublisher(_publisher.Key.Id));
    }

    [Fact]
    public async Task LogsShowRecentRunsToThePublisherOnly()
    {
        string site = Site("shop", """
            local r = args.web()
            print("visit", r.url.path)
            if r.url.path == "/fail" then
                error("out of stock")
            end
            return { body = buffer.fromstring("ok") }
            """);
        Assert.Equal(0, (await Publish(site)).Code);
        string url = $"http://shop-{_publisher.Key.Id}.localhost:{_node.Port}/";
        await Fetch(url, "/cart");
        await Fetch(url, "/fail");

        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, await LogsCommand.RunAsync("shop", follow: false, NodeUrl, _keys, output, error, CancellationToken.None));
        string logs = output.ToString();
        Assert.Equal("", error.ToString());
        int cart = logs.IndexOf("GET /cart  200", StringComparison.Ordinal);
        int fail = logs.IndexOf("GET /fail  ", StringComparison.Ordinal);
        Assert.True(cart >= 0 && fail > cart, logs);
        Assert.Contains("    | visit\t/cart", logs);
        Assert.Contains("main.luau:4: out of stock", logs);
        Assert.Contains(" instructions", logs);

        // Someone else's key is refused.
        string otherKeys = Path.Combine(_directory, "other.key");
        Assert.Equal(0, KeysCommand.New(otherKeys, force: false, new StringWriter(), new StringWriter()));
        var refused = new StringWriter();
        Assert.Equal(1, await LogsCommand.RunAsync($"shop-{_publisher.Key.Id}", follow: false, NodeUrl, otherKeys, new StringWriter(), refused, CancellationToken.None));
        Assert.Contains("401", refused.ToString());
    }

    [Fact]
    public async Task LogsFollowPrintsNewRunsUntilStopped()
    {
        string site = Site("live", "local r = args.web() return { body = buffer.fromstring(r.url.path) }");
        Assert.Equal(0, (await Publish(site)).Code);
        string url = $"http://live-{_publisher.Key.Id}.localhost:{_node.Port}/";
        await Fetch(url, "/one");
        var output = new StringWriter();
        var synced = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource();
        var following = LogsCommand.RunAsync("live", follow: true, NodeUrl, _keys, synced, new StringWriter(), stop.Token);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!output.ToString().Contains("GET /one", StringComparison.Ordinal))
            await Task.Delay(50, guard.Token);
        await Fetch(url, "/two");
        while (!output.ToString().Contains("GET /two", StringComparison.Ordinal))
            await Task.Delay(50, guard.Token);
        stop.Cancel();
        Assert.Equal(0, await following);
        string text = output.ToString();
        Assert.Equal(text.IndexOf("GET /one", StringComparison.Ordinal), text.LastIndexOf("GET /one", StringComparison.Ordinal));
    }

    [Fact]
    public void RecentRunsMakeATableWithColouredStatusesAndWhatEachPrinted()
    {
        var runs = new[]
        {
            new Coputer.Gateway.Api.RunRecord(DateTimeOffset.UnixEpoch, "GET /", "ok", 200, 1.5, 1234, 4096, "hello\n", null, null, null, "p"),
            new Coputer.Gateway.Api.RunRecord(DateTimeOffset.UnixEpoch, "GET /[broken]", "program-error", 500, 2.0, 99, 4096, "", "main.luau:3: boom", null, null, "p"),
        };
        var screen = new StringWriter();
        var terminal = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.Yes,
            ColorSystem = Spectre.Console.ColorSystemSupport.Standard,
            Interactive = Spectre.Console.InteractionSupport.No,
            Out = new Spectre.Console.AnsiConsoleOutput(screen),
        });
        terminal.Profile.Width = 120;
        terminal.Write(LogsCommand.Table(runs));
        string text = screen.ToString();
        foreach (string expected in new[] { "time", "request", "status", "instructions", "GET /[broken]", "1,234", "hello", "main.luau:3: boom", "200", "500" })
            Assert.Contains(expected, text);
        Assert.Contains("\u001b[", text);
    }
}

