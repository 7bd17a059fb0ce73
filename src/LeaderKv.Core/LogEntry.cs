namespace LeaderKv.Core;

/// <summary>
/// One write in the leader's history. <see cref="Index"/> is the write's position (1, 2, 3, …)
/// and <see cref="Term"/> the term this node accepted it in (the term of the append that
/// carried it, not the term of the leader that first proposed the value). <see cref="Value"/>
/// holds the raw UTF-8 JSON text of the written value: the core never interprets it, so any JSON
/// a client sends is stored and served back byte for byte.
/// </summary>
/// <remarks>
/// Everything but <see cref="Term"/> is decided by the leader that proposed the entry and never
/// changes afterwards: the operation, its condition, the idempotency key, the leader's clock
/// reading and the expiry deadline all travel in the entry, so every node that applies it reaches
/// the same verdict (<see cref="KeyValueTable.Apply"/>) whichever leader's clock or state it has.
/// </remarks>
public sealed record LogEntry(long Index, long Term, string Key, ReadOnlyMemory<byte> Value)
{
    /// <summary>Bytes this entry costs in memory and on the wire, for limits and batching.</summary>
    public int ApproximateSize => Key.Length * 2 + Value.Length + (IdempotencyKey?.Length ?? 0) * 2 + 64;

    /// <summary>Put (the seed's only operation), delete, or a delete the leader's clock decided (expiry).</summary>
    public WriteOp Op { get; init; } = WriteOp.Put;

    /// <summary>What the key's current version must be for the entry to take effect; decided when it is applied.</summary>
    public WriteCondition Condition { get; init; }

    /// <summary>The client's <c>Idempotency-Key</c>: a second entry with the same key has no effect (see <see cref="IdempotencyRecord"/>).</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The proposing leader's clock, Unix milliseconds (0: not stamped). Ages idempotency records the same way on every node.</summary>
    public long StampMs { get; init; }

    /// <summary>For a put with a time-to-live: when the key expires, Unix milliseconds on the leaders' clocks (0: never).</summary>
    public long ExpiresAtMs { get; init; }

    /// <summary>
    /// A no-op fills a slot that a new leader found empty in every promise: the slot must be
    /// decided before later ones become visible, and nothing was written there. It has an empty key.
    /// </summary>
    public bool IsNoOp => Key.Length == 0;

    /// <summary>True for <see cref="WriteOp.Delete"/> and <see cref="WriteOp.Expire"/>.</summary>
    public bool IsDelete => Op is WriteOp.Delete or WriteOp.Expire;

    public static LogEntry NoOp(long index, long term) => new(index, term, string.Empty, ReadOnlyMemory<byte>.Empty);

    /// <summary>The same value, accepted in <paramref name="term"/> (a new leader re-proposing it re-stamps it).</summary>
    public LogEntry AcceptedIn(long term) => term == Term ? this : this with { Term = term };

    /// <summary>True when <paramref name="other"/> is the same write (everything but the accepted term).</summary>
    public bool SameWrite(LogEntry other) =>
        Index == other.Index && Op == other.Op && Condition == other.Condition
        && StampMs == other.StampMs && ExpiresAtMs == other.ExpiresAtMs
        && string.Equals(Key, other.Key, StringComparison.Ordinal)
        && string.Equals(IdempotencyKey, other.IdempotencyKey, StringComparison.Ordinal)
        && Value.Span.SequenceEqual(other.Value.Span);
}

/// <summary>What an entry does to its key. The numbers are stored in the log and on the wire.</summary>
public enum WriteOp : byte
{
    Put = 0,
    Delete = 1,

    /// <summary>A delete the leader proposed because the key's time-to-live ran out (conditional on the version that had it).</summary>
    Expire = 2,
}

/// <summary>The kinds of condition a write can carry. The numbers are stored in the log and on the wire.</summary>
public enum ConditionKind : byte
{
    None = 0,

    /// <summary>The key exists and was last set by the write at <see cref="WriteCondition.Index"/> (<c>If-Match: "i"</c>).</summary>
    IfIndex = 1,

    /// <summary>The key does not exist (<c>If-None-Match: *</c>: create only).</summary>
    IfAbsent = 2,

    /// <summary>The key exists, whatever its version (<c>If-Match: *</c>).</summary>
    IfExists = 3,
}

/// <summary>A compare-and-set condition, checked against the key's version when the entry is applied.</summary>
public readonly record struct WriteCondition(ConditionKind Kind, long Index = 0)
{
    public static WriteCondition None => default;

    public static WriteCondition IfIndex(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        return new(ConditionKind.IfIndex, index);
    }

    public static WriteCondition IfAbsent => new(ConditionKind.IfAbsent);

    public static WriteCondition IfExists => new(ConditionKind.IfExists);

    public bool IsNone => Kind == ConditionKind.None;

    /// <summary>Whether the condition holds for a key whose current version is <paramref name="current"/> (0: absent).</summary>
    public bool HoldsFor(long current) => Kind switch
    {
        ConditionKind.None => true,
        ConditionKind.IfIndex => current == Index,
        ConditionKind.IfAbsent => current == 0,
        ConditionKind.IfExists => current != 0,
        _ => false,
    };

    public override string ToString() => Kind switch
    {
        ConditionKind.None => "none",
        ConditionKind.IfIndex => $"if-index {Index}",
        ConditionKind.IfAbsent => "if-absent",
        ConditionKind.IfExists => "if-exists",
        _ => Kind.ToString(),
    };
}
