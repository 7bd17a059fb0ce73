namespace LeaderKv.FaultTests;

/// <summary>
/// Real node processes killed with SIGKILL and restarted on the same data directory and port.
/// Each test asserts what users care about: no acknowledged write is lost and every node ends
/// with the same data. Waits are on observable state with a deadline, never on sleeps.
/// </summary>
[Trait("Category", "Fault")]
public class CrashRecoveryTests
{
    [Fact]
    public async Task A_follower_killed_mid_stream_catches_up_after_restart_and_equals_the_leader()
    {
        // Method: a stream of writes from 4 clients; follower 1 is killed while it runs and
        // restarted after more writes; follower 2 keeps the quorum of 1 met throughout.
        using var cluster = ProcessCluster.Create(followers: 2, quorum: 1);
        await cluster.StartAllAsync();
        var stream = cluster.WriteRangeAsync(0, 600);
        await ProcessCluster.EventuallyAsync(async () => (await cluster.StatusAsync(cluster.Leader)).GetProperty("lastIndex").GetInt64() >= 200, "200 writes");

        cluster.Followers[0].Kill();
        var acknowledged = await stream;
        acknowledged.AddRange(await cluster.WriteRangeAsync(600, 200));
        await cluster.StartAsync(cluster.Followers[0]);
        acknowledged.AddRange(await cluster.WriteRangeAsync(800, 100));

        Assert.Equal(900, acknowledged.Count);
        await cluster.AssertConvergedAsync();
        foreach (var node in cluster.Nodes)
        {
            await cluster.AssertHoldsAsync(node, acknowledged);
        }
    }

    [Fact]
    public async Task A_follower_killed_while_more_than_the_tail_is_written_is_rebuilt_by_snapshot_transfer()
    {
        // Method: a 20-entry in-memory tail, a snapshot every 50 entries and 4 KiB log segments, so
        // the leader deletes the entries the dead follower lacks; only a snapshot can bring it back.
        // With a cluster secret, so the transfer also passes the followers' signature check.
        var small = new Dictionary<string, string>
        {
            ["CLUSTER_SECRET"] = "fault-tests-cluster-secret-0123456789",
            ["LOG_TAIL_ENTRIES"] = "20",
            ["SNAPSHOT_EVERY"] = "50",
            ["WAL_SEGMENT_BYTES"] = "4096",
        };
        using var cluster = ProcessCluster.Create(followers: 2, quorum: 1, leaderEnvironment: small, followerEnvironment: small);
        await cluster.StartAllAsync();
        var acknowledged = await cluster.WriteRangeAsync(0, 100);

        cluster.Followers[0].Kill();
        acknowledged.AddRange(await cluster.WriteRangeAsync(100, 500));
        await ProcessCluster.EventuallyAsync(
            async () => (await cluster.StatusAsync(cluster.Leader)).GetProperty("durability").GetProperty("logFirstIndex").GetInt64() > 100,
            "the leader to compact its log past what follower-1 holds");
        await cluster.StartAsync(cluster.Followers[0]);

        await cluster.AssertConvergedAsync();
        var installed = (await cluster.StatusAsync(cluster.Followers[0])).GetProperty("durability").GetProperty("snapshotsInstalled").GetInt64();
        Assert.True(installed >= 1, "follower-1 should have been rebuilt by a snapshot transfer");
        foreach (var node in cluster.Nodes)
        {
            await cluster.AssertHoldsAsync(node, acknowledged);
        }
    }

    [Fact]
    public async Task A_leader_killed_right_after_acknowledging_a_batch_has_every_acknowledged_write_after_restart()
    {
        // Method: FSYNC=always, 8 concurrent clients (so group commit is exercised), SIGKILL the
        // moment the last acknowledgement arrives, restart on the same directory and port.
        using var cluster = ProcessCluster.Create(followers: 2, quorum: 1, leaderEnvironment: new() { ["FSYNC"] = "always" });
        await cluster.StartAllAsync();
        var acknowledged = await cluster.WriteRangeAsync(0, 400, parallel: 8);
        cluster.Leader.Kill();

        await cluster.StartAsync(cluster.Leader);

        Assert.Equal(400, acknowledged.Count);
        await cluster.AssertHoldsAsync(cluster.Leader, acknowledged);
        acknowledged.AddRange(await cluster.WriteRangeAsync(400, 50));
        Assert.Equal(450, acknowledged.Count);
        Assert.Equal(450, (await cluster.StatusAsync(cluster.Leader)).GetProperty("lastIndex").GetInt64());
        await cluster.AssertConvergedAsync();
        foreach (var node in cluster.Nodes)
        {
            await cluster.AssertHoldsAsync(node, acknowledged);
        }
    }

    [Fact]
    public async Task An_in_memory_leader_of_the_seed_layout_killed_and_restarted_recovers_every_acknowledged_write_and_continues_at_the_next_index()
    {
        // Method: the seed's layout in memory (leader + 3 followers, FOLLOWERS, no DATA_DIR, W=2), the
        // scenario of issue 8: 40 acknowledged writes, SIGKILL the leader, start it again with the same
        // environment. It comes back empty, so it must recover from its followers before /health is 200;
        // then it holds all 40, the next write is index 41, and every follower equals it.
        using var cluster = ProcessCluster.Create(followers: 3, quorum: 2, durable: false);
        await cluster.StartAllAsync();
        var acknowledged = await cluster.WriteRangeAsync(1, 40);
        Assert.Equal(40, acknowledged.Count);
        cluster.Leader.Kill();

        await cluster.StartAsync(cluster.Leader);

        await cluster.AssertHoldsAsync(cluster.Leader, acknowledged);
        var (status, answer) = await cluster.WriteAnswerAsync("w41", 41);
        Assert.True(status == 200, $"the first write after the restart answered {status}: {answer}");
        Assert.Equal("committed", answer.GetProperty("outcome").GetString());
        Assert.Equal(41, answer.GetProperty("index").GetInt64());
        acknowledged.Add(41);
        await cluster.AssertConvergedAsync();
        foreach (var node in cluster.Nodes)
        {
            await cluster.AssertHoldsAsync(node, acknowledged);
        }
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    public async Task A_damaged_last_record_is_detected_and_the_node_starts_with_everything_before_it(string damage)
    {
        // Method: a leader alone writes 50 keys (one record each), is killed, and the test damages
        // the last record of its newest log segment: a flipped byte (CRC mismatch) or a cut-off
        // end (torn write). It must come back with writes 1–49, say it repaired the tail, and go on.
        using var cluster = ProcessCluster.Create(followers: 0, quorum: 0);
        await cluster.StartAsync(cluster.Leader);
        var acknowledged = await cluster.WriteRangeAsync(1, 50, parallel: 1);
        Assert.Equal(50, acknowledged.Count);
        cluster.Leader.Kill();

        var segment = Directory.GetFiles(Path.Combine(cluster.DataDirectory(cluster.Leader), "wal"), "*.wal").Max()!;
        await using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            if (damage == "flip")
            {
                file.Position = file.Length - 1;
                var last = file.ReadByte();
                file.Position = file.Length - 1;
                file.WriteByte((byte)(last ^ 0xFF));
            }
            else
            {
                file.SetLength(file.Length - 3);
            }
        }

        await cluster.StartAsync(cluster.Leader);

        var status = await cluster.StatusAsync(cluster.Leader);
        Assert.True(status.GetProperty("durability").GetProperty("tailRepaired").GetBoolean(), status.ToString());
        Assert.Contains(damage == "flip" ? "corrupt tail" : "torn tail", cluster.Leader.Output);
        Assert.Equal(49, status.GetProperty("lastIndex").GetInt64());
        await cluster.AssertHoldsAsync(cluster.Leader, Enumerable.Range(1, 49));
        Assert.DoesNotContain("w50", (await cluster.DataAsync(cluster.Leader)).Keys);
        Assert.True(await cluster.WriteAsync("w50", 50));
        await cluster.AssertHoldsAsync(cluster.Leader, Enumerable.Range(1, 50));
    }

    [Fact]
    public async Task A_follower_whose_port_refused_connections_catches_up_without_a_restart()
    {
        // Method: follower 2's address refuses connections (nothing listens yet) while 300 writes
        // are acknowledged by follower 1; then follower 2 starts and catch-up alone brings it level.
        using var cluster = ProcessCluster.Create(followers: 2, quorum: 1);
        await cluster.StartAsync(cluster.Followers[0]);
        await cluster.StartAsync(cluster.Leader);
        var acknowledged = await cluster.WriteRangeAsync(0, 300);
        var state = (await cluster.StatusAsync(cluster.Leader)).GetProperty("followers")[1].GetProperty("state").GetString();
        Assert.Equal("down", state);

        await cluster.StartAsync(cluster.Followers[1]);

        await cluster.AssertConvergedAsync();
        foreach (var node in cluster.Nodes)
        {
            await cluster.AssertHoldsAsync(node, acknowledged);
        }
    }
}
