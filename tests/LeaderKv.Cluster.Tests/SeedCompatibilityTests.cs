using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LeaderKv.Cluster.Tests;

/// <summary>The seed's clients must work unchanged: same paths, bodies, status codes and fields.</summary>
public class SeedCompatibilityTests
{
    [Fact]
    public async Task The_seeds_tests_py_scenario_ends_with_every_follower_equal_to_the_leader()
    {
        // Goal: the lab's integrity check passes. Method: tests.py's load (50 writes over 5 keys,
        // 5 at a time) with real random delays, then await convergence and compare full /data.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Quorum = 1,
            DelayMin = TimeSpan.Zero,
            DelayMax = TimeSpan.FromMilliseconds(5),
        });
        using var throttle = new SemaphoreSlim(5);
        var writes = Enumerable.Range(0, 50).Select(async i =>
        {
            await throttle.WaitAsync();
            try
            {
                using var response = await cluster.WriteAsync($"test_key_{i % 5}", $"test_op_{i}");
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("success", body.GetProperty("status").GetString());
                Assert.True(body.GetProperty("quorum_met").GetBoolean());
            }
            finally
            {
                throttle.Release();
            }
        });
        await Task.WhenAll(writes);

        await cluster.WaitForConvergenceAsync();

        var leaderData = await cluster.DataAsync(cluster.Leader);
        Assert.Equal(5, leaderData.Count);
        foreach (var follower in cluster.Followers)
        {
            var followerData = await cluster.DataAsync(follower);
            Assert.Equal(Render(leaderData), Render(followerData));
        }
    }

    [Fact]
    public async Task Write_to_a_follower_gets_the_seeds_400_and_names_the_leader()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1 });

        using var response = await cluster.WriteAsync("k", 1, cluster.Followers[0]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Only leader accepts writes", problem.GetProperty("detail").GetString());
        Assert.Empty(await cluster.DataAsync(cluster.Followers[0]));
    }

    [Fact]
    public async Task Replicate_to_the_leader_gets_the_seeds_400()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1 });

        using var response = await cluster.Http.PostAsJsonAsync(new Uri(cluster.Leader, "/replicate"), new { key = "k", value = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Leader cannot receive replication", problem.GetProperty("detail").GetString());
        Assert.Empty(await cluster.DataAsync(cluster.Leader));
    }

    [Fact]
    public async Task A_leader_without_followers_answers_written_local_only()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 0, Quorum = 0 });

        using var response = await cluster.WriteAsync("k", new { nested = new[] { 1, 2 } });

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("written_local_only", body.GetProperty("status").GetString());
        var data = await cluster.DataAsync(cluster.Leader);
        Assert.Equal("{\"nested\":[1,2]}", data["k"].GetRawText());
    }

    [Fact]
    public async Task Single_key_reads_return_the_value_and_its_index_or_404()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1 });
        (await cluster.WriteAsync("greeting", "hello")).EnsureSuccessStatusCode();

        var found = await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Leader, "/kv/greeting"));
        using var missing = await cluster.Http.GetAsync(new Uri(cluster.Leader, "/kv/absent"));

        Assert.Equal("hello", found.GetProperty("value").GetString());
        Assert.Equal(1, found.GetProperty("index").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static string Render(Dictionary<string, JsonElement> data) =>
        string.Join(",", data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.GetRawText()}"));
}
