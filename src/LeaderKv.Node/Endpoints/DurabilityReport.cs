using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Durability;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Endpoints;

internal static class DurabilityReport
{
    public static DurabilityStatus Describe(NodeSettings settings, IServiceProvider services)
    {
        var installed = services.GetRequiredService<ReplicaDriver>().SnapshotsInstalled;
        if (services.GetService<NodeStorage>() is not { } storage)
        {
            return new DurabilityStatus(null, null, 0, installed, 0, 0, 0, 0, false, null);
        }

        var log = storage.Log;
        return new DurabilityStatus(
            storage.Settings.DataDirectory,
            storage.Settings.Fsync.ToString().ToLowerInvariant(),
            storage.SnapshotIndex,
            installed,
            log.FirstIndex,
            log.LastIndex,
            log.Stats.Appends,
            log.Stats.Fsyncs,
            storage.Report.TailTruncated,
            storage.Report.Summary());
    }
}
