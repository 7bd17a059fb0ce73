using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

public sealed class InMemoryWriteAheadLogTests
{
    /// Goal: the in-memory log keeps entries as given (order and repeats), like the file log. Method: append out of order.
    [Fact]
    public async Task Keeps_entries_in_append_order_with_repeats()
    {
        await using var log = new InMemoryWriteAheadLog();
        await log.AppendAsync([Entry(3), Entry(1)], CancellationToken.None);
        await log.AppendAsync([Entry(3)], CancellationToken.None);

        Assert.Equal([3L, 1, 3], log.Entries.Select(e => e.Index));
        Assert.Equal(1, log.FirstIndex);
        Assert.Equal(3, log.LastIndex);
        Assert.Equal(new WriteAheadLogStats(2, 3, 0, 0, 0, 0), log.Stats);
    }

    /// Goal: the caller may reuse its value buffer after the append completes. Method: mutate the buffer afterwards.
    [Fact]
    public async Task Copies_values_so_the_caller_can_reuse_its_buffer()
    {
        await using var log = new InMemoryWriteAheadLog();
        var buffer = "\"a\""u8.ToArray();
        await log.AppendAsync([new Core.LogEntry(1, 1, "k", buffer)], CancellationToken.None);
        buffer[1] = (byte)'b';

        Assert.Equal("\"a\""u8.ToArray(), log.Entries[0].Value.ToArray());
    }

    /// Goal: same limits as the file log. Method: index 0 and an oversized key.
    [Fact]
    public async Task Refuses_what_the_file_log_refuses()
    {
        await using var log = new InMemoryWriteAheadLog();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.AppendAsync([Entry(0)], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await log.AppendAsync([Entry(1, key: new string('k', StorageLimits.MaxKeyBytes + 1))], CancellationToken.None));
        Assert.Empty(log.Entries);
    }
}
