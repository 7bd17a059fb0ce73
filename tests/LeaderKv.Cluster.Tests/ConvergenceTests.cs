using LeaderKv.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LeaderKv.Cluster.Tests;

/// <summary>What LeaderKV fixes: followers converge whatever the arrival order, lost sends and restarts included.</summary>
public class ConvergenceTests
{
    [Theory]
    [InlineData(ReplicationMode.Ordered, "second")]
    [InlineData(ReplicationMode.Unordered, "first")]
    public async Task Reordered_writes_diverge_only_in_the_seeds_unordered_mode(ReplicationMode mode, string followerEndsWith)
    {
        // Goal: the seed's race is reproducible on purpose and impossible by default. Method: two
        // writes to one key; the first reaches the follower 200 ms after being sent, the second 100 ms,
        // on a fake clock, so the follower receives them in reverse order.
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Quorum = 0,
            Mode = mode,
            LeaderClock = clock,
            LeaderServices = services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.AddSingleton<IDelaySource>(new ShrinkingDelays());
            },
        });

        (await cluster.WriteAsync("k", "first")).EnsureSuccessStatusCode();
        (await cluster.WriteAsync("k", "second")).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await TestCluster.EventuallyAsync(async () => (await cluster.StatusAsync(cluster.Followers[0])).GetProperty("lastIndex").GetInt64() == 2, "the second write to arrive first");
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await cluster.WaitForConvergenceAsync();

        Assert.Equal("second", (await cluster.DataAsync(cluster.Leader))["k"].GetString());
        Assert.Equal(followerEndsWith, (await cluster.DataAsync(cluster.Followers[0]))["k"].GetString());
    }

    [Fact]
    public async Task A_follower_that_restarts_empty_is_caught_up_to_the_leader()
    {
        // Goal: one crash never leaves a follower behind forever (the seed's would stay empty).
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 3, Quorum = 2 });
        for (var i = 0; i < 20; i++)
        {
            (await cluster.WriteAsync($"k{i % 4}", i)).EnsureSuccessStatusCode();
        }

        await cluster.StopFollowerAsync(2);
        for (var i = 20; i < 40; i++)
        {
            (await cluster.WriteAsync($"k{i % 4}", i)).EnsureSuccessStatusCode();
        }

        await cluster.RestartFollowerAsync(2);
        await cluster.WaitForConvergenceAsync();

        Assert.Equal(await cluster.DataAsync(cluster.Leader), await cluster.DataAsync(cluster.Followers[2]), new JsonDataComparer());
    }

    [Fact]
    public async Task A_follower_that_was_unreachable_catches_up_without_any_new_write()
    {
        // Goal: "a gap that does not fill is asked for again". The follower's address refuses
        // connections while writes happen; when it comes up, catch-up alone brings it level.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 1, DeadFollowers = new HashSet<int> { 1 } });
        for (var i = 0; i < 10; i++)
        {
            (await cluster.WriteAsync($"k{i}", i)).EnsureSuccessStatusCode();
        }

        await cluster.RestartFollowerAsync(1);
        await cluster.WaitForConvergenceAsync();

        Assert.Equal(10, (await cluster.DataAsync(cluster.Followers[1])).Count);
    }

    /// <summary>The first write to each follower waits 200 ms, later ones 100 ms.</summary>
    private sealed class ShrinkingDelays : IDelaySource
    {
        public TimeSpan Next(int follower, long index) => TimeSpan.FromMilliseconds(index == 1 ? 200 : 100);
    }
}
