using System.Text;
using LeaderKv.Node.Security;

namespace LeaderKv.Node.Dashboard;

/// <summary>
/// <c>/ui</c>: the live dashboard. The page and its two files; <c>/ui/events</c>, the Server-Sent
/// Events stream of <see cref="ClusterFrame"/>s; <c>/ui/node</c>, this node's report for the
/// dashboards of its peers; <c>/ui/control/{node}/{action}</c>, the buttons.
/// </summary>
internal static class DashboardEndpoints
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public static void MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ui", (HttpContext context) => DashboardAssets.Serve(context, DashboardAssets.Page))
            .WithName("Dashboard").WithTags("Dashboard")
            .WithSummary("The live dashboard: every node's role, term, indexes and lag, the quorum of the latest write, write rate and latency, events")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        app.MapGet("/ui/dashboard.js", (HttpContext context) => DashboardAssets.Serve(context, DashboardAssets.Script))
            .WithName("DashboardScript").WithTags("Dashboard").WithSummary("The dashboard's script (embedded in the node)")
            .Produces<string>(StatusCodes.Status200OK, "text/javascript");
        app.MapGet("/ui/dashboard.css", (HttpContext context) => DashboardAssets.Serve(context, DashboardAssets.Style))
            .WithName("DashboardStyle").WithTags("Dashboard").WithSummary("The dashboard's style sheet (embedded in the node)")
            .Produces<string>(StatusCodes.Status200OK, "text/css");
        app.MapGet("/ui/events", StreamAsync).RequireApiKey(ApiAccess.Read)
            .WithName("DashboardEvents").WithTags("Dashboard")
            .WithSummary("Server-Sent Events: one JSON ClusterFrame about every half second, the whole cluster as this node sees it")
            .WithDescription("A stream that falls a few frames behind is closed; at most a bounded number are open at once (503 dashboard-busy beyond).")
            .Produces<ClusterFrame>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/ui/node", (NodeSampler sampler) => TypedResults.Json(sampler.Report(), DashboardJsonContext.Default.NodeReport))
            .RequireClusterAuthentication()
            .WithName("DashboardNodeReport").WithTags("Dashboard")
            .WithSummary("This node's report for its peers' dashboards (signed with the cluster secret, like replication)")
            .Produces<NodeReport>();
        app.MapPost("/ui/control/{node}/{action}", (HttpContext context, ControlForwarder control, string node, string action, CancellationToken token) => control.ForwardAsync(context, node, action, token))
            .RequireApiKey(ApiAccess.ReadWrite)
            .WithName("DashboardControl").WithTags("Dashboard")
            .WithSummary("Stops (kill -9), pauses (SIGSTOP), resumes (SIGCONT) or restarts a node of a cluster started by `leaderkv up`")
            .WithDescription("Forwarded to the loopback control endpoint of `leaderkv up`. Only from this machine, from a page loaded from a loopback address, with the header X-LeaderKV-Dashboard: 1.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway);
    }

    /// <summary>
    /// One stream: frames from this node's <see cref="FrameSubscribers"/> queue, written as they
    /// come. A stream the publisher dropped (too far behind), or whose frame does not drain within
    /// <see cref="DashboardLimits.FrameWriteTimeout"/>, is closed by aborting the connection.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, FrameSubscribers subscribers, DashboardLimits limits, TimeProvider time, IHostApplicationLifetime lifetime, CancellationToken aborted)
    {
        // A stream never ends by itself: without the host's stopping token it would hold a graceful
        // shutdown (SIGTERM) up for the whole shutdown timeout.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(aborted, lifetime.ApplicationStopping);
        var token = ending.Token;
        using var subscription = subscribers.TryAdd();
        if (subscription is null)
        {
            await DashboardProblems.Busy(limits.MaxStreams).ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        // Tells a reverse proxy (nginx) not to buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"retry: {(int)(limits.FrameInterval.TotalMilliseconds * 4)}\n\n"), token);
            await response.Body.FlushAsync(token);
            await foreach (var frame in subscription.Frames.ReadAllAsync(token))
            {
                using var timeout = new CancellationTokenSource(limits.FrameWriteTimeout, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
                await response.Body.WriteAsync(DataPrefix, linked.Token);
                await response.Body.WriteAsync(frame, linked.Token);
                await response.Body.WriteAsync(EventEnd, linked.Token);
                await response.Body.FlushAsync(linked.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away, the node is stopping, or the frame did not drain in time.
        }

        if (!token.IsCancellationRequested || (lifetime.ApplicationStopping.IsCancellationRequested && !aborted.IsCancellationRequested))
        {
            // Dropped, timed out or stopping: end the connection rather than leave the browser waiting on a silent stream.
            context.Abort();
        }
    }
}
