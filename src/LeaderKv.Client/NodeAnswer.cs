using System.Net;
using System.Text.Json;

namespace LeaderKv.Client;

/// <summary>A node's answer: status code, JSON body (problem details on errors) and Retry-After, read once.</summary>
internal sealed record NodeAnswer(Uri Node, HttpStatusCode Status, JsonElement? Body, TimeSpan? RetryAfter)
{
    private const string NotLeaderDetail = "Only leader accepts writes";

    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>The node answered a repeated Idempotency-Key with the first write's answer (<c>Idempotent-Replayed: true</c>).</summary>
    public bool Replayed { get; init; }

    public string? ProblemType => Text("type");

    /// <summary>The seed's refusal of a write on a follower: 400 with its fixed detail (and, from LeaderKV, a not-leader type).</summary>
    public bool IsNotLeader =>
        Status == HttpStatusCode.BadRequest
        && (ProblemType?.EndsWith("/not-leader", StringComparison.Ordinal) == true || Text("detail") == NotLeaderDetail);

    /// <summary>The leader a refusal or a status points to, when it names one this client can reach.</summary>
    public Uri? LeaderHint => NodeUrl.TryParse(Text("leader"));

    /// <summary>The problem's detail, else the status code, for messages people read.</summary>
    public string Detail => Text("detail") ?? $"HTTP {(int)Status} {Status}";

    public string? Text(string property) =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public long? Long(string property) =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(property, out var value)
            && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : null;

    public double? Double(string property) =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : null;

    public bool? Bool(string property) =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(property, out var value)
            && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;
}

/// <summary>
/// The node could not be asked: nothing answered, or the answer broke off. <see cref="MaybeDelivered"/> is
/// false only when the request certainly never reached the node (refused, unresolvable).
/// </summary>
internal sealed class NodeUnreachableException(Uri node, bool maybeDelivered, string message, Exception inner) : Exception(message, inner)
{
    public Uri Node { get; } = node;

    public bool MaybeDelivered { get; } = maybeDelivered;
}

/// <summary>Node base URLs in one canonical form (absolute http(s), trailing slash) so they compare and combine.</summary>
internal static class NodeUrl
{
    public static Uri Normalize(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an absolute http:// or https:// URL.", nameof(url));
        }

        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    public static Uri? TryParse(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? Normalize(url)
            : null;

    /// <summary>As people write node addresses: no trailing slash.</summary>
    public static string Format(Uri url) => url.AbsoluteUri.TrimEnd('/');
}
