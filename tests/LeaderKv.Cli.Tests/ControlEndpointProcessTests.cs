using System.Net;
using System.Net.Http.Json;
using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Tests.Support;
using LeaderKv.TestSupport;

namespace LeaderKv.Cli.Tests;

/// <summary>
/// The control endpoint `up` serves for the dashboard's buttons, against real node processes: the
/// page's node forwards a button press to it, and it stops (kill -9), pauses (SIGSTOP), resumes and
/// restarts nodes. What is checked is what the kernel says about the processes (/proc), not timing.
/// </summary>
[Collection(ProcessTestCollection.Name)]
[Trait("Category", "Process")]
public sealed class ControlEndpointProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Buttons_forwarded_by_a_node_pause_resume_kill_and_restart_node_processes()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var control = await ControlEndpoint.StartAsync(report: null, deadline.Token);
        var options = new LocalClusterOptions
        {
            Layout = ClusterLayout.Peers,
            Followers = 2,
            MaxDelayMs = 5,
            BasePort = FreePorts.FindConsecutive(3),
            ExtraEnvironment = control.Environment,
        };
        await using var cluster = await LocalCluster.StartAsync(options, deadline.Token);
        control.Attach(cluster);
        using var http = new HttpClient { Timeout = Patience };
        var page = cluster.Nodes.Single(n => n.Name == "node-0").Url;

        // Loopback only, and nothing without the token.
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(control.Url.Host)));
        using (var anonymous = await http.GetAsync(new Uri(control.Url, "nodes"), deadline.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        // Pause node-2 through node-0's dashboard: the kernel shows it stopped (state T).
        var paused = ProcessProbe.Of(Node(cluster, "node-2").ProcessId)!.Value;
        await PressAsync(http, page, "node-2", "pause", deadline.Token);
        await Eventually.WaitUntilAsync(() => paused.IsFrozen, Patience, "node-2 to be frozen by SIGSTOP");

        // Resume it: running again, and it answers.
        await PressAsync(http, page, "node-2", "resume", deadline.Token);
        await Eventually.WaitUntilAsync(() => !paused.IsFrozen && paused.IsRunning, Patience, "node-2 to run again after SIGCONT");
        using (var health = await http.GetAsync(new Uri(Node(cluster, "node-2").Url, "health"), deadline.Token))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        // Stop node-1 (kill -9): its process is gone.
        var killed = ProcessProbe.Of(Node(cluster, "node-1").ProcessId)!.Value;
        await PressAsync(http, page, "node-1", "stop", deadline.Token);
        await Eventually.WaitUntilAsync(() => !killed.IsRunning, Patience, "node-1 to be killed");

        // Restart it: a new process on the same port, healthy, and the control endpoint lists it running.
        var restarted = await PressAsync(http, page, "node-1", "restart", deadline.Token);
        Assert.NotEqual(killed.ProcessId, restarted.ProcessId);
        Assert.Equal("running", restarted.State);
        using (var health = await http.GetAsync(new Uri(Node(cluster, "node-1").Url, "health"), deadline.Token))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(control.Url, "nodes"));
        list.Headers.Authorization = new("Bearer", control.Token);
        using var listed = await http.SendAsync(list, deadline.Token);
        var states = await listed.Content.ReadFromJsonAsync<List<NodeControlState>>(deadline.Token);
        Assert.Equal(["running", "running", "running"], states!.Select(s => s.State));
    }

    private static NodeProcess Node(LocalCluster cluster, string name) => cluster.Nodes.Single(n => n.Name == name);

    /// <summary>What the page's button does: POST to its own node, which forwards to `up`.</summary>
    private static async Task<NodeControlState> PressAsync(HttpClient http, Uri page, string node, string action, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(page, $"ui/control/{node}/{action}"));
        request.Headers.Add("X-LeaderKV-Dashboard", "1");
        using var response = await http.SendAsync(request, token);
        var body = await response.Content.ReadAsStringAsync(token);
        Assert.True(response.IsSuccessStatusCode, $"{action} {node}: {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonSerializer.Deserialize<NodeControlState>(body, System.Text.Json.JsonSerializerOptions.Web)!;
    }
}
