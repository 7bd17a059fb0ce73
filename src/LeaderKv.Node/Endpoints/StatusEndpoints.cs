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
        app.MapGet("/health", (ReplicaDriver replica) => TypedResults.Ok(new HealthReport("healthy", RoleName(replica.Describe().Role), settings.NodeId)));
        app.MapGet("/status", (IServiceProvider services) => TypedResults.Ok(Describe(settings, services) with { Durability = DurabilityReport.Describe(settings, services) })).RequireApiKey(ApiAccess.Read);
        app.MapPost("/admin/promote", Promote).RequireApiKey(ApiAccess.ReadWrite);
    }

    private static NodeStatus Describe(NodeSettings settings, IServiceProvider services)
    {
        var mode = settings.Mode == ReplicationMode.Ordered ? "ordered" : "unordered";
        var view = services.GetRequiredService<ReplicaDriver>().Describe();
        var followers = view.Followers?
            .Select(f => new FollowerStatusReport(f.Id, f.Url?.ToString(), f.State, f.AppliedThrough, f.Lag, f.LastHeardMsAgo, f.Outstanding, f.Tainted))
            .ToList();
        return new NodeStatus(
            RoleName(view.Role),
            settings.NodeId,
            mode,
            view.Term,
            view.LastIndex,
            view.AppliedThrough,
            view.Keys,
            view.Pending,
            settings.WriteQuorum,
            view.LeaderUrl?.ToString(),
            followers)
        {
            LeaderId = view.LeaderId,
            CommitIndex = view.CommitIndex,
            ElectionQuorum = view.ElectionQuorum,
            Failover = settings.Failover == Core.Consensus.FailoverMode.Automatic ? "automatic" : "manual",
            Tainted = view.Tainted,
            Recovering = view.Recovering,
        };
    }

    /// <summary>Manual failover: this node runs an election and leads even without an election quorum. Refused unless the caller accepts data loss.</summary>
    private static IResult Promote(ReplicaDriver replica, bool? acceptDataLoss)
    {
        if (acceptDataLoss != true)
        {
            return Problems.Invalid("acceptDataLoss", "Promoting a node may lose writes committed only on nodes that do not answer. Repeat with acceptDataLoss=true to accept that.");
        }

        return TypedResults.Accepted((string?)null, new PromoteAccepted(replica.Promote()));
    }

    private static string RoleName(Core.Consensus.ReplicaRole role) => role switch
    {
        Core.Consensus.ReplicaRole.Leader => "leader",
        Core.Consensus.ReplicaRole.Follower => "follower",
        _ => "candidate",
    };
}
