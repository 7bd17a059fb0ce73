using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Observability.OpenApi;
using LeaderKv.Node.Protocol;
using LeaderKv.Node.Replication;
using LeaderKv.Node.Security;
using LeaderKv.Node.Transport;

namespace LeaderKv.Node.Endpoints;

/// <summary>
/// Where peers' requests arrive: appends on <c>/replicate</c> (the seed's path), votes, pre-votes,
/// catch-up fetches and snapshots beside it. The whole group requires the cluster signature (the
/// body and the query are covered by it). Each request is stepped into the replica and answered with
/// the replica's response once what that response promises is durable.
/// </summary>
internal static class ReplicationEndpoints
{
    public static void MapReplicationEndpoints(this IEndpointRouteBuilder app, NodeSettings settings)
    {
        if (!settings.HasPeers && settings.Role == NodeRole.Leader)
        {
            // The seed's layout: its leader is the only candidate and never receives replication.
            app.MapPost("/replicate", Problems.NotFollower)
                .WithName("Replicate").WithTags("Replication (internal)").WithSummary("The seed layout's leader refuses replication: not-follower")
                .ProducesProblem(StatusCodes.Status400BadRequest);
            app.MapPost("/replicate/{kind}", (string kind) => Problems.NotFollower())
                .WithName("ReplicateOther").WithTags("Replication (internal)").WithSummary("The seed layout's leader refuses replication: not-follower")
                .ProducesProblem(StatusCodes.Status400BadRequest);
            return;
        }

        var replication = app.MapGroup("/replicate").RequireClusterAuthentication();
        replication.MapPost("", HandleAsync).RequireJsonBody()
            .WithName("Replicate").WithTags("Replication (internal)")
            .WithSummary("An append from the leader of a term (signed with CLUSTER_SECRET); answered with the acked indexes and this node's applied index")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict);
        replication.MapPost("/prevote", HandleAsync).RequireJsonBody()
            .WithName("PreVote").WithTags("Replication (internal)")
            .WithSummary("Would this node vote in the next term? Asked before an election raises the term")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        replication.MapPost("/vote", HandleAsync).RequireJsonBody()
            .WithName("Vote").WithTags("Replication (internal)")
            .WithSummary("A candidate asks for a promise; a granted vote carries this node's applied index and the slots it holds above it")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        replication.MapPost("/fetch", HandleAsync).RequireJsonBody()
            .WithName("Fetch").WithTags("Replication (internal)")
            .WithSummary("A new leader catching up: applied entries in a range, or a snapshot when they were compacted")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        replication.MapPost("/snapshot", SnapshotTransfer.InstallAsync).WithBodyLimit(SnapshotTransfer.MaxSnapshotBytes)
            .WithName("ReplicateSnapshot").WithTags("Replication (internal)")
            .WithSummary("A snapshot from the leader (signed), for a follower behind the leader's in-memory log")
            .WithRequestBody<Stream>("application/octet-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static async Task<IResult> HandleAsync(HttpRequest request, ReplicaDriver replica, NodeSettings settings, CancellationToken token)
    {
        var (document, error) = await RequestBody.ReadJsonAsync(request, token);
        if (document is null)
        {
            return Problems.MalformedJson(error!);
        }

        ParsedMessage parsed;
        using (document)
        {
            parsed = MessageCodec.Read(document.RootElement, settings.NodeId);
        }

        if (parsed.Message is not { } message)
        {
            return Problems.BadAppend(parsed.Error!);
        }

        if (!string.Equals(PeerTransport.PathOf(message), request.Path.Value?.TrimEnd('/'), StringComparison.Ordinal))
        {
            return Problems.BadAppend($"A {message.GetType().Name} does not belong on {request.Path}.");
        }

        return await StepAsync(message, parsed.Cluster, replica, settings, token);
    }

    /// <summary>Steps one request and answers with the replica's response, or 503 when the node could not answer in time.</summary>
    public static async Task<IResult> StepAsync(Message message, string? cluster, ReplicaDriver replica, NodeSettings settings, CancellationToken token)
    {
        if (replica.ClusterFingerprint is { } ours && !string.Equals(cluster, ours, StringComparison.Ordinal))
        {
            return Problems.ClusterMismatch(cluster, ours);
        }

        if (settings.HasPeers && !settings.Peers.Any(p => string.Equals(p.Id, message.From, StringComparison.Ordinal)))
        {
            return Problems.BadAppend($"'{message.From}' is not in this node's PEERS.");
        }

        if (message.To != settings.NodeId && settings.HasPeers)
        {
            return Problems.BadAppend($"This message is for '{message.To}'; this node is '{settings.NodeId}'.");
        }

        var response = await replica.HandleAsync(message, token);
        if (response is null)
        {
            return Results.Problem(detail: "The node did not answer this replication request in time.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy");
        }

        var body = MessageCodec.Write(response, replica.ClusterFingerprint);
        return new RawJsonResult(writer => writer.WriteRawValue(body, skipInputValidation: true));
    }
}
