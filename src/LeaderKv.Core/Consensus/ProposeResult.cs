namespace LeaderKv.Core.Consensus;

public enum ProposeStatus
{
    /// <summary>In the log at <see cref="ProposeResult.Index"/>; its outcome comes later in a <see cref="Ready"/>.</summary>
    Accepted,

    /// <summary>Another node leads (<see cref="ProposeResult.LeaderId"/>).</summary>
    NotLeader,

    /// <summary>No leader is known: an election is under way.</summary>
    NoLeader,

    /// <summary>This node just won an election and is still recovering what its voters hold.</summary>
    Recovering,

    /// <summary>Fewer than W followers answered within an election timeout: the write could not commit.</summary>
    QuorumUnreachable,

    /// <summary>Too many writes are not yet committed.</summary>
    Overloaded,

    /// <summary>This node's disk is full: the write could not be logged (507).</summary>
    StorageFull,

    /// <summary>The write would take the table past <see cref="ClusterConfig.MaxDataBytes"/> (507); writes that shrink it are taken.</summary>
    QuotaExceeded,

    /// <summary>
    /// An earlier write with the same idempotency key is applied: nothing entered the log, and
    /// <see cref="ProposeResult.Replay"/> is what that write was decided to be (its answer, again).
    /// </summary>
    Replayed,

    /// <summary>The idempotency key is remembered for a different write (another key, value, operation or condition).</summary>
    IdempotencyKeyReused,
}

/// <summary>
/// What became of a proposal. Everything but <see cref="ProposeStatus.Accepted"/> put nothing in the
/// log: a rejection, or (<see cref="ProposeStatus.Replayed"/>) the answer of an earlier write.
/// An accepted proposal whose idempotency key matches a write still in this leader's log is that
/// write (same index): its outcome answers both.
/// </summary>
public readonly record struct ProposeResult(ProposeStatus Status, long Index, long Term, string? LeaderId)
{
    public bool IsAccepted => Status == ProposeStatus.Accepted;

    /// <summary>For <see cref="ProposeStatus.Replayed"/>: the earlier write's record.</summary>
    public IdempotencyRecord? Replay { get; init; }
}

/// <summary>
/// A client's write as the leader receives it: an operation on a key, with an optional condition,
/// idempotency key and time-to-live. The leader turns it into a <see cref="LogEntry"/>, stamping its
/// own clock and the expiry deadline.
/// </summary>
public sealed record WriteCommand(WriteOp Op, string Key, ReadOnlyMemory<byte> Value)
{
    public WriteCondition Condition { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>For a put: the key expires this long after the leader proposed it. Null: never.</summary>
    public TimeSpan? TimeToLive { get; init; }

    public static WriteCommand Put(string key, ReadOnlyMemory<byte> value) => new(WriteOp.Put, key, value);

    public static WriteCommand Delete(string key) => new(WriteOp.Delete, key, ReadOnlyMemory<byte>.Empty);

    /// <summary>The write's answer must wait until it is applied: its verdict (condition, replay, whether a deleted key existed) is known only then.</summary>
    public bool NeedsVerdict => Op == WriteOp.Delete || !Condition.IsNone || IdempotencyKey is not null;
}
