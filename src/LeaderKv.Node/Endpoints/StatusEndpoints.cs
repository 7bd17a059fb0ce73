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
        app.MapGet("/health", (ReplicaDriver replica) => Health(settings, replica))
            .WithName("Health")
            .WithTags("Operations")
            .WithSummary("200 once the node serves (the seed layout's leader: once it leads), status degraded while its disk is full; 503 with what it waits for");
        app.MapGet("/status", (IServiceProvider services) => TypedResults.Ok(Describe(settings, services) with { Durability = DurabilityReport.Describe(settings, services) })).RequireApiKey(ApiAccess.Read)
            .WithName("Status")
            .WithTags("Operations")
            .WithSummary("Role, term, leader, commit/applied/last index, durability and, on the leader, each follower's acked and applied index and lag");
        app.MapPost("/admin/promote", Promote).RequireApiKey(ApiAccess.ReadWrite)
            .WithName("Promote")
            .WithTags("Operations")
            .WithSummary("Manual failover: this node runs an election and leads even without an election quorum (acceptDataLoss=true required)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static NodeStatus Describe(NodeSettings settings, IServiceProvider services)
    {
        var mode = settings.Mode == ReplicationMode.Ordered ? "ordered" : "unordered";
        var view = services.GetRequiredService<ReplicaDriver>().Describe();
        var followers = view.Followers?
            .Select(f => new FollowerStatusReport(f.Id, f.Url?.ToString(), f.State, f.AckedIndex, f.AppliedThrough, f.Lag, f.LastHeardMsAgo, f.Outstanding, f.Tainted))
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
            DataBytes = view.DataBytes,
            MaxDataBytes = view.MaxDataBytes,
            Alarms = view.StorageFull ? [DiskFullAlarm] : [],
        };
    }

    private const string DiskFullAlarm = "disk-full";

    /// <summary>
    /// 200 once the node serves. The seed layout's leader is the one exception: it is the only node
    /// that can take writes, so it is ready only once it leads (its recovery done); until then 503 says
    /// what it waits for. Nodes of a failover cluster are ready whatever their role, so that they can
    /// find each other (a readiness gate that waits for a leader would keep the election from happening).
    /// </summary>
    private static IResult Health(NodeSettings settings, ReplicaDriver replica)
    {
        var view = replica.Describe();
        var role = RoleName(view.Role);
        if (replica.IsStopping)
        {
            return TypedResults.Json(
                new HealthReport("stopping", role, settings.NodeId) { Detail = "this node is stopping after a storage failure or a broken invariant (its log says which); restart it to recover from its data directory" },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (view.StorageFull)
        {
            // Still 200: the node serves reads, and an orchestrator that took it out of service would only
            // lose those. The status says what is wrong; the alarm clears by itself when there is room.
            return TypedResults.Ok(new HealthReport("degraded", role, settings.NodeId)
            {
                Detail = "disk-full: this node's disk has no room, so it refuses writes (507) and logs nothing new; reads still work. Free space or grow the file system: it resumes by itself.",
            });
        }

        var diskFullFollowers = view.Followers?.Count(f => f.State == "disk-full") ?? 0;
        if (!settings.HasPeers && settings.Role == NodeRole.Leader && !view.AcceptsWrites && view.Role == Core.Consensus.ReplicaRole.Leader && !view.Recovering && diskFullFollowers > 0)
        {
            // It leads and hears its followers; their disks are full, so writes wait for room, not for recovery.
            return TypedResults.Ok(new HealthReport("degraded", role, settings.NodeId)
            {
                Detail = $"{diskFullFollowers} followers' disks are full, too few can ack a write (WRITE_QUORUM): writes get 503 quorum-unreachable until they have room again; reads work",
            });
        }

        if (!settings.HasPeers && settings.Role == NodeRole.Leader && !view.AcceptsWrites)
        {
            return TypedResults.Json(
                new HealthReport("recovering", role, settings.NodeId) { Detail = $"the leader is running recovery against its followers (term {view.Term}): it needs {view.ElectionQuorum} promises (its own counting only toward the election when it restarted in memory) and then to hear from WRITE_QUORUM followers" },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return TypedResults.Ok(new HealthReport("healthy", role, settings.NodeId));
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
