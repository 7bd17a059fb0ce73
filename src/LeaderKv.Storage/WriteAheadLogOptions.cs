using LeaderKv.Storage.Io;
using Microsoft.Win32.SafeHandles;

namespace LeaderKv.Storage;

/// <summary>How a <see cref="Wal.FileWriteAheadLog"/> writes and syncs its segments.</summary>
public sealed record WriteAheadLogOptions
{
    /// <summary>
    /// A segment is closed and a new one started before a batch would take it past this size.
    /// Smaller segments free disk sooner after a snapshot; larger ones mean fewer files.
    /// </summary>
    public long SegmentSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>See <see cref="FsyncPolicy"/>.</summary>
    public FsyncPolicy Fsync { get; init; } = FsyncPolicy.Always;

    /// <summary>Period of the background fsync under <see cref="FsyncPolicy.Interval"/>.</summary>
    public TimeSpan FsyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Clock for the interval fsync; tests pass a fake one to fire it deterministically.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The call that makes a file's bytes durable. Only tests replace it: to count or to hold
    /// fsyncs (which is how group commit is tested without timing), or to make one fail.
    /// </summary>
    internal Action<SafeFileHandle>? FlushToDisk { get; init; }

    /// <summary>The file writes and fsyncs; tests pass one that fails on purpose (a full disk, an fsync error).</summary>
    public StorageFileSystem FileSystem { get; init; } = StorageFileSystem.Default;

    internal void Flush(SafeFileHandle handle) => (FlushToDisk ?? FileSystem.Flush)(handle);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a value outside its limit.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentSizeBytes, StorageLimits.MinSegmentBytes, nameof(SegmentSizeBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SegmentSizeBytes, StorageLimits.MaxSegmentBytes, nameof(SegmentSizeBytes));
        if (!Enum.IsDefined(Fsync))
        {
            throw new ArgumentOutOfRangeException(nameof(Fsync), Fsync, "Unknown fsync policy.");
        }

        if (Fsync == FsyncPolicy.Interval)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FsyncInterval, TimeSpan.Zero, nameof(FsyncInterval));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(FileSystem);
    }
}
