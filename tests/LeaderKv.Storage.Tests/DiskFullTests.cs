using LeaderKv.Storage.Io;
using LeaderKv.Storage.State;
using LeaderKv.Storage.Wal;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

/// <summary>
/// A full disk is a state the log comes back from; a failed fsync is not. Faults are injected
/// through <see cref="StorageFaults"/>, the storage layer's file-system seam: a write that runs
/// out of space writes part of its bytes and then fails, as a short write on a full disk does.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StorageFaults _faults = new();

    public void Dispose() => _dir.Dispose();

    private WriteAheadLogOptions FaultyOptions(long segmentBytes = 64L * 1024 * 1024) =>
        Options(segmentBytes: segmentBytes) with { FileSystem = _faults };

    /// Goal: a batch that runs out of space midway leaves nothing of itself on disk, the log is not
    /// broken by it, and the same append succeeds once space is back. Method: 10 entries fit, the
    /// next batch gets 100 bytes of room (a partial record lands), then space is freed.
    [Fact]
    public async Task A_write_that_runs_out_of_space_midway_is_cut_back_and_the_log_takes_appends_again()
    {
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), FaultyOptions()))
        {
            await log.AppendAsync(Range(1, 10), CancellationToken.None);
            var lengthBefore = new FileInfo(Segments(_dir).Single()).Length;
            _faults.Fill(bytesLeft: 100);

            await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(Range(11, 5), CancellationToken.None));

            Assert.Equal(lengthBefore, new FileInfo(Segments(_dir).Single()).Length);
            Assert.Equal(10, log.LastIndex);
            _faults.Free();
            await log.AppendAsync(Range(11, 5), CancellationToken.None);
            Assert.Equal(15, log.LastIndex);
        }

        var recovered = await RecoverAndCloseAsync(_dir);
        AssertSameEntries(Range(1, 15), recovered.Entries);
        Assert.False(recovered.Report.TailTruncated);
    }

    /// Goal: running out of space while the log moves to a new segment loses nothing acknowledged and
    /// keeps nothing refused, in either segment. Method: 4 KiB segments and ~1 KiB entries; room runs
    /// out at every possible byte of a batch that rolls the segment (the old segment's tail, the new
    /// segment's header, the batch in the new segment); the refused batch must not come back.
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(500)]
    [InlineData(3000)]
    public async Task Running_out_of_space_across_a_segment_roll_keeps_exactly_the_acknowledged_entries(long bytesLeft)
    {
        var acknowledged = new List<Core.LogEntry>();
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), FaultyOptions(StorageLimits.MinSegmentBytes)))
        {
            acknowledged.AddRange(Padded(1, 3));
            await log.AppendAsync(acknowledged, CancellationToken.None);
            _faults.Fill(bytesLeft);

            await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(Padded(4, 3), CancellationToken.None));

            _faults.Free();
            var after = Padded(4, 1).Select(e => e with { Key = "after" }).ToArray();
            await log.AppendAsync(after, CancellationToken.None);
            acknowledged.AddRange(after);
        }

        var recovered = await RecoverAndCloseAsync(_dir, Options(segmentBytes: StorageLimits.MinSegmentBytes));
        AssertSameEntries(acknowledged, recovered.Entries);
        Assert.False(recovered.Report.TailTruncated);
    }

    /// Goal: after a failed fsync the log never acknowledges again, not even once the disk works:
    /// the kernel may have dropped the pages it failed to write (the PostgreSQL lesson). Method: fail
    /// one fsync, then let fsyncs work again and append.
    [Fact]
    public async Task A_failed_fsync_is_not_a_full_disk_and_the_log_refuses_every_later_append()
    {
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), FaultyOptions());
        await log.AppendAsync(Range(1, 3), CancellationToken.None);
        _faults.FsyncFails = true;

        var failed = await Assert.ThrowsAnyAsync<IOException>(async () => await log.AppendAsync(Range(4, 1), CancellationToken.None));
        Assert.IsNotType<StorageFullException>(failed);
        Assert.False(StorageFullException.IsOutOfSpace(failed));

        _faults.FsyncFails = false;
        var later = await Assert.ThrowsAnyAsync<IOException>(async () => await log.AppendAsync(Range(4, 1), CancellationToken.None));
        Assert.False(StorageFullException.IsOutOfSpace(later));
    }

    /// Goal: a vote or term that cannot be saved for lack of space leaves the saved one in place and no
    /// temporary file behind, and saves once space is back. Method: save term 3, fill, save term 4.
    [Fact]
    public void A_hard_state_that_does_not_fit_keeps_the_previous_one()
    {
        var store = HardStateStore.Open(_dir.Path, _faults);
        store.Save(new HardState(3, "node-1", 7, null));
        _faults.Fill(bytesLeft: 5);

        Assert.Throws<StorageFullException>(() => store.Save(new HardState(4, "node-2", 9, null)));

        Assert.Equal(3, HardStateStore.Open(_dir.Path).Load().Term);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
        _faults.Free();
        store.Save(new HardState(4, "node-2", 9, null));
        Assert.Equal(new HardState(4, "node-2", 9, null), HardStateStore.Open(_dir.Path).Load());
    }

    /// Goal: the probe that clears a node's disk-full alarm says "full" while a write of a large record
    /// would fail and "room" once it would fit, and leaves no file behind.
    [Fact]
    public void The_space_probe_sees_a_full_disk_and_the_space_coming_back()
    {
        _faults.Fill(bytesLeft: StorageLimits.SpaceProbeBytes - 1);
        Assert.False(SpaceProbe.HasRoom(_dir.Path, _faults));
        _faults.Free();
        Assert.True(SpaceProbe.HasRoom(_dir.Path, _faults));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    /// Goal: errno values the node treats as "no space" and nothing else: a failed fsync (EIO) or
    /// corruption must never be retried as if the disk were merely full.
    [Fact]
    public void Only_enospc_and_edquot_count_as_out_of_space()
    {
        Assert.True(StorageFullException.IsOutOfSpace(new IOException("full", StorageFaults.NoSpaceErrno)));
        Assert.True(StorageFullException.IsOutOfSpace(new IOException("quota", 122)));
        Assert.False(StorageFullException.IsOutOfSpace(new IOException("eio", StorageFaults.IoErrorErrno)));
        Assert.False(StorageFullException.IsOutOfSpace(new StorageCorruptionException("bad")));
        Assert.False(StorageFullException.IsOutOfSpace(new InvalidOperationException("no")));
    }
}
