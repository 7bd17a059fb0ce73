using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Cluster.Tests.Observability;
using LeaderKv.Cluster.Tests.Security;
using LeaderKv.Node.Configuration;
using LeaderKv.Storage;
using Microsoft.Extensions.Logging;

namespace LeaderKv.Cluster.Tests.DiskFull;

/// <summary>
/// Issue 12 end to end in process: a disk that fills (injected through the storage layer's seam,
/// <see cref="StorageFaults"/>, with writes that fail midway) gives 507s and an alarm while reads go
/// on, writes resume by themselves once space is back, and nothing acknowledged is lost; a follower
/// whose disk fills is shown disk-full and counts toward no quorum; a failed fsync stops the node;
/// the data quota refuses growth past MAX_DATA_BYTES.
/// </summary>
public class DiskFullTests
{
    private static DurabilitySettings OnDisk(TempDirectory directory) => new() { DataDirectory = directory.Path, Fsync = FsyncPolicy.Always, SnapshotEvery = 0 };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> WriteAsync(TestCluster cluster, string key, object value)
    {
        using var response = await cluster.WriteAsync(key, value);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string? ProblemType(JsonElement body) => body.TryGetProperty("type", out var type) ? type.GetString() : null;

    [Fact]
    public async Task A_leader_whose_disk_fills_answers_507_serves_reads_raises_the_alarm_and_takes_writes_again_when_space_returns()
    {
        // Method: leader and two followers on disk, W = 1. The leader's disk fills with a little room
        // left, so the next log write fails midway. Writes get 507 disk-full and none of them appears
        // anywhere; reads, /status and /health go on; the alarm shows in /status, /health (degraded) and
        // /metrics and is logged once. Space returns: with no restart the next writes commit.
        using var directory = new TempDirectory();
        var leaderDisk = new StorageFaults();
        var logs = new CapturedLogs();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 2,
            Quorum = 1,
            Durability = OnDisk(directory),
            FileSystems = node => node == "leader" ? leaderDisk : null,
            LeaderServices = logs.AddTo,
        });
        var acknowledged = new Dictionary<string, int>();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await WriteAsync(cluster, $"k{i}", i)).Status);
            acknowledged[$"k{i}"] = i;
        }

        leaderDisk.Fill(bytesLeft: 20);
        for (var i = 0; i < 5; i++)
        {
            var (status, body) = await WriteAsync(cluster, $"refused{i}", i);
            Assert.Equal(HttpStatusCode.InsufficientStorage, status);
            Assert.Equal("https://leaderkv.dev/problems/disk-full", ProblemType(body));
            Assert.Equal("rejected", body.GetProperty("outcome").GetString());
        }

        Assert.True(leaderDisk.SpaceRefusals >= 1);
        Assert.Equal(4, (await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Leader, "/kv/k4"))).GetProperty("value").GetInt32());
        var leaderStatus = await cluster.StatusAsync(cluster.Leader);
        Assert.Equal("leader", leaderStatus.GetProperty("role").GetString());
        Assert.Contains("disk-full", leaderStatus.GetProperty("alarms").EnumerateArray().Select(a => a.GetString()));
        using (var health = await cluster.Http.GetAsync(new Uri(cluster.Leader, "/health")))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("degraded", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        var scrape = await Scrape.FromAsync(cluster.Http, cluster.Leader);
        Assert.Equal(1, scrape["leaderkv_storage_full"]);
        Assert.Equal(1, scrape["leaderkv_storage_full_episodes_total"]);

        leaderDisk.Free();
        await TestCluster.EventuallyAsync(async () => (await WriteAsync(cluster, "after", 1)).Status == HttpStatusCode.OK, "a write to commit once the disk has room");
        acknowledged["after"] = 1;
        Assert.Empty((await cluster.StatusAsync(cluster.Leader)).GetProperty("alarms").EnumerateArray());
        await cluster.WaitForConvergenceAsync();
        foreach (var node in cluster.Followers.Prepend(cluster.Leader))
        {
            var data = await cluster.DataAsync(node);
            Assert.All(acknowledged, pair => Assert.Equal(pair.Value, data[pair.Key].GetInt32()));
            Assert.DoesNotContain(data.Keys, key => key.StartsWith("refused", StringComparison.Ordinal));
        }

        Assert.Single(logs.Lines, line => line.Message.Contains("Disk full in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_the_leader_acknowledged_before_its_disk_filled_survive_a_restart_after_it()
    {
        // Method: the disk fills mid-write, space returns, more writes, then the leader restarts from its
        // data directory: every acknowledged write is back and no refused one, and indexes go on.
        using var directory = new TempDirectory();
        var leaderDisk = new StorageFaults();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Quorum = 1,
            Durability = OnDisk(directory),
            FileSystems = node => node == "leader" ? leaderDisk : null,
        });
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(cluster, "before", 1)).Status);
        leaderDisk.Fill(bytesLeft: 10);
        Assert.Equal(HttpStatusCode.InsufficientStorage, (await WriteAsync(cluster, "refused", 2)).Status);
        leaderDisk.Free();
        await TestCluster.EventuallyAsync(async () => (await WriteAsync(cluster, "after", 3)).Status == HttpStatusCode.OK, "a write to commit once the disk has room");

        await cluster.RestartLeaderAsync();

        var data = await cluster.DataAsync(cluster.Leader);
        Assert.Equal(1, data["before"].GetInt32());
        Assert.Equal(3, data["after"].GetInt32());
        Assert.False(data.ContainsKey("refused"));
    }

    [Fact]
    public async Task A_follower_whose_disk_fills_is_shown_disk_full_counts_toward_no_quorum_and_catches_up_when_space_returns()
    {
        // Method: a leader with one follower, W = 1 (the report). The follower's disk fills: the
        // leader lists it as disk-full (not down) and refuses writes at once with 503 quorum-unreachable
        // (nothing written) instead of waiting; the follower serves reads. Space returns: without a
        // restart the follower catches up and writes commit again; nothing acknowledged is lost.
        using var directory = new TempDirectory();
        var followerDisk = new StorageFaults();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Quorum = 1,
            Durability = OnDisk(directory),
            FileSystems = node => node == "follower-1" ? followerDisk : null,
        });
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(cluster, "before", 1)).Status);
        followerDisk.Fill(bytesLeft: 30);

        await TestCluster.EventuallyAsync(
            async () =>
            {
                var (status, body) = await WriteAsync(cluster, "during", 2);
                Assert.NotEqual(HttpStatusCode.OK, status);
                return status == HttpStatusCode.ServiceUnavailable && ProblemType(body) == "https://leaderkv.dev/problems/quorum-unreachable";
            },
            "the leader to refuse writes at once while its only follower's disk is full");
        var follower = (await cluster.StatusAsync(cluster.Leader)).GetProperty("followers")[0];
        Assert.Equal("disk-full", follower.GetProperty("state").GetString());
        Assert.Equal(1, (await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Followers[0], "/kv/before"))).GetProperty("value").GetInt32());
        Assert.Contains("disk-full", (await cluster.StatusAsync(cluster.Followers[0])).GetProperty("alarms").EnumerateArray().Select(a => a.GetString()));
        using (var health = await cluster.Http.GetAsync(new Uri(cluster.Leader, "/health")))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("degraded", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        Assert.Equal(1, (await Scrape.FromAsync(cluster.Http, cluster.Leader))["leaderkv_follower_disk_full{follower=\"" + cluster.Followers[0].ToString().TrimEnd('/') + "\"}"]);

        followerDisk.Free();
        await TestCluster.EventuallyAsync(async () => (await WriteAsync(cluster, "after", 3)).Status == HttpStatusCode.OK, "writes to commit once the follower has room");
        Assert.Equal("streaming", (await cluster.StatusAsync(cluster.Leader)).GetProperty("followers")[0].GetProperty("state").GetString());
        await cluster.WaitForConvergenceAsync();
        var data = await cluster.DataAsync(cluster.Followers[0]);
        Assert.Equal(1, data["before"].GetInt32());
        Assert.Equal(3, data["after"].GetInt32());
        Assert.Equal(await cluster.DataAsync(cluster.Leader), data, new JsonDataComparer());
    }

    [Fact]
    public async Task A_failed_fsync_on_the_leader_stops_it_and_the_waiting_write_gets_503_not_500()
    {
        // Method: the leader's fsync fails (EIO). After a failed fsync what is on disk is unknown, so the
        // node stops, as PostgreSQL does; the write that was waiting is answered 503 node-stopping with
        // its index (outcome unknown), /health says stopping and later writes are refused with 503. (The
        // process exits then; an in-process host is stopped by the test, so only the signs are checked.)
        using var directory = new TempDirectory();
        var leaderDisk = new StorageFaults();
        var logs = new CapturedLogs();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Quorum = 1,
            Durability = OnDisk(directory),
            FileSystems = node => node == "leader" ? leaderDisk : null,
            LeaderServices = logs.AddTo,
        });
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(cluster, "before", 1)).Status);
        leaderDisk.FsyncFails = true;

        var (status, body) = await WriteAsync(cluster, "during", 2);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("https://leaderkv.dev/problems/node-stopping", ProblemType(body));
        Assert.Equal("unknown", body.GetProperty("outcome").GetString());
        Assert.True(leaderDisk.FsyncFailures >= 1);
        Assert.True(logs.Contains(LogLevel.Critical, "Storage failed, the node stops"));
        using (var health = await cluster.Http.GetAsync(new Uri(cluster.Leader, "/health")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("stopping", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        var (later, laterBody) = await WriteAsync(cluster, "later", 3);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, later);
        Assert.Equal("rejected", laterBody.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_leader_refuses_growth_past_the_data_quota_with_507_and_takes_writes_that_shrink_the_data()
    {
        // Method: MAX_DATA_BYTES = 2000; a 1500-byte value fits, another key of 600 does not (507 with
        // the quota and the size), a shorter value for the first key does, and then the second fits.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1, MaxDataBytes = 2000 });
        var big = new string('x', 1497);
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(cluster, "a", big)).Status);

        var (status, body) = await WriteAsync(cluster, "b", new string('y', 600));
        Assert.Equal(HttpStatusCode.InsufficientStorage, status);
        Assert.Equal("https://leaderkv.dev/problems/quota-exceeded", ProblemType(body));
        Assert.Equal(2000, body.GetProperty("quota").GetInt64());
        Assert.Equal(1 + 1499, body.GetProperty("size").GetInt64());
        var leader = await cluster.StatusAsync(cluster.Leader);
        Assert.Equal(1500, leader.GetProperty("dataBytes").GetInt64());
        Assert.Equal(2000, leader.GetProperty("maxDataBytes").GetInt64());
        Assert.Equal(1500, (await Scrape.FromAsync(cluster.Http, cluster.Leader))["leaderkv_data_bytes"]);

        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(cluster, "a", "short")).Status);
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(cluster, "b", new string('y', 600))).Status);
        Assert.False((await cluster.DataAsync(cluster.Leader)).ContainsKey("c"));
    }

    [Fact]
    public async Task PUT_past_the_data_quota_gets_507_and_DELETE_is_taken_and_makes_room()
    {
        // Goal: WriteAnswers gives PUT and DELETE the same 507 as /write, and a full table can be
        // emptied. Method: MAX_DATA_BYTES = 2000 filled by "a"; PUT /kv/b does not fit; DELETE /kv/a is
        // taken (a delete never grows the data); then PUT /kv/b fits.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1, MaxDataBytes = 2000 });
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(cluster, "a", new string('x', 1497))).Status);
        var value = JsonContent.Create(new string('y', 600));

        using (var refused = await cluster.Http.PutAsync(new Uri(cluster.Leader, "/kv/b"), value))
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
            var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("https://leaderkv.dev/problems/quota-exceeded", ProblemType(body));
            Assert.Equal(1 + 602, body.GetProperty("growth").GetInt64());
        }

        using (var deleted = await cluster.Http.DeleteAsync(new Uri(cluster.Leader, "/kv/a")))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        Assert.Equal(0, (await cluster.StatusAsync(cluster.Leader)).GetProperty("dataBytes").GetInt64());
        using (var taken = await cluster.Http.PutAsync(new Uri(cluster.Leader, "/kv/b"), JsonContent.Create(new string('y', 600))))
        {
            Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        }

        Assert.Equal(1 + 602, (await cluster.StatusAsync(cluster.Leader)).GetProperty("dataBytes").GetInt64());
    }
}
