using System.Text;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Observability.OpenApi;
using LeaderKv.Node.Replication;
using LeaderKv.Node.Security;

namespace LeaderKv.Node.Endpoints;

/// <summary><c>GET /kv?prefix=&amp;after=&amp;limit=</c>: listing keys in order, a page at a time, at any consistency level.</summary>
internal static class KvReadEndpoints
{
    public const int DefaultLimit = 100;

    /// <summary>Keys per page at most: a page is built under the node's lock, so it must stay short.</summary>
    public const int MaxLimit = 1000;

    public static void MapKvReadEndpoints(this IEndpointRouteBuilder app, NodeSettings settings)
    {
        app.MapGet("/kv", ListAsync).RequireApiKey(ApiAccess.Read)
            .WithName("ListKeys")
            .WithTags("Client")
            .WithSummary("List keys with a prefix, in ordinal key order, a page at a time")
            .WithDescription($"Answers {{\"items\":[{{\"key\",\"value\",\"index\"}}],\"index\",\"next\"}}: up to limit (default {DefaultLimit}, at most {MaxLimit}) keys starting with prefix that sort after 'after', from one look at this node's table, and the applied index that table reflects. 'next' is the cursor of the following page (pass it as after), null on the last page. consistency=local (default) or linearizable (leader only), and minIndex/waitMs, as for GET /kv/{{key}}. To follow changes after a listing, watch with since=index.")
            .Produces<KeyListingSchema>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> ListAsync(
        INodeStore store, NodeSettings settings, string? prefix, string? after, int? limit, string? consistency, long? minIndex, int? waitMs, CancellationToken token)
    {
        prefix ??= string.Empty;
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.Invalid("limit", $"limit must be between 1 and {MaxLimit}, got {limit}.");
        }

        foreach (var (name, text) in new[] { ("prefix", prefix), ("after", after ?? string.Empty) })
        {
            if (Encoding.UTF8.GetByteCount(text) > settings.Security.MaxKeyBytes)
            {
                return Problems.Invalid(name, $"'{name}' is longer than the longest key this node accepts ({settings.Security.MaxKeyBytes} bytes, MAX_KEY_BYTES).");
            }
        }

        if (await ReadConsistency.CheckAsync(store, settings, consistency, minIndex, waitMs, token) is { } problem)
        {
            return problem;
        }

        var pageSize = limit ?? DefaultLimit;
        // One more than asked: whether it exists says if there is a next page.
        var (page, index) = store.ReadAt((table, applied) => (table.List(prefix, after, pageSize + 1), applied));
        var more = page.Count > pageSize;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        ReadConsistency.TryParse(consistency, out var level);
        return new RawJsonResult(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            foreach (var (key, value) in page)
            {
                writer.WriteStartObject();
                writer.WriteString("key", key);
                writer.WritePropertyName("value");
                writer.WriteRawValue(value.Value.Span, skipInputValidation: true);
                writer.WriteNumber("index", value.Index);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("index", index);
            if (more)
            {
                writer.WriteString("next", page[^1].Key);
            }
            else
            {
                writer.WriteNull("next");
            }

            writer.WriteString("consistency", level == ReadLevel.Linearizable ? "linearizable" : "local");
            writer.WriteEndObject();
        });
    }
}
