using System.Text.Json.Serialization;
using LeaderKv.Core;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Dashboard;
using LeaderKv.Node.Durability;
using LeaderKv.Node.Endpoints;
using LeaderKv.Node.Faults;
using LeaderKv.Node.Observability;
using LeaderKv.Node.Observability.OpenApi;
using LeaderKv.Node.Replication;
using LeaderKv.Node.Security;
using LeaderKv.Node.Watch;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LeaderKv.Node;

/// <summary>Builds one node: the same code path for the real process and for in-process test clusters.</summary>
public static class NodeHost
{
    /// <summary>
    /// Large enough for the biggest replication batch at the default key and value limits (larger
    /// limits raise it: <see cref="SecuritySettings.MaxReplicationBodyBytes"/>). Kestrel's default
    /// (30 MB) would let one request hold that much memory per connection.
    /// </summary>
    public const long MaxRequestBodyBytes = 16 * 1024 * 1024;

    /// <param name="settings">Parsed configuration.</param>
    /// <param name="args">Command-line arguments (e.g. <c>--urls</c>).</param>
    /// <param name="configureServices">Lets tests replace the clock or the delay source.</param>
    public static WebApplication Build(NodeSettings settings, string[] args, Action<IServiceCollection>? configureServices = null)
    {
        // No file watching: by default the host watches its content root (the working directory) to
        // reload appsettings.json, which a node does not use. Started from this repository that was
        // 500 inotify watches per node, and every file written below it (a build, a log) woke the node.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
        });
        if (settings.Port is { } port && string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
        }

        // HTTPS from standard configuration: https:// URLs plus Kestrel:Certificates:Default:Path/Password
        // (ASPNETCORE_Kestrel__Certificates__Default__Path, …). The slim builder leaves it out by default.
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => KestrelHardening.Apply(kestrel, settings.Security));
        // Per-request framework logs would cost more than a replicated write; keep warnings and our own events.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, NodeJsonContext.Default);
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = Problems.Describe);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<StorageExceptionHandler>();
        builder.Services.AddSingleton(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IDelaySource>(_ => new UniformDelaySource(
            settings.DelayMin, settings.DelayMax, settings.DelaySeed is { } seed ? new Random(seed) : new Random()));
        builder.Services.AddSingleton<WatchHub>();
        builder.Services.AddSingleton<ReplicaDriver>();
        builder.Services.AddSingleton<INodeStore>(services => services.GetRequiredService<ReplicaDriver>());
        builder.Services.AddHostedService(services => services.GetRequiredService<ReplicaDriver>());

        builder.Services.AddDurability(settings);
        builder.Services.AddNodeObservability(settings);
        builder.Services.AddDashboard(settings);
        configureServices?.Invoke(builder.Services);
        // After the callers' services, so that whichever server ends up registered is the one guarded.
        builder.Services.GuardReplicationExposure();
        builder.Services.AddFaultInjection(settings);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestGuardMiddleware>();
        app.MapClientEndpoints(settings);
        app.MapKvWriteEndpoints(settings);
        app.MapKvReadEndpoints(settings);
        app.MapWatchEndpoints();
        app.MapReplicationEndpoints(settings);
        app.MapStatusEndpoints(settings);
        app.MapFaultEndpoints(settings);
        app.MapMetricsEndpoint();
        app.MapApiDescription();
        app.MapDashboard();
        return app;
    }
}
