using LeaderKv.Node.Configuration;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Durability;

internal static class DurabilityServices
{
    /// <summary>
    /// With DATA_DIR: recovers the data directory now (before the node can serve anything) and
    /// registers it with periodic snapshots. Without: nothing, and the drivers stay in memory.
    /// </summary>
    public static IServiceCollection AddDurability(this IServiceCollection services, NodeSettings settings)
    {
        if (!settings.Durability.IsDurable)
        {
            return services;
        }

        var storage = NodeStorage.Open(settings.Durability);
        // Registered through a factory so the container disposes it (closing the log) when the node stops.
        services.AddSingleton(_ => storage);
        services.AddSingleton<ISnapshotSource>(provider => settings.Role == NodeRole.Leader
            ? provider.GetRequiredService<LeaderDriver>()
            : provider.GetRequiredService<FollowerDriver>());
        // Also what builds the follower's recovered state at start-up rather than at its first request.
        services.AddHostedService<PeriodicSnapshots>();
        return services;
    }
}
