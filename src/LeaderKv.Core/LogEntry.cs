namespace LeaderKv.Core;

/// <summary>
/// One write in the leader's history. <see cref="Index"/> is the write's position (1, 2, 3, …)
/// and <see cref="Term"/> the term this node accepted it in (the term of the append that
/// carried it, not the term of the leader that first proposed the value). <see cref="Value"/>
/// holds the raw UTF-8 JSON text of the written value: the core never interprets it, so any JSON
/// a client sends is stored and served back byte for byte.
/// </summary>
public sealed record LogEntry(long Index, long Term, string Key, ReadOnlyMemory<byte> Value)
{
    /// <summary>Bytes this entry costs in memory and on the wire, for limits and batching.</summary>
    public int ApproximateSize => Key.Length * 2 + Value.Length + 32;

    /// <summary>
    /// A no-op fills a slot that a new leader found empty in every promise: the slot must be
    /// decided before later ones become visible, and nothing was written there. It has an empty key.
    /// </summary>
    public bool IsNoOp => Key.Length == 0;

    public static LogEntry NoOp(long index, long term) => new(index, term, string.Empty, ReadOnlyMemory<byte>.Empty);

    /// <summary>The same value, accepted in <paramref name="term"/> (a new leader re-proposing it re-stamps it).</summary>
    public LogEntry AcceptedIn(long term) => term == Term ? this : this with { Term = term };
}
