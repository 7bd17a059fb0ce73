using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Tests.Support;

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

    [Fact]
    public async Task StartAsync_rejects_invalid_options_before_starting_anything()
    {
        var options = new LocalClusterOptions { Followers = 2, WriteQuorum = 3 };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => LocalCluster.StartAsync(options, CancellationToken.None));

        Assert.Contains("--quorum", error.Message);
    }
}
