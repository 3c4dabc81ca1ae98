using System.Net;
using Coputer.Gateway.Pages;

namespace Coputer.Gateway.Tests;

public class NetworkPageTests
{
    [Fact]
    public async Task ANodeAloneSaysSoAndListsWhatItHolds()
    {
        await using var gateway = await TestGateway.StartAsync();
        var bundle = TestGateway.FromSource("return {}");
        gateway.Publish("site", bundle);
        using var response = await gateway.GetAsync(TestGateway.Host, "/network");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("runs alone", page);
        Assert.Contains(gateway.Label("site"), page);
        Assert.Contains(NodePages.ShortHash(bundle.Hash), page);
        using var post = await gateway.SendAsync(HttpMethod.Post, TestGateway.Host, "/network");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task ANetworkedNodeShowsItsPeersAndCountersEscaped()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Node.Gateway.Network = () => new NetworkStatus("self-id", "127.0.0.1:9001",
            [new NetworkPeer("peer-one", "127.0.0.1:9002"), new NetworkPeer("peer-two", "<b>x</b>:1")],
            [new NetworkPeer("peer-three", "10.0.0.3:9001")],
            [("runs forwarded to a neighbour and answered", 12_345)]);
        using var response = await gateway.GetAsync(TestGateway.Host, "/network");
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("self-id", page);
        Assert.Contains("127.0.0.1:9001", page);
        Assert.Contains("peer-one", page);
        Assert.Contains("peer-three", page);
        Assert.Contains("12,345", page);
        Assert.DoesNotContain("<b>x</b>", page);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", page);
        Assert.DoesNotContain("runs alone", page);
        // The home page links to it.
        using var home = await gateway.GetAsync(TestGateway.Host, "/");
        Assert.Contains("/network", await home.Content.ReadAsStringAsync());
    }
}
