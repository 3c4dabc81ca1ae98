using System.Collections.Concurrent;
using Coputer.Network.Execution;
using Coputer.Network.Routing;
using Coputer.Network.Transport;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Coputer.Network.Hosting;

/// <summary>
/// Forwarded runs: a run asked of this node for a program it does not hold goes to the program's holders and its neighbours through the
/// <see cref="RunScheduler"/> (a deadline, one hedged backup); an answer counts only when its signed receipt
/// verifies, is the runner's, names this request's input and this runtime, and covers the result's bytes, and,
/// for a name, when the runner's signed record names that program. The record also starts fetching the bundle, so
/// the next run is local.
/// </summary>
public sealed partial class NetworkHost
{
    private readonly ConcurrentDictionary<long, PendingRun> _pendingRuns = new();

    /// <summary>For tests: a dishonest runner, whose answers for peers are replaced by this before they are signed.</summary>
    internal Func<RunResult, RunResult>? Lie { get; set; }

    /// <summary>For tests: a slow runner, which waits this long before it answers a peer.</summary>
    internal TimeSpan ServeDelay { get; set; }

    /// <summary>For tests: off makes a run for a program this node lacks go to a neighbour without an on-demand fetch.</summary>
    internal bool OnDemandForRuns { get; set; } = true;

    /// <summary>A run for a peer is never forwarded again, even when this node's queue is full: the caller asks another runner.</summary>
    private static readonly Platform.Execution.RunOptions s_forPeers = new() { MayForward = false };

    /// <summary>
    /// Runs <paramref name="target"/>, which this node does not hold or cannot run now: a program it lacks is fetched
    /// on demand and run here; one it cannot fetch in time, or one it holds while its queue is full, runs on a
    /// neighbour. Null when no neighbour answered validly within the deadline.
    /// </summary>
    public async Task<RunResult?> ForwardAsync(ProgramRef target, WebRequest request, CancellationToken cancellation = default)
    {
        if (OnDemandForRuns && _execution.Resolve(target) is null && await FetchForRunAsync(target, cancellation) && _execution.Resolve(target) is not null)
            return await _execution.RunAsync(target, request, cancellation: cancellation);
        // Another node's answer for this program and input, checked here before it was cached.
        if (CachedFromPeers(target, request.InputHash) is { } cached)
            return cached;
        var wire = new RunRequest(target, request.Method, request.RawPath, request.Headers, request.Body.ToArray());
        var answer = await AskRunnerAsync(target, request.InputHash, wire, except: null, audit: false, cancellation);
        return answer is null ? null : await CheckAsync(wire, answer, cancellation);
    }

    /// <summary>Runs a request on a neighbour (not <paramref name="except"/>, none excluded) through the scheduler; the first answer that checks, or null.</summary>
    private async Task<CheckedAnswer?> AskRunnerAsync(ProgramRef target, Hash256 input, RunRequest wire, NodeId? except, bool audit, CancellationToken cancellation)
    {
        List<PeerInfo> runners;
        lock (_gate)
        {
            // The program's holders first (the routing contacts closest to its hash, as placement puts it there:
            // neighbours or not), then the neighbours; the scheduler tries unknown runners before slow ones.
            Hash256? program = target.IsHash ? target.Hash : _node.Records.Find(target.Publisher, target.Name!)?.Record.Program;
            var holders = program is { } hash ? _node.Routing.Table.Closest(RoutingKey.From(hash), _options.Replication.Replicas) : [];
            runners = [.. holders.Concat(ActivePeers).DistinctBy(p => p.Id).Where(p => p.Id != Self.Id && p.Id != except && !_auditor.IsExcluded(p.Id))];
        }
        var peers = runners.ToDictionary(p => p.Id);
        var pending = new PendingRun(target, input, RunWire.Encode(wire), peers, audit);
        IReadOnlyList<NodeEffect> effects;
        TimeSpan hedgeDelay;
        lock (_gate)
        {
            hedgeDelay = _runs.HedgeDelay;
            (long id, effects) = _runs.Submit(target.IsHash ? target.Hash : default, input, [.. peers.Keys], Now);
            _pendingRuns[id] = pending;
        }
        Execute(effects, from: null);
        // The backup goes out when the hedge delay is up, not at the next tick (every 50 ms), which would add up to a
        // tick to every hedged run.
        if (peers.Count > 1)
            _ = HedgeWhenDueAsync(hedgeDelay);
        using var registration = cancellation.Register(() => pending.Done.TrySetResult(null));
        return await pending.Done.Task;
    }

    private async Task HedgeWhenDueAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay + TimeSpan.FromMilliseconds(1), _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        Execute(Locked(() => _runs.Tick(Now)), from: null);
    }

    private void StartForwardedRun(ForwardRun forward)
    {
        if (!_pendingRuns.TryGetValue(forward.RequestId, out var pending) || !pending.Peers.TryGetValue(forward.Runner, out var peer))
            return;
        // The scheduler asks at most two runners per run; the second is the hedge.
        if (Interlocked.Increment(ref pending.RunnersAsked) > 1)
            Counters.HedgeSent();
        _ = Task.Run(() => CallRunnerAsync(forward.RequestId, pending, peer));
    }

    private async Task CallRunnerAsync(long requestId, PendingRun pending, PeerInfo runner)
    {
        string? refusal;
        try
        {
            var bytes = await _client.RunAsync(runner, pending.Request, _stopping.Token);
            if (bytes is null)
            {
                refusal = "does not hold the program or cannot run it now";
            }
            else
            {
                var (answer, reason) = CheckAnswer(RunWire.DecodeAnswer(bytes), pending.Target, pending.Input, runner.Id);
                refusal = reason;
                if (answer is not null)
                {
                    pending.Answers[runner.Id] = answer;
                    Execute(Locked(() => _runs.Answer(requestId, answer.Receipt, Now)), from: null);
                    if (answer.Record is { } record)
                    {
                        // Verified in CheckAnswer: the book takes it (the name then resolves here, for the
                        // result cache and on-demand fetches), and the store takes it if the bundle is here.
                        lock (_gate)
                            _node.Records.Apply(record);
                        OnRecord(record, runner);
                    }
                    return;
                }
                Counters.BadAnswer();
                _log.LogWarning("runner {Id} gave an answer that does not check: {Reason}", runner.Id, reason);
            }
        }
        catch (Exception e) when (e is PeerCallException or WireFormatException)
        {
            refusal = e.Message;
        }
        catch (OperationCanceledException)
        {
            return;
        }
        _log.LogDebug("forwarded run to {Id}: {Reason}", runner.Id, refusal);
        Execute(Locked(() => _runs.RunnerFailed(requestId, runner.Id, Now)), from: null);
    }

    private void FinishRun(long requestId, CheckedAnswer? answer, bool hedged)
    {
        if (!_pendingRuns.TryRemove(requestId, out var pending))
            return;
        if (pending.IsAudit)
        {
            // A re-run for an audit: counted with the audits, not as a forwarded run.
        }
        else if (answer is null)
        {
            Counters.ForwardFailed();
        }
        else
        {
            Counters.Forwarded(hedged);
        }
        pending.Done.TrySetResult(answer);
    }

    /// <summary>A verified answer: its receipt, its outcome, and for a name the signed record it was resolved by.</summary>
    internal sealed record CheckedAnswer(RunReceipt Receipt, RunResult Result, SignedRecord? Record);

    /// <summary>Checks a runner's answer to a forwarded run; returns it, or why it is refused.</summary>
    internal static (CheckedAnswer? Answer, string? Refusal) CheckAnswer(RunAnswer answer, ProgramRef target, Hash256 input, NodeId runner)
    {
        RunReceipt receipt;
        try
        {
            receipt = RunReceipt.Decode(answer.Receipt);
        }
        catch (FormatException e)
        {
            return (null, "bad receipt: " + e.Message);
        }
        if (receipt.Runner != runner)
            return (null, "the receipt is signed by another node");
        if (receipt.Input != input)
            return (null, "the receipt is for another input");
        if (receipt.Runtime != ProgramRuntime.Version)
            return (null, $"the receipt is from runtime {receipt.Runtime}, not {ProgramRuntime.Version}");
        if (receipt.Output != Hash256.Of(answer.Result))
            return (null, "the receipt does not cover the result");
        SignedRecord? record = null;
        if (target.IsHash)
        {
            if (receipt.Program != target.Hash)
                return (null, "the receipt is for another program");
        }
        else
        {
            if (answer.Record is null)
                return (null, "no record for the name");
            try
            {
                record = SignedRecord.Decode(answer.Record);
            }
            catch (RecordException e)
            {
                return (null, "bad record: " + e.Message);
            }
            var r = record.Record;
            if (!record.VerifySignature() || r.Publisher.Id != target.Publisher || r.Name != target.Name || r.Program != receipt.Program)
                return (null, "the record does not name this program, or its signature does not verify");
        }
        if (ResultCodec.Decode(answer.Result, receipt.Program, input) is not { } decoded)
            return (null, "the result does not decode");
        var result = new RunResult
        {
            Status = decoded.Status,
            Response = decoded.Response,
            Error = decoded.Error,
            Traceback = decoded.Traceback,
            Limit = decoded.Limit,
            Info = decoded.Info with { Cached = false },
        };
        return (new CheckedAnswer(receipt, result, record), null);
    }

    /// <summary>Runs a program for a peer: only one this node holds (so a run is never forwarded twice), only outcomes that are deterministic.</summary>
    private async Task ServeRunAsync(HttpContext context, NodeId peer)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = RunWire.MaxRequestSize;
        RunRequest run;
        WebRequest request;
        try
        {
            run = RunWire.DecodeRequest(await ReadBodyAsync(context.Request, RunWire.MaxRequestSize, context.RequestAborted));
            request = WebRequest.Create(run.Method, run.RequestTarget, run.Headers, run.Body);
        }
        catch (Exception e) when (e is WireFormatException or ArgumentException or IOException or BadHttpRequestException)
        {
            Counters.RefusedMessage();
            _log.LogDebug("malformed run request from {Id}: {Error}", peer, e.Message);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        if (_execution.Resolve(run.Target) is not { } resolved)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        deadline.CancelAfter(_options.Transport.RunDeadline);
        if (ServeDelay > TimeSpan.Zero)
            await Task.Delay(ServeDelay, deadline.Token);
        var result = await _execution.RunAsync(run.Target, request, s_forPeers, deadline.Token);
        // Transient failures (overloaded, timed out) are nobody's answer: no receipt, the caller asks another runner.
        if (!result.IsDeterministic || result.Info.Program != resolved.Program)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        if (Lie is { } lie)
            result = lie(result);
        byte[] outcome = ResultCodec.Encode(result);
        var receipt = RunReceipt.Sign(_options.Identity, ProgramRuntime.Version, resolved.Program, request.InputHash, Hash256.Of(outcome), (ulong)result.Info.Instructions);
        byte[] answer = RunWire.Encode(new RunAnswer(receipt.Encode(), run.Target.IsHash ? null : resolved.Version?.Record.Encode(), outcome));
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        Counters.RanForPeer();
    }

    private sealed class PendingRun(ProgramRef target, Hash256 input, byte[] request, Dictionary<NodeId, PeerInfo> peers, bool isAudit)
    {
        public bool IsAudit { get; } = isAudit;

        public ProgramRef Target { get; } = target;

        public Hash256 Input { get; } = input;

        public byte[] Request { get; } = request;

        public Dictionary<NodeId, PeerInfo> Peers { get; } = peers;

        public ConcurrentDictionary<NodeId, CheckedAnswer> Answers { get; } = new();

        /// <summary>How many runners have been asked (the first, then the hedge).</summary>
        public int RunnersAsked;

        public TaskCompletionSource<CheckedAnswer?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
