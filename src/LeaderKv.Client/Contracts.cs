using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeaderKv.Client;

/// <summary>A write the leader answered <c>committed</c>: it is in the log of a replication quorum and will not be lost.</summary>
/// <param name="Index">The log index the write got; pass it as <see cref="ReadOptions.MinIndex"/> to read your write from any node.</param>
/// <param name="Term">The leader's term when it committed the write; 0 from a node that predates terms.</param>
/// <param name="Acks">Follower acks that arrived before the answer.</param>
/// <param name="Required">Follower acks the write waited for (WRITE_QUORUM).</param>
/// <param name="QuorumDelay">The simulated lag of the ack that completed the quorum.</param>
/// <param name="Leader">The node that answered.</param>
public sealed record WriteResult(long Index, long Term, int Acks, int Required, TimeSpan QuorumDelay, Uri Leader)
{
    /// <summary>The leader had already decided this write (its idempotency key was seen): this is the first attempt's answer.</summary>
    public bool Replayed { get; init; }

    /// <summary>For a delete: whether the key existed. Null for puts.</summary>
    public bool? Existed { get; init; }
}

/// <summary>What a write asks beyond its key and value.</summary>
/// <param name="IfIndex">Compare-and-set: write only if the key is at this version (the <see cref="KeyValueEntry.Index"/> of the value you read).</param>
/// <param name="CreateOnly">Write only if the key does not exist (puts only).</param>
/// <param name="TimeToLive">The key expires this long after the leader took the write, rounded up to whole seconds (puts only).</param>
/// <param name="IdempotencyKey">Sent as <c>Idempotency-Key</c>; null makes a new one for this call (the same on every retry of it).</param>
public sealed record WriteOptions(long? IfIndex = null, bool CreateOnly = false, TimeSpan? TimeToLive = null, string? IdempotencyKey = null)
{
    internal void Validate()
    {
        if (IfIndex is { } index)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index, nameof(IfIndex));
        }

        if (IfIndex is not null && CreateOnly)
        {
            throw new ArgumentException("A write is either compare-and-set (IfIndex) or create-only, not both.", nameof(CreateOnly));
        }

        if (TimeToLive is { } ttl)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(TimeToLive));
        }

        if (IdempotencyKey is { } key && (key.Length is 0 or > 255 || key.Any(c => c is < '!' or > '~')))
        {
            throw new ArgumentException("An idempotency key is 1 to 255 visible ASCII characters.", nameof(IdempotencyKey));
        }
    }
}

/// <summary>One key as a node holds it: <c>GET /kv/{key}</c>.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">Its value, any JSON.</param>
/// <param name="Index">The index of the write that set this value.</param>
public sealed record KeyValueEntry(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] JsonElement Value,
    [property: JsonPropertyName("index")] long Index);

/// <summary>Where and how consistently to read.</summary>
/// <param name="Node">Read this node's own copy instead of the leader's (no leader discovery); null reads from the leader.</param>
/// <param name="MinIndex">Read-your-writes: the node waits until it has applied this index (a <see cref="WriteResult.Index"/>).</param>
/// <param name="Wait">How long the node may wait for <paramref name="MinIndex"/> (the node's default is 1 s); answered 409 after.</param>
/// <param name="Consistency">Null or <see cref="ReadConsistency.Local"/>: the node's own copy (the nodes' default); <see cref="ReadConsistency.Linearizable"/>: confirmed by the leader.</param>
public sealed record ReadOptions(Uri? Node = null, long? MinIndex = null, TimeSpan? Wait = null, ReadConsistency? Consistency = null);

/// <summary>A node's role as its <c>/status</c> reports it.</summary>
public enum NodeRole
{
    /// <summary>A role this client does not know (a newer node).</summary>
    Unknown,
    Follower,
    Candidate,
    Leader,
}

/// <summary>A node's <c>GET /status</c>. Fields a node does not report (an older node) are null.</summary>
public sealed record NodeStatus
{
    [JsonPropertyName("role")]
    [JsonConverter(typeof(NodeRoleConverter))]
    public NodeRole Role { get; init; }

    [JsonPropertyName("nodeId")]
    public string? NodeId { get; init; }

    [JsonPropertyName("term")]
    public long Term { get; init; }

    /// <summary>The current leader's URL as this node knows it; null during an election, and on the leader of the seed's layout.</summary>
    [JsonPropertyName("leader")]
    public string? Leader { get; init; }

    [JsonPropertyName("leaderId")]
    public string? LeaderId { get; init; }

    /// <summary>The highest index committed together with every lower one.</summary>
    [JsonPropertyName("commitIndex")]
    public long? CommitIndex { get; init; }

    /// <summary>Every index up to this one is applied (visible in reads) on this node.</summary>
    [JsonPropertyName("appliedThrough")]
    public long AppliedThrough { get; init; }

    /// <summary>The highest index this node has received.</summary>
    [JsonPropertyName("lastIndex")]
    public long LastIndex { get; init; }

    [JsonPropertyName("keys")]
    public long Keys { get; init; }

    [JsonPropertyName("writeQuorum")]
    public int? WriteQuorum { get; init; }

    [JsonPropertyName("electionQuorum")]
    public int? ElectionQuorum { get; init; }

    /// <summary><c>automatic</c> or <c>manual</c>; null on a node without elections (the seed's layout before terms).</summary>
    [JsonPropertyName("failover")]
    public string? Failover { get; init; }

    [JsonPropertyName("tainted")]
    public bool? Tainted { get; init; }

    [JsonPropertyName("mode")]
    public string? Mode { get; init; }

    /// <summary>On the leader only: each follower as the leader sees it.</summary>
    [JsonPropertyName("followers")]
    public IReadOnlyList<FollowerStatus>? Followers { get; init; }

    [JsonIgnore]
    public bool IsLeader => Role == NodeRole.Leader;

    [JsonIgnore]
    public bool HasAutomaticFailover => Failover == "automatic";
}

/// <summary>One follower in the leader's <c>/status</c>.</summary>
public sealed record FollowerStatus
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary><c>up</c>, <c>down</c>, <c>catching-up</c>, <c>snapshot</c>, ... as the leader names it.</summary>
    [JsonPropertyName("state")]
    public string? State { get; init; }

    [JsonPropertyName("appliedThrough")]
    public long? AppliedThrough { get; init; }

    /// <summary>The highest index the follower acked (received and logged) in the leader's term; it may be ahead of <see cref="AppliedThrough"/>, which waits for the commit index.</summary>
    [JsonPropertyName("ackedIndex")]
    public long? AckedIndex { get; init; }

    /// <summary>Entries the follower is behind the leader.</summary>
    [JsonPropertyName("lag")]
    public long? Lag { get; init; }

    /// <summary>How long ago the leader last heard from this follower.</summary>
    [JsonPropertyName("lastHeardMsAgo")]
    public double? LastHeardMsAgo { get; init; }
}

/// <summary>One node's answer in <see cref="LeaderKvClient.ClusterStatusAsync"/>: its status, or why it has none.</summary>
/// <param name="Node">The node's base URL.</param>
/// <param name="Status">Null when the node could not be read.</param>
/// <param name="Error">Why the node could not be read; null when it answered.</param>
public sealed record NodeStatusReport(Uri Node, NodeStatus? Status, string? Error)
{
    public bool IsUp => Status is not null;
}

/// <summary>A forced promotion the node accepted: it starts leading in <paramref name="Term"/>.</summary>
public sealed record PromoteResult(Uri Node, long Term);

/// <summary>Reads <c>"leader"</c>, <c>"follower"</c>, <c>"candidate"</c>; anything else is <see cref="NodeRole.Unknown"/>, never an error.</summary>
internal sealed class NodeRoleConverter : JsonConverter<NodeRole>
{
    public override NodeRole Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType != JsonTokenType.String ? NodeRole.Unknown : reader.GetString() switch
        {
            "leader" => NodeRole.Leader,
            "follower" => NodeRole.Follower,
            "candidate" => NodeRole.Candidate,
            _ => NodeRole.Unknown,
        };

    public override void Write(Utf8JsonWriter writer, NodeRole value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString().ToLowerInvariant());
}

[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(KeyValueEntry))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
