using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LeaderKv.Cluster.Tests.Failover;

namespace LeaderKv.Cluster.Tests.Kv;

/// <summary>
/// Compare-and-set, idempotent retries and expiry across a leader change in a six-node PEERS cluster:
/// versions, verdicts, idempotency records and deadlines are in the replicated state, so the next
/// leader decides as the last one would have.
/// </summary>
[Collection(FailoverCollection.Name)]
public class KvLeaderChangeTests
{
    [Fact]
    public async Task Two_racing_compare_and_sets_leave_one_winner_on_every_node_and_the_next_leader_honours_its_version()
    {
        // Goal: the CAS verdict is the same everywhere, before and after a failover. Method: two CAS on one version at once; stop the leader; CAS again.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var leader = await cluster.LeaderAsync();
        var version = await IndexOfAsync(await PutAsync(cluster, leader, "lock", "\"free\""));

        var racing = await Task.WhenAll(
            PutAsync(cluster, leader, "lock", "\"alice\"", ("If-Match", $"\"{version}\"")),
            PutAsync(cluster, leader, "lock", "\"bob\"", ("If-Match", $"\"{version}\"")));
        var winner = Assert.Single(racing, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(racing, r => r.StatusCode == HttpStatusCode.PreconditionFailed);
        var won = await IndexOfAsync(winner);
        Assert.Equal(won, (await loser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("currentIndex").GetInt64());
        foreach (var node in cluster.Running.Where(n => n != leader))
        {
            await cluster.ConvergedAsync(node, leader);
        }

        var values = new HashSet<string?>();
        foreach (var node in cluster.Running)
        {
            values.Add((await cluster.ReadAsync(node, "lock"))?.GetString());
        }

        await cluster.StopAsync(leader);
        var next = await cluster.LeaderAsync();
        using var stale = await PutAsync(cluster, next, "lock", "\"carol\"", ("If-Match", $"\"{version}\""));
        using var current = await PutAsync(cluster, next, "lock", "\"free\"", ("If-Match", $"\"{won}\""));

        Assert.Single(values);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task An_idempotent_retry_on_the_next_leader_answers_the_first_write_and_does_not_write_twice()
    {
        // Goal: a client that lost the answer can retry on the new leader safely. Method: write with a key, stop the leader, retry.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var leader = await cluster.LeaderAsync();
        using var first = await PutAsync(cluster, leader, "counter", "1", ("Idempotency-Key", "incr-7"));
        var index = await IndexOfAsync(first);
        await cluster.ConvergedAsync((leader + 1) % cluster.Count, leader);

        await cluster.StopAsync(leader);
        var next = await cluster.LeaderAsync();
        var lastBefore = (await cluster.StatusAsync(next)).GetProperty("lastIndex").GetInt64();
        using var retry = await PutAsync(cluster, next, "counter", "1", ("Idempotency-Key", "incr-7"));

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(index, await IndexOfAsync(retry));
        Assert.Equal(lastBefore, (await cluster.StatusAsync(next)).GetProperty("lastIndex").GetInt64());
        using var read = await cluster.Http.GetAsync(new Uri(cluster.Urls[next], "/kv/counter"));
        Assert.Equal($"\"{index}\"", read.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task A_key_whose_leader_stopped_before_its_deadline_is_expired_by_the_next_leader()
    {
        // Goal: expiry survives a leader change (the deadline is replicated). Method: ttl=1, stop the leader at once, wait on the others.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var leader = await cluster.LeaderAsync();
        using var put = await PutAsync(cluster, leader, "lease", "\"mine\"", query: "?ttl=1");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await cluster.ConvergedAsync((leader + 1) % cluster.Count, leader);

        await cluster.StopAsync(leader);
        var next = await cluster.LeaderAsync();

        foreach (var node in cluster.Running)
        {
            await PeersCluster.EventuallyAsync(async () => await cluster.ReadAsync(node, "lease") is null, $"{PeersCluster.IdOf(node)} to drop the expired key");
        }

        Assert.Contains(next, cluster.Running);
    }

    private static Task<HttpResponseMessage> PutAsync(PeersCluster cluster, int node, string key, string json, params (string Name, string Value)[] headers) =>
        PutAsync(cluster, node, key, json, string.Empty, headers);

    private static Task<HttpResponseMessage> PutAsync(PeersCluster cluster, int node, string key, string json, string query, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, new Uri(cluster.Urls[node], $"/kv/{key}{query}"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return cluster.Http.SendAsync(request);
    }

    private static async Task<long> IndexOfAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return body.GetProperty("index").GetInt64();
    }
}
