using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;
using LeaderKv.Node.Transport;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace LeaderKv.Node.Faults;

/// <summary>Registers fault injection and the test-only stale reads, both off unless configured.</summary>
internal static class FaultServices
{
    public static void AddFaultInjection(this IServiceCollection services, NodeSettings settings)
    {
        if (!settings.HasTestSwitches)
        {
            return;
        }

        if (settings.FaultInjection)
        {
            services.AddSingleton<FaultState>();
            services.AddSingleton<PeerLink>(provider => new FaultLink(provider.GetRequiredService<FaultState>(), provider.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IStartupFilter>(new MiddlewareFirst<IncomingFaults>());
        }

        if (settings.UnsafeTestStaleReads)
        {
            services.AddSingleton<StaleTable>();
            services.AddHostedService(provider => provider.GetRequiredService<StaleTable>());
            services.AddSingleton<IStartupFilter>(new MiddlewareFirst<StaleReadMiddleware>());
        }

        // Wraps whichever server is registered (the exposure guard around Kestrel), like that guard does.
        var original = services.Last(descriptor => descriptor.ServiceType == typeof(IServer));
        services.Remove(original);
        services.AddSingleton<IServer>(provider => new LoopbackOnlyServer(
            original.ImplementationFactory is { } factory ? (IServer)factory(provider)
                : original.ImplementationInstance as IServer ?? (IServer)ActivatorUtilities.CreateInstance(provider, original.ImplementationType!),
            settings));
    }

    /// <summary>Puts a middleware in front of the whole pipeline (before routing and the signature check).</summary>
    private sealed class MiddlewareFirst<T> : IStartupFilter
        where T : class
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<T>();
            next(app);
        };
    }

    /// <summary>Refuses to serve when a test switch is on and the node can be reached from another machine.</summary>
    private sealed class LoopbackOnlyServer(IServer inner, NodeSettings settings) : IServer
    {
        public IFeatureCollection Features => inner.Features;

        public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull
        {
            await inner.StartAsync(application, cancellationToken);
            var addresses = inner.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            if (!addresses.All(ReplicationExposureRule.IsLoopback))
            {
                await inner.StopAsync(cancellationToken);
                var switches = string.Join(" and ", new[] { settings.FaultInjection ? "FAULT_INJECTION" : null, settings.UnsafeTestStaleReads ? "UNSAFE_TEST_STALE_READS" : null }.OfType<string>());
                throw new InsecureReplicationException(
                    $"{switches} is set and this node listens on {string.Join(", ", addresses)}, which other machines can reach. " +
                    "Those switches are for tests on one machine: listen on 127.0.0.1 only, or turn them off.");
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

        public void Dispose() => inner.Dispose();
    }
}
