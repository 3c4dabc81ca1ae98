using System.Globalization;
using System.Net;

namespace Coputer.Gateway.Tests;

public class OverloadTests
{
    // About a quarter of a second of work per run, different for every query (no cache, no sharing).
    private const string Slow = """
        local n = 0
        for i = 1, 3000000 do
            n += i % 7
        end
        return { body = buffer.fromstring(tostring(n) .. args.web().url.rawquery) }
        """;

    [Fact]
    public async Task AFullQueueIsAnswered503WithRetryAfter()
    {
        await using var gateway = await TestGateway.StartAsync(execution: o => o with { Workers = 1, QueueCapacity = 1 });
        gateway.Publish("slow", TestGateway.FromSource(Slow));
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => gateway.GetAsync(gateway.ProgramHost("slow"), "/?" + i.ToString(CultureInfo.InvariantCulture))));
        try
        {
            var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
            Assert.NotEmpty(busy);
            Assert.All(busy, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta));
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        }
        finally
        {
            foreach (var r in responses)
                r.Dispose();
        }
        using var later = await gateway.GetAsync(gateway.ProgramHost("slow"), "/?later");
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task ARunPastTheRequestDeadlineIs504()
    {
        await using var gateway = await TestGateway.StartAsync(new GatewayOptions { RequestDeadline = TimeSpan.FromMilliseconds(1) }, o => o with { Workers = 1 });
        gateway.Publish("slow", TestGateway.FromSource(Slow));
        using var response = await gateway.GetAsync(gateway.ProgramHost("slow"), "/?deadline");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.DoesNotContain("3000000", await response.Content.ReadAsStringAsync());
    }
}
