using System.Diagnostics;
using Coputer.Platform.Execution;

namespace Coputer.Platform.Tests.Execution;

public class TouchThrottleTests
{
    private static readonly long Second = Stopwatch.Frequency;

    [Fact]
    public void AKeyIsTouchedAtMostOncePerInterval()
    {
        var throttle = new TouchThrottle<string>(16, TimeSpan.FromSeconds(1));
        long t = 1_000 * Second;
        Assert.True(throttle.Due("page", t));
        Assert.False(throttle.Due("page", t + 1));
        Assert.False(throttle.Due("page", t + Second - 1));
        Assert.True(throttle.Due("page", t + Second));
        Assert.False(throttle.Due("page", t + Second + 1));
    }

    [Fact]
    public void KeysAreThrottledSeparatelyAndACollisionOnlyCostsAnExtraTouch()
    {
        // One slot: every key collides, so alternating keys are always due (never wrongly skipped).
        var single = new TouchThrottle<string>(1, TimeSpan.FromSeconds(1));
        long t = 5 * Second;
        Assert.True(single.Due("a", t));
        Assert.True(single.Due("b", t));
        Assert.True(single.Due("a", t));

        var many = new TouchThrottle<int>(1024, TimeSpan.FromSeconds(1));
        for (int k = 0; k < 100; k++)
            Assert.True(many.Due(k, t));
        for (int k = 0; k < 100; k++)
            Assert.False(many.Due(k, t + 10));
    }
}
