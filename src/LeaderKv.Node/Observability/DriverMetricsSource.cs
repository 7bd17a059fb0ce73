using LeaderKv.Core;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Observability;

/// <summary>
/// The gauges' view of today's fixed layout: the leader is the node started with ROLE=leader, for
/// term 1. The leader applies each write as it assigns its index, and a follower has no commit
/// index of its own, so both report the applied index as the commit index until terms and
/// elections give the node a real one (then this class is replaced, not the gauges).
/// </summary>
internal sealed class DriverMetricsSource(NodeSettings settings, IServiceProvider services) : INodeMetricsSource
{
    public NodeMetricsSnapshot Snapshot()
    {
        if (settings.Role == NodeRole.Leader)
        {
            var leader = services.GetRequiredService<LeaderDriver>().Describe();
            var followers = leader.Followers
                .Select(f => new FollowerMetrics(f.Url.ToString().TrimEnd('/'), f.Lag, f.Status != FollowerStatus.Down))
                .ToList();
            return new NodeMetricsSnapshot(true, true, leader.Term, leader.LastIndex, leader.LastIndex, followers);
        }

        var follower = services.GetRequiredService<FollowerDriver>().Describe();
        // A follower knows its leader from LEADER_URL, or from the term its entries carry.
        var hasLeader = settings.LeaderUrl is not null || follower.Term > 0;
        return new NodeMetricsSnapshot(false, hasLeader, follower.Term, follower.AppliedThrough, follower.AppliedThrough, []);
    }
}
