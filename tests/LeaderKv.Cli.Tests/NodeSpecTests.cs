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

    /// <summary>Goal: the Peers layout gives every node the same PEERS, its own id and directory, and node-0 the first term.</summary>
    [Fact]
    public void Peers_layout_gives_every_node_every_peer_its_id_and_a_data_directory()
    {
        var options = new LocalClusterOptions
        {
            Layout = ClusterLayout.Peers, Followers = 2, WriteQuorum = 2, BasePort = 9300, DataDirectory = "peers-data", Fsync = "never",
        };

        var (first, others) = NodeSpec.ForCluster(options);

        var nodes = others.Prepend(first).ToList();
        Assert.Equal(["node-0", "node-1", "node-2"], nodes.Select(n => n.Name));
        Assert.All(nodes, n => Assert.Equal(
            "node-0=http://127.0.0.1:9300,node-1=http://127.0.0.1:9301,node-2=http://127.0.0.1:9302", n.Environment["PEERS"]));
        Assert.Equal(["node-0", "node-1", "node-2"], nodes.Select(n => n.Environment["NODE_ID"]));
        Assert.Equal(["leader", "follower", "follower"], nodes.Select(n => n.Environment["ROLE"]));
        Assert.True(first.IsLeader);
        Assert.Equal(Path.GetFullPath("peers-data/node-1"), others[0].Environment["DATA_DIR"]);
        Assert.All(nodes, n => Assert.Equal("2", n.Environment["WRITE_QUORUM"]));
        Assert.All(nodes, n => Assert.Equal("never", n.Environment["FSYNC"]));
        Assert.All(nodes, n => Assert.False(n.Environment.ContainsKey("FOLLOWERS")));
        Assert.All(nodes, n => Assert.False(n.Environment.ContainsKey("LEADER_URL")));
        Assert.Equal("http://127.0.0.1:9302", others[1].Environment["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void Peers_layout_without_a_data_directory_is_refused()
    {
        Assert.Throws<ArgumentException>(() => NodeSpec.ForCluster(new LocalClusterOptions { Layout = ClusterLayout.Peers }));
    }

    /// <summary>Goal: the benchmark's figures are for the seed's layout, and it builds its options from the defaults.</summary>
    [Fact]
    public void The_default_layout_stays_the_seeds()
    {
        Assert.Equal(ClusterLayout.Seed, new LocalClusterOptions().Layout);
    }
}
