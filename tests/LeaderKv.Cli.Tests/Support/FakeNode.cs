using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>
/// An in-process HTTP server on a loopback port that answers /data (and optionally /status) with
/// fixed JSON: a follower whose state a test chooses, to drive `check` into every outcome.
/// </summary>
internal sealed class FakeNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _dataRequests;

    private FakeNode(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    public string BaseUrl => Url.AbsoluteUri.TrimEnd('/');

    public int DataRequests => Volatile.Read(ref _dataRequests);

    /// <param name="data">The /data body for the n-th request (0-based), so a test can make a node converge.</param>
    /// <param name="status">The /status body; null answers 404 as a node without that endpoint would.</param>
    /// <param name="routes">More endpoints, e.g. POST /admin/promote.</param>
    public static async Task<FakeNode> StartAsync(Func<int, string> data, Func<string>? status = null, Action<WebApplication>? routes = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var node = new FakeNode(app);
        app.MapGet("/data", () => Results.Text(data(Interlocked.Increment(ref node._dataRequests) - 1), "application/json"));
        if (status is not null)
        {
            app.MapGet("/status", () => Results.Text(status(), "application/json"));
        }

        routes?.Invoke(app);

        await app.StartAsync();
        // After start, Urls holds the address Kestrel actually bound, port 0 resolved.
        node.Url = new Uri(app.Urls.Single() + "/");
        return node;
    }

    public static Task<FakeNode> WithDataAsync(string data) => StartAsync(_ => data);

    /// <summary>A leader whose /status lists <paramref name="followers"/>, as LeaderKV's leader does.</summary>
    public static Task<FakeNode> LeaderAsync(string data, params FakeNode[] followers) => StartAsync(
        _ => data,
        () => System.Text.Json.JsonSerializer.Serialize(new
        {
            role = "leader",
            followers = followers.Select(f => new { url = f.BaseUrl, ackedIndex = 0, lag = 0 }),
        }));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
