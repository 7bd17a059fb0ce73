using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Observability.OpenApi;
using LeaderKv.Node.Replication;
using LeaderKv.Node.Security;

namespace LeaderKv.Node.Endpoints;

/// <summary>
/// <c>/replicate</c>: the leader's appends arrive here on followers. Every follower endpoint is
/// mapped on the <c>/replicate</c> group, which requires the cluster signature (the body is covered by it); map
/// new ones (catch-up, snapshots) there too, e.g. <c>replication.MapPost("/snapshot", …)</c>.
/// </summary>
internal static class ReplicationEndpoints
{
    public static void MapReplicationEndpoints(this IEndpointRouteBuilder app, NodeSettings settings)
    {
        if (settings.Role == NodeRole.Leader)
        {
            app.MapPost("/replicate", Problems.NotFollower)
                .WithName("Replicate").WithTags("Replication (internal)").WithSummary("A leader refuses replication: not-follower")
                .ProducesProblem(StatusCodes.Status400BadRequest);
            app.MapPost("/replicate/snapshot", Problems.NotFollower)
                .WithName("ReplicateSnapshot").WithTags("Replication (internal)").WithSummary("A leader refuses replication: not-follower")
                .ProducesProblem(StatusCodes.Status400BadRequest);
            return;
        }

        var replication = app.MapGroup("/replicate").RequireClusterAuthentication();
        replication.MapPost("", ReplicateAsync).RequireJsonBody()
            .WithName("Replicate").WithTags("Replication (internal)")
            .WithSummary("Entries from the leader (signed with CLUSTER_SECRET); answers how far this follower has applied and accepted")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        replication.MapPost("/snapshot", SnapshotTransfer.InstallAsync).WithBodyLimit(SnapshotTransfer.MaxSnapshotBytes)
            .WithName("ReplicateSnapshot").WithTags("Replication (internal)")
            .WithSummary("A snapshot from the leader (signed), for a follower behind the leader's log")
            .WithRequestBody<Stream>("application/octet-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static async Task<IResult> ReplicateAsync(HttpRequest request, FollowerDriver follower, CancellationToken token)
    {
        var (document, error) = await RequestBody.ReadJsonAsync(request, token);
        if (document is null)
        {
            return Problems.MalformedJson(error!);
        }

        AppendRequestParse parse;
        using (document)
        {
            parse = AppendCodec.ReadRequest(document);
        }

        if (parse.Entries is null)
        {
            return Problems.BadAppend(parse.Error!);
        }

        var reply = await follower.ReceiveAsync(parse.Entries, token);
        return new RawJsonResult(writer => AppendCodec.WriteReply(writer, reply));
    }
}
