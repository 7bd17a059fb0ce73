using LeaderKv.Core;

namespace LeaderKv.Node.Watch;

public enum WatchChangeKind
{
    Put,
    Delete,
}

/// <summary>One committed change as watchers see it: the key, its new value (none for a delete) and the index that made it.</summary>
public sealed record WatchChange(long Index, WatchChangeKind Kind, string Key, ReadOnlyMemory<byte> Value)
{
    /// <summary>
    /// The one place an applied log entry becomes a watch change: null when it changed no key (a no-op,
    /// a failed condition, an idempotent replay, a delete of a missing key). An expiry is a delete.
    /// </summary>
    public static WatchChange? From(LogEntry entry, WriteVerdict verdict) =>
        !verdict.Changed ? null
        : entry.IsDelete ? new WatchChange(entry.Index, WatchChangeKind.Delete, entry.Key, ReadOnlyMemory<byte>.Empty)
        : new WatchChange(entry.Index, WatchChangeKind.Put, entry.Key, entry.Value);
}
