namespace LeaderKv.Node;

internal static partial class LogMessages
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Recovered from {DataDir}: {Summary}")]
    public static partial void Recovered(this ILogger logger, string dataDir, string summary);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Recovered from {DataDir} after repairing damage: {Summary}")]
    public static partial void RecoveredWithRepair(this ILogger logger, string dataDir, string summary);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Snapshot through index {Index} written ({Keys} keys, {ElapsedMs:F0} ms); the log now starts at index {FirstIndex}")]
    public static partial void SnapshotWritten(this ILogger logger, long index, int keys, double elapsedMs, long firstIndex);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Snapshot failed; the log keeps every entry and the next attempt follows")]
    public static partial void SnapshotFailed(this ILogger logger, Exception error);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Follower {Follower} is behind the leader's log; sending a snapshot through index {Index}")]
    public static partial void SnapshotTransferStarted(this ILogger logger, Uri follower, long index);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Follower {Follower} installed the snapshot; it has applied through {AppliedThrough} ({ElapsedMs:F0} ms)")]
    public static partial void SnapshotTransferred(this ILogger logger, Uri follower, long appliedThrough, double elapsedMs);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Snapshot transfer to follower {Follower} failed ({Error}); retrying with backoff")]
    public static partial void SnapshotTransferFailed(this ILogger logger, Uri follower, string error);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Installed the leader's snapshot through index {Index} ({Keys} keys); applied through {AppliedThrough}")]
    public static partial void SnapshotInstalled(this ILogger logger, long index, int keys, long appliedThrough);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Error, Message = "Disk full in {DataDir}: this node refuses writes (507) and logs nothing new until there is room; it keeps serving reads and checks for space by itself every 500 ms. Free space or grow the file system. ({Error})")]
    public static partial void DiskFull(this ILogger logger, string dataDir, string error);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "The disk has room again after {Seconds:F1} s: the disk-full alarm is cleared and this node logs again")]
    public static partial void DiskRecovered(this ILogger logger, double seconds);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Checking whether the full disk has room failed: {Error}; checking again shortly")]
    public static partial void DiskProbeFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Critical, Message = "The write-ahead log failed; the node stops because what is on disk is unknown. Restart it to recover from its data directory")]
    public static partial void LogWriteFailed(this ILogger logger, Exception error);
}
