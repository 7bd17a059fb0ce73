using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LeaderKv.Cluster.Tests.Failover;

/// <summary>The seed's layout (no PEERS, in memory) has no elections, but a restarted leader must still keep what it acknowledged.</summary>
[Collection(FailoverCollection.Name)]
public class SeedLayoutRestartTests
{
    [Fact]
    public async Task A_restarted_in_memory_leader_keeps_every_acknowledged_write_and_its_next_write_reaches_every_follower()
    {
        // Goal: the bug issue 8 opened with (a restarted leader reused index 1 and its followers dropped it). Method: 40 writes, restart, check every node and the next index.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 3, Quorum = 2 });
        var acknowledged = new Dictionary<string, int>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await cluster.WriteAsync($"k{i}", i);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            acknowledged[$"k{i}"] = i;
        }

        await cluster.RestartLeaderAsync();

        AssertHolds(acknowledged, await cluster.DataAsync(cluster.Leader), "the restarted leader");
        using var next = await cluster.WriteAsync("next", 41);
        var body = await next.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(next.StatusCode == HttpStatusCode.OK, $"the first write after the restart answered {(int)next.StatusCode} {body}");
        Assert.Equal("committed", body.GetProperty("outcome").GetString());
        Assert.Equal(41, body.GetProperty("index").GetInt64());
        acknowledged["next"] = 41;

        await cluster.WaitForConvergenceAsync();
        foreach (var follower in cluster.Followers)
        {
            AssertHolds(acknowledged, await cluster.DataAsync(follower), follower.ToString());
        }
    }

    private static void AssertHolds(Dictionary<string, int> acknowledged, Dictionary<string, JsonElement> data, string node)
    {
        foreach (var (key, value) in acknowledged)
        {
            Assert.True(data.TryGetValue(key, out var held) && held.GetInt32() == value, $"{node} lacks the acknowledged write {key}={value}");
        }
    }
}
