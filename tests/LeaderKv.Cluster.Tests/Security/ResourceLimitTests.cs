using System.Net;
using System.Net.Sockets;
using System.Text;
using LeaderKv.Core;
using LeaderKv.Node.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>Nothing a client or a follower does can make a node hold unbounded memory, connections or waits.</summary>
public class ResourceLimitTests
{
    [Fact]
    public async Task A_follower_slower_than_the_writes_costs_the_leader_a_bounded_queue_and_still_converges_through_catch_up()
    {
        // Goal: a stalled follower does not grow the leader's memory. Method: the follower holds
        // every /replicate until released; the leader may queue 8 live sends and have one append
        // of at most 4 entries in flight. After 200 writes, at most 8 + 4 entries are on their way
        // to it; the rest wait in the log. Released, it catches up to the leader's exact state.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logs = new CapturedLogs();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Quorum = 0,
            Services = services => services.AddSingleton<IStartupFilter>(new HoldReplication(gate.Task)),
            LeaderServices = services =>
            {
                logs.AddTo(services);
                services.AddSingleton(new ReplicationLimits { MaxQueuedSends = 8, MaxAppendsInFlight = 1, MaxEntriesPerAppend = 4 });
            },
        });

        for (var i = 0; i < 200; i++)
        {
            using var response = await cluster.WriteAsync($"k{i % 7}", i);
            response.EnsureSuccessStatusCode();
        }

        var follower = (await cluster.StatusAsync(cluster.Leader)).GetProperty("followers")[0];
        Assert.InRange(follower.GetProperty("outstanding").GetInt32(), 0, 8 + 4);
        Assert.True(logs.Contains(LogLevel.Warning, "slower than the write rate"));

        gate.SetResult();
        await cluster.WaitForConvergenceAsync();
        var leaderData = await cluster.DataAsync(cluster.Leader);
        var followerData = await cluster.DataAsync(cluster.Followers[0]);
        Assert.Equal(leaderData.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"), followerData.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));
    }

    [Fact]
    public async Task Connections_beyond_MAX_CONNECTIONS_are_closed_and_a_freed_slot_serves_again()
    {
        var (app, url) = await TestCluster.StartNodeAsync(
            new NodeSettings { Role = NodeRole.Follower, Security = new SecuritySettings { MaxConnections = 2 } }, null, port: 0);
        await using var _ = app;
        using var first = await OpenKeptAliveAsync(url);
        using var second = await OpenKeptAliveAsync(url);

        using var third = new TcpClient();
        await third.ConnectAsync(IPAddress.Loopback, url.Port);
        var refused = await TryRequestHealthAsync(third);

        Assert.Null(refused);
        first.Dispose();
        await TestCluster.EventuallyAsync(
            async () =>
            {
                using var next = new TcpClient();
                await next.ConnectAsync(IPAddress.Loopback, url.Port);
                return await TryRequestHealthAsync(next) is { } response && response.StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
            },
            "a connection slot to free up");
    }

    [Fact]
    public async Task A_follower_that_accepts_connections_but_never_answers_leaves_the_leader_refusing_writes_at_once_instead_of_hanging()
    {
        // The kernel completes the handshake for a listener nobody accepts from: the request is
        // sent and no answer ever comes. The leader cannot finish its start-up recovery without that
        // follower's promise, so it refuses writes at once (503, nothing written) rather than hang.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        var settings = new NodeSettings { Role = NodeRole.Leader, Followers = [url], WriteQuorum = 1, NodeId = "leader", WriteTimeout = TestCluster.Patience * 2 };
        var (leader, leaderUrl) = await TestCluster.StartNodeAsync(settings, null, port: 0);
        await using var _ = leader;
        using var http = new HttpClient { Timeout = TestCluster.Patience };

        using var response = await http.PostAsync(new Uri(leaderUrl, "/write"), new StringContent("{\"key\":\"k\",\"value\":1}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.Contains("Retry-After"));
        var status = await http.GetStringAsync(new Uri(leaderUrl, "/status"));
        Assert.DoesNotContain("\"role\":\"leader\"", status, StringComparison.Ordinal);
    }

    private static async Task<TcpClient> OpenKeptAliveAsync(Uri url)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, url.Port);
        Assert.StartsWith("HTTP/1.1 200", await TryRequestHealthAsync(client), StringComparison.Ordinal);
        return client;
    }

    /// <summary>Sends GET /health on a raw connection; the response head, or null when the server closed the connection instead.</summary>
    private static async Task<string?> TryRequestHealthAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            var buffer = new byte[4096];
            var received = new StringBuilder();
            using var deadline = new CancellationTokenSource(TestCluster.Patience);
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, deadline.Token);
                if (read == 0)
                {
                    return null;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return received.ToString();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Makes a follower hold every /replicate until <paramref name="release"/> completes: a follower that cannot keep up.</summary>
    private sealed class HoldReplication(Task release) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path.StartsWithSegments("/replicate"))
                {
                    await release.WaitAsync(context.RequestAborted);
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
