using System.Net;
using System.Text.Json;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>Only the leader, holding CLUSTER_SECRET, can replicate: everyone else's /replicate gets 401 and changes nothing.</summary>
public class ClusterAuthenticationTests
{
    private static readonly ClusterSecret Secret = new("correct-horse-battery-staple");

    private static readonly SecuritySettings Secured = new() { ClusterSecret = Secret };

    [Fact]
    public async Task Leader_and_followers_sharing_the_secret_replicate_and_converge()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 2, Security = Secured });

        for (var i = 0; i < 10; i++)
        {
            using var response = await cluster.WriteAsync($"k{i % 3}", i);
            response.EnsureSuccessStatusCode();
        }

        await cluster.WaitForConvergenceAsync();
        var leader = await cluster.DataAsync(cluster.Leader);
        foreach (var follower in cluster.Followers)
        {
            Assert.Equal(Render(leader), Render(await cluster.DataAsync(follower)));
        }
    }

    [Fact]
    public async Task Unsigned_replicate_is_rejected_with_401_logged_and_the_follower_keeps_its_data()
    {
        var logs = new CapturedLogs();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Security = Secured, Services = logs.AddTo });
        (await cluster.WriteAsync("k", "real")).EnsureSuccessStatusCode();
        await cluster.WaitForConvergenceAsync();

        using var response = await cluster.Http.SendAsync(Requests.Post(cluster.Followers[0], "/replicate", Requests.Append(2, "k", "\"forged\"")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("replication-unauthenticated", Requests.TypeName(await Requests.ProblemAsync(response)));
        Assert.Equal("real", (await cluster.DataAsync(cluster.Followers[0]))["k"].GetString());
        Assert.True(logs.Contains(LogLevel.Warning, "Rejected replication request"), "the follower should log the rejected request");
    }

    [Fact]
    public async Task A_leader_with_a_different_secret_cannot_win_its_followers_so_it_never_takes_a_write()
    {
        // Its vote requests are refused like its appends would be: it never leads, and every write is
        // rejected (503, nothing written) rather than accepted and left unknown.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Security = new SecuritySettings { ClusterSecret = new ClusterSecret("some-other-secret-entirely") },
            FollowerSecurity = Secured,
            WaitForLeader = false,
        });

        using var response = await cluster.WriteAsync("k", 1);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("rejected", (await Requests.ProblemAsync(response)).GetProperty("outcome").GetString());
        Assert.Empty(await cluster.DataAsync(cluster.Followers[0]));
    }

    [Fact]
    public async Task A_signed_request_whose_body_was_altered_is_rejected()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Security = Secured });
        var signed = Requests.SignedAppend(cluster.Followers[0], Requests.Append(1, "k", "\"honest\""), Secret, DateTimeOffset.UtcNow);
        var tampered = Requests.Post(cluster.Followers[0], "/replicate", Requests.Append(1, "k", "\"evil\""));
        tampered.Headers.TryAddWithoutValidation(ClusterSecret.HeaderName, signed.Headers.GetValues(ClusterSecret.HeaderName));

        using var response = await cluster.Http.SendAsync(tampered);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await cluster.DataAsync(cluster.Followers[0]));
    }

    [Fact]
    public async Task A_captured_request_is_accepted_only_within_the_clock_skew_window()
    {
        // Goal: a recorded request cannot be replayed later. Method: the follower runs on a fake
        // clock; the same signed request is accepted now and refused once the window has passed.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var (follower, url) = await TestCluster.StartNodeAsync(
            new NodeSettings { Role = NodeRole.Follower, NodeId = "follower", Security = Secured },
            services => services.AddSingleton<TimeProvider>(clock),
            port: 0);
        await using var _ = follower;
        using var http = new HttpClient();
        var body = Requests.Append(1, "k", "1");
        var signedAt = clock.GetUtcNow();

        using var fresh = await http.SendAsync(Requests.SignedAppend(url, body, Secret, signedAt));
        clock.Advance(ClusterSecret.MaxClockSkew + TimeSpan.FromSeconds(1));
        using var replayed = await http.SendAsync(Requests.SignedAppend(url, body, Secret, signedAt));

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("timestamp", (await Requests.ProblemAsync(replayed)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_secret_replication_is_accepted_from_this_machine_only()
    {
        // Goal: the no-secret rule holds per request, not only at start-up. Method: run the guard
        // on requests that claim a loopback and a remote peer address (no packet leaves the test).
        await using var node = await StartFollowerAsync(new SecuritySettings());
        var guard = new RequestGuardMiddleware(_ => Task.CompletedTask, node.Services.GetRequiredService<NodeSettings>(), TimeProvider.System, node.Services.GetRequiredService<ILogger<RequestGuardMiddleware>>());

        var local = await RunAsync(guard, node, IPAddress.Loopback);
        var remote = await RunAsync(guard, node, IPAddress.Parse("192.0.2.10"));

        Assert.Equal(StatusCodes.Status200OK, local);
        Assert.Equal(StatusCodes.Status401Unauthorized, remote);
    }

    [Fact]
    public async Task With_insecure_replication_allowed_a_remote_peer_may_replicate_without_a_secret()
    {
        await using var node = await StartFollowerAsync(new SecuritySettings { AllowInsecureReplication = true });
        var guard = new RequestGuardMiddleware(_ => Task.CompletedTask, node.Services.GetRequiredService<NodeSettings>(), TimeProvider.System, node.Services.GetRequiredService<ILogger<RequestGuardMiddleware>>());

        Assert.Equal(StatusCodes.Status200OK, await RunAsync(guard, node, IPAddress.Parse("192.0.2.10")));
    }

    private static async Task<WebApplication> StartFollowerAsync(SecuritySettings security)
    {
        var (app, _) = await TestCluster.StartNodeAsync(new NodeSettings { Role = NodeRole.Follower, NodeId = "follower", Security = security }, null, port: 0);
        return app;
    }

    private static async Task<int> RunAsync(RequestGuardMiddleware guard, WebApplication node, IPAddress remote)
    {
        var context = new DefaultHttpContext { RequestServices = node.Services };
        context.Connection.RemoteIpAddress = remote;
        context.Request.Method = "POST";
        context.Request.Path = "/replicate";
        context.Request.ContentType = "application/json";
        context.Response.Body = new MemoryStream();
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(ClusterAuthenticationRequired.Instance), "replicate"));
        await guard.InvokeAsync(context);
        return context.Response.StatusCode;
    }

    private static string Render(Dictionary<string, JsonElement> data) =>
        string.Join(",", data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.GetRawText()}"));
}
