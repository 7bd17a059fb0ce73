using LeaderKv.Storage.Recovery;
using LeaderKv.Storage.Wal;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

public sealed class RecoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// Goal: a fresh data directory recovers to nothing and is ready for appends. Method: recover an empty directory.
    [Fact]
    public async Task An_empty_data_directory_recovers_to_an_empty_state()
    {
        var recovered = await NodeRecovery.RecoverAsync(_dir.Path, Options(), CancellationToken.None);
        await using (recovered.Log)
        {
            Assert.Null(recovered.Snapshot);
            Assert.Empty(recovered.Entries);
            Assert.Equal(0, recovered.Report.HighestIndex);
            Assert.Equal(0, recovered.Report.SegmentsRead);
            await recovered.Log.AppendAsync([Entry(1)], CancellationToken.None);
        }

        Assert.Single((await RecoverAndCloseAsync(_dir)).Entries);
    }

    /// Goal: the node's start-up path: snapshot + the log after it, covered entries dropped, old
    /// segments deleted. Method: log 1..300 in small segments, snapshot at 180, delete through it, recover.
    [Fact]
    public async Task Recovery_returns_the_snapshot_and_only_the_entries_after_it()
    {
        var options = Options(segmentBytes: 4096);
        var all = Range(1, 300);
        var first = await NodeRecovery.RecoverAsync(_dir.Path, options, CancellationToken.None);
        await using (first.Log)
        {
            await first.Log.AppendAsync(all, CancellationToken.None);
            var table = new Core.KeyValueTable();
            foreach (var entry in all.Take(180))
            {
                table.Apply(entry);
            }

            await first.Snapshots.WriteAsync(180, 1, [.. table.Entries], CancellationToken.None);
            await first.Log.DeleteThroughAsync(180, CancellationToken.None);
        }

        var recovered = await RecoverAndCloseAsync(_dir, options);

        Assert.Equal(180, recovered.Report.SnapshotIndex);
        Assert.Equal(180, recovered.Snapshot!.Header.AppliedThrough);
        Assert.Equal(7, recovered.Snapshot.Table.Count);
        AssertSameEntries(all.Skip(180), recovered.Entries);
        Assert.Equal(300, recovered.Report.HighestIndex);
        Assert.Equal(recovered.Report.RecordsRead - 120, recovered.Report.EntriesCoveredBySnapshot);
        Assert.Empty(recovered.Report.RejectedSnapshots);
    }

    /// Goal: a damaged newest snapshot falls back to the previous one, is reported, and the log
    /// supplies the entries in between. Method: snapshots at 50 and 100 (log kept whole), damage the newest.
    [Fact]
    public async Task Recovery_falls_back_to_the_previous_snapshot_and_reports_the_rejected_one()
    {
        var all = Range(1, 150);
        var first = await NodeRecovery.RecoverAsync(_dir.Path, Options(), CancellationToken.None);
        await using (first.Log)
        {
            await first.Log.AppendAsync(all, CancellationToken.None);
            await first.Snapshots.WriteAsync(50, 1, [], CancellationToken.None);
            var newest = await first.Snapshots.WriteAsync(100, 1, [], CancellationToken.None);
            Truncate(newest.Path, 10);
        }

        var recovered = await RecoverAndCloseAsync(_dir);

        Assert.Equal(50, recovered.Report.SnapshotIndex);
        Assert.Single(recovered.Report.RejectedSnapshots);
        Assert.Contains("rejected snapshot", recovered.Report.Summary(), StringComparison.Ordinal);
        AssertSameEntries(all.Skip(50), recovered.Entries);
    }

    /// Goal: recovery of a large log works and returns every entry (speed belongs in the benchmark).
    /// Method: 100,000 small entries in batches of 100, 1 MiB segments, with Never so the test does not wait on the disk.
    [Fact]
    public async Task Recovery_of_100000_small_entries_returns_them_all_in_order()
    {
        const int count = 100_000;
        var options = Options(FsyncPolicy.Never, segmentBytes: 1024 * 1024);
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), options))
        {
            for (var first = 1; first <= count; first += 100)
            {
                await log.AppendAsync(Range(first, 100), CancellationToken.None);
            }
        }

        var recovered = await RecoverAndCloseAsync(_dir, options);

        Assert.Equal(count, recovered.Entries.Count);
        Assert.Equal(count, recovered.Report.RecordsRead);
        Assert.True(recovered.Report.SegmentsRead > 1);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(i + 1, recovered.Entries[i].Index);
        }

        Assert.Equal(count, recovered.Report.HighestIndex);
    }

    /// Goal: the leader never reuses an index: the highest index survives even when the snapshot
    /// covers everything and the log was emptied. Method: snapshot through 42, delete the log, recover.
    [Fact]
    public async Task HighestIndex_comes_from_the_snapshot_when_the_log_holds_nothing_newer()
    {
        var first = await NodeRecovery.RecoverAsync(_dir.Path, Options(), CancellationToken.None);
        await using (first.Log)
        {
            await first.Log.AppendAsync(Range(1, 42), CancellationToken.None);
            await first.Snapshots.WriteAsync(42, 1, [], CancellationToken.None);
        }

        var recovered = await RecoverAndCloseAsync(_dir);
        Assert.Empty(recovered.Entries);
        Assert.Equal(42, recovered.Report.EntriesCoveredBySnapshot);
        Assert.Equal(42, recovered.Report.HighestIndex);
    }
}
