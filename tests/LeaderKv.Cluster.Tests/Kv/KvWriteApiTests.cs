using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LeaderKv.Cluster.Tests.Kv;

/// <summary>
/// PUT and DELETE /kv/{key} as a client sees them: versions as ETags, compare-and-set with If-Match and
/// If-None-Match (412 with the current index), deletes that every node applies, idempotent retries, bad
/// headers refused with 400, and expiry decided by the leader's (fake) clock.
/// </summary>
public class KvWriteApiTests
{
    [Fact]
    public async Task A_put_gives_a_version_that_get_returns_as_etag_and_only_a_put_naming_it_replaces_the_value()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 1 });
        using var created = await PutAsync(cluster, "k", "1", ("If-None-Match", "*"));
        var version = Index(created);
        using var read = await cluster.Http.GetAsync(new Uri(cluster.Leader, "/kv/k"));

        using var stale = await PutAsync(cluster, "k", "2", ("If-Match", $"\"{version + 10}\""));
        using var again = await PutAsync(cluster, "k", "3", ("If-None-Match", "*"));
        using var fresh = await PutAsync(cluster, "k", "4", ("If-Match", $"\"{version}\""));

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal($"\"{version}\"", created.Headers.ETag!.Tag);
        Assert.Equal($"\"{version}\"", read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var problem = await stale.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(version, problem.GetProperty("currentIndex").GetInt64());
        Assert.EndsWith("/precondition-failed", problem.GetProperty("type").GetString());
        Assert.Equal("committed", problem.GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal($"\"{Index(fresh)}\"", fresh.Headers.ETag!.Tag);
        await cluster.WaitForConvergenceAsync();
        foreach (var node in cluster.Followers.Append(cluster.Leader))
        {
            Assert.Equal(4, (await cluster.DataAsync(node))["k"].GetInt32());
        }
    }

    [Fact]
    public async Task A_delete_removes_the_key_from_every_node_and_says_whether_it_existed()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 1 });
        using var put = await PutAsync(cluster, "gone", "{\"a\":1}");
        using var keep = await PutAsync(cluster, "kept", "2");

        using var guarded = await cluster.Http.SendAsync(Request(HttpMethod.Delete, cluster.Leader, "/kv/gone", null, ("If-Match", $"\"{Index(put) + 1}\"")));
        using var deleted = await cluster.Http.SendAsync(Request(HttpMethod.Delete, cluster.Leader, "/kv/gone", null, ("If-Match", $"\"{Index(put)}\"")));
        using var missing = await cluster.Http.DeleteAsync(new Uri(cluster.Leader, "/kv/gone"));

        Assert.Equal(HttpStatusCode.PreconditionFailed, guarded.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.True((await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("existed").GetBoolean());
        Assert.False((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("existed").GetBoolean());
        await cluster.WaitForConvergenceAsync();
        foreach (var node in cluster.Followers.Append(cluster.Leader))
        {
            var data = await cluster.DataAsync(node);
            Assert.False(data.ContainsKey("gone"));
            Assert.True(data.ContainsKey("kept"));
            using var get = await cluster.Http.GetAsync(new Uri(node, "/kv/gone"));
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }
    }

    [Fact]
    public async Task A_repeated_idempotency_key_gets_the_first_answer_and_a_reused_one_for_another_write_is_422()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });
        var body = new { key = "k", value = 1 };

        using var first = await cluster.Http.SendAsync(Request(HttpMethod.Post, cluster.Leader, "/write", JsonSerializer.Serialize(body), ("Idempotency-Key", "req-1")));
        using var retry = await cluster.Http.SendAsync(Request(HttpMethod.Post, cluster.Leader, "/write", JsonSerializer.Serialize(body), ("Idempotency-Key", "req-1")));
        using var reused = await cluster.Http.SendAsync(Request(HttpMethod.Post, cluster.Leader, "/write", """{"key":"k","value":2}""", ("Idempotency-Key", "req-1")));
        var status = await cluster.StatusAsync(cluster.Leader);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(Index(first), Index(retry));
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal(Index(first), status.GetProperty("lastIndex").GetInt64());
    }

    [Theory]
    [InlineData("If-Match", "abc")]
    [InlineData("If-Match", "W/\"3\"")]
    [InlineData("If-Match", "\"1\", \"2\"")]
    [InlineData("If-None-Match", "\"3\"")]
    [InlineData("Idempotency-Key", "has space")]
    public async Task A_malformed_condition_or_idempotency_key_is_refused_with_400_and_nothing_is_written(string header, string value)
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });

        using var response = await PutAsync(cluster, "k", "1", (header, value));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, (await cluster.StatusAsync(cluster.Leader)).GetProperty("lastIndex").GetInt64());
    }

    [Theory]
    [InlineData("/kv/k?ttl=0")]
    [InlineData("/kv/k?ttl=soon")]
    [InlineData("/write?ttl=-1")]
    public async Task A_bad_ttl_is_refused_with_400(string path)
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });
        var body = path.StartsWith("/write", StringComparison.Ordinal) ? """{"key":"k","value":1}""" : "1";
        var method = path.StartsWith("/write", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Put;

        using var response = await cluster.Http.SendAsync(Request(method, cluster.Leader, path, body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_put_or_delete_on_a_follower_is_not_leader_with_the_leaders_url()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });

        using var put = await cluster.Http.SendAsync(Request(HttpMethod.Put, cluster.Followers[0], "/kv/k", "1"));
        using var delete = await cluster.Http.DeleteAsync(new Uri(cluster.Followers[0], "/kv/k"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.EndsWith("/not-leader", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    /// <summary>Goal: the leader's clock decides expiry and every node deletes the key. Method: a fake leader clock, ttl=5, then time moves.</summary>
    [Fact]
    public async Task A_key_with_a_ttl_disappears_from_every_node_once_the_leaders_clock_passes_its_deadline()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 2,
            Quorum = 1,
            LeaderClock = clock,
            LeaderServices = services => services.AddSingleton<TimeProvider>(clock),
        });
        using var put = await cluster.Http.SendAsync(Request(HttpMethod.Put, cluster.Leader, "/kv/session?ttl=5", "\"token\""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await cluster.WaitForConvergenceAsync();

        // Four seconds on: nothing is due yet, so no expiry entry enters the log.
        var before = (await cluster.StatusAsync(cluster.Leader)).GetProperty("lastIndex").GetInt64();
        for (var i = 0; i < 40; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        await cluster.WaitForConvergenceAsync();
        Assert.Equal(before, (await cluster.StatusAsync(cluster.Leader)).GetProperty("lastIndex").GetInt64());
        Assert.True((await cluster.DataAsync(cluster.Leader)).ContainsKey("session"));

        foreach (var node in cluster.Followers.Append(cluster.Leader))
        {
            await TestCluster.EventuallyAsync(
                async () =>
                {
                    clock.Advance(TimeSpan.FromMilliseconds(100));
                    return !(await cluster.DataAsync(node)).ContainsKey("session");
                },
                $"{node} to drop the expired key");
        }
    }

    private static Task<HttpResponseMessage> PutAsync(TestCluster cluster, string key, string json, params (string Name, string Value)[] headers) =>
        cluster.Http.SendAsync(Request(HttpMethod.Put, cluster.Leader, $"/kv/{key}", json, headers));

    private static HttpRequestMessage Request(HttpMethod method, Uri node, string path, string? json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, new Uri(node, path));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static long Index(HttpResponseMessage response) =>
        JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("index").GetInt64();
}
