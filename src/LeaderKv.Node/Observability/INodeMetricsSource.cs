namespace LeaderKv.Node.Observability;

/// <summary>
/// Where the observable gauges (<c>leaderkv_is_leader</c>, <c>leaderkv_term</c>, indexes, follower
/// lag) read the node's state at scrape time. One implementation per replication design: today
/// <see cref="DriverMetricsSource"/> over the fixed leader and follower drivers.
/// </summary>
public interface INodeMetricsSource
{
    /// <summary>The node's state now; called on the scraping thread, so it must be cheap and thread-safe.</summary>
    NodeMetricsSnapshot Snapshot();
}

/// <param name="IsLeader">This node is the leader (of <paramref name="Term"/>).</param>
/// <param name="HasLeader">This node knows a leader: itself, or one it follows.</param>
/// <param name="Term">The node's current term.</param>
/// <param name="CommitIndex">Highest index known committed together with every lower one.</param>
/// <param name="AppliedIndex">Highest index applied to this node's table (visible to reads).</param>
/// <param name="Followers">On the leader, one entry per follower; empty elsewhere.</param>
public sealed record NodeMetricsSnapshot(
    bool IsLeader,
    bool HasLeader,
    long Term,
    long CommitIndex,
    long AppliedIndex,
    IReadOnlyList<FollowerMetrics> Followers)
{
    /// <summary>The disk-full alarm is raised.</summary>
    public bool StorageFull { get; init; }

    /// <summary>Bytes of keys and values in the table.</summary>
    public long DataBytes { get; init; }

    /// <summary>MAX_DATA_BYTES (0: no quota).</summary>
    public long MaxDataBytes { get; init; }
}

/// <param name="Id">The follower's label value: its node id, or its URL while followers are known only by URL.</param>
/// <param name="LagEntries">Entries the leader has that this follower has not acknowledged.</param>
/// <param name="Up">The leader's last exchange with it succeeded.</param>
/// <param name="DiskFull">Its last answer said its disk is full (it answers, but acks nothing).</param>
public sealed record FollowerMetrics(string Id, long LagEntries, bool Up, bool DiskFull = false);
