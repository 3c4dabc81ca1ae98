using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Coputer.Platform.Store;

/// <summary>
/// Writes what can be recomputed (bytecode, cached results, last-used marks) off the request path: one thread
/// takes everything queued and commits it in one transaction. The queue is bounded; when it is full, new writes
/// are dropped (a lost cache entry only costs a rerun) rather than holding up runs.
/// </summary>
internal sealed class BackgroundWriter : IDisposable
{
    internal abstract record Item;

    internal sealed record Bytecode(Hash256 SourceHash, string Compiler, byte[] Code) : Item;

    internal sealed record Result(Hash256 Program, Hash256 Input, string Runtime, byte[] Outcome) : Item;

    internal sealed record Touch(Hash256 Program, Hash256 Input, string Runtime) : Item;

    private sealed record Marker(ManualResetEventSlim Done) : Item;

    private const int Capacity = 4096;

    private readonly NodeStore _store;
    private readonly BlockingCollection<Item> _queue = new(Capacity);
    private readonly Thread _thread;
    private long _clock = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public BackgroundWriter(NodeStore store)
    {
        _store = store;
        _thread = new Thread(Loop) { IsBackground = true, Name = "coputer store writer" };
        _thread.Start();
    }

    /// <summary>Failures the writer met (the store stays usable; these are only cache writes).</summary>
    public Exception? LastError { get; private set; }

    public void Enqueue(Item item)
    {
        if (!_queue.IsAddingCompleted)
            _queue.TryAdd(item);
    }

    public void Flush()
    {
        using var done = new ManualResetEventSlim();
        if (_queue.IsAddingCompleted)
            return;
        _queue.Add(new Marker(done));
        done.Wait();
    }

    private void Loop()
    {
        var batch = new List<Item>();
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Add(first);
            while (batch.Count < 512 && _queue.TryTake(out var more))
                batch.Add(more);
            try
            {
                Write(batch);
            }
            catch (Exception e) when (e is SqliteException or InvalidOperationException)
            {
                LastError = e;
            }
            foreach (var item in batch)
            {
                if (item is Marker m)
                    m.Done.Set();
            }
            batch.Clear();
        }
    }

    private void Write(List<Item> batch)
    {
        if (batch.TrueForAll(i => i is Marker))
            return;
        using var c = _store.Connect(durable: false);
        using var tx = c.BeginTransaction(deferred: false);
        long added = 0;
        foreach (var item in batch)
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            switch (item)
            {
                case Bytecode b:
                    cmd.CommandText = "INSERT OR IGNORE INTO bytecode (source_hash, compiler, bytecode) VALUES ($h, $v, $b)";
                    cmd.Parameters.AddWithValue("$h", b.SourceHash.ToArray());
                    cmd.Parameters.AddWithValue("$v", b.Compiler);
                    cmd.Parameters.AddWithValue("$b", b.Code);
                    cmd.ExecuteNonQuery();
                    break;
                case Result r:
                    cmd.CommandText = "INSERT OR IGNORE INTO results (program, input, runtime, outcome, size, last_used) VALUES ($p, $i, $r, $o, $s, $t)";
                    cmd.Parameters.AddWithValue("$p", r.Program.ToArray());
                    cmd.Parameters.AddWithValue("$i", r.Input.ToArray());
                    cmd.Parameters.AddWithValue("$r", r.Runtime);
                    cmd.Parameters.AddWithValue("$o", r.Outcome);
                    cmd.Parameters.AddWithValue("$s", r.Outcome.Length + 100);
                    cmd.Parameters.AddWithValue("$t", Tick());
                    if (cmd.ExecuteNonQuery() > 0)
                        added += r.Outcome.Length + 100;
                    break;
                case Touch t:
                    cmd.CommandText = "UPDATE results SET last_used = $t WHERE program = $p AND input = $i AND runtime = $r";
                    cmd.Parameters.AddWithValue("$p", t.Program.ToArray());
                    cmd.Parameters.AddWithValue("$i", t.Input.ToArray());
                    cmd.Parameters.AddWithValue("$r", t.Runtime);
                    cmd.Parameters.AddWithValue("$t", Tick());
                    cmd.ExecuteNonQuery();
                    break;
            }
        }
        _store.ResultBytes += added;
        _store.TrimResults(c, tx);
        tx.Commit();
    }

    /// <summary>A clock for last-used marks that never goes backwards, so eviction order is the order of use.</summary>
    private long Tick() => _clock = Math.Max(_clock + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public void Dispose()
    {
        if (_queue.IsAddingCompleted)
            return;
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }
}
