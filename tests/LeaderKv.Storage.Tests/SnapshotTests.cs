using System.Text;
using LeaderKv.Core;
using LeaderKv.Storage.Snapshots;

namespace LeaderKv.Storage.Tests;

public sealed class SnapshotTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// Goal: a snapshot brings back the index, the term and every pair with its write index. Method: write, load.
    [Fact]
    public async Task A_snapshot_round_trips_index_term_and_every_pair()
    {
        var table = Table(50);
        var store = new SnapshotStore(_dir.Path);

        var file = await store.WriteAsync(120, 7, [.. table.Entries], CancellationToken.None);
        var loaded = await SnapshotStore.LoadAsync(file.Path, CancellationToken.None);

        Assert.Equal(new SnapshotHeader(120, 7, table.Count), loaded.Header);
        AssertSameTable(table, loaded.Table);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    /// Goal: an empty store and an empty table are both fine. Method: load from nothing; snapshot an empty table.
    [Fact]
    public async Task Empty_store_loads_nothing_and_an_empty_table_round_trips()
    {
        var store = new SnapshotStore(_dir.Path);
        Assert.Null((await store.LoadLatestAsync(CancellationToken.None)).Snapshot);

        await store.WriteAsync(0, 0, [], CancellationToken.None);
        var loaded = (await store.LoadLatestAsync(CancellationToken.None)).Snapshot!;
        Assert.Equal(new SnapshotHeader(0, 0, 0), loaded.Header);
    }

    /// Goal: a damaged newest snapshot is rejected (and reported), and the one before it is used.
    /// Method: write two, flip a byte in a value of the newest.
    [Fact]
    public async Task A_corrupt_newest_snapshot_is_rejected_and_the_previous_one_is_used()
    {
        var store = new SnapshotStore(_dir.Path);
        var older = Table(10);
        await store.WriteAsync(10, 1, [.. older.Entries], CancellationToken.None);
        var newest = await store.WriteAsync(20, 1, [.. Table(20).Entries], CancellationToken.None);
        var valueOffset = (await File.ReadAllBytesAsync(newest.Path)).AsSpan().IndexOf("write"u8);
        TestData.FlipByte(newest.Path, valueOffset);

        var result = await store.LoadLatestAsync(CancellationToken.None);

        Assert.Equal(10, result.Snapshot!.Header.AppliedThrough);
        AssertSameTable(older, result.Snapshot.Table);
        var rejection = Assert.Single(result.Rejected);
        Assert.Equal(newest.Path, rejection.Path);
        Assert.Contains("CRC-32C mismatch", rejection.Reason, StringComparison.Ordinal);
    }

    /// Goal: every kind of damage is rejected, never half-loaded. Method: truncate, extend and overwrite the header of copies.
    [Theory]
    [InlineData("truncated")]
    [InlineData("trailing-bytes")]
    [InlineData("header")]
    [InlineData("trailer")]
    public async Task A_damaged_snapshot_is_rejected_with_a_reason(string damage)
    {
        var store = new SnapshotStore(_dir.Path);
        var file = await store.WriteAsync(30, 2, [.. Table(30).Entries], CancellationToken.None);
        var length = new FileInfo(file.Path).Length;
        switch (damage)
        {
            case "truncated":
                TestData.Truncate(file.Path, length - 20);
                break;
            case "trailing-bytes":
                await File.AppendAllTextAsync(file.Path, "x");
                break;
            case "header":
                TestData.FlipByte(file.Path, 9);
                break;
            default:
                TestData.FlipByte(file.Path, length - 1);
                break;
        }

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => SnapshotStore.LoadAsync(file.Path, CancellationToken.None));
        Assert.Contains(file.Path, error.Message, StringComparison.Ordinal);
        var result = await store.LoadLatestAsync(CancellationToken.None);
        Assert.Null(result.Snapshot);
        Assert.Single(result.Rejected);
    }

    /// Goal: the stored bytes are exactly what a follower installs (snapshot transfer). Method: stream one
    /// store's file into another store's InstallAsync; a transfer cut short installs nothing.
    [Fact]
    public async Task A_snapshot_streamed_to_another_store_installs_the_same_table()
    {
        var leader = new SnapshotStore(_dir.Sub("leader"));
        var follower = new SnapshotStore(_dir.Sub("follower"));
        var table = Table(40);
        var file = await leader.WriteAsync(40, 3, [.. table.Entries], CancellationToken.None);

        await using (var stream = SnapshotStore.OpenRead(file))
        {
            var installed = await follower.InstallAsync(stream, CancellationToken.None);
            Assert.Equal(new SnapshotHeader(40, 3, table.Count), installed.Header);
            AssertSameTable(table, installed.Table);
        }

        var bytes = await File.ReadAllBytesAsync(file.Path);
        using var cut = new MemoryStream(bytes, 0, bytes.Length / 2);
        await Assert.ThrowsAsync<StorageCorruptionException>(() => follower.InstallAsync(cut, CancellationToken.None));
        Assert.Single(follower.List());
        Assert.Empty(Directory.GetFiles(follower.DirectoryPath, "*.tmp"));
    }

    /// Goal: only the newest Retain snapshots are kept. Method: write four with Retain = 2.
    [Fact]
    public async Task Only_the_newest_two_snapshots_are_kept()
    {
        var store = new SnapshotStore(_dir.Path);
        foreach (var index in new long[] { 5, 10, 15, 20 })
        {
            await store.WriteAsync(index, 1, [.. Table((int)index).Entries], CancellationToken.None);
        }

        Assert.Equal([20L, 15], store.List().Select(f => f.AppliedThrough));
    }

    /// Goal: a pair newer than the snapshot's applied-through index is refused at write time. Method: index 11 in a snapshot through 10.
    [Fact]
    public async Task A_pair_newer_than_the_snapshot_index_is_refused()
    {
        var store = new SnapshotStore(_dir.Path);
        KeyValuePair<string, VersionedValue>[] pairs = [new("k", new VersionedValue("1"u8.ToArray(), 11))];

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.WriteAsync(10, 1, pairs, CancellationToken.None));
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    /// Goal: temporary files from a crash mid-snapshot are cleaned up and never loaded. Method: leave one, open the store.
    [Fact]
    public async Task A_leftover_temporary_file_is_deleted_when_the_store_opens()
    {
        var temp = Path.Combine(_dir.Path, "snapshot-00000000000000000009.snap.tmp");
        await File.WriteAllTextAsync(temp, "half a snapshot");

        var store = new SnapshotStore(_dir.Path);

        Assert.False(File.Exists(temp));
        Assert.Empty(store.List());
    }

    internal static KeyValueTable Table(int writes)
    {
        var table = new KeyValueTable();
        for (var i = 1; i <= writes; i++)
        {
            // Every third write overwrites one of a few shared keys, so a key's write index is its last write.
            var key = i % 3 == 0 ? $"shared-{i % 4}-ü" : $"unique-{i}";
            table.Apply(new LogEntry(i, 1, key, Encoding.UTF8.GetBytes($"{{\"write\":{i}}}")));
        }

        return table;
    }

    internal static void AssertSameTable(KeyValueTable expected, KeyValueTable actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, value) in expected.Entries)
        {
            Assert.True(actual.TryGet(key, out var other), $"missing key {key}");
            Assert.Equal(value.Index, other.Index);
            Assert.Equal(value.Value.ToArray(), other.Value.ToArray());
        }
    }
}
