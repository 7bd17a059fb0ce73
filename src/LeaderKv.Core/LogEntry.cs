namespace LeaderKv.Core;

/// <summary>
/// One write in the leader's history. <see cref="Index"/> is the write's position (1, 2, 3, …)
/// and <see cref="Term"/> the leader's epoch, constant until failover exists. <see cref="Value"/>
/// holds the raw UTF-8 JSON text of the written value: the core never interprets it, so any JSON
/// a client sends is stored and served back byte for byte.
/// </summary>
public sealed record LogEntry(long Index, long Term, string Key, ReadOnlyMemory<byte> Value)
{
    /// <summary>Bytes this entry costs in memory and on the wire, for limits and batching.</summary>
    public int ApproximateSize => Key.Length * 2 + Value.Length + 32;
}
