using LeaderKv.Core.Consensus;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Observability;

/// <summary>The gauges' view of the node's replica: role, term, commit and applied index, and on the leader each follower's lag and reachability.</summary>
internal sealed class DriverMetricsSource(IServiceProvider services) : INodeMetricsSource
{
    public NodeMetricsSnapshot Snapshot()
    {
        var view = services.GetRequiredService<ReplicaDriver>().Describe();
        var followers = view.Followers?
            .Select(f => new FollowerMetrics(f.Id, f.Lag, f.State != "down", f.State == "disk-full"))
            .ToList() ?? [];
        var isLeader = view.Role == ReplicaRole.Leader && !view.Recovering;
        return new NodeMetricsSnapshot(isLeader, view.LeaderId is not null, view.Term, view.CommitIndex, view.AppliedThrough, followers)
        {
            StorageFull = view.StorageFull,
            DataBytes = view.DataBytes,
            MaxDataBytes = view.MaxDataBytes,
        };
    }
}
