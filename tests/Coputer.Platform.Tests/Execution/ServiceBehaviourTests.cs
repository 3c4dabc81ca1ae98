using Coputer.Platform.Execution;
using Coputer.Platform.Runtime;
using Coputer.Platform.Tests.Runtime;

namespace Coputer.Platform.Tests.Execution;

public class ServiceBehaviourTests
{
    [Fact]
    public async Task SecondIdenticalRequestIsACacheHit()
    {
        using var node = new TestNode();
        node.Publish("web", TestPrograms.Load("web1"));
        var first = await node.Run("web");
        var second = await node.Run("web");
        Assert.False(first.Info.Cached);
        Assert.True(second.Info.Cached);
        Assert.Equal(first.Response!.BodyText, second.Response!.BodyText);
        Assert.Equal(first.Info.Instructions, second.Info.Instructions);
        Assert.Equal(1, node.Service.Stats.Runs);
        Assert.Equal(1, node.Service.Stats.CacheHits);
        // Without the cache it runs again.
        var third = await node.Run("web", options: new RunOptions { UseCache = false });
        Assert.False(third.Info.Cached);
        Assert.Equal(2, node.Service.Stats.Runs);
    }

    [Fact]
    public async Task ProgramErrorsAreCachedTransientFailuresAreNot()
    {
        using var node = new TestNode(o => o with { Limits = RunLimits.Default with { WallClock = TimeSpan.FromMilliseconds(200), Instructions = long.MaxValue / 2 } });
        node.Publish("bad", TestPrograms.FromSource("error('boom')"));
        node.Publish("slow", TestPrograms.FromSource("while true do end"));
        var error = await node.Run("bad");
        Assert.Equal(RunStatus.ProgramError, error.Status);
        Assert.Equal("main.luau:1: boom", error.Error);
        Assert.True((await node.Run("bad")).Info.Cached);

        var slow = await node.Run("slow");
        Assert.Equal(RunStatus.Timeout, slow.Status);
        Assert.False(slow.IsDeterministic);
        var again = await node.Run("slow");
        Assert.Equal(RunStatus.Timeout, again.Status);
        Assert.False(again.Info.Cached);
        Assert.Equal(3, node.Service.Stats.Runs);
    }

    [Fact]
    public async Task UnknownProgramIsNotFound()
    {
        using var node = new TestNode();
        var result = await node.Run("nothing");
        Assert.Equal(RunStatus.NotFound, result.Status);
        var byHash = await node.Service.RunAsync(ProgramRef.ByHash(Hash256.Of("x"u8)), WebRequest.Create("GET", "/"));
        Assert.Equal(RunStatus.NotFound, byHash.Status);
    }

    [Fact]
    public async Task FullQueueAnswersOverloadedAtOnce()
    {
        using var node = new TestNode(o => o with { Workers = 1, QueueCapacity = 2, Limits = RunLimits.Default with { WallClock = TimeSpan.FromSeconds(2), Instructions = long.MaxValue / 2 } });
        node.Publish("slow", TestPrograms.FromSource("while true do end"));
        var runs = Enumerable.Range(0, 6).Select(i => node.Service.RunAsync(ProgramRef.ByName(node.Publisher.Key, "slow"), WebRequest.Create("GET", "/" + i))).ToList();
        var overloaded = runs.Where(t => t.IsCompleted).Select(t => t.Result).ToList();
        Assert.True(overloaded.Count >= 3, $"{overloaded.Count} answered at once");
        Assert.All(overloaded, r => Assert.Equal(RunStatus.Overloaded, r.Status));
        Assert.True(node.Service.Stats.Overloaded >= 3);
        await Task.WhenAll(runs);
    }

    [Fact]
    public async Task AFullQueueSendsTheRunToTheNetworkUnlessTheRunIsForAPeer()
    {
        // The slow runs must outlast every step below even on a loaded machine (at 2 s, one landing run saw the queue
        // drain before the last request, which then queued and timed out instead of finding the queue full).
        using var node = new TestNode(o => o with { Workers = 1, QueueCapacity = 1, Limits = RunLimits.Default with { WallClock = TimeSpan.FromSeconds(8), Instructions = long.MaxValue / 2 } });
        node.Publish("slow", TestPrograms.FromSource("while true do end"));
        var asked = new List<string>();
        node.Service.Forward = (target, request, _) =>
        {
            lock (asked)
                asked.Add(request.RawPath);
            return Task.FromResult<RunResult?>(new RunResult { Status = RunStatus.Ok, Response = new WebResponse(200, [], "from a neighbour"u8.ToArray()) });
        };
        var slow = ProgramRef.ByName(node.Publisher.Key, "slow");
        // The worker must have taken the first run before the rest arrive: otherwise, on a loaded machine, every
        // request can find the first one still waiting in the queue, and the queue is empty again for the last one.
        var busy = new List<Task<RunResult>> { node.Service.RunAsync(slow, WebRequest.Create("GET", "/0")) };
        var started = DateTime.UtcNow.AddSeconds(5);
        while (node.Service.Stats.Running == 0 && DateTime.UtcNow < started)
            await Task.Delay(10);
        Assert.Equal(1, node.Service.Stats.Running);
        busy.AddRange(Enumerable.Range(1, 3).Select(i => node.Service.RunAsync(slow, WebRequest.Create("GET", "/" + i))));
        var forPeer = await node.Service.RunAsync(slow, WebRequest.Create("GET", "/peer"), new RunOptions { MayForward = false });
        Assert.Equal(RunStatus.Overloaded, forPeer.Status);
        var answered = busy.Where(t => t.IsCompleted).Select(t => t.Result).ToList();
        Assert.True(answered.Count >= 2, $"{answered.Count} answered at once");
        Assert.All(answered, r => Assert.Equal("from a neighbour", r.Response!.BodyText));
        Assert.DoesNotContain("/peer", asked);
        Assert.Equal(answered.Count, node.Service.Stats.ForwardedWhenBusy);

        // A neighbour that cannot answer leaves the request overloaded.
        node.Service.Forward = (_, _, _) => Task.FromResult<RunResult?>(null);
        Assert.Equal(RunStatus.Overloaded, (await node.Service.RunAsync(slow, WebRequest.Create("GET", "/none"))).Status);
        await Task.WhenAll(busy);
    }

    [Fact]
    public async Task IdenticalConcurrentRequestsShareOneRun()
    {
        using var node = new TestNode(o => o with { Workers = 1 });
        node.Publish("work", TestPrograms.FromSource("local n = 0 for i = 1, 3000000 do n += i end return { body = buffer.fromstring(tostring(n)) }"));
        var runs = Enumerable.Range(0, 8).Select(_ => node.Run("work")).ToArray();
        var results = await Task.WhenAll(runs);
        Assert.All(results, r => Assert.Equal("4500001500000", r.Response!.BodyText));
        Assert.Equal(1, node.Service.Stats.Runs);
        Assert.True(results.Count(r => r.Info.Shared || r.Info.Cached) >= 7);
    }

    [Fact]
    public async Task CallerDeadlineAndCancellationAreHonoured()
    {
        using var node = new TestNode(o => o with { Limits = RunLimits.Default with { Instructions = long.MaxValue / 2 } });
        node.Publish("slow", TestPrograms.FromSource("while true do end"));
        var timedOut = await node.Run("slow", options: new RunOptions { Deadline = TimeSpan.FromMilliseconds(100) });
        Assert.Equal(RunStatus.Timeout, timedOut.Status);
        using var cts = new CancellationTokenSource(100);
        var cancelled = await node.Service.RunAsync(ProgramRef.ByName(node.Publisher.Key, "slow"), WebRequest.Create("GET", "/x"), cancellation: cts.Token);
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        // Both runs were abandoned by every caller, so the workers are free again.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (node.Service.Stats.Running > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(0, node.Service.Stats.Running);
    }

    [Fact]
    public async Task RecentRunsKeepOutputErrorsAndCosts()
    {
        using var node = new TestNode(o => o with { RecentRunsPerProgram = 3 });
        node.Publish("log", TestPrograms.FromSource("local w = args.web() print('path', w.url.path) if w.url.path == '/bad' then error('bad path') end return {}"));
        for (int i = 0; i < 4; i++)
            await node.Run("log", target: "/" + i);
        await node.Run("log", target: "/bad");
        var program = node.Service.Resolve(ProgramRef.ByName(node.Publisher.Key, "log"))!.Program;
        var runs = node.Service.RecentRuns(program);
        Assert.Equal(3, runs.Count);
        Assert.Equal("GET /bad", runs[0].Request);
        Assert.Equal(RunStatus.ProgramError, runs[0].Status);
        Assert.Equal("main.luau:1: bad path", runs[0].Error);
        Assert.Contains("main.luau:1", runs[0].Traceback);
        Assert.Equal("path\t/bad\n", runs[0].Info.Log);
        Assert.Equal("GET /3", runs[1].Request);
        Assert.Equal(200, runs[1].StatusCode);
        Assert.True(runs[1].Info.Instructions > 0);
        Assert.True(runs[1].Info.PeakMemory > 0);
    }

    [Fact]
    public async Task ResultCacheSurvivesARestart()
    {
        using var dir = TempDirectory.Create();
        using var publisher = Coputer.Platform.Identity.Publisher.Generate();
        var bundle = TestPrograms.Load("web3");
        var record = new Coputer.Platform.Records.PublicationRecord(publisher.Key, "q", bundle.Hash, 1).Sign(publisher);
        using (var service = ExecutionService.Open(new ExecutionOptions { DataDirectory = dir.Path }))
        {
            Assert.True(service.Publish(record.Encode(), bundle.Encode()).Succeeded);
            var r = await service.RunAsync(ProgramRef.ByName(publisher.Key, "q"), WebRequest.Create("GET", "/?a=b"));
            Assert.False(r.Info.Cached);
        }
        using (var service = ExecutionService.Open(new ExecutionOptions { DataDirectory = dir.Path }))
        {
            var r = await service.RunAsync(ProgramRef.ByName(publisher.Key, "q"), WebRequest.Create("GET", "/?a=b"));
            Assert.True(r.Info.Cached);
            Assert.Equal("a =\n- b\nRaw query: a=b", r.Response!.BodyText);
            Assert.Equal(0, service.Stats.Runs);
        }
    }

    [Fact]
    public async Task HostileProgramsDoNotStopOthersBeingServed()
    {
        // Generous wall clocks: on a loaded machine the memory bombs take seconds, and only the deterministic limits may stop them.
        using var node = new TestNode(o => o with { Workers = 2, Limits = HostilePrograms.Limits with { WallClock = TimeSpan.FromMinutes(3) }, DefaultDeadline = TimeSpan.FromMinutes(3) });
        node.Publish("good", TestPrograms.Load("web2"));
        int i = 0;
        var hostile = new List<Task<RunResult>>();
        foreach (var (name, source, _) in HostilePrograms.All)
        {
            if (name == "pattern bomb")
                continue;
            string label = "h" + i++;
            node.Publish(label, TestPrograms.FromSource(source));
            hostile.Add(node.Run(label));
        }
        for (int k = 0; k < 20; k++)
        {
            var good = await node.Run("good", target: "/hello?k=" + k);
            Assert.Equal("<p>hello page</p>", good.Response!.BodyText);
        }
        var results = await Task.WhenAll(hostile);
        Assert.All(results, r => Assert.True(r.Status == RunStatus.LimitExceeded, r.ToString()));
    }
}
