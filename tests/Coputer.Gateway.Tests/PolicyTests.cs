using System.Net;
using System.Net.Http.Json;
using Coputer.Gateway.Api;
using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Policy;
using Coputer.Platform.Records;

namespace Coputer.Gateway.Tests;

public class PolicyTests
{
    [Fact]
    public async Task ADeniedPublisherIsRefused403AndADeniedProgramIsNotServed()
    {
        using var denied = Publisher.Generate();
        var blocked = TestGateway.FromSource("return { body = buffer.fromstring('blocked page') }");
        await using var gateway = await TestGateway.StartAsync(execution: o => o with
        {
            Policy = NodePolicy.Default with { DeniedPublishers = new HashSet<PublisherId> { denied.Key.Id } },
        });
        var bundle = TestGateway.FromSource("return { body = buffer.fromstring('fine') }");
        var record = new PublicationRecord(denied.Key, "site", bundle.Hash, 1).Sign(denied).Encode();
        using (var response = await gateway.Client.SendAsync(TestGateway.PublishRequest(record, bundle.Encode())))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var answer = await response.Content.ReadFromJsonAsync<PublishResponse>(Gateway.JsonOptions);
            Assert.Equal("denied", answer!.Reason);
        }
        Assert.False(gateway.Node.Execution.Store.HasProgram(bundle.Hash));
        using (var page = await gateway.GetAsync($"site-{denied.Key.Id}.{TestGateway.Host}", "/"))
            Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);

        // A program first served, then denied by the operator on the next start, is refused even though its answer is cached.
        gateway.Publish("blocked", blocked);
        using (var first = await gateway.GetAsync(gateway.ProgramHost("blocked"), "/"))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var directory = gateway.Directory;
        await gateway.Node.DisposeAsync();
        await using var restarted = await TestGateway.StartAsync(execution: o => o with
        {
            DataDirectory = directory,
            Policy = NodePolicy.Default with { DeniedPrograms = new HashSet<Hash256> { blocked.Hash } },
        });
        using var refused = await restarted.GetAsync(gateway.ProgramHost("blocked"), "/");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var text = await refused.Content.ReadAsStringAsync();
        Assert.DoesNotContain("blocked page", text);
        using var byHash = await restarted.GetAsync($"{blocked.Hash.ToBase36()}.{TestGateway.Host}", "/");
        Assert.Equal(HttpStatusCode.Forbidden, byHash.StatusCode);
    }

    [Fact]
    public async Task ARunQuotaIsAnswered429WithRetryAfter()
    {
        await using var gateway = await TestGateway.StartAsync(execution: o => o with { Policy = NodePolicy.Default with { RunsPerMinutePerPublisher = 2 } });
        gateway.Publish("echo", TestGateway.FromSource("return { body = buffer.fromstring(args.web().url.rawquery) }"));
        var statuses = new List<HttpStatusCode>();
        TimeSpan? retry = null;
        for (int i = 0; i < 4; i++)
        {
            using var response = await gateway.GetAsync(gateway.ProgramHost("echo"), "/?" + i);
            statuses.Add(response.StatusCode);
            retry ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response.Headers.RetryAfter?.Delta : null;
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.InRange(retry!.Value.TotalSeconds, 1, 30);
        // A cached page is still served: the quota counts runs, not requests.
        using var cached = await gateway.GetAsync(gateway.ProgramHost("echo"), "/?0");
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
    }

    [Fact]
    public async Task AStorageQuotaRefusesTheBundleWith413()
    {
        await using var gateway = await TestGateway.StartAsync(execution: o => o with { Policy = NodePolicy.Default with { StorageBytesPerPublisher = 64 } });
        var bundle = TestGateway.FromSource("return { body = buffer.fromstring('" + string.Concat(Enumerable.Range(0, 400).Select(i => i.ToString("x3"))) + "') }");
        using var response = await gateway.Client.SendAsync(TestGateway.PublishRequest(gateway.SignedRecordFor("big", bundle).Encode(), bundle.Encode()));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("quota-exceeded", (await response.Content.ReadFromJsonAsync<PublishResponse>(Gateway.JsonOptions))!.Reason);
        Assert.False(gateway.Node.Execution.Store.HasProgram(bundle.Hash));
    }
}
