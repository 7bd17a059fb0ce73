using System.Net;
using LeaderKv.Node.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace LeaderKv.Node.Security;

/// <summary>
/// The rule for running without a cluster secret. A node that takes part in replication (a
/// follower, or a leader with followers) and has no CLUSTER_SECRET:
/// <list type="bullet">
/// <item>listening only on loopback addresses: starts, with a loud warning (a local cluster of processes);</item>
/// <item>listening on any other address: refuses to start, unless ALLOW_INSECURE_REPLICATION=true (then warns).</item>
/// </list>
/// It judges the addresses Kestrel actually bound, whichever way they were configured (PORT,
/// ASPNETCORE_URLS, --urls, Kestrel endpoint settings).
/// </summary>
public static class ReplicationExposureRule
{
    public static ExposureVerdict Evaluate(NodeSettings settings, IReadOnlyCollection<string> addresses)
    {
        var replicates = settings.Role == NodeRole.Follower || settings.Followers.Count > 0;
        if (!replicates || settings.Security.ClusterSecret is not null)
        {
            return ExposureVerdict.Secure;
        }

        if (addresses.All(IsLoopback))
        {
            return ExposureVerdict.LoopbackOnly;
        }

        return settings.Security.AllowInsecureReplication ? ExposureVerdict.InsecureAllowed : ExposureVerdict.Refused;
    }

    /// <summary>Whether a listening address (as Kestrel reports it) can only be reached from this machine.</summary>
    public static bool IsLoopback(string address)
    {
        BindingAddress binding;
        try
        {
            binding = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return false;
        }

        if (binding.IsUnixPipe || binding.IsNamedPipe)
        {
            return true;
        }

        var host = binding.Host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Kestrel binds any other host name ("*", "+", a DNS name) to every interface.
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}

public enum ExposureVerdict
{
    Secure,
    LoopbackOnly,
    InsecureAllowed,
    Refused,
}

/// <summary>Thrown when <see cref="ReplicationExposureRule"/> refuses to let the node serve.</summary>
public sealed class InsecureReplicationException(string message) : Exception(message);

/// <summary>
/// Wraps Kestrel to apply <see cref="ReplicationExposureRule"/> to the bound addresses, stopping
/// the server again before the host reports it started when the rule refuses. (Until the check
/// runs, <see cref="RequestGuardMiddleware"/> already refuses unsigned replication from other machines.)
/// </summary>
internal sealed class ExposureGuardedServer(IServer inner, NodeSettings settings, ILogger<ExposureGuardedServer> logger) : IServer
{
    public IFeatureCollection Features => inner.Features;

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        await inner.StartAsync(application, cancellationToken);
        var addresses = inner.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var list = string.Join(", ", addresses);
        switch (ReplicationExposureRule.Evaluate(settings, addresses))
        {
            case ExposureVerdict.LoopbackOnly:
                logger.ReplicationUnauthenticatedOnLoopback(list);
                break;
            case ExposureVerdict.InsecureAllowed:
                logger.ReplicationUnauthenticatedExposed(list);
                break;
            case ExposureVerdict.Refused:
                await inner.StopAsync(cancellationToken);
                throw new InsecureReplicationException(
                    $"no CLUSTER_SECRET (or CLUSTER_SECRET_FILE) is set and this node listens on {list}, which other machines can reach: " +
                    "anyone there could overwrite its data through /replicate. Set the same CLUSTER_SECRET on every node, listen on 127.0.0.1 only, " +
                    "or set ALLOW_INSECURE_REPLICATION=true to accept the risk.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

    public void Dispose() => inner.Dispose();
}

internal static class ExposureGuardRegistration
{
    /// <summary>Replaces the registered <see cref="IServer"/> (Kestrel) with itself wrapped in <see cref="ExposureGuardedServer"/>.</summary>
    public static void GuardReplicationExposure(this IServiceCollection services)
    {
        var original = services.Last(descriptor => descriptor.ServiceType == typeof(IServer));
        services.Remove(original);
        services.AddSingleton<IServer>(provider => new ExposureGuardedServer(
            Create(original, provider),
            provider.GetRequiredService<NodeSettings>(),
            provider.GetRequiredService<ILogger<ExposureGuardedServer>>()));
    }

    private static IServer Create(ServiceDescriptor descriptor, IServiceProvider provider) => descriptor switch
    {
        { ImplementationInstance: IServer instance } => instance,
        { ImplementationFactory: { } factory } => (IServer)factory(provider),
        { ImplementationType: { } type } => (IServer)ActivatorUtilities.CreateInstance(provider, type),
        _ => throw new InvalidOperationException("The registered IServer cannot be constructed."),
    };
}
