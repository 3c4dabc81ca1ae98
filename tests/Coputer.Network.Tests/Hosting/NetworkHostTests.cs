using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coputer.Network.Hosting;
using Coputer.Network.Transport;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Runtime;
using Xunit.Abstractions;
using WebRequest = Coputer.Platform.Runtime.WebRequest;

namespace Coputer.Network.Tests.Hosting;

/// <summary>Hosts talking over real HTTP/2 and mutually authenticated TLS 1.3 on loopback.</summary>
public sealed class NetworkHostTests(ITestOutputHelper output)
{
    private static readonly PeerTransportOptions s_transport = new();

    [Fact]
    public async Task TwoHostsAuthenticateEachOtherAndBecomeNeighbours()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        var b = await hosts.StartAsync();
        Assert.Equal(a.Self.Id, await b.JoinAsync(a.Self.Address));
        Assert.True(await TestHosts.EventuallyAsync(() => a.ActivePeers.Any(p => p.Id == b.Self.Id) && b.ActivePeers.Any(p => p.Id == a.Self.Id), TimeSpan.FromSeconds(10)));
        Assert.True(a.Counters.MessagesIn(1) >= 1); // the Join
        Assert.Equal(0, a.Counters.Refused);

        // Handshake time: a fresh client's first call (TCP, TLS 1.3 with both certificates checked, HTTP/2 request).
        // A new node each time: one node's connections are capped (MaxConnectionsPerPeer), and the listener may not
        // yet have seen the previous client's connection close.
        var times = new List<double>();
        for (int i = 0; i < 10; i++)
        {
            using var identity = NodeIdentity.Generate();
            using var certificate = PeerCertificate.Create(identity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
            using var client = new PeerClient(certificate, s_transport);
            var watch = Stopwatch.StartNew();
            Assert.Equal(a.Self.Id, await client.HelloAsync(a.Self.Address));
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        output.WriteLine($"handshake + first call: median {times[5]:F1} ms, min {times[0]:F1} ms");
    }

    [Fact]
    public async Task AClientWithAForgedCertificateOrNoneIsRefusedByTheServer()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        using var identity = NodeIdentity.Generate();
        using var victim = NodeIdentity.Generate();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        // Claims the victim's key, signed by another.
        using var forged = PeerCertificate.CreateWithExtension(key, victim.PublicKey, identity.Sign(PeerCertificate.Signed(key.ExportSubjectPublicKeyInfo())), now.AddHours(-1), now.AddDays(1));
        using (var client = new PeerClient(forged, s_transport))
            await Assert.ThrowsAsync<PeerCallException>(() => client.HelloAsync(a.Self.Address));
        using var expired = PeerCertificate.Create(identity, now.AddDays(-5), TimeSpan.FromDays(1));
        using (var client = new PeerClient(expired, s_transport))
            await Assert.ThrowsAsync<PeerCallException>(() => client.HelloAsync(a.Self.Address));

        // No client certificate at all: the TLS handshake fails.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Port(a.Self.Address));
        using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls13, ApplicationProtocols = [SslApplicationProtocol.Http2] });
        // With TLS 1.3 the client may finish before the server rejects it; the refusal then arrives on the first read.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await handshake;
            var buffer = new byte[1];
            int read = await tls.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            if (read == 0)
                throw new IOException("closed");
        });
    }

    [Fact]
    public async Task ATls12OnlyClientIsRefused()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        using var identity = NodeIdentity.Generate();
        using var certificate = PeerCertificate.Create(identity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Port(a.Self.Address));
        using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
#pragma warning disable SYSLIB0039 // TLS 1.2 is what this test offers, to see it refused.
        var options = new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls12, ClientCertificates = [certificate] };
#pragma warning restore SYSLIB0039
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(options).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AServerThatIsNotTheExpectedNodeOrHasAForgedCertificateIsRefusedByTheClient()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        using var identity = NodeIdentity.Generate();
        using var certificate = PeerCertificate.Create(identity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var client = new PeerClient(certificate, s_transport);
        using var someoneElse = NodeIdentity.Generate();
        var message = WireCodec.Encode(new Join(new PeerInfo(identity.Id, "127.0.0.1:1")));
        // a is at that address, but the message is for someone else: the handshake fails on the client side, even
        // with a connection to a already pooled (made by a hello that expected nobody in particular).
        Assert.Equal(a.Self.Id, await client.HelloAsync(a.Self.Address));
        await Assert.ThrowsAsync<PeerCallException>(() => client.SendAsync(new PeerInfo(someoneElse.Id, a.Self.Address), message));
        Assert.Equal(0, a.Counters.MessagesIn(1));

        // A server whose certificate binds a key it does not hold.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        using var forged = PeerCertificate.CreateWithExtension(key, someoneElse.PublicKey, identity.Sign(PeerCertificate.Signed(key.ExportSubjectPublicKeyInfo())), now.AddHours(-1), now.AddDays(1));
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync();
            using var tls = new SslStream(socket.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = forged, EnabledSslProtocols = SslProtocols.Tls13, ApplicationProtocols = [SslApplicationProtocol.Http2] });
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
            }
        });
        string address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        await Assert.ThrowsAsync<PeerCallException>(() => client.HelloAsync(address));
        await serve.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task MessagesSpeakingForAnotherNodeOrMalformedAreRefusedAndTheHostKeepsWorking()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        using var identity = NodeIdentity.Generate();
        using var other = NodeIdentity.Generate();
        using var certificate = PeerCertificate.Create(identity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var client = new PeerClient(certificate, s_transport);
        var to = a.Self;
        // The connection is authenticated as identity; a Join claiming to be from other is refused.
        await Assert.ThrowsAsync<PeerCallException>(() => client.SendAsync(to, WireCodec.Encode(new Join(new PeerInfo(other.Id, "127.0.0.1:9")))));
        Assert.Equal(1, a.Counters.Refused);

        var good = WireCodec.Encode(new IHave(new PeerInfo(identity.Id, "127.0.0.1:9"), 1, [Hash256.Of("x"u8)]));
        var random = new Random(7);
        int refused = 0;
        for (int i = 0; i < 300; i++)
        {
            byte[] input;
            if (i % 3 == 0)
            {
                input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])good.Clone();
                input[random.Next(input.Length)] = (byte)random.Next(256);
            }
            try
            {
                await client.SendAsync(to, input);
            }
            catch (PeerCallException)
            {
                refused++;
            }
        }
        // Oversized: refused by the size cap before decoding.
        await Assert.ThrowsAsync<PeerCallException>(() => client.SendAsync(to, new byte[WireCodec.MaxMessageSize + 1]));
        Assert.True(refused > 100, $"only {refused} of 300 refused");
        Assert.Equal(1 + refused + 1, a.Counters.Refused);
        // The host still answers a well-formed message.
        await client.SendAsync(to, good);
    }

    [Fact]
    public async Task AProgramPublishedOnOneHostReachesTheOthersWithItsBundle()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        var b = await hosts.StartAsync([a.Self.Address]);
        var c = await hosts.StartAsync([a.Self.Address]);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.ActivePeers.Count >= 1) && a.ActivePeers.Count == 2, TimeSpan.FromSeconds(15)), "the three hosts did not connect");

        using var publisher = Publisher.Generate();
        var (record, bundle) = TestHosts.Program(publisher, "blog", "hello");
        var watch = Stopwatch.StartNew();
        Assert.True(hosts.Execution(0).Publish(record, bundle).Succeeded);
        Assert.True(await TestHosts.EventuallyAsync(() => Enumerable.Range(1, 2).All(i => hosts.Execution(i).Store.Resolve(publisher.Key, "blog")?.Sequence == 1), TimeSpan.FromSeconds(15)),
            "the program did not reach both other hosts");
        output.WriteLine($"propagation to 2 hosts: {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(bundle.Hash, hosts.Execution(2).Store.GetBundle(bundle.Hash)?.Hash);
        Assert.Equal(1, b.Counters.RecordsStored);
        Assert.Equal(1, c.Counters.BundlesFetched);

        // A newer version replaces it everywhere; the stale one is not rolled back to.
        var (second, secondBundle) = TestHosts.Program(publisher, "blog", "hello again", sequence: 2);
        Assert.True(hosts.Execution(2).Publish(second, secondBundle).Succeeded);
        Assert.True(await TestHosts.EventuallyAsync(() => Enumerable.Range(0, 2).All(i => hosts.Execution(i).Store.Resolve(publisher.Key, "blog")?.Sequence == 2), TimeSpan.FromSeconds(15)));
        Assert.Equal(0, a.Counters.BadBundles);
    }

    [Fact]
    public async Task APublisherSigningTwoProgramsUnderOneSequenceIsProvenEquivocatingOnEveryHost()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        var b = await hosts.StartAsync([a.Self.Address]);
        var c = await hosts.StartAsync([a.Self.Address]);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.ActivePeers.Count >= 1) && a.ActivePeers.Count == 2, TimeSpan.FromSeconds(15)), "the three hosts did not connect");
        using var publisher = Publisher.Generate();
        var (left, leftBundle) = TestHosts.Program(publisher, "two-faced", "left");
        var (right, rightBundle) = TestHosts.Program(publisher, "two-faced", "right");
        Assert.All(hosts.Hosts, h => Assert.Equal(0, h.Equivocations));
        // Each is valid on its own: the store of the host it is published at takes it.
        Assert.True(hosts.Execution(1).Publish(left, leftBundle).Succeeded);
        Assert.True(hosts.Execution(2).Publish(right, rightBundle).Succeeded);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.Equivocations == 1), TimeSpan.FromSeconds(20)),
            string.Join(", ", hosts.Hosts.Select(h => h.Equivocations)));
        // Neither store rolled over to the other program.
        Assert.Equal(leftBundle.Hash, hosts.Execution(1).Store.Resolve(publisher.Key, "two-faced")?.Program);
        Assert.Equal(rightBundle.Hash, hosts.Execution(2).Store.Resolve(publisher.Key, "two-faced")?.Program);
    }

    [Fact]
    public async Task ABundleIsStoredByItsClosestHostsFetchedOnDemandElsewhereAndALostCopyIsRecreated()
    {
        await using var hosts = new TestHosts();
        // Two holders per program and a check every 2 s, so five hosts show placement, fetching and repair.
        var replication = new Coputer.Network.Replication.ReplicationOptions { Replicas = 2, RepairInterval = TimeSpan.FromSeconds(2), RetryInterval = TimeSpan.FromSeconds(1) };
        NetworkHostOptions Configure(NetworkHostOptions o) => o with { Replication = replication };
        var first = await hosts.StartAsync(configure: Configure);
        for (int i = 1; i < 5; i++)
            await hosts.StartAsync([first.Self.Address], Configure);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.RoutingContacts == 4 && h.ActivePeers.Count >= 1), TimeSpan.FromSeconds(30)),
            "routing tables: " + string.Join(", ", hosts.Hosts.Select(h => h.RoutingContacts)));

        using var publisher = Publisher.Generate();
        var (record, bundle) = TestHosts.Program(publisher, "placed", "held by two");
        var program = bundle.Hash;
        // The hosts by distance of their ids to the program: the two closest hold it; the farthest publishes it;
        // the fourth runs it without holding it; the third becomes a holder when the closest is lost.
        var ranked = Enumerable.Range(0, 5).OrderBy(i => Coputer.Network.Routing.RoutingKey.From(hosts.Hosts[i].Self.Id).Xor(Coputer.Network.Routing.RoutingKey.From(program))).ToArray();
        int closest = ranked[0], second = ranked[1], third = ranked[2], runner = ranked[3], publishing = ranked[4];
        Assert.True(hosts.Execution(publishing).Publish(record, bundle).Succeeded);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Execution(closest).Store.HasProgram(program) && hosts.Execution(second).Store.HasProgram(program), TimeSpan.FromSeconds(30)),
            "the closest hosts did not get the bundle");
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.Replication.Replicas.BelowTarget == 0 && h.Replication.Replicas.Unchecked == 0), TimeSpan.FromSeconds(30)));
        // Every host has the record (the broadcast), but only the holders and the publisher have the bundle.
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.Equivocations == 0) && hosts.Execution(closest).Store.Resolve(publisher.Key, "placed") is not null, TimeSpan.FromSeconds(15)));
        Assert.False(hosts.Execution(third).Store.HasProgram(program));
        Assert.False(hosts.Execution(runner).Store.HasProgram(program));
        Assert.True(hosts.Hosts[publishing].HoldsReplica(program)); // pinned where it was published
        Assert.Equal(1, hosts.Hosts[closest].Counters.ReplicasTaken);

        // A run at a host without the bundle finds a holder by a lookup, fetches the bundle, checks it and runs it here.
        var watch = Stopwatch.StartNew();
        var result = await hosts.Execution(runner).RunAsync(ProgramRef.ByName(publisher.Key, "placed"), WebRequest.Create("GET", "/"));
        output.WriteLine($"run with an on-demand fetch: {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("held by two", System.Text.Encoding.UTF8.GetString(result.Response!.Body.Span));
        Assert.Equal(1, hosts.Hosts[runner].Counters.FetchedOnDemand);
        Assert.Equal(0, hosts.Hosts[runner].Counters.RunsForwarded);
        Assert.True(hosts.Execution(runner).Store.HasProgram(program));
        Assert.False(hosts.Hosts[runner].HoldsReplica(program)); // a copy for its own runs, not a replica

        // The closest holder is lost: the remaining holder's next check makes the third closest a holder.
        await hosts.Hosts[closest].DisposeAsync();
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Execution(third).Store.HasProgram(program) && hosts.Hosts[third].HoldsReplica(program), TimeSpan.FromSeconds(30)),
            "the lost copy was not re-created");
        Assert.Equal(1, hosts.Hosts[third].Counters.ReplicasTaken);
        Assert.All(hosts.Hosts, h => Assert.Equal(0, h.Counters.BadBundles));
    }

    [Fact]
    public async Task AHolderDoesNotTakeCopiesPastThePublishersStorageQuota()
    {
        await using var hosts = new TestHosts();
        // Two holders per program among two hosts: the second is asked to hold every program published at the first.
        var replication = new Coputer.Network.Replication.ReplicationOptions { Replicas = 2, RepairInterval = TimeSpan.FromSeconds(2), RetryInterval = TimeSpan.FromSeconds(1) };
        using var publisher = Publisher.Generate();
        var (fits, fitting) = TestHosts.Program(publisher, "fits", "the first fits");
        var (past, passing) = TestHosts.Program(publisher, "past", "the second does not");
        long quota = fitting.Encode().Length + 8; // room for the first bundle only
        var a = await hosts.StartAsync(configure: o => o with { Replication = replication });
        var b = await hosts.StartAsync([a.Self.Address], o => o with { Replication = replication },
            e => e with { Policy = e.Policy with { StorageBytesPerPublisher = quota } });
        Assert.True(await TestHosts.EventuallyAsync(() => a.ActivePeers.Count == 1 && b.ActivePeers.Count == 1 && a.RoutingContacts == 1, TimeSpan.FromSeconds(20)));

        Assert.True(hosts.Execution(0).Publish(fits, fitting).Succeeded);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Execution(1).Store.HasProgram(fitting.Hash), TimeSpan.FromSeconds(30)), "the first copy was not taken");
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Execution(1).Store.Resolve(publisher.Key, "fits") is not null, TimeSpan.FromSeconds(15)));
        Assert.Equal(fitting.Encode().Length, hosts.Execution(1).Store.StoredBytes(publisher.Key));

        Assert.True(hosts.Execution(0).Publish(past, passing).Succeeded);
        Assert.True(await TestHosts.EventuallyAsync(() => b.Counters.ReplicasRefused >= 1, TimeSpan.FromSeconds(30)), $"refused {b.Counters.ReplicasRefused}, taken {b.Counters.ReplicasTaken}");
        Assert.False(hosts.Execution(1).Store.HasProgram(passing.Hash));
        Assert.Equal(fitting.Encode().Length, hosts.Execution(1).Store.StoredBytes(publisher.Key));
        Assert.Equal(1, b.Counters.ReplicasTaken);
        // The publisher's node keeps it, and finds the other holder without a copy at its checks.
        Assert.True(hosts.Execution(0).Store.HasProgram(passing.Hash));
        Assert.True(await TestHosts.EventuallyAsync(() => a.Replication.Replicas.BelowTarget >= 1, TimeSpan.FromSeconds(20)), "the publisher's node did not see the missing copy");
    }

    [Fact]
    public async Task ALyingRunnerIsCaughtByAnAuditExcludedEverywhereItsProofReachesAndOnlyCheckedAnswersAreCached()
    {
        await using var hosts = new TestHosts();
        var asker = await hosts.StartAsync();
        var honest = await hosts.StartAsync([asker.Self.Address]);
        var liar = await hosts.StartAsync([asker.Self.Address]);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.ActivePeers.Count == 2), TimeSpan.FromSeconds(20)), "the three hosts did not all become neighbours");
        // The asker has to forward (no on-demand fetch for runs), but can still fetch the program to settle a mismatch.
        asker.OnDemandForRuns = false;
        liar.Lie = r => new RunResult { Status = RunStatus.Ok, Response = new Coputer.Platform.Runtime.WebResponse(200, [], "forged"u8.ToArray()), Info = r.Info };
        using var publisher = Publisher.Generate();
        var bundle = Coputer.Platform.Bundles.Bundle.Create([new("main.luau", System.Text.Encoding.UTF8.GetBytes("local w = args.web() return { body = buffer.fromstring('echo ' .. w.url.path .. '?' .. w.url.rawquery) }"))]);
        // Straight into the runners' stores: no broadcast.
        var record = new Coputer.Platform.Records.PublicationRecord(publisher.Key, "echo", bundle.Hash, 1).Sign(publisher);
        Assert.True(hosts.Execution(1).Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.True(hosts.Execution(2).Store.Publish(record, bundle.Encode()).Succeeded);
        var target = ProgramRef.ByHash(bundle.Hash);

        var bodies = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            var result = await hosts.Execution(0).RunAsync(target, WebRequest.Create("GET", $"/page?i={i}"));
            Assert.Equal(RunStatus.Ok, result.Status);
            bodies.Add(System.Text.Encoding.UTF8.GetString(result.Response!.Body.Span));
        }
        // Every answer of a runner on probation is re-run before it is given out, so no forged answer reached the
        // caller: the first the liar gave (or checked) was settled by the asker's own run, which answered instead.
        for (int i = 0; i < 12; i++)
            Assert.Equal($"echo /page?i={i}", bodies[i]);
        Assert.True(await TestHosts.EventuallyAsync(() => asker.ExcludedRunners.Contains(liar.Self.Id), TimeSpan.FromSeconds(30)), $"audits {asker.Counters.Audits}, mismatches {asker.Counters.Mismatches}, unsettled {asker.Counters.AuditsUnsettled}");
        Assert.DoesNotContain(honest.Self.Id, asker.ExcludedRunners);
        Assert.True(asker.Counters.Mismatches >= 1);
        // The proof reached the honest runner, which re-ran it and excluded the liar too.
        Assert.True(await TestHosts.EventuallyAsync(() => honest.ExcludedRunners.Contains(liar.Self.Id), TimeSpan.FromSeconds(30)), $"proofs received {honest.Counters.ProofsReceived}");
        Assert.DoesNotContain(honest.ExcludedRunners, id => id != liar.Self.Id);

        // The asker fetched the program to settle the mismatch, so it may now run it itself; whoever answers, and
        // whether from a cache or not, every answer is right: no forged answer was cached.
        for (int i = 0; i < 12; i++)
        {
            var result = await hosts.Execution(0).RunAsync(target, WebRequest.Create("GET", $"/page?i={i}"));
            Assert.Equal(RunStatus.Ok, result.Status);
            var body = System.Text.Encoding.UTF8.GetString(result.Response!.Body.Span);
            Assert.True(body == $"echo /page?i={i}", $"run {i}: '{body}', cached {result.Info.Cached}, first round '{bodies[i]}'");
        }
        Assert.True(asker.Counters.Audits >= 1);
        output.WriteLine($"audits {asker.Counters.Audits}, mismatches {asker.Counters.Mismatches}, cached {asker.Counters.AnswersCached}");
    }

    [Fact]
    public async Task AnswersOfOtherNodesAreCachedOnceARerunConfirmsThemAndThenAnswerWithoutARun()
    {
        await using var hosts = new TestHosts();
        var asker = await hosts.StartAsync();
        var one = await hosts.StartAsync([asker.Self.Address]);
        var two = await hosts.StartAsync([asker.Self.Address]);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.ActivePeers.Count == 2), TimeSpan.FromSeconds(20)), "the three hosts did not all become neighbours");
        asker.OnDemandForRuns = false;
        using var publisher = Publisher.Generate();
        var bundle = Coputer.Platform.Bundles.Bundle.Create([new("main.luau", System.Text.Encoding.UTF8.GetBytes("local w = args.web() return { body = buffer.fromstring('echo ' .. w.url.rawquery) }"))]);
        var record = new Coputer.Platform.Records.PublicationRecord(publisher.Key, "echo", bundle.Hash, 1).Sign(publisher);
        Assert.True(hosts.Execution(1).Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.True(hosts.Execution(2).Store.Publish(record, bundle.Encode()).Succeeded);
        var byName = ProgramRef.ByName(publisher.Key, "echo");

        // Both runners are new to the asker: each answer is re-run on the other runner, and cached once they agree.
        for (int i = 0; i < 8; i++)
            Assert.Equal($"echo i={i}", System.Text.Encoding.UTF8.GetString((await hosts.Execution(0).RunAsync(byName, WebRequest.Create("GET", $"/?i={i}"))).Response!.Body.Span));
        Assert.True(await TestHosts.EventuallyAsync(() => asker.Counters.AnswersCached == 8, TimeSpan.FromSeconds(20)), $"cached {asker.Counters.AnswersCached}, audits {asker.Counters.Audits}, unsettled {asker.Counters.AuditsUnsettled}");
        Assert.Equal(8, asker.Counters.Audits);
        Assert.Equal(0, asker.Counters.Mismatches);
        Assert.Empty(asker.ExcludedRunners);
        Assert.False(hosts.Execution(0).Store.HasProgram(bundle.Hash)); // every check ran on the other runner

        // The same requests again: answered from the checked results, with no run anywhere. (The store writes
        // results in the background; the flush makes the last of them readable now.)
        hosts.Execution(0).Store.Flush();
        long forwarded = asker.Counters.RunsForwarded, ranByPeers = one.Counters.RunsForPeers + two.Counters.RunsForPeers;
        for (int i = 0; i < 8; i++)
        {
            var result = await hosts.Execution(0).RunAsync(byName, WebRequest.Create("GET", $"/?i={i}"));
            Assert.Equal($"echo i={i}", System.Text.Encoding.UTF8.GetString(result.Response!.Body.Span));
            Assert.True(result.Info.Cached);
        }
        Assert.Equal(8, asker.Counters.ServedFromCache);
        Assert.Equal(forwarded, asker.Counters.RunsForwarded);
        Assert.Equal(ranByPeers, one.Counters.RunsForPeers + two.Counters.RunsForPeers);
    }

    [Fact]
    public async Task AForwardedRunWhoseRunnerIsSlowGetsOneBackupRequestAfterTheHedgeDelayAndTheSlowRunnerStopsBeingAskedFirst()
    {
        await using var hosts = new TestHosts();
        // Trusted at once, and the fewest audits allowed, so what is measured is the hedging, not the checks.
        var asker = await hosts.StartAsync(configure: o => o with { Audits = new Coputer.Network.Execution.AuditOptions { TrustAfter = 0, AuditRate = 0.05 } });
        var slow = await hosts.StartAsync([asker.Self.Address]);
        var fast = await hosts.StartAsync([asker.Self.Address]);
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Hosts.All(h => h.ActivePeers.Count == 2), TimeSpan.FromSeconds(20)), "the three hosts did not all become neighbours");
        asker.OnDemandForRuns = false;
        slow.ServeDelay = TimeSpan.FromSeconds(2.5);
        using var publisher = Publisher.Generate();
        var bundle = Coputer.Platform.Bundles.Bundle.Create([new("main.luau", System.Text.Encoding.UTF8.GetBytes("local w = args.web() return { body = buffer.fromstring('echo ' .. w.url.rawquery) }"))]);
        var record = new Coputer.Platform.Records.PublicationRecord(publisher.Key, "echo", bundle.Hash, 1).Sign(publisher);
        Assert.True(hosts.Execution(1).Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.True(hosts.Execution(2).Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.Equal(TimeSpan.FromMilliseconds(100), asker.HedgeDelay); // until 20 answers are seen

        const int runs = 10;
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var result = await hosts.Execution(0).RunAsync(ProgramRef.ByHash(bundle.Hash), WebRequest.Create("GET", $"/?i={i}"));
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(RunStatus.Ok, result.Status);
            Assert.Equal($"echo i={i}", System.Text.Encoding.UTF8.GetString(result.Response!.Body.Span));
        }
        output.WriteLine($"run times (ms): {string.Join(", ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}; hedges sent {asker.Counters.HedgesSent}, hedged answers {asker.Counters.RunsHedged}");
        // The slow runner is new, so it counts as fast and is asked first at least once: that run's backup went to
        // the other runner after the hedge delay and answered long before the slow runner would have.
        Assert.Equal(runs, asker.Counters.RunsForwarded);
        Assert.True(asker.Counters.RunsHedged >= 1, "no run was hedged");
        Assert.All(times, t => Assert.True(t < 2_000, $"a run took {t:F0} ms: it waited for the slow runner"));
        // One backup at most per run, and once the slow runner is known to be slow it is not asked first again.
        Assert.True(asker.Counters.HedgesSent <= 3, $"{asker.Counters.HedgesSent} backups for {runs} runs");
        Assert.True(fast.Counters.RunsForPeers >= runs, $"the fast runner answered {fast.Counters.RunsForPeers}");
        Assert.Equal(0, asker.Counters.ForwardFailures);
    }

    [Fact]
    public async Task ABundleAskedOfANodeThatLacksItIsFetchedFromTheNetworkAndChecked()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        var b = await hosts.StartAsync([a.Self.Address], o => o with { OnDemandDeadline = TimeSpan.FromSeconds(2) });
        Assert.True(await TestHosts.EventuallyAsync(() => a.ActivePeers.Count == 1 && b.ActivePeers.Count == 1, TimeSpan.FromSeconds(15)));
        using var publisher = Publisher.Generate();
        var (record, bundle) = TestHosts.Program(publisher, "ui", "a dependency");
        // Straight into a's store: no broadcast, so b has neither the record nor the bundle.
        Assert.True(hosts.Execution(0).Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.False(hosts.Execution(1).Store.HasProgram(bundle.Hash));

        // What the gateway's GET /api/bundles/{hash} calls: b finds a holder, fetches, checks and keeps it.
        var bytes = await hosts.Execution(1).GetBundleAsync(bundle.Hash);
        Assert.NotNull(bytes);
        Assert.Equal(bundle.Hash, Coputer.Platform.Bundles.BundleFormat.Read(bytes).Hash);
        Assert.True(hosts.Execution(1).Store.HasProgram(bundle.Hash));
        // One nobody holds: null once the on-demand deadline has passed, not a wait without end.
        var watch = Stopwatch.StartNew();
        Assert.Null(await hosts.Execution(1).GetBundleAsync(Hash256.Of("nobody has this"u8.ToArray())));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task AForwardedRunReachesTheProgramsHolderWhenItIsNotANeighbour()
    {
        await using var hosts = new TestHosts();
        // One neighbour only, so the other host is known to the asker only through its routing table.
        var asker = await hosts.StartAsync(configure: o => o with { Membership = o.Membership with { ActiveViewSize = 1 } });
        var b = await hosts.StartAsync([asker.Self.Address]);
        var c = await hosts.StartAsync([b.Self.Address]);
        Assert.True(await TestHosts.EventuallyAsync(() => asker.RoutingContacts == 2 && asker.ActivePeers.Count == 1, TimeSpan.FromSeconds(30)),
            $"routing contacts {asker.RoutingContacts}, neighbours {asker.ActivePeers.Count}");
        asker.OnDemandForRuns = false;
        var holder = asker.ActivePeers[0].Id == b.Self.Id ? c : b;
        using var publisher = Publisher.Generate();
        var (record, bundle) = TestHosts.Program(publisher, "far", "ran on the holder");
        // Straight into the holder's store: no broadcast, so neither the asker nor its neighbour has it.
        Assert.True(hosts.Execution(holder == b ? 1 : 2).Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.DoesNotContain(asker.ActivePeers, p => p.Id == holder.Self.Id);

        var result = await hosts.Execution(0).RunAsync(ProgramRef.ByHash(bundle.Hash), WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("ran on the holder", System.Text.Encoding.UTF8.GetString(result.Response!.Body.Span));
        Assert.True(holder.Counters.RunsForPeers >= 1);
        Assert.Equal(1, asker.Counters.RunsForwarded);
        Assert.DoesNotContain(asker.ActivePeers, p => p.Id == holder.Self.Id);
    }

    [Fact]
    public async Task AHostThatJoinsLateCatchesUpByAntiEntropy()
    {
        await using var hosts = new TestHosts();
        var fast = new Coputer.Network.Broadcast.PlumtreeOptions { AntiEntropyInterval = TimeSpan.FromMilliseconds(300) };
        var a = await hosts.StartAsync(configure: o => o with { Broadcast = fast });
        using var publisher = Publisher.Generate();
        var (record, bundle) = TestHosts.Program(publisher, "early", "before anyone joined");
        Assert.True(hosts.Execution(0).Publish(record, bundle).Succeeded);
        await hosts.StartAsync([a.Self.Address], o => o with { Broadcast = fast });
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Execution(1).Store.Resolve(publisher.Key, "early") is not null, TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void ABundleWhoseHashIsNotTheRecordsProgramIsRefused()
    {
        using var publisher = Publisher.Generate();
        var (_, bundle) = TestHosts.Program(publisher, "x", "one");
        var (_, other) = TestHosts.Program(publisher, "x", "two");
        var limits = Coputer.Platform.Bundles.BundleLimits.Default;
        Assert.True(Coputer.Network.Hosting.NetworkHost.IsBundleOf(bundle.Encode(), bundle.Hash, limits));
        Assert.False(Coputer.Network.Hosting.NetworkHost.IsBundleOf(other.Encode(), bundle.Hash, limits));
        Assert.False(Coputer.Network.Hosting.NetworkHost.IsBundleOf([1, 2, 3], bundle.Hash, limits));
    }

    [Fact]
    public async Task ARunForAProgramThisNodeLacksIsForwardedAndItsReceiptChecked()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        var b = await hosts.StartAsync([a.Self.Address]);
        Assert.True(await TestHosts.EventuallyAsync(() => a.ActivePeers.Count == 1 && b.ActivePeers.Count == 1, TimeSpan.FromSeconds(15)));
        using var publisher = Publisher.Generate();
        var (record, bundle) = TestHosts.Program(publisher, "only-on-b", "ran on b");
        // Straight into b's store: no broadcast, so a does not have it.
        Assert.True(hosts.Execution(1).Store.Publish(record, bundle.Encode()).Succeeded);
        Assert.Null(hosts.Execution(0).Resolve(ProgramRef.ByName(publisher.Key, "only-on-b")));

        var watch = Stopwatch.StartNew();
        var result = await hosts.Execution(0).RunAsync(ProgramRef.ByName(publisher.Key, "only-on-b"), WebRequest.Create("GET", "/"));
        output.WriteLine($"forwarded run (name, receipt checked): {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("ran on b", System.Text.Encoding.UTF8.GetString(result.Response!.Body.Span));
        Assert.Equal(1, a.Counters.RunsForwarded);
        Assert.Equal(1, b.Counters.RunsForPeers);
        var byHash = await hosts.Execution(0).RunAsync(ProgramRef.ByHash(bundle.Hash), WebRequest.Create("GET", "/?q=1"));
        Assert.Equal(RunStatus.Ok, byHash.Status);
        // The record that came with the answer starts a fetch, so the next run is local.
        Assert.True(await TestHosts.EventuallyAsync(() => hosts.Execution(0).Store.HasProgram(bundle.Hash), TimeSpan.FromSeconds(15)));

        // Nobody has this one: not found, at once (both neighbours answer 404), not after the deadline.
        watch.Restart();
        var missing = await hosts.Execution(0).RunAsync(ProgramRef.ByName(publisher.Key, "nowhere"), WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.NotFound, missing.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Equal(0, a.Counters.BadAnswers);
    }

    [Fact]
    public async Task AHostRestartedWithoutBootstrapPeersRejoinsThroughThePeersItSaved()
    {
        await using var hosts = new TestHosts();
        var a = await hosts.StartAsync();
        string file = Path.Combine(Path.GetTempPath(), "coputer-peers-" + Guid.NewGuid().ToString("N")[..8] + ".txt");
        try
        {
            var b = await hosts.StartAsync([a.Self.Address], o => o with { PeersFile = file });
            Assert.True(await TestHosts.EventuallyAsync(() => File.Exists(file) && File.ReadAllText(file).Contains(a.Self.Address, StringComparison.Ordinal), TimeSpan.FromSeconds(15)));
            await b.DisposeAsync();
            var again = await hosts.StartAsync(configure: o => o with { PeersFile = file });
            Assert.True(await TestHosts.EventuallyAsync(() => again.ActivePeers.Any(p => p.Id == a.Self.Id), TimeSpan.FromSeconds(15)));

            // Junk in the file is skipped, not fatal.
            File.WriteAllText(file, "not an address\n\u0001:5\nhost:99999\n" + a.Self.Address + "\n");
            Assert.Equal([a.Self.Address], Coputer.Network.Hosting.NetworkHost.ReadPeersFile(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
