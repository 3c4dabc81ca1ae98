using Coputer.Platform.Store;
using Microsoft.Data.Sqlite;

namespace Coputer.Platform.Tests.Store;

public class NodeStoreTests
{
    [Fact]
    public void NewStoreIsMigratedAndInWalMode()
    {
        using var dir = TempDirectory.Create();
        using (var store = NodeStore.Open(dir.Path))
        {
            using var c = store.Connect(durable: false);
            Assert.Equal("wal", Scalar(c, "PRAGMA journal_mode"));
            Assert.Equal((long)StoreSchema.Migrations.Length, Scalar(c, "PRAGMA user_version"));
        }
        // Opening again runs nothing new and keeps the data.
        using (var store = NodeStore.Open(dir.Path))
            Assert.Equal(0, store.ResultBytes);
    }

    [Fact]
    public void StoreFromANewerVersionIsRefused()
    {
        using var dir = TempDirectory.Create();
        using (var store = NodeStore.Open(dir.Path))
        {
            using var c = store.Connect(durable: false);
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99";
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<StoreException>(() => NodeStore.Open(dir.Path));
        Assert.Contains("newer version (schema 99", e.Message);
    }

    [Fact]
    public void ResultCacheIsBoundedAndDropsTheLeastRecentlyUsed()
    {
        using var dir = TempDirectory.Create();
        using var store = NodeStore.Open(dir.Path);
        store.MaxResultBytes = 10 * 1100;
        var program = Hash256.Of("p"u8);
        var inputs = Enumerable.Range(0, 30).Select(i => Hash256.Of(BitConverter.GetBytes(i))).ToArray();
        for (int i = 0; i < 10; i++)
            store.PutResult(program, inputs[i], "v1", new byte[1000]);
        store.Flush();
        // Use the first entry, so it is the most recent when the others push past the cap.
        Assert.NotNull(store.TryGetResult(program, inputs[0], "v1"));
        store.Flush();
        for (int i = 10; i < 15; i++)
            store.PutResult(program, inputs[i], "v1", new byte[1000]);
        store.Flush();
        Assert.True(store.ResultBytes <= store.MaxResultBytes, $"{store.ResultBytes} bytes kept");
        // Ten entries fit: 1 to 5 were the least recently used, 0 was used after them.
        Assert.NotNull(store.TryGetResult(program, inputs[0], "v1"));
        for (int i = 1; i <= 5; i++)
            Assert.Null(store.TryGetResult(program, inputs[i], "v1"));
        for (int i = 6; i < 15; i++)
            Assert.NotNull(store.TryGetResult(program, inputs[i], "v1"));
        // Another runtime version never sees these results.
        Assert.Null(store.TryGetResult(program, inputs[14], "v2"));
    }

    [Fact]
    public void BytecodeIsKeptBySourceHashAndCompilerVersion()
    {
        using var dir = TempDirectory.Create();
        var source = Hash256.Of("return 1"u8);
        using (var store = NodeStore.Open(dir.Path))
        {
            store.PutBytecode(source, "c1", [1, 2, 3]);
            store.Flush();
        }
        using (var store = NodeStore.Open(dir.Path))
        {
            Assert.Equal([1, 2, 3], store.TryGetBytecode(source, "c1"));
            Assert.Null(store.TryGetBytecode(source, "c2"));
        }
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
