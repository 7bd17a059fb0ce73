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

        var storage = NodeStorage.Open(settings.Durability);
        // Registered through a factory so the container disposes it (closing the log) when the node stops.
        services.AddSingleton(_ => storage);
        services.AddSingleton<IReplicaPersistence, DurablePersistence>();
        services.AddSingleton<ISnapshotSource>(provider => provider.GetRequiredService<ReplicaDriver>());
        services.AddHostedService<PeriodicSnapshots>();
        return services;
    }
}
