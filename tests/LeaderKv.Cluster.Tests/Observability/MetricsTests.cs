using System.Net;
using LeaderKv.Node.Configuration;

namespace LeaderKv.Cluster.Tests.Observability;

/// <summary>
/// <c>GET /metrics</c> as Prometheus scrapes it: every node's answer must pass promtool, and the
/// counters must follow what clients did to that node (and only that node: six nodes share this
/// test process, and each reports its own meters).
/// </summary>
public sealed class MetricsTests
{
    /// <summary>Goal: what Prometheus would ingest is valid on every node. Method: scrape each node of a running cluster after some writes and hand the text to promtool.</summary>
    [Fact]
    public async Task Every_nodes_scrape_passes_promtool()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 5, Quorum = 2 });
        for (var i = 0; i < 3; i++)
        {
            (await cluster.WriteAsync($"k{i}", i)).EnsureSuccessStatusCode();
        }

        foreach (var node in cluster.Followers.Prepend(cluster.Leader))
        {
            var scrape = await Scrape.FromAsync(cluster.Http, node);
            await Promtool.CheckMetricsAsync(scrape.Text, node.ToString());
        }
    }

    /// <summary>Goal: the write counters and histograms count committed writes. Method: scrape, write three times, scrape again; each write's answer arrives after its metrics are recorded.</summary>
    [Fact]
    public async Task Committed_writes_move_the_leaders_counters_and_histograms()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 1 });
        var before = await Scrape.FromAsync(cluster.Http, cluster.Leader);

        for (var i = 0; i < 3; i++)
        {
            (await cluster.WriteAsync($"k{i}", i)).EnsureSuccessStatusCode();
        }

        var after = await Scrape.FromAsync(cluster.Http, cluster.Leader);
        Assert.Equal(before["leaderkv_writes_committed_total"] + 3, after["leaderkv_writes_committed_total"]);
        Assert.Equal(before.ValueOrZero("leaderkv_write_duration_seconds_count") + 3, after["leaderkv_write_duration_seconds_count"]);
        Assert.Equal(before.ValueOrZero("leaderkv_quorum_wait_seconds_count") + 3, after["leaderkv_quorum_wait_seconds_count"]);
        Assert.Equal(3, after["leaderkv_write_duration_seconds_bucket{le=\"+Inf\"}"]);
        Assert.Equal(0, after["leaderkv_writes_unknown_total"]);
        Assert.True(after["leaderkv_commit_index"] >= 3);
        // ASP.NET Core's request metrics come along, labelled by route.
        Assert.Contains(after.Series, s => s.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && s.Contains("http_route=\"/write\"", StringComparison.Ordinal));
        Assert.Contains(after.Series, s => s.StartsWith("dotnet_gc_collections_total", StringComparison.Ordinal));
    }

    /// <summary>Goal: leadership and follower health are visible per node. Method: a leader with two followers, one of them dead; wait until the live one has acked everything.</summary>
    [Fact]
    public async Task Leadership_and_follower_gauges_describe_the_cluster()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 1, DeadFollowers = new HashSet<int> { 1 } });
        (await cluster.WriteAsync("a", 1)).EnsureSuccessStatusCode();
        var live = Label(cluster.Followers[0]);
        var dead = Label(cluster.Followers[1]);

        await TestCluster.EventuallyAsync(
            async () =>
            {
                var scrape = await Scrape.FromAsync(cluster.Http, cluster.Leader);
                return scrape[$"leaderkv_follower_lag_entries{{follower=\"{live}\"}}"] == 0
                    && scrape[$"leaderkv_follower_up{{follower=\"{dead}\"}}"] == 0;
            },
            "the live follower to have no lag and the dead one to be down");

        var leader = await Scrape.FromAsync(cluster.Http, cluster.Leader);
        Assert.Equal(1, leader["leaderkv_is_leader"]);
        Assert.Equal(1, leader["leaderkv_has_leader"]);
        Assert.Equal(1, leader["leaderkv_term"]);
        Assert.Equal(1, leader["leaderkv_leader_changes_seen_total"]);
        Assert.Equal(1, leader[$"leaderkv_follower_up{{follower=\"{live}\"}}"]);
        Assert.Equal(1, leader[$"leaderkv_follower_lag_entries{{follower=\"{dead}\"}}"]);

        var follower = await Scrape.FromAsync(cluster.Http, cluster.Followers[0]);
        Assert.Equal(0, follower["leaderkv_is_leader"]);
        Assert.Equal(1, follower["leaderkv_applied_index"]);
        // The follower's own meter: the leader's writes are not counted here although both nodes live in this process.
        Assert.Equal(0, follower["leaderkv_writes_committed_total"]);
        Assert.DoesNotContain(follower.Series, s => s.StartsWith("leaderkv_follower_", StringComparison.Ordinal));
    }

    /// <summary>Goal: a write whose quorum never answers is counted as unknown, not committed. Method: quorum 1 with the only follower dead and a short write timeout.</summary>
    [Fact]
    public async Task A_write_without_its_quorum_counts_as_unknown()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Quorum = 1,
            DeadFollowers = new HashSet<int> { 0 },
            WriteTimeout = TimeSpan.FromMilliseconds(200),
        });

        using var response = await cluster.WriteAsync("a", 1);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var scrape = await Scrape.FromAsync(cluster.Http, cluster.Leader);
        Assert.Equal(1, scrape["leaderkv_writes_unknown_total"]);
        Assert.Equal(0, scrape["leaderkv_writes_committed_total"]);
    }

    /// <summary>Goal: the write-ahead log's fsyncs are measured. Method: a durable cluster (FSYNC=always), one write, then the leader's fsync histograms.</summary>
    [Fact]
    public async Task Durable_writes_are_seen_in_the_wal_fsync_histograms()
    {
        using var directory = new TempDirectory();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Quorum = 1,
            Durability = new DurabilitySettings { DataDirectory = directory.Path },
        });

        (await cluster.WriteAsync("a", 1)).EnsureSuccessStatusCode();

        var scrape = await Scrape.FromAsync(cluster.Http, cluster.Leader);
        Assert.True(scrape["leaderkv_wal_fsync_duration_seconds_count"] >= 1);
        Assert.True(scrape["leaderkv_wal_appends_per_fsync_sum"] >= 1);
        await Promtool.CheckMetricsAsync(scrape.Text, "durable leader");
    }

    private static string Label(Uri follower) => follower.ToString().TrimEnd('/');
}
