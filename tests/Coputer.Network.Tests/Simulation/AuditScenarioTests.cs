using Coputer.Network.Simulation;
using Xunit.Abstractions;

namespace Coputer.Network.Tests;

public class AuditScenarioTests(ITestOutputHelper output)
{
    /// <summary>
    /// 100 runners, 10 of them colluding liars, 40,000 requests (about 400 answers per runner): liars that turn once
    /// trusted are excluded within 90 answers in at least 99% of cases, over 10 seeded pools (100 liars), for at most
    /// 10% extra runs; no honest runner is ever excluded.
    /// </summary>
    [Fact]
    public void LiarsAreExcludedWithin90AnswersForAtMostTenPercentExtraRuns()
    {
        int liars = 0, within90 = 0;
        for (var seed = 1; seed <= 10; seed++)
        {
            var figures = AuditScenario.Run(seed);
            output.WriteLine(figures.ToString());
            liars += figures.Liars;
            within90 += figures.LiarsExcludedWithin90;
            Assert.Equal(figures.Liars, figures.LiarsExcluded);
            Assert.Equal(0, figures.HonestExcluded);
            Assert.True(figures.ExtraRunShare <= 0.10, figures.ToString());
            Assert.InRange(figures.HonestSteadyAuditShare, 0.05, 0.07);
        }
        Assert.True(within90 >= liars * 0.99, $"{within90} of {liars} liars excluded within 90 answers");

        // A liar from its first answer is caught at once: every answer of a new runner is checked.
        var early = AuditScenario.Run(seed: 11, lieFromTheStart: true);
        output.WriteLine(early.ToString());
        Assert.Equal(early.Liars, early.LiarsExcludedWithin90);
        Assert.True(early.MaxLiarAnswers <= 5, early.ToString());
    }
}
