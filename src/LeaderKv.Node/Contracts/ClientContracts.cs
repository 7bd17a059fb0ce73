using System.Text.Json.Serialization;

namespace LeaderKv.Node.Contracts;

/// <summary>
/// The seed's <c>/write</c> answer, extended. <c>status</c> and <c>quorum_met</c> are the seed's own
/// fields and never change; the rest says which index the write got, how many follower acks it
/// waited for, and the simulated lag of the ack that completed the quorum (what the delay model
/// explains of its latency; the benchmark subtracts it to measure our own overhead).
/// </summary>
public sealed record WriteAccepted(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("quorum_met")] bool QuorumMet,
    [property: JsonPropertyName("index")] long Index,
    [property: JsonPropertyName("acks")] int Acks,
    [property: JsonPropertyName("required")] int Required,
    [property: JsonPropertyName("quorum_delay_ms")] double QuorumDelayMs,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("term")] long Term)
{
    /// <summary>For a conditional or idempotent delete: whether the key existed (a delete of a missing key is committed and changes nothing).</summary>
    [JsonPropertyName("existed")]
    public bool? Existed { get; init; }
}

public sealed record HealthReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("nodeId")] string NodeId)
{
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }
}

public sealed record NodeStatus(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("nodeId")] string NodeId,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("term")] long Term,
    [property: JsonPropertyName("lastIndex")] long LastIndex,
    [property: JsonPropertyName("appliedThrough")] long AppliedThrough,
    [property: JsonPropertyName("keys")] int Keys,
    [property: JsonPropertyName("pending")] int Pending,
    [property: JsonPropertyName("writeQuorum")] int? WriteQuorum,
    [property: JsonPropertyName("leader")] string? Leader,
    [property: JsonPropertyName("followers")] IReadOnlyList<FollowerStatusReport>? Followers,
    [property: JsonPropertyName("durability")] DurabilityStatus? Durability = null)
{
    [JsonPropertyName("leaderId")]
    public string? LeaderId { get; init; }

    [JsonPropertyName("commitIndex")]
    public long CommitIndex { get; init; }

    [JsonPropertyName("electionQuorum")]
    public int ElectionQuorum { get; init; }

    /// <summary>"automatic" (PEERS, W ≥ 1) or "manual" (the seed's layout, or W = 0).</summary>
    [JsonPropertyName("failover")]
    public string Failover { get; init; } = "manual";

    [JsonPropertyName("tainted")]
    public bool Tainted { get; init; }

    [JsonPropertyName("recovering")]
    public bool Recovering { get; init; }

    /// <summary>Bytes of keys (UTF-8) and values (JSON text) in this node's table.</summary>
    [JsonPropertyName("dataBytes")]
    public long DataBytes { get; init; }

    /// <summary>MAX_DATA_BYTES: the leader refuses writes that would grow the table past it; 0 for none.</summary>
    [JsonPropertyName("maxDataBytes")]
    public long MaxDataBytes { get; init; }

    /// <summary>Raised alarms, as etcd lists them: <c>disk-full</c> while this node's disk has no room (it refuses writes and serves reads).</summary>
    [JsonPropertyName("alarms")]
    public IReadOnlyList<string> Alarms { get; init; } = [];
}

/// <summary>A follower as the leader sees it: what it has applied (visible there), how far behind that is, when it last answered.</summary>
public sealed record FollowerStatusReport(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("ackedIndex")] long AckedIndex,
    [property: JsonPropertyName("appliedThrough")] long AppliedThrough,
    [property: JsonPropertyName("lag")] long Lag,
    [property: JsonPropertyName("lastHeardMsAgo")] double? LastHeardMsAgo,
    [property: JsonPropertyName("outstanding")] int Outstanding,
    [property: JsonPropertyName("tainted")] bool Tainted);

public sealed record PromoteAccepted([property: JsonPropertyName("term")] long Term);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WriteAccepted))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(PromoteAccepted))]
internal sealed partial class NodeJsonContext : JsonSerializerContext;
