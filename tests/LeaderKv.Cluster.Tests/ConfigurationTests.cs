using LeaderKv.Core;
using LeaderKv.Node.Configuration;

namespace LeaderKv.Cluster.Tests;

/// <summary>The seed's environment variables, the seed's defaults, and one clear message per mistake.</summary>
public class ConfigurationTests
{
    private const string ThreePeers = "node-0=http://leaderkv-0:8080,node-1=http://leaderkv-1:8080,node-2=http://leaderkv-2:8080";

    /// <summary>Only parsed, never created: parsing touches no disk.</summary>
    private static readonly string DataDir = Path.Combine(Path.GetTempPath(), "leaderkv-config-test");

    [Fact]
    public void MAX_DATA_BYTES_defaults_to_a_quarter_of_available_memory_takes_0_for_none_and_refuses_garbage()
    {
        Assert.Equal((long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.25), NodeSettings.Parse(new NodeOptions()).Settings!.MaxDataBytes);
        Assert.Equal(0, NodeSettings.Parse(new NodeOptions { MaxDataBytes = "0" }).Settings!.MaxDataBytes);
        Assert.Equal(123456, NodeSettings.Parse(new NodeOptions { MaxDataBytes = "123456" }).Settings!.ToClusterConfig().MaxDataBytes);
        var result = NodeSettings.Parse(new NodeOptions { MaxDataBytes = "-5" });
        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, e => e.StartsWith("MAX_DATA_BYTES", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_are_the_seeds()
    {
        var settings = NodeSettings.Parse(new NodeOptions()).Settings!;

        Assert.Equal(NodeRole.Follower, settings.Role);
        Assert.Empty(settings.Followers);
        Assert.Equal(1, settings.WriteQuorum);
        Assert.Equal(TimeSpan.Zero, settings.DelayMin);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), settings.DelayMax);
        Assert.Equal(ReplicationMode.Ordered, settings.Mode);
    }

    [Fact]
    public void The_seeds_compose_configuration_parses()
    {
        var settings = NodeSettings.Parse(new NodeOptions
        {
            Role = "leader",
            Followers = "http://follower-1:80,http://follower-2:80,http://follower-3:80,http://follower-4:80,http://follower-5:80",
            WriteQuorum = "3",
            MinDelay = "0",
            MaxDelay = "1000",
        }).Settings!;

        Assert.Equal(NodeRole.Leader, settings.Role);
        Assert.Equal(5, settings.Followers.Count);
        Assert.Equal(new Uri("http://follower-3:80"), settings.Followers[2]);
        Assert.Equal(3, settings.WriteQuorum);
    }

    [Theory]
    [InlineData("leader", "http://a:1,http://b:1", "3", "0", "10", null, "WRITE_QUORUM")]
    [InlineData("leader", "http://a:1", "-1", "0", "10", null, "WRITE_QUORUM")]
    [InlineData("leader", "http://a:1", "one", "0", "10", null, "WRITE_QUORUM")]
    [InlineData("follower", null, "1", "20", "10", null, "MIN_DELAY")]
    [InlineData("leader", "http://a:1,not a url", "1", "0", "10", null, "FOLLOWERS")]
    [InlineData("primary", null, "1", "0", "10", null, "ROLE")]
    [InlineData("follower", null, "1", "0", "10", "sideways", "REPLICATION_MODE")]
    public void Invalid_configuration_is_reported_naming_the_variable(string role, string? followers, string quorum, string min, string max, string? mode, string variable)
    {
        var result = NodeSettings.Parse(new NodeOptions { Role = role, Followers = followers, WriteQuorum = quorum, MinDelay = min, MaxDelay = max, ReplicationMode = mode });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, error => error.StartsWith(variable, StringComparison.Ordinal) || error.Contains($"({variable}", StringComparison.Ordinal));
    }

    [Fact]
    public void PEERS_with_a_data_directory_parses_into_automatic_failover_with_the_other_peers_as_followers()
    {
        var settings = NodeSettings.Parse(new NodeOptions { Peers = ThreePeers, NodeId = "node-1", DataDir = DataDir }).Settings!;

        Assert.Equal(3, settings.Peers.Count);
        Assert.Equal([new Uri("http://leaderkv-0:8080"), new Uri("http://leaderkv-2:8080")], settings.Followers);
        Assert.Equal(Core.Consensus.FailoverMode.Automatic, settings.Failover);
        Assert.Equal(Core.Consensus.FailoverMode.Manual, NodeSettings.Parse(new NodeOptions { Peers = ThreePeers, NodeId = "node-1", DataDir = DataDir, WriteQuorum = "0" }).Settings!.Failover);
    }

    [Fact]
    public void PEERS_without_a_data_directory_is_refused_in_one_line_naming_PEERS_and_DATA_DIR()
    {
        var result = NodeSettings.Parse(new NodeOptions { Peers = ThreePeers, NodeId = "node-0" });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, error => error.StartsWith("PEERS", StringComparison.Ordinal) && error.Contains("DATA_DIR", StringComparison.Ordinal) && !error.Contains('\n', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("node-9")]
    [InlineData("NODE-0")]
    public void A_NODE_ID_that_is_not_in_PEERS_is_refused(string? nodeId)
    {
        var result = NodeSettings.Parse(new NodeOptions { Peers = ThreePeers, NodeId = nodeId, DataDir = DataDir });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, error => error.StartsWith("NODE_ID", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("node-0=http://a:1,node-1")]
    [InlineData("node-0=http://a:1,=http://b:1")]
    [InlineData("node-0=http://a:1,node-1=ftp://b:1")]
    [InlineData("node-0=http://a:1,node-1=not a url")]
    [InlineData("node-0=http://a:1,node-0=http://b:1")]
    public void A_malformed_PEERS_item_is_refused(string peers)
    {
        var result = NodeSettings.Parse(new NodeOptions { Peers = peers, NodeId = "node-0", DataDir = DataDir });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, error => error.StartsWith("PEERS", StringComparison.Ordinal));
    }

    [Fact]
    public void FOLLOWERS_cannot_be_combined_with_PEERS()
    {
        var result = NodeSettings.Parse(new NodeOptions { Peers = ThreePeers, NodeId = "node-0", DataDir = DataDir, Followers = "http://leaderkv-1:8080" });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, error => error.StartsWith("FOLLOWERS", StringComparison.Ordinal) && error.Contains("PEERS", StringComparison.Ordinal));
    }

    [Fact]
    public void Unordered_replication_cannot_be_combined_with_PEERS()
    {
        var result = NodeSettings.Parse(new NodeOptions { Peers = ThreePeers, NodeId = "node-0", DataDir = DataDir, ReplicationMode = "unordered" });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, error => error.StartsWith("REPLICATION_MODE", StringComparison.Ordinal) && error.Contains("PEERS", StringComparison.Ordinal));
    }

    [Fact]
    public void The_unsafe_flag_lets_a_PEERS_node_run_in_memory()
    {
        var result = NodeSettings.Parse(new NodeOptions { Peers = ThreePeers, NodeId = "node-0", UnsafeAllowInMemoryFailover = "true" });

        Assert.Empty(result.Errors);
        Assert.True(result.Settings!.UnsafeInMemoryFailover);
        Assert.False(result.Settings.Durability.IsDurable);
        Assert.True(result.Settings.HasPeers);
    }
}
