using System.Net;
using System.Text;

namespace LeaderKv.Client.Tests.Support;

/// <summary>
/// Nodes without a network: an HttpMessageHandler that answers each node's requests from a script the
/// test writes, and records every request in order as "METHOD http://host:port/path?query".
/// </summary>
internal sealed class FakeNodes : HttpMessageHandler
{
    private readonly Dictionary<string, Func<HttpRequestMessage, HttpResponseMessage>> _nodes = [];
    private readonly List<string> _requests = [];

    public static readonly Uri A = new("http://node-a:8000/");
    public static readonly Uri B = new("http://node-b:8001/");
    public static readonly Uri C = new("http://node-c:8002/");

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The headers of the last request, for the tests that check what the client sends.</summary>
    public HttpRequestMessage? LastRequest { get; private set; }

    public string? LastBody { get; private set; }

    /// <summary>Scripts a node: <paramref name="answer"/> gets each request to it.</summary>
    public FakeNodes Node(Uri node, Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        _nodes[node.Authority] = answer;
        return this;
    }

    /// <summary>A node that answers by route, "GET status" or "POST write"; other routes answer 404.</summary>
    public FakeNodes Node(Uri node, params (string Route, Func<HttpResponseMessage> Answer)[] routes) => Node(node, request =>
    {
        var route = $"{request.Method} {request.RequestUri!.AbsolutePath.TrimStart('/')}";
        return routes.FirstOrDefault(r => route.StartsWith(r.Route, StringComparison.Ordinal)).Answer?.Invoke()
            ?? Json(HttpStatusCode.NotFound, """{"detail":"Not Found"}""");
    });

    /// <summary>A node nothing listens on: every request fails to connect, as a killed node does.</summary>
    public FakeNodes Down(Uri node) => Node(node, _ => throw Refused());

    public int Count(string method, Uri node, string path) =>
        Requests.Count(r => r.StartsWith($"{method} {new Uri(node, path)}", StringComparison.Ordinal));

    public static HttpResponseMessage Json(HttpStatusCode status, string body, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(body, Encoding.UTF8, (int)status >= 400 ? "application/problem+json" : "application/json"),
        };
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
        }

        return response;
    }

    public static HttpResponseMessage Committed(long index, long term = 3, int acks = 1) => Json(
        HttpStatusCode.OK,
        $$"""{"status":"success","quorum_met":true,"index":{{index}},"term":{{term}},"outcome":"committed","acks":{{acks}},"required":1,"quorum_delay_ms":12.5}""");

    public static HttpResponseMessage NotLeader(Uri? leader) => Json(
        HttpStatusCode.BadRequest,
        $$"""{"type":"https://leaderkv.dev/problems/not-leader","title":"Not the leader","status":400,"detail":"Only leader accepts writes","leader":{{(leader is null ? "null" : $"\"{leader.AbsoluteUri.TrimEnd('/')}\"")}},"leaderId":null}""");

    public static HttpResponseMessage NoLeader(TimeSpan? retryAfter) => Json(
        HttpStatusCode.ServiceUnavailable,
        """{"type":"https://leaderkv.dev/problems/no-leader","title":"No leader","status":503,"detail":"An election is under way."}""",
        retryAfter);

    public static HttpResponseMessage Status(string role, Uri? leader = null, string failover = "automatic", long term = 3, string id = "n", params Uri[] followers) => Json(
        HttpStatusCode.OK,
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["role"] = role,
            ["nodeId"] = id,
            ["term"] = term,
            ["leader"] = leader?.AbsoluteUri.TrimEnd('/'),
            ["commitIndex"] = 7,
            ["appliedThrough"] = 7,
            ["lastIndex"] = 8,
            ["keys"] = 2,
            ["writeQuorum"] = 1,
            ["electionQuorum"] = 5,
            ["failover"] = failover,
            ["tainted"] = false,
            ["followers"] = role == "leader"
                ? followers.Select(f => new Dictionary<string, object?> { ["id"] = f.Host, ["url"] = f.AbsoluteUri.TrimEnd('/'), ["state"] = "up", ["appliedThrough"] = 6, ["lag"] = 2, ["lagMs"] = 3.5 }).ToList()
                : null,
        }));

    public static HttpRequestException Refused() =>
        new(HttpRequestError.ConnectionError, "Connection refused (node:8000)", new System.Net.Sockets.SocketException(111));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add($"{request.Method} {request.RequestUri!.AbsoluteUri}");
        }

        LastRequest = request;
        LastBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        if (!_nodes.TryGetValue(request.RequestUri!.Authority, out var answer))
        {
            throw Refused();
        }

        var response = answer(request);
        response.RequestMessage = request;
        return response;
    }
}
