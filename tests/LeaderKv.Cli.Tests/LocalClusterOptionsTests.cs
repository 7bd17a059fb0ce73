using LeaderKv.Cli.Cluster;

namespace LeaderKv.Cli.Tests;

public sealed class LocalClusterOptionsTests
{
    [Fact]
    public void Defaults_are_the_seeds_compose_layout()
    {
        var options = new LocalClusterOptions();

        Assert.Null(options.Validate());
        Assert.Equal((5, 1, 0, 1000, 8000), (options.Followers, options.WriteQuorum, options.MinDelayMs, options.MaxDelayMs, options.BasePort));
        Assert.Equal("127.0.0.1", options.Host);
    }

    [Theory]
    [InlineData(5, 6, 0, 1000, 8000, "--quorum")]
    [InlineData(5, -1, 0, 1000, 8000, "--quorum")]
    [InlineData(-1, 0, 0, 1000, 8000, "--followers")]
    [InlineData(5, 1, 500, 100, 8000, "--min-delay")]
    [InlineData(5, 1, -1, 100, 8000, "--min-delay")]
    [InlineData(5, 1, 0, 100, 65533, "--base-port")]
    [InlineData(5, 1, 0, 100, 0, "--base-port")]
    public void Validate_names_the_flag_that_is_wrong(int followers, int quorum, int minDelay, int maxDelay, int basePort, string flag)
    {
        var options = new LocalClusterOptions
        {
            Followers = followers,
            WriteQuorum = quorum,
            MinDelayMs = minDelay,
            MaxDelayMs = maxDelay,
            BasePort = basePort,
        };

        Assert.Contains(flag, options.Validate());
    }

    [Theory]
    [InlineData("/tmp/kv", "sometimes", LeaderKv.Core.ReplicationMode.Ordered, "--fsync")]
    [InlineData(null, "always", LeaderKv.Core.ReplicationMode.Ordered, "--fsync needs --data-dir")]
    [InlineData("/tmp/kv", null, LeaderKv.Core.ReplicationMode.Unordered, "--data-dir needs ordered mode")]
    public void Validate_rejects_storage_flags_the_nodes_would_refuse(string? dataDir, string? fsync, LeaderKv.Core.ReplicationMode mode, string message)
    {
        var options = new LocalClusterOptions { DataDirectory = dataDir, Fsync = fsync, Mode = mode };

        Assert.Contains(message, options.Validate());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 0)]
    [InlineData(5, 5)]
    public void Quorum_from_zero_to_the_follower_count_is_valid(int followers, int quorum)
    {
        Assert.Null(new LocalClusterOptions { Followers = followers, WriteQuorum = quorum }.Validate());
    }

    [Fact]
    public void Failover_refuses_the_unordered_race_and_allows_fsync_without_a_directory()
    {
        Assert.Contains("--no-failover", new LocalClusterOptions { Layout = ClusterLayout.Peers, Mode = LeaderKv.Core.ReplicationMode.Unordered }.Validate());
        Assert.Null(new LocalClusterOptions { Layout = ClusterLayout.Peers, Fsync = "interval" }.Validate());
    }
}
