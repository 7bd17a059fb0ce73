namespace LeaderKv.Node.Configuration;

/// <summary>The data directory and the knobs of the write-ahead log, snapshots and catch-up tail.</summary>
public sealed partial class NodeOptions
{
    /// <summary>Where the node keeps its write-ahead log and snapshots. Unset: in memory only, as in the seed.</summary>
    [ConfigurationKeyName("DATA_DIR")]
    public string? DataDir { get; init; }

    /// <summary><c>always</c> (default with DATA_DIR), <c>interval</c> or <c>never</c>: when the log is fsynced.</summary>
    [ConfigurationKeyName("FSYNC")]
    public string? Fsync { get; init; }

    /// <summary>Period of the background fsync under <c>FSYNC=interval</c>, in milliseconds (default 100).</summary>
    [ConfigurationKeyName("FSYNC_INTERVAL_MS")]
    public string? FsyncIntervalMs { get; init; }

    /// <summary>Applied entries between two snapshots (default 100000); 0 turns periodic snapshots off.</summary>
    [ConfigurationKeyName("SNAPSHOT_EVERY")]
    public string? SnapshotEvery { get; init; }

    /// <summary>Entries the leader keeps in memory for catch-up (default 100000).</summary>
    [ConfigurationKeyName("LOG_TAIL_ENTRIES")]
    public string? LogTailEntries { get; init; }

    /// <summary>Size at which a log segment is closed and a new one started, in bytes (default 64 MiB).</summary>
    [ConfigurationKeyName("WAL_SEGMENT_BYTES")]
    public string? WalSegmentBytes { get; init; }
}
