using LeaderKv.Node;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>
/// The no-secret rule: a replicating node without CLUSTER_SECRET runs with a loud warning when it
/// listens only on loopback, and refuses to start on any other address unless
/// ALLOW_INSECURE_REPLICATION=true. Non-loopback binds are simulated with a stand-in server, so no
/// test listens beyond 127.0.0.1.
/// </summary>
public class ReplicationExposureTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8000", true)]
    [InlineData("http://127.0.0.2:8000", true)]
    [InlineData("https://[::1]:8443", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://0.0.0.0:8000", false)]
    [InlineData("http://[::]:80", false)]
    [InlineData("http://*:80", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://follower-1:80", false)]
    [InlineData("http://192.168.1.20:80", false)]
    public void Only_addresses_that_other_machines_cannot_reach_count_as_loopback(string address, bool loopback) =>
        Assert.Equal(loopback, ReplicationExposureRule.IsLoopback(address));

    [Fact]
    public async Task A_follower_without_a_secret_on_a_public_address_refuses_to_start()
    {
        var server = new StandInServer("http://0.0.0.0:8000");
        var app = NodeHost.Build(new NodeSettings { Role = NodeRole.Follower }, [], services => services.AddSingleton<IServer>(server));
        await using var _ = app;

        var refusal = await Assert.ThrowsAsync<InsecureReplicationException>(() => app.StartAsync());

        Assert.Contains("CLUSTER_SECRET", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("ALLOW_INSECURE_REPLICATION", refusal.Message, StringComparison.Ordinal);
        Assert.True(server.Stopped, "the server must stop serving before the refusal is reported");
    }

    [Fact]
    public async Task A_follower_without_a_secret_on_a_public_address_starts_with_a_warning_when_insecure_replication_is_allowed()
    {
        var logs = new CapturedLogs();
        var settings = new NodeSettings { Role = NodeRole.Follower, Security = new SecuritySettings { AllowInsecureReplication = true } };
        await using var app = NodeHost.Build(settings, [], services =>
        {
            logs.AddTo(services);
            services.AddSingleton<IServer>(new StandInServer("http://0.0.0.0:8000"));
        });

        await app.StartAsync();

        Assert.True(logs.Contains(LogLevel.Warning, "ALLOW_INSECURE_REPLICATION=true"));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_follower_with_a_secret_starts_on_a_public_address_without_warnings()
    {
        var logs = new CapturedLogs();
        var settings = new NodeSettings { Role = NodeRole.Follower, Security = new SecuritySettings { ClusterSecret = new ClusterSecret("correct-horse-battery-staple") } };
        await using var app = NodeHost.Build(settings, [], services =>
        {
            logs.AddTo(services);
            services.AddSingleton<IServer>(new StandInServer("http://0.0.0.0:8000"));
        });

        await app.StartAsync();

        Assert.DoesNotContain(logs.Lines, line => line.Message.Contains("INSECURE", StringComparison.Ordinal));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_loopback_only_follower_without_a_secret_starts_and_warns_loudly()
    {
        var logs = new CapturedLogs();

        var (app, _) = await TestCluster.StartNodeAsync(new NodeSettings { Role = NodeRole.Follower }, logs.AddTo, port: 0);
        await using var _ = app;

        Assert.True(logs.Contains(LogLevel.Warning, "INSECURE: no CLUSTER_SECRET"));
    }

    [Fact]
    public void A_leader_without_followers_has_nothing_to_protect_and_may_listen_anywhere()
    {
        var verdict = ReplicationExposureRule.Evaluate(new NodeSettings { Role = NodeRole.Leader, WriteQuorum = 0 }, ["http://0.0.0.0:8000"]);

        Assert.Equal(ExposureVerdict.Secure, verdict);
    }

    [Fact]
    public void A_leader_with_followers_and_no_secret_on_a_public_address_is_refused()
    {
        var settings = new NodeSettings { Role = NodeRole.Leader, Followers = [new Uri("http://follower-1:80")] };

        Assert.Equal(ExposureVerdict.Refused, ReplicationExposureRule.Evaluate(settings, ["http://0.0.0.0:8000"]));
    }

    /// <summary>Reports the addresses a real server would have bound, without binding anything.</summary>
    private sealed class StandInServer : IServer
    {
        public StandInServer(params string[] addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var address in addresses)
            {
                feature.Addresses.Add(address);
            }

            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public bool Stopped { get; private set; }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Stopped = true;
            return Task.CompletedTask;
        }

        public void Dispose()
        {
        }
    }
}
