using Coputer.Network.Hosting;
using Coputer.Network.Tests.Hosting;
using Coputer.Network.Transport;

namespace Coputer.Network.Tests.Transport;

public sealed class ConnectionCapTests
{
    [Fact]
    public async Task OnePeerMayHoldOnlyItsShareOfConnectionsOthersAreUnaffected()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync(configure: o => o with { Transport = o.Transport with { MaxConnectionsPerPeer = 2 } });
        using var identity = NodeIdentity.Generate();
        using var certificate = PeerCertificate.Create(identity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        var options = new PeerTransportOptions();
        // Each client has its own connection pool, so each holds one connection open after its call.
        var first = new PeerClient(certificate, options);
        using var second = new PeerClient(certificate, options);
        using var third = new PeerClient(certificate, options);
        Assert.Equal(a.Self.Id, await first.HelloAsync(a.Self.Address));
        Assert.Equal(a.Self.Id, await second.HelloAsync(a.Self.Address));
        await Assert.ThrowsAsync<PeerCallException>(() => third.HelloAsync(a.Self.Address));

        // Another node is counted apart.
        using var otherIdentity = NodeIdentity.Generate();
        using var otherCertificate = PeerCertificate.Create(otherIdentity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var other = new PeerClient(otherCertificate, options);
        Assert.Equal(a.Self.Id, await other.HelloAsync(a.Self.Address));

        // When one of the first node's connections closes, a new one is accepted.
        first.Dispose();
        Assert.True(await TestHosts.EventuallyAsync(() =>
        {
            using var again = new PeerClient(certificate, options);
            try
            {
                return again.HelloAsync(a.Self.Address).GetAwaiter().GetResult() == a.Self.Id;
            }
            catch (PeerCallException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10)));
    }
}
