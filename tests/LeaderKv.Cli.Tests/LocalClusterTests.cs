using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Tests.Support;
using LeaderKv.TestSupport;

namespace LeaderKv.Cli.Tests;

/// <summary>The cluster-launching class the benchmark reuses: start, stop, and nothing left behind.</summary>
[Collection(ProcessTestCollection.Name)]
[Trait("Category", "Process")]
public sealed class LocalClusterTests
{
    /// <summary>
    /// Goal: StopAsync ends every node process and may be called again. Method: start a leader and two
    /// followers, record their processes from /proc, stop twice, and check that none is running.
    /// </summary>
    [Fact]
    public async Task StopAsync_ends_every_node_process_and_is_idempotent()
    {
        var options = new LocalClusterOptions { Followers = 2, MaxDelayMs = 10, BasePort = FreePorts.FindConsecutive(3) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var cluster = await LocalCluster.StartAsync(options, deadline.Token);
        var nodes = cluster.Nodes.Select(n => ProcessProbe.Of(n.ProcessId)).ToList();

        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.True(n is { IsRunning: true }));
        Assert.Equal(["follower-1", "follower-2"], cluster.Followers.Select(f => f.Name));
        Assert.Equal(options.BasePort, cluster.LeaderUrl.Port);

        await cluster.StopAsync();
        await cluster.DisposeAsync();

        Assert.All(nodes, n => Assert.False(n!.Value.IsRunning, $"pid {n.Value.ProcessId} is still running"));
        Assert.All(cluster.Nodes, n => Assert.True(n.HasExited));
    }

    /// <summary>
    /// Goal: `up --data-dir` survives a full stop and start. Method: write through the leader, stop
    /// every node, start a new cluster on the same directory, and read the writes back from the
    /// leader and from every follower.
    /// </summary>
    [Fact]
    public async Task A_cluster_with_a_data_directory_keeps_its_writes_across_a_full_restart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("leaderkv-up-").FullName;
        try
        {
            var options = new LocalClusterOptions { Followers = 2, MaxDelayMs = 5, DataDirectory = dataDirectory, BasePort = FreePorts.FindConsecutive(3) };
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            using var http = new HttpClient();
            await using (var first = await LocalCluster.StartAsync(options, deadline.Token))
            {
                for (var i = 0; i < 20; i++)
                {
                    using var content = new StringContent($"{{\"key\":\"k{i}\",\"value\":{i}}}", System.Text.Encoding.UTF8, "application/json");
                    (await http.PostAsync(new Uri(first.LeaderUrl, "write"), content, deadline.Token)).EnsureSuccessStatusCode();
                }
            }

            await using var second = await LocalCluster.StartAsync(options with { BasePort = FreePorts.FindConsecutive(3) }, deadline.Token);
            var expected = await http.GetStringAsync(new Uri(second.LeaderUrl, "data"), deadline.Token);
            Assert.Equal(20, System.Text.Json.JsonDocument.Parse(expected).RootElement.EnumerateObject().Count());
            foreach (var follower in second.Followers)
            {
                await Eventually.WaitUntilAsync(
                    async () => await http.GetStringAsync(new Uri(follower.Url, "data"), deadline.Token) == expected,
                    TimeSpan.FromMinutes(1),
                    $"{follower.Name} to hold the leader's 20 writes after the restart");
            }
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Goal: the Peers layout gets a temporary data directory when given none, removed on stop, and its
    /// nodes report automatic failover. Needs nodes that understand PEERS (the leadership change).
    /// </summary>
    [Fact]
    public async Task A_peers_cluster_without_a_directory_uses_a_temporary_one_and_removes_it()
    {
        var options = new LocalClusterOptions { Layout = ClusterLayout.Peers, Followers = 2, MaxDelayMs = 5, BasePort = FreePorts.FindConsecutive(3) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var cluster = await LocalCluster.StartAsync(options, deadline.Token);
        string directory;
        try
        {
            Assert.True(cluster.DataDirectoryIsTemporary);
            directory = cluster.DataDirectory!;
            Assert.True(Directory.Exists(directory));
            using var client = new LeaderKv.Client.LeaderKvClient(cluster.Nodes.Select(n => n.Url));
            var status = await client.StatusAsync(cluster.Nodes[0].Url, deadline.Token);
            Assert.Equal("automatic", status.Failover);
        }
        finally
        {
            await cluster.StopAsync();
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task StartAsync_rejects_invalid_options_before_starting_anything()
    {
        var options = new LocalClusterOptions { Followers = 2, WriteQuorum = 3 };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => LocalCluster.StartAsync(options, CancellationToken.None));

        Assert.Contains("--quorum", error.Message);
    }
}
