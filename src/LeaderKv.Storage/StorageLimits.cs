namespace LeaderKv.Storage;

/// <summary>
/// Every bound the storage layer enforces, each next to the reason it exists. Writers reject
/// anything larger; readers treat a larger length field as corruption, so a flipped bit in a
/// length can never make recovery allocate gigabytes or read past a record.
/// </summary>
public static class StorageLimits
{
    /// <summary>
    /// Keys are identifiers held in memory by every node, listed by <c>GET /data</c> and sent in
    /// status messages; 4 KiB is generous for that and fits the record's 16-bit key length.
    /// </summary>
    public const int MaxKeyBytes = 4 * 1024;

    /// <summary>
    /// A value travels whole in one replication request and is held in memory on every node;
    /// 1 MiB keeps one write from stalling the pipeline for everyone behind it.
    /// </summary>
    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>
    /// What a node writes to find out whether a full disk has room again: one record of the largest
    /// value and then some. Less, and the probe would clear the alarm while the next write still fails.
    /// </summary>
    public const int SpaceProbeBytes = MaxValueBytes + (64 * 1024);

    /// <summary>
    /// A client's <c>Idempotency-Key</c> rides in every log record of its write and in the replicated
    /// table for an hour; 255 bytes is ample for a UUID or a request id and bounds that memory.
    /// </summary>
    public const int MaxIdempotencyKeyBytes = 255;

    /// <summary>Entries per <c>AppendAsync</c> call: bounds the time one batch holds the writer.</summary>
    public const int MaxEntriesPerAppend = 16 * 1024;

    /// <summary>
    /// Encoded bytes per <c>AppendAsync</c> call. A batch is written with one write call from
    /// one pooled buffer, so this bounds that buffer (and the overshoot of a segment past its limit).
    /// </summary>
    public const int MaxAppendBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Appends queued for the writer at once. Past this, <c>AppendAsync</c> waits for room:
    /// back-pressure instead of unbounded memory when the disk is slower than the callers.
    /// </summary>
    public const int MaxAppendsInFlight = 4096;

    /// <summary>Smallest segment size limit accepted: below this nearly every batch would roll a segment.</summary>
    public const long MinSegmentBytes = 4 * 1024;

    /// <summary>Largest segment size limit accepted: recovery and catch-up read whole segments sequentially.</summary>
    public const long MaxSegmentBytes = 1024L * 1024 * 1024;

    /// <summary>
    /// Node ids (the <c>PEERS</c> names) in the hard state's vote. They are short names chosen by
    /// an operator; 255 bytes bounds the file, and a longer id read back is corruption.
    /// </summary>
    public const int MaxNodeIdBytes = 255;

    /// <summary>The cluster fingerprint in the hard state: a hash in text form, so 255 bytes is ample.</summary>
    public const int MaxFingerprintBytes = 255;

    /// <summary>A Linux boot id is a 36-character UUID; 255 bytes leaves room for other platforms' sources.</summary>
    public const int MaxBootIdBytes = 255;
}
