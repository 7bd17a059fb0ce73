using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace LeaderKv.Cluster.Tests.Failover;

/// <summary>Six-node clusters elect, fence and recover leaders: each run holds several Kestrel servers, so these share one collection and run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FailoverCollection
{
    public const string Name = "Failover clusters";
}

/// <summary>
/// Automatic and manual failover of a <c>PEERS</c> cluster, seen as a client sees it: write answers,
/// <c>/status</c>, <c>/kv</c> and <c>/data</c>. Waits poll observable state; deadlines only bound failure.
/// </summary>
[Collection(FailoverCollection.Name)]
public class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stopping_the_leader_elects_a_new_one_that_accepts_writes_and_serves_every_committed_write()
    {
        // Goal: no write answered committed is lost when the leader goes. Method: 20 committed writes, stop the leader, read them all on the winner.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var old = await cluster.LeaderAsync();
        var committed = await WriteManyCommittedAsync(cluster, old, "before", 20);

        await cluster.StopAsync(old);
        var leader = await cluster.LeaderAsync();

        Assert.NotEqual(old, leader);
        var index = await AssertCommittedAsync(cluster.WriteAsync(leader, "after", 20));
        await AppliedAsync(cluster, leader, index);
        foreach (var (key, value) in committed)
        {
            Assert.Equal(value, (await cluster.ReadAsync(leader, key))?.GetInt32());
        }
    }

    [Fact]
    public async Task The_old_leader_restarted_after_a_kill_rejoins_as_a_follower_and_converges()
    {
        // Goal: a deposed leader takes the new leader's history. Method: kill it, write under the new leader, restart it, compare.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var old = await cluster.LeaderAsync();
        await WriteManyCommittedAsync(cluster, old, "before", 10);

        await cluster.KillAsync(old);
        var leader = await cluster.LeaderAsync();
        await WriteManyCommittedAsync(cluster, leader, "after", 10);
        await cluster.RestartAsync(old);

        await cluster.ConvergedAsync(old, leader);
        var status = await cluster.StatusAsync(old);
        Assert.Equal("follower", status.GetProperty("role").GetString());
        Assert.Equal(PeersCluster.IdOf(leader), status.GetProperty("leaderId").GetString());
        Assert.Equal(leader, await cluster.LeaderAsync());
    }

    [Fact]
    public async Task A_leader_cut_off_from_its_followers_stops_leading_never_commits_and_converges_after_the_cut_heals()
    {
        // Goal: fencing. Method: isolate the leader, write to it, watch it step down while the majority elects and commits; heal; compare every node.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var old = await cluster.LeaderAsync();
        await WriteManyCommittedAsync(cluster, old, "before", 5);

        cluster.Isolate(old);
        using var cutWrite = await cluster.WriteAsync(old, "during-cut", 1);
        await PeersCluster.EventuallyAsync(
            async () => (await cluster.StatusAsync(old)).GetProperty("role").GetString() != "leader",
            "the isolated leader to stop claiming leadership");

        var body = await cutWrite.Content.ReadFromJsonAsync<JsonElement>();
        output.WriteLine($"the write sent during the cut answered {(int)cutWrite.StatusCode} {body}");
        Assert.True(
            (cutWrite.StatusCode == HttpStatusCode.InternalServerError && body.TryGetProperty("outcome", out var outcome) && outcome.GetString() == "unknown")
            || cutWrite.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadRequest,
            $"a write to a cut-off leader must not be committed; got {(int)cutWrite.StatusCode} {body}");

        var majority = Enumerable.Range(0, cluster.Count).Where(i => i != old).ToList();
        var leader = await cluster.LeaderAsync(majority);
        await AssertCommittedAsync(cluster.WriteAsync(leader, "majority", 2));

        cluster.Heal();
        foreach (var node in Enumerable.Range(0, cluster.Count).Where(i => i != leader))
        {
            await cluster.ConvergedAsync(node, leader);
        }

        Assert.Equal(2, (await cluster.ReadAsync(old, "majority"))?.GetInt32());
        var seen = new List<string>();
        foreach (var node in Enumerable.Range(0, cluster.Count))
        {
            seen.Add((await cluster.ReadAsync(node, "during-cut"))?.GetRawText() ?? "absent");
        }

        Assert.Single(seen.Distinct());
    }

    [Fact]
    public async Task A_paused_leader_is_replaced_and_once_resumed_steps_down_and_converges()
    {
        // Goal: a stalled (not dead, not refused) leader loses its term. Method: hold every request to and
        // from the leader, let the others elect and commit, resume it, and see it follow the new leader.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var old = await cluster.LeaderAsync();
        await WriteManyCommittedAsync(cluster, old, "before", 5);

        cluster.Pause(old);
        var others = Enumerable.Range(0, cluster.Count).Where(i => i != old).ToList();
        var leader = await cluster.LeaderAsync(others);
        await AssertCommittedAsync(cluster.WriteAsync(leader, "while-paused", 1));

        cluster.Resume(old);
        await cluster.ConvergedAsync(old, leader);
        var status = await cluster.StatusAsync(old);
        Assert.Equal("follower", status.GetProperty("role").GetString());
        Assert.Equal(1, (await cluster.ReadAsync(old, "while-paused"))?.GetInt32());
        Assert.Equal(leader, await cluster.LeaderAsync());
    }

    [Fact]
    public async Task With_write_quorum_zero_no_node_takes_over_by_itself_and_a_promoted_follower_leads()
    {
        // Goal: W = 0 means manual failover only. Method: stop the leader, watch /status for a few election timeouts, then promote a follower.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec { WriteQuorum = 0 });
        var old = await cluster.LeaderAsync();
        Assert.Equal("manual", (await cluster.StatusAsync(old)).GetProperty("failover").GetString());
        await cluster.StopAsync(old);

        // An absence can only be watched for a while: six election timeouts, three times the longest randomised one.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < 6 * cluster.Spec.ElectionTimeout)
        {
            foreach (var node in cluster.Running)
            {
                var status = await cluster.StatusAsync(node);
                Assert.NotEqual("leader", status.GetProperty("role").GetString());
                Assert.Equal("manual", status.GetProperty("failover").GetString());
            }

            await Task.Delay(cluster.Spec.HeartbeatInterval);
        }

        var promoted = cluster.Running.First();
        using (var refused = await cluster.Http.PostAsync(new Uri(cluster.Urls[promoted], "/admin/promote"), null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var accepted = await cluster.Http.PostAsync(new Uri(cluster.Urls[promoted], "/admin/promote?acceptDataLoss=true"), null))
        {
            Assert.True(accepted.IsSuccessStatusCode, $"promote answered {(int)accepted.StatusCode}");
        }

        Assert.Equal(promoted, await cluster.LeaderAsync());
        await AssertCommittedAsync(cluster.WriteAsync(promoted, "after-promote", 1));
    }

    [Fact]
    public async Task A_write_to_a_follower_is_refused_with_the_leaders_url_and_succeeds_there()
    {
        // Goal: clients can find the leader from any node. Method: write to a follower, follow the URL in its 400.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var leader = await cluster.LeaderAsync();
        var follower = (leader + 1) % cluster.Count;
        await PeersCluster.EventuallyAsync(
            async () => (await cluster.StatusAsync(follower)).GetProperty("leaderId").GetString() == PeersCluster.IdOf(leader),
            "the follower to hear from the leader");

        using var refused = await cluster.WriteAsync(follower, "k", 1);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(PeersCluster.IdOf(leader), problem.GetProperty("leaderId").GetString());
        var url = new Uri(problem.GetProperty("leader").GetString()!);
        Assert.Equal(cluster.Urls[leader], url);
        using var accepted = await cluster.Http.PostAsJsonAsync(new Uri(url, "/write"), new { key = "k", value = 1 });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(1, (await cluster.ReadAsync(leader, "k"))?.GetInt32());
    }

    private static async Task<Dictionary<string, int>> WriteManyCommittedAsync(PeersCluster cluster, int node, string prefix, int count)
    {
        var written = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            await AssertCommittedAsync(cluster.WriteAsync(node, $"{prefix}-{i}", i));
            written[$"{prefix}-{i}"] = i;
        }

        return written;
    }

    /// <summary>Asserts a 200 with outcome committed and returns the write's index.</summary>
    private static async Task<long> AssertCommittedAsync(Task<HttpResponseMessage> write)
    {
        using var response = await write;
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected a committed write, got {(int)response.StatusCode} {body}");
        Assert.Equal("committed", body.GetProperty("outcome").GetString());
        return body.GetProperty("index").GetInt64();
    }

    private static Task AppliedAsync(PeersCluster cluster, int node, long index) => PeersCluster.EventuallyAsync(
        async () => (await cluster.StatusAsync(node)).GetProperty("appliedThrough").GetInt64() >= index,
        $"{PeersCluster.IdOf(node)} to apply through {index}");
}
