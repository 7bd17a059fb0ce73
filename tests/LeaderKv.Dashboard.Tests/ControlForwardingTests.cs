using System.Net;
using LeaderKv.Node.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LeaderKv.Dashboard.Tests;

/// <summary>
/// The node's half of the dashboard's buttons: it forwards a press to the control endpoint of `up`
/// (here a fake that records what it was sent), and only a press that is plainly the page itself.
/// </summary>
public sealed class ControlForwardingTests
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task A_press_from_the_page_is_forwarded_with_the_token_and_anything_else_is_refused()
    {
        var pressed = new List<string>();
        await using var control = await FakeControlAsync(pressed);
        var (app, url) = await TestCluster.StartNodeAsync(
            new NodeSettings
            {
                Role = NodeRole.Leader,
                NodeId = "solo",
                WriteQuorum = 0,
                Dashboard = new DashboardSettings { ControlUrl = control.Url, ControlToken = Token },
            },
            services: null,
            port: 0);
        await using var _ = app;
        using var http = new HttpClient { Timeout = TestCluster.Patience };

        Assert.Equal(HttpStatusCode.OK, await PressAsync(http, url, "pause"));
        Assert.Equal(["POST /nodes/node-3/pause Bearer " + Token], pressed);

        // Without the dashboard's header (a cross-site form cannot send one), from another origin,
        // or for a page loaded under another host name (DNS rebinding): refused, and nothing forwarded.
        Assert.Equal(HttpStatusCode.Forbidden, await PressAsync(http, url, "stop", header: false));
        Assert.Equal(HttpStatusCode.Forbidden, await PressAsync(http, url, "stop", origin: "http://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await PressAsync(http, url, "stop", host: $"evil.example:{url.Port}"));
        Assert.Equal(HttpStatusCode.BadRequest, await PressAsync(http, url, "format-disk"));
        Assert.Single(pressed);
    }

    [Fact]
    public async Task A_node_not_started_by_up_has_no_controls()
    {
        var (app, url) = await TestCluster.StartNodeAsync(new NodeSettings { Role = NodeRole.Leader, NodeId = "solo", WriteQuorum = 0 }, services: null, port: 0);
        await using var _ = app;
        using var http = new HttpClient { Timeout = TestCluster.Patience };

        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(http, url, "stop"));
    }

    [Theory]
    [InlineData("http://10.0.0.1:9000/")]
    [InlineData("http://example.com:9000/")]
    [InlineData("https://127.0.0.1:9000/")]
    public void A_control_url_off_this_machine_is_a_configuration_error(string controlUrl)
    {
        var parsed = NodeSettings.Parse(new NodeOptions { ControlUrl = controlUrl, ControlToken = Token });

        Assert.Null(parsed.Settings);
        Assert.Contains(parsed.Errors, e => e.Contains("LEADERKV_CONTROL_URL", StringComparison.Ordinal));
    }

    private static async Task<HttpStatusCode> PressAsync(HttpClient http, Uri node, string action, bool header = true, string? origin = null, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node, $"/ui/control/node-3/{action}"));
        if (header)
        {
            request.Headers.Add("X-LeaderKV-Dashboard", "1");
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<FakeControl> FakeControlAsync(List<string> pressed)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/nodes/{name}/{action}", (HttpContext context, string name, string action) =>
        {
            lock (pressed)
            {
                pressed.Add($"POST /nodes/{name}/{action} {context.Request.Headers.Authorization}");
            }

            return Results.Json(new { name, state = "paused" });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeControl(app, new Uri(address + "/"));
    }

    private sealed record FakeControl(WebApplication App, Uri Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
