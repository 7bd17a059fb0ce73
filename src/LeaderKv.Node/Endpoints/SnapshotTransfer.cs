using System.Globalization;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Replication;
using LeaderKv.Storage;
using LeaderKv.Storage.Snapshots;

namespace LeaderKv.Node.Endpoints;

/// <summary>
/// <c>POST /replicate/snapshot</c>: a leader's whole table, streamed in the snapshot file format for
/// a follower that needs entries the leader no longer keeps. The sender, term and incarnation ride in
/// the query string, which the cluster signature covers. Verified while read, then stepped into the
/// replica like any other request; the replica decides whether to install it.
/// </summary>
internal static class SnapshotTransfer
{
    /// <summary>Largest snapshot accepted: a follower must not be made to buffer an unbounded upload.</summary>
    public const long MaxSnapshotBytes = 1L * 1024 * 1024 * 1024;

    public static async Task<IResult> InstallAsync(HttpContext context, ReplicaDriver replica, NodeSettings settings, CancellationToken token)
    {
        var query = context.Request.Query;
        if (!long.TryParse(query["term"], NumberStyles.None, CultureInfo.InvariantCulture, out var term)
            || !long.TryParse(query["incarnation"], NumberStyles.None, CultureInfo.InvariantCulture, out var incarnation)
            || string.IsNullOrEmpty(query["from"]))
        {
            return Problems.BadAppend("A snapshot transfer needs 'from', 'term' and 'incarnation' in its query string.");
        }

        var table = new KeyValueTable();
        SnapshotHeader header;
        try
        {
            header = await SnapshotReader.ReadIntoAsync(context.Request.Body, table, token);
        }
        catch (StorageCorruptionException error)
        {
            // Damaged or cut short in flight: nothing was installed; the leader retries.
            return Problems.BadAppend($"The snapshot failed verification: {error.Message}");
        }

        var request = new SnapshotRequest
        {
            From = query["from"]!,
            To = query["to"].FirstOrDefault() ?? settings.NodeId,
            Term = term,
            LeaderIncarnation = incarnation,
            Snapshot = SnapshotImage.Of(table, header.AppliedThrough),
        };
        return await ReplicationEndpoints.StepAsync(request, query["cluster"].FirstOrDefault(), replica, settings, token);
    }
}
