using System.Diagnostics.Metrics;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Durability;
using LeaderKv.Node.Observability.OpenApi;
using LeaderKv.Node.Observability.Prometheus;
using LeaderKv.Node.Security;
using LeaderKv.Storage.Wal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LeaderKv.Node.Observability;

/// <summary>Registers metrics, the log format and the API description; maps <c>/metrics</c>.</summary>
public static class MetricsServices
{
    /// <summary>The Prometheus text exposition format, version 0.0.4 (what every Prometheus server accepts).</summary>
    public const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static IServiceCollection AddNodeObservability(this IServiceCollection services, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddNodeLogging(settings.Logging);
        services.AddNodeOpenApi();
        services.TryAddSingleton<INodeMetricsSource>(provider => new DriverMetricsSource(provider));
        services.AddSingleton(provider => new MetricsCollector(provider.GetRequiredService<IMeterFactory>(), StorageMeters(provider)));
        // The collector first: a listener sees measurements only once it listens, and NodeMetrics
        // records its zeroes as it is built.
        services.AddSingleton(provider =>
        {
            _ = provider.GetRequiredService<MetricsCollector>();
            return new NodeMetrics(provider.GetRequiredService<IMeterFactory>(), provider.GetRequiredService<INodeMetricsSource>());
        });
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c>, and starts listening now rather than at the first scrape, so counters count from start-up.</summary>
    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var collector = app.Services.GetRequiredService<MetricsCollector>();
        _ = app.Services.GetRequiredService<NodeMetrics>();
        app.MapGet("/metrics", () => TypedResults.Text(collector.Scrape(), PrometheusContentType))
            .RequireApiKey(ApiAccess.Read)
            .WithName("GetMetrics")
            .WithTags("Operations")
            .WithSummary("Prometheus metrics of this node")
            .WithDescription("The text exposition format 0.0.4: LeaderKV's replication metrics, the write-ahead log's, ASP.NET Core's and the .NET runtime's. docs/operations.md lists them.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return app;
    }

    private static IEnumerable<Meter> StorageMeters(IServiceProvider provider) =>
        provider.GetService<NodeStorage>()?.Log is FileWriteAheadLog log ? [log.Meter] : [];
}
