namespace LeaderKv.Core.Tests;

/// <summary>Quorum counting over every quorum size and every order in which five followers can answer.</summary>
public class QuorumTrackerTests
{
    private const int Followers = 5;

    public static TheoryData<int> Quorums() => new() { 1, 2, 3, 4, 5 };

    [Theory]
    [MemberData(nameof(Quorums))]
    public void Write_completes_exactly_at_the_kth_ack_in_every_ack_order(int quorum)
    {
        foreach (var order in Permutations(Enumerable.Range(0, Followers).ToArray()))
        {
            var tracker = new QuorumTracker(Followers, quorum);
            var delays = order.Select(f => TimeSpan.FromMilliseconds(10 * (f + 1))).ToArray();
            tracker.Track(1, delays);
            for (var i = 0; i < order.Length; i++)
            {
                var decision = tracker.OnAck(1, order[i]);
                if (i + 1 < quorum)
                {
                    Assert.False(decision.IsDecided);
                }
                else if (i + 1 == quorum)
                {
                    Assert.Equal(QuorumOutcome.Met, decision.Outcome);
                    Assert.Equal(quorum, decision.Acks);
                    Assert.Equal(delays[order[i]], decision.CompletingDelay);
                }
                else
                {
                    Assert.False(decision.IsDecided);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Quorums))]
    public void Write_fails_as_soon_as_too_many_followers_failed_to_reach_the_quorum(int quorum)
    {
        var tracker = new QuorumTracker(Followers, quorum);
        tracker.Track(7, new TimeSpan[Followers]);
        var tolerated = Followers - quorum;
        for (var failed = 1; failed <= tolerated; failed++)
        {
            Assert.False(tracker.OnFailure(7, failed - 1).IsDecided);
        }

        var decisive = tracker.OnFailure(7, tolerated);
        Assert.Equal(QuorumOutcome.Failed, decisive.Outcome);
        Assert.Equal(0, tracker.PendingCount);
    }

    [Fact]
    public void A_duplicated_ack_counts_once_and_an_ack_after_a_failure_replaces_it()
    {
        var tracker = new QuorumTracker(Followers, 3);
        tracker.Track(1, new TimeSpan[Followers]);

        Assert.False(tracker.OnAck(1, 0).IsDecided);
        Assert.False(tracker.OnAck(1, 0).IsDecided);
        Assert.False(tracker.OnFailure(1, 1).IsDecided);
        Assert.False(tracker.OnFailure(1, 2).IsDecided);
        Assert.False(tracker.OnAck(1, 1).IsDecided);

        Assert.Equal(QuorumOutcome.Met, tracker.OnAck(1, 2).Outcome);
    }

    [Fact]
    public void Acks_for_decided_or_abandoned_writes_are_ignored()
    {
        var tracker = new QuorumTracker(Followers, 1);
        tracker.Track(1, new TimeSpan[Followers]);
        tracker.Track(2, new TimeSpan[Followers]);
        Assert.Equal(QuorumOutcome.Met, tracker.OnAck(1, 0).Outcome);
        Assert.Equal(0, tracker.Abandon(2));

        Assert.False(tracker.OnAck(1, 1).IsDecided);
        Assert.False(tracker.OnAck(2, 1).IsDecided);
    }

    [Theory]
    [InlineData(0, 1000, 5, 1, 166.667)]
    [InlineData(0, 1000, 5, 5, 833.333)]
    [InlineData(100, 200, 3, 2, 150)]
    [InlineData(0, 1000, 5, 0, 0)]
    public void Expected_kth_delay_is_the_uniform_order_statistic(int min, int max, int n, int k, double expectedMs)
    {
        var expected = QuorumMath.ExpectedKthDelay(TimeSpan.FromMilliseconds(min), TimeSpan.FromMilliseconds(max), n, k);
        Assert.Equal(expectedMs, expected.TotalMilliseconds, 2);
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
