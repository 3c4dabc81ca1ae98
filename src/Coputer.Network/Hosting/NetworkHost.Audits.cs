using System.Buffers.Binary;
using System.Collections.Concurrent;
using Coputer.Network.Execution;
using Coputer.Network.Transport;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coputer.Network.Hosting;

/// <summary>
/// Checked answers and the network-wide result cache. An answer another node gave to a forwarded run is returned
/// to the caller at once, but it enters this node's result cache (where later identical requests find it) only
/// once it is trusted, the way volunteer-computing systems check work (<see cref="Auditor"/>): a new runner's
/// answers are all re-run on another runner, or here, and compared until it has 10 confirmed ones; after that a
/// random 6% are. Two receipts that disagree are settled by a run on this node: the runner that differs is
/// excluded (never asked again, its answers never cached), and the proof (both receipts and the request) is sent
/// to the neighbours, each of which re-runs it, excludes the liar the same way and passes the proof on.
/// Transient failures have no receipt, so they are never cached anywhere.
/// </summary>
public sealed partial class NetworkHost
{
    /// <summary>Most proofs checked at once; more wait for a later copy (a proof reaches a node from several neighbours).</summary>
    private const int MaxProofChecks = 4;

    private readonly ConcurrentDictionary<Hash256, bool> _proofsSeen = new();
    private int _proofChecks;

    /// <summary>
    /// The auditor's random source, seeded per node from a signature of the node's key (deterministic for the
    /// node, unknown to its peers, so a runner cannot tell which of its answers will be checked) and used under the
    /// state lock only: runs never see it.
    /// </summary>
    private static Random AuditRandom(NodeIdentity identity) =>
        new(BinaryPrimitives.ReadInt32LittleEndian(Hash256.Of(identity.Sign("coputer-audit-seed\0"u8.ToArray())).ToArray()));

    /// <summary>Runners excluded after a mismatch (by this node's own audits or by proofs it checked).</summary>
    public IReadOnlyList<NodeId> ExcludedRunners
    {
        get
        {
            lock (_gate)
                return [.. _auditor.Excluded];
        }
    }

    /// <summary>
    /// Checks <paramref name="answer"/> as the auditor decides and returns the result to give the caller. A runner
    /// still on probation (fewer than <see cref="AuditOptions.TrustAfter"/> confirmed answers) has every answer
    /// re-run before it is given out; when the re-run disagrees, this node's own run settles it and its result is
    /// given instead. A trusted runner's answer is given at once, and a random share of them checked afterwards.
    /// </summary>
    private async Task<RunResult?> CheckAsync(RunRequest request, CheckedAnswer answer, CancellationToken cancellation)
    {
        bool audit, trusted;
        lock (_gate)
        {
            // Excluded since it was asked (another audit settled meanwhile): its answer goes nowhere.
            if (_auditor.IsExcluded(answer.Receipt.Runner))
                return null;
            trusted = _auditor.ConfirmedAnswers(answer.Receipt.Runner) >= _options.Audits.TrustAfter;
            audit = _auditor.ShouldAudit(answer.Receipt.Runner);
        }
        if (!audit)
        {
            CacheAnswer(answer);
            return answer.Result;
        }
        Counters.Audited();
        if (trusted)
        {
            _ = Task.Run(() => AuditAsync(request, answer, _stopping.Token));
            return answer.Result;
        }
        return await AuditAsync(request, answer, cancellation);
    }

    /// <summary>Re-runs an answer elsewhere and compares; returns the result that stands (null when the answer was a lie this node could not replace).</summary>
    private async Task<RunResult?> AuditAsync(RunRequest request, CheckedAnswer answer, CancellationToken cancellation)
    {
        var first = answer.Receipt;
        var byHash = request with { Target = ProgramRef.ByHash(first.Program) };
        try
        {
            // Another runner first (the check of a volunteer by another), this node when there is none.
            var other = await AskRunnerAsync(byHash.Target, first.Input, byHash, except: first.Runner, audit: true, cancellation);
            (RunReceipt Receipt, RunResult Result)? here = other is null ? await RunHereAsync(byHash, cancellation) : null;
            var recheck = other?.Receipt ?? here?.Receipt;
            if (recheck is null)
            {
                Counters.AuditUnsettled();
                _log.LogDebug("no second runner for the audit of {Runner}'s answer: not cached", first.Runner);
                return answer.Result;
            }
            Disagreement? disagreement;
            lock (_gate)
                disagreement = _auditor.Compare(first, recheck);
            if (disagreement is null)
            {
                CacheAnswer(answer);
                return answer.Result;
            }
            Counters.Mismatch();
            here ??= await RunHereAsync(byHash, cancellation);
            if (here is not { } third)
            {
                Counters.AuditUnsettled();
                _log.LogWarning("runners {First} and {Second} disagree on program {Program}; this node could not run it to settle it", first.Runner, recheck.Runner, first.Program);
                return null;
            }
            var excluded = Settle(disagreement, third.Receipt);
            if (!excluded.Contains(first.Runner))
                CacheAnswer(answer);
            Spread(MismatchProof.Create(disagreement, byHash), except: null);
            return third.Result;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private IReadOnlyList<NodeId> Settle(Disagreement disagreement, RunReceipt third)
    {
        IReadOnlyList<NodeId> excluded;
        lock (_gate)
            excluded = _auditor.Settle(disagreement, third);
        foreach (var runner in excluded)
        {
            Counters.RunnerExcluded();
            _log.LogWarning("runner {Runner} excluded: its answer for program {Program} differs from this node's run", runner, disagreement.First.Program);
        }
        return excluded;
    }

    /// <summary>Runs a request here (fetching the program on demand) without the cache; this node's signed receipt and the result, or null when it cannot.</summary>
    private async Task<(RunReceipt Receipt, RunResult Result)?> RunHereAsync(RunRequest request, CancellationToken cancellation)
    {
        var program = request.Target.Hash;
        if (_execution.Resolve(request.Target) is null && !await FetchForRunAsync(request.Target, cancellation))
            return null;
        var web = WebRequest.Create(request.Method, request.RequestTarget, request.Headers, request.Body);
        var result = await _execution.RunAsync(request.Target, web, s_check, cancellation);
        if (!result.IsDeterministic || result.Info.Program != program)
            return null;
        return (RunReceipt.Sign(_options.Identity, ProgramRuntime.Version, program, web.InputHash, Hash256.Of(ResultCodec.Encode(result)), (ulong)result.Info.Instructions), result);
    }

    /// <summary>A check's own run: never from the cache, never forwarded.</summary>
    private static readonly Platform.Execution.RunOptions s_check = new() { UseCache = false, MayForward = false };

    /// <summary>Keeps a trusted answer in this node's result cache, under the program and input its receipt names.</summary>
    private void CacheAnswer(CheckedAnswer answer)
    {
        var bytes = ResultCodec.Encode(answer.Result);
        if (Hash256.Of(bytes) != answer.Receipt.Output)
            return; // not the bytes the runner signed: nothing to vouch for it
        lock (_gate)
        {
            if (_auditor.IsExcluded(answer.Receipt.Runner))
                return;
        }
        _execution.Store.PutResult(answer.Receipt.Program, answer.Receipt.Input, ProgramRuntime.Version, bytes);
        Counters.AnswerCached();
    }

    /// <summary>A result in this node's cache for the program <paramref name="target"/> names now and this input.</summary>
    private RunResult? CachedFromPeers(ProgramRef target, Hash256 input)
    {
        Hash256 program;
        if (target.IsHash)
        {
            program = target.Hash;
        }
        else
        {
            lock (_gate)
            {
                if (_node.Records.Find(target.Publisher, target.Name!) is not { } record)
                    return null;
                program = record.Record.Program;
            }
        }
        if (_execution.Store.TryGetResult(program, input, ProgramRuntime.Version) is not { } bytes || ResultCodec.Decode(bytes, program, input) is not { } result)
            return null;
        Counters.CacheServed();
        return result;
    }

    /// <summary>Sends a proof to every neighbour but <paramref name="except"/> (best effort).</summary>
    private void Spread(MismatchProof proof, NodeId? except)
    {
        var bytes = proof.Encode();
        _proofsSeen.TryAdd(Hash256.Of(bytes), true);
        foreach (var peer in ActivePeers.Where(p => p.Id != except))
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await _client.SendProofAsync(peer, bytes, _stopping.Token);
                }
                catch (Exception e) when (e is PeerCallException or OperationCanceledException)
                {
                    _log.LogDebug("proof to {Id}: {Error}", peer.Id, e.Message);
                }
            });
        }
    }

    /// <summary>
    /// A proof from a peer: decoded and checked (both signatures, one run, the request its input) before anything
    /// is kept; re-run here to see who lied; the liar excluded and the proof passed on. A proof already seen, or
    /// about runners already excluded, is acknowledged and dropped.
    /// </summary>
    private async Task ReceiveProofAsync(HttpContext context, NodeId peer)
    {
        MismatchProof proof;
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request, MismatchProof.MaxSize, context.RequestAborted);
            proof = MismatchProof.Decode(body);
        }
        catch (Exception e) when (e is WireFormatException or IOException or BadHttpRequestException)
        {
            Counters.RefusedMessage();
            _log.LogDebug("bad proof from {Id}: {Error}", peer, e.Message);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        var d = proof.Disagreement;
        bool known;
        lock (_gate)
            known = _auditor.IsExcluded(d.First.Runner) || _auditor.IsExcluded(d.Second.Runner);
        if (_proofsSeen.Count >= 10_000)
            _proofsSeen.Clear();
        if (known || !_proofsSeen.TryAdd(Hash256.Of(body), true))
            return;
        if (Interlocked.Increment(ref _proofChecks) > MaxProofChecks)
        {
            Interlocked.Decrement(ref _proofChecks);
            _proofsSeen.TryRemove(Hash256.Of(body), out _); // a later copy is checked instead
            return;
        }
        Counters.ProofReceived();
        _ = Task.Run(async () =>
        {
            try
            {
                if (await RunHereAsync(proof.Request, _stopping.Token) is { } mine)
                {
                    Settle(d, mine.Receipt);
                    Spread(proof, except: peer);
                }
                else
                {
                    _log.LogDebug("could not re-run program {Program} to check a proof", d.First.Program);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref _proofChecks);
            }
        });
    }
}
