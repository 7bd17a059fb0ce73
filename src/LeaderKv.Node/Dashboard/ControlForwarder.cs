using System.Net;
using System.Net.Http.Headers;
using LeaderKv.Node.Configuration;

namespace LeaderKv.Node.Dashboard;

/// <summary>
/// The dashboard's stop, pause, resume and restart buttons: the page posts to its own node, which
/// forwards to the control endpoint of the <c>leaderkv up</c> that started it (a loopback URL and a
/// token, from LEADERKV_CONTROL_URL and LEADERKV_CONTROL_TOKEN). Only a request that is plainly the
/// page itself, on this machine, is forwarded: it must come from loopback, name a loopback host
/// (no DNS rebinding), carry no foreign Origin and carry <see cref="HeaderName"/>, which no
/// cross-site form can send and no cross-site script can send without a CORS preflight this node never grants.
/// </summary>
internal sealed class ControlForwarder(NodeSettings settings) : IDisposable
{
    public const string HeaderName = "X-LeaderKV-Dashboard";

    /// <summary>The actions the control endpoint of <c>up</c> knows.</summary>
    public static readonly IReadOnlySet<string> Actions = new HashSet<string>(StringComparer.Ordinal) { "stop", "pause", "resume", "restart" };

    /// <summary>A restart waits until the node is healthy again, which a cold start on a busy machine can take a while to be.</summary>
    private static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(90);

    private readonly HttpClient _http = new() { Timeout = ForwardTimeout };

    public async Task<IResult> ForwardAsync(HttpContext context, string node, string action, CancellationToken token)
    {
        if (settings.Dashboard is not { HasControl: true, ControlUrl: { } control, ControlToken: { } secret })
        {
            return DashboardProblems.ControlUnavailable();
        }

        if (Refusal(context) is { } reason)
        {
            return DashboardProblems.ControlForbidden(reason);
        }

        if (!Actions.Contains(action))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["action"] = [$"Unknown action '{action}': use stop, pause, resume or restart."] });
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(control, $"nodes/{Uri.EscapeDataString(node)}/{action}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        try
        {
            using var response = await _http.SendAsync(request, token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            return Results.Content(body, response.Content.Headers.ContentType?.ToString() ?? "application/json", statusCode: (int)response.StatusCode);
        }
        catch (HttpRequestException failure)
        {
            return DashboardProblems.ControlFailed($"{control}: {failure.Message}");
        }
        catch (TaskCanceledException) when (!token.IsCancellationRequested)
        {
            return DashboardProblems.ControlFailed($"{control}: no answer within {ForwardTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Why this request may not be forwarded, or null when it may.</summary>
    internal static string? Refusal(HttpContext context)
    {
        var request = context.Request;
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            return "Process control is served to this machine only.";
        }

        if (!IsLoopbackHost(request.Host.Host))
        {
            return $"Process control needs the page to be loaded from a loopback address, not '{request.Host.Host}'.";
        }

        if (request.Headers.Origin is { Count: > 0 } origin && origin.ToString() != $"{request.Scheme}://{request.Host}")
        {
            return $"Process control is refused to pages from {origin}.";
        }

        if (request.Headers[HeaderName] != "1")
        {
            return $"Process control needs the header {HeaderName}: 1 (the dashboard sends it).";
        }

        return null;
    }

    private static bool IsLoopbackHost(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    public void Dispose() => _http.Dispose();
}
