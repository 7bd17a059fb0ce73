using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Cluster.Tests.Failover;

namespace LeaderKv.Cluster.Tests.Kv.Reads;

/// <summary>
/// <c>consistency=linearizable</c> in a six-node PEERS cluster: the leader confirms its leadership with a
/// fresh round before it answers, so a deposed leader cut off by a partition never serves its stale copy.
/// </summary>
[Collection(FailoverCollection.Name)]
public class ReadsLinearizableTests
{
    [Fact]
    public async Task A_deposed_leader_cut_off_by_a_partition_refuses_linearizable_reads_and_the_new_leader_serves_the_newer_write()
    {
        // Goal: no stale linearizable read. Method: node-0 leads with a long election timeout (so it
        // keeps believing it leads: the window a GC pause or a slow clock opens); it is cut off, the
        // other five elect a leader and commit a newer value. node-0's local read shows the stale value;
        // its linearizable read must be refused. After healing, node-0 points to the new leader, which
        // serves the newer value linearizably.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec
        {
            Configure = (node, settings) => node == 0 ? settings with { ElectionTimeout = TimeSpan.FromSeconds(120) } : settings,
        });
        if (await cluster.LeaderAsync() != 0)
        {
            // Another node's timer ran out first at start-up: hand the lead to node-0 (every node answers, so nothing is lost).
            using var promoted = await cluster.Http.PostAsync(new Uri(cluster.Urls[0], "/admin/promote?acceptDataLoss=true"), null);
            promoted.EnsureSuccessStatusCode();
        }

        await PeersCluster.EventuallyAsync(async () => await cluster.LeaderAsync() == 0, "node-0 to lead");
        using (var first = await cluster.WriteAsync(0, "a", "old"))
        {
            first.EnsureSuccessStatusCode();
        }

        Assert.Equal("old", (await LinearizableAsync(cluster, 0, "a")).GetProperty("value").GetString());

        cluster.Isolate(0);
        var leader = await cluster.LeaderAsync(Enumerable.Range(1, 5));
        long newer;
        using (var second = await cluster.WriteAsync(leader, "a", "new"))
        {
            second.EnsureSuccessStatusCode();
            newer = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("index").GetInt64();
        }

        var stale = await cluster.StatusAsync(0);
        Assert.Equal("leader", stale.GetProperty("role").GetString());
        Assert.Equal("old", (await cluster.ReadAsync(0, "a"))?.GetString());

        using var refused = await cluster.Http.GetAsync(new Uri(cluster.Urls[0], "/kv/a?consistency=linearizable&waitMs=300"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith("/read-unconfirmed", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter);

        cluster.Heal();
        await PeersCluster.EventuallyAsync(
            async () => (await cluster.StatusAsync(0)).GetProperty("leaderId").GetString() == PeersCluster.IdOf(leader),
            "node-0 to follow the new leader");
        using var redirected = await cluster.Http.GetAsync(new Uri(cluster.Urls[0], "/kv/a?consistency=linearizable"));
        Assert.Equal(HttpStatusCode.BadRequest, redirected.StatusCode);
        var notLeader = await redirected.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(cluster.Urls[leader], new Uri(notLeader.GetProperty("leader").GetString()!));
        var fresh = await LinearizableAsync(cluster, leader, "a");
        Assert.Equal("new", fresh.GetProperty("value").GetString());
        Assert.Equal(newer, fresh.GetProperty("index").GetInt64());
    }

    [Fact]
    public async Task A_linearizable_read_on_the_leader_after_a_leader_change_shows_every_write_the_old_leader_answered_committed()
    {
        // Goal: writes answered by the previous leader count too. Method: 10 committed writes, stop the
        // leader, and read each key linearizably on the new leader as soon as it serves.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var old = await cluster.LeaderAsync();
        for (var i = 0; i < 10; i++)
        {
            using var written = await cluster.WriteAsync(old, $"k{i}", i);
            written.EnsureSuccessStatusCode();
        }

        await cluster.StopAsync(old);
        var leader = await cluster.LeaderAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i, (await LinearizableAsync(cluster, leader, $"k{i}")).GetProperty("value").GetInt32());
        }
    }

    private static async Task<JsonElement> LinearizableAsync(PeersCluster cluster, int node, string key)
    {
        using var response = await cluster.Http.GetAsync(new Uri(cluster.Urls[node], $"/kv/{key}?consistency=linearizable&waitMs=5000"));
        Assert.True(response.IsSuccessStatusCode, $"linearizable read of {key} on node-{node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
