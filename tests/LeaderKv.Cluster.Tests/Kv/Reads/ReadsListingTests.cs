using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LeaderKv.Cluster.Tests.Kv.Reads;

/// <summary><c>GET /kv</c>: keys with a prefix in ordinal order, a page at a time, with the index the listing reflects.</summary>
public class ReadsListingTests
{
    [Fact]
    public async Task Listing_pages_through_every_key_with_the_prefix_once_in_order_and_nothing_else()
    {
        // Goal: pagination loses, repeats and leaks nothing. Method: 25 keys under "user/" (written in
        // shuffled order) and a few others around them; list "user/" 10 at a time following "next".
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });
        var users = Enumerable.Range(0, 25).Select(i => $"user/{i:D2}").ToList();
        long last = 0;
        foreach (var key in users.OrderBy(k => k.GetHashCode(StringComparison.Ordinal)).Concat(["user", "usex", "a/user/1", "user0"]))
        {
            using var written = await cluster.WriteAsync(key, key.Length);
            written.EnsureSuccessStatusCode();
            last = (await written.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("index").GetInt64();
        }

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var query = "/kv?prefix=user/&limit=10" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            var page = await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Leader, query));
            pages++;
            Assert.True(page.GetProperty("index").GetInt64() >= last, "a listing after the writes reflects them");
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                var key = item.GetProperty("key").GetString()!;
                seen.Add(key);
                Assert.Equal(key.Length, item.GetProperty("value").GetInt32());
                Assert.True(item.GetProperty("index").GetInt64() > 0);
            }

            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (after is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(users.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task Listing_on_a_follower_is_its_applied_copy_and_linearizable_there_points_to_the_leader()
    {
        // Goal: local listings work on any node; linearizable ones only on the leader. Method: write, read the follower's listing with minIndex, then ask it for a linearizable one.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });
        using var written = await cluster.WriteAsync("k", "v");
        var index = (await written.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("index").GetInt64();
        var follower = cluster.Followers[0];

        var local = await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(follower, $"/kv?minIndex={index}"));
        using var linearizable = await cluster.Http.GetAsync(new Uri(follower, "/kv?consistency=linearizable"));
        var onLeader = await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Leader, "/kv?consistency=linearizable"));

        Assert.Equal("v", Assert.Single(local.GetProperty("items").EnumerateArray()).GetProperty("value").GetString());
        Assert.Equal("local", local.GetProperty("consistency").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, linearizable.StatusCode);
        var problem = await linearizable.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith("/not-leader", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal("v", Assert.Single(onLeader.GetProperty("items").EnumerateArray()).GetProperty("value").GetString());
        Assert.True(onLeader.GetProperty("index").GetInt64() >= index);
    }

    [Theory]
    [InlineData("/kv?limit=0", "limit")]
    [InlineData("/kv?limit=1001", "limit")]
    [InlineData("/kv?consistency=strong", "consistency")]
    [InlineData("/kv/k?consistency=eventual", "consistency")]
    [InlineData("/data?consistency=x", "consistency")]
    public async Task Bad_listing_and_consistency_parameters_get_a_validation_problem(string path, string field)
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });

        using var response = await cluster.Http.GetAsync(new Uri(cluster.Leader, path));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }
}
