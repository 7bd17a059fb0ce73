using System.Text;

namespace LeaderKv.Core.Tests;

/// <summary>The leader's decisions: indexes, local apply, planned sends, and the catch-up rule that heals lost sends and restarts.</summary>
public class LeaderStateTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    private static LeaderState NewLeader(int followers = 3, int quorum = 2) =>
        new(followers, quorum, term: 1, new FixedDelays(TimeSpan.FromMilliseconds(5)));

    private static ReadOnlyMemory<byte> Json(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Propose_assigns_increasing_indexes_applies_locally_and_plans_one_send_per_follower()
    {
        var leader = NewLeader();

        var first = leader.Propose("a", Json("1"));
        var second = leader.Propose("a", Json("2"));

        Assert.Equal(1, first.Entry.Index);
        Assert.Equal(2, second.Entry.Index);
        Assert.Equal([0, 1, 2], second.Sends.Select(s => s.Follower));
        Assert.True(leader.Table.TryGet("a", out var value));
        Assert.Equal(2, value.Index);
        Assert.False(second.Decision.IsDecided);
    }

    [Fact]
    public void Quorum_zero_is_decided_at_once_and_still_replicates()
    {
        var leader = NewLeader(quorum: 0);

        var proposal = leader.Propose("a", Json("1"));

        Assert.Equal(QuorumOutcome.Met, proposal.Decision.Outcome);
        Assert.Equal(3, proposal.Sends.Count);
    }

    [Fact]
    public void A_failed_send_is_resent_by_catch_up_after_the_backoff()
    {
        var leader = NewLeader();
        var entry = leader.Propose("a", Json("1")).Entry;

        leader.OnAppendFailed(0, [entry.Index], Start);

        Assert.Null(leader.NextCatchUp(0, Start));
        var retry = leader.NextCatchUp(0, Start + leader.Limits.BackoffMin);
        Assert.NotNull(retry);
        Assert.Equal([1L], retry.Entries.Select(e => e.Index));
    }

    [Fact]
    public void A_follower_believed_down_still_gets_new_writes_and_can_complete_their_quorum()
    {
        // A probe that failed while the follower was starting must not fail writes it can ack.
        var leader = NewLeader(followers: 2, quorum: 2);
        var first = leader.Propose("a", Json("1")).Entry;
        leader.OnAppendFailed(1, [first.Index], Start);
        leader.OnAppendSucceeded(0, [first.Index], new AppendReply(1, 100, 7), Start);
        Assert.True(leader.Followers[1].IsDown);

        var second = leader.Propose("b", Json("2"));
        leader.OnAppendSucceeded(0, [second.Entry.Index], new AppendReply(2, 100, 7), Start);
        var decisions = leader.OnAppendSucceeded(1, [second.Entry.Index], new AppendReply(0, 100, 9), Start);

        Assert.Equal([0, 1], second.Sends.Select(s => s.Follower));
        Assert.False(second.Decision.IsDecided);
        Assert.Equal(QuorumOutcome.Met, Assert.Single(decisions).Outcome);
    }

    [Fact]
    public void A_send_refused_by_a_down_follower_fails_an_unreachable_quorum_at_once()
    {
        var leader = NewLeader(followers: 2, quorum: 2);
        var entry = leader.Propose("a", Json("1")).Entry;

        var decisions = leader.OnAppendFailed(1, [entry.Index], Start);

        Assert.Equal(QuorumOutcome.Failed, Assert.Single(decisions).Outcome);
    }

    [Fact]
    public void A_restarted_follower_is_caught_up_from_what_it_reports_now()
    {
        var leader = NewLeader(followers: 1, quorum: 1);
        var indexes = Enumerable.Range(0, 5).Select(i => leader.Propose($"k{i}", Json("1")).Entry.Index).ToArray();
        leader.OnAppendSucceeded(0, indexes, new AppendReply(5, 100, Incarnation: 1), Start);
        Assert.Null(leader.NextCatchUp(0, Start));

        var next = leader.Propose("k5", Json("1")).Entry;
        leader.OnAppendSucceeded(0, [next.Index], new AppendReply(0, 100, Incarnation: 2), Start);

        var catchUp = leader.NextCatchUp(0, Start);
        Assert.NotNull(catchUp);
        Assert.Equal([1L, 2, 3, 4, 5, 6], catchUp.Entries.Select(e => e.Index));
    }

    [Fact]
    public void Catch_up_never_resends_entries_still_waiting_out_their_delay()
    {
        var leader = NewLeader(followers: 1, quorum: 1);
        leader.Propose("a", Json("1"));
        var second = leader.Propose("b", Json("2")).Entry;

        // Entry 2 arrived first; entry 1 is still on its way, so the gap is not a loss.
        leader.OnAppendSucceeded(0, [second.Index], new AppendReply(0, 100, 1), Start);

        Assert.Null(leader.NextCatchUp(0, Start));
    }

    [Fact]
    public void An_idle_follower_gets_a_heartbeat_after_the_interval()
    {
        var leader = NewLeader(followers: 1, quorum: 1);
        leader.OnAppendSucceeded(0, [], new AppendReply(0, 100, 1), Start);

        Assert.Null(leader.NextCatchUp(0, Start));
        var probe = leader.NextCatchUp(0, Start + leader.Limits.HeartbeatInterval);
        Assert.NotNull(probe);
        Assert.True(probe.Plan.IsHeartbeat);
    }

    [Fact]
    public void A_dropped_live_send_is_resent_by_catch_up_and_its_ack_still_meets_the_quorum()
    {
        // Goal: a full per-follower queue loses nothing. Method: drop the live send of entry 1,
        // check catch-up plans it at once (no backoff: the follower is not down), ack that resend.
        var leader = NewLeader(followers: 1, quorum: 1);
        var entry = leader.Propose("a", Json("1")).Entry;
        Assert.Null(leader.NextCatchUp(0, Start));

        leader.OnSendDropped(0, entry.Index);

        var resend = leader.NextCatchUp(0, Start);
        Assert.NotNull(resend);
        Assert.Equal([entry.Index], resend.Entries.Select(e => e.Index));
        var decisions = leader.OnAppendSucceeded(0, [entry.Index], new AppendReply(1, 100, 1), Start);
        Assert.Equal(QuorumOutcome.Met, Assert.Single(decisions).Outcome);
    }

    private sealed class FixedDelays(TimeSpan delay) : IDelaySource
    {
        public TimeSpan Next(int follower, long index) => delay;
    }
}
