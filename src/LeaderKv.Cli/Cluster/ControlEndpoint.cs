using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeaderKv.Cli.Cluster;

/// <summary>
/// What <c>leaderkv up</c> serves so that the dashboard's buttons can stop (kill -9), pause (SIGSTOP),
/// resume (SIGCONT) and restart its nodes: <c>POST /nodes/{name}/{action}</c> and <c>GET /nodes</c>.
/// It listens on 127.0.0.1 only, on a port of its own, and demands a random bearer token that only
/// the nodes it started are given (LEADERKV_CONTROL_URL, LEADERKV_CONTROL_TOKEN): the browser never
/// calls it; the page's node forwards (see the node's Dashboard/ControlForwarder.cs). No CORS header
/// is ever sent, so no web page can call it either.
/// </summary>
public sealed class ControlEndpoint : IAsyncDisposable
{
    public const string UrlVariable = "LEADERKV_CONTROL_URL";
    public const string TokenVariable = "LEADERKV_CONTROL_TOKEN";

    private readonly WebApplication _app;
    private readonly byte[] _token;
    private readonly Action<string>? _report;
    private LocalCluster? _cluster;

    private ControlEndpoint(WebApplication app, string token, Action<string>? report)
    {
        _app = app;
        Token = token;
        _token = Encoding.UTF8.GetBytes(token);
        _report = report;
    }

    /// <summary>The base URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Url { get; private set; } = null!;

    public string Token { get; }

    /// <summary>The variables that give a node the controls: add them to <see cref="LocalClusterOptions.ExtraEnvironment"/>.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [UrlVariable] = Url.ToString(),
        [TokenVariable] = Token,
    };

    /// <summary>Starts listening on 127.0.0.1 (an ephemeral port); <paramref name="report"/> hears one line per action.</summary>
    public static async Task<ControlEndpoint> StartAsync(Action<string>? report, CancellationToken token)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var endpoint = new ControlEndpoint(app, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)), report);
        app.MapGet("/nodes", endpoint.List);
        app.MapPost("/nodes/{name}/{action}", endpoint.ActAsync);
        await app.StartAsync(token).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Url = new Uri(address.TrimEnd('/') + "/");
        return endpoint;
    }

    /// <summary>The cluster the actions apply to; until it is attached (it is started after this endpoint, which it must know), 503.</summary>
    public void Attach(LocalCluster cluster) => _cluster = cluster;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private IResult List(HttpContext context)
    {
        if (Refuse(context) is { } refusal)
        {
            return refusal;
        }

        return TypedResults.Ok(_cluster!.Nodes.OrderBy(n => n.Url.Port).Select(Describe).ToList());
    }

    private async Task<IResult> ActAsync(HttpContext context, string name, string action)
    {
        if (Refuse(context) is { } refusal)
        {
            return refusal;
        }

        var cluster = _cluster!;
        try
        {
            var node = action switch
            {
                "stop" => await cluster.KillAsync(name).ConfigureAwait(false),
                "pause" => await cluster.PauseAsync(name).ConfigureAwait(false),
                "resume" => await cluster.ResumeAsync(name).ConfigureAwait(false),
                "restart" => await cluster.RestartAsync(name, context.RequestAborted).ConfigureAwait(false),
                _ => null,
            };
            if (node is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown action", detail: $"'{action}' is not stop, pause, resume or restart.");
            }

            var done = action switch
            {
                "stop" => $"{name} killed (kill -9, pid {node.ProcessId})",
                "pause" => $"{name} paused (SIGSTOP, pid {node.ProcessId})",
                "resume" => $"{name} resumed (SIGCONT, pid {node.ProcessId})",
                _ => $"{name} restarted (pid {node.ProcessId}) and healthy",
            };
            _report?.Invoke(done);
            return TypedResults.Ok(Describe(node) with { Detail = done });
        }
        catch (KeyNotFoundException missing)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such node", detail: missing.Message);
        }
        catch (ClusterStartException failed)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Restart failed", detail: failed.Message);
        }
        catch (ObjectDisposedException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Stopping", detail: "The cluster is stopping.");
        }
    }

    /// <summary>401 without the token (compared in constant time), 503 before the cluster is attached; null when the request may proceed.</summary>
    private IResult? Refuse(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header["Bearer ".Length..]) : [];
        if (!CryptographicOperations.FixedTimeEquals(presented, _token))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Control token required", detail: "Only the nodes this `leaderkv up` started hold the token.");
        }

        return _cluster is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Starting", detail: "The cluster is still starting.")
            : null;
    }

    private static NodeControlState Describe(NodeProcess node) => new(
        node.Name,
        node.Url.ToString(),
        node.ProcessId,
        node.HasExited ? "stopped" : node.IsPaused ? "paused" : "running",
        null);
}

/// <param name="Name">The node's name (NODE_ID).</param>
/// <param name="Url">Its URL.</param>
/// <param name="ProcessId">Its current process.</param>
/// <param name="State">running, paused or stopped.</param>
/// <param name="Detail">What the action did, in one line.</param>
public sealed record NodeControlState(string Name, string Url, int ProcessId, string State, string? Detail);
