using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeaderKv.Cli.Client;

/// <summary>
/// One node's <c>/data</c>, read as loose JSON, for the comparisons of <c>check</c> and the benchmark's
/// seed checks: they compare each node's own copy, so they ask that node and never look for the
/// leader (everything else goes through <see cref="LeaderKv.Client.LeaderKvClient"/>). A node adding
/// fields (as the design allows) never breaks it. A node that cannot be reached, or answers in a shape no
/// LeaderKV node would, surfaces as <see cref="NodeRequestException"/>; any other answer is a <see cref="NodeReply"/>.
/// </summary>
public sealed class NodeClient(HttpClient http)
{
    /// <summary>The node's whole store, <c>GET /data</c>: a plain object of key to value.</summary>
    public async Task<JsonObject> GetDataAsync(Uri node, CancellationToken token)
    {
        var reply = await SendAsync(node, () => http.GetAsync(new Uri(node, "data"), token), token).ConfigureAwait(false);
        return reply.IsSuccess && reply.Body is JsonObject data
            ? data
            : throw new NodeRequestException(node, $"{NodeAddress.Format(node)} answered GET /data with {(int)reply.Status}, not a JSON object");
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
