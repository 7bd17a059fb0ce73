using LeaderKv.Node.Contracts;
using LeaderKv.Node.Replication;
using LeaderKv.Storage;

namespace LeaderKv.Node.Endpoints;

/// <summary><c>POST /replicate/snapshot</c> on a follower: the leader streams its table when the follower is behind its log.</summary>
internal static class SnapshotTransfer
{
    /// <summary>
    /// A snapshot carries the whole table, so the body limit for appends does not fit. The cluster
    /// signature covers the body and is checked from memory before the handler runs (on the leader
    /// the signing handler buffers it too), which caps a transfer below a MemoryStream's 2 GiB.
    /// </summary>
    public const long MaxSnapshotBytes = 1L * 1024 * 1024 * 1024;

    public static async Task<IResult> InstallAsync(HttpContext context, FollowerDriver follower, CancellationToken token)
    {
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
