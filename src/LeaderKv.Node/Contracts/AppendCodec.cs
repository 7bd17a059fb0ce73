using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using LeaderKv.Core;

namespace LeaderKv.Node.Contracts;

/// <summary>
/// The replication wire format, written and read by hand because values travel as raw JSON:
/// <c>{"term":1,"entries":[{"index":7,"term":1,"key":"k","value":&lt;raw JSON&gt;}]}</c> and the reply
/// <c>{"status":"replicated","appliedThrough":7,"acceptedThrough":1048583,"incarnation":…}</c>.
/// The term travels beside every index so failover can be added without a format change.
/// </summary>
public static class AppendCodec
{
    public static void WriteRequest(IBufferWriter<byte> output, long term, IReadOnlyList<LogEntry> entries)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteNumber("term", term);
        writer.WriteStartArray("entries");
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", entry.Index);
            writer.WriteNumber("term", entry.Term);
            writer.WriteString("key", entry.Key);
            writer.WritePropertyName("value");
            writer.WriteRawValue(entry.Value.Span, skipInputValidation: true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Reads an append request; null with a reason when it is not one.</summary>
    public static AppendRequestParse ReadRequest(JsonDocument document)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("term", out var termElement) || !JsonText.TryGetInt64(termElement, out var term)
            || !root.TryGetProperty("entries", out var entriesElement) || entriesElement.ValueKind != JsonValueKind.Array)
        {
            return new AppendRequestParse(null, 0, "An append must be {\"term\": n, \"entries\": [{\"index\", \"term\", \"key\", \"value\"}, …]}.");
        }

        var entries = new List<LogEntry>(entriesElement.GetArrayLength());
        foreach (var item in entriesElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("index", out var index) || !JsonText.TryGetInt64(index, out var indexValue) || indexValue <= 0
                || !item.TryGetProperty("term", out var entryTerm) || !JsonText.TryGetInt64(entryTerm, out var entryTermValue)
                || !item.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String || !JsonText.TryGetString(key, out var keyText)
                || !item.TryGetProperty("value", out var value) || !Utf8.IsValid(JsonMarshal.GetRawUtf8Value(value)))
            {
                return new AppendRequestParse(null, 0, "Every entry needs a positive integer 'index', an integer 'term', a string 'key' and a 'value', in valid UTF-8.");
            }

            entries.Add(new LogEntry(indexValue, entryTermValue, keyText, JsonMarshal.GetRawUtf8Value(value).ToArray()));
        }

        return new AppendRequestParse(entries, term, null);
    }

    public static void WriteReply(Utf8JsonWriter writer, AppendReply reply)
    {
        writer.WriteStartObject();
        writer.WriteString("status", "replicated");
        writer.WriteNumber("appliedThrough", reply.AppliedThrough);
        writer.WriteNumber("acceptedThrough", reply.AcceptedThrough);
        writer.WriteNumber("incarnation", reply.Incarnation);
        writer.WriteEndObject();
    }

    public static bool TryReadReply(ReadOnlyMemory<byte> json, out AppendReply reply)
    {
        reply = default;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("appliedThrough", out var applied) && JsonText.TryGetInt64(applied, out var appliedValue)
                && root.TryGetProperty("acceptedThrough", out var accepted) && JsonText.TryGetInt64(accepted, out var acceptedValue)
                && root.TryGetProperty("incarnation", out var incarnation) && JsonText.TryGetInt64(incarnation, out var incarnationValue))
            {
                reply = new AppendReply(appliedValue, acceptedValue, incarnationValue);
                return true;
            }
        }
        catch (JsonException)
        {
            // A reply that is not JSON is answered like any other unusable reply: false.
        }

        return false;
    }
}

public sealed record AppendRequestParse(IReadOnlyList<LogEntry>? Entries, long Term, string? Error);
