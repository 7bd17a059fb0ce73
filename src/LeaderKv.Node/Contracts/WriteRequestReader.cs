using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

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

        if (!JsonText.TryGetString(key, out var keyText))
        {
            return WriteRequestParse.Invalid("key", "The 'key' field is not valid Unicode: it contains an unpaired surrogate escape such as \\ud800.");
        }

        if (keyText.Length == 0)
        {
            return WriteRequestParse.Invalid("key", "The 'key' field must not be empty.");
        }

        if (!root.TryGetProperty("value", out var value))
        {
            return WriteRequestParse.Invalid("value", "The 'value' field is required (any JSON value, null included).");
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (!Utf8.IsValid(raw))
        {
            // The JSON reader checks UTF-8 only when it decodes a string; stored as is, such a
            // value would make /data unreadable for every client.
            return WriteRequestParse.Invalid("value", "The 'value' field is not valid UTF-8.");
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

internal static class JsonText
{
    /// <summary>
    /// A JSON string as text. Valid JSON may still escape half a surrogate pair (<c>"\ud800"</c>),
    /// which no .NET string can hold; GetString throws on it, and that is the sender's error.
    /// </summary>
    public static bool TryGetString(JsonElement element, out string text)
    {
        try
        {
            text = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>An integer that fits 64 bits; false (not an exception) for any other kind of element, a string included.</summary>
    public static bool TryGetInt64(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }
}
