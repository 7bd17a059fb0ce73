using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LeaderKv.Cluster.Tests;

/// <summary>WRITE_QUORUM = k: the write answers after exactly k follower acks, and fails honestly when k cannot be reached.</summary>
public class QuorumTests
{
    public static TheoryData<int> Quorums() => new() { 0, 1, 2, 3, 4, 5 };

    [Theory]
    [MemberData(nameof(Quorums))]
    public async Task Write_completes_after_quorum_of_follower_acks_and_not_before(int quorum)
    {
        // Goal: quorum k waits for the k-th ack. Method: follower i's simulated delay is (i+1)·150 ms
        // on a fake clock; once every follower's delay timer is set, advance the clock one follower at
        // a time, wait until the leader has recorded that ack, and check the write is still pending
        // while fewer than k followers have acked. (150 ms steps: no other timer of the node has those
        // due times; the heartbeat's is 100 ms.)
        var step = TimeSpan.FromMilliseconds(150);
        var clock = new TimerWatchingClock();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Quorum = quorum,
            LeaderClock = clock,
            LeaderServices = services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.AddSingleton<IDelaySource>(new StaircaseDelays(step));
            },
        });

        var write = cluster.WriteAsync("k", "v");
        await TestCluster.EventuallyAsync(async () => (await cluster.StatusAsync(cluster.Leader)).GetProperty("lastIndex").GetInt64() == 1, "the leader to accept the write");
        // The leader takes the write before its senders start the delay timers; moving the clock
        // earlier would leave those timers waiting for time that never comes.
        await TestCluster.EventuallyAsync(
            () => Task.FromResult(Enumerable.Range(1, 5).All(i => clock.HasTimerDue(step * i))),
            "the leader to start every follower's delay timer");

        for (var acked = 0; acked < 5; acked++)
        {
            if (acked < quorum)
            {
                Assert.False(write.IsCompleted, $"quorum {quorum}: the write answered after only {acked} acks");
            }

            clock.Advance(step);
            var follower = acked;
            await TestCluster.EventuallyAsync(
                async () => AckedIndex(await cluster.StatusAsync(cluster.Leader), follower) == 1,
                $"the leader to record follower {follower + 1}'s ack");
        }

        using var response = await write;
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("quorum_met").GetBoolean());
        Assert.Equal(quorum, body.GetProperty("acks").GetInt32());
        Assert.Equal(quorum * step.TotalMilliseconds, body.GetProperty("quorum_delay_ms").GetDouble());
    }

    [Fact]
    public async Task Quorum_is_met_with_followers_down_while_enough_remain()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Quorum = 3, DeadFollowers = new HashSet<int> { 1, 3 } });

        using var response = await cluster.WriteAsync("k", 1);

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, body.GetProperty("acks").GetInt32());
    }

    [Fact]
    public async Task A_follower_that_starts_after_the_leader_counts_for_the_very_next_write()
    {
        // Goal: a leader that saw a follower down (it was still starting) must not fail writes once
        // the follower is up, while its retry backoff has yet to run. Method: start the leader with
        // follower 2's address refusing, wait until the leader reports it down, start it, and write
        // at once with a quorum that needs every follower.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 2, DeadFollowers = new HashSet<int> { 1 } });
        await TestCluster.EventuallyAsync(
            async () => (await cluster.StatusAsync(cluster.Leader)).GetProperty("followers")[1].GetProperty("state").GetString() == "down",
            "the leader to report follower 2 down");

        await cluster.RestartFollowerAsync(1);
        using var response = await cluster.WriteAsync("k", 1);

        response.EnsureSuccessStatusCode();
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("acks").GetInt32());
    }

    [Fact]
    public async Task Quorum_not_met_is_a_500_whose_outcome_is_unknown_and_the_write_commits_once_the_quorum_is_back()
    {
        // Goal: "unknown" means what it says: the write is in the leader's log, visible nowhere yet
        // (a leader change could still drop it), and it commits, everywhere, once enough followers return.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Quorum = 4, WriteTimeout = TimeSpan.FromSeconds(2), DeadFollowers = new HashSet<int> { 1, 3 } });

        using var response = await cluster.WriteAsync("k", "kept");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unknown", problem.GetProperty("outcome").GetString());
        Assert.Equal(4, problem.GetProperty("required").GetInt32());
        Assert.True(problem.GetProperty("acks").GetInt32() < 4);
        Assert.Contains("Read the key before you retry", problem.GetProperty("detail").GetString());
        Assert.False((await cluster.DataAsync(cluster.Leader)).ContainsKey("k"));

        await cluster.RestartFollowerAsync(1);
        await cluster.RestartFollowerAsync(3);
        await cluster.WaitForConvergenceAsync();
        foreach (var node in cluster.Followers.Prepend(cluster.Leader))
        {
            Assert.Equal("kept", (await cluster.DataAsync(node))["k"].GetString());
        }
    }

    [Fact]
    public async Task Leader_status_reports_each_followers_state_acked_index_and_lag()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Quorum = 1, Followers = 2, DeadFollowers = new HashSet<int> { 1 } });
        (await cluster.WriteAsync("k", 1)).EnsureSuccessStatusCode();

        await TestCluster.EventuallyAsync(async () =>
        {
            var followers = (await cluster.StatusAsync(cluster.Leader)).GetProperty("followers");
            return followers[0].GetProperty("state").GetString() == "streaming" && followers[0].GetProperty("ackedIndex").GetInt64() == 1
                && followers[1].GetProperty("state").GetString() == "down" && followers[1].GetProperty("lag").GetInt64() == 1;
        }, "follower 1 streaming at index 1 and follower 2 down, one entry behind");
    }

    private static long AckedIndex(JsonElement status, int follower) =>
        status.GetProperty("followers")[follower].GetProperty("ackedIndex").GetInt64();

    /// <summary>A fake clock that remembers the due time of every timer created on it, so a test can wait until one is set.</summary>
    private sealed class TimerWatchingClock : FakeTimeProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<TimeSpan, bool> _dueTimes = new();

        public bool HasTimerDue(TimeSpan dueTime) => _dueTimes.ContainsKey(dueTime);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _dueTimes.TryAdd(dueTime, true);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>Follower i waits (i+1)·step: acks arrive in follower order, one step apart.</summary>
    private sealed class StaircaseDelays(TimeSpan step) : IDelaySource
    {
        public TimeSpan Next(int follower, long index) => step * (follower + 1);
    }
}
