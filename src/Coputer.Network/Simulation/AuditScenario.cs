using Coputer.Network.Execution;
using Coputer.Platform;
using Coputer.Platform.Identity;

namespace Coputer.Network.Simulation;

/// <summary>What <see cref="AuditScenario.Run"/> measured.</summary>
public sealed record AuditFigures(
    int Runners, int Liars, bool LieFromTheStart, int Requests, int LiarsExcluded, int LiarsExcludedWithin90,
    int MaxLiarAnswers, int HonestExcluded, long ExtraRuns, double ExtraRunShare, double HonestSteadyAuditShare)
{
    public double ExcludedWithin90Share => Liars == 0 ? 1 : (double)LiarsExcludedWithin90 / Liars;
}

/// <summary>
/// The auditor in a pool of runners, end to end: every request goes to a random runner that is not excluded; the
/// <see cref="Auditor"/> decides whether to re-run it on another random runner; two signed receipts that disagree
/// are settled by a third run on the auditing node itself, and the runner it disagrees with is excluded. Liars collude (they all give
/// the same wrong output, so a liar asked to check a liar confirms it). A liar either lies from its first answer or
/// is honest until it is trusted and lies on every answer after that, the case the 5% audit rate is sized for.
/// </summary>
public static class AuditScenario
{
    public static AuditFigures Run(int seed, int runners = 100, int liars = 10, int requests = 40_000, bool lieFromTheStart = false, AuditOptions? options = null)
    {
        options ??= new AuditOptions();
        var random = new Random(seed);
        var auditor = new Auditor(options, new Random(seed * 7 + 1));
        var identities = Enumerable.Range(0, runners)
            .Select(i => new NodeIdentity(Publisher.FromSeed(Hash256.Of(BitConverter.GetBytes(seed * 100_003L + i)).ToArray())))
            .ToList();
        using var self = new NodeIdentity(Publisher.FromSeed(Hash256.Of(BitConverter.GetBytes(-seed)).ToArray()));
        var liarIds = identities.Take(liars).Select(r => r.Id).ToHashSet();
        var answers = identities.ToDictionary(r => r.Id, _ => 0);
        var excludedAfter = new Dictionary<NodeId, int>();
        var program = Hash256.Of("audited program"u8);
        long extra = 0;
        long honestAnswersTrusted = 0, honestAuditsTrusted = 0;

        RunReceipt Answer(NodeIdentity runner, Hash256 input)
        {
            var lies = runner != self && liarIds.Contains(runner.Id) && (lieFromTheStart || auditor.ConfirmedAnswers(runner.Id) >= options.TrustAfter);
            var output = lies ? Hash256.Of([.. input.ToArray(), 0xBA, 0xD0]) : Hash256.Of(input.ToArray());
            return RunReceipt.Sign(runner, "coputer-sim", program, input, output, 1000);
        }

        NodeIdentity Pick(params NodeIdentity[] except)
        {
            while (true)
            {
                var runner = identities[random.Next(identities.Count)];
                if (!auditor.IsExcluded(runner.Id) && Array.IndexOf(except, runner) < 0)
                    return runner;
            }
        }

        for (var i = 0; i < requests; i++)
        {
            var input = Hash256.Of(BitConverter.GetBytes(i));
            var runner = Pick();
            var trustedBefore = auditor.ConfirmedAnswers(runner.Id) >= options.TrustAfter;
            var answer = Answer(runner, input);
            answers[runner.Id]++;
            var audited = auditor.ShouldAudit(runner.Id);
            if (!liarIds.Contains(runner.Id) && trustedBefore)
            {
                honestAnswersTrusted++;
                if (audited)
                    honestAuditsTrusted++;
            }
            if (!audited)
                continue;
            var checker = Pick(runner);
            extra++;
            var disagreement = auditor.Compare(answer, Answer(checker, input));
            if (disagreement is null)
                continue;
            // The auditing node settles it by running the program itself (it holds the signed, content-addressed
            // bundle), so colluding liars cannot outvote an honest checker.
            extra++;
            foreach (var id in auditor.Settle(disagreement, Answer(self, input)))
                excludedAfter[id] = answers[id];
        }
        var liarsExcluded = liarIds.Count(excludedAfter.ContainsKey);
        var within90 = liarIds.Count(id => excludedAfter.TryGetValue(id, out var n) && n <= 90);
        var maxLiar = liarIds.Max(id => excludedAfter.TryGetValue(id, out var n) ? n : answers[id]);
        foreach (var identity in identities)
            identity.Dispose();
        return new AuditFigures(
            runners, liars, lieFromTheStart, requests, liarsExcluded, within90, maxLiar,
            excludedAfter.Keys.Count(id => !liarIds.Contains(id)), extra, (double)extra / requests,
            honestAnswersTrusted == 0 ? 0 : (double)honestAuditsTrusted / honestAnswersTrusted);
    }
}
