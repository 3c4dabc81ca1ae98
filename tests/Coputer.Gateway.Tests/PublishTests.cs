using System.Net;
using System.Net.Http.Json;
using Coputer.Gateway.Api;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Gateway.Tests;

public class PublishTests
{
    [Fact]
    public async Task AVerifiedPublicationIsServedAtTheUrlItReturns()
    {
        await using var gateway = await TestGateway.StartAsync();
        var bundle = TestGateway.Program("web2");
        var record = gateway.SignedRecordFor("web2", bundle);
        using var response = await gateway.Client.SendAsync(TestGateway.PublishRequest(record.Encode(), bundle.Encode()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<PublishResponse>(Gateway.JsonOptions);
        Assert.Equal("published", answer!.Status);
        Assert.Equal(gateway.Label("web2"), answer.Label);
        Assert.Equal(bundle.Hash.ToString(), answer.Program);
        Assert.Equal(1, answer.Sequence);
        Assert.Equal($"http://{gateway.ProgramHost("web2")}/", answer.Url);

        using var page = await gateway.GetAsync(gateway.ProgramHost("web2"), "/hello");
        Assert.Equal("<p>hello page</p>", await page.Content.ReadAsStringAsync());

        // The same record again changes nothing.
        using var again = await gateway.Client.SendAsync(TestGateway.PublishRequest(record.Encode(), bundle.Encode()));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        using var info = await gateway.GetAsync(TestGateway.Host, $"/api/programs/{gateway.Label("web2")}");
        var program = await info.Content.ReadFromJsonAsync<ProgramInfo>(Gateway.JsonOptions);
        Assert.Equal(1, program!.Sequence);
        Assert.Equal(gateway.Publisher.Key.ToString(), program.PublisherKey);
        Assert.Single(program.Versions);
    }

    [Fact]
    public async Task AForgedOrStalePublicationIsRefusedAndNothingIsStored()
    {
        await using var gateway = await TestGateway.StartAsync();
        var bundle = TestGateway.Program("web1");
        var wire = gateway.SignedRecordFor("web1", bundle).Encode();
        var forged = (byte[])wire.Clone();
        forged[^1] ^= 1;
        using (var response = await gateway.Client.SendAsync(TestGateway.PublishRequest(forged, bundle.Encode())))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("bad-signature", (await response.Content.ReadFromJsonAsync<PublishResponse>(Gateway.JsonOptions))!.Reason);
        }
        Assert.Null(gateway.Node.Execution.Resolve(ProgramRef.ByName(gateway.Publisher.Key, "web1")));
        Assert.False(gateway.Node.Execution.Store.HasProgram(bundle.Hash));

        // Signed by someone else for our key.
        using var other = Publisher.Generate();
        var body = new PublicationRecord(other.Key, "web1", bundle.Hash, 1).Sign(other).Encode();
        var mismatched = TestGateway.FromSource("return {}");
        using (var response = await gateway.Client.SendAsync(TestGateway.PublishRequest(body, mismatched.Encode())))
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);

        using (var ok = await gateway.Client.SendAsync(TestGateway.PublishRequest(wire, bundle.Encode())))
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var replay = new PublicationRecord(gateway.Publisher.Key, "web1", bundle.Hash, 1).Sign(gateway.Publisher).Encode();
        var older = new PublicationRecord(gateway.Publisher.Key, "web1", mismatched.Hash, 1).Sign(gateway.Publisher).Encode();
        using (var stale = await gateway.Client.SendAsync(TestGateway.PublishRequest(older, mismatched.Encode())))
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(bundle.Hash, gateway.Node.Execution.Resolve(ProgramRef.ByName(gateway.Publisher.Key, "web1"))!.Program);
        using (var same = await gateway.Client.SendAsync(TestGateway.PublishRequest(replay, [])))
            Assert.Equal(HttpStatusCode.OK, same.StatusCode);
    }

    [Fact]
    public async Task MalformedPublicationsAreRefused()
    {
        await using var gateway = await TestGateway.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = new ByteArrayContent([1, 2, 3]) };
        request.Headers.Host = TestGateway.Host;
        using (var missing = await gateway.Client.SendAsync(request))
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        using (var garbage = await gateway.Client.SendAsync(TestGateway.PublishRequest([0xa1, 0x00], [1, 2, 3])))
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        var bundle = TestGateway.Program("web1");
        using (var badBundle = await gateway.Client.SendAsync(TestGateway.PublishRequest(gateway.SignedRecordFor("web1", bundle).Encode(), [0x1f, 0x8b, 0, 0])))
            Assert.Equal(HttpStatusCode.BadRequest, badBundle.StatusCode);
        using (var get = await gateway.GetAsync(TestGateway.Host, "/api/publish"))
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        try
        {
            using var huge = await gateway.Client.SendAsync(TestGateway.PublishRequest(gateway.SignedRecordFor("web1", bundle).Encode(), new byte[(16 << 20) + 1]));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The node answered 413 and closed the connection while the client was still sending: also a refusal.
        }
        Assert.Empty(gateway.Node.Execution.ListPublishers(10));
    }

    [Fact]
    public async Task ANodeCanRefusePublications()
    {
        await using var gateway = await TestGateway.StartAsync(new GatewayOptions { AllowPublish = false });
        var bundle = TestGateway.Program("web1");
        using var response = await gateway.Client.SendAsync(TestGateway.PublishRequest(gateway.SignedRecordFor("web1", bundle).Encode(), bundle.Encode()));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task OnlyThePublisherReadsAProgramsRuns()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Publish("talk", TestGateway.FromSource("""
            print("handling", args.web().url.path)
            return { body = buffer.fromstring("ok") }
            """));
        using (await gateway.GetAsync(gateway.ProgramHost("talk"), "/first"))
        {
        }
        string label = gateway.Label("talk");
        string path = $"/api/programs/{label}/runs";
        using (var anonymous = await gateway.GetAsync(TestGateway.Host, path))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var stranger = Publisher.Generate();
        using (var other = await gateway.GetAsync(TestGateway.Host, path, ("Authorization", SignedRequest.Create(stranger, label, DateTimeOffset.UtcNow))))
            Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        using (var old = await gateway.GetAsync(TestGateway.Host, path, ("Authorization", SignedRequest.Create(gateway.Publisher, label, DateTimeOffset.UtcNow.AddHours(-1)))))
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using (var otherLabel = await gateway.GetAsync(TestGateway.Host, path, ("Authorization", SignedRequest.Create(gateway.Publisher, gateway.Label("else"), DateTimeOffset.UtcNow))))
            Assert.Equal(HttpStatusCode.Unauthorized, otherLabel.StatusCode);

        using var owner = await gateway.GetAsync(TestGateway.Host, path, ("Authorization", SignedRequest.Create(gateway.Publisher, label, DateTimeOffset.UtcNow)));
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        var runs = await owner.Content.ReadFromJsonAsync<List<RunRecord>>(Gateway.JsonOptions);
        var run = Assert.Single(runs!);
        Assert.Equal("GET /first", run.Request);
        Assert.Equal("ok", run.Outcome);
        Assert.Equal(200, run.StatusCode);
        Assert.Equal("handling\t/first\n", run.Log);
        Assert.True(run.Instructions > 0);
    }
}
