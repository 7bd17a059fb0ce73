namespace LeaderKv.Core;

/// <summary>
/// Every bound the replication path relies on, each next to its reason, so none is a magic number
/// buried in a loop.
/// </summary>
public sealed record ReplicationLimits
{
    public static ReplicationLimits Default { get; } = new();

    /// <summary>Entries in one append request: large enough to amortise a round trip, small enough to keep requests short.</summary>
    public int MaxEntriesPerAppend { get; init; } = 1024;

    /// <summary>Bytes in one append request; a single larger entry is still sent alone.</summary>
    public int MaxBytesPerAppend { get; init; } = 4 * 1024 * 1024;

    /// <summary>Append requests in flight per follower: pipelining hides the round trip without unbounded concurrency.</summary>
    public int MaxAppendsInFlight { get; init; } = 4;

    /// <summary>
    /// Live entries waiting per follower for a free append slot. A follower slower than the write
    /// rate would otherwise grow the leader's memory without bound; past this the live send is
    /// dropped and the entry is resent from the log by catch-up, which costs no extra memory.
    /// </summary>
    public int MaxQueuedSends { get; init; } = 4096;

    /// <summary>First retry delay after a failed send; doubles per consecutive failure.</summary>
    public TimeSpan BackoffMin { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Ceiling on the retry delay, so a follower that comes back is noticed within this long.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>An idle follower is probed this often, so a restart or outage shows up without waiting for a write.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How far past its applied-through index a follower buffers early arrivals. Beyond it entries
    /// are refused (not acknowledged) and resent later, so a gap that never fills cannot grow memory without bound.
    /// </summary>
    public long MaxPendingWindow { get; init; } = 1 << 20;

    /// <summary>
    /// Entries the leader keeps in memory for catch-up (LOG_TAIL_ENTRIES), like Redis' replication
    /// backlog. A follower further behind is served from the write-ahead log, or, when the entries
    /// it needs are gone from there too, by a snapshot transfer.
    /// </summary>
    public int LogTailEntries { get; init; } = 100_000;

    public TimeSpan Backoff(int consecutiveFailures)
    {
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 16);
        var delay = BackoffMin * (1L << exponent);
        return delay < BackoffMax ? delay : BackoffMax;
    }
}
