namespace Coputer.Network.Execution;

/// <summary>Parameters of answer audits.</summary>
public sealed record AuditOptions
{
    /// <summary>A runner's answers are all re-run until it has this many consecutive confirmed ones.</summary>
    public int TrustAfter { get; init; } = 10;

    /// <summary>The share of a trusted runner's answers still re-run (at least 5%; the default catches a constant liar within 90 answers with 99.6% probability).</summary>
    public double AuditRate { get; init; } = 0.06;
}

/// <summary>
/// Two validly signed receipts for the same program, input and runtime that give different outputs. Anyone can
/// check it; with a third run it shows who lied.
/// </summary>
public sealed record Disagreement(RunReceipt First, RunReceipt Second)
{
    /// <summary>Whether the two receipts really are for one run and disagree (their signatures were checked when they were decoded).</summary>
    public bool IsValid =>
        First.Program == Second.Program && First.Input == Second.Input && First.Runtime == Second.Runtime &&
        First.Output != Second.Output && First.Runner != Second.Runner;
}

/// <summary>
/// Adaptive auditing in the manner of BOINC's adaptive replication, as a pure state machine with a seeded random
/// source. A new runner's answers are all checked by a re-run on another holder; once it has
/// <see cref="AuditOptions.TrustAfter"/> consecutive confirmed answers only a random share is. A disagreement is
/// settled by a third run: the runner whose output differs from it is excluded and the proof kept, to be spread.
/// </summary>
public sealed class Auditor
{
    private readonly AuditOptions _options;
    private readonly Random _random;
    private readonly Dictionary<NodeId, int> _confirmed = [];
    private readonly HashSet<NodeId> _excluded = [];
    private readonly List<Disagreement> _proofs = [];

    public Auditor(AuditOptions options, Random random)
    {
        if (options.AuditRate is < 0.05 or > 1)
            throw new ArgumentException("the audit rate is between 5% and 100%", nameof(options));
        _options = options;
        _random = random;
    }

    public long Audits { get; private set; }

    public IReadOnlyCollection<NodeId> Excluded => _excluded;

    public IReadOnlyList<Disagreement> Proofs => _proofs;

    public bool IsExcluded(NodeId runner) => _excluded.Contains(runner);

    /// <summary>How many of the runner's answers re-runs have confirmed.</summary>
    public int ConfirmedAnswers(NodeId runner) => _confirmed.GetValueOrDefault(runner);

    /// <summary>Whether this answer by <paramref name="runner"/> should be re-run elsewhere before it is trusted or cached.</summary>
    public bool ShouldAudit(NodeId runner)
    {
        if (_excluded.Contains(runner))
            return false;
        var audit = _confirmed.GetValueOrDefault(runner) < _options.TrustAfter || _random.NextDouble() < _options.AuditRate;
        if (audit)
            Audits++;
        return audit;
    }

    /// <summary>Compares an answer with its re-run. Agreement builds the runner's record; a disagreement is returned, to be settled.</summary>
    public Disagreement? Compare(RunReceipt answer, RunReceipt recheck)
    {
        if (answer.Program != recheck.Program || answer.Input != recheck.Input)
            throw new ArgumentException("the re-run is of another program or input", nameof(recheck));
        if (answer.Output == recheck.Output)
        {
            Confirm(answer.Runner);
            return null;
        }
        return new Disagreement(answer, recheck);
    }

    /// <summary>Settles a disagreement with a third run: the runners whose outputs differ from it are excluded.</summary>
    /// <returns>The runners excluded.</returns>
    public IReadOnlyList<NodeId> Settle(Disagreement disagreement, RunReceipt third)
    {
        if (!disagreement.IsValid || third.Program != disagreement.First.Program || third.Input != disagreement.First.Input)
            throw new ArgumentException("not a disagreement about this run", nameof(disagreement));
        _proofs.Add(disagreement);
        var excluded = new List<NodeId>();
        foreach (var receipt in new[] { disagreement.First, disagreement.Second })
        {
            if (receipt.Output != third.Output && _excluded.Add(receipt.Runner))
                excluded.Add(receipt.Runner);
            else if (receipt.Output == third.Output)
                Confirm(receipt.Runner);
        }
        return excluded;
    }

    /// <summary>Records one more of the runner's answers as confirmed by a re-run.</summary>
    public void Confirm(NodeId runner) => _confirmed[runner] = _confirmed.GetValueOrDefault(runner) + 1;

    /// <summary>Excludes a runner on a proof received from elsewhere (it must be valid).</summary>
    public void Exclude(NodeId runner) => _excluded.Add(runner);
}
