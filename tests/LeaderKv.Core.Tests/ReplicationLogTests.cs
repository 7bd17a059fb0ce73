using System.Text;

namespace LeaderKv.Core.Tests;

/// <summary>The leader's in-memory tail: bounded like a replication backlog, contiguous, and readable across its wrap-around.</summary>
public class ReplicationLogTests
{
    private static readonly ReadOnlyMemory<byte> One = Encoding.UTF8.GetBytes("1");

    [Fact]
    public void A_full_log_drops_its_oldest_entries_and_keeps_the_newest_capacity()
    {
        var log = new ReplicationLog(capacity: 5);

        for (var i = 0; i < 12; i++)
        {
            log.Append(1, $"k{i}", One);
        }

        Assert.Equal(5, log.Count);
        Assert.Equal(8, log.FirstIndex);
        Assert.Equal(12, log.LastIndex);
        Assert.False(log.Contains(7));
        Assert.Equal([8L, 9, 10, 11, 12], log.Read(8, 100, int.MaxValue).Select(e => e.Index));
        Assert.Equal("k11", log.Get(12).Key);
        Assert.Empty(log.Read(3, 100, int.MaxValue));
    }

    [Fact]
    public void Growing_past_the_initial_slots_keeps_order_after_the_ring_has_wrapped()
    {
        // Goal: the ring's grow path copies entries in index order even when the head is mid-array.
        var log = new ReplicationLog(capacity: 40);
        for (var i = 0; i < 100; i++)
        {
            log.Append(1, "k", One);
        }

        Assert.Equal(Enumerable.Range(61, 40).Select(i => (long)i), log.Read(61, 1000, int.MaxValue).Select(e => e.Index));
    }

    [Fact]
    public void Restore_after_a_snapshot_starts_at_the_first_recovered_index_and_still_respects_the_capacity()
    {
        var log = new ReplicationLog(capacity: 3);
        log.ResetTo(101);

        foreach (var index in Enumerable.Range(101, 5))
        {
            log.Restore(new LogEntry(index, 1, "k", One));
        }

        Assert.Equal(103, log.FirstIndex);
        Assert.Equal(105, log.LastIndex);
        Assert.Equal(106, log.Append(1, "k", One).Index);
        Assert.Throws<InvariantViolationException>(() => log.Restore(new LogEntry(200, 1, "k", One)));
    }
}
