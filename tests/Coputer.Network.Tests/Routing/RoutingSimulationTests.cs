using Coputer.Network.Replication;
using Coputer.Network.Routing;
using Coputer.Network.Simulation;
using Coputer.Platform;
using Xunit.Abstractions;

namespace Coputer.Network.Tests.Routing;

public class RoutingSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void NameLookupsSucceedWithLossAndCrashedNodes()
    {
        var figures = Scenarios.NameLookups(nodes: 300, seed: 41, crashShare: 0.1, loss: 0.3, records: 30, lookups: 400);
        output.WriteLine(figures.ToString());
        Assert.True(figures.SuccessRate >= 0.99, figures.ToString());
        Assert.True(figures.P99Milliseconds <= 1000, figures.ToString());
    }

    [Fact]
    public void AProgramStaysReachableAfterItsPublisherAndHalfItsHoldersLeave()
    {
        var figures = Scenarios.Reachability(nodes: 200, seed: 42, programs: 10);
        output.WriteLine(figures.ToString());
        Assert.Equal(figures.Programs, figures.PlacedOnClosest);
        Assert.Equal(figures.LookupsRightAfter, figures.FoundRightAfter);
        Assert.Equal(figures.LookupsAfterRepair, figures.FoundAfterRepair);
        Assert.Equal(figures.Programs, figures.RestoredToK);
    }
}
