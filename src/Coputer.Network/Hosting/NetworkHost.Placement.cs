using System.Collections.Concurrent;
using Coputer.Network.Broadcast;
using Coputer.Network.Replication;
using Coputer.Network.Routing;
using Coputer.Network.Transport;
using Coputer.Network.Wire;
using Coputer.Platform;
using Coputer.Platform.Execution;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Store;
using Microsoft.Extensions.Logging;

namespace Coputer.Network.Hosting;

/// <summary>
/// Records and bundles. Every node keeps every publication record (the broadcast), but a bundle is stored by the
/// nodes closest to its hash (the replica store places it there and repairs it), by the node it was published at,
/// and by nodes that fetched it on demand to run it. A node fetches a bundle when a run needs it: a lookup of the
/// hash finds a node that holds it, the bundle comes by <c>GET /v1/bundles/{hash}</c>, and it is decoded and its
/// hash compared before anything stores it; if no holder answers, the neighbours are asked.
/// </summary>
public sealed partial class NetworkHost
{
    /// <summary>The programs whose bundles this node's store holds (the lookups it answers "I hold it" to).</summary>
    private readonly ConcurrentDictionary<Hash256, bool> _bundles = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ValueFound?>> _lookups = new();
    private readonly ConcurrentDictionary<Hash256, Task<byte[]?>> _onDemand = new();
    private readonly ConcurrentDictionary<Hash256, bool> _refreshing = new();

    /// <summary>Set while this host stores what came from the network, so the store's publication event does not place it as published here.</summary>
    [ThreadStatic]
    private static bool t_storingFromNetwork;

    /// <summary>How the programs this node holds stand (from the replica store's latest checks) and how many bundles its store has.</summary>
    public (ReplicationHealth Replicas, int Bundles) Replication
    {
        get
        {
            lock (_gate)
                return (_node.Replicas.Health, _bundles.Count);
        }
    }

    /// <summary>Contacts in the Kademlia routing table now.</summary>
    public int RoutingContacts
    {
        get
        {
            lock (_gate)
                return _node.Routing.Table.Count;
        }
    }

    /// <summary>Whether this node holds <paramref name="program"/> in its replica store (as one of its closest nodes, or its publisher's).</summary>
    public bool HoldsReplica(Hash256 program)
    {
        lock (_gate)
            return _node.Replicas.Holds(program);
    }

    private bool HeldHere(Hash256 key, out byte[]? content)
    {
        content = null; // bundles are always fetched by GET, never sent in a message
        return _bundles.ContainsKey(key);
    }

    /// <summary>A publication stored here: placed on the nodes closest to its hash (this node keeps it too) and broadcast.</summary>
    private void OnLocalPublication(ProgramVersion version)
    {
        if (_disposed)
            return;
        var payload = version.Record.Encode();
        bool local = !t_storingFromNetwork;
        _bundles[version.Program] = true;
        Execute(Locked(() =>
        {
            if (local)
                _node.Hold(version.Program, content: null, Now, pinned: true);
            return _node.Broadcast.Has(Plumtree.IdOf(payload)) ? [] : _node.Publish(version.Record, Now);
        }), from: null);
    }

    /// <summary>
    /// A record the broadcast delivered (its signature verified; the record book has it). It is stored when this node
    /// has its bundle; when the node serves an older version of the name, the new bundle is fetched at once, so the
    /// name stays current; otherwise the record waits in the book until a run needs it.
    /// </summary>
    private void OnRecord(SignedRecord record, PeerInfo? from)
    {
        // The operator's deny and allow lists apply before anything is fetched for a record.
        if (_execution.Refusal(record.Record) is { } refusal)
        {
            _log.LogDebug("record {Label} #{Sequence} refused: {Message}", record.Record.Label, record.Record.Sequence, refusal);
            return;
        }
        var program = record.Record.Program;
        if (_bundles.ContainsKey(program) || _execution.Store.HasProgram(program))
        {
            Store(record, default);
            return;
        }
        var served = _execution.Store.Resolve(record.Record.Publisher, record.Record.Name);
        if (served is not null && served.Sequence < record.Record.Sequence && _refreshing.TryAdd(program, true))
            _ = Task.Run(() => RefreshAsync(record, from));
    }

    private PublishResult Store(SignedRecord record, ReadOnlySpan<byte> bundle)
    {
        PublishResult result;
        t_storingFromNetwork = true;
        try
        {
            result = _execution.Publish(record.Encode(), bundle);
        }
        finally
        {
            t_storingFromNetwork = false;
        }
        if (result.Status == PublishStatus.Published)
        {
            Counters.RecordStored();
            _log.LogInformation("received {Label} #{Sequence} (program {Program})", record.Record.Label, record.Record.Sequence, record.Record.Program);
        }
        else if (!result.Succeeded)
        {
            _log.LogDebug("record {Label} #{Sequence} not stored: {Message}", record.Record.Label, record.Record.Sequence, result.Message);
        }
        return result;
    }

    /// <summary>Stores the records in the book that name a program whose bundle just arrived.</summary>
    private void StoreRecordsNaming(Hash256 program)
    {
        List<SignedRecord> records;
        lock (_gate)
            records = [.. _node.Records.Naming(program)];
        foreach (var record in records)
        {
            if (_execution.Refusal(record.Record) is null)
                Store(record, default);
        }
    }

    /// <summary>Fetches the bundle of a newer version of a name this node serves, retrying until patience runs out.</summary>
    private async Task RefreshAsync(SignedRecord record, PeerInfo? from)
    {
        var program = record.Record.Program;
        var giveUp = Now + _options.FetchPatience;
        try
        {
            while (!_stopping.IsCancellationRequested && Now < giveUp)
            {
                if (await FetchOnDemandAsync(program, from, _stopping.Token) is { } bytes)
                {
                    Store(record, bytes);
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(500), _stopping.Token);
            }
            _log.LogWarning("no node had program {Program} of {Label} within {Patience}", program, record.Record.Label, _options.FetchPatience);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _refreshing.TryRemove(program, out _);
        }
    }

    /// <summary>This node took an offered copy as one of the program's holders: fetch it from the offerer, check it, keep it, confirm.</summary>
    private async Task TakeReplicaAsync(FetchReplica fetch)
    {
        var program = fetch.Program;
        bool kept = _bundles.ContainsKey(program);
        if (!kept && _execution.Policy.RefuseProgram(program) is null)
        {
            try
            {
                if (await FetchFromAsync(fetch.From, program, _stopping.Token) is { } bytes)
                {
                    if (StorageRefusal(program, bytes.Length) is { } refusal)
                    {
                        Counters.ReplicaRefused();
                        _log.LogDebug("copy of program {Program} not taken: {Reason}", program, refusal);
                    }
                    else if (_execution.Store.PutBundle(program, bytes))
                    {
                        _bundles[program] = true;
                        Counters.ReplicaTaken();
                        kept = true;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        if (!kept)
        {
            Execute(Locked(() =>
            {
                _node.Replicas.FetchFailed(program);
                return [];
            }), from: null);
            return;
        }
        StoreRecordsNaming(program);
        Execute(Locked(() => _node.ReplicaFetched(program, content: null, Now)), from: null);
    }

    /// <summary>
    /// Why a holder's copy of <paramref name="program"/> (<paramref name="size"/> bytes) would not fit the storage quota
    /// per publisher, or null: a copy is charged to the publishers whose records name it (their records are stored
    /// with it), and it is taken when at least one of them has room, so nobody can keep a program off a node by
    /// naming it in records of a publisher already at its quota. A bundle no record names is not charged.
    /// </summary>
    private string? StorageRefusal(Hash256 program, long size)
    {
        long quota = _execution.Policy.StorageBytesPerPublisher;
        if (quota <= 0)
            return null;
        List<PublisherKey> publishers;
        lock (_gate)
            publishers = [.. _node.Records.Naming(program).Select(r => r.Record.Publisher).DistinctBy(k => k.Id)];
        if (publishers.Count == 0 || publishers.Any(p => _execution.Store.StoredBytes(p) + size <= quota))
            return null;
        return $"every publisher naming it stores too much here to take {size:N0} more bytes (quota {quota:N0} per publisher)";
    }

    /// <summary>
    /// A run needs <paramref name="target"/>, which this node does not hold: resolve it through the record book and
    /// fetch its bundle on demand; returns whether the node now holds it (the run then goes ahead here).
    /// </summary>
    private async Task<bool> FetchForRunAsync(ProgramRef target, CancellationToken cancellation)
    {
        SignedRecord? record = null;
        Hash256 program;
        if (target.IsHash)
        {
            program = target.Hash;
        }
        else
        {
            lock (_gate)
                record = _node.Records.Find(target.Publisher, target.Name!);
            if (record is null || _execution.Refusal(record.Record) is not null)
                return false;
            program = record.Record.Program;
        }
        if (_execution.Policy.RefuseProgram(program) is not null)
            return false;
        byte[]? bytes = null;
        if (!_bundles.ContainsKey(program) && !_execution.Store.HasProgram(program))
        {
            bytes = await FetchOnDemandAsync(program, null, cancellation);
            if (bytes is null)
                return false;
        }
        if (record is not null)
            return Store(record, bytes).Succeeded;
        if (bytes is not null && _execution.Store.PutBundle(program, bytes))
            _bundles[program] = true;
        return _execution.Store.HasProgram(program);
    }

    /// <summary>A bundle by hash for a pinned dependency of a program run here, found like any bundle.</summary>
    private async Task<byte[]?> FetchBundleAsync(Hash256 program, CancellationToken cancellation)
    {
        var bytes = await FetchOnDemandAsync(program, null, cancellation);
        if (bytes is not null)
            _bundles[program] = true; // the execution service stores it next
        return bytes;
    }

    /// <summary>
    /// A bundle fetched on demand and checked against its hash, or null when none could be had within
    /// <see cref="NetworkHostOptions.OnDemandDeadline"/>. Concurrent callers for one program share one fetch.
    /// </summary>
    private async Task<byte[]?> FetchOnDemandAsync(Hash256 program, PeerInfo? hint, CancellationToken cancellation)
    {
        var fetch = _onDemand.GetOrAdd(program, p => Task.Run(() => LocateAndFetchAsync(p, hint)));
        if (fetch.IsCompleted)
        {
            // A fetch that ended before anyone collected it: its bundle, or (it failed) a fresh try.
            _onDemand.TryRemove(new KeyValuePair<Hash256, Task<byte[]?>>(program, fetch));
            if (fetch.Result is { } done)
                return done;
            fetch = _onDemand.GetOrAdd(program, p => Task.Run(() => LocateAndFetchAsync(p, hint)));
        }
        try
        {
            return await fetch.WaitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        finally
        {
            if (fetch.IsCompleted)
                _onDemand.TryRemove(new KeyValuePair<Hash256, Task<byte[]?>>(program, fetch));
        }
    }

    private async Task<byte[]?> LocateAndFetchAsync(Hash256 program, PeerInfo? hint)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        deadline.CancelAfter(_options.OnDemandDeadline);
        var token = deadline.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                // The closest holder a lookup of the hash finds, then (a holder may be gone, or the lookup may have
                // found none) the peer that told us of the program and every neighbour.
                if (await LookupAsync(program, token) is { } found && await FetchFromAsync(found.From, program, token) is { } bytes)
                {
                    Counters.OnDemandFetched();
                    return bytes;
                }
                var peers = new List<PeerInfo>();
                if (hint is not null)
                    peers.Add(hint);
                peers.AddRange(ActivePeers.Where(p => p.Id != hint?.Id));
                if (await FetchFromFirstAsync(peers, program, token) is { } fromPeer)
                {
                    Counters.OnDemandFetched();
                    return fromPeer;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        Counters.OnDemandFailed();
        _log.LogDebug("no node had program {Program} within {Deadline}", program, _options.OnDemandDeadline);
        return null;
    }

    /// <summary>A lookup of <paramref name="key"/> by the routing; null when it ended without a value.</summary>
    private async Task<ValueFound?> LookupAsync(Hash256 key, CancellationToken cancellation)
    {
        var answer = new TaskCompletionSource<ValueFound?>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id = 0;
        Execute(Locked(() =>
        {
            var (lookup, effects) = _node.Find(key, Now);
            id = lookup;
            _lookups[lookup] = answer;
            return effects;
        }), from: null);
        try
        {
            // The routing ends every lookup by its deadline; this bound is only a guard.
            return await answer.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellation);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _lookups.TryRemove(id, out _);
        }
    }

    /// <summary>The bundle from the first of <paramref name="peers"/> that has it, checked against the hash.</summary>
    private async Task<byte[]?> FetchFromFirstAsync(IEnumerable<PeerInfo> peers, Hash256 program, CancellationToken cancellation)
    {
        foreach (var peer in peers)
        {
            if (await FetchFromAsync(peer, program, cancellation) is { } bytes)
                return bytes;
        }
        return null;
    }

    /// <summary>The bundle from <paramref name="peer"/>, checked against the hash; null when it has none or sends something else.</summary>
    private async Task<byte[]?> FetchFromAsync(PeerInfo peer, Hash256 program, CancellationToken cancellation)
    {
        byte[]? bytes;
        try
        {
            bytes = await _client.FetchAsync(peer, program, cancellation);
        }
        catch (PeerCallException e)
        {
            _log.LogDebug("bundle {Program} from {Id}: {Error}", program, peer.Id, e.Message);
            return null;
        }
        if (bytes is null)
            return null;
        if (!IsBundleOf(bytes, program, _execution.Store.BundleLimits))
        {
            Counters.BadBundle();
            _log.LogWarning("peer {Id} sent a bundle that is not program {Program}", peer.Id, program);
            return null;
        }
        Counters.Fetched(bytes.Length);
        return bytes;
    }
}
