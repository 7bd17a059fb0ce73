namespace LeaderKv.Core.Tests;

/// <summary>A follower installing a snapshot (transfer or its own, at recovery) ends on the leader's history, pending entries included.</summary>
public class FollowerSnapshotTests
{
    private static KeyValueTable TableAfter(IReadOnlyList<LogEntry> history, long through)
    {
        var table = new KeyValueTable();
        foreach (var entry in history.Where(e => e.Index <= through))
        {
            table.Apply(entry);
        }

        return table;
    }

    [Fact]
    public void A_snapshot_replaces_the_table_drops_covered_pending_entries_and_applies_the_ones_right_after_it()
    {
        // Goal: entries that arrived while the snapshot was in transfer are not lost. Method: the
        // follower has 1..3 applied and 8, 21, 22 pending; a snapshot through 20 arrives.
        var history = Entries.History(30, 4);
        var follower = new FollowerState(ReplicationMode.Ordered);
        follower.Receive([history[0], history[1], history[2], history[7], history[20], history[21]]);
        Assert.Equal(3, follower.AppliedThrough);

        var result = follower.InstallSnapshot(TableAfter(history, 20), 20, 1);

        Assert.Equal(22, result.AppliedThrough);
        Assert.Equal(0, follower.PendingCount);
        Assert.Equal(Entries.StateAfter(history, 22), Entries.Snapshot(follower.Table));
        follower.Receive(history.Skip(22).ToList());
        Assert.Equal(Entries.StateAfter(history, 30), Entries.Snapshot(follower.Table));
    }

    [Fact]
    public void A_snapshot_no_newer_than_the_watermark_changes_nothing()
    {
        var history = Entries.History(10, 3);
        var follower = new FollowerState(ReplicationMode.Ordered);
        follower.Receive(history);

        var result = follower.InstallSnapshot(TableAfter(history, 6), 6, 1);

        Assert.Equal(10, result.AppliedThrough);
        Assert.Equal(Entries.StateAfter(history, 10), Entries.Snapshot(follower.Table));
    }
}
