using System.Text.Json.Serialization;

namespace LeaderKv.Node.Observability.OpenApi;

// The read side's hand-written answers, declared only so the OpenAPI document shows their schemas.

/// <summary><c>GET /kv</c>: one page of keys in ordinal order, the applied index it reflects, and the cursor of the next page.</summary>
public sealed record KeyListingSchema(
    [property: JsonPropertyName("items")] IReadOnlyList<KeyValueSchema> Items,
    [property: JsonPropertyName("index")] long Index,
    [property: JsonPropertyName("next")] string? Next,
    [property: JsonPropertyName("consistency")] string Consistency);

/// <summary>The <c>data</c> of one <c>GET /watch</c> event (<c>event: put</c> or <c>delete</c>, <c>id:</c> the index).</summary>
public sealed record WatchEventSchema(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] System.Text.Json.JsonElement? Value,
    [property: JsonPropertyName("index")] long Index);
