using Microsoft.Data.Sqlite;

namespace Coputer.Platform.Store;

/// <summary>
/// The store's schema, as numbered migrations. <c>PRAGMA user_version</c> records how many have run; opening a
/// store runs the rest in one transaction each, so a store is always at a version some build wrote.
/// </summary>
internal static class StoreSchema
{
    public static readonly string[] Migrations =
    [
        // 1: bundles, signed records with their history, current names, publishers, bytecode and results.
        """
        CREATE TABLE bundles (
            hash BLOB PRIMARY KEY,
            bytes BLOB NOT NULL,
            size INTEGER NOT NULL,
            stored_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE publishers (
            id TEXT PRIMARY KEY,
            key BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE records (
            publisher BLOB NOT NULL,
            name TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            program BLOB NOT NULL REFERENCES bundles(hash),
            record BLOB NOT NULL,
            stored_at INTEGER NOT NULL,
            PRIMARY KEY (publisher, name, sequence)
        ) WITHOUT ROWID;
        CREATE TABLE names (
            publisher BLOB NOT NULL,
            name TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            program BLOB NOT NULL REFERENCES bundles(hash),
            PRIMARY KEY (publisher, name)
        ) WITHOUT ROWID;
        CREATE TABLE bytecode (
            source_hash BLOB NOT NULL,
            compiler TEXT NOT NULL,
            bytecode BLOB NOT NULL,
            PRIMARY KEY (source_hash, compiler)
        ) WITHOUT ROWID;
        CREATE TABLE results (
            program BLOB NOT NULL,
            input BLOB NOT NULL,
            runtime TEXT NOT NULL,
            outcome BLOB NOT NULL,
            size INTEGER NOT NULL,
            last_used INTEGER NOT NULL,
            PRIMARY KEY (program, input, runtime)
        ) WITHOUT ROWID;
        CREATE INDEX results_by_use ON results(last_used);
        """,
    ];

    public static void Migrate(SqliteConnection connection)
    {
        long version = Scalar(connection, "PRAGMA user_version");
        if (version > Migrations.Length)
            throw new StoreException($"the store was written by a newer version (schema {version}, this build knows {Migrations.Length})");
        for (long v = version; v < Migrations.Length; v++)
        {
            using var tx = connection.BeginTransaction();
            using (var cmd = connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = Migrations[v] + $"\nPRAGMA user_version = {v + 1};";
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar());
    }
}

/// <summary>The store cannot be opened or used; the message says why.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
