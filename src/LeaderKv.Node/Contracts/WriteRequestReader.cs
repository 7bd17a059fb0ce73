using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LeaderKv.Storage;

namespace LeaderKv.Node.Contracts;

/// <summary>
/// Reads the seed's <c>{"key": str, "value": any JSON}</c> body. The value is kept as its raw UTF-8
/// JSON text, so whatever a client writes is served back exactly as sent.
/// </summary>
public static class WriteRequestReader
{
    public static WriteRequestParse Parse(JsonDocument document)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return WriteRequestParse.Invalid("body", $"The body must be a JSON object like {{\"key\": \"k\", \"value\": 1}}, not {Describe(root.ValueKind)}.");
        }

        if (!root.TryGetProperty("key", out var key))
        {
            return WriteRequestParse.Invalid("key", "The 'key' field is required.");
        }

        if (key.ValueKind != JsonValueKind.String)
        {
            return WriteRequestParse.Invalid("key", $"The 'key' field must be a string, not {Describe(key.ValueKind)}.");
        }

        var keyText = key.GetString()!;
        if (keyText.Length == 0)
        {
            return WriteRequestParse.Invalid("key", "The 'key' field must not be empty.");
        }

        if (Encoding.UTF8.GetByteCount(keyText) > StorageLimits.MaxKeyBytes)
        {
            return WriteRequestParse.Invalid("key", $"The 'key' field must be at most {StorageLimits.MaxKeyBytes} UTF-8 bytes.");
        }

        if (!root.TryGetProperty("value", out var value))
        {
            return WriteRequestParse.Invalid("value", "The 'value' field is required (any JSON value, null included).");
        }

        // Checked before the write is proposed: a write the log would refuse must never reach the table.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length > StorageLimits.MaxValueBytes)
        {
            return WriteRequestParse.Invalid("value", $"The 'value' field must be at most {StorageLimits.MaxValueBytes} bytes of JSON.");
        }

        return new WriteRequestParse(keyText, raw.ToArray(), null, null);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

public sealed record WriteRequestParse(string? Key, byte[]? Value, string? ErrorField, string? Error)
{
    public bool IsValid => Error is null;

    public static WriteRequestParse Invalid(string field, string error) => new(null, null, field, error);
}
