using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace LeaderKv.FaultTests;

/// <summary>
/// Issue 12 on a real file system: the leader's data directory on a tmpfs of a few MiB that the
/// test mounts (as root; without the right to mount, the test says why in its output and checks
/// nothing), real node processes, 10 KB values until the disk is full.
/// </summary>
[Trait("Category", "Fault")]
public class DiskFullProcessTests(ITestOutputHelper output)
{
    private const long SmallDisk = 4L * 1024 * 1024;
    private const long GrownDisk = 32L * 1024 * 1024;

    [Fact]
    public async Task A_leader_on_a_full_file_system_answers_507_keeps_serving_reads_and_resumes_writes_when_the_file_system_grows()
    {
        // Method: a leader and one follower, W = 1, FSYNC=always, 1 MiB log segments; the leader's
        // DATA_DIR is a 4 MiB tmpfs. Write 10 KB values until a write gets 507: every answer before is
        // 200, none is a 500; the leader process lives, serves reads and shows the alarm; more writes
        // get 507. Then the file system grows to 32 MiB: without any restart writes commit again, and
        // every acknowledged write is on both nodes.
        using var mount = TmpfsMount.TryMount(SmallDisk, out var whyNot);
        if (mount is null)
        {
            output.WriteLine($"Not run: {whyNot}. The in-process disk-full tests (LeaderKv.Cluster.Tests/DiskFull) cover the same rules through the storage fault seam.");
            return;
        }

        using var cluster = ProcessCluster.Create(
            followers: 1,
            quorum: 1,
            leaderEnvironment: new() { ["DATA_DIR"] = Path.Combine(mount.Path, "leader"), ["FSYNC"] = "always", ["WAL_SEGMENT_BYTES"] = "1048576" });
        await cluster.StartAllAsync();
        var value = new string('v', 10_000);
        var acknowledged = new List<int>();
        var full = false;
        for (var i = 0; i < 2_000 && !full; i++)
        {
            var (status, body) = await WriteAsync(cluster, i, value);
            if (status == HttpStatusCode.OK)
            {
                acknowledged.Add(i);
                continue;
            }

            Assert.True(status == HttpStatusCode.InsufficientStorage, $"write {i} got {(int)status} {body}, not 200 or 507\n{cluster.Leader.Output}");
            Assert.Equal("https://leaderkv.dev/problems/disk-full", body.GetProperty("type").GetString());
            full = true;
        }

        output.WriteLine($"{acknowledged.Count} writes acknowledged before the disk filled:\n{mount.Usage()}");
        Assert.True(full, "4 MiB never filled");
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} writes fit");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, (await WriteAsync(cluster, 10_000 + i, value)).Status);
        }

        Assert.True(cluster.Leader.IsRunning, $"the leader stopped:\n{cluster.Leader.Output}");
        var first = await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Leader.Url, $"/kv/w{acknowledged[0]}"));
        Assert.Equal(value, first.GetProperty("value").GetString());
        var leaderStatus = await cluster.StatusAsync(cluster.Leader);
        Assert.Contains("disk-full", leaderStatus.GetProperty("alarms").EnumerateArray().Select(a => a.GetString()));

        mount.Resize(GrownDisk);
        await ProcessCluster.EventuallyAsync(
            async () => (await WriteAsync(cluster, 20_000, value)).Status == HttpStatusCode.OK,
            "a write to commit after the file system grew",
            () => cluster.Leader.Output);
        acknowledged.Add(20_000);
        for (var i = 20_001; i < 20_050; i++)
        {
            var (status, body) = await WriteAsync(cluster, i, value);
            Assert.True(status == HttpStatusCode.OK, $"write {i} after the file system grew got {(int)status} {body}");
            acknowledged.Add(i);
        }

        Assert.Empty((await cluster.StatusAsync(cluster.Leader)).GetProperty("alarms").EnumerateArray());
        Assert.True(cluster.Leader.IsRunning);
        await cluster.AssertConvergedAsync();
        foreach (var node in cluster.Nodes)
        {
            await AssertHoldsAsync(cluster, node, acknowledged, value);
        }

        // Refused writes are nowhere.
        Assert.DoesNotContain((await cluster.DataAsync(cluster.Leader)).Keys, key => key.StartsWith("w1000", StringComparison.Ordinal) && key.Length == 6);
    }

    [Fact]
    public async Task A_leader_and_follower_on_full_file_systems_stay_up_and_resume_when_both_grow()
    {
        // Method: the report: a leader and one follower, W = 1, FSYNC=always, each DATA_DIR on its
        // own 4 MiB tmpfs, 10 KB values until writes stop committing. Whichever disk fills first, every
        // answer is 200, 507 (leader's disk full), 503 (the follower's disk is full: no quorum) or 500
        // (unknown: logged on the leader, refused by the follower), never a framework error, and neither
        // process stops. Then both grow: writes commit again with no restart, and nothing acknowledged is lost.
        using var leaderMount = TmpfsMount.TryMount(SmallDisk, out var whyNot);
        using var followerMount = leaderMount is null ? null : TmpfsMount.TryMount(SmallDisk, out whyNot);
        if (leaderMount is null || followerMount is null)
        {
            output.WriteLine($"Not run: {whyNot}.");
            return;
        }

        using var cluster = ProcessCluster.Create(
            followers: 1,
            quorum: 1,
            leaderEnvironment: new() { ["DATA_DIR"] = Path.Combine(leaderMount.Path, "leader"), ["FSYNC"] = "always", ["WRITE_TIMEOUT"] = "3000" },
            followerEnvironment: new() { ["DATA_DIR"] = Path.Combine(followerMount.Path, "follower-1"), ["FSYNC"] = "always" });
        await cluster.StartAllAsync();
        var value = new string('v', 10_000);
        var acknowledged = new List<int>();
        var refusals = 0;
        for (var i = 0; i < 2_000 && refusals < 10; i++)
        {
            var (status, body) = await WriteAsync(cluster, i, value);
            if (status == HttpStatusCode.OK)
            {
                acknowledged.Add(i);
                continue;
            }

            var type = body.TryGetProperty("type", out var t) ? t.GetString() : null;
            Assert.True(
                type is "https://leaderkv.dev/problems/disk-full" or "https://leaderkv.dev/problems/quorum-unreachable" or "https://leaderkv.dev/problems/quorum-not-met",
                $"write {i} got {(int)status} {body}");
            refusals++;
        }

        output.WriteLine($"{acknowledged.Count} writes acknowledged, then {refusals} refused.\nleader: {leaderMount.Usage()}\nfollower: {followerMount.Usage()}");
        Assert.Equal(10, refusals);
        Assert.True(cluster.Leader.IsRunning && cluster.Followers[0].IsRunning, $"a node stopped:\n{cluster.Leader.Output}\n{cluster.Followers[0].Output}");
        Assert.Equal(value, (await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Followers[0].Url, $"/kv/w{acknowledged[0]}"))).GetProperty("value").GetString());

        leaderMount.Resize(GrownDisk);
        followerMount.Resize(GrownDisk);
        await ProcessCluster.EventuallyAsync(
            async () => (await WriteAsync(cluster, 20_000, value)).Status == HttpStatusCode.OK,
            "a write to commit after both file systems grew",
            () => cluster.Leader.Output + cluster.Followers[0].Output);
        acknowledged.Add(20_000);
        await cluster.AssertConvergedAsync();
        foreach (var node in cluster.Nodes)
        {
            await AssertHoldsAsync(cluster, node, acknowledged, value);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> WriteAsync(ProcessCluster cluster, int i, string value)
    {
        using var response = await cluster.Http.PostAsJsonAsync(new Uri(cluster.Leader.Url, "/write"), new { key = $"w{i}", value });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static async Task AssertHoldsAsync(ProcessCluster cluster, NodeProcess node, List<int> acknowledged, string value)
    {
        var data = await cluster.DataAsync(node);
        var expected = JsonSerializer.Serialize(value);
        var missing = acknowledged.Where(i => !data.TryGetValue($"w{i}", out var held) || held != expected).ToList();
        Assert.True(missing.Count == 0, $"{node.Name} lost {missing.Count} acknowledged writes, e.g. w{missing.FirstOrDefault()}");
    }
}
