using System.IO.Compression;
using System.Net;
using System.Text;
using Coputer.Platform.Bundles;
using Coputer.Tests.Shared;

namespace Coputer.Gateway.Tests;

/// <summary>A node with section 9's programs, the small site and a few of our own, shared by the serving tests.</summary>
public sealed class ServingNode : IAsyncLifetime
{
    internal TestGateway Gateway { get; private set; } = null!;

    internal Bundle Site { get; } = TestGateway.Program("site");

    public async Task InitializeAsync()
    {
        Gateway = await TestGateway.StartAsync();
        foreach (var name in new[] { "web1", "web2", "web3" })
            Gateway.Publish(name, TestGateway.Program(name));
        Gateway.Publish("site", Site);
        Gateway.Publish("echo", TestGateway.FromSource("""
            local r = args.web()
            local lines = { r.method, r.url.path, r.url.rawpath, tostring(buffer.len(r.body)) }
            for name, value in r.headers do
                table.insert(lines, name .. "=" .. value)
            end
            return { headers = { ["content-type"] = "text/plain; charset=utf-8" }, body = buffer.fromstring(table.concat(lines, "\n")) }
            """));
        Gateway.Publish("big", TestGateway.FromSource("""
            return { headers = { ["content-type"] = "text/html; charset=utf-8" }, body = buffer.fromstring("<p>" .. string.rep("coputer ", 2000) .. "</p>") }
            """));
        Gateway.Publish("headers", TestGateway.FromSource("""
            local r = args.web()
            local h = { ["content-type"] = "text/plain", connection = "close", ["transfer-encoding"] = "chunked", ["keep-alive"] = "timeout=1",
                upgrade = "websocket", ["content-length"] = "1", ["set-cookie"] = "sid=1; Domain=coputer.test; Path=/; HttpOnly", ["x-kept"] = "yes" }
            if r.url.path == "/inject" then
                h["x-evil"] = "a\r\nset-cookie: stolen=1"
            end
            if r.url.path == "/nobody" then
                return { statuscode = 204, headers = { ["x-kept"] = "yes" }, body = buffer.fromstring("ignored") }
            end
            return { headers = h, body = buffer.fromstring("fine") }
            """));
        Gateway.Publish("fail", TestGateway.FromSource("""
            local secret = "s3cr3t-internal"
            local function explode()
                error("boom with " .. secret)
            end
            explode()
            return {}
            """));
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

public class ServingTests(ServingNode node) : IClassFixture<ServingNode>
{
    private TestGateway Gateway => node.Gateway;

    [Theory]
    [MemberData(nameof(SpecWebVectors.All), MemberType = typeof(SpecWebVectors))]
    public async Task SectionNineVectorsHoldOverHttp(string program, string method, string target, int status, string? contentType, string body)
    {
        using var response = await Gateway.SendAsync(new HttpMethod(method), Gateway.ProgramHost(program), target);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnETagAnswersIfNoneMatchWith304()
    {
        using var first = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.True(etag.IsWeak);
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());

        using var again = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/", ("If-None-Match", etag.ToString()));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Equal(etag, again.Headers.ETag);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());

        using var other = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/", ("If-None-Match", "W/\"something-else\""));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task HeadRunsAsGetAndSendsNoBody()
    {
        // web2 answers 405 to anything but GET: HEAD reaching it as GET proves the mapping.
        using var get = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/hello");
        using var head = await Gateway.SendAsync(HttpMethod.Head, Gateway.ProgramHost("web2"), "/hello");
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("gzip, br", "br")]
    public async Task LargeTextIsCompressed(string accept, string coding)
    {
        using var plain = await Gateway.GetAsync(Gateway.ProgramHost("big"), "/");
        string expected = await plain.Content.ReadAsStringAsync();
        Assert.Empty(plain.Content.Headers.ContentEncoding);

        using var response = await Gateway.GetAsync(Gateway.ProgramHost("big"), "/", ("Accept-Encoding", accept));
        Assert.Equal([coding], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var compressed = await response.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length < expected.Length / 10, $"{compressed.Length} bytes compressed");
        using Stream decoder = coding == "br"
            ? new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress)
            : new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        Assert.Equal(expected, await new StreamReader(decoder).ReadToEndAsync());
        Assert.Equal(plain.Headers.ETag, response.Headers.ETag);
    }

    [Fact]
    public async Task SmallResponsesAreNotCompressed()
    {
        using var response = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/", ("Accept-Encoding", "br, gzip"));
        Assert.Empty(response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task AssetsAreServedFromTheBundle()
    {
        using var css = await Gateway.GetAsync(Gateway.ProgramHost("site"), "/public/style.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css; charset=utf-8", css.Content.Headers.ContentType?.ToString());
        Assert.Equal("public, max-age=300", css.Headers.CacheControl?.ToString());
        Assert.Equal(["nosniff"], css.Headers.GetValues("x-content-type-options"));
        Assert.Equal(Encoding.UTF8.GetString(node.Site.Find("public/style.css")!.Content.Span), await css.Content.ReadAsStringAsync());

        using var again = await Gateway.GetAsync(Gateway.ProgramHost("site"), "/public/style.css", ("If-None-Match", css.Headers.ETag!.ToString()));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        // By hash, a file can never change.
        using var pinned = await Gateway.GetAsync($"{node.Site.Hash.ToBase36()}.{TestGateway.Host}", "/public/style.css");
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        Assert.Contains("immutable", pinned.Headers.CacheControl?.ToString());

        // A missing asset goes to the program (the site answers its own 404), and modules are not assets.
        using var missing = await Gateway.GetAsync(Gateway.ProgramHost("site"), "/public/nothing.css");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Page not found", await missing.Content.ReadAsStringAsync());
        using var module = await Gateway.GetAsync(Gateway.ProgramHost("site"), "/layout.luau");
        Assert.DoesNotContain("require", await module.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AVersionIsReachableByItsHash()
    {
        using var response = await Gateway.GetAsync($"{node.Site.Hash.ToBase36()}.{TestGateway.Host}", "/about");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>About</title>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ThePathFormServesProgramsUnderAPrefix()
    {
        string id = Gateway.Publisher.Key.Id.ToString();
        using var redirect = await Gateway.GetAsync(TestGateway.Host, $"/p/{id}/web1?x=1");
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
        Assert.Equal($"/p/{id}/web1/?x=1", redirect.Headers.Location?.ToString());

        using var response = await Gateway.GetAsync(TestGateway.Host, $"/p/{id}/web1/submit?y");
        Assert.Equal("hello GET /submit world! /submit?y", await response.Content.ReadAsStringAsync());

        using var echo = await Gateway.GetAsync(TestGateway.Host, $"/p/{id}/echo/");
        Assert.Contains($"x-forwarded-prefix=/p/{id}/echo", await echo.Content.ReadAsStringAsync());

        using var byHash = await Gateway.GetAsync(TestGateway.Host, $"/p/{node.Site.Hash}/public/style.css");
        Assert.Equal("text/css; charset=utf-8", byHash.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task ProgramsSeeTheRequestWithoutHostOrConnectionHeaders()
    {
        using var response = await Gateway.SendAsync(HttpMethod.Post, Gateway.ProgramHost("echo"), "/form?q=1", new StringContent("a=1&b=2", Encoding.UTF8, "application/x-www-form-urlencoded"),
            ("X-Multi", "one"), ("X-Multi", "two"), ("Connection", "keep-alive"));
        string text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n');
        Assert.Equal(["POST", "/form", "/form?q=1", "7"], lines[..4]);
        Assert.Contains("content-type=application/x-www-form-urlencoded; charset=utf-8", lines);
        Assert.Contains("x-multi=one, two", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("host=", StringComparison.Ordinal) || l.StartsWith("connection=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConnectionHeadersFromAProgramAreDroppedAndCookiesKeptOnItsHost()
    {
        using var response = await Gateway.GetAsync(Gateway.ProgramHost("headers"), "/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fine", await response.Content.ReadAsStringAsync());
        Assert.Equal(["yes"], response.Headers.GetValues("x-kept"));
        Assert.False(response.Headers.ConnectionClose ?? false);
        Assert.False(response.Headers.TransferEncodingChunked ?? false);
        Assert.False(response.Headers.Contains("keep-alive"));
        Assert.False(response.Headers.Contains("upgrade"));
        Assert.Equal(4, response.Content.Headers.ContentLength);
        Assert.Equal(["sid=1; Path=/; HttpOnly"], response.Headers.GetValues("set-cookie"));
    }

    [Fact]
    public async Task ALineBreakInAProgramsHeaderNeverReachesTheClient()
    {
        using var response = await Gateway.GetAsync(Gateway.ProgramHost("headers"), "/inject");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(response.Headers.Contains("x-evil"));
        Assert.DoesNotContain(response.Headers, h => h.Key.Equals("set-cookie", StringComparison.OrdinalIgnoreCase));
        using var next = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task NoBodyStatusesSendNoBody()
    {
        using var response = await Gateway.GetAsync(Gateway.ProgramHost("headers"), "/nobody");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(["yes"], response.Headers.GetValues("x-kept"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AProgramErrorIsACleanPageThatLeaksNothing()
    {
        using var response = await Gateway.GetAsync(Gateway.ProgramHost("fail"), "/");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        string page = await response.Content.ReadAsStringAsync();
        string id = Assert.Single(response.Headers.GetValues("x-request-id"));
        Assert.Contains(id, page);
        Assert.Contains("coputer logs", page);
        foreach (var secret in new[] { "s3cr3t", "boom", "main.luau", "explode", "Exception", "at Coputer", "traceback" })
            Assert.DoesNotContain(secret, page, StringComparison.OrdinalIgnoreCase);
        // The operator's log has it, under the same request id.
        Assert.Contains(Gateway.Logs.Entries, e => e.Message.Contains(id, StringComparison.Ordinal) && e.Message.Contains("boom with s3cr3t-internal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostsThatAreNotOursAreRefusedAndTheNodeKeepsServing()
    {
        using var trick = await Gateway.GetAsync($"{Gateway.Label("web2")}.evil{TestGateway.Host}", "/");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, trick.StatusCode);
        using var deeper = await Gateway.GetAsync($"x.{Gateway.ProgramHost("web2")}", "/");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, deeper.StatusCode);
        using var foreign = await Gateway.GetAsync("example.org", "/");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, foreign.StatusCode);
        using var unknown = await Gateway.GetAsync($"nothing.{TestGateway.Host}", "/");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var missing = await Gateway.GetAsync($"missing-{Gateway.Publisher.Key.Id}.{TestGateway.Host}", "/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var ok = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task TheHomePageListsWhatTheNodeHosts()
    {
        using var response = await Gateway.GetAsync($"{TestGateway.Host}:{Gateway.Port}", "/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SpecWebVectors.Html, response.Content.Headers.ContentType?.ToString());
        string page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<!DOCTYPE html>", page);
        Assert.Contains($"http://{Gateway.Label("web1")}.{TestGateway.Host}:{Gateway.Port}/", page);
        Assert.Contains($"http://{Gateway.Publisher.Key.Id}.{TestGateway.Host}:{Gateway.Port}/", page);
        Assert.Contains("coputer publish", page);
        Assert.NotNull(response.Headers.GetValues("content-security-policy"));
    }

    [Fact]
    public async Task AProfileListsEachProgramWithItsVersions()
    {
        using var response = await Gateway.GetAsync($"{Gateway.Publisher.Key.Id}.{TestGateway.Host}", "/");
        string page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Gateway.Publisher.Key.ToString(), page);
        Assert.Contains(">site</a>", page);
        Assert.Contains(node.Site.Hash.ToString()[..12], page);
        Assert.Contains($"{node.Site.Hash.ToBase36()}.{TestGateway.Host}", page);

        using var post = await Gateway.SendAsync(HttpMethod.Post, $"{Gateway.Publisher.Key.Id}.{TestGateway.Host}", "/");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        using var stranger = await Gateway.GetAsync($"{new string('0', 31)}.{TestGateway.Host}", "/");
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
    }

    [Fact]
    public async Task MetricsAndHealthAreServed()
    {
        using (await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/hello"))
        using (await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/hello"))
        {
        }
        using var metrics = await Gateway.GetAsync(TestGateway.Host, "/metrics");
        string text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("coputer_http_requests_total{kind=\"program\",code=\"200\"}", text);
        Assert.Contains("coputer_http_request_duration_seconds_bucket{kind=\"program\"", text);
        Assert.Contains("coputer_runs_total{outcome=\"ok\"}", text);
        Assert.Matches(@"coputer_run_cache_hits_total [1-9]", text);
        Assert.Contains("coputer_run_instructions_total", text);
        Assert.Contains("coputer_run_queue_length", text);

        using var health = await Gateway.GetAsync(TestGateway.Host, "/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"status\":\"ok\"", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EveryRequestIsLoggedWithItsId()
    {
        using var response = await Gateway.GetAsync(Gateway.ProgramHost("web1"), "/logged");
        string id = Assert.Single(response.Headers.GetValues("x-request-id"));
        var entry = Assert.Single(Gateway.Logs.Entries, e => e.Fields.Any(f => f.Key == "RequestId" && (string?)f.Value == id));
        Assert.Contains(entry.Fields, f => f.Key == "StatusCode" && (int?)f.Value == 200);
        Assert.Contains(entry.Fields, f => f.Key == "Path" && (string?)f.Value == "/logged");
    }
}
