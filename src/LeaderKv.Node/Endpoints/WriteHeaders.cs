using System.Globalization;
using System.Text;
using LeaderKv.Core;
using LeaderKv.Storage;
using Microsoft.Extensions.Primitives;

namespace LeaderKv.Node.Endpoints;

/// <summary>A key's version as an HTTP entity tag: the index of the write that set it, quoted (<c>"42"</c>).</summary>
internal static class EntityTag
{
    public static string Of(long index) => "\"" + index.ToString(CultureInfo.InvariantCulture) + "\"";
}

/// <summary>
/// Reads what a write asks beyond its key and value: a condition (<c>If-Match</c> /
/// <c>If-None-Match</c>), an <c>Idempotency-Key</c> and a time-to-live (<c>?ttl=</c> seconds). Each
/// returns an error sentence for the client instead of throwing.
/// </summary>
internal static class WriteHeaders
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Ten years: a longer time-to-live is a mistake (or an overflow waiting to happen).</summary>
    public const long MaxTtlSeconds = 10L * 365 * 24 * 3600;

    /// <summary>
    /// <c>If-Match: "i"</c> → the key must be at version i; <c>If-Match: *</c> → it must exist;
    /// <c>If-None-Match: *</c> → it must not exist (create only). One tag only, strong, never both headers.
    /// </summary>
    public static (WriteCondition Condition, string? Field, string? Error) Condition(HttpRequest request)
    {
        var ifMatch = request.Headers.IfMatch;
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (!StringValues.IsNullOrEmpty(ifMatch) && !StringValues.IsNullOrEmpty(ifNoneMatch))
        {
            return (default, "If-Match", "Send If-Match or If-None-Match, not both.");
        }

        if (!StringValues.IsNullOrEmpty(ifNoneMatch))
        {
            return Single(ifNoneMatch) == "*"
                ? (WriteCondition.IfAbsent, null, null)
                : (default, "If-None-Match", "On a write, If-None-Match accepts only '*' (create the key only if it does not exist).");
        }

        if (StringValues.IsNullOrEmpty(ifMatch))
        {
            return (WriteCondition.None, null, null);
        }

        var tag = Single(ifMatch);
        if (tag == "*")
        {
            return (WriteCondition.IfExists, null, null);
        }

        if (tag is { Length: > 2 } && tag[0] == '"' && tag[^1] == '"'
            && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index > 0)
        {
            return (WriteCondition.IfIndex(index), null, null);
        }

        return (default, "If-Match", "If-Match takes one strong entity tag, the key's index in quotes as GET /kv/{key} returns it in ETag (If-Match: \"42\"), or '*'.");
    }

    /// <summary>The <c>Idempotency-Key</c> header: null when absent; 1–255 bytes of visible ASCII.</summary>
    public static (string? Key, string? Error) IdempotencyKey(HttpRequest request)
    {
        var values = request.Headers[IdempotencyKeyHeader];
        if (StringValues.IsNullOrEmpty(values))
        {
            return (null, null);
        }

        if (values.Count != 1 || values[0] is not { Length: > 0 } key)
        {
            return (null, "Send one Idempotency-Key.");
        }

        if (Encoding.UTF8.GetByteCount(key) > StorageLimits.MaxIdempotencyKeyBytes || key.Any(c => c is < '!' or > '~'))
        {
            return (null, $"An Idempotency-Key is 1 to {StorageLimits.MaxIdempotencyKeyBytes} visible ASCII characters (a UUID, say).");
        }

        return (key, null);
    }

    /// <summary>The <c>ttl</c> query parameter: whole seconds, 1 to ten years; null when absent.</summary>
    public static (TimeSpan? Ttl, string? Error) TimeToLive(HttpRequest request)
    {
        var values = request.Query["ttl"];
        if (StringValues.IsNullOrEmpty(values))
        {
            return (null, null);
        }

        return values.Count == 1 && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= MaxTtlSeconds
            ? (TimeSpan.FromSeconds(seconds), null)
            : (null, $"ttl is a whole number of seconds from 1 to {MaxTtlSeconds}.");
    }

    private static string? Single(StringValues values)
    {
        if (values.Count != 1)
        {
            return null;
        }

        var text = values[0]!.Trim();
        return text.Contains(',', StringComparison.Ordinal) ? null : text;
    }
}
