using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Policy;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;
using Coputer.Platform.Store;

namespace Coputer.Platform.Tests.Policy;

/// <summary>A clock that moves only when told to.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

public class NodePolicyTests
{
    private static PublishResult TryPublish(TestNode node, Publisher publisher, string name, Coputer.Platform.Bundles.Bundle bundle, long sequence = 1) =>
        node.Service.Publish(new PublicationRecord(publisher.Key, name, bundle.Hash, sequence).Sign(publisher).Encode(), bundle.Encode());

    [Fact]
    public async Task DeniedPublisherIsNeitherStoredNorServed()
    {
        using var other = Publisher.Generate();
        var bundle = TestPrograms.FromSource("return { body = buffer.fromstring('hi') }");
        using var node = new TestNode(o => o with { Policy = NodePolicy.Default with { DeniedPublishers = new HashSet<PublisherId> { other.Key.Id } } });
        var refused = TryPublish(node, other, "site", bundle);
        Assert.Equal(PublishRefusal.Denied, refused.Reason);
        Assert.Contains(other.Key.Id.ToString(), refused.Message);
        Assert.False(node.Service.Store.HasProgram(bundle.Hash));

        // The node's own publisher is not on the list and publishes the same bundle; the denied one still cannot run it by name.
        node.Publish("site", bundle);
        Assert.Equal(RunStatus.Ok, (await node.Run("site")).Status);
        var byName = await node.Service.RunAsync(ProgramRef.ByName(other.Key, "site"), WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.Refused, byName.Status);
        Assert.False(byName.IsDeterministic);
    }

    [Fact]
    public async Task AllowListAcceptsOnlyItsPublishersAndHashRequestsFollowThePublisher()
    {
        using var outsider = Publisher.Generate();
        using var node = new TestNode();
        var bundle = TestPrograms.FromSource("return { body = buffer.fromstring('ok') }");
        node.Publish("site", bundle);
        node.Service.Dispose();

        // The same store reopened with an allow list that names someone else: the stored program is not served, by name or hash.
        using var listed = Publisher.Generate();
        using var strict = ExecutionService.Open(new ExecutionOptions
        {
            DataDirectory = node.Directory.Path,
            Policy = NodePolicy.Default with { AllowedPublishers = new HashSet<PublisherId> { listed.Key.Id } },
        });
        var byName = await strict.RunAsync(ProgramRef.ByName(node.Publisher.Key, "site"), WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.Refused, byName.Status);
        var byHash = await strict.RunAsync(ProgramRef.ByHash(bundle.Hash), WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.Refused, byHash.Status);
        var record = new PublicationRecord(outsider.Key, "x", bundle.Hash, 1).Sign(outsider);
        Assert.Equal(PublishRefusal.Denied, strict.Publish(record.Encode(), default).Reason);

        // The listed publisher names the same program: now it is served by hash too.
        var own = new PublicationRecord(listed.Key, "site", bundle.Hash, 1).Sign(listed);
        Assert.True(strict.Publish(own.Encode(), default).Succeeded);
        Assert.Equal(RunStatus.Ok, (await strict.RunAsync(ProgramRef.ByHash(bundle.Hash), WebRequest.Create("GET", "/"))).Status);
        Assert.Equal(RunStatus.Refused, (await strict.RunAsync(ProgramRef.ByName(node.Publisher.Key, "site"), WebRequest.Create("GET", "/"))).Status);
    }

    [Fact]
    public async Task DeniedProgramIsRefusedEvenFromTheCache()
    {
        var bundle = TestPrograms.FromSource("return { body = buffer.fromstring('cached') }");
        using var node = new TestNode();
        node.Publish("site", bundle);
        Assert.Equal(RunStatus.Ok, (await node.Run("site")).Status);
        node.Service.Dispose();

        using var denying = ExecutionService.Open(new ExecutionOptions
        {
            DataDirectory = node.Directory.Path,
            Policy = NodePolicy.Default with { DeniedPrograms = new HashSet<Hash256> { bundle.Hash } },
        });
        var result = await denying.RunAsync(ProgramRef.ByName(node.Publisher.Key, "site"), WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.Refused, result.Status);
        Assert.Contains(bundle.Hash.ToString(), result.Error);
        Assert.Equal(0, denying.Stats.CacheHits);
        var unknown = await denying.RunAsync(ProgramRef.ByHash(bundle.Hash), WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.Refused, unknown.Status);
    }

    [Fact]
    public void StorageQuotaCountsEachBundleOnceAndRefusesPastIt()
    {
        var small = TestPrograms.FromSource("return { body = buffer.fromstring('" + new string('a', 3000) + "') }");
        var other = TestPrograms.FromSource("return { body = buffer.fromstring('" + new string('b', 3000) + "') }");
        long quota = small.Encode().Length + other.Encode().Length / 2;
        using var node = new TestNode(o => o with { Policy = NodePolicy.Default with { StorageBytesPerPublisher = quota } });
        node.Publish("one", small);
        // The same bundle under a second name takes no more room.
        node.Publish("two", small);
        Assert.Equal(small.Encode().Length, node.Service.Store.StoredBytes(node.Publisher.Key));
        var refused = TryPublish(node, node.Publisher, "three", other);
        Assert.Equal(PublishRefusal.QuotaExceeded, refused.Reason);
        Assert.Contains("quota", refused.Message);
        Assert.False(node.Service.Store.HasProgram(other.Hash));
        Assert.Null(node.Service.Resolve(ProgramRef.ByName(node.Publisher.Key, "three")));
    }

    [Fact]
    public async Task RunQuotaRefusesPastTheMinutesAllowanceAndRefills()
    {
        var clock = new ManualClock();
        using var node = new TestNode(o => o with { Policy = NodePolicy.Default with { RunsPerMinutePerPublisher = 3 }, Time = clock });
        node.Publish("echo", TestPrograms.FromSource("return { body = buffer.fromstring(args.web().url.path) }"));
        for (int i = 0; i < 3; i++)
            Assert.Equal(RunStatus.Ok, (await node.Run("echo", target: "/" + i)).Status);
        // A cached answer costs nothing.
        Assert.True((await node.Run("echo", target: "/0")).Info.Cached);
        var refused = await node.Run("echo", target: "/new");
        Assert.Equal(RunStatus.QuotaExceeded, refused.Status);
        Assert.NotNull(refused.RetryAfter);
        Assert.InRange(refused.RetryAfter!.Value.TotalSeconds, 19, 20.001);
        Assert.False(refused.IsDeterministic);
        // 20 s later one run (3 a minute) is back, and only one.
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(RunStatus.Ok, (await node.Run("echo", target: "/new")).Status);
        Assert.Equal(RunStatus.QuotaExceeded, (await node.Run("echo", target: "/newer")).Status);
    }

    [Fact]
    public void QuotaOfZeroIsUnlimitedAndPublishersHaveSeparateBuckets()
    {
        var clock = new ManualClock();
        var none = new RunQuota(0, clock);
        using var a = Publisher.Generate();
        using var b = Publisher.Generate();
        for (int i = 0; i < 10_000; i++)
            Assert.True(none.TryTake(a.Key.Id));
        var two = new RunQuota(2, clock);
        Assert.True(two.TryTake(a.Key.Id));
        Assert.True(two.TryTake(a.Key.Id));
        Assert.False(two.TryTake(a.Key.Id));
        Assert.True(two.TryTake(b.Key.Id));
        Assert.Equal(TimeSpan.FromSeconds(30), two.RetryAfter(a.Key.Id));
    }
}
