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
    /// The one place an applied log entry becomes a watch change: null for a no-op (it changes no key).
    /// Every applied entry that carries a key is a put today; deletes map here when entries carry them.
    /// </summary>
    public static WatchChange? From(LogEntry entry) =>
        entry.IsNoOp ? null : new WatchChange(entry.Index, WatchChangeKind.Put, entry.Key, entry.Value);
}
