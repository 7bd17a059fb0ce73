using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Node.Configuration;
using LeaderKv.Storage;

namespace LeaderKv.Cluster.Tests;

/// <summary>
/// Recovery and catch-up wiring with in-process nodes: restarts here are clean stops, so these
/// check what is rebuilt and from where; the kill -9 cases live in LeaderKv.FaultTests.
/// </summary>
public class DurabilityTests
{
    private static DurabilitySettings OnDisk(TempDirectory directory, int tail = 100_000, int snapshotEvery = 0, long segmentBytes = 64L * 1024 * 1024) => new()
    {
        DataDirectory = directory.Path,
        Fsync = FsyncPolicy.Never,
        LogTailEntries = tail,
        SnapshotEvery = snapshotEvery,
        SegmentBytes = segmentBytes,
    };

    private static async Task WriteManyAsync(TestCluster cluster, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            (await cluster.WriteAsync($"k{i % 7}", i)).EnsureSuccessStatusCode();
        }
    }

    private static async Task<long> DurabilityNumberAsync(TestCluster cluster, Uri node, string name) =>
        (await cluster.StatusAsync(node)).GetProperty("durability").GetProperty(name).GetInt64();

    [Fact]
    public async Task A_restarted_leader_serves_its_data_and_continues_the_index_sequence()
    {
        // Goal: recovery rebuilds the table and the next write never reuses an index.
        using var directory = new TempDirectory();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 2, Durability = OnDisk(directory) });
        await WriteManyAsync(cluster, 0, 20);
        var before = await cluster.DataAsync(cluster.Leader);

        await cluster.RestartLeaderAsync();

        Assert.Equal(before, await cluster.DataAsync(cluster.Leader), new JsonDataComparer());
        var next = await (await cluster.WriteAsync("after", 1)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(21, next.GetProperty("index").GetInt64());
        await cluster.WaitForConvergenceAsync();
        Assert.Equal(await cluster.DataAsync(cluster.Leader), await cluster.DataAsync(cluster.Followers[1]), new JsonDataComparer());
    }

    [Fact]
    public async Task A_restarted_durable_follower_resumes_from_its_recovered_index_without_a_snapshot()
    {
        using var directory = new TempDirectory();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 1, Durability = OnDisk(directory) });
        await WriteManyAsync(cluster, 0, 30);
        await cluster.WaitForConvergenceAsync();
        await cluster.StopFollowerAsync(1);
        await WriteManyAsync(cluster, 30, 30);

        await cluster.RestartFollowerAsync(1);

        // Straight after start-up, before the leader has sent anything: its own log brought it to 30.
        Assert.True(await DurabilityNumberAsync(cluster, cluster.Followers[1], "logLastIndex") >= 30);
        Assert.True((await cluster.StatusAsync(cluster.Followers[1])).GetProperty("appliedThrough").GetInt64() >= 30);
        await cluster.WaitForConvergenceAsync();
        Assert.Equal(await cluster.DataAsync(cluster.Leader), await cluster.DataAsync(cluster.Followers[1]), new JsonDataComparer());
        Assert.Equal(0, await DurabilityNumberAsync(cluster, cluster.Followers[1], "snapshotsInstalled"));
    }

    [Fact]
    public async Task Without_a_data_directory_a_follower_behind_the_tail_is_rebuilt_by_snapshot_transfer()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 2,
            Quorum = 1,
            Durability = DurabilitySettings.InMemory with { LogTailEntries = 10 },
        });
        await WriteManyAsync(cluster, 0, 10);
        await cluster.StopFollowerAsync(1);
        await WriteManyAsync(cluster, 10, 50);

        await cluster.RestartFollowerAsync(1);
        await cluster.WaitForConvergenceAsync();
        await WriteManyAsync(cluster, 60, 5);
        await cluster.WaitForConvergenceAsync();

        Assert.Equal(await cluster.DataAsync(cluster.Leader), await cluster.DataAsync(cluster.Followers[1]), new JsonDataComparer());
        Assert.Equal(1, await DurabilityNumberAsync(cluster, cluster.Followers[1], "snapshotsInstalled"));
    }

    [Fact]
    public async Task A_durable_follower_behind_the_compacted_log_gets_the_snapshot_file_and_keeps_it_across_a_restart()
    {
        // Method: 4 KiB segments and a snapshot every 20 entries, so the leader deletes the segments
        // the stopped follower needs; it must be sent the snapshot, store it, and recover from it.
        using var directory = new TempDirectory();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 2,
            Quorum = 1,
            Durability = OnDisk(directory, tail: 10, snapshotEvery: 20, segmentBytes: StorageLimits.MinSegmentBytes),
        });
        await cluster.StopFollowerAsync(1);
        await WriteManyAsync(cluster, 0, 300);
        await TestCluster.EventuallyAsync(async () => await DurabilityNumberAsync(cluster, cluster.Leader, "logFirstIndex") > 1, "the leader to compact its log");

        await cluster.RestartFollowerAsync(1);
        await cluster.WaitForConvergenceAsync();

        // At least one: a snapshot the leader writes while the first is in transfer may compact the entries right after it.
        // The follower shows the snapshot's state as soon as it takes it; it is stored a moment later, before the follower answers.
        await TestCluster.EventuallyAsync(async () => await DurabilityNumberAsync(cluster, cluster.Followers[1], "snapshotsInstalled") >= 1, "the follower to store the snapshot");
        Assert.True(await DurabilityNumberAsync(cluster, cluster.Followers[1], "snapshotIndex") > 0);
        await cluster.StopFollowerAsync(1);
        await cluster.RestartFollowerAsync(1);
        Assert.True((await cluster.StatusAsync(cluster.Followers[1])).GetProperty("appliedThrough").GetInt64() >= 300);
        Assert.Equal(await cluster.DataAsync(cluster.Leader), await cluster.DataAsync(cluster.Followers[1]), new JsonDataComparer());
    }
}
