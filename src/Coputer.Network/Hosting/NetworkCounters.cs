namespace Coputer.Network.Hosting;

/// <summary>What a <see cref="NetworkHost"/> has done since it started (read by the node's metrics).</summary>
public sealed class NetworkCounters
{
    /// <summary>The wire message types by their type byte (version 1).</summary>
    public static readonly string[] TypeNames =
        ["unknown", "join", "forward_join", "neighbor", "neighbor_reply", "disconnect", "shuffle", "shuffle_reply", "gossip", "ihave", "graft", "prune", "replicate", "stored",
         "ping", "pong", "find_node", "find_value", "found_nodes", "found_value", "put_record", "offer"];

    private readonly long[] _messagesIn = new long[TypeNames.Length];
    private readonly long[] _messagesOut = new long[TypeNames.Length];
    private long _bytesIn;
    private long _bytesOut;
    private long _sendFailures;
    private long _refused;
    private long _dropped;
    private long _bundlesFetched;
    private long _bundlesServed;
    private long _badBundles;
    private long _recordsStored;
    private long _forwarded;
    private long _hedged;
    private long _hedgesSent;
    private long _forwardFailures;
    private long _badAnswers;
    private long _ranForPeers;
    private long _replicasTaken;
    private long _replicasRefused;
    private long _audits;
    private long _auditsUnsettled;
    private long _mismatches;
    private long _excluded;
    private long _answersCached;
    private long _servedFromCache;
    private long _proofsReceived;
    private long _fetchedOnDemand;
    private long _onDemandFailed;

    public long MessagesIn(int type) => Interlocked.Read(ref _messagesIn[type]);

    public long MessagesOut(int type) => Interlocked.Read(ref _messagesOut[type]);

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Messages that could not be delivered (the peer was then reported failed).</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Incoming messages refused: malformed, or a sender other than the authenticated peer.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Outgoing messages dropped because a peer's queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public long BundlesFetched => Interlocked.Read(ref _bundlesFetched);

    public long BundlesServed => Interlocked.Read(ref _bundlesServed);

    /// <summary>Fetched bundles refused because they were malformed or not the program the record names.</summary>
    public long BadBundles => Interlocked.Read(ref _badBundles);

    /// <summary>Publication records received over the network and stored.</summary>
    public long RecordsStored => Interlocked.Read(ref _recordsStored);

    /// <summary>Runs forwarded to a neighbour and answered with a receipt that checked.</summary>
    public long RunsForwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Forwarded runs that were also sent to a second runner.</summary>
    public long RunsHedged => Interlocked.Read(ref _hedged);

    /// <summary>Backup requests sent: a second runner asked because the first had not answered within the hedge delay, or failed (forwarded runs and audit re-runs).</summary>
    public long HedgesSent => Interlocked.Read(ref _hedgesSent);

    /// <summary>Forwarded runs no runner answered validly within the deadline.</summary>
    public long ForwardFailures => Interlocked.Read(ref _forwardFailures);

    /// <summary>Answers to forwarded runs refused because the receipt, record or result did not check.</summary>
    public long BadAnswers => Interlocked.Read(ref _badAnswers);

    /// <summary>Runs this node made for a peer (with a signed receipt).</summary>
    public long RunsForPeers => Interlocked.Read(ref _ranForPeers);

    /// <summary>Copies this node took as one of a program's closest nodes (offered by a holder, fetched and checked).</summary>
    public long ReplicasTaken => Interlocked.Read(ref _replicasTaken);

    /// <summary>Copies offered to this node as a holder and not taken because they would pass the storage quota of every publisher naming them.</summary>
    public long ReplicasRefused => Interlocked.Read(ref _replicasRefused);

    /// <summary>Bundles fetched on demand: for a run of a program this node lacked, a dependency, or a newer version of a name it serves.</summary>
    public long FetchedOnDemand => Interlocked.Read(ref _fetchedOnDemand);

    /// <summary>On-demand fetches that found no node with the bundle within the deadline.</summary>
    public long OnDemandFailures => Interlocked.Read(ref _onDemandFailed);

    /// <summary>Answers of other nodes re-run to check them (the auditor's choice: every answer of a new runner, then a random share).</summary>
    public long Audits => Interlocked.Read(ref _audits);

    /// <summary>Audits that could not be finished (no second runner and no run here); the answer was not cached.</summary>
    public long AuditsUnsettled => Interlocked.Read(ref _auditsUnsettled);

    /// <summary>Audits whose re-run disagreed with the answer (two signed receipts that differ).</summary>
    public long Mismatches => Interlocked.Read(ref _mismatches);

    /// <summary>Runners excluded after a mismatch settled by this node's own run (its audits and proofs it checked).</summary>
    public long RunnersExcluded => Interlocked.Read(ref _excluded);

    /// <summary>Answers of other nodes kept in this node's result cache once checked or trusted.</summary>
    public long AnswersCached => Interlocked.Read(ref _answersCached);

    /// <summary>Runs of programs this node lacked answered from results other nodes computed (cached here).</summary>
    public long ServedFromCache => Interlocked.Read(ref _servedFromCache);

    /// <summary>Mismatch proofs received from peers and checked by a run here.</summary>
    public long ProofsReceived => Interlocked.Read(ref _proofsReceived);

    internal void Audited() => Interlocked.Increment(ref _audits);

    internal void AuditUnsettled() => Interlocked.Increment(ref _auditsUnsettled);

    internal void Mismatch() => Interlocked.Increment(ref _mismatches);

    internal void RunnerExcluded() => Interlocked.Increment(ref _excluded);

    internal void AnswerCached() => Interlocked.Increment(ref _answersCached);

    internal void CacheServed() => Interlocked.Increment(ref _servedFromCache);

    internal void ProofReceived() => Interlocked.Increment(ref _proofsReceived);

    internal void ReplicaTaken() => Interlocked.Increment(ref _replicasTaken);

    internal void ReplicaRefused() => Interlocked.Increment(ref _replicasRefused);

    internal void OnDemandFetched() => Interlocked.Increment(ref _fetchedOnDemand);

    internal void OnDemandFailed() => Interlocked.Increment(ref _onDemandFailed);

    internal void Forwarded(bool hedged)
    {
        Interlocked.Increment(ref _forwarded);
        if (hedged)
            Interlocked.Increment(ref _hedged);
    }

    internal void HedgeSent() => Interlocked.Increment(ref _hedgesSent);

    internal void ForwardFailed() => Interlocked.Increment(ref _forwardFailures);

    internal void BadAnswer() => Interlocked.Increment(ref _badAnswers);

    internal void RanForPeer() => Interlocked.Increment(ref _ranForPeers);

    internal void In(byte[] message)
    {
        Interlocked.Increment(ref _messagesIn[TypeOf(message)]);
        Interlocked.Add(ref _bytesIn, message.Length);
    }

    internal void Out(byte[] message)
    {
        Interlocked.Increment(ref _messagesOut[TypeOf(message)]);
        Interlocked.Add(ref _bytesOut, message.Length);
    }

    internal void SendFailed() => Interlocked.Increment(ref _sendFailures);

    internal void RefusedMessage() => Interlocked.Increment(ref _refused);

    internal void DroppedMessage() => Interlocked.Increment(ref _dropped);

    internal void Fetched(long bytes)
    {
        Interlocked.Increment(ref _bundlesFetched);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    internal void Served(long bytes)
    {
        Interlocked.Increment(ref _bundlesServed);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    internal void BadBundle() => Interlocked.Increment(ref _badBundles);

    internal void RecordStored() => Interlocked.Increment(ref _recordsStored);

    private static int TypeOf(byte[] message) => message.Length > 1 && message[1] < TypeNames.Length ? message[1] : 0;
}
