using LeaderKv.Storage.Recovery;
using LeaderKv.Storage.Wal;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

public sealed class TailRepairTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// Goal: a write cut short by a crash loses only the cut record; recovery reports and removes it.
    /// Method: write 20 entries, cut the file in the middle of the last record, recover.
    [Fact]
    public async Task A_torn_tail_is_truncated_and_every_record_before_it_is_kept()
    {
        await WriteAsync(Range(1, 20));
        var segment = Segments(_dir).Single();
        var fullLength = new FileInfo(segment).Length;
        Truncate(segment, fullLength - 5);

        var recovered = await RecoverAndCloseAsync(_dir);

        AssertSameEntries(Range(1, 19), recovered.Entries);
        var repair = Assert.IsType<LogTailRepair>(recovered.Report.TailRepair);
        Assert.True(repair.Torn);
        Assert.Equal(segment, repair.SegmentPath);
        Assert.Equal(new FileInfo(segment).Length, repair.TruncatedAt);
        Assert.Equal(fullLength - 5 - repair.TruncatedAt, repair.BytesDiscarded);
        Assert.Contains("torn tail", recovered.Report.Summary(), StringComparison.Ordinal);
    }

    /// Goal: a flipped byte in the last record is caught by the CRC, not served. Method: flip a byte
    /// inside the last record's value, recover.
    [Fact]
    public async Task A_flipped_byte_in_the_last_record_is_caught_by_the_crc_and_truncated()
    {
        await WriteAsync(Range(1, 20));
        var segment = Segments(_dir).Single();
        FlipByte(segment, new FileInfo(segment).Length - 2);

        var recovered = await RecoverAndCloseAsync(_dir);

        AssertSameEntries(Range(1, 19), recovered.Entries);
        var repair = Assert.IsType<LogTailRepair>(recovered.Report.TailRepair);
        Assert.False(repair.Torn);
        Assert.Contains("CRC-32C mismatch", repair.Reason, StringComparison.Ordinal);
    }

    /// Goal: after a repair, new appends do not follow the garbage, so the next recovery keeps them.
    /// Method: tear the tail, recover, append through the recovered log, recover again.
    [Fact]
    public async Task Appends_after_a_repair_survive_the_next_recovery()
    {
        await WriteAsync(Range(1, 20));
        var segment = Segments(_dir).Single();
        FlipByte(segment, new FileInfo(segment).Length - 30);

        var first = await NodeRecovery.RecoverAsync(_dir.Path, Options(), CancellationToken.None);
        await using (first.Log)
        {
            Assert.True(first.Report.TailTruncated);
            await first.Log.AppendAsync(Range(20, 5), CancellationToken.None);
        }

        var second = await RecoverAndCloseAsync(_dir);
        Assert.False(second.Report.TailTruncated);
        AssertSameEntries(Range(1, 24), second.Entries);
    }

    /// Goal: zeros where records should be (a file extended but never written) read as a bad tail, not as records.
    /// Method: append 4 KiB of zeros to the segment, recover.
    [Fact]
    public async Task Zeros_after_the_last_record_are_a_bad_tail()
    {
        await WriteAsync(Range(1, 5));
        var segment = Segments(_dir).Single();
        await using (var file = new FileStream(segment, FileMode.Append))
        {
            file.Write(new byte[4096]);
        }

        var recovered = await RecoverAndCloseAsync(_dir);
        AssertSameEntries(Range(1, 5), recovered.Entries);
        Assert.Equal(4096, recovered.Report.TailRepair!.BytesDiscarded);
    }

    /// Goal: damage in the middle of an older segment stops recovery with a message that names the
    /// file and the offset and says why it is not skipped. Method: three segments, flip a byte early in the first.
    [Fact]
    public async Task Corruption_in_the_middle_of_an_older_segment_is_a_clear_fatal_error()
    {
        var options = Options(segmentBytes: 4096);
        await WriteAsync(Range(1, 300), options, batch: 1);
        var oldest = Segments(_dir)[0];
        FlipByte(oldest, 200);

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => NodeRecovery.RecoverAsync(_dir.Path, options, CancellationToken.None));

        Assert.Equal(oldest, error.Path);
        Assert.Contains(oldest, error.Message, StringComparison.Ordinal);
        Assert.Contains("not the newest segment", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Offset!.Value, LogRecordFormat.SegmentHeaderSize, 200);
    }

    /// Goal: a crash between creating a segment and syncing its header leaves a usable log. Method:
    /// cut the newest segment inside its header, recover, append.
    [Fact]
    public async Task A_newest_segment_with_an_incomplete_header_is_reinitialised()
    {
        var options = Options(segmentBytes: 4096);
        await WriteAsync(Range(1, 150), options, batch: 1);
        var newest = Segments(_dir)[^1];
        var olderEntries = (await RecoverAndCloseAsync(_dir, options)).Entries.Count;
        Truncate(newest, 7);

        var recovered = await NodeRecovery.RecoverAsync(_dir.Path, options, CancellationToken.None);
        await using (recovered.Log)
        {
            Assert.True(recovered.Report.TailRepair!.Torn);
            Assert.True(recovered.Entries.Count < olderEntries);
            await recovered.Log.AppendAsync([Entry(1000)], CancellationToken.None);
        }

        Assert.Equal(1000, (await RecoverAndCloseAsync(_dir, options)).Entries[^1].Index);
    }

    private async Task WriteAsync(Core.LogEntry[] entries, WriteAheadLogOptions? options = null, int batch = 4)
    {
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), options ?? Options());
        foreach (var chunk in entries.Chunk(batch))
        {
            await log.AppendAsync(chunk, CancellationToken.None);
        }
    }
}
