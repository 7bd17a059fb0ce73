using LeaderKv.Core;
using LeaderKv.Storage.Wal;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

public sealed class SegmentTests : IDisposable
{
    private const long SmallSegment = 4096;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// Goal: segments roll before a batch would overfill them, batches never span two, and
    /// recovery reads all of them in order. Method: 4 KiB segments, 500 one-entry batches (~40 bytes each).
    [Fact]
    public async Task Segments_roll_at_the_size_limit_and_recovery_reads_them_all()
    {
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(segmentBytes: SmallSegment)))
        {
            for (var i = 1; i <= 500; i++)
            {
                await log.AppendAsync([Entry(i)], CancellationToken.None);
            }

            Assert.True(log.SegmentCount > 3, $"expected several segments, got {log.SegmentCount}");
            Assert.Equal(log.SegmentCount, log.Stats.SegmentsCreated);
        }

        foreach (var segment in Segments(_dir))
        {
            Assert.True(new FileInfo(segment).Length <= SmallSegment, $"{segment} is {new FileInfo(segment).Length} bytes");
        }

        var recovered = await RecoverAndCloseAsync(_dir, Options(segmentBytes: SmallSegment));
        AssertSameEntries(Range(1, 500), recovered.Entries);
        Assert.Equal(Segments(_dir).Length, recovered.Report.SegmentsRead);
    }

    /// Goal: a batch larger than the segment limit is written whole into a fresh segment. Method: one 10 KiB batch into 4 KiB segments.
    [Fact]
    public async Task A_batch_larger_than_a_segment_gets_a_segment_of_its_own()
    {
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(segmentBytes: SmallSegment)))
        {
            await log.AppendAsync([Entry(1)], CancellationToken.None);
            await log.AppendAsync(Range(2, 300), CancellationToken.None);
            await log.AppendAsync([Entry(302)], CancellationToken.None);
            Assert.Equal(3, log.SegmentCount);
        }

        AssertSameEntries(Range(1, 302), (await RecoverAndCloseAsync(_dir, Options(segmentBytes: SmallSegment))).Entries);
    }

    /// Goal: after a snapshot at N, exactly the closed segments whose highest index ≤ N are deleted,
    /// and the active one never is. Method: roll segments, delete through a middle index, check files and reads.
    [Fact]
    public async Task DeleteThrough_removes_closed_segments_wholly_covered_by_the_snapshot()
    {
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(segmentBytes: SmallSegment));
        for (var i = 1; i <= 300; i++)
        {
            await log.AppendAsync([Entry(i)], CancellationToken.None);
        }

        var before = log.SegmentCount;
        var deleted = await log.DeleteThroughAsync(150, CancellationToken.None);

        Assert.InRange(deleted, 1, 150);
        Assert.True(log.SegmentCount < before);
        Assert.Equal(log.SegmentCount, Segments(_dir).Length);
        Assert.Equal(deleted + 1, log.FirstIndex);
        Assert.InRange(log.FirstIndex, 2, 151);
        Assert.True((await log.ReadFromAsync(1, 10, CancellationToken.None)).Compacted);
        var read = await log.ReadFromAsync(log.FirstIndex, 500, CancellationToken.None);
        Assert.Equal(Enumerable.Range((int)log.FirstIndex, 301 - (int)log.FirstIndex).Select(i => (long)i), read.Entries.Select(e => e.Index));

        // Deleting through everything still keeps the active segment, with the newest entries.
        await log.DeleteThroughAsync(300, CancellationToken.None);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(300, log.LastIndex);
    }

    /// Goal: in a follower's out-of-order log a segment is deleted only when every entry in it is
    /// covered, even if its first entry is. Method: two segments whose index ranges interleave.
    [Fact]
    public async Task DeleteThrough_keeps_a_segment_holding_any_entry_above_the_snapshot()
    {
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(segmentBytes: SmallSegment));
        // Segment 1: indexes 1..40 and an early arrival, 1000. Segment 2: 41..150 in one batch larger
        // than a segment. Segment 3 (active): 151..160.
        await log.AppendAsync([.. Range(1, 40), Entry(1000)], CancellationToken.None);
        await log.AppendAsync(Range(41, 110), CancellationToken.None);
        await log.AppendAsync(Range(151, 10), CancellationToken.None);
        Assert.Equal(3, log.SegmentCount);

        var deleted = await log.DeleteThroughAsync(150, CancellationToken.None);

        Assert.Equal(110, deleted);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(1, log.FirstIndex);
    }

    /// Goal: with slots re-stamped in later segments, a closed segment is deleted only when every
    /// record in it (re-stamps included) is at or below the snapshot, and recovery then still finds
    /// the latest acceptance of every slot above it. Method: ~1 KiB entries in 4 KiB segments,
    /// index 9 logged early in term 1 and re-stamped later in term 2, delete through 5, recover.
    [Fact]
    public async Task DeleteThrough_with_repeated_indexes_keeps_every_segment_holding_a_record_above_the_snapshot()
    {
        static LogEntry[] Stamped(long first, long count, long term) => [.. Padded(first, count).Select(e => e with { Term = term })];

        var options = Options(segmentBytes: SmallSegment);
        var first = await Recovery.NodeRecovery.RecoverAsync(_dir.Path, options, CancellationToken.None);
        await using (first.Log)
        {
            var log = first.Log;
            await log.AppendAsync([.. Stamped(1, 2, 1), .. Stamped(9, 1, 1)], CancellationToken.None); // segment 1: 1, 2, 9
            await log.AppendAsync([.. Stamped(3, 3, 1)], CancellationToken.None);                     // segment 2: 3, 4, 5
            await log.AppendAsync([.. Stamped(2, 2, 2)], CancellationToken.None);                     // segment 3: 2, 3 re-stamped
            await log.AppendAsync([.. Stamped(9, 1, 2), .. Stamped(6, 1, 2)], CancellationToken.None); // segment 4: 9 re-stamped, 6
            await log.AppendAsync([.. Stamped(7, 2, 2)], CancellationToken.None);                     // segment 5 (active): 7, 8
            Assert.Equal(5, log.SegmentCount);
            var files = Segments(_dir);

            await first.Snapshots.WriteAsync(5, 2, [], CancellationToken.None);
            var deleted = await log.DeleteThroughAsync(5, CancellationToken.None);

            Assert.Equal(5, deleted);
            Assert.Equal([files[0], files[3], files[4]], Segments(_dir));
            Assert.Equal(1, log.FirstIndex);
            Assert.Equal(9, log.LastIndex);
        }

        var recovered = await RecoverAndCloseAsync(_dir, options);

        Assert.Equal([6L, 7, 8, 9], recovered.Entries.Select(e => e.Index));
        Assert.All(recovered.Entries, e => Assert.Equal(2, e.Term));
        Assert.Equal(1, recovered.Report.RecordsSuperseded);
    }

    /// Goal: a segment whose every record is at or below the snapshot goes, even if those indexes
    /// also appear in newer segments. Method: 1..3, then 1..3 re-stamped, then one more, delete through 3.
    [Fact]
    public async Task DeleteThrough_removes_segments_whose_re_stamped_records_are_all_covered()
    {
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(segmentBytes: SmallSegment));
        await log.AppendAsync(Padded(1, 3), CancellationToken.None);
        await log.AppendAsync([.. Padded(1, 3).Select(e => e with { Term = 2 })], CancellationToken.None);
        await log.AppendAsync(Padded(4, 1), CancellationToken.None);
        Assert.Equal(3, log.SegmentCount);

        var deleted = await log.DeleteThroughAsync(3, CancellationToken.None);

        Assert.Equal(6, deleted);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(4, log.FirstIndex);
    }
}
