using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Coputer.Gateway.Tests;

/// <summary>A node with short client timeouts, for the hostile-HTTP tests.</summary>
public sealed class HostileNode : IAsyncLifetime
{
    internal TestGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gateway = await TestGateway.StartAsync(new GatewayOptions { RequestHeadersTimeout = TimeSpan.FromSeconds(1), MaxRequestBodyBytes = 64 << 10 });
        Gateway.Publish("web2", TestGateway.Program("web2"));
        Gateway.Publish("echo", TestGateway.FromSource("""
            local r = args.web()
            return { body = buffer.fromstring(tostring(buffer.len(r.body))) }
            """));
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>Requests meant to hurt: each is refused with the right status, and the node keeps serving.</summary>
public class HostileTests(HostileNode node) : IClassFixture<HostileNode>
{
    private TestGateway Gateway => node.Gateway;

    private async Task StillServes()
    {
        using var response = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("<p>hello page</p>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnOversizedBodyIs413()
    {
        using var declared = await Gateway.SendAsync(HttpMethod.Post, Gateway.ProgramHost("echo"), "/", new ByteArrayContent(new byte[(64 << 10) + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);

        // Chunked, so the size is only known while reading.
        var chunked = new StreamContent(new MemoryStream(new byte[200 << 10]));
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = chunked };
        request.Headers.Host = Gateway.ProgramHost("echo");
        request.Headers.TransferEncodingChunked = true;
        try
        {
            using var response = await Gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The server may close the connection while the client is still sending: also a refusal.
        }

        using var fits = await Gateway.SendAsync(HttpMethod.Post, Gateway.ProgramHost("echo"), "/", new ByteArrayContent(new byte[64 << 10]));
        Assert.Equal((64 << 10).ToString(System.Globalization.CultureInfo.InvariantCulture), await fits.Content.ReadAsStringAsync());
        await StillServes();
    }

    [Fact]
    public async Task OversizedHeadersAre431()
    {
        using var big = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/", ("X-Big", new string('a', 40 << 10)));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, big.StatusCode);
        var many = Enumerable.Range(0, 150).Select(i => ($"X-H{i}", "v")).ToArray();
        using var count = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/", many);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, count.StatusCode);
        await StillServes();
    }

    [Fact]
    public async Task AnOversizedRequestLineIs414()
    {
        using var response = await Gateway.GetAsync(Gateway.ProgramHost("web2"), "/" + new string('a', 10 << 10));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        await StillServes();
    }

    [Fact]
    public async Task ASlowClientIsCutOff()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Gateway.Port);
        var stream = client.GetStream();
        // Half a request, then silence: the node must not wait for the rest forever.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {Gateway.ProgramHost("web2")}\r\nX-Slow: "));
        var started = DateTime.UtcNow;
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int n;
        while ((n = await stream.ReadAsync(buffer, give.Token)) > 0)
            answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        var waited = DateTime.UtcNow - started;
        Assert.True(waited < TimeSpan.FromSeconds(15), $"closed after {waited}");
        Assert.True(answer.Length == 0 || answer.ToString().StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer.ToString());
        await StillServes();
    }

    [Fact]
    public async Task AClientThatTricklesItsBodyIsCutOff()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Gateway.Port);
        var stream = client.GetStream();
        // A body announced at 60,000 bytes that arrives at 2 bytes a second, far under the 240 B/s floor.
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST / HTTP/1.1\r\nHost: {Gateway.ProgramHost("echo")}\r\nContent-Length: 60000\r\n\r\n"));
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var started = DateTime.UtcNow;
        var trickle = Task.Run(async () =>
        {
            try
            {
                while (!give.IsCancellationRequested)
                {
                    await stream.WriteAsync("x"u8.ToArray(), give.Token);
                    await Task.Delay(500, give.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The node closed the connection: what this test waits for.
            }
        });
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, give.Token)) > 0)
                answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        catch (IOException)
        {
            // A reset instead of an orderly close also ends the connection.
        }
        var waited = DateTime.UtcNow - started;
        give.Cancel();
        await trickle;
        // Kestrel allows a 5 s grace period before it enforces the rate.
        Assert.True(waited < TimeSpan.FromSeconds(15), $"closed after {waited}");
        Assert.True(answer.Length == 0 || answer.ToString().StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer.ToString());
        await StillServes();
    }

    [Fact]
    public async Task AMalformedRequestIs400()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Gateway.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("GARBAGE\r\n\r\n"u8.ToArray());
        var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.StartsWith("HTTP/1.1 400", await reader.ReadLineAsync());
        await StillServes();
    }

    [Fact]
    public async Task AThousandConcurrentConnectionsAreServed()
    {
        const int Connections = 1000;
        var clients = new TcpClient[Connections];
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                clients[i] = new TcpClient();
                await clients[i].ConnectAsync(IPAddress.Loopback, Gateway.Port);
            }
            // Every connection is open at once; now each sends a request and reads its answer.
            var request = Encoding.ASCII.GetBytes($"GET /hello HTTP/1.1\r\nHost: {Gateway.ProgramHost("web2")}\r\nConnection: close\r\n\r\n");
            var answers = await Task.WhenAll(clients.Select(async c =>
            {
                var s = c.GetStream();
                await s.WriteAsync(request);
                using var reader = new StreamReader(s, Encoding.ASCII);
                return await reader.ReadToEndAsync();
            }));
            Assert.All(answers, a =>
            {
                Assert.StartsWith("HTTP/1.1 200 OK", a);
                Assert.EndsWith("<p>hello page</p>", a);
            });
        }
        finally
        {
            foreach (var c in clients)
                c?.Dispose();
        }
        await StillServes();
    }
}
