using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeaderKv.Node.Observability.OpenApi;

// Shapes that the handlers read or write by hand (raw JSON, for speed) and that therefore have no
// record of their own: declared here only so the OpenAPI document can show their schemas.

/// <summary><c>POST /write</c>: the key, and any JSON value (stored and returned as written).</summary>
public sealed record WriteRequestSchema(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] JsonElement Value);

/// <summary><c>GET /kv/{key}</c>: the value as it was written, and the index of the write that set it.</summary>
public sealed record KeyValueSchema(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] JsonElement Value,
    [property: JsonPropertyName("index")] long Index);
