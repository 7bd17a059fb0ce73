using LeaderKv.Core;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Replication;
using LeaderKv.Node.Security;

namespace LeaderKv.Node.Endpoints;

/// <summary><c>/health</c> for orchestrators and <c>/status</c> for people: where replication stands.</summary>
internal static class StatusEndpoints
{
    public static void MapStatusEndpoints(this IEndpointRouteBuilder app, NodeSettings settings)
    {
        app.MapGet("/health", () => TypedResults.Ok(new HealthReport("healthy", RoleName(settings.Role), settings.NodeId)))
            .WithName("Health")
            .WithTags("Operations")
            .WithSummary("200 once the node is ready (for orchestrators' readiness probes)");
        app.MapGet("/status", (IServiceProvider services) => TypedResults.Ok(Describe(settings, services) with { Durability = DurabilityReport.Describe(settings, services) })).RequireApiKey(ApiAccess.Read)
            .WithName("Status")
            .WithTags("Operations")
            .WithSummary("Role, term, indexes, durability and, on the leader, each follower's state and lag");
    }

    private static NodeStatus Describe(NodeSettings settings, IServiceProvider services)
    {
        var mode = settings.Mode == ReplicationMode.Ordered ? "ordered" : "unordered";
        if (settings.Role == NodeRole.Leader)
        {
            var leader = services.GetRequiredService<LeaderDriver>().Describe();
            var followers = leader.Followers
                .Select(f => new FollowerStatusReport(f.Url.ToString(), StateName(f.Status), f.AckedIndex, f.Lag, f.LagTime.TotalMilliseconds, f.Outstanding))
                .ToList();
            return new NodeStatus("leader", settings.NodeId, mode, leader.Term, leader.LastIndex, leader.LastIndex, leader.Keys, leader.PendingWrites, settings.WriteQuorum, null, followers);
        }

        var follower = services.GetRequiredService<FollowerDriver>().Describe();
        return new NodeStatus("follower", settings.NodeId, mode, follower.Term, follower.LastIndex, follower.AppliedThrough, follower.Keys, follower.Pending, null, settings.LeaderUrl?.ToString(), null);
    }

    private static string RoleName(NodeRole role) => role == NodeRole.Leader ? "leader" : "follower";

    private static string StateName(FollowerStatus status) => status switch
    {
        FollowerStatus.Streaming => "streaming",
        FollowerStatus.CatchingUp => "catching-up",
        FollowerStatus.Snapshot => "snapshot",
        _ => "down",
    };
}
