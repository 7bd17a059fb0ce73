using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Contracts;

namespace LeaderKv.Node.Protocol;

/// <summary>
/// The replication wire format: every <see cref="Message"/> as one JSON object with a
/// <c>type</c>, the sender, the addressee, the term and the cluster fingerprint. Written and read
/// by hand because values travel as raw JSON. An object without <c>type</c> is an append in the
/// format of LeaderKV 1 (<c>{"term":1,"entries":[…]}</c>), so hand-made appends still parse.
/// A no-op entry is <c>{"index":n,"term":t,"noop":true}</c>. A put is <c>{"index","term","key","value"}</c>,
/// with optional fields that are left out at their defaults, so a plain put reads as in LeaderKV 1:
/// <c>"op"</c> (<c>"delete"</c> or <c>"expire"</c>; a delete has no <c>value</c>), <c>"if"</c> (a
/// condition: <c>{"index":i}</c>, <c>{"absent":true}</c> or <c>{"exists":true}</c>),
/// <c>"idempotencyKey"</c>, <c>"stamp"</c> (the leader's clock, Unix ms) and <c>"expiresAt"</c> (Unix ms).
/// </summary>
public static class MessageCodec
{
    public static byte[] Write(Message message, string? cluster)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypeOf(message));
            writer.WriteString("from", message.From);
            writer.WriteString("to", message.To);
            writer.WriteNumber("term", message.Term);
            if (cluster is not null)
            {
                writer.WriteString("cluster", cluster);
            }

            WriteBody(writer, message);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static ParsedMessage Read(ReadOnlyMemory<byte> json, string defaultTo)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document.RootElement, defaultTo);
        }
        catch (JsonException error)
        {
            return new ParsedMessage(null, null, $"not JSON: {error.Message}");
        }
    }

    public static ParsedMessage Read(JsonElement root, string defaultTo)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("term", out var termElement) || !JsonText.TryGetInt64(termElement, out var term) || term < 0)
        {
            return new ParsedMessage(null, null, "A replication message must be a JSON object with a non-negative integer 'term' (an append: {\"term\": n, \"entries\": [{\"index\", \"term\", \"key\", \"value\"}, …]}).");
        }

        var type = OptionalString(root, "type") ?? "append";
        var from = OptionalString(root, "from") ?? "leader";
        var to = OptionalString(root, "to") ?? defaultTo;
        var cluster = OptionalString(root, "cluster");
        try
        {
            Message? message = type switch
            {
                "append" => new AppendRequest
                {
                    From = from, To = to, Term = term,
                    Entries = Entries(root, "entries", required: true),
                    CommitIndex = Long(root, "commit"),
                    LeaderLastIndex = root.TryGetProperty("leaderLast", out _) ? Long(root, "leaderLast") : long.MaxValue,
                    LeaderIncarnation = Long(root, "incarnation"),
                    ReadRound = Long(root, "readRound"),
                },
                "appendResponse" => new AppendResponse
                {
                    From = from, To = to, Term = term,
                    Acked = Longs(root, "acked"), Refused = Longs(root, "refused"),
                    AppliedThrough = Long(root, "applied"), Incarnation = Long(root, "incarnation"),
                    LeaderIncarnation = Long(root, "leaderIncarnation"),
                    Tainted = Bool(root, "tainted"), Rejected = Bool(root, "rejected"), DiskFull = Bool(root, "diskFull"),
                    ReadRound = Long(root, "readRound"),
                },
                "preVote" => new PreVoteRequest { From = from, To = to, Term = term },
                "preVoteResponse" => new PreVoteResponse { From = from, To = to, Term = term, Granted = Bool(root, "granted") },
                "vote" => new VoteRequest { From = from, To = to, Term = term, Incarnation = Long(root, "incarnation") },
                "voteResponse" => new VoteResponse
                {
                    From = from, To = to, Term = term, Granted = Bool(root, "granted"), Incarnation = Long(root, "incarnation"),
                    AppliedThrough = Long(root, "applied"), Held = Entries(root, "held", required: false), Tainted = Bool(root, "tainted"),
                },
                "fetch" => new FetchRequest { From = from, To = to, Term = term, FromIndex = Long(root, "fromIndex"), ToIndex = Long(root, "toIndex") },
                "fetchResponse" => new FetchResponse
                {
                    From = from, To = to, Term = term, Entries = Entries(root, "entries", required: false),
                    Snapshot = root.TryGetProperty("snapshot", out var snapshot) ? ReadSnapshot(snapshot) : null, Rejected = Bool(root, "rejected"),
                },
                _ => null,
            };
            return message is null ? new ParsedMessage(null, cluster, $"Unknown replication message type '{type}'.") : new ParsedMessage(message, cluster, null);
        }
        catch (FormatException error)
        {
            return new ParsedMessage(null, cluster, error.Message);
        }
    }

    private static string TypeOf(Message message) => message switch
    {
        AppendRequest => "append",
        AppendResponse => "appendResponse",
        PreVoteRequest => "preVote",
        PreVoteResponse => "preVoteResponse",
        VoteRequest => "vote",
        VoteResponse => "voteResponse",
        FetchRequest => "fetch",
        FetchResponse => "fetchResponse",
        _ => throw new InvariantViolationException($"{message.GetType().Name} has no JSON form (snapshots travel as a stream)"),
    };

    private static void WriteBody(Utf8JsonWriter writer, Message message)
    {
        switch (message)
        {
            case AppendRequest append:
                writer.WriteNumber("commit", append.CommitIndex);
                writer.WriteNumber("leaderLast", append.LeaderLastIndex);
                writer.WriteNumber("incarnation", append.LeaderIncarnation);
                WriteReadRound(writer, append.ReadRound);
                WriteEntries(writer, "entries", append.Entries);
                break;
            case AppendResponse response:
                WriteLongs(writer, "acked", response.Acked);
                WriteLongs(writer, "refused", response.Refused);
                writer.WriteNumber("applied", response.AppliedThrough);
                writer.WriteNumber("incarnation", response.Incarnation);
                writer.WriteNumber("leaderIncarnation", response.LeaderIncarnation);
                writer.WriteBoolean("tainted", response.Tainted);
                writer.WriteBoolean("rejected", response.Rejected);
                if (response.DiskFull)
                {
                    // Only when set: a node of an earlier version reads its absence as false, and so does this one.
                    writer.WriteBoolean("diskFull", true);
                }

                WriteReadRound(writer, response.ReadRound);
                break;
            case PreVoteRequest:
                break;
            case PreVoteResponse response:
                writer.WriteBoolean("granted", response.Granted);
                break;
            case VoteRequest request:
                writer.WriteNumber("incarnation", request.Incarnation);
                break;
            case VoteResponse response:
                writer.WriteBoolean("granted", response.Granted);
                writer.WriteNumber("incarnation", response.Incarnation);
                writer.WriteNumber("applied", response.AppliedThrough);
                writer.WriteBoolean("tainted", response.Tainted);
                WriteEntries(writer, "held", response.Held);
                break;
            case FetchRequest request:
                writer.WriteNumber("fromIndex", request.FromIndex);
                writer.WriteNumber("toIndex", request.ToIndex);
                break;
            case FetchResponse response:
                writer.WriteBoolean("rejected", response.Rejected);
                WriteEntries(writer, "entries", response.Entries);
                if (response.Snapshot is { } snapshot)
                {
                    WriteSnapshot(writer, snapshot);
                }

                break;
        }
    }

    /// <summary>Only when a linearizable read asked for a round: most appends carry none, and older nodes read its absence as 0.</summary>
    private static void WriteReadRound(Utf8JsonWriter writer, long round)
    {
        if (round > 0)
        {
            writer.WriteNumber("readRound", round);
        }
    }

    private static void WriteSnapshot(Utf8JsonWriter writer, SnapshotImage snapshot)
    {
        writer.WriteStartObject("snapshot");
        writer.WriteNumber("index", snapshot.Index);
        writer.WriteNumber("clock", snapshot.ClockMs);
        writer.WriteStartArray("entries");
        foreach (var (key, value) in snapshot.Entries)
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteNumber("index", value.Index);
            if (value.ExpiresAtMs != 0)
            {
                writer.WriteNumber("expiresAt", value.ExpiresAtMs);
            }

            writer.WritePropertyName("value");
            writer.WriteRawValue(value.Value.Span, skipInputValidation: true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("idempotency");
        foreach (var record in snapshot.Idempotency)
        {
            writer.WriteStartObject();
            writer.WriteString("key", record.IdempotencyKey);
            writer.WriteNumber("index", record.Index);
            writer.WriteNumber("verdict", (int)record.Verdict);
            writer.WriteNumber("keyIndex", record.KeyIndex);
            writer.WriteString("hash", record.RequestHash.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteNumber("recordedAt", record.RecordedAtMs);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteEntries(Utf8JsonWriter writer, string name, IReadOnlyList<LogEntry> entries)
    {
        writer.WriteStartArray(name);
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", entry.Index);
            writer.WriteNumber("term", entry.Term);
            if (entry.IsNoOp)
            {
                writer.WriteBoolean("noop", true);
            }
            else
            {
                writer.WriteString("key", entry.Key);
                if (entry.IsDelete)
                {
                    writer.WriteString("op", entry.Op == WriteOp.Expire ? "expire" : "delete");
                }
                else
                {
                    writer.WritePropertyName("value");
                    writer.WriteRawValue(entry.Value.Span, skipInputValidation: true);
                }

                WriteConditionOf(writer, entry.Condition);
                if (entry.IdempotencyKey is { } idempotencyKey)
                {
                    writer.WriteString("idempotencyKey", idempotencyKey);
                }

                if (entry.StampMs != 0)
                {
                    writer.WriteNumber("stamp", entry.StampMs);
                }

                if (entry.ExpiresAtMs != 0)
                {
                    writer.WriteNumber("expiresAt", entry.ExpiresAtMs);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteConditionOf(Utf8JsonWriter writer, WriteCondition condition)
    {
        switch (condition.Kind)
        {
            case ConditionKind.None:
                return;
            case ConditionKind.IfIndex:
                writer.WriteStartObject("if");
                writer.WriteNumber("index", condition.Index);
                break;
            case ConditionKind.IfAbsent:
                writer.WriteStartObject("if");
                writer.WriteBoolean("absent", true);
                break;
            default:
                writer.WriteStartObject("if");
                writer.WriteBoolean("exists", true);
                break;
        }

        writer.WriteEndObject();
    }

    private static WriteCondition ReadCondition(JsonElement item)
    {
        if (!item.TryGetProperty("if", out var condition))
        {
            return default;
        }

        if (condition.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("An entry's 'if' must be an object: {\"index\": i}, {\"absent\": true} or {\"exists\": true}.");
        }

        if (condition.TryGetProperty("index", out _))
        {
            var index = Long(condition, "index");
            return index > 0 ? WriteCondition.IfIndex(index) : throw new FormatException("An entry's 'if.index' must be a positive integer.");
        }

        return Bool(condition, "absent") ? WriteCondition.IfAbsent
            : Bool(condition, "exists") ? WriteCondition.IfExists
            : throw new FormatException("An entry's 'if' must be {\"index\": i}, {\"absent\": true} or {\"exists\": true}.");
    }

    private static WriteOp ReadOp(JsonElement item) => OptionalString(item, "op") switch
    {
        null => item.TryGetProperty("op", out _) ? throw new FormatException("An entry's 'op' must be \"delete\" or \"expire\".") : WriteOp.Put,
        "put" => WriteOp.Put,
        "delete" => WriteOp.Delete,
        "expire" => WriteOp.Expire,
        var other => throw new FormatException($"Unknown entry operation '{other}' (\"delete\" or \"expire\")."),
    };

    private static void WriteLongs(Utf8JsonWriter writer, string name, IReadOnlyList<long> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private static List<LogEntry> Entries(JsonElement root, string name, bool required)
    {
        if (!root.TryGetProperty(name, out var array))
        {
            return required ? throw new FormatException($"An append needs '{name}': [{{\"index\", \"term\", \"key\", \"value\"}}, …].") : [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"'{name}' must be an array of entries.");
        }

        var entries = new List<LogEntry>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("index", out var index) || !JsonText.TryGetInt64(index, out var indexValue) || indexValue <= 0
                || !item.TryGetProperty("term", out var entryTerm) || !JsonText.TryGetInt64(entryTerm, out var entryTermValue) || entryTermValue < 0)
            {
                throw new FormatException("Every entry needs a positive integer 'index' and a non-negative integer 'term', a string 'key' and a 'value', in valid UTF-8.");
            }

            if (item.TryGetProperty("noop", out var noop) && noop.ValueKind == JsonValueKind.True)
            {
                entries.Add(LogEntry.NoOp(indexValue, entryTermValue));
                continue;
            }

            var op = ReadOp(item);
            var isDelete = op != WriteOp.Put;
            if (!item.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String || !JsonText.TryGetString(key, out var keyText) || keyText.Length == 0
                || (!isDelete && (!item.TryGetProperty("value", out var value) || !Utf8.IsValid(JsonMarshal.GetRawUtf8Value(value)))))
            {
                throw new FormatException("Every entry needs a positive integer 'index', an integer 'term', a non-empty string 'key' and a 'value' (or \"noop\": true, or \"op\": \"delete\"), in valid UTF-8.");
            }

            var idempotencyKey = OptionalString(item, "idempotencyKey");
            if (idempotencyKey is { Length: 0 } || (idempotencyKey is null && item.TryGetProperty("idempotencyKey", out _)))
            {
                throw new FormatException("An entry's 'idempotencyKey' must be a non-empty string.");
            }

            var raw = isDelete ? ReadOnlyMemory<byte>.Empty : JsonMarshal.GetRawUtf8Value(item.GetProperty("value")).ToArray();
            entries.Add(new LogEntry(indexValue, entryTermValue, keyText, raw)
            {
                Op = op,
                Condition = ReadCondition(item),
                IdempotencyKey = idempotencyKey,
                StampMs = Long(item, "stamp"),
                ExpiresAtMs = Long(item, "expiresAt"),
            });
        }

        return entries;
    }

    private static SnapshotImage ReadSnapshot(JsonElement snapshot)
    {
        var index = Long(snapshot, "index");
        if (!snapshot.TryGetProperty("entries", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("A snapshot needs 'index' and 'entries'.");
        }

        var entries = new List<KeyValuePair<string, VersionedValue>>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("key", out var key) || !JsonText.TryGetString(key, out var keyText)
                || !item.TryGetProperty("value", out var value))
            {
                throw new FormatException("Every snapshot entry needs 'key', 'index' and 'value'.");
            }

            entries.Add(new(keyText, new VersionedValue(JsonMarshal.GetRawUtf8Value(value).ToArray(), Long(item, "index"), Long(item, "expiresAt"))));
        }

        var records = new List<IdempotencyRecord>();
        if (snapshot.TryGetProperty("idempotency", out var recordArray))
        {
            if (recordArray.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("A snapshot's 'idempotency' must be an array.");
            }

            foreach (var item in recordArray.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || OptionalString(item, "key") is not { Length: > 0 } recordKey
                    || !ulong.TryParse(OptionalString(item, "hash"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hash)
                    || Long(item, "verdict") is not ((long)WriteVerdictKind.Applied or (long)WriteVerdictKind.ConditionFailed))
                {
                    throw new FormatException("Every idempotency record needs 'key', 'index', 'verdict' (1 or 2), 'keyIndex', 'hash' and 'recordedAt'.");
                }

                records.Add(new IdempotencyRecord(recordKey, Long(item, "index"), (WriteVerdictKind)Long(item, "verdict"), Long(item, "keyIndex"), hash, Long(item, "recordedAt")));
            }
        }

        for (var i = 1; i < records.Count; i++)
        {
            if (records[i].RecordedAtMs < records[i - 1].RecordedAtMs || records.Take(i).Any(r => r.IdempotencyKey == records[i].IdempotencyKey))
            {
                throw new FormatException("A snapshot's idempotency records must be distinct and oldest first.");
            }
        }

        return new SnapshotImage(index, entries) { Idempotency = records, ClockMs = Long(snapshot, "clock") };
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && JsonText.TryGetString(element, out var text) ? text : null;

    private static long Long(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element))
        {
            return 0;
        }

        return JsonText.TryGetInt64(element, out var value) && value >= 0 ? value : throw new FormatException($"'{name}' must be a non-negative integer.");
    }

    private static bool Bool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.True;

    private static List<long> Longs(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var array))
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"'{name}' must be an array of indexes.");
        }

        var values = new List<long>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            values.Add(JsonText.TryGetInt64(item, out var value) && value > 0 ? value : throw new FormatException($"'{name}' must hold positive integers."));
        }

        return values;
    }
}

/// <summary>What a request body turned into: the message and the cluster fingerprint it carried, or why it is not one.</summary>
public readonly record struct ParsedMessage(Message? Message, string? Cluster, string? Error);
