using Microsoft.Win32.SafeHandles;

namespace LeaderKv.Storage.Io;

/// <summary>
/// The storage layer's file writes, truncations and fsyncs, in one place: the seam through which
/// tests make a write run out of space midway or an fsync fail (<c>StorageFaults</c> in the test
/// support project). Production code uses <see cref="Default"/>, which calls
/// <see cref="RandomAccess"/> directly. File creation, renames and reads are not routed through it:
/// the failures that matter (a full disk, a failed fsync) show up in the calls below.
/// </summary>
public class StorageFileSystem
{
    public static StorageFileSystem Default { get; } = new();

    /// <summary>Writes every buffer at <paramref name="offset"/>; on failure some prefix of the bytes may have landed.</summary>
    public virtual void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset) =>
        RandomAccess.Write(handle, buffers, offset);

    public virtual void Write(SafeFileHandle handle, ReadOnlySpan<byte> buffer, long offset) =>
        RandomAccess.Write(handle, buffer, offset);

    /// <summary>Makes the file's bytes durable. A failure leaves the file's state on disk unknown.</summary>
    public virtual void Flush(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>Cuts the file to <paramref name="length"/> (shrinking needs no free space).</summary>
    public virtual void SetLength(SafeFileHandle handle, long length) => RandomAccess.SetLength(handle, length);

    /// <summary>Writes a stream's buffer (snapshots); on failure some prefix of the bytes may have landed.</summary>
    public virtual ValueTask WriteAsync(Stream stream, ReadOnlyMemory<byte> buffer, CancellationToken token) =>
        stream.WriteAsync(buffer, token);
}
