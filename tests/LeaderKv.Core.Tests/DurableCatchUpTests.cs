using System.Text;

namespace LeaderKv.Core.Tests;

/// <summary>
/// Catch-up on a leader with a write-ahead log and a bounded tail: what may be sent (only logged
/// entries), where it is read from (memory, log, or a snapshot), and how a snapshot transfer ends.
/// </summary>
public class DurableCatchUpTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    private static LeaderState NewLeader(int tail, bool durable = true) =>
        new(1, 1, term: 1, new ZeroDelays(), ReplicationLimits.Default with { LogTailEntries = tail }, durableLog: durable);

    private static ReadOnlyMemory<byte> Json(string text) => Encoding.UTF8.GetBytes(text);

    private static long[] ProposeMany(LeaderState leader, int count) =>
        Enumerable.Range(0, count).Select(i => leader.Propose($"k{i % 3}", Json(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Entry.Index).ToArray();

    /// <summary>The live sends of <paramref name="indexes"/> reached a follower that then restarted empty: it reports applied-through 0 from a new incarnation.</summary>
    private static void FollowerRestartsEmpty(LeaderState leader, long[] indexes) =>
        leader.OnAppendSucceeded(0, indexes, new AppendReply(0, 1 << 20, Incarnation: 99), Start);

    [Fact]
    public void Entries_not_yet_logged_are_never_planned_for_catch_up()
    {
        // Goal: a leader killed before its log write cannot have shown a follower that entry.
        var leader = NewLeader(tail: 100);
        var indexes = ProposeMany(leader, 5);
        leader.OnAppendFailed(0, indexes, Start);

        var due = Start + leader.Limits.BackoffMax;
        var probe = leader.NextCatchUp(0, due);
        Assert.NotNull(probe);
        Assert.True(probe.Plan.IsHeartbeat);

        leader.OnAppendSucceeded(0, [], new AppendReply(0, 1 << 20, 1), due);
        leader.OnLogged(3);
        var batch = leader.NextCatchUp(0, due);

        Assert.NotNull(batch);
        Assert.Equal([1L, 2, 3], batch.Entries.Select(e => e.Index));
    }

    [Fact]
    public void A_follower_behind_the_in_memory_tail_is_planned_a_storage_read_marked_only_once_sent()
    {
        var leader = NewLeader(tail: 10);
        var indexes = ProposeMany(leader, 50);
        leader.OnLogged(50);
        leader.OnStorageRetains(1);
        FollowerRestartsEmpty(leader, indexes);

        var batch = leader.NextCatchUp(0, Start);

        Assert.NotNull(batch);
        Assert.True(batch.FromStorage);
        Assert.Empty(batch.Entries);
        Assert.Equal(1, batch.Plan.FromIndex);
        Assert.Equal(50, batch.Plan.Count);
        Assert.False(leader.Followers[0].IsOutstanding(1));

        leader.MarkSending(0, [new LogEntry(1, 1, "k", Json("0"))]);
        Assert.True(leader.Followers[0].IsOutstanding(1));
        Assert.Null(leader.NextCatchUp(0, Start));
    }

    [Fact]
    public void A_log_that_started_empty_is_known_to_hold_everything_logged_since()
    {
        var leader = NewLeader(tail: 5);
        var indexes = ProposeMany(leader, 20);
        leader.OnLogged(12);
        leader.OnLogged(20);
        FollowerRestartsEmpty(leader, indexes);

        Assert.Equal(1, leader.StoredFirstIndex);
        Assert.True(leader.NextCatchUp(0, Start)!.FromStorage);
    }

    [Fact]
    public void A_follower_behind_the_log_gets_a_snapshot_then_catches_up_from_its_index()
    {
        var leader = NewLeader(tail: 10);
        var indexes = ProposeMany(leader, 50);
        leader.OnLogged(50);
        leader.OnStorageRetains(31);
        FollowerRestartsEmpty(leader, indexes);

        var plan = leader.NextCatchUp(0, Start);
        Assert.NotNull(plan);
        Assert.True(plan.Plan.NeedsSnapshot);
        Assert.Equal(FollowerStatus.Snapshot, leader.Followers[0].Status(leader.Log.LastIndex));
        Assert.Null(leader.NextCatchUp(0, Start));

        leader.OnSnapshotInstalled(0, new AppendReply(45, 1 << 20, 99), Start);
        var rest = leader.NextCatchUp(0, Start);

        Assert.NotNull(rest);
        Assert.False(rest.FromStorage);
        Assert.Equal([46L, 47, 48, 49, 50], rest.Entries.Select(e => e.Index));
    }

    [Fact]
    public void Without_a_log_a_follower_behind_the_tail_needs_a_snapshot()
    {
        var leader = NewLeader(tail: 10, durable: false);
        var indexes = ProposeMany(leader, 30);
        FollowerRestartsEmpty(leader, indexes);

        Assert.True(leader.NextCatchUp(0, Start)!.Plan.NeedsSnapshot);
    }

    [Fact]
    public void A_failed_snapshot_transfer_backs_off_and_is_planned_again()
    {
        var leader = NewLeader(tail: 10, durable: false);
        var indexes = ProposeMany(leader, 30);
        FollowerRestartsEmpty(leader, indexes);
        Assert.True(leader.NextCatchUp(0, Start)!.Plan.NeedsSnapshot);

        leader.OnSnapshotFailed(0, Start);

        Assert.Equal(FollowerStatus.Down, leader.Followers[0].Status(leader.Log.LastIndex));
        Assert.Null(leader.NextCatchUp(0, Start));
        Assert.True(leader.NextCatchUp(0, Start + leader.Limits.BackoffMin)!.Plan.NeedsSnapshot);
    }

    [Fact]
    public void A_restored_leader_serves_its_recovered_state_and_never_reuses_an_index()
    {
        var snapshot = new KeyValueTable();
        snapshot.Apply(new LogEntry(7, 1, "a", Json("\"from snapshot\"")));
        var leader = NewLeader(tail: 3);

        leader.Restore(snapshot, 10, [new LogEntry(11, 1, "b", Json("11")), new LogEntry(12, 1, "a", Json("12"))]);
        var next = leader.Propose("c", Json("13")).Entry;

        Assert.Equal(13, next.Index);
        Assert.Equal(12, leader.LoggedIndex);
        Assert.True(leader.Table.TryGet("a", out var a));
        Assert.Equal(12, a.Index);
        Assert.True(leader.Table.TryGet("b", out _));
        Assert.Throws<InvariantViolationException>(() =>
            NewLeader(tail: 3).Restore(null, 0, [new LogEntry(1, 1, "a", Json("1")), new LogEntry(3, 1, "a", Json("3"))]));
    }

    private sealed class ZeroDelays : IDelaySource
    {
        public TimeSpan Next(int follower, long index) => TimeSpan.Zero;
    }
}
