using LeaderKv.Node.Contracts;
using LeaderKv.Node.Replication;
using LeaderKv.Storage;
using Microsoft.AspNetCore.Http.Features;

namespace LeaderKv.Node.Endpoints;

/// <summary><c>POST /replicate/snapshot</c> on a follower: the leader streams its table when the follower is behind its log.</summary>
internal static class SnapshotTransfer
{
    /// <summary>
    /// A snapshot carries the whole table, so the request-body limit for appends does not fit; this
    /// bound still stops a runaway stream from filling the disk. 16 GiB is far beyond a table held
    /// in memory on every node.
    /// </summary>
    public const long MaxSnapshotBytes = 16L * 1024 * 1024 * 1024;

    public static async Task<IResult> InstallAsync(HttpContext context, FollowerDriver follower, CancellationToken token)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxSnapshotBytes;
        }

        try
        {
            var reply = await follower.InstallSnapshotAsync(context.Request.Body, token);
            return new RawJsonResult(writer => AppendCodec.WriteReply(writer, reply));
        }
        catch (StorageCorruptionException error)
        {
            // Damaged or cut short in flight: nothing was installed; the leader retries.
            return Problems.BadAppend($"The snapshot failed verification: {error.Message}");
        }
    }
}
