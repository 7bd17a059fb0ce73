using LeaderKv.Core;
using LeaderKv.Storage;

namespace LeaderKv.Node.Configuration;

public sealed partial record NodeSettings
{
    /// <summary>Data directory, fsync policy, snapshots and the catch-up tail.</summary>
    public DurabilitySettings Durability { get; init; } = DurabilitySettings.InMemory;

    private static DurabilitySettings ParseDurability(NodeOptions options, ReplicationMode mode, List<string> errors)
    {
        var defaults = DurabilitySettings.InMemory;
        var dataDirectory = string.IsNullOrWhiteSpace(options.DataDir) ? null : Path.GetFullPath(options.DataDir.Trim());
        var fsync = ParseFsync(options.Fsync, errors);
        var interval = ParseInt("FSYNC_INTERVAL_MS", options.FsyncIntervalMs, (int)defaults.FsyncInterval.TotalMilliseconds, errors);
        var snapshotEvery = ParseInt("SNAPSHOT_EVERY", options.SnapshotEvery, defaults.SnapshotEvery, errors);
        var tail = ParseInt("LOG_TAIL_ENTRIES", options.LogTailEntries, defaults.LogTailEntries, errors);
        var segmentBytes = ParseInt("WAL_SEGMENT_BYTES", options.WalSegmentBytes, (int)defaults.SegmentBytes, errors);

        if (interval <= 0)
        {
            errors.Add($"FSYNC_INTERVAL_MS must be > 0, got {interval}.");
        }

        if (snapshotEvery < 0)
        {
            errors.Add($"SNAPSHOT_EVERY must be ≥ 0 (0 turns snapshots off), got {snapshotEvery}.");
        }

        if (tail < 1)
        {
            errors.Add($"LOG_TAIL_ENTRIES must be ≥ 1, got {tail}.");
        }

        if (segmentBytes < StorageLimits.MinSegmentBytes || segmentBytes > StorageLimits.MaxSegmentBytes)
        {
            errors.Add($"WAL_SEGMENT_BYTES must be between {StorageLimits.MinSegmentBytes} and {StorageLimits.MaxSegmentBytes}, got {segmentBytes}.");
        }

        if (dataDirectory is not null && mode == ReplicationMode.Unordered)
        {
            // Arrival-order apply serves states that are no prefix of the history, which a snapshot
            // at an index cannot describe; the teaching mode stays in memory.
            errors.Add("DATA_DIR cannot be combined with REPLICATION_MODE=unordered (the seed's race is an in-memory teaching mode).");
        }

        return new DurabilitySettings
        {
            DataDirectory = dataDirectory,
            Fsync = fsync,
            FsyncInterval = TimeSpan.FromMilliseconds(Math.Max(interval, 1)),
            SnapshotEvery = snapshotEvery,
            LogTailEntries = Math.Max(tail, 1),
            SegmentBytes = segmentBytes,
        };
    }

    /// <summary>With a data directory every accepted write must fit a log record, so the client limits may not exceed the log's.</summary>
    private static void CheckLogLimits(DurabilitySettings durability, SecuritySettings security, List<string> errors)
    {
        if (!durability.IsDurable)
        {
            return;
        }

        if (security.MaxKeyBytes > StorageLimits.MaxKeyBytes)
        {
            errors.Add($"MAX_KEY_BYTES ({security.MaxKeyBytes}) exceeds what the write-ahead log stores ({StorageLimits.MaxKeyBytes}) with DATA_DIR set.");
        }

        if (security.MaxValueBytes > StorageLimits.MaxValueBytes)
        {
            errors.Add($"MAX_VALUE_BYTES ({security.MaxValueBytes}) exceeds what the write-ahead log stores ({StorageLimits.MaxValueBytes}) with DATA_DIR set.");
        }
    }

    private static FsyncPolicy ParseFsync(string? text, List<string> errors)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "always":
                return FsyncPolicy.Always;
            case "interval":
                return FsyncPolicy.Interval;
            case "never":
                return FsyncPolicy.Never;
            default:
                errors.Add($"FSYNC must be 'always', 'interval' or 'never', got '{text}'.");
                return FsyncPolicy.Always;
        }
    }
}
