namespace LeaderKv.Core.Tests;

/// <summary>The follower's promise: whatever order entries arrive in, it serves a prefix of the leader's history and ends equal to it.</summary>
public class FollowerStateTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Any_arrival_order_with_duplicates_converges_and_every_visible_state_is_a_prefix(int seed)
    {
        // Goal: the seed's race cannot happen. Method: 200 random permutations (with duplicated
        // entries) of a 60-write history over 5 keys, delivered in random-sized batches; after every
        // batch the served table must equal the leader's state at the follower's watermark.
        var random = new Random(seed);
        var history = Entries.History(60, 5);
        for (var trial = 0; trial < 200; trial++)
        {
            var follower = new FollowerState(ReplicationMode.Ordered);
            var deliveries = Entries.Shuffle(history.Concat(history.Where(_ => random.Next(4) == 0)), random);
            while (deliveries.Count > 0)
            {
                var take = Math.Min(deliveries.Count, random.Next(1, 6));
                var result = follower.Receive(deliveries.GetRange(0, take));
                deliveries.RemoveRange(0, take);

                Assert.Equal(Entries.StateAfter(history, result.AppliedThrough), Entries.Snapshot(follower.Table));
            }

            Assert.Equal(60, follower.AppliedThrough);
            Assert.Equal(Entries.StateAfter(history, 60), Entries.Snapshot(follower.Table));
        }
    }

    [Fact]
    public void Receiving_the_same_entries_again_changes_nothing()
    {
        var history = Entries.History(10, 3);
        var follower = new FollowerState(ReplicationMode.Ordered);
        follower.Receive(history);
        var before = Entries.Snapshot(follower.Table);

        var again = follower.Receive(history);

        Assert.Equal(before, Entries.Snapshot(follower.Table));
        Assert.Equal(10, again.Duplicates);
        Assert.Equal(0, again.Applied);
        Assert.Equal(10, follower.AppliedThrough);
    }

    [Fact]
    public void The_watermark_stops_below_a_gap_and_jumps_when_it_fills()
    {
        var history = Entries.History(6, 6);
        var follower = new FollowerState(ReplicationMode.Ordered);

        var first = follower.Receive([history[0], history[1], history[3], history[4]]);
        Assert.Equal(2, first.AppliedThrough);
        Assert.Equal(5, follower.LastIndex);
        Assert.Equal(2, follower.PendingCount);
        Assert.False(follower.Table.TryGet("k3", out _));

        var filled = follower.Receive([history[2]]);
        Assert.Equal(5, filled.AppliedThrough);
        Assert.Equal(3, filled.Applied);
        Assert.Equal(0, follower.PendingCount);
    }

    [Fact]
    public void Entries_beyond_the_pending_window_are_refused_not_acknowledged()
    {
        var limits = new ReplicationLimits { MaxPendingWindow = 4 };
        var follower = new FollowerState(ReplicationMode.Ordered, limits);

        var result = follower.Receive(Entries.History(10, 2).Skip(1).ToList());

        Assert.Equal(0, result.AppliedThrough);
        Assert.Equal(4, result.AcceptedThrough);
        Assert.Equal(3, follower.PendingCount);
    }

    [Fact]
    public void Unordered_mode_reproduces_the_seeds_race()
    {
        // Two writes to one key arriving in reverse order: the seed's follower keeps the older value.
        var older = Entries.Make(1, "k", 1);
        var newer = Entries.Make(2, "k", 2);
        var unordered = new FollowerState(ReplicationMode.Unordered);
        var ordered = new FollowerState(ReplicationMode.Ordered);

        unordered.Receive([newer]);
        unordered.Receive([older]);
        ordered.Receive([newer]);
        ordered.Receive([older]);

        Assert.Equal("1", Entries.Snapshot(unordered.Table)["k"]);
        Assert.Equal("2", Entries.Snapshot(ordered.Table)["k"]);
        Assert.Equal(2, unordered.AppliedThrough);
    }
}
