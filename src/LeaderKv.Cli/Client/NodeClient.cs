using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeaderKv.Cli.Client;

/// <summary>
/// The few node endpoints the CLI calls, read as loose JSON so that a node adding fields (as the
/// design allows) never breaks the CLI. A node that cannot be reached, or answers in a shape no
/// LeaderKV node would, surfaces as <see cref="NodeRequestException"/>; any other answer is a <see cref="NodeReply"/>.
/// </summary>
public sealed class NodeClient(HttpClient http)
{
    public async Task<NodeReply> WriteAsync(Uri node, string key, JsonNode? value, CancellationToken token)
    {
        var body = new JsonObject { ["key"] = key, ["value"] = value?.DeepClone() };
        return await SendAsync(node, () => http.PostAsJsonAsync(new Uri(node, "write"), body, token), token)
            .ConfigureAwait(false);
    }

    public Task<NodeReply> GetKeyAsync(Uri node, string key, CancellationToken token) =>
        SendAsync(node, () => http.GetAsync(new Uri(node, "kv/" + Uri.EscapeDataString(key)), token), token);

    /// <summary>The node's whole store, <c>GET /data</c>: a plain object of key to value.</summary>
    public async Task<JsonObject> GetDataAsync(Uri node, CancellationToken token)
    {
        var reply = await SendAsync(node, () => http.GetAsync(new Uri(node, "data"), token), token).ConfigureAwait(false);
        return reply.IsSuccess && reply.Body is JsonObject data
            ? data
            : throw new NodeRequestException(node, $"{NodeAddress.Format(node)} answered GET /data with {(int)reply.Status}, not a JSON object");
    }

    /// <summary>The follower URLs a leader's <c>GET /status</c> lists.</summary>
    public async Task<IReadOnlyList<Uri>> GetFollowersAsync(Uri leader, CancellationToken token)
    {
        var reply = await SendAsync(leader, () => http.GetAsync(new Uri(leader, "status"), token), token).ConfigureAwait(false);
        if (!reply.IsSuccess || reply.Body is not JsonObject status)
        {
            throw new NodeRequestException(leader, $"{NodeAddress.Format(leader)} answered GET /status with {(int)reply.Status}");
        }

        var role = status["role"] is JsonValue r && r.TryGetValue<string>(out var text) ? text : null;
        if (role is not null && role != "leader" || status["followers"] is not JsonArray followers)
        {
            throw new NodeRequestException(
                leader,
                $"{NodeAddress.Format(leader)} is {(role is null ? "not a leader" : $"a {role}")}; pass the leader's URL, or the followers with --followers");
        }

        return followers
            .Select(f => f?["url"]?.GetValue<string>())
            .Where(url => !string.IsNullOrEmpty(url))
            .Select(url => NodeAddress.Parse(url!))
            .ToList();
    }

    private static async Task<NodeReply> SendAsync(Uri node, Func<Task<HttpResponseMessage>> send, CancellationToken token)
    {
        try
        {
            using var response = await send().ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            return new NodeReply(response.StatusCode, ParseOrNull(text));
        }
        catch (HttpRequestException ex)
        {
            throw new NodeRequestException(node, $"cannot reach {NodeAddress.Format(node)}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!token.IsCancellationRequested)
        {
            throw new NodeRequestException(node, $"no answer from {NodeAddress.Format(node)} before the request timed out", ex);
        }
    }

    private static JsonNode? ParseOrNull(string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}

/// <summary>A node's answer: its status code and JSON body (problem details on errors).</summary>
public sealed record NodeReply(HttpStatusCode Status, JsonNode? Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>
    /// The problem's <c>detail</c> (or the seed's FastAPI <c>detail</c>), else the status code; a follower's
    /// refusal also names the leader it points to.
    /// </summary>
    public string Detail
    {
        get
        {
            var detail = Text("detail") ?? $"HTTP {(int)Status} {Status}";
            return Text("leader") is { } leader ? $"{detail} (the leader is {leader.TrimEnd('/')})" : detail;
        }
    }

    private string? Text(string property) =>
        Body is JsonObject o && o[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>The node could not be reached or did not answer as a LeaderKV node does; the message is for people.</summary>
public sealed class NodeRequestException(Uri node, string message, Exception? inner = null) : Exception(message, inner)
{
    public Uri Node { get; } = node;
}
