using LeaderKv.Cli.Cluster;
using LeaderKv.Core;

namespace LeaderKv.Cli.Tests;

/// <summary>The environment each node of a local cluster is started with: the node's configuration contract.</summary>
public sealed class NodeSpecTests
{
    [Fact]
    public void Leader_lists_every_follower_and_carries_the_cluster_settings()
    {
        var options = new LocalClusterOptions
        {
            Followers = 3, WriteQuorum = 2, MinDelayMs = 5, MaxDelayMs = 50, BasePort = 9100, Mode = ReplicationMode.Unordered,
        };

        var (leader, followers) = NodeSpec.ForCluster(options);

        Assert.Equal(new Uri("http://127.0.0.1:9100/"), leader.Url);
        Assert.True(leader.IsLeader);
        Assert.Equal("leader", leader.Environment["ROLE"]);
        Assert.Equal("http://127.0.0.1:9101,http://127.0.0.1:9102,http://127.0.0.1:9103", leader.Environment["FOLLOWERS"]);
        Assert.Equal("2", leader.Environment["WRITE_QUORUM"]);
        Assert.Equal("5", leader.Environment["MIN_DELAY"]);
        Assert.Equal("50", leader.Environment["MAX_DELAY"]);
        Assert.Equal("unordered", leader.Environment["REPLICATION_MODE"]);
        Assert.Equal("http://127.0.0.1:9100", leader.Environment["ASPNETCORE_URLS"]);
        Assert.Equal(3, followers.Count);
    }

    [Fact]
    public void Followers_know_their_name_port_and_leader()
    {
        var (_, followers) = NodeSpec.ForCluster(new LocalClusterOptions { Followers = 2, BasePort = 9200 });

        var second = followers[1];
        Assert.False(second.IsLeader);
        Assert.Equal("follower-2", second.Name);
        Assert.Equal("follower", second.Environment["ROLE"]);
        Assert.Equal("follower-2", second.Environment["NODE_ID"]);
        Assert.Equal("http://127.0.0.1:9202", second.Environment["ASPNETCORE_URLS"]);
        Assert.Equal("http://127.0.0.1:9200", second.Environment["LEADER_URL"]);
        Assert.Equal("ordered", second.Environment["REPLICATION_MODE"]);
        Assert.False(second.Environment.ContainsKey("FOLLOWERS"));
    }

    [Fact]
    public void Extra_environment_reaches_every_node_but_cannot_override_the_cluster_layout()
    {
        var options = new LocalClusterOptions
        {
            Followers = 1,
            ExtraEnvironment = new Dictionary<string, string> { ["DELAY_SEED"] = "7", ["ROLE"] = "leader" },
        };

        var (leader, followers) = NodeSpec.ForCluster(options);

        Assert.Equal("7", leader.Environment["DELAY_SEED"]);
        Assert.Equal("7", followers[0].Environment["DELAY_SEED"]);
        Assert.Equal("follower", followers[0].Environment["ROLE"]);
    }

    [Fact]
    public void With_a_data_directory_each_node_gets_its_own_sub_directory_and_the_fsync_policy()
    {
        var options = new LocalClusterOptions { Followers = 2, DataDirectory = "cluster-data", Fsync = "interval" };

        var (leader, followers) = NodeSpec.ForCluster(options);

        var directories = followers.Prepend(leader).Select(n => n.Environment["DATA_DIR"]).ToList();
        Assert.Equal(Path.GetFullPath("cluster-data/leader"), directories[0]);
        Assert.Equal(Path.GetFullPath("cluster-data/follower-2"), directories[2]);
        Assert.Equal(3, directories.Distinct().Count());
        Assert.All(followers.Prepend(leader), n => Assert.Equal("interval", n.Environment["FSYNC"]));
    }

    [Fact]
    public void Without_a_data_directory_nodes_stay_in_memory()
    {
        var (leader, followers) = NodeSpec.ForCluster(new LocalClusterOptions { Followers = 1 });

        Assert.All(followers.Prepend(leader), n => Assert.False(n.Environment.ContainsKey("DATA_DIR")));
    }
}
