using Coputer.Network.Execution;
using Coputer.Platform;

namespace Coputer.Network.Tests;

public class ExecutionTests
{
    private static readonly Hash256 s_program = Hash256.Of("program"u8);
    private static readonly Hash256 s_input = Hash256.Of("input"u8);

    [Fact]
    public void ReceiptsRoundTripAndEveryTamperedByteIsRefused()
    {
        using var runner = NodeIdentity.Generate();
        var receipt = RunReceipt.Sign(runner, "coputer-0.1", s_program, s_input, Hash256.Of("out"u8), 12345);
        var bytes = receipt.Encode();
        var decoded = RunReceipt.Decode(bytes);
        Assert.Equal(runner.Id, decoded.Runner);
        Assert.Equal((s_program, s_input, Hash256.Of("out"u8), 12345UL, "coputer-0.1"), (decoded.Program, decoded.Input, decoded.Output, decoded.Instructions, decoded.Runtime));
        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x20;
            Assert.Throws<FormatException>(() => RunReceipt.Decode(tampered));
        }
        for (var length = 0; length < bytes.Length; length++)
            Assert.Throws<FormatException>(() => RunReceipt.Decode(bytes.AsSpan(0, length)));
        Assert.Throws<FormatException>(() => RunReceipt.Decode([.. bytes, 0]));
        Assert.Throws<ArgumentException>(() => RunReceipt.Sign(runner, "has space", s_program, s_input, s_input, 1));
    }

    [Fact]
    public void FuzzedReceiptsAreRefusedCleanly()
    {
        using var runner = NodeIdentity.Generate();
        var bytes = RunReceipt.Sign(runner, "v1", s_program, s_input, s_input, 7).Encode();
        var random = new Random(404);
        for (var i = 0; i < 5000; i++)
        {
            var input = i % 2 == 0 ? new byte[random.Next(0, 300)] : (byte[])bytes.Clone();
            if (i % 2 == 0)
                random.NextBytes(input);
            else
                input[random.Next(input.Length)] ^= (byte)random.Next(1, 256);
            Assert.Throws<FormatException>(() => RunReceipt.Decode(input));
        }
    }

    [Fact]
    public void HedgingKeepsTheTailNearTheMedianForFewExtraRequests()
    {
        // 100 runners, 5 of them slow (about 20 times the median). 20,000 runs, each of a program held by five random runners.
        var figures = Coputer.Network.Simulation.HedgingScenario.Run(seed: 77);
        Assert.Equal(0, figures.Failed);
        Assert.Equal(20_000, figures.Answered);
        Assert.True(figures.P999Milliseconds <= 3 * figures.P50Milliseconds, figures.ToString());
        Assert.True(figures.ExtraRequestShare <= 0.05, figures.ToString());
    }

    [Fact]
    public void EveryRunIsAnsweredOrFailsWithinItsDeadline()
    {
        var options = new RunOptions { Deadline = TimeSpan.FromSeconds(2) };
        var scheduler = new RunScheduler(options);
        using var runner = NodeIdentity.Generate();
        using var other = NodeIdentity.Generate();
        var (id, effects) = scheduler.Submit(s_program, s_input, [runner.Id, other.Id], TimeSpan.Zero);
        Assert.Equal(runner.Id, Assert.IsType<ForwardRun>(Assert.Single(effects)).Runner);

        // The hedge goes out after the delay, then nothing answers: the run fails at its deadline, not later.
        var hedge = Assert.IsType<ForwardRun>(Assert.Single(scheduler.Tick(TimeSpan.FromMilliseconds(150))));
        Assert.Equal(other.Id, hedge.Runner);
        Assert.Empty(scheduler.Tick(TimeSpan.FromMilliseconds(1999)));
        Assert.Equal(id, Assert.IsType<RunFailed>(Assert.Single(scheduler.Tick(TimeSpan.FromSeconds(2)))).RequestId);
        Assert.Equal(0, scheduler.Outstanding);

        // A receipt from a runner that was not asked, or for another input, does not answer a run.
        var (second, _) = scheduler.Submit(s_program, s_input, [runner.Id], TimeSpan.FromSeconds(3));
        using var stranger = NodeIdentity.Generate();
        Assert.Empty(scheduler.Answer(second, RunReceipt.Sign(stranger, "v1", s_program, s_input, s_input, 1), TimeSpan.FromSeconds(3.1)));
        Assert.Empty(scheduler.Answer(second, RunReceipt.Sign(runner, "v1", s_program, s_program, s_input, 1), TimeSpan.FromSeconds(3.1)));
        var done = Assert.IsType<RunCompleted>(Assert.Single(scheduler.Answer(second, RunReceipt.Sign(runner, "v1", s_program, s_input, s_input, 1), TimeSpan.FromSeconds(3.2))));
        Assert.False(done.Hedged);

        // With no runner at all it fails at once; a failed runner is hedged at once.
        Assert.IsType<RunFailed>(Assert.Single(scheduler.Submit(s_program, s_input, [], TimeSpan.Zero).Effects));
        var (third, firstAsk) = scheduler.Submit(s_program, s_input, [runner.Id, other.Id], TimeSpan.FromSeconds(4));
        var asked = Assert.IsType<ForwardRun>(Assert.Single(firstAsk)).Runner;
        var backup = Assert.IsType<ForwardRun>(Assert.Single(scheduler.RunnerFailed(third, asked, TimeSpan.FromSeconds(4)))).Runner;
        Assert.NotEqual(asked, backup);
        Assert.IsType<RunFailed>(Assert.Single(scheduler.RunnerFailed(third, backup, TimeSpan.FromSeconds(4))));
    }

    [Fact]
    public void ALiarIsCaughtWithTheProofAndHonestRunnersKeepTheirRecord()
    {
        var auditor = new Auditor(new AuditOptions(), new Random(1));
        using var liar = NodeIdentity.Generate();
        using var honest = NodeIdentity.Generate();
        using var third = NodeIdentity.Generate();
        Assert.True(auditor.ShouldAudit(liar.Id)); // new runners are always checked
        var lie = RunReceipt.Sign(liar, "v1", s_program, s_input, Hash256.Of("wrong"u8), 5);
        var truth = RunReceipt.Sign(honest, "v1", s_program, s_input, Hash256.Of("right"u8), 5);
        var disagreement = Assert.IsType<Disagreement>(auditor.Compare(lie, truth));
        Assert.True(disagreement.IsValid);
        var excluded = auditor.Settle(disagreement, RunReceipt.Sign(third, "v1", s_program, s_input, Hash256.Of("right"u8), 5));
        Assert.Equal([liar.Id], excluded);
        Assert.True(auditor.IsExcluded(liar.Id));
        Assert.False(auditor.IsExcluded(honest.Id));
        Assert.Single(auditor.Proofs);
        Assert.Null(auditor.Compare(truth, RunReceipt.Sign(third, "v1", s_program, s_input, Hash256.Of("right"u8), 5)));
        Assert.Throws<ArgumentException>(() => new Auditor(new AuditOptions { AuditRate = 0.01 }, new Random(1)));
    }

    /// <summary>
    /// A runner that answers honestly until trusted and then lies on every answer: each lie is caught when audited,
    /// so it survives n lies with probability (1 - rate)^n. Over 4,000 seeded runners at least 99% are excluded
    /// within 90 answers (expected: 1 - 0.94^80 = 99.3%); the audit cost over an honest runner's answers is under 10%.
    /// </summary>
    [Fact]
    public void ConstantLiarsAreExcludedWithin90AnswersAtLowAuditCost()
    {
        var options = new AuditOptions();
        var caught = 0;
        const int Trials = 4000;
        for (var trial = 0; trial < Trials; trial++)
        {
            var auditor = new Auditor(options, new Random(trial));
            var runner = new NodeId(Hash256.Of(BitConverter.GetBytes(trial)));
            for (var answer = 0; answer < options.TrustAfter; answer++)
            {
                Assert.True(auditor.ShouldAudit(runner)); // not yet trusted: every answer is checked
                auditor.Confirm(runner);
            }
            // Trusted now, and lying from here on: a lie is caught exactly when it is audited (Compare, tested above).
            for (var answer = options.TrustAfter; answer < 90; answer++)
            {
                if (auditor.ShouldAudit(runner))
                {
                    caught++;
                    break;
                }
            }
        }
        Assert.True(caught >= Trials * 0.99, $"{caught} of {Trials} caught");

        var cost = new Auditor(options, new Random(9));
        var honest = new NodeId(Hash256.Of("honest"u8));
        for (var answer = 0; answer < 1000; answer++)
        {
            if (cost.ShouldAudit(honest))
                cost.Confirm(honest);
        }
        var overhead = cost.Audits / 1000.0;
        Assert.InRange(overhead, 0.05, 0.10);
    }
}
