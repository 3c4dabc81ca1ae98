using Coputer.Platform.Bundles;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;
using Coputer.Platform.Runtime;
using Microsoft.Data.Sqlite;

namespace Coputer.Platform.Store;

/// <summary>A name's current version, or one version in its history.</summary>
public sealed record ProgramVersion(PublisherKey Publisher, string Name, long Sequence, Hash256 Program, SignedRecord Record)
{
    /// <summary>The program's address, <c>{name}-{id}</c>.</summary>
    public string Label => $"{Name}-{Publisher.Id}";
}

/// <summary>
/// The node's embedded SQLite database, with no configuration: WAL journal, versioned migrations, foreign keys.
/// It keeps bundles (content-addressed, deduplicated), signed records with their whole history, each name's current
/// version, compiled bytecode keyed by (source hash, compiler version) and the result cache. A publication is one
/// transaction committed with a full sync before it is acknowledged, so an acknowledged publication survives a crash
/// and a crash never leaves half a program. Thread-safe: each call uses its own pooled connection.
/// </summary>
public sealed class NodeStore : IBytecodeCache, IDisposable
{
    private readonly string _connectionString;
    private readonly BundleLimits _bundleLimits;
    private readonly BackgroundWriter _writer;

    private NodeStore(string path, BundleLimits bundleLimits)
    {
        Path = path;
        _bundleLimits = bundleLimits;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = new BackgroundWriter(this);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The caps bundles received by <see cref="Publish(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> are held to.</summary>
    public BundleLimits BundleLimits => _bundleLimits;

    /// <summary>
    /// Opens (or creates) the store in <paramref name="directory"/> as <c>node.db</c>, migrating it to the current schema.
    /// </summary>
    /// <exception cref="StoreException">The database cannot be opened or was written by a newer version.</exception>
    public static NodeStore Open(string directory, BundleLimits? bundleLimits = null)
    {
        Directory.CreateDirectory(directory);
        var store = new NodeStore(System.IO.Path.Combine(directory, "node.db"), bundleLimits ?? BundleLimits.Default);
        try
        {
            using var c = store.Connect(durable: true);
            Execute(c, "PRAGMA journal_mode = WAL");
            StoreSchema.Migrate(c);
        }
        catch (SqliteException e)
        {
            store.Dispose();
            throw new StoreException($"cannot open the store at {store.Path}: {e.Message}", e);
        }
        store.ResultBytes = store.QueryLong("SELECT COALESCE(SUM(size), 0) FROM results");
        return store;
    }

    internal SqliteConnection Connect(bool durable)
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // Publications wait for a full sync; cached data may lose its last moments in a power cut, which costs a rerun.
        Execute(c, durable ? "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON" : "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
        return c;
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private long QueryLong(string sql)
    {
        using var c = Connect(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    private static SqliteCommand Command(SqliteConnection c, string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    // ---- publications ----

    /// <summary>
    /// Publishes a signed record, with the bundle it names unless the node already has that program (a rollback to
    /// an older version needs no bundle). Everything is checked before anything is stored: the record's encoding and
    /// name, the signature, the bundle and its hash, and that the sequence is above the stored one.
    /// </summary>
    public PublishResult Publish(ReadOnlySpan<byte> signedRecord, ReadOnlySpan<byte> bundle)
    {
        SignedRecord record;
        try
        {
            record = SignedRecord.Decode(signedRecord);
        }
        catch (RecordException e)
        {
            return PublishResult.Refuse(PublishRefusal.MalformedRecord, "bad record: " + e.Message);
        }
        return Publish(record, bundle);
    }

    /// <inheritdoc cref="Publish(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public PublishResult Publish(SignedRecord record, ReadOnlySpan<byte> bundle) => Publish(record, bundle, storageQuota: 0);

    /// <summary>
    /// Publishes like <see cref="Publish(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, refusing a new bundle that would
    /// take its publisher's stored bundles past <paramref name="storageQuota"/> bytes (0: no limit). The check and
    /// the insert are one transaction, so concurrent publications cannot pass the quota together.
    /// </summary>
    public PublishResult Publish(SignedRecord record, ReadOnlySpan<byte> bundle, long storageQuota)
    {
        var r = record.Record;
        if (!record.VerifySignature())
            return PublishResult.Refuse(PublishRefusal.BadSignature, $"bad record: the signature is not {r.Publisher}'s");
        byte[]? bundleBytes = null;
        if (!bundle.IsEmpty)
        {
            Bundle decoded;
            try
            {
                decoded = BundleFormat.Read(bundle, _bundleLimits);
            }
            catch (BundleException e)
            {
                return PublishResult.Refuse(PublishRefusal.BadBundle, e.Message);
            }
            if (decoded.Hash != r.Program)
                return PublishResult.Refuse(PublishRefusal.BundleMismatch, $"the bundle is program {decoded.Hash}, but the record names {r.Program}");
            bundleBytes = bundle.ToArray();
        }

        using var c = Connect(durable: true);
        using var tx = c.BeginTransaction(deferred: false);
        var key = r.Publisher.Bytes.ToArray();
        var program = r.Program.ToArray();
        using (var current = Command(c, "SELECT sequence, program FROM names WHERE publisher = $p AND name = $n", ("$p", key), ("$n", r.Name)))
        {
            current.Transaction = tx;
            using var reader = current.ExecuteReader();
            if (reader.Read())
            {
                long stored = reader.GetInt64(0);
                if (stored == r.Sequence && ((byte[])reader[1]).AsSpan().SequenceEqual(program) && SameRecord(c, tx, key, r.Name, stored, record))
                    return new PublishResult(PublishStatus.AlreadyPublished, PublishRefusal.None, $"{r.Label} #{r.Sequence} was already published") { Program = r.Program, Label = r.Label.ToString() };
                if (r.Sequence <= stored)
                    return PublishResult.Refuse(PublishRefusal.StaleSequence, $"{r.Label} is at sequence {stored}; a new record needs a higher one than {r.Sequence}");
            }
        }
        bool haveBundle;
        using (var exists = Command(c, "SELECT 1 FROM bundles WHERE hash = $h", ("$h", program)))
        {
            exists.Transaction = tx;
            haveBundle = exists.ExecuteScalar() is not null;
        }
        if (!haveBundle)
        {
            if (bundleBytes is null)
                return PublishResult.Refuse(PublishRefusal.MissingBundle, $"this node does not have program {r.Program}; send its bundle with the record");
            if (storageQuota > 0)
            {
                long used = StoredBytes(c, tx, key);
                if (used + bundleBytes.Length > storageQuota)
                    return PublishResult.Refuse(PublishRefusal.QuotaExceeded,
                        $"publisher {r.Publisher.Id} stores {used:N0} bytes on this node; this {bundleBytes.Length:N0}-byte bundle would pass its quota of {storageQuota:N0}");
            }
            using var insert = Command(c, "INSERT INTO bundles (hash, bytes, size, stored_at) VALUES ($h, $b, $s, $t)",
                ("$h", program), ("$b", bundleBytes), ("$s", bundleBytes.Length), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            insert.Transaction = tx;
            insert.ExecuteNonQuery();
        }
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (sql, parameters) in new (string, (string, object)[])[]
        {
            ("INSERT OR IGNORE INTO publishers (id, key) VALUES ($id, $p)", [("$id", r.Publisher.Id.ToString()), ("$p", key)]),
            ("INSERT INTO records (publisher, name, sequence, program, record, stored_at) VALUES ($p, $n, $s, $h, $r, $t)",
                [("$p", key), ("$n", r.Name), ("$s", r.Sequence), ("$h", program), ("$r", record.Encode()), ("$t", now)]),
            ("INSERT INTO names (publisher, name, sequence, program) VALUES ($p, $n, $s, $h) ON CONFLICT (publisher, name) DO UPDATE SET sequence = excluded.sequence, program = excluded.program",
                [("$p", key), ("$n", r.Name), ("$s", r.Sequence), ("$h", program)]),
        })
        {
            using var cmd = Command(c, sql, parameters);
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
        return new PublishResult(PublishStatus.Published, PublishRefusal.None, $"published {r.Label} #{r.Sequence} as program {r.Program}")
        {
            Program = r.Program,
            Label = r.Label.ToString(),
        };
    }

    private static long StoredBytes(SqliteConnection c, SqliteTransaction? tx, byte[] publisherKey)
    {
        using var cmd = Command(c, "SELECT COALESCE(SUM(size), 0) FROM bundles WHERE hash IN (SELECT DISTINCT program FROM records WHERE publisher = $p)", ("$p", publisherKey));
        cmd.Transaction = tx;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The bytes of the distinct bundles <paramref name="publisher"/>'s records name (what its storage quota counts).</summary>
    public long StoredBytes(PublisherKey publisher)
    {
        using var c = Connect(durable: false);
        return StoredBytes(c, null, publisher.Bytes.ToArray());
    }

    /// <summary>
    /// Stores a bundle no record of this node names yet (a pinned dependency fetched from a peer), after checking it
    /// is well formed and is <paramref name="program"/>. Returns whether the node now has it.
    /// </summary>
    public bool PutBundle(Hash256 program, ReadOnlySpan<byte> bundle)
    {
        try
        {
            if (BundleFormat.Read(bundle, _bundleLimits).Hash != program)
                return false;
        }
        catch (BundleException)
        {
            return false;
        }
        using var c = Connect(durable: true);
        using var insert = Command(c, "INSERT OR IGNORE INTO bundles (hash, bytes, size, stored_at) VALUES ($h, $b, $s, $t)",
            ("$h", program.ToArray()), ("$b", bundle.ToArray()), ("$s", bundle.Length), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        insert.ExecuteNonQuery();
        return true;
    }

    /// <summary>The publishers whose records name <paramref name="program"/> (empty when none does).</summary>
    public IReadOnlyList<PublisherId> PublishersOf(Hash256 program)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT DISTINCT p.id FROM records r JOIN publishers p ON p.key = r.publisher WHERE r.program = $h", ("$h", program.ToArray()));
        using var reader = cmd.ExecuteReader();
        var list = new List<PublisherId>();
        while (reader.Read())
            if (PublisherId.TryParse(reader.GetString(0), out var id))
                list.Add(id);
        return list;
    }

    private static bool SameRecord(SqliteConnection c, SqliteTransaction tx, byte[] key, string name, long sequence, SignedRecord record)
    {
        using var cmd = Command(c, "SELECT record FROM records WHERE publisher = $p AND name = $n AND sequence = $s", ("$p", key), ("$n", name), ("$s", sequence));
        cmd.Transaction = tx;
        return cmd.ExecuteScalar() is byte[] stored && stored.AsSpan().SequenceEqual(record.Encode());
    }

    /// <summary>The current version of <paramref name="name"/> of the publisher with id <paramref name="publisher"/>, or null.</summary>
    public ProgramVersion? Resolve(PublisherId publisher, string name)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, """
            SELECT r.record FROM publishers p
            JOIN names n ON n.publisher = p.key AND n.name = $n
            JOIN records r ON r.publisher = n.publisher AND r.name = n.name AND r.sequence = n.sequence
            WHERE p.id = $id
            """, ("$id", publisher.ToString()), ("$n", name));
        return cmd.ExecuteScalar() is byte[] bytes ? ToVersion(bytes) : null;
    }

    /// <summary>The current version of <paramref name="name"/> of <paramref name="publisher"/>, or null.</summary>
    public ProgramVersion? Resolve(PublisherKey publisher, string name) => Resolve(publisher.Id, name);

    /// <summary>The publisher whose id is <paramref name="id"/>, if any of its records is stored here.</summary>
    public PublisherKey? FindPublisher(PublisherId id)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT key FROM publishers WHERE id = $id", ("$id", id.ToString()));
        return cmd.ExecuteScalar() is byte[] key ? PublisherKey.FromBytes(key) : null;
    }

    /// <summary>Publishers with at least one program here, by id, at most <paramref name="max"/> of them.</summary>
    public IReadOnlyList<PublisherKey> ListPublishers(int max)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT key FROM publishers p WHERE EXISTS (SELECT 1 FROM names n WHERE n.publisher = p.key) ORDER BY id LIMIT $max", ("$max", Math.Max(max, 0)));
        var list = new List<PublisherKey>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            if (PublisherKey.FromBytes((byte[])reader[0]) is { } key)
                list.Add(key);
        }
        return list;
    }

    /// <summary>The publisher's programs, each at its current version, by name.</summary>
    public IReadOnlyList<ProgramVersion> ListPrograms(PublisherKey publisher)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, """
            SELECT r.record FROM names n
            JOIN records r ON r.publisher = n.publisher AND r.name = n.name AND r.sequence = n.sequence
            WHERE n.publisher = $p ORDER BY n.name
            """, ("$p", publisher.Bytes.ToArray()));
        return ReadVersions(cmd);
    }

    /// <summary>Every version of a program this node has accepted, newest first.</summary>
    public IReadOnlyList<ProgramVersion> History(PublisherKey publisher, string name)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT record FROM records WHERE publisher = $p AND name = $n ORDER BY sequence DESC",
            ("$p", publisher.Bytes.ToArray()), ("$n", name));
        return ReadVersions(cmd);
    }

    private static List<ProgramVersion> ReadVersions(SqliteCommand cmd)
    {
        var list = new List<ProgramVersion>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
            list.Add(ToVersion((byte[])reader[0]));
        return list;
    }

    private static ProgramVersion ToVersion(byte[] encoded)
    {
        var record = SignedRecord.Decode(encoded);
        var r = record.Record;
        return new ProgramVersion(r.Publisher, r.Name, r.Sequence, r.Program, record);
    }

    // ---- bundles ----

    /// <summary>Whether the node has program <paramref name="hash"/>.</summary>
    public bool HasProgram(Hash256 hash)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT 1 FROM bundles WHERE hash = $h", ("$h", hash.ToArray()));
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>The bundle bytes of program <paramref name="hash"/> as they were published, or null.</summary>
    public byte[]? GetBundleBytes(Hash256 hash)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT bytes FROM bundles WHERE hash = $h", ("$h", hash.ToArray()));
        return cmd.ExecuteScalar() as byte[];
    }

    /// <summary>The programs whose bundles the node holds (at most <paramref name="max"/>), with each bundle's size in bytes.</summary>
    public IReadOnlyList<(Hash256 Program, long Size)> ListBundles(int max)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT hash, size FROM bundles ORDER BY hash LIMIT $m", ("$m", max));
        using var reader = cmd.ExecuteReader();
        var list = new List<(Hash256, long)>();
        while (reader.Read())
            list.Add((new Hash256((byte[])reader[0]), reader.GetInt64(1)));
        return list;
    }

    /// <summary>Program <paramref name="hash"/>, unpacked, or null.</summary>
    public Bundle? GetBundle(Hash256 hash) => GetBundleBytes(hash) is { } bytes ? BundleFormat.Read(bytes, _bundleLimits) : null;

    // ---- bytecode ----

    /// <inheritdoc/>
    public byte[]? TryGetBytecode(Hash256 sourceHash, string compilerVersion)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT bytecode FROM bytecode WHERE source_hash = $h AND compiler = $v", ("$h", sourceHash.ToArray()), ("$v", compilerVersion));
        return cmd.ExecuteScalar() as byte[];
    }

    /// <inheritdoc/>
    public void PutBytecode(Hash256 sourceHash, string compilerVersion, byte[] bytecode) =>
        _writer.Enqueue(new BackgroundWriter.Bytecode(sourceHash, compilerVersion, bytecode));

    // ---- results ----

    /// <summary>The bytes the result table holds (kept under the cap by <see cref="TrimResults"/>).</summary>
    public long ResultBytes { get; internal set; }

    /// <summary>A cached outcome, or null. Marks it used.</summary>
    public byte[]? TryGetResult(Hash256 program, Hash256 input, string runtimeVersion)
    {
        using var c = Connect(durable: false);
        using var cmd = Command(c, "SELECT outcome FROM results WHERE program = $p AND input = $i AND runtime = $r",
            ("$p", program.ToArray()), ("$i", input.ToArray()), ("$r", runtimeVersion));
        var result = cmd.ExecuteScalar() as byte[];
        if (result is not null)
            TouchResult(program, input, runtimeVersion);
        return result;
    }

    /// <summary>Caches an outcome (written in the background; a crash may lose the last few, which only costs a rerun).</summary>
    public void PutResult(Hash256 program, Hash256 input, string runtimeVersion, byte[] outcome) =>
        _writer.Enqueue(new BackgroundWriter.Result(program, input, runtimeVersion, outcome));

    /// <summary>Marks a cached outcome as just used, for least-recently-used eviction (written in the background).</summary>
    public void TouchResult(Hash256 program, Hash256 input, string runtimeVersion) =>
        _writer.Enqueue(new BackgroundWriter.Touch(program, input, runtimeVersion));

    /// <summary>The most bytes the result table may hold; past it the least recently used outcomes are dropped.</summary>
    public long MaxResultBytes { get; set; } = 256L << 20;

    /// <summary>Drops least recently used outcomes until the table is under <see cref="MaxResultBytes"/>.</summary>
    internal void TrimResults(SqliteConnection c, SqliteTransaction tx)
    {
        while (ResultBytes > MaxResultBytes)
        {
            // The oldest entries, just enough of them to get back under the cap.
            var victims = new List<(byte[] Program, byte[] Input, string Runtime, long Size)>();
            long excess = ResultBytes - MaxResultBytes, freed = 0;
            using (var select = Command(c, "SELECT program, input, runtime, size FROM results ORDER BY last_used LIMIT 256"))
            {
                select.Transaction = tx;
                using var reader = select.ExecuteReader();
                while (freed < excess && reader.Read())
                {
                    victims.Add(((byte[])reader[0], (byte[])reader[1], reader.GetString(2), reader.GetInt64(3)));
                    freed += reader.GetInt64(3);
                }
            }
            if (victims.Count == 0)
            {
                ResultBytes = 0;
                break;
            }
            foreach (var (program, input, runtime, size) in victims)
            {
                using var delete = Command(c, "DELETE FROM results WHERE program = $p AND input = $i AND runtime = $r", ("$p", program), ("$i", input), ("$r", runtime));
                delete.Transaction = tx;
                delete.ExecuteNonQuery();
                ResultBytes -= size;
            }
        }
    }

    /// <summary>Waits until everything queued for the background writer is on disk.</summary>
    public void Flush() => _writer.Flush();

    public void Dispose()
    {
        _writer.Dispose();
        using var c = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(c);
    }
}
