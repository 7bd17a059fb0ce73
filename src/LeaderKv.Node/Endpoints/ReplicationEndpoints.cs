using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Endpoints;

/// <summary><c>/replicate</c>: the leader's appends arrive here on followers.</summary>
internal static class ReplicationEndpoints
{
    public static void MapReplicationEndpoints(this IEndpointRouteBuilder app, NodeSettings settings)
    {
        if (settings.Role == NodeRole.Leader)
        {
            app.MapPost("/replicate", Problems.NotFollower);
            app.MapPost("/replicate/snapshot", Problems.NotFollower);
            return;
        }

        app.MapPost("/replicate", ReplicateAsync);
        app.MapPost("/replicate/snapshot", SnapshotTransfer.InstallAsync);
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
