using Microsoft.Extensions.DependencyInjection.Extensions;
using LeaderKv.Node.Configuration;

namespace LeaderKv.Node.Dashboard;

/// <summary>Registers the dashboard (<c>/ui</c>) and maps its endpoints.</summary>
public static class DashboardServices
{
    public static IServiceCollection AddDashboard(this IServiceCollection services, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.TryAddSingleton(new DashboardLimits());
        services.AddSingleton(provider => new NodeFeed(provider.GetRequiredService<TimeProvider>(), settings.NodeId));
        services.AddSingleton<WriteWindow>();
        services.AddSingleton<NodeSampler>();
        services.AddHostedService(provider => provider.GetRequiredService<NodeSampler>());
        services.AddSingleton<FrameSubscribers>();
        services.AddSingleton<ClusterWatch>();
        services.AddHostedService(provider => provider.GetRequiredService<ClusterWatch>());
        services.AddSingleton<ControlForwarder>();
        services.AddSingleton<ILoggerProvider>(provider => new ReplicationEventTap(provider.GetRequiredService<NodeFeed>()));
        // The replica's events are Information; whatever the host's minimum level, the tap hears them.
        services.Configure<LoggerFilterOptions>(options => options.Rules.Add(
            new LoggerFilterRule(typeof(ReplicationEventTap).FullName, ReplicationEventTap.Category, LogLevel.Information, filter: null)));
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The window listens from start-up, so the first minute's writes are in it when someone opens the page.
        _ = app.Services.GetRequiredService<WriteWindow>();
        app.MapDashboardEndpoints();
        return app;
    }
}
