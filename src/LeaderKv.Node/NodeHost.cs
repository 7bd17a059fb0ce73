using System.Text.Json.Serialization;
using LeaderKv.Core;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Durability;
using LeaderKv.Node.Endpoints;
using LeaderKv.Node.Replication;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LeaderKv.Node;

/// <summary>Builds one node: the same code path for the real process and for in-process test clusters.</summary>
public static class NodeHost
{
    /// <summary>
    /// Large enough for the biggest replication batch; per-value limits are enforced separately.
    /// Kestrel's default (30 MB) would let one request hold that much memory per connection.
    /// </summary>
    public const long MaxRequestBodyBytes = 16 * 1024 * 1024;

    /// <param name="settings">Parsed configuration.</param>
    /// <param name="args">Command-line arguments (e.g. <c>--urls</c>).</param>
    /// <param name="configureServices">Lets tests replace the clock or the delay source.</param>
    public static WebApplication Build(NodeSettings settings, string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (settings.Port is { } port && string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        // Per-request framework logs would cost more than a replicated write; keep warnings and our own events.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, NodeJsonContext.Default);
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IDelaySource>(_ => new UniformDelaySource(
            settings.DelayMin, settings.DelayMax, settings.DelaySeed is { } seed ? new Random(seed) : new Random()));
        if (settings.Role == NodeRole.Leader)
        {
            builder.Services.AddSingleton<LeaderDriver>();
            builder.Services.AddSingleton<INodeStore>(services => services.GetRequiredService<LeaderDriver>());
            builder.Services.AddHostedService(services => services.GetRequiredService<LeaderDriver>());
        }
        else
        {
            builder.Services.AddSingleton<FollowerDriver>();
            builder.Services.AddSingleton<INodeStore>(services => services.GetRequiredService<FollowerDriver>());
        }

        builder.Services.AddDurability(settings);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapClientEndpoints(settings);
        app.MapReplicationEndpoints(settings);
        app.MapStatusEndpoints(settings);
        return app;
    }
}
