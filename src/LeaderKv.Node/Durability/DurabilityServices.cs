using LeaderKv.Node.Configuration;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Durability;

/// <summary>Registers what a node's data directory needs: its storage, the replica's persistence, and periodic snapshots.</summary>
internal static class DurabilityServices
{
    public static IServiceCollection AddDurability(this IServiceCollection services, NodeSettings settings)
    {
        if (!settings.Durability.IsDurable)
        {
            services.AddSingleton<IReplicaPersistence>(new InMemoryPersistence(settings));
            return services;
        }

        // Before anything writes to the directory: the boot record tells whether the last run may have lost unsynced writes.
        Directory.CreateDirectory(settings.Durability.DataDirectory!);
        var boot = LeaderKv.Storage.State.BootRecord.Begin(settings.Durability.DataDirectory!, settings.Durability.Fsync);
        // Checked while the host is built, so a node started with other PEERS or WRITE_QUORUM than its
        // data directory was made with stops with one line instead of serving.
        var hardState = LeaderKv.Storage.State.HardStateStore.Open(settings.Durability.DataDirectory!, settings.Durability.FileSystem);
        if (settings.ClusterFingerprint is { } fingerprint)
        {
            hardState.BindCluster(fingerprint);
        }

        var storage = NodeStorage.Open(settings.Durability);
        // Registered through a factory so the container disposes it (closing the log) when the node stops.
        services.AddSingleton(_ => storage);
        services.AddSingleton<IReplicaPersistence>(provider => new DurablePersistence(settings, storage, hardState, boot, provider.GetRequiredService<ILogger<DurablePersistence>>()));
        services.AddSingleton<ISnapshotSource>(provider => provider.GetRequiredService<ReplicaDriver>());
        services.AddHostedService<PeriodicSnapshots>();
        return services;
    }
}
