namespace LeaderKv.Storage;

/// <summary>When the write-ahead log forces written bytes from the OS page cache to the disk.</summary>
public enum FsyncPolicy
{
    /// <summary>
    /// <c>AppendAsync</c> completes only after its bytes are fsynced. Concurrent appends share one
    /// fsync (group commit). Survives power loss and kernel crashes.
    /// </summary>
    Always,

    /// <summary>
    /// <c>AppendAsync</c> completes once its bytes are handed to the OS; the log is fsynced every
    /// <see cref="WriteAheadLogOptions.FsyncInterval"/>. Survives a process crash; a power loss can
    /// lose up to one interval of acknowledged writes.
    /// </summary>
    Interval,

    /// <summary>
    /// Bytes are handed to the OS; appends never wait for an fsync. Survives a process crash; after a
    /// power loss anything the OS had not yet written back may be lost. (Segment boundaries are still
    /// synced, twice per segment, so that a closed segment is always whole on disk.)
    /// </summary>
    Never,
}
