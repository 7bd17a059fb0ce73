namespace LeaderKv.Cli.Cluster;

/// <summary>The node's REPLICATION_MODE values, as the CLI's --mode accepts them.</summary>
public enum ReplicationModeName
{
    /// <summary>Followers apply strictly in index order and always converge (the default).</summary>
    Ordered,

    /// <summary>The seed's race, on purpose: followers apply in arrival order.</summary>
    Unordered,
}
