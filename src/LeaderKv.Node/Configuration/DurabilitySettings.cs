using LeaderKv.Storage;
using LeaderKv.Storage.Io;

namespace LeaderKv.Node.Configuration;

/// <summary>How (and whether) a node keeps its data across restarts, parsed from the environment.</summary>
public sealed record DurabilitySettings
{
    /// <summary>The seed's behaviour: nothing on disk.</summary>
    public static DurabilitySettings InMemory { get; } = new();

    /// <summary>Absolute path of the data directory, or null for an in-memory node.</summary>
    public string? DataDirectory { get; init; }

    public FsyncPolicy Fsync { get; init; } = FsyncPolicy.Always;

    public TimeSpan FsyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Applied entries between snapshots; 0 means never (the log then grows without bound).</summary>
    public int SnapshotEvery { get; init; } = 100_000;

    /// <summary>Entries the leader keeps in memory for catch-up (like Redis' repl-backlog).</summary>
    public int LogTailEntries { get; init; } = 100_000;

    public long SegmentBytes { get; init; } = 64L * 1024 * 1024;

    public bool IsDurable => DataDirectory is not null;

    /// <summary>The storage layer's file writes and fsyncs; tests pass one that fails on purpose (<c>StorageFaults</c>).</summary>
    public StorageFileSystem FileSystem { get; init; } = StorageFileSystem.Default;

    public WriteAheadLogOptions LogOptions() => new()
    {
        FileSystem = FileSystem,
        Fsync = Fsync,
        FsyncInterval = FsyncInterval,
        SegmentSizeBytes = SegmentBytes,
    };
}
