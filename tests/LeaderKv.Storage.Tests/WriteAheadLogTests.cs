using System.Text;
using LeaderKv.Core;
using LeaderKv.Storage.Recovery;
using LeaderKv.Storage.Wal;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

public sealed class WriteAheadLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// Goal: what is appended is what recovery returns, byte for byte. Method: append batches, close, recover.
    [Fact]
    public async Task Appended_entries_come_back_byte_for_byte_after_reopening()
    {
        LogEntry[] written =
        [
            new(1, 3, "plain", Encoding.UTF8.GetBytes("\"text\"")),
            new(2, 3, "ünïcödé-ключ-鍵", Encoding.UTF8.GetBytes("{\"nested\":[1,2,{\"x\":null}]}")),
            new(3, 4, "", Encoding.UTF8.GetBytes("null")),
            new(4, 4, "empty-value", ReadOnlyMemory<byte>.Empty),
            new(5, 4, "big", Encoding.UTF8.GetBytes("\"" + new string('x', 100_000) + "\"")),
        ];

        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options()))
        {
            await log.AppendAsync(written[..2], CancellationToken.None);
            await log.AppendAsync(written[2..], CancellationToken.None);
            Assert.Equal(1, log.FirstIndex);
            Assert.Equal(5, log.LastIndex);
        }

        var recovered = await RecoverAndCloseAsync(_dir);
        AssertSameEntries(written, recovered.Entries);
        Assert.Equal(5, recovered.Report.RecordsRead);
        Assert.False(recovered.Report.TailTruncated);
        Assert.Equal(5, recovered.Report.HighestIndex);
    }

    /// Goal: a follower's log, written in arrival order with repeats and a gap, recovers to one
    /// entry per index in index order, the gap left for the node. Method: append shuffled and duplicated batches.
    [Fact]
    public async Task Out_of_order_and_duplicate_appends_recover_to_one_sorted_entry_per_index()
    {
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options()))
        {
            await log.AppendAsync([Entry(5), Entry(3)], CancellationToken.None);
            await log.AppendAsync([Entry(1)], CancellationToken.None);
            await log.AppendAsync([Entry(3), Entry(2), Entry(5)], CancellationToken.None);
            await log.AppendAsync([Entry(8), Entry(1)], CancellationToken.None);
            Assert.Equal(1, log.FirstIndex);
            Assert.Equal(8, log.LastIndex);
        }

        var recovered = await RecoverAndCloseAsync(_dir);
        Assert.Equal([1L, 2, 3, 5, 8], recovered.Entries.Select(e => e.Index));
        AssertSameEntries([Entry(1), Entry(2), Entry(3), Entry(5), Entry(8)], recovered.Entries);
        Assert.Equal(8, recovered.Report.RecordsRead);
        Assert.Equal(3, recovered.Report.RecordsSuperseded);
        Assert.Equal(0, recovered.Report.ValuesReplaced);
        Assert.Equal(8, recovered.Report.HighestIndex);
    }

    /// Goal: appends continue after the recovered records and survive the next recovery. Method: write, recover, append, recover.
    [Fact]
    public async Task The_log_returned_by_recovery_appends_after_what_it_recovered()
    {
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options()))
        {
            await log.AppendAsync(Range(1, 10), CancellationToken.None);
        }

        var first = await NodeRecovery.RecoverAsync(_dir.Path, Options(), CancellationToken.None);
        await using (first.Log)
        {
            Assert.Equal(10, first.Log.LastIndex);
            await first.Log.AppendAsync(Range(11, 5), CancellationToken.None);
        }

        var second = await RecoverAndCloseAsync(_dir);
        AssertSameEntries(Range(1, 15), second.Entries);
    }

    /// Goal: an empty batch is a no-op and bad input is refused before anything is written. Method: call with each.
    [Fact]
    public async Task Invalid_entries_are_refused_and_nothing_is_written()
    {
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options());
        await log.AppendAsync([], CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.AppendAsync([Entry(0)], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.AppendAsync([Entry(1, term: -1)], CancellationToken.None));
        var longKey = new string('k', StorageLimits.MaxKeyBytes + 1);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.AppendAsync([Entry(1, key: longKey)], CancellationToken.None));
        var bigValue = new LogEntry(1, 1, "k", new byte[StorageLimits.MaxValueBytes + 1]);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.AppendAsync([bigValue], CancellationToken.None));
        Assert.Equal(0, log.Stats.Appends);
        Assert.Equal(0, log.LastIndex);
    }

    /// Goal: the largest entry the limits allow is stored and read back. Method: append one at both limits.
    [Fact]
    public async Task An_entry_at_the_key_and_value_limits_round_trips()
    {
        var entry = new LogEntry(1, 1, new string('k', StorageLimits.MaxKeyBytes), Enumerable.Repeat((byte)'7', StorageLimits.MaxValueBytes).ToArray());
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options()))
        {
            await log.AppendAsync([entry], CancellationToken.None);
        }

        AssertSameEntries([entry], (await RecoverAndCloseAsync(_dir)).Entries);
    }

    /// Goal: a disposed log refuses appends clearly. Method: dispose, then append.
    [Fact]
    public async Task Appending_to_a_disposed_log_throws_ObjectDisposedException()
    {
        var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options());
        await log.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.AppendAsync([Entry(1)], CancellationToken.None));
    }
}
